/** Everything an integration test needs: real database (fresh schema), silent logger, a fresh key. */
import { loadConfig } from './config.ts';
import { createTestDb, type TestDb } from './db/test-db.ts';
import type { Deps } from './deps.ts';
import { createLogger } from './lib/logger.ts';
import { addKey, createSecretBox } from './lib/secret-box.ts';

export async function createTestDeps(env: NodeJS.ProcessEnv = {}): Promise<{ deps: Deps; testDb: TestDb; destroy(): Promise<void> }> {
  const testDb = await createTestDb();
  const deps: Deps = {
    config: loadConfig(env),
    db: testDb.db,
    logger: createLogger('silent'),
    secrets: createSecretBox(addKey(undefined, 'test')),
  };
  return { deps, testDb, destroy: () => testDb.destroy() };
}
