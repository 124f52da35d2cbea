/**
 * The statements that raise alerts: each inserts the rows of a `candidates` CTE, skips those whose
 * deduplication key was raised before, and routes the new ones, in one statement (see
 * alerts.service.ts for when each runs).
 */
import { z } from 'zod';
import { ALERT_TYPES, type AlertType } from '../../contracts/vocabulary.ts';
import type { Queryable } from '../../db/db.ts';
import { queryRows } from '../../db/rows.ts';

export interface RaisedAlert {
  id: string;
  type: AlertType;
  customerId: string;
  recipients: number;
}

/**
 * Inserts the rows of a `candidates` CTE (type, dedupe_key, customer_id, connection_id,
 * zendesk_ticket_id, details, occurred_at) and routes the new ones, in one statement.
 *
 * Routing always finds someone: the customer's CSM; with no CSM (or a disabled or unsubscribed
 * one), the leaders; with none of those, the admins. Users who unsubscribed from the alert's type
 * are left out of their tier, and the next tier is asked; if everyone unsubscribed, the admins get
 * it anyway, so that no alert is stored without a recipient. Users following the customer
 * (customer_follows, for all types or this one, and subscribed to it) are recipients too, in
 * addition to that tier. Deliveries beyond the app are queued in the same statement: each
 * recipient's outbound webhook, an email when `email` (mail is configured) and the recipient has
 * not turned it off, and one post to the team's webhook (alert_team_webhook) when an admin set
 * one. The alert's history starts with its 'raised' step (alert_events), in the same statement.
 */
async function raise(db: Queryable, candidatesSql: string, params: readonly unknown[], email: boolean): Promise<RaisedAlert[]> {
  const emailParam = `$${params.length + 1}::boolean`;
  const rows = await queryRows(
    db,
    z.object({ id: z.string(), type: z.enum(ALERT_TYPES), customer_id: z.string(), recipients: z.number() }),
    `WITH ${candidatesSql},
     ins AS (
       INSERT INTO alerts (dedupe_key, type, customer_id, connection_id, zendesk_ticket_id, details, occurred_at)
       SELECT DISTINCT ON (dedupe_key) dedupe_key, type, customer_id, connection_id, zendesk_ticket_id, details, occurred_at
         FROM candidates ORDER BY dedupe_key, occurred_at
       ON CONFLICT (dedupe_key) DO NOTHING
       RETURNING id, type, customer_id
     ),
     -- The first step of its history (alert_events), by the system.
     history AS (
       INSERT INTO alert_events (alert_id, kind, actor_id) SELECT id, 'raised', NULL FROM ins RETURNING alert_id
     ),
     tiers AS (
       SELECT ins.id AS alert_id, u.id AS user_id,
              CASE WHEN u.id = c.csm_id THEN 1 WHEN u.role = 'leader' THEN 2 ELSE 3 END AS tier,
              NOT EXISTS (SELECT 1 FROM alert_subscriptions s WHERE s.user_id = u.id AND s.type = ins.type AND NOT s.enabled) AS subscribed
         FROM ins
         JOIN customers c ON c.id = ins.customer_id
         JOIN users u ON u.disabled_at IS NULL AND (u.id = c.csm_id OR u.role IN ('leader', 'admin'))
     ),
     chosen AS (
       SELECT alert_id, user_id, tier, subscribed, min(tier) FILTER (WHERE subscribed) OVER (PARTITION BY alert_id) AS best FROM tiers
     ),
     -- Followers of the alert's customer (customer_follows), for every type or this one, unless
     -- they unsubscribed from the type: in addition to the tier chosen above, never instead.
     followers AS (
       SELECT ins.id AS alert_id, f.user_id
         FROM ins
         JOIN customer_follows f ON f.customer_id = ins.customer_id AND (f.types IS NULL OR ins.type = ANY (f.types))
         JOIN users u ON u.id = f.user_id AND u.disabled_at IS NULL
        WHERE NOT EXISTS (SELECT 1 FROM alert_subscriptions s WHERE s.user_id = f.user_id AND s.type = ins.type AND NOT s.enabled)
     ),
     routed AS (
       INSERT INTO alert_recipients (alert_id, user_id)
       SELECT alert_id, user_id FROM chosen
        WHERE (best IS NOT NULL AND tier = best AND subscribed) OR (best IS NULL AND tier = 3)
       UNION
       SELECT alert_id, user_id FROM followers
       RETURNING alert_id, user_id
     ),
     queued AS (
       INSERT INTO alert_deliveries (alert_id, user_id, channel)
       SELECT r.alert_id, r.user_id, 'webhook' FROM routed r JOIN alert_webhooks w ON w.user_id = r.user_id AND w.enabled
       UNION ALL
       SELECT r.alert_id, r.user_id, 'email' FROM routed r JOIN users u ON u.id = r.user_id
        WHERE ${emailParam} AND u.alert_email AND u.email IS NOT NULL
       UNION ALL
       -- The team's channel: once per alert (see migration 0030 for the unique index that holds it).
       SELECT ins.id, t.set_by, 'team_webhook' FROM ins CROSS JOIN alert_team_webhook t WHERE t.enabled
       ON CONFLICT DO NOTHING
       RETURNING alert_id
     )
     SELECT ins.id, ins.type, ins.customer_id, (SELECT count(*) FROM routed r WHERE r.alert_id = ins.id)::int AS recipients FROM ins`,
    [...params, email],
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
 * Breaches of SLA metrics (an active metric whose breach_at has passed by `now`) of matched
 * unsolved tickets: all of them, or those of `tickets`. Breaches before a connection's creation
 * minus `importWindowSecs` raise nothing.
 */
export async function raiseSlaBreaches(
  db: Queryable,
  input: { importWindowSecs: number; now: Date; email: boolean; tickets?: { connectionId: string; zendeskTicketIds: number[] } },
): Promise<RaisedAlert[]> {
  if (!input.tickets) return raise(db, slaCandidates(''), [input.importWindowSecs, input.now], input.email);
  return raise(db, slaCandidates('AND t.connection_id = $3::uuid AND t.zendesk_ticket_id = ANY($4::bigint[])'), [
    input.importWindowSecs,
    input.now,
    input.tickets.connectionId,
    input.tickets.zendeskTicketIds,
  ], input.email);
}

export interface AlertTransition {
  type: AlertType;
  zendesk_ticket_id: number;
  customer_id: string;
  occurred_at: string;
}

/** Escalations and negative CSAT ratings of a connection's tickets (those after its creation minus `importWindowSecs`). */
export async function raiseTransitionAlerts(db: Queryable, connectionId: string, transitions: readonly AlertTransition[], importWindowSecs: number, email: boolean): Promise<RaisedAlert[]> {
  return raise(
    db,
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
    [connectionId, JSON.stringify(transitions), importWindowSecs],
    email,
  );
}

export interface TicketArrival {
  zendesk_ticket_id: number;
  customer_id: string;
  created_at: string;
}

/**
 * Ticket spikes: for each ticket new to its customer, the customer's tickets created in the
 * `spike.windowSecs` ending at that ticket's creation; `spike.threshold` of them make a spike.
 */
export async function raiseSpikeAlerts(
  db: Queryable,
  connectionId: string,
  arrivals: readonly TicketArrival[],
  importWindowSecs: number,
  spike: { windowSecs: number; threshold: number },
  email: boolean,
): Promise<RaisedAlert[]> {
  return raise(
    db,
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
    [connectionId, JSON.stringify(arrivals), importWindowSecs, spike.windowSecs, spike.threshold],
    email,
  );
}

/**
 * Negative updated-CSAT responses (zendesk_csat_responses, by id) of a connection's matched
 * tickets: on a 5-point scale a score at or below `maxScore`, on another scale Zendesk's bad
 * (csat_response_is_negative, migration 0029). Once per response (its id is in the key), with its
 * comment, score and scale in the details; responses before the connection's creation minus
 * `importWindowSecs` raise nothing. A response is left alone when the ticket's legacy rating has
 * already raised a negative-CSAT alert at or after the response's time: Zendesk mirrors the
 * response onto the legacy rating, and one answer is one alert.
 */
export async function raiseCsatResponseAlerts(
  db: Queryable,
  connectionId: string,
  responseIds: readonly string[],
  input: { maxScore: number; importWindowSecs: number; email: boolean },
): Promise<RaisedAlert[]> {
  if (responseIds.length === 0) return [];
  return raise(
    db,
    `candidates AS (
       SELECT 'negative_csat'::text AS type,
              'negative_csat:' || $1::text || ':' || r.zendesk_ticket_id || ':response:' || r.zendesk_response_id AS dedupe_key,
              t.customer_id, $1::uuid AS connection_id, r.zendesk_ticket_id,
              jsonb_strip_nulls(jsonb_build_object(
                'subject', t.subject, 'priority', t.priority, 'status', t.status, 'comment', r.comment,
                'responseId', r.zendesk_response_id, 'score', r.score, 'scale', r.scale, 'maxScore', $4::int)) AS details,
              r.responded_at AS occurred_at
         FROM zendesk_csat_responses r
         JOIN zendesk_tickets t ON t.connection_id = r.connection_id AND t.zendesk_ticket_id = r.zendesk_ticket_id
         JOIN zendesk_connections conn ON conn.id = r.connection_id
        WHERE r.connection_id = $1::uuid AND r.zendesk_response_id = ANY($2::text[])
          AND t.customer_id IS NOT NULL AND t.status <> 'deleted'
          AND csat_response_is_negative(r.score, r.scale, $4::int)
          AND r.responded_at >= conn.created_at - make_interval(secs => $3::float8)
          AND NOT EXISTS (SELECT 1 FROM alerts a
                           WHERE a.type = 'negative_csat' AND a.connection_id = r.connection_id AND a.zendesk_ticket_id = r.zendesk_ticket_id
                             AND a.details->>'responseId' IS NULL AND a.occurred_at >= r.responded_at)
     )`,
    [connectionId, [...responseIds], input.importWindowSecs, input.maxScore],
    input.email,
  );
}
