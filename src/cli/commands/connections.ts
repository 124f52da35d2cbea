/** Connections from the command line: status, connect, and helpers shared with sync. */
import type { Db } from '../../db/db.ts';
import { depthOf, jobSchemaOf } from '../../jobs/queue.ts';
import { findConnection, findConnectionBySubdomain, listConnections, type Connection } from '../../modules/connections/connections.repo.ts';
import { connectWithApiToken } from '../../modules/connections/connections.service.ts';
import { syncLagSeconds, syncProgress, type SyncProgress } from '../../modules/ingest/sync-progress.ts';
import { findSyncStates } from '../../modules/ingest/sync.repo.ts';
import { outboxBacklog, type OutboxBacklog } from '../../modules/ingest/ticket-outbox.repo.ts';
import { listUsersByRole, type User } from '../../modules/users/users.repo.ts';
import { parseSubdomain } from '../../zendesk/url.ts';
import { requiredOption, stringOption, UsageError, type Command } from '../command.ts';

export interface ConnectionStatus {
  id: string;
  subdomain: string;
  status: Connection['status'];
  error: string | null;
  sync: SyncProgress;
  lagSeconds: number | null;
}

export async function connectionStatuses(db: Db, nowMs = Date.now()): Promise<ConnectionStatus[]> {
  const connections = await listConnections(db);
  const states = await findSyncStates(db, connections.map((c) => c.id));
  return connections.map((connection) => {
    const state = states.get(connection.id);
    const lag = syncLagSeconds(connection, state, nowMs);
    return {
      id: connection.id,
      subdomain: connection.subdomain,
      status: connection.status,
      error: connection.lastError,
      sync: syncProgress(state, nowMs),
      lagSeconds: lag === null ? null : Math.round(lag),
    };
  });
}

/** A connection named by its id or its subdomain (`acme`, `https://acme.zendesk.com`). */
export async function findNamedConnection(db: Db, name: string): Promise<Connection> {
  const byId = /^[0-9a-f-]{36}$/i.test(name) ? await findConnection(db, name) : null;
  const connection = byId ?? (await findConnectionBySubdomain(db, parseSubdomain(name) ?? name));
  if (!connection) throw new UsageError(`no Zendesk connection "${name}"; npm run cli -- status lists them`);
  return connection;
}

export function formatDuration(seconds: number | null): string {
  if (seconds === null) return '-';
  if (seconds < 90) return `${Math.round(seconds)}s`;
  if (seconds < 90 * 60) return `${Math.round(seconds / 60)}m`;
  if (seconds < 48 * 3600) return `${(seconds / 3600).toFixed(1)}h`;
  return `${Math.round(seconds / 86400)}d`;
}

export const statusCommand: Command = {
  summary: 'the connections, their sync state and lag, the ticket outbox backlog, and the job queue',
  run: async (context) => {
    const db = await context.db();
    const connections = await connectionStatuses(db);
    // pg-boss's tables exist once a server or worker has started on this database.
    const queue = await depthOf(db, await jobSchemaOf(db)).catch(() => null);
    const outbox = await outboxBacklog(db);
    return { connections, outbox, queue };
  },
  describe: (result) => {
    const connections = result.connections as ConnectionStatus[];
    const queue = result.queue as Array<{ queue: string; state: string; count: number }> | null;
    const lines = connections.length === 0 ? ['no Zendesk connections yet (npm run cli -- connect --help)'] : ['connections:'];
    for (const c of connections) {
      const progress = c.sync.total === null ? `${c.sync.imported}` : `${c.sync.imported}/${c.sync.total}`;
      lines.push(
        `  ${c.subdomain.padEnd(20)} ${c.status.padEnd(12)} sync ${c.sync.state.padEnd(9)} imported ${progress.padEnd(15)} lag ${formatDuration(c.lagSeconds)}${c.sync.error ?? c.error ? `  (${c.sync.error ?? c.error})` : ''}`,
      );
    }
    const outbox = result.outbox as OutboxBacklog;
    lines.push(
      outbox.pending === 0
        ? 'ticket outbox: empty (every ticket change has its alerts and refreshes)'
        : `ticket outbox: ${outbox.pending} changes waiting for their alerts and refreshes, oldest ${formatDuration(outbox.oldestAgeSeconds)}${outbox.retrying ? `, ${outbox.retrying} retrying after a failure` : ''}`,
    );
    if (queue === null) lines.push('queue: not created yet (no server or worker has run on this database)');
    else {
      const waiting = queue.filter((r) => r.state === 'created' || r.state === 'retry').reduce((sum, r) => sum + r.count, 0);
      const active = queue.filter((r) => r.state === 'active').reduce((sum, r) => sum + r.count, 0);
      const failed = queue.filter((r) => r.state === 'failed').reduce((sum, r) => sum + r.count, 0);
      lines.push(`queue: ${waiting} waiting, ${active} running, ${failed} failed (kept 24 h)`);
      for (const name of [...new Set(queue.map((r) => r.queue))]) {
        lines.push(`  ${name.padEnd(28)} ${queue.filter((r) => r.queue === name).map((r) => `${r.state} ${r.count}`).join(', ')}`);
      }
    }
    return lines.join('\n');
  },
};

async function actingAdmin(db: Db, email: string | undefined): Promise<User> {
  const admins = await listUsersByRole(db, 'admin');
  const admin = email === undefined ? admins[0] : admins.find((a) => a.email.toLowerCase() === email.toLowerCase());
  if (!admin) throw new UsageError(email === undefined ? 'there is no admin yet: create one first (npm run cli -- users create --role admin)' : `${email} is not an admin here`);
  return admin;
}

export const connectCommand: Command = {
  summary: 'connect a Zendesk subdomain with an API token (the historical import is queued at once)',
  options: {
    subdomain: { type: 'string', required: true, value: '<acme>', help: 'the Zendesk subdomain (acme) or the account URL (https://acme.zendesk.com)' },
    email: { type: 'string', required: true, value: '<email>', help: 'the Zendesk admin the API token belongs to' },
    'api-token': { type: 'string', required: true, value: '<token>', help: 'the API token (Admin Center > Apps and integrations > APIs > Zendesk API)' },
    as: { type: 'string', value: '<email>', help: 'our admin recorded as having connected it (default: the first admin)' },
  },
  notes: ['OAuth connections start in the browser (POST /api/integrations/zendesk/connect with method "oauth").'],
  run: async (context) => {
    // Given but empty or blank, the subdomain is refused by connect with the forms it accepts.
    const given = context.options.subdomain;
    const subdomain = typeof given === 'string' ? given : requiredOption(context, 'subdomain', 'connect');
    const email = requiredOption(context, 'email', 'connect');
    const apiToken = requiredOption(context, 'api-token', 'connect');
    const deps = await context.deps();
    const admin = await actingAdmin(deps.db, stringOption(context, 'as'));
    const connection = await connectWithApiToken(deps, admin, { subdomain, email, apiToken });
    return { connection: { id: connection.id, subdomain: connection.subdomain, status: connection.status, zendeskUser: connection.zendeskUserEmail }, importQueued: true };
  },
  describe: (result) => {
    const connection = result.connection as { id: string; subdomain: string };
    return `connected ${connection.subdomain} (connection ${connection.id}); the historical import is queued: follow it with npm run cli -- sync ${connection.subdomain} --wait`;
  },
};
