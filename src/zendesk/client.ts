/**
 * Our HTTP client for one Zendesk subdomain, written from Zendesk's documentation
 * (docs/zendesk.md). It authenticates, classifies failures (errors.ts), retries what
 * is worth retrying (5xx, network errors, 429 after Retry-After) and validates response bodies
 * with zod. It shares no code with the emulator.
 */
import type { z } from 'zod';
import { ZendeskError } from './errors.ts';

export type ZendeskCredentials =
  | { method: 'api_token'; email: string; apiToken: string }
  | { method: 'oauth'; accessToken: string };

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A 429 asking us to wait longer than this fails at once as `rate_limited`. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 500, maxDelayMs: 30_000, maxRetryAfterMs: 120_000 };

export interface ZendeskClientOptions {
  /** e.g. https://acme.zendesk.com (see url.ts). */
  baseUrl: string;
  credentials: () => ZendeskCredentials | Promise<ZendeskCredentials>;
  /**
   * Called on a 401 (once per request): answers true when it obtained new credentials (an OAuth
   * refresh), and the request is tried again with them.
   */
  onUnauthorized?: () => Promise<boolean>;
  fetch?: typeof fetch;
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** Waits for a slot under Zendesk's rate limits before each attempt (see request-pacer.ts). */
  pace?: (path: string) => Promise<void>;
  /** Told of every exchange and every wait before a retry (metrics); never changes behaviour. */
  observer?: ZendeskClientObserver;
}

/** What the client reports for metrics. Calls must not throw; the client does not wait on them. */
export interface ZendeskClientObserver {
  /** One HTTP exchange: its status, or 'network' when no answer came. */
  onResponse(exchange: { method: string; path: string; status: number | 'network'; seconds: number }): void;
  /** A wait before trying again: after a 429 (`rate_limited`), a 5xx, or a network fault or cut body. */
  onRetryWait(wait: { reason: 'rate_limited' | 'server_error' | 'network'; seconds: number }): void;
}

export interface RequestOptions<T> {
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  /**
   * Whether sending the request twice is harmless. Default: true for GET, HEAD and DELETE, false
   * for writes (a retried PUT with a comment would post the comment twice). A request that is not
   * idempotent is retried only when Zendesk surely did not act on it (429, 401 then refresh).
   */
  idempotent?: boolean;
  /** Validates a JSON answer; omit for answers without a body (204). */
  schema?: z.ZodType<T>;
}

export function authorizationHeader(credentials: ZendeskCredentials): string {
  if (credentials.method === 'oauth') return `Bearer ${credentials.accessToken}`;
  // Zendesk API tokens: Basic base64("{email}/token:{api_token}") (docs/zendesk.md, Authentication).
  return `Basic ${Buffer.from(`${credentials.email}/token:${credentials.apiToken}`).toString('base64')}`;
}

/** Zendesk's error bodies come in several shapes: {error, description}, {error: {title, message}}, OAuth's {error, error_description}. */
export function describeZendeskError(body: unknown): { error?: string; description?: string } {
  if (!body || typeof body !== 'object') return {};
  const record = body as Record<string, unknown>;
  const error = record.error;
  if (error && typeof error === 'object') {
    const inner = error as Record<string, unknown>;
    return { error: String(inner.title ?? inner.code ?? ''), description: inner.message === undefined ? undefined : String(inner.message) };
  }
  const description = record.description ?? record.error_description ?? record.message;
  return { error: typeof error === 'string' ? error : undefined, description: typeof description === 'string' ? description : undefined };
}

function retryAfterMs(response: Response): number | undefined {
  const header = response.headers.get('retry-after');
  if (header === null) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** A 2xx whose body did not arrive whole: retried like a network error, reported as its cause. */
class TruncatedBodyError extends Error {
  constructor(readonly zendeskError: ZendeskError) {
    super(zendeskError.message);
  }
}

export class ZendeskClient {
  private readonly fetch: typeof fetch;
  private readonly retry: RetryPolicy;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;

  constructor(private readonly options: ZendeskClientOptions) {
    this.fetch = options.fetch ?? globalThis.fetch;
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.random = options.random ?? Math.random;
  }

  get baseUrl(): string {
    return this.options.baseUrl;
  }

  /** `path` is absolute from the account root (`/api/v2/users/me.json`) or a full URL Zendesk gave us (next page). */
  url(path: string, query?: RequestOptions<unknown>['query']): URL {
    const url = /^https?:\/\//.test(path) ? new URL(path) : new URL(this.options.baseUrl + path);
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    return url;
  }

  async request<T = undefined>(method: string, path: string, options: RequestOptions<T> = {}): Promise<T> {
    const url = this.url(path, options.query);
    const idempotent = options.idempotent ?? ['GET', 'HEAD', 'DELETE'].includes(method.toUpperCase());
    let refreshed = false;
    for (let attempt = 1; ; attempt += 1) {
      const response = await this.send(method, url, options.body, idempotent ? attempt : this.retry.attempts);
      if (response === null) {
        await this.wait('network', this.backoffMs(attempt));
        continue;
      }
      if (response.status === 401 && !refreshed && this.options.onUnauthorized) {
        refreshed = true;
        await response.body?.cancel();
        if (await this.options.onUnauthorized()) {
          attempt -= 1; // a refresh is not a failed attempt
          continue;
        }
        throw new ZendeskError('unauthorized', `Zendesk refused the credentials for ${url.host} (401) and they could not be refreshed`, 401);
      }
      if (response.status === 429) {
        const wait = retryAfterMs(response) ?? this.backoffMs(attempt);
        await response.body?.cancel();
        if (wait > this.retry.maxRetryAfterMs || attempt >= this.retry.attempts) {
          throw new ZendeskError('rate_limited', `Zendesk rate limit: asked to wait ${Math.ceil(wait / 1000)} s (${url.pathname})`, 429);
        }
        await this.wait('rate_limited', wait);
        continue;
      }
      if (response.status >= 500 && idempotent && attempt < this.retry.attempts) {
        await response.body?.cancel();
        await this.wait('server_error', this.backoffMs(attempt));
        continue;
      }
      try {
        return await this.read(response, url, options.schema);
      } catch (error) {
        // A body cut short (a dropped connection mid-transfer) is a network fault: try again.
        if (error instanceof TruncatedBodyError && idempotent && attempt < this.retry.attempts) {
          await this.wait('network', this.backoffMs(attempt));
          continue;
        }
        throw error instanceof TruncatedBodyError ? error.zendeskError : error;
      }
    }
  }

  /** One HTTP exchange; null on a network failure that may be retried. */
  private async send(method: string, url: URL, body: unknown, attempt: number): Promise<Response | null> {
    await this.options.pace?.(url.pathname);
    const credentials = await this.options.credentials();
    const headers: Record<string, string> = { accept: 'application/json', authorization: authorizationHeader(credentials) };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const started = performance.now();
    try {
      const response = await this.fetch(url, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000),
        redirect: 'manual',
      });
      this.observe(method, url, response.status, started);
      return response;
    } catch (error) {
      this.observe(method, url, 'network', started);
      if (attempt < this.retry.attempts) return null;
      const reason = error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : String(error);
      throw new ZendeskError('unreachable', `could not reach Zendesk at ${url.host}: ${reason}`);
    }
  }

  private async read<T>(response: Response, url: URL, schema: z.ZodType<T> | undefined): Promise<T> {
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      throw new TruncatedBodyError(new ZendeskError('unreachable', `the connection to ${url.host} broke while reading ${url.pathname}: ${(error as Error).message}`));
    }
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
      if (response.ok && schema) {
        throw new TruncatedBodyError(new ZendeskError('invalid_response', `Zendesk answered ${url.pathname} with a body that is not JSON (cut short?)`, response.status));
      }
    }
    if (!response.ok) throw this.failure(response.status, url, json);
    if (!schema) return undefined as T;
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new ZendeskError(
        'invalid_response',
        `Zendesk's answer to ${url.pathname} is not what its documentation describes: ${issue ? `${issue.path.join('.') || '(body)'}: ${issue.message}` : 'invalid'}`,
        response.status,
      );
    }
    return parsed.data;
  }

  private failure(status: number, url: URL, body: unknown): ZendeskError {
    const { error, description } = describeZendeskError(body);
    const said = [error, description].filter(Boolean).join(': ');
    const suffix = said ? ` (Zendesk said: ${said})` : '';
    if (status === 401) return new ZendeskError('unauthorized', `Zendesk refused the credentials for ${url.host} (401)${suffix}`, status, error);
    if (status === 403) return new ZendeskError('forbidden', `Zendesk denied access to ${url.pathname} (403): the user or token lacks the permission${suffix}`, status, error);
    if (status === 404) return new ZendeskError('not_found', `Zendesk found nothing at ${url.host}${url.pathname} (404)${suffix}`, status, error);
    if (status >= 500) return new ZendeskError('server_error', `Zendesk failed with ${status} on ${url.pathname}${suffix}`, status, error);
    return new ZendeskError('rejected', `Zendesk refused ${url.pathname} with ${status}${suffix}`, status, error);
  }

  private async wait(reason: 'rate_limited' | 'server_error' | 'network', ms: number): Promise<void> {
    try {
      this.options.observer?.onRetryWait({ reason, seconds: ms / 1000 });
    } catch {
      // Metrics never break a request.
    }
    await this.sleep(ms);
  }

  private observe(method: string, url: URL, status: number | 'network', started: number): void {
    try {
      this.options.observer?.onResponse({ method, path: url.pathname, status, seconds: (performance.now() - started) / 1000 });
    } catch {
      // Metrics never break a request.
    }
  }

  /** Exponential backoff with jitter (50-100% of the step), so that many workers do not retry in step. */
  private backoffMs(attempt: number): number {
    const ceiling = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** (attempt - 1));
    return Math.round(ceiling * (0.5 + this.random() / 2));
  }
}
