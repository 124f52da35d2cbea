/**
 * The operator commands as an operator runs them (`npm run cli -- ...`, real processes) against a
 * test database (a fresh data folder, or a fresh schema on TEST_DATABASE_URL) and the emulator.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../emulator/app.ts';
import { runScript } from '../../test/process-helpers.ts';
import { createTestDb, testDatabaseUrl, type TestDb } from '../db/test-db.ts';
import { NOT_SUBDOMAINS } from '../zendesk/url.examples.ts';

const API_TOKEN = 'cli-test-token';
const TICKETS = 1500;

// Each case runs CLI processes that start tsx and open (and check the migrations of) the embedded
// database: seconds each, and several times that on a busy 2-core machine.
describe('npm run cli', { timeout: 120_000 }, () => {
  let zendesk: RunningEmulator;
  let testDb: TestDb | undefined;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    zendesk = await startEmulator({ port: 0, tickets: TICKETS, users: 100, organizations: 10, apiToken: API_TOKEN, seed: 5 });
    const base = { ZENDESK_URL_TEMPLATE: `${zendesk.url}/{subdomain}`, ZENDESK_EXPORT_REQUESTS_PER_MINUTE: '0', ZENDESK_REQUESTS_PER_MINUTE: '0', LOG_LEVEL: 'warn' };
    const url = testDatabaseUrl();
    if (url) {
      // A schema of our own on the server: the CLI finds it through the connection's search_path.
      testDb = await createTestDb({ migrate: false });
      const databaseUrl = `${url}${url.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${testDb.schema}`)}`;
      env = { ...base, DATABASE_URL: databaseUrl, DATA_DIR: mkdtempSync(join(tmpdir(), 'cscx-cli-')) };
    } else {
      env = { ...base, DATABASE_URL: '', DATA_DIR: mkdtempSync(join(tmpdir(), 'cscx-cli-')) };
    }
  });
  afterAll(async () => {
    await zendesk?.app.close();
    await testDb?.destroy();
  });

  async function cli(args: string[], input?: string): Promise<{ code: number | null; stdout: string; output: string }> {
    const run = runScript('src/cli/main.ts', args, env);
    if (input !== undefined) run.child.stdin.end(input);
    const code = await run.exited;
    const output = run.output();
    return { code, output, stdout: output };
  }
  const lastJson = (text: string) => JSON.parse(text.trim().split('\n').filter((line) => line.startsWith('{')).at(-1) ?? 'null');

  it('says how to use it, and each command has --help', async () => {
    const top = await cli(['--help']);
    expect(top.code).toBe(0);
    for (const command of ['status', 'connect', 'sync', 'users create', 'customers import', 'migrate', 'keys rotate', 'secrets reencrypt']) expect(top.output).toContain(`  ${command}`);
    const sub = await cli(['sync', '--help']);
    expect(sub.code).toBe(0);
    expect(sub.output).toMatch(/^usage: npm run cli -- sync \[<subdomain or connection id>\] \[--wait\] \[--full\] \[--json\]/);
  });

  it('exits 1 with one line on a mistake', async () => {
    const unknown = await cli(['frobnicate']);
    expect(unknown.code).toBe(1);
    expect(unknown.output.trim()).toBe('unknown command "frobnicate"; npm run cli -- --help lists the commands');
    const badOption = await cli(['status', '--verbose']);
    expect(badOption.code).toBe(1);
    expect(badOption.output.trim()).toBe("Unknown option '--verbose'; npm run cli -- status --help lists the options");
  });

  it('migrates, then creates users with a generated or piped password', async () => {
    expect((await cli(['migrate', '--json'])).code).toBe(0);
    const admin = await cli(['users', 'create', '--email', 'ops@example.com', '--role', 'admin', '--api-key', '--json']);
    expect(admin.code, admin.output).toBe(0);
    const created = lastJson(admin.stdout);
    expect(created.user).toMatchObject({ email: 'ops@example.com', role: 'admin', name: 'ops' });
    expect(created.password).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(created.apiKey).toMatch(/^cscx_/);

    const csm = await cli(['users', 'create', '--email', 'csm@example.com', '--role', 'csm', '--name', 'Casey', '--password-stdin'], 'a-long-enough-password\n');
    expect(csm.code, csm.output).toBe(0);
    expect(csm.output).toMatch(/^created csm csm@example.com \(/);
    expect(csm.output).not.toContain('password');

    const twice = await cli(['users', 'create', '--email', 'OPS@example.com', '--role', 'admin']);
    expect(twice.code).toBe(1);
    expect(twice.output.trim()).toBe('there is already a user with the email OPS@example.com');
    const badRole = await cli(['users', 'create', '--email', 'x@example.com', '--role', 'owner']);
    expect(badRole.code).toBe(1);
    expect(badRole.output.trim()).toBe('"owner" is not a role: use admin, leader, csm');
    const noEmail = await cli(['users', 'create', '--role', 'csm']);
    expect(noEmail.output.trim()).toBe('users create needs --email; npm run cli -- users create --help says more');
  });

  it.each(NOT_SUBDOMAINS)('refuses to connect %j, naming the accepted forms, and connects nothing', async (subdomain) => {
    const refused = await cli(['connect', `--subdomain=${subdomain}`, '--email', 'admin@example.com', '--api-token', API_TOKEN]);
    expect(refused.code).toBe(1);
    expect(refused.output.trim()).toMatch(/^(".+" is not a Zendesk subdomain|the Zendesk subdomain is missing): give the subdomain alone \(acme\) or the account's URL \(https:\/\/acme\.zendesk\.com or http:\/\/127\.0\.0\.1:\d+\/acme\)$/);
  });

  it('connected nothing for those', async () => {
    const status = await cli(['status', '--json']);
    expect(status.code).toBe(0);
    expect(lastJson(status.stdout).connections).toEqual([]);
  });

  it('connects a subdomain with an API token, and refuses a wrong token in one line', async () => {
    const wrong = await cli(['connect', '--subdomain', 'acme', '--email', 'admin@example.com', '--api-token', 'wrong-token']);
    expect(wrong.code).toBe(1);
    expect(wrong.output.trim()).toBe('Zendesk refused the email and API token for acme: check the email and the token, and that the token is active');

    // The account URL that ZENDESK_URL_TEMPLATE gives (here the emulator's), in any case.
    const ok = await cli(['connect', '--subdomain', `${zendesk.url}/ACME/`, '--email', 'admin@example.com', '--api-token', API_TOKEN, '--json']);
    expect(ok.code, ok.output).toBe(0);
    expect(lastJson(ok.stdout)).toMatchObject({ connection: { subdomain: 'acme', status: 'active', zendeskUser: 'admin@example.com' }, importQueued: true });

    const status = await cli(['status', '--json']);
    expect(status.code).toBe(0);
    const report = lastJson(status.stdout);
    expect(report.connections).toEqual([expect.objectContaining({ subdomain: 'acme', status: 'active', sync: expect.objectContaining({ state: 'importing', imported: 0 }) })]);
    expect(report.outbox).toEqual({ pending: 0, retrying: 0, oldestAgeSeconds: 0 });
    // The import job waits in the queue for a worker.
    expect(report.queue).toContainEqual({ queue: 'zendesk-sync', state: 'created', count: 1 });
  });

  it('syncs with --wait, printing progress as JSON lines, then shows the connection live', async () => {
    const run = await cli(['sync', 'acme', '--wait', '--json']);
    expect(run.code, run.output).toBe(0);
    const lines = run.stdout.trim().split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line));
    const progress = lines.filter((line) => line.event === 'progress');
    expect(progress.length).toBeGreaterThan(0);
    for (const line of progress) expect(Object.keys(line)).toEqual(expect.arrayContaining(['state', 'imported', 'total', 'ratePerSecond', 'etaSeconds']));
    const result = lines.at(-1);
    expect(result).toMatchObject({ event: 'result', connection: 'acme', outcome: 'synced', sync: { state: 'live', imported: TICKETS } });
    expect(progress.at(-1)).toMatchObject({ state: 'live', imported: TICKETS, etaSeconds: 0 });

    const again = await cli(['sync', '--wait']);
    expect(again.code, again.output).toBe(0);
    expect(again.output).toMatch(/acme live +\[#{24}\] 100% {2}1,500\/1,500/);
    expect(again.output).toMatch(/^acme: synced in [\d.]+s \(0 tickets written\); live, 1,500 imported$/m);

    const status = await cli(['status']);
    expect(status.code).toBe(0);
    expect(status.output).toMatch(/^ {2}acme +active +sync live +imported 1500\/1500 +lag \d+s$/m);
    expect(status.output).toMatch(/^queue: \d+ waiting, 0 running, 0 failed/m);

    const unknown = await cli(['sync', 'globex']);
    expect(unknown.code).toBe(1);
    expect(unknown.output.trim()).toBe('no Zendesk connection "globex"; npm run cli -- status lists them');
  });
});
