/**
 * Composition root: configuration -> database (migrated) -> HTTP server. The only place that
 * reads the process environment (through loadConfig) and decides what runs.
 */
import { ConfigError, loadConfig } from './config.ts';
import { DataDirLockedError } from './db/data-dir-lock.ts';
import { migrate } from './db/migrate.ts';
import { openDatabase } from './db/open-db.ts';
import { buildApp } from './http/app.ts';
import { loadKeyring } from './lib/keyring-file.ts';
import { createLogger } from './lib/logger.ts';
import { createSecretBox } from './lib/secret-box.ts';
import { ensureFirstAdmin } from './modules/users/auth.service.ts';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL);
  const db = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR });
  const { applied } = await migrate(db);
  logger.info({ engine: db.engine, applied }, 'database ready');
  const { keyring, source } = loadKeyring({ encryptionKey: config.ENCRYPTION_KEY, dataDir: config.DATA_DIR });
  if (source === 'new-file') logger.warn({ dataDir: config.DATA_DIR }, 'created a new encryption key file in DATA_DIR: back it up, or set ENCRYPTION_KEY');
  if (source !== 'env' && config.DATABASE_URL) {
    logger.warn('ENCRYPTION_KEY is not set: credentials are sealed with the key file in DATA_DIR, which other servers sharing this database do not have');
  }
  const deps = { config, db, logger, secrets: createSecretBox(keyring) };

  const firstAdmin = await ensureFirstAdmin(db, { email: config.ADMIN_EMAIL, password: config.ADMIN_PASSWORD, apiKey: config.ADMIN_API_KEY });
  if (firstAdmin) {
    // Shown once, on the terminal only (never in the JSON log): generated secrets are not stored in clear.
    console.log(`first admin: ${firstAdmin.email}`);
    if (firstAdmin.password) console.log(`  password (shown once): ${firstAdmin.password}`);
    if (firstAdmin.apiKey) console.log(`  API key (shown once): ${firstAdmin.apiKey}`);
  }
  const app = await buildApp(deps);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) process.exit(1); // a second signal: leave at once
    stopping = true;
    logger.info({ signal }, 'shutting down');
    await app.close();
    await db.close();
    process.exit(0);
  };
  process.on('SIGINT', (signal) => void stop(signal));
  process.on('SIGTERM', (signal) => void stop(signal));

  await app.listen({ port: config.PORT, host: config.HOST });
  console.log(`cscx-zendesk listening on http://${config.HOST}:${config.PORT}`);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof DataDirLockedError) {
    console.error(error.message);
  } else {
    console.error('cscx-zendesk could not start:', error instanceof Error ? error.message : error);
  }
  process.exit(1);
});
