/**
 * `sync [<connection>] [--wait] [--full]`: without --wait, asks the workers for a sync (the job
 * queue). With --wait, runs it in this process (the sync lease keeps it to one run per connection
 * across processes: when another process is running it, this waits for that run, then catches up
 * once more) and says, one line per update, how far it is and what it waits for (../sync-wait.ts).
 * The exit code is 0 when the sync is done, 1 with the reason when it failed or is paused.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { syncProgress, type SyncProgress } from '../../modules/ingest/sync-progress.ts';
import { findSyncStates, resetImport } from '../../modules/ingest/sync.repo.ts';
import { PROCESS_ID, runSync, type SyncRunResult } from '../../modules/ingest/sync.service.ts';
import { listConnections } from '../../modules/connections/connections.repo.ts';
import { UsageError, type Command, type CommandContext } from '../command.ts';
import { describeWait, exportLimitWait, heldByAnotherProcess, listeningToZendesk, RateMeter, secondsLeft, type Waiting, type WaitView } from '../sync-wait.ts';
import { findNamedConnection } from './connections.ts';

const POLL_MS = 500;
const BUSY_RETRY_MS = 2_000;

const number = (n: number) => n.toLocaleString('en-US');

/** What this process knows of the run it follows, beyond the database. */
interface RunFacts {
  /** This process is running the sync, or waiting for another process's run of it to end. */
  running: boolean;
  /** The client's current wait before a retry, until its end (epoch ms). */
  retry: { reason: 'rate_limited' | 'server_error' | 'network'; until: number } | null;
}

/**
 * Draws the wait: on a terminal, one line rewritten in place; otherwise (and with --json, as JSON
 * lines) a line each time something changes: the state, the count, or what the sync waits for.
 */
function progressFollower(context: CommandContext, subdomain: string, connectionId: string, facts: RunFacts) {
  const tty = !context.json && process.stdout.isTTY === true;
  const meter = new RateMeter();
  let lastKey = '';
  let stopped = false;
  const read = async (): Promise<WaitView> => {
    const db = await context.db();
    const state = (await findSyncStates(db, [connectionId])).get(connectionId);
    const now = Date.now();
    const progress = syncProgress(state, now);
    meter.add(progress.imported, now);
    const ratePerSecond = meter.ratePerSecond(now);
    // What the run is doing, then what holds it, most specific last.
    const waiting: Waiting[] = [];
    if (facts.running && state?.importFinishedAt && progress.state === 'live') {
      const since = state.lastSyncedAt ?? state.importFinishedAt;
      waiting.push({ kind: 'catching-up', sinceSeconds: Math.round((now - since.getTime()) / 1000) });
    }
    if (facts.running && (await heldByAnotherProcess(db, connectionId, `${PROCESS_ID}:`))) waiting.push({ kind: 'another-process' });
    if (facts.retry && facts.retry.until > now) waiting.push({ kind: 'retry', reason: facts.retry.reason, nextInSeconds: Math.ceil((facts.retry.until - now) / 1000) });
    const limited = facts.running ? await exportLimitWait(db, connectionId, context.config.ZENDESK_EXPORT_REQUESTS_PER_MINUTE) : null;
    if (limited) waiting.push(limited);
    const etaSeconds = secondsLeft(progress, ratePerSecond, state?.importFinishedAt != null);
    return { subdomain, progress, importStarted: state?.importStartedAt != null, ratePerSecond, etaSeconds, waiting };
  };
  const draw = async (final: boolean): Promise<SyncProgress> => {
    const view = await read();
    const text = describeWait(view);
    // A change worth a new line: not a countdown's second, nor the rate's drift.
    const key = JSON.stringify([view.progress.state, view.progress.imported, view.progress.total, view.importStarted, view.progress.error, view.waiting.map((w) => w.kind + ('reason' in w ? w.reason : ''))]);
    const changed = key !== lastKey;
    lastKey = key;
    if (context.json) {
      if (changed) {
        const rate = view.ratePerSecond === null ? null : Math.round(view.ratePerSecond * 10) / 10;
        context.emit(JSON.stringify({ event: 'progress', connection: subdomain, ...view.progress, ratePerSecond: rate, etaSeconds: view.etaSeconds, waitingFor: view.waiting, message: text }));
      }
    } else if (tty) {
      const width = process.stdout.columns > 1 ? process.stdout.columns - 1 : Infinity;
      process.stdout.write(`\r\x1b[2K${text.length > width ? `${text.slice(0, width - 1)}…` : text}${final ? '\n' : ''}`);
    } else if (changed) context.emit(text);
    return view.progress;
  };
  const loop = (async () => {
    while (!stopped) {
      await draw(false).catch(() => {});
      await sleep(POLL_MS);
    }
  })();
  return {
    async stop(): Promise<SyncProgress> {
      stopped = true;
      await loop;
      return draw(true);
    },
  };
}

export const syncCommand: Command = {
  summary: 'sync a connection now (the historical import, or a catch-up); --wait runs it here and shows its progress',
  args: '[<subdomain or connection id>]',
  options: {
    wait: { type: 'boolean', help: 'run the sync in this process and say how far it is and what it waits for, until it is done' },
    full: { type: 'boolean', help: 'start the historical import over from the beginning (upserts make it safe)' },
  },
  notes: [
    'The connection may be left out when there is only one.',
    '',
    'With --wait, one line says how far the sync is: tickets imported (of the total Zendesk counted, when',
    'it gave one), the rate measured while waiting, the time left when there is a total to measure it',
    'against, and what the sync waits for: the export limit\'s next page (ZENDESK_EXPORT_REQUESTS_PER_MINUTE),',
    'a retry after a 429 or a Zendesk error, or another process running the same sync. On a terminal the',
    'line is rewritten in place; otherwise a new line is printed when something changes. With --json:',
    'JSON lines, {"event":"progress",...,"waitingFor":[...],"message":...} then {"event":"result",...}.',
    '',
    'exit codes:',
    '  0  the sync is done (or, without --wait, queued)',
    '  1  the sync failed or is paused (the reason is the last line, on standard error), or a mistake',
  ],
  run: async (context) => {
    if (context.args.length > 1) throw new UsageError('sync takes one connection (its subdomain or id)');
    const deps = await context.deps();
    let name = context.args[0];
    if (name === undefined) {
      const active = (await listConnections(deps.db)).filter((c) => c.status !== 'disconnected');
      if (active.length !== 1) throw new UsageError(active.length === 0 ? 'there is no Zendesk connection to sync' : 'there are several connections: name one (npm run cli -- status lists them)');
      name = active[0]?.subdomain ?? '';
    }
    const connection = await findNamedConnection(deps.db, name);
    if (connection.status !== 'active') {
      throw new UsageError(`the connection to ${connection.subdomain} is ${connection.status.replace('_', ' ')}: reconnect it first${connection.lastError ? ` (${connection.lastError})` : ''}`);
    }
    if (context.options.full === true) await resetImport(deps.db, connection.id);
    if (context.options.wait !== true) {
      await deps.syncRequests.sync(connection.id);
      return { connection: connection.subdomain, queued: true, full: context.options.full === true };
    }

    const facts: RunFacts = { running: true, retry: null };
    const listening = listeningToZendesk(deps, {
      onResponse: () => {
        facts.retry = null;
      },
      onRetryWait: ({ reason, seconds }) => {
        facts.retry = { reason, until: Date.now() + seconds * 1000 };
      },
    });
    const follower = progressFollower(context, connection.subdomain, connection.id, facts);
    const started = Date.now();
    let result: SyncRunResult;
    try {
      for (;;) {
        // The tickets only: the SLA metric events, paced under the same export limit, follow in the workers' catch-ups.
        result = await runSync(listening, connection.id, { slaEvents: false });
        if (result.outcome !== 'busy') break;
        await sleep(BUSY_RETRY_MS); // another process runs it: wait for that run to end
      }
    } finally {
      facts.running = false;
      facts.retry = null;
      await follower.stop().catch(() => undefined);
    }
    const progress = syncProgress((await findSyncStates(deps.db, [connection.id])).get(connection.id));
    if (result.outcome === 'failed' || result.outcome === 'paused') {
      throw new UsageError(`the sync of ${connection.subdomain} ${result.outcome === 'failed' ? 'failed' : 'is paused'}: ${result.error ?? progress.error ?? 'see the server log'}`);
    }
    return { event: 'result', connection: connection.subdomain, outcome: result.outcome, pages: result.pages, ticketsWritten: result.tickets, seconds: Math.round((Date.now() - started) / 100) / 10, sync: progress };
  },
  describe: (result) => {
    if (result.queued) return `sync of ${String(result.connection)} queued for the workers${result.full ? ' (from the beginning)' : ''}`;
    const sync = result.sync as SyncProgress;
    return `${String(result.connection)}: ${String(result.outcome)} in ${String(result.seconds)}s (${number(Number(result.ticketsWritten))} tickets written); ${sync.state}, ${number(sync.imported)} imported`;
  },
};
