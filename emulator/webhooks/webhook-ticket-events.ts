/**
 * Zendesk ticket events for event-subscribed webhooks
 * (developer.zendesk.com/api-reference/webhooks/event-types/ticket-events), built from one
 * TicketChangeEvent. Envelope (webhook-event-types page, emulator/fixtures/webhook-user-event-official.json):
 * `{type, account_id, id, time, zendesk_event_version, subject, detail, event}`.
 *
 * Choices where the official page was not retrievable in full (its per-type examples):
 * - status, priority and type values are UPPERCASE ("SOLVED", "HIGH", "PROBLEM"): [3P] dust-tt/dust
 *   zendesk schemas (examples with nanosecond times, i.e. captured), a published TS typing of the
 *   status_changed payload (NEW…CLOSED, DELETED, ARCHIVED, SCRUBBED), and a [3P] production handler
 *   noting "uppercase from event-based webhooks". The Prismatic "Open" sample is hand-made (its id is
 *   "01HNXXXX-CTEXAMPLE"), so it is not followed.
 * - ids in `detail` and in event values are strings (official: "external_id (returned as a string)",
 *   user events render every id as a string); absent ids are null ([3P] dust: `external_id: null`).
 * - `via.channel` uses Zendesk's via-type names ("web_service" for the API, "web_form", "mail"):
 *   [3P] dust example "web_service"; [3P] gata.works lambda Channel enum has no "api"/"web"/"email".
 * - tags_changed carries `{tags_added, tags_removed}`; comment_added `{comment:{id, body, is_public,
 *   author:{id, is_staff, name}}}`; custom_field_changed `{current:{value}, previous:{value},
 *   custom_field:{id, title, type}}`; followers/email CCs `{users_added, users_removed}`
 *   ([3P] gata.works zendesk-webhook lambda models, which parse real payloads).
 * - A created ticket yields only `ticket.created` (its first comment is part of the creation).
 * - `time` is ISO-8601 UTC to the second, like the official example.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Account, TicketChangeEvent, ZTicket } from '../contract.ts';
import { isoSeconds } from './webhook-signing.ts';

/** [3P] captured and published examples: `"zendesk_event_version": "2022-11-06"` for ticket events. */
export const TICKET_EVENT_VERSION = '2022-11-06';
export const EVENT_TYPE_PREFIX = 'zen:event-type:';

export interface TicketWebhookEvent {
  type: string;
  account_id: number;
  id: string;
  time: string;
  zendesk_event_version: string;
  subject: string;
  detail: Record<string, unknown>;
  event: Record<string, unknown>;
}

/** Ticket event types the emulator emits (a subset of the official list). */
export const EMITTED_TICKET_EVENT_TYPES = [
  'created',
  'status_changed',
  'priority_changed',
  'type_changed',
  'subject_changed',
  'description_changed',
  'agent_assignment_changed',
  'group_assignment_changed',
  'organization_changed',
  'requester_changed',
  'submitter_changed',
  'external_id_changed',
  'tags_changed',
  'custom_field_changed',
  'comment_added',
  'followers_changed',
  'email_ccs_changed',
  'problem_link_changed',
  'task_due_at_changed',
  'brand_changed',
  'form_changed',
  'soft_deleted',
  'undeleted',
].map((name) => `${EVENT_TYPE_PREFIX}ticket.${name}`);

/** Zendesk via-type names for the channels the REST API reports. */
const VIA_TYPE_NAMES: Record<string, string> = { api: 'web_service', web: 'web_form', email: 'mail' };

function idString(id: number | null | undefined): string | null {
  return id === null || id === undefined ? null : String(id);
}

function upper(value: string | null): string | null {
  return value === null ? null : value.toUpperCase();
}

function eventStatus(ticket: ZTicket): string {
  return ticket.deleted ? 'DELETED' : ticket.status.toUpperCase();
}

/** The official detail properties, in the documented order. */
export function ticketDetail(ticket: ZTicket, actorId: number): Record<string, unknown> {
  return {
    actor_id: String(actorId),
    assignee_id: idString(ticket.assignee_id),
    brand_id: idString(ticket.brand_id),
    created_at: ticket.created_at,
    custom_status: null,
    description: ticket.description,
    external_id: ticket.external_id,
    form_id: idString(ticket.ticket_form_id),
    group_id: idString(ticket.group_id),
    id: String(ticket.id),
    is_public: ticket.is_public,
    organization_id: idString(ticket.organization_id),
    priority: upper(ticket.priority),
    requester_id: String(ticket.requester_id),
    status: eventStatus(ticket),
    subject: ticket.subject,
    submitter_id: String(ticket.submitter_id),
    tags: [...ticket.tags],
    type: upper(ticket.type),
    updated_at: ticket.updated_at,
    via: { channel: VIA_TYPE_NAMES[ticket.via.channel] ?? ticket.via.channel },
  };
}

type EventBody = Record<string, unknown>;

function changed<T>(name: string, before: T, after: T, render: (value: T) => unknown = (value) => value): Array<[string, EventBody]> {
  return before === after ? [] : [[name, { current: render(after), previous: render(before) }]];
}

function listDiff(name: string, before: number[], after: number[]): Array<[string, EventBody]> {
  const added = after.filter((id) => !before.includes(id)).map(String);
  const removed = before.filter((id) => !after.includes(id)).map(String);
  return added.length === 0 && removed.length === 0 ? [] : [[name, { users_added: added, users_removed: removed }]];
}

function customFieldType(value: unknown): string {
  if (typeof value === 'boolean') return 'checkbox';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'decimal';
  if (Array.isArray(value)) return 'multiselect';
  return 'text';
}

function customFieldChanges(before: ZTicket, after: ZTicket): Array<[string, EventBody]> {
  const previous = new Map(before.custom_fields.map((field) => [field.id, field.value]));
  const out: Array<[string, EventBody]> = [];
  for (const field of after.custom_fields) {
    const old = previous.has(field.id) ? previous.get(field.id) : null;
    if (JSON.stringify(old ?? null) === JSON.stringify(field.value ?? null)) continue;
    out.push([
      'custom_field_changed',
      {
        current: { value: field.value ?? null },
        previous: { value: old ?? null },
        // Ticket field titles are not modeled by the emulator.
        custom_field: { id: String(field.id), title: `Field ${field.id}`, type: customFieldType(field.value ?? old) },
      },
    ]);
  }
  return out;
}

/** The event names and `event` bodies one change produces, before the envelope is added. */
function changeEvents(change: TicketChangeEvent, account: Account): Array<[string, EventBody]> {
  const { ticket, previous } = change;
  if (change.kind === 'created' || previous === null) return [['created', {}]];
  if (change.kind === 'deleted' || (ticket.deleted && !previous.deleted)) return [['soft_deleted', {}]];
  const events: Array<[string, EventBody]> = [];
  if (previous.deleted && !ticket.deleted) events.push(['undeleted', {}]);
  events.push(
    ...changed('status_changed', previous.status, ticket.status, (status) => status.toUpperCase()),
    ...changed('priority_changed', previous.priority, ticket.priority, upper),
    ...changed('type_changed', previous.type, ticket.type, upper),
    ...changed('subject_changed', previous.subject, ticket.subject),
    ...changed('description_changed', previous.description, ticket.description),
    ...changed('agent_assignment_changed', previous.assignee_id, ticket.assignee_id, idString),
    ...changed('group_assignment_changed', previous.group_id, ticket.group_id, idString),
    ...changed('organization_changed', previous.organization_id, ticket.organization_id, idString),
    ...changed('requester_changed', previous.requester_id, ticket.requester_id, idString),
    ...changed('submitter_changed', previous.submitter_id, ticket.submitter_id, idString),
    ...changed('external_id_changed', previous.external_id, ticket.external_id),
    ...changed('problem_link_changed', previous.problem_id, ticket.problem_id, idString),
    ...changed('task_due_at_changed', previous.due_at, ticket.due_at),
    ...changed('brand_changed', previous.brand_id, ticket.brand_id, idString),
    ...changed('form_changed', previous.ticket_form_id, ticket.ticket_form_id, idString),
  );
  const tagsAdded = ticket.tags.filter((tag) => !previous.tags.includes(tag));
  const tagsRemoved = previous.tags.filter((tag) => !ticket.tags.includes(tag));
  if (tagsAdded.length > 0 || tagsRemoved.length > 0) events.push(['tags_changed', { tags_added: tagsAdded, tags_removed: tagsRemoved }]);
  events.push(...customFieldChanges(previous, ticket));
  events.push(...listDiff('followers_changed', previous.follower_ids, ticket.follower_ids));
  events.push(...listDiff('email_ccs_changed', previous.email_cc_ids, ticket.email_cc_ids));
  if (change.comment) {
    const author = account.users.get(change.comment.author_id);
    events.push([
      'comment_added',
      {
        comment: {
          id: String(change.comment.id),
          body: change.comment.body,
          is_public: change.comment.public,
          author: { id: String(change.comment.author_id), is_staff: author?.role === 'agent' || author?.role === 'admin', name: author?.name ?? '' },
        },
      },
    ]);
  }
  return events;
}

/** A 32-hex-digit action id like the documented `CE4A698AF24F35B3208649C6951E000E`. */
function newSequenceId(): string {
  return randomBytes(16).toString('hex').toUpperCase();
}

/**
 * The webhook events of one ticket change. Events of one action share `event.meta.sequence.id`
 * and are numbered by `meta.sequence.position` (official ticket-events page, common properties).
 */
export function buildTicketEvents(change: TicketChangeEvent, account: Account, nowMs: number): TicketWebhookEvent[] {
  const sequenceId = newSequenceId();
  const detail = ticketDetail(change.ticket, change.actor_id);
  const time = isoSeconds(Date.parse(change.at) || nowMs);
  return changeEvents(change, account).map(([name, body], index) => ({
    type: `${EVENT_TYPE_PREFIX}ticket.${name}`,
    account_id: account.account_id,
    id: randomUUID(),
    time,
    zendesk_event_version: TICKET_EVENT_VERSION,
    subject: `zen:ticket:${change.ticket.id}`,
    detail,
    event: { ...body, meta: { sequence: { id: sequenceId, position: index + 1 } } },
  }));
}
