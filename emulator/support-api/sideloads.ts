/**
 * Side-loading (`?include=users,organizations,...`): related records come back as top-level
 * arrays keyed by resource (developer.zendesk.com side_loading page; docs/zendesk.md).
 * Ticket side-loads supported here: users, organizations, groups, metric_sets (top-level arrays),
 * slas and comment_count (added to each ticket). Unknown names are ignored.
 */
import type { ZTicket } from '../contract.ts';
import { type Json, type RenderContext, renderGroup, renderOrganization, renderSlas, renderTicketMetric, renderUser } from './render.ts';

export function includesOf(query: Record<string, unknown>): Set<string> {
  const raw = query.include;
  const value = Array.isArray(raw) ? raw.join(',') : typeof raw === 'string' ? raw : '';
  return new Set(value.split(',').map((name) => name.trim()).filter(Boolean));
}

function usersOf(tickets: readonly ZTicket[]): Set<number> {
  const ids = new Set<number>();
  for (const ticket of tickets) {
    ids.add(ticket.requester_id);
    ids.add(ticket.submitter_id);
    if (ticket.assignee_id !== null) ids.add(ticket.assignee_id);
    for (const id of ticket.collaborator_ids) ids.add(id);
  }
  return ids;
}

/** Adds per-ticket side-loads to the rendered tickets and top-level ones to `body`. */
export function sideloadTickets(ctx: RenderContext, tickets: readonly ZTicket[], rendered: Json[], include: Set<string>, body: Json): void {
  const { account } = ctx.state;
  if (include.has('slas') || include.has('comment_count')) {
    tickets.forEach((ticket, index) => {
      const target = rendered[index];
      if (!target) return;
      if (include.has('slas')) target.slas = renderSlas(ticket, ctx.nowMs);
      if (include.has('comment_count')) target.comment_count = account.comments.get(ticket.id)?.length ?? 0;
    });
  }
  if (include.has('users')) {
    body.users = [...usersOf(tickets)].flatMap((id) => {
      const user = account.users.get(id);
      return user ? [renderUser(ctx, user)] : [];
    });
  }
  if (include.has('organizations')) {
    const ids = new Set(tickets.flatMap((ticket) => (ticket.organization_id === null ? [] : [ticket.organization_id])));
    body.organizations = [...ids].flatMap((id) => {
      const organization = account.organizations.get(id);
      return organization ? [renderOrganization(ctx, organization)] : [];
    });
  }
  if (include.has('groups')) {
    const ids = new Set(tickets.map((ticket) => ticket.group_id));
    body.groups = ctx.state.groups.filter((group) => ids.has(group.id)).map((group) => renderGroup(ctx, group));
  }
  if (include.has('metric_sets')) {
    body.metric_sets = tickets.flatMap((ticket) => {
      const timeline = ctx.state.timelines.get(ticket.id);
      return timeline && !ticket.deleted ? [renderTicketMetric(ctx, ticket, timeline)] : [];
    });
  }
}
