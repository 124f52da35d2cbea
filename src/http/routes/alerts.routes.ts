import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Deps } from '../../deps.ts';
import {
  acknowledgeAlert,
  ALERT_STATUSES,
  getSubscriptions,
  listAlerts,
  resolveAlert,
  setSubscriptions,
  type Alert,
  type AlertStatus,
} from '../../modules/alerts/alerts.repo.ts';
import { ALERT_TYPES, type AlertType } from '../../contracts/vocabulary.ts';
import { getAlertWebhook, setAlertWebhook } from '../../modules/alerts/alert-webhooks.ts';

const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 200;

/** A comma-separated list of known values, e.g. `type=escalation,sla_breach`. */
function listParam<T extends string>(name: string, known: readonly T[]) {
  return z
    .string({ error: 'must be given once, as text' })
    .optional()
    .transform((text, ctx): T[] | null => {
      if (text === undefined || text === '') return null;
      const values = text.split(',').map((v) => v.trim());
      const unknown = values.filter((v) => !(known as readonly string[]).includes(v));
      if (unknown.length > 0) {
        ctx.addIssue({ code: 'custom', message: `"${unknown.join(',')}" is not a ${name}; use ${known.join(', ')}` });
        return z.NEVER;
      }
      return values as T[];
    });
}

const listQuery = z.object({
  type: listParam<AlertType>('type', ALERT_TYPES),
  status: listParam<AlertStatus>('status', ALERT_STATUSES),
  customerId: z.uuid('is not a customer id').optional(),
  mine: z.enum(['true', 'false'], { error: 'use true or false' }).optional(),
  limit: z
    .string()
    .regex(/^\d{1,4}$/, `is not a page size; use a whole number from 1 to ${MAX_PAGE_SIZE}`)
    .transform(Number)
    .refine((n) => n >= 1 && n <= MAX_PAGE_SIZE, `is not a page size; use a whole number from 1 to ${MAX_PAGE_SIZE}`)
    .optional(),
  cursor: z.string().regex(/^\d{1,18}$/, 'is not a cursor from this list').optional(),
});

const alertView = z.object({
  id: z.string(),
  type: z.enum(ALERT_TYPES),
  customerId: z.string(),
  customerName: z.string(),
  customerUrl: z.string(),
  connectionId: z.string().nullable(),
  zendeskTicketId: z.number().nullable(),
  subdomain: z.string().nullable(),
  ticketUrl: z.string().nullable(),
  status: z.enum(ALERT_STATUSES),
  details: z.record(z.string(), z.unknown()),
  occurredAt: z.string(),
  createdAt: z.string(),
  acknowledgedAt: z.string().nullable(),
  acknowledgedBy: z.string().nullable(),
  resolvedAt: z.string().nullable(),
  resolvedBy: z.string().nullable(),
  recipientIds: z.array(z.string()),
});

function viewAlert(alert: Alert): z.infer<typeof alertView> {
  return {
    ...alert,
    customerUrl: `/api/customers/${alert.customerId}`,
    occurredAt: alert.occurredAt.toISOString(),
    createdAt: alert.createdAt.toISOString(),
    acknowledgedAt: alert.acknowledgedAt?.toISOString() ?? null,
    resolvedAt: alert.resolvedAt?.toISOString() ?? null,
  };
}

const subscriptionView = z.object({ type: z.enum(ALERT_TYPES), enabled: z.boolean() });
const idParams = z.object({ id: z.uuid('is not an alert id') });

export function alertsRoutes(deps: Deps): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/alerts',
      {
        // Any signed-in role: a CSM sees the alerts routed to them, leaders and admins all.
        config: {},
        schema: {
          querystring: listQuery,
          response: { 200: z.object({ alerts: z.array(alertView), nextCursor: z.string().nullable(), unread: z.number() }) },
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

    app.post(
      '/api/alerts/:id/acknowledge',
      { config: {}, schema: { params: idParams, response: { 200: z.object({ alert: alertView }) } } },
      async (request) => ({ alert: viewAlert(await acknowledgeAlert(deps.db, request.user!, request.params.id)) }),
    );

    app.post(
      '/api/alerts/:id/resolve',
      { config: {}, schema: { params: idParams, response: { 200: z.object({ alert: alertView }) } } },
      async (request) => ({ alert: viewAlert(await resolveAlert(deps.db, request.user!, request.params.id)) }),
    );

    app.get(
      '/api/alerts/subscriptions',
      { config: {}, schema: { response: { 200: z.object({ subscriptions: z.array(subscriptionView) }) } } },
      async (request) => ({ subscriptions: await getSubscriptions(deps.db, request.user!.id) }),
    );

    app.put(
      '/api/alerts/subscriptions',
      {
        config: {},
        schema: {
          body: z.object({ subscriptions: z.array(subscriptionView).max(ALERT_TYPES.length * 4) }),
          response: { 200: z.object({ subscriptions: z.array(subscriptionView) }) },
        },
      },
      async (request) => ({ subscriptions: await setSubscriptions(deps.db, request.user!.id, request.body.subscriptions) }),
    );

    // The alert settings that live in the server's configuration, for the settings page (the
    // escalation rule is per connection: /api/integrations/zendesk/connections/:id/escalation-rule).
    app.get(
      '/api/alerts/rules',
      {
        config: {},
        schema: {
          response: {
            200: z.object({ ticketSpike: z.object({ threshold: z.number(), windowHours: z.number() }), types: z.array(z.enum(ALERT_TYPES)) }),
          },
        },
      },
      async () => ({
        ticketSpike: { threshold: deps.config.ALERT_SPIKE_THRESHOLD, windowHours: deps.config.ALERT_SPIKE_WINDOW_HOURS },
        types: [...ALERT_TYPES],
      }),
    );

    const webhookView = z.object({ configured: z.boolean(), enabled: z.boolean(), host: z.string().nullable() });

    app.get(
      '/api/alerts/webhook',
      { config: {}, schema: { response: { 200: z.object({ webhook: webhookView }) } } },
      async (request) => ({ webhook: await getAlertWebhook(deps, request.user!.id) }),
    );

    app.put(
      '/api/alerts/webhook',
      {
        config: {},
        schema: {
          body: z.object({
            // null removes it; a Slack incoming webhook URL, or any HTTPS endpoint that takes JSON.
            url: z.url({ protocol: /^https?$/, error: 'is not an http(s) URL' }).max(2000).nullable(),
            enabled: z.boolean().default(true),
          }),
          response: { 200: z.object({ webhook: webhookView }) },
        },
      },
      async (request) => ({ webhook: await setAlertWebhook(deps, request.user!.id, request.body) }),
    );
  };
}
