/**
 * Following Zendesk's cursor-based incremental export for one connection: the historical import
 * (from the beginning) and then the continuous catch-up (from the stored cursor) are the same loop.
 * Each page is written in one transaction with the cursor that follows it, so an interruption at
 * any moment resumes from the last committed page; the upserts are idempotent and guarded by
 * Zendesk's version stamps, so a page written twice changes nothing.
 */
import { randomUUID } from 'node:crypto';
import type { Deps } from '../../deps.ts';
import { DURING_BULK_LOAD, refreshPlannerStatistics } from '../../db/statistics.ts';
import { AppError } from '../../lib/errors.ts';
import { ZendeskError } from '../../zendesk/errors.ts';
import { SHOW_MANY_IDS, fetchTicketCount, fetchTicketExportPage, fetchTickets } from '../../zendesk/incremental-export.ts';
import { zendeskClientFor } from '../connections/connections.service.ts';
import { pageRows } from './ticket-rows.ts';
import { followSlaEvents } from './sla-events-stream.ts';
import { followCsatResponses } from './csat-responses-stream.ts';
import { SideLoadVersions } from './side-load-versions.ts';
import {
  advanceCursor,
  claimSyncLease,
  ensureSyncState,
  releaseSyncLease,
  renewSyncLease,
  resumeSyncPhase,
  setSyncProblem,
  startImport,
} from './sync.repo.ts';
import { escalationRuleOf } from './escalation-rule.ts';
import type { SyncSource } from './sync-source.ts';
import { prepareTicketBatch, writeTicketBatch, type PreparedBatch, type WrittenTicket } from './ticket-writer.ts';

/** What this module uses of the process's dependencies. */
export type SyncDeps = Pick<Deps, 'db' | 'config' | 'logger' | 'secrets' | 'syncRequests' | 'metrics' | 'ticketOutbox'>;

/** This process's name in sync leases (each run adds its own suffix). */
export const PROCESS_ID = `${process.pid}-${randomUUID().slice(0, 8)}`;
/**
 * A run renews its lease every LEASE_HEARTBEAT_MS, also while it waits for Zendesk or for a rate
 * slot; a crashed run's lease expires LEASE_SECONDS later and another worker takes over.
 */
export const LEASE_SECONDS = 20;
const LEASE_HEARTBEAT_MS = 5_000;
let runs = 0;

/**
 * After a write committed: its consequences are already recorded in the ticket outbox (same
 * transaction); this drains them now, for latency. Without a drainer (or after a crash right
 * here) they wait for the worker's sweep: nothing depends on this call having happened.
 */
async function drainConsequences(deps: SyncDeps, written: readonly WrittenTicket[]): Promise<void> {
  if (written.length === 0) return;
  if (deps.config.TEST_CRASH_AFTER_TICKET_COMMIT && written.some((t) => t.customerId !== null)) {
    // The crash test's moment: the tickets and their outbox entry are committed, no alert is raised yet.
    process.kill(process.pid, 'SIGKILL');
  }
  await deps.ticketOutbox?.wake();
}

/** A page as the loop keeps it: its position and its prepared rows, not Zendesk's whole objects. */
interface FetchedPage {
  afterCursor: string | null;
  endOfStream: boolean;
  batch: PreparedBatch;
}

export interface SyncRunResult {
  /** synced: followed to the end; partial: stopped early (maxPages, maxDurationMs), more to come. */
  outcome: 'synced' | 'partial' | 'busy' | 'paused' | 'failed';
  pages: number;
  tickets: number;
  error?: string;
}

/**
 * Follows the export from the stored cursor to its end (or `maxPages`). Answers 'busy' when
 * another worker holds this connection's lease; 'paused' when the connection needs the admin;
 * 'failed' when Zendesk kept failing (the cursor is kept: the next run resumes there).
 */
export async function runSync(
  deps: SyncDeps,
  connectionId: string,
  options: {
    maxPages?: number;
    maxDurationMs?: number;
    owner?: string;
    /** Follow the ticket metric events and CSAT survey responses after a catch-up (default); the CLI's sync leaves them to the workers. */
    slaEvents?: boolean;
  } = {},
): Promise<SyncRunResult> {
  const owner = options.owner ?? `${PROCESS_ID}:${++runs}`;
  await ensureSyncState(deps.db, connectionId);
  // The embedded engine admits one process (data-dir lock): a lease of another process is a crashed one's.
  const state = await claimSyncLease(deps.db, connectionId, owner, LEASE_SECONDS, deps.db.engine === 'pglite' ? PROCESS_ID : undefined);
  if (!state) return { outcome: 'busy', pages: 0, tickets: 0 };
  const heartbeat = setInterval(() => {
    renewSyncLease(deps.db, connectionId, owner, LEASE_SECONDS).catch((error: unknown) => deps.logger.warn({ err: error, connectionId }, 'could not renew the sync lease'));
  }, LEASE_HEARTBEAT_MS);
  heartbeat.unref();
  const deadline = options.maxDurationMs === undefined ? Infinity : Date.now() + options.maxDurationMs;
  let pages = 0;
  let tickets = 0;
  try {
    let client;
    try {
      client = await zendeskClientFor(deps, connectionId);
    } catch (error) {
      if (error instanceof AppError && error.code === 'conflict') {
        await setSyncProblem(deps.db, connectionId, 'paused', error.message);
        return { outcome: 'paused', pages, tickets, error: error.message };
      }
      throw error;
    }
    await resumeSyncPhase(deps.db, connectionId);
    const importing = state.importFinishedAt === null;
    if (importing && state.total === null) await startImport(deps.db, connectionId, await fetchTicketCount(client).catch(() => null));

    let cursor = state.exportCursor;
    const sideLoads = new SideLoadVersions();
    // Pages are prepared under the escalation rule as the run starts; the writer prepares a page
    // again if the rule has changed since.
    const rule = await escalationRuleOf(deps.db, connectionId);
    const fetchPage = async (at: string | null): Promise<FetchedPage> => {
      const page = await fetchTicketExportPage(client, at);
      return { afterCursor: page.after_cursor, endOfStream: page.end_of_stream, batch: prepareTicketBatch(pageRows(page), rule) };
    };
    // The next page is fetched and prepared while this one is written: the export's HTTP time, our
    // parsing and the database's write overlap instead of adding up. The cursor committed is
    // always the written page's own.
    let fetching: Promise<FetchedPage> | null = fetchPage(cursor);
    try {
      for (;;) {
        const { afterCursor, endOfStream, batch }: FetchedPage = await (fetching as Promise<FetchedPage>);
        fetching = null;
        const after = afterCursor ?? cursor;
        const stopAfterThis =
          endOfStream || (options.maxPages !== undefined && pages + 1 >= options.maxPages) || Date.now() > deadline;
        if (!stopAfterThis) {
          fetching = fetchPage(after);
          fetching.catch(() => {}); // awaited on the next turn; never an unhandled rejection meanwhile
        }
        const rows = sideLoads.unwritten(batch.rows);
        const source: SyncSource = importing ? 'import' : 'catch-up';
        const written = await deps.db.transaction(async (tx) => {
          const writes = await writeTicketBatch(tx, connectionId, { ...batch, rows }, source, deps.config.FREE_MAIL_DOMAINS);
          await advanceCursor(tx, {
            connectionId,
            owner,
            cursor: after,
            importedDelta: rows.tickets.length,
            endOfStream,
            leaseSeconds: LEASE_SECONDS,
          });
          return writes;
        });
        sideLoads.remember(rows);
        pages += 1;
        tickets += rows.tickets.length;
        cursor = after;
        deps.logger.debug({ connectionId, pages, tickets, endOfStream }, 'sync page committed');
        await drainConsequences(deps, written);
        // The planner follows the tables' growth while the import runs (the sync job analyzes once
        // more after the run; the run itself ends with its last page).
        if (!stopAfterThis) await refreshPlannerStatistics(deps, DURING_BULK_LOAD);
        if (endOfStream) {
          // Not in the import's own run: the connection goes live first, the events follow in catch-ups.
          if (!importing && options.slaEvents !== false) {
            await followSlaEventsOf(deps, client, connectionId, deadline);
            await followCsatResponsesOf(deps, client, connectionId, deadline);
          }
          return { outcome: 'synced', pages, tickets };
        }
        if (stopAfterThis) return { outcome: 'partial', pages, tickets };
      }
    } finally {
      // A page fetched ahead and not written is simply fetched again next time, from the cursor.
      await fetching?.catch(() => {});
    }
  } catch (error) {
    if (!(error instanceof ZendeskError)) throw error;
    const reason =
      error.kind === 'unauthorized' || error.kind === 'forbidden'
        ? `Zendesk refused our credentials: ${error.message}`
        : `Zendesk kept failing; the sync resumes from its last page on the next run: ${error.message}`;
    const phase = error.kind === 'unauthorized' || error.kind === 'forbidden' ? 'paused' : 'failed';
    await setSyncProblem(deps.db, connectionId, phase, reason);
    deps.logger.warn({ connectionId, kind: error.kind, status: error.status }, 'ticket sync stopped');
    return { outcome: phase, pages, tickets, error: reason };
  } finally {
    clearInterval(heartbeat);
    await releaseSyncLease(deps.db, connectionId, owner);
  }
}

/**
 * The ticket metric events, once the tickets are caught up (SLA outcomes refer to them). A failure
 * here leaves the ticket sync as it is: the events follow resumes from its own cursor next run.
 */
async function followSlaEventsOf(deps: SyncDeps, client: Awaited<ReturnType<typeof zendeskClientFor>>, connectionId: string, deadline: number): Promise<void> {
  try {
    const run = await followSlaEvents(deps.db, client, connectionId, { deadline });
    deps.logger.debug({ connectionId, ...run }, 'ticket metric events followed');
  } catch (error) {
    if (!(error instanceof ZendeskError)) throw error;
    deps.logger.warn({ connectionId, kind: error.kind, status: error.status }, 'ticket metric events not followed');
  }
}

/**
 * The updated-CSAT survey responses, once the tickets are caught up (a response names its ticket).
 * A failure here leaves the ticket sync as it is: the follow resumes from its own position next run.
 */
async function followCsatResponsesOf(deps: SyncDeps, client: Awaited<ReturnType<typeof zendeskClientFor>>, connectionId: string, deadline: number): Promise<void> {
  try {
    const alerts = { importWindowSecs: deps.config.ALERT_HISTORY_WINDOW_HOURS * 3600, email: deps.config.SMTP_URL !== undefined };
    const run = await followCsatResponses(deps.db, client, connectionId, { deadline, alerts });
    deps.logger.debug({ connectionId, ...run }, 'CSAT survey responses followed');
  } catch (error) {
    if (!(error instanceof ZendeskError)) throw error;
    deps.logger.warn({ connectionId, kind: error.kind, status: error.status }, 'CSAT survey responses not followed');
  }
}

/**
 * Fetches these tickets from Zendesk now (show_many, 100 ids per call) and writes them through
 * the same guarded path: what a webhook that does not carry the whole ticket leads to.
 */
export async function refreshTickets(deps: SyncDeps, connectionId: string, ticketIds: readonly number[]): Promise<WrittenTicket[]> {
  const client = await zendeskClientFor(deps, connectionId);
  const rule = await escalationRuleOf(deps.db, connectionId);
  const writes: WrittenTicket[] = [];
  const unique = [...new Set(ticketIds)];
  for (let i = 0; i < unique.length; i += SHOW_MANY_IDS) {
    const answer = await fetchTickets(client, unique.slice(i, i + SHOW_MANY_IDS));
    const batch = prepareTicketBatch(pageRows({ ...answer }), rule);
    const written = await deps.db.transaction((tx) => writeTicketBatch(tx, connectionId, batch, 'webhook', deps.config.FREE_MAIL_DOMAINS));
    writes.push(...written);
  }
  await drainConsequences(deps, writes);
  return writes;
}
