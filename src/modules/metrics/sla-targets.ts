/**
 * Fallback SLA targets: first reply and resolution, in calendar minutes, per priority, for
 * tickets that carry no Zendesk SLA policy metric. metrics.repo.ts measures those tickets against
 * them; saving them marks every customer for the coalesced recompute of today's figures (past
 * daily rows keep the targets they were computed with).
 */
import { z } from 'zod';
import { slaTargets, type SlaTargets } from '../../contracts/sla-targets.ts';
import { TICKET_PRIORITIES } from '../../contracts/vocabulary.ts';
import type { Db } from '../../db/db.ts';
import { queryRows } from '../../db/rows.ts';
import { requestAllCustomersRefresh } from '../aggregates/customer-refresh.ts';

/** Fallback targets are set per Zendesk priority. */
export const SLA_PRIORITIES = TICKET_PRIORITIES;
/** The targets as an admin sends them: one schema, the API's (src/contracts/sla-targets.ts). */
export const slaTargetsSchema = slaTargets;
export type { SlaTargets };

export async function getSlaTargets(db: Pick<Db, 'query'>): Promise<SlaTargets> {
  const rows = await queryRows(
    db,
    z.object({ priority: z.enum(SLA_PRIORITIES), first_reply_minutes: z.number().nullable(), resolution_minutes: z.number().nullable() }),
    'SELECT priority, first_reply_minutes, resolution_minutes FROM sla_fallback_targets',
  );
  const targets = Object.fromEntries(SLA_PRIORITIES.map((p) => [p, { firstReplyMinutes: null, resolutionMinutes: null }])) as SlaTargets;
  for (const row of rows) targets[row.priority] = { firstReplyMinutes: row.first_reply_minutes, resolutionMinutes: row.resolution_minutes };
  return targets;
}

/** Replaces the targets (one statement) and marks every customer for a recompute; answers how many. */
export async function setSlaTargets(db: Db, targets: SlaTargets): Promise<{ customersToRecompute: number }> {
  return db.transaction(async (tx) => {
    await tx.query(
      `INSERT INTO sla_fallback_targets (priority, first_reply_minutes, resolution_minutes)
       SELECT r.priority, r.first, r.resolution FROM jsonb_to_recordset($1::jsonb) AS r(priority text, first int, resolution int)
       ON CONFLICT (priority) DO UPDATE SET first_reply_minutes = EXCLUDED.first_reply_minutes,
                                            resolution_minutes = EXCLUDED.resolution_minutes, updated_at = now()`,
      [JSON.stringify(SLA_PRIORITIES.map((p) => ({ priority: p, first: targets[p].firstReplyMinutes, resolution: targets[p].resolutionMinutes })))],
    );
    return { customersToRecompute: await requestAllCustomersRefresh(tx) };
  });
}
