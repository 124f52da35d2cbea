/**
 * The ticket-spike rule as stored by admins (alert_settings, one row); what is not stored falls
 * back to the server's configuration. Read by the alert effect in the drain's transaction, so a
 * change applies to the next written ticket in every process.
 */
import { z } from 'zod';
import type { Queryable } from '../../db/db.ts';
import { queryFirst } from '../../db/rows.ts';

export interface SpikeRule {
  threshold: number;
  windowHours: number;
}

export async function selectSpikeRule(db: Queryable, defaults: SpikeRule): Promise<SpikeRule> {
  const row = await queryFirst(
    db,
    z.object({ spike_threshold: z.number().nullable(), spike_window_hours: z.number().nullable() }),
    'SELECT spike_threshold, spike_window_hours::float8 AS spike_window_hours FROM alert_settings',
  );
  return { threshold: row?.spike_threshold ?? defaults.threshold, windowHours: row?.spike_window_hours ?? defaults.windowHours };
}

export async function saveSpikeRule(db: Queryable, rule: SpikeRule, userId: string): Promise<void> {
  await db.query(
    `INSERT INTO alert_settings (id, spike_threshold, spike_window_hours, updated_by) VALUES (true, $1, $2, $3)
     ON CONFLICT (id) DO UPDATE SET spike_threshold = EXCLUDED.spike_threshold, spike_window_hours = EXCLUDED.spike_window_hours,
                                    updated_by = EXCLUDED.updated_by, updated_at = now()`,
    [rule.threshold, rule.windowHours, userId],
  );
}

/** The negative-CSAT threshold when admins have not set one (docs/metrics.md, CSAT). */
export const DEFAULT_NEGATIVE_CSAT_MAX_SCORE = 2;

/** An updated-CSAT response scoring at most `maxScore` on a 5-point scale is negative. */
export async function selectNegativeCsatMaxScore(db: Queryable): Promise<number> {
  const row = await queryFirst(db, z.object({ negative_csat_max_score: z.number().nullable() }), 'SELECT negative_csat_max_score FROM alert_settings');
  return row?.negative_csat_max_score ?? DEFAULT_NEGATIVE_CSAT_MAX_SCORE;
}

export async function saveNegativeCsatMaxScore(db: Queryable, maxScore: number, userId: string): Promise<void> {
  await db.query(
    `INSERT INTO alert_settings (id, negative_csat_max_score, updated_by) VALUES (true, $1, $2)
     ON CONFLICT (id) DO UPDATE SET negative_csat_max_score = EXCLUDED.negative_csat_max_score, updated_by = EXCLUDED.updated_by, updated_at = now()`,
    [maxScore, userId],
  );
}
