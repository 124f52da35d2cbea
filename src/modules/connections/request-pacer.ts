/**
 * Paces our calls to one Zendesk account to its published limits, across all our processes
 * (API-NOTES section 3): incremental exports 10 requests a minute; the account's plan limit for
 * everything else. Each call takes a slot in a per-minute counter row in the database; when the
 * minute is full it waits for the next one. Zendesk's 429 + Retry-After remains the backstop
 * (the client honours it), for limits we do not know, such as a plan lower than configured.
 */
import type { Db } from '../../db/db.ts';

export type LimitBucket = 'export' | 'account';

export interface PacerLimits {
  /** Requests a minute per bucket; 0: unpaced. */
  export: number;
  account: number;
}

/** Which limit a request path counts against. */
export function bucketOf(path: string): LimitBucket {
  return path.includes('/api/v2/incremental/') ? 'export' : 'account';
}

export function createRequestPacer(db: Db, connectionId: string, limits: PacerLimits, sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))) {
  return async function pace(path: string): Promise<void> {
    const bucket = bucketOf(path);
    const limit = limits[bucket];
    if (limit <= 0) return;
    for (;;) {
      const { rows } = await db.query<{ granted: boolean; wait_ms: number }>(
        `WITH slot AS (
           INSERT INTO zendesk_request_windows AS w (connection_id, bucket, window_start, requests)
           VALUES ($1, $2, date_trunc('minute', now()), 1)
           ON CONFLICT (connection_id, bucket, window_start) DO UPDATE SET requests = w.requests + 1
           WHERE w.requests < $3
           RETURNING 1)
         SELECT EXISTS (SELECT 1 FROM slot) AS granted,
                (extract(epoch FROM date_trunc('minute', now()) + interval '1 minute' - now()) * 1000)::int AS wait_ms`,
        [connectionId, bucket, limit],
      );
      const row = rows[0];
      if (!row || row.granted) return;
      await sleep(Math.max(50, row.wait_ms));
    }
  };
}

/** Drops counter rows of past minutes. */
export async function pruneRequestWindows(db: Db): Promise<void> {
  await db.query(`DELETE FROM zendesk_request_windows WHERE window_start < now() - interval '5 minutes'`);
}
