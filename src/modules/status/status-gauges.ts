/**
 * What the database-backed Prometheus gauges show (src/observability/metrics.ts), read at each
 * scrape: every connection's sync phase, import progress and lag, alerts raised by type, and the
 * backlogs of webhook deliveries and of the ticket outbox. Reads only.
 */
import type { Queryable } from '../../db/db.ts';
import type { StatusGauges } from '../../observability/metrics.ts';
import { listConnections } from '../connections/connections.repo.ts';
import { syncLagSeconds, syncProgress } from '../ingest/sync-progress.ts';
import { findSyncStates } from '../ingest/sync.repo.ts';
import { outboxBacklog } from '../ingest/ticket-outbox.repo.ts';

export async function readStatusGauges(db: Queryable, nowMs: number = Date.now()): Promise<StatusGauges> {
  const connections = (await listConnections(db)).filter((connection) => connection.status !== 'disconnected');
  const states = await findSyncStates(db, connections.map((connection) => connection.id));
  const alerts = await db.query<{ type: string; count: number }>('SELECT type, count(*)::int AS count FROM alerts GROUP BY type');
  const backlog = await db.query<{ count: number }>('SELECT count(*)::int AS count FROM zendesk_webhook_deliveries WHERE processed_at IS NULL');
  return {
    connections: connections.map((connection) => {
      const state = states.get(connection.id);
      const progress = syncProgress(state, nowMs);
      return {
        subdomain: connection.subdomain,
        phase: progress.state,
        imported: progress.imported,
        total: progress.total,
        importFinished: state?.importFinishedAt != null,
        lagSeconds: syncLagSeconds(connection, state, nowMs),
      };
    }),
    alertsRaised: alerts.rows,
    webhookDeliveriesPending: backlog.rows[0]?.count ?? 0,
    outbox: await outboxBacklog(db),
  };
}
