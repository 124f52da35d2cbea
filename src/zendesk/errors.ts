/**
 * What can go wrong when we call Zendesk, classified so that callers can act on it: ask the admin
 * to re-authorize, tell them the subdomain does not exist, wait and retry, or give up on a page.
 */
export type ZendeskErrorKind =
  /** 401: the credentials are wrong, expired or revoked. */
  | 'unauthorized'
  /** 403: authenticated, but the user or token lacks the permission or scope. */
  | 'forbidden'
  /** 404 on the account itself: no such Zendesk subdomain (or the path does not exist). */
  | 'not_found'
  /** 429 beyond our patience: Zendesk kept asking us to wait. */
  | 'rate_limited'
  /** 5xx after retries. */
  | 'server_error'
  /** DNS, connection refused or reset, timeout: Zendesk was not reached. */
  | 'unreachable'
  /** 2xx whose body is not the JSON we expect. */
  | 'invalid_response'
  /** Another 4xx: our request was refused (the message says why). */
  | 'rejected';

export class ZendeskError extends Error {
  constructor(
    readonly kind: ZendeskErrorKind,
    message: string,
    readonly status?: number,
    /** Zendesk's own error text, when its body had one. */
    readonly zendeskError?: string,
  ) {
    super(message);
    this.name = 'ZendeskError';
  }

  get retryable(): boolean {
    return this.kind === 'server_error' || this.kind === 'unreachable' || this.kind === 'rate_limited';
  }
}
