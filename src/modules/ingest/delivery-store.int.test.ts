import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../db/db.ts';
import { createTestDb, testDatabaseUrl, type TestDb } from '../../db/test-db.ts';
import { groupedDeliveryStore, storeDelivery } from './delivery-store.ts';

const engine = testDatabaseUrl() ? 'postgres' : 'pglite';

describe(`webhook deliveries stored in groups (${engine})`, () => {
  let testDb: TestDb;
  let db: Db;
  let connectionId: string;
  const row = (key: string, ticket = 1) => ({ connectionId, dedupeKey: key, zendeskTicketId: ticket, payload: { key, detail: { id: String(ticket) } } });
  const stored = async () =>
    (await db.query<{ dedupe_key: string }>('SELECT dedupe_key FROM zendesk_webhook_deliveries WHERE connection_id = $1 ORDER BY id', [connectionId])).rows.map((r) => r.dedupe_key);

  beforeAll(async () => {
    testDb = await createTestDb();
    db = testDb.db;
    connectionId = (await db.query<{ id: string }>(`INSERT INTO zendesk_connections (subdomain, auth_method) VALUES ('groups', 'api_token') RETURNING id`)).rows[0]!.id;
  });
  afterAll(async () => {
    await testDb?.destroy();
  });

  it('answers each of many concurrent deliveries as a lone insert would, duplicates included, and keeps them all, in arrival order', async () => {
    await storeDelivery(db, row('before'));
    let statements = 0;
    const counting = { ...db, query: ((sql: string, params?: unknown[]) => (statements++, db.query(sql, params as never))) as Db['query'] };
    const store = groupedDeliveryStore(counting);
    const keys = ['a', 'b', 'before', 'c', 'b', ...Array.from({ length: 300 }, (_, i) => `k${i}`)];
    const answers = await Promise.all(keys.map((key) => store(row(key))));
    expect(answers.slice(0, 5)).toEqual([true, true, false, true, false]);
    expect(answers.slice(5).every(Boolean)).toBe(true);
    expect(await stored()).toEqual(['before', 'a', 'b', 'c', ...keys.slice(5)]);
    // Groups of at most 200 a statement: far fewer statements than deliveries.
    expect(statements).toBeLessThanOrEqual(4);
    expect(await store(row('a'))).toBe(false);
  });

  it('fails only the delivery the database refuses, not the others of its group', async () => {
    const store = groupedDeliveryStore(db);
    // bigint overflow: a value PostgreSQL refuses for this one row.
    const answers = await Promise.allSettled([store(row('ok-1')), store(row('ok-2')), store(row('bad', 2 ** 64)), store(row('ok-3'))]);
    expect(answers.map((a) => a.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    const keys = await stored();
    expect(keys).toEqual(expect.arrayContaining(['ok-1', 'ok-2', 'ok-3']));
    expect(keys).not.toContain('bad');
  });
});
