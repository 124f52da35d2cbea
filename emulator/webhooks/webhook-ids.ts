/**
 * Identifiers in Zendesk's formats: webhook ids are ULIDs (26 Crockford base32 characters, e.g.
 * `01GK8E6BKWMJZD2T8Y5AXJQMG5`, [3P] Prismatic capture; `01EJFTSCC78X5V07NPY2MHR00M` in
 * nukosuke/go-zendesk fixture/GET/webhook.json), and signing secrets look like the documented
 * example `HRkRd4BeOAoUkfZr-mhauJT64rvBASlJRoIyPsd3zeA=` (32 random bytes, base64url, padded).
 */
import { randomBytes } from 'node:crypto';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

function encodeBase32(value: bigint, length: number): string {
  let out = '';
  let rest = value;
  for (let i = 0; i < length; i++) {
    out = CROCKFORD[Number(rest & 31n)] + out;
    rest >>= 5n;
  }
  return out;
}

/**
 * A ULID factory: 48-bit millisecond time + 80 random bits, monotonic within one millisecond
 * (the random part is incremented), so ids sort in creation order.
 */
export function createUlidFactory(nowMs: () => number): () => string {
  let lastTime = -1;
  let lastRandom = 0n;
  return () => {
    const time = Math.max(0, Math.floor(nowMs()));
    if (time <= lastTime) {
      lastRandom = (lastRandom + 1n) & ((1n << 80n) - 1n);
    } else {
      lastTime = time;
      lastRandom = BigInt(`0x${randomBytes(10).toString('hex')}`) >> 1n; // headroom for increments
    }
    return encodeBase32(BigInt(lastTime), 10) + encodeBase32(lastRandom, 16);
  };
}

export function newSigningSecret(): string {
  return `${randomBytes(32).toString('base64url')}=`;
}
