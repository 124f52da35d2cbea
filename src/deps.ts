import type { Config } from './config.ts';
import type { Db } from './db/db.ts';
import type { JobQueue } from './jobs/queue.ts';
import type { Logger } from './lib/logger.ts';
import type { SecretBox } from './lib/secret-box.ts';
import type { SyncRequests } from './modules/ingest/sync-requests.ts';
import type { TicketOutboxDrainer } from './modules/ingest/ticket-outbox.ts';
import type { Metrics } from './observability/metrics.ts';

/** Everything the product's parts need, built once by main.ts and passed down (no singletons). */
export interface Deps {
  config: Config;
  db: Db;
  logger: Logger;
  /** Seals and opens credentials stored in the database. */
  secrets: SecretBox;
  /** Asks the workers for sync work (the job queue in production). */
  syncRequests: SyncRequests;
  /**
   * Drains the ticket outbox (alerts, customer refreshes) right after tickets were written; unset:
   * the entries wait for a worker's sweep (src/jobs/outbox.jobs.ts).
   */
  ticketOutbox?: TicketOutboxDrainer;
  /** Prometheus metrics of this process (src/observability/metrics.ts); unset in most tests. */
  metrics?: Metrics;
  /** The job queue when this process runs one: /readyz checks that it is running. */
  queue?: Pick<JobQueue, 'isRunning'>;
}
