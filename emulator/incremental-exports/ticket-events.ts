/**
 * The ticket events export (`GET /api/v2/incremental/ticket_events`, OAS IncrementalTicketEvents):
 * "a stream of changes that occurred on tickets, excluding events occurring within one minute of
 * the request. Each event is tied to an update on a ticket and contains all the fields that were
 * updated in that change." One item per audit, with its child events; a changed field is keyed by
 * its own name (`"status": "solved", "previous_value": "open"`). A comment is only flagged
 * (`comment_present`, `comment_public`) unless `include=comment_events` asks for it whole. The
 * OAS's response schema for this endpoint shows ticket metric events, a copy/paste error
 * (docs/zendesk.md, Ticket events export).
 */
import type { Audit, AuditEvent } from '../support-api/audits.ts';
import type { Json } from '../support-api/render.ts';
import { unixSeconds, msOf } from '../support-api/time.ts';

function childEvent(audit: Audit, event: AuditEvent, withComments: boolean): Json {
  const common = { id: event.id, via: audit.via, via_reference_id: null };
  if (event.type === 'Comment') {
    if (!withComments) return { ...common, comment_present: true, comment_public: event.public, event_type: 'Comment' };
    const { id: _id, ...comment } = event;
    return { ...common, ...comment, created_at: audit.created_at, event_type: 'Comment' };
  }
  const field = event.field_name as string;
  const body: Json = { ...common, [field]: event.value };
  if (event.type === 'Change') body.previous_value = event.previous_value;
  if (field === 'tags') {
    const now = (event.value as string[] | null) ?? [];
    const before = event.type === 'Change' ? ((event.previous_value as string[] | null) ?? []) : [];
    body.added_tags = now.filter((tag) => !before.includes(tag));
    body.removed_tags = before.filter((tag) => !now.includes(tag));
  }
  body.event_type = event.type;
  return body;
}

export function renderTicketEvent(audit: Audit, withComments: boolean): Json {
  return {
    id: audit.id,
    ticket_id: audit.ticket_id,
    timestamp: unixSeconds(msOf(audit.created_at)),
    created_at: audit.created_at,
    updater_id: audit.author_id,
    via: audit.via,
    system: audit.metadata.system,
    event_type: 'Audit',
    merged_ticket_ids: audit.merged_ticket_ids ?? [],
    child_events: audit.events.map((event) => childEvent(audit, event, withComments)),
  };
}
