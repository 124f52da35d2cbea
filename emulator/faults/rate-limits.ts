/**
 * Zendesk's rate limits, off unless asked for.
 *
 * - Account limit per minute by plan: Team 200, Growth/Professional 400, Enterprise 700, High
 *   Volume add-on 2500 (docs/zendesk.md, Rate limits); default here: Enterprise, 700.
 * - Incremental exports: 10 requests per minute (incremental_exports page).
 * - List-ticket endpoints carry `zendesk-ratelimit-tickets-index: total=100; ...` (best-practices
 *   page; the emulator enforces that documented total).
 * - Every response carries `X-Rate-Limit`, `X-Rate-Limit-Remaining`, `ratelimit-limit`,
 *   `ratelimit-remaining`, `ratelimit-reset` (docs/zendesk.md, Rate limits); exports also
 *   `zendesk-ratelimit-incremental-exports` ([3P] live probe of that header).
 * - Over the limit: 429 with `Retry-After` in seconds. Bodies: the account limit answers in plain
 *   text "Number of allowed API requests per minute exceeded" (airbyte issue #11035 shows a JSON
 *   parser choking on exactly that text); exports answer `{"error":"APIRateLimitExceeded",...}`
 *   (airbyte issue #11899 log).
 *
 * Windows are fixed emulated minutes, so `--time-scale` shrinks them; `Retry-After` and
 * `ratelimit-reset` are real seconds, what a client should actually wait.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { EmulatorClock } from '../contract.ts';
import { ZendeskHttpError, sendZendeskError } from './errors.ts';

export type RateLimitMode = 'off' | 'realistic';

export interface RateLimitOptions {
  mode: RateLimitMode;
  /** Requests per minute for the whole account (plan limit). */
  accountPerMinute?: number;
  incrementalPerMinute?: number;
  ticketsIndexPerMinute?: number;
}

export const PLAN_LIMITS = { team: 200, growth: 400, professional: 400, enterprise: 700, high_volume: 2500 } as const;
const WINDOW_MS = 60_000;

class FixedWindow {
  private startMs = Number.NEGATIVE_INFINITY;
  private used = 0;

  constructor(readonly limit: number) {}

  private roll(nowMs: number): void {
    if (nowMs - this.startMs >= WINDOW_MS) {
      this.startMs = nowMs;
      this.used = 0;
    }
  }

  /** Takes one request from the window; false when the window is spent. */
  take(nowMs: number): boolean {
    this.roll(nowMs);
    if (this.used >= this.limit) return false;
    this.used += 1;
    return true;
  }

  remaining(nowMs: number): number {
    this.roll(nowMs);
    return Math.max(0, this.limit - this.used);
  }

  /** Emulated seconds until the window resets. */
  resetSeconds(nowMs: number): number {
    return Math.max(0, (this.startMs + WINDOW_MS - nowMs) / 1000);
  }
}

interface AccountWindows {
  account: FixedWindow;
  incremental: FixedWindow;
  ticketsIndex: FixedWindow;
}

const TICKET_LIST = /^\/[^/]+\/api\/v2\/(?:tickets|organizations\/\d+\/tickets|users\/\d+\/tickets\/\w+)(?:\.json)?(?:\?|$)/;
const INCREMENTAL = /^\/[^/]+\/api\/v2\/incremental\//;
const API = /^\/([^/]+)\/api\/v2\//;

export function registerRateLimits(app: FastifyInstance, clock: EmulatorClock, options: RateLimitOptions): void {
  if (options.mode === 'off') return;
  const accountLimit = options.accountPerMinute ?? PLAN_LIMITS.enterprise;
  const windows = new Map<string, AccountWindows>();
  const windowsFor = (subdomain: string): AccountWindows => {
    let found = windows.get(subdomain);
    if (!found) {
      found = {
        account: new FixedWindow(accountLimit),
        incremental: new FixedWindow(options.incrementalPerMinute ?? 10),
        ticketsIndex: new FixedWindow(options.ticketsIndexPerMinute ?? 100),
      };
      windows.set(subdomain, found);
    }
    return found;
  };
  /** Real seconds a client should wait: at least 1, as Retry-After is a whole number. */
  const realSeconds = (emulatedSeconds: number): number => Math.max(1, Math.ceil(clock.durationMs(emulatedSeconds) / 1000));

  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const match = API.exec(request.url);
    if (!match) return;
    const nowMs = clock.nowMs();
    const w = windowsFor(match[1] as string);
    const isExport = INCREMENTAL.test(request.url);
    const isTicketList = request.method === 'GET' && TICKET_LIST.test(request.url);

    const refuse = (window: FixedWindow, body: unknown): FastifyReply => {
      const wait = String(realSeconds(window.resetSeconds(nowMs)));
      setHeaders(reply, w, nowMs, realSeconds, isExport, isTicketList);
      return sendZendeskError(reply, new ZendeskHttpError(429, body, { 'retry-after': wait }));
    };
    if (!w.account.take(nowMs)) return refuse(w.account, 'Number of allowed API requests per minute exceeded');
    if (isExport && !w.incremental.take(nowMs)) {
      return refuse(w.incremental, {
        error: 'APIRateLimitExceeded',
        description: 'Number of allowed incremental export API requests per minute exceeded',
      });
    }
    if (isTicketList && !w.ticketsIndex.take(nowMs)) return refuse(w.ticketsIndex, 'Number of allowed API requests per minute exceeded');
    setHeaders(reply, w, nowMs, realSeconds, isExport, isTicketList);
  });
}

function setHeaders(
  reply: FastifyReply,
  w: AccountWindows,
  nowMs: number,
  realSeconds: (emulatedSeconds: number) => number,
  isExport: boolean,
  isTicketList: boolean,
): void {
  const remaining = String(w.account.remaining(nowMs));
  const limit = String(w.account.limit);
  reply.header('x-rate-limit', limit);
  reply.header('x-rate-limit-remaining', remaining);
  reply.header('ratelimit-limit', limit);
  reply.header('ratelimit-remaining', remaining);
  reply.header('ratelimit-reset', String(realSeconds(w.account.resetSeconds(nowMs))));
  const bucket = (window: FixedWindow): string =>
    `total=${window.limit}; remaining=${window.remaining(nowMs)}; resets=${realSeconds(window.resetSeconds(nowMs))}`;
  if (isExport) reply.header('zendesk-ratelimit-incremental-exports', bucket(w.incremental));
  if (isTicketList) reply.header('zendesk-ratelimit-tickets-index', bucket(w.ticketsIndex));
}
