/**
 * Fallback SLA targets: tickets without a Zendesk SLA policy are measured against the configured
 * first-reply and resolution targets of their priority (met, late, missing, in progress, solved
 * without a reply), tickets with a policy keep Zendesk's metrics, and the API validates, saves and
 * marks every customer for a recompute.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Deps } from '../../deps.ts';
import { buildApp } from '../../http/app.ts';
import { createTestDeps } from '../../test-deps.ts';
import { pendingCustomerRefreshes } from '../aggregates/customer-refresh.ts';
import { createApiKey, createUser } from '../users/auth.service.ts';
import type { Role } from '../users/users.repo.ts';
import { HOUR, insertConnection, insertCustomer, insertTicket } from './metrics-test-data.ts';
import { computeCustomerMetrics } from './metrics.service.ts';
import { setSlaTargets, type SlaTargets } from './sla-targets.ts';

const AS_OF = new Date('2026-03-15T12:00:00Z');
const ago = (hours: number) => new Date(AS_OF.getTime() - hours * HOUR);
const none = { firstReplyMinutes: null, resolutionMinutes: null };
const TARGETS: SlaTargets = { urgent: { firstReplyMinutes: 60, resolutionMinutes: 240 }, high: { firstReplyMinutes: 120, resolutionMinutes: null }, normal: none, low: none };

describe('fallback SLA targets', () => {
  let deps: Deps;
  let destroy: () => Promise<void>;
  let app: FastifyInstance;
  let conn: string;
  let acme: string;
  const keys = {} as Record<Role, string>;

  const ticket = async (id: number, spec: { status: string; priority: string | null; created: Date; resolvedAt?: Date; firstReply?: number | null; sla?: unknown[] }) => {
    await insertTicket(deps.db, { connectionId: conn, zendeskTicketId: id, customerId: acme, ...spec });
    await deps.db.query('UPDATE zendesk_tickets SET first_reply_minutes = $3 WHERE connection_id = $1 AND zendesk_ticket_id = $2', [conn, id, spec.firstReply ?? null]);
  };

  beforeAll(async () => {
    ({ deps, destroy } = await createTestDeps());
    app = await buildApp(deps);
    for (const role of ['admin', 'leader', 'csm'] as const) {
      const user = await createUser(deps.db, { email: `${role}@cscx.test`, name: role, role, password: null });
      keys[role] = (await createApiKey(deps.db, user.id, 't')).key;
    }
    conn = await insertConnection(deps.db, 'acme');
    acme = await insertCustomer(deps.db, 'Acme');
    // Urgent (60 min first reply, 240 min resolution):
    await ticket(1, { status: 'solved', priority: 'urgent', created: ago(10), resolvedAt: ago(10 - 100 / 60), firstReply: 30 }); // both met
    await ticket(2, { status: 'open', priority: 'urgent', created: ago(10), firstReply: 90 }); // reply late; unresolved past 4 h: both breached
    await ticket(3, { status: 'new', priority: 'urgent', created: ago(0.25) }); // no reply yet, not due: in progress
    await ticket(4, { status: 'solved', priority: 'urgent', created: ago(20), resolvedAt: ago(19) }); // solved without reply: resolution met only
    // High (120 min first reply, no resolution target): no reply after 3 h: breached.
    await ticket(5, { status: 'pending', priority: 'high', created: ago(3) });
    // Zendesk's own policy wins over the fallback: one achieved metric.
    await ticket(6, { status: 'open', priority: 'urgent', created: ago(10), firstReply: 500, sla: [{ metric: 'first_reply_time', stage: 'achieved', breach_at: null }] });
    // No target for normal: not measured.
    await ticket(7, { status: 'open', priority: 'normal', created: ago(50) });
  });
  afterAll(async () => {
    await app?.close();
    await destroy?.();
  });

  it('measures only Zendesk’s policies while no target is set', async () => {
    const m = await computeCustomerMetrics(deps.db, acme, AS_OF);
    expect({ compliance: m.slaCompliance, measured: m.slaMeasured }).toEqual({ compliance: 1, measured: 1 });
  });

  it('measures tickets without a policy against the targets of their priority', async () => {
    await setSlaTargets(deps.db, TARGETS);
    const m = await computeCustomerMetrics(deps.db, acme, AS_OF);
    // Achieved: t1 reply, t1 resolution, t4 resolution, t6 (policy) = 4. Breached: t2 reply, t2 resolution, t5 reply = 3.
    expect(m.slaMeasured).toBe(7);
    expect(m.slaCompliance).toBeCloseTo(4 / 7, 9);
  });

  describe('API', () => {
    const call = (method: 'GET' | 'PUT', role: Role, payload?: unknown) =>
      app.inject({ method, url: '/api/integrations/zendesk/sla-targets', payload: payload as object, headers: { authorization: `Bearer ${keys[role]}` } });

    it('answers the targets to leaders and admins, not to CSMs', async () => {
      const response = await call('GET', 'leader');
      expect(response.statusCode, response.body).toBe(200);
      expect(response.json()).toEqual({ targets: TARGETS });
      expect((await call('GET', 'csm')).statusCode).toBe(403);
    });

    it('refuses bad targets with the field named, changing nothing', async () => {
      for (const bad of [
        { targets: { ...TARGETS, urgent: { firstReplyMinutes: -5, resolutionMinutes: null } } },
        { targets: { ...TARGETS, urgent: { firstReplyMinutes: 1.5, resolutionMinutes: null } } },
        { targets: { ...TARGETS, critical: none } },
        { targets: { urgent: none } },
      ]) {
        const response = await call('PUT', 'admin', bad);
        expect(response.statusCode, JSON.stringify(bad)).toBe(400);
        expect(response.json().error.message).toMatch(/targets/);
      }
      expect((await call('GET', 'admin')).json()).toEqual({ targets: TARGETS });
      expect((await call('PUT', 'leader', { targets: TARGETS })).statusCode).toBe(403);
    });

    it('saves targets and marks every customer for a recompute', async () => {
      await deps.db.query('DELETE FROM customer_refresh_requests');
      const next = { ...TARGETS, normal: { firstReplyMinutes: 480, resolutionMinutes: 2880 } };
      const response = await call('PUT', 'admin', { targets: next });
      expect(response.statusCode, response.body).toBe(200);
      expect(response.json()).toEqual({ targets: next, customersToRecompute: 1 });
      expect(await pendingCustomerRefreshes(deps.db)).toBe(1);
    });
  });
});
