/**
 * What `sync --wait` says while it waits: how far the import is, its rate measured during this
 * wait, the time left when Zendesk gave a total to measure it against, and what the sync is
 * waiting for right now: the export limit's next slot (read from the pacer's log, shared by every
 * process), a retry after a 429 or a Zendesk error (heard from this process's client), or another
 * process's run of the same sync.
 */
import { Registry } from 'prom-client';
import type { Queryable } from '../db/db.ts';
import type { Deps } from '../deps.ts';
import type { Metrics } from '../observability/metrics.ts';
import { exportGrantAgesMs } from '../modules/connections/request-pacer.ts';
import type { SyncProgress } from '../modules/ingest/sync-progress.ts';
import { currentLeaseOwner } from '../modules/ingest/sync.repo.ts';
import type { ZendeskClientObserver } from '../zendesk/client.ts';

/** The pacer's window (src/modules/connections/request-pacer.ts): a minute plus a second of margin. */
const EXPORT_WINDOW_SECONDS = 61;
/** The span over which the rate is measured: long enough to smooth the pace of paced pages. */
const RATE_WINDOW_MS = 120_000;
const BAR_WIDTH = 24;

export type Waiting =
  /** The export limit's window is full: the next export page waits for a slot. */
  | { kind: 'export-limit'; limit: number; nextInSeconds: number }
  /** Zendesk answered 429 (its Retry-After), an error, or nothing: the client tries again. */
  | { kind: 'retry'; reason: 'rate_limited' | 'server_error' | 'network'; nextInSeconds: number }
  /** Another process holds the connection's sync lease: this waits for that run to end. */
  | { kind: 'another-process' }
  /** The import is done; this run reads the changes made since the last sync. */
  | { kind: 'catching-up'; sinceSeconds: number | null };

/**
 * The export limit's state for a connection, from the pacer's log of grants: null when exports
 * are unpaced here or a slot is free; else the seconds until the next one is.
 */
export async function exportLimitWait(db: Queryable, connectionId: string, limit: number): Promise<Waiting | null> {
  if (limit <= 0) return null;
  const ages = await exportGrantAgesMs(db, connectionId, EXPORT_WINDOW_SECONDS);
  if (ages.length < limit) return null;
  // Oldest first: a slot frees when the grant `limit` places from the newest leaves the window.
  const leaving = Number(ages[ages.length - limit] ?? 0);
  return { kind: 'export-limit', limit, nextInSeconds: Math.max(1, Math.ceil(EXPORT_WINDOW_SECONDS - leaving / 1000)) };
}

/** Whether a run other than this process's holds the connection's sync lease now. */
export async function heldByAnotherProcess(db: Queryable, connectionId: string, ourOwnerPrefix: string): Promise<boolean> {
  const owner = await currentLeaseOwner(db, connectionId);
  return owner !== undefined && !owner.startsWith(ourOwnerPrefix);
}

/**
 * Tickets a second, measured between the moments the count was seen to change during this wait
 * (a page written), over the last two minutes and up to now: unknown until two pages were seen.
 */
export class RateMeter {
  private changes: Array<{ at: number; count: number }> = [];
  private last: number | null = null;

  add(count: number, at: number = Date.now()): void {
    if (this.last !== null && count < this.last) this.changes = []; // started over (--full)
    if (this.last !== null && count !== this.last) this.changes.push({ at, count });
    this.last = count;
    while (this.changes.length > 2 && (this.changes[1]?.at ?? at) < at - RATE_WINDOW_MS) this.changes.shift();
  }

  ratePerSecond(now: number = Date.now()): number | null {
    const first = this.changes[0];
    const latest = this.changes.at(-1);
    if (!first || !latest || latest === first || now <= first.at) return null;
    return ((latest.count - first.count) * 1000) / (now - first.at);
  }
}

/** Seconds left at that rate, only when Zendesk gave a total still ahead of the count; 0 once imported. */
export function secondsLeft(progress: SyncProgress, ratePerSecond: number | null, importFinished: boolean): number | null {
  if (importFinished) return 0;
  if (progress.total === null || ratePerSecond === null || ratePerSecond <= 0 || progress.imported >= progress.total) return null;
  return Math.ceil((progress.total - progress.imported) / ratePerSecond);
}

const number = (n: number) => n.toLocaleString('en-US');

/** "42 s", "2 min", "1.5 h": for a person. */
export function humanDuration(seconds: number): string {
  if (seconds < 90) return `${Math.max(1, Math.round(seconds))} s`;
  if (seconds < 90 * 60) return `${Math.round(seconds / 60)} min`;
  if (seconds < 48 * 3600) return `${(seconds / 3600).toFixed(1)} h`;
  return `${Math.round(seconds / 86400)} days`;
}

export function describeWaiting(waiting: Waiting): string {
  switch (waiting.kind) {
    case 'export-limit':
      return `Zendesk's export limit: ${waiting.limit} ${waiting.limit === 1 ? 'page' : 'pages'} a minute, next page in ${humanDuration(waiting.nextInSeconds)}`;
    case 'retry': {
      const why = { rate_limited: 'Zendesk asked us to slow down (429)', server_error: 'Zendesk answered with an error', network: 'Zendesk did not answer' }[waiting.reason];
      return `${why}, trying again in ${humanDuration(waiting.nextInSeconds)}`;
    }
    case 'another-process':
      return 'another process is running this sync: following it';
    case 'catching-up':
      return waiting.sinceSeconds === null ? 'catching up on changes' : `catching up on the last ${humanDuration(waiting.sinceSeconds)} of changes`;
  }
}

export interface WaitView {
  subdomain: string;
  progress: SyncProgress;
  /** The import has started (and asked Zendesk for its ticket count). */
  importStarted: boolean;
  /** Measured during this wait (RateMeter); null until known. */
  ratePerSecond: number | null;
  etaSeconds: number | null;
  waiting: Waiting[];
}

/**
 * One line: the count (a bar when Zendesk gave a total), the rate, the time left or why none is
 * shown, then what the sync waits for.
 */
export function describeWait(view: WaitView): string {
  const { subdomain, progress: p } = view;
  let line: string;
  if (p.total !== null && p.total > 0) {
    const ratio = Math.min(1, p.imported / p.total);
    const filled = Math.round(ratio * BAR_WIDTH);
    const bar = `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}]`;
    line = `${subdomain} ${p.state.padEnd(9)} ${bar} ${String(Math.floor(ratio * 100)).padStart(3)}%  ${number(p.imported)}/${number(p.total)}`;
  } else {
    line = `${subdomain} ${p.state.padEnd(9)} ${number(p.imported)} tickets${p.state === 'importing' ? ' so far' : ''}`;
  }
  const parts: string[] = [];
  if (p.state === 'importing') {
    parts.push(view.ratePerSecond === null ? 'measuring the rate' : `${number(Math.round(view.ratePerSecond))} tickets/s`);
    if (view.etaSeconds !== null) parts.push(`about ${humanDuration(view.etaSeconds)} left`);
    else if (p.total === null && view.importStarted) parts.push('no total from Zendesk, so no time left to show');
    else if (p.total !== null && p.imported >= p.total) parts.push(`past the ${number(p.total)} tickets Zendesk counted at the start`);
  } else if (p.error) {
    parts.push(p.error);
  }
  const waits = view.waiting.map(describeWaiting);
  return [line, parts.join(', ')].filter(Boolean).join(', ') + (waits.length > 0 ? `; ${waits.join('; ')}` : '');
}

/**
 * The deps for a run that this process follows: the same, with the Zendesk client's exchanges and
 * retry waits also told to `listener` (the client reports them to metrics; the CLI has none).
 */
export function listeningToZendesk(deps: Deps, listener: ZendeskClientObserver): Deps {
  const base = deps.metrics;
  const tee = (subdomain: string): ZendeskClientObserver => {
    const inner = base?.zendeskObserver(subdomain);
    return {
      onResponse: (exchange) => {
        inner?.onResponse(exchange);
        listener.onResponse(exchange);
      },
      onRetryWait: (wait) => {
        inner?.onRetryWait(wait);
        listener.onRetryWait(wait);
      },
    };
  };
  const metrics: Metrics = base
    ? Object.assign(Object.create(base) as Metrics, { zendeskObserver: tee })
    : {
        registry: new Registry(),
        contentType: Registry.PROMETHEUS_CONTENT_TYPE,
        render: async () => '',
        observeWebhook: () => undefined,
        zendeskObserver: tee,
        jobs: { onBatch: () => undefined },
        watchQueue: () => undefined,
      };
  return { ...deps, metrics };
}
