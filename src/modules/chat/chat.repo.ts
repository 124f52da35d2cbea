/**
 * The chat's own SQL: the customer name index and its version stamp, and the portfolio views
 * across customers (open, escalated or breached tickets; the lowest support scores and CSAT) that
 * the per-customer services do not offer. `csmId` scopes a view to one CSM's customers; null is
 * every customer (leaders and admins). Every row is checked column by column as it is read
 * (the readers below); nothing past this file sees an unchecked value.
 */
import type { Queryable, Row } from '../../db/db.ts';
import type { IndexedCustomer } from './account-index.ts';

// ---- column readers ----
// The driver types rows as the query claims, without looking. Each reader checks that a value is
// what the SQL promises (its cast, a NOT NULL column) and throws naming the column otherwise, so
// that a changed query, schema or engine fails here, loudly, instead of as a wrong answer later.

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value instanceof Date) return 'a Date';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}

function fail(column: string, expected: string, value: unknown): never {
  throw new Error(`chat query: column "${column}" should be ${expected}, got ${describe(value)}`);
}

function text(row: Row, column: string): string {
  const value = row[column];
  return typeof value === 'string' ? value : fail(column, 'text', value);
}

function textOrNull(row: Row, column: string): string | null {
  return row[column] === null ? null : text(row, column);
}

/** int4 from a ::int cast, or an int8 (bigint) that the engines' type parsers turn into a safe number. */
function integer(row: Row, column: string): number {
  const value = row[column];
  return typeof value === 'number' && Number.isSafeInteger(value) ? value : fail(column, 'an integer', value);
}

function numberOrNull(row: Row, column: string): number | null {
  const value = row[column];
  return value === null || typeof value === 'number' ? value : fail(column, 'a number or null', value);
}

function boolean(row: Row, column: string): boolean {
  const value = row[column];
  return typeof value === 'boolean' ? value : fail(column, 'a boolean', value);
}

function timestamp(row: Row, column: string): Date {
  const value = row[column];
  return value instanceof Date ? value : fail(column, 'a timestamp (Date)', value);
}

function textArray(row: Row, column: string): string[] {
  const value = row[column];
  return Array.isArray(value) && value.every((item) => typeof item === 'string') ? (value as string[]) : fail(column, 'a text array', value);
}

/** A window count (`count(*) OVER ()`) read from the first row; no rows is a count of 0. */
function windowCount(rows: Row[], column: string): number {
  return rows[0] ? integer(rows[0], column) : 0;
}

/** Changes whenever a customer is added, removed, renamed or given other domains. */
export async function selectCustomersVersion(db: Queryable): Promise<string> {
  const { rows } = await db.query(`SELECT count(*)::int AS n, max(updated_at)::text AS at FROM customers`);
  const row = rows[0];
  return row ? `${integer(row, 'n')}:${textOrNull(row, 'at') ?? ''}` : '0:';
}

function toIndexedCustomer(row: Row): IndexedCustomer {
  // domains is NOT NULL in the schema; a null would still leave the customer findable by its name,
  // rather than fail the index that every chat message needs.
  return { id: text(row, 'id'), name: text(row, 'name'), domains: row.domains === null ? [] : textArray(row, 'domains') };
}

export async function selectIndexedCustomers(db: Queryable): Promise<IndexedCustomer[]> {
  const { rows } = await db.query(`SELECT id, name, domains FROM customers ORDER BY id`);
  return rows.map(toIndexedCustomer);
}

function toCustomerName(row: Row): { id: string; name: string } {
  return { id: text(row, 'id'), name: text(row, 'name') };
}

export async function selectCustomerNames(db: Queryable, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const { rows } = await db.query(`SELECT id, name FROM customers WHERE id = ANY($1::uuid[])`, [ids]);
  return new Map(rows.map(toCustomerName).map((customer) => [customer.id, customer.name]));
}

/** The caller's customers (a CSM's), by name: for "which account?" choices. */
export async function selectOwnCustomers(db: Queryable, csmId: string, limit: number): Promise<Array<{ id: string; name: string }>> {
  const { rows } = await db.query(
    `SELECT id, name FROM customers WHERE csm_id = $1::uuid ORDER BY lower(name), id LIMIT $2`,
    [csmId, limit],
  );
  return rows.map(toCustomerName);
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

function toPortfolioTicket(row: Row): PortfolioTicket {
  return {
    id: text(row, 'id'),
    customerId: text(row, 'customer_id'),
    customerName: text(row, 'customer_name'),
    connectionId: text(row, 'connection_id'),
    subdomain: text(row, 'subdomain'),
    zendeskTicketId: integer(row, 'zendesk_ticket_id'),
    subject: textOrNull(row, 'subject'),
    status: text(row, 'status'),
    priority: textOrNull(row, 'priority'),
    escalated: boolean(row, 'escalated'),
    slaBreached: boolean(row, 'sla_breached'),
    createdAt: timestamp(row, 'zendesk_created_at'),
    updatedAt: timestamp(row, 'zendesk_updated_at'),
  };
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
  const { rows } = await db.query(
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
  return { total: windowCount(rows, 'total'), tickets: rows.map(toPortfolioTicket) };
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
  const { rows } = await db.query(`SELECT count(*)::int AS n FROM zendesk_tickets t WHERE ${where.join(' AND ')}`, params);
  return rows[0] ? integer(rows[0], 'n') : 0;
}

export interface CustomerBreaches {
  customerId: string;
  customerName: string;
  breached: number;
}

function toCustomerBreaches(row: Row): CustomerBreaches {
  return { customerId: text(row, 'customer_id'), customerName: text(row, 'customer_name'), breached: integer(row, 'breached') };
}

/** The scope's customers with unsolved tickets whose SLA is breached now, most breaches first. */
export async function selectCustomersWithBreaches(db: Queryable, csmId: string | null, limit: number): Promise<{ customers: CustomerBreaches[]; total: number; tickets: number }> {
  const { rows } = await db.query(
    `SELECT t.customer_id, c.name AS customer_name, count(*)::int AS breached,
            count(*) OVER ()::int AS total, (sum(count(*)) OVER ())::int AS tickets
       FROM zendesk_tickets t JOIN customers c ON c.id = t.customer_id
      WHERE ticket_is_open(t.status) AND ($1::uuid IS NULL OR c.csm_id = $1::uuid) AND ${SLA_BREACHED}
      GROUP BY t.customer_id, c.name
      ORDER BY count(*) DESC, lower(c.name), t.customer_id
      LIMIT $2`,
    [csmId, limit],
  );
  return { total: windowCount(rows, 'total'), tickets: windowCount(rows, 'tickets'), customers: rows.map(toCustomerBreaches) };
}

export interface PortfolioScore {
  customerId: string;
  customerName: string;
  day: string;
  value: number | null;
  /** CSAT: ratings behind the score; health: the overall score. */
  extra: number | null;
}

/** A ranking row; its score and companion value (ratings, overall score) are read by the caller, who knows their columns. */
function toPortfolioScore(row: Row, value: number | null, extra: number | null): PortfolioScore {
  return { customerId: text(row, 'customer_id'), customerName: text(row, 'customer_name'), day: text(row, 'day'), value, extra };
}

/** The scope's lowest support scores, from each customer's latest daily health row. */
export async function selectLowestHealth(db: Queryable, csmId: string | null, limit: number): Promise<{ customers: PortfolioScore[]; total: number }> {
  const { rows } = await db.query(
    `SELECT h.customer_id, c.name AS customer_name, h.day::text AS day, h.support_score::float8 AS support, h.overall_score::float8 AS overall,
            count(*) OVER ()::int AS total
       FROM customers c
       JOIN LATERAL (SELECT * FROM customer_health_daily d WHERE d.customer_id = c.id ORDER BY d.day DESC LIMIT 1) h ON true
      WHERE ($1::uuid IS NULL OR c.csm_id = $1::uuid) AND h.support_score IS NOT NULL
      ORDER BY h.support_score, lower(c.name), c.id
      LIMIT $2`,
    [csmId, limit],
  );
  return { total: windowCount(rows, 'total'), customers: rows.map((row) => toPortfolioScore(row, numberOrNull(row, 'support'), numberOrNull(row, 'overall'))) };
}

/** The scope's lowest CSAT, from each customer's latest daily metrics row with ratings. */
export async function selectLowestCsat(db: Queryable, csmId: string | null, limit: number): Promise<{ customers: PortfolioScore[]; total: number }> {
  const { rows } = await db.query(
    `SELECT m.customer_id, c.name AS customer_name, m.metric_date::text AS day, m.csat_score::float8 AS csat, m.csat_ratings AS ratings,
            count(*) OVER ()::int AS total
       FROM customers c
       JOIN LATERAL (SELECT * FROM zendesk_metrics d WHERE d.customer_id = c.id ORDER BY d.metric_date DESC LIMIT 1) m ON true
      WHERE ($1::uuid IS NULL OR c.csm_id = $1::uuid) AND m.csat_score IS NOT NULL
      ORDER BY m.csat_score, lower(c.name), c.id
      LIMIT $2`,
    [csmId, limit],
  );
  return { total: windowCount(rows, 'total'), customers: rows.map((row) => toPortfolioScore(row, numberOrNull(row, 'csat'), integer(row, 'ratings'))) };
}
