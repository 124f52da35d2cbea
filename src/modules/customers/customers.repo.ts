/** The customers' SQL: set-based writes, keyset pages, snake_case rows mapped to camelCase here. */
import { z } from 'zod';
import type { Queryable } from '../../db/db.ts';
import { queryFirst, queryRows } from '../../db/rows.ts';
import { TICKET_PRIORITIES, type TicketPriority } from '../../contracts/vocabulary.ts';
import { healthOf, LATEST_HEALTH_COLUMNS, LATEST_HEALTH_JOINS, latestHealthColumns, type HealthSummary } from '../health/health.repo.ts';

export interface CustomerCsm {
  id: string;
  email: string;
  name: string;
}

export interface Customer {
  id: string;
  externalId: string | null;
  name: string;
  domains: string[];
  csm: CustomerCsm | null;
  baseHealthScore: number | null;
}

/** A customer as written by a bulk upsert: validated, normalized, CSM given by lower-case email. */
export interface CustomerRow {
  externalId: string;
  name: string;
  domains: string[];
  csmEmail: string | null;
  baseHealthScore: number | null;
}

export type UpsertOutcome = 'created' | 'updated' | 'unchanged';

/** Where a page of the list starts after: the last row's sort key. */
export interface CustomerPosition {
  sortName: string;
  id: string;
}

const customerDbRow = z.object({
  id: z.string(),
  external_id: z.string().nullable(),
  name: z.string(),
  domains: z.array(z.string()),
  base_health_score: z.number().nullable(),
  csm_id: z.string().nullable(),
  csm_email: z.string().nullable(),
  csm_name: z.string().nullable(),
});
type CustomerDbRow = z.infer<typeof customerDbRow>;

const CUSTOMER_COLUMNS = `c.id, c.external_id, c.name, c.domains, c.base_health_score,
  u.id AS csm_id, u.email AS csm_email, u.name AS csm_name`;

function toCustomer(row: CustomerDbRow): Customer {
  return {
    id: row.id,
    externalId: row.external_id,
    name: row.name,
    domains: row.domains,
    csm: row.csm_id ? { id: row.csm_id, email: row.csm_email ?? '', name: row.csm_name ?? '' } : null,
    baseHealthScore: row.base_health_score,
  };
}

/**
 * Creates a `csm` user, without a password, for each email no user has yet (emails in lower case).
 * Answers the emails it created. Concurrent imports naming the same new CSM create it once.
 */
export async function insertMissingCsms(db: Queryable, emails: readonly string[]): Promise<string[]> {
  if (emails.length === 0) return [];
  const rows = await queryRows(
    db,
    z.object({ email: z.string() }),
    `INSERT INTO users (email, name, role)
     SELECT e.email, e.email, 'csm' FROM unnest($1::text[]) AS e(email)
     ON CONFLICT ((lower(email))) DO NOTHING
     RETURNING email`,
    [emails],
  );
  return rows.map((row) => row.email);
}

/**
 * Inserts or updates the customers by external id, in one statement (any number of rows at once;
 * callers keep batches to a few thousand). Each row's CSM is the user with that email (created
 * before by `insertMissingCsms`). `updated_at` moves only when something changed, so re-posting
 * the same data changes nothing. Answers each written row's id and what happened to it.
 */
export async function upsertCustomerRows(
  db: Queryable,
  rows: readonly CustomerRow[],
): Promise<Array<{ id: string; externalId: string; outcome: UpsertOutcome }>> {
  if (rows.length === 0) return [];
  const input = rows.map((row) => ({
    external_id: row.externalId,
    name: row.name,
    domains: row.domains,
    csm_email: row.csmEmail,
    base_health_score: row.baseHealthScore,
  }));
  // `before` reads the statement's snapshot, taken before the insert: what each row was, if it was.
  // Rows are written in external-id order so that concurrent imports lock them in the same order.
  const written = await queryRows(
    db,
    z.object({ id: z.string(), external_id: z.string(), outcome: z.enum(['created', 'updated', 'unchanged']) }),
    `WITH input AS (
       SELECT x.external_id, x.name, x.domains, x.csm_email, x.base_health_score
         FROM jsonb_to_recordset($1::jsonb)
           AS x(external_id text, name text, domains text[], csm_email text, base_health_score numeric)
     ),
     before AS (
       SELECT c.external_id, c.name, c.domains, c.csm_id, c.base_health_score
         FROM customers c JOIN input i ON i.external_id = c.external_id
     ),
     written AS (
       INSERT INTO customers AS c (external_id, name, domains, csm_id, base_health_score)
       SELECT i.external_id, i.name, i.domains, u.id, i.base_health_score
         FROM input i LEFT JOIN users u ON lower(u.email) = i.csm_email
        ORDER BY i.external_id
       ON CONFLICT (external_id) DO UPDATE
          SET name = EXCLUDED.name,
              domains = EXCLUDED.domains,
              csm_id = EXCLUDED.csm_id,
              base_health_score = EXCLUDED.base_health_score,
              updated_at = CASE
                WHEN (c.name, c.domains, c.csm_id, c.base_health_score)
                     IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.domains, EXCLUDED.csm_id, EXCLUDED.base_health_score)
                THEN now() ELSE c.updated_at END
       RETURNING c.id, c.external_id, c.name, c.domains, c.csm_id, c.base_health_score
     )
     SELECT w.id, w.external_id,
            CASE WHEN b.external_id IS NULL THEN 'created'
                 WHEN (b.name, b.domains, b.csm_id, b.base_health_score)
                      IS DISTINCT FROM (w.name, w.domains, w.csm_id, w.base_health_score) THEN 'updated'
                 ELSE 'unchanged' END AS outcome
       FROM written w LEFT JOIN before b ON b.external_id = w.external_id`,
    [JSON.stringify(input)],
  );
  return written.map((row) => ({ id: row.id, externalId: row.external_id, outcome: row.outcome }));
}

export async function findCustomersByIds(db: Queryable, ids: readonly string[]): Promise<Customer[]> {
  if (ids.length === 0) return [];
  const rows = await queryRows(
    db,
    customerDbRow,
    `SELECT ${CUSTOMER_COLUMNS} FROM customers c LEFT JOIN users u ON u.id = c.csm_id WHERE c.id = ANY($1::uuid[])`,
    [ids],
  );
  return rows.map(toCustomer);
}

/**
 * One page of customers in name order (case-insensitive, then id: a total order, so that keyset
 * pages neither skip nor repeat a customer), starting after `after`.
 */
export async function listCustomers(
  db: Queryable,
  filter: { nameContains: string | null; csmId: string | null; after: CustomerPosition | null; limit: number },
): Promise<Array<Customer & { sortName: string }>> {
  const where: string[] = [];
  const params: unknown[] = [];
  const param = (value: unknown) => `$${params.push(value)}`;
  if (filter.nameContains) where.push(`strpos(lower(c.name), lower(${param(filter.nameContains)})) > 0`);
  if (filter.csmId) where.push(`c.csm_id = ${param(filter.csmId)}::uuid`);
  if (filter.after) where.push(`(lower(c.name), c.id) > (${param(filter.after.sortName)}::text, ${param(filter.after.id)}::uuid)`);
  const rows = await queryRows(
    db,
    customerDbRow.extend({ sort_name: z.string() }),
    `SELECT ${CUSTOMER_COLUMNS}, lower(c.name) AS sort_name
       FROM customers c LEFT JOIN users u ON u.id = c.csm_id
      ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY lower(c.name), c.id
      LIMIT ${param(filter.limit)}`,
    params,
  );
  return rows.map((row) => ({ ...toCustomer(row), sortName: row.sort_name }));
}

/** Open tickets (new, open, pending, hold) per customer, for a page of customers: one grouped query. */
export async function countOpenTickets(db: Queryable, customerIds: readonly string[]): Promise<Map<string, number>> {
  if (customerIds.length === 0) return new Map();
  const rows = await queryRows(
    db,
    z.object({ customer_id: z.string(), open: z.number() }),
    `SELECT customer_id, count(*)::int AS open
       FROM zendesk_tickets
      WHERE customer_id = ANY($1::uuid[]) AND ticket_is_open(status)
      GROUP BY customer_id`,
    [customerIds],
  );
  return new Map(rows.map((row) => [row.customer_id, row.open]));
}

// ---- the UI's customer overview: each customer's support picture in one set-based query ----

/** By rank (ticket_priority_rank): 0 is none, then the priorities from the least urgent. */
const PRIORITY_NAMES = ['none', ...[...TICKET_PRIORITIES].reverse()] as ['none', ...TicketPriority[]];

export interface CustomerOverview {
  id: string;
  externalId: string | null;
  name: string;
  domains: string[];
  csm: CustomerCsm | null;
  openTickets: number;
  /** Priority of the worst open ticket (none: open tickets without a priority); null: no open ticket. */
  worstOpenPriority: 'none' | TicketPriority | null;
  escalatedOpen: number;
  escalations30d: number | null;
  health: HealthSummary | null;
  csat: number | null;
  csatRatings: number;
  slaCompliance: number | null;
  lastActivityAt: string | null;
}

const overviewDbRow = z.object({
  id: z.string(),
  external_id: z.string().nullable(),
  name: z.string(),
  domains: z.array(z.string()),
  csm_id: z.string().nullable(),
  csm_name: z.string().nullable(),
  csm_email: z.string().nullable(),
  open_tickets: z.number().nullable(),
  worst: z.number().nullable(),
  escalated_open: z.number().nullable(),
  escalations: z.number().nullable(),
  csat: z.number().nullable(),
  csat_ratings: z.number().nullable(),
  sla: z.number().nullable(),
  last_activity: z.date().nullable(),
  ...latestHealthColumns,
});

/**
 * Every customer (or one, or a CSM's) with open tickets by worst priority, open escalations, the
 * latest health and metrics rows and the last ticket change: index lookups per customer.
 */
export async function selectCustomerOverview(db: Queryable, filter: { customerId?: string; csmId?: string }): Promise<CustomerOverview[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (filter.customerId) where.push(`c.id = $${params.push(filter.customerId)}::uuid`);
  if (filter.csmId) where.push(`c.csm_id = $${params.push(filter.csmId)}::uuid`);
  const rows = await queryRows(
    db,
    overviewDbRow,
    `SELECT c.id, c.external_id, c.name, c.domains, c.csm_id, u.name AS csm_name, u.email AS csm_email,
            o.open_tickets, o.worst, o.escalated_open,
            ${LATEST_HEALTH_COLUMNS},
            m.escalations, m.csat_score AS csat, m.csat_ratings, m.sla_compliance AS sla,
            (SELECT max(t.zendesk_updated_at) FROM zendesk_tickets t WHERE t.customer_id = c.id) AS last_activity
       FROM customers c
       LEFT JOIN users u ON u.id = c.csm_id
       LEFT JOIN LATERAL (
         SELECT count(*)::int AS open_tickets, count(*) FILTER (WHERE t.escalated)::int AS escalated_open,
                max(ticket_priority_rank(t.priority)) AS worst
           FROM zendesk_tickets t WHERE t.customer_id = c.id AND ticket_is_open(t.status)
       ) o ON true${LATEST_HEALTH_JOINS}
       LEFT JOIN LATERAL (
         SELECT z.escalations, z.csat_score, z.csat_ratings, z.sla_compliance FROM zendesk_metrics z WHERE z.customer_id = c.id ORDER BY z.metric_date DESC LIMIT 1
       ) m ON true
      ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY lower(c.name), c.id`,
    params,
  );
  return rows.map((row) => ({
    id: row.id,
    externalId: row.external_id,
    name: row.name,
    domains: row.domains,
    csm: row.csm_id ? { id: row.csm_id, name: row.csm_name ?? '', email: row.csm_email ?? '' } : null,
    openTickets: row.open_tickets ?? 0,
    worstOpenPriority: row.open_tickets ? (PRIORITY_NAMES[row.worst ?? 0] ?? 'none') : null,
    escalatedOpen: row.escalated_open ?? 0,
    escalations30d: row.escalations,
    health: healthOf(row),
    csat: row.csat,
    csatRatings: row.csat_ratings ?? 0,
    slaCompliance: row.sla,
    lastActivityAt: row.last_activity?.toISOString() ?? null,
  }));
}

/** When the customer's tickets were last synced (the newest of them); null without tickets. */
export async function selectLastTicketSyncAt(db: Queryable, customerId: string): Promise<Date | null> {
  const row = await queryFirst(db, z.object({ at: z.date().nullable() }), 'SELECT max(last_synced_at) AS at FROM zendesk_tickets WHERE customer_id = $1', [customerId]);
  return row?.at ?? null;
}
