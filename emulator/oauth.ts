// PLACEHOLDER: owned by the OAuth/webhooks helper, who replaces this file. Signatures are the seam.
import type { FastifyInstance } from 'fastify';
import type { Account, EmulatorClock, OAuthVerifier } from './contract.ts';

export interface OAuthServerOptions {
  clientId: string;
  clientSecret: string;
  /** Access-token lifetime in (emulated) seconds; Zendesk's default for new clients is 30 min. */
  accessTokenTtlSeconds: number;
}

export interface OAuthServer extends OAuthVerifier {
  /** Registers /:subdomain/oauth/... and /:subdomain/api/v2/oauth/... routes. */
  register(app: FastifyInstance): void;
}

export function createOAuthServer(_deps: {
  accounts: Map<string, Account>;
  clock: EmulatorClock;
  baseUrl(subdomain: string): string;
  options: OAuthServerOptions;
}): OAuthServer {
  throw new Error('not implemented yet');
}
