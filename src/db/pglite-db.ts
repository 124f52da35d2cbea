import { PGlite } from '@electric-sql/pglite';
import type { Db, QueryResult, Queryable, Row } from './db.ts';
import { PG_TYPE_INT8, PG_TYPE_NUMERIC, parseInt8, parseNumeric } from './type-parsers.ts';

type PGliteLike = Pick<PGlite, 'query' | 'exec'>;

function wrap(conn: PGliteLike): Queryable {
  return {
    async query<R extends object = Row>(text: string, params: readonly unknown[] = []): Promise<QueryResult<R>> {
      const result = await conn.query<R>(text, params as unknown[]);
      return { rows: result.rows, rowCount: result.affectedRows ?? result.rows.length };
    },
    async exec(text: string): Promise<void> {
      await conn.exec(text);
    },
  };
}

/** Wraps an open PGlite instance as a Db. */
export function pgliteDb(pglite: PGlite): Db {
  const base = wrap(pglite);
  return {
    engine: 'pglite',
    ...base,
    async execResult<R extends object = Row>(text: string): Promise<QueryResult<R>> {
      // Inside transaction(): if a statement fails, PGlite rolls back before it lets the next
      // caller have the connection. A plain exec would leave a script's own BEGIN open and aborted,
      // and whatever query was queued behind it would fail. A script's own BEGIN/COMMIT only draw
      // warnings here, as on a server where a multi-statement query is one implicit transaction.
      const results = await pglite.transaction((tx) => tx.exec(text));
      const last = results.at(-1);
      return { rows: (last?.rows ?? []) as R[], rowCount: last?.affectedRows ?? last?.rows.length ?? 0 };
    },
    transaction: (fn) => pglite.transaction((tx) => fn(wrap(tx))),
    close: () => pglite.close(),
  };
}

/** Opens PGlite on a data directory (file-backed), or in memory when `dataDir` is undefined. */
export async function openPglite(dataDir: string | undefined): Promise<PGlite> {
  // The options-object form: `new PGlite(undefined, options)` silently ignores the options.
  const pglite = new PGlite({
    ...(dataDir === undefined ? {} : { dataDir }),
    parsers: { [PG_TYPE_INT8]: parseInt8, [PG_TYPE_NUMERIC]: parseNumeric },
  });
  await pglite.waitReady;
  return pglite;
}
