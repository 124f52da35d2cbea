/**
 * Paces our calls to one Zendesk account to its published limits, across all our processes
 * (docs/zendesk.md, Rate limits): incremental exports 10 requests a minute; the account's plan limit for
 * everything else. A sliding log: a request is granted when fewer than the limit were granted in
 * the last window (a minute plus a margin), and the grant is recorded in the same statement,
 * under the row's lock, so that concurrent processes never over-grant. No span of a minute,
 * however Zendesk aligns its windows, sees more than the limit from us. Zendesk's 429 +
 * Retry-After remains the backstop (the client honours it), for limits we do not know, such as a
 * plan lower than configured.
 */
import { z } from 'zod';
import type { Db } from '../../db/db.ts';
import { queryFirst, queryRows } from '../../db/rows.ts';
import { bucketOf, type LimitBucket } from '../../zendesk/rate-limit-buckets.ts';

export interface PacerLimits {
  /** Requests a minute per bucket; 0: unpaced. */
  export: number;
  account: number;
}

/**
 * A minute, plus a second for the time a request takes to reach Zendesk: a request we send at
 * exactly a minute after another may arrive sooner after it than that.
 */
const WINDOW = `interval '61 seconds'`;
const MIN_WAIT_MS = 50;

export function createRequestPacer(db: Db, connectionId: string, limits: PacerLimits, sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))) {
  const ready = new Set<LimitBucket>();
  return async function pace(path: string): Promise<void> {
    const bucket = bucketOf(path);
    const limit = limits[bucket];
    if (limit <= 0) return;
    if (!ready.has(bucket)) {
      await db.query('INSERT INTO zendesk_request_pacing (connection_id, bucket) VALUES ($1, $2) ON CONFLICT DO NOTHING', [connectionId, bucket]);
      ready.add(bucket);
    }
    for (;;) {
      // clock_timestamp(), not now(): the UPDATE re-reads the row after waiting for another
      // process's grant, and must judge the window at that moment.
      const rows = await queryRows(
        db,
        z.object({ granted: z.boolean(), wait_ms: z.number().nullable() }),
        `WITH grant_slot AS (
           UPDATE zendesk_request_pacing p
              SET recent = ARRAY(SELECT x FROM unnest(p.recent) x WHERE x > clock_timestamp() - ${WINDOW} ORDER BY x) || clock_timestamp(),
                  granted = p.granted + 1
            WHERE p.connection_id = $1 AND p.bucket = $2
              AND (SELECT count(*) FROM unnest(p.recent) x WHERE x > clock_timestamp() - ${WINDOW}) < $3
           RETURNING 1)
         SELECT EXISTS (SELECT 1 FROM grant_slot) AS granted,
                (SELECT (extract(epoch FROM min(x) + ${WINDOW} - clock_timestamp()) * 1000)::int
                   FROM zendesk_request_pacing p CROSS JOIN LATERAL unnest(p.recent) x
                  WHERE p.connection_id = $1 AND p.bucket = $2 AND x > clock_timestamp() - ${WINDOW}) AS wait_ms`,
        [connectionId, bucket, limit],
      );
      const row = rows[0];
      if (!row || row.granted) return;
      // Until the oldest grant leaves the window (then look again: another process may take it).
      await sleep(Math.max(MIN_WAIT_MS, row.wait_ms ?? MIN_WAIT_MS));
    }
  };
}

/** Requests granted so far for a connection's bucket (benchmarks, metrics). */
export async function grantedRequests(db: Pick<Db, 'query'>, connectionId: string, bucket: LimitBucket): Promise<number> {
  const row = await queryFirst(db, z.object({ granted: z.number() }), 'SELECT granted FROM zendesk_request_pacing WHERE connection_id = $1 AND bucket = $2', [
    connectionId,
    bucket,
  ]);
  return row?.granted ?? 0;
}

/** The ages (ms, oldest first) of the export grants still inside the last `windowSeconds`. */
export async function exportGrantAgesMs(db: Pick<Db, 'query'>, connectionId: string, windowSeconds: number): Promise<number[]> {
  const rows = await queryRows(
    db,
    z.object({ age_ms: z.number() }),
    `SELECT (extract(epoch FROM clock_timestamp() - x) * 1000)::float8 AS age_ms
       FROM zendesk_request_pacing p CROSS JOIN LATERAL unnest(p.recent) x
      WHERE p.connection_id = $1 AND p.bucket = 'export' AND x > clock_timestamp() - make_interval(secs => $2)
      ORDER BY x`,
    [connectionId, windowSeconds],
  );
  return rows.map((row) => row.age_ms);
}
