/**
 * Rows parsed at the edge of storage. `Queryable.query<R>` only asserts the type of what the
 * database answered; these helpers check it, row by row, with a zod schema or a hand-written
 * mapper (for the hot paths, where zod's cost per row shows in a 100k-ticket import). A row that
 * does not match throws a RowShapeError that names the query, the row, the column and what the
 * column held, so that a migration or a type parser drifting from the code fails loudly where it
 * happens instead of as a wrong value three modules away.
 */
import type { ZodType } from 'zod';
import type { Queryable, Row } from './db.ts';

/** Turns one row into its typed form, or throws (a ColumnError for a mismatched column). */
export type RowMapper<R> = (row: Row) => R;
/** How a query's rows are parsed: a zod schema of the row, or a mapper. */
export type RowParser<R> = ZodType<R> | RowMapper<R>;

/** A column whose value is not what the mapper expected. */
export class ColumnError extends Error {
  readonly column: string;
  readonly found: string;
  constructor(column: string, expected: string, value: unknown) {
    const found = describeValue(column, value);
    super(`column ${column}: expected ${expected}, found ${found}`);
    this.name = 'ColumnError';
    this.column = column;
    this.found = found;
  }
}

/** A row that does not have the shape its query's parser expects. */
export class RowShapeError extends Error {
  readonly query: string;
  readonly column: string | null;
  constructor(query: string, rowIndex: number, column: string | null, detail: string) {
    super(`query "${query}": row ${rowIndex} does not parse: ${detail}`);
    this.name = 'RowShapeError';
    this.query = query;
    this.column = column;
  }
}

/**
 * What a column held, for an error message: its kind, never its text (a column may hold a
 * password hash or a sealed token, and errors end up in logs).
 */
function describeValue(column: string, value: unknown): string {
  if (value === undefined) return `no column ${column} in the row`;
  if (value === null) return 'null';
  if (value instanceof Date) return 'a date';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${String(value)}`;
  if (typeof value === 'string') return `a string of ${value.length} characters`;
  return `a value of type ${typeof value}`;
}

/** The first words of a statement: enough to find it in the code, short enough for a log line. */
export function queryName(text: string): string {
  const words = text.trim().split(/\s+/).slice(0, 8).join(' ');
  return words.length > 80 ? `${words.slice(0, 80)}…` : words;
}

function isZod<R>(parser: RowParser<R>): parser is ZodType<R> {
  return typeof parser !== 'function';
}

/** Parses rows, in order; throws a RowShapeError at the first row that does not match. */
export function parseRows<R>(parser: RowParser<R>, rows: readonly Row[], text: string): R[] {
  const parsed = new Array<R>(rows.length);
  if (isZod(parser)) {
    for (let index = 0; index < rows.length; index += 1) {
      const row = rows[index] as Row;
      const result = parser.safeParse(row);
      if (!result.success) {
        const issue = result.error.issues[0];
        const column = issue && issue.path.length > 0 ? String(issue.path[0]) : null;
        const detail = column === null ? (issue?.message ?? 'invalid row') : `column ${column}: ${issue?.message}, found ${describeValue(column, row[column])}`;
        throw new RowShapeError(queryName(text), index, column, detail);
      }
      parsed[index] = result.data;
    }
    return parsed;
  }
  for (let index = 0; index < rows.length; index += 1) {
    try {
      parsed[index] = parser(rows[index] as Row);
    } catch (error) {
      if (error instanceof ColumnError) throw new RowShapeError(queryName(text), index, error.column, error.message);
      throw error;
    }
  }
  return parsed;
}

/** Runs a statement and answers its rows, parsed. */
export async function queryRows<R>(db: Pick<Queryable, 'query'>, parser: RowParser<R>, text: string, params?: readonly unknown[]): Promise<R[]> {
  const { rows } = await db.query(text, params);
  return parseRows(parser, rows, text);
}

/** Runs a statement and answers its first row, parsed; null when it answered none. */
export async function queryFirst<R>(db: Pick<Queryable, 'query'>, parser: RowParser<R>, text: string, params?: readonly unknown[]): Promise<R | null> {
  const { rows } = await db.query(text, params);
  return rows.length === 0 ? null : (parseRows(parser, rows.slice(0, 1), text)[0] as R);
}

/** Runs a statement that must answer a row (an INSERT ... RETURNING, an aggregate) and answers it, parsed. */
export async function queryOne<R>(db: Pick<Queryable, 'query'>, parser: RowParser<R>, text: string, params?: readonly unknown[]): Promise<R> {
  const row = await queryFirst(db, parser, text, params);
  if (row === null) throw new RowShapeError(queryName(text), 0, null, 'the statement answered no row');
  return row;
}

/**
 * Typed reads of one column, for mappers: plain typeof checks, cheap enough for every row of an
 * import. Each throws a ColumnError naming the column when the value is not of its type.
 */
export const column = {
  string(row: Row, name: string): string {
    const value = row[name];
    if (typeof value !== 'string') throw new ColumnError(name, 'a string', value);
    return value;
  },
  stringOrNull(row: Row, name: string): string | null {
    const value = row[name];
    if (value === null) return null;
    if (typeof value !== 'string') throw new ColumnError(name, 'a string or null', value);
    return value;
  },
  number(row: Row, name: string): number {
    const value = row[name];
    if (typeof value !== 'number') throw new ColumnError(name, 'a number', value);
    return value;
  },
  numberOrNull(row: Row, name: string): number | null {
    const value = row[name];
    if (value === null) return null;
    if (typeof value !== 'number') throw new ColumnError(name, 'a number or null', value);
    return value;
  },
  boolean(row: Row, name: string): boolean {
    const value = row[name];
    if (typeof value !== 'boolean') throw new ColumnError(name, 'a boolean', value);
    return value;
  },
  booleanOrNull(row: Row, name: string): boolean | null {
    const value = row[name];
    if (value === null) return null;
    if (typeof value !== 'boolean') throw new ColumnError(name, 'a boolean or null', value);
    return value;
  },
  date(row: Row, name: string): Date {
    const value = row[name];
    if (!(value instanceof Date)) throw new ColumnError(name, 'a date', value);
    return value;
  },
  dateOrNull(row: Row, name: string): Date | null {
    const value = row[name];
    if (value === null) return null;
    if (!(value instanceof Date)) throw new ColumnError(name, 'a date or null', value);
    return value;
  },
  strings(row: Row, name: string): string[] {
    const value = row[name];
    if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) throw new ColumnError(name, 'an array of strings', value);
    return value as string[];
  },
  /** One of a fixed set of strings (a CHECK-constrained text column). */
  oneOf<const T extends string>(row: Row, name: string, values: readonly T[]): T {
    const value = row[name];
    if (typeof value !== 'string' || !(values as readonly string[]).includes(value)) throw new ColumnError(name, `one of ${values.join(', ')}`, value);
    return value as T;
  },
  oneOfOrNull<const T extends string>(row: Row, name: string, values: readonly T[]): T | null {
    if (row[name] === null) return null;
    return column.oneOf(row, name, values);
  },
  /** A json/jsonb column: any value the column holds, present in the row. */
  json(row: Row, name: string): unknown {
    if (!(name in row)) throw new ColumnError(name, 'a json value', undefined);
    return row[name];
  },
};
