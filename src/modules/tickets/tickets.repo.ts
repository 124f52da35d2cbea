/**
 * The tickets API's SQL: a customer's tickets one keyset page at a time, their history, and the
 * notes CSMs add. Each page is one parameterized statement, which also says whether the customer
 * exists (the customers row is the outer side of a LEFT JOIN LATERAL: no row, no customer).
 */
import { z } from 'zod';
import type { Queryable, Row } from '../../db/db.ts';
import { column, queryFirst, queryOne, queryRows } from '../../db/rows.ts';
import { TICKET_PRIORITIES, TICKET_STATUSES, type TicketPriority, type TicketStatus } from '../../contracts/vocabulary.ts';
import { MATCH_METHODS, type HistoryCursor, type MatchMethod, type SortOrder, type TicketCursor, type TicketFilter, type TicketSort } from './ticket-list.ts';

/** Must stay identical to the expression of zendesk_tickets_customer_priority_idx (0006). */
const PRIORITY_RANK = 'ticket_priority_rank(t.priority)';

/** Microsecond-exact, UTC, fixed width: the form keys take in cursors. */
const keyText = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/** sla_policy_metrics as an array, whatever was stored (NULL, or a non-array by mistake). */
const SLA_METRICS = `(CASE WHEN jsonb_typeof(t.sla_policy_metrics) = 'array' THEN t.sla_policy_metrics ELSE '[]'::jsonb END)`;
/** A metric's breach time; NULL unless it is active with an ISO time (CASE: the cast never sees anything else). */
const ACTIVE_BREACH_AT = `(CASE WHEN m->>'stage' = 'active' AND m->>'breach_at' ~ '^\\d{4}-\\d{2}-\\d{2}T' THEN (m->>'breach_at')::timestamptz END)`;
const SLA_BREACHED = `EXISTS (SELECT 1 FROM jsonb_array_elements(${SLA_METRICS}) m WHERE ${ACTIVE_BREACH_AT} <= now())`;

interface SortKey {
  expr: string;
  cast: 'timestamptz' | 'int';
  /** The column of the page's rows holding this key (outer ORDER BY). */
  column: string;
}

const SORT_KEYS: Record<TicketSort, SortKey[]> = {
  updated: [{ expr: 't.zendesk_updated_at', cast: 'timestamptz', column: 'p.zendesk_updated_at' }],
  created: [{ expr: 't.zendesk_created_at', cast: 'timestamptz', column: 'p.zendesk_created_at' }],
  priority: [
    { expr: PRIORITY_RANK, cast: 'int', column: 'p.priority_rank' },
    { expr: 't.zendesk_updated_at', cast: 'timestamptz', column: 'p.zendesk_updated_at' },
  ],
};

export interface TicketListRow {
  id: string;
  connectionId: string;
  subdomain: string;
  zendeskTicketId: number;
  subject: string | null;
  status: TicketStatus;
  priority: TicketPriority | null;
  type: string | null;
  escalated: boolean;
  requesterEmail: string | null;
  requesterName: string | null;
  assigneeName: string | null;
  organizationZendeskId: number | null;
  tags: string[];
  customFields: Array<{ id: number; value: unknown }>;
  satisfactionRating: string | null;
  satisfactionComment: string | null;
  hasSla: boolean;
  slaNextBreachAt: Date | null;
  matchMethod: MatchMethod | null;
  createdAt: Date;
  updatedAt: Date;
  resolvedAt: Date | null;
  /** This row's sort keys, as a cursor carries them. */
  keys: Record<TicketSort, Array<string | number>>;
}


export interface TicketPageQuery {
  customerId: string;
  filter: TicketFilter;
  sort: TicketSort;
  order: SortOrder;
  /** Rows to read: the page size plus one, to know whether another page follows. */
  take: number;
  after: TicketCursor | null;
}

/** Escapes LIKE's wildcards, so that `q` is searched as the text it is. */
function likeContains(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

class Params {
  readonly values: unknown[] = [];
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/** The SQL of one page: exported for the benchmark's EXPLAIN and for tests. */
export function ticketPageSql(query: TicketPageQuery): { text: string; params: unknown[] } {
  const params = new Params();
  const customer = params.add(query.customerId);
  const where = [`t.customer_id = ${customer}::uuid`];
  const { filter } = query;
  where.push(filter.statuses === null ? `t.status <> 'deleted'` : `t.status = ANY(${params.add(filter.statuses)}::text[])`);
  if (filter.priorities !== null) where.push(`t.priority = ANY(${params.add(filter.priorities)}::text[])`);
  if (filter.escalated !== null) where.push(`t.escalated = ${params.add(filter.escalated)}::boolean`);
  if (filter.slaBreached !== null) where.push(filter.slaBreached ? SLA_BREACHED : `NOT ${SLA_BREACHED}`);
  if (filter.createdSince !== null) where.push(`t.zendesk_created_at >= ${params.add(filter.createdSince.toISOString())}::timestamptz`);
  if (filter.updatedSince !== null) where.push(`t.zendesk_updated_at >= ${params.add(filter.updatedSince.toISOString())}::timestamptz`);
  if (filter.q !== null) where.push(`t.subject ILIKE ${params.add(likeContains(filter.q))}`);

  // Descending: keys DESC, then id ASC (the indexes' own order); ascending: the exact reverse.
  const keys = SORT_KEYS[query.sort];
  const desc = query.order === 'desc';
  const keyDir = desc ? 'DESC' : 'ASC';
  const idDir = desc ? 'ASC' : 'DESC';
  if (query.after) {
    const keyOp = desc ? '<' : '>';
    const idOp = desc ? '>' : '<';
    const values = keys.map((key, i) => `${params.add(query.after!.keys[i])}::${key.cast}`);
    const id = `${params.add(query.after.id)}::uuid`;
    const beyond = (i: number): string => {
      const key = keys[i];
      if (!key) return `t.id ${idOp} ${id}`;
      return `(${key.expr} ${keyOp} ${values[i]} OR (${key.expr} = ${values[i]} AND ${beyond(i + 1)}))`;
    };
    // The first key's bound alone, so that the index scan starts at the cursor.
    where.push(`${keys[0]!.expr} ${keyOp}= ${values[0]}`, beyond(0));
  }
  const innerOrder = [...keys.map((key) => `${key.expr} ${keyDir}`), `t.id ${idDir}`].join(', ');
  const outerOrder = [...keys.map((key) => `${key.column} ${keyDir}`), `p.id ${idDir}`].join(', ');
  const take = params.add(query.take);

  const text = `
    SELECT p.* FROM customers cu
    LEFT JOIN LATERAL (
      SELECT t.id, t.connection_id, c.subdomain, t.zendesk_ticket_id, t.subject, t.status, t.priority, t.ticket_type, t.escalated,
             t.requester_email, t.requester_name, t.assignee_name, t.organization_zendesk_id, t.tags, t.custom_fields,
             t.satisfaction_rating, t.satisfaction_comment, t.match_method, t.zendesk_created_at, t.zendesk_updated_at, t.resolved_at,
             (CASE WHEN jsonb_typeof(t.sla_policy_metrics) = 'array' THEN jsonb_array_length(t.sla_policy_metrics) > 0 ELSE false END) AS has_sla,
             (SELECT min(${ACTIVE_BREACH_AT}) FROM jsonb_array_elements(${SLA_METRICS}) m) AS sla_next_breach_at,
             ${PRIORITY_RANK} AS priority_rank,
             ${keyText('t.zendesk_updated_at')} AS updated_key,
             ${keyText('t.zendesk_created_at')} AS created_key,
             now() AS db_now
        FROM zendesk_tickets t
        JOIN zendesk_connections c ON c.id = t.connection_id
       WHERE ${where.join('\n         AND ')}
       ORDER BY ${innerOrder}
       LIMIT ${take}
    ) p ON true
    WHERE cu.id = ${customer}::uuid
    ORDER BY ${outerOrder}`;
  return { text, params: params.values };
}

/** A page of the customer's tickets (in sort order); null when there is no such customer. */
export async function selectTicketPage(db: Queryable, query: TicketPageQuery): Promise<{ rows: TicketListRow[]; now: Date } | null> {
  const { text, params } = ticketPageSql(query);
  const rows = await queryRows(db, toPageRow, text, params);
  if (rows.length === 0) return null;
  const tickets = rows.filter((row) => row !== null);
  return { rows: tickets.map((row) => row.ticket), now: tickets[0]?.now ?? new Date() };
}

/**
 * One row of a page: null for the customer's row with no ticket (the LATERAL's empty side). A
 * hand-written mapper (typeof checks, no zod): it runs for every ticket of every page read.
 */
function toPageRow(row: Row): { ticket: TicketListRow; now: Date } | null {
  if (row.id === null) return null;
  const priorityRank = column.number(row, 'priority_rank');
  const updatedKey = column.string(row, 'updated_key');
  const customFields = column.json(row, 'custom_fields');
  return {
    now: column.date(row, 'db_now'),
    ticket: {
      id: column.string(row, 'id'),
      connectionId: column.string(row, 'connection_id'),
      subdomain: column.string(row, 'subdomain'),
      zendeskTicketId: column.number(row, 'zendesk_ticket_id'),
      subject: column.stringOrNull(row, 'subject'),
      status: column.oneOf(row, 'status', TICKET_STATUSES),
      priority: column.oneOfOrNull(row, 'priority', TICKET_PRIORITIES),
      type: column.stringOrNull(row, 'ticket_type'),
      escalated: column.boolean(row, 'escalated'),
      requesterEmail: column.stringOrNull(row, 'requester_email'),
      requesterName: column.stringOrNull(row, 'requester_name'),
      assigneeName: column.stringOrNull(row, 'assignee_name'),
      organizationZendeskId: column.numberOrNull(row, 'organization_zendesk_id'),
      tags: column.strings(row, 'tags'),
      customFields: Array.isArray(customFields) ? (customFields as Array<{ id: number; value: unknown }>) : [],
      satisfactionRating: column.stringOrNull(row, 'satisfaction_rating'),
      satisfactionComment: column.stringOrNull(row, 'satisfaction_comment'),
      hasSla: column.boolean(row, 'has_sla'),
      slaNextBreachAt: column.dateOrNull(row, 'sla_next_breach_at'),
      matchMethod: column.oneOfOrNull(row, 'match_method', MATCH_METHODS),
      createdAt: column.date(row, 'zendesk_created_at'),
      updatedAt: column.date(row, 'zendesk_updated_at'),
      resolvedAt: column.dateOrNull(row, 'resolved_at'),
      keys: { updated: [updatedKey], created: [column.string(row, 'created_key')], priority: [priorityRank, updatedKey] },
    },
  };
}

// ---- history ----

export interface TicketEventRow {
  id: number;
  connectionId: string;
  zendeskTicketId: number;
  subdomain: string;
  subject: string | null;
  kind: string;
  from: string | null;
  to: string | null;
  occurredAt: Date;
  source: string;
  /** occurred_at as a cursor carries it. */
  occurredKey: string;
}

/** A history row; null on the customer's row with no event (the LATERAL's empty side). */
function toEventRow(row: Row): TicketEventRow | null {
  if (row.id === null) return null;
  return {
    id: column.number(row, 'id'),
    connectionId: column.string(row, 'connection_id'),
    zendeskTicketId: column.number(row, 'zendesk_ticket_id'),
    subdomain: column.string(row, 'subdomain'),
    subject: column.stringOrNull(row, 'subject'),
    kind: column.string(row, 'kind'),
    from: column.stringOrNull(row, 'from_value'),
    to: column.stringOrNull(row, 'to_value'),
    occurredAt: column.date(row, 'occurred_at'),
    source: column.string(row, 'source'),
    occurredKey: column.string(row, 'occurred_key'),
  };
}

export interface HistoryPageQuery {
  customerId: string;
  zendeskTicketId: number | null;
  connectionId: string | null;
  take: number;
  after: HistoryCursor | null;
}

/** A page of the events of the customer's tickets, newest first; null when there is no such customer. */
export async function selectHistoryPage(db: Queryable, query: HistoryPageQuery): Promise<TicketEventRow[] | null> {
  const params = new Params();
  const customer = params.add(query.customerId);
  const where = [`t.customer_id = ${customer}::uuid`];
  if (query.zendeskTicketId !== null) where.push(`t.zendesk_ticket_id = ${params.add(query.zendeskTicketId)}::bigint`);
  if (query.connectionId !== null) where.push(`t.connection_id = ${params.add(query.connectionId)}::uuid`);
  if (query.after) where.push(`(e.occurred_at, e.id) < (${params.add(query.after.occurredAt)}::timestamptz, ${params.add(query.after.id)}::bigint)`);
  const rows = await queryRows(
    db,
    toEventRow,
    `SELECT p.* FROM customers cu
     LEFT JOIN LATERAL (
       SELECT e.id, e.connection_id, e.zendesk_ticket_id, c.subdomain, t.subject, e.kind, e.from_value, e.to_value, e.occurred_at, e.source,
              ${keyText('e.occurred_at')} AS occurred_key
         FROM zendesk_tickets t
         JOIN zendesk_ticket_events e ON e.connection_id = t.connection_id AND e.zendesk_ticket_id = t.zendesk_ticket_id
         JOIN zendesk_connections c ON c.id = t.connection_id
        WHERE ${where.join(' AND ')}
        ORDER BY e.occurred_at DESC, e.id DESC
        LIMIT ${params.add(query.take)}
     ) p ON true
     WHERE cu.id = ${customer}::uuid
     ORDER BY p.occurred_at DESC, p.id DESC`,
    params.values,
  );
  if (rows.length === 0) return null;
  return rows.filter((row) => row !== null);
}

// ---- notes ----

export interface NoteTarget {
  subdomain: string;
  status: TicketStatus;
  customerId: string | null;
}

/** The ticket a note is for, as we last synced it; null when we do not have it. */
export async function findNoteTarget(db: Queryable, connectionId: string, zendeskTicketId: number): Promise<NoteTarget | null> {
  const row = await queryFirst(
    db,
    z.object({ subdomain: z.string(), status: z.enum(TICKET_STATUSES), customer_id: z.string().nullable() }),
    `SELECT c.subdomain, t.status, t.customer_id
       FROM zendesk_tickets t JOIN zendesk_connections c ON c.id = t.connection_id
      WHERE t.connection_id = $1 AND t.zendesk_ticket_id = $2`,
    [connectionId, zendeskTicketId],
  );
  return row ? { subdomain: row.subdomain, status: row.status, customerId: row.customer_id } : null;
}

export interface TicketNote {
  id: string;
  connectionId: string;
  zendeskTicketId: number;
  authorId: string | null;
  body: string;
  zendeskCommentId: number | null;
  zendeskAuditId: number | null;
  createdAt: Date;
}

const noteRow = z.object({
  id: z.string(),
  connection_id: z.string(),
  zendesk_ticket_id: z.number(),
  author_id: z.string().nullable(),
  body: z.string(),
  zendesk_comment_id: z.number().nullable(),
  zendesk_audit_id: z.number().nullable(),
  created_at: z.date(),
});

/**
 * Records a note Zendesk accepted, and its note_added event (to_value: the note's id), in one
 * statement: both or neither.
 */
export async function insertNoteWithEvent(
  db: Queryable,
  note: { connectionId: string; zendeskTicketId: number; authorId: string; body: string; zendeskCommentId: number | null; zendeskAuditId: number | null; occurredAt: Date },
): Promise<TicketNote> {
  const row = await queryOne(
    db,
    noteRow,
    `WITH note AS (
       INSERT INTO zendesk_ticket_notes (connection_id, zendesk_ticket_id, author_id, body, zendesk_comment_id, zendesk_audit_id)
       VALUES ($1, $2, $3, $4, $5, $6)
       RETURNING id, connection_id, zendesk_ticket_id, author_id, body, zendesk_comment_id, zendesk_audit_id, created_at
     ), event AS (
       INSERT INTO zendesk_ticket_events (connection_id, zendesk_ticket_id, kind, from_value, to_value, occurred_at, source)
       SELECT connection_id, zendesk_ticket_id, 'note_added', NULL, id::text, $7::timestamptz, 'note' FROM note
     )
     SELECT * FROM note`,
    [note.connectionId, note.zendeskTicketId, note.authorId, note.body, note.zendeskCommentId, note.zendeskAuditId, note.occurredAt.toISOString()],
  );
  return {
    id: row.id,
    connectionId: row.connection_id,
    zendeskTicketId: row.zendesk_ticket_id,
    authorId: row.author_id,
    body: row.body,
    zendeskCommentId: row.zendesk_comment_id,
    zendeskAuditId: row.zendesk_audit_id,
    createdAt: row.created_at,
  };
}
