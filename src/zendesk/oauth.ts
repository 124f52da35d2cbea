/**
 * Zendesk OAuth 2.0, authorization-code grant with PKCE (S256), per docs/zendesk.md, Authentication:
 * authorize at /oauth/authorizations/new, exchange and refresh at POST /oauth/tokens (JSON body,
 * 201), refresh tokens rotate (the old pair dies), revoke with DELETE /api/v2/oauth/tokens/current.
 */
import { createHash, randomBytes } from 'node:crypto';
import { ZendeskClient } from './client.ts';
import { ZendeskError } from './errors.ts';
import { oauthTokenResponseSchema, type OAuthTokenResponse } from './schemas.ts';

export const OAUTH_SCOPE = 'read write';

export interface OAuthClientSettings {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
}

export function createPkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url'); // 43 characters, RFC 7636's minimum
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export function authorizeUrl(baseUrl: string, settings: OAuthClientSettings, state: string, codeChallenge: string): string {
  const url = new URL(`${baseUrl}/oauth/authorizations/new`);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: settings.clientId,
    redirect_uri: settings.redirectUri,
    scope: OAUTH_SCOPE,
    state,
    code_challenge: codeChallenge,
    code_challenge_method: 'S256',
  }).toString();
  return url.toString();
}

/** The token endpoint is not behind the API's auth: the client authenticates in the body. */
async function postTokens(baseUrl: string, body: Record<string, string>, fetchImpl?: typeof fetch): Promise<OAuthTokenResponse> {
  let response: Response;
  try {
    response = await (fetchImpl ?? fetch)(`${baseUrl}/oauth/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (error) {
    const reason = error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : String(error);
    throw new ZendeskError('unreachable', `could not reach Zendesk at ${new URL(baseUrl).host}: ${reason}`);
  }
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (!response.ok) {
    const record = (json ?? {}) as { error?: unknown; error_description?: unknown };
    const said = [record.error, record.error_description].filter((v) => typeof v === 'string').join(': ');
    const kind = response.status >= 500 ? 'server_error' : response.status === 401 || record.error === 'invalid_grant' ? 'unauthorized' : 'rejected';
    throw new ZendeskError(kind, `Zendesk refused the OAuth token request (${response.status})${said ? `: ${said}` : ''}`, response.status, typeof record.error === 'string' ? record.error : undefined);
  }
  const parsed = oauthTokenResponseSchema.safeParse(json);
  if (!parsed.success) throw new ZendeskError('invalid_response', 'Zendesk answered the OAuth token request with a body that is not a token', response.status);
  return parsed.data;
}

export function exchangeCode(baseUrl: string, settings: OAuthClientSettings, code: string, codeVerifier: string, fetchImpl?: typeof fetch): Promise<OAuthTokenResponse> {
  return postTokens(
    baseUrl,
    {
      grant_type: 'authorization_code',
      code,
      client_id: settings.clientId,
      client_secret: settings.clientSecret,
      redirect_uri: settings.redirectUri,
      code_verifier: codeVerifier,
      scope: OAUTH_SCOPE,
    },
    fetchImpl,
  );
}

export function refreshTokens(baseUrl: string, settings: OAuthClientSettings, refreshToken: string, fetchImpl?: typeof fetch): Promise<OAuthTokenResponse> {
  return postTokens(
    baseUrl,
    { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: settings.clientId, client_secret: settings.clientSecret },
    fetchImpl,
  );
}

/** Revokes the access token used to call (Zendesk: DELETE /api/v2/oauth/tokens/current). */
export async function revokeCurrentToken(baseUrl: string, accessToken: string): Promise<void> {
  const client = new ZendeskClient({ baseUrl, credentials: () => ({ method: 'oauth', accessToken }), retry: { attempts: 2 } });
  await client.request('DELETE', '/api/v2/oauth/tokens/current.json');
}
