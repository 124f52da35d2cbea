/**
 * Delivery beyond the app: each user may set one outbound webhook (e.g. a Slack incoming webhook;
 * the body is a Slack Block Kit message with the alert's links, and the alert itself), and an admin
 * may set the team's (e.g. the #cs-alerts channel), which receives every alert once. Deliveries are queued in the statement that
 * raises an alert (alerts.service.ts) and sent by deliverAlertWebhooks, which the worker runs on a
 * schedule: a failed send is retried with exponential backoff and, after maxAttempts, marked
 * failed. The in-app alert never depends on it.
 */
import http from 'node:http';
import https from 'node:https';
import type { Deps } from '../../deps.ts';
import { AppError } from '../../lib/errors.ts';
import { isPrivateHostLiteral, PrivateAddressError, publicOnlyLookup } from '../../lib/public-address.ts';
import { markDeliveryDelivered, markDeliveryFailed, retryDelayMs } from './alert-deliveries.repo.ts';
import { redactDeliveryError } from './delivery-error.ts';
import { alertHeadline, alertLinks, type AlertLinks } from './alert-message.ts';
import {
  claimDueDeliveries,
  deleteAlertWebhook,
  deleteTeamWebhook,
  selectAlertWebhook,
  selectTeamWebhook,
  upsertAlertWebhook,
  upsertTeamWebhook,
  type DueDelivery,
} from './alert-webhooks.repo.ts';

const MINUTE_MS = 60_000;

export type WebhookSender = (url: string, body: unknown) => Promise<void>;

const SEND_TIMEOUT_MS = 10_000;

/**
 * POSTs JSON; any non-2xx answer, a redirect or a timeout is a failure. Unless
 * `allowPrivateNetworks` (tests against a local receiver), the URL's host must resolve to public
 * addresses only, checked when connecting (lib/public-address.ts): a user's URL never reaches our
 * own network. Redirects are not followed, for the same reason.
 */
export function httpSender(options: { allowPrivateNetworks?: boolean } = {}): WebhookSender {
  return (url, body) =>
    new Promise<void>((resolve, reject) => {
      const target = new URL(url);
      if (!options.allowPrivateNetworks && isPrivateHostLiteral(target.hostname)) return reject(new PrivateAddressError(target.hostname));
      const payload = JSON.stringify(body);
      const request = (target.protocol === 'https:' ? https : http).request(
        target,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), 'user-agent': 'cscx-zendesk-alerts' },
          timeout: SEND_TIMEOUT_MS,
          ...(options.allowPrivateNetworks ? {} : { lookup: publicOnlyLookup }),
        },
        (response) => {
          response.resume();
          const status = response.statusCode ?? 0;
          if (status >= 200 && status < 300) resolve();
          else reject(new Error(`the webhook answered HTTP ${status}`));
        },
      );
      request.on('timeout', () => request.destroy(new Error(`the webhook did not answer within ${SEND_TIMEOUT_MS / 1000} s`)));
      request.on('error', reject);
      request.end(payload);
    });
}

/** Refuses, when it is saved, a URL that is not http(s) or whose host is local (checked again at every send). */
export function assertDeliverableUrl(url: string, options: { allowPrivateNetworks?: boolean } = {}): void {
  const target = new URL(url);
  if (target.protocol !== 'https:' && target.protocol !== 'http:') throw new AppError('validation_failed', 'url: is not an http(s) URL', [{ field: 'url', message: 'is not an http(s) URL' }]);
  if (!options.allowPrivateNetworks && isPrivateHostLiteral(target.hostname)) {
    const message = `points to ${target.hostname}, a private or local address: alerts are only sent to public endpoints`;
    throw new AppError('validation_failed', `url: ${message}`, [{ field: 'url', message }]);
  }
}

const sealContext = (userId: string) => `alert_webhook:${userId}`;
const TEAM_SEAL_CONTEXT = 'alert_team_webhook';

export interface AlertWebhookView {
  configured: boolean;
  enabled: boolean;
  /** The URL's host only: the URL itself is a secret. */
  host: string | null;
}

export async function getAlertWebhook(deps: Pick<Deps, 'db' | 'secrets'>, userId: string): Promise<AlertWebhookView> {
  const row = await selectAlertWebhook(deps.db, userId);
  if (!row) return { configured: false, enabled: false, host: null };
  return { configured: true, enabled: row.enabled, host: new URL(deps.secrets.open(row.url_sealed, sealContext(userId))).host };
}

/** Sets (url), pauses (enabled false) or removes (url null) the caller's webhook. */
export async function setAlertWebhook(
  deps: Pick<Deps, 'db' | 'secrets'>,
  userId: string,
  input: { url: string | null; enabled: boolean },
  options: { allowPrivateNetworks?: boolean } = {},
): Promise<AlertWebhookView> {
  if (input.url !== null) assertDeliverableUrl(input.url, options);
  if (input.url === null) {
    await deleteAlertWebhook(deps.db, userId);
  } else {
    await upsertAlertWebhook(deps.db, userId, deps.secrets.seal(input.url, sealContext(userId)), input.enabled);
  }
  return getAlertWebhook(deps, userId);
}

export interface TeamWebhookView extends AlertWebhookView {
  /** The admin who set it (its deliveries are listed under them), and when. */
  setBy: { id: string; name: string } | null;
  updatedAt: string | null;
}

export async function getTeamWebhook(deps: Pick<Deps, 'db' | 'secrets'>): Promise<TeamWebhookView> {
  const row = await selectTeamWebhook(deps.db);
  if (!row) return { configured: false, enabled: false, host: null, setBy: null, updatedAt: null };
  return {
    configured: true,
    enabled: row.enabled,
    host: new URL(deps.secrets.open(row.url_sealed, TEAM_SEAL_CONTEXT)).host,
    setBy: { id: row.set_by, name: row.set_by_name },
    updatedAt: row.updated_at.toISOString(),
  };
}

/**
 * Sets (url), pauses (enabled false, url omitted or the same) or removes (url null) the team's
 * webhook, as `adminId`. Pausing without a URL needs one set before.
 */
export async function setTeamWebhook(
  deps: Pick<Deps, 'db' | 'secrets'>,
  adminId: string,
  input: { url?: string | null | undefined; enabled: boolean },
  options: { allowPrivateNetworks?: boolean } = {},
): Promise<TeamWebhookView> {
  if (input.url === null) {
    await deleteTeamWebhook(deps.db);
    return getTeamWebhook(deps);
  }
  let sealed: string;
  if (input.url === undefined) {
    const current = await selectTeamWebhook(deps.db);
    if (!current) throw new AppError('validation_failed', 'url: is required: no team webhook is set yet', [{ field: 'url', message: 'is required: no team webhook is set yet' }]);
    sealed = current.url_sealed;
  } else {
    assertDeliverableUrl(input.url, options);
    sealed = deps.secrets.seal(input.url, TEAM_SEAL_CONTEXT);
  }
  await upsertTeamWebhook(deps.db, adminId, sealed, input.enabled);
  return getTeamWebhook(deps);
}

export interface DeliveryOptions {
  send: WebhookSender;
  now: () => Date;
  /** Deliveries claimed per run. */
  limit: number;
  maxAttempts: number;
  /** The first retry's delay; doubled per attempt, capped at an hour. */
  baseDelayMs: number;
}


/**
 * The body posted for one alert: Slack's incoming-webhook message (`text` for the notification,
 * Block Kit `blocks` with the same facts and links as the email: acknowledge, the customer, the
 * ticket in Zendesk), and the alert itself for any other receiver of JSON. The team's channel gets
 * no Acknowledge button (`links.acknowledge` null): its link acknowledges as one person, and anyone
 * in the channel could follow it; it links to the alerts page instead.
 */
export function webhookBody(row: DueDelivery, links: Omit<AlertLinks, 'acknowledge'> & { acknowledge: string | null }): unknown {
  const headline = alertHeadline(row.type, row.details);
  const comment = row.type === 'negative_csat' && typeof row.details.comment === 'string' ? row.details.comment : null;
  const subject = typeof row.details.subject === 'string' ? row.details.subject : null;
  const slack = (text: string) => text.replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c]!);
  const lines = [
    `*${slack(headline)}* for <${links.customer}|${slack(row.customer_name)}>`,
    links.ticket ? `Ticket <${links.ticket.url}|${slack(links.ticket.label)}>${subject ? `: ${slack(subject)}` : ''}` : null,
    comment ? `> ${slack(comment)}` : null,
  ].filter((line): line is string => line !== null);
  const button = (text: string, url: string, style?: 'primary') => ({ type: 'button', text: { type: 'plain_text', text }, url, ...(style ? { style } : {}) });
  return {
    text: `${headline} for ${row.customer_name}${links.ticket ? ` (ticket ${links.ticket.label})` : ''}`,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: lines.join('\n') } },
      {
        type: 'actions',
        elements: [
          ...(links.acknowledge ? [button('Acknowledge', links.acknowledge, 'primary')] : [button('Open alerts', links.alerts, 'primary')]),
          button('Open customer', links.customer),
          ...(links.ticket ? [button(`View ${links.ticket.label} in Zendesk`, links.ticket.url)] : []),
        ],
      },
    ],
    alert: {
      id: row.alert_id,
      type: row.type,
      customerId: row.customer_id,
      customerName: row.customer_name,
      zendeskTicketId: row.zendesk_ticket_id === null ? null : Number(row.zendesk_ticket_id),
      ticketUrl: links.ticket?.url ?? null,
      customerUrl: links.customer,
      acknowledgeUrl: links.acknowledge,
      details: row.details,
      occurredAt: row.occurred_at.toISOString(),
    },
  };
}

/**
 * Sends the due deliveries (claimDueDeliveries: concurrent workers share them): the personal
 * webhooks', then the team webhook's (without the acknowledge link).
 */
export async function deliverAlertWebhooks(
  deps: Pick<Deps, 'db' | 'secrets' | 'logger' | 'config'>,
  options: Partial<DeliveryOptions> = {},
): Promise<{ delivered: number; retrying: number; failed: number }> {
  const o: DeliveryOptions = { send: httpSender(), now: () => new Date(), limit: 50, maxAttempts: 8, baseDelayMs: MINUTE_MS / 2, ...options };
  const now = o.now();
  const result = { delivered: 0, retrying: 0, failed: 0 };
  for (const channel of ['webhook', 'team_webhook'] as const) {
    const rows = await claimDueDeliveries(deps.db, now, o.limit, channel);
    for (const row of rows) await deliverOne(deps, o, now, channel, row, result);
  }
  return result;
}

async function deliverOne(
  deps: Pick<Deps, 'db' | 'secrets' | 'logger' | 'config'>,
  o: DeliveryOptions,
  now: Date,
  channel: 'webhook' | 'team_webhook',
  row: DueDelivery,
  result: { delivered: number; retrying: number; failed: number },
): Promise<void> {
  let error: string | null = null;
  if (!row.url_sealed || !row.enabled) {
    error = channel === 'webhook' ? 'the webhook was removed or paused' : 'the team webhook was removed or paused';
  } else {
    try {
      const links = alertLinks(deps, { alertId: row.alert_id, userId: row.user_id, customerId: row.customer_id, zendeskTicketId: row.zendesk_ticket_id === null ? null : Number(row.zendesk_ticket_id), subdomain: row.subdomain }, now);
      const url = deps.secrets.open(row.url_sealed, channel === 'webhook' ? sealContext(row.user_id) : TEAM_SEAL_CONTEXT);
      await o.send(url, webhookBody(row, channel === 'webhook' ? links : { ...links, acknowledge: null }));
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
    }
  }
  const attempts = row.attempts + 1;
  if (error === null) {
    result.delivered += 1;
    await markDeliveryDelivered(deps.db, { alertId: row.alert_id, userId: row.user_id, channel, attempts, at: now });
    return;
  }
  const giveUp = attempts >= o.maxAttempts || !row.url_sealed || !row.enabled;
  if (giveUp) result.failed += 1;
  else result.retrying += 1;
  deps.logger.warn({ alertId: row.alert_id, userId: row.user_id, channel, attempts, error: redactDeliveryError(error), giveUp }, 'alert webhook delivery failed');
  await markDeliveryFailed(deps.db, {
    alertId: row.alert_id,
    userId: row.user_id,
    channel,
    status: giveUp ? 'failed' : 'pending',
    attempts,
    error,
    at: now,
    nextAttemptAt: new Date(now.getTime() + retryDelayMs(attempts, o.baseDelayMs)),
  });
}
