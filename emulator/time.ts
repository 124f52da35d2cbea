/**
 * Time helpers. Zendesk renders times as ISO-8601 UTC without milliseconds
 * ("2024-04-17T17:18:10Z", see the OAS examples) and exports `generated_timestamp` /
 * `start_time` / `end_time` as Unix seconds.
 */
import type { EmulatorClock } from './contract.ts';

export const SECOND_MS = 1000;
export const MINUTE_MS = 60 * SECOND_MS;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

/** ISO-8601 UTC with second precision, as Zendesk renders every timestamp. */
export function isoSeconds(ms: number): string {
  const iso = new Date(ms).toISOString();
  // "2024-04-17T17:18:10.123Z" -> "2024-04-17T17:18:10Z"
  return `${iso.slice(0, 19)}Z`;
}

export function unixSeconds(ms: number): number {
  return Math.floor(ms / SECOND_MS);
}

/** Milliseconds of an ISO timestamp (the store keeps Zendesk's rendering, see contract.ts). */
export function msOf(iso: string): number {
  return Date.parse(iso);
}

export interface ClockOptions {
  /** Emulated epoch ms at start; defaults to the real time. */
  startMs?: number;
  /** 60: one emulated minute lasts one real second. */
  timeScale?: number;
}

/**
 * The emulator's clock: emulated time starts at `startMs` and runs `timeScale` times faster
 * than real time, so every window (rate limits, the export's one-minute exclusion, token
 * lifetimes) shrinks with it.
 */
export function createClock(options: ClockOptions = {}): EmulatorClock {
  const scale = options.timeScale ?? 1;
  if (!(scale > 0)) throw new Error(`time scale must be > 0, got ${scale}`);
  const realStart = Date.now();
  const emulatedStart = options.startMs ?? realStart;
  return {
    nowMs: () => emulatedStart + (Date.now() - realStart) * scale,
    durationMs: (emulatedSeconds) => (emulatedSeconds * SECOND_MS) / scale,
  };
}

/** A clock that only moves when told to: for tests that pin time. */
export interface ManualClock extends EmulatorClock {
  advance(ms: number): void;
  set(ms: number): void;
}

export function createManualClock(startMs: number, timeScale = 1): ManualClock {
  let now = startMs;
  return {
    nowMs: () => now,
    durationMs: (emulatedSeconds) => (emulatedSeconds * SECOND_MS) / timeScale,
    advance: (ms) => {
      now += ms;
    },
    set: (ms) => {
      now = ms;
    },
  };
}
