/**
 * A batch of rows passed to PostgreSQL as one JSON parameter and expanded with json_to_recordset:
 * one statement per batch, the same on PostgreSQL and PGlite. The keys sent are short (c0, c1...)
 * and named back in SQL: in a page of tickets half the bytes were key names, and every byte is
 * sent, validated as json and parsed again (measured: about a third less time per ticket page on
 * PostgreSQL). Plain json, not jsonb: it is parsed once, lazily, where jsonb parses twice.
 */
import { pgJson } from '../lib/pg-json.ts';

/** A column: its name (a key of the row, and the name it has in SQL) and its SQL type. */
export type RecordsetColumn<Row> = readonly [name: keyof Row & string, sqlType: string];

export interface Recordset<Row> {
  /**
   * SQL for the rows of the JSON parameter `param` (e.g. "$2"), as a subquery to alias:
   * `FROM ${TICKETS.from('$2')} AS r` then `r.zendesk_ticket_id` as usual.
   */
  from(param: string): string;
  /** The parameter's value for these rows (NUL characters removed, see pgJson). */
  json(rows: readonly Row[]): string;
}

export function recordset<Row>(columns: ReadonlyArray<RecordsetColumn<Row>>): Recordset<Row> {
  const keys = columns.map((_, index) => `c${index}`);
  const select = columns.map(([name], index) => `x.${keys[index]} AS ${name}`).join(', ');
  const definition = columns.map(([, sqlType], index) => `${keys[index]} ${sqlType}`).join(', ');
  return {
    from: (param) => `(SELECT ${select} FROM json_to_recordset(${param}::json) AS x(${definition}))`,
    json: (rows) =>
      pgJson(
        rows.map((row) => {
          const short: Record<string, unknown> = {};
          for (let index = 0; index < columns.length; index += 1) short[keys[index] as string] = row[(columns[index] as RecordsetColumn<Row>)[0]];
          return short;
        }),
      ),
  };
}
