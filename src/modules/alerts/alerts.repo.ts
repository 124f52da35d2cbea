/**
 * Reading and acting on alerts: the list a user sees (a CSM: the alerts routed to them; leaders and
 * admins: all), acknowledge, snooze, assign and resolve (a recipient, a leader or an admin), each
 * step recorded in alert_events by the statement that makes the change, the history read back, and
 * the caller's own subscriptions per alert type.
 */
import { z } from 'zod';
import type { Queryable } from '../../db/db.ts';
import { queryFirst, queryRows } from '../../db/rows.ts';
import { AppError } from '../../lib/errors.ts';
import type { User } from '../users/users.repo.ts';
import { ALERT_TYPES, type AlertType } from '../../contracts/vocabulary.ts';
import { ALERT_EVENT_KINDS, ALERT_STATUSES } from '../../contracts/alerts.ts';

export { ALERT_STATUSES };
export type AlertStatus = (typeof ALERT_STATUSES)[number];

export interface Alert {
  id: string;
  type: AlertType;
  customerId: string;
  customerName: string;
  connectionId: string | null;
  zendeskTicketId: number | null;
  subdomain: string | null;
  status: AlertStatus;
  details: Record<string, unknown>;
  occurredAt: Date;
  createdAt: Date;
  acknowledgedAt: Date | null;
  acknowledgedBy: string | null;
  resolvedAt: Date | null;
  resolvedBy: string | null;
  recipientIds: string[];
  /** Null unless the alert is snoozed until a time still to come. */
  snoozedUntil: Date | null;
  assignedTo: string | null;
  assignedAt: Date | null;
  resolutionNote: string | null;
}

const alertRow = z.object({
  id: z.string(),
  seq: z.string(),
  type: z.enum(ALERT_TYPES),
  customer_id: z.string(),
  customer_name: z.string(),
  connection_id: z.string().nullable(),
  zendesk_ticket_id: z.number().nullable(),
  subdomain: z.string().nullable(),
  status: z.enum(ALERT_STATUSES),
  details: z.record(z.string(), z.unknown()),
  occurred_at: z.date(),
  created_at: z.date(),
  acknowledged_at: z.date().nullable(),
  acknowledged_by: z.string().nullable(),
  resolved_at: z.date().nullable(),
  resolved_by: z.string().nullable(),
  recipient_ids: z.array(z.string()).nullable(),
  snoozed_until: z.date().nullable(),
  assigned_to: z.string().nullable(),
  assigned_at: z.date().nullable(),
  resolution_note: z.string().nullable(),
});
type AlertRow = z.infer<typeof alertRow>;

/** Snoozed: until a time still to come (compared when read; nothing has to wake the alert). */
const SNOOZED = 'a.snoozed_until > now()';

const SELECT = `SELECT a.id, a.seq::text AS seq, a.type, a.customer_id, c.name AS customer_name, a.connection_id, a.zendesk_ticket_id, z.subdomain,
       a.status, a.details, a.occurred_at, a.created_at, a.acknowledged_at, a.acknowledged_by, a.resolved_at, a.resolved_by,
       (SELECT array_agg(r.user_id::text ORDER BY r.user_id) FROM alert_recipients r WHERE r.alert_id = a.id) AS recipient_ids,
       CASE WHEN ${SNOOZED} THEN a.snoozed_until END AS snoozed_until, a.assigned_to, a.assigned_at, a.resolution_note
  FROM alerts a
  JOIN customers c ON c.id = a.customer_id
  LEFT JOIN zendesk_connections z ON z.id = a.connection_id`;

function toAlert(row: AlertRow): Alert {
  return {
    id: row.id,
    type: row.type,
    customerId: row.customer_id,
    customerName: row.customer_name,
    connectionId: row.connection_id,
    zendeskTicketId: row.zendesk_ticket_id === null ? null : Number(row.zendesk_ticket_id),
    subdomain: row.subdomain,
    status: row.status,
    details: row.details,
    occurredAt: row.occurred_at,
    createdAt: row.created_at,
    acknowledgedAt: row.acknowledged_at,
    acknowledgedBy: row.acknowledged_by,
    resolvedAt: row.resolved_at,
    resolvedBy: row.resolved_by,
    recipientIds: row.recipient_ids ?? [],
    snoozedUntil: row.snoozed_until,
    assignedTo: row.assigned_to,
    assignedAt: row.assigned_at,
    resolutionNote: row.resolution_note,
  };
}

/** Leaders and admins see every alert; a CSM the ones routed to them. */
function seesAll(user: User): boolean {
  return user.role === 'leader' || user.role === 'admin';
}

export interface AlertFilter {
  types: AlertType[] | null;
  statuses: AlertStatus[] | null;
  customerId: string | null;
  /** Only the alerts routed to the caller, also for leaders and admins. */
  mine: boolean;
  /** Snoozed alerts: left out (the default), included, or only those. */
  snoozed?: 'exclude' | 'include' | 'only';
}

/**
 * The conditions of a list (without its cursor), the same for the page and for the unread count:
 * the count is the list of the caller's open alerts, snoozed ones left out, in the caller's scope.
 */
function viewConditions(user: User, filter: AlertFilter, p: (value: unknown) => string): string[] {
  const where: string[] = [];
  if (!seesAll(user) || filter.mine) where.push(`EXISTS (SELECT 1 FROM alert_recipients r WHERE r.alert_id = a.id AND r.user_id = ${p(user.id)}::uuid)`);
  if (filter.types) where.push(`a.type = ANY(${p(filter.types)}::text[])`);
  if (filter.statuses) where.push(`a.status = ANY(${p(filter.statuses)}::text[])`);
  if (filter.customerId) where.push(`a.customer_id = ${p(filter.customerId)}::uuid`);
  const snoozed = filter.snoozed ?? 'exclude';
  if (snoozed === 'exclude') where.push(`NOT coalesce(${SNOOZED}, false)`);
  if (snoozed === 'only') where.push(SNOOZED);
  return where;
}

/** What the unread count (the nav badge) counts: the default view, open and not snoozed, in the caller's scope. */
export function unreadFilter(filter: Pick<AlertFilter, 'mine'>): AlertFilter {
  return { types: null, statuses: ['open'], customerId: null, mine: filter.mine, snoozed: 'exclude' };
}

export async function listAlerts(
  db: Queryable,
  user: User,
  input: { filter: AlertFilter; limit: number; cursor: string | null },
): Promise<{ alerts: Alert[]; nextCursor: string | null; unread: number }> {
  const params: unknown[] = [];
  const p = (value: unknown) => `$${params.push(value)}`;
  const where = viewConditions(user, input.filter, p);
  if (input.cursor) where.push(`a.seq < ${p(input.cursor)}::bigint`);
  const rows = await queryRows(
    db,
    alertRow,
    `${SELECT} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY a.seq DESC LIMIT ${p(input.limit + 1)}`,
    params,
  );
  const page = rows.slice(0, input.limit);
  const last = page.at(-1);
  const countParams: unknown[] = [];
  const unread = viewConditions(user, unreadFilter(input.filter), (value) => `$${countParams.push(value)}`);
  const counted = await queryFirst(db, z.object({ n: z.number() }), `SELECT count(*)::int AS n FROM alerts a WHERE ${unread.join(' AND ')}`, countParams);
  return { alerts: page.map(toAlert), nextCursor: rows.length > input.limit && last ? last.seq : null, unread: counted?.n ?? 0 };
}

async function findVisibleAlert(db: Queryable, user: User, id: string): Promise<Alert> {
  const row = await queryFirst(db, alertRow, `${SELECT} WHERE a.id = $1::uuid`, [id]);
  if (!row) throw new AppError('not_found', `no alert ${id}`);
  const alert = toAlert(row);
  if (!seesAll(user) && !alert.recipientIds.includes(user.id)) throw new AppError('not_found', `no alert ${id}`);
  return alert;
}

/**
 * Open -> acknowledged (when and by whom recorded once, with its history event in the same
 * statement); a later call changes nothing. `via`: in the app (or the API), or by a mail's link.
 */
export async function acknowledgeAlert(db: Queryable, user: User, id: string, via: 'app' | 'link' = 'app'): Promise<Alert> {
  await findVisibleAlert(db, user, id);
  await db.query(
    `WITH acked AS (
       UPDATE alerts SET status = 'acknowledged', acknowledged_at = now(), acknowledged_by = $2::uuid WHERE id = $1::uuid AND status = 'open' RETURNING id
     )
     INSERT INTO alert_events (alert_id, kind, actor_id, details)
     SELECT id, 'acknowledged', $2::uuid, CASE WHEN $3::text = 'link' THEN '{"via":"link"}'::jsonb ELSE '{}'::jsonb END FROM acked`,
    [id, user.id, via],
  );
  return findVisibleAlert(db, user, id);
}

/**
 * Open or acknowledged -> resolved, with an optional note; resolving an unacknowledged alert
 * acknowledges it too (both steps in its history), and ends a snooze. A resolved alert stays as it was.
 */
export async function resolveAlert(db: Queryable, user: User, id: string, note: string | null = null): Promise<Alert> {
  await findVisibleAlert(db, user, id);
  await db.query(
    `WITH resolved AS (
       UPDATE alerts a SET status = 'resolved', resolved_at = now(), resolved_by = $2::uuid, resolution_note = $3::text,
              acknowledged_at = coalesce(a.acknowledged_at, now()), acknowledged_by = coalesce(a.acknowledged_by, $2::uuid),
              snoozed_until = NULL, snoozed_by = NULL
         FROM alerts before
        WHERE a.id = $1::uuid AND before.id = a.id AND a.status <> 'resolved'
       RETURNING a.id, before.status AS was
     )
     INSERT INTO alert_events (alert_id, kind, actor_id, details)
     SELECT r.id, k.kind, $2::uuid, k.details
       FROM resolved r
       CROSS JOIN LATERAL (VALUES (1, 'acknowledged', '{}'::jsonb), (2, 'resolved', jsonb_strip_nulls(jsonb_build_object('note', $3::text)))) AS k(ord, kind, details)
      WHERE k.kind = 'resolved' OR r.was = 'open'
      ORDER BY k.ord`,
    [id, user.id, note],
  );
  return findVisibleAlert(db, user, id);
}

function notResolved(alert: Alert, action: string): void {
  if (alert.status === 'resolved') throw new AppError('conflict', `alert ${alert.id} is resolved; a resolved alert cannot be ${action}`);
}

/**
 * Hides the alert from the default view and the unread count until `until` (then it is back as it
 * was: nothing changes when the time passes); null unsnoozes. A resolved alert cannot be snoozed.
 */
export async function snoozeAlert(db: Queryable, user: User, id: string, until: Date | null): Promise<Alert> {
  const alert = await findVisibleAlert(db, user, id);
  if (until === null) return unsnoozeAlert(db, user, id);
  notResolved(alert, 'snoozed');
  await db.query(
    `WITH snoozed AS (
       UPDATE alerts SET snoozed_until = $3::timestamptz, snoozed_by = $2::uuid WHERE id = $1::uuid AND status <> 'resolved' RETURNING id
     )
     INSERT INTO alert_events (alert_id, kind, actor_id, details)
     SELECT id, 'snoozed', $2::uuid, jsonb_build_object('until', $4::text) FROM snoozed`,
    [id, user.id, until, until.toISOString()],
  );
  return findVisibleAlert(db, user, id);
}

/** Ends a snooze still running; an alert not snoozed stays as it was (and no step is recorded). */
export async function unsnoozeAlert(db: Queryable, user: User, id: string): Promise<Alert> {
  await findVisibleAlert(db, user, id);
  await db.query(
    `WITH woken AS (
       UPDATE alerts a SET snoozed_until = NULL, snoozed_by = NULL WHERE a.id = $1::uuid AND ${SNOOZED} RETURNING a.id
     )
     INSERT INTO alert_events (alert_id, kind, actor_id) SELECT id, 'unsnoozed', $2::uuid FROM woken`,
    [id, user.id],
  );
  return findVisibleAlert(db, user, id);
}

/**
 * Hands the alert to `assigneeId` (an active user): the assignee becomes a recipient (the alert is
 * in their "Mine" view and unread count) and, when new to it, gets what a recipient gets when an
 * alert is raised: their webhook's delivery and, with `email` (mail configured) and their alert
 * email on, an email, each once (a delivery is one row per alert, user and channel). The other
 * recipients keep it. Assigning to the current assignee changes nothing.
 */
export async function assignAlert(db: Queryable, user: User, id: string, assigneeId: string, email: boolean): Promise<Alert> {
  const alert = await findVisibleAlert(db, user, id);
  const assignee = await queryFirst(db, z.object({ id: z.string() }), 'SELECT id FROM users WHERE id = $1::uuid AND disabled_at IS NULL', [assigneeId]);
  if (!assignee) {
    throw new AppError('validation_failed', `userId: no active user ${assigneeId}; pick someone who can sign in to CSCX`, [{ field: 'userId', message: 'is not an active user' }]);
  }
  notResolved(alert, 'assigned');
  await db.query(
    `WITH assigned AS (
       UPDATE alerts SET assigned_to = $3::uuid, assigned_at = now()
        WHERE id = $1::uuid AND status <> 'resolved' AND assigned_to IS DISTINCT FROM $3::uuid
       RETURNING id, assigned_to AS user_id
     ),
     added AS (
       INSERT INTO alert_recipients (alert_id, user_id) SELECT id, user_id FROM assigned ON CONFLICT DO NOTHING RETURNING alert_id, user_id
     ),
     queued AS (
       INSERT INTO alert_deliveries (alert_id, user_id, channel)
       SELECT r.alert_id, r.user_id, 'webhook' FROM added r JOIN alert_webhooks w ON w.user_id = r.user_id AND w.enabled
       UNION ALL
       SELECT r.alert_id, r.user_id, 'email' FROM added r JOIN users u ON u.id = r.user_id
        WHERE $4::boolean AND u.alert_email AND u.email IS NOT NULL
       ON CONFLICT DO NOTHING
       RETURNING alert_id
     )
     INSERT INTO alert_events (alert_id, kind, actor_id, details)
     SELECT id, 'assigned', $2::uuid, jsonb_build_object('assigneeId', user_id) FROM assigned`,
    [id, user.id, assigneeId, email],
  );
  return findVisibleAlert(db, user, id);
}

export interface AlertEventRecord {
  kind: (typeof ALERT_EVENT_KINDS)[number];
  at: Date;
  actorId: string | null;
  actorName: string | null;
  note: string | null;
  until: Date | null;
  assigneeId: string | null;
  assigneeName: string | null;
  via: 'app' | 'link';
}

/** The alert's steps, oldest first, with the names of who acted (null: the system) and of the assignee. */
export async function alertHistory(db: Queryable, user: User, id: string): Promise<AlertEventRecord[]> {
  await findVisibleAlert(db, user, id);
  const rows = await queryRows(
    db,
    z.object({
      kind: z.enum(ALERT_EVENT_KINDS),
      at: z.date(),
      actor_id: z.string().nullable(),
      actor_name: z.string().nullable(),
      note: z.string().nullable(),
      until: z.string().nullable(),
      assignee_id: z.string().nullable(),
      assignee_name: z.string().nullable(),
      via: z.enum(['app', 'link']),
    }),
    `SELECT e.kind, e.at, e.actor_id, actor.name AS actor_name, e.details->>'note' AS note, e.details->>'until' AS until,
            e.details->>'assigneeId' AS assignee_id, assignee.name AS assignee_name, coalesce(e.details->>'via', 'app') AS via
       FROM alert_events e
       LEFT JOIN users actor ON actor.id = e.actor_id
       LEFT JOIN users assignee ON assignee.id::text = e.details->>'assigneeId'
      WHERE e.alert_id = $1::uuid
      ORDER BY e.at, e.id`,
    [id],
  );
  return rows.map((row) => ({
    kind: row.kind,
    at: row.at,
    actorId: row.actor_id,
    actorName: row.actor_name,
    note: row.note,
    until: row.until === null ? null : new Date(row.until),
    assigneeId: row.assignee_id,
    assigneeName: row.assignee_name,
    via: row.via,
  }));
}

/** Who an alert can be assigned to: every active user, by name. */
export async function listAssignees(db: Queryable): Promise<Array<{ id: string; name: string; email: string; role: string }>> {
  return queryRows(
    db,
    z.object({ id: z.string(), name: z.string(), email: z.string(), role: z.string() }),
    'SELECT id, name, email, role FROM users WHERE disabled_at IS NULL ORDER BY lower(name), email',
  );
}

export interface Subscription {
  type: AlertType;
  enabled: boolean;
}

/** Every type, subscribed unless the user opted out. */
export async function getSubscriptions(db: Queryable, userId: string): Promise<Subscription[]> {
  const rows = await queryRows(db, z.object({ type: z.enum(ALERT_TYPES), enabled: z.boolean() }), 'SELECT type, enabled FROM alert_subscriptions WHERE user_id = $1::uuid', [userId]);
  const set = new Map(rows.map((row) => [row.type, row.enabled]));
  return ALERT_TYPES.map((type) => ({ type, enabled: set.get(type) ?? true }));
}

export async function setSubscriptions(db: Queryable, userId: string, changes: Subscription[]): Promise<Subscription[]> {
  // The last word per type wins (one row per type in the statement).
  const unique = [...new Map(changes.map((change) => [change.type, change])).values()];
  if (unique.length > 0) {
    await db.query(
      `INSERT INTO alert_subscriptions (user_id, type, enabled)
       SELECT $1::uuid, s.type, s.enabled FROM jsonb_to_recordset($2::jsonb) AS s(type text, enabled boolean)
       ON CONFLICT (user_id, type) DO UPDATE SET enabled = EXCLUDED.enabled, updated_at = now()`,
      [userId, JSON.stringify(unique)],
    );
  }
  return getSubscriptions(db, userId);
}

/** Alerts raised so far, per type (types never raised are absent). */
export async function countAlertsByType(db: Queryable): Promise<Array<{ type: string; count: number }>> {
  return queryRows(db, z.object({ type: z.string(), count: z.number() }), 'SELECT type, count(*)::int AS count FROM alerts GROUP BY type');
}
