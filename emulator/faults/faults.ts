/**
 * Fault injection for resilience tests: server errors (500/502/503), added latency, dropped
 * connections, truncated JSON pages and forced 429 storms. Set at start (`--faults
 * "5xx=0.2,latency=50ms,reset=0.05,malformed=0.1"`) or at run time through
 * GET/PUT /_emulator/faults. Never applied to /_emulator/*. Rolls come from a seeded PRNG, so a
 * given seed and request sequence fail the same way every run.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { EmulatorClock } from '../contract.ts';
import { ZendeskHttpError, sendZendeskError } from './errors.ts';
import { createRandom, type Random } from '../generation/random.ts';

export interface FaultSettings {
  /** Share of requests answered 500, 502 or 503. */
  serverErrorRate: number;
  /** Added to every response, real milliseconds. */
  latencyMs: number;
  /** Share of requests whose connection is destroyed without an answer. */
  resetRate: number;
  /** Share of successful JSON responses cut in half (200, truncated body). */
  malformedRate: number;
}

export const NO_FAULTS: FaultSettings = { serverErrorRate: 0, latencyMs: 0, resetRate: 0, malformedRate: 0 };

function parseLatency(value: string | number): number {
  if (typeof value === 'number') return value;
  const match = /^(\d+(?:\.\d+)?)(ms|s)?$/.exec(value.trim());
  if (!match) throw new Error(`invalid latency "${value}" (expected e.g. 50ms or 2s)`);
  return Number(match[1]) * (match[2] === 's' ? 1000 : 1);
}

function parseShare(name: string, value: string | number): number {
  const share = Number(value);
  if (!Number.isFinite(share) || share < 0 || share > 1) throw new Error(`invalid ${name} share "${value}" (expected 0..1)`);
  return share;
}

/** Parses "5xx=0.2,latency=50ms,reset=0.05,malformed=0.1" (any subset). */
export function parseFaultSpec(spec: string): FaultSettings {
  const settings = { ...NO_FAULTS };
  for (const part of spec.split(',').map((p) => p.trim()).filter(Boolean)) {
    const [name = '', value = ''] = part.split('=', 2).map((s) => s.trim());
    if (name === '5xx') settings.serverErrorRate = parseShare(name, value);
    else if (name === 'latency') settings.latencyMs = parseLatency(value);
    else if (name === 'reset') settings.resetRate = parseShare(name, value);
    else if (name === 'malformed') settings.malformedRate = parseShare(name, value);
    else throw new Error(`unknown fault "${name}" (known: 5xx, latency, reset, malformed)`);
  }
  return settings;
}

/** Body of PUT /_emulator/faults: the same names as the --faults flag, plus a 429 storm. */
const faultsBody = z.object({
  '5xx': z.number().min(0).max(1).optional(),
  latency: z.union([z.number().min(0), z.string()]).optional(),
  reset: z.number().min(0).max(1).optional(),
  malformed: z.number().min(0).max(1).optional(),
  storm429: z.object({ seconds: z.number().min(0) }).nullable().optional(),
});

const MALFORMED = Symbol('malformed');

export class FaultInjector {
  private settings: FaultSettings;
  private stormUntilMs: number | null = null;
  private readonly random: Random;

  constructor(
    private readonly clock: EmulatorClock,
    seed: number,
    initial: FaultSettings = NO_FAULTS,
  ) {
    this.settings = { ...initial };
    this.random = createRandom((seed ^ 0x5eed_fa11) >>> 0);
  }

  describe(): Record<string, unknown> {
    const stormLeftMs = this.stormUntilMs === null ? 0 : Math.max(0, this.stormUntilMs - this.clock.nowMs());
    return {
      '5xx': this.settings.serverErrorRate,
      latency: `${this.settings.latencyMs}ms`,
      reset: this.settings.resetRate,
      malformed: this.settings.malformedRate,
      storm429: stormLeftMs > 0 ? { seconds: Math.ceil(stormLeftMs / 1000) } : null,
    };
  }

  /** Replaces the settings (PUT semantics: anything left out is off). A storm lasts emulated seconds. */
  replace(body: unknown): void {
    const parsed = faultsBody.parse(body);
    this.settings = {
      serverErrorRate: parsed['5xx'] ?? 0,
      latencyMs: parsed.latency === undefined ? 0 : parseLatency(parsed.latency),
      resetRate: parsed.reset ?? 0,
      malformedRate: parsed.malformed ?? 0,
    };
    this.stormUntilMs = parsed.storm429 ? this.clock.nowMs() + parsed.storm429.seconds * 1000 : null;
  }

  register(app: FastifyInstance): void {
    app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
      if (request.url.startsWith('/_emulator')) return;
      const s = this.settings;
      // Always roll in the same order so a seed replays the same faults.
      const rollReset = this.random.next();
      const rollError = this.random.next();
      const rollStatus = this.random.next();
      const rollMalformed = this.random.next();
      if (s.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, s.latencyMs));

      const nowMs = this.clock.nowMs();
      if (this.stormUntilMs !== null && nowMs < this.stormUntilMs) {
        const wait = Math.max(1, Math.ceil(this.clock.durationMs((this.stormUntilMs - nowMs) / 1000) / 1000));
        return sendZendeskError(
          reply,
          new ZendeskHttpError(429, 'Number of allowed API requests per minute exceeded', { 'retry-after': String(wait) }),
        );
      }
      if (rollReset < s.resetRate) {
        reply.hijack();
        request.raw.socket.destroy();
        return reply;
      }
      if (rollError < s.serverErrorRate) return sendZendeskError(reply, serverError(rollStatus));
      if (rollMalformed < s.malformedRate) (request as unknown as Record<symbol, boolean>)[MALFORMED] = true;
    });

    app.addHook('onSend', async (request, reply, payload) => {
      if (!(request as unknown as Record<symbol, boolean>)[MALFORMED] || reply.statusCode !== 200 || typeof payload !== 'string') return payload;
      return payload.slice(0, Math.floor(payload.length / 2));
    });

    app.get('/_emulator/faults', async () => this.describe());
    app.put('/_emulator/faults', async (request, reply) => {
      try {
        this.replace(request.body ?? {});
      } catch (error) {
        return reply.code(400).send({ error: 'InvalidFaults', description: error instanceof Error ? error.message : String(error) });
      }
      return this.describe();
    });
  }
}

/**
 * 500 and 503 bodies from the OAS examples (ErrorInternalServerExample; "Service unavailable"
 * responses with `{"error":"ServiceUnavailable"}`); a 502 comes from the edge proxy, as HTML.
 */
function serverError(roll: number): ZendeskHttpError {
  if (roll < 1 / 3) return new ZendeskHttpError(500, { error: 'InternalServerError' });
  if (roll < 2 / 3) {
    const page = '<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>';
    return new ZendeskHttpError(502, page, { 'content-type': 'text/html' });
  }
  return new ZendeskHttpError(503, { error: 'ServiceUnavailable' }, { 'retry-after': '1' });
}
