/**
 * For tickets tests: varied tickets written straight into the database, and a model of what the
 * list must answer (filter and order computed here in plain code, independently of the SQL).
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Queryable } from '../../db/db.ts';
import { queryOne } from '../../db/rows.ts';

export interface ModelTicket {
  id: string;
  connectionId: string;
  subdomain: string;
  zendeskTicketId: number;
  customerId: string | null;
  subject: string;
  status: string;
  priority: string | null;
  escalated: boolean;
  tags: string[];
  sla: SlaKind;
  /** Fixed-width UTC text with microseconds: sorts as the time does. */
  created: string;
  updated: string;
}

export type SlaKind = 'none' | 'empty' | 'breached' | 'due_soon' | 'ok' | 'achieved' | 'paused' | 'mixed_due_soon' | 'unreadable';

/** The SLA state each kind must show. */
export const SLA_STATE: Record<SlaKind, 'breached' | 'due_soon' | 'ok' | null> = {
  none: null,
  empty: null,
  breached: 'breached',
  due_soon: 'due_soon',
  ok: 'ok',
  achieved: 'ok',
  paused: 'ok',
  mixed_due_soon: 'due_soon',
  unreadable: 'ok',
};

function slaMetrics(kind: SlaKind, nowMs: number): unknown[] | null {
  const at = (minutes: number) => new Date(nowMs + minutes * 60_000).toISOString();
  switch (kind) {
    case 'none':
      return null;
    case 'empty':
      return [];
    case 'breached':
      return [{ metric: 'first_reply_time', stage: 'active', breach_at: at(-120), minutes: -120 }];
    case 'due_soon':
      return [{ metric: 'next_reply_time', stage: 'active', breach_at: at(30) }];
    case 'ok':
      return [{ metric: 'first_reply_time', stage: 'active', breach_at: at(300), hours: 5 }];
    case 'achieved':
      return [{ metric: 'first_reply_time', stage: 'achieved', breach_at: at(-600) }];
    case 'paused':
      return [{ metric: 'requester_wait_time', stage: 'paused', breach_at: null }];
    case 'mixed_due_soon':
      return [
        { metric: 'first_reply_time', stage: 'achieved', breach_at: at(-600) },
        { metric: 'next_reply_time', stage: 'active', breach_at: at(20) },
        { metric: 'periodic_update_time', stage: 'active', breach_at: at(400) },
      ];
    case 'unreadable':
      // Not what Zendesk sends; must not break the list.
      return [{ metric: 'first_reply_time', stage: 'active', breach_at: 'soon' }, 'not an object'];
  }
}

/** A small deterministic generator (mulberry32), so that a failure can be replayed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const STATUSES = ['new', 'open', 'pending', 'hold', 'solved', 'closed', 'deleted'];
const PRIORITIES = ['urgent', 'high', 'normal', 'low', null];
const SLA_KINDS: SlaKind[] = ['none', 'none', 'empty', 'breached', 'due_soon', 'ok', 'achieved', 'paused', 'mixed_due_soon', 'unreadable'];
const SUBJECTS = ['Cannot log in', 'Refund 100% now', 'Refund 10 percent', 'snake_case bug in export', 'SNAKE CASE in the API', 'Invoice question', 'Password reset', 'REFUND please'];
const TAGS = ['vip', 'billing', 'bug', 'escalated'];

/** `2024-03-01T00:00:00Z` plus minutes, with microseconds when asked: the test's time keys. */
export function timeKey(minutes: number, micros = 0): string {
  return `${new Date(Date.UTC(2024, 2, 1) + minutes * 60_000).toISOString().slice(0, 19)}.${String(micros).padStart(6, '0')}Z`;
}

export interface TicketSeed {
  connections: Array<{ id: string; subdomain: string }>;
  customerId: string | null;
  count: number;
  random: () => number;
  firstZendeskId: number;
  nowMs: number;
}

/**
 * `count` tickets of one customer (or unmatched), varied in status, priority, escalation, tags,
 * SLA and times; times collide often (a minute grid), and some carry microseconds, so that
 * pagination must break ties by row id and keep sub-millisecond keys exact.
 */
export async function insertTickets(db: Queryable, seed: TicketSeed): Promise<ModelTicket[]> {
  const { random } = seed;
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const model: ModelTicket[] = [];
  const rows: unknown[] = [];
  for (let n = 0; n < seed.count; n += 1) {
    const connection = pick(seed.connections);
    const status = pick(STATUSES);
    const priority = pick(PRIORITIES);
    const createdMinute = Math.floor(random() * 120);
    const created = timeKey(createdMinute, random() < 0.3 ? Math.floor(random() * 999_999) + 1 : 0);
    const updated = timeKey(createdMinute + Math.floor(random() * 60), random() < 0.3 ? 500 : 0);
    const ticket: ModelTicket = {
      id: randomUUID(),
      connectionId: connection.id,
      subdomain: connection.subdomain,
      zendeskTicketId: seed.firstZendeskId + n,
      customerId: seed.customerId,
      subject: pick(SUBJECTS),
      status,
      priority,
      escalated: priority === 'urgent' || random() < 0.15,
      tags: TAGS.filter(() => random() < 0.3),
      sla: pick(SLA_KINDS),
      created,
      updated: updated < created ? created : updated,
    };
    model.push(ticket);
    rows.push({
      id: ticket.id,
      connection_id: ticket.connectionId,
      zendesk_ticket_id: ticket.zendeskTicketId,
      customer_id: ticket.customerId,
      match_method: ticket.customerId === null ? null : pick(['organization', 'custom_field', 'email_domain', 'organization_domain']),
      subject: ticket.subject,
      status,
      priority,
      escalated: ticket.escalated,
      requester_email: `person${n}@example.com`,
      requester_name: `Person ${n}`,
      assignee_name: random() < 0.5 ? 'Agent Smith' : null,
      tags: ticket.tags,
      custom_fields: [{ id: 360001, value: `plan-${n % 3}` }],
      satisfaction_rating: status === 'solved' || status === 'closed' ? pick(['good', 'bad', 'offered']) : null,
      satisfaction_comment: null,
      sla_policy_metrics: slaMetrics(ticket.sla, seed.nowMs),
      zendesk_created_at: ticket.created,
      zendesk_updated_at: ticket.updated,
      resolved_at: status === 'solved' || status === 'closed' ? ticket.updated : null,
    });
  }
  await db.query(
    `INSERT INTO zendesk_tickets (id, connection_id, zendesk_ticket_id, customer_id, match_method, subject, status, priority, escalated,
       requester_email, requester_name, assignee_name, tags, custom_fields, satisfaction_rating, satisfaction_comment, sla_policy_metrics,
       zendesk_created_at, zendesk_updated_at, resolved_at)
     SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, connection_id uuid, zendesk_ticket_id bigint, customer_id uuid, match_method text,
       subject text, status text, priority text, escalated boolean, requester_email text, requester_name text, assignee_name text, tags text[],
       custom_fields jsonb, satisfaction_rating text, satisfaction_comment text, sla_policy_metrics jsonb, zendesk_created_at timestamptz,
       zendesk_updated_at timestamptz, resolved_at timestamptz)`,
    [JSON.stringify(rows)],
  );
  return model;
}

export async function insertCustomer(db: Queryable, name: string): Promise<string> {
  const row = await queryOne(db, z.object({ id: z.string() }), `INSERT INTO customers (name) VALUES ($1) RETURNING id`, [name]);
  return row.id;
}

export async function insertConnection(db: Queryable, subdomain: string): Promise<{ id: string; subdomain: string }> {
  const row = await queryOne(
    db,
    z.object({ id: z.string() }),
    `INSERT INTO zendesk_connections (subdomain, auth_method, status) VALUES ($1, 'api_token', 'active') RETURNING id`,
    [subdomain],
  );
  return { id: row.id, subdomain };
}

// ---- the model of the list ----

const RANK: Record<string, number> = { urgent: 4, high: 3, normal: 2, low: 1 };

export function sortKeys(ticket: ModelTicket, sort: 'updated' | 'created' | 'priority'): Array<string | number> {
  if (sort === 'created') return [ticket.created];
  if (sort === 'priority') return [RANK[ticket.priority ?? ''] ?? 0, ticket.updated];
  return [ticket.updated];
}

/** The documented order: keys descending then row id ascending; ascending is the exact reverse. */
export function sortModel(tickets: ModelTicket[], sort: 'updated' | 'created' | 'priority', order: 'desc' | 'asc'): ModelTicket[] {
  const sorted = [...tickets].sort((a, b) => {
    const ka = sortKeys(a, sort);
    const kb = sortKeys(b, sort);
    for (let i = 0; i < ka.length; i += 1) {
      const x = ka[i]!;
      const y = kb[i]!;
      if (x !== y) return x > y ? -1 : 1;
    }
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  });
  return order === 'desc' ? sorted : sorted.reverse();
}
