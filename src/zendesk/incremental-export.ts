/**
 * Zendesk's cursor-based incremental ticket export (docs/zendesk.md, Incremental exports):
 * GET /api/v2/incremental/tickets/cursor.json?start_time=0 first, then ?cursor=<after_cursor>,
 * until end_of_stream. It compares on generated_timestamp (system updates included), never serves
 * the last minute, and its last page still carries an after_cursor: the position to poll from
 * next time. AI-agent tickets are left out unless support_type_scope=all, which we ask for: a
 * customer's tickets are all its tickets.
 */
import { z } from 'zod';
import type { ZendeskClient } from './client.ts';

const idOrNull = z.number().int().nullable().optional().transform((v) => v ?? null);

export const exportTicketSchema = z.object({
  id: z.number().int(),
  subject: z.string().nullable().optional(),
  description: z.string().nullable().optional(),
  // Lower case in the export; "deleted" for deleted tickets. Case is normalised anyway.
  status: z.string().transform((s) => s.toLowerCase()),
  priority: z.string().nullable().optional().transform((s) => s?.toLowerCase() ?? null),
  type: z.string().nullable().optional().transform((s) => s?.toLowerCase() ?? null),
  requester_id: idOrNull,
  assignee_id: idOrNull,
  organization_id: idOrNull,
  group_id: idOrNull,
  tags: z.array(z.string()).nullable().optional().transform((t) => t ?? []),
  custom_fields: z
    .array(z.object({ id: z.number().int(), value: z.unknown() }))
    .nullable()
    .optional()
    .transform((f) => f ?? []),
  satisfaction_rating: z
    .object({ score: z.string(), id: z.number().int().nullable().optional(), comment: z.string().nullable().optional() })
    .nullable()
    .optional(),
  via: z.object({ channel: z.union([z.string(), z.number()]) }).nullable().optional(),
  slas: z.object({ policy_metrics: z.array(z.record(z.string(), z.unknown())) }).nullable().optional(),
  created_at: z.string(),
  updated_at: z.string(),
  generated_timestamp: z.number().int().nullable().optional(),
});
export type ExportTicket = z.infer<typeof exportTicketSchema>;

export const exportUserSchema = z.object({
  id: z.number().int(),
  name: z.string().nullable().optional(),
  email: z.string().nullable().optional(),
  role: z.string().nullable().optional(),
  organization_id: idOrNull,
  updated_at: z.string().nullable().optional(),
});
export type ExportUser = z.infer<typeof exportUserSchema>;

export const exportOrganizationSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  domain_names: z.array(z.string()).nullable().optional().transform((d) => d ?? []),
  external_id: z.string().nullable().optional(),
  updated_at: z.string().nullable().optional(),
});
export type ExportOrganization = z.infer<typeof exportOrganizationSchema>;

/** Minutes between two ticket events, in calendar and business hours; null until both happened. */
const metricTimeSchema = z
  .object({ calendar: z.number().nullable().optional(), business: z.number().nullable().optional() })
  .nullable()
  .optional();

/** Zendesk's ticket metrics (OAS TicketMetricObject), side-loaded as metric_sets. */
export const exportMetricSetSchema = z.object({
  ticket_id: z.number().int(),
  solved_at: z.string().nullable().optional(),
  reopens: z.number().int().nullable().optional(),
  first_resolution_time_in_minutes: metricTimeSchema,
  full_resolution_time_in_minutes: metricTimeSchema,
  reply_time_in_minutes: metricTimeSchema,
});
export type ExportMetricSet = z.infer<typeof exportMetricSetSchema>;

export const exportPageSchema = z.object({
  tickets: z.array(exportTicketSchema),
  users: z.array(exportUserSchema).optional().default([]),
  organizations: z.array(exportOrganizationSchema).optional().default([]),
  metric_sets: z.array(exportMetricSetSchema).optional().default([]),
  after_cursor: z.string().nullable(),
  end_of_stream: z.boolean(),
});
export type ExportPage = z.infer<typeof exportPageSchema>;

export const EXPORT_INCLUDE = 'users,organizations,metric_sets,slas';

/** One page of the export, from the start (cursor null) or from a cursor. */
export function fetchTicketExportPage(client: ZendeskClient, cursor: string | null): Promise<ExportPage> {
  const query = cursor === null ? { start_time: 0 } : { cursor };
  return client.request('GET', '/api/v2/incremental/tickets/cursor.json', {
    query: { ...query, include: EXPORT_INCLUDE, support_type_scope: 'all' },
    schema: exportPageSchema,
  });
}

export const ticketCountSchema = z.object({ count: z.object({ value: z.number().int() }) });

export async function fetchTicketCount(client: ZendeskClient): Promise<number> {
  // The same scope as the export, so that the import's progress can reach its total.
  return (await client.request('GET', '/api/v2/tickets/count.json', { query: { support_type_scope: 'all' }, schema: ticketCountSchema })).count.value;
}

/** Zendesk's show_many takes up to 100 ids. */
export const SHOW_MANY_IDS = 100;

/** GET /api/v2/tickets/show_many.json?ids=1,2 (up to SHOW_MANY_IDS ids) with the same side-loads as the export. */
export const showManySchema = exportPageSchema.pick({ tickets: true, users: true, organizations: true, metric_sets: true });
export async function fetchTickets(client: ZendeskClient, ids: readonly number[]): Promise<z.infer<typeof showManySchema>> {
  return client.request('GET', '/api/v2/tickets/show_many.json', { query: { ids: ids.join(','), include: EXPORT_INCLUDE }, schema: showManySchema });
}
