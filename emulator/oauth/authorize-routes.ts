/**
 * The authorization endpoint, `GET /{subdomain}/oauth/authorizations/new` ([3P] public apps:
 * `https://{subdomain}.zendesk.com/oauth/authorizations/new?response_type=code&client_id=…&
 * redirect_uri=…&scope=read%20write&state=…`, PKCE adds `code_challenge` and
 * `code_challenge_method=S256`). The emulated admin approves at once by default so headless flows
 * work; a decision mode makes it deny, or show a consent page with Allow/Deny buttons.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Account } from '../contract.ts';
import { isAllowedRedirectUri, type OAuthClient } from './client.ts';
import { errorRedirectLocation, escapeHtml, sendAuthorizationErrorPage, type OAuthErrorCode } from './errors.ts';
import { bodyParams } from './form-body.ts';
import { isKnownScope, parseScopeString } from './scopes.ts';
import type { OAuthTokenStore } from './token-store.ts';

export type AuthorizationDecisionMode = 'approve' | 'deny' | 'page';

export interface AuthorizeRouteDeps {
  accounts: Map<string, Account>;
  client: OAuthClient;
  store: OAuthTokenStore;
  decisionMode(): AuthorizationDecisionMode;
}

/** The parameters of one authorization request, validated far enough to redirect safely. */
interface AuthorizationRequest {
  account: Account;
  redirectUri: string;
  state: string | undefined;
  scopes: string[];
  codeChallenge: string | null;
  /** Every query parameter, replayed as hidden fields by the consent page. */
  raw: Record<string, string>;
}

type Validation =
  | { kind: 'ok'; request: AuthorizationRequest }
  | { kind: 'page'; code: OAuthErrorCode; status?: number }
  | { kind: 'redirect'; location: string };

/**
 * RFC 6749 §4.1.2.1 order: client and redirect URI first (errors shown, never redirected), then
 * the rest (errors redirected back with `error=`).
 */
function validateAuthorizationRequest(deps: AuthorizeRouteDeps, subdomain: string, raw: Record<string, string>): Validation {
  const account = deps.accounts.get(subdomain);
  if (!account) return { kind: 'page', code: 'invalid_request', status: 404 };
  if (raw.client_id !== deps.client.identifier) return { kind: 'page', code: 'invalid_client' };
  const redirectUri = raw.redirect_uri;
  if (!isAllowedRedirectUri(deps.client, redirectUri)) return { kind: 'page', code: 'invalid_redirect_uri' };

  const state = raw.state;
  const fail = (code: OAuthErrorCode, description?: string): Validation => ({
    kind: 'redirect',
    location: errorRedirectLocation(redirectUri, code, state, description),
  });
  // The implicit grant ("token") is deprecated (OAS CreateTokenForGrantType); only "code" is served.
  if (raw.response_type !== 'code') return fail('unsupported_response_type');
  // OAS: "You must specify a scope"; unknown scope names are refused here.
  const scopes = parseScopeString(raw.scope);
  if (scopes.length === 0 || !scopes.every(isKnownScope)) return fail('invalid_scope');

  const challenge = raw.code_challenge;
  const method = raw.code_challenge_method;
  if (challenge === undefined && method !== undefined) return fail('invalid_request', 'Missing required parameter: code_challenge.');
  // Zendesk documents only S256; a missing method would mean "plain" (RFC 7636 §4.3), which is refused.
  if (challenge !== undefined && method !== 'S256') {
    return fail('invalid_request', 'Invalid code_challenge_method. Only S256 is supported.');
  }
  if (challenge !== undefined && !/^[A-Za-z0-9\-._~]{43,128}$/.test(challenge)) {
    return fail('invalid_request', 'Invalid code_challenge.');
  }
  return { kind: 'ok', request: { account, redirectUri, state, scopes, codeChallenge: challenge ?? null, raw } };
}

function approve(deps: AuthorizeRouteDeps, request: AuthorizationRequest): string {
  const code = deps.store.createCode({
    subdomain: request.account.subdomain,
    clientIdentifier: deps.client.identifier,
    redirectUri: request.redirectUri,
    scopes: request.scopes,
    // The approving user is the account's admin (the agent the emulator authenticates as).
    userId: request.account.admin_user_id,
    codeChallenge: request.codeChallenge,
  });
  const url = new URL(request.redirectUri);
  url.searchParams.set('code', code.code);
  if (request.state !== undefined) url.searchParams.set('state', request.state);
  return url.toString();
}

function deny(request: AuthorizationRequest): string {
  return errorRedirectLocation(request.redirectUri, 'access_denied', request.state);
}

function consentPage(reply: FastifyReply, request: AuthorizationRequest): FastifyReply {
  const hidden = Object.entries(request.raw)
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join('\n      ');
  const action = `/${encodeURIComponent(request.account.subdomain)}/oauth/authorizations`;
  const html = `<!doctype html>
<html><head><meta charset="utf-8"><title>Allow access?</title></head>
<body>
  <h1>Allow access to your Zendesk account?</h1>
  <p>An application wants access to <strong>${escapeHtml(request.account.subdomain)}</strong> with scope
  <code>${escapeHtml(request.scopes.join(' '))}</code>.</p>
  <form method="post" action="${action}">
      ${hidden}
      <button type="submit" name="decision" value="allow">Allow</button>
      <button type="submit" name="decision" value="deny">Deny</button>
  </form>
</body></html>`;
  return reply.code(200).type('text/html; charset=utf-8').send(html);
}

function answerInvalid(reply: FastifyReply, validation: Exclude<Validation, { kind: 'ok' }>): FastifyReply {
  if (validation.kind === 'page') return sendAuthorizationErrorPage(reply, validation.code, validation.status);
  return reply.redirect(validation.location, 302);
}

export function registerAuthorizeRoutes(scope: FastifyInstance, deps: AuthorizeRouteDeps): void {
  scope.get<{ Params: { subdomain: string }; Querystring: Record<string, string> }>(
    '/:subdomain/oauth/authorizations/new',
    async (request, reply) => {
      const validation = validateAuthorizationRequest(deps, request.params.subdomain, bodyParams(request.query));
      if (validation.kind !== 'ok') return answerInvalid(reply, validation);
      switch (deps.decisionMode()) {
        case 'approve':
          return reply.redirect(approve(deps, validation.request), 302);
        case 'deny':
          return reply.redirect(deny(validation.request), 302);
        case 'page':
          return consentPage(reply, validation.request);
      }
    },
  );

  // The consent page's form posts here; everything is validated again (the form is client-side data).
  scope.post<{ Params: { subdomain: string } }>('/:subdomain/oauth/authorizations', async (request, reply) => {
    const { decision, ...raw } = bodyParams(request.body);
    const validation = validateAuthorizationRequest(deps, request.params.subdomain, raw);
    if (validation.kind !== 'ok') return answerInvalid(reply, validation);
    const location = decision === 'allow' ? approve(deps, validation.request) : deny(validation.request);
    return reply.redirect(location, 302);
  });
}
