/**
 * What the emulator keeps per account beyond the contract's `Account`: the facts ticket metrics
 * are computed from, the export index, id sequences and the account's fixed configuration
 * (groups, custom fields, custom statuses). Internal to the emulator.
 */
import type { Account, TicketStatus, ZUser } from '../contract.ts';
import type { ChangeIndex } from '../incremental-exports/change-index.ts';
import type { AuditLog } from './audits.ts';
import { businessMsBetween } from './business-time.ts';
import type { IdLayout } from './ids.ts';
import type { AccountSla } from './sla-policies.ts';

/** Calendar and business milliseconds spent in a set of statuses. */
export interface Duration {
  calendarMs: number;
  businessMs: number;
}

/**
 * The events a ticket's metrics are derived from (Zendesk's metrics are differences between
 * event timestamps: support.zendesk.com/hc/en-us/articles/4408834848154). Epoch ms; null until
 * the event happened.
 */
export interface TicketTimeline {
  metricId: number;
  createdMs: number;
  initiallyAssignedMs: number | null;
  assignedMs: number | null;
  /** First public comment by an agent. */
  firstReplyMs: number | null;
  firstSolvedMs: number | null;
  /** Latest solve. */
  solvedMs: number | null;
  statusUpdatedMs: number;
  latestCommentMs: number;
  requesterUpdatedMs: number | null;
  assigneeUpdatedMs: number | null;
  reopens: number;
  replies: number;
  assigneeStations: number;
  groupStations: number;
  /** Time waiting on the agent (new, open, hold), on the requester (pending), and on hold. */
  requesterWait: Duration;
  agentWait: Duration;
  onHold: Duration;
  /** The status whose time is still running, and since when. */
  currentStatus: TicketStatus;
  statusSinceMs: number;
  metricUpdatedMs: number;
}

export interface ZGroup {
  id: number;
  name: string;
  created_at: string;
  updated_at: string;
}

export interface TicketFieldDefinition {
  id: number;
  title: string;
  type: 'text' | 'tagger';
  /** Values of a drop-down ("tagger") field. */
  options: string[];
}

/** The next index of each id sequence (see ids.ts for how an index becomes an id; audits share the comment sequence). */
export interface IdSequences {
  ticket: number;
  user: number;
  comment: number;
  rating: number;
}

export interface AccountState {
  account: Account;
  timelines: Map<number, TicketTimeline>;
  /** Tickets by (generated_timestamp, id). */
  ticketIndex: ChangeIndex;
  /** Users and organizations by (updated_at, id); rebuilt lazily after a change. */
  userIndex: ChangeIndex | null;
  organizationIndex: ChangeIndex | null;
  usersByEmail: Map<string, ZUser>;
  groups: ZGroup[];
  ticketFields: TicketFieldDefinition[];
  customStatusIds: Record<TicketStatus, number>;
  brandId: number;
  /** The support address tickets are sent to (`recipient`). */
  supportAddress: string;
  ids: IdLayout;
  next: IdSequences;
  /** Every ticket's audits, generated history and API changes alike. */
  audits: AuditLog;
  /** Tickets archived ahead of the 120 days (the `/_emulator/archive` control). */
  archivedNow: Set<number>;
  /** Background jobs by id (`job_status`), e.g. merges. */
  jobStatuses: Map<string, JobStatus>;
  /** SLA policies, measures and ticket metric events (sla-policies.ts). */
  sla: AccountSla;
}

/** A background job as Show Job Status renders it (OAS JobStatusResponseExample). */
export interface JobStatus {
  id: string;
  status: 'queued' | 'working' | 'completed' | 'failed';
  total: number;
  progress: number;
  message: string | null;
  results: Array<Record<string, unknown>>;
}

/** "Zendesk automatically archives tickets 120 days after the ticket status changes to Closed" (docs/zendesk.md, Archived tickets). */
export const ARCHIVE_AFTER_CLOSED_MS = 120 * 24 * 60 * 60 * 1000;

/**
 * Archived tickets leave the list endpoints but stay in the incremental exports (docs/zendesk.md,
 * Archived tickets). A closed ticket's `statusUpdatedMs` is when it was closed.
 */
export function isArchived(state: AccountState, ticketId: number, nowMs: number): boolean {
  if (state.archivedNow.has(ticketId)) return true;
  const ticket = state.account.tickets.get(ticketId);
  const timeline = state.timelines.get(ticketId);
  return ticket?.status === 'closed' && timeline !== undefined && timeline.statusUpdatedMs + ARCHIVE_AFTER_CLOSED_MS <= nowMs;
}

export function statusBucket(status: TicketStatus): 'requester' | 'agent' | 'hold' | null {
  if (status === 'new' || status === 'open') return 'requester';
  if (status === 'pending') return 'agent';
  if (status === 'hold') return 'hold';
  return null; // solved, closed: no wait time accrues
}

function addTo(duration: Duration, fromMs: number, toMs: number): void {
  if (toMs <= fromMs) return;
  duration.calendarMs += toMs - fromMs;
  duration.businessMs += businessMsBetween(fromMs, toMs);
}

/** Closes the running status segment at `atMs` and adds it to the wait it belongs to. */
export function closeStatusSegment(timeline: TicketTimeline, atMs: number): void {
  const bucket = statusBucket(timeline.currentStatus);
  if (bucket === 'requester' || bucket === 'hold') addTo(timeline.requesterWait, timeline.statusSinceMs, atMs);
  if (bucket === 'agent') addTo(timeline.agentWait, timeline.statusSinceMs, atMs);
  if (bucket === 'hold') addTo(timeline.onHold, timeline.statusSinceMs, atMs);
  timeline.statusSinceMs = atMs;
}

/**
 * Records a status change at `atMs`: wait times, solve times and reopens ("each solve after the
 * first counts as one reopen", docs/zendesk.md, Ticket metrics).
 */
export function recordStatusChange(timeline: TicketTimeline, status: TicketStatus, atMs: number): void {
  if (status === timeline.currentStatus) return;
  closeStatusSegment(timeline, atMs);
  const wasSolved = timeline.currentStatus === 'solved' || timeline.currentStatus === 'closed';
  if (status === 'solved' || (status === 'closed' && !wasSolved)) {
    if (timeline.firstSolvedMs === null) timeline.firstSolvedMs = atMs;
    else if (!wasSolved) timeline.reopens += 1;
    timeline.solvedMs = atMs;
  }
  timeline.currentStatus = status;
  timeline.statusUpdatedMs = atMs;
  timeline.metricUpdatedMs = atMs;
}

export function newTimeline(metricId: number, createdMs: number, status: TicketStatus): TicketTimeline {
  const zero = (): Duration => ({ calendarMs: 0, businessMs: 0 });
  return {
    metricId,
    createdMs,
    initiallyAssignedMs: null,
    assignedMs: null,
    firstReplyMs: null,
    firstSolvedMs: null,
    solvedMs: null,
    statusUpdatedMs: createdMs,
    latestCommentMs: createdMs,
    requesterUpdatedMs: null,
    assigneeUpdatedMs: null,
    reopens: 0,
    replies: 0,
    assigneeStations: 0,
    groupStations: 0,
    requesterWait: zero(),
    agentWait: zero(),
    onHold: zero(),
    currentStatus: status,
    statusSinceMs: createdMs,
    metricUpdatedMs: createdMs,
  };
}
