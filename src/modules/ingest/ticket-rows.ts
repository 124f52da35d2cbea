/**
 * Zendesk payloads (an export page, a show_many answer) to the rows we store. Pure: the same
 * input always gives the same rows, whatever brought it (import, catch-up, webhook refresh).
 */
import { TICKET_PRIORITIES, TICKET_STATUSES } from '../../contracts/vocabulary.ts';
import { DEFAULT_ESCALATION_RULE, isEscalatedBy } from './escalation-rule.ts';
import type { ExportMetricSet, ExportOrganization, ExportPage, ExportTicket, ExportUser } from '../../zendesk/incremental-export.ts';

const STATUSES = new Set<string>(TICKET_STATUSES);
const PRIORITIES = new Set<string>(TICKET_PRIORITIES);
const TYPES = new Set(['problem', 'incident', 'question', 'task']);
const RATINGS = new Set(['offered', 'unoffered', 'good', 'bad']);

/** Keys match the columns of zendesk_tickets (see sync.repo.ts). */
export interface TicketRow {
  zendesk_ticket_id: number;
  subject: string | null;
  description: string | null;
  status: string;
  priority: string | null;
  ticket_type: string | null;
  requester_zendesk_id: number | null;
  requester_email: string | null;
  requester_name: string | null;
  assignee_zendesk_id: number | null;
  assignee_name: string | null;
  organization_zendesk_id: number | null;
  group_zendesk_id: number | null;
  tags: string[];
  custom_fields: Array<{ id: number; value: unknown }>;
  satisfaction_rating: string | null;
  satisfaction_rating_id: number | null;
  satisfaction_comment: string | null;
  sla_policy_metrics: unknown[] | null;
  via_channel: string | null;
  zendesk_created_at: string;
  zendesk_updated_at: string;
  generated_timestamp: number | null;
  resolved_at: string | null;
  escalated: boolean;
  first_resolution_minutes: number | null;
  full_resolution_minutes: number | null;
  full_resolution_business_minutes: number | null;
  first_reply_minutes: number | null;
  first_reply_business_minutes: number | null;
  reopens: number | null;
  /**
   * Whether the page carried the ticket's metric set. Without it (a page without the side-load; an
   * archived ticket), the stored Zendesk figures and solve time are kept, never erased.
   */
  has_metric_set: boolean;
}

export interface UserRow {
  zendesk_user_id: number;
  name: string | null;
  email: string | null;
  role: string | null;
  organization_zendesk_id: number | null;
  zendesk_updated_at: string | null;
}

export interface OrganizationRow {
  zendesk_organization_id: number;
  name: string;
  domain_names: string[];
  external_id: string | null;
  zendesk_updated_at: string | null;
}

export type UserLookup = (id: number) => { name: string | null; email: string | null } | undefined;

function oneOf(value: string | null | undefined, allowed: Set<string>): string | null {
  return value && allowed.has(value) ? value : null;
}

const minutes = (value: number | null | undefined): number | null => (typeof value === 'number' ? Math.round(value) : null);

export function toTicketRow(ticket: ExportTicket, users: UserLookup, metrics: ExportMetricSet | undefined): TicketRow {
  const solvedAt = metrics?.solved_at;
  const requester = ticket.requester_id === null ? undefined : users(ticket.requester_id);
  const assignee = ticket.assignee_id === null ? undefined : users(ticket.assignee_id);
  const rating = ticket.satisfaction_rating ?? null;
  const status = STATUSES.has(ticket.status) ? ticket.status : 'open';
  return {
    zendesk_ticket_id: ticket.id,
    subject: ticket.subject ?? null,
    description: ticket.description ?? null,
    status,
    priority: oneOf(ticket.priority, PRIORITIES),
    ticket_type: oneOf(ticket.type, TYPES),
    requester_zendesk_id: ticket.requester_id,
    requester_email: requester?.email?.toLowerCase() ?? null,
    requester_name: requester?.name ?? null,
    assignee_zendesk_id: ticket.assignee_id,
    assignee_name: assignee?.name ?? null,
    organization_zendesk_id: ticket.organization_id,
    group_zendesk_id: ticket.group_id,
    tags: ticket.tags,
    custom_fields: ticket.custom_fields,
    satisfaction_rating: oneOf(rating?.score?.toLowerCase(), RATINGS),
    satisfaction_rating_id: rating?.id ?? null,
    satisfaction_comment: rating?.comment ?? null,
    sla_policy_metrics: ticket.slas?.policy_metrics ?? null,
    via_channel: ticket.via ? String(ticket.via.channel) : null,
    zendesk_created_at: ticket.created_at,
    zendesk_updated_at: ticket.updated_at,
    generated_timestamp: ticket.generated_timestamp ?? null,
    // Zendesk's solve time; without a metric set the writer keeps the stored one (sync.repo.ts).
    resolved_at: status === 'solved' || status === 'closed' ? (solvedAt ?? null) : null,
    // The default rule; the writer applies the connection's own (escalation-rule.ts).
    escalated: isEscalatedBy(DEFAULT_ESCALATION_RULE, { priority: oneOf(ticket.priority, PRIORITIES), tags: ticket.tags, group_zendesk_id: ticket.group_id, custom_fields: ticket.custom_fields }),
    first_resolution_minutes: minutes(metrics?.first_resolution_time_in_minutes?.calendar),
    full_resolution_minutes: minutes(metrics?.full_resolution_time_in_minutes?.calendar),
    full_resolution_business_minutes: minutes(metrics?.full_resolution_time_in_minutes?.business),
    first_reply_minutes: minutes(metrics?.reply_time_in_minutes?.calendar),
    first_reply_business_minutes: minutes(metrics?.reply_time_in_minutes?.business),
    reopens: metrics?.reopens ?? null,
    has_metric_set: metrics !== undefined,
  };
}

export function toUserRow(user: ExportUser): UserRow {
  return {
    zendesk_user_id: user.id,
    name: user.name ?? null,
    email: user.email?.toLowerCase() ?? null,
    role: user.role ?? null,
    organization_zendesk_id: user.organization_id,
    zendesk_updated_at: user.updated_at ?? null,
  };
}

export function toOrganizationRow(organization: ExportOrganization): OrganizationRow {
  return {
    zendesk_organization_id: organization.id,
    name: organization.name,
    domain_names: organization.domain_names.map((d) => d.toLowerCase()),
    external_id: organization.external_id ?? null,
    zendesk_updated_at: organization.updated_at ?? null,
  };
}

/** A page's rows: its tickets, and the users and organizations it side-loads. */
export interface PageRows {
  tickets: TicketRow[];
  users: UserRow[];
  organizations: OrganizationRow[];
}

/**
 * The rows of one page. A ticket may appear twice in a page (changed while the export ran): the
 * newest version is kept, since one statement cannot upsert the same key twice.
 */
export function pageRows(page: Pick<ExportPage, 'tickets' | 'users' | 'organizations' | 'metric_sets'>, knownUsers?: UserLookup): PageRows {
  const users = new Map(page.users.map((u) => [u.id, { name: u.name ?? null, email: u.email ?? null }]));
  const lookup: UserLookup = (id) => users.get(id) ?? knownUsers?.(id);
  const metrics = new Map(page.metric_sets.map((m) => [m.ticket_id, m]));
  const newest = new Map<number, ExportTicket>();
  for (const ticket of page.tickets) {
    const seen = newest.get(ticket.id);
    if (!seen || (ticket.generated_timestamp ?? 0) >= (seen.generated_timestamp ?? 0)) newest.set(ticket.id, ticket);
  }
  return {
    tickets: [...newest.values()].map((t) => toTicketRow(t, lookup, metrics.get(t.id))),
    users: page.users.map(toUserRow),
    organizations: page.organizations.map(toOrganizationRow),
  };
}
