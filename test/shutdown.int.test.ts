import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../emulator/app.ts';
import { freePort, runScript, type RunningProcess } from './process-helpers.ts';

const API_TOKEN = 'shutdown-test-token';
const ADMIN_KEY = 'shutdown-test-admin-key-0123456789abcdef';

// The real process (`tsx src/main.ts`), stopped by a signal while a request is in flight. Every
// call to the emulator takes 600 ms, so connecting (users/me, webhook, signing secret, trigger)
// takes a few seconds: long enough to signal in the middle of it.
describe('graceful shutdown of the real process', () => {
  let zendesk: RunningEmulator;

  beforeAll(async () => {
    zendesk = await startEmulator({ port: 0, tickets: 20, users: 10, organizations: 2, apiToken: API_TOKEN, faults: 'latency=600ms' });
  });
  afterAll(async () => {
    await zendesk?.app.close();
  });

  async function start(): Promise<{ server: RunningProcess; base: string }> {
    const port = await freePort();
    const server = runScript('src/main.ts', [], {
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: mkdtempSync(join(tmpdir(), 'cscx-shutdown-')),
      DATABASE_URL: '',
      LOG_LEVEL: 'warn',
      ZENDESK_URL_TEMPLATE: `${zendesk.url}/{subdomain}`,
      ADMIN_API_KEY: ADMIN_KEY,
      SHUTDOWN_TIMEOUT_SECONDS: '8',
    });
    await server.waitForLine(/listening on/);
    return { server, base: `http://127.0.0.1:${port}` };
  }

  const connect = (base: string, subdomain: string) =>
    fetch(`${base}/api/integrations/zendesk/connect`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ subdomain, method: 'api_token', email: 'admin@example.com', apiToken: API_TOKEN }),
    });

  it('on SIGTERM stops accepting, finishes the request in flight, and exits 0', async () => {
    const { server, base } = await start();
    try {
      const inFlight = connect(base, 'acme');
      await sleep(400);
      const signalledAt = Date.now();
      server.child.kill('SIGTERM');
      await sleep(300);
      // No longer listening: a new connection is refused while the old request finishes.
      await expect(fetch(`${base}/healthz`)).rejects.toThrow();
      const response = await inFlight;
      expect(response.status).toBe(201);
      expect(((await response.json()) as { connection: unknown }).connection).toMatchObject({ subdomain: 'acme', status: 'active' });
      expect(await server.exited).toBe(0);
      expect(Date.now() - signalledAt).toBeLessThan(8_000 + 5_000);
    } finally {
      await server.stop('SIGKILL');
    }
  });

  it('leaves at once on a second signal', async () => {
    const { server, base } = await start();
    try {
      const inFlight = connect(base, 'acme').then(
        (response) => response.status,
        () => 'cut' as const,
      );
      await sleep(400);
      server.child.kill('SIGTERM');
      await sleep(200);
      const secondAt = Date.now();
      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(1);
      expect(Date.now() - secondAt).toBeLessThan(1_500);
      expect(await inFlight).toBe('cut');
    } finally {
      await server.stop('SIGKILL');
    }
  });
});
