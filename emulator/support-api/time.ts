/**
 * Time helpers. Zendesk renders times as ISO-8601 UTC without milliseconds
 * ("2024-04-17T17:18:10Z", see the OAS examples) and exports `generated_timestamp` /
 * `start_time` / `end_time` as Unix seconds.
 */
import type { EmulatorClock } from '../contract.ts';

export const SECOND_MS = 1000;
export const MINUTE_MS = 60 * SECOND_MS;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

/** Years 0000 to 9999, where toISOString has the plain "YYYY-MM-DDT" form. */
const PLAIN_YEARS_MS = [Date.parse('0000-01-01T00:00:00.000Z'), Date.parse('9999-12-31T23:59:59.999Z')] as const;
const dayPrefixes = new Map<number, string>();
const MAX_DAY_PREFIXES = 100_000;
const two = (n: number): string => (n < 10 ? `0${n}` : String(n));

/**
 * ISO-8601 UTC with second precision, as Zendesk renders every timestamp: "2024-04-17T17:18:10Z".
 * An export page renders about twenty per ticket, so the date part is kept per day and the time
 * of day is written out (a Date and toISOString each time took a quarter of the emulator's work
 * for a page).
 */
export function isoSeconds(ms: number): string {
  if (!(ms >= PLAIN_YEARS_MS[0] && ms <= PLAIN_YEARS_MS[1])) return `${new Date(ms).toISOString().slice(0, 19)}Z`;
  // Date truncates a fractional millisecond toward zero.
  const seconds = Math.floor(Math.trunc(ms) / SECOND_MS);
  const day = Math.floor(seconds / 86_400);
  let prefix = dayPrefixes.get(day);
  if (prefix === undefined) {
    prefix = new Date(day * DAY_MS).toISOString().slice(0, 11);
    if (dayPrefixes.size < MAX_DAY_PREFIXES) dayPrefixes.set(day, prefix);
  }
  const time = seconds - day * 86_400;
  // join, not a template or +: the store keeps these strings (about twenty per ticket), and
  // concatenation leaves a tree of parts (210 bytes each, measured; toISOString().slice + "Z":
  // 104) where join writes one flat string (40 bytes): a million tickets ran out of heap.
  return [prefix, two(Math.floor(time / 3600)), ':', two(Math.floor(time / 60) % 60), ':', two(time % 60), 'Z'].join('');
}

export function unixSeconds(ms: number): number {
  return Math.floor(ms / SECOND_MS);
}

/** Milliseconds of an ISO timestamp (the store keeps Zendesk's rendering, see ../contract.ts). */
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
