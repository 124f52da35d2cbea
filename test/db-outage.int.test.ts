/**
 * Database outage under webhook traffic, against the real process (`tsx src/main.ts`) on
 * PostgreSQL. The process reaches the server through a TCP proxy of this test, which is cut for
 * 10 s (every connection dropped, new ones refused) while the emulator's tickets keep changing and
 * its trigger keeps delivering webhooks. During the cut the webhook answers 503 with Retry-After,
 * which Zendesk (and the emulator) retries; once the database is back everything is processed:
 * our tickets equal Zendesk's. (The shared PostgreSQL server itself is never stopped: other tests
 * use it.) PostgreSQL only: the embedded engine has no server to lose.
 */
import { mkdtempSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../emulator/app.ts';
import { createTestDb, testDatabaseUrl, type TestDb } from '../src/db/test-db.ts';
import { differencesFromZendesk, emulatorApi } from '../src/modules/ingest/sync-test-helpers.ts';
import { freePort, runScript, type RunningProcess } from './process-helpers.ts';

const API_TOKEN = 'outage-test-token';
const ADMIN_KEY = 'outage-test-admin-key-0123456789abcdef';
const OUTAGE_MS = 10_000;

/** A TCP proxy to PostgreSQL that can be cut (all connections dropped, new ones refused) and restored. */
async function startCuttableProxy(target: { host: string; port: number }): Promise<{ port: number; cut(): void; restore(): void; close(): Promise<void> }> {
  let down = false;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    if (down) {
      client.destroy();
      return;
    }
    const upstream = connect(target.port, target.host);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    cut() {
      down = true;
      for (const socket of sockets) socket.destroy();
    },
    restore() {
      down = false;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

describe.skipIf(!testDatabaseUrl())('database outage under webhook traffic (PostgreSQL)', () => {
  let testDb: TestDb;
  let zendesk: RunningEmulator;
  let proxy: Awaited<ReturnType<typeof startCuttableProxy>>;
  let server: RunningProcess | undefined;
  let base: string;

  beforeAll(async () => {
    testDb = await createTestDb();
    zendesk = await startEmulator({ port: 0, tickets: 200, users: 40, organizations: 5, apiToken: API_TOKEN, seed: 11 });
    const url = new URL(testDatabaseUrl() ?? '');
    proxy = await startCuttableProxy({ host: url.hostname, port: Number(url.port || 5432) });
    url.host = `127.0.0.1:${proxy.port}`;
    url.searchParams.set('options', `-c search_path=${testDb.schema}`);
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    server = runScript('src/main.ts', [], {
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_URL: base,
      DATABASE_URL: url.toString(),
      DATA_DIR: mkdtempSync(join(tmpdir(), 'cscx-outage-')),
      ENCRYPTION_KEY: `k1:${Buffer.alloc(32, 7).toString('base64')}`,
      ADMIN_API_KEY: ADMIN_KEY,
      LOG_LEVEL: 'error',
      ZENDESK_URL_TEMPLATE: `${zendesk.url}/{subdomain}`,
      ZENDESK_EXPORT_REQUESTS_PER_MINUTE: '0',
      ZENDESK_REQUESTS_PER_MINUTE: '0',
      // No scheduled catch-up during the test: what is processed comes through the webhooks.
      SYNC_INTERVAL_SECONDS: '3600',
      SHUTDOWN_TIMEOUT_SECONDS: '5',
    });
    await server.waitForLine(/listening on/);
  });
  afterAll(async () => {
    if (server && server.child.exitCode !== null) console.error(`the server exited with ${server.child.exitCode}:\n${server.output().slice(-4000)}`);
    await server?.stop('SIGTERM');
    await proxy?.close();
    await zendesk?.app.close();
    await testDb?.destroy();
  });

  it('answers 503 while the database is away, then processes every change once it is back', async () => {
    const connected = await fetch(`${base}/api/integrations/zendesk/connect`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ subdomain: 'acme', method: 'api_token', email: 'admin@example.com', apiToken: API_TOKEN }),
    });
    expect(connected.status).toBe(201);
    const connectionId = ((await connected.json()) as { connection: { id: string } }).connection.id;
    const db = testDb.db;
    for (let i = 0; ; i += 1) {
      const { rows } = await db.query<{ phase: string }>('SELECT phase FROM zendesk_sync_state WHERE connection_id = $1', [connectionId]);
      if (rows[0]?.phase === 'live') break;
      if (i > 300) throw new Error('the import did not finish');
      await sleep(100);
    }

    // Traffic: a ticket change every 200 ms for 20 s; the database is cut from 4 s to 14 s.
    const api = emulatorApi(zendesk, API_TOKEN);
    const ids = [...zendesk.store.state('acme')!.account.tickets.values()].filter((t) => !t.deleted && t.status !== 'closed').map((t) => t.id);
    const priorities = ['low', 'normal', 'high', 'urgent'];
    const started = Date.now();
    let cut = false;
    let restored = false;
    let readyDuringOutage: number | undefined;
    for (let n = 0; Date.now() - started < 20_000; n += 1) {
      const elapsed = Date.now() - started;
      if (!cut && elapsed > 4_000) {
        proxy.cut();
        cut = true;
      }
      if (cut && !restored && elapsed > 4_000 + OUTAGE_MS / 2 && readyDuringOutage === undefined) {
        readyDuringOutage = (await fetch(`${base}/readyz`)).status;
      }
      if (cut && !restored && elapsed > 4_000 + OUTAGE_MS) {
        proxy.restore();
        restored = true;
      }
      const id = ids[(n * 7) % ids.length]!;
      const answer = await api('PUT', `/tickets/${id}.json`, { ticket: { priority: priorities[n % 4], tags: [`change-${n}`] } });
      expect(answer.status).toBe(200);
      await sleep(200);
    }
    expect(restored).toBe(true);
    expect(readyDuringOutage).toBe(503);

    // Every change arrives once the database is back (the 503s are retried after Retry-After).
    let differences: string[] = [];
    for (let i = 0; i < 120; i += 1) {
      differences = await differencesFromZendesk(db, zendesk, 'acme', connectionId);
      if (differences.length === 0) break;
      await sleep(500);
    }
    expect(differences).toEqual([]);
    const log = (await (await fetch(`${zendesk.url}/_emulator/webhook-deliveries?subdomain=acme`)).json()) as { deliveries: Array<{ status_code: number | null }> };
    const codes = log.deliveries.map((d) => d.status_code);
    expect(codes).toContain(503);
    expect(codes).toContain(200);
    expect(codes.filter((code) => code !== null && code >= 500 && code !== 503)).toEqual([]);
    // And every stored delivery is processed (none left behind by a job lost in the outage).
    let pending = -1;
    for (let i = 0; i < 60 && pending !== 0; i += 1) {
      if (i > 0) await sleep(500);
      pending = (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM zendesk_webhook_deliveries WHERE processed_at IS NULL')).rows[0]?.n ?? -1;
    }
    expect(pending).toBe(0);
  }, 150_000);
});
