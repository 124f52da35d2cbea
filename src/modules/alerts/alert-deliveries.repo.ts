/**
 * The deliveries of alerts beyond the app (alert_deliveries: one row per alert, user and channel):
 * claiming the due emails, and recording each attempt's outcome for either channel. Webhook
 * deliveries are claimed with their user's webhook (alert-webhooks.repo.ts).
 */
import { z } from 'zod';
import type { Queryable } from '../../db/db.ts';
import { queryRows } from '../../db/rows.ts';
import { redactDeliveryError } from './delivery-error.ts';

export type DeliveryChannel = 'webhook' | 'email' | 'team_webhook';

const dueEmail = z.object({
  alert_id: z.string(),
  user_id: z.string(),
  attempts: z.number(),
  type: z.string(),
  customer_id: z.string(),
  customer_name: z.string(),
  zendesk_ticket_id: z.string().nullable(),
  subdomain: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
  occurred_at: z.date(),
  user_name: z.string(),
  user_email: z.string().nullable(),
  alert_email: z.boolean(),
  disabled: z.boolean(),
});
export type DueEmail = z.output<typeof dueEmail>;

/**
 * Claims up to `limit` email deliveries due at `now` by moving their next attempt `claimSeconds` on
 * (a killed process's claims come due again), with SKIP LOCKED so that concurrent workers share them.
 */
export async function claimDueEmails(db: Queryable, now: Date, limit: number, claimSeconds: number): Promise<DueEmail[]> {
  return queryRows(
    db,
    dueEmail,
    `WITH claimed AS (
       UPDATE alert_deliveries d SET next_attempt_at = $1::timestamptz + make_interval(secs => $3::int)
        WHERE d.channel = 'email' AND (d.alert_id, d.user_id) IN (
          SELECT alert_id, user_id FROM alert_deliveries
           WHERE channel = 'email' AND status = 'pending' AND next_attempt_at <= $1::timestamptz
           ORDER BY next_attempt_at LIMIT $2 FOR UPDATE SKIP LOCKED)
       RETURNING d.alert_id, d.user_id, d.attempts
     )
     SELECT c.alert_id, c.user_id, c.attempts, a.type, a.customer_id, cu.name AS customer_name,
            a.zendesk_ticket_id::text, z.subdomain, a.details, a.occurred_at,
            u.name AS user_name, u.email AS user_email, u.alert_email, u.disabled_at IS NOT NULL AS disabled
       FROM claimed c
       JOIN alerts a ON a.id = c.alert_id
       JOIN customers cu ON cu.id = a.customer_id
       JOIN users u ON u.id = c.user_id
       LEFT JOIN zendesk_connections z ON z.id = a.connection_id`,
    [now, limit, claimSeconds],
  );
}

export async function markDeliveryDelivered(
  db: Queryable,
  delivery: { alertId: string; userId: string; channel: DeliveryChannel; attempts: number; at: Date; messageId?: string | null },
): Promise<void> {
  await db.query(
    `UPDATE alert_deliveries SET status = 'delivered', attempts = $4, delivered_at = $5, last_attempt_at = $5, last_error = NULL, message_id = $6
      WHERE alert_id = $1 AND user_id = $2 AND channel = $3`,
    [delivery.alertId, delivery.userId, delivery.channel, delivery.attempts, delivery.at, delivery.messageId ?? null],
  );
}

/**
 * A failed attempt made at `at`: 'pending' to retry at `nextAttemptAt`, or 'failed' for good. The
 * error is stored with its addresses cut to their host (delivery-error.ts): its owner sees it.
 */
export async function markDeliveryFailed(
  db: Queryable,
  delivery: { alertId: string; userId: string; channel: DeliveryChannel; status: 'pending' | 'failed'; attempts: number; error: string; at: Date; nextAttemptAt: Date },
): Promise<void> {
  await db.query(
    `UPDATE alert_deliveries SET status = $4, attempts = $5, last_error = $6, next_attempt_at = $7, last_attempt_at = $8 WHERE alert_id = $1 AND user_id = $2 AND channel = $3`,
    [delivery.alertId, delivery.userId, delivery.channel, delivery.status, delivery.attempts, redactDeliveryError(delivery.error).slice(0, 500), delivery.nextAttemptAt, delivery.at],
  );
}

const deliveryRow = z.object({
  alert_id: z.string(),
  alert_type: z.string(),
  customer_id: z.string(),
  customer_name: z.string(),
  user_id: z.string(),
  user_name: z.string(),
  channel: z.enum(['email', 'webhook', 'team_webhook']),
  status: z.enum(['pending', 'delivered', 'failed']),
  attempts: z.number(),
  last_error: z.string().nullable(),
  last_attempt_at: z.date().nullable(),
  next_attempt_at: z.date(),
  occurred_at: z.date(),
});
export type DeliveryRow = z.output<typeof deliveryRow>;

/**
 * Deliveries in one status, the most recently tried first: the user's own (`userId`), or
 * everyone's (null). A pure read. The error is redacted again on the way out, for rows stored
 * before errors were.
 */
export async function selectDeliveries(db: Queryable, filter: { userId: string | null; status: 'pending' | 'delivered' | 'failed'; limit: number }): Promise<DeliveryRow[]> {
  const rows = await queryRows(
    db,
    deliveryRow,
    `SELECT d.alert_id, a.type AS alert_type, a.customer_id, cu.name AS customer_name, d.user_id, u.name AS user_name,
            d.channel, d.status, d.attempts, d.last_error, d.last_attempt_at, d.next_attempt_at, a.occurred_at
       FROM alert_deliveries d
       JOIN alerts a ON a.id = d.alert_id
       JOIN customers cu ON cu.id = a.customer_id
       JOIN users u ON u.id = d.user_id
      WHERE d.status = $1 AND ($2::uuid IS NULL OR d.user_id = $2::uuid)
      ORDER BY d.last_attempt_at DESC NULLS LAST, d.created_at DESC, d.alert_id, d.channel
      LIMIT $3`,
    [filter.status, filter.userId, filter.limit],
  );
  return rows.map((row) => ({ ...row, last_error: row.last_error === null ? null : redactDeliveryError(row.last_error) }));
}

/** The first retry waits `baseDelayMs`, each later one twice as long, at most an hour. */
export function retryDelayMs(attempts: number, baseDelayMs: number): number {
  return Math.min(baseDelayMs * 2 ** (attempts - 1), 3_600_000);
}
