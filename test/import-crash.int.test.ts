/**
 * The process running the import is killed (SIGKILL) three times at random moments during a
 * 20,000-ticket import, on the engine under test; after a restart the database equals the
 * emulator's state field by field, with no duplicates.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../emulator/app.ts';
import type { Db } from '../src/db/db.ts';
import { migrate } from '../src/db/migrate.ts';
import { openDatabase } from '../src/db/open-db.ts';
import { createTestDb, testDatabaseUrl, type TestDb } from '../src/db/test-db.ts';
import { loadConfig } from '../src/config.ts';
import type { Deps } from '../src/deps.ts';
import { createLogger } from '../src/lib/logger.ts';
import { addKey, createSecretBox, formatKeyring } from '../src/lib/secret-box.ts';
import { connectWithApiToken } from '../src/modules/connections/connections.service.ts';
import { differencesFromZendesk } from '../src/modules/ingest/sync-test-helpers.ts';
import { createUser } from '../src/modules/users/auth.service.ts';
import { recordSyncRequests } from '../src/test-deps.ts';
import { runScript, type RunningProcess } from './process-helpers.ts';

const API_TOKEN = 'crash-test-token';
const TICKETS = Number(process.env.CRASH_TICKETS ?? 20_000);
const engine = testDatabaseUrl() ? 'postgres' : 'pglite';

describe(`import killed three times (${engine})`, () => {
  let zendesk: RunningEmulator;
  let testDb: TestDb | undefined;
  let dataDir: string;
  const keyring = addKey(undefined, 'crash');

  /** The database the worker uses, opened here only while no worker runs (PGlite allows one process). */
  const openOurs = async (): Promise<Db> => (testDb ? testDb.db : openDatabase({ databaseUrl: undefined, dataDir }));
  const closeOurs = async (db: Db) => {
    if (!testDb) await db.close();
  };
  const workerEnv = (): NodeJS.ProcessEnv => ({
    ZENDESK_URL_TEMPLATE: `${zendesk.url}/{subdomain}`,
    ENCRYPTION_KEY: formatKeyring(keyring),
    LOG_LEVEL: 'debug',
    ZENDESK_EXPORT_REQUESTS_PER_MINUTE: '0',
    ZENDESK_REQUESTS_PER_MINUTE: '0',
    ...(testDb
      ? { DATABASE_URL: `${testDatabaseUrl()}?options=${encodeURIComponent(`-c search_path=${testDb.schema}`)}`, DATA_DIR: dataDir }
      : { DATABASE_URL: '', DATA_DIR: dataDir }),
  });

  beforeAll(async () => {
    zendesk = await startEmulator({ port: 0, tickets: TICKETS, users: 2000, organizations: 100, apiToken: API_TOKEN, seed: 3 });
    dataDir = mkdtempSync(join(tmpdir(), 'cscx-crash-'));
    if (engine === 'postgres') testDb = await createTestDb();
  });
  // Whatever happens, no worker outlives the test.
  const workers: RunningProcess[] = [];
  const track = (worker: RunningProcess) => (workers.push(worker), worker);
  afterAll(async () => {
    await Promise.all(workers.map((worker) => worker.stop('SIGKILL')));
    await zendesk?.close();
    await testDb?.destroy();
  });

  it('resumes after each kill and ends equal to Zendesk', { timeout: 240_000 }, async () => {
    const db = await openOurs();
    await migrate(db);
    const deps: Deps = {
      config: loadConfig({ ZENDESK_URL_TEMPLATE: `${zendesk.url}/{subdomain}`, PUBLIC_URL: 'http://127.0.0.1:9' }),
      db,
      logger: createLogger('silent'),
      secrets: createSecretBox(keyring),
      syncRequests: recordSyncRequests(),
    };
    const admin = await createUser(db, { email: 'admin@cscx.test', name: 'Admin', role: 'admin', password: null });
    const { id: connectionId } = await connectWithApiToken(deps, admin, { subdomain: 'acme', email: 'admin@example.com', apiToken: API_TOKEN });
    await closeOurs(db);

    const importedAfterKill: number[] = [];
    for (let kill = 0; kill < 3; kill += 1) {
      const worker = track(runScript('src/main.ts', ['worker'], workerEnv()));
      // Kill at a random moment after 1 to 4 more pages were committed: mid-page, mid-transaction or between pages.
      const pagesBeforeKill = 1 + Math.floor(Math.random() * 4);
      await worker.waitForLine(new RegExp(`"pages":${pagesBeforeKill},.*"msg":"sync page committed"`));
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 150));
      worker.child.kill('SIGKILL');
      await worker.exited;
      const check = await openOurs();
      const { rows } = await check.query<{ imported: number; phase: string }>('SELECT imported, phase FROM zendesk_sync_state WHERE connection_id = $1', [connectionId]);
      importedAfterKill.push(rows[0]?.imported ?? 0);
      await closeOurs(check);
    }
    // The kills did land mid-import, each after progress (a finished import would prove nothing).
    expect(importedAfterKill[0]).toBeGreaterThan(0);
    expect(Math.max(...importedAfterKill)).toBeLessThan(TICKETS);
    expect(importedAfterKill).toEqual([...importedAfterKill].sort((a, b) => a - b));

    const worker = track(runScript('src/main.ts', ['worker'], workerEnv()));
    await worker.waitForLine(/"msg":"sync run".*"outcome":"synced"|"outcome":"synced".*"msg":"sync run"/, 120_000);
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);

    const final = await openOurs();
    try {
      expect(await differencesFromZendesk(final, zendesk, 'acme', connectionId)).toEqual([]);
      const { rows } = await final.query<{ phase: string }>('SELECT phase FROM zendesk_sync_state WHERE connection_id = $1', [connectionId]);
      expect(rows[0]?.phase).toBe('live');
    } finally {
      await closeOurs(final);
    }
  });
});
