import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isoSeconds } from './time.ts';

/** Zendesk's rendering, written the plain way: toISOString without its milliseconds. */
const reference = (ms: number): string => `${new Date(ms).toISOString().slice(0, 19)}Z`;

describe('isoSeconds', () => {
  it('renders like toISOString without milliseconds, for any instant a Date holds', () => {
    const anyInstant = fc.integer({ min: -8.64e15, max: 8.64e15 });
    const nearNow = fc.integer({ min: Date.UTC(1960, 0, 1), max: Date.UTC(2100, 0, 1) });
    fc.assert(fc.property(fc.oneof(anyInstant, nearNow, nearNow.map((ms) => ms + 0.5)), (ms) => isoSeconds(ms) === reference(ms)), { numRuns: 20_000 });
  });

  it('renders the edges of days, of years and of the four-digit years', () => {
    for (const iso of ['1969-12-31T23:59:59.999Z', '1970-01-01T00:00:00.000Z', '2024-02-29T23:59:59.500Z', '0000-01-01T00:00:00.000Z', '9999-12-31T23:59:59.999Z']) {
      const ms = Date.parse(iso);
      for (const at of [ms - 1, ms, ms + 1]) expect(isoSeconds(at)).toBe(reference(at));
    }
    expect(isoSeconds(Date.parse('2024-04-17T17:18:10.123Z'))).toBe('2024-04-17T17:18:10Z');
    expect(() => isoSeconds(Number.NaN)).toThrow(RangeError);
  });
});
