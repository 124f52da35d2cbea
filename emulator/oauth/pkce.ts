/**
 * PKCE (RFC 7636). Zendesk documents only the S256 method (the PKCE authorization URL carries
 * `code_challenge_method=S256`; help article 4408845965210: "Public clients must use PKCE").
 */
import { createHash, timingSafeEqual } from 'node:crypto';

/** RFC 7636 §4.1: 43..128 characters from the unreserved set. */
const VERIFIER_FORMAT = /^[A-Za-z0-9\-._~]{43,128}$/;

export function isWellFormedCodeVerifier(verifier: string): boolean {
  return VERIFIER_FORMAT.test(verifier);
}

/** BASE64URL(SHA256(ASCII(code_verifier))), no padding (RFC 7636 §4.2). */
export function s256CodeChallenge(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

export function verifiesS256Challenge(challenge: string, verifier: string): boolean {
  if (!isWellFormedCodeVerifier(verifier)) return false;
  const expected = Buffer.from(s256CodeChallenge(verifier));
  const given = Buffer.from(challenge);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
