/** Storage of alert webhooks: each user's sealed URL, the team's (one per installation), and the deliveries queued for them. */
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

/** The team's webhook (alert_team_webhook: at most one row), with the admin who set it. */
export async function selectTeamWebhook(db: Queryable): Promise<{ url_sealed: string; enabled: boolean; set_by: string; set_by_name: string; updated_at: Date } | null> {
  return queryFirst(
    db,
    z.object({ url_sealed: z.string(), enabled: z.boolean(), set_by: z.string(), set_by_name: z.string(), updated_at: z.date() }),
    'SELECT t.url_sealed, t.enabled, t.set_by, u.name AS set_by_name, t.updated_at FROM alert_team_webhook t JOIN users u ON u.id = t.set_by',
  );
}

export async function deleteTeamWebhook(db: Queryable): Promise<void> {
  await db.query('DELETE FROM alert_team_webhook');
}

/** Sets the team's webhook; its later deliveries are recorded under `setBy` (see migration 0030). */
export async function upsertTeamWebhook(db: Queryable, setBy: string, urlSealed: string, enabled: boolean): Promise<void> {
  await db.query(
    `INSERT INTO alert_team_webhook (id, url_sealed, enabled, set_by) VALUES (true, $1, $2, $3::uuid)
       ON CONFLICT (id) DO UPDATE SET url_sealed = EXCLUDED.url_sealed, enabled = EXCLUDED.enabled, set_by = EXCLUDED.set_by, updated_at = now()`,
    [urlSealed, enabled, setBy],
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
 * Claims up to `limit` deliveries of `channel` due at `now` by moving their next attempt 5 minutes
 * on (a crashed run's claims come due again), with SKIP LOCKED so that concurrent workers share the
 * work: 'webhook' with the recipient's webhook, 'team_webhook' with the team's.
 */
export async function claimDueDeliveries(db: Queryable, now: Date, limit: number, channel: 'webhook' | 'team_webhook' = 'webhook'): Promise<DueDelivery[]> {
  const webhook = channel === 'webhook' ? 'alert_webhooks w ON w.user_id = c.user_id' : 'alert_team_webhook w ON true';
  return queryRows(
    db,
    dueRow,
    `WITH claimed AS (
       UPDATE alert_deliveries d SET next_attempt_at = $1::timestamptz + interval '5 minutes'
        WHERE d.channel = $3 AND (d.alert_id, d.user_id) IN (
          SELECT alert_id, user_id FROM alert_deliveries
           WHERE channel = $3 AND status = 'pending' AND next_attempt_at <= $1::timestamptz
           ORDER BY next_attempt_at LIMIT $2 FOR UPDATE SKIP LOCKED)
       RETURNING d.alert_id, d.user_id, d.attempts
     )
     SELECT c.alert_id, c.user_id, c.attempts, w.url_sealed, w.enabled, a.type, a.customer_id, cu.name AS customer_name,
            a.zendesk_ticket_id::text, z.subdomain, a.details, a.occurred_at
       FROM claimed c
       JOIN alerts a ON a.id = c.alert_id
       JOIN customers cu ON cu.id = a.customer_id
       LEFT JOIN zendesk_connections z ON z.id = a.connection_id
       LEFT JOIN ${webhook}`,
    [now, limit, channel],
  );
}
