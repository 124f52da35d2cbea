/**
 * Validation of ticket triggers sent to the Triggers API (OAS `TriggerObject`: `title` and
 * `actions` required; `conditions` `{all, any}`, or the deprecated top-level `all`/`any`). The
 * emulator refuses conditions it could not evaluate (see trigger-conditions.ts) and
 * `notification_webhook` actions naming a webhook that does not exist or is not connected to
 * triggers ("conditional_ticket_events"). Other action fields are stored but not executed.
 */
import { conditionProblem } from './trigger-conditions.ts';
import type { TriggerAction, TriggerCondition, TriggerRecord } from './trigger-store.ts';
import { WEBHOOK_ACTION } from './trigger-webhook-request.ts';
import { isTriggerConnected, type WebhookRecord } from './webhook-store.ts';

export type TriggerFields = Pick<TriggerRecord, 'title' | 'description' | 'active' | 'position' | 'conditions' | 'actions' | 'category_id'>;

type Result = { ok: true; fields: TriggerFields } | { ok: false; details: Record<string, string[]> };

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function conditionList(value: unknown): TriggerCondition[] {
  if (!Array.isArray(value)) return [];
  return value.map((entry) => {
    const record = isRecord(entry) ? entry : {};
    return { field: record.field as string, operator: record.operator as string, value: record.value ?? null };
  });
}

/**
 * Validates `input` (the `trigger` object). On update (`existing` given), absent fields keep their
 * values, except that "Updating a condition or action updates both the conditions and actions
 * arrays, clearing all existing values of both arrays" (OAS UpdateTrigger note).
 */
export function validateTrigger(
  input: unknown,
  existing: TriggerRecord | null,
  findWebhook: (id: string) => WebhookRecord | undefined,
  nextPosition: number,
): Result {
  const details: Record<string, string[]> = {};
  const problem = (field: string, message: string) => (details[field] ??= []).push(message);
  if (!isRecord(input)) return { ok: false, details: { base: ['trigger is required'] } };

  const title = input.title ?? existing?.title;
  if (typeof title !== 'string' || title.trim() === '') problem('title', 'Title: cannot be blank');

  const touchesRules = 'conditions' in input || 'actions' in input || 'all' in input || 'any' in input || existing === null;
  const conditionsInput = isRecord(input.conditions) ? input.conditions : { all: input.all, any: input.any };
  const conditions = touchesRules
    ? { all: conditionList(conditionsInput.all), any: conditionList(conditionsInput.any) }
    : (existing as TriggerRecord).conditions;
  const actions: TriggerAction[] = touchesRules
    ? (Array.isArray(input.actions) ? input.actions : []).map((entry: unknown) => {
        const record = isRecord(entry) ? entry : {};
        return { field: String(record.field ?? ''), value: record.value ?? null };
      })
    : (existing as TriggerRecord).actions;

  if (conditions.all.length + conditions.any.length === 0) problem('conditions', 'Conditions: must have at least one condition');
  for (const condition of [...conditions.all, ...conditions.any]) {
    const message = conditionProblem(condition);
    if (message) problem('conditions', message);
  }
  if (actions.length === 0) problem('actions', 'Actions: cannot be blank');
  for (const action of actions) {
    if (action.field !== WEBHOOK_ACTION) continue;
    const value = action.value;
    if (!Array.isArray(value) || typeof value[0] !== 'string' || (value[1] !== undefined && typeof value[1] !== 'string')) {
      problem('actions', 'notification_webhook value must be [webhook_id, body]');
      continue;
    }
    const webhook = findWebhook(value[0]);
    if (!webhook) problem('actions', `Webhook ${value[0]} does not exist`);
    else if (!isTriggerConnected(webhook)) problem('actions', `Webhook ${value[0]} is not connected to triggers (subscriptions must be ["conditional_ticket_events"])`);
  }

  const active = input.active ?? existing?.active ?? true;
  if (typeof active !== 'boolean') problem('active', 'active must be a boolean');
  const position = input.position ?? existing?.position ?? nextPosition;
  if (typeof position !== 'number' || !Number.isInteger(position)) problem('position', 'position must be an integer');
  const description = input.description === undefined ? (existing?.description ?? null) : input.description;
  if (description !== null && typeof description !== 'string') problem('description', 'description must be a string');
  const category = input.category_id === undefined ? (existing?.category_id ?? null) : input.category_id;

  if (Object.keys(details).length > 0) return { ok: false, details };
  return {
    ok: true,
    fields: {
      title: title as string,
      description: description as string | null,
      active: active as boolean,
      position: position as number,
      conditions,
      actions,
      category_id: category === null ? null : String(category),
    },
  };
}
