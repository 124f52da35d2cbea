import { describe, expect, it } from 'vitest';
import type { SyncProgress } from '../modules/ingest/sync-progress.ts';
import { describeWait, humanDuration, RateMeter, secondsLeft, type WaitView } from './sync-wait.ts';

const importing = (imported: number, total: number | null): SyncProgress => ({
  state: 'importing',
  imported,
  total,
  ratePerSecond: null,
  etaSeconds: null,
  lastSyncedAt: null,
  error: null,
});

const view = (over: Partial<WaitView>): WaitView => ({
  subdomain: 'acme',
  progress: importing(12_000, null),
  importStarted: true,
  ratePerSecond: null,
  etaSeconds: null,
  waiting: [],
  ...over,
});

describe('sync --wait: the rate, the time left and the line', () => {
  it('measures the rate between pages seen during the wait, and knows none before two', () => {
    const meter = new RateMeter();
    meter.add(5_000, 0); // the count when the wait began: not a page seen
    meter.add(5_000, 500);
    expect(meter.ratePerSecond(1_000)).toBeNull();
    meter.add(6_000, 6_000); // a page
    expect(meter.ratePerSecond(7_000)).toBeNull(); // one page: no interval yet
    meter.add(7_000, 12_000); // another, 6 s later
    expect(meter.ratePerSecond(12_000)).toBeCloseTo(1000 / 6);
    // Held by the limit since: the rate falls as the wait goes on, rather than staying at its best.
    expect(meter.ratePerSecond(18_000)).toBeCloseTo(1000 / 12);
    meter.add(0, 19_000); // started over (--full)
    expect(meter.ratePerSecond(20_000)).toBeNull();
  });

  it('measures over the last two minutes', () => {
    const meter = new RateMeter();
    meter.add(0, 0);
    meter.add(1_000, 1_000);
    meter.add(2_000, 2_000); // 1,000 tickets a second at first
    for (let t = 60_000; t <= 600_000; t += 60_000) meter.add(2_000 + (t / 60_000) * 1_000, t); // then 1,000 a minute
    expect(meter.ratePerSecond(600_000)).toBeCloseTo(1000 / 60);
  });

  it('gives a time left only against a total Zendesk gave, and 0 once imported', () => {
    expect(secondsLeft(importing(12_000, 24_000), 100, false)).toBe(120);
    expect(secondsLeft(importing(12_000, null), 100, false)).toBeNull();
    expect(secondsLeft(importing(12_000, 24_000), null, false)).toBeNull();
    expect(secondsLeft(importing(24_000, 24_000), 100, false)).toBeNull();
    expect(secondsLeft(importing(24_000, 24_000), null, true)).toBe(0);
  });

  it('says how far, how fast, and what it waits for, in one line', () => {
    expect(describeWait(view({ progress: importing(12_000, 24_000), ratePerSecond: 100, etaSeconds: 120 }))).toBe(
      'acme importing [############............]  50%  12,000/24,000, 100 tickets/s, about 2 min left',
    );
    expect(describeWait(view({ ratePerSecond: 250, waiting: [{ kind: 'export-limit', limit: 10, nextInSeconds: 42 }] }))).toBe(
      "acme importing 12,000 tickets so far, 250 tickets/s, no total from Zendesk, so no time left to show; Zendesk's export limit: 10 pages a minute, next page in 42 s",
    );
    expect(describeWait(view({ progress: importing(0, null), importStarted: false, waiting: [{ kind: 'another-process' }] }))).toBe(
      'acme importing 0 tickets so far, measuring the rate; another process is running this sync: following it',
    );
    expect(describeWait(view({ waiting: [{ kind: 'retry', reason: 'rate_limited', nextInSeconds: 30 }] }))).toMatch(
      /, measuring the rate, no total from Zendesk, so no time left to show; Zendesk asked us to slow down \(429\), trying again in 30 s$/,
    );
    const failed: SyncProgress = { ...importing(1_500, 1_500), state: 'failed', error: 'Zendesk kept failing' };
    expect(describeWait(view({ progress: failed }))).toBe('acme failed    [########################] 100%  1,500/1,500, Zendesk kept failing');
  });

  it('writes durations for a person', () => {
    expect([0.2, 42, 150, 3 * 3600, 5 * 86400].map(humanDuration)).toEqual(['1 s', '42 s', '3 min', '3.0 h', '5 days']);
  });
});
