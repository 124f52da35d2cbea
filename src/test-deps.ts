/** Everything an integration test needs: real database (fresh schema), silent logger, a fresh key. */
import { loadConfig } from './config.ts';
import { createTestDb, type TestDb } from './db/test-db.ts';
import type { Deps } from './deps.ts';
import { createLogger } from './lib/logger.ts';
import { addKey, createSecretBox, type Keyring } from './lib/secret-box.ts';

export async function createTestDeps(env: NodeJS.ProcessEnv = {}): Promise<{ deps: Deps; keyring: Keyring; testDb: TestDb; destroy(): Promise<void> }> {
  const testDb = await createTestDb();
  const keyring = addKey(undefined, 'test');
  const deps: Deps = {
    config: loadConfig(env),
    db: testDb.db,
    logger: createLogger('silent'),
    secrets: createSecretBox(keyring),
  };
  return { deps, keyring, testDb, destroy: () => testDb.destroy() };
}
