import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Deps } from '../../deps.ts';
import { createTestDeps } from '../../test-deps.ts';
import { bucketOf, createRequestPacer } from './request-pacer.ts';

describe('request pacer', () => {
  let deps: Deps;
  let destroy: () => Promise<void>;
  let connectionId: string;

  beforeAll(async () => {
    ({ deps, destroy } = await createTestDeps());
    connectionId = (await deps.db.query<{ id: string }>(`INSERT INTO zendesk_connections (subdomain, auth_method) VALUES ('acme', 'api_token') RETURNING id`)).rows[0]!.id;
  });
  afterAll(async () => destroy?.());

  it('counts exports and other calls against their own limits', () => {
    expect(bucketOf('/acme/api/v2/incremental/tickets/cursor.json')).toBe('export');
    expect(bucketOf('/acme/api/v2/tickets/show_many.json')).toBe('account');
  });

  it('grants the limit per minute, then waits until the next minute, for every pacer sharing the database', async () => {
    const waits: number[] = [];
    const waitOnce = async (ms: number) => {
      waits.push(ms);
      throw new Error('would wait');
    };
    const first = createRequestPacer(deps.db, connectionId, { export: 2, account: 0 }, waitOnce);
    const second = createRequestPacer(deps.db, connectionId, { export: 2, account: 0 }, waitOnce); // another process
    const minute = async () => (await deps.db.query<{ m: Date }>(`SELECT date_trunc('minute', now()) AS m`)).rows[0]!.m.getTime();
    const before = await minute();
    await first('/api/v2/incremental/tickets/cursor.json');
    await second('/api/v2/incremental/tickets/cursor.json');
    const outcome = await first('/api/v2/incremental/tickets/cursor.json').catch((e: Error) => e.message);
    if ((await minute()) !== before) return; // the minute turned during the test: the third call was rightly granted
    expect(outcome).toBe('would wait');
    expect(waits[0]).toBeGreaterThan(0);
    expect(waits[0]).toBeLessThanOrEqual(60_000);
    // Other calls are not held back by the export limit.
    await first('/api/v2/tickets/show_many.json');
  });
});
