/**
 * Job queue benchmark: 1000 jobs sent and handled through createJobQueue (pg-boss), on in-memory
 * PGlite and, when TEST_DATABASE_URL is set, on that PostgreSQL server (in a throwaway schema).
 * Handlers do nothing, so the figures are the queue's own cost. Reports figures; never passes or
 * fails on them. Run alone with `npx tsx bench/queue.bench.ts`.
 */
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import type { Db } from '../src/db/db.ts';
import { openPglite, pgliteDb } from '../src/db/pglite-db.ts';
import { postgresDb } from '../src/db/postgres-db.ts';
import { createJobQueue, type JobQueue } from '../src/jobs/queue.ts';
import { createLogger } from '../src/lib/logger.ts';

const JOBS = 1000;

type Figures = Record<string, number | string>;

export async function benchQueue(): Promise<Figures> {
  const figures: Figures = {};
  const pglite = pgliteDb(await openPglite(undefined));
  try {
    Object.assign(figures, await measure(pglite, 'pglite'));
  } finally {
    await pglite.close();
  }
  const url = process.env.TEST_DATABASE_URL;
  if (!url) {
    figures['postgres'] = 'skipped (set TEST_DATABASE_URL)';
    return figures;
  }
  const postgres = postgresDb({ connectionString: url });
  try {
    Object.assign(figures, await measure(postgres, 'postgres'));
  } finally {
    await postgres.close();
  }
  return figures;
}

async function measure(db: Db, engine: string): Promise<Figures> {
  const schema = `pgboss_bench_${randomBytes(4).toString('hex')}`;
  const queue = createJobQueue(db, { schema, logger: createLogger('silent') });
  await queue.start();
  try {
    const sendMs = await time(() => sendAll(queue, 'bench-one', false));
    const handleOneMs = await time(() => handleAll(queue, 'bench-one', 1));
    await sendAll(queue, 'bench-fifty', false);
    const handleFiftyMs = await time(() => handleAll(queue, 'bench-fifty', 50));
    // The live path: a worker already waiting, each send followed by notify.
    const liveMs = await time(async () => {
      const done = handleAll(queue, 'bench-live', 1);
      await sendAll(queue, 'bench-live', true);
      await done;
    });
    return {
      [`${engine} send ${JOBS} jobs one by one (ms)`]: round(sendMs),
      [`${engine} handle ${JOBS} queued jobs, batchSize 1 (ms)`]: round(handleOneMs),
      [`${engine} handle ${JOBS} queued jobs, batchSize 50 (ms)`]: round(handleFiftyMs),
      [`${engine} send+notify+handle ${JOBS} jobs, live worker, batchSize 1 (ms)`]: round(liveMs),
      [`${engine} send+notify+handle throughput (jobs/s)`]: Math.round((JOBS / liveMs) * 1000),
    };
  } finally {
    await queue.stop();
    await db.exec(`DROP SCHEMA ${schema} CASCADE`);
  }
}

async function sendAll(queue: JobQueue, name: string, notify: boolean): Promise<void> {
  for (let n = 0; n < JOBS; n += 1) {
    await queue.send(name, { n });
    if (notify) queue.notify(name);
  }
}

/** Registers a worker and resolves once it has handled JOBS jobs. */
async function handleAll(queue: JobQueue, name: string, batchSize: number): Promise<void> {
  let handled = 0;
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  await queue.work(name, { batchSize, pollingIntervalSeconds: 0.5 }, async (jobs) => {
    handled += jobs.length;
    if (handled >= JOBS) finish();
  });
  queue.notify(name);
  await finished;
}

async function time(fn: () => Promise<void>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

function round(ms: number): number {
  return Math.round(ms);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const [figure, value] of Object.entries(await benchQueue())) console.log(`${figure}: ${value}`);
}
