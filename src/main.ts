/**
 * Composition root: configuration -> database (migrated) -> HTTP server. The only place that
 * reads the process environment (through loadConfig) and decides what runs.
 */
import { ConfigError, loadConfig } from './config.ts';
import { DataDirLockedError } from './db/data-dir-lock.ts';
import { migrate } from './db/migrate.ts';
import { openDatabase } from './db/open-db.ts';
import { buildApp } from './http/app.ts';
import { createLogger } from './lib/logger.ts';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL);
  const db = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR });
  const { applied } = await migrate(db);
  logger.info({ engine: db.engine, applied }, 'database ready');
  const app = await buildApp({ config, db, logger });

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
