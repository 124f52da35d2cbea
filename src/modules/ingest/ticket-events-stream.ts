/**
 * Following Zendesk's ticket events export per connection, once its ticket import is done: the
 * stream says when each change happened, which the ticket export cannot (it has each ticket's
 * latest state only, so history derived from it is dated at the ticket's updated_at). The
 * stream is the truth for the kinds it covers: the rows it brings for a ticket replace that
 * ticket's rows of those kinds derived by comparing versions (import, catch-up, webhook), in the
 * transaction that writes the page and the next position. It has its own position and lease, so
 * the ticket import and catch-up never wait for it; its requests go through the connection's
 * client and count against the same export limit as the ticket export's.
 */
import { randomUUID } from 'node:crypto';
import type { Deps } from '../../deps.ts';
import { OPEN_STATUSES, SOLVED_STATUSES } from '../../contracts/vocabulary.ts';
import { DURING_BULK_LOAD, refreshPlannerStatistics } from '../../db/statistics.ts';
import { ZendeskError } from '../../zendesk/errors.ts';
import { type TicketAuditEvent, ticketEventsPage } from '../../zendesk/ticket-events.ts';
import { zendeskClientFor } from '../connections/connections.service.ts';
import type { Queryable } from '../../db/db.ts';
import { requestCustomerRefresh } from '../aggregates/customer-refresh.repo.ts';
import { findSyncStates } from './sync.repo.ts';
import {
  type StreamedEvent,
  claimStreamLease,
  customersOfTickets,
  releaseStreamLease,
  renewStreamLease,
  replayStatesOf,
  writeStreamPage,
} from './ticket-events-stream.repo.ts';
import { escalationRuleOf } from './escalation-rule.ts';
import { replayEscalations, replaysEscalations } from './escalation-replay.ts';

export type TicketEventsDeps = Pick<Deps, 'db' | 'config' | 'logger' | 'secrets' | 'metrics' | 'syncRequests'>;

const LEASE_SECONDS = 60;
const LEASE_HEARTBEAT_MS = 15_000;
const SOLVED = new Set<string>(SOLVED_STATUSES);
const UNSOLVED = new Set<string>(OPEN_STATUSES);
const owners = `${process.pid}-${randomUUID().slice(0, 8)}`;
let runs = 0;

const text = (value: unknown): string | null => (typeof value === 'string' ? value.toLowerCase() : null);

/**
 * Our history events of one audit, at the audit's created_at, with the meaning ticket-history.ts
 * gives them: a status change; a solve when the ticket enters solved/closed from an unsolved
 * status; a reopen when it leaves them for an unsolved one; a priority change; a good/bad rating.
 * The target's audit of a merge lists `merged_ticket_ids`: it gives a 'merged' event on the target
 * (from: the sources' ids, comma separated; to: the target's id) and one on each source (from: its
 * own id; to: the target's id), all under the audit's id. The sources' own audits of the merge
 * (status closed, tag closed_by_merge) do not name the target.
 */
export function eventsOfAudit(audit: TicketAuditEvent): StreamedEvent[] {
  const occurredAt = new Date(audit.created_at).toISOString();
  const out: StreamedEvent[] = [];
  const add = (id: number, kind: StreamedEvent['kind'], from: string | null, to: string | null): void => {
    out.push({ zendesk_event_id: id, zendesk_ticket_id: audit.ticket_id, kind, from_value: from, to_value: to, occurred_at: occurredAt });
  };
  for (const child of audit.child_events) {
    const status = text(child.status);
    const previous = text(child.previous_value);
    if (child.event_type === 'Create' && status !== null) {
      add(child.id, 'created', null, status);
      if (SOLVED.has(status)) add(child.id, 'solved', null, status);
    }
    if (child.event_type !== 'Change') continue;
    if (status !== null && status !== previous) {
      add(child.id, 'status_changed', previous, status);
      if (SOLVED.has(status) && (previous === null || !SOLVED.has(previous))) add(child.id, 'solved', previous, status);
      if (previous !== null && SOLVED.has(previous) && UNSOLVED.has(status)) add(child.id, 'reopened', previous, status);
    }
    if (child.priority !== undefined && text(child.priority) !== previous) add(child.id, 'priority_changed', previous, text(child.priority));
    const score = text(child.satisfaction_score);
    if (score === 'good' || score === 'bad') add(child.id, 'rated', previous, score);
  }
  const merged = [...new Set(audit.merged_ticket_ids ?? [])].filter((id) => id !== audit.ticket_id);
  if (merged.length > 0) {
    const target = String(audit.ticket_id);
    add(audit.id, 'merged', merged.join(','), target);
    for (const source of merged) {
      out.push({ zendesk_event_id: audit.id, zendesk_ticket_id: source, kind: 'merged', from_value: String(source), to_value: target, occurred_at: occurredAt });
    }
  }
  return out;
}

/**
 * Marks the customers whose history the page re-dated for a rebuild of their stored daily metrics,
 * from the earliest day the page's events fall on (a day before it is not changed by them: the rows
 * they replace were dated at the ticket's update, never before the change itself), in the page's
 * transaction: a crash leaves no stale day unmarked. The coalesced refresh rebuilds each customer
 * once however many pages re-date it (the first stream after an import re-dates everyone's whole
 * history). Alerts are not raised here: they follow ticket versions through the outbox, which the
 * stream does not write.
 */
async function markMetricsForRebuild(tx: Queryable, connectionId: string, ticketIds: readonly number[], events: readonly StreamedEvent[]): Promise<number> {
  if (events.length === 0) return 0;
  const customers = await customersOfTickets(tx, connectionId, ticketIds);
  const earliest = events.reduce((min, event) => (event.occurred_at < min ? event.occurred_at : min), events[0]!.occurred_at).slice(0, 10);
  await requestCustomerRefresh(tx, customers, earliest);
  return customers.length;
}

export interface TicketEventsRunResult {
  /** streamed: followed to its end; partial: stopped early; waiting: the ticket import is not done. */
  outcome: 'streamed' | 'partial' | 'busy' | 'waiting' | 'failed';
  pages: number;
  events: number;
  /** Customers marked for a rebuild of their daily metrics (the caller wakes the refresh). */
  marked: number;
  error?: string;
}

export async function runTicketEventsStream(
  deps: TicketEventsDeps,
  connectionId: string,
  options: { maxPages?: number; maxDurationMs?: number; owner?: string; onPageCommitted?: (pages: number) => void } = {},
): Promise<TicketEventsRunResult> {
  const syncState = (await findSyncStates(deps.db, [connectionId])).get(connectionId);
  if (!syncState?.importFinishedAt) return { outcome: 'waiting', pages: 0, events: 0, marked: 0 };
  const owner = options.owner ?? `${owners}:events:${++runs}`;
  const claimed = await claimStreamLease(deps.db, connectionId, owner, LEASE_SECONDS);
  if (!claimed) return { outcome: 'busy', pages: 0, events: 0, marked: 0 };
  const deadline = options.maxDurationMs === undefined ? Infinity : Date.now() + options.maxDurationMs;
  let startTime = claimed.startTime ?? 0;
  let pages = 0;
  let events = 0;
  let marked = 0;
  const heartbeat = setInterval(() => {
    renewStreamLease(deps.db, connectionId, owner, LEASE_SECONDS).catch((error: unknown) =>
      deps.logger.warn({ err: error, connectionId }, 'could not renew the ticket events stream lease'),
    );
  }, LEASE_HEARTBEAT_MS);
  heartbeat.unref();
  try {
    const client = await zendeskClientFor(deps, connectionId);
    // Read once per run: a rule saved meanwhile applies from the next run (its own save recomputes the flags).
    const rule = await escalationRuleOf(deps.db, connectionId);
    const replaying = replaysEscalations(rule);
    for (;;) {
      const page = await ticketEventsPage(client, startTime);
      const ticketIds = [...new Set(page.ticket_events.map((audit) => audit.ticket_id))];
      let written = 0;
      await deps.db.transaction(async (tx) => {
        // A stream read from its beginning replays every ticket from its creation: states kept from an earlier pass are dropped with the page.
        const fromStart = startTime === 0;
        const known = fromStart ? new Map() : await replayStatesOf(tx, connectionId, ticketIds);
        const replay = replaying ? replayEscalations(rule, page.ticket_events, known) : null;
        const rows = [...page.ticket_events.flatMap(eventsOfAudit), ...(replay?.events ?? [])];
        await writeStreamPage(tx, {
          connectionId,
          owner,
          events: rows,
          ticketIds,
          replayStates: replay ? [...replay.states.values()] : [],
          replaysEscalations: replaying,
          fromStart,
          nextStartTime: page.end_time,
          endOfStream: page.end_of_stream,
          leaseSeconds: LEASE_SECONDS,
        });
        marked += await markMetricsForRebuild(tx, connectionId, ticketIds, rows);
        written = rows.length;
      });
      pages += 1;
      events += written;
      startTime = page.end_time;
      options.onPageCommitted?.(pages);
      // The events table grows by up to ten rows per ticket in a first pass: plans follow it (the
      // sync job analyzes once more after the run).
      const stopping = page.end_of_stream || (options.maxPages !== undefined && pages >= options.maxPages) || Date.now() > deadline;
      if (!stopping) await refreshPlannerStatistics(deps, DURING_BULK_LOAD);
      if (page.end_of_stream) return { outcome: 'streamed', pages, events, marked };
      if ((options.maxPages !== undefined && pages >= options.maxPages) || Date.now() > deadline) return { outcome: 'partial', pages, events, marked };
    }
  } catch (error) {
    if (!(error instanceof ZendeskError)) throw error;
    deps.logger.warn({ connectionId, kind: error.kind, status: error.status }, 'ticket events stream stopped; it resumes from its position next time');
    return { outcome: 'failed', pages, events, marked, error: error.message };
  } finally {
    clearInterval(heartbeat);
    await releaseStreamLease(deps.db, connectionId, owner);
  }
}
