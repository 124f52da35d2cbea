/**
 * The per-connection escalation rule: its TypeScript and SQL forms agree on random tickets and
 * rules; the writer applies the connection's rule (and records the escalation); the API reads,
 * validates and saves it, recomputing the stored flags, with roles and clear errors.
 */
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Deps } from '../../deps.ts';
import { buildApp } from '../../http/app.ts';
import { createTestDeps } from '../../test-deps.ts';
import { insertConnection } from '../metrics/metrics-test-data.ts';
import { createApiKey, createUser } from '../users/auth.service.ts';
import type { Role } from '../users/users.repo.ts';
import { DEFAULT_ESCALATION_RULE, isEscalatedBy, recomputeEscalatedFlags, type EscalationRule } from './escalation-rule.ts';
import { pageRows } from './ticket-rows.ts';
import { prepareTicketBatch, writeTicketBatch } from './ticket-writer.ts';

const PRIORITIES = ['urgent', 'high', 'normal', 'low'] as const;
const TAGS = ['escalated', 'Escalation', 'vip', 'tier2', 'billing'];
const FIELD_VALUES: unknown[] = ['yes', 'no', 'tier_2', true, false, 7, null, ['tier_2', 'other'], { nested: 'yes' }];

const ticketArb = fc.record({
  priority: fc.constantFrom(null, ...PRIORITIES),
  tags: fc.subarray(TAGS),
  group_zendesk_id: fc.constantFrom(null, 11, 12, 13),
  custom_fields: fc.array(fc.record({ id: fc.constantFrom(100, 200), value: fc.constantFrom(...FIELD_VALUES) }), { maxLength: 3 }),
});
const ruleArb: fc.Arbitrary<EscalationRule> = fc.record({
  priorities: fc.subarray([...PRIORITIES]),
  tags: fc.subarray(['escalated', 'escalation', 'tier2']),
  groupIds: fc.subarray([11, 13]),
  customField: fc.option(fc.record({ id: fc.constantFrom(100, 200), values: fc.subarray(['yes', 'tier_2', 'true', '7'], { minLength: 1 }) }), { nil: null }),
});

describe('escalation rule', () => {
  let deps: Deps;
  let destroy: () => Promise<void>;
  let app: FastifyInstance;
  let conn: string;
  const keys = {} as Record<Role, string>;

  beforeAll(async () => {
    ({ deps, destroy } = await createTestDeps());
    app = await buildApp(deps);
    for (const role of ['admin', 'leader', 'csm'] as const) {
      const user = await createUser(deps.db, { email: `${role}@cscx.test`, name: role, role, password: null });
      keys[role] = (await createApiKey(deps.db, user.id, 't')).key;
    }
    conn = await insertConnection(deps.db, 'acme');
  });
  afterAll(async () => {
    await app?.close();
    await destroy?.();
  });

  const insertTickets = async (connectionId: string, tickets: Array<ReturnType<typeof ticketArb.generate>["value"]>) => {
    await deps.db.query(`DELETE FROM zendesk_tickets WHERE connection_id = $1`, [connectionId]);
    await deps.db.query(
      `INSERT INTO zendesk_tickets (connection_id, zendesk_ticket_id, status, priority, tags, group_zendesk_id, custom_fields, zendesk_created_at, zendesk_updated_at, escalated)
       SELECT $1, r.n, 'open', r.priority, r.tags, r.group_zendesk_id, r.custom_fields, now(), now(), false
         FROM jsonb_to_recordset($2::jsonb) AS r(n bigint, priority text, tags text[], group_zendesk_id bigint, custom_fields jsonb)`,
      [connectionId, JSON.stringify(tickets.map((t, i) => ({ n: i + 1, ...t })))],
    );
  };

  it('gives the same answer in TypeScript and in SQL', async () => {
    await fc.assert(
      fc.asyncProperty(ruleArb, fc.array(ticketArb, { minLength: 1, maxLength: 12 }), async (rule, tickets) => {
        await insertTickets(conn, tickets);
        await recomputeEscalatedFlags(deps.db, conn, rule);
        const { rows } = await deps.db.query<{ n: number; escalated: boolean }>(
          `SELECT zendesk_ticket_id AS n, escalated FROM zendesk_tickets WHERE connection_id = $1 ORDER BY 1`,
          [conn],
        );
        expect(rows.map((row) => row.escalated)).toEqual(tickets.map((t) => isEscalatedBy(rule, t)));
      }),
      { numRuns: 40 },
    );
  });

  it('is applied by the writer to every written ticket, with its escalation recorded, even to a batch prepared under another rule', async () => {
    const other = await insertConnection(deps.db, 'writer');
    await deps.db.query(`UPDATE zendesk_connections SET escalation_rule = $2 WHERE id = $1`, [
      other,
      JSON.stringify({ priorities: [], tags: [], groupIds: [77], customField: null }),
    ]);
    const ticket = (id: number, priority: string, group: number | null) => ({
      id, status: 'open', priority, type: null, tags: ['escalated'], custom_fields: [], requester_id: null, assignee_id: null,
      organization_id: null, group_id: group, created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-02T00:00:00Z', generated_timestamp: 1,
    });
    const rows = pageRows({ tickets: [ticket(1, 'urgent', null), ticket(2, 'low', 77)], users: [], organizations: [], metric_sets: [] });
    // Prepared under the default rule (as if this connection's rule changed after the page was prepared).
    const written = await deps.db.transaction((tx) => writeTicketBatch(tx, other, prepareTicketBatch(rows, DEFAULT_ESCALATION_RULE), 'import', []));
    // Urgent and tagged, but this connection counts only group 77 as an escalation.
    expect(written.map((w) => [w.zendeskTicketId, w.now.escalated])).toEqual([[1, false], [2, true]]);
    const events = await deps.db.query<{ n: number }>(`SELECT zendesk_ticket_id AS n FROM zendesk_ticket_events WHERE connection_id = $1 AND kind = 'escalated'`, [other]);
    expect(events.rows.map((row) => row.n)).toEqual([2]);
  });

  describe('API', () => {
    const url = () => `/api/integrations/zendesk/connections/${conn}/escalation-rule`;
    const call = (method: 'GET' | 'PUT', role: Role, payload?: unknown, path = url()) =>
      app.inject({ method, url: path, payload: payload as object, headers: { authorization: `Bearer ${keys[role]}` } });
    const flags = async () =>
      (await deps.db.query<{ escalated: boolean }>(`SELECT escalated FROM zendesk_tickets WHERE connection_id = $1 ORDER BY zendesk_ticket_id`, [conn])).rows.map(
        (row) => row.escalated,
      );

    beforeAll(async () => {
      await deps.db.query(`UPDATE zendesk_connections SET escalation_rule = NULL WHERE id = $1`, [conn]);
      await insertTickets(conn, [
        { priority: 'urgent', tags: [], group_zendesk_id: null, custom_fields: [] },
        { priority: 'low', tags: ['tier2'], group_zendesk_id: 12, custom_fields: [{ id: 100, value: 'yes' }] },
      ]);
      await recomputeEscalatedFlags(deps.db, conn, DEFAULT_ESCALATION_RULE);
    });

    it('answers the rule (the default until one is saved) to admins and leaders, not to CSMs', async () => {
      const response = await call('GET', 'leader');
      expect(response.statusCode, response.body).toBe(200);
      expect(response.json()).toEqual({ rule: DEFAULT_ESCALATION_RULE, default: DEFAULT_ESCALATION_RULE });
      expect((await call('GET', 'csm')).statusCode).toBe(403);
      expect((await call('GET', 'admin', undefined, `/api/integrations/zendesk/connections/00000000-0000-4000-8000-000000000000/escalation-rule`)).statusCode).toBe(404);
    });

    it('refuses a bad rule with the field named, and changes nothing', async () => {
      for (const bad of [
        { priorities: ['critical'], tags: [], groupIds: [], customField: null },
        { priorities: [], tags: ['two words'], groupIds: [], customField: null },
        { priorities: [], tags: [], groupIds: [-1], customField: null },
        { priorities: [], tags: [], groupIds: [], customField: { id: 100, values: [] } },
        { priorities: [], tags: [], groupIds: [] },
        { priorities: [], tags: [], groupIds: [], customField: null, extra: true },
      ]) {
        const response = await call('PUT', 'admin', bad);
        expect(response.statusCode, JSON.stringify(bad)).toBe(400);
        expect(response.json().error.message).toMatch(/priorities|tags|groupIds|customField|extra|Unrecognized/i);
      }
      expect(await flags()).toEqual([true, false]);
      expect((await call('GET', 'admin')).json().rule).toEqual(DEFAULT_ESCALATION_RULE);
      expect((await call('PUT', 'leader', DEFAULT_ESCALATION_RULE)).statusCode).toBe(403);
    });

    it('saves a rule and recomputes the flags of the connection’s tickets', async () => {
      const rule = { priorities: [], tags: ['TIER2'], groupIds: [], customField: { id: 100, values: ['yes'] } };
      const response = await call('PUT', 'admin', rule);
      expect(response.statusCode, response.body).toBe(200);
      expect(response.json()).toEqual({ rule: { ...rule, tags: ['tier2'] }, ticketsChanged: 2 });
      expect(await flags()).toEqual([false, true]);
      expect((await call('GET', 'leader')).json().rule).toEqual({ ...rule, tags: ['tier2'] });
    });
  });
});
