/**
 * Zendesk's OAuth 2.0 server, emulated: the authorization page, the grant-type token endpoint,
 * the OAuth Tokens API, and the bearer-token check the rest of the emulator authenticates with.
 * Sources: docs/zendesk.md (Authentication) and the OAS (`/oauth/tokens`, `/api/v2/oauth/tokens`).
 */
import type { FastifyInstance } from 'fastify';
import type { Account, EmulatorClock, OAuthVerifier } from '../contract.ts';
import { registerOAuthAdminRoutes } from './admin-routes.ts';
import { registerTokenApiRoutes } from './api-routes.ts';
import { registerAuthorizeRoutes, type AuthorizationDecisionMode } from './authorize-routes.ts';
import type { OAuthClient } from './client.ts';
import { createFallbackAuthenticate, type PreHandler } from './fallback-auth.ts';
import { ensureFormBodyParser } from './form-body.ts';
import { registerTokenRoutes } from './token-routes.ts';
import { OAuthTokenStore } from './token-store.ts';

export type { AuthorizationDecisionMode } from './authorize-routes.ts';

export interface OAuthServerOptions {
  clientId: string;
  clientSecret: string;
  /**
   * Access-token lifetime in (emulated) seconds; Zendesk's default for new clients is 30 min.
   * 0 or less models a client created before refresh-token support: tokens never expire and no
   * refresh token is issued unless the token request sends `expires_in`.
   */
  accessTokenTtlSeconds: number;
  /** Registered redirect URIs; omitted or empty accepts any https (or loopback http) URI. */
  redirectUris?: string[];
  /** How authorizations end until changed with `PUT /_emulator/oauth`; default "approve". */
  decision?: AuthorizationDecisionMode;
  /** Numeric id of the OAuth client resource (`client_id` in token objects); default 1. */
  clientResourceId?: number;
}

export interface OAuthServer extends OAuthVerifier {
  /** Registers /:subdomain/oauth/... and /:subdomain/api/v2/oauth/... routes. */
  register(app: FastifyInstance): void;
  /** The current decision mode of the authorization page. */
  decisionMode(): AuthorizationDecisionMode;
  setDecisionMode(mode: AuthorizationDecisionMode): void;
}

export function createOAuthServer(deps: {
  accounts: Map<string, Account>;
  clock: EmulatorClock;
  baseUrl(subdomain: string): string;
  options: OAuthServerOptions;
  /**
   * Authenticates the OAuth Tokens API (`/api/v2/oauth/tokens`); pass `ctx.authenticate`.
   * Without it a built-in check accepts Bearer tokens and `{email}/token:{api_token}`.
   */
  authenticate?: PreHandler;
}): OAuthServer {
  const { accounts, clock, options } = deps;
  const store = new OAuthTokenStore(clock);
  const client: OAuthClient = {
    identifier: options.clientId,
    secret: options.clientSecret,
    resourceId: options.clientResourceId ?? 1,
    redirectUris: options.redirectUris ?? [],
  };
  let mode: AuthorizationDecisionMode = options.decision ?? 'approve';

  const verifier: OAuthVerifier = {
    verifyAccessToken(subdomain, token) {
      const record = store.findLiveAccessToken(subdomain, token);
      if (!record) return null;
      store.markUsed(record);
      return { userId: record.userId, scopes: [...record.scopes] };
    },
  };
  const authenticate = deps.authenticate ?? createFallbackAuthenticate(accounts, verifier);

  return {
    ...verifier,
    decisionMode: () => mode,
    setDecisionMode: (next) => {
      mode = next;
    },
    register(app) {
      // An encapsulated scope, so the form parser added here cannot clash with the app's own.
      void app.register(async (scope) => {
        ensureFormBodyParser(scope);
        registerAuthorizeRoutes(scope, { accounts, client, store, decisionMode: () => mode });
        registerTokenRoutes(scope, {
          accounts,
          client,
          store,
          defaultAccessTtlSeconds: options.accessTokenTtlSeconds > 0 ? options.accessTokenTtlSeconds : null,
        });
        registerTokenApiRoutes(scope, { accounts, client, store, baseUrl: deps.baseUrl, authenticate });
        registerOAuthAdminRoutes(scope, {
          store,
          getDecisionMode: () => mode,
          setDecisionMode: (next) => {
            mode = next;
          },
        });
      });
    },
  };
}
