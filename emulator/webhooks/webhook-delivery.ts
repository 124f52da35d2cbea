/**
 * Sends webhook requests the way Zendesk does: signed, with Zendesk's headers, a 12-second
 * timeout, Zendesk's retry rules (webhook-retry-policy.ts), and, on demand, the delivery faults
 * Zendesk warns about ("best effort to deliver each action a single time", order not guaranteed):
 * a seeded share of deliveries is dropped, sent twice, or held back and sent after the next one.
 *
 * First attempts to one webhook go out one after another, so without faults a receiver sees
 * requests in the order they were produced; retries run on their own.
 */
import type { EmulatorClock } from '../contract.ts';
import type { DeliveryLog, DeliverySource, DeliveryStatus } from './webhook-delivery-log.ts';
import { DELIVERY_TIMEOUT_SECONDS, parseRetryAfter, retryDelaySeconds, type AttemptOutcome } from './webhook-retry-policy.ts';
import { mulberry32 } from '../generation/random.ts';

type Random = () => number;
import { isoSeconds, signWebhookRequest } from './webhook-signing.ts';
import type { WebhookRecord } from './webhook-store.ts';

/** Shares (0..1) of deliveries dropped, sent twice, or held back and sent after a later one. */
export interface FaultShares {
  drop: number;
  duplicate: number;
  reorder: number;
}

export type WebhookTarget = Pick<WebhookRecord, 'id' | 'subdomain' | 'endpoint' | 'http_method' | 'request_format' | 'authentication' | 'custom_headers'>;

export interface DeliveryRequest {
  target: WebhookTarget;
  /** The secret the signature is made with (the webhook's, or the static test secret). */
  secret: string;
  /** The request body; "" for requests without one (GET, DELETE). */
  body: string;
  /** URL parameters added to the endpoint (trigger webhooks using GET/DELETE send their data so). */
  query: Array<[string, string]>;
  source: DeliverySource;
}

export interface CapturedResponse {
  status: number;
  headers: Array<{ key: string; value: string }>;
  body: string;
}

interface SendResult {
  outcome: AttemptOutcome;
  response: CapturedResponse | null;
}

interface Flags {
  duplicate: boolean;
  reordered: boolean;
}

interface HeldDelivery {
  request: DeliveryRequest;
  invocationId: string;
  duplicated: boolean;
}

const CONTENT_TYPES: Record<WebhookTarget['request_format'], string> = {
  json: 'application/json',
  xml: 'application/xml',
  form_encoded: 'application/x-www-form-urlencoded',
};

/** How long a held-back delivery waits for a later one before it goes anyway (emulated seconds). */
const HOLD_BACK_LIMIT_SECONDS = 5;

function methodHasBody(method: string): boolean {
  return method !== 'GET' && method !== 'DELETE';
}

export interface WebhookDelivererDeps {
  clock: EmulatorClock;
  log: DeliveryLog;
  faults: FaultShares;
  seed: number;
  newInvocationId(): string;
  fetch?: typeof fetch;
}

export class WebhookDeliverer {
  private faultShares: FaultShares;
  private random: Random;
  private readonly pending = new Set<Promise<unknown>>();
  private readonly lanes = new Map<string, Promise<void>>();
  private readonly sleepers = new Set<{ timer: NodeJS.Timeout; wake: () => void }>();
  private readonly abort = new AbortController();
  private held: { delivery: HeldDelivery; timer: NodeJS.Timeout } | null = null;
  private closed = false;
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly deps: WebhookDelivererDeps) {
    this.faultShares = { ...deps.faults };
    this.random = mulberry32(deps.seed);
    this.fetchImpl = deps.fetch ?? fetch;
  }

  faults(): FaultShares {
    return { ...this.faultShares };
  }

  /** Changes the fault shares; a new seed restarts the random sequence. */
  setFaults(faults: FaultShares, seed?: number): void {
    this.faultShares = { ...faults };
    if (seed !== undefined) this.random = mulberry32(seed);
  }

  /** Queues a delivery, subject to the fault shares. */
  enqueue(request: DeliveryRequest): void {
    if (this.closed) return;
    // Three draws per delivery, always, so one fault's share does not shift the others' sequence.
    const [dropDraw, duplicateDraw, reorderDraw] = [this.random(), this.random(), this.random()];
    const invocationId = this.deps.newInvocationId();
    if (dropDraw < this.faultShares.drop) {
      this.logAttempt(request, invocationId, 1, { duplicate: false, reordered: false }, 'dropped', null, 'dropped by the emulator fault injection', null);
      return;
    }
    const duplicated = duplicateDraw < this.faultShares.duplicate;
    if (reorderDraw < this.faultShares.reorder && this.held === null) {
      this.holdBack({ request, invocationId, duplicated });
      return;
    }
    const firstAttemptDone = this.dispatchWithCopies(request, invocationId, duplicated, false);
    const held = this.takeHeld();
    if (held) this.track(firstAttemptDone.then(() => this.dispatchWithCopies(held.request, held.invocationId, held.duplicated, true)));
  }

  /** One attempt, no faults and no retries; for `POST /api/v2/webhooks/test`. */
  async sendTest(request: DeliveryRequest): Promise<SendResult> {
    const invocationId = this.deps.newInvocationId();
    const result = await this.send(request, invocationId);
    this.logOutcome(request, invocationId, 1, { duplicate: false, reordered: false }, result.outcome, null);
    return result;
  }

  /** Resolves when nothing is queued, in flight, waiting for a retry, or held back. */
  async idle(): Promise<void> {
    for (;;) {
      const held = this.takeHeld();
      if (held) void this.dispatchWithCopies(held.request, held.invocationId, held.duplicated, true);
      if (this.pending.size === 0) return;
      await Promise.allSettled([...this.pending]);
    }
  }

  /** Stops timers, aborts requests in flight, and waits for them to unwind. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.held) clearTimeout(this.held.timer);
    this.held = null;
    this.abort.abort();
    for (const sleeper of this.sleepers) {
      clearTimeout(sleeper.timer);
      sleeper.wake();
    }
    this.sleepers.clear();
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  private holdBack(delivery: HeldDelivery): void {
    const timer = setTimeout(() => {
      const held = this.takeHeld();
      if (held) void this.dispatchWithCopies(held.request, held.invocationId, held.duplicated, true);
    }, this.deps.clock.durationMs(HOLD_BACK_LIMIT_SECONDS));
    timer.unref?.();
    this.held = { delivery, timer };
  }

  private takeHeld(): HeldDelivery | null {
    if (!this.held) return null;
    clearTimeout(this.held.timer);
    const { delivery } = this.held;
    this.held = null;
    return delivery;
  }

  /** Dispatches a delivery (and its injected duplicate); resolves when the first attempt is done. */
  private dispatchWithCopies(request: DeliveryRequest, invocationId: string, duplicated: boolean, reordered: boolean): Promise<void> {
    const done = this.dispatch(request, invocationId, { duplicate: false, reordered });
    if (duplicated) void this.dispatch(request, this.deps.newInvocationId(), { duplicate: true, reordered });
    return done;
  }

  private dispatch(request: DeliveryRequest, invocationId: string, flags: Flags): Promise<void> {
    const laneKey = `${request.target.subdomain}/${request.target.id}`;
    const lane = this.lanes.get(laneKey) ?? Promise.resolve();
    const firstAttempt = lane.then(() => this.attempt(request, invocationId, 1, flags));
    const firstDone = firstAttempt.then(
      () => undefined,
      () => undefined,
    );
    this.lanes.set(laneKey, firstDone);
    this.track(firstAttempt.then((outcome) => this.retry(request, invocationId, outcome, flags)));
    return firstDone;
  }

  private async retry(request: DeliveryRequest, invocationId: string, first: AttemptOutcome, flags: Flags): Promise<void> {
    let outcome = first;
    for (let attempt = 1; ; attempt++) {
      const delay = retryDelaySeconds(outcome, attempt);
      if (delay === null || this.closed) return;
      await this.sleep(this.deps.clock.durationMs(delay));
      if (this.closed) return;
      outcome = await this.attempt(request, invocationId, attempt + 1, flags);
    }
  }

  private async attempt(request: DeliveryRequest, invocationId: string, attempt: number, flags: Flags): Promise<AttemptOutcome> {
    if (this.closed) return { kind: 'aborted' };
    const { outcome } = await this.send(request, invocationId);
    this.logOutcome(request, invocationId, attempt, flags, outcome, retryDelaySeconds(outcome, attempt));
    return outcome;
  }

  /** One HTTP request with Zendesk's headers and signature. */
  private async send(request: DeliveryRequest, invocationId: string): Promise<SendResult> {
    const { target } = request;
    const timestamp = isoSeconds(this.deps.clock.nowMs());
    const headers: Record<string, string> = {
      'Content-Type': CONTENT_TYPES[target.request_format],
      'User-Agent': 'Zendesk Webhook',
      // UNCONFIRMED header ([3P] api-evangelist asyncapi only); harmless for receivers that ignore it.
      'X-Zendesk-Webhook-Invocation-Id': invocationId,
      'X-Zendesk-Webhook-Signature': signWebhookRequest(request.secret, timestamp, request.body),
      'X-Zendesk-Webhook-Signature-Timestamp': timestamp,
    };
    // A test request for a webhook that does not exist yet has no webhook id to send.
    if (target.id !== '') headers['X-Zendesk-Webhook-Id'] = target.id;
    // Custom headers are for "additional non-credential info"; Zendesk allows them on HTTPS
    // endpoints only, which the emulator does not enforce (its receivers are local http servers).
    for (const [name, value] of Object.entries(target.custom_headers ?? {})) headers[name] = value;
    const url = new URL(target.endpoint);
    for (const [name, value] of request.query) url.searchParams.append(name, value);
    applyAuthentication(target, headers, url);

    const timeout = AbortSignal.timeout(this.deps.clock.durationMs(DELIVERY_TIMEOUT_SECONDS));
    try {
      const response = await this.fetchImpl(url, {
        method: target.http_method,
        headers,
        body: methodHasBody(target.http_method) ? request.body : undefined,
        signal: AbortSignal.any([timeout, this.abort.signal]),
        redirect: 'manual',
      });
      const body = await response.text();
      const captured: CapturedResponse = {
        status: response.status,
        headers: [...response.headers.entries()].map(([key, value]) => ({ key, value })),
        body,
      };
      return {
        outcome: { kind: 'response', status: response.status, retryAfterSeconds: parseRetryAfter(response.headers.get('retry-after')) },
        response: captured,
      };
    } catch (error) {
      if (timeout.aborted) return { outcome: { kind: 'timeout' }, response: null };
      if (this.abort.signal.aborted) return { outcome: { kind: 'aborted' }, response: null };
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      return { outcome: { kind: 'network-error', message: cause?.code ?? cause?.message ?? String(error) }, response: null };
    }
  }

  private logOutcome(request: DeliveryRequest, invocationId: string, attempt: number, flags: Flags, outcome: AttemptOutcome, retryIn: number | null): void {
    switch (outcome.kind) {
      case 'response': {
        const ok = outcome.status >= 200 && outcome.status < 300;
        this.logAttempt(request, invocationId, attempt, flags, ok ? 'success' : 'failed', outcome.status, ok ? null : `HTTP ${outcome.status}`, retryIn);
        return;
      }
      case 'timeout':
        // Zendesk logs a timed-out request as "Failed: 504 Gateway Timeout".
        this.logAttempt(request, invocationId, attempt, flags, 'timeout', 504, 'Failed: 504 Gateway Timeout', retryIn);
        return;
      case 'network-error':
        this.logAttempt(request, invocationId, attempt, flags, 'network_error', null, outcome.message, retryIn);
        return;
      case 'aborted':
        this.logAttempt(request, invocationId, attempt, flags, 'aborted', null, 'emulator closed', null);
        return;
    }
  }

  private logAttempt(
    request: DeliveryRequest,
    invocationId: string,
    attempt: number,
    flags: Flags,
    status: DeliveryStatus,
    statusCode: number | null,
    error: string | null,
    retryIn: number | null,
  ): void {
    this.deps.log.add({
      at: isoSeconds(this.deps.clock.nowMs()),
      subdomain: request.target.subdomain,
      webhook_id: request.target.id,
      invocation_id: invocationId,
      source: request.source,
      method: request.target.http_method,
      endpoint: request.target.endpoint,
      attempt,
      status,
      status_code: statusCode,
      error,
      duplicate: flags.duplicate,
      reordered: flags.reordered,
      retry_in_seconds: retryIn,
    });
  }

  private track(promise: Promise<unknown>): void {
    const tracked = promise.catch(() => undefined);
    this.pending.add(tracked);
    void tracked.finally(() => this.pending.delete(tracked));
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const sleeper = {
        timer: setTimeout(() => {
          this.sleepers.delete(sleeper);
          resolve();
        }, ms),
        wake: resolve,
      };
      this.sleepers.add(sleeper);
    });
  }
}

/**
 * Webhook authentication as configured: Basic `username:password`, `Bearer token`, or an API key
 * header (`name: value`); `add_position` "query_string" puts the API key in the URL instead.
 */
export function applyAuthentication(target: WebhookTarget, headers: Record<string, string>, url: URL): void {
  const auth = target.authentication;
  if (!auth) return;
  switch (auth.type) {
    case 'basic_auth':
      headers.Authorization = `Basic ${Buffer.from(`${auth.data.username ?? ''}:${auth.data.password ?? ''}`).toString('base64')}`;
      return;
    case 'bearer_token':
      headers.Authorization = `Bearer ${auth.data.token ?? ''}`;
      return;
    case 'api_key':
      if (auth.add_position === 'query_string') url.searchParams.set(auth.data.name ?? '', auth.data.value ?? '');
      else headers[auth.data.name ?? ''] = auth.data.value ?? '';
      return;
  }
}
