/**
 * Following customer accounts (customer_follows): a user receives a followed customer's alerts in
 * addition to whoever routing chose (alert-raising.repo.ts), for every alert type (types NULL) or
 * the chosen ones. Any role may follow any customer.
 */
import { z } from 'zod';
import { ALERT_TYPES, type AlertType } from '../../contracts/vocabulary.ts';
import type { Queryable } from '../../db/db.ts';
import { queryFirst, queryRows } from '../../db/rows.ts';

export interface Follow {
  customerId: string;
  customerName: string;
  /** null: every alert type. */
  types: AlertType[] | null;
  followedAt: Date;
}

const followRow = z.object({
  customer_id: z.string(),
  customer_name: z.string(),
  types: z.array(z.enum(ALERT_TYPES)).nullable(),
  created_at: z.date(),
});

const toFollow = (row: z.output<typeof followRow>): Follow => ({ customerId: row.customer_id, customerName: row.customer_name, types: row.types, followedAt: row.created_at });

/** The accounts `userId` follows, by customer name. A pure read. */
export async function selectFollows(db: Queryable, userId: string): Promise<Follow[]> {
  const rows = await queryRows(
    db,
    followRow,
    `SELECT f.customer_id, c.name AS customer_name, f.types, f.created_at
       FROM customer_follows f JOIN customers c ON c.id = f.customer_id
      WHERE f.user_id = $1::uuid ORDER BY lower(c.name), c.id`,
    [userId],
  );
  return rows.map(toFollow);
}

/** The caller's follow of one customer, or null. */
export async function selectFollow(db: Queryable, userId: string, customerId: string): Promise<Follow | null> {
  const row = await queryFirst(
    db,
    followRow,
    `SELECT f.customer_id, c.name AS customer_name, f.types, f.created_at
       FROM customer_follows f JOIN customers c ON c.id = f.customer_id
      WHERE f.user_id = $1::uuid AND f.customer_id = $2::uuid`,
    [userId, customerId],
  );
  return row ? toFollow(row) : null;
}

/**
 * Follows (or changes the types of a follow of) a customer; null when no such customer. `types`
 * null or every type is stored as NULL (every type, also types added later).
 */
export async function upsertFollow(db: Queryable, userId: string, customerId: string, types: readonly AlertType[] | null): Promise<Follow | null> {
  const unique = types === null ? null : ALERT_TYPES.filter((type) => types.includes(type));
  const stored = unique === null || unique.length === ALERT_TYPES.length ? null : unique;
  const row = await queryFirst(
    db,
    followRow,
    `WITH up AS (
       INSERT INTO customer_follows (user_id, customer_id, types)
       SELECT $1::uuid, c.id, $3::text[] FROM customers c WHERE c.id = $2::uuid
       ON CONFLICT (user_id, customer_id) DO UPDATE SET types = EXCLUDED.types, updated_at = now()
       RETURNING customer_id, types, created_at
     )
     SELECT up.customer_id, c.name AS customer_name, up.types, up.created_at FROM up JOIN customers c ON c.id = up.customer_id`,
    [userId, customerId, stored],
  );
  return row ? toFollow(row) : null;
}

/** Unfollows; whether there was a follow. */
export async function deleteFollow(db: Queryable, userId: string, customerId: string): Promise<boolean> {
  const result = await db.query('DELETE FROM customer_follows WHERE user_id = $1::uuid AND customer_id = $2::uuid', [userId, customerId]);
  return result.rowCount > 0;
}

export async function customerExists(db: Queryable, customerId: string): Promise<boolean> {
  return (await queryFirst(db, z.object({ id: z.string() }), 'SELECT id FROM customers WHERE id = $1::uuid', [customerId])) !== null;
}
