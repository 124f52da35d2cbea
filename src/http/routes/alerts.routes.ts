import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Deps } from '../../deps.ts';
import { acknowledgeAlert, getSubscriptions, listAlerts, resolveAlert, setSubscriptions, type Alert } from '../../modules/alerts/alerts.repo.ts';
import * as contract from '../../contracts/alerts.ts';
import { ALERT_TYPES } from '../../contracts/vocabulary.ts';
import { getAlertWebhook, setAlertWebhook } from '../../modules/alerts/alert-webhooks.ts';
import { selectAwareness, type AwarenessRow } from '../../modules/alerts/awareness.repo.ts';
import { openAcknowledgeToken } from '../../modules/alerts/acknowledge-link.ts';
import { findUserById } from '../../modules/users/users.repo.ts';
import { saveNegativeCsatMaxScore, saveSpikeRule, selectNegativeCsatMaxScore, selectSpikeRule } from '../../modules/alerts/alert-settings.repo.ts';
import { AppError } from '../../lib/errors.ts';

const DEFAULT_PAGE_SIZE = 50;

function awarenessFigures(row: AwarenessRow | undefined) {
  const alerts = row?.alerts ?? 0;
  const inTime = row?.acknowledged_in_time ?? 0;
  return { alerts, acknowledgedInTime: inTime, share: alerts > 0 ? inTime / alerts : null, medianMinutesToAcknowledge: row?.median_minutes ?? null, unacknowledged: row?.unacknowledged ?? 0 };
}

function viewAlert(alert: Alert): contract.Alert {
  return {
    ...alert,
    customerUrl: `/api/customers/${alert.customerId}`,
    occurredAt: alert.occurredAt.toISOString(),
    createdAt: alert.createdAt.toISOString(),
    acknowledgedAt: alert.acknowledgedAt?.toISOString() ?? null,
    resolvedAt: alert.resolvedAt?.toISOString() ?? null,
  };
}


export function alertsRoutes(deps: Deps): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/alerts',
      {
        // Any signed-in role: a CSM sees the alerts routed to them, leaders and admins all.
        config: {},
        schema: {
          querystring: contract.listAlerts.query,
          response: { 200: contract.listAlerts.response },
        },
      },
      async (request) => {
        const q = request.query;
        const page = await listAlerts(deps.db, request.user!, {
          filter: { types: q.type, statuses: q.status, customerId: q.customerId ?? null, mine: q.mine === 'true' },
          limit: q.limit ?? DEFAULT_PAGE_SIZE,
          cursor: q.cursor ?? null,
        });
        return { alerts: page.alerts.map(viewAlert), nextCursor: page.nextCursor, unread: page.unread };
      },
    );

    app.get(
      contract.getAlertAwareness.path,
      {
        // Any signed-in role: a CSM sees the team's figure and their own, leaders and admins everyone's.
        config: {},
        schema: { querystring: contract.getAlertAwareness.query, response: { 200: contract.getAlertAwareness.response } },
      },
      async (request) => {
        const user = request.user!;
        const now = new Date();
        const rows = await selectAwareness(deps.db, { days: request.query.days, now, targetMinutes: contract.AWARENESS_TARGET_MINUTES, userIds: user.role === 'csm' ? [user.id] : null });
        const team = rows.find((row) => row.user_id === null);
        return {
          days: request.query.days,
          asOf: now.toISOString(),
          targetMinutes: contract.AWARENESS_TARGET_MINUTES,
          team: awarenessFigures(team),
          users: rows
            .filter((row) => row.user_id !== null)
            .map((row) => ({ userId: row.user_id!, name: row.name ?? '', email: row.email ?? '', role: row.role ?? '', ...awarenessFigures(row) })),
        };
      },
    );

    app.post(
      contract.acknowledgeByLink.path,
      {
        // Public: the sealed token in the body is the credential (it names the alert and its recipient, and expires).
        config: { public: true },
        schema: { body: contract.acknowledgeByLink.body, response: { 200: contract.acknowledgeByLink.response } },
      },
      async (request) => {
        const { alertId, userId } = openAcknowledgeToken(deps, request.body.token);
        const user = await findUserById(deps.db, userId);
        if (!user) throw new AppError('forbidden', 'the person this link was sent to can no longer sign in to CSCX');
        const alert = await acknowledgeAlert(deps.db, user, alertId);
        return { alert: { id: alert.id, type: alert.type, customerName: alert.customerName, status: alert.status, acknowledgedAt: alert.acknowledgedAt?.toISOString() ?? null } };
      },
    );

    app.post(
      '/api/alerts/:id/acknowledge',
      { config: {}, schema: { params: contract.acknowledgeAlert.params, response: { 200: contract.acknowledgeAlert.response } } },
      async (request) => ({ alert: viewAlert(await acknowledgeAlert(deps.db, request.user!, request.params.id)) }),
    );

    app.post(
      '/api/alerts/:id/resolve',
      { config: {}, schema: { params: contract.resolveAlert.params, response: { 200: contract.resolveAlert.response } } },
      async (request) => ({ alert: viewAlert(await resolveAlert(deps.db, request.user!, request.params.id)) }),
    );

    app.get(
      '/api/alerts/subscriptions',
      { config: {}, schema: { response: { 200: contract.getAlertSubscriptions.response } } },
      async (request) => ({ subscriptions: await getSubscriptions(deps.db, request.user!.id) }),
    );

    app.put(
      '/api/alerts/subscriptions',
      {
        config: {},
        schema: {
          body: contract.setAlertSubscriptions.body,
          response: { 200: contract.setAlertSubscriptions.response },
        },
      },
      async (request) => ({ subscriptions: await setSubscriptions(deps.db, request.user!.id, request.body.subscriptions) }),
    );

    // What raises an alert: the ticket-spike rule (admins change it; the server's configuration is
    // the default) and the negative-CSAT threshold of updated-CSAT responses (default 2 of 5). The escalation rule is per connection: /api/integrations/zendesk/connections/:id/escalation-rule.
    const spikeDefaults = { threshold: deps.config.ALERT_SPIKE_THRESHOLD, windowHours: deps.config.ALERT_SPIKE_WINDOW_HOURS };
    const rules = async () => ({
      ticketSpike: await selectSpikeRule(deps.db, spikeDefaults),
      negativeCsat: { maxScore: await selectNegativeCsatMaxScore(deps.db) },
      types: [...ALERT_TYPES],
    });
    app.get('/api/alerts/rules', { config: {}, schema: { response: { 200: contract.getAlertRules.response } } }, rules);
    app.put(
      contract.setAlertRules.path,
      { config: { roles: ['admin'] }, schema: { body: contract.setAlertRules.body, response: { 200: contract.setAlertRules.response } } },
      async (request) => {
        const { ticketSpike, negativeCsat } = request.body;
        await deps.db.transaction(async (tx) => {
          await saveSpikeRule(tx, ticketSpike, request.user!.id);
          if (negativeCsat) await saveNegativeCsatMaxScore(tx, negativeCsat.maxScore, request.user!.id);
        });
        return rules();
      },
    );

    app.get(
      '/api/alerts/webhook',
      { config: {}, schema: { response: { 200: contract.getAlertWebhook.response } } },
      async (request) => ({ webhook: await getAlertWebhook(deps, request.user!.id) }),
    );

    app.put(
      '/api/alerts/webhook',
      {
        config: {},
        schema: {
          body: contract.setAlertWebhook.body,
          response: { 200: contract.setAlertWebhook.response },
        },
      },
      async (request) => ({ webhook: await setAlertWebhook(deps, request.user!.id, request.body) }),
    );
  };
}
