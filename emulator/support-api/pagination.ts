/**
 * List pagination as Zendesk does it (https://developer.zendesk.com/api-reference/introduction/pagination/,
 * docs/zendesk.md, Pagination):
 *
 * - cursor pagination when `page[size]`, `page[after]` or `page[before]` is given: at most 100 per
 *   page, `meta: {has_more, after_cursor, before_cursor}` and `links: {next, prev}`; ordering with
 *   `sort` (`-` for descending); `sort_by`/`sort_order` are silently ignored ([3P] live probe);
 * - offset pagination otherwise: `page`/`per_page` (100 per page by default and at most), with
 *   `next_page`, `previous_page`, `count`; past page 100 or 10,000 records: 400.
 */
import { invalidPaginationParameter, paginationTooDeep } from '../faults/errors.ts';

export type Query = Record<string, string | string[] | undefined>;
export type SortValue = number | string | null;

export interface ListOptions<T extends { id: number }> {
  /** Absolute URL of the list without query, e.g. http://127.0.0.1:4010/acme/api/v2/tickets.json */
  url: string;
  /** Fields usable with `sort` under cursor pagination. */
  cursorSorts: Record<string, (item: T) => SortValue>;
  /** Fields usable with `sort_by` under offset pagination. */
  offsetSorts: Record<string, (item: T) => SortValue>;
  /** Sort when none is asked for: field name, `-` prefix for descending. */
  defaultSort: string;
  /** The items are already in `defaultSort` order (saves a sort of the whole list). */
  presorted?: boolean;
}

export interface ListPage<T> {
  items: T[];
  /** The pagination keys to merge into the response body. */
  envelope: Record<string, unknown>;
}

const MAX_PAGE_SIZE = 100;
const MAX_OFFSET_PAGE = 100;
const MAX_OFFSET_RECORDS = 10_000;

export function queryValue(query: Query, name: string): string | undefined {
  const value = query[name];
  return Array.isArray(value) ? value[value.length - 1] : value;
}

function compareValues(a: SortValue, b: SortValue): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return a < b ? -1 : 1;
}

function sorted<T extends { id: number }>(items: readonly T[], value: (item: T) => SortValue, descending: boolean): T[] {
  const direction = descending ? -1 : 1;
  return items
    .map((item) => ({ item, key: value(item) }))
    .sort((a, b) => direction * (compareValues(a.key, b.key) || a.item.id - b.item.id))
    .map((entry) => entry.item);
}

function parseSort(sort: string): { field: string; descending: boolean } {
  return sort.startsWith('-') ? { field: sort.slice(1), descending: true } : { field: sort, descending: false };
}

/** Rebuilds a list URL from the query minus pagination parameters, plus `extra`. Brackets stay literal, as in Zendesk's links. */
function pageUrl(base: string, query: Query, drop: readonly string[], extra: Array<[string, string]>): string {
  const parts: string[] = [];
  for (const [name, raw] of Object.entries(query)) {
    if (raw === undefined || drop.includes(name)) continue;
    for (const value of Array.isArray(raw) ? raw : [raw]) parts.push(`${name}=${encodeURIComponent(value)}`);
  }
  for (const [name, value] of extra) parts.push(`${name}=${encodeURIComponent(value)}`);
  return parts.length > 0 ? `${base}?${parts.join('&')}` : base;
}

interface CursorPosition {
  o: string;
  v: SortValue;
  i: number;
}

function encodeCursor(position: CursorPosition): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

function decodeCursor(cursor: string, sort: string, parameter: string): CursorPosition {
  try {
    const position = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as CursorPosition;
    if (position.o === sort && typeof position.i === 'number') return position;
  } catch {
    // fall through: not one of our cursors
  }
  throw invalidPaginationParameter(`${parameter} is not valid`);
}

export function isCursorRequest(query: Query): boolean {
  return query['page[size]'] !== undefined || query['page[after]'] !== undefined || query['page[before]'] !== undefined;
}

function cursorPage<T extends { id: number }>(all: readonly T[], query: Query, options: ListOptions<T>): ListPage<T> {
  const rawSize = queryValue(query, 'page[size]');
  const size = rawSize === undefined ? MAX_PAGE_SIZE : Number(rawSize);
  // "Most endpoints limit this to a maximum of 100" (pagination guide); what Zendesk does above
  // that is UNCONFIRMED: the emulator refuses rather than silently shrinking the page.
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE) throw invalidPaginationParameter('page[size] is not valid');
  const sort = queryValue(query, 'sort') ?? options.defaultSort;
  const { field, descending } = parseSort(sort);
  const value = options.cursorSorts[field];
  if (!value) throw invalidPaginationParameter('sort is not valid');
  const items = options.presorted && sort === options.defaultSort ? all : sorted(all, value, descending);
  const direction = descending ? -1 : 1;
  const isAfter = (item: T, position: CursorPosition): boolean =>
    direction * (compareValues(value(item), position.v) || item.id - position.i) > 0;

  const after = queryValue(query, 'page[after]');
  const before = queryValue(query, 'page[before]');
  let start: number;
  let end: number;
  if (before !== undefined) {
    const position = decodeCursor(before, sort, 'page[before]');
    end = lowerBound(items, (item) => !isAfter(item, position) && !sameItem(item, position));
    start = Math.max(0, end - size);
  } else {
    start = 0;
    if (after !== undefined) {
      const position = decodeCursor(after, sort, 'page[after]');
      start = lowerBound(items, (item) => !isAfter(item, position));
    }
    end = Math.min(items.length, start + size);
  }
  const page = items.slice(start, end);
  const first = page[0];
  const last = page[page.length - 1];
  const cursorOf = (item: T | undefined): string | null => (item ? encodeCursor({ o: sort, v: value(item), i: item.id }) : null);
  const afterCursor = cursorOf(last);
  const beforeCursor = cursorOf(first);
  const hasMore = before !== undefined ? start > 0 : end < items.length;
  const drop = ['page[after]', 'page[before]', 'page[size]'];
  const sizeParam: Array<[string, string]> = [['page[size]', String(size)]];
  return {
    items: page,
    envelope: {
      meta: { has_more: hasMore, after_cursor: afterCursor, before_cursor: beforeCursor },
      links: {
        // A last page carries `next: null` ([3P] airbyte's satisfaction_ratings.json response fixture).
        next: end < items.length && afterCursor ? pageUrl(options.url, query, drop, [...sizeParam, ['page[after]', afterCursor]]) : null,
        prev: start > 0 && beforeCursor ? pageUrl(options.url, query, drop, [...sizeParam, ['page[before]', beforeCursor]]) : null,
      },
    },
  };
}

function sameItem<T extends { id: number }>(item: T, position: CursorPosition): boolean {
  return item.id === position.i;
}

/** First index whose item does not satisfy `isBefore` (items are ordered; `isBefore` is monotone). */
function lowerBound<T>(items: readonly T[], isBefore: (item: T) => boolean): number {
  let low = 0;
  let high = items.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (isBefore(items[mid] as T)) low = mid + 1;
    else high = mid;
  }
  return low;
}

function offsetPage<T extends { id: number }>(all: readonly T[], query: Query, options: ListOptions<T>): ListPage<T> {
  const page = Number(queryValue(query, 'page') ?? '1');
  const requestedPerPage = Number(queryValue(query, 'per_page') ?? String(MAX_PAGE_SIZE));
  // per_page above the maximum is capped (pagination guide: 100 per page at most).
  const perPage = Number.isInteger(requestedPerPage) && requestedPerPage > 0 ? Math.min(requestedPerPage, MAX_PAGE_SIZE) : MAX_PAGE_SIZE;
  const pageNumber = Number.isInteger(page) && page > 0 ? page : 1;
  if (pageNumber > MAX_OFFSET_PAGE || pageNumber * perPage > MAX_OFFSET_RECORDS) throw paginationTooDeep();

  // An unknown sort_by falls back to the default order (UNCONFIRMED what Zendesk does).
  const sortBy = queryValue(query, 'sort_by');
  const sortField = sortBy !== undefined && options.offsetSorts[sortBy] ? sortBy : null;
  const defaultSort = parseSort(options.defaultSort);
  const value = (sortField ? options.offsetSorts[sortField] : options.cursorSorts[defaultSort.field]) ?? ((item: T) => item.id);
  const sortOrder = queryValue(query, 'sort_order'); // "Defaults to asc" (OAS TicketSortOrder)
  const descending = sortOrder !== undefined ? sortOrder === 'desc' : sortField ? false : defaultSort.descending;
  const items = options.presorted && !sortField && descending === defaultSort.descending ? all : sorted(all, value, descending);
  const start = (pageNumber - 1) * perPage;
  const slice = items.slice(start, start + perPage);
  const drop = ['page', 'per_page'];
  const withPage = (n: number): string => pageUrl(options.url, query, drop, [['page', String(n)], ['per_page', String(perPage)]]);
  return {
    items: slice,
    envelope: {
      next_page: start + perPage < items.length ? withPage(pageNumber + 1) : null,
      previous_page: pageNumber > 1 ? withPage(pageNumber - 1) : null,
      count: items.length,
    },
  };
}

export function paginate<T extends { id: number }>(all: readonly T[], query: Query, options: ListOptions<T>): ListPage<T> {
  return isCursorRequest(query) ? cursorPage(all, query, options) : offsetPage(all, query, options);
}
