/**
 * Answers about one named customer, through the same services as the API: its support health
 * (with the weakest signal, the score's explanation), its CSAT, its ticket history.
 */
import { getCustomerHealth, HEALTH_RANGES } from '../../health/health.service.ts';
import { getCustomerMetrics, METRICS_RANGES } from '../../metrics/metrics.service.ts';
import { listCustomerHistory } from '../../tickets/tickets.service.ts';
import { customerNameOf, type AnswerContext } from '../answer-context.ts';
import { customerSuggestions } from '../quick-actions.ts';
import { percent, plural, round } from '../reply-format.ts';
import { customerRef, type AnswerContent } from '../views.ts';

const HISTORY_SHOWN = 20;
const DEFAULT_DAYS = 30;

const SIGNAL_LABELS: Record<string, string> = { openTickets: 'open tickets', escalations: 'escalations', csat: 'CSAT', sla: 'SLA compliance' };

/** The smallest range the service offers that covers the period asked for (the largest if none does). */
function rangeFor(days: number | undefined, ranges: readonly number[], fallback: number): number {
  if (days === undefined) return fallback;
  return ranges.find((range) => range >= days) ?? ranges[ranges.length - 1]!;
}

export async function answerAccountHealth(ctx: AnswerContext, customerId: string): Promise<AnswerContent> {
  const { deps, parsed } = ctx;
  const name = customerNameOf(ctx, customerId);
  const days = rangeFor(parsed.entities.since?.days, HEALTH_RANGES, DEFAULT_DAYS);
  const health = await getCustomerHealth(deps, customerId, days, ctx.now);
  const metrics = await getCustomerMetrics(deps, customerId, days, ctx.now);
  const m = metrics.current;
  const h = health.current;
  const parts = [
    plural(m.openTickets, 'open ticket'),
    `${plural(m.escalations30d, 'escalation')} in 30 days`,
    `CSAT ${percent(m.csat)}${m.csatRatings ? ` (${plural(m.csatRatings, 'rating')})` : ''}`,
    `SLA compliance ${percent(m.slaCompliance)}`,
  ];
  let reply =
    h.support === null
      ? `${name} has no support score yet (no ticket data to score): ${parts.join(', ')}.`
      : `${name}'s support score is ${round(h.support)}/100${h.overall !== null ? ` (overall health ${round(h.overall)}/100)` : ''}: ${parts.join(', ')}.`;
  const scored = h.signals.filter((s) => s.subscore !== null && s.weight > 0);
  const weakest = [...scored].sort((a, b) => (a.subscore ?? 0) - (b.subscore ?? 0))[0];
  if (weakest && (weakest.subscore ?? 100) < 100) reply += ` The weakest signal is ${SIGNAL_LABELS[weakest.name] ?? weakest.name} (${round(weakest.subscore)}/100, ${Math.round(weakest.points * 10) / 10} of its ${Math.round(weakest.weight * 1000) / 10} points).`;
  const byDay = new Map(health.daily.map((d) => [d.date, d]));
  return {
    reply,
    data: {
      kind: 'metrics',
      customer: customerRef(customerId, name),
      days,
      health: { overall: h.overall, support: h.support, base: h.base, signals: h.signals.map((s) => ({ name: s.name, value: s.value, subscore: s.subscore, weight: s.weight, points: s.points })) },
      current: {
        openTickets: m.openTickets,
        openByPriority: { ...m.openByPriority },
        escalations30d: m.escalations30d,
        csat: m.csat,
        csatRatings: m.csatRatings,
        slaCompliance: m.slaCompliance,
        avgResolutionHours: m.avgResolutionHours,
        medianResolutionHours: m.medianResolutionHours,
      },
      daily: metrics.daily.map((d) => ({
        date: d.date,
        openTickets: d.openTickets,
        escalations30d: d.escalations30d,
        csat: d.csat,
        slaCompliance: d.slaCompliance,
        supportScore: byDay.get(d.date)?.support ?? null,
        overallScore: byDay.get(d.date)?.overall ?? null,
      })),
    },
    suggestions: customerSuggestions(ctx.index, customerId, 'support_health'),
  };
}

export async function answerAccountCsat(ctx: AnswerContext, customerId: string): Promise<AnswerContent> {
  const { deps, parsed } = ctx;
  const name = customerNameOf(ctx, customerId);
  const days = rangeFor(parsed.entities.since?.days, METRICS_RANGES, DEFAULT_DAYS);
  const metrics = await getCustomerMetrics(deps, customerId, days, ctx.now);
  const m = metrics.current;
  const reply =
    m.csat === null
      ? `${name} has no CSAT ratings in the last 90 days, so there is no CSAT score (n/a, not 0%).`
      : `CSAT for ${name} is ${percent(m.csat)} over ${plural(m.csatRatings, 'rating')} in the last 90 days.`;
  return {
    reply,
    data: {
      kind: 'csat',
      customer: customerRef(customerId, name),
      days,
      csat: m.csat,
      csatRatings: m.csatRatings,
      daily: metrics.daily.map((d) => ({ date: d.date, csat: d.csat, csatRatings: d.csatRatings })),
    },
    suggestions: customerSuggestions(ctx.index, customerId, 'csat'),
  };
}

/** The customer's latest ticket events, newest first, cut at the period asked for if any. */
export async function answerAccountHistory(ctx: AnswerContext, customerId: string): Promise<AnswerContent> {
  const { deps, parsed } = ctx;
  const name = customerNameOf(ctx, customerId);
  const page = await listCustomerHistory(deps, { customerId, zendeskTicketId: null, connectionId: null, limit: HISTORY_SHOWN, cursor: null });
  const since = parsed.entities.since ? new Date(parsed.entities.since.from) : null;
  const events = page.events.filter((e) => !since || e.occurredAt >= since);
  const reply =
    events.length === 0
      ? `No ticket events for ${name}${since ? ` ${parsed.entities.since?.label === 'today' ? 'today' : `in the ${parsed.entities.since?.label}`}` : ''}.`
      : `The latest ${plural(events.length, 'event')} on ${name}'s tickets, newest first${events[0] ? ` (last: ticket #${events[0].zendeskTicketId} ${events[0].kind.replace('_', ' ')} on ${events[0].occurredAt.toISOString().slice(0, 10)})` : ''}.`;
  return {
    reply,
    data: {
      kind: 'history',
      customer: customerRef(customerId, name),
      events: events.map((e) => ({ kind: e.kind, from: e.from, to: e.to, occurredAt: e.occurredAt.toISOString(), zendeskTicketId: e.zendeskTicketId, subdomain: e.subdomain, subject: e.subject })),
    },
    suggestions: customerSuggestions(ctx.index, customerId, 'ticket_history'),
  };
}
