/**
 * A clock that only moves when told to, for tests that pin time: the emulator, the product's
 * integration tests and the webhook tests pass it as `clock` and advance it by hand.
 */
import type { EmulatorClock } from '../contract.ts';
import { SECOND_MS } from '../support-api/time.ts';

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
