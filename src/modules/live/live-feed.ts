/**
 * Live changes for the UI, read from the database so that they work whichever process wrote them
 * (the web server, a worker, another server on the same PostgreSQL): one poller per server, not per
 * browser, asks every second for what is new, with cheap index range scans only:
 *
 * - ticket events (`zendesk_ticket_events.id`, the primary key): created, status and priority
 *   changes, escalations, ratings, solves, notes; each with the ticket's customer now;
 * - alerts (`alerts.seq`, unique): with their recipients, so that each browser gets only its own;
 * - sync progress and connection status (`zendesk_sync_state` and `zendesk_connections`, one row per
 *   connection): what the settings page's progress bar follows.
 *
 * Identity values are handed out at insert and become visible at commit, so on PostgreSQL a
 * transaction may commit id 41 after we have already seen 42. A missing id below the highest seen
 * is remembered as a hole and asked for again for HOLE_TTL_MS (then given up: sequences also skip
 * values for good, on rollbacks). PGlite has one connection, so it commits in order.
 */
import type { Queryable } from '../../db/db.ts';
import { selectAlertsSince, selectConnectionSyncStates, selectEventsSince, selectLatestFeedIds } from './live-feed.repo.ts';

export interface TicketChange {
  connectionId: string;
  zendeskTicketId: number;
  customerId: string | null;
  kind: string;
}

export interface AlertChange {
  id: string;
  type: string;
  customerId: string;
  customerName: string;
  zendeskTicketId: number | null;
  recipientIds: string[];
}

export interface SyncChange {
  connectionId: string;
  subdomain: string;
  status: string;
  phase: string | null;
  imported: number;
}

export type LiveMessage =
  | { type: 'tickets'; customerIds: string[]; tickets: TicketChange[] }
  | { type: 'alerts'; alerts: AlertChange[] }
  | { type: 'sync'; connections: SyncChange[] };

export interface LiveFeed {
  /** Calls `listener` with each batch of changes until the returned function is called. */
  subscribe(listener: (message: LiveMessage) => void): () => void;
  /** Polls once now (tests); resolves when the batch was delivered. */
  pollNow(): Promise<void>;
  stop(): void;
}

export interface LiveFeedOptions {
  intervalMs?: number;
  /** At most this many events or alerts a poll; the rest come on the next ones. */
  batchLimit?: number;
  onError?: (error: unknown) => void;
}

const HOLE_TTL_MS = 15_000;
const MAX_HOLES = 2_000;
/** Tickets listed one by one in a message; beyond this only their customers are (an import). */
const MAX_TICKETS_PER_MESSAGE = 200;

/** A watermark over an identity column, with the holes below it still waited for. */
export class IdCursor {
  watermark: number;
  readonly holes = new Map<number, number>();

  constructor(start: number) {
    this.watermark = start;
  }

  holeIds(now: number): number[] {
    for (const [id, since] of this.holes) if (now - since > HOLE_TTL_MS) this.holes.delete(id);
    return [...this.holes.keys()];
  }

  /** Takes the ids a poll answered (ascending); `full`: the poll hit its limit. */
  advance(ids: readonly number[], now: number): void {
    for (const id of ids) this.holes.delete(id);
    const above = ids.filter((id) => id > this.watermark);
    const top = above.at(-1);
    if (top === undefined) return;
    const seen = new Set(above);
    // Ids between the old watermark and the new top that did not come are holes (bounded).
    if (top - this.watermark - above.length <= MAX_HOLES) {
      for (let id = this.watermark + 1; id < top; id++) if (!seen.has(id)) this.holes.set(id, now);
    }
    this.watermark = top;
  }
}

export function createLiveFeed(db: Queryable, options: LiveFeedOptions = {}): LiveFeed {
  const intervalMs = options.intervalMs ?? 1000;
  const limit = options.batchLimit ?? 5000;
  const listeners = new Set<(message: LiveMessage) => void>();
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let stopped = false;
  let cursors: { events: IdCursor; alerts: IdCursor } | null = null;
  const syncSeen = new Map<string, string>();

  const emit = (message: LiveMessage) => {
    for (const listener of listeners) {
      try {
        listener(message);
      } catch (error) {
        options.onError?.(error);
      }
    }
  };

  const start = async () => {
    const latest = await selectLatestFeedIds(db);
    cursors = { events: new IdCursor(latest.events), alerts: new IdCursor(latest.alerts) };
    await pollSync(true);
  };

  const pollSync = async (initial: boolean) => {
    const rows = await selectConnectionSyncStates(db);
    const changed: SyncChange[] = [];
    const present = new Set<string>();
    for (const row of rows) {
      present.add(row.id);
      const fingerprint = `${row.status}|${row.updated_at.getTime()}|${row.phase}|${row.imported}|${row.sync_updated_at?.getTime()}`;
      if (syncSeen.get(row.id) !== fingerprint) {
        syncSeen.set(row.id, fingerprint);
        changed.push({ connectionId: row.id, subdomain: row.subdomain, status: row.status, phase: row.phase, imported: Number(row.imported ?? 0) });
      }
    }
    for (const id of [...syncSeen.keys()]) {
      if (present.has(id)) continue;
      syncSeen.delete(id);
      changed.push({ connectionId: id, subdomain: '', status: 'removed', phase: null, imported: 0 });
    }
    if (!initial && changed.length > 0) emit({ type: 'sync', connections: changed });
  };

  const pollEvents = async (cursor: IdCursor, now: number) => {
    const rows = await selectEventsSince(db, cursor.watermark, cursor.holeIds(now), limit);
    cursor.advance(rows.map((row) => Number(row.id)), now);
    if (rows.length === 0) return;
    const customerIds = [...new Set(rows.map((row) => row.customer_id).filter((id): id is string => id !== null))];
    const tickets = rows.length > MAX_TICKETS_PER_MESSAGE ? [] : rows.map((row) => ({
      connectionId: row.connection_id,
      zendeskTicketId: Number(row.zendesk_ticket_id),
      customerId: row.customer_id,
      kind: row.kind,
    }));
    emit({ type: 'tickets', customerIds, tickets });
  };

  const pollAlerts = async (cursor: IdCursor, now: number) => {
    const rows = await selectAlertsSince(db, cursor.watermark, cursor.holeIds(now), limit);
    cursor.advance(rows.map((row) => Number(row.seq)), now);
    if (rows.length === 0) return;
    emit({
      type: 'alerts',
      alerts: rows.map((row) => ({
        id: row.id,
        type: row.type,
        customerId: row.customer_id,
        customerName: row.customer_name,
        zendeskTicketId: row.zendesk_ticket_id === null ? null : Number(row.zendesk_ticket_id),
        recipientIds: row.recipient_ids ?? [],
      })),
    });
  };

  const poll = async () => {
    if (!cursors) {
      await start();
      return;
    }
    const now = Date.now();
    await pollEvents(cursors.events, now);
    await pollAlerts(cursors.alerts, now);
    await pollSync(false);
  };

  const tick = () => {
    timer = null;
    if (stopped || listeners.size === 0) return;
    running = poll()
      .catch((error: unknown) => options.onError?.(error))
      .finally(() => {
        running = null;
        if (!stopped && listeners.size > 0 && timer === null) timer = setTimeout(tick, intervalMs);
      });
  };

  return {
    subscribe(listener) {
      listeners.add(listener);
      if (listeners.size === 1 && timer === null && running === null && !stopped) tick();
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0) {
          // Nobody is watching: stop polling, and start afresh (from "now") for the next watcher.
          if (timer) clearTimeout(timer);
          timer = null;
          cursors = null;
          syncSeen.clear();
        }
      };
    },
    async pollNow() {
      if (running) await running;
      await poll();
    },
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
      listeners.clear();
    },
  };
}

/** Whether a user may see an alert: its recipients, leaders and admins (as GET /api/alerts). */
export function alertVisibleTo(alert: AlertChange, user: { id: string; role: string }): boolean {
  return user.role === 'admin' || user.role === 'leader' || alert.recipientIds.includes(user.id);
}
