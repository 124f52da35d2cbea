/**
 * The support component of the customer health score, pure arithmetic. Four signals, each
 * turned into a subscore 0..100 (100 = healthy):
 *
 * - openTickets: open tickets now against the customer's own baseline (the median of its daily open
 *   tickets over the trailing 90 days, when at least 7 days are recorded; else a size proxy: tickets
 *   created in the trailing 90 days / 9, the open load of a customer whose tickets stay open about
 *   10 days), floored at 1. ratio = open / baseline; subscore 100 up to the baseline, falling
 *   linearly to 0 at 3 × the baseline.
 * - escalations: tickets escalated in the trailing 30 days per ticket created in those 30 days
 *   (at least the escalations, at least 1); subscore 100 at no escalations, 0 at a rate of 25 %.
 * - csat: 100 × CSAT (good / rated); null when there were no ratings.
 * - sla: 100 × SLA compliance; null when nothing was measured.
 *
 * A null signal's weight is redistributed over the others in proportion (never scored as 0). Each
 * signal's weight is its share of the weights of the signals present; points = share × subscore,
 * rounded to 0.01; the score is the sum of the points. No signal present with weight: score null.
 */
import { SIGNAL_NAMES } from '../../contracts/health-score.ts';

export { SIGNAL_NAMES };
export type SignalName = (typeof SIGNAL_NAMES)[number];

export type SignalWeights = Record<SignalName, number>;

export interface HealthWeights extends SignalWeights {
  /** Share of the support score inside the overall health score, 0..1. */
  supportComponent: number;
}

export const DEFAULT_WEIGHTS: HealthWeights = { openTickets: 0.3, escalations: 0.3, csat: 0.25, sla: 0.15, supportComponent: 0.4 };

/** Days of recorded history the open-ticket baseline needs before it replaces the size proxy. */
export const MIN_BASELINE_DAYS = 7;
/** Size proxy: tickets created in 90 days / this = the expected open load (tickets open ~10 days). */
export const SIZE_PROXY_DIVISOR = 9;
/** Open tickets at this multiple of the baseline score 0. */
export const OPEN_RATIO_ZERO = 3;
/** An escalation rate (escalated / created, 30 days) at which the escalation subscore is 0. */
export const ESCALATION_RATE_ZERO = 0.25;

export interface SupportSignals {
  openTickets: number;
  /** Median of the daily open tickets over the trailing 90 days (days before today); null without history. */
  openTicketsMedian90d: number | null;
  /** Days of history behind the median. */
  historyDays: number;
  ticketsCreated90d: number;
  escalations30d: number;
  ticketsCreated30d: number;
  /** 0..1, null when there were no ratings. */
  csat: number | null;
  /** 0..1, null when nothing was measured. */
  slaCompliance: number | null;
}

export interface SignalExplanation {
  name: SignalName;
  /** The metric as measured (open tickets, escalations, CSAT 0..1, SLA compliance 0..1); null: no data. */
  value: number | null;
  /** What the value was compared with (open tickets: the baseline; escalations: tickets created in 30 days). */
  baseline?: number;
  baselineSource?: 'median90d' | 'size' | 'tickets30d';
  /** 0..100; null when the signal has no data. */
  subscore: number | null;
  /** Share of the score actually used (after redistribution), 0..1. */
  weight: number;
  configuredWeight: number;
  points: number;
}

export interface SupportScore {
  score: number | null;
  signals: SignalExplanation[];
}

const clamp = (value: number, low: number, high: number) => Math.min(high, Math.max(low, value));
const round = (value: number, digits: number) => {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
};

/** The open-ticket baseline and where it came from. */
export function openTicketsBaseline(signals: Pick<SupportSignals, 'openTicketsMedian90d' | 'historyDays' | 'ticketsCreated90d'>): {
  baseline: number;
  source: 'median90d' | 'size';
} {
  if (signals.openTicketsMedian90d !== null && signals.historyDays >= MIN_BASELINE_DAYS) {
    return { baseline: Math.max(1, signals.openTicketsMedian90d), source: 'median90d' };
  }
  return { baseline: Math.max(1, signals.ticketsCreated90d / SIZE_PROXY_DIVISOR), source: 'size' };
}

export function computeSupportScore(signals: SupportSignals, weights: SignalWeights): SupportScore {
  const open = openTicketsBaseline(signals);
  const openRatio = signals.openTickets / open.baseline;
  const openSub = clamp((100 * (OPEN_RATIO_ZERO - openRatio)) / (OPEN_RATIO_ZERO - 1), 0, 100);
  const volume = Math.max(1, signals.ticketsCreated30d, signals.escalations30d);
  const escalationSub = clamp(100 * (1 - signals.escalations30d / volume / ESCALATION_RATE_ZERO), 0, 100);
  const raw: Array<Omit<SignalExplanation, 'weight' | 'points' | 'configuredWeight'>> = [
    { name: 'openTickets', value: signals.openTickets, baseline: round(open.baseline, 2), baselineSource: open.source, subscore: round(openSub, 2) },
    { name: 'escalations', value: signals.escalations30d, baseline: signals.ticketsCreated30d, baselineSource: 'tickets30d', subscore: round(escalationSub, 2) },
    { name: 'csat', value: signals.csat, subscore: signals.csat === null ? null : round(100 * clamp(signals.csat, 0, 1), 2) },
    { name: 'sla', value: signals.slaCompliance, subscore: signals.slaCompliance === null ? null : round(100 * clamp(signals.slaCompliance, 0, 1), 2) },
  ];
  const present = raw.reduce((sum, s) => (s.subscore === null ? sum : sum + weights[s.name]), 0);
  const explained = raw.map((s): SignalExplanation => {
    const weight = s.subscore === null || present <= 0 ? 0 : weights[s.name] / present;
    return { ...s, weight: round(weight, 4), configuredWeight: weights[s.name], points: s.subscore === null ? 0 : round(weight * s.subscore, 2) };
  });
  const score = present <= 0 ? null : round(explained.reduce((sum, s) => sum + s.points, 0), 2);
  return { score, signals: explained };
}

/** overall = (1 − w)·base + w·support; base null → support alone; support null → base; both null → null. */
export function combineHealth(base: number | null, support: number | null, supportWeight: number): number | null {
  if (base === null) return support;
  if (support === null) return base;
  const w = clamp(supportWeight, 0, 1);
  return round((1 - w) * base + w * support, 2);
}
