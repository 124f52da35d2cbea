/**
 * Zendesk counts incremental-export requests against their own limit (10 a minute, 30 with High
 * Volume) and every other request against the account's plan limit (docs/zendesk.md, rate limits).
 */
export type LimitBucket = 'export' | 'account';

/** Which limit a request path counts against. */
export function bucketOf(path: string): LimitBucket {
  return path.includes('/api/v2/incremental/') ? 'export' : 'account';
}
