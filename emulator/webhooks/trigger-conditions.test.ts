import { describe, expect, it } from 'vitest';
import type { ZTicket } from '../contract.ts';
import { conditionProblem, conditionsMatch, evaluateCondition, type TicketTransition } from './trigger-conditions.ts';
import { sampleTicket } from '../testing/webhook-test-fixtures.ts';

function update(previous: Partial<ZTicket>, current: Partial<ZTicket>): TicketTransition {
  return { kind: 'updated', previous: sampleTicket(previous), ticket: sampleTicket(current), comment: null };
}
const created: TicketTransition = { kind: 'created', previous: null, ticket: sampleTicket({ status: 'new' }), comment: null };
const check = (field: string, operator: string, value: unknown, transition: TicketTransition) => evaluateCondition({ field, operator, value }, transition);

describe('trigger conditions', () => {
  it('update_type is Create or Change', () => {
    expect(check('update_type', 'is', 'Create', created)).toBe(true);
    expect(check('update_type', 'is', 'Change', created)).toBe(false);
    expect(check('update_type', 'is', 'Change', update({}, {}))).toBe(true);
  });

  it('status: is, is_not, less_than, greater_than (new < open < pending < hold < solved < closed)', () => {
    const t = update({ status: 'open' }, { status: 'pending' });
    expect(check('status', 'is', 'pending', t)).toBe(true);
    expect(check('status', 'is_not', 'pending', t)).toBe(false);
    expect(check('status', 'less_than', 'solved', t)).toBe(true);
    expect(check('status', 'less_than', 'open', t)).toBe(false);
    expect(check('status', 'greater_than', 'open', t)).toBe(true);
  });

  it('status: changed, changed to (value), changed from (value_previous), not_changed and their negations', () => {
    const t = update({ status: 'open' }, { status: 'solved' });
    expect(check('status', 'changed', null, t)).toBe(true);
    expect(check('status', 'not_changed', null, t)).toBe(false);
    expect(check('status', 'value', 'solved', t)).toBe(true);
    expect(check('status', 'value', 'pending', t)).toBe(false);
    expect(check('status', 'value_previous', 'open', t)).toBe(true);
    expect(check('status', 'not_value', 'solved', t)).toBe(false);
    expect(check('status', 'not_value_previous', 'new', t)).toBe(true);
    const same = update({ status: 'open' }, { status: 'open' });
    expect(check('status', 'changed', null, same)).toBe(false);
    expect(check('status', 'not_changed', null, same)).toBe(true);
    expect(check('status', 'value', 'open', same)).toBe(false);
  });

  it('priority orders low < normal < high < urgent, and handles no priority', () => {
    const t = update({ priority: 'normal' }, { priority: 'urgent' });
    expect(check('priority', 'greater_than', 'high', t)).toBe(true);
    expect(check('priority', 'value', 'urgent', t)).toBe(true);
    const none = update({ priority: null }, { priority: null });
    expect(check('priority', 'is', '', none)).toBe(true);
    expect(check('priority', 'less_than', 'high', none)).toBe(false);
  });

  it('current_tags includes (any of) and not_includes (none of), space-separated', () => {
    const t = update({}, { tags: ['vip', 'printer'] });
    expect(check('current_tags', 'includes', 'vip', t)).toBe(true);
    expect(check('current_tags', 'includes', 'foo vip', t)).toBe(true);
    expect(check('current_tags', 'includes', 'foo bar', t)).toBe(false);
    expect(check('current_tags', 'not_includes', 'foo bar', t)).toBe(true);
    expect(check('current_tags', 'not_includes', 'printer', t)).toBe(false);
  });

  it('organization_id is / is_not / changed, "" meaning none', () => {
    const t = update({ organization_id: 300 }, { organization_id: null });
    expect(check('organization_id', 'is', '', t)).toBe(true);
    expect(check('organization_id', 'is_not', '300', t)).toBe(true);
    expect(check('organization_id', 'changed', null, t)).toBe(true);
    expect(check('organization_id', 'value_previous', 300, t)).toBe(true);
  });

  it('counts a set field as changed on creation', () => {
    expect(check('status', 'changed', null, created)).toBe(true);
    expect(check('status', 'value', 'new', created)).toBe(true);
    expect(check('status', 'value_previous', 'open', created)).toBe(false);
  });

  it('custom fields and comment_is_public', () => {
    const t: TicketTransition = { ...update({}, { custom_fields: [{ id: 9, value: 'gold' }] }), comment: { id: 1, ticket_id: 1, author_id: 1, body: 'x', public: false, created_at: '' } };
    expect(check('custom_fields_9', 'is', 'gold', t)).toBe(true);
    expect(check('custom_fields_9', 'present', null, t)).toBe(true);
    expect(check('comment_is_public', 'is', 'false', t)).toBe(true);
    expect(check('comment_is_public', 'is', 'true', t)).toBe(false);
  });

  it('needs every "all" condition and one "any" condition', () => {
    const t = update({ status: 'open' }, { status: 'solved', tags: ['vip'] });
    const all = [
      { field: 'update_type', operator: 'is', value: 'Change' },
      { field: 'status', operator: 'value', value: 'solved' },
    ];
    expect(conditionsMatch({ all, any: [] }, t)).toBe(true);
    expect(conditionsMatch({ all, any: [{ field: 'current_tags', operator: 'includes', value: 'gold' }] }, t)).toBe(false);
    expect(conditionsMatch({ all, any: [{ field: 'current_tags', operator: 'includes', value: 'gold' }, { field: 'current_tags', operator: 'includes', value: 'vip' }] }, t)).toBe(true);
  });

  it('reports conditions the emulator cannot evaluate', () => {
    expect(conditionProblem({ field: 'status', operator: 'is', value: 'open' })).toBeNull();
    expect(conditionProblem({ field: 'satisfaction_score', operator: 'is', value: 'good' })).toContain('Unsupported');
    expect(conditionProblem({ field: 'current_tags', operator: 'is', value: 'x' })).toContain('Invalid operator');
  });
});
