/**
 * The health score under draft weights, from a customer's current signals: the same arithmetic as
 * the server (src/modules/health/health-score.ts): a signal without data is left out and its weight
 * shared among the others; overall = (1 - w) x platform + w x support.
 */
import type { CustomerHealth, HealthWeights } from '../../src/contracts/health-score.ts';

const round2 = (value: number) => Math.round(value * 100) / 100;

export function previewScore(current: CustomerHealth['current'], weights: HealthWeights): { support: number | null; overall: number | null } {
  const present = current.signals.filter((s) => s.subscore !== null);
  const total = present.reduce((sum, s) => sum + weights[s.name], 0);
  const support = total <= 0 ? null : round2(present.reduce((sum, s) => sum + round2((weights[s.name] / total) * (s.subscore ?? 0)), 0));
  const base = current.base;
  let overall: number | null;
  if (base === null) overall = support;
  else if (support === null) overall = base;
  else overall = round2((1 - weights.supportComponent) * base + weights.supportComponent * support);
  return { support, overall };
}
