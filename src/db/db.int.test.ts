import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from './db.ts';
import { MigrationError, migrate, readMigrations, statementsOf } from './migrate.ts';
import { createTestDb, testDatabaseUrl, type TestDb } from './test-db.ts';

const engine = testDatabaseUrl() ? 'postgres' : 'pglite';

describe(`database on ${engine}`, () => {
  let testDb: TestDb;
  let db: Db;

  beforeAll(async () => {
    testDb = await createTestDb();
    db = testDb.db;
  });
  afterAll(async () => {
    await testDb?.destroy();
  });

  it('runs on the engine the environment asks for', () => {
    expect(db.engine).toBe(engine);
  });

  it('lets I/O that is already waiting run before each statement and transaction (PGlite runs them on this thread)', async () => {
    for (const run of [() => db.query('SELECT 1'), () => db.exec('SELECT 1'), () => db.transaction((tx) => tx.query('SELECT 1'))]) {
      const order: string[] = [];
      setImmediate(() => order.push('waiting I/O'));
      // A chain of statements, as a refresh writes its tickets and then marks its deliveries.
      await run();
      await run();
      order.push('statements');
      expect(order).toEqual(['waiting I/O', 'statements']);
    }
  });

  it('applied every migration, and a second run applies nothing', async () => {
    const { rows } = await db.query<{ name: string }>('SELECT name FROM schema_migrations ORDER BY name');
    expect(rows.map((row) => row.name)).toEqual(readMigrations().map((m) => m.name));
    expect(await migrate(db)).toEqual({ applied: [] });
  });

  it('refuses a migration that was edited after it was applied', async () => {
    const edited = readMigrations().map((m, i) => (i === 0 ? { ...m, checksum: 'changed' } : m));
    await expect(migrate(db, edited)).rejects.toThrow(MigrationError);
    await expect(migrate(db, edited)).rejects.toThrow(/0001_init\.sql was edited after it was applied/);
  });

  it('takes a migration whose comments changed, and a database that recorded the whole file or an earlier comment', async () => {
    const [first] = readMigrations();
    const recorded = async () => (await db.query<{ checksum: string }>(`SELECT checksum FROM schema_migrations WHERE name = '0001_init'`)).rows[0]!.checksum;
    expect(statementsOf(`${first!.sql}\n-- a corrected comment\n`)).toBe(statementsOf(first!.sql));
    expect(statementsOf('SELECT 1; -- why\n\n  \n-- note\nSELECT 2;  ')).toBe('SELECT 1;\nSELECT 2;');
    // Recorded as the whole file (how databases migrated before comments were left out recorded it): restamped.
    await db.query(`UPDATE schema_migrations SET checksum = $1 WHERE name = '0001_init'`, [first!.fileChecksum]);
    expect(await migrate(db)).toEqual({ applied: [] });
    expect(await recorded()).toBe(first!.checksum);
    // Recorded as an earlier text of the file that differed in comments only: restamped.
    await db.query(`UPDATE schema_migrations SET checksum = 'df21cf5293a4dfe3f43adec530cd1522a24c822b419c0ca29f948474e6f8d7c4' WHERE name = '0001_init'`);
    expect(await migrate(db)).toEqual({ applied: [] });
    expect(await recorded()).toBe(first!.checksum);
    // Any other record is a file whose statements changed.
    await db.query(`UPDATE schema_migrations SET checksum = 'some-other-text' WHERE name = '0001_init'`);
    await expect(migrate(db)).rejects.toThrow(/0001_init\.sql was edited after it was applied/);
    await db.query(`UPDATE schema_migrations SET checksum = $1 WHERE name = '0001_init'`, [first!.checksum]);
  });

  it('rolls a failing migration back whole', async () => {
    const broken = [...readMigrations(), { name: '9999_broken', sql: 'CREATE TABLE half_done (id int); SELECT no_such_function();', checksum: 'x' }];
    await expect(migrate(db, broken)).rejects.toThrow();
    const { rows } = await db.query(`SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'half_done'`);
    expect(rows).toHaveLength(0);
    const applied = await db.query(`SELECT 1 FROM schema_migrations WHERE name = '9999_broken'`);
    expect(applied.rows).toHaveLength(0);
  });

  it('maps bigint and numeric to numbers and timestamps to Dates, the same on both engines', async () => {
    const { rows } = await db.query<{ big: unknown; num: unknown; at: unknown; tags: unknown }>(
      `SELECT 6596848315901::bigint AS big, 1.25::numeric AS num, '2024-04-17T17:18:10Z'::timestamptz AS at, ARRAY['a','b']::text[] AS tags`,
    );
    expect(rows[0]).toEqual({ big: 6596848315901, num: 1.25, at: new Date('2024-04-17T17:18:10Z'), tags: ['a', 'b'] });
  });

  it('keys tickets by (connection, zendesk ticket id): the same id may exist in two subdomains, not twice in one', async () => {
    const { rows } = await db.query<{ id: string }>(
      `INSERT INTO zendesk_connections (subdomain, auth_method) VALUES ('acme', 'api_token'), ('globex', 'oauth') RETURNING id`,
    );
    const [acme, globex] = rows.map((row) => row.id);
    const insert = `INSERT INTO zendesk_tickets (connection_id, zendesk_ticket_id, status, zendesk_created_at, zendesk_updated_at)
                    VALUES ($1, 35436, 'open', now(), now())`;
    await db.query(insert, [acme]);
    await db.query(insert, [globex]);
    await expect(db.query(insert, [acme])).rejects.toThrow(/zendesk_tickets_connection_ticket_key/);
  });

  it('rejects values outside the documented sets', async () => {
    await expect(db.query(`INSERT INTO zendesk_connections (subdomain, auth_method) VALUES ('Not A Subdomain', 'api_token')`)).rejects.toThrow();
    await expect(db.query(`INSERT INTO users (email, name, role) VALUES ('a@b.c', 'A', 'owner')`)).rejects.toThrow();
  });

  it('commits a transaction when it resolves and rolls it back when it throws', async () => {
    await db.transaction(async (tx) => {
      await tx.query(`INSERT INTO users (email, name, role) VALUES ('kept@example.com', 'Kept', 'csm')`);
    });
    await expect(
      db.transaction(async (tx) => {
        await tx.query(`INSERT INTO users (email, name, role) VALUES ('lost@example.com', 'Lost', 'csm')`);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    const { rows } = await db.query<{ email: string }>(`SELECT email FROM users WHERE email IN ('kept@example.com', 'lost@example.com')`);
    expect(rows.map((row) => row.email)).toEqual(['kept@example.com']);
  });

  it('treats user emails case-insensitively as unique', async () => {
    await db.query(`INSERT INTO users (email, name, role) VALUES ('Csm@Example.com', 'C', 'csm')`);
    await expect(db.query(`INSERT INTO users (email, name, role) VALUES ('csm@example.com', 'C2', 'csm')`)).rejects.toThrow(/users_email_key/);
  });
});
