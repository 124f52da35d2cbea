/** The alerts API: the list, acknowledging and resolving, each user's subscriptions and webhook. */
import { z } from 'zod';
import { endpoint } from './endpoint.ts';
import { listParam, rangeParam, trueOrFalse } from './params.ts';
import { ALERT_TYPES } from './vocabulary.ts';

export const ALERT_STATUSES = ['open', 'acknowledged', 'resolved'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

const MAX_PAGE_SIZE = 200;

export const listAlertsQuery = z.object({
  type: listParam('type', ALERT_TYPES),
  status: listParam('status', ALERT_STATUSES),
  customerId: z.uuid('is not a customer id').optional(),
  mine: trueOrFalse('use true or false').optional(),
  limit: z
    .string()
    .regex(/^\d{1,4}$/, `is not a page size; use a whole number from 1 to ${MAX_PAGE_SIZE}`)
    .transform(Number)
    .refine((n) => n >= 1 && n <= MAX_PAGE_SIZE, `is not a page size; use a whole number from 1 to ${MAX_PAGE_SIZE}`)
    .optional(),
  cursor: z.string().regex(/^\d{1,18}$/, 'is not a cursor from this list').optional(),
  // Snoozed alerts (until their time passes): left out by default, like the unread count.
  snoozed: z.enum(['exclude', 'include', 'only'], 'use exclude, include or only').optional(),
});

export const alert = z.object({
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
  // The lifecycle (see the end of this file): snoozed until (null unless in the future), assignee, resolution note.
  snoozedUntil: z.string().nullable(),
  assignedTo: z.string().nullable(),
  assignedAt: z.string().nullable(),
  resolutionNote: z.string().nullable(),
});
export type Alert = z.output<typeof alert>;

export const alertPage = z.object({ alerts: z.array(alert), nextCursor: z.string().nullable(), unread: z.number() });
export const alertAnswer = z.object({ alert });
const alertParams = z.object({ id: z.uuid('is not an alert id') });

export const subscription = z.object({ type: z.enum(ALERT_TYPES), enabled: z.boolean() });
export const subscriptionList = z.object({ subscriptions: z.array(subscription) });
export const setSubscriptionsBody = z.object({ subscriptions: z.array(subscription).max(ALERT_TYPES.length * 4) });

const spikeRule = z.object({
  threshold: z.number().int('is not a whole number').min(2, 'is below 2').max(1000, 'is above 1000').describe('Tickets from one customer within the window that raise a spike'),
  windowHours: z.number().min(1, 'is below 1 hour').max(720, 'is above 720 hours (30 days)'),
});
/** Updated CSAT (docs/metrics.md, CSAT): a survey response scoring at most maxScore on a 5-point scale is negative. */
const negativeCsatRule = z.strictObject({
  maxScore: z.number().int('is not a whole number').min(1, 'is below 1').max(4, 'is above 4 (5 is the top of the scale)').describe('Highest score on a 5-point scale that counts as negative'),
});
export const alertRules = z.object({ ticketSpike: spikeRule, negativeCsat: negativeCsatRule, types: z.array(z.enum(ALERT_TYPES)) });
/** negativeCsat left out: unchanged. */
export const setAlertRulesBody = z.strictObject({ ticketSpike: spikeRule, negativeCsat: negativeCsatRule.optional() });

export const alertWebhook = z.object({ webhook: z.object({ configured: z.boolean(), enabled: z.boolean(), host: z.string().nullable() }) });
export const setAlertWebhookBody = z.object({
  // null removes it; a Slack incoming webhook URL, or any HTTPS endpoint that takes JSON.
  url: z.url({ protocol: /^https?$/, error: 'is not an http(s) URL' }).max(2000).nullable(),
  enabled: z.boolean().default(true),
});

export const listAlerts = endpoint({ method: 'GET', path: '/api/alerts', query: listAlertsQuery, response: alertPage });
export const acknowledgeAlert = endpoint({ method: 'POST', path: '/api/alerts/:id/acknowledge', params: alertParams, response: alertAnswer });
export const getAlertSubscriptions = endpoint({ method: 'GET', path: '/api/alerts/subscriptions', response: subscriptionList });
export const setAlertSubscriptions = endpoint({ method: 'PUT', path: '/api/alerts/subscriptions', body: setSubscriptionsBody, response: subscriptionList });
export const getAlertRules = endpoint({ method: 'GET', path: '/api/alerts/rules', response: alertRules });
export const setAlertRules = endpoint({ method: 'PUT', path: '/api/alerts/rules', body: setAlertRulesBody, response: alertRules });
export const getAlertWebhook = endpoint({ method: 'GET', path: '/api/alerts/webhook', response: alertWebhook });
export const setAlertWebhook = endpoint({ method: 'PUT', path: '/api/alerts/webhook', body: setAlertWebhookBody, response: alertWebhook });

/** The PRD's awareness metric: how many alerts were acknowledged within an hour of being raised. */
export const AWARENESS_RANGES = [7, 30] as const;
/** "Seen in time": acknowledged (in the app, or by the link in a mail or Slack message) within this many minutes. */
export const AWARENESS_TARGET_MINUTES = 60;
const awarenessFigures = z.object({
  alerts: z.number().describe('Alerts raised in the window'),
  acknowledgedInTime: z.number().describe(`Of those, acknowledged within ${AWARENESS_TARGET_MINUTES} minutes of being raised`),
  share: z.number().nullable().describe('acknowledgedInTime / alerts; null without alerts'),
  medianMinutesToAcknowledge: z.number().nullable().describe('Over the acknowledged ones; null when none was'),
  unacknowledged: z.number(),
});
export const awarenessAnswer = z.object({
  days: z.number(),
  asOf: z.string(),
  targetMinutes: z.number(),
  team: awarenessFigures,
  users: z.array(awarenessFigures.extend({ userId: z.string(), name: z.string(), email: z.string(), role: z.string() })),
});
export type AwarenessAnswer = z.output<typeof awarenessAnswer>;
export const getAlertAwareness = endpoint({
  method: 'GET',
  path: '/api/alerts/awareness',
  query: z.object({ days: rangeParam(AWARENESS_RANGES) }),
  response: awarenessAnswer,
});

/** Acknowledging from the link in an alert's email or Slack message: the token is the credential (no session). */
export const acknowledgeByLinkBody = z.object({ token: z.string().min(1, 'is empty').max(2000, 'is too long') });
export const acknowledgedByLink = z.object({
  alert: z.object({ id: z.string(), type: z.enum(ALERT_TYPES), customerName: z.string(), status: z.enum(ALERT_STATUSES), acknowledgedAt: z.string().nullable() }),
});
export const acknowledgeByLink = endpoint({ method: 'POST', path: '/api/alerts/acknowledge-by-link', body: acknowledgeByLinkBody, response: acknowledgedByLink });

/**
 * The lifecycle: snooze (hidden from the default view and the unread count until a time), assign
 * (the assignee becomes a recipient), resolve with a note, and the history of every step.
 */
export const MAX_SNOOZE_DAYS = 30;
export const MAX_RESOLUTION_NOTE = 2000;
export const resolveAlertBody = z.object({ note: z.string().trim().max(MAX_RESOLUTION_NOTE, `is longer than ${MAX_RESOLUTION_NOTE} characters`).optional() }).nullish();
export const resolveAlert = endpoint({ method: 'POST', path: '/api/alerts/:id/resolve', params: alertParams, body: resolveAlertBody, response: alertAnswer });
export const snoozeAlertBody = z.strictObject({
  until: z.iso.datetime({ offset: true, error: 'is not a time; use ISO 8601, e.g. 2030-01-31T09:00:00Z' }).nullable().describe(`A time in the future, at most ${MAX_SNOOZE_DAYS} days ahead; null unsnoozes`),
});
export const snoozeAlert = endpoint({ method: 'POST', path: '/api/alerts/:id/snooze', params: alertParams, body: snoozeAlertBody, response: alertAnswer });
export const unsnoozeAlert = endpoint({ method: 'POST', path: '/api/alerts/:id/unsnooze', params: alertParams, response: alertAnswer });
export const assignAlertBody = z.strictObject({ userId: z.uuid('is not a user id') });
export const assignAlert = endpoint({ method: 'POST', path: '/api/alerts/:id/assign', params: alertParams, body: assignAlertBody, response: alertAnswer });
export const ALERT_EVENT_KINDS = ['raised', 'acknowledged', 'snoozed', 'unsnoozed', 'assigned', 'resolved'] as const;
export const alertEvent = z.object({
  kind: z.enum(ALERT_EVENT_KINDS),
  at: z.string(),
  actorId: z.string().nullable().describe('null: the system'),
  actorName: z.string().nullable(),
  note: z.string().nullable().describe('resolved: the note'),
  until: z.string().nullable().describe('snoozed: until when'),
  assigneeId: z.string().nullable(),
  assigneeName: z.string().nullable(),
  via: z.enum(['app', 'link']).describe('acknowledged: in the app (or the API) or by the link of a mail or Slack message'),
});
export type AlertEvent = z.output<typeof alertEvent>;
export const alertHistory = endpoint({ method: 'GET', path: '/api/alerts/:id/history', params: alertParams, response: z.object({ events: z.array(alertEvent) }) });
export const assignee = z.object({ id: z.string(), name: z.string(), email: z.string(), role: z.string() });
export const listAlertAssignees = endpoint({ method: 'GET', path: '/api/alerts/assignees', response: z.object({ users: z.array(assignee) }) });

/**
 * Following a customer account: its alerts (all types, or the chosen ones) reach the follower in
 * addition to whoever routing chose (the CSM, else the leaders, else the admins); any role may follow.
 */
export const customerFollow = z.object({
  customerId: z.string(),
  customerName: z.string(),
  types: z.array(z.enum(ALERT_TYPES)).nullable().describe('null: every alert type'),
  followedAt: z.string(),
});
export type CustomerFollow = z.output<typeof customerFollow>;
const followParams = z.object({ id: z.uuid('is not a customer id') });
export const followCustomerBody = z
  .strictObject({
    types: z
      .array(z.enum(ALERT_TYPES, `is not an alert type; use ${ALERT_TYPES.join(', ')}`))
      .min(1, 'is empty; name at least one alert type, or leave types out to follow every type')
      .max(ALERT_TYPES.length * 4)
      .nullish()
      .describe('The alert types followed; omitted or null: every type'),
  })
  .nullish();
export const listAlertFollows = endpoint({ method: 'GET', path: '/api/alerts/follows', response: z.object({ follows: z.array(customerFollow) }) });
export const followCustomer = endpoint({ method: 'PUT', path: '/api/customers/:id/follow', params: followParams, body: followCustomerBody, response: z.object({ follow: customerFollow }) });
export const unfollowCustomer = endpoint({ method: 'DELETE', path: '/api/customers/:id/follow', params: followParams, response: z.object({ unfollowed: z.boolean() }) });

/** The team's webhook (e.g. a Slack #cs-alerts channel): every alert is posted to it once. Admins set it; the URL is never answered, only its host. */
export const teamWebhook = z.object({
  webhook: z.object({
    configured: z.boolean(),
    enabled: z.boolean(),
    host: z.string().nullable(),
    setBy: z.object({ id: z.string(), name: z.string() }).nullable(),
    updatedAt: z.string().nullable(),
  }),
});
export const setTeamWebhookBody = z.strictObject({
  url: z
    .url({ protocol: /^https?$/, error: 'is not an http(s) URL' })
    .max(2000)
    .nullable()
    .optional()
    .describe('A Slack incoming webhook URL (or any endpoint that takes JSON); null removes it; omitted keeps the one set'),
  enabled: z.boolean().default(true),
});
export const getTeamWebhook = endpoint({ method: 'GET', path: '/api/alerts/team-webhook', response: teamWebhook });
export const setTeamWebhook = endpoint({ method: 'PUT', path: '/api/alerts/team-webhook', body: setTeamWebhookBody, response: teamWebhook });
