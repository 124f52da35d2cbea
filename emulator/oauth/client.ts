/**
 * The one OAuth client the emulator knows (the integration under test). Zendesk clients are
 * scoped to one instance unless "global" (developer.zendesk.com creating-and-using-oauth-tokens);
 * the emulator accepts the same credentials on every subdomain, as a global client would.
 */
import { timingSafeEqual } from 'node:crypto';

export interface OAuthClient {
  /** The client's "Identifier" (what requests send as `client_id`). */
  identifier: string;
  secret: string;
  /** Numeric resource id of the client (`client_id` in the /api/v2/oauth/tokens objects). */
  resourceId: number;
  /** Registered redirect URIs; empty = any URI passing the format rules below. */
  redirectUris: readonly string[];
}

function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

export function isClientSecretValid(client: OAuthClient, secret: string): boolean {
  return sameSecret(client.secret, secret);
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Help article 4408845965210: redirect URLs must be absolute and use https, except for
 * localhost/127.0.0.1. RFC 6749 §3.1.2: no fragment. When the client registers URIs, the request
 * must name one of them exactly.
 */
export function isAllowedRedirectUri(client: OAuthClient, redirectUri: string | undefined): redirectUri is string {
  if (!redirectUri) return false;
  let url: URL;
  try {
    url = new URL(redirectUri);
  } catch {
    return false;
  }
  if (url.hash !== '') return false;
  const secure = url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname));
  if (!secure) return false;
  return client.redirectUris.length === 0 || client.redirectUris.includes(redirectUri);
}
