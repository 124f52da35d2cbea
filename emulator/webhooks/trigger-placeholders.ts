/**
 * Zendesk placeholders (`{{ticket.id}}`, …) for trigger webhook bodies
 * (support.zendesk.com article 4408886858138 "Zendesk placeholders reference"; the names follow it
 * and the ACE Zendesk-mode placeholder list). "When a placeholder is sent to a URL target or
 * webhook, unformatted text is used". Rendering rules where the reference is silent:
 * - ticket.status / priority / ticket_type render as their English titles ("Open", "High",
 *   "Question"; the reference: "Ticket type (Question, Incident, Problem, Task)"); none is "".
 * - *_with_timestamp follow the reference's example `2013-12-12T05:35Z` (UTC, minutes).
 * - ticket.created_at / updated_at render like "May 18, 2014" (reference: "May18, 2014").
 * - ticket.url is the agent URL without protocol, ticket.url_with_protocol / ticket.link with it.
 * - ticket.tags is the space-separated tag list.
 * - An unknown or empty placeholder renders "" (Liquid's nil); Liquid tags ({% %}) are not run.
 */
import type { Account, ZComment, ZOrganization, ZTicket, ZUser } from '../contract.ts';

export interface PlaceholderContext {
  account: Account;
  ticket: ZTicket;
  /** The user making the change (`current_user`). */
  actorId: number;
  /** The comment added by the change, if any (the latest comment). */
  comment: ZComment | null;
  /** e.g. http://127.0.0.1:4010/acme */
  baseUrl: string;
}

const STATUS_TITLES: Record<string, string> = { new: 'New', open: 'Open', pending: 'Pending', hold: 'On-hold', solved: 'Solved', closed: 'Closed' };
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const VIA_TITLES: Record<string, string> = { api: 'Web Service', web: 'Web Form', email: 'Mail', chat: 'Chat', mobile: 'Mobile' };

function titleCase(value: string | null): string {
  return value ? value[0]?.toUpperCase() + value.slice(1) : '';
}

function withTimestamp(iso: string | null): string {
  if (!iso) return '';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? '' : date.toISOString().slice(0, 16) + 'Z';
}

function longDate(iso: string | null): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  return `${MONTHS[date.getUTCMonth()]} ${date.getUTCDate()}, ${date.getUTCFullYear()}`;
}

function organizationValue(org: ZOrganization | undefined, property: string): string | undefined {
  if (!org) return '';
  switch (property) {
    case 'id':
      return String(org.id);
    case 'name':
      return org.name;
    case 'external_id':
      return org.external_id ?? '';
    case 'details':
      return org.details ?? '';
    case 'notes':
      return org.notes ?? '';
    case 'tags':
      return org.tags.join(' ');
    case 'is_shared':
      return String(org.shared_tickets);
    case 'is_shared_comments':
      return String(org.shared_comments);
    default:
      return undefined;
  }
}

function userValue(account: Account, user: ZUser | undefined, path: string[]): string | undefined {
  if (!user) return '';
  const [property, ...rest] = path;
  const names = user.name.split(/\s+/);
  switch (property) {
    case undefined:
    case 'name':
      return user.name;
    case 'first_name':
      return names[0] ?? '';
    case 'last_name':
      return names.length > 1 ? names.slice(1).join(' ') : '';
    case 'email':
      return user.email ?? '';
    case 'id':
      return String(user.id);
    case 'phone':
      return user.phone ?? '';
    case 'external_id':
      return user.external_id ?? '';
    case 'language':
    case 'locale':
      return user.locale;
    case 'time_zone':
      return user.time_zone;
    case 'role':
      return user.role;
    case 'tags':
      return user.tags.join(' ');
    case 'details':
    case 'notes':
    case 'signature':
      return '';
    case 'organization':
      return organizationValue(user.organization_id === null ? undefined : account.organizations.get(user.organization_id), rest[0] ?? 'name');
    case 'custom_fields':
      return rest[0] === undefined ? undefined : stringify(user.user_fields[rest[0]]);
    default:
      return undefined;
  }
}

function stringify(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map(stringify).join(' ');
  return String(value);
}

function latestComment(context: PlaceholderContext, publicOnly: boolean): ZComment | undefined {
  if (context.comment && (!publicOnly || context.comment.public)) return context.comment;
  const comments = context.account.comments.get(context.ticket.id) ?? [];
  return [...comments].reverse().find((comment) => !publicOnly || comment.public);
}

function commentValue(context: PlaceholderContext, comment: ZComment | undefined, path: string[]): string | undefined {
  if (!comment) return '';
  const [property, ...rest] = path;
  switch (property) {
    case undefined:
    case 'value':
      return comment.body;
    case 'id':
      return String(comment.id);
    case 'is_public':
      return String(comment.public);
    case 'created_at':
      return longDate(comment.created_at);
    case 'created_at_with_time':
      return withTimestamp(comment.created_at);
    case 'author':
      return userValue(context.account, context.account.users.get(comment.author_id), rest);
    default:
      return undefined;
  }
}

function ticketUrlWithProtocol(context: PlaceholderContext): string {
  return `${context.baseUrl}/agent/tickets/${context.ticket.id}`;
}

function customFieldValue(ticket: ZTicket, id: string): string {
  return stringify(ticket.custom_fields.find((field) => String(field.id) === id)?.value);
}

/** The rendered value of one placeholder path (without braces), or undefined when unknown. */
export function resolvePlaceholder(path: string, context: PlaceholderContext): string | undefined {
  const { ticket, account } = context;
  const parts = path.split('.');
  if (parts[0] === 'current_user') return userValue(account, account.users.get(context.actorId), parts.slice(1));
  if (parts[0] === 'satisfaction') return '';
  if (parts[0] !== 'ticket') return undefined;
  const [property, ...rest] = parts.slice(1);
  const fieldMatch = /^ticket_field_(option_title_)?(\d+)$/.exec(property ?? '');
  if (fieldMatch?.[2]) return customFieldValue(ticket, fieldMatch[2]);
  switch (property) {
    case 'id':
      return String(ticket.id);
    case 'title':
      return ticket.subject ?? '';
    case 'description':
      return ticket.description;
    case 'status':
      return ticket.deleted ? 'Deleted' : STATUS_TITLES[ticket.status] ?? ticket.status;
    case 'priority':
      return titleCase(ticket.priority);
    case 'ticket_type':
      return titleCase(ticket.type);
    case 'external_id':
      return ticket.external_id ?? '';
    case 'tags':
      return ticket.tags.join(' ');
    case 'url':
      return ticketUrlWithProtocol(context).replace(/^[a-z]+:\/\//, '');
    case 'url_with_protocol':
    case 'link':
      return ticketUrlWithProtocol(context);
    case 'created_at':
      return longDate(ticket.created_at);
    case 'created_at_with_timestamp':
      return withTimestamp(ticket.created_at);
    case 'updated_at':
      return longDate(ticket.updated_at);
    case 'updated_at_with_timestamp':
      return withTimestamp(ticket.updated_at);
    case 'due_date':
      return longDate(ticket.due_at);
    case 'due_date_with_timestamp':
      return withTimestamp(ticket.due_at);
    case 'via':
      return VIA_TITLES[ticket.via.channel] ?? titleCase(ticket.via.channel);
    case 'account':
      return account.subdomain;
    case 'requester':
      return userValue(account, account.users.get(ticket.requester_id), rest);
    case 'submitter':
      return userValue(account, account.users.get(ticket.submitter_id), rest);
    case 'assignee':
      return userValue(account, ticket.assignee_id === null ? undefined : account.users.get(ticket.assignee_id), rest);
    case 'organization':
      return organizationValue(ticket.organization_id === null ? undefined : account.organizations.get(ticket.organization_id), rest[0] ?? 'name');
    case 'group':
    case 'brand':
      // Groups and brands are not modeled by the emulator: their names render empty.
      return '';
    case 'latest_comment':
      return commentValue(context, latestComment(context, false), rest);
    case 'latest_public_comment':
      return commentValue(context, latestComment(context, true), rest);
    case 'in_business_hours':
      return 'true';
    default:
      return undefined;
  }
}

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_.]+)\s*\}\}/g;

/** Replaces every `{{path}}`, passing each value through `escape` (e.g. JSON string escaping). */
export function renderPlaceholders(template: string, context: PlaceholderContext, escape: (value: string) => string = (value) => value): string {
  return template.replace(PLACEHOLDER, (_match, path: string) => escape(resolvePlaceholder(path, context) ?? ''));
}

/** Escapes a value for use inside a JSON string literal. */
export function jsonStringEscape(value: string): string {
  return JSON.stringify(value).slice(1, -1);
}

export function xmlEscape(value: string): string {
  return value.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&apos;');
}
