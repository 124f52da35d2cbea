/**
 * Scale-out on PostgreSQL: two `serve` and two `worker` processes share one database with
 * no other coordination. A 20,000-ticket import and a burst of webhooks (the emulator's own signed
 * trigger calls to one server, and our replays of them, duplicated, to both) run at once; the
 * worker running the import is killed (SIGKILL) mid-way. At the end the database equals the
 * emulator's state, no ticket or alert exists twice, every delivery was processed, and the sync
 * runs of different workers never overlapped in time (one sync per connection at a time).
 *
 * Several processes on one database need a server: this runs in the PostgreSQL pass of the suite
 * (TEST_DATABASE_URL), and says so in the PGlite pass.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../emulator/app.ts';
import { migrate } from '../src/db/migrate.ts';
import { createTestDb, testDatabaseUrl, type TestDb } from '../src/db/test-db.ts';
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/lib/logger.ts';
import { addKey, createSecretBox, formatKeyring } from '../src/lib/secret-box.ts';
import { webhookSecretFor } from '../src/modules/connections/connections.service.ts';
import { recordSyncRequests } from '../src/test-deps.ts';
import { upsertCustomers } from '../src/modules/customers/customers.service.ts';
import { differencesFromZendesk } from '../src/modules/ingest/sync-test-helpers.ts';
import { createApiKey, createUser } from '../src/modules/users/auth.service.ts';
import { freePort, runScript, type RunningProcess } from './process-helpers.ts';

const API_TOKEN = 'scale-out-token';
const TICKETS = 20_000;
const UPDATES = 150;
const postgresUrl = testDatabaseUrl();

interface LogLine {
  time: number;
  pid: number;
  msg: string;
  pages?: number;
  connectionId?: string;
}

function logLines(process: RunningProcess): LogLine[] {
  return process
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => {
      try {
        return JSON.parse(line) as LogLine;
      } catch {
        return null;
      }
    })
    .filter((line): line is LogLine => line !== null);
}

describe.runIf(postgresUrl)('scale-out: 2 serve + 2 worker processes on PostgreSQL', () => {
  let zendesk: RunningEmulator;
  let testDb: TestDb;
  const processes: RunningProcess[] = [];
  const keyring = addKey(undefined, 'scale');
  let adminKey: string;
  const ports: number[] = [];

  const env = (extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv => ({
    DATABASE_URL: `${postgresUrl}?options=${encodeURIComponent(`-c search_path=${testDb.schema}`)}`,
    DATA_DIR: mkdtempSync(join(tmpdir(), 'cscx-scale-')),
    ZENDESK_URL_TEMPLATE: `${zendesk.url}/{subdomain}`,
    PUBLIC_URL: `http://127.0.0.1:${ports[0]}`,
    ENCRYPTION_KEY: formatKeyring(keyring),
    LOG_LEVEL: 'debug',
    ZENDESK_EXPORT_REQUESTS_PER_MINUTE: '0',
    ZENDESK_REQUESTS_PER_MINUTE: '0',
    SYNC_INTERVAL_SECONDS: '10',
    ...extra,
  });
  const start = (role: 'serve' | 'worker', extra: NodeJS.ProcessEnv = {}) => {
    const child = runScript('src/main.ts', [role], env(extra));
    processes.push(child);
    return child;
  };

  beforeAll(async () => {
    zendesk = await startEmulator({ port: 0, tickets: TICKETS, users: 2000, organizations: 60, apiToken: API_TOKEN, seed: 11 });
    testDb = await createTestDb();
    await migrate(testDb.db);
    const admin = await createUser(testDb.db, { email: 'admin@cscx.test', name: 'Admin', role: 'admin', password: null });
    adminKey = (await createApiKey(testDb.db, admin.id, 'scale-out')).key;
    // Customers claim the organizations' domains, so tickets match and escalations become alerts.
    const organizations = [...zendesk.store.state('acme')!.account.organizations.values()];
    await upsertCustomers(
      testDb.db,
      organizations.filter((o) => o.domain_names.length > 0).map((o, i) => ({ externalId: `c${i}`, name: o.name, domains: o.domain_names })),
    );
    ports.push(await freePort(), await freePort());
  }, 120_000);

  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop('SIGKILL')));
    await zendesk?.close();
    await testDb?.destroy();
  });

  it('imports, takes webhooks on both servers, survives a killed worker, and ends equal to Zendesk, once each', { timeout: 300_000 }, async () => {
    const servers = [start('serve', { PORT: String(ports[0]) }), start('serve', { PORT: String(ports[1]) })];
    await Promise.all(servers.map((s) => s.waitForLine(/listening on http/, 60_000)));
    const workers = [start('worker'), start('worker')];
    await Promise.all(workers.map((w) => w.waitForLine(/worker running/, 60_000)));

    const api = (port: number, path: string, init: RequestInit = {}) =>
      fetch(`http://127.0.0.1:${port}${path}`, { ...init, headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json', ...init.headers } });
    const connected = await api(ports[0]!, '/api/integrations/zendesk/connect', {
      method: 'POST',
      body: JSON.stringify({ subdomain: 'acme', method: 'api_token', email: 'admin@example.com', apiToken: API_TOKEN }),
    });
    expect(connected.status, await connected.clone().text()).toBe(201);
    const connectionId = ((await connected.json()) as { connection: { id: string } }).connection.id;
    const { rows: secretRows } = await testDb.db.query<{ n: number }>('SELECT count(*)::int AS n FROM zendesk_connections WHERE webhook_id IS NOT NULL');
    expect(secretRows[0]!.n).toBe(1);

    // Kill the worker that runs the import once it has committed two pages.
    const importer = await Promise.race(workers.map((w) => w.waitForLine(/"pages":2,.*"msg":"sync page committed"/, 60_000).then(() => w)));
    importer.child.kill('SIGKILL');
    await importer.exited;
    const survivor = workers.find((w) => w !== importer)!;

    // Meanwhile, changes in Zendesk: the emulator fires its signed trigger webhook to server 1 for
    // each; some are escalations of matched tickets.
    const state = zendesk.store.state('acme')!;
    const candidates = [...state.account.tickets.values()].filter((t) => !t.deleted && ['new', 'open', 'pending'].includes(t.status) && t.priority !== 'urgent' && !t.tags.includes('escalated'));
    const changed = candidates.slice(0, UPDATES);
    const zendeskAuth = `Basic ${Buffer.from(`admin@example.com/token:${API_TOKEN}`).toString('base64')}`;
    for (const [i, ticket] of changed.entries()) {
      const body = i % 3 === 0 ? { ticket: { priority: 'urgent', tags: [...ticket.tags, 'escalated'] } } : { ticket: { status: 'pending', comment: { body: `update ${i}`, public: false } } };
      const response = await fetch(`${zendesk.url}/acme/api/v2/tickets/${ticket.id}.json`, { method: 'PUT', headers: { authorization: zendeskAuth, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect(response.status).toBe(200);
    }
    // Our own replays of trigger calls, each sent to both servers with the same invocation id.
    const secret = await webhookSecretFor(
      { config: loadConfig({}), db: testDb.db, logger: createLogger('silent'), secrets: createSecretBox(keyring), syncRequests: recordSyncRequests() },
      connectionId,
    );
    expect(secret).toBeTruthy();
    const replays = changed.slice(0, 60);
    const acks: number[] = [];
    await Promise.all(
      replays.map(async (ticket) => {
        const invocationId = randomUUID();
        const timestamp = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
        const body = JSON.stringify({ source: 'cscx-zendesk-trigger', ticket_id: String(ticket.id), updated_at: timestamp, status: 'Open' });
        const signature = createHmac('sha256', secret!).update(timestamp).update(body).digest('base64');
        for (const port of ports) {
          const response = await fetch(`http://127.0.0.1:${port}/api/integrations/zendesk/webhook?connection=${connectionId}`, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              'x-zendesk-webhook-invocation-id': invocationId,
              'x-zendesk-webhook-signature': signature,
              'x-zendesk-webhook-signature-timestamp': timestamp,
            },
            body,
          });
          acks.push(response.status);
        }
      }),
    );
    expect(acks.every((status) => status === 200)).toBe(true);

    // The survivor takes the import over once the killed worker's lease expires, and finishes it.
    await survivor.waitForLine(/"outcome":"synced"/, 120_000);
    await zendesk.webhooksIdle();
    const settled = async () => {
      const { rows } = await testDb.db.query<{ pending: number; phase: string }>(
        `SELECT (SELECT count(*)::int FROM zendesk_webhook_deliveries WHERE processed_at IS NULL) AS pending,
                (SELECT phase FROM zendesk_sync_state WHERE connection_id = $1) AS phase`,
        [connectionId],
      );
      return rows[0]!.pending === 0 && rows[0]!.phase === 'live';
    };
    const deadline = Date.now() + 90_000;
    while (!(await settled()) || (await differencesFromZendesk(testDb.db, zendesk, 'acme', connectionId)).length > 0) {
      if (Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    expect(await settled()).toBe(true);
    expect(await differencesFromZendesk(testDb.db, zendesk, 'acme', connectionId)).toEqual([]);

    // Each replayed invocation was stored once, though both servers took it.
    const { rows: deliveries } = await testDb.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM zendesk_webhook_deliveries WHERE dedupe_key LIKE 'trigger:%' AND payload->>'updated_at' IS NOT NULL`);
    expect(deliveries[0]!.n).toBeGreaterThanOrEqual(replays.length);
    const { rows: duplicateDeliveries } = await testDb.db.query(`SELECT dedupe_key FROM zendesk_webhook_deliveries GROUP BY connection_id, dedupe_key HAVING count(*) > 1`);
    expect(duplicateDeliveries).toEqual([]);
    // No alert twice; each escalated, matched ticket has exactly one escalation alert.
    const { rows: duplicateAlerts } = await testDb.db.query(`SELECT zendesk_ticket_id, type FROM alerts WHERE type = 'escalation' GROUP BY 1, 2 HAVING count(*) > 1`);
    expect(duplicateAlerts).toEqual([]);
    const escalatedIds = changed.filter((_, i) => i % 3 === 0).map((t) => t.id);
    const { rows: escalationAlerts } = await testDb.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM alerts a JOIN zendesk_tickets t ON t.connection_id = a.connection_id AND t.zendesk_ticket_id = a.zendesk_ticket_id
        WHERE a.type = 'escalation' AND a.zendesk_ticket_id = ANY($1::bigint[]) AND t.customer_id IS NOT NULL`,
      [escalatedIds],
    );
    const { rows: matchedEscalated } = await testDb.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM zendesk_tickets WHERE connection_id = $1 AND zendesk_ticket_id = ANY($2::bigint[]) AND customer_id IS NOT NULL`,
      [connectionId, escalatedIds],
    );
    expect(matchedEscalated[0]!.n).toBeGreaterThan(0);
    expect(escalationAlerts[0]!.n).toBe(matchedEscalated[0]!.n);

    // One sync per connection at a time: group each worker's page commits into runs (pages counts
    // 1, 2, ... within a run) and check that runs of different workers never overlap in time.
    const runs: Array<{ pid: number; from: number; to: number }> = [];
    for (const worker of workers) {
      let current: { pid: number; from: number; to: number } | null = null;
      for (const line of logLines(worker).filter((l) => l.msg === 'sync page committed')) {
        if (!current || line.pages === 1) {
          current = { pid: line.pid, from: line.time, to: line.time };
          runs.push(current);
        } else {
          current.to = line.time;
        }
      }
    }
    expect(new Set(runs.map((r) => r.pid)).size).toBe(2); // both workers synced at some point
    for (const a of runs) {
      for (const b of runs) {
        if (a.pid !== b.pid) expect(a.to < b.from || b.to < a.from, `runs of ${a.pid} and ${b.pid} overlap`).toBe(true);
      }
    }
    // Both servers answered webhooks; nothing logged an error.
    for (const process of [...servers, survivor]) {
      expect(logLines(process).filter((l) => (l as unknown as { level: number }).level >= 50)).toEqual([]);
    }
  });
});

describe.skipIf(postgresUrl)('scale-out (needs PostgreSQL)', () => {
  it.skip('runs in the PostgreSQL pass of the suite (TEST_DATABASE_URL): several processes cannot share the embedded database', () => {});
});
