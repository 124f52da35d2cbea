import { createHash, randomBytes } from 'node:crypto';

/** A random bearer secret with a readable prefix (`cscx_...`): 32 random bytes, base64url. */
export function generateToken(prefix: string): string {
  return `${prefix}_${randomBytes(32).toString('base64url')}`;
}

/** Tokens (API keys, session ids, OAuth states) are stored only as their SHA-256. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
