/**
 * `POST /{subdomain}/oauth/tokens` (OAS `CreateTokenForGrantType`): authorization_code,
 * refresh_token and client_credentials grants, answering 201 with
 * `{access_token, token_type:"bearer", scope, expires_in, refresh_token, refresh_token_expires_in}`.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Account } from '../contract.ts';
import { isClientSecretValid, type OAuthClient } from './client.ts';
import { sendTokenError } from './errors.ts';
import { bodyParams } from './form-body.ts';
import { verifiesS256Challenge } from './pkce.ts';
import { isKnownScope, isScopeSubset, parseScopeString } from './scopes.ts';
import type { OAuthToken, OAuthTokenStore } from './token-store.ts';

/** OAS: expires_in "more than 300 seconds (5 minutes) and less than 172,800 seconds (2 days)". */
const ACCESS_TTL_BOUNDS = { min: 300, max: 172_800 };
/** OAS: refresh_token_expires_in "more than 604,800 seconds (7 days) … less than 7,776,000 (90 days)". */
const REFRESH_TTL_BOUNDS = { min: 604_800, max: 7_776_000 };
/** OAS: refresh_token_expires_in "Defaults to 2,592,000 seconds (30 days)". */
export const DEFAULT_REFRESH_TTL_SECONDS = 2_592_000;

export interface TokenRouteDeps {
  accounts: Map<string, Account>;
  client: OAuthClient;
  store: OAuthTokenStore;
  /**
   * Default access-token lifetime; null models a client created before refresh-token support,
   * whose tokens never expire and get no refresh token unless `expires_in` is sent
   * (support.zendesk.com article 9182123625370, later revision).
   */
  defaultAccessTtlSeconds: number | null;
}

type Params = Record<string, string>;

class TokenRequestError extends Error {
  constructor(
    readonly code: Parameters<typeof sendTokenError>[1],
    readonly description?: string,
  ) {
    super(description ?? code);
  }
}

interface Lifetimes {
  accessTtlSeconds: number | null;
  refreshTtlSeconds: number | null;
}

function parseSeconds(params: Params, name: string): number | undefined {
  const raw = params[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value)) throw new TokenRequestError('invalid_request', `${name} must be an integer number of seconds.`);
  return value;
}

/**
 * Lifetimes per the OAS parameter table. Out-of-range values are refused (invalid_request) rather
 * than clamped: the OAS says "Must be", and what Zendesk answers is UNCONFIRMED.
 */
function resolveLifetimes(params: Params, deps: TokenRouteDeps, withRefreshToken: boolean): Lifetimes {
  const requestedAccess = parseSeconds(params, 'expires_in');
  const requestedRefresh = parseSeconds(params, 'refresh_token_expires_in');
  if (requestedAccess !== undefined && (requestedAccess < ACCESS_TTL_BOUNDS.min || requestedAccess > ACCESS_TTL_BOUNDS.max)) {
    throw new TokenRequestError('invalid_request', 'expires_in must be between 300 and 172800 seconds.');
  }
  if (requestedRefresh !== undefined && (requestedRefresh < REFRESH_TTL_BOUNDS.min || requestedRefresh > REFRESH_TTL_BOUNDS.max)) {
    throw new TokenRequestError('invalid_request', 'refresh_token_expires_in must be between 604800 and 7776000 seconds.');
  }
  const accessTtlSeconds = requestedAccess ?? deps.defaultAccessTtlSeconds;
  // A token that never expires gets no refresh token (article 9182123625370).
  if (accessTtlSeconds === null || !withRefreshToken) return { accessTtlSeconds, refreshTtlSeconds: null };
  const refreshTtlSeconds = requestedRefresh ?? DEFAULT_REFRESH_TTL_SECONDS;
  if (accessTtlSeconds > refreshTtlSeconds) {
    throw new TokenRequestError('invalid_request', 'expires_in must be less than refresh_token_expires_in.');
  }
  return { accessTtlSeconds, refreshTtlSeconds };
}

/** Client credentials from the body, or from HTTP Basic (RFC 6749 §2.3.1 `client_secret_basic`). */
function clientCredentials(request: FastifyRequest, params: Params): { clientId?: string; clientSecret?: string } {
  const header = request.headers.authorization;
  if (header?.startsWith('Basic ')) {
    const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) {
      return { clientId: decodeURIComponent(decoded.slice(0, colon)), clientSecret: decodeURIComponent(decoded.slice(colon + 1)) };
    }
  }
  return { clientId: params.client_id, clientSecret: params.client_secret };
}

/**
 * Help article 4408845965210: "Confidential clients can use PKCE and/or client secret." A wrong
 * secret always fails; a missing one is allowed only when PKCE proved possession instead.
 */
function authenticateClient(deps: TokenRouteDeps, credentials: { clientId?: string; clientSecret?: string }, provenByPkce: boolean): void {
  if (credentials.clientId !== deps.client.identifier) throw new TokenRequestError('invalid_client');
  if (credentials.clientSecret !== undefined && credentials.clientSecret !== '') {
    if (!isClientSecretValid(deps.client, credentials.clientSecret)) throw new TokenRequestError('invalid_client');
    return;
  }
  if (!provenByPkce) throw new TokenRequestError('invalid_client');
}

/** A `scope` on the token request may narrow the granted scopes, never widen them (RFC 6749 §6). */
function narrowedScopes(params: Params, granted: string[]): string[] {
  const requested = parseScopeString(params.scope);
  if (requested.length === 0) return granted;
  if (!requested.every(isKnownScope) || !isScopeSubset(requested, granted)) throw new TokenRequestError('invalid_scope');
  return requested;
}

function secondsUntil(atMs: number | null, nowMs: number): number | undefined {
  return atMs === null ? undefined : Math.max(0, Math.round((atMs - nowMs) / 1000));
}

function tokenResponse(token: OAuthToken): Record<string, unknown> {
  const now = token.createdAtMs;
  const body: Record<string, unknown> = {
    access_token: token.accessToken,
    token_type: 'bearer',
    scope: token.scopes.join(' '),
  };
  const expiresIn = secondsUntil(token.accessExpiresAtMs, now);
  if (expiresIn !== undefined) body.expires_in = expiresIn;
  if (token.refreshToken !== null) {
    body.refresh_token = token.refreshToken;
    body.refresh_token_expires_in = secondsUntil(token.refreshExpiresAtMs, now);
  }
  return body;
}

function authorizationCodeGrant(deps: TokenRouteDeps, account: Account, request: FastifyRequest, params: Params): OAuthToken {
  const credentials = clientCredentials(request, params);
  if (credentials.clientId !== deps.client.identifier) throw new TokenRequestError('invalid_client');
  if (!params.code) throw new TokenRequestError('invalid_request', 'Missing required parameter: code.');
  const record = deps.store.findCode(account.subdomain, params.code);
  if (!record || record.used || deps.store.isCodeExpired(record) || record.clientIdentifier !== credentials.clientId) {
    throw new TokenRequestError('invalid_grant');
  }
  // The code is bound to the redirect URI it was issued for (RFC 6749 §4.1.3).
  if (params.redirect_uri !== record.redirectUri) throw new TokenRequestError('invalid_grant');
  if (record.codeChallenge !== null) {
    if (!params.code_verifier) throw new TokenRequestError('invalid_request', 'Missing required parameter: code_verifier.');
    if (!verifiesS256Challenge(record.codeChallenge, params.code_verifier)) throw new TokenRequestError('invalid_grant');
  }
  const provenByPkce = record.codeChallenge !== null;
  authenticateClient(deps, credentials, provenByPkce);
  const scopes = narrowedScopes(params, record.scopes);
  const lifetimes = resolveLifetimes(params, deps, true);
  deps.store.markCodeUsed(record);
  return deps.store.issueToken({
    subdomain: account.subdomain,
    clientIdentifier: record.clientIdentifier,
    userId: record.userId,
    scopes,
    ...lifetimes,
    publicClientGrant: provenByPkce && !credentials.clientSecret,
  });
}

/**
 * Refresh with rotation: "A successful request will also return a refresh token and delete the
 * previous access and refresh tokens" (support.zendesk.com article 9182123625370).
 */
function refreshTokenGrant(deps: TokenRouteDeps, account: Account, request: FastifyRequest, params: Params): OAuthToken {
  const credentials = clientCredentials(request, params);
  if (credentials.clientId !== deps.client.identifier) throw new TokenRequestError('invalid_client');
  if (!params.refresh_token) throw new TokenRequestError('invalid_request', 'Missing required parameter: refresh_token.');
  const previous = deps.store.findLiveRefreshToken(account.subdomain, params.refresh_token);
  if (!previous || previous.clientIdentifier !== credentials.clientId) throw new TokenRequestError('invalid_grant');
  authenticateClient(deps, credentials, previous.publicClientGrant);
  const scopes = narrowedScopes(params, previous.scopes);
  const lifetimes = resolveLifetimes(params, deps, true);
  deps.store.revoke(previous);
  return deps.store.issueToken({
    subdomain: account.subdomain,
    clientIdentifier: previous.clientIdentifier,
    userId: previous.userId,
    scopes,
    ...lifetimes,
    publicClientGrant: previous.publicClientGrant,
  });
}

/** The client acts as the admin who owns it; no refresh token (RFC 6749 §4.4.3). */
function clientCredentialsGrant(deps: TokenRouteDeps, account: Account, request: FastifyRequest, params: Params): OAuthToken {
  authenticateClient(deps, clientCredentials(request, params), false);
  const scopes = parseScopeString(params.scope);
  if (scopes.length === 0 || !scopes.every(isKnownScope)) throw new TokenRequestError('invalid_scope');
  const lifetimes = resolveLifetimes(params, deps, false);
  return deps.store.issueToken({
    subdomain: account.subdomain,
    clientIdentifier: deps.client.identifier,
    userId: account.admin_user_id,
    scopes,
    ...lifetimes,
    publicClientGrant: false,
  });
}

/**
 * An unknown subdomain ([3P] captures of a live response: "No help desk at {subdomain}.zendesk.com").
 */
function noHelpDesk(subdomain: string) {
  return {
    error: {
      title: `No help desk at ${subdomain}.zendesk.com`,
      message:
        'There is no help desk configured at this address. This means that the address is available and that you can claim it at http://www.zendesk.com/signup',
    },
  };
}

const GRANTS: Record<string, typeof authorizationCodeGrant> = {
  authorization_code: authorizationCodeGrant,
  refresh_token: refreshTokenGrant,
  client_credentials: clientCredentialsGrant,
};

export function registerTokenRoutes(scope: FastifyInstance, deps: TokenRouteDeps): void {
  scope.post<{ Params: { subdomain: string } }>('/:subdomain/oauth/tokens', async (request, reply): Promise<FastifyReply> => {
    const account = deps.accounts.get(request.params.subdomain);
    if (!account) return reply.code(404).send(noHelpDesk(request.params.subdomain));
    const params = bodyParams(request.body);
    if (!params.grant_type) return sendTokenError(reply, 'invalid_request', 'Missing required parameter: grant_type.');
    // The password and implicit grants are deprecated (OAS) and not served.
    const grant = GRANTS[params.grant_type];
    if (!grant) return sendTokenError(reply, 'unsupported_grant_type');
    try {
      const token = grant(deps, account, request, params);
      return reply.code(201).header('cache-control', 'no-store').header('pragma', 'no-cache').send(tokenResponse(token));
    } catch (error) {
      if (error instanceof TokenRequestError) return sendTokenError(reply, error.code, error.description);
      throw error;
    }
  });
}
