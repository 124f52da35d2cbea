/**
 * The sync's jobs and schedule. Handlers are thin and idempotent: parse the payload, call one
 * service. One job per connection waits at a time (singleton key), and the sync lease keeps one
 * sync per connection running across processes.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Deps } from '../deps.ts';
import { refreshPlannerStatistics } from '../db/statistics.ts';
import { listActiveConnectionsForSync } from '../modules/connections/connections.repo.ts';
import type { SyncRequests } from '../modules/ingest/sync-requests.ts';
import { runSync } from '../modules/ingest/sync.service.ts';
import { runTicketEventsStream } from '../modules/ingest/ticket-events-stream.ts';
import { processDeliveries } from '../modules/ingest/webhook-intake.ts';
import { SHOW_MANY_IDS } from '../zendesk/incremental-export.ts';
import { queueCustomerRefresh } from './aggregates.jobs.ts';
import type { JobQueue } from './queue.ts';

export const SYNC_QUEUE = 'zendesk-sync';
export const WEBHOOK_QUEUE = 'zendesk-webhooks';
/** pg-boss expires a job after 15 minutes; one sync job works at most this long. */
const SYNC_JOB_BUDGET_MS = 5 * 60_000;
const BUSY_RETRY_SECONDS = 10;
const WEBHOOK_BATCH_WINDOW_MS = 250;

interface ConnectionJob {
  connectionId: string;
}

export function queueSyncRequests(queue: JobQueue): SyncRequests {
  return {
    sync: (connectionId) => queue.request(SYNC_QUEUE, { connectionId }, connectionId),
    processWebhooks: (connectionId) => queue.request(WEBHOOK_QUEUE, { connectionId }, connectionId),
  };
}

export async function registerSyncWorkers(deps: Deps, queue: JobQueue): Promise<void> {
  await queue.work<ConnectionJob>(SYNC_QUEUE, { batchSize: 1 }, async (jobs) => {
    for (const job of jobs) {
      const { connectionId } = job.data;
      // A job stays well inside the queue's job expiry; a long import continues in the next job.
      const result = await runSync(deps, connectionId, { maxDurationMs: SYNC_JOB_BUDGET_MS });
      deps.logger.info({ connectionId, ...result }, 'sync run');
      // The tables as the run left them, for the stream and the refresh that read them next
      // (db/statistics.ts: neither engine can be counted on to analyze them).
      if (result.tickets > 0) await refreshPlannerStatistics(deps);
      // Once the tickets are live, the ticket events stream dates their history; it has its own
      // position and lease, and a stream left partial goes on with the next run.
      const stream = result.outcome === 'synced' ? await runTicketEventsStream(deps, connectionId, { maxDurationMs: SYNC_JOB_BUDGET_MS }) : null;
      if (stream) deps.logger.info({ connectionId, ...stream }, 'ticket events stream run');
      if (stream && stream.events > 0) await refreshPlannerStatistics(deps);
      // The customers whose history it re-dated are marked: their daily metrics are rebuilt by the refresh.
      if (stream && stream.marked > 0) await queueCustomerRefresh(queue)();
      if (result.outcome === 'partial' || stream?.outcome === 'partial') await queue.send(SYNC_QUEUE, { connectionId }, { singletonKey: connectionId });
      // Another run holds the lease (or a crashed one's lease has not expired yet): look again soon.
      if (result.outcome === 'busy') await queue.send(SYNC_QUEUE, { connectionId }, { singletonKey: connectionId, startAfterSeconds: BUSY_RETRY_SECONDS });
    }
  });
  await queue.work<ConnectionJob>(WEBHOOK_QUEUE, { batchSize: 1 }, async (jobs) => {
    for (const job of jobs) {
      // Drain the connection's deliveries. They come in bursts: unless the last pass filled a
      // show_many call (100 ids), wait a moment to gather more, so that a burst costs few calls
      // and stays within Zendesk's request budget; under load, passes follow each other at once.
      // Not on the embedded engine: there the database runs on this one thread, and the pause
      // between passes is what leaves the webhook intake its share of it.
      const pauseAlways = deps.db.engine === 'pglite';
      let processed = 0;
      do {
        if (pauseAlways || processed < SHOW_MANY_IDS) await sleep(WEBHOOK_BATCH_WINDOW_MS);
        processed = await processDeliveries(deps, job.data.connectionId);
      } while (processed > 0);
    }
  });
}

/**
 * Every `intervalSeconds`: a catch-up for each connection that is not waiting for its admin, and
 * processing for any webhook deliveries left pending (a failed or lost job). This schedule, not
 * webhook delivery, is what makes the data complete.
 */
export function startSyncScheduler(deps: Deps, requests: SyncRequests, intervalSeconds: number): { stop(): void } {
  const tick = async () => {
    try {
      for (const row of await listActiveConnectionsForSync(deps.db)) {
        await requests.sync(row.id);
        if (row.pending) await requests.processWebhooks(row.id);
      }
    } catch (error) {
      deps.logger.warn({ err: error }, 'sync schedule could not run this time');
    }
  };
  // A worker that starts catches up at once: after a restart, nothing waits a whole interval.
  void tick();
  const timer = setInterval(() => void tick(), intervalSeconds * 1000);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
