/**
 * What "escalated" means for a connection. Zendesk has no escalation field (docs/zendesk.md), so
 * it is a rule over what a ticket carries: a ticket is escalated when ANY condition holds: its
 * priority is one of `priorities`, one of its tags is in `tags` (any letter case), it sits in one
 * of the `groupIds` (an escalation or tier-2 group), or the custom field `customField.id` has one
 * of `customField.values` (compared as text: a checkbox is "true").
 *
 * The same rule exists twice, on purpose: in TypeScript for every written ticket (the writer
 * compares before and after to record escalations and raise alerts) and in SQL to recompute the
 * stored flags when an admin changes the rule. A test holds the two equal on random tickets.
 */
import { z } from 'zod';
import type { Queryable } from '../../db/db.ts';
import { queryFirst, queryRows } from '../../db/rows.ts';
import { AppError } from '../../lib/errors.ts';
import { escalationRuleBody } from '../../contracts/escalation-rule.ts';

/** The rule as an admin sends it: one schema, the API's (src/contracts/escalation-rule.ts). */
export const escalationRuleSchema = escalationRuleBody;
export type EscalationRule = z.output<typeof escalationRuleSchema>;

export const DEFAULT_ESCALATION_RULE: EscalationRule = Object.freeze({
  priorities: ['urgent'],
  tags: ['escalated', 'escalation'],
  groupIds: [],
  customField: null,
}) as EscalationRule;

/** What the rule looks at in a ticket (a ticket row has these fields, and more). */
export interface TicketFacts {
  priority: string | null;
  tags: readonly string[];
  group_zendesk_id: number | null;
  custom_fields: ReadonlyArray<{ id: number; value: unknown }>;
}

export function isEscalatedBy(rule: EscalationRule, ticket: TicketFacts): boolean {
  if (ticket.priority !== null && (rule.priorities as string[]).includes(ticket.priority)) return true;
  if (rule.tags.length > 0 && ticket.tags.some((tag) => rule.tags.includes(tag.toLowerCase()))) return true;
  if (ticket.group_zendesk_id !== null && rule.groupIds.includes(ticket.group_zendesk_id)) return true;
  const field = rule.customField;
  if (field) {
    return ticket.custom_fields.some((f) => f.id === field.id && fieldTexts(f.value).some((text) => field.values.includes(text)));
  }
  return false;
}

/**
 * A custom field's value as text, as Postgres's `->>` gives it: a string as it is, a number or a
 * boolean as JSON text ("true"); a multi-select (an array) gives each of its scalar elements.
 */
function fieldTexts(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (typeof value === 'number' || typeof value === 'boolean') return [JSON.stringify(value)];
  if (Array.isArray(value)) return value.flatMap((element) => (Array.isArray(element) ? [] : fieldTexts(element)));
  return [];
}

/** The SQL twin of isEscalatedBy over zendesk_tickets `t`; $2 is the rule as JSON. */
const ESCALATED_SQL = `(
  COALESCE(t.priority = ANY (ARRAY(SELECT jsonb_array_elements_text($2::jsonb->'priorities'))), false)
  OR EXISTS (SELECT 1 FROM unnest(t.tags) tag WHERE lower(tag) IN (SELECT jsonb_array_elements_text($2::jsonb->'tags')))
  OR COALESCE(t.group_zendesk_id IN (SELECT (jsonb_array_elements_text($2::jsonb->'groupIds'))::bigint), false)
  OR (jsonb_typeof($2::jsonb->'customField') = 'object' AND EXISTS (
        SELECT 1 FROM jsonb_array_elements(CASE WHEN jsonb_typeof(t.custom_fields) = 'array' THEN t.custom_fields ELSE '[]'::jsonb END) f
         WHERE jsonb_typeof(f) = 'object' AND f->'id' = $2::jsonb->'customField'->'id'
           AND EXISTS (
                 SELECT 1 FROM (SELECT f->>'value' AS text WHERE jsonb_typeof(f->'value') IN ('string', 'number', 'boolean')
                                UNION ALL
                                SELECT v #>> '{}' FROM jsonb_array_elements(CASE WHEN jsonb_typeof(f->'value') = 'array' THEN f->'value' ELSE '[]'::jsonb END) v
                                 WHERE jsonb_typeof(v) IN ('string', 'number', 'boolean')) texts
                  WHERE texts.text IN (SELECT jsonb_array_elements_text($2::jsonb->'customField'->'values')))))
)`;

export async function escalationRuleOf(db: Queryable, connectionId: string): Promise<EscalationRule> {
  const row = await queryFirst(db, z.object({ escalation_rule: z.unknown() }), 'SELECT escalation_rule FROM zendesk_connections WHERE id = $1', [connectionId]);
  if (!row) throw new AppError('not_found', `no Zendesk connection ${connectionId}`);
  const stored = row.escalation_rule;
  if (stored === null || stored === undefined) return DEFAULT_ESCALATION_RULE;
  const parsed = escalationRuleSchema.safeParse(stored);
  // Stored rules were validated on the way in; one that no longer parses falls back to the default.
  return parsed.success ? parsed.data : DEFAULT_ESCALATION_RULE;
}

/** Applies the connection's rule to rows about to be written (every write path goes through the writer). */
export function withEscalation<T extends TicketFacts & { escalated: boolean }>(rule: EscalationRule, rows: readonly T[]): T[] {
  return rows.map((row) => ({ ...row, escalated: isEscalatedBy(rule, row) }));
}

/**
 * Stores a connection's rule and recomputes its tickets' escalated flags at once (one statement,
 * in one transaction); answers how many flags changed. The rule applies from now on: escalation
 * history and alerts record only escalations that happen after it is saved.
 */
export async function saveEscalationRule(db: Queryable, connectionId: string, rule: EscalationRule): Promise<{ ticketsChanged: number }> {
  const rows = await queryRows(db, z.object({ id: z.string() }), 'UPDATE zendesk_connections SET escalation_rule = $2::jsonb WHERE id = $1 RETURNING id', [
    connectionId,
    JSON.stringify(rule),
  ]);
  if (rows.length === 0) throw new AppError('not_found', `no Zendesk connection ${connectionId}`);
  const changed = await recomputeEscalatedFlags(db, connectionId, rule);
  return { ticketsChanged: changed };
}

export async function recomputeEscalatedFlags(db: Queryable, connectionId: string, rule: EscalationRule): Promise<number> {
  const row = await queryFirst(
    db,
    z.object({ n: z.number() }),
    `WITH changed AS (
       UPDATE zendesk_tickets t SET escalated = ${ESCALATED_SQL}
        WHERE t.connection_id = $1 AND t.escalated IS DISTINCT FROM ${ESCALATED_SQL}
       RETURNING 1)
     SELECT count(*)::int AS n FROM changed`,
    [connectionId, JSON.stringify(rule)],
  );
  return row?.n ?? 0;
}
