/**
 * The chat's own SQL: the customer name index and its version stamp, and the portfolio views
 * across customers (open, escalated or breached tickets; the lowest support scores and CSAT) that
 * the per-customer services do not offer. `csmId` scopes a view to one CSM's customers; null is
 * every customer (leaders and admins).
 */
import type { Queryable } from '../../db/db.ts';
import type { IndexedCustomer } from './account-index.ts';

/** Changes whenever a customer is added, removed, renamed or given other domains. */
export async function selectCustomersVersion(db: Queryable): Promise<string> {
  const { rows } = await db.query<{ n: number; at: string | null }>(`SELECT count(*)::int AS n, max(updated_at)::text AS at FROM customers`);
  return `${rows[0]?.n ?? 0}:${rows[0]?.at ?? ''}`;
}

export async function selectIndexedCustomers(db: Queryable): Promise<IndexedCustomer[]> {
  const { rows } = await db.query<{ id: string; name: string; domains: string[] }>(`SELECT id, name, domains FROM customers ORDER BY id`);
  return rows.map((row) => ({ id: row.id, name: row.name, domains: row.domains ?? [] }));
}

export async function selectCustomerNames(db: Queryable, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const { rows } = await db.query<{ id: string; name: string }>(`SELECT id, name FROM customers WHERE id = ANY($1::uuid[])`, [ids]);
  return new Map(rows.map((row) => [row.id, row.name]));
}

/** The caller's customers (a CSM's), by name: for "which account?" choices. */
export async function selectOwnCustomers(db: Queryable, csmId: string, limit: number): Promise<Array<{ id: string; name: string }>> {
  const { rows } = await db.query<{ id: string; name: string }>(
    `SELECT id, name FROM customers WHERE csm_id = $1::uuid ORDER BY lower(name), id LIMIT $2`,
    [csmId, limit],
  );
  return rows;
}

/** SLA breached now: an active SLA metric of the ticket is past its breach time (as tickets.repo.ts reads it). */
const SLA_BREACHED = `EXISTS (
  SELECT 1 FROM jsonb_array_elements(CASE WHEN jsonb_typeof(t.sla_policy_metrics) = 'array' THEN t.sla_policy_metrics ELSE '[]'::jsonb END) m
   WHERE (CASE WHEN m->>'stage' = 'active' AND m->>'breach_at' ~ '^\\d{4}-\\d{2}-\\d{2}T' THEN (m->>'breach_at')::timestamptz END) <= now())`;


export interface PortfolioTicketFilter {
  csmId: string | null;
  /** null: every status but deleted. */
  statuses: string[] | null;
  priorities: string[] | null;
  escalated: boolean | null;
  slaBreached: boolean | null;
  createdSince: Date | null;
}

export interface PortfolioTicket {
  id: string;
  customerId: string;
  customerName: string;
  connectionId: string;
  subdomain: string;
  zendeskTicketId: number;
  subject: string | null;
  status: string;
  priority: string | null;
  escalated: boolean;
  slaBreached: boolean;
  createdAt: Date;
  updatedAt: Date;
}

/** Matched tickets across the scope's customers, most urgent then most recently updated first, with the total. */
export async function selectPortfolioTickets(db: Queryable, filter: PortfolioTicketFilter, limit: number): Promise<{ tickets: PortfolioTicket[]; total: number }> {
  const params: unknown[] = [];
  const p = (value: unknown) => `$${params.push(value)}`;
  const where = ['t.customer_id IS NOT NULL'];
  if (filter.csmId) where.push(`c.csm_id = ${p(filter.csmId)}::uuid`);
  where.push(filter.statuses ? `t.status = ANY(${p(filter.statuses)}::text[])` : `t.status <> 'deleted'`);
  if (filter.priorities) where.push(`t.priority = ANY(${p(filter.priorities)}::text[])`);
  if (filter.escalated !== null) where.push(`t.escalated = ${p(filter.escalated)}`);
  if (filter.slaBreached !== null) where.push(`${filter.slaBreached ? '' : 'NOT '}${SLA_BREACHED}`);
  if (filter.createdSince) where.push(`t.zendesk_created_at >= ${p(filter.createdSince)}::timestamptz`);
  const { rows } = await db.query<{
    id: string; customer_id: string; customer_name: string; connection_id: string; subdomain: string; zendesk_ticket_id: number;
    subject: string | null; status: string; priority: string | null; escalated: boolean; sla_breached: boolean;
    zendesk_created_at: Date; zendesk_updated_at: Date; total: number;
  }>(
    `SELECT t.id, t.customer_id, c.name AS customer_name, t.connection_id, z.subdomain, t.zendesk_ticket_id, t.subject, t.status, t.priority,
            t.escalated, ${SLA_BREACHED} AS sla_breached, t.zendesk_created_at, t.zendesk_updated_at, count(*) OVER ()::int AS total
       FROM zendesk_tickets t
       JOIN customers c ON c.id = t.customer_id
       JOIN zendesk_connections z ON z.id = t.connection_id
      WHERE ${where.join(' AND ')}
      ORDER BY ticket_priority_rank(t.priority) DESC, t.zendesk_updated_at DESC, t.id
      LIMIT ${p(limit)}`,
    params,
  );
  return {
    total: rows[0]?.total ?? 0,
    tickets: rows.map((row) => ({
      id: row.id,
      customerId: row.customer_id,
      customerName: row.customer_name,
      connectionId: row.connection_id,
      subdomain: row.subdomain,
      zendeskTicketId: row.zendesk_ticket_id,
      subject: row.subject,
      status: row.status,
      priority: row.priority,
      escalated: row.escalated,
      slaBreached: row.sla_breached,
      createdAt: row.zendesk_created_at,
      updatedAt: row.zendesk_updated_at,
    })),
  };
}

/** How many of one customer's tickets a filter selects (the list itself comes from the tickets service). */
export async function countCustomerTickets(db: Queryable, customerId: string, filter: Omit<PortfolioTicketFilter, 'csmId'>): Promise<number> {
  const params: unknown[] = [customerId];
  const p = (value: unknown) => `$${params.push(value)}`;
  const where = ['t.customer_id = $1::uuid'];
  where.push(filter.statuses ? `t.status = ANY(${p(filter.statuses)}::text[])` : `t.status <> 'deleted'`);
  if (filter.priorities) where.push(`t.priority = ANY(${p(filter.priorities)}::text[])`);
  if (filter.escalated !== null) where.push(`t.escalated = ${p(filter.escalated)}`);
  if (filter.slaBreached !== null) where.push(`${filter.slaBreached ? '' : 'NOT '}${SLA_BREACHED}`);
  if (filter.createdSince) where.push(`t.zendesk_created_at >= ${p(filter.createdSince)}::timestamptz`);
  const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM zendesk_tickets t WHERE ${where.join(' AND ')}`, params);
  return rows[0]?.n ?? 0;
}

export interface CustomerBreaches {
  customerId: string;
  customerName: string;
  breached: number;
}

/** The scope's customers with unsolved tickets whose SLA is breached now, most breaches first. */
export async function selectCustomersWithBreaches(db: Queryable, csmId: string | null, limit: number): Promise<{ customers: CustomerBreaches[]; total: number; tickets: number }> {
  const { rows } = await db.query<{ customer_id: string; customer_name: string; breached: number; total: number; tickets: number }>(
    `SELECT t.customer_id, c.name AS customer_name, count(*)::int AS breached,
            count(*) OVER ()::int AS total, (sum(count(*)) OVER ())::int AS tickets
       FROM zendesk_tickets t JOIN customers c ON c.id = t.customer_id
      WHERE ticket_is_open(t.status) AND ($1::uuid IS NULL OR c.csm_id = $1::uuid) AND ${SLA_BREACHED}
      GROUP BY t.customer_id, c.name
      ORDER BY count(*) DESC, lower(c.name), t.customer_id
      LIMIT $2`,
    [csmId, limit],
  );
  return {
    total: rows[0]?.total ?? 0,
    tickets: rows[0]?.tickets ?? 0,
    customers: rows.map((row) => ({ customerId: row.customer_id, customerName: row.customer_name, breached: row.breached })),
  };
}

export interface PortfolioScore {
  customerId: string;
  customerName: string;
  day: string;
  value: number | null;
  /** CSAT: ratings behind the score; health: the overall score. */
  extra: number | null;
}

/** The scope's lowest support scores, from each customer's latest daily health row. */
export async function selectLowestHealth(db: Queryable, csmId: string | null, limit: number): Promise<{ customers: PortfolioScore[]; total: number }> {
  const { rows } = await db.query<{ customer_id: string; customer_name: string; day: string; support: number | null; overall: number | null; total: number }>(
    `SELECT h.customer_id, c.name AS customer_name, h.day::text AS day, h.support_score::float8 AS support, h.overall_score::float8 AS overall,
            count(*) OVER ()::int AS total
       FROM customers c
       JOIN LATERAL (SELECT * FROM customer_health_daily d WHERE d.customer_id = c.id ORDER BY d.day DESC LIMIT 1) h ON true
      WHERE ($1::uuid IS NULL OR c.csm_id = $1::uuid) AND h.support_score IS NOT NULL
      ORDER BY h.support_score, lower(c.name), c.id
      LIMIT $2`,
    [csmId, limit],
  );
  return {
    total: rows[0]?.total ?? 0,
    customers: rows.map((row) => ({ customerId: row.customer_id, customerName: row.customer_name, day: row.day, value: row.support, extra: row.overall })),
  };
}

/** The scope's lowest CSAT, from each customer's latest daily metrics row with ratings. */
export async function selectLowestCsat(db: Queryable, csmId: string | null, limit: number): Promise<{ customers: PortfolioScore[]; total: number }> {
  const { rows } = await db.query<{ customer_id: string; customer_name: string; day: string; csat: number | null; ratings: number; total: number }>(
    `SELECT m.customer_id, c.name AS customer_name, m.metric_date::text AS day, m.csat_score::float8 AS csat, m.csat_ratings AS ratings,
            count(*) OVER ()::int AS total
       FROM customers c
       JOIN LATERAL (SELECT * FROM zendesk_metrics d WHERE d.customer_id = c.id ORDER BY d.metric_date DESC LIMIT 1) m ON true
      WHERE ($1::uuid IS NULL OR c.csm_id = $1::uuid) AND m.csat_score IS NOT NULL
      ORDER BY m.csat_score, lower(c.name), c.id
      LIMIT $2`,
    [csmId, limit],
  );
  return {
    total: rows[0]?.total ?? 0,
    customers: rows.map((row) => ({ customerId: row.customer_id, customerName: row.customer_name, day: row.day, value: row.csat, extra: row.ratings })),
  };
}
