/** Storage of the marks that ask for a customer's recompute (customer_refresh_requests). */
import { z } from 'zod';
import type { Queryable } from '../../db/db.ts';
import { queryFirst, queryRows } from '../../db/rows.ts';

/**
 * Marks customers for a recompute; a customer already marked is marked again (newer seq), so a
 * change during its recompute is not missed. `historyFrom` (YYYY-MM-DD) also asks for their stored
 * daily rows to be rebuilt from history from that day on; a mark keeps the earliest day asked.
 */
export async function requestCustomerRefresh(db: Queryable, customerIds: readonly string[], historyFrom?: string): Promise<void> {
  const ids = [...new Set(customerIds)];
  if (ids.length === 0) return;
  await db.query(
    `INSERT INTO customer_refresh_requests (customer_id, history_from)
     SELECT id, $2::date FROM customers WHERE id = ANY($1::uuid[])
     ON CONFLICT (customer_id) DO UPDATE SET seq = nextval('customer_refresh_seq'), requested_at = now(),
       history_from = LEAST(customer_refresh_requests.history_from, EXCLUDED.history_from)`,
    [ids, historyFrom ?? null],
  );
}

const count = z.object({ n: z.number() });

/** Marks every customer (a setting that changes everyone's figures); answers how many. */
export async function requestAllCustomersRefresh(db: Queryable): Promise<number> {
  const row = await queryFirst(
    db,
    count,
    `WITH marked AS (
       INSERT INTO customer_refresh_requests (customer_id) SELECT id FROM customers
       ON CONFLICT (customer_id) DO UPDATE SET seq = nextval('customer_refresh_seq'), requested_at = now()
       RETURNING 1)
     SELECT count(*)::int AS n FROM marked`,
  );
  return row?.n ?? 0;
}

/** How many customers wait for a recompute (status, metrics, tests). */
export async function pendingCustomerRefreshes(db: Queryable): Promise<number> {
  return (await queryFirst(db, count, 'SELECT count(*)::int AS n FROM customer_refresh_requests'))?.n ?? 0;
}

export interface RefreshMark {
  customer_id: string;
  seq: number;
  /** YYYY-MM-DD: the stored daily rows from this day on are to be rebuilt from history; null: none. */
  history_from: string | null;
}

const refreshMark = z.object({ customer_id: z.string(), seq: z.coerce.number(), history_from: z.string().nullable() });

/** The oldest marks, at most `limit`. */
export async function selectRefreshMarks(db: Queryable, limit: number): Promise<RefreshMark[]> {
  return queryRows(db, refreshMark, `SELECT customer_id, seq, to_char(history_from, 'YYYY-MM-DD') AS history_from FROM customer_refresh_requests ORDER BY seq LIMIT $1`, [limit]);
}

/** Removes these marks, each only if it was not renewed meanwhile (same seq). */
export async function deleteRefreshMarks(db: Queryable, marks: readonly RefreshMark[]): Promise<void> {
  await db.query(
    `DELETE FROM customer_refresh_requests r
      USING jsonb_to_recordset($1::jsonb) AS done(customer_id uuid, seq bigint)
      WHERE r.customer_id = done.customer_id AND r.seq = done.seq`,
    [JSON.stringify(marks.map(({ customer_id, seq }) => ({ customer_id, seq })))],
  );
}
