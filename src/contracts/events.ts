/**
 * GET /api/events: the server-sent events of the live feed, one JSON message per event, named by
 * its `type` (tickets, alerts, sync). Not a JSON endpoint: the browser reads it with EventSource.
 */
import { z } from 'zod';

export const ticketChange = z.object({ connectionId: z.string(), zendeskTicketId: z.number(), customerId: z.string().nullable(), kind: z.string() });

/** An alert as the live feed announces it (the list has the whole alert). Recipients are not sent. */
export const alertChange = z.object({
  id: z.string(),
  type: z.string(),
  customerId: z.string(),
  customerName: z.string(),
  zendeskTicketId: z.number().nullable(),
  recipientIds: z.array(z.string()),
});
export type AlertChange = z.output<typeof alertChange>;

export const syncChange = z.object({ connectionId: z.string(), subdomain: z.string(), status: z.string(), phase: z.string().nullable(), imported: z.number() });

export const liveEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('tickets'), customerIds: z.array(z.string()), tickets: z.array(ticketChange) }),
  z.object({ type: z.literal('alerts'), alerts: z.array(alertChange) }),
  z.object({ type: z.literal('sync'), connections: z.array(syncChange) }),
]);
export type LiveEvent = z.output<typeof liveEvent>;
/** The message of one kind of event. */
export type LiveEventOf<T extends LiveEvent['type']> = Extract<LiveEvent, { type: T }>;

export const EVENTS_PATH = '/api/events';
