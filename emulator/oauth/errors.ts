/**
 * OAuth error responses. Zendesk's OAuth server answers with the RFC 6749 `{error,
 * error_description}` shape and Doorkeeper's English descriptions: its API 401 is
 * `{"error":"invalid_token","error_description":"The access token provided is expired, revoked,
 * malformed or invalid for other reasons."}` (github.com/zendesk/zendesk_api_client_rb issue #297),
 * which is Doorkeeper's text, so the other codes use Doorkeeper's texts too.
 */
import type { FastifyReply } from 'fastify';

export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'access_denied'
  | 'unsupported_response_type'
  | 'invalid_redirect_uri'
  | 'invalid_token';

export const OAUTH_ERROR_DESCRIPTIONS: Record<OAuthErrorCode, string> = {
  invalid_request:
    'The request is missing a required parameter, includes an unsupported parameter value, or is otherwise malformed.',
  invalid_client:
    'Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method.',
  invalid_grant:
    'The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.',
  unauthorized_client: 'The client is not authorized to perform this request using this method.',
  unsupported_grant_type: 'The authorization grant type is not supported by the authorization server.',
  invalid_scope: 'The requested scope is invalid, unknown, or malformed.',
  access_denied: 'The resource owner or authorization server denied the request.',
  unsupported_response_type: 'The authorization server does not support this response type.',
  invalid_redirect_uri: "The requested redirect uri is malformed or doesn't match client redirect URI.",
  invalid_token: 'The access token provided is expired, revoked, malformed or invalid for other reasons.',
};

/** RFC 6749 §5.2: 401 for a failed client authentication, 400 for everything else. */
function tokenErrorStatus(code: OAuthErrorCode): number {
  return code === 'invalid_client' || code === 'invalid_token' ? 401 : 400;
}

export function oauthErrorBody(code: OAuthErrorCode, description?: string): { error: OAuthErrorCode; error_description: string } {
  return { error: code, error_description: description ?? OAUTH_ERROR_DESCRIPTIONS[code] };
}

/** A token-endpoint error (RFC 6749 §5.2), never cached (§5.1). */
export function sendTokenError(reply: FastifyReply, code: OAuthErrorCode, description?: string): FastifyReply {
  return reply
    .code(tokenErrorStatus(code))
    .header('cache-control', 'no-store')
    .header('pragma', 'no-cache')
    .send(oauthErrorBody(code, description));
}

/** RFC 6749 §4.1.2.1: errors after the redirect URI is validated go back to the client. */
export function errorRedirectLocation(redirectUri: string, code: OAuthErrorCode, state: string | undefined, description?: string): string {
  const url = new URL(redirectUri);
  url.searchParams.set('error', code);
  url.searchParams.set('error_description', description ?? OAUTH_ERROR_DESCRIPTIONS[code]);
  if (state !== undefined) url.searchParams.set('state', state);
  return url.toString();
}

export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/**
 * RFC 6749 §4.1.2.1: with an unknown client or a bad redirect URI the server must not redirect
 * (that would make it an open redirector); it shows the error to the user instead.
 */
export function sendAuthorizationErrorPage(reply: FastifyReply, code: OAuthErrorCode, status = 400): FastifyReply {
  const html = `<!doctype html>
<html><head><meta charset="utf-8"><title>An error has occurred</title></head>
<body><h1>An error has occurred</h1><p id="error" data-error="${code}">${escapeHtml(OAUTH_ERROR_DESCRIPTIONS[code])}</p></body></html>`;
  return reply.code(status).type('text/html; charset=utf-8').send(html);
}
