/**
 * A minimal stand-in for `ctx.authenticate`, used by the OAuth token API when the caller of
 * `createOAuthServer` passes none (unit tests). It accepts what Zendesk accepts on the API:
 * `Authorization: Bearer <oauth token>` and Basic `{email}/token:{api_token}` (support.zendesk.com
 * article 115000510267), and answers 401 with Zendesk's bodies otherwise.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Account, OAuthVerifier } from '../contract.ts';
import { oauthErrorBody } from './errors.ts';

export type PreHandler = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

/** The subdomain a `/:subdomain/...` route was called on. */
export function routeSubdomain(request: FastifyRequest): string {
  return (request.params as { subdomain?: string }).subdomain ?? '';
}

export function createFallbackAuthenticate(accounts: Map<string, Account>, verifier: OAuthVerifier): PreHandler {
  return async (request, reply) => {
    const account = accounts.get(routeSubdomain(request));
    const header = request.headers.authorization ?? '';
    if (account && header.startsWith('Bearer ')) {
      const grant = verifier.verifyAccessToken(account.subdomain, header.slice(7).trim());
      const user = grant ? account.users.get(grant.userId) : undefined;
      if (grant && user) {
        request.zendeskAuth = { subdomain: account.subdomain, user, method: 'oauth', scopes: grant.scopes };
        return;
      }
      await reply.code(401).send(oauthErrorBody('invalid_token'));
      return;
    }
    if (account && header.startsWith('Basic ')) {
      const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      const login = decoded.slice(0, colon);
      const secret = decoded.slice(colon + 1);
      const admin = account.users.get(account.admin_user_id);
      if (colon > 0 && admin && login === `${admin.email}/token` && secret === account.api_token) {
        request.zendeskAuth = { subdomain: account.subdomain, user: admin, method: 'api_token', scopes: ['read', 'write'] };
        return;
      }
    }
    await reply.code(401).header('www-authenticate', 'Basic realm="Web Password"').send({ error: "Couldn't authenticate you" });
  };
}
