/**
 * The OAuth Tokens API (OAS `/api/v2/oauth/tokens`, `/{oauth_token_id}`, `/current`): list, show
 * and revoke. Revocation answers 204 (developer.zendesk.com "Revoking an OAuth access token").
 * "For security reasons, only the first 10 characters of each access token are included."
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Account } from '../contract.ts';
import type { OAuthClient } from './client.ts';
import type { PreHandler } from './fallback-auth.ts';
import type { OAuthToken, OAuthTokenStore } from './token-store.ts';

export interface TokenApiDeps {
  accounts: Map<string, Account>;
  client: OAuthClient;
  store: OAuthTokenStore;
  baseUrl(subdomain: string): string;
  authenticate: PreHandler;
}

const NOT_FOUND = { error: 'RecordNotFound', description: 'Not found' };

function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** OAS `OauthTokenObject` (its example `OAuthTokenResponseExample`). */
function renderToken(deps: TokenApiDeps, token: OAuthToken): Record<string, unknown> {
  return {
    // The OAS example shows `/api/v2/tokens/{id}`; the resource itself lives under /oauth/tokens.
    url: `${deps.baseUrl(token.subdomain)}/api/v2/oauth/tokens/${token.id}.json`,
    id: token.id,
    user_id: token.userId,
    client_id: deps.client.resourceId,
    token: token.accessToken.slice(0, 10),
    refresh_token: token.refreshToken === null ? null : token.refreshToken.slice(0, 10),
    scopes: token.scopes,
    created_at: isoSeconds(token.createdAtMs),
    expires_at: token.accessExpiresAtMs === null ? null : isoSeconds(token.accessExpiresAtMs),
    used_at: token.usedAtMs === null ? null : isoSeconds(token.usedAtMs),
  };
}

/** Only a live Bearer token of this subdomain is "current"; Basic-authenticated callers have none. */
function currentToken(deps: TokenApiDeps, request: FastifyRequest, subdomain: string): OAuthToken | undefined {
  const header = request.headers.authorization ?? '';
  if (!header.startsWith('Bearer ')) return undefined;
  return deps.store.findLiveAccessToken(subdomain, header.slice(7).trim());
}

/** Admins see every token of the account ("all" parameter); other users their own. */
function visibleTo(request: FastifyRequest, token: OAuthToken): boolean {
  const user = request.zendeskAuth?.user;
  return user !== undefined && (user.role === 'admin' || user.id === token.userId);
}

/** Strips Zendesk's optional `.json` suffix from a path parameter. */
function withoutJsonSuffix(value: string): string {
  return value.endsWith('.json') ? value.slice(0, -5) : value;
}

export function registerTokenApiRoutes(scope: FastifyInstance, deps: TokenApiDeps): void {
  const base = '/:subdomain/api/v2/oauth/tokens';
  type WithSubdomain = { Params: { subdomain: string } };
  type WithId = { Params: { subdomain: string; id: string } };

  const list = async (request: FastifyRequest<WithSubdomain>, reply: FastifyReply) => {
    if (reply.sent) return reply;
    const query = request.query as Record<string, string | undefined>;
    const all = query.all === 'true' && request.zendeskAuth?.user.role === 'admin';
    const tokens = deps.store
      .list(request.params.subdomain)
      .filter((token) => (all ? true : token.userId === request.zendeskAuth?.user.id))
      .filter((token) => query.include_expired === 'true' || deps.store.isAccessLive(token));
    return reply.send({ tokens: tokens.map((token) => renderToken(deps, token)), next_page: null, previous_page: null, count: tokens.length });
  };

  const showCurrent = async (request: FastifyRequest<WithSubdomain>, reply: FastifyReply) => {
    if (reply.sent) return reply;
    const token = currentToken(deps, request, request.params.subdomain);
    return token ? reply.send({ token: renderToken(deps, token) }) : reply.code(404).send(NOT_FOUND);
  };

  const revokeCurrent = async (request: FastifyRequest<WithSubdomain>, reply: FastifyReply) => {
    if (reply.sent) return reply;
    const token = currentToken(deps, request, request.params.subdomain);
    if (!token) return reply.code(404).send(NOT_FOUND);
    deps.store.revoke(token);
    return reply.code(204).send();
  };

  const byId = (request: FastifyRequest<WithId>): OAuthToken | undefined => {
    const id = Number(withoutJsonSuffix(request.params.id));
    const token = Number.isInteger(id) ? deps.store.findById(request.params.subdomain, id) : undefined;
    return token && visibleTo(request, token) ? token : undefined;
  };

  const options = { preHandler: deps.authenticate };
  scope.get<WithSubdomain>(base, options, list);
  scope.get<WithSubdomain>(`${base}.json`, options, list);
  scope.get<WithSubdomain>(`${base}/current`, options, showCurrent);
  scope.get<WithSubdomain>(`${base}/current.json`, options, showCurrent);
  scope.delete<WithSubdomain>(`${base}/current`, options, revokeCurrent);
  scope.delete<WithSubdomain>(`${base}/current.json`, options, revokeCurrent);

  scope.get<WithId>(`${base}/:id`, options, async (request, reply) => {
    if (reply.sent) return reply;
    const token = byId(request);
    return token ? reply.send({ token: renderToken(deps, token) }) : reply.code(404).send(NOT_FOUND);
  });
  scope.delete<WithId>(`${base}/:id`, options, async (request, reply) => {
    if (reply.sent) return reply;
    const token = byId(request);
    if (!token) return reply.code(404).send(NOT_FOUND);
    deps.store.revoke(token);
    return reply.code(204).send();
  });
}
