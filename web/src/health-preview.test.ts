import { describe, expect, it } from 'vitest';
import { combineHealth, computeSupportScore, type HealthWeights, type SupportSignals } from '../../src/modules/health/health-score.ts';
import { previewScore } from './health-preview.ts';

const cases: Array<{ signals: SupportSignals; base: number | null }> = [
  { signals: { openTickets: 12, openTicketsMedian90d: 8, historyDays: 30, ticketsCreated90d: 90, escalations30d: 2, ticketsCreated30d: 30, csat: 0.8, slaCompliance: 0.9 }, base: 70 },
  { signals: { openTickets: 3, openTicketsMedian90d: null, historyDays: 0, ticketsCreated90d: 20, escalations30d: 0, ticketsCreated30d: 5, csat: null, slaCompliance: null }, base: null },
  { signals: { openTickets: 40, openTicketsMedian90d: 5, historyDays: 10, ticketsCreated90d: 50, escalations30d: 9, ticketsCreated30d: 20, csat: 0.2, slaCompliance: null }, base: 90 },
];
const drafts: HealthWeights[] = [
  { openTickets: 0.3, escalations: 0.3, csat: 0.25, sla: 0.15, supportComponent: 0.4 },
  { openTickets: 0.1, escalations: 0.2, csat: 0.6, sla: 0.1, supportComponent: 0.9 },
  { openTickets: 0, escalations: 0, csat: 0, sla: 1, supportComponent: 0.5 },
];

describe('health preview under draft weights', () => {
  it('gives the score the server would compute (same arithmetic as health-score.ts)', () => {
    for (const { signals, base } of cases) {
      const now = computeSupportScore(signals, drafts[0]!);
      const current = { date: '2025-01-01', overall: combineHealth(base, now.score, 0.4), support: now.score, base, supportWeight: 0.4, signals: now.signals };
      for (const draft of drafts) {
        const server = computeSupportScore(signals, draft);
        const expected = { support: server.score, overall: combineHealth(base, server.score, draft.supportComponent) };
        const preview = previewScore(current, draft);
        expect(preview.support ?? -1).toBeCloseTo(expected.support ?? -1, 1);
        expect(preview.overall ?? -1).toBeCloseTo(expected.overall ?? -1, 1);
      }
    }
  });
});
