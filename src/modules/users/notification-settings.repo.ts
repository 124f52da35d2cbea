/**
 * Each user's notification settings (users.alert_email, time_zone, digest_hour, digest_enabled):
 * read by the alert raising (alert-raising.repo.ts queues an email only with alert_email on) and
 * the daily digest (digest.repo.ts), set by the user themselves.
 */
import { z } from 'zod';
import type { Queryable } from '../../db/db.ts';
import { queryFirst } from '../../db/rows.ts';

export interface NotificationSettingsRow {
  email: boolean;
  timeZone: string;
  digestHour: number;
  digestEnabled: boolean;
  address: string | null;
}

const settingsRow = z.object({ alert_email: z.boolean(), time_zone: z.string(), digest_hour: z.number(), digest_enabled: z.boolean(), email: z.string().nullable() });

function toSettings(row: z.output<typeof settingsRow>): NotificationSettingsRow {
  return { email: row.alert_email, timeZone: row.time_zone, digestHour: row.digest_hour, digestEnabled: row.digest_enabled, address: row.email };
}

export async function selectNotificationSettings(db: Queryable, userId: string): Promise<NotificationSettingsRow | null> {
  const row = await queryFirst(db, settingsRow, 'SELECT alert_email, time_zone, digest_hour, digest_enabled, email FROM users WHERE id = $1 AND disabled_at IS NULL', [userId]);
  return row ? toSettings(row) : null;
}

/** Whether the database knows a time zone by this name (the digest's schedule is computed there). */
export async function databaseKnowsTimeZone(db: Queryable, name: string): Promise<boolean> {
  const row = await queryFirst(db, z.object({ known: z.boolean() }), 'SELECT EXISTS (SELECT 1 FROM pg_timezone_names WHERE name = $1) AS known', [name]);
  return row?.known ?? false;
}

/** Sets the given settings (the others are kept), in one statement; null when there is no such user. */
export async function updateNotificationSettings(
  db: Queryable,
  userId: string,
  change: { email?: boolean | undefined; timeZone?: string | undefined; digestHour?: number | undefined; digestEnabled?: boolean | undefined },
): Promise<NotificationSettingsRow | null> {
  const row = await queryFirst(
    db,
    settingsRow,
    `UPDATE users SET alert_email = COALESCE($2, alert_email), time_zone = COALESCE($3, time_zone),
                      digest_hour = COALESCE($4::smallint, digest_hour), digest_enabled = COALESCE($5, digest_enabled)
      WHERE id = $1 AND disabled_at IS NULL
      RETURNING alert_email, time_zone, digest_hour, digest_enabled, email`,
    [userId, change.email ?? null, change.timeZone ?? null, change.digestHour ?? null, change.digestEnabled ?? null],
  );
  return row ? toSettings(row) : null;
}
