import type PgBoss from 'pg-boss';
import type { Db } from '../db/db.ts';

/**
 * pg-boss's one-method database port over our Db, so that the queue runs on either engine and on
 * the application's own connections. pg-boss sends two kinds of calls: single statements with
 * parameters, and parameterless scripts (schema creation, and maintenance wrapped in its own
 * BEGIN ... COMMIT) whose last result it sometimes reads. PGlite's extended protocol takes one
 * statement only, so the scripts go to `execResult`.
 */
export function pgBossDb(db: Db): PgBoss.Db {
  return {
    executeSql: (text: string, values?: unknown[]) => (values && values.length > 0 ? db.query(text, values) : db.execResult(text)),
  };
}
