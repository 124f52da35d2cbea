/**
 * The one write path for every ticket version, whatever brought it: set-based upserts (one
 * statement per page, the rows passed as one JSON parameter: db/recordset.ts), each guarded by
 * Zendesk's version stamp so that an older version never overwrites a newer one.
 */
import type { Queryable, Row } from '../../db/db.ts';
import { z } from 'zod';
import { column, queryFirst, queryRows } from '../../db/rows.ts';
import { recordset } from '../../db/recordset.ts';
import { matchingRulesSql } from '../matching/matching.repo.ts';
import type { OrganizationRow, TicketRow, UserRow } from './ticket-rows.ts';

const ORGANIZATIONS = recordset<OrganizationRow>([
  ['zendesk_organization_id', 'bigint'],
  ['name', 'text'],
  ['domain_names', 'text[]'],
  ['external_id', 'text'],
  ['zendesk_updated_at', 'timestamptz'],
]);

export async function upsertOrganizations(db: Queryable, connectionId: string, rows: OrganizationRow[]): Promise<void> {
  if (rows.length === 0) return;
  await db.query(
    `INSERT INTO zendesk_organizations AS o (connection_id, zendesk_organization_id, name, domain_names, external_id, zendesk_updated_at)
     SELECT $1, r.zendesk_organization_id, r.name, r.domain_names, r.external_id, r.zendesk_updated_at
       FROM ${ORGANIZATIONS.from('$2')} AS r
     ON CONFLICT (connection_id, zendesk_organization_id) DO UPDATE SET
       name = EXCLUDED.name, domain_names = EXCLUDED.domain_names, external_id = EXCLUDED.external_id, zendesk_updated_at = EXCLUDED.zendesk_updated_at
     WHERE o.zendesk_updated_at IS NULL OR EXCLUDED.zendesk_updated_at IS NULL OR o.zendesk_updated_at <= EXCLUDED.zendesk_updated_at`,
    [connectionId, ORGANIZATIONS.json(rows)],
  );
}

const USERS = recordset<UserRow>([
  ['zendesk_user_id', 'bigint'],
  ['name', 'text'],
  ['email', 'text'],
  ['role', 'text'],
  ['organization_zendesk_id', 'bigint'],
  ['zendesk_updated_at', 'timestamptz'],
]);

export async function upsertUsers(db: Queryable, connectionId: string, rows: UserRow[]): Promise<void> {
  if (rows.length === 0) return;
  await db.query(
    `INSERT INTO zendesk_users AS u (connection_id, zendesk_user_id, name, email, role, organization_zendesk_id, zendesk_updated_at)
     SELECT $1, r.zendesk_user_id, r.name, r.email, r.role, r.organization_zendesk_id, r.zendesk_updated_at
       FROM ${USERS.from('$2')} AS r
     ON CONFLICT (connection_id, zendesk_user_id) DO UPDATE SET
       name = EXCLUDED.name, email = EXCLUDED.email, role = EXCLUDED.role,
       organization_zendesk_id = EXCLUDED.organization_zendesk_id, zendesk_updated_at = EXCLUDED.zendesk_updated_at
     WHERE u.zendesk_updated_at IS NULL OR EXCLUDED.zendesk_updated_at IS NULL OR u.zendesk_updated_at <= EXCLUDED.zendesk_updated_at`,
    [connectionId, USERS.json(rows)],
  );
}

const TICKETS = recordset<TicketRow>([
  ['zendesk_ticket_id', 'bigint'],
  ['subject', 'text'],
  ['description', 'text'],
  ['status', 'text'],
  ['priority', 'text'],
  ['ticket_type', 'text'],
  ['requester_zendesk_id', 'bigint'],
  ['requester_email', 'text'],
  ['requester_name', 'text'],
  ['assignee_zendesk_id', 'bigint'],
  ['assignee_name', 'text'],
  ['organization_zendesk_id', 'bigint'],
  ['group_zendesk_id', 'bigint'],
  ['tags', 'text[]'],
  ['custom_fields', 'jsonb'],
  ['satisfaction_rating', 'text'],
  ['satisfaction_rating_id', 'bigint'],
  ['satisfaction_comment', 'text'],
  ['sla_policy_metrics', 'jsonb'],
  ['via_channel', 'text'],
  ['zendesk_created_at', 'timestamptz'],
  ['zendesk_updated_at', 'timestamptz'],
  ['generated_timestamp', 'bigint'],
  ['resolved_at', 'timestamptz'],
  ['escalated', 'boolean'],
  ['first_resolution_minutes', 'integer'],
  ['full_resolution_minutes', 'integer'],
  ['full_resolution_business_minutes', 'integer'],
  ['first_reply_minutes', 'integer'],
  ['first_reply_business_minutes', 'integer'],
  ['reopens', 'integer'],
  ['has_metric_set', 'boolean'],
]);

/** Zendesk's figures from the ticket's metric set, in the order of UPDATED: kept as stored when a page lacks the set. */
const METRIC_SET_COLUMNS = new Set([
  'first_resolution_minutes',
  'full_resolution_minutes',
  'full_resolution_business_minutes',
  'first_reply_minutes',
  'first_reply_business_minutes',
  'reopens',
]);

/**
 * The value written for a column: the incoming one, except where a page that lacks a side-load
 * would erase what is stored. SLA policy metrics are null only when the page had no `slas`
 * side-load (an empty list when it had one and the ticket has no policy). A solved ticket's solve
 * time is Zendesk's (metric set), else the one stored while it was solved, else, first seen
 * without a metric set, its updated_at.
 */
function incomingValue(column: string): string {
  if (column === 'sla_policy_metrics') return 'coalesce(r.sla_policy_metrics, p.sla_policy_metrics)';
  if (METRIC_SET_COLUMNS.has(column)) return `CASE WHEN r.has_metric_set THEN r.${column} ELSE p.${column} END`;
  if (column === 'resolved_at') {
    return `CASE WHEN ticket_is_solved(r.status)
                 THEN coalesce(r.resolved_at, CASE WHEN ticket_is_solved(p.status) THEN p.resolved_at END, r.zendesk_updated_at) END`;
  }
  return `r.${column}`;
}

const UPDATED = [
  'subject',
  'description',
  'status',
  'priority',
  'ticket_type',
  'requester_zendesk_id',
  'requester_email',
  'requester_name',
  'assignee_zendesk_id',
  'assignee_name',
  'organization_zendesk_id',
  'group_zendesk_id',
  'tags',
  'custom_fields',
  'satisfaction_rating',
  'satisfaction_rating_id',
  'satisfaction_comment',
  'sla_policy_metrics',
  'via_channel',
  'zendesk_created_at',
  'zendesk_updated_at',
  'generated_timestamp',
  'resolved_at',
  'escalated',
  'first_resolution_minutes',
  'full_resolution_minutes',
  'full_resolution_business_minutes',
  'first_reply_minutes',
  'first_reply_business_minutes',
  'reopens',
];

/** Every column a ticket version writes: a version equal to the stored row in all of them changes nothing. */
const WRITTEN = [...UPDATED, 'customer_id', 'match_method'];

/**
 * Ticket rows encoded as upsertTickets' parameter. Encoding a page of tickets is most of the work
 * our process does to write it, so the import does it before the page's transaction (while the
 * previous page is written), not inside it.
 */
export interface EncodedTickets {
  readonly count: number;
  readonly json: string;
}

export function encodeTickets(rows: readonly TicketRow[]): EncodedTickets {
  return { count: rows.length, json: TICKETS.json(rows) };
}

/** A ticket version that was written, with what it replaced (null: the ticket is new to us). */
export interface TicketWrite {
  zendeskTicketId: number;
  /** The customer the ticket matched as written (null: unmatched). */
  customerId: string | null;
  /** Its customer before this write (null: unmatched, or new to us). */
  previousCustomerId: string | null;
  inserted: boolean;
  now: TicketVersion;
  before: TicketVersion | null;
}

export interface TicketVersion {
  status: string;
  priority: string | null;
  escalated: boolean;
  satisfactionRating: string | null;
  createdAt: Date;
  updatedAt: Date;
  resolvedAt: Date | null;
}

/**
 * A written ticket as the upsert answers it: a hand-written mapper (typeof checks, no zod), as it
 * runs for every ticket of an import.
 */
function toTicketWrite(row: Row): TicketWrite {
  const oldStatus = column.stringOrNull(row, 'old_status');
  return {
    zendeskTicketId: column.number(row, 'zendesk_ticket_id'),
    customerId: column.stringOrNull(row, 'customer_id'),
    previousCustomerId: column.stringOrNull(row, 'old_customer_id'),
    inserted: oldStatus === null,
    now: {
      status: column.string(row, 'status'),
      priority: column.stringOrNull(row, 'priority'),
      escalated: column.boolean(row, 'escalated'),
      satisfactionRating: column.stringOrNull(row, 'satisfaction_rating'),
      createdAt: column.date(row, 'zendesk_created_at'),
      updatedAt: column.date(row, 'zendesk_updated_at'),
      resolvedAt: column.dateOrNull(row, 'resolved_at'),
    },
    before:
      oldStatus === null
        ? null
        : {
            status: oldStatus,
            priority: column.stringOrNull(row, 'old_priority'),
            escalated: column.booleanOrNull(row, 'old_escalated') ?? false,
            satisfactionRating: column.stringOrNull(row, 'old_satisfaction_rating'),
            createdAt: column.date(row, 'old_created_at'),
            updatedAt: column.date(row, 'old_updated_at'),
            resolvedAt: column.dateOrNull(row, 'old_resolved_at'),
          },
  };
}

/**
 * Upserts a batch of tickets and answers the ones actually written (new, or newer than what we
 * had), each with the version it replaced, read in the same statement (a CTE sees the rows as they
 * were before the statement), so that transitions are found without a second read. A version is
 * newer when its (updated_at, generated_timestamp) is at least ours: Zendesk's stamps have
 * one-second precision, so an equal stamp is taken (it is the same or a later read), unless the
 * version equals the stored row in every written column: then nothing is written or answered (a
 * catch-up reads again every change a webhook already brought, and duplicate webhooks refresh
 * what is stored; such a rewrite touched all seven indexes and woke every listener). Requester
 * email and names missing from the payload are filled from zendesk_users, looked up for those
 * tickets only (coalesce runs its subquery only when the first value is null; a join read every
 * user of the connection for every page). Each ticket is matched to its customer in the same
 * statement (matching.repo.ts rules), so it is written once.
 */
export async function upsertTickets(db: Queryable, connectionId: string, tickets: EncodedTickets, freeMailDomains: readonly string[]): Promise<TicketWrite[]> {
  if (tickets.count === 0) return [];
  return queryRows(
    db,
    toTicketWrite,
    `WITH incoming AS (
       SELECT r.*,
              coalesce(r.requester_email, (SELECT u.email FROM zendesk_users u WHERE u.connection_id = $1 AND u.zendesk_user_id = r.requester_zendesk_id)) AS known_requester_email,
              coalesce(r.requester_name, (SELECT u.name FROM zendesk_users u WHERE u.connection_id = $1 AND u.zendesk_user_id = r.requester_zendesk_id)) AS known_requester_name,
              coalesce(r.assignee_name, (SELECT u.name FROM zendesk_users u WHERE u.connection_id = $1 AND u.zendesk_user_id = r.assignee_zendesk_id)) AS known_assignee_name
         FROM ${TICKETS.from('$2')} AS r
     ),
     previous AS (
       SELECT t.zendesk_ticket_id, t.customer_id, t.status, t.priority, t.escalated, t.satisfaction_rating, t.zendesk_created_at, t.zendesk_updated_at, t.resolved_at,
              t.sla_policy_metrics, ${[...METRIC_SET_COLUMNS].map((c) => `t.${c}`).join(', ')}
         FROM zendesk_tickets t JOIN incoming r ON t.connection_id = $1 AND t.zendesk_ticket_id = r.zendesk_ticket_id
     ),
     scope AS (
       SELECT r.zendesk_ticket_id AS id, $1::uuid AS connection_id, r.organization_zendesk_id, r.custom_fields,
              nullif(lower(split_part(r.known_requester_email, '@', 2)), '') AS email_domain
         FROM incoming r
     ),
     ${matchingRulesSql('$3::text[]')},
     written AS (
       INSERT INTO zendesk_tickets AS t (connection_id, ${WRITTEN.join(', ')}, zendesk_ticket_id)
       SELECT $1, r.subject, r.description, r.status, r.priority, r.ticket_type,
              r.requester_zendesk_id, r.known_requester_email, r.known_requester_name, r.assignee_zendesk_id, r.known_assignee_name,
              r.organization_zendesk_id, r.group_zendesk_id, coalesce(r.tags, '{}'), coalesce(r.custom_fields, '[]'), r.satisfaction_rating,
              r.satisfaction_rating_id, r.satisfaction_comment, ${incomingValue('sla_policy_metrics')}, r.via_channel,
              r.zendesk_created_at, r.zendesk_updated_at, r.generated_timestamp, ${incomingValue('resolved_at')}, coalesce(r.escalated, false),
              ${[...METRIC_SET_COLUMNS].map(incomingValue).join(', ')},
              m.customer_id, m.match_method, r.zendesk_ticket_id
         FROM incoming r
         JOIN matched m ON m.id = r.zendesk_ticket_id
         LEFT JOIN previous p ON p.zendesk_ticket_id = r.zendesk_ticket_id
       ON CONFLICT (connection_id, zendesk_ticket_id) DO UPDATE SET
         ${WRITTEN.map((c) => `${c} = EXCLUDED.${c}`).join(', ')}, last_synced_at = now()
       WHERE (t.zendesk_updated_at, coalesce(t.generated_timestamp, 0)) <= (EXCLUDED.zendesk_updated_at, coalesce(EXCLUDED.generated_timestamp, 0))
         AND (${WRITTEN.map((c) => `t.${c}`).join(', ')}) IS DISTINCT FROM (${WRITTEN.map((c) => `EXCLUDED.${c}`).join(', ')})
       RETURNING t.zendesk_ticket_id, t.customer_id, t.status, t.priority, t.escalated, t.satisfaction_rating, t.zendesk_created_at, t.zendesk_updated_at, t.resolved_at
     )
     SELECT w.*, p.customer_id AS old_customer_id, p.status AS old_status, p.priority AS old_priority, p.escalated AS old_escalated,
            p.satisfaction_rating AS old_satisfaction_rating, p.zendesk_created_at AS old_created_at, p.zendesk_updated_at AS old_updated_at,
            p.resolved_at AS old_resolved_at
       FROM written w LEFT JOIN previous p ON p.zendesk_ticket_id = w.zendesk_ticket_id
      ORDER BY w.zendesk_ticket_id`,
    [connectionId, tickets.json, [...freeMailDomains]],
  );
}

export type SyncPhase = 'importing' | 'live' | 'paused' | 'failed';

export interface SyncState {
  connectionId: string;
  phase: SyncPhase;
  exportCursor: string | null;
  imported: number;
  total: number | null;
  importStartedAt: Date | null;
  importFinishedAt: Date | null;
  lastSyncedAt: Date | null;
  error: string | null;
  errorAt: Date | null;
}

const syncStateRow = z.object({
  connection_id: z.string(),
  phase: z.enum(['importing', 'live', 'paused', 'failed']),
  export_cursor: z.string().nullable(),
  imported: z.number(),
  total: z.number().nullable(),
  import_started_at: z.date().nullable(),
  import_finished_at: z.date().nullable(),
  last_synced_at: z.date().nullable(),
  error: z.string().nullable(),
  error_at: z.date().nullable(),
});
type SyncStateRow = z.infer<typeof syncStateRow>;

function toSyncState(row: SyncStateRow): SyncState {
  return {
    connectionId: row.connection_id,
    phase: row.phase,
    exportCursor: row.export_cursor,
    imported: row.imported,
    total: row.total,
    importStartedAt: row.import_started_at,
    importFinishedAt: row.import_finished_at,
    lastSyncedAt: row.last_synced_at,
    error: row.error,
    errorAt: row.error_at,
  };
}

export async function ensureSyncState(db: Queryable, connectionId: string): Promise<void> {
  await db.query('INSERT INTO zendesk_sync_state (connection_id) VALUES ($1) ON CONFLICT (connection_id) DO NOTHING', [connectionId]);
}

export async function findSyncStates(db: Queryable, connectionIds: readonly string[]): Promise<Map<string, SyncState>> {
  if (connectionIds.length === 0) return new Map();
  const rows = await queryRows(db, syncStateRow, 'SELECT * FROM zendesk_sync_state WHERE connection_id = ANY($1::uuid[])', [connectionIds]);
  return new Map(rows.map((row) => [row.connection_id, toSyncState(row)]));
}

/**
 * Takes the connection's sync lease for `seconds`; null when another run holds it. The lease, not
 * the queue, is what guarantees one sync per connection across processes. `staleOwnerPrefix`: a
 * lease whose owner does not start with it is taken over at once (on the embedded engine only one
 * process can have the database, so any other owner is a crashed process).
 */
export async function claimSyncLease(db: Queryable, connectionId: string, owner: string, seconds: number, staleOwnerPrefix?: string): Promise<SyncState | null> {
  const row = await queryFirst(
    db,
    syncStateRow,
    `UPDATE zendesk_sync_state SET lease_owner = $2, lease_until = now() + make_interval(secs => $3), updated_at = now()
      WHERE connection_id = $1
        AND (lease_until IS NULL OR lease_until < now() OR lease_owner = $2 OR ($4::text IS NOT NULL AND left(lease_owner, length($4::text)) <> $4::text))
      RETURNING *`,
    [connectionId, owner, seconds, staleOwnerPrefix ?? null],
  );
  return row ? toSyncState(row) : null;
}

/** Who holds the connection's sync lease now; undefined when nobody does. */
export async function currentLeaseOwner(db: Queryable, connectionId: string): Promise<string | undefined> {
  const row = await queryFirst(
    db,
    z.object({ lease_owner: z.string() }),
    'SELECT lease_owner FROM zendesk_sync_state WHERE connection_id = $1 AND lease_owner IS NOT NULL AND lease_until > now()',
    [connectionId],
  );
  return row?.lease_owner;
}

/** Extends a held lease; false when it was lost (taken over after it expired). */
export async function renewSyncLease(db: Queryable, connectionId: string, owner: string, seconds: number): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE zendesk_sync_state SET lease_until = now() + make_interval(secs => $3) WHERE connection_id = $1 AND lease_owner = $2`,
    [connectionId, owner, seconds],
  );
  return rowCount === 1;
}

export async function releaseSyncLease(db: Queryable, connectionId: string, owner: string): Promise<void> {
  await db.query('UPDATE zendesk_sync_state SET lease_owner = NULL, lease_until = NULL WHERE connection_id = $1 AND lease_owner = $2', [connectionId, owner]);
}

/** Commits a page's position with the page (call inside the page's transaction). */
export async function advanceCursor(
  db: Queryable,
  input: { connectionId: string; owner: string; cursor: string | null; importedDelta: number; endOfStream: boolean; leaseSeconds: number },
): Promise<void> {
  const { rowCount } = await db.query(
    `UPDATE zendesk_sync_state SET
        export_cursor = $3,
        imported = imported + CASE WHEN phase = 'importing' THEN $4::bigint ELSE 0 END,
        phase = CASE WHEN $5 THEN 'live' ELSE phase END,
        import_finished_at = CASE WHEN $5 AND import_finished_at IS NULL THEN now() ELSE import_finished_at END,
        last_synced_at = CASE WHEN $5 THEN now() ELSE last_synced_at END,
        error = NULL, error_at = NULL,
        lease_until = now() + make_interval(secs => $6), updated_at = now()
      WHERE connection_id = $1 AND lease_owner = $2`,
    [input.connectionId, input.owner, input.cursor, input.importedDelta, input.endOfStream, input.leaseSeconds],
  );
  // Losing the lease mid-page means another worker took over: abort this page's transaction.
  if (rowCount !== 1) throw new Error(`sync lease on connection ${input.connectionId} was lost`);
}

export async function startImport(db: Queryable, connectionId: string, total: number | null): Promise<void> {
  await db.query(
    `UPDATE zendesk_sync_state SET total = $2, import_started_at = coalesce(import_started_at, now()), updated_at = now() WHERE connection_id = $1`,
    [connectionId, total],
  );
}

/** Starts the historical import over (a manual full sync): the cursor goes back to the beginning. */
export async function resetImport(db: Queryable, connectionId: string): Promise<void> {
  await db.query(
    `UPDATE zendesk_sync_state SET phase = 'importing', export_cursor = NULL, imported = 0, total = NULL,
        import_started_at = NULL, import_finished_at = NULL, error = NULL, error_at = NULL, updated_at = now()
      WHERE connection_id = $1`,
    [connectionId],
  );
}

export async function setSyncProblem(db: Queryable, connectionId: string, phase: 'paused' | 'failed', error: string): Promise<void> {
  await db.query(`UPDATE zendesk_sync_state SET phase = $2, error = $3, error_at = now(), updated_at = now() WHERE connection_id = $1`, [
    connectionId,
    phase,
    error,
  ]);
}

/** Back from paused/failed: importing if the import never finished, else live. */
export async function resumeSyncPhase(db: Queryable, connectionId: string): Promise<void> {
  await db.query(
    `UPDATE zendesk_sync_state SET phase = CASE WHEN import_finished_at IS NULL THEN 'importing' ELSE 'live' END, updated_at = now()
      WHERE connection_id = $1 AND phase IN ('paused', 'failed')`,
    [connectionId],
  );
}
