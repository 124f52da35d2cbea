/**
 * Alerts: raised from every written ticket batch (alertsEffect, applied by the ticket outbox's
 * drain in the transaction that marks the batch's entry done) and by the scheduled SLA
 * check (checkSlaBreaches), each exactly once: every alert has a deduplication key and every insert
 * is `ON CONFLICT (dedupe_key) DO NOTHING`, so webhook retries, catch-up replays, imports and
 * restarts never raise one twice. Events older than the connection (minus a window, 24 h by
 * default) raise nothing, so that a historical import does not flood alerts for old events.
 *
 * Routing, fixed when the alert is raised (one statement with the insert): the customer's CSM; with
 * no CSM (or a disabled one), every leader; minus users who unsubscribed from the alert's type.
 */
import type { AlertType } from '../../contracts/vocabulary.ts';
import type { Queryable } from '../../db/db.ts';
import type { Deps } from '../../deps.ts';
import type { TicketChange } from '../ingest/ticket-outbox.repo.ts';
import type { TicketChangeEffect } from '../ingest/ticket-outbox.ts';


const HOUR_MS = 3_600_000;

export interface AlertOptions {
  /** Tickets created for one customer within spikeWindowMs that make a spike (default 3). */
  spikeThreshold: number;
  /** Default 24 h. */
  spikeWindowMs: number;
  /** Events older than the connection's created_at minus this raise nothing (default 24 h). */
  importWindowMs: number;
  /** The clock, for tests. */
  now: () => Date;
}

export const DEFAULT_ALERT_OPTIONS: AlertOptions = {
  spikeThreshold: 3,
  spikeWindowMs: 24 * HOUR_MS,
  importWindowMs: 24 * HOUR_MS,
  now: () => new Date(),
};

export interface RaisedAlert {
  id: string;
  type: AlertType;
  customerId: string;
  recipients: number;
}

/**
 * Inserts the rows of a `candidates` CTE (type, dedupe_key, customer_id, connection_id,
 * zendesk_ticket_id, details, occurred_at) and routes the new ones, in one statement.
 */
async function raise(db: Queryable, candidatesSql: string, params: readonly unknown[]): Promise<RaisedAlert[]> {
  const { rows } = await db.query<{ id: string; type: AlertType; customer_id: string; recipients: number }>(
    `WITH ${candidatesSql},
     ins AS (
       INSERT INTO alerts (dedupe_key, type, customer_id, connection_id, zendesk_ticket_id, details, occurred_at)
       SELECT DISTINCT ON (dedupe_key) dedupe_key, type, customer_id, connection_id, zendesk_ticket_id, details, occurred_at
         FROM candidates ORDER BY dedupe_key, occurred_at
       ON CONFLICT (dedupe_key) DO NOTHING
       RETURNING id, type, customer_id
     ),
     routed AS (
       INSERT INTO alert_recipients (alert_id, user_id)
       SELECT ins.id, u.id
         FROM ins
         JOIN customers c ON c.id = ins.customer_id
         LEFT JOIN users csm ON csm.id = c.csm_id AND csm.disabled_at IS NULL
         JOIN users u ON u.disabled_at IS NULL AND (u.id = csm.id OR (csm.id IS NULL AND u.role = 'leader'))
        WHERE NOT EXISTS (SELECT 1 FROM alert_subscriptions s WHERE s.user_id = u.id AND s.type = ins.type AND NOT s.enabled)
       RETURNING alert_id, user_id
     ),
     queued AS (
       INSERT INTO alert_deliveries (alert_id, user_id)
       SELECT r.alert_id, r.user_id FROM routed r JOIN alert_webhooks w ON w.user_id = r.user_id AND w.enabled
       RETURNING alert_id
     )
     SELECT ins.id, ins.type, ins.customer_id, (SELECT count(*) FROM routed r WHERE r.alert_id = ins.id)::int AS recipients FROM ins`,
    params,
  );
  return rows.map((row) => ({ id: row.id, type: row.type, customerId: row.customer_id, recipients: row.recipients }));
}

/** A ticket with an SLA applied in Zendesk's metric events: its breaches come from those events. */
const HAS_APPLIED_SLA = `EXISTS (SELECT 1 FROM zendesk_ticket_metric_events x
                  WHERE x.connection_id = t.connection_id AND x.zendesk_ticket_id = t.zendesk_ticket_id AND x.type = 'apply_sla')`;

/**
 * The SLA breaches of matched tickets, once per target:
 * - from Zendesk's ticket metric events: per (ticket, metric, instance) under an applied SLA, a
 *   breach not deleted whose time has come and that no fulfil preceded (fulfilled later still
 *   counts: the target was breached), dated at the breach;
 * - for tickets without such events, from the `slas` snapshot: an active metric of an unsolved
 *   ticket whose breach_at has passed.
 */
function slaCandidates(ticketFilter: string): string {
  return `cutoffs AS (
       SELECT id, created_at - make_interval(secs => $1::float8) AS at FROM zendesk_connections
     ),
     event_breaches AS (
       SELECT b.connection_id, b.zendesk_ticket_id, b.metric, b.instance_id, min(b.occurred_at) AS at
         FROM zendesk_ticket_metric_events b
         JOIN cutoffs c ON c.id = b.connection_id
        WHERE b.type = 'breach' AND NOT b.deleted AND b.occurred_at <= $2::timestamptz AND b.occurred_at >= c.at
        GROUP BY b.connection_id, b.zendesk_ticket_id, b.metric, b.instance_id
     ),
     candidates AS (
       SELECT 'sla_breach'::text AS type,
              'sla_breach:' || t.connection_id || ':' || t.zendesk_ticket_id || ':' || eb.metric || ':' || eb.instance_id AS dedupe_key,
              t.customer_id, t.connection_id, t.zendesk_ticket_id,
              jsonb_strip_nulls(jsonb_build_object(
                'metric', CASE WHEN eb.metric <> 'reply_time' THEN eb.metric WHEN eb.instance_id = 1 THEN 'first_reply_time' ELSE 'next_reply_time' END,
                'instance', eb.instance_id, 'breachAt', eb.at, 'subject', t.subject, 'priority', t.priority, 'status', t.status)) AS details,
              eb.at AS occurred_at
         FROM event_breaches eb
         JOIN zendesk_tickets t ON t.connection_id = eb.connection_id AND t.zendesk_ticket_id = eb.zendesk_ticket_id
        WHERE t.customer_id IS NOT NULL AND t.status <> 'deleted' AND NOT ticket_is_merge_source(t.tags)
          AND EXISTS (SELECT 1 FROM zendesk_ticket_metric_events a
                       WHERE a.connection_id = eb.connection_id AND a.zendesk_ticket_id = eb.zendesk_ticket_id
                         AND a.metric = eb.metric AND a.instance_id = eb.instance_id AND a.type = 'apply_sla')
          AND NOT EXISTS (SELECT 1 FROM zendesk_ticket_metric_events f
                           WHERE f.connection_id = eb.connection_id AND f.zendesk_ticket_id = eb.zendesk_ticket_id
                             AND f.metric = eb.metric AND f.instance_id = eb.instance_id AND f.type = 'fulfill' AND f.occurred_at < eb.at)
          ${ticketFilter}
       UNION ALL
       SELECT 'sla_breach'::text AS type,
              'sla_breach:' || t.connection_id || ':' || t.zendesk_ticket_id || ':' || (m.value->>'metric') || ':'
                || to_char(b.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS dedupe_key,
              t.customer_id, t.connection_id, t.zendesk_ticket_id,
              jsonb_strip_nulls(jsonb_build_object('metric', m.value->>'metric', 'breachAt', b.at, 'subject', t.subject, 'priority', t.priority, 'status', t.status)) AS details,
              b.at AS occurred_at
         FROM zendesk_tickets t
         JOIN cutoffs c ON c.id = t.connection_id
         CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(t.sla_policy_metrics) = 'array' THEN t.sla_policy_metrics ELSE '[]'::jsonb END) AS m(value)
         CROSS JOIN LATERAL (
           SELECT CASE WHEN jsonb_typeof(m.value) = 'object' AND jsonb_typeof(m.value->'breach_at') = 'string'
                        AND (m.value->>'breach_at') ~ '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}'
                       THEN (m.value->>'breach_at')::timestamptz END AS at
         ) AS b
        WHERE t.customer_id IS NOT NULL AND ticket_is_open(t.status) AND NOT ${HAS_APPLIED_SLA}
          AND jsonb_typeof(m.value) = 'object' AND m.value->>'stage' = 'active' AND jsonb_typeof(m.value->'metric') = 'string'
          AND b.at IS NOT NULL AND b.at <= $2::timestamptz AND b.at >= c.at
          ${ticketFilter}
     )`;
}

/**
 * The scheduled check: breaches that happen by the passage of time, with no ticket event. One
 * set-based statement over every unsolved matched ticket; already-raised breaches are skipped by
 * their key, so running it every minute (or twice at once) raises each breach once.
 */
export async function checkSlaBreaches(deps: Pick<Deps, 'db'>, options: Partial<AlertOptions> = {}): Promise<RaisedAlert[]> {
  const o = { ...DEFAULT_ALERT_OPTIONS, ...options };
  return raise(deps.db, slaCandidates(''), [o.importWindowMs / 1000, o.now()]);
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
    const out: Array<{ type: AlertType; zendesk_ticket_id: number; customer_id: string; occurred_at: string }> = [];
    const at = t.now.updatedAt.toISOString();
    if (t.now.escalated && !t.before?.escalated) out.push({ type: 'escalation', zendesk_ticket_id: t.zendeskTicketId, customer_id: t.customerId!, occurred_at: at });
    if (t.now.satisfactionRating === 'bad' && t.before?.satisfactionRating !== 'bad') {
      out.push({ type: 'negative_csat', zendesk_ticket_id: t.zendeskTicketId, customer_id: t.customerId!, occurred_at: at });
    }
    return out;
  });
  if (transitions.length > 0) {
    raised.push(
      ...(await raise(
        deps.db,
        `changes AS (
           SELECT * FROM jsonb_to_recordset($2::jsonb) AS r(type text, zendesk_ticket_id bigint, customer_id uuid, occurred_at timestamptz)
         ),
         candidates AS (
           SELECT r.type,
                  r.type || ':' || $1::text || ':' || r.zendesk_ticket_id || ':'
                    || CASE WHEN r.type = 'negative_csat' AND t.satisfaction_rating_id IS NOT NULL THEN t.satisfaction_rating_id::text
                            ELSE to_char(r.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') END AS dedupe_key,
                  r.customer_id, $1::uuid AS connection_id, r.zendesk_ticket_id,
                  jsonb_strip_nulls(jsonb_build_object(
                    'subject', t.subject, 'priority', t.priority, 'status', t.status,
                    'comment', CASE WHEN r.type = 'negative_csat' THEN t.satisfaction_comment END,
                    'ratingId', CASE WHEN r.type = 'negative_csat' THEN t.satisfaction_rating_id END)) AS details,
                  r.occurred_at
             FROM changes r
             JOIN zendesk_tickets t ON t.connection_id = $1::uuid AND t.zendesk_ticket_id = r.zendesk_ticket_id
             JOIN zendesk_connections conn ON conn.id = $1::uuid
            WHERE r.occurred_at >= conn.created_at - make_interval(secs => $3::float8)
         )`,
        [change.connectionId, JSON.stringify(transitions), windowSecs],
      )),
    );
  }

  // Ticket spikes: for each ticket new to its customer, the customer's tickets created in the
  // window ending at that ticket's creation.
  const arrivals = matched
    .filter((t) => t.inserted || t.before === null || t.previousCustomerId !== t.customerId)
    .map((t) => ({ zendesk_ticket_id: t.zendeskTicketId, customer_id: t.customerId!, created_at: t.now.createdAt.toISOString() }));
  if (arrivals.length > 0) {
    raised.push(
      ...(await raise(
        deps.db,
        `arrivals AS (
           SELECT * FROM jsonb_to_recordset($2::jsonb) AS r(zendesk_ticket_id bigint, customer_id uuid, created_at timestamptz)
         ),
         counted AS (
           SELECT r.*, w.n, w.ids
             FROM arrivals r
             JOIN zendesk_connections conn ON conn.id = $1::uuid
             CROSS JOIN LATERAL (
               SELECT count(*)::int AS n, jsonb_agg(t.zendesk_ticket_id ORDER BY t.zendesk_created_at) AS ids
                 FROM zendesk_tickets t
                WHERE t.customer_id = r.customer_id AND t.status <> 'deleted' AND NOT ticket_is_merge_source(t.tags)
                  AND t.zendesk_created_at > r.created_at - make_interval(secs => $4::float8) AND t.zendesk_created_at <= r.created_at
             ) AS w
            -- A merge source is no new request: it neither makes nor counts toward a spike.
            JOIN zendesk_tickets self ON self.connection_id = $1::uuid AND self.zendesk_ticket_id = r.zendesk_ticket_id AND NOT ticket_is_merge_source(self.tags)
            WHERE r.created_at >= conn.created_at - make_interval(secs => $3::float8) AND w.n >= $5::int
         ),
         candidates AS (
           SELECT DISTINCT ON (k.customer_id) 'ticket_spike'::text AS type,
                  'ticket_spike:' || k.customer_id || ':' || floor(extract(epoch FROM k.created_at) / $4::float8)::bigint AS dedupe_key,
                  k.customer_id, $1::uuid AS connection_id, k.zendesk_ticket_id,
                  jsonb_build_object('count', k.n, 'threshold', $5::int, 'windowHours', $4::float8 / 3600, 'zendeskTicketIds', k.ids) AS details,
                  k.created_at AS occurred_at
             FROM counted k
            WHERE NOT EXISTS (
                    SELECT 1 FROM alerts a
                     WHERE a.type = 'ticket_spike' AND a.customer_id = k.customer_id
                       AND a.occurred_at > k.created_at - make_interval(secs => $4::float8)
                       AND a.occurred_at < k.created_at + make_interval(secs => $4::float8))
            ORDER BY k.customer_id, k.created_at
         )`,
        [change.connectionId, JSON.stringify(arrivals), windowSecs, o.spikeWindowMs / 1000, o.spikeThreshold],
      )),
    );
  }

  // SLA breaches already past when the ticket was written.
  const ids = matched.map((t) => t.zendeskTicketId);
  raised.push(
    ...(await raise(deps.db, slaCandidates('AND t.connection_id = $3::uuid AND t.zendesk_ticket_id = ANY($4::bigint[])'), [
      windowSecs,
      o.now(),
      change.connectionId,
      ids,
    ])),
  );
  return raised;
}

/** The ticket outbox's alert effect: raises the alerts of a written batch in the drain's transaction. */
export function alertsEffect(deps: Pick<Deps, 'logger'>, options: Partial<AlertOptions> = {}): TicketChangeEffect {
  return async (tx, change) => {
    const raised = await raiseAlertsForChange({ db: tx }, change, options);
    if (raised.length > 0) deps.logger.info({ connectionId: change.connectionId, source: change.source, alerts: raised.length }, 'alerts raised');
  };
}
