/**
 * Authentication and authorization as Zendesk does them.
 *
 * - API token: `Authorization: Basic base64("{email}/token:{api_token}")`
 *   (support.zendesk.com/hc/en-us/articles/115000510267). The token is account-wide: any active,
 *   verified user's email with it authenticates as that user, with that user's role
 *   (support.zendesk.com "Are API tokens user specific or account wide?"; service-user article:
 *   the email must be verified).
 * - OAuth: `Authorization: Bearer <access_token>` checked by the OAuth server.
 *   `X-On-Behalf-Of: <email or id>` lets an admin token with the `impersonate` scope act as an
 *   end user ("Making API requests on behalf of end users"); an unknown user fails as invalid_token.
 * - Failures: 401 `{"error":"Couldn't authenticate you"}` for Basic, 401 invalid_token for Bearer.
 * - Scopes: `read` opens GET endpoints, `write` POST/PUT/DELETE; `tickets:read` etc. open one
 *   resource (OAS, OAuth Tokens "scopes").
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthenticatedUser, OAuthVerifier, ZUser } from '../contract.ts';
import { couldNotAuthenticate, forbidden, invalidToken, missingScope } from '../faults/errors.ts';
import type { AccountState } from './state.ts';

export type Role = 'end-user' | 'agent' | 'admin';
export type ScopedResource = 'tickets' | 'users' | 'organizations' | null;

export function subdomainOf(request: FastifyRequest): string {
  const params = request.params as { subdomain?: string } | undefined;
  return params?.subdomain ?? request.url.split('/')[1] ?? '';
}

function canSignIn(user: ZUser | undefined): user is ZUser {
  return user !== undefined && user.active && !user.suspended;
}

function basicUser(state: AccountState, encoded: string): ZUser | null {
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  const login = decoded.slice(0, colon);
  const secret = decoded.slice(colon + 1);
  // Password authentication is being retired and the emulator has no passwords: only tokens.
  if (!login.endsWith('/token') || secret !== state.account.api_token) return null;
  const user = state.usersByEmail.get(login.slice(0, -'/token'.length).toLowerCase());
  return canSignIn(user) && user.verified ? user : null;
}

function impersonated(state: AccountState, onBehalfOf: string): ZUser | null {
  const byId = /^\d+$/.test(onBehalfOf) ? state.account.users.get(Number(onBehalfOf)) : undefined;
  const user = byId ?? state.usersByEmail.get(onBehalfOf.toLowerCase());
  return canSignIn(user) ? user : null;
}

export function createAuthenticator(
  accounts: Map<string, AccountState>,
  oauth: () => OAuthVerifier,
): (request: FastifyRequest, reply: FastifyReply) => Promise<void> {
  return async (request) => {
    const subdomain = subdomainOf(request);
    const state = accounts.get(subdomain);
    if (!state) throw couldNotAuthenticate();
    const header = request.headers.authorization ?? '';
    const [scheme = '', credentials = ''] = header.trim().split(/\s+/, 2);

    if (scheme.toLowerCase() === 'basic') {
      const user = basicUser(state, credentials);
      if (!user) throw couldNotAuthenticate();
      request.zendeskAuth = { subdomain, user, method: 'api_token', scopes: ['read', 'write'] };
      return;
    }
    if (scheme.toLowerCase() === 'bearer') {
      const grant = credentials ? oauth().verifyAccessToken(subdomain, credentials) : null;
      const user = grant ? state.account.users.get(grant.userId) : undefined;
      if (!grant || !canSignIn(user)) throw invalidToken();
      let actingUser = user;
      const onBehalfOf = request.headers['x-on-behalf-of'];
      if (typeof onBehalfOf === 'string' && onBehalfOf !== '') {
        // Only admins with the impersonate scope may act for end users; without the scope the
        // emulator refuses with the missing-scope 403 (what Zendesk does then is UNCONFIRMED).
        if (!grant.scopes.includes('impersonate') || user.role !== 'admin') throw missingScope('impersonate');
        const target = impersonated(state, onBehalfOf);
        if (!target) throw invalidToken();
        actingUser = target;
      }
      request.zendeskAuth = { subdomain, user: actingUser, method: 'oauth', scopes: grant.scopes };
      return;
    }
    throw couldNotAuthenticate();
  };
}

const RANK: Record<Role, number> = { 'end-user': 0, agent: 1, admin: 2 };

/** Whether OAuth scopes allow this method on this resource. API tokens carry read and write. */
export function scopeAllows(auth: AuthenticatedUser, method: string, resource: ScopedResource): { ok: true } | { ok: false; needed: string } {
  const needed = method === 'GET' || method === 'HEAD' ? 'read' : 'write';
  if (auth.scopes.includes(needed)) return { ok: true };
  if (resource && auth.scopes.includes(`${resource}:${needed}`)) return { ok: true };
  return { ok: false, needed };
}

/**
 * A preHandler (to run after `ctx.authenticate`) enforcing the endpoint's "Allowed For" role and
 * the token's scopes.
 */
export function authorize(minimumRole: Role, resource: ScopedResource) {
  return async (request: FastifyRequest): Promise<void> => {
    const auth = request.zendeskAuth;
    if (!auth) throw couldNotAuthenticate();
    const scope = scopeAllows(auth, request.method, resource);
    if (!scope.ok) throw missingScope(scope.needed);
    if (RANK[auth.user.role] < RANK[minimumRole]) throw forbidden();
  };
}
