/**
 * `sync --wait` against the emulator: what it says while the export limit holds the next page
 * (the command run in this process on the test database, with the pacer's log filled as another
 * run would have left it), and its exit codes as an operator sees them (real processes).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../emulator/app.ts';
import { REPO_ROOT } from '../../test/process-helpers.ts';
import { testDatabaseUrl, type TestDb } from '../db/test-db.ts';
import type { Deps } from '../deps.ts';
import { connectWithApiToken } from '../modules/connections/connections.service.ts';
import { ensureSyncState } from '../modules/ingest/sync.repo.ts';
import { createUser } from '../modules/users/auth.service.ts';
import { createTestDeps } from '../test-deps.ts';
import { cliDatabase, runCli } from './cli-test-helpers.ts';
import type { CommandContext } from './command.ts';
import { syncCommand } from './commands/sync.ts';

const API_TOKEN = 'sync-wait-token';
const TICKETS = 200;

describe('sync --wait while the export limit holds the next page', () => {
  let zendesk: RunningEmulator;
  let deps: Deps;
  let destroy: () => Promise<void>;
  let connectionId: string;

  beforeAll(async () => {
    zendesk = await startEmulator({ port: 0, tickets: TICKETS, users: 20, organizations: 3, apiToken: API_TOKEN, seed: 11 });
    // One export page a minute: the limit Zendesk would enforce, at its lowest.
    ({ deps, destroy } = await createTestDeps({ ZENDESK_URL_TEMPLATE: `${zendesk.url}/{subdomain}`, ZENDESK_EXPORT_REQUESTS_PER_MINUTE: '1' }));
    const admin = await createUser(deps.db, { email: 'ops@example.com', name: 'Ops', role: 'admin', password: null });
    connectionId = (await connectWithApiToken(deps, admin, { subdomain: 'acme', email: 'admin@example.com', apiToken: API_TOKEN })).id;
  });
  afterAll(async () => {
    await zendesk?.app.close();
    await destroy?.();
  });

  /** The window full: one export page granted 50 s ago, so the next waits about 11 s. */
  async function exportPageGranted50SecondsAgo() {
    await deps.db.query(
      `INSERT INTO zendesk_request_pacing (connection_id, bucket, recent) VALUES ($1, 'export', ARRAY[clock_timestamp() - interval '50 seconds'])
       ON CONFLICT (connection_id, bucket) DO UPDATE SET recent = EXCLUDED.recent`,
      [connectionId],
    );
  }

  function context(json: boolean, lines: string[]): CommandContext {
    return {
      config: deps.config,
      args: ['acme'],
      options: { wait: true },
      json,
      db: async () => deps.db,
      deps: async () => deps,
      emit: (line) => lines.push(line),
      readStdin: async () => '',
    };
  }

  it('names the export limit and the next page delay, then ends when the import is done (JSON lines)', async () => {
    await exportPageGranted50SecondsAgo();
    const lines: string[] = [];
    const result = await syncCommand.run(context(true, lines));
    expect(result).toMatchObject({ event: 'result', outcome: 'synced', sync: { state: 'live', imported: TICKETS } });

    const progress = lines.map((line) => JSON.parse(line) as { waitingFor: Array<Record<string, unknown>>; message: string; state: string });
    // Held from the start; the line changes once the import has asked Zendesk for its ticket count.
    const held = progress.filter((line) => line.waitingFor.some((w) => w.kind === 'export-limit')).at(-1);
    expect(held, lines.join('\n')).toBeDefined();
    expect(held?.state).toBe('importing');
    expect(held?.waitingFor).toContainEqual({ kind: 'export-limit', limit: 1, nextInSeconds: expect.any(Number) });
    const next = held?.waitingFor.find((w) => w.kind === 'export-limit')?.nextInSeconds as number;
    expect(next).toBeGreaterThan(0);
    expect(next).toBeLessThanOrEqual(61);
    // Zendesk's count leaves out deleted tickets, which the export includes.
    expect(held?.message).toMatch(/^acme importing +\[\.{24}\] +0% {2}0\/\d+, measuring the rate; Zendesk's export limit: 1 page a minute, next page in \d+ s$/);
    // The last progress line: done, waiting for nothing.
    expect(progress.at(-1)).toMatchObject({ state: 'live', imported: TICKETS, etaSeconds: 0, waitingFor: [] });
  }, 120_000);

  it('says so in one text line per change while a catch-up waits for the limit', async () => {
    await exportPageGranted50SecondsAgo();
    const lines: string[] = [];
    const result = await syncCommand.run(context(false, lines));
    expect(result).toMatchObject({ outcome: 'synced' });
    expect(lines.some((line) => /^acme live .*; catching up on the last \d+ (s|min) of changes; Zendesk's export limit: 1 page a minute, next page in \d+ s$/.test(line)), lines.join('\n')).toBe(true);
    // A line per change, not per countdown second: the held state is printed once.
    expect(lines.filter((line) => line.includes('next page in'))).toHaveLength(1);
    expect(lines.at(-1)).toMatch(/^acme live +\[#{24}\] 100% {2}200\/200$/);
  }, 120_000);

  // On the embedded engine only one process has the database: a lease held by another is a crashed one's, taken over at once.
  it.skipIf(!testDatabaseUrl())('says so while another process holds the sync, then runs it', async () => {
    await ensureSyncState(deps.db, connectionId);
    await deps.db.query('DELETE FROM zendesk_request_pacing WHERE connection_id = $1', [connectionId]); // the limit is not what this is about
    await deps.db.query(`UPDATE zendesk_sync_state SET lease_owner = 'another-process:1', lease_until = now() + interval '3 seconds' WHERE connection_id = $1`, [connectionId]);
    const lines: string[] = [];
    const result = await syncCommand.run(context(false, lines));
    expect(result).toMatchObject({ outcome: 'synced' });
    expect(lines.some((line) => line.includes('; another process is running this sync: following it')), lines.join('\n')).toBe(true);
    expect(lines.at(-1)).toMatch(/^acme live +\[#{24}\] 100% {2}200\/200$/);
  }, 120_000);
});

describe('npm run cli -- sync --wait: exit codes', () => {
  let zendesk: RunningEmulator;
  let testDb: TestDb | undefined;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    zendesk = await startEmulator({ port: 0, tickets: TICKETS, users: 20, organizations: 3, apiToken: API_TOKEN, seed: 12 });
    const base = { ZENDESK_URL_TEMPLATE: `${zendesk.url}/{subdomain}`, ZENDESK_EXPORT_REQUESTS_PER_MINUTE: '0', ZENDESK_REQUESTS_PER_MINUTE: '0', LOG_LEVEL: 'warn' };
    const database = await cliDatabase(mkdtempSync(join(tmpdir(), 'cscx-sync-wait-')));
    testDb = database.testDb;
    env = { ...base, ...database.env };
  });
  afterAll(async () => {
    await zendesk?.app.close();
    await testDb?.destroy();
  });

  const cli = (args: string[]) => runCli(args, env);

  it('exits 0 when the sync is done, 1 with the reason when it fails', async () => {
    expect((await cli(['migrate'])).code).toBe(0);
    expect((await cli(['users', 'create', '--email', 'ops@example.com', '--role', 'admin'])).code).toBe(0);
    const connected = await cli(['connect', '--subdomain', 'acme', '--email', 'admin@example.com', '--api-token', API_TOKEN]);
    expect(connected.code, connected.stdout + connected.stderr).toBe(0);

    const done = await cli(['sync', 'acme', '--wait']);
    expect(done.code, done.stdout + done.stderr).toBe(0);
    expect(done.stdout).toMatch(/^acme live +\[#{24}\] 100% {2}200\/200$/m);
    expect(done.stdout).toMatch(/^acme: synced in [\d.]+s \(200 tickets written\); live, 200 imported$/m);

    // Zendesk answers every request with a server error: the client retries, then the sync fails.
    const faults = await fetch(`${zendesk.url}/_emulator/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ '5xx': 1 }) });
    expect(faults.ok).toBe(true);
    const failed = await cli(['sync', 'acme', '--wait']);
    expect(failed.code, failed.stdout + failed.stderr).toBe(1);
    expect(failed.stdout).toMatch(/; Zendesk answered with an error, trying again in \d+ s$/m);
    expect(failed.stdout).toMatch(/^acme failed .*Zendesk kept failing/m);
    expect(failed.stderr.trim().split('\n').at(-1)).toMatch(/^the sync of acme failed: Zendesk kept failing; the sync resumes from its last page on the next run: /);

    const json = await cli(['sync', 'acme', '--wait', '--json']);
    expect(json.code).toBe(1);
    const events = json.stdout.trim().split('\n').map((line) => JSON.parse(line) as { event: string; state: string; waitingFor: Array<{ kind: string; reason?: string }> });
    expect(events.some((e) => e.waitingFor.some((w) => w.kind === 'retry' && w.reason === 'server_error'))).toBe(true);
    expect(events.at(-1)).toMatchObject({ event: 'progress', state: 'failed' });
    expect(json.stderr.trim().split('\n').at(-1)).toMatch(/^the sync of acme failed: /);
  }, 240_000);

  // `script` (util-linux) gives the command a terminal.
  it.skipIf(!existsSync('/usr/bin/script'))('on a terminal, rewrites one line in place and ends it when done', async () => {
    await fetch(`${zendesk.url}/_emulator/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ '5xx': 0 }) });
    const child = spawn('/usr/bin/script', ['-qec', `${process.execPath} --import tsx src/cli/main.ts sync acme --wait`, '/dev/null'], { cwd: REPO_ROOT, env: { ...process.env, ...env } });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code, output).toBe(0);
    const [progress = '', result = ''] = output.split(/\r?\n/);
    // Each update returns to the start of the line and clears it; no update starts a line of its own.
    expect(progress.startsWith('\r\x1b[2K')).toBe(true);
    expect(progress.split('\r\x1b[2K').filter(Boolean).at(-1)).toMatch(/^acme live +\[#{24}\] 100% {2}200\/200$/);
    expect(result).toMatch(/^acme: synced in [\d.]+s \(0 tickets written\); live, 200 imported$/);
  }, 120_000);
});
