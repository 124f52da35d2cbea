/**
 * Reads the `ticket` object of Create Ticket / Update Ticket requests (OAS TicketCreateRequest,
 * TicketUpdateRequest) into a normalized change set, and validates it against the account the way
 * Zendesk answers: 422 RecordInvalid with problems keyed by field. The exact wording of each
 * problem is UNCONFIRMED (no official example); the shape follows [3P] captures (see ../faults/errors.ts).
 */
import { z } from 'zod';
import type { TicketPriority, TicketStatus, TicketType, ZTicket, ZUser } from '../contract.ts';
import { type FieldProblem, ZendeskHttpError, recordInvalid } from '../faults/errors.ts';
import type { AccountState } from './state.ts';

const STATUSES = ['new', 'open', 'pending', 'hold', 'solved', 'closed'] as const;
const PRIORITIES = ['urgent', 'high', 'normal', 'low'] as const;
const TYPES = ['problem', 'incident', 'question', 'task'] as const;

const id = z.number().int().positive();
const customFieldList = z.array(z.object({ id: z.coerce.number().int(), value: z.unknown() }));

/** Loose on purpose: values are checked below so bad ones become RecordInvalid, not a 400. */
const ticketBody = z.object({
  subject: z.string().nullable().optional(),
  raw_subject: z.string().nullable().optional(),
  description: z.string().optional(),
  comment: z
    .object({
      body: z.string().optional(),
      html_body: z.string().optional(),
      public: z.boolean().optional(),
      author_id: id.nullable().optional(),
    })
    .optional(),
  requester_id: id.optional(),
  requester: z
    .union([
      z.string(),
      z.number(),
      z.object({ name: z.string().optional(), email: z.string().optional(), locale_id: z.number().optional(), organization_id: z.number().optional() }),
    ])
    .optional(),
  submitter_id: id.optional(),
  assignee_id: id.nullable().optional(),
  assignee_email: z.string().optional(),
  group_id: id.nullable().optional(),
  organization_id: id.nullable().optional(),
  priority: z.string().nullable().optional(),
  status: z.string().optional(),
  type: z.string().nullable().optional(),
  tags: z.union([z.array(z.string()), z.string()]).optional(),
  custom_fields: customFieldList.optional(),
  fields: z.union([customFieldList, z.record(z.string(), z.unknown())]).optional(),
  external_id: z.string().nullable().optional(),
  due_at: z.string().nullable().optional(),
  collaborator_ids: z.array(id).optional(),
  safe_update: z.union([z.boolean(), z.string()]).optional(),
  updated_stamp: z.string().optional(),
});

export const ticketRequestBody = z.object({ ticket: ticketBody });
export type TicketBody = z.infer<typeof ticketBody>;

export interface NewRequester {
  name: string | null;
  email: string;
}

/** What a create or update asks for, after validation. Absent keys: unchanged. */
export interface TicketChanges {
  subject?: string | null;
  comment?: { body: string; public: boolean | null; authorId: number | null };
  requesterId?: number;
  newRequester?: NewRequester;
  submitterId?: number;
  assigneeId?: number | null;
  groupId?: number | null;
  organizationId?: number | null;
  priority?: TicketPriority | null;
  status?: TicketStatus;
  type?: TicketType | null;
  tags?: string[];
  customFields?: Array<{ id: number; value: unknown }>;
  externalId?: string | null;
  dueAt?: string | null;
  collaboratorIds?: number[];
  /** safe_update with updated_stamp: refuse if the ticket changed since (documented 409). */
  updatedStamp?: string;
}

function label(field: string): string {
  const words = field.replace(/_id$/, '').replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

class Problems {
  readonly byField: Record<string, FieldProblem[]> = {};
  add(field: string, description: string, error = 'InvalidValue'): void {
    (this.byField[field] ??= []).push({ description, error });
  }
  invalid(field: string): void {
    this.add(field, `${label(field)}: is invalid`);
  }
  throwIfAny(): void {
    if (Object.keys(this.byField).length > 0) throw recordInvalid(this.byField);
  }
}

/**
 * Tags: "Tags are case-insensitive" and a space separates two tags; the emulator stores them
 * lower-cased and de-duplicated (UNCONFIRMED whether Zendesk keeps the original case).
 */
export function normalizeTags(tags: string[] | string): string[] {
  const list = Array.isArray(tags) ? tags : [tags];
  const out: string[] = [];
  for (const tag of list.flatMap((t) => t.split(/[\s,]+/))) {
    const clean = tag.trim().toLowerCase();
    if (clean && !out.includes(clean)) out.push(clean);
  }
  return out;
}

function isOneOf<T extends string>(values: readonly T[], value: string): value is T {
  return (values as readonly string[]).includes(value);
}

function staffUser(state: AccountState, userId: number): ZUser | null {
  const user = state.account.users.get(userId);
  return user && user.role !== 'end-user' && user.active ? user : null;
}

function readCustomFields(state: AccountState, body: TicketBody): Array<{ id: number; value: unknown }> | undefined {
  let list: Array<{ id: number; value: unknown }> | undefined = body.custom_fields;
  if (!list && body.fields) {
    list = Array.isArray(body.fields) ? body.fields : Object.entries(body.fields).map(([key, value]) => ({ id: Number(key), value }));
  }
  // Unknown field ids are ignored (UNCONFIRMED; Zendesk documents no error for them).
  return list?.filter((field) => state.ticketFields.some((known) => known.id === field.id));
}

/** Reads and validates the body of Create Ticket. */
export function readTicketCreate(state: AccountState, body: TicketBody, actor: ZUser): TicketChanges {
  const problems = new Problems();
  const changes = readCommon(state, body, problems, null);
  const text = body.comment?.body ?? body.comment?.html_body ?? body.description;
  if (text === undefined || text.trim() === '') {
    problems.add('base', 'Description: cannot be blank', 'BlankValue');
  } else {
    changes.comment = { body: text, public: body.comment?.public ?? true, authorId: body.comment?.author_id ?? null };
  }
  if (body.requester_id === undefined && body.requester === undefined) changes.requesterId = actor.id;
  problems.throwIfAny();
  return changes;
}

/** Reads and validates the body of Update Ticket against the ticket's current state. */
export function readTicketUpdate(state: AccountState, body: TicketBody, ticket: ZTicket): TicketChanges {
  const problems = new Problems();
  // A closed ticket is frozen ([3P] live probe: 422 with details.status "closed prevents ticket update").
  if (ticket.status === 'closed') {
    throw recordInvalid({ status: [{ description: 'closed prevents ticket update' }] });
  }
  const changes = readCommon(state, body, problems, ticket);
  const text = body.comment?.body ?? body.comment?.html_body;
  if (body.comment && (text === undefined || text.trim() === '')) problems.add('comment', 'Comment: cannot be blank', 'BlankValue');
  else if (text !== undefined) changes.comment = { body: text, public: body.comment?.public ?? null, authorId: body.comment?.author_id ?? null };
  // "Once a New ticket's status has been changed, it can never be set back to New" (docs/zendesk.md).
  if (changes.status === 'new' && ticket.status !== 'new') problems.invalid('status');
  if (body.safe_update !== undefined && body.safe_update !== false && body.updated_stamp !== undefined) changes.updatedStamp = body.updated_stamp;
  problems.throwIfAny();
  return changes;
}

function readCommon(state: AccountState, body: TicketBody, problems: Problems, ticket: ZTicket | null): TicketChanges {
  const changes: TicketChanges = {};
  if (body.subject !== undefined || body.raw_subject !== undefined) changes.subject = body.raw_subject ?? body.subject ?? null;
  if (body.status !== undefined) {
    if (isOneOf(STATUSES, body.status)) changes.status = body.status;
    else problems.invalid('status');
  }
  if (body.priority !== undefined) {
    if (body.priority === null || body.priority === '') changes.priority = null;
    else if (isOneOf(PRIORITIES, body.priority)) changes.priority = body.priority;
    else problems.invalid('priority');
  }
  if (body.type !== undefined) {
    if (body.type === null || body.type === '') changes.type = null;
    else if (isOneOf(TYPES, body.type)) changes.type = body.type;
    else problems.invalid('type');
  }
  if (body.requester_id !== undefined) {
    if (state.account.users.has(body.requester_id)) changes.requesterId = body.requester_id;
    else problems.invalid('requester_id');
  } else if (body.requester !== undefined) {
    readRequester(state, body.requester, problems, changes);
  }
  if (body.submitter_id !== undefined) {
    if (state.account.users.has(body.submitter_id)) changes.submitterId = body.submitter_id;
    else problems.invalid('submitter_id');
  }
  if (body.assignee_email !== undefined) {
    const user = state.usersByEmail.get(body.assignee_email.toLowerCase());
    if (user && staffUser(state, user.id)) changes.assigneeId = user.id;
    else problems.invalid('assignee_id');
  } else if (body.assignee_id !== undefined) {
    if (body.assignee_id === null || staffUser(state, body.assignee_id)) changes.assigneeId = body.assignee_id;
    else problems.invalid('assignee_id');
  }
  if (body.group_id !== undefined) {
    if (body.group_id === null || state.groups.some((group) => group.id === body.group_id)) changes.groupId = body.group_id;
    else problems.invalid('group_id');
  }
  if (body.organization_id !== undefined) {
    // "You can only specify the ID of an organization associated with the requester" (OAS TicketObject).
    const requesterId = changes.requesterId ?? ticket?.requester_id;
    const requester = requesterId !== undefined ? state.account.users.get(requesterId) : undefined;
    if (body.organization_id === null || (requester && requester.organization_id === body.organization_id)) changes.organizationId = body.organization_id;
    else problems.invalid('organization_id');
  }
  if (body.tags !== undefined) changes.tags = normalizeTags(body.tags);
  const customFields = readCustomFields(state, body);
  if (customFields) changes.customFields = customFields;
  if (body.external_id !== undefined) changes.externalId = body.external_id;
  if (body.due_at !== undefined) {
    if (body.due_at === null || !Number.isNaN(Date.parse(body.due_at))) changes.dueAt = body.due_at;
    else problems.invalid('due_at');
  }
  if (body.collaborator_ids !== undefined) {
    if (body.collaborator_ids.every((userId) => state.account.users.has(userId))) changes.collaboratorIds = body.collaborator_ids;
    else problems.invalid('collaborator_ids');
  }
  const finalStatus = changes.status ?? ticket?.status;
  const finalAssignee = changes.assigneeId !== undefined ? changes.assigneeId : (ticket?.assignee_id ?? null);
  // [3P] live capture: `details.base: "Assignee: is required when solving a ticket"`.
  if ((finalStatus === 'solved' || finalStatus === 'closed') && finalAssignee === null) {
    problems.add('base', 'Assignee: is required when solving a ticket');
  }
  return changes;
}

function readRequester(state: AccountState, requester: NonNullable<TicketBody['requester']>, problems: Problems, changes: TicketChanges): void {
  if (typeof requester === 'number') {
    if (state.account.users.has(requester)) changes.requesterId = requester;
    else problems.invalid('requester_id');
    return;
  }
  const email = typeof requester === 'string' ? requester : requester.email;
  const name = typeof requester === 'string' ? null : (requester.name ?? null);
  if (!email || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) {
    problems.add('requester', 'Requester: Email is invalid');
    return;
  }
  const existing = state.usersByEmail.get(email.toLowerCase());
  if (existing) changes.requesterId = existing.id;
  else changes.newRequester = { name, email };
}

/** `{"satisfaction_rating": {"score": "good"|"bad", "comment"?, "reason_code"?}}` (OAS). */
export const satisfactionRatingBody = z.object({
  satisfaction_rating: z.object({
    score: z.string(),
    comment: z.string().nullable().optional(),
    reason_code: z.number().int().optional(),
  }),
});

export function readRating(body: unknown): { score: 'good' | 'bad'; comment: string | null } {
  const parsed = satisfactionRatingBody.safeParse(body);
  if (!parsed.success) throw recordInvalid({ score: [{ description: 'Score: is invalid', error: 'InvalidValue' }] });
  const { score, comment } = parsed.data.satisfaction_rating;
  // "Only 'good' and 'bad' are valid values for the score when creating a rating. Other states,
  // like 'offered', are not valid and will result in a 422 error" (OAS CreateTicketSatisfactionRating).
  if (score !== 'good' && score !== 'bad') throw recordInvalid({ score: [{ description: 'Score: is invalid', error: 'InvalidValue' }] });
  return { score, comment: comment ?? null };
}

export function isZendeskError(error: unknown): error is ZendeskHttpError {
  return error instanceof ZendeskHttpError;
}
