/**
 * The storage port. The rest of the code talks to PostgreSQL through this interface only, and never
 * knows whether it has the embedded engine (PGlite) or a PostgreSQL server behind it.
 */
export type Row = Record<string, unknown>;

export interface QueryResult<R extends object = Row> {
  rows: R[];
  /** Rows inserted, updated or deleted by the statement (0 for a plain SELECT on some engines). */
  rowCount: number;
}

export interface Queryable {
  /** One statement with `$1..$n` parameters. */
  query<R extends object = Row>(text: string, params?: readonly unknown[]): Promise<QueryResult<R>>;
  /** Several statements, no parameters (migrations, DDL). */
  exec(text: string): Promise<void>;
}

export type Engine = 'pglite' | 'postgres';

export interface Db extends Queryable {
  readonly engine: Engine;
  /**
   * Several statements, no parameters, like `exec`, answering the last statement's result. A
   * failure leaves no transaction open even when `text` has its own BEGIN and COMMIT (on PGlite's
   * one connection, an aborted transaction would otherwise fail every query queued behind it).
   * For libraries that send whole scripts, such as the job queue's.
   */
  execResult<R extends object = Row>(text: string): Promise<QueryResult<R>>;
  /**
   * Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. On
   * PGlite (one connection) other queries wait until it ends, so keep transactions short.
   */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
