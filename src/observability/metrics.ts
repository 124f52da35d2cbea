/**
 * Prometheus metrics (prom-client), one registry per process, built by main.ts and passed down in
 * deps (no module-level registry). Two kinds:
 * - counters and histograms of what this process did (webhook intake, Zendesk calls, 429s, retry
 *   waits, jobs): each process counts its own, Prometheus sums them across processes;
 * - gauges read from the database at scrape time (sync lag and import progress per connection,
 *   queue depth, alerts raised, the ticket outbox backlog): the same in every process, so
 *   aggregate them with max(), not sum(). What they show is read by a source that main.ts wires
 *   (src/modules/status/status-gauges.ts): this module knows Prometheus, not our tables.
 * A scrape whose database reads fail still answers, with `cscx_database_up 0`.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { bucketOf } from '../zendesk/rate-limit-buckets.ts';
import type { ZendeskClientObserver } from '../zendesk/client.ts';

export type WebhookOutcome = 'stored' | 'duplicate' | 'rejected' | 'unavailable';

/** What the job queue reports (see src/jobs/queue.ts). */
export interface JobObserver {
  onBatch(batch: { queue: string; outcome: 'completed' | 'failed'; jobs: number; seconds: number }): void;
}

/** Jobs per queue and state, read at scrape time. */
export type QueueDepthSource = () => Promise<Array<{ queue: string; state: string; count: number }>>;

/** What the database-backed gauges show, read at each scrape. */
export interface StatusGauges {
  connections: Array<{
    subdomain: string;
    phase: 'importing' | 'live' | 'paused' | 'failed';
    imported: number;
    /** Tickets Zendesk counted when the import started; null when unknown. */
    total: number | null;
    importFinished: boolean;
    /** Seconds since it last caught up; null for a connection that is not active. */
    lagSeconds: number | null;
  }>;
  alertsRaised: Array<{ type: string; count: number }>;
  webhookDeliveriesPending: number;
  outbox: { pending: number; retrying: number; oldestAgeSeconds: number };
}

export type StatusGaugesSource = () => Promise<StatusGauges>;

export interface Metrics {
  readonly registry: Registry;
  /** The text exposition format's content type. */
  readonly contentType: string;
  /** Renders every metric (runs the database reads). */
  render(): Promise<string>;
  observeWebhook(outcome: WebhookOutcome, seconds: number): void;
  /** A Zendesk client observer bound to one connection's subdomain. */
  zendeskObserver(subdomain: string): ZendeskClientObserver;
  readonly jobs: JobObserver;
  /** Adds the queue's depth to scrapes (the processes that run a queue). */
  watchQueue(depth: QueueDepthSource): void;
}

const WEBHOOK_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const ZENDESK_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const JOB_BUCKETS = [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 900];

function statusClass(status: number | 'network'): string {
  if (status === 'network') return 'network';
  if (status === 429) return '429';
  return `${Math.floor(status / 100)}xx`;
}

export function createMetrics(options: { status: StatusGaugesSource; defaultMetrics?: boolean }): Metrics {
  const registry = new Registry();
  // Process metrics (CPU, memory, event-loop lag, handles), prefixed like ours.
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry, prefix: 'cscx_' });
  const registers = [registry];

  const webhookDeliveries = new Counter({
    name: 'cscx_webhook_deliveries_total',
    help: 'Webhook deliveries received by this process, by outcome: stored, duplicate (already stored), rejected (4xx: signature, unknown connection, bad body), unavailable (503: the database failed)',
    labelNames: ['outcome'] as const,
    registers,
  });
  const webhookDuration = new Histogram({
    name: 'cscx_webhook_intake_duration_seconds',
    help: 'Time from receiving a webhook delivery to answering it, by outcome',
    labelNames: ['outcome'] as const,
    buckets: WEBHOOK_BUCKETS,
    registers,
  });
  for (const outcome of ['stored', 'duplicate', 'rejected', 'unavailable'] as const) webhookDeliveries.inc({ outcome }, 0);

  const zendeskRequests = new Counter({
    name: 'cscx_zendesk_requests_total',
    help: 'HTTP exchanges with Zendesk made by this process, by subdomain, endpoint kind (export: incremental exports; api: the rest) and status class (2xx, 4xx, 429, 5xx, network)',
    labelNames: ['subdomain', 'kind', 'status'] as const,
    registers,
  });
  const zendeskDuration = new Histogram({
    name: 'cscx_zendesk_request_duration_seconds',
    help: 'Duration of HTTP exchanges with Zendesk, by endpoint kind',
    labelNames: ['kind'] as const,
    buckets: ZENDESK_BUCKETS,
    registers,
  });
  const zendeskRateLimited = new Counter({
    name: 'cscx_zendesk_rate_limited_total',
    help: 'Answers 429 (rate limited) from Zendesk, by subdomain',
    labelNames: ['subdomain'] as const,
    registers,
  });
  const zendeskRetryWaits = new Counter({
    name: 'cscx_zendesk_retry_waits_total',
    help: 'Waits before retrying a Zendesk request, by subdomain and reason (rate_limited: Retry-After of a 429; server_error: 5xx; network)',
    labelNames: ['subdomain', 'reason'] as const,
    registers,
  });
  const zendeskRetryWaitSeconds = new Counter({
    name: 'cscx_zendesk_retry_wait_seconds_total',
    help: 'Seconds spent waiting before retrying Zendesk requests, by subdomain and reason',
    labelNames: ['subdomain', 'reason'] as const,
    registers,
  });

  const jobsCompleted = new Counter({
    name: 'cscx_jobs_completed_total',
    help: 'Jobs completed by this process, by queue',
    labelNames: ['queue'] as const,
    registers,
  });
  const jobFailures = new Counter({
    name: 'cscx_job_failures_total',
    help: 'Jobs whose handler failed in this process (each is retried while retries remain), by queue',
    labelNames: ['queue'] as const,
    registers,
  });
  const jobDuration = new Histogram({
    name: 'cscx_job_batch_duration_seconds',
    help: 'Duration of job batches handled by this process, by queue',
    labelNames: ['queue'] as const,
    buckets: JOB_BUCKETS,
    registers,
  });

  // Gauges read from the database at scrape time: render() reads them all, then renders.
  const databaseUp = new Gauge({ name: 'cscx_database_up', help: '1 when the database answered this scrape\'s reads, else 0', registers });
  const syncLag = new Gauge({
    name: 'cscx_sync_lag_seconds',
    help: 'Seconds since the connection last caught up with Zendesk\'s incremental export (since its import started while it never has), per active connection',
    labelNames: ['subdomain'] as const,
    registers,
  });
  const syncPhase = new Gauge({
    name: 'cscx_sync_phase',
    help: 'The sync phase of each connection: 1 on the current phase (importing, live, paused, failed)',
    labelNames: ['subdomain', 'phase'] as const,
    registers,
  });
  const importImported = new Gauge({
    name: 'cscx_import_tickets_imported',
    help: 'Tickets imported so far by the connection\'s historical import',
    labelNames: ['subdomain'] as const,
    registers,
  });
  const importTotal = new Gauge({
    name: 'cscx_import_tickets_expected',
    help: 'Zendesk\'s ticket count when the historical import started (unset when unknown)',
    labelNames: ['subdomain'] as const,
    registers,
  });
  const importRatio = new Gauge({
    name: 'cscx_import_progress_ratio',
    help: 'Progress of the historical import, 0 to 1 (1 once finished)',
    labelNames: ['subdomain'] as const,
    registers,
  });
  const queueJobs = new Gauge({
    name: 'cscx_queue_jobs',
    help: 'Jobs in the queue by queue and state (created and retry: waiting; active: running; failed: out of retries, kept 24 h)',
    labelNames: ['queue', 'state'] as const,
    registers,
  });
  const alertsRaised = new Counter({
    name: 'cscx_alerts_raised_total',
    help: 'Alerts raised since the installation began, by type (counted in the database: the same in every process)',
    labelNames: ['type'] as const,
    registers,
  });
  const webhookBacklog = new Gauge({
    name: 'cscx_webhook_deliveries_pending',
    help: 'Webhook deliveries stored but not processed yet',
    registers,
  });

  const outboxPending = new Gauge({
    name: 'cscx_ticket_outbox_pending',
    help: 'Ticket outbox entries whose consequences (alerts, customer refreshes) are not applied yet',
    registers,
  });
  const outboxRetrying = new Gauge({ name: 'cscx_ticket_outbox_retrying', help: 'Pending ticket outbox entries that failed at least once', registers });
  const outboxAge = new Gauge({
    name: 'cscx_ticket_outbox_oldest_age_seconds',
    help: 'Age of the oldest pending ticket outbox entry (0 when none): how late the alerts are',
    registers,
  });

  let queueDepth: QueueDepthSource | undefined;

  const readDatabase = async (): Promise<void> => {
    const status = await options.status();
    syncLag.reset();
    syncPhase.reset();
    importImported.reset();
    importTotal.reset();
    importRatio.reset();
    for (const connection of status.connections) {
      const subdomain = connection.subdomain;
      for (const phase of ['importing', 'live', 'paused', 'failed'] as const) syncPhase.set({ subdomain, phase }, connection.phase === phase ? 1 : 0);
      importImported.set({ subdomain }, connection.imported);
      if (connection.total !== null) importTotal.set({ subdomain }, connection.total);
      importRatio.set({ subdomain }, connection.importFinished ? 1 : connection.total ? Math.min(1, connection.imported / connection.total) : 0);
      if (connection.lagSeconds !== null) syncLag.set({ subdomain }, connection.lagSeconds);
    }
    alertsRaised.reset();
    for (const type of ['escalation', 'sla_breach', 'ticket_spike', 'negative_csat']) alertsRaised.inc({ type }, 0);
    for (const row of status.alertsRaised) alertsRaised.inc({ type: row.type }, row.count);
    webhookBacklog.set(status.webhookDeliveriesPending);
    const outbox = status.outbox;
    outboxPending.set(outbox.pending);
    outboxRetrying.set(outbox.retrying);
    outboxAge.set(outbox.oldestAgeSeconds);
    if (queueDepth) {
      const depth = await queueDepth();
      queueJobs.reset();
      for (const row of depth) queueJobs.set({ queue: row.queue, state: row.state }, row.count);
    }
  };

  return {
    registry,
    contentType: registry.contentType,
    async render() {
      try {
        await readDatabase();
        databaseUp.set(1);
      } catch {
        databaseUp.set(0);
      }
      return registry.metrics();
    },
    observeWebhook(outcome, seconds) {
      webhookDeliveries.inc({ outcome });
      webhookDuration.observe({ outcome }, seconds);
    },
    zendeskObserver(subdomain) {
      return {
        onResponse({ path, status, seconds }) {
          const kind = bucketOf(path) === 'export' ? 'export' : 'api';
          zendeskRequests.inc({ subdomain, kind, status: statusClass(status) });
          zendeskDuration.observe({ kind }, seconds);
          if (status === 429) zendeskRateLimited.inc({ subdomain });
        },
        onRetryWait({ reason, seconds }) {
          zendeskRetryWaits.inc({ subdomain, reason });
          zendeskRetryWaitSeconds.inc({ subdomain, reason }, seconds);
        },
      };
    },
    jobs: {
      onBatch({ queue, outcome, jobs, seconds }) {
        (outcome === 'completed' ? jobsCompleted : jobFailures).inc({ queue }, jobs);
        jobDuration.observe({ queue }, seconds);
      },
    },
    watchQueue(depth) {
      queueDepth = depth;
    },
  };
}
