/**
 * Alerts: raised from every written ticket batch (alertsEffect, applied by the ticket outbox's
 * drain in the transaction that marks the batch's entry done) and by the scheduled SLA
 * check (checkSlaBreaches), each exactly once: every alert has a deduplication key and every insert
 * is `ON CONFLICT (dedupe_key) DO NOTHING`, so webhook retries, catch-up replays, imports and
 * restarts never raise one twice. Events older than the connection (minus a window, 24 h by
 * default) raise nothing, so that a historical import does not flood alerts for old events.
 *
 * Routing, fixed when the alert is raised (one statement with the insert): see alert-raising.repo.ts.
 */
import type { Queryable } from '../../db/db.ts';
import type { Deps } from '../../deps.ts';
import type { TicketChange } from '../ingest/ticket-outbox.repo.ts';
import type { TicketChangeEffect } from '../ingest/ticket-outbox.ts';
import { raiseSlaBreaches, raiseSpikeAlerts, raiseTransitionAlerts, type AlertTransition, type RaisedAlert } from './alert-raising.repo.ts';
import { selectSpikeRule } from './alert-settings.repo.ts';


const HOUR_MS = 3_600_000;

export interface AlertOptions {
  /** Tickets created for one customer within spikeWindowMs that make a spike (default 3). */
  spikeThreshold: number;
  /** Default 24 h. */
  spikeWindowMs: number;
  /** Events older than the connection's created_at minus this raise nothing (default 24 h). */
  importWindowMs: number;
  /** Whether alerts are also sent by email (mail is configured: SMTP_URL). */
  email: boolean;
  /** The clock, for tests. */
  now: () => Date;
}

export const DEFAULT_ALERT_OPTIONS: AlertOptions = {
  spikeThreshold: 3,
  spikeWindowMs: 24 * HOUR_MS,
  importWindowMs: 24 * HOUR_MS,
  email: false,
  now: () => new Date(),
};

export type { RaisedAlert };

/**
 * The scheduled check: breaches that happen by the passage of time, with no ticket event. One
 * set-based statement over every unsolved matched ticket; already-raised breaches are skipped by
 * their key, so running it every minute (or twice at once) raises each breach once.
 */
export async function checkSlaBreaches(deps: Pick<Deps, 'db'>, options: Partial<AlertOptions> = {}): Promise<RaisedAlert[]> {
  const o = { ...DEFAULT_ALERT_OPTIONS, ...options };
  return raiseSlaBreaches(deps.db, { importWindowSecs: o.importWindowMs / 1000, now: o.now(), email: o.email });
}

/** Everything one written batch raises, in `deps.db` (the drain's transaction); answers the new alerts. */
export async function raiseAlertsForChange(deps: { db: Queryable }, change: TicketChange, options: Partial<AlertOptions> = {}): Promise<RaisedAlert[]> {
  const o = { ...DEFAULT_ALERT_OPTIONS, ...options };
  const matched = change.tickets.filter((t) => t.customerId !== null);
  if (matched.length === 0) return [];
  const windowSecs = o.importWindowMs / 1000;
  const raised: RaisedAlert[] = [];

  // Escalations and negative CSAT ratings: transitions of this write (first sight counts).
  const transitions = matched.flatMap((t) => {
    const out: AlertTransition[] = [];
    const at = t.now.updatedAt.toISOString();
    if (t.now.escalated && !t.before?.escalated) out.push({ type: 'escalation', zendesk_ticket_id: t.zendeskTicketId, customer_id: t.customerId!, occurred_at: at });
    if (t.now.satisfactionRating === 'bad' && t.before?.satisfactionRating !== 'bad') {
      out.push({ type: 'negative_csat', zendesk_ticket_id: t.zendeskTicketId, customer_id: t.customerId!, occurred_at: at });
    }
    return out;
  });
  if (transitions.length > 0) {
    raised.push(...(await raiseTransitionAlerts(deps.db, change.connectionId, transitions, windowSecs, o.email)));
  }

  // Ticket spikes: for each ticket new to its customer, the customer's tickets created in the
  // window ending at that ticket's creation.
  const arrivals = matched
    .filter((t) => t.inserted || t.before === null || t.previousCustomerId !== t.customerId)
    .map((t) => ({ zendesk_ticket_id: t.zendeskTicketId, customer_id: t.customerId!, created_at: t.now.createdAt.toISOString() }));
  if (arrivals.length > 0) {
    // The rule admins set (alert_settings) wins over the server's defaults in `o`.
    const spike = await selectSpikeRule(deps.db, { threshold: o.spikeThreshold, windowHours: o.spikeWindowMs / HOUR_MS });
    raised.push(...(await raiseSpikeAlerts(deps.db, change.connectionId, arrivals, windowSecs, { windowSecs: spike.windowHours * 3600, threshold: spike.threshold }, o.email)));
  }

  // SLA breaches already past when the ticket was written.
  const ids = matched.map((t) => t.zendeskTicketId);
  raised.push(...(await raiseSlaBreaches(deps.db, { importWindowSecs: windowSecs, now: o.now(), email: o.email, tickets: { connectionId: change.connectionId, zendeskTicketIds: ids } })));
  return raised;
}

/** The ticket outbox's alert effect: raises the alerts of a written batch in the drain's transaction. */
export function alertsEffect(deps: Pick<Deps, 'logger'>, options: Partial<AlertOptions> = {}): TicketChangeEffect {
  return async (tx, change) => {
    const raised = await raiseAlertsForChange({ db: tx }, change, options);
    if (raised.length > 0) deps.logger.info({ connectionId: change.connectionId, source: change.source, alerts: raised.length }, 'alerts raised');
  };
}
