/**
 * Emulator-only controls for tests and demos (not Zendesk API):
 * - `GET /_emulator/oauth`: decision mode and token counts (no secrets);
 * - `PUT /_emulator/oauth` `{"decision":"approve"|"deny"|"page"}`: how the next authorizations end;
 * - `POST /_emulator/oauth/expire-tokens` `{"subdomain"?, "include_refresh_tokens"?}`: expire now.
 */
import type { FastifyInstance } from 'fastify';
import type { AuthorizationDecisionMode } from './authorize-routes.ts';
import type { OAuthTokenStore } from './token-store.ts';

export interface OAuthAdminDeps {
  store: OAuthTokenStore;
  getDecisionMode(): AuthorizationDecisionMode;
  setDecisionMode(mode: AuthorizationDecisionMode): void;
}

const MODES: readonly AuthorizationDecisionMode[] = ['approve', 'deny', 'page'];

export function registerOAuthAdminRoutes(scope: FastifyInstance, deps: OAuthAdminDeps): void {
  const status = () => ({ decision: deps.getDecisionMode(), tokens: deps.store.counts() });

  scope.get('/_emulator/oauth', async () => status());

  scope.put('/_emulator/oauth', async (request, reply) => {
    const decision = (request.body as { decision?: unknown } | undefined)?.decision;
    if (typeof decision !== 'string' || !MODES.includes(decision as AuthorizationDecisionMode)) {
      return reply.code(400).send({ error: 'InvalidDecision', description: `decision must be one of ${MODES.join(', ')}` });
    }
    deps.setDecisionMode(decision as AuthorizationDecisionMode);
    return status();
  });

  scope.post('/_emulator/oauth/expire-tokens', async (request) => {
    const body = (request.body ?? {}) as { subdomain?: unknown; include_refresh_tokens?: unknown };
    const expired = deps.store.expireAll({
      subdomain: typeof body.subdomain === 'string' ? body.subdomain : undefined,
      includeRefreshTokens: body.include_refresh_tokens === true,
    });
    return { expired_access_tokens: expired.accessTokens, expired_refresh_tokens: expired.refreshTokens };
  });
}
