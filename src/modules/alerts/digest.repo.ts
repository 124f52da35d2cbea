/** Storage of the daily digests (alert_digests) and the reads a digest is made of. */
import { z } from 'zod';
import type { Queryable } from '../../db/db.ts';
import { queryRows } from '../../db/rows.ts';

/** Queues today's digest (in their time zone) of every user whose hour has come and who gets mail; answers how many. */
export async function insertDueDigests(db: Queryable, now: Date): Promise<number> {
  const { rowCount } = await db.query(
    `INSERT INTO alert_digests (user_id, local_date, period_start, period_end, next_attempt_at)
     SELECT u.id, l.local_date, l.scheduled - interval '24 hours', l.scheduled, $1::timestamptz
       FROM users u
       CROSS JOIN LATERAL (SELECT ($1::timestamptz AT TIME ZONE u.time_zone)::date AS local_date) d
       CROSS JOIN LATERAL (SELECT d.local_date, (d.local_date + make_time(u.digest_hour, 0, 0)) AT TIME ZONE u.time_zone AS scheduled) l
      WHERE u.disabled_at IS NULL AND u.digest_enabled AND u.alert_email AND u.email IS NOT NULL
        AND l.scheduled <= $1::timestamptz
     ON CONFLICT (user_id, local_date) DO NOTHING`,
    [now],
  );
  return rowCount;
}

/** The customers a user's digest is about: those they are CSM of, and those of the alerts routed to them in [$2, $3). */
const ACCOUNTS = `(SELECT id FROM customers WHERE csm_id = $1::uuid
                     UNION SELECT a.customer_id FROM alerts a JOIN alert_recipients r ON r.alert_id = a.id
                            WHERE r.user_id = $1::uuid AND a.created_at >= $2::timestamptz AND a.created_at < $3::timestamptz)`;

const digestAlert = z.object({ type: z.string(), customer_id: z.string(), customer_name: z.string(), zendesk_ticket_id: z.string().nullable(), subdomain: z.string().nullable(), created_at: z.date() });

export async function selectDigestAlerts(db: Queryable, userId: string, start: Date, end: Date): Promise<Array<z.output<typeof digestAlert>>> {
  return queryRows(
    db,
    digestAlert,
    `SELECT a.type, a.customer_id, c.name AS customer_name, a.zendesk_ticket_id::text, z.subdomain, a.created_at
       FROM alerts a JOIN alert_recipients r ON r.alert_id = a.id AND r.user_id = $1::uuid
       JOIN customers c ON c.id = a.customer_id
       LEFT JOIN zendesk_connections z ON z.id = a.connection_id
      WHERE a.created_at >= $2::timestamptz AND a.created_at < $3::timestamptz
      ORDER BY a.created_at`,
    [userId, start, end],
  );
}

const scoreMove = z.object({ customer_id: z.string(), customer_name: z.string(), before: z.number(), after: z.number() });

/** The customers whose last stored overall score moved by `points` or more between the period's first and last (UTC) day. */
export async function selectScoreMoves(db: Queryable, userId: string, start: Date, end: Date, points: number): Promise<Array<z.output<typeof scoreMove>>> {
  return queryRows(
    db,
    scoreMove,
    `WITH days AS (SELECT ($2::timestamptz AT TIME ZONE 'UTC')::date AS first, ($3::timestamptz AT TIME ZONE 'UTC')::date AS last)
     SELECT c.id AS customer_id, c.name AS customer_name, prev.overall_score::float8 AS before, cur.overall_score::float8 AS after
       FROM customers c
       CROSS JOIN days
       JOIN LATERAL (SELECT overall_score, day FROM customer_health_daily h WHERE h.customer_id = c.id AND h.day <= days.last ORDER BY day DESC LIMIT 1) cur ON true
       JOIN LATERAL (SELECT overall_score, day FROM customer_health_daily h WHERE h.customer_id = c.id AND h.day <= days.first ORDER BY day DESC LIMIT 1) prev ON true
      WHERE c.id IN ${ACCOUNTS} AND cur.day > prev.day AND cur.overall_score IS NOT NULL AND prev.overall_score IS NOT NULL
        AND abs(cur.overall_score - prev.overall_score) >= $4
      ORDER BY abs(cur.overall_score - prev.overall_score) DESC`,
    [userId, start, end, points],
  );
}

const openEscalation = z.object({ customer_id: z.string(), customer_name: z.string(), zendesk_ticket_id: z.number(), subdomain: z.string(), subject: z.string().nullable(), total: z.number() });

/** The accounts' open escalated tickets created before the period ended, the most urgent first (`limit` of them, each with the total). */
export async function selectOpenEscalations(db: Queryable, userId: string, start: Date, end: Date, limit: number): Promise<Array<z.output<typeof openEscalation>>> {
  return queryRows(
    db,
    openEscalation,
    `SELECT t.customer_id, c.name AS customer_name, t.zendesk_ticket_id::float8 AS zendesk_ticket_id, z.subdomain, t.subject, count(*) OVER ()::int AS total
       FROM zendesk_tickets t JOIN customers c ON c.id = t.customer_id JOIN zendesk_connections z ON z.id = t.connection_id
      WHERE t.customer_id IN ${ACCOUNTS} AND t.escalated AND ticket_is_open(t.status) AND t.zendesk_created_at < $3::timestamptz
      ORDER BY ticket_priority_rank(t.priority) DESC, t.zendesk_updated_at DESC
      LIMIT $4`,
    [userId, start, end, limit],
  );
}

const dueDigest = z.object({ user_id: z.string(), local_date: z.string(), period_start: z.date(), period_end: z.date(), attempts: z.number(), name: z.string(), email: z.string().nullable() });
export type DueDigest = z.output<typeof dueDigest>;

/** Claims up to `limit` due digests for `claimSeconds` (SKIP LOCKED: workers share them; a killed process's claims come due again). */
export async function claimDueDigests(db: Queryable, now: Date, limit: number, claimSeconds: number): Promise<DueDigest[]> {
  return queryRows(
    db,
    dueDigest,
    `WITH claimed AS (
       UPDATE alert_digests d SET next_attempt_at = $1::timestamptz + make_interval(secs => $3::int)
        WHERE (d.user_id, d.local_date) IN (
          SELECT user_id, local_date FROM alert_digests
           WHERE status = 'pending' AND next_attempt_at <= $1::timestamptz
           ORDER BY next_attempt_at LIMIT $2 FOR UPDATE SKIP LOCKED)
       RETURNING d.user_id, d.local_date, d.period_start, d.period_end, d.attempts
     )
     SELECT c.user_id, c.local_date::text AS local_date, c.period_start, c.period_end, c.attempts, u.name, u.email
       FROM claimed c JOIN users u ON u.id = c.user_id`,
    [now, limit, claimSeconds],
  );
}

type DigestKey = Pick<DueDigest, 'user_id' | 'local_date'>;

export async function markDigestEmpty(db: Queryable, digest: DigestKey, attempts: number): Promise<void> {
  await db.query(`UPDATE alert_digests SET status = 'empty', attempts = $3 WHERE user_id = $1 AND local_date = $2::date`, [digest.user_id, digest.local_date, attempts]);
}

export async function markDigestSent(db: Queryable, digest: DigestKey, sent: { attempts: number; at: Date; messageId: string }): Promise<void> {
  await db.query(
    `UPDATE alert_digests SET status = 'sent', attempts = $3, sent_at = $4, message_id = $5, last_error = NULL WHERE user_id = $1 AND local_date = $2::date`,
    [digest.user_id, digest.local_date, sent.attempts, sent.at, sent.messageId],
  );
}

export async function markDigestFailed(db: Queryable, digest: DigestKey, failed: { status: 'pending' | 'failed'; attempts: number; error: string; nextAttemptAt: Date }): Promise<void> {
  await db.query(
    `UPDATE alert_digests SET status = $3, attempts = $4, last_error = $5, next_attempt_at = $6 WHERE user_id = $1 AND local_date = $2::date`,
    [digest.user_id, digest.local_date, failed.status, failed.attempts, failed.error, failed.nextAttemptAt],
  );
}
