/** The customers' SQL: set-based writes, keyset pages, snake_case rows mapped to camelCase here. */
import type { Queryable } from '../../db/db.ts';

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

interface CustomerDbRow {
  id: string;
  external_id: string | null;
  name: string;
  domains: string[];
  base_health_score: number | null;
  csm_id: string | null;
  csm_email: string | null;
  csm_name: string | null;
}

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
  const { rows } = await db.query<{ email: string }>(
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
  const { rows: written } = await db.query<{ id: string; external_id: string; outcome: UpsertOutcome }>(
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
  const { rows } = await db.query<CustomerDbRow>(
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
  const { rows } = await db.query<CustomerDbRow & { sort_name: string }>(
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
  const { rows } = await db.query<{ customer_id: string; open: number }>(
    `SELECT customer_id, count(*)::int AS open
       FROM zendesk_tickets
      WHERE customer_id = ANY($1::uuid[]) AND ticket_is_open(status)
      GROUP BY customer_id`,
    [customerIds],
  );
  return new Map(rows.map((row) => [row.customer_id, row.open]));
}
