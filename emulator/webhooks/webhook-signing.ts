/**
 * Webhook request signing (developer.zendesk.com/documentation/webhooks/verifying): "Sign the body
 * and signature timestamp with the webhook secret key using SHA256, then base64 encoding the
 * resulting digest. Represented simply: base64(HMACSHA256(TIMESTAMP + BODY))". The key is the
 * secret string's bytes as-is (not base64-decoded), and a request without a body signs "".
 *
 * Note: an older copy of that page (documentation/event-connectors/webhooks/verifying) writes
 * `base64(HMACSHA256((BODY)(TIMESTAMP)))`, and its worked example (secret
 * `HRkRd4BeOAoUkfZr-mhauJT64rvBASlJRoIyPsd3zeA=`, body `{"say": "hello"}`, timestamp
 * `2021-07-25T10:00:00Z`, signature `tRDSF7URY8BLCDlaBcQ7FHu051Zk+aAB0NKMP53teMw=`) does verify
 * with body-then-timestamp. The current page and production verifiers ([3P]
 * aaronellington/zendesk-go `buildZendeskSignature`: timestamp then body) use timestamp-then-body,
 * which is what the emulator signs.
 */
import { createHmac } from 'node:crypto';

/** "Test webhook" requests sent before a webhook exists are signed with this static secret. */
export const TEST_SIGNING_SECRET = 'dGhpc19zZWNyZXRfaXNfZm9yX3Rlc3Rpbmdfb25seQ==';

export function signWebhookRequest(secret: string, timestamp: string, body: string): string {
  return createHmac('sha256', Buffer.from(secret, 'utf8')).update(timestamp + body, 'utf8').digest('base64');
}

/** ISO-8601 UTC without milliseconds, e.g. `2024-04-17T17:18:10Z` ([3P] Prismatic capture). */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
