/**
 * Databases for integration tests: PGlite in memory by default, the PostgreSQL server at
 * TEST_DATABASE_URL when it is set. Each call gets its own freshly migrated schema, so test files
 * can run in parallel on one server and never see each other's rows.
 */
import { randomBytes } from 'node:crypto';
import type { Db } from './db.ts';
import { migrate } from './migrate.ts';
import { openPglite, pgliteDb } from './pglite-db.ts';
import { postgresDb } from './postgres-db.ts';

export interface TestDb {
  db: Db;
  schema: string;
  /** Drops the schema and closes the connections. */
  destroy(): Promise<void>;
}

export function testDatabaseUrl(): string | undefined {
  return process.env.TEST_DATABASE_URL || undefined;
}

export async function createTestDb(options: { migrate?: boolean } = {}): Promise<TestDb> {
  const schema = `test_${randomBytes(6).toString('hex')}`;
  const url = testDatabaseUrl();
  let db: Db;
  if (url) {
    const admin = postgresDb({ connectionString: url, maxConnections: 1 });
    await admin.exec(`CREATE SCHEMA ${schema}`);
    await admin.close();
    db = postgresDb({ connectionString: url, schema, maxConnections: 4 });
  } else {
    db = pgliteDb(await openPglite(undefined));
    await db.exec(`CREATE SCHEMA ${schema}; SET search_path TO ${schema}`);
  }
  if (options.migrate !== false) await migrate(db);
  return {
    db,
    schema,
    async destroy() {
      // Job-queue tests put pg-boss's tables in pgboss_<schema>: drop those too.
      if (url) await db.exec(`DROP SCHEMA ${schema} CASCADE; DROP SCHEMA IF EXISTS pgboss_${schema} CASCADE`);
      await db.close();
    },
  };
}
