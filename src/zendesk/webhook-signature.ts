/**
 * Zendesk webhook signatures (https://developer.zendesk.com/documentation/webhooks/verifying/):
 * `X-Zendesk-Webhook-Signature` = base64(HMAC-SHA256(key = the signing secret's bytes as given,
 * message = X-Zendesk-Webhook-Signature-Timestamp + raw body)). The secret looks like base64 but is
 * used as-is; the body is signed byte for byte as received.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-zendesk-webhook-signature';
export const TIMESTAMP_HEADER = 'x-zendesk-webhook-signature-timestamp';
/** Zendesk signs "Test webhook" requests sent before a webhook exists with this fixed secret. */
export const ZENDESK_TEST_SIGNING_SECRET = 'dGhpc19zZWNyZXRfaXNfZm9yX3Rlc3Rpbmdfb25seQ==';

export function signWebhook(secret: string, timestamp: string, rawBody: Buffer | string): string {
  return createHmac('sha256', secret).update(timestamp).update(rawBody).digest('base64');
}

export type SignatureCheck = { ok: true } | { ok: false; reason: string };

/**
 * Checks the signature in constant time and refuses a timestamp further than `toleranceMs` from
 * now (default 5 minutes), so that a captured request cannot be replayed later.
 */
export function verifyWebhookSignature(input: {
  secret: string;
  signature: string | undefined;
  timestamp: string | undefined;
  rawBody: Buffer | string;
  nowMs?: number;
  toleranceMs?: number;
}): SignatureCheck {
  if (!input.signature || !input.timestamp) return { ok: false, reason: 'the request has no Zendesk webhook signature headers' };
  const signedAt = Date.parse(input.timestamp);
  if (Number.isNaN(signedAt)) return { ok: false, reason: 'the signature timestamp is not a date' };
  const skew = Math.abs((input.nowMs ?? Date.now()) - signedAt);
  if (skew > (input.toleranceMs ?? 5 * 60_000)) return { ok: false, reason: 'the signature timestamp is more than 5 minutes away from now' };
  const expected = Buffer.from(signWebhook(input.secret, input.timestamp, input.rawBody), 'base64');
  const given = Buffer.from(input.signature, 'base64');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'the signature does not match' };
  return { ok: true };
}
