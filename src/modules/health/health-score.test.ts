import { describe, expect, it } from 'vitest';
import { combineHealth, computeSupportScore, DEFAULT_WEIGHTS, type SupportSignals } from './health-score.ts';

const base: SupportSignals = {
  openTickets: 10, openTicketsMedian90d: 10, historyDays: 60, ticketsCreated90d: 90,
  escalations30d: 1, ticketsCreated30d: 20, csat: 0.8, slaCompliance: 0.9,
};
const sum = (points: number[]) => Math.round(points.reduce((a, b) => a + b, 0) * 100) / 100;

describe('computeSupportScore', () => {
  it('explains each signal; the points sum to the score', () => {
    const { score, signals } = computeSupportScore(base, DEFAULT_WEIGHTS);
    expect(signals.map((s) => [s.name, s.value, s.subscore, s.weight, s.points])).toEqual([
      ['openTickets', 10, 100, 0.3, 30],
      ['escalations', 1, 80, 0.3, 24], // rate 1/20 = 5 % of the 25 % that scores 0
      ['csat', 0.8, 80, 0.25, 20],
      ['sla', 0.9, 90, 0.15, 13.5],
    ]);
    expect(signals[0]).toMatchObject({ baseline: 10, baselineSource: 'median90d' });
    expect(score).toBe(87.5);
    expect(sum(signals.map((s) => s.points))).toBe(score);
  });

  it('scores open tickets against the baseline: 100 up to it, 0 at three times it', () => {
    const at = (openTickets: number) => computeSupportScore({ ...base, openTickets }, DEFAULT_WEIGHTS).signals[0]?.subscore;
    expect(at(0)).toBe(100);
    expect(at(10)).toBe(100);
    expect(at(20)).toBe(50);
    expect(at(30)).toBe(0);
    expect(at(300)).toBe(0);
  });

  it('does not punish a big customer for volume alone', () => {
    const big = computeSupportScore({ ...base, openTickets: 200, openTicketsMedian90d: 200, escalations30d: 20, ticketsCreated30d: 400 }, DEFAULT_WEIGHTS);
    expect(big.score).toBe(computeSupportScore(base, DEFAULT_WEIGHTS).score);
  });

  it('uses a size proxy without enough history (tickets created in 90 days / 9, at least 1)', () => {
    const noHistory = computeSupportScore({ ...base, openTicketsMedian90d: 3, historyDays: 2, ticketsCreated90d: 45 }, DEFAULT_WEIGHTS);
    expect(noHistory.signals[0]).toMatchObject({ baseline: 5, baselineSource: 'size', subscore: 50 });
    const tiny = computeSupportScore({ ...base, openTickets: 1, openTicketsMedian90d: null, historyDays: 0, ticketsCreated90d: 0 }, DEFAULT_WEIGHTS);
    expect(tiny.signals[0]).toMatchObject({ baseline: 1, subscore: 100 });
  });

  it('redistributes the weight of missing CSAT and SLA, never scoring them 0', () => {
    const { score, signals } = computeSupportScore({ ...base, csat: null, slaCompliance: null }, DEFAULT_WEIGHTS);
    expect(signals.map((s) => [s.name, s.subscore, s.weight, s.points])).toEqual([
      ['openTickets', 100, 0.5, 50],
      ['escalations', 80, 0.5, 40],
      ['csat', null, 0, 0],
      ['sla', null, 0, 0],
    ]);
    expect(score).toBe(90);
    const noSla = computeSupportScore({ ...base, slaCompliance: null }, DEFAULT_WEIGHTS);
    expect(noSla.signals.map((s) => s.weight)).toEqual([0.3529, 0.3529, 0.2941, 0]);
    expect(sum(noSla.signals.map((s) => s.points))).toBe(noSla.score);
  });

  it('answers null when no weighted signal has data', () => {
    const weights = { openTickets: 0, escalations: 0, csat: 1, sla: 0 };
    expect(computeSupportScore({ ...base, csat: null }, weights).score).toBeNull();
  });

  it('stays within 0..100 and is monotonic in open tickets, escalations and CSAT', () => {
    let previous = Infinity;
    for (let open = 0; open <= 50; open++) {
      const score = computeSupportScore({ ...base, openTickets: open }, DEFAULT_WEIGHTS).score ?? NaN;
      expect(score).toBeLessThanOrEqual(previous);
      expect(score).toBeGreaterThanOrEqual(0);
      expect(score).toBeLessThanOrEqual(100);
      previous = score;
    }
    previous = Infinity;
    for (let esc = 0; esc <= 30; esc++) {
      const score = computeSupportScore({ ...base, escalations30d: esc }, DEFAULT_WEIGHTS).score ?? NaN;
      expect(score).toBeLessThanOrEqual(previous);
      previous = score;
    }
    previous = -Infinity;
    for (let c = 0; c <= 100; c++) {
      const score = computeSupportScore({ ...base, csat: c / 100 }, DEFAULT_WEIGHTS).score ?? NaN;
      expect(score).toBeGreaterThanOrEqual(previous);
      previous = score;
    }
    const worst = computeSupportScore({ ...base, openTickets: 1000, escalations30d: 20, csat: 0, slaCompliance: 0 }, DEFAULT_WEIGHTS);
    expect(worst.score).toBe(0);
    const best = computeSupportScore({ ...base, openTickets: 0, escalations30d: 0, csat: 1, slaCompliance: 1 }, DEFAULT_WEIGHTS);
    expect(best.score).toBe(100);
  });
});

describe('combineHealth', () => {
  it('weighs base and support; either alone when the other is missing', () => {
    expect(combineHealth(60, 90, 0.4)).toBe(72);
    expect(combineHealth(null, 90, 0.4)).toBe(90);
    expect(combineHealth(60, null, 0.4)).toBe(60);
    expect(combineHealth(null, null, 0.4)).toBeNull();
    expect(combineHealth(60, 90, 0)).toBe(60);
    expect(combineHealth(60, 90, 1)).toBe(90);
  });
});
