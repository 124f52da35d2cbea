/**
 * Records as Zendesk's API renders them: the stored fields plus the derived ones (url,
 * custom_status_id, satisfaction_rating...). Key sets follow the OAS examples saved in
 * emulator/fixtures (oas-ticket-show.json, oas-incremental-users-*.json,
 * oas-organization-show.json, oas-satisfaction-rating-*.json, oas-ticket-metric*.json).
 */
import type { ZComment, ZOrganization, ZSatisfactionRating, ZSlaPolicyMetric, ZTicket, ZUser } from '../contract.ts';
import type { AccountState, Duration, TicketTimeline, ZGroup } from './state.ts';
import { closeStatusSegment } from './state.ts';
import { businessMsBetween } from './business-time.ts';
import { DAY_MS, HOUR_MS, MINUTE_MS, SECOND_MS, isoSeconds, msOf } from './time.ts';

export interface RenderContext {
  state: AccountState;
  /** e.g. http://127.0.0.1:4010/acme */
  baseUrl: string;
  nowMs: number;
}

export type Json = Record<string, unknown>;

/** `url` fields carry the `.json` suffix, as live responses do ("url": ".../tickets/35436.json"). */
export function resourceUrl(baseUrl: string, path: string): string {
  return `${baseUrl}/api/v2/${path}.json`;
}

function satisfactionRatingSummary(state: AccountState, ticket: ZTicket): Json | null {
  if (ticket.satisfaction_rating_id !== null) {
    const rating = state.account.satisfaction_ratings.get(ticket.satisfaction_rating_id);
    if (rating) {
      const summary: Json = { score: rating.score, id: rating.id, comment: rating.comment };
      if (rating.reason !== null) {
        summary.reason = rating.reason;
        summary.reason_id = rating.reason_id;
      }
      return summary;
    }
  }
  // "The satisfaction rating of the ticket, if it exists, or the state of satisfaction,
  // 'offered' or 'unoffered'. The value is null for plan types that don't support CSAT" (OAS).
  return ticket.satisfaction_state === null ? null : { score: ticket.satisfaction_state };
}

/**
 * A ticket as the Tickets API renders it. `asDeleted`: the incremental export shows soft-deleted
 * tickets with status "deleted" (not documented; docs/zendesk.md, Incremental exports).
 */
export function renderTicket(ctx: RenderContext, ticket: ZTicket, asDeleted = false): Json {
  const { state } = ctx;
  const customFields = ticket.custom_fields.map((field) => ({ id: field.id, value: field.value }));
  return {
    url: resourceUrl(ctx.baseUrl, `tickets/${ticket.id}`),
    id: ticket.id,
    external_id: ticket.external_id,
    via: { channel: ticket.via.channel, source: ticket.via.source },
    created_at: ticket.created_at,
    updated_at: ticket.updated_at,
    generated_timestamp: ticket.generated_timestamp,
    type: ticket.type,
    subject: ticket.subject,
    raw_subject: ticket.raw_subject,
    description: ticket.description,
    priority: ticket.priority,
    status: asDeleted && ticket.deleted ? 'deleted' : ticket.status,
    custom_status_id: state.customStatusIds[ticket.status],
    recipient: ticket.recipient,
    requester_id: ticket.requester_id,
    submitter_id: ticket.submitter_id,
    assignee_id: ticket.assignee_id,
    organization_id: ticket.organization_id,
    group_id: ticket.group_id,
    collaborator_ids: ticket.collaborator_ids,
    follower_ids: ticket.follower_ids,
    email_cc_ids: ticket.email_cc_ids,
    forum_topic_id: null,
    problem_id: ticket.problem_id,
    has_incidents: ticket.has_incidents,
    is_public: ticket.is_public,
    due_at: ticket.due_at,
    tags: ticket.tags,
    custom_fields: customFields,
    satisfaction_rating: satisfactionRatingSummary(state, ticket),
    sharing_agreement_ids: [],
    fields: customFields,
    followup_ids: [],
    ticket_form_id: ticket.ticket_form_id,
    brand_id: ticket.brand_id,
    allow_channelback: false,
    allow_attachments: true,
    from_messaging_channel: ticket.from_messaging_channel,
    encoded_id: encodedId(ticket.id),
  };
}

/** Zendesk shows an opaque short code per ticket (e.g. in email subjects); any stable code will do. */
function encodedId(ticketId: number): string {
  return `${ticketId.toString(36).toUpperCase().padStart(6, '0')}-EMU`;
}

/**
 * The `slas` side-load: policy metrics with a signed countdown in the largest whole unit
 * (negative: deadline passed). Shape from emulator/fixtures/ticket-with-slas.json ([3P] live capture,
 * PARTLY UNCONFIRMED).
 */
export function renderSlas(ticket: ZTicket, nowMs: number): Json {
  return {
    policy_metrics: ticket.sla_policy_metrics.map((metric: ZSlaPolicyMetric) => {
      const rendered: Json = { breach_at: metric.breach_at, stage: metric.stage, metric: metric.metric };
      if (metric.breach_at !== null) {
        const left = msOf(metric.breach_at) - nowMs;
        if (Math.abs(left) >= DAY_MS) rendered.days = Math.trunc(left / DAY_MS);
        else if (Math.abs(left) >= HOUR_MS) rendered.hours = Math.trunc(left / HOUR_MS);
        else rendered.minutes = Math.trunc(left / MINUTE_MS);
      }
      return rendered;
    }),
  };
}

/** Zendesk's Rails time zone names and their IANA names (`iana_time_zone`, OAS UserObject). */
const IANA_TIME_ZONES: Record<string, string> = {
  UTC: 'Etc/UTC',
  London: 'Europe/London',
  Berlin: 'Europe/Berlin',
  Tokyo: 'Asia/Tokyo',
  'Eastern Time (US & Canada)': 'America/New_York',
};

export function renderUser(ctx: RenderContext, user: ZUser): Json {
  const isStaff = user.role !== 'end-user';
  return {
    id: user.id,
    url: resourceUrl(ctx.baseUrl, `users/${user.id}`),
    name: user.name,
    email: user.email,
    created_at: user.created_at,
    updated_at: user.updated_at,
    time_zone: user.time_zone,
    iana_time_zone: IANA_TIME_ZONES[user.time_zone] ?? 'Etc/UTC',
    phone: user.phone,
    shared_phone_number: null,
    photo: null,
    locale_id: 1,
    locale: user.locale,
    organization_id: user.organization_id,
    role: user.role,
    verified: user.verified,
    external_id: user.external_id,
    tags: user.tags,
    alias: '',
    active: user.active,
    shared: false,
    shared_agent: false,
    last_login_at: isStaff ? user.updated_at : null,
    two_factor_auth_enabled: null,
    signature: isStaff ? `${user.name}, Support` : null,
    details: '',
    notes: '',
    role_type: user.role === 'agent' ? 0 : null,
    custom_role_id: null,
    moderator: isStaff,
    ticket_restriction: user.role === 'end-user' ? 'requested' : null,
    only_private_comments: false,
    restricted_agent: false,
    suspended: user.suspended,
    default_group_id: null,
    report_csv: user.role === 'admin',
    user_fields: user.user_fields,
  };
}

export function renderOrganization(ctx: RenderContext, organization: ZOrganization): Json {
  return {
    url: resourceUrl(ctx.baseUrl, `organizations/${organization.id}`),
    id: organization.id,
    name: organization.name,
    shared_tickets: organization.shared_tickets,
    shared_comments: organization.shared_comments,
    external_id: organization.external_id,
    created_at: organization.created_at,
    updated_at: organization.updated_at,
    domain_names: organization.domain_names,
    details: organization.details,
    notes: organization.notes,
    group_id: organization.group_id,
    tags: organization.tags,
    organization_fields: organization.organization_fields,
  };
}

export function renderGroup(ctx: RenderContext, group: ZGroup): Json {
  return {
    url: resourceUrl(ctx.baseUrl, `groups/${group.id}`),
    id: group.id,
    is_public: true,
    name: group.name,
    description: '',
    default: group.id === ctx.state.groups[0]?.id,
    deleted: false,
    created_at: group.created_at,
    updated_at: group.updated_at,
  };
}

export function renderSatisfactionRating(ctx: RenderContext, rating: ZSatisfactionRating): Json {
  return {
    url: resourceUrl(ctx.baseUrl, `satisfaction_ratings/${rating.id}`),
    id: rating.id,
    assignee_id: rating.assignee_id,
    group_id: rating.group_id,
    requester_id: rating.requester_id,
    ticket_id: rating.ticket_id,
    score: rating.score,
    comment: rating.comment,
    reason: rating.reason,
    reason_id: rating.reason_id,
    created_at: rating.created_at,
    updated_at: rating.updated_at,
  };
}

/** Comments are as the ticket came in for the first one, then agent-workspace or email replies. */
function commentChannel(comment: ZComment, ticket: ZTicket, isFirst: boolean): string {
  if (isFirst) return ticket.via.channel;
  return comment.author_id === ticket.requester_id && ticket.via.channel === 'email' ? 'email' : 'web';
}

export function renderComment(comment: ZComment, ticket: ZTicket, isFirst: boolean, auditId: number): Json {
  const escaped = comment.body.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return {
    id: comment.id,
    type: 'Comment',
    author_id: comment.author_id,
    body: comment.body,
    html_body: `<div class="zd-comment" dir="auto"><p dir="auto">${escaped}</p></div>`,
    plain_body: comment.body,
    public: comment.public,
    attachments: [],
    audit_id: auditId,
    via: { channel: commentChannel(comment, ticket, isFirst), source: { from: {}, to: {}, rel: null } },
    created_at: comment.created_at,
    metadata: { system: {}, custom: {} },
  };
}

function minutes(ms: number): number {
  return Math.floor(ms / MINUTE_MS);
}

function span(fromMs: number | null, toMs: number | null): Json {
  // "The metric's value will appear as null until two required events occur" (docs/zendesk.md, Ticket metrics).
  if (fromMs === null || toMs === null) return { calendar: null, business: null };
  return { calendar: minutes(toMs - fromMs), business: minutes(businessMsBetween(fromMs, toMs)) };
}

function durationJson(duration: Duration): Json {
  return { calendar: minutes(duration.calendarMs), business: minutes(duration.businessMs) };
}

function iso(ms: number | null): string | null {
  return ms === null ? null : isoSeconds(ms);
}

/**
 * A ticket's metrics (OAS TicketMetricObject), computed from its event timeline. Wait times
 * include the running status segment up to now, as Zendesk's live counters would.
 */
export function renderTicketMetric(ctx: RenderContext, ticket: ZTicket, stored: TicketTimeline): Json {
  const timeline: TicketTimeline = {
    ...stored,
    requesterWait: { ...stored.requesterWait },
    agentWait: { ...stored.agentWait },
    onHold: { ...stored.onHold },
  };
  if (timeline.currentStatus !== 'solved' && timeline.currentStatus !== 'closed') closeStatusSegment(timeline, Math.max(ctx.nowMs, timeline.statusSinceMs));
  const isMessaging = ticket.from_messaging_channel;
  return {
    url: resourceUrl(ctx.baseUrl, `ticket_metrics/${timeline.metricId}`),
    id: timeline.metricId,
    ticket_id: ticket.id,
    created_at: ticket.created_at,
    updated_at: isoSeconds(timeline.metricUpdatedMs),
    group_stations: timeline.groupStations,
    assignee_stations: timeline.assigneeStations,
    reopens: timeline.reopens,
    replies: timeline.replies,
    assignee_updated_at: iso(timeline.assigneeUpdatedMs),
    requester_updated_at: iso(timeline.requesterUpdatedMs),
    status_updated_at: isoSeconds(timeline.statusUpdatedMs),
    initially_assigned_at: iso(timeline.initiallyAssignedMs),
    assigned_at: iso(timeline.assignedMs),
    solved_at: iso(timeline.solvedMs),
    latest_comment_added_at: isoSeconds(timeline.latestCommentMs),
    custom_status_updated_at: isoSeconds(timeline.statusUpdatedMs),
    reply_time_in_minutes: span(timeline.createdMs, timeline.firstReplyMs),
    reply_time_in_seconds: {
      calendar:
        isMessaging && timeline.firstReplyMs !== null ? Math.floor((timeline.firstReplyMs - timeline.createdMs) / SECOND_MS) : null,
    },
    first_resolution_time_in_minutes: span(timeline.createdMs, timeline.firstSolvedMs),
    full_resolution_time_in_minutes: span(timeline.createdMs, timeline.solvedMs),
    agent_wait_time_in_minutes: durationJson(timeline.agentWait),
    requester_wait_time_in_minutes: durationJson(timeline.requesterWait),
    on_hold_time_in_minutes: durationJson(timeline.onHold),
  };
}
