/**
 * Awareness: the share of alerts acknowledged within the target (an hour) of being raised, per
 * recipient and for the team, over a trailing window of days. An alert counts for every user it
 * was routed to; acknowledged by anyone (in the app or by a link), it was seen. Alerts raised less
 * than the target ago and not yet acknowledged are still in time: they are left out until their
 * hour has passed, so a fresh alert never lowers the share.
 */
import { z } from 'zod';
import type { Queryable } from '../../db/db.ts';
import { queryRows } from '../../db/rows.ts';

const awarenessRow = z.object({
  user_id: z.string().nullable(),
  name: z.string().nullable(),
  email: z.string().nullable(),
  role: z.string().nullable(),
  alerts: z.number(),
  acknowledged_in_time: z.number(),
  median_minutes: z.number().nullable(),
  unacknowledged: z.number(),
});
export type AwarenessRow = z.output<typeof awarenessRow>;

/** One row per recipient (of `userIds`, or all when null) and one team row (user_id null). */
export async function selectAwareness(db: Queryable, options: { days: number; now: Date; targetMinutes: number; userIds: readonly string[] | null }): Promise<AwarenessRow[]> {
  return queryRows(
    db,
    awarenessRow,
    `WITH counted AS (
       SELECT a.id, a.acknowledged_at,
              extract(epoch FROM a.acknowledged_at - a.created_at) / 60 AS minutes
         FROM alerts a
        WHERE a.created_at >= $1::timestamptz - make_interval(days => $2::int) AND a.created_at < $1::timestamptz
          AND (a.acknowledged_at IS NOT NULL OR a.created_at <= $1::timestamptz - make_interval(mins => $3::int))
     ),
     per_user AS (
       SELECT r.user_id, c.*
         FROM counted c JOIN alert_recipients r ON r.alert_id = c.id
        WHERE $4::uuid[] IS NULL OR r.user_id = ANY($4::uuid[])
     ),
     figures AS (
       SELECT user_id, count(*)::int AS alerts,
              count(*) FILTER (WHERE minutes <= $3::int)::int AS acknowledged_in_time,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY minutes) FILTER (WHERE minutes IS NOT NULL) AS median_minutes,
              count(*) FILTER (WHERE acknowledged_at IS NULL)::int AS unacknowledged
         FROM per_user GROUP BY user_id
       UNION ALL
       SELECT NULL, count(*)::int, count(*) FILTER (WHERE minutes <= $3::int)::int,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY minutes) FILTER (WHERE minutes IS NOT NULL),
              count(*) FILTER (WHERE acknowledged_at IS NULL)::int
         FROM counted
     )
     SELECT f.user_id, u.name, u.email, u.role, f.alerts, f.acknowledged_in_time, f.median_minutes::float8 AS median_minutes, f.unacknowledged
       FROM figures f LEFT JOIN users u ON u.id = f.user_id
      ORDER BY f.user_id NULLS FIRST`,
    [options.now, options.days, options.targetMinutes, options.userIds],
  );
}
