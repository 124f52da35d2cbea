import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Db } from './db.ts';
import { column, queryFirst, queryOne, queryRows, RowShapeError } from './rows.ts';
import { createTestDb, testDatabaseUrl, type TestDb } from './test-db.ts';

const engine = testDatabaseUrl() ? 'postgres' : 'pglite';

const SELECT_ROW = `SELECT gen_random_uuid()::text AS id, 42::bigint AS count, now() AS created_at, NULL::text AS note, ARRAY['a', 'b'] AS tags`;

const rowSchema = z.object({ id: z.string(), count: z.number(), created_at: z.date(), note: z.string().nullable(), tags: z.array(z.string()) });

describe(`rows parsed at the edge, on ${engine}`, () => {
  let testDb: TestDb;
  let db: Db;

  beforeAll(async () => {
    testDb = await createTestDb({ migrate: false });
    db = testDb.db;
  });
  afterAll(async () => {
    await testDb?.destroy();
  });

  it('parses a row that matches its zod schema', async () => {
    const rows = await queryRows(db, rowSchema, SELECT_ROW);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ count: 42, note: null, tags: ['a', 'b'] });
    expect(rows[0]?.created_at).toBeInstanceOf(Date);
  });

  it('parses a row with a typed mapper', async () => {
    const row = await queryOne(db, (r) => ({ id: column.string(r, 'id'), count: column.number(r, 'count'), at: column.date(r, 'created_at') }), SELECT_ROW);
    expect(row.count).toBe(42);
    expect(row.at).toBeInstanceOf(Date);
  });

  it('rejects a column of the wrong type with an error naming the query and the column (zod)', async () => {
    const text = `SELECT 'x'::text AS id, '2024-01-01'::text AS created_at`;
    const error = await queryRows(db, z.object({ id: z.string(), created_at: z.date() }), text).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RowShapeError);
    expect((error as RowShapeError).column).toBe('created_at');
    expect((error as Error).message).toContain(`query "SELECT 'x'::text AS id, '2024-01-01'::text AS created_at"`);
    expect((error as Error).message).toMatch(/column created_at: .*found a string of 10 characters/);
  });

  it('rejects a column of the wrong type with an error naming the query and the column (mapper)', async () => {
    const error = await queryFirst(db, (r) => ({ count: column.number(r, 'count') }), `SELECT 'many'::text AS count`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RowShapeError);
    expect((error as Error).message).toBe(`query "SELECT 'many'::text AS count": row 0 does not parse: column count: expected a number, found a string of 4 characters`);
  });

  it('names a column the statement did not answer', async () => {
    const error = await queryRows(db, (r) => column.stringOrNull(r, 'missing'), `SELECT 1 AS present`).catch((e: unknown) => e);
    expect((error as Error).message).toContain('column missing: expected a string or null, found no column missing in the row');
  });

  it('answers null for no row, and queryOne throws instead', async () => {
    expect(await queryFirst(db, rowSchema, `${SELECT_ROW} WHERE false`)).toBeNull();
    await expect(queryOne(db, rowSchema, `${SELECT_ROW} WHERE false`)).rejects.toThrow(/answered no row/);
  });
});
