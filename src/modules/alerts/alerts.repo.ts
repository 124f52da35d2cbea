/**
 * Reading and acting on alerts: the list a user sees (a CSM: the alerts routed to them; leaders and
 * admins: all), acknowledge and resolve (a recipient, a leader or an admin), and the caller's own
 * subscriptions per alert type.
 */
import { z } from 'zod';
import type { Queryable } from '../../db/db.ts';
import { queryFirst, queryRows } from '../../db/rows.ts';
import { AppError } from '../../lib/errors.ts';
import type { User } from '../users/users.repo.ts';
import { ALERT_TYPES, type AlertType } from '../../contracts/vocabulary.ts';
import { ALERT_STATUSES } from '../../contracts/alerts.ts';

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
  ticketUrl: string | null;
  status: AlertStatus;
  details: Record<string, unknown>;
  occurredAt: Date;
  createdAt: Date;
  acknowledgedAt: Date | null;
  acknowledgedBy: string | null;
  resolvedAt: Date | null;
  resolvedBy: string | null;
  recipientIds: string[];
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
});
type AlertRow = z.infer<typeof alertRow>;

const SELECT = `SELECT a.id, a.seq::text AS seq, a.type, a.customer_id, c.name AS customer_name, a.connection_id, a.zendesk_ticket_id, z.subdomain,
       a.status, a.details, a.occurred_at, a.created_at, a.acknowledged_at, a.acknowledged_by, a.resolved_at, a.resolved_by,
       (SELECT array_agg(r.user_id::text ORDER BY r.user_id) FROM alert_recipients r WHERE r.alert_id = a.id) AS recipient_ids
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
    ticketUrl: row.subdomain && row.zendesk_ticket_id !== null ? `https://${row.subdomain}.zendesk.com/agent/tickets/${row.zendesk_ticket_id}` : null,
    status: row.status,
    details: row.details,
    occurredAt: row.occurred_at,
    createdAt: row.created_at,
    acknowledgedAt: row.acknowledged_at,
    acknowledgedBy: row.acknowledged_by,
    resolvedAt: row.resolved_at,
    resolvedBy: row.resolved_by,
    recipientIds: row.recipient_ids ?? [],
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
}

export async function listAlerts(
  db: Queryable,
  user: User,
  input: { filter: AlertFilter; limit: number; cursor: string | null },
): Promise<{ alerts: Alert[]; nextCursor: string | null; unread: number }> {
  const params: unknown[] = [];
  const where: string[] = [];
  const p = (value: unknown) => `$${params.push(value)}`;
  if (!seesAll(user) || input.filter.mine) where.push(`EXISTS (SELECT 1 FROM alert_recipients r WHERE r.alert_id = a.id AND r.user_id = ${p(user.id)}::uuid)`);
  const visible = [...where];
  const visibleParams = [...params];
  if (input.filter.types) where.push(`a.type = ANY(${p(input.filter.types)}::text[])`);
  if (input.filter.statuses) where.push(`a.status = ANY(${p(input.filter.statuses)}::text[])`);
  if (input.filter.customerId) where.push(`a.customer_id = ${p(input.filter.customerId)}::uuid`);
  if (input.cursor) where.push(`a.seq < ${p(input.cursor)}::bigint`);
  const rows = await queryRows(
    db,
    alertRow,
    `${SELECT} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY a.seq DESC LIMIT ${p(input.limit + 1)}`,
    params,
  );
  const page = rows.slice(0, input.limit);
  const last = page.at(-1);
  const counted = await queryFirst(
    db,
    z.object({ n: z.number() }),
    `SELECT count(*)::int AS n FROM alerts a WHERE a.status = 'open' ${visible.length ? `AND ${visible.join(' AND ')}` : ''}`,
    visibleParams,
  );
  return { alerts: page.map(toAlert), nextCursor: rows.length > input.limit && last ? last.seq : null, unread: counted?.n ?? 0 };
}

async function findVisibleAlert(db: Queryable, user: User, id: string): Promise<Alert> {
  const row = await queryFirst(db, alertRow, `${SELECT} WHERE a.id = $1::uuid`, [id]);
  if (!row) throw new AppError('not_found', `no alert ${id}`);
  const alert = toAlert(row);
  if (!seesAll(user) && !alert.recipientIds.includes(user.id)) throw new AppError('not_found', `no alert ${id}`);
  return alert;
}

/** Open -> acknowledged (when and by whom recorded once); a later call changes nothing. */
export async function acknowledgeAlert(db: Queryable, user: User, id: string): Promise<Alert> {
  await findVisibleAlert(db, user, id);
  await db.query(
    `UPDATE alerts SET status = 'acknowledged', acknowledged_at = now(), acknowledged_by = $2::uuid WHERE id = $1::uuid AND status = 'open'`,
    [id, user.id],
  );
  return findVisibleAlert(db, user, id);
}

/** Open or acknowledged -> resolved; resolving an unacknowledged alert acknowledges it too. */
export async function resolveAlert(db: Queryable, user: User, id: string): Promise<Alert> {
  await findVisibleAlert(db, user, id);
  await db.query(
    `UPDATE alerts SET status = 'resolved', resolved_at = now(), resolved_by = $2::uuid,
            acknowledged_at = coalesce(acknowledged_at, now()), acknowledged_by = coalesce(acknowledged_by, $2::uuid)
      WHERE id = $1::uuid AND status <> 'resolved'`,
    [id, user.id],
  );
  return findVisibleAlert(db, user, id);
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
