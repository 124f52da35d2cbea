/**
 * The job queue: pg-boss 10 on our own database (PGlite or PostgreSQL, through the Db port), with
 * our own fetch loop for an in-process wake-up. Delivery is at least once: a job whose handler
 * fails, times out or dies with its process runs again, so handlers must be idempotent.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import PgBoss from 'pg-boss';
import type { Db } from '../db/db.ts';
import type { Logger } from '../lib/logger.ts';
import { coalescedRequests } from './coalesced-requests.ts';
import { startJobWorker, type JobHandler, type JobWorker } from './job-worker.ts';
import { pgBossDb } from './pg-boss-db.ts';
import type { JobObserver } from '../observability/metrics.ts';

export interface JobQueue {
  start(): Promise<void>;
  /** Stops fetching; waits (bounded by timeoutMs) for running handlers to finish. */
  stop(options?: { timeoutMs?: number }): Promise<void>;
  /** Enqueues a job. With singletonKey: at most one job with that key waiting in the queue at a time (a duplicate send while one waits answers null). */
  send(queue: string, data: object, options?: { singletonKey?: string; startAfterSeconds?: number; retryLimit?: number; retryDelaySeconds?: number }): Promise<string | null>;
  /** Registers a handler. A handler that throws is retried (pg-boss retry with backoff). `batchSize` jobs at most are handed over per call. */
  work<T extends object>(queue: string, options: { batchSize?: number; pollingIntervalSeconds?: number }, handler: (jobs: Array<{ id: string; data: T }>) => Promise<void>): Promise<void>;
  /**
   * Asks for one run of `queue` for `key`: a singleton job (at most one waits per key) and a
   * wake-up of this process's workers. Requests for the same queue and key coalesce in this
   * process (coalesced-requests.ts), so a burst costs a few sends, not one each; they must carry
   * the same data.
   */
  request(queue: string, data: object, key: string): Promise<void>;
  /** Wakes the workers of this queue now instead of at their next poll (in-process; used right after a send for low latency). */
  notify(queue: string): void;
  /** Counts of jobs per state for a queue (for status and tests). */
  counts(queue: string): Promise<{ queued: number; active: number; failed: number; completed: number }>;
  /** Jobs per queue and state, every queue (metrics, `cli status`). */
  depth(): Promise<Array<{ queue: string; state: string; count: number }>>;
  /** True between a successful start and the beginning of stop (what /readyz checks). */
  isRunning(): boolean;
}

/** Retries: 5 more attempts, about 5-10 s, 10-20 s, 20-40 s, 40-80 s and 80-160 s after each failure. */
const DEFAULT_RETRY_LIMIT = 5;
const DEFAULT_RETRY_DELAY_SECONDS = 5;
const DEFAULT_POLLING_INTERVAL_SECONDS = 2;
/** pg-boss's floor for polling; ours could go lower, but other processes only have polling. */
const MIN_POLLING_INTERVAL_SECONDS = 0.5;
const DEFAULT_STOP_TIMEOUT_MS = 30_000;
/** Sends of one queue and key, coalesced (see request), start at least this far apart. */
const REQUEST_SPACING_MS = 100;

/**
 * Every queue is created with pg-boss's `short` policy: a unique index allows one job per
 * singleton key in state `created` (waiting), so a second send with that key answers null, while
 * a job that has started (or waits for a retry) no longer blocks a new one: a change that arrives
 * while its job runs is not lost. `singleton` and `stately` would also gate running jobs, and
 * `standard` does not dedupe at all. The index takes a missing key as '', so jobs sent without a
 * key get their own id as key, or only one keyless job could wait at a time.
 */
const QUEUE_POLICY = 'short';

export function createJobQueue(db: Db, options: { schema?: string; logger: Logger; observer?: JobObserver }): JobQueue {
  const logger = options.logger.child({ component: 'jobs' });
  const schema = options.schema ?? 'pgboss';
  const boss = new PgBoss({
    db: pgBossDb(db),
    schema,
    migrate: true,
    // Maintenance: expire jobs stuck in `active` past their expiry, archive finished jobs, delete
    // old archives. One process runs it per interval (pg-boss keeps the time in its tables).
    supervise: true,
    maintenanceIntervalSeconds: 60,
    archiveCompletedAfterSeconds: 10 * 60,
    archiveFailedAfterSeconds: 24 * 60 * 60,
    deleteAfterHours: 1,
    // No cron schedules (yet): the timekeeper would poll an internal queue for nothing.
    schedule: false,
  });
  // pg-boss reports maintenance and connection problems as events; unheard, an 'error' event
  // would crash the process. The next round retries on its own.
  boss.on('error', (error) => logger.error({ err: error }, 'pg-boss error'));

  let state: 'new' | 'started' | 'stopping' | 'stopped' = 'new';
  let starting: Promise<void> | undefined;
  const workers: JobWorker[] = [];
  const queues = new Map<string, Promise<void>>();

  const assertRunning = (what: string, allowed: ReadonlyArray<typeof state>) => {
    if (!allowed.includes(state)) throw new Error(`job queue: ${what} needs a started queue (it is ${state})`);
  };

  // pg-boss 10 drops sends to a queue that does not exist (the insert joins the queue table), so
  // every queue is created on first use. create_queue does nothing for an existing queue.
  // pg-boss's create_queue attaches a partition to its job table; two processes creating queues at
  // once (workers starting together on PostgreSQL) deadlock there ("deadlock detected", seen in
  // the scale-out test). One advisory lock per pg-boss schema makes them take turns.
  const createQueueSerialized = async (name: string): Promise<void> => {
    if (db.engine !== 'postgres') return boss.createQueue(name, { name, policy: QUEUE_POLICY });
    await db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`${schema}.create_queue`]);
      await tx.query(`SELECT ${schema}.create_queue($1, $2)`, [name, JSON.stringify({ policy: QUEUE_POLICY })]);
    });
  };

  // Likewise pg-boss's first install: processes starting together on an empty database all find
  // it missing and race to create its schema ("duplicate key ... pg_namespace_nspname_index", seen
  // in the scale-out test), and a failed start cannot be retried. A transaction holds an advisory
  // lock while this process starts pg-boss (on other connections), so the next one finds it made.
  const startBoss = async (): Promise<unknown> => {
    if (db.engine !== 'postgres') return boss.start();
    return db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`${schema}.start`]);
      return boss.start();
    });
  };

  const ensureQueue = (name: string): Promise<void> => {
    let created = queues.get(name);
    if (!created) {
      created = createQueueSerialized(name).catch((error: unknown) => {
        queues.delete(name);
        throw error;
      });
      queues.set(name, created);
    }
    return created;
  };

  // A job waits at most this long after a request that found one already being asked for;
  // the webhook and refresh workers gather for 250 ms anyway.
  const coalesce = coalescedRequests(REQUEST_SPACING_MS);
  const jobQueue: JobQueue = {
    start() {
      starting ??= startBoss().then(
        () => {
          state = 'started';
        },
        (error: unknown) => {
          starting = undefined;
          throw error;
        },
      );
      return starting;
    },

    async stop({ timeoutMs = DEFAULT_STOP_TIMEOUT_MS } = {}) {
      await starting?.catch(() => {});
      if (state !== 'started') return;
      state = 'stopping';
      for (const worker of workers) worker.stop();
      const timer = new AbortController();
      const finished = await Promise.race([
        Promise.all(workers.map((worker) => worker.done)).then(() => true),
        sleep(timeoutMs, false, { signal: timer.signal }),
      ]);
      timer.abort();
      if (!finished) {
        for (const worker of workers) {
          const ids = worker.abandon();
          if (ids.length === 0) continue;
          // Failed now, they are retried at once by another process instead of after their expiry.
          logger.warn({ queue: worker.queue, jobIds: ids, timeoutMs }, 'jobs still running at shutdown are failed for a retry');
          await boss.fail(worker.queue, ids).catch((error: unknown) => logger.error({ err: error, queue: worker.queue }, 'could not fail jobs at shutdown'));
        }
      }
      // graceful: false: pg-boss's own wait is for its own workers, and we have none.
      await boss.stop({ graceful: false, close: false });
      state = 'stopped';
    },

    async send(queue, data, sendOptions = {}) {
      // Handlers finishing during a graceful stop may still enqueue their follow-up jobs.
      assertRunning('send', ['started', 'stopping']);
      await ensureQueue(queue);
      const id = randomUUID();
      const retryDelay = sendOptions.retryDelaySeconds ?? DEFAULT_RETRY_DELAY_SECONDS;
      return boss.send(queue, data, {
        id,
        singletonKey: sendOptions.singletonKey ?? id,
        retryLimit: sendOptions.retryLimit ?? DEFAULT_RETRY_LIMIT,
        retryDelay,
        // pg-boss makes a backoff delay at least 1 s; a delay of 0 asks for an immediate retry.
        retryBackoff: retryDelay > 0,
        ...(sendOptions.startAfterSeconds ? { startAfter: sendOptions.startAfterSeconds } : {}),
      });
    },

    async work<T extends object>(queue: string, workOptions: { batchSize?: number; pollingIntervalSeconds?: number }, handler: JobHandler<T>) {
      assertRunning('work', ['started']);
      const batchSize = workOptions.batchSize ?? 1;
      const pollingIntervalSeconds = workOptions.pollingIntervalSeconds ?? DEFAULT_POLLING_INTERVAL_SECONDS;
      if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`job queue: batchSize must be a whole number of at least 1, got ${batchSize}`);
      if (!(pollingIntervalSeconds >= MIN_POLLING_INTERVAL_SECONDS)) {
        throw new Error(`job queue: pollingIntervalSeconds must be at least ${MIN_POLLING_INTERVAL_SECONDS}, got ${pollingIntervalSeconds}`);
      }
      await ensureQueue(queue);
      workers.push(startJobWorker({ boss, queue, batchSize, pollingIntervalMs: pollingIntervalSeconds * 1000, handler, logger, observer: options.observer }));
    },

    request(queue, data, key) {
      return coalesce(`${queue}\n${key}`, async () => {
        await jobQueue.send(queue, data, { singletonKey: key });
        jobQueue.notify(queue);
      });
    },

    notify(queue) {
      for (const worker of workers) if (worker.queue === queue) worker.wake();
    },

    async counts(queue) {
      // The schema name was validated by pg-boss's constructor (letters, digits, underscores).
      const { rows } = await db.query<{ state: string; count: number }>(
        `SELECT state::text AS state, count(*)::int AS count FROM ${schema}.job WHERE name = $1 GROUP BY state`,
        [queue],
      );
      const of = (...states: string[]) => rows.filter((row) => states.includes(row.state)).reduce((sum, row) => sum + row.count, 0);
      // Completed jobs count until maintenance archives them (10 minutes after completion).
      return { queued: of('created', 'retry'), active: of('active'), failed: of('failed'), completed: of('completed') };
    },

    async depth() {
      return depthOf(db, schema);
    },

    isRunning() {
      return state === 'started';
    },
  };
  return jobQueue;
}

/** Jobs per queue and state in a pg-boss schema (completed jobs count until they are archived). */
export async function depthOf(db: Db, schema: string): Promise<Array<{ queue: string; state: string; count: number }>> {
  if (!/^[a-z_][a-z0-9_]*$/i.test(schema)) throw new Error(`job queue: "${schema}" is not a schema name`);
  const { rows } = await db.query<{ queue: string; state: string; count: number }>(
    `SELECT name AS queue, state::text AS state, count(*)::int AS count FROM ${schema}.job GROUP BY name, state ORDER BY name, state`,
  );
  return rows;
}

/** The schema of pg-boss's tables beside ours: `pgboss`, or `pgboss_<schema>` for an installation in a schema of its own. */
export async function jobSchemaOf(db: Db): Promise<string> {
  const { rows } = await db.query<{ schema: string }>('SELECT current_schema() AS schema');
  const ourSchema = rows[0]?.schema ?? 'public';
  return ourSchema === 'public' ? 'pgboss' : `pgboss_${ourSchema}`;
}
