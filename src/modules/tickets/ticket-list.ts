/**
 * The pure parts of a customer's ticket list: the filter and sort vocabulary, the opaque keyset
 * cursor, and a ticket's SLA state.
 */
import { OPEN_STATUSES, TICKET_PRIORITIES, TICKET_STATUSES, type TicketPriority, type TicketStatus } from '../../contracts/vocabulary.ts';
import { decodeOpaqueCursor, encodeOpaqueCursor } from '../../lib/opaque-cursor.ts';
import { MATCH_METHODS, TICKET_SORTS } from '../../contracts/tickets.ts';

export { MATCH_METHODS, TICKET_SORTS };
export type TicketSort = (typeof TICKET_SORTS)[number];
export type SortOrder = 'desc' | 'asc';

export type MatchMethod = (typeof MATCH_METHODS)[number];

export interface TicketFilter {
  /** null: every status but deleted (deleted tickets only when asked for). */
  statuses: TicketStatus[] | null;
  priorities: TicketPriority[] | null;
  escalated: boolean | null;
  /** true: an active SLA metric is past its breach time; false: none is. */
  slaBreached: boolean | null;
  createdSince: Date | null;
  updatedSince: Date | null;
  /** Case-insensitive substring of the subject. */
  q: string | null;
}

export const NO_FILTER: TicketFilter = { statuses: null, priorities: null, escalated: null, slaBreached: null, createdSince: null, updatedSince: null, q: null };

/**
 * `status` of the list: statuses and the `open` group, comma-separated. `open` names the group
 * (new, open, pending, hold), the way a CSM counts open tickets; with the group there is no way to
 * ask for Zendesk's `open` status alone, which nobody asked for yet.
 */
export function parseStatuses(text: string): { statuses: TicketStatus[] } | { error: string } {
  const out = new Set<TicketStatus>();
  const items = text.split(',').map((item) => item.trim().toLowerCase());
  if (items.every((item) => item === '')) return { error: 'is empty; use new, open, pending, hold, solved, closed, deleted or open' };
  for (const item of items) {
    if (item === '') continue;
    if (item === 'open') OPEN_STATUSES.forEach((status) => out.add(status));
    else if ((TICKET_STATUSES as readonly string[]).includes(item)) out.add(item as TicketStatus);
    else return { error: `"${item}" is not a ticket status; use new, open, pending, hold, solved, closed, deleted or open (new, open, pending and hold)` };
  }
  return { statuses: TICKET_STATUSES.filter((status) => out.has(status)) };
}

export function parsePriorities(text: string): { priorities: TicketPriority[] } | { error: string } {
  const out = new Set<TicketPriority>();
  const items = text.split(',').map((item) => item.trim().toLowerCase());
  if (items.every((item) => item === '')) return { error: 'is empty; use urgent, high, normal or low, comma-separated' };
  for (const item of items) {
    if (item === '') continue;
    if (!(TICKET_PRIORITIES as readonly string[]).includes(item)) return { error: `"${item}" is not a ticket priority; use urgent, high, normal or low, comma-separated` };
    out.add(item as TicketPriority);
  }
  return { priorities: TICKET_PRIORITIES.filter((priority) => out.has(priority)) };
}

/** `2024-05-01` (midnight UTC) or a full ISO 8601 time with its offset (`2024-05-01T12:00:00Z`). */
export function parseIsoDate(input: string): Date | null {
  const text = input.trim();
  const match = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,6})?)?(?:Z|[+-](\d{2}):(\d{2})))?$/i.exec(text);
  if (!match) return null;
  const [year, month, day, hour = 0, minute = 0, second = 0, offsetHours = 0, offsetMinutes = 0] = match.slice(1).map((part) => (part === undefined ? undefined : Number(part)));
  if (year === undefined || month === undefined || day === undefined) return null;
  // Date() would roll 2024-02-31 over into March: refuse what is not a real calendar time.
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth || hour > 23 || minute > 59 || second > 59 || offsetHours > 14 || offsetMinutes > 59) return null;
  const date = new Date(match[4] === undefined ? `${text}T00:00:00Z` : text.toUpperCase());
  return Number.isNaN(date.getTime()) ? null : date;
}

// ---- keyset cursor ----

/**
 * Where a page ended: the sort key values of its last ticket and that ticket's row id. Timestamps
 * travel as text with microseconds (JavaScript dates keep only milliseconds, and a rounded key
 * would repeat or skip rows); the priority sort's key is (rank, updated).
 */
export interface TicketCursor {
  sort: TicketSort;
  order: SortOrder;
  keys: Array<string | number>;
  id: string;
}

const TIMESTAMP_KEY = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function encodeCursor(cursor: TicketCursor): string {
  return encodeOpaqueCursor({ v: 1, s: cursor.sort, o: cursor.order, k: cursor.keys, i: cursor.id });
}

/** The cursor of a page of this sort and order, or why the text is not one. */
export function decodeCursor(text: string, sort: TicketSort, order: SortOrder): TicketCursor | { error: string } {
  const value = decodeOpaqueCursor(text) as { v?: unknown; s?: unknown; o?: unknown; k?: unknown; i?: unknown } | null;
  if (!value || typeof value !== 'object' || value.v !== 1 || typeof value.i !== 'string' || !UUID.test(value.i) || !Array.isArray(value.k)) {
    return { error: 'is not a cursor of this list: pass nextCursor exactly as a previous page gave it' };
  }
  if (value.s !== sort || value.o !== order) {
    return { error: `was made for sort=${String(value.s)}&order=${String(value.o)}; keep the sort and order of the first page, or start again without a cursor` };
  }
  const keys = value.k as unknown[];
  const valid =
    sort === 'priority'
      ? keys.length === 2 && Number.isInteger(keys[0]) && (keys[0] as number) >= 0 && (keys[0] as number) <= 4 && typeof keys[1] === 'string' && TIMESTAMP_KEY.test(keys[1])
      : keys.length === 1 && typeof keys[0] === 'string' && TIMESTAMP_KEY.test(keys[0]);
  if (!valid) return { error: 'is not a cursor of this list: pass nextCursor exactly as a previous page gave it' };
  return { sort, order, keys: keys as Array<string | number>, id: value.i };
}

/** History pages: newest first, keyed on (occurred_at, event id). */
export interface HistoryCursor {
  occurredAt: string;
  id: number;
}

export function encodeHistoryCursor(cursor: HistoryCursor): string {
  return encodeOpaqueCursor({ v: 1, t: cursor.occurredAt, i: cursor.id });
}

export function decodeHistoryCursor(text: string): HistoryCursor | { error: string } {
  const value = decodeOpaqueCursor(text) as { v?: unknown; t?: unknown; i?: unknown } | null | undefined;
  if (value && value.v === 1 && typeof value.t === 'string' && TIMESTAMP_KEY.test(value.t) && Number.isSafeInteger(value.i)) {
    return { occurredAt: value.t, id: value.i as number };
  }
  return { error: 'is not a cursor of this history: pass nextCursor exactly as a previous page gave it' };
}

// ---- SLA ----

export type SlaState = 'breached' | 'due_soon' | 'ok';
export const DUE_SOON_MS = 60 * 60 * 1000;

/**
 * From Zendesk's SLA policy metrics (the `slas` side-load): breached when an active metric's
 * breach time has passed, due soon when one falls within the hour, ok otherwise (no active metric
 * included: all achieved or paused); null when the ticket has no SLA at all. nextBreachAt is the
 * earliest breach time of the active metrics, past or future.
 */
export function slaOf(hasSla: boolean, nextBreachAt: Date | null, now: Date): { state: SlaState | null; nextBreachAt: Date | null } {
  if (!hasSla) return { state: null, nextBreachAt: null };
  if (nextBreachAt === null) return { state: 'ok', nextBreachAt: null };
  const left = nextBreachAt.getTime() - now.getTime();
  return { state: left <= 0 ? 'breached' : left <= DUE_SOON_MS ? 'due_soon' : 'ok', nextBreachAt };
}
