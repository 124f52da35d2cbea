/**
 * `sync [<connection>] [--wait] [--full]`: without --wait, asks the workers for a sync (the job
 * queue). With --wait, runs it in this process (the sync lease keeps it to one run per connection
 * across processes: when another process is running it, this waits for that run, then catches up
 * once more) and draws its progress from the connection's sync state: count, rate and ETA.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { syncProgress, type SyncProgress } from '../../modules/sync/sync-progress.ts';
import { findSyncStates, resetImport } from '../../modules/sync/sync.repo.ts';
import { runSync, type SyncRunResult } from '../../modules/sync/sync.service.ts';
import { listConnections } from '../../modules/connections/connections.repo.ts';
import { UsageError, type Command, type CommandContext } from '../command.ts';
import { findNamedConnection, formatDuration } from './connections.ts';

const POLL_MS = 500;
const BUSY_RETRY_MS = 2_000;
const BAR_WIDTH = 24;

const number = (n: number) => n.toLocaleString('en-US');

/** One line of progress for a person: a bar when the total is known, else the count. */
export function describeProgress(subdomain: string, p: SyncProgress): string {
  const rate = p.ratePerSecond === null ? '' : `  ${number(Math.round(p.ratePerSecond))} tickets/s`;
  const eta = p.state === 'importing' && p.etaSeconds !== null ? `  ETA ${formatDuration(p.etaSeconds)}` : '';
  if (p.total !== null && p.total > 0) {
    const ratio = Math.min(1, p.imported / p.total);
    const filled = Math.round(ratio * BAR_WIDTH);
    const bar = `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}]`;
    return `${subdomain} ${p.state.padEnd(9)} ${bar} ${String(Math.floor(ratio * 100)).padStart(3)}%  ${number(p.imported)}/${number(p.total)}${rate}${eta}`;
  }
  return `${subdomain} ${p.state.padEnd(9)} ${number(p.imported)} tickets${rate}${eta}`;
}

function progressFollower(context: CommandContext, subdomain: string, read: () => Promise<SyncProgress>) {
  const tty = !context.json && process.stdout.isTTY === true;
  let last = '';
  let stopped = false;
  const draw = async (final: boolean) => {
    const progress = await read();
    if (context.json) {
      const line = JSON.stringify({ event: 'progress', connection: subdomain, ...progress });
      if (line !== last || final) context.emit(line);
      last = line;
      return progress;
    }
    const text = describeProgress(subdomain, progress);
    if (tty) process.stdout.write(`\r\x1b[2K${text}${final ? '\n' : ''}`);
    else if (text !== last || final) context.emit(text);
    last = text;
    return progress;
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
    wait: { type: 'boolean', help: 'run the sync in this process and draw a progress bar (count, rate, ETA) until it is done' },
    full: { type: 'boolean', help: 'start the historical import over from the beginning (upserts make it safe)' },
  },
  notes: ['The connection may be left out when there is only one. With --json, --wait prints JSON lines: progress, then the result.'],
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

    const read = async () => syncProgress((await findSyncStates(deps.db, [connection.id])).get(connection.id));
    const follower = progressFollower(context, connection.subdomain, read);
    const started = Date.now();
    let result: SyncRunResult;
    try {
      for (;;) {
        result = await runSync(deps, connection.id);
        if (result.outcome !== 'busy') break;
        await sleep(BUSY_RETRY_MS); // another process runs it: wait for that run to end
      }
    } finally {
      await follower.stop().catch(() => undefined);
    }
    const progress = await read();
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
