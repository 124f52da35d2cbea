/**
 * The product's vocabulary, defined once for the server, the CLI and the web UI: Zendesk's ticket
 * statuses and priorities (docs/zendesk.md), our alert types and user roles. SQL has the same
 * facts once too (migrations/0018_vocabulary.sql: ticket_is_open, ticket_is_solved,
 * ticket_priority_rank), held equal to these lists by src/contracts/vocabulary.int.test.ts.
 */

/** Zendesk's statuses, plus `deleted` for a ticket Zendesk deleted (kept, counted nowhere). */
export const TICKET_STATUSES = ['new', 'open', 'pending', 'hold', 'solved', 'closed', 'deleted'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];

/** A ticket is open until it is solved: what "open tickets" count and `status=open` lists. */
export const OPEN_STATUSES = ['new', 'open', 'pending', 'hold'] as const satisfies readonly TicketStatus[];
export const SOLVED_STATUSES = ['solved', 'closed'] as const satisfies readonly TicketStatus[];

/** Zendesk's priorities, most urgent first (the order every list and sort uses). */
export const TICKET_PRIORITIES = ['urgent', 'high', 'normal', 'low'] as const;
export type TicketPriority = (typeof TICKET_PRIORITIES)[number];

/** 4 for urgent down to 1 for low, 0 without a priority: higher is more urgent. */
export function priorityRank(priority: string | null | undefined): number {
  const index = (TICKET_PRIORITIES as readonly string[]).indexOf(priority ?? '');
  return index < 0 ? 0 : TICKET_PRIORITIES.length - index;
}

export function isOpenStatus(status: string): boolean {
  return (OPEN_STATUSES as readonly string[]).includes(status);
}

/**
 * The tag Zendesk adds to a ticket closed by a merge into another (a merge source): such a ticket
 * is not a resolution, not a new ticket in a spike and not an escalation (docs/metrics.md).
 */
export const MERGE_SOURCE_TAG = 'closed_by_merge';
export function isMergeSource(tags: readonly string[] | null | undefined): boolean {
  return tags?.includes(MERGE_SOURCE_TAG) ?? false;
}

export const ALERT_TYPES = ['escalation', 'sla_breach', 'ticket_spike', 'negative_csat'] as const;
export type AlertType = (typeof ALERT_TYPES)[number];

export const ROLES = ['admin', 'leader', 'csm'] as const;
export type Role = (typeof ROLES)[number];
