/**
 * Zendesk's webhook retry rules (docs/zendesk.md, Webhooks; from the Webhooks API introduction "Webhook
 * retries", corroborated by [3P] tutorials quoting it):
 * - 409: retried up to 3 times;
 * - 429 or 503: retried only if the response has a `retry-after` header under 60 seconds;
 * - timeout (12 s, logged as "Failed: 504 Gateway Timeout"): retried up to 5 times;
 * - any other status, e.g. 500: not retried.
 * Choices where the docs are silent (UNCONFIRMED): 429/503 are retried at most 3 times, after the
 * Retry-After delay; 409 and timeouts wait 1, 2, 4, 8, 16 emulated seconds between attempts;
 * connection errors (no HTTP response) are not retried.
 */

export const DELIVERY_TIMEOUT_SECONDS = 12;
const CONFLICT_RETRIES = 3;
const TIMEOUT_RETRIES = 5;
const THROTTLE_RETRIES = 3;
const MAX_RETRY_AFTER_SECONDS = 60;

export type AttemptOutcome =
  | { kind: 'response'; status: number; retryAfterSeconds: number | null }
  | { kind: 'timeout' }
  | { kind: 'network-error'; message: string }
  | { kind: 'aborted' };

export function isSuccess(outcome: AttemptOutcome): boolean {
  return outcome.kind === 'response' && outcome.status >= 200 && outcome.status < 300;
}

/** `Retry-After` as delta-seconds or HTTP-date (RFC 9110 §10.2.3); null when absent or unreadable. */
export function parseRetryAfter(header: string | null, nowMs: number = Date.now()): number | null {
  if (header === null || header.trim() === '') return null;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? null : Math.max(0, Math.ceil((date - nowMs) / 1000));
}

/**
 * Emulated seconds to wait before the next attempt, or null for no retry. `attempt` is the number
 * of the attempt that produced `outcome` (1 for the first).
 */
export function retryDelaySeconds(outcome: AttemptOutcome, attempt: number): number | null {
  const retriesSoFar = attempt - 1;
  const backoff = 2 ** retriesSoFar;
  switch (outcome.kind) {
    case 'timeout':
      return retriesSoFar < TIMEOUT_RETRIES ? backoff : null;
    case 'response':
      if (outcome.status === 409) return retriesSoFar < CONFLICT_RETRIES ? backoff : null;
      if (outcome.status === 429 || outcome.status === 503) {
        const wait = outcome.retryAfterSeconds;
        return wait !== null && wait < MAX_RETRY_AFTER_SECONDS && retriesSoFar < THROTTLE_RETRIES ? wait : null;
      }
      return null;
    case 'network-error':
    case 'aborted':
      return null;
  }
}
