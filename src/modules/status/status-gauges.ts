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
import { countPendingDeliveries } from '../ingest/delivery-store.ts';
import { countAlertsByType } from '../alerts/alerts.repo.ts';

export async function readStatusGauges(db: Queryable, nowMs: number = Date.now()): Promise<StatusGauges> {
  const connections = (await listConnections(db)).filter((connection) => connection.status !== 'disconnected');
  const states = await findSyncStates(db, connections.map((connection) => connection.id));
  const alerts = await countAlertsByType(db);
  const backlog = await countPendingDeliveries(db);
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
    alertsRaised: alerts,
    webhookDeliveriesPending: backlog,
    outbox: await outboxBacklog(db),
  };
}
