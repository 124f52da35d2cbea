/**
 * `npm run cli -- customers import <file.csv>` as an operator runs it (real processes) on a test
 * database: a fresh data folder, or a fresh schema on TEST_DATABASE_URL. Its exit code says
 * whether every row went in; refused rows are named on standard error, or in the JSON.
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../db/db.ts';
import { openDatabase } from '../db/open-db.ts';
import type { TestDb } from '../db/test-db.ts';
import { cliDatabase, runCli } from './cli-test-helpers.ts';

const MIXED = [
  'external_id,name,domains,csm_email', // line 1
  'crm-1,Acme Corp,acme.com,', // line 2
  'crm-2,,globex.com,', // line 3: no name
  'crm-3,Initech,initech.com,', // line 4
  'crm-4,Bad Domain,http://umbrella.org,', // line 5
].join('\n');

describe('npm run cli -- customers import', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let testDb: TestDb | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cscx-import-'));
    const database = await cliDatabase(join(dir, 'data'));
    testDb = database.testDb;
    env = { ...database.env, LOG_LEVEL: 'silent' };
  });
  afterAll(async () => {
    await testDb?.destroy();
  });

  const cli = (args: string[]) => runCli(args, env);
  function file(name: string, content: string | Buffer): string {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  }
  /** What the processes wrote, read after they exited (the embedded database admits one process). */
  async function customers(): Promise<string[] | null> {
    let db: Db;
    if (testDb) db = testDb.db;
    else if (!existsSync(env.DATA_DIR as string)) return null;
    else db = await openDatabase({ databaseUrl: undefined, dataDir: env.DATA_DIR as string });
    try {
      const tables = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'customers'`);
      if (tables.rows[0]?.n === 0) return null;
      const { rows } = await db.query<{ external_id: string }>('SELECT external_id FROM customers ORDER BY external_id');
      return rows.map((row) => row.external_id);
    } finally {
      if (!testDb) await db.close();
    }
  }

  it('refuses a file it cannot read or that has no header in one line, exit 1, and writes nothing (not even the schema)', async () => {
    const missing = await cli(['customers', 'import', join(dir, 'nope.csv')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim()).toBe(`cannot read ${join(dir, 'nope.csv')}: there is no such file`);

    const folder = await cli(['customers', 'import', dir]);
    expect(folder.code).toBe(1);
    expect(folder.stderr.trim()).toBe(`cannot read ${dir}: it is a folder, not a file`);

    const headerless = file('headerless.csv', 'crm-9,Nameless Co\n');
    const noHeader = await cli(['customers', 'import', headerless]);
    expect(noHeader.code).toBe(1);
    expect(noHeader.stderr.trim().split('\n')).toHaveLength(1);
    expect(noHeader.stderr).toMatch(/^.*headerless\.csv: the first row must be a header naming the columns .*; nothing was imported$/m);

    // A spreadsheet's "Unicode text" export: UTF-16, not UTF-8.
    const utf16 = file('utf16.csv', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('external_id,name\ncrm-9,Nine\n', 'utf16le')]));
    const wide = await cli(['customers', 'import', utf16, '--json']);
    expect(wide.code).toBe(1);
    expect(wide.stdout).toBe('');
    expect(wide.stderr.trim()).toBe(`cannot read ${utf16}: it is not UTF-8 text (save it from the spreadsheet as "CSV UTF-8"); nothing was imported`);

    const noFile = await cli(['customers', 'import']);
    expect(noFile.code).toBe(1);
    expect(noFile.stderr.trim()).toBe('usage: npm run cli -- customers import <file.csv> [--json]');

    expect(await customers()).toBeNull();
  }, 120_000);

  it('imports the rows that pass, names each refused row by line and reason on stderr, and exits 1', async () => {
    const run = await cli(['customers', 'import', file('mixed.csv', MIXED)]);
    expect(run.code, run.stdout + run.stderr).toBe(1);
    expect(run.stdout.split('\n')[0]).toBe('imported 2 customers (created 2, updated 0, unchanged 0) of 4 rows read');
    expect(run.stdout).not.toContain('line 3');
    expect(run.stderr.trim().split('\n')).toEqual([
      'imported 2 customers, refused 2 rows:',
      '  line 3: name: is required',
      '  line 5: domains: "http://umbrella.org" is not a domain name',
      '2 of 4 rows refused: correct them and import the file again (imported rows are updated in place, never duplicated)',
    ]);
    expect(await customers()).toEqual(['crm-1', 'crm-3']);
  }, 120_000);

  it('with --json, lists the refused rows in the JSON on stdout, and still exits 1', async () => {
    const run = await cli(['customers', 'import', file('mixed.csv', MIXED), '--json']);
    expect(run.code, run.stdout + run.stderr).toBe(1);
    const report = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(report).toMatchObject({ rows: 4, imported: 2, created: 0, unchanged: 2 });
    expect(report.badRows).toEqual([
      { line: 3, reason: 'name: is required' },
      { line: 5, reason: 'domains: "http://umbrella.org" is not a domain name' },
    ]);
    expect(run.stderr.trim()).toBe('2 of 4 rows refused: correct them and import the file again (imported rows are updated in place, never duplicated)');
  }, 120_000);

  it('exits 0 with nothing on stderr when every row is imported', async () => {
    const corrected = MIXED.replace('crm-2,,', 'crm-2,Globex,').replace('http://umbrella.org', 'umbrella.org');
    const run = await cli(['customers', 'import', file('corrected.csv', corrected)]);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout.split('\n')[0]).toBe('imported 4 customers (created 2, updated 0, unchanged 2) of 4 rows read');
    expect(await customers()).toEqual(['crm-1', 'crm-2', 'crm-3', 'crm-4']);

    const json = await cli(['customers', 'import', file('corrected.csv', corrected), '--json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ imported: 4, unchanged: 4, badRows: [] });
  }, 120_000);

  it('says its exit codes in --help', async () => {
    const help = await cli(['customers', 'import', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('exit codes:');
    expect(help.stdout).toMatch(/^ {2}0 {2}every row was imported$/m);
    expect(help.stdout).toMatch(/^ {2}1 {2}some rows were refused \(the others were imported\)/m);
    const top = await cli(['--help']);
    expect(top.stdout).toMatch(/^Exit codes: 0 when the command did all it was asked; 1 otherwise/m);
    expect(top.stdout).toContain('customers import: also when some rows were refused');
  }, 60_000);
});
