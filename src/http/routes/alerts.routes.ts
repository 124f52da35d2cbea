import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Deps } from '../../deps.ts';
import {
  acknowledgeAlert,
  alertHistory,
  assignAlert,
  getSubscriptions,
  listAlerts,
  listAssignees,
  resolveAlert,
  setSubscriptions,
  snoozeAlert,
  unsnoozeAlert,
  type Alert,
} from '../../modules/alerts/alerts.repo.ts';
import * as contract from '../../contracts/alerts.ts';
import { ALERT_TYPES } from '../../contracts/vocabulary.ts';
import { getAlertWebhook, setAlertWebhook } from '../../modules/alerts/alert-webhooks.ts';
import { selectAwareness, type AwarenessRow } from '../../modules/alerts/awareness.repo.ts';
import { openAcknowledgeToken } from '../../modules/alerts/acknowledge-link.ts';
import { findUserById } from '../../modules/users/users.repo.ts';
import { saveNegativeCsatMaxScore, saveSpikeRule, selectNegativeCsatMaxScore, selectSpikeRule } from '../../modules/alerts/alert-settings.repo.ts';
import { AppError } from '../../lib/errors.ts';
import { ticketUrl } from '../../modules/tickets/tickets.service.ts';

const DEFAULT_PAGE_SIZE = 50;

function awarenessFigures(row: AwarenessRow | undefined) {
  const alerts = row?.alerts ?? 0;
  const inTime = row?.acknowledged_in_time ?? 0;
  return { alerts, acknowledgedInTime: inTime, share: alerts > 0 ? inTime / alerts : null, medianMinutesToAcknowledge: row?.median_minutes ?? null, unacknowledged: row?.unacknowledged ?? 0 };
}

function viewAlert(alert: Alert, urlTemplate: string): contract.Alert {
  return {
    ...alert,
    customerUrl: `/api/customers/${alert.customerId}`,
    ticketUrl: alert.subdomain && alert.zendeskTicketId !== null ? ticketUrl(urlTemplate, alert.subdomain, alert.zendeskTicketId) : null,
    occurredAt: alert.occurredAt.toISOString(),
    createdAt: alert.createdAt.toISOString(),
    acknowledgedAt: alert.acknowledgedAt?.toISOString() ?? null,
    resolvedAt: alert.resolvedAt?.toISOString() ?? null,
    snoozedUntil: alert.snoozedUntil?.toISOString() ?? null,
    assignedAt: alert.assignedAt?.toISOString() ?? null,
  };
}

/** A snooze ends in the future, at most MAX_SNOOZE_DAYS ahead. */
function snoozeEnd(until: string | null, now: Date): Date | null {
  if (until === null) return null;
  const at = new Date(until);
  const refuse = (message: string) => new AppError('validation_failed', `until: ${message}`, [{ field: 'until', message }]);
  if (at.getTime() <= now.getTime()) throw refuse('is not in the future; snooze until a time to come, or send null to unsnooze');
  if (at.getTime() > now.getTime() + contract.MAX_SNOOZE_DAYS * 86_400_000) throw refuse(`is more than ${contract.MAX_SNOOZE_DAYS} days ahead`);
  return at;
}


export function alertsRoutes(deps: Deps): FastifyPluginAsyncZod {
  const view = (alert: Alert) => viewAlert(alert, deps.config.ZENDESK_URL_TEMPLATE);
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
          filter: { types: q.type, statuses: q.status, customerId: q.customerId ?? null, mine: q.mine === 'true', snoozed: q.snoozed ?? 'exclude' },
          limit: q.limit ?? DEFAULT_PAGE_SIZE,
          cursor: q.cursor ?? null,
        });
        return { alerts: page.alerts.map(view), nextCursor: page.nextCursor, unread: page.unread };
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
        const alert = await acknowledgeAlert(deps.db, user, alertId, 'link');
        return { alert: { id: alert.id, type: alert.type, customerName: alert.customerName, status: alert.status, acknowledgedAt: alert.acknowledgedAt?.toISOString() ?? null } };
      },
    );

    app.post(
      '/api/alerts/:id/acknowledge',
      { config: {}, schema: { params: contract.acknowledgeAlert.params, response: { 200: contract.acknowledgeAlert.response } } },
      async (request) => ({ alert: view(await acknowledgeAlert(deps.db, request.user!, request.params.id)) }),
    );

    app.post(
      contract.resolveAlert.path,
      { config: {}, schema: { params: contract.resolveAlert.params, body: contract.resolveAlert.body, response: { 200: contract.resolveAlert.response } } },
      async (request) => ({ alert: view(await resolveAlert(deps.db, request.user!, request.params.id, request.body?.note || null)) }),
    );

    // The lifecycle: snooze, assign, history. Like acknowledge and resolve: a CSM acts on the alerts
    // routed to them (another alert answers 404), leaders and admins on any.
    app.post(
      contract.snoozeAlert.path,
      { config: {}, schema: { params: contract.snoozeAlert.params, body: contract.snoozeAlert.body, response: { 200: contract.snoozeAlert.response } } },
      async (request) => ({ alert: view(await snoozeAlert(deps.db, request.user!, request.params.id, snoozeEnd(request.body.until, new Date()))) }),
    );
    app.post(
      contract.unsnoozeAlert.path,
      { config: {}, schema: { params: contract.unsnoozeAlert.params, response: { 200: contract.unsnoozeAlert.response } } },
      async (request) => ({ alert: view(await unsnoozeAlert(deps.db, request.user!, request.params.id)) }),
    );
    app.post(
      contract.assignAlert.path,
      { config: {}, schema: { params: contract.assignAlert.params, body: contract.assignAlert.body, response: { 200: contract.assignAlert.response } } },
      async (request) => ({
        alert: view(await assignAlert(deps.db, request.user!, request.params.id, request.body.userId, deps.config.SMTP_URL !== undefined)),
      }),
    );
    app.get(
      contract.alertHistory.path,
      { config: {}, schema: { params: contract.alertHistory.params, response: { 200: contract.alertHistory.response } } },
      async (request) => ({
        events: (await alertHistory(deps.db, request.user!, request.params.id)).map((event) => ({
          ...event,
          at: event.at.toISOString(),
          until: event.until?.toISOString() ?? null,
        })),
      }),
    );
    app.get(
      contract.listAlertAssignees.path,
      // Any signed-in role: whoever acts on an alert may hand it to any active user.
      { config: {}, schema: { response: { 200: contract.listAlertAssignees.response } } },
      async () => ({ users: await listAssignees(deps.db) }),
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
