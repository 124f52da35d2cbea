/** For metrics tests: hand-built tickets and their events, written with SQL. */
import type { Queryable } from '../../db/db.ts';

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

export interface TicketSpec {
  connectionId: string;
  zendeskTicketId: number;
  customerId: string | null;
  status: string;
  priority?: string | null;
  created: Date;
  resolvedAt?: Date | null;
  fullResolutionMinutes?: number | null;
  rating?: string | null;
  sla?: unknown[] | null;
  tags?: string[];
  /** [kind, to_value, occurred_at, from_value?] */
  events?: Array<[string, string | null, Date, (string | null)?]>;
}

export async function insertTicket(db: Queryable, spec: TicketSpec): Promise<void> {
  await db.query(
    `INSERT INTO zendesk_tickets (connection_id, zendesk_ticket_id, customer_id, status, priority, zendesk_created_at, zendesk_updated_at,
                                  resolved_at, full_resolution_minutes, satisfaction_rating, sla_policy_metrics, tags)
     VALUES ($1, $2, $3, $4, $5, $6, $6, $7, $8, $9, $10::jsonb, $11::text[])`,
    [
      spec.connectionId,
      spec.zendeskTicketId,
      spec.customerId,
      spec.status,
      spec.priority ?? null,
      spec.created,
      spec.resolvedAt ?? null,
      spec.fullResolutionMinutes ?? null,
      spec.rating ?? null,
      spec.sla === undefined || spec.sla === null ? null : JSON.stringify(spec.sla),
      spec.tags ?? [],
    ],
  );
  for (const [kind, to, at, from] of spec.events ?? []) {
    await db.query(
      `INSERT INTO zendesk_ticket_events (connection_id, zendesk_ticket_id, kind, from_value, to_value, occurred_at, source)
       VALUES ($1, $2, $3, $4, $5, $6, 'import')`,
      [spec.connectionId, spec.zendeskTicketId, kind, from ?? null, to, at],
    );
  }
}

export async function insertCustomer(db: Queryable, name: string): Promise<string> {
  const { rows } = await db.query<{ id: string }>(`INSERT INTO customers (name) VALUES ($1) RETURNING id`, [name]);
  return rows[0]!.id;
}

export async function insertConnection(db: Queryable, subdomain: string): Promise<string> {
  const { rows } = await db.query<{ id: string }>(`INSERT INTO zendesk_connections (subdomain, auth_method, status) VALUES ($1, 'api_token', 'active') RETURNING id`, [subdomain]);
  return rows[0]!.id;
}

let nextMetricEventId = 1;

/** Zendesk ticket metric events of one ticket: [type, metric, instance_id, time, deleted?]. */
export async function insertMetricEvents(
  db: Queryable,
  connectionId: string,
  zendeskTicketId: number,
  events: Array<[string, string, number, Date, boolean?]>,
): Promise<void> {
  for (const [type, metric, instance, at, deleted] of events) {
    await db.query(
      `INSERT INTO zendesk_ticket_metric_events (connection_id, zendesk_event_id, zendesk_ticket_id, metric, instance_id, type, occurred_at, deleted, sla)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb)`,
      [connectionId, nextMetricEventId++, zendeskTicketId, metric, instance, type, at, deleted ?? false,
        type === 'apply_sla' ? JSON.stringify({ target: 60, business_hours: false, policy: { id: 1, title: 'Default' } }) : null],
    );
  }
}
