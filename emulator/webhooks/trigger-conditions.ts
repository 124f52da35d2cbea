/**
 * Ticket trigger conditions (OAS `TriggerConditionsObject`: `{all:[...], any:[...]}`, each
 * `{field, operator, value}`; the trigger fires when every `all` condition and at least one `any`
 * condition hold). Fields and operators follow the Conditions reference as the OAS
 * `TriggerDefinitionResponseExample` shows them for `status` (is, is_not, less_than, greater_than,
 * changed, value = "changed to", value_previous = "changed from", not_changed, not_value,
 * not_value_previous). Supported fields: update_type (is Create/Change), status, priority, type,
 * current_tags (includes/not_includes), organization_id, group_id, assignee_id, requester_id,
 * comment_is_public, and custom_fields_<id>.
 */
import type { ZComment, ZTicket } from '../contract.ts';
import type { TriggerCondition } from './trigger-store.ts';

export interface TicketTransition {
  kind: 'created' | 'updated';
  ticket: ZTicket;
  previous: ZTicket | null;
  comment: ZComment | null;
}

/** Values as condition values spell them: strings, "" for none. */
type FieldReader = (ticket: ZTicket) => string;

const STATUS_ORDER = ['new', 'open', 'pending', 'hold', 'solved', 'closed'];
const PRIORITY_ORDER = ['low', 'normal', 'high', 'urgent'];
const CHANGE_OPERATORS = ['changed', 'value', 'value_previous', 'not_changed', 'not_value', 'not_value_previous'];

function idField(read: (ticket: ZTicket) => number | null): FieldReader {
  return (ticket) => {
    const id = read(ticket);
    return id === null ? '' : String(id);
  };
}

interface ValueField {
  read: FieldReader;
  /** Ordering for less_than/greater_than, when the field has one. */
  order?: string[];
}

const VALUE_FIELDS: Record<string, ValueField> = {
  status: { read: (ticket) => ticket.status, order: STATUS_ORDER },
  priority: { read: (ticket) => ticket.priority ?? '', order: PRIORITY_ORDER },
  type: { read: (ticket) => ticket.type ?? '' },
  organization_id: { read: idField((ticket) => ticket.organization_id) },
  group_id: { read: idField((ticket) => ticket.group_id) },
  assignee_id: { read: idField((ticket) => ticket.assignee_id) },
  requester_id: { read: idField((ticket) => ticket.requester_id) },
};

function asString(value: unknown): string {
  if (value === null || value === undefined) return '';
  return String(value);
}

function customFieldReader(field: string): FieldReader | undefined {
  const match = /^custom_fields_(\d+)$/.exec(field);
  if (!match) return undefined;
  const id = Number(match[1]);
  return (ticket) => {
    const value = ticket.custom_fields.find((entry) => entry.id === id)?.value;
    if (Array.isArray(value)) return value.join(' ');
    return asString(value);
  };
}

function compareOrdered(order: string[] | undefined, actual: string, expected: string, operator: 'less_than' | 'greater_than'): boolean {
  if (!order) return false;
  const a = order.indexOf(actual);
  const b = order.indexOf(expected);
  if (a < 0 || b < 0) return false;
  return operator === 'less_than' ? a < b : a > b;
}

/** Operators on one field value, with the previous value for the "changed" family. */
function evaluateValue(field: ValueField, operator: string, expected: string, transition: TicketTransition): boolean {
  const current = field.read(transition.ticket);
  // On creation nothing was there before: a set field counts as "changed" (from nothing).
  const previous = transition.previous ? field.read(transition.previous) : null;
  const didChange = previous === null ? current !== '' : previous !== current;
  switch (operator) {
    case 'is':
      return current === expected;
    case 'is_not':
      return current !== expected;
    case 'less_than':
    case 'greater_than':
      return compareOrdered(field.order, current, expected, operator);
    case 'changed':
      return didChange;
    case 'not_changed':
      return !didChange;
    case 'value':
      return didChange && current === expected;
    case 'not_value':
      return !(didChange && current === expected);
    case 'value_previous':
      return didChange && previous === expected;
    case 'not_value_previous':
      return !(didChange && previous === expected);
    case 'present':
      return current !== '';
    case 'not_present':
      return current === '';
    default:
      return false;
  }
}

/** `current_tags` values are space-separated tag lists ([3P] OAS revision example: `fire_bulk_1`). */
function evaluateTags(operator: string, value: unknown, ticket: ZTicket): boolean {
  const wanted = (Array.isArray(value) ? value.map(asString) : asString(value).split(/\s+/)).filter((tag) => tag !== '');
  const hasAny = wanted.some((tag) => ticket.tags.includes(tag));
  return operator === 'includes' ? hasAny : !hasAny;
}

export function evaluateCondition(condition: TriggerCondition, transition: TicketTransition): boolean {
  const { field, operator, value } = condition;
  if (field === 'update_type') {
    const updateType = transition.kind === 'created' ? 'Create' : 'Change';
    return operator === 'is' ? asString(value) === updateType : asString(value) !== updateType;
  }
  if (field === 'current_tags') return evaluateTags(operator, value, transition.ticket);
  if (field === 'comment_is_public') {
    if (asString(value) === 'not_relevant') return true;
    const comment = transition.comment;
    if (!comment) return false;
    return comment.public === (asString(value) === 'true');
  }
  const valueField = VALUE_FIELDS[field];
  if (valueField) return evaluateValue(valueField, operator, asString(value), transition);
  const custom = customFieldReader(field);
  if (custom) return evaluateValue({ read: custom }, operator, asString(value), transition);
  return false;
}

export function conditionsMatch(conditions: { all: TriggerCondition[]; any: TriggerCondition[] }, transition: TicketTransition): boolean {
  return (
    conditions.all.every((condition) => evaluateCondition(condition, transition)) &&
    (conditions.any.length === 0 || conditions.any.some((condition) => evaluateCondition(condition, transition)))
  );
}

const VALUE_OPERATORS = ['is', 'is_not', ...CHANGE_OPERATORS];

/** The operators each supported field takes; used to refuse triggers the emulator could not run. */
export function allowedOperators(field: string): string[] | undefined {
  if (field === 'update_type') return ['is', 'is_not'];
  if (field === 'current_tags') return ['includes', 'not_includes'];
  if (field === 'comment_is_public') return ['is'];
  if (field === 'status' || field === 'priority') return [...VALUE_OPERATORS, 'less_than', 'greater_than'];
  if (VALUE_FIELDS[field]) return VALUE_OPERATORS;
  if (customFieldReader(field)) return [...VALUE_OPERATORS, 'present', 'not_present'];
  return undefined;
}

/** A validation message for a condition the emulator cannot evaluate, or null when it is fine. */
export function conditionProblem(condition: unknown): string | null {
  if (condition === null || typeof condition !== 'object') return 'Each condition must be an object with field, operator and value';
  const { field, operator } = condition as Record<string, unknown>;
  if (typeof field !== 'string' || typeof operator !== 'string') return 'Each condition needs a field and an operator';
  const operators = allowedOperators(field);
  if (!operators) return `Unsupported condition field: ${field}`;
  if (!operators.includes(operator)) return `Invalid operator ${operator} for condition field ${field}`;
  return null;
}
