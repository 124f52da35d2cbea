/**
 * Planner statistics kept current after bulk writes.
 *
 * The embedded engine (PGlite) has no autovacuum, so a table is never analyzed unless we do it:
 * after an import and the ticket events stream, the planner still sees the empty tables of the
 * first migration and picks plans for them. Measured on 10,000 tickets at 500 webhooks/s: the
 * ticket upsert took 2.7-3.0 s in total before an ANALYZE and 1.7 s after. On a PostgreSQL server
 * autovacuum analyzes the same tables, but only on its next round (a minute later or more), while
 * the refresh that follows an import runs at once; analyzing here makes its plans right on both.
 *
 * Nor can a server be counted on: autovacuum may be off (it is on the PostgreSQL this is tested
 * with), and then nothing else analyzes our tables.
 *
 * The threshold is autovacuum's default (50 rows plus 10% of the table changed since the last
 * analyze), so in steady traffic this rarely finds anything to do. While an import or the events
 * stream is loading, pages call it with a scale of 1 (a table analyzed each time it has doubled):
 * the plans follow the growth with about a dozen analyzes for 100,000 tickets, not eighty.
 */
import { z } from 'zod';
import type { Logger } from '../lib/logger.ts';
import type { Queryable } from './db.ts';
import { queryRows } from './rows.ts';

/** autovacuum_analyze_threshold and autovacuum_analyze_scale_factor, PostgreSQL's defaults. */
const ANALYZE_BASE_ROWS = 50;
const ANALYZE_SCALE = 0.1;
/** While a bulk load runs: a table is analyzed again once as many rows changed as it had. */
export const DURING_BULK_LOAD = { scale: 1 } as const;

/**
 * Analyzes the tables of this installation's schema changed enough since their last analyze;
 * answers their names. Cheap when nothing changed (one read of the statistics view). Writes no
 * row of ours: ANALYZE updates only the catalog's statistics.
 */
export async function analyzeChangedTables(db: Queryable, options: { scale?: number } = {}): Promise<string[]> {
  const stale = await queryRows(
    db,
    z.object({ table_name: z.string() }),
    `SELECT quote_ident(schemaname) || '.' || quote_ident(relname) AS table_name
       FROM pg_stat_user_tables
      WHERE schemaname = current_schema()
        AND n_mod_since_analyze > $1::float8 + $2::float8 * greatest(n_live_tup, 0)
      ORDER BY relname`,
    [ANALYZE_BASE_ROWS, options.scale ?? ANALYZE_SCALE],
  );
  const tables = stale.map((row) => row.table_name);
  // One statement per table: each is short, and on the embedded engine other work runs between them.
  for (const table of tables) await db.exec(`ANALYZE ${table}`);
  return tables;
}

/** analyzeChangedTables for the jobs, logging what it analyzed. */
export async function refreshPlannerStatistics(deps: { db: Queryable; logger: Logger }, options: { scale?: number } = {}): Promise<void> {
  const tables = await analyzeChangedTables(deps.db, options);
  if (tables.length > 0) deps.logger.info({ tables }, 'planner statistics refreshed');
}
