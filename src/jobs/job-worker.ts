import { setTimeout as sleep } from 'node:timers/promises';
import type PgBoss from 'pg-boss';
import type { Logger } from '../lib/logger.ts';
import type { JobObserver } from '../observability/metrics.ts';

export type JobHandler<T extends object> = (jobs: Array<{ id: string; data: T }>) => Promise<void>;

export interface JobWorker {
  readonly queue: string;
  /** Fetches now instead of at the next poll; a wake-up that arrives mid-fetch is not lost. */
  wake(): void;
  /** Stops fetching; `done` settles once the batch in hand (if any) is finished. */
  stop(): void;
  readonly done: Promise<void>;
  /**
   * Gives up on the batch in hand (used when stop times out): answers its job ids and makes sure
   * this worker records no outcome for them later, since the caller fails them itself.
   */
  abandon(): string[];
}

// pg-boss types `fail(name, ids[])` without the output argument its implementation accepts.
type FailMany = (name: string, ids: string[], output: unknown) => Promise<unknown>;

/**
 * Our fetch loop in place of `boss.work`: the same fetch / complete / fail calls, plus an in-process
 * wake-up, so that a job sent by this process starts at once instead of at the next poll. Polling
 * stays as the fallback for jobs sent by other processes. One batch at a time per worker; after a
 * batch it fetches again at once, and sleeps only when the queue had nothing for it.
 */
export function startJobWorker<T extends object>(args: {
  boss: PgBoss;
  queue: string;
  batchSize: number;
  pollingIntervalMs: number;
  handler: JobHandler<T>;
  logger: Logger;
  observer?: JobObserver;
}): JobWorker {
  const { boss, queue, batchSize, pollingIntervalMs, handler, logger, observer } = args;
  let stopping = false;
  let woken = false;
  let sleeping: AbortController | null = null;
  let inHand: string[] = [];
  let abandoned = false;

  const wake = () => {
    woken = true;
    sleeping?.abort();
  };

  const pause = async (ms: number) => {
    const controller = new AbortController();
    sleeping = controller;
    await sleep(ms, undefined, { signal: controller.signal }).catch(() => {});
    sleeping = null;
  };

  const runBatch = async (jobs: Array<PgBoss.Job<T>>) => {
    const ids = jobs.map((job) => job.id);
    if (abandoned) {
      // Fetched while stop gave up on this worker: not started, so they run after their expiry.
      logger.warn({ queue, jobIds: ids }, 'jobs fetched during shutdown were not started; they run again once they expire');
      return;
    }
    inHand = ids;
    const started = performance.now();
    let failure: { error: unknown } | null = null;
    try {
      // pg-boss's own worker gives up on a handler after the job's expiry (15 minutes by default),
      // when maintenance would fail the job anyway; so do we, or one hung call stalls this worker.
      const expireMs = Math.max(1, ...jobs.map((job) => Number(job.expireInSeconds) || 0)) * 1000;
      await withTimeout(
        Promise.resolve().then(() => handler(jobs.map((job) => ({ id: job.id, data: job.data })))),
        expireMs,
        `job handler still running after ${expireMs / 1000}s (the job's expiry)`,
      );
    } catch (error) {
      failure = { error };
    }
    inHand = [];
    try {
      observer?.onBatch({ queue, outcome: failure === null ? 'completed' : 'failed', jobs: ids.length, seconds: (performance.now() - started) / 1000 });
    } catch {
      // Metrics never break the worker.
    }
    if (abandoned) return;
    try {
      if (failure === null) {
        await boss.complete(queue, ids);
      } else {
        // The error, never the job data: payloads are ids, but logs are not where they belong.
        logger.error({ err: failure.error, queue, jobIds: ids }, 'job failed; pg-boss retries it while retries remain');
        await (boss.fail as FailMany)(queue, ids, failure.error);
      }
    } catch (error) {
      // The jobs stay active until their expiry, then maintenance hands them out again.
      logger.error({ err: error, queue, jobIds: ids }, 'could not record the outcome of jobs; they run again once they expire');
    }
  };

  const loop = async () => {
    while (!stopping) {
      woken = false;
      let jobs: Array<PgBoss.Job<T>> = [];
      try {
        jobs = await boss.fetch<T>(queue, { batchSize });
      } catch (error) {
        logger.error({ err: error, queue }, 'could not fetch jobs');
        await pause(pollingIntervalMs);
        continue;
      }
      if (jobs.length > 0) {
        await runBatch(jobs);
        continue;
      }
      if (!stopping && !woken) await pause(pollingIntervalMs);
    }
  };

  const done = loop().catch((error: unknown) => {
    logger.error({ err: error, queue }, 'job worker stopped on an unexpected error');
  });

  return {
    queue,
    wake,
    stop() {
      stopping = true;
      sleeping?.abort();
    },
    done,
    abandon() {
      abandoned = true;
      return inHand;
    },
  };
}

async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  const timer = new AbortController();
  try {
    return await Promise.race([
      promise,
      sleep(ms, undefined, { signal: timer.signal, ref: false }).then(() => {
        throw new Error(message);
      }),
    ]);
  } finally {
    timer.abort();
  }
}
