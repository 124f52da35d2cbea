/**
 * The import under Zendesk's bad days, from the emulator's fault injection: 20% 5xx, dropped
 * connections, truncated pages, slow answers and a 429 storm. Runs that fail resume from their
 * cursor; the end state equals Zendesk's exactly.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../../emulator/app.ts';
import type { Deps } from '../../deps.ts';
import { createTestDeps } from '../../test-deps.ts';
import { connectWithApiToken } from '../connections/connections.service.ts';
import { createUser } from '../users/auth.service.ts';
import { differencesFromZendesk } from './sync-test-helpers.ts';
import { runSync, type SyncRunResult } from './sync.service.ts';

const API_TOKEN = 'faults-token';

describe('import under faults', () => {
  let zendesk: RunningEmulator;
  let deps: Deps;
  let destroy: () => Promise<void>;

  beforeAll(async () => {
    // Time scale 60: Zendesk's minute-long windows (the export's exclusion, a 429 storm) pass in a second.
    zendesk = await startEmulator({ port: 0, tickets: 3000, users: 200, organizations: 10, apiToken: API_TOKEN, timeScale: 60, seed: 11 });
    ({ deps, destroy } = await createTestDeps({ ZENDESK_URL_TEMPLATE: `${zendesk.url}/{subdomain}`, PUBLIC_URL: 'http://127.0.0.1:9' }));
  });
  afterAll(async () => {
    await zendesk?.close();
    await destroy?.();
  });

  it('converges to the exact Zendesk state through 5xx, resets, truncated pages, latency and a 429 storm', async () => {
    const admin = await createUser(deps.db, { email: 'admin@cscx.test', name: 'Admin', role: 'admin', password: null });
    const connection = await connectWithApiToken(deps, admin, { subdomain: 'acme', email: 'admin@example.com', apiToken: API_TOKEN });
    const setFaults = (faults: object) =>
      fetch(`${zendesk.url}/_emulator/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(faults) });
    const set = await setFaults({ '5xx': 0.2, reset: 0.05, malformed: 0.05, latency: '5ms' });
    expect(await set.json()).toMatchObject({ '5xx': 0.2, reset: 0.05, malformed: 0.05, latency: '5ms' });

    const runs: SyncRunResult[] = [];
    for (let run = 0; run < 40; run += 1) {
      if (run === 1) await setFaults({ '5xx': 0.2, reset: 0.05, malformed: 0.05, latency: '5ms', storm429: { seconds: 30 } });
      const result = await runSync(deps, connection.id);
      runs.push(result);
      if (result.outcome === 'synced') break;
    }
    expect(runs.at(-1)?.outcome).toBe('synced');
    await setFaults({});
    expect(await differencesFromZendesk(deps.db, zendesk, 'acme', connection.id)).toEqual([]);
  });
});
