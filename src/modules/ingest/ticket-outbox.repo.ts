/**
 * The ticket outbox's SQL (migrations/0017_ticket_outbox.sql): entries written in the ticket
 * write's transaction, claimed by a drain, marked done in the transaction of their effects.
 * Entries are parsed at this edge: a payload that is not what it claims fails its entry loudly
 * (it is retried and stays visible in the backlog) instead of raising wrong alerts.
 */
import { z } from 'zod';
import type { Queryable } from '../../db/db.ts';
import { queryFirst } from '../../db/rows.ts';
import { SYNC_SOURCES, type SyncSource } from './sync-source.ts';
import type { TicketWrite } from './sync.repo.ts';

/** What one ticket write batch changed: the entry's payload, and what effects are applied to. */
export interface TicketChange {
  connectionId: string;
  source: SyncSource;
  tickets: TicketWrite[];
}

export interface OutboxEntry {
  id: number;
  attempts: number;
  change: TicketChange;
}

const Version = z.object({
  status: z.string(),
  priority: z.string().nullable(),
  escalated: z.boolean(),
  satisfactionRating: z.string().nullable(),
  createdAt: z.coerce.date(),
  updatedAt: z.coerce.date(),
  resolvedAt: z.coerce.date().nullable(),
});

const WrittenTickets = z.array(
  z.object({
    zendeskTicketId: z.number().int(),
    customerId: z.string().nullable(),
    previousCustomerId: z.string().nullable(),
    inserted: z.boolean(),
    now: Version,
    before: Version.nullable(),
  }),
);

const EntryRow = z.object({
  id: z.coerce.number().int(),
  connection_id: z.string(),
  source: z.enum(SYNC_SOURCES),
  tickets: z.unknown(),
  attempts: z.number().int(),
});

/**
 * Records a written batch's consequences-to-be, in the caller's (the write's) transaction. Only
 * tickets with a customer before or after the write have consequences (alerts and aggregates are
 * per customer); an unmatched ticket's record is its history row.
 */
export async function recordTicketChange(tx: Queryable, change: TicketChange): Promise<void> {
  const tickets = change.tickets.filter((t) => t.customerId !== null || t.previousCustomerId !== null);
  if (tickets.length === 0) return;
  await tx.query('INSERT INTO ticket_outbox (connection_id, source, tickets) VALUES ($1, $2, $3::jsonb)', [
    change.connectionId,
    change.source,
    JSON.stringify(tickets),
  ]);
}

/**
 * Claims the oldest due entry for the caller's transaction: locked until it ends, skipped by other
 * drains meanwhile (several workers drain at once without taking the same entry).
 */
export async function claimOutboxEntry(tx: Queryable): Promise<OutboxEntry | null> {
  const row = await queryFirst(
    tx,
    EntryRow,
    `SELECT id, connection_id, source, tickets, attempts FROM ticket_outbox
      WHERE done_at IS NULL AND next_attempt_at <= now()
      ORDER BY next_attempt_at, id LIMIT 1
      FOR UPDATE SKIP LOCKED`,
  );
  if (!row) return null;
  const parsed = WrittenTickets.safeParse(row.tickets);
  if (!parsed.success) throw new MalformedOutboxEntry(row.id, parsed.error.message);
  return { id: row.id, attempts: row.attempts, change: { connectionId: row.connection_id, source: row.source, tickets: parsed.data } };
}

export class MalformedOutboxEntry extends Error {
  constructor(
    readonly entryId: number,
    reason: string,
  ) {
    super(`ticket outbox entry ${entryId} is malformed: ${reason}`);
  }
}

export async function markOutboxEntryDone(tx: Queryable, id: number): Promise<void> {
  await tx.query('UPDATE ticket_outbox SET done_at = now(), last_error = NULL WHERE id = $1', [id]);
}

/** A failed attempt: counted, its error kept, and the entry due again after `retryInSeconds`. */
export async function recordOutboxFailure(db: Queryable, id: number, error: string, retryInSeconds: number): Promise<void> {
  await db.query(
    `UPDATE ticket_outbox SET attempts = attempts + 1, last_error = left($2, 2000),
            next_attempt_at = now() + make_interval(secs => $3::float8)
      WHERE id = $1 AND done_at IS NULL`,
    [id, error, retryInSeconds],
  );
}

export interface OutboxBacklog {
  /** Entries not yet applied. */
  pending: number;
  /** Of those, entries that failed at least once. */
  retrying: number;
  /** Age of the oldest pending entry, in seconds (0 when none). */
  oldestAgeSeconds: number;
}

export async function outboxBacklog(db: Queryable): Promise<OutboxBacklog> {
  const row = await queryFirst(
    db,
    z.object({ pending: z.number(), retrying: z.number(), oldest_age: z.number().nullable() }),
    `SELECT count(*)::int AS pending, count(*) FILTER (WHERE attempts > 0)::int AS retrying,
            extract(epoch FROM now() - min(created_at))::float8 AS oldest_age
       FROM ticket_outbox WHERE done_at IS NULL`,
  );
  return { pending: row?.pending ?? 0, retrying: row?.retrying ?? 0, oldestAgeSeconds: Math.max(0, Number(row?.oldest_age ?? 0)) };
}

/** Deletes done entries older than `keepSeconds`; answers how many. */
export async function pruneOutbox(db: Queryable, keepSeconds: number): Promise<number> {
  const { rowCount } = await db.query('DELETE FROM ticket_outbox WHERE done_at < now() - make_interval(secs => $1::float8)', [keepSeconds]);
  return rowCount;
}
