import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signWebhook, verifyWebhookSignature, ZENDESK_TEST_SIGNING_SECRET } from './webhook-signature.ts';

const body = '{"type":"zen:event-type:ticket.created","id":"1"}';
const timestamp = '2024-04-17T17:18:10Z';
const now = Date.parse(timestamp) + 1000;

describe('Zendesk webhook signatures', () => {
  it('signs base64(HMAC-SHA256(timestamp + body)) with the secret string as the key, not base64-decoded', () => {
    const byHand = createHmac('sha256', Buffer.from(ZENDESK_TEST_SIGNING_SECRET, 'utf8')).update(timestamp + body).digest('base64');
    expect(signWebhook(ZENDESK_TEST_SIGNING_SECRET, timestamp, body)).toBe(byHand);
    const decodedKey = createHmac('sha256', Buffer.from(ZENDESK_TEST_SIGNING_SECRET, 'base64')).update(timestamp + body).digest('base64');
    expect(signWebhook(ZENDESK_TEST_SIGNING_SECRET, timestamp, body)).not.toBe(decodedKey);
  });

  it('accepts a good signature and refuses a changed body, another secret, a missing header and a stale timestamp', () => {
    const signature = signWebhook('secret-1', timestamp, body);
    const base = { secret: 'secret-1', signature, timestamp, rawBody: body, nowMs: now };
    expect(verifyWebhookSignature(base)).toEqual({ ok: true });
    expect(verifyWebhookSignature({ ...base, rawBody: body + '\n' })).toEqual({ ok: false, reason: 'the signature does not match' });
    expect(verifyWebhookSignature({ ...base, secret: 'secret-2' }).ok).toBe(false);
    expect(verifyWebhookSignature({ ...base, signature: undefined }).ok).toBe(false);
    expect(verifyWebhookSignature({ ...base, signature: 'short' }).ok).toBe(false);
    expect(verifyWebhookSignature({ ...base, nowMs: now + 6 * 60_000 })).toEqual({
      ok: false,
      reason: 'the signature timestamp is more than 5 minutes away from now',
    });
    expect(verifyWebhookSignature({ ...base, timestamp: 'yesterday' }).ok).toBe(false);
  });
});
