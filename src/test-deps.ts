/** Everything an integration test needs: real database (fresh schema), silent logger, a fresh key. */
import { loadConfig } from './config.ts';
import { createTestDb, type TestDb } from './db/test-db.ts';
import type { Deps } from './deps.ts';
import { createLogger } from './lib/logger.ts';
import { addKey, createSecretBox, type Keyring } from './lib/secret-box.ts';
import type { SyncRequests } from './modules/ingest/sync-requests.ts';

/** Records what was asked of the workers; tests that need the work done run the real queue. */
export interface RecordedSyncRequests extends SyncRequests {
  asked: Array<{ kind: 'sync' | 'processWebhooks'; connectionId: string }>;
}

export function recordSyncRequests(): RecordedSyncRequests {
  const asked: RecordedSyncRequests['asked'] = [];
  return {
    asked,
    sync: async (connectionId) => void asked.push({ kind: 'sync', connectionId }),
    processWebhooks: async (connectionId) => void asked.push({ kind: 'processWebhooks', connectionId }),
  };
}

export async function createTestDeps(env: NodeJS.ProcessEnv = {}): Promise<{ deps: Deps; keyring: Keyring; testDb: TestDb; destroy(): Promise<void> }> {
  const testDb = await createTestDb();
  const keyring = addKey(undefined, 'test');
  const deps: Deps = {
    // Unpaced and unlimited unless a test asks: tests make many export and API calls in a minute.
    config: loadConfig({ ZENDESK_EXPORT_REQUESTS_PER_MINUTE: '0', ZENDESK_REQUESTS_PER_MINUTE: '0', API_RATE_LIMIT_PER_MINUTE: '0', ...env }),
    db: testDb.db,
    logger: createLogger('silent'),
    secrets: createSecretBox(keyring),
    syncRequests: recordSyncRequests(),
  };
  return { deps, keyring, testDb, destroy: () => testDb.destroy() };
}
