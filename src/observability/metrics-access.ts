import { createHash, timingSafeEqual } from 'node:crypto';

/** True when `authorization` is `Bearer <token>`; compared in constant time (over hashes, so lengths leak nothing). */
export function bearerMatches(authorization: string | undefined, token: string): boolean {
  const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
  if (!match?.[1]) return false;
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(match[1]), digest(token));
}
