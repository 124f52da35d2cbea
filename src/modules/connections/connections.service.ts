/**
 * Connecting Zendesk subdomains: verify the credentials, register the webhook and the trigger that
 * feeds it, store everything sealed; OAuth with PKCE and a single-use state bound to the browser
 * that started it; keep OAuth tokens fresh; disconnect cleanly. Each connection is independent:
 * its own credentials, webhook and errors.
 */
import { randomUUID } from 'node:crypto';
import { publicUrl } from '../../config.ts';
import type { Deps } from '../../deps.ts';
import { AppError } from '../../lib/errors.ts';
import { generateToken, hashToken } from '../../lib/tokens.ts';
import { createTicketTrigger, createWebhook, deleteTrigger, deleteWebhook, getMe, getWebhookSigningSecret } from '../../zendesk/api.ts';
import { ZendeskClient, type ZendeskCredentials } from '../../zendesk/client.ts';
import { ZendeskError } from '../../zendesk/errors.ts';
import { authorizeUrl, createPkcePair, exchangeCode, refreshTokens, revokeCurrentToken, type OAuthClientSettings } from '../../zendesk/oauth.ts';
import type { OAuthTokenResponse } from '../../zendesk/schemas.ts';
import { parseSubdomain, subdomainRefusal, zendeskBaseUrl } from '../../zendesk/url.ts';
import { findAdmin, type User } from '../users/users.repo.ts';
import {
  consumeOAuthState,
  deleteConnection,
  findConnection,
  findConnectionBySubdomain,
  findConnectionForUpdate,
  insertOAuthState,
  markDisconnected,
  saveActiveConnection,
  setConnectionStatus,
  updateOAuthCredentials,
  type Connection,
} from './connections.repo.ts';
import { createRequestPacer } from './request-pacer.ts';
import { credentialsContext, verifierContext, webhookSecretContext } from './sealed-columns.ts';

/** What this module uses of the process's dependencies. */
export type ConnectionDeps = Pick<Deps, 'db' | 'config' | 'logger' | 'secrets' | 'syncRequests' | 'metrics'>;

export const OAUTH_STATE_TTL_SECONDS = 10 * 60;
/** Refresh an expiring access token when it has less than this left. */
export const REFRESH_MARGIN_MS = 5 * 60 * 1000;

type StoredCredentials =
  | { method: 'api_token'; email: string; apiToken: string }
  | { method: 'oauth'; accessToken: string; refreshToken: string | null };

export function webhookEndpoint(deps: ConnectionDeps, connectionId: string): string {
  return `${publicUrl(deps.config)}/api/integrations/zendesk/webhook?connection=${connectionId}`;
}

export function oauthRedirectUri(deps: ConnectionDeps): string {
  return `${publicUrl(deps.config)}/api/integrations/zendesk/callback`;
}

function oauthSettings(deps: ConnectionDeps): OAuthClientSettings {
  const { ZENDESK_OAUTH_CLIENT_ID: clientId, ZENDESK_OAUTH_CLIENT_SECRET: clientSecret } = deps.config;
  if (!clientId || !clientSecret) {
    throw new AppError(
      'unprocessable',
      'OAuth is not configured on this server: set ZENDESK_OAUTH_CLIENT_ID and ZENDESK_OAUTH_CLIENT_SECRET (see the README), or connect with an API token',
    );
  }
  return { clientId, clientSecret, redirectUri: oauthRedirectUri(deps) };
}


/** The subdomain an admin gave, or a 400 naming the accepted forms (nothing is guessed or repaired). */
function requireSubdomain(deps: ConnectionDeps, input: string): string {
  const subdomain = parseSubdomain(input, deps.config.ZENDESK_URL_TEMPLATE);
  if (!subdomain) {
    throw new AppError('validation_failed', subdomainRefusal(input, deps.config.ZENDESK_URL_TEMPLATE), [{ field: 'subdomain', message: 'is not a Zendesk subdomain' }]);
  }
  return subdomain;
}

/** A connected subdomain may be connected again only when it is not working (re-authorization). */
async function refuseIfConnected(deps: ConnectionDeps, subdomain: string): Promise<void> {
  const existing = await findConnectionBySubdomain(deps.db, subdomain);
  if (existing?.status === 'active') {
    throw new AppError('conflict', `${subdomain} is already connected (connection ${existing.id}); disconnect it first to connect it again`);
  }
}

/** Turns what Zendesk said at connect time into an error an admin can act on. */
function connectError(subdomain: string, error: unknown, what: string): AppError {
  if (!(error instanceof ZendeskError)) throw error;
  switch (error.kind) {
    case 'unauthorized':
      return new AppError('unprocessable', `Zendesk refused the ${what} for ${subdomain}: check the email and the token, and that the token is active`);
    case 'forbidden':
      return new AppError('unprocessable', `the Zendesk user for ${subdomain} may not do this: connect with a Zendesk admin`);
    case 'not_found':
      return new AppError('unprocessable', `there is no Zendesk account at the subdomain ${subdomain}: check the spelling`);
    case 'unreachable':
    case 'server_error':
    case 'rate_limited':
      return new AppError('upstream_failed', `could not reach Zendesk for ${subdomain} (${error.message}); try again in a minute`);
    default:
      return new AppError('upstream_failed', `Zendesk answered ${subdomain} unexpectedly: ${error.message}`);
  }
}

function clientWith(deps: ConnectionDeps, subdomain: string, credentials: ZendeskCredentials): ZendeskClient {
  return new ZendeskClient({
    baseUrl: zendeskBaseUrl(deps.config.ZENDESK_URL_TEMPLATE, subdomain),
    credentials: () => credentials,
    retry: { attempts: 3 },
    observer: deps.metrics?.zendeskObserver(subdomain),
  });
}

/**
 * Verifies the credentials (users/me), registers our webhook and the trigger that feeds it, reads
 * the signing secret, and stores it all sealed. If storing fails, what was created in Zendesk is
 * removed again, so that a failed connect leaves nothing behind on either side.
 */
async function establish(
  deps: ConnectionDeps,
  admin: User,
  subdomain: string,
  credentials: ZendeskCredentials,
  stored: StoredCredentials,
  tokens: OAuthTokenResponse | null,
): Promise<Connection> {
  const client = clientWith(deps, subdomain, credentials);
  const what = stored.method === 'api_token' ? 'email and API token' : 'authorization';
  let me;
  try {
    me = await getMe(client);
  } catch (error) {
    throw connectError(subdomain, error, what);
  }
  if (me.role !== undefined && me.role !== 'admin') {
    throw new AppError('unprocessable', `${me.email ?? 'this Zendesk user'} is a Zendesk ${me.role}; the export and webhook APIs need a Zendesk admin`);
  }
  const id = (await findConnectionBySubdomain(deps.db, subdomain))?.id ?? randomUUID();
  let webhookId: string | undefined;
  let triggerId: number | undefined;
  try {
    webhookId = await createWebhook(client, { name: `CSCX ticket sync (${subdomain})`, endpoint: webhookEndpoint(deps, id) });
    const secret = await getWebhookSigningSecret(client, webhookId);
    triggerId = await createTicketTrigger(client, { title: 'CSCX: notify on ticket create and update', webhookId });
    const now = Date.now();
    return await saveActiveConnection(deps.db, {
      id,
      subdomain,
      authMethod: stored.method,
      createdBy: admin.id,
      credentialsSealed: deps.secrets.seal(JSON.stringify(stored), credentialsContext(id)),
      accessTokenExpiresAt: tokens?.expires_in ? new Date(now + tokens.expires_in * 1000) : null,
      refreshTokenExpiresAt: tokens?.refresh_token_expires_in ? new Date(now + tokens.refresh_token_expires_in * 1000) : null,
      oauthScope: tokens?.scope ?? null,
      zendeskUserId: me.id,
      zendeskUserEmail: me.email ?? null,
      webhookId,
      triggerId,
      webhookSecretSealed: deps.secrets.seal(secret, webhookSecretContext(id)),
    });
  } catch (error) {
    await removeFromZendesk(deps, client, subdomain, webhookId, triggerId);
    throw error instanceof ZendeskError ? connectError(subdomain, error, what) : error;
  }
}

async function removeFromZendesk(deps: ConnectionDeps, client: ZendeskClient, subdomain: string, webhookId?: string | null, triggerId?: number | null): Promise<string[]> {
  const problems: string[] = [];
  // The trigger first: a trigger pointing at a deleted webhook would fail on every ticket.
  if (triggerId) await deleteTrigger(client, triggerId).catch((e: Error) => problems.push(`trigger ${triggerId}: ${e.message}`));
  if (webhookId) await deleteWebhook(client, webhookId).catch((e: Error) => problems.push(`webhook ${webhookId}: ${e.message}`));
  if (problems.length) deps.logger.warn({ subdomain, problems }, 'could not remove our webhook or trigger from Zendesk');
  return problems;
}

export async function connectWithApiToken(deps: ConnectionDeps, admin: User, input: { subdomain: string; email: string; apiToken: string }): Promise<Connection> {
  const subdomain = requireSubdomain(deps, input.subdomain);
  await refuseIfConnected(deps, subdomain);
  const credentials = { method: 'api_token' as const, email: input.email.trim(), apiToken: input.apiToken.trim() };
  const connection = await establish(deps, admin, subdomain, credentials, credentials, null);
  await deps.syncRequests.sync(connection.id); // the historical import starts at once
  return connection;
}

/**
 * Asks Zendesk, without credentials, whether there is an account at a subdomain: GET users/me is
 * allowed for anonymous users (Zendesk's API reference, "Show Self": "Allowed For: Anonymous
 * users"), so an account answers it (200 with the anonymous user, or 401/403 where the account
 * requires sign-in) while an address with no account answers 404 ("No help desk at
 * X.zendesk.com"). Only that 404 refuses the subdomain; an unreachable or failing Zendesk is said
 * as such.
 */
async function refuseUnknownAccount(deps: ConnectionDeps, subdomain: string): Promise<void> {
  const url = `${zendeskBaseUrl(deps.config.ZENDESK_URL_TEMPLATE, subdomain)}/api/v2/users/me.json`;
  let status: number;
  try {
    const response = await fetch(url, { headers: { accept: 'application/json' }, redirect: 'manual', signal: AbortSignal.timeout(15_000) });
    status = response.status;
    await response.body?.cancel();
  } catch (error) {
    const reason = error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : String(error);
    throw new AppError('upstream_failed', `could not reach Zendesk for ${subdomain} (${reason}); try again in a minute`);
  }
  if (status === 404) throw new AppError('unprocessable', `there is no Zendesk account at the subdomain ${subdomain}: check the spelling`);
  if (status >= 500) throw new AppError('upstream_failed', `could not reach Zendesk for ${subdomain} (it answered ${status}); try again in a minute`);
}

/**
 * What binds an OAuth state to the browser that started the flow: the stored hash is of the state
 * and a nonce that only that browser holds (in an httpOnly cookie), so the state in the callback
 * URL alone, without the browser's cookie, finds nothing.
 */
function boundStateHash(state: string, browserNonce: string): string {
  return hashToken(`${state}.${browserNonce}`);
}

/**
 * Starts the OAuth flow once the subdomain is known to have an account: answers the Zendesk URL to
 * send the admin to, and the nonce the caller must keep in the admin's browser (a cookie) for the
 * callback to be accepted.
 */
export async function startOAuth(deps: ConnectionDeps, admin: User, input: { subdomain: string }): Promise<{ authorizeUrl: string; state: string; browserNonce: string }> {
  const subdomain = requireSubdomain(deps, input.subdomain);
  const settings = oauthSettings(deps);
  await refuseIfConnected(deps, subdomain);
  await refuseUnknownAccount(deps, subdomain);
  const state = generateToken('st');
  const browserNonce = generateToken('bn');
  const stateHash = boundStateHash(state, browserNonce);
  const pkce = createPkcePair();
  await insertOAuthState(deps.db, {
    stateHash,
    userId: admin.id,
    subdomain,
    codeVerifierSealed: deps.secrets.seal(pkce.verifier, verifierContext(stateHash)),
    ttlSeconds: OAUTH_STATE_TTL_SECONDS,
  });
  return { authorizeUrl: authorizeUrl(zendeskBaseUrl(deps.config.ZENDESK_URL_TEMPLATE, subdomain), settings, state, pkce.challenge), state, browserNonce };
}

export class OAuthCallbackError extends Error {
  constructor(
    readonly title: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/**
 * Finishes the OAuth flow from Zendesk's redirect (code, or error when the admin denied), in the
 * browser that started it: `browserNonce` is what that browser kept (startOAuth). Without it the
 * state is not even looked up, so a forwarded or forged callback link neither connects anything
 * nor uses up the state.
 */
export async function completeOAuth(
  deps: ConnectionDeps,
  query: { state?: string; code?: string; error?: string; error_description?: string },
  browserNonce: string | undefined,
): Promise<Connection> {
  if (!query.state) throw new OAuthCallbackError('Missing state', 'This link has no state parameter. Start the connection again from Settings.', 400);
  if (!browserNonce) {
    throw new OAuthCallbackError(
      'Authorization started elsewhere',
      'This authorization was not started in this browser (or its cookies were cleared), so nothing was connected. Start the connection again from Settings, in this browser.',
      400,
    );
  }
  const stateHash = boundStateHash(query.state, browserNonce);
  const state = await consumeOAuthState(deps.db, stateHash);
  if (state === 'unknown') {
    throw new OAuthCallbackError('Unknown authorization', 'This authorization was not started here, or not in this browser. Nothing was connected. Start the connection again from Settings.', 400);
  }
  if (state === 'used') throw new OAuthCallbackError('Authorization already used', 'This authorization link was already used. Start the connection again from Settings.', 400);
  if (state.expired) throw new OAuthCallbackError('Authorization expired', 'This authorization is older than 10 minutes. Start the connection again from Settings.', 400);
  if (query.error) {
    const said = query.error_description ? `${query.error_description} (${query.error})` : query.error;
    throw new OAuthCallbackError('Zendesk did not authorize CSCX', `Zendesk said: ${said}. Nothing was connected.`, 400);
  }
  if (!query.code) throw new OAuthCallbackError('Missing code', 'Zendesk sent no authorization code. Start the connection again from Settings.', 400);
  const admin = await findAdmin(deps.db, state.userId);
  if (!admin) throw new OAuthCallbackError('Not allowed', 'The CSCX user who started this authorization is no longer an admin.', 403);

  const baseUrl = zendeskBaseUrl(deps.config.ZENDESK_URL_TEMPLATE, state.subdomain);
  const verifier = deps.secrets.open(state.codeVerifierSealed, verifierContext(stateHash));
  let tokens: OAuthTokenResponse;
  try {
    tokens = await exchangeCode(baseUrl, oauthSettings(deps), query.code, verifier);
  } catch (error) {
    // A refused code (invalid_grant: expired, used, or not ours; or another 4xx about the request)
    // is the request's fault: 400 with Zendesk's reason. A refused client (401: our client id or
    // secret) and an unreachable or failing Zendesk are ours or Zendesk's: 502.
    if (error instanceof ZendeskError) {
      const refusedRequest = error.zendeskError === 'invalid_grant' || (error.status !== undefined && error.status >= 400 && error.status < 500 && error.status !== 401);
      const status = refusedRequest ? 400 : 502;
      throw new OAuthCallbackError('Zendesk refused the authorization', `${error.message}. Nothing was connected. Start the connection again from Settings.`, status);
    }
    throw error;
  }
  const stored: StoredCredentials = { method: 'oauth', accessToken: tokens.access_token, refreshToken: tokens.refresh_token ?? null };
  try {
    const connection = await establish(deps, admin, state.subdomain, { method: 'oauth', accessToken: tokens.access_token }, stored, tokens);
    await deps.syncRequests.sync(connection.id); // the historical import starts at once
    return connection;
  } catch (error) {
    if (error instanceof AppError) throw new OAuthCallbackError('Could not connect Zendesk', error.message, error.status);
    throw error;
  }
}

function openCredentials(deps: ConnectionDeps, connection: Connection & { credentialsSealed: string | null }): StoredCredentials {
  if (!connection.credentialsSealed) throw new AppError('conflict', `the connection to ${connection.subdomain} has no credentials (it was disconnected)`);
  return JSON.parse(deps.secrets.open(connection.credentialsSealed, credentialsContext(connection.id))) as StoredCredentials;
}

/**
 * Refreshes the OAuth tokens of a connection, one replica at a time (row lock). If another
 * replica refreshed while we waited, its fresh token is used as is. A refused refresh marks the
 * connection needs_reauth: syncing pauses and the admins see why; no retry storm follows.
 */
export async function refreshConnectionTokens(deps: ConnectionDeps, connectionId: string, staleAccessToken: string | null): Promise<string | null> {
  const outcome = await deps.db.transaction(async (tx) => {
    const connection = await findConnectionForUpdate(tx, connectionId);
    if (!connection || connection.status === 'disconnected') return { token: null, failure: null };
    const credentials = openCredentials(deps, connection);
    if (credentials.method !== 'oauth') return { token: null, failure: null };
    const stillFresh = connection.accessTokenExpiresAt === null || connection.accessTokenExpiresAt.getTime() - Date.now() > REFRESH_MARGIN_MS;
    if (credentials.accessToken !== staleAccessToken && stillFresh) return { token: credentials.accessToken, failure: null };
    if (!credentials.refreshToken) return { token: null, failure: 'Zendesk refused the access token and issued no refresh token: reconnect with OAuth' };
    try {
      const tokens = await refreshTokens(zendeskBaseUrl(deps.config.ZENDESK_URL_TEMPLATE, connection.subdomain), oauthSettings(deps), credentials.refreshToken);
      const now = Date.now();
      const next: StoredCredentials = { method: 'oauth', accessToken: tokens.access_token, refreshToken: tokens.refresh_token ?? credentials.refreshToken };
      await updateOAuthCredentials(tx, connectionId, {
        credentialsSealed: deps.secrets.seal(JSON.stringify(next), credentialsContext(connectionId)),
        accessTokenExpiresAt: tokens.expires_in ? new Date(now + tokens.expires_in * 1000) : null,
        refreshTokenExpiresAt: tokens.refresh_token_expires_in ? new Date(now + tokens.refresh_token_expires_in * 1000) : null,
      });
      return { token: tokens.access_token, failure: null };
    } catch (error) {
      if (error instanceof ZendeskError && !error.retryable) return { token: null, failure: `Zendesk refused to refresh the OAuth token (${error.message}): reconnect with OAuth` };
      throw error;
    }
  });
  if (outcome.failure) {
    await setConnectionStatus(deps.db, connectionId, 'needs_reauth', outcome.failure);
    deps.logger.warn({ connectionId, reason: outcome.failure }, 'Zendesk connection needs re-authorization');
  }
  return outcome.token;
}

/**
 * A Zendesk client acting for a connection. OAuth tokens are refreshed before they expire and
 * once on a 401; a connection that needs re-authorization gives no client.
 */
export async function zendeskClientFor(deps: ConnectionDeps, connectionId: string): Promise<ZendeskClient> {
  const connection = await findConnection(deps.db, connectionId);
  if (!connection) throw new AppError('not_found', `no Zendesk connection ${connectionId}`);
  if (connection.status !== 'active') {
    throw new AppError('conflict', `the connection to ${connection.subdomain} is ${connection.status.replace('_', ' ')}${connection.lastError ? `: ${connection.lastError}` : ''}`);
  }
  const stored = openCredentials(deps, connection);
  const baseUrl = zendeskBaseUrl(deps.config.ZENDESK_URL_TEMPLATE, connection.subdomain);
  const pace = createRequestPacer(deps.db, connectionId, {
    export: deps.config.ZENDESK_EXPORT_REQUESTS_PER_MINUTE,
    account: deps.config.ZENDESK_REQUESTS_PER_MINUTE,
  });
  const observer = deps.metrics?.zendeskObserver(connection.subdomain);
  if (stored.method === 'api_token') return new ZendeskClient({ baseUrl, credentials: () => stored, pace, observer });

  let accessToken = stored.accessToken;
  let expiresAt = connection.accessTokenExpiresAt;
  const refresh = async (): Promise<boolean> => {
    const token = await refreshConnectionTokens(deps, connectionId, accessToken);
    if (!token) return false;
    accessToken = token;
    expiresAt = (await findConnection(deps.db, connectionId))?.accessTokenExpiresAt ?? null;
    return true;
  };
  return new ZendeskClient({
    baseUrl,
    credentials: async () => {
      if (expiresAt && expiresAt.getTime() - Date.now() < REFRESH_MARGIN_MS && !(await refresh())) {
        throw new ZendeskError('unauthorized', `the OAuth token for ${connection.subdomain} expired and could not be refreshed`);
      }
      return { method: 'oauth', accessToken };
    },
    onUnauthorized: refresh,
    pace,
    observer,
  });
}

/** The webhook signing secret of a connection, for verifying deliveries. */
export async function webhookSecretFor(deps: ConnectionDeps, connectionId: string): Promise<string | null> {
  const connection = await findConnection(deps.db, connectionId);
  if (!connection?.webhookSecretSealed || connection.status === 'disconnected') return null;
  return deps.secrets.open(connection.webhookSecretSealed, webhookSecretContext(connectionId));
}

/**
 * Disconnects: removes our trigger and webhook from Zendesk, revokes the OAuth token, forgets the
 * credentials. Ticket data is kept (status disconnected) or purged with the connection.
 */
export async function disconnect(deps: ConnectionDeps, connectionId: string, options: { purge: boolean }): Promise<{ zendeskCleanup: string[] }> {
  const connection = await findConnection(deps.db, connectionId);
  if (!connection) throw new AppError('not_found', `no Zendesk connection ${connectionId}`);
  let problems: string[] = [];
  if (connection.credentialsSealed) {
    const stored = openCredentials(deps, connection);
    const credentials: ZendeskCredentials = stored.method === 'api_token' ? stored : { method: 'oauth', accessToken: stored.accessToken };
    const client = clientWith(deps, connection.subdomain, credentials);
    problems = await removeFromZendesk(deps, client, connection.subdomain, connection.webhookId, connection.triggerId);
    if (stored.method === 'oauth') {
      await revokeCurrentToken(client.baseUrl, stored.accessToken).catch((e: Error) => problems.push(`token revocation: ${e.message}`));
    }
  }
  if (options.purge) await deleteConnection(deps.db, connectionId);
  else await markDisconnected(deps.db, connectionId);
  return { zendeskCleanup: problems };
}
