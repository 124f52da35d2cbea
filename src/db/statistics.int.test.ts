import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { analyzeChangedTables } from './statistics.ts';
import { createTestDb, testDatabaseUrl, type TestDb } from './test-db.ts';

const engine = testDatabaseUrl() ? 'postgres' : 'pglite';

describe(`planner statistics after bulk writes, on ${engine}`, () => {
  let testDb: TestDb;
  beforeAll(async () => {
    testDb = await createTestDb({ migrate: false });
  });
  afterAll(async () => {
    await testDb?.destroy();
  });

  const analyzedAt = async (table: string) =>
    (
      await testDb.db.query<{ at: Date | null }>(
        `SELECT greatest(last_analyze, last_autoanalyze) AS at FROM pg_stat_user_tables WHERE schemaname = current_schema() AND relname = $1`,
        [table],
      )
    ).rows[0]?.at ?? null;

  it('analyzes a table once enough of it changed, and leaves it alone while little changes', async () => {
    await testDb.db.exec(`CREATE TABLE bulk_loaded (id bigint PRIMARY KEY, label text); CREATE TABLE barely_touched (id bigint PRIMARY KEY)`);
    await testDb.db.query(`INSERT INTO bulk_loaded SELECT g, 'row ' || g FROM generate_series(1, 5000) g`);
    await testDb.db.query(`INSERT INTO barely_touched SELECT g FROM generate_series(1, 10) g`);
    const table = `${testDb.schema}.bulk_loaded`;
    // A server's backends publish their counters about once a second: wait until ours shows the load.
    let analyzed: string[] = [];
    await vi.waitFor(
      async () => {
        analyzed = [...analyzed, ...(await analyzeChangedTables(testDb.db))];
        expect(analyzed).toContain(table);
      },
      { timeout: 20_000, interval: 200 },
    );
    expect(analyzed).not.toContain(`${testDb.schema}.barely_touched`);
    expect(await analyzedAt('bulk_loaded')).toBeInstanceOf(Date);
    // The planner now knows the table's size.
    const { rows } = await testDb.db.query<{ reltuples: number }>(`SELECT reltuples::int AS reltuples FROM pg_class WHERE oid = 'bulk_loaded'::regclass`);
    expect(rows[0]?.reltuples).toBe(5000);

    // Analyzed once: a second pass right after finds nothing left to do for it.
    expect(await analyzeChangedTables(testDb.db)).not.toContain(table);
    // A change under the threshold (50 rows + 10% of 5,000) is left to later.
    await testDb.db.query(`UPDATE bulk_loaded SET label = 'changed' WHERE id <= 100`);
    expect(await analyzeChangedTables(testDb.db)).not.toContain(table);
  });
});
