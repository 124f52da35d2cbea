/** Storage of alert webhooks: each user's sealed URL, and the deliveries queued for it. */
import { z } from 'zod';
import type { Queryable } from '../../db/db.ts';
import { queryFirst, queryRows } from '../../db/rows.ts';

export async function selectAlertWebhook(db: Queryable, userId: string): Promise<{ url_sealed: string; enabled: boolean } | null> {
  return queryFirst(db, z.object({ url_sealed: z.string(), enabled: z.boolean() }), 'SELECT url_sealed, enabled FROM alert_webhooks WHERE user_id = $1::uuid', [userId]);
}

export async function deleteAlertWebhook(db: Queryable, userId: string): Promise<void> {
  await db.query('DELETE FROM alert_webhooks WHERE user_id = $1::uuid', [userId]);
}

export async function upsertAlertWebhook(db: Queryable, userId: string, urlSealed: string, enabled: boolean): Promise<void> {
  await db.query(
    `INSERT INTO alert_webhooks (user_id, url_sealed, enabled) VALUES ($1::uuid, $2, $3)
       ON CONFLICT (user_id) DO UPDATE SET url_sealed = EXCLUDED.url_sealed, enabled = EXCLUDED.enabled, updated_at = now()`,
    [userId, urlSealed, enabled],
  );
}

const dueRow = z.object({
  alert_id: z.string(),
  user_id: z.string(),
  attempts: z.number(),
  url_sealed: z.string().nullable(),
  enabled: z.boolean().nullable(),
  type: z.string(),
  customer_id: z.string(),
  customer_name: z.string(),
  zendesk_ticket_id: z.string().nullable(),
  subdomain: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
  occurred_at: z.date(),
});
/** A claimed delivery, with its alert and the user's webhook (null: removed since). */
export type DueDelivery = z.infer<typeof dueRow>;

/**
 * Claims up to `limit` webhook deliveries due at `now` by moving their next attempt 5 minutes on (a crashed
 * run's claims come due again), with SKIP LOCKED so that concurrent workers share the work.
 */
export async function claimDueDeliveries(db: Queryable, now: Date, limit: number): Promise<DueDelivery[]> {
  return queryRows(
    db,
    dueRow,
    `WITH claimed AS (
       UPDATE alert_deliveries d SET next_attempt_at = $1::timestamptz + interval '5 minutes'
        WHERE d.channel = 'webhook' AND (d.alert_id, d.user_id) IN (
          SELECT alert_id, user_id FROM alert_deliveries
           WHERE channel = 'webhook' AND status = 'pending' AND next_attempt_at <= $1::timestamptz
           ORDER BY next_attempt_at LIMIT $2 FOR UPDATE SKIP LOCKED)
       RETURNING d.alert_id, d.user_id, d.attempts
     )
     SELECT c.alert_id, c.user_id, c.attempts, w.url_sealed, w.enabled, a.type, a.customer_id, cu.name AS customer_name,
            a.zendesk_ticket_id::text, z.subdomain, a.details, a.occurred_at
       FROM claimed c
       JOIN alerts a ON a.id = c.alert_id
       JOIN customers cu ON cu.id = a.customer_id
       LEFT JOIN zendesk_connections z ON z.id = a.connection_id
       LEFT JOIN alert_webhooks w ON w.user_id = c.user_id`,
    [now, limit],
  );
}
