import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { Db, Queryable } from './db.ts';
import { queryFirst, queryRows } from './rows.ts';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations/', import.meta.url));

export interface Migration {
  /** File name without `.sql`, e.g. `0001_init`; its numeric prefix orders it. */
  name: string;
  sql: string;
  /** Of the statements only (statementsOf): a comment may be corrected after the file was applied. */
  checksum: string;
  /** Of the whole file, as databases migrated before checksums left comments out recorded it. */
  fileChecksum?: string;
}

/**
 * Checksums (of whole files) that databases recorded for earlier texts of these migrations, which
 * differed from today's only in their comments. Such a database is accepted and its record
 * restamped; any other difference still stops everything.
 */
const EARLIER_COMMENTS: Readonly<Record<string, readonly string[]>> = {
  '0001_init': ['df21cf5293a4dfe3f43adec530cd1522a24c822b419c0ca29f948474e6f8d7c4'],
  '0007_ticket_metrics': ['095dac32602788661d87fdaab525c164cf2dc377ca90c85609bc59bf1f043bce'],
  '0008_metrics': ['ef56e07f69534a0a2b3dd2951bf3c8ff5b3c64d07b18f43a9026c4b67e91c02c'],
  '0009_alerts': ['3647e8178311aae6d367c3f30ae65b7792addd1fda9ec28c748015c837e0a095'],
  '0010_health': ['5a9eb74f8d0baab64ebf2e9485c985308b4021dc02a2fb4dbceee954ccb67b46'],
  '0011_customer_refresh': ['885711bab7f7dec9ec77741d2c19e76ea23c68dac892611254b964dd6d29768a'],
  '0012_escalation_rule': ['8ca0c3838f49091ea84c57c8010c2cf9d778b9ca6068ad7a81f3f25388e3a27a'],
};

/**
 * A migration's statements without its comments: whole-line and trailing `--` comments, trailing
 * spaces and blank lines removed. (A `--` inside a string literal would be cut too: it only makes
 * the checksum blind to that part of the line; our migrations have none.)
 */
export function statementsOf(sql: string): string {
  return sql
    .split('\n')
    .map((line) => line.replace(/--.*$/, '').trimEnd())
    .filter((line) => line !== '')
    .join('\n');
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export class MigrationError extends Error {}

/** Reads `NNNN_name.sql` files in order. Forward-only: an applied file is never edited. */
export function readMigrations(dir: string = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((file) => /^\d{4}_[a-z0-9_]+\.sql$/.test(file))
    .sort()
    .map((file) => {
      const sql = readFileSync(`${dir}/${file}`, 'utf8');
      return { name: file.slice(0, -4), sql, checksum: sha256(statementsOf(sql)), fileChecksum: sha256(sql) };
    });
}

/**
 * Applies every pending migration, all in one transaction, under an advisory lock so that several
 * replicas starting at once apply each migration once (the others wait, then find nothing to do).
 * The lock key includes the schema, so that test files on their own schemas do not wait for each
 * other. A migration whose statements changed after it was applied stops everything: the database
 * and the code disagree, and guessing would be worse. Its comments may change.
 */
export async function migrate(db: Db, migrations: Migration[] = readMigrations()): Promise<{ applied: string[] }> {
  return db.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext('cscx-zendesk:migrate:' || current_schema()))`);
    await tx.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      name TEXT PRIMARY KEY,
      checksum TEXT NOT NULL,
      applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
    )`);
    const rows = await queryRows(tx, z.object({ name: z.string(), checksum: z.string() }), 'SELECT name, checksum FROM schema_migrations');
    const applied = new Map(rows.map((row) => [row.name, row.checksum]));
    const known = new Set(migrations.map((m) => m.name));
    for (const name of applied.keys()) {
      if (!known.has(name)) {
        throw new MigrationError(`the database has migration ${name}, which this code does not know: it was migrated by a newer version`);
      }
    }
    const done: string[] = [];
    for (const migration of migrations) {
      const checksum = applied.get(migration.name);
      if (checksum !== undefined) {
        if (checksum === migration.checksum) continue;
        const recordedBeforeCommentsWereLeftOut = checksum === migration.fileChecksum || (EARLIER_COMMENTS[migration.name] ?? []).includes(checksum);
        if (!recordedBeforeCommentsWereLeftOut) {
          throw new MigrationError(`migration ${migration.name}.sql was edited after it was applied; add a new migration instead`);
        }
        await tx.query('UPDATE schema_migrations SET checksum = $2 WHERE name = $1', [migration.name, migration.checksum]);
        continue;
      }
      await tx.exec(migration.sql);
      await tx.query('INSERT INTO schema_migrations (name, checksum) VALUES ($1, $2)', [migration.name, migration.checksum]);
      done.push(migration.name);
    }
    return { applied: done };
  });
}

/** The schema this installation's tables live in (the first of the search path). */
export async function currentSchema(db: Queryable): Promise<string> {
  const row = await queryFirst(db, z.object({ schema: z.string() }), 'SELECT current_schema() AS schema');
  return row?.schema ?? 'public';
}

/** The migrations applied to this database (readiness compares them with the code's). */
export async function appliedMigrationNames(db: Pick<Queryable, 'query'>): Promise<string[]> {
  const rows = await queryRows(db, z.object({ name: z.string() }), 'SELECT name FROM schema_migrations');
  return rows.map((row) => row.name);
}
