/**
 * Composition root: configuration -> database (migrated) -> job queue -> HTTP server and/or
 * workers. The only place that decides what runs:
 *   tsx src/main.ts          everything in one process (npm start; the embedded default)
 *   tsx src/main.ts serve    HTTP only (npm run serve)
 *   tsx src/main.ts worker   jobs only (npm run worker)
 * Any number of serve and worker processes may share one PostgreSQL (DATABASE_URL).
 */
import { ConfigError, loadConfig } from './config.ts';
import { DataDirLockedError } from './db/data-dir-lock.ts';
import { currentSchema, migrate } from './db/migrate.ts';
import { openDatabase } from './db/open-db.ts';
import type { Deps } from './deps.ts';
import { buildApp } from './http/app.ts';
import { closeApp } from './http/close-app.ts';
import { checkReadiness } from './http/routes/health.routes.ts';
import { createJobQueue } from './jobs/queue.ts';
import { queueSyncRequests, registerSyncWorkers, startSyncScheduler } from './jobs/sync.jobs.ts';
import { loadKeyring } from './lib/keyring-file.ts';
import { createLogger } from './lib/logger.ts';
import { handleShutdownSignals } from './lib/shutdown.ts';
import { createMetrics } from './observability/metrics.ts';
import { startMetricsServer, type MetricsServer } from './observability/metrics-server.ts';
import { createSecretBox } from './lib/secret-box.ts';
import { startAlertScheduler } from './jobs/alerts.jobs.ts';
import { startAlertMailer } from './jobs/alert-mail.jobs.ts';
import { queueCustomerRefresh, registerCustomerRefreshWorker } from './jobs/aggregates.jobs.ts';
import { readStatusGauges } from './modules/status/status-gauges.ts';
import { ensureFirstAdmin } from './modules/users/auth.service.ts';
import { alertOptionsOf, ticketOutboxDrainer } from './ticket-outbox-effects.ts';
import { startOutboxSweeper } from './jobs/outbox.jobs.ts';

type Role = 'all' | 'serve' | 'worker';

function parseRole(argv: string[]): Role {
  const role = argv[0] ?? 'all';
  if (role === 'all' || role === 'serve' || role === 'worker') return role;
  throw new ConfigError(`unknown role "${role}": run with no argument (everything), "serve" (HTTP only) or "worker" (jobs only)`);
}

async function main(): Promise<void> {
  const role = parseRole(process.argv.slice(2));
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL);
  const db = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR });
  const { applied } = await migrate(db);
  logger.info({ engine: db.engine, applied, role }, 'database ready');

  const { keyring, source } = loadKeyring({ encryptionKey: config.ENCRYPTION_KEY, dataDir: config.DATA_DIR });
  if (source === 'new-file') logger.warn({ dataDir: config.DATA_DIR }, 'created a new encryption key file in DATA_DIR: back it up, or set ENCRYPTION_KEY');
  if (source !== 'env' && config.DATABASE_URL) {
    logger.warn('ENCRYPTION_KEY is not set: credentials are sealed with the key file in DATA_DIR, which other servers sharing this database do not have');
  }
  // pg-boss's tables live in their own schema beside ours: `pgboss`, or `pgboss_<schema>` when this
  // installation lives in a schema of its own (several installations can share one database).
  const ourSchema = await currentSchema(db);
  const metrics = createMetrics({ status: () => readStatusGauges(db) });
  const queue = createJobQueue(db, { logger, schema: ourSchema === 'public' ? 'pgboss' : `pgboss_${ourSchema}`, observer: metrics.jobs });
  await queue.start();
  metrics.watchQueue(() => queue.depth());
  const deps: Deps = { config, db, logger, secrets: createSecretBox(keyring), syncRequests: queueSyncRequests(queue), metrics, queue };
  // Every role drains after its own writes; workers also sweep (entries a crash left behind).
  // A worker sends the mails of the alerts it just raised at once (others within seconds).
  const mailer = role !== 'serve' ? startAlertMailer(deps) : undefined;
  const wakeRefresh = queueCustomerRefresh(queue);
  deps.ticketOutbox = ticketOutboxDrainer(deps, async () => {
    void mailer?.wake();
    await wakeRefresh();
  });

  const schedules: Array<{ stop(): void }> = mailer ? [mailer] : [];
  if (role !== 'serve') {
    await registerSyncWorkers(deps, queue);
    schedules.push(await registerCustomerRefreshWorker(deps, queue));
    schedules.push(startOutboxSweeper(deps, deps.ticketOutbox));
    schedules.push(startSyncScheduler(deps, deps.syncRequests, config.SYNC_INTERVAL_SECONDS));
    schedules.push(startAlertScheduler(deps, alertOptionsOf(config)));
  }

  const app = role === 'worker' ? undefined : await buildApp(deps);
  if (app) {
    const firstAdmin = await ensureFirstAdmin(db, { email: config.ADMIN_EMAIL, password: config.ADMIN_PASSWORD, apiKey: config.ADMIN_API_KEY });
    if (firstAdmin) {
      // Shown once, on the terminal only (never in the JSON log): generated secrets are not stored in clear.
      console.log(`first admin: ${firstAdmin.email}`);
      if (firstAdmin.password) console.log(`  password (shown once): ${firstAdmin.password}`);
      if (firstAdmin.apiKey) console.log(`  API key (shown once): ${firstAdmin.apiKey}`);
    }
  }

  // Stop accepting, finish in-flight requests then jobs (jobs still running past the budget are
  // failed for a retry elsewhere), then close the database (its locks go with it).
  let metricsServer: MetricsServer | undefined;
  handleShutdownSignals({
    logger,
    timeoutMs: config.SHUTDOWN_TIMEOUT_SECONDS * 1000,
    steps: () => [
      { name: 'schedules', run: async () => schedules.forEach((schedule) => schedule.stop()) },
      { name: 'http', run: async (ms) => app && logger.info({ outcome: await closeApp(app, ms) }, 'HTTP server closed') },
      { name: 'jobs', run: (ms) => queue.stop({ timeoutMs: ms }) },
      { name: 'metrics listener', run: async () => metricsServer?.close() },
      { name: 'database', run: () => db.close() },
    ],
  });

  if (app) {
    await app.listen({ port: config.PORT, host: config.HOST });
    console.log(`cscx-zendesk listening on http://${config.HOST}:${config.PORT}`);
  } else {
    console.log('cscx-zendesk worker running');
  }
  if (config.METRICS_PORT) {
    metricsServer = await startMetricsServer({ port: config.METRICS_PORT, host: config.HOST, metrics, token: config.METRICS_TOKEN, readiness: () => checkReadiness(deps) });
    console.log(`cscx-zendesk metrics on http://${config.HOST}:${metricsServer.port}/metrics`);
  }
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof DataDirLockedError) {
    console.error(error.message);
  } else {
    console.error('cscx-zendesk could not start:', error instanceof Error ? error.message : error);
  }
  process.exit(1);
});
