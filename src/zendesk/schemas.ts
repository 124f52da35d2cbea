/**
 * The parts of Zendesk's payloads we use, per its documentation (docs/zendesk.md): strict on the
 * fields we read, loose on everything else (Zendesk adds fields; zod drops the ones we do not name).
 */
import { z } from 'zod';

export const zendeskUserSchema = z.object({
  id: z.number().int(),
  name: z.string().nullable().optional(),
  email: z.string().nullable().optional(),
  role: z.string().optional(),
});
export const meResponseSchema = z.object({ user: zendeskUserSchema });

export const webhookResponseSchema = z.object({ webhook: z.object({ id: z.string().min(1) }) });
export const signingSecretResponseSchema = z.object({ signing_secret: z.object({ secret: z.string().min(1), algorithm: z.string().optional() }) });
export const triggerResponseSchema = z.object({ trigger: z.object({ id: z.number().int() }) });

/** POST /oauth/tokens (201): OAS OAuthTokenForGrantTypesObject; expiry fields only for expiring tokens. */
export const oauthTokenResponseSchema = z.object({
  access_token: z.string().min(1),
  token_type: z.string(),
  scope: z.string().optional(),
  expires_in: z.number().int().positive().nullable().optional(),
  refresh_token: z.string().min(1).nullable().optional(),
  refresh_token_expires_in: z.number().int().positive().nullable().optional(),
});
export type OAuthTokenResponse = z.infer<typeof oauthTokenResponseSchema>;

/**
 * One ticket metric event (OAS ListTicketMetricEvents; docs/zendesk.md, Ticket metric events):
 * `deleted` on breach events only, `sla` on apply_sla only (inner keys UNCONFIRMED: kept as given).
 */
export const ticketMetricEventSchema = z.object({
  id: z.number().int(),
  ticket_id: z.number().int(),
  metric: z.string(),
  instance_id: z.number().int(),
  type: z.string(),
  time: z.string(),
  deleted: z.boolean().nullable().optional(),
  sla: z.record(z.string(), z.unknown()).nullable().optional(),
});
export type TicketMetricEvent = z.infer<typeof ticketMetricEventSchema>;

/** A page of the time-based ticket metric events export. */
export const ticketMetricEventsPageSchema = z.object({
  ticket_metric_events: z.array(ticketMetricEventSchema),
  count: z.number().int(),
  end_time: z.number().int(),
  next_page: z.string().nullable().optional(),
});
export type TicketMetricEventsPage = z.infer<typeof ticketMetricEventsPageSchema>;
