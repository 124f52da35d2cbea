/**
 * Users and Organizations APIs: users/me, users (list, show, show_many, their tickets),
 * organizations (list, show, show_many, their tickets and ticket count, their users).
 */
import type { FastifyInstance } from 'fastify';
import type { ZOrganization, ZUser } from '../../contract.ts';
import { recordNotFound } from '../../faults/errors.ts';
import { type ListOptions, type Query, paginate } from '../pagination.ts';
import { type Json, type RenderContext, renderOrganization, renderUser, resourceUrl } from '../render.ts';
import { includesOf } from '../sideloads.ts';
import { listableTickets, listedTickets, ticketsPage } from './tickets.ts';
import { API, type Services, countBody, guard, idList, idParam, queryOf, renderContextOf } from './support.ts';

type UserParams = { subdomain: string; user_id: string };
type UserTicketsParams = UserParams & { relation: string };
type OrganizationParams = { subdomain: string; organization_id: string };

const byIdOrUpdated = <T extends { id: number; updated_at: string }>(url: string): ListOptions<T> => ({
  url,
  defaultSort: 'id',
  presorted: true,
  cursorSorts: { id: (item) => item.id, updated_at: (item) => item.updated_at },
  offsetSorts: { id: (item) => item.id, updated_at: (item) => item.updated_at },
});

/**
 * GET users/me without credentials answers 200 with an anonymous user ([3P] live probe: "no
 * credentials -> 200 {"user":{"name":"Anonymous user",...}}"; OAS: "Allowed For: Anonymous users").
 */
function anonymousUser(): Json {
  return {
    id: null,
    url: null,
    name: 'Anonymous user',
    email: 'invalid@example.com',
    created_at: null,
    updated_at: null,
    time_zone: 'UTC',
    phone: null,
    photo: null,
    locale_id: 1,
    locale: 'en-US',
    organization_id: null,
    role: 'end-user',
    verified: false,
    authenticity_token: null,
  };
}

/** `role=agent` or `role[]=agent&role[]=admin` (OAS UserRoleFilter). */
function roleFilter(query: Query): Set<string> | null {
  const roles = [query.role, query['role[]']].flat().filter((value): value is string => typeof value === 'string');
  return roles.length > 0 ? new Set(roles) : null;
}

function userOr404(ctx: RenderContext, value: string): ZUser {
  const user = ctx.state.account.users.get(idParam(value));
  if (!user) throw recordNotFound();
  return user;
}

function organizationOr404(ctx: RenderContext, value: string): ZOrganization {
  const organization = ctx.state.account.organizations.get(idParam(value));
  if (!organization) throw recordNotFound();
  return organization;
}

/** Users side-load their organizations with `include=organizations`. */
function usersBody(ctx: RenderContext, users: ZUser[], query: Query): Json {
  const body: Json = { users: users.map((user) => renderUser(ctx, user)) };
  if (includesOf(query).has('organizations')) {
    const ids = new Set(users.flatMap((user) => (user.organization_id === null ? [] : [user.organization_id])));
    body.organizations = [...ids].flatMap((id) => {
      const organization = ctx.state.account.organizations.get(id);
      return organization ? [renderOrganization(ctx, organization)] : [];
    });
  }
  return body;
}

export function registerPeopleRoutes(app: FastifyInstance, services: Services): void {
  const forUsers = guard(services, 'agent', 'users');
  const forOrganizations = guard(services, 'agent', 'organizations');
  const forTickets = guard(services, 'agent', 'tickets');

  app.get(`${API}/users/me`, async (request, reply) => {
    if (!request.headers.authorization) return { user: anonymousUser() };
    await services.ctx.authenticate(request, reply);
    const ctx = renderContextOf(services, request);
    return { user: renderUser(ctx, request.zendeskAuth!.user) };
  });

  app.get(`${API}/users`, { preHandler: forUsers }, async (request) => {
    const ctx = renderContextOf(services, request);
    const query = queryOf(request);
    const roles = roleFilter(query);
    const users = [...ctx.state.account.users.values()].filter((user) => !roles || roles.has(user.role));
    const page = paginate(users, query, byIdOrUpdated<ZUser>(resourceUrl(ctx.baseUrl, 'users')));
    return { ...usersBody(ctx, page.items, query), ...page.envelope };
  });

  app.get(`${API}/users/show_many`, { preHandler: forUsers }, async (request) => {
    const ctx = renderContextOf(services, request);
    const query = queryOf(request);
    const users = idList(query).flatMap((id) => {
      const user = ctx.state.account.users.get(id);
      return user ? [user] : [];
    });
    return usersBody(ctx, users, query);
  });

  app.get<{ Params: UserParams }>(`${API}/users/:user_id`, { preHandler: forUsers }, async (request) => {
    const ctx = renderContextOf(services, request);
    return { user: renderUser(ctx, userOr404(ctx, request.params.user_id)) };
  });

  // users/{id}/tickets/requested|assigned|ccd (OAS ListTickets variants).
  app.get<{ Params: UserTicketsParams }>(`${API}/users/:user_id/tickets/:relation`, { preHandler: forTickets }, async (request) => {
    const ctx = renderContextOf(services, request);
    const user = userOr404(ctx, request.params.user_id);
    const relation = request.params.relation;
    const keep =
      relation === 'requested'
        ? (t: { requester_id: number }) => t.requester_id === user.id
        : relation === 'assigned'
          ? (t: { assignee_id: number | null }) => t.assignee_id === user.id
          : relation === 'ccd'
            ? (t: { collaborator_ids: number[] }) => t.collaborator_ids.includes(user.id)
            : null;
    if (!keep) throw recordNotFound();
    const query = queryOf(request);
    return ticketsPage(ctx, listedTickets(ctx, query, keep), query, resourceUrl(ctx.baseUrl, `users/${user.id}/tickets/${relation}`));
  });

  app.get(`${API}/organizations`, { preHandler: forOrganizations }, async (request) => {
    const ctx = renderContextOf(services, request);
    const query = queryOf(request);
    const organizations = [...ctx.state.account.organizations.values()];
    const page = paginate(organizations, query, byIdOrUpdated<ZOrganization>(resourceUrl(ctx.baseUrl, 'organizations')));
    return { organizations: page.items.map((org) => renderOrganization(ctx, org)), ...page.envelope };
  });

  app.get(`${API}/organizations/show_many`, { preHandler: forOrganizations }, async (request) => {
    const ctx = renderContextOf(services, request);
    const organizations = idList(queryOf(request)).flatMap((id) => {
      const organization = ctx.state.account.organizations.get(id);
      return organization ? [renderOrganization(ctx, organization)] : [];
    });
    return { organizations };
  });

  app.get<{ Params: OrganizationParams }>(`${API}/organizations/:organization_id`, { preHandler: forOrganizations }, async (request) => {
    const ctx = renderContextOf(services, request);
    return { organization: renderOrganization(ctx, organizationOr404(ctx, request.params.organization_id)) };
  });

  app.get<{ Params: OrganizationParams }>(`${API}/organizations/:organization_id/tickets`, { preHandler: forTickets }, async (request) => {
    const ctx = renderContextOf(services, request);
    const organization = organizationOr404(ctx, request.params.organization_id);
    const query = queryOf(request);
    const tickets = listedTickets(ctx, query, (ticket) => ticket.organization_id === organization.id);
    return ticketsPage(ctx, tickets, query, resourceUrl(ctx.baseUrl, `organizations/${organization.id}/tickets`));
  });

  app.get<{ Params: OrganizationParams }>(`${API}/organizations/:organization_id/tickets/count`, { preHandler: forTickets }, async (request) => {
    const ctx = renderContextOf(services, request);
    const organization = organizationOr404(ctx, request.params.organization_id);
    const count = listableTickets(ctx.state, {}, (ticket) => ticket.organization_id === organization.id).length;
    return countBody(count, ctx.nowMs);
  });

  app.get<{ Params: OrganizationParams }>(`${API}/organizations/:organization_id/users`, { preHandler: forUsers }, async (request) => {
    const ctx = renderContextOf(services, request);
    const organization = organizationOr404(ctx, request.params.organization_id);
    const query = queryOf(request);
    const users = [...ctx.state.account.users.values()].filter((user) => user.organization_id === organization.id);
    const page = paginate(users, query, byIdOrUpdated<ZUser>(resourceUrl(ctx.baseUrl, `organizations/${organization.id}/users`)));
    return { ...usersBody(ctx, page.items, query), ...page.envelope };
  });
}
