/**
 * Zendesk's ticket events export (docs/zendesk.md, Ticket events export): time based,
 * GET /api/v2/incremental/ticket_events.json?start_time=<unix>, one item per audit with its child
 * events; the next start_time is end_time, until end_of_stream. A changed field is keyed by its
 * own name (`status`, `priority`, `group_id`, `satisfaction_score`, ...) with `previous_value`; a
change of tags also has `added_tags` / `removed_tags`. The OAS's
 * schema for this endpoint is a copy of the metric events' and is not what we validate against.
 */
import { z } from 'zod';
import type { ZendeskClient } from './client.ts';

const fieldValue = z.union([z.string(), z.number(), z.boolean(), z.array(z.string())]).nullable().optional();

/** A child event; only the fields we read are checked, the rest pass through unread. */
export const ticketChildEventSchema = z.looseObject({
  id: z.number().int(),
  event_type: z.string(),
  status: fieldValue,
  priority: fieldValue,
  satisfaction_score: fieldValue,
  group_id: fieldValue,
  /** The ticket's tags after the change; `added_tags` / `removed_tags` say what changed. */
  tags: fieldValue,
  added_tags: z.array(z.string()).nullable().optional(),
  removed_tags: z.array(z.string()).nullable().optional(),
  previous_value: fieldValue,
});
export type TicketChildEvent = z.infer<typeof ticketChildEventSchema>;

export const ticketEventSchema = z.object({
  id: z.number().int(),
  ticket_id: z.number().int(),
  created_at: z.string(),
  event_type: z.string().optional(),
  merged_ticket_ids: z.array(z.number().int()).nullable().optional(),
  child_events: z.array(ticketChildEventSchema).default([]),
});
export type TicketAuditEvent = z.infer<typeof ticketEventSchema>;

export const ticketEventsPageSchema = z.object({
  ticket_events: z.array(ticketEventSchema),
  end_time: z.number().int(),
  end_of_stream: z.boolean(),
  count: z.number().int().optional(),
});
export type TicketEventsPage = z.infer<typeof ticketEventsPageSchema>;

/** One page from `startTime` (unix seconds), of all tickets (AI-agent ones too, as the ticket export). */
export function ticketEventsPage(client: ZendeskClient, startTime: number): Promise<TicketEventsPage> {
  return client.request('GET', '/api/v2/incremental/ticket_events.json', {
    query: { start_time: startTime, support_type_scope: 'all' },
    schema: ticketEventsPageSchema,
  });
}
