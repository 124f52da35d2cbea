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
