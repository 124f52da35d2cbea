import pg from 'pg';
import type { Db, QueryResult, Queryable, Row } from './db.ts';
import { PG_TYPE_INT8, PG_TYPE_NUMERIC, parseInt8, parseNumeric } from './type-parsers.ts';

// Per-pool type parsers, so that no global state of the `pg` module is changed.
const typeParsers: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: string) => {
    if (oid === PG_TYPE_INT8) return parseInt8;
    if (oid === PG_TYPE_NUMERIC) return parseNumeric;
    return pg.types.getTypeParser(oid, format as 'text');
  }) as pg.CustomTypesConfig['getTypeParser'],
};

function wrap(conn: pg.Pool | pg.PoolClient): Queryable {
  return {
    async query<R extends object = Row>(text: string, params: readonly unknown[] = []): Promise<QueryResult<R>> {
      const result = await conn.query<R>(text, params as unknown[]);
      return { rows: result.rows, rowCount: result.rowCount ?? 0 };
    },
    async exec(text: string): Promise<void> {
      // No parameters: the simple query protocol runs several statements in one call.
      await conn.query(text);
    },
  };
}

export interface PostgresOptions {
  connectionString: string;
  /** Schema to put first on the search_path of every connection (tests use one per file). */
  schema?: string;
  maxConnections?: number;
}

export function postgresDb(options: PostgresOptions): Db {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.maxConnections ?? 10,
    types: typeParsers,
    ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
  });
  // An idle client that loses its server emits 'error' on the pool; without a listener that error
  // would crash the process. The next query reconnects and reports the outage to its caller.
  pool.on('error', () => {});
  const base = wrap(pool);
  return {
    engine: 'postgres',
    ...base,
    async execResult<R extends object = Row>(text: string): Promise<QueryResult<R>> {
      // No parameters: the simple query protocol, one result per statement when there are several.
      // A failing script's connection is discarded by the pool, so no transaction stays open.
      const result = (await pool.query<R>(text)) as pg.QueryResult<R> | Array<pg.QueryResult<R>>;
      const last = Array.isArray(result) ? result.at(-1) : result;
      return { rows: last?.rows ?? [], rowCount: last?.rowCount ?? 0 };
    },
    async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      let broken: Error | undefined;
      // A checked-out client that loses its server between two queries emits 'error' on itself
      // (the pool listens only to idle clients): unheard, it crashes the process (seen in the
      // database-outage test). The transaction's next query fails and reports it; the client is
      // discarded on release.
      const onError = (error: Error) => {
        broken = error;
      };
      client.on('error', onError);
      try {
        await client.query('BEGIN');
        const result = await fn(wrap(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        // A connection that cannot even roll back is discarded rather than returned to the pool.
        await client.query('ROLLBACK').catch((rollbackError: Error) => {
          broken = rollbackError;
        });
        throw error;
      } finally {
        client.off('error', onError);
        client.release(broken);
      }
    },
    close: () => pool.end(),
  };
}
