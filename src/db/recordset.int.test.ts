import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordset } from './recordset.ts';
import { createTestDb, testDatabaseUrl, type TestDb } from './test-db.ts';

const engine = testDatabaseUrl() ? 'postgres' : 'pglite';

interface Row {
  id: number;
  title: string | null;
  labels: string[];
  extra: unknown;
  at: string | null;
  flag: boolean;
}

const ROWS = recordset<Row>([
  ['id', 'bigint'],
  ['title', 'text'],
  ['labels', 'text[]'],
  ['extra', 'jsonb'],
  ['at', 'timestamptz'],
  ['flag', 'boolean'],
]);

describe(`recordset parameters on ${engine}`, () => {
  let testDb: TestDb;
  beforeAll(async () => {
    testDb = await createTestDb({ migrate: false });
  });
  afterAll(async () => {
    await testDb?.destroy();
  });

  it('sends short keys and reads every value back under its own name, awkward ones included', async () => {
    const rows: Row[] = [
      { id: 9007199254740991, title: 'quotes " \' and \\ backslash, emoji 🎫, accents é', labels: ['a,b', '{x}', 'with "quote"'], extra: [{ id: 1, value: null }], at: '2026-01-02T03:04:05Z', flag: true },
      { id: 2, title: null, labels: [], extra: null, at: null, flag: false },
      { id: 3, title: 'nul\u0000inside', labels: ['nul\u0000tag'], extra: { nested: 'nul\u0000value' }, at: '2026-06-01T00:00:00.000Z', flag: false },
    ];
    const json = ROWS.json(rows);
    // The key names are not sent: they are named back in SQL.
    expect(json).not.toContain('"title"');
    const { rows: read } = await testDb.db.query<{ id: string; title: string | null; labels: string[]; extra: unknown; at: Date | null; flag: boolean }>(
      `SELECT r.id::text AS id, r.title, r.labels, r.extra, r.at, r.flag FROM ${ROWS.from('$1')} AS r ORDER BY r.id`,
      [json],
    );
    expect(read).toEqual([
      { id: '2', title: null, labels: [], extra: null, at: null, flag: false },
      { id: '3', title: 'nulinside', labels: ['nultag'], extra: { nested: 'nulvalue' }, at: new Date('2026-06-01T00:00:00Z'), flag: false },
      { id: '9007199254740991', title: rows[0]?.title, labels: ['a,b', '{x}', 'with "quote"'], extra: [{ id: 1, value: null }], at: new Date('2026-01-02T03:04:05Z'), flag: true },
    ]);
  });

  it('reads an empty batch as no rows', async () => {
    const { rows } = await testDb.db.query(`SELECT * FROM ${ROWS.from('$1')} AS r`, [ROWS.json([])]);
    expect(rows).toEqual([]);
  });
});
