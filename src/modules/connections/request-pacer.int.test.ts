import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Deps } from '../../deps.ts';
import { createTestDeps } from '../../test-deps.ts';
import { bucketOf } from '../../zendesk/rate-limit-buckets.ts';
import { createRequestPacer, grantedRequests } from './request-pacer.ts';

const EXPORT_PATH = '/acme/api/v2/incremental/tickets/cursor.json';

describe('request pacer', () => {
  let deps: Deps;
  let destroy: () => Promise<void>;
  let connectionId: string;
  const waits: number[] = [];
  const waitOnce = async (ms: number) => {
    waits.push(ms);
    throw new Error('would wait');
  };

  beforeAll(async () => {
    ({ deps, destroy } = await createTestDeps());
    connectionId = (await deps.db.query<{ id: string }>(`INSERT INTO zendesk_connections (subdomain, auth_method) VALUES ('acme', 'api_token') RETURNING id`)).rows[0]!.id;
  });
  afterAll(async () => destroy?.());
  beforeEach(async () => {
    waits.length = 0;
    await deps.db.query('DELETE FROM zendesk_request_pacing');
  });

  it('counts exports and other calls against their own limits', () => {
    expect(bucketOf(EXPORT_PATH)).toBe('export');
    expect(bucketOf('/acme/api/v2/tickets/show_many.json')).toBe('account');
  });

  it('grants the limit within a minute, then waits, for every pacer sharing the database', async () => {
    const first = createRequestPacer(deps.db, connectionId, { export: 2, account: 0 }, waitOnce);
    const second = createRequestPacer(deps.db, connectionId, { export: 2, account: 0 }, waitOnce); // another process
    await first(EXPORT_PATH);
    await second(EXPORT_PATH);
    await expect(first(EXPORT_PATH)).rejects.toThrow('would wait');
    // The first grant leaves the window a minute (and a second of margin) after it was made.
    expect(waits[0]).toBeGreaterThan(58_000);
    expect(waits[0]).toBeLessThanOrEqual(61_000);
    expect(await grantedRequests(deps.db, connectionId, 'export')).toBe(2);
    // Other calls are not held back by the export limit (unpaced here).
    await first('/api/v2/tickets/show_many.json');
  });

  it('slides: a grant counts for exactly one window after it was made, whatever the calendar minute', async () => {
    const pace = createRequestPacer(deps.db, connectionId, { export: 2, account: 0 }, waitOnce);
    await pace(EXPORT_PATH); // creates the row
    // Two grants, 59 s and 30 s ago: full; the older leaves the 61 s window in about 2 s.
    await deps.db.query(
      `UPDATE zendesk_request_pacing SET recent = ARRAY[clock_timestamp() - interval '59 seconds', clock_timestamp() - interval '30 seconds'] WHERE connection_id = $1 AND bucket = 'export'`,
      [connectionId],
    );
    await expect(pace(EXPORT_PATH)).rejects.toThrow('would wait');
    expect(waits[0]).toBeGreaterThan(1_000);
    expect(waits[0]).toBeLessThanOrEqual(2_100);
    // 62 s ago is out of the window: granted.
    await deps.db.query(
      `UPDATE zendesk_request_pacing SET recent = ARRAY[clock_timestamp() - interval '62 seconds', clock_timestamp() - interval '30 seconds'] WHERE connection_id = $1 AND bucket = 'export'`,
      [connectionId],
    );
    await pace(EXPORT_PATH);
    const { rows } = await deps.db.query<{ n: number }>(`SELECT cardinality(recent) AS n FROM zendesk_request_pacing WHERE connection_id = $1 AND bucket = 'export'`, [connectionId]);
    expect(rows[0]!.n).toBe(2); // the expired one dropped, the new one kept
  });

  it('never over-grants to concurrent callers', async () => {
    const pacers = Array.from({ length: 4 }, () => createRequestPacer(deps.db, connectionId, { export: 0, account: 5 }, waitOnce));
    const outcomes = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => pacers[i % 4]!('/acme/api/v2/tickets/show_many.json')));
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(5);
    expect(await grantedRequests(deps.db, connectionId, 'account')).toBe(5);
  });
});
