/**
 * Chat commands: a message is parsed (chat-parser.ts, offline and deterministic), then answered
 * from our own data through the same services as the API (tickets, metrics, health, alert
 * subscriptions), or, across customers, through chat.repo.ts. Every answer is a sentence for
 * people (`reply`), structured data the UI renders as a card (`data`), and quick actions, each
 * with the message that performs it (`suggestions`).
 *
 * Permissions as elsewhere: views across customers are the caller's own customers for a CSM and
 * every customer for leaders and admins; one named customer is readable by every signed-in role,
 * as its tickets and metrics are through the API. Subscriptions are always the caller's own.
 */
import { ALERT_TYPES, type AlertType } from '../../contracts/vocabulary.ts';
import { getSubscriptions, setSubscriptions } from '../alerts/alerts.repo.ts';
import { getCustomerHealth, HEALTH_RANGES } from '../health/health.service.ts';
import { suggestCustomers } from '../matching/suggestions.ts';
import { getCustomerMetrics, METRICS_RANGES } from '../metrics/metrics.service.ts';
import { OPEN_STATUSES, type TicketPriority, type TicketStatus } from '../../contracts/vocabulary.ts';
import { NO_FILTER } from '../tickets/ticket-list.ts';
import { listCustomerHistory, listCustomerTickets, ticketUrl } from '../tickets/tickets.service.ts';
import type { User } from '../users/users.repo.ts';
import { accountIndexFor } from './account-cache.ts';
import { csmIdOf, scopeOf, type AnswerContext as Context, type ReadDeps } from './answer-context.ts';
import { parseMessage, type ChatEntities, type CommandIntent } from './chat-parser.ts';
import {
  countCustomerTickets,
  selectCustomersWithBreaches,
  selectLowestCsat,
  selectLowestHealth,
  selectOwnCustomers,
  selectPortfolioTickets,
  type PortfolioTicket,
} from './chat.repo.ts';
import { accountChoices, commandMessage, customerSuggestions, GENERAL_SUGGESTIONS, referenceFor } from './quick-actions.ts';
import { percent, plural, round } from './reply-format.ts';
import { customerRef, type ChatAnswer, type ChatChoice, type ChatTicket } from './views.ts';

export type { ChatAnswer, ChatChoice, ChatCustomerRef, ChatData, ChatSuggestion, ChatTicket } from './views.ts';

export const CHAT_MESSAGE_MAX_LENGTH = 500;
const TICKETS_SHOWN = 10;
const HISTORY_SHOWN = 20;
const PORTFOLIO_SHOWN = 10;

// ---- wording ----

const ALERT_WORDS: Record<AlertType, { noun: string; subscribe: string; unsubscribe: string }> = {
  escalation: { noun: 'ticket escalations', subscribe: 'alert me on ticket escalations', unsubscribe: 'stop alerting me on ticket escalations' },
  sla_breach: { noun: 'SLA breaches', subscribe: 'notify me about SLA breaches', unsubscribe: 'stop alerting me on SLA breaches' },
  ticket_spike: { noun: 'ticket spikes', subscribe: 'alert me on ticket spikes', unsubscribe: 'stop alerting me on ticket spikes' },
  negative_csat: { noun: 'negative CSAT ratings', subscribe: 'alert me when CSAT is negative', unsubscribe: 'stop alerting me on negative CSAT' },
};

const COMMANDS: Array<{ intent: CommandIntent; description: string; examples: string[] }> = [
  { intent: 'list_tickets', description: "a customer's tickets (open by default; all, urgent, solved, from last week...)", examples: ['Show support tickets for Acme', 'urgent tickets for acme.com', 'all tickets from last week for Acme Corp'] },
  { intent: 'escalated_tickets', description: "escalated open tickets, yours or one customer's", examples: ['Are there any escalated tickets?', 'escalations for Acme'] },
  { intent: 'support_health', description: "a customer's support score with its explanation and metrics", examples: ["What's the support health for Acme?", 'how is acme doing'] },
  { intent: 'csat', description: 'customer satisfaction (CSAT) of a customer, or the lowest of yours', examples: ['CSAT for Acme', 'Check CSAT scores'] },
  { intent: 'ticket_history', description: "the timeline of a customer's tickets", examples: ['ticket history for Acme'] },
  { intent: 'sla_breaches', description: 'customers with SLA breaches, or one customer\'s breached tickets', examples: ['Which customers have SLA breaches?'] },
  { intent: 'subscribe_alerts', description: 'get alerts on escalations, SLA breaches, ticket spikes or negative CSAT', examples: ['Alert me on ticket escalations', 'alert me when CSAT is negative'] },
  { intent: 'unsubscribe_alerts', description: 'stop an alert type', examples: ['stop alerting me on ticket spikes'] },
  { intent: 'help', description: 'this list', examples: ['help'] },
];

const EXAMPLES = ['Show support tickets for Acme', 'Are there any escalated tickets?', "What's the support health for Acme?", 'Alert me on ticket escalations', 'help'];

const COMMAND_PHRASES: Record<CommandIntent, string> = {
  list_tickets: 'you want tickets',
  escalated_tickets: 'you want escalated tickets',
  support_health: 'you want support health',
  csat: 'you want CSAT',
  ticket_history: 'you want ticket history',
  sla_breaches: 'you want SLA breaches',
  subscribe_alerts: 'you want alerts',
  unsubscribe_alerts: 'you want to stop alerts',
  help: 'you want help',
};

// ---- answers ----

function statusesOf(entities: ChatEntities, fallback: TicketStatus[] | null): TicketStatus[] | null {
  switch (entities.status) {
    case null:
      return fallback;
    case 'all':
      return null;
    case 'open':
      return [...OPEN_STATUSES];
    default:
      return [entities.status];
  }
}

function ticketWords(entities: ChatEntities, extra: string | null): string {
  const status = entities.status === null || entities.status === 'all' ? null : entities.status === 'hold' ? 'on-hold' : entities.status;
  return [status, entities.priority, extra].filter(Boolean).join(' ');
}

function sinceWords(entities: ChatEntities): string {
  if (!entities.since) return '';
  return entities.since.label === 'today' || entities.since.label === 'yesterday' ? ` created ${entities.since.label} or later` : ` created in the ${entities.since.label}`;
}

function viewPortfolioTicket(deps: ReadDeps, t: PortfolioTicket): ChatTicket {
  return {
    id: t.id,
    customerId: t.customerId,
    customerName: t.customerName,
    zendeskTicketId: t.zendeskTicketId,
    subdomain: t.subdomain,
    subject: t.subject,
    status: t.status,
    priority: t.priority,
    escalated: t.escalated,
    slaState: t.slaBreached ? 'breached' : null,
    updatedAt: t.updatedAt.toISOString(),
    url: ticketUrl(deps.config.ZENDESK_URL_TEMPLATE, t.subdomain, t.zendeskTicketId),
  };
}

async function answerTickets(ctx: Context, command: 'list_tickets' | 'escalated_tickets' | 'sla_breaches'): Promise<Omit<ChatAnswer, 'intent' | 'entities'>> {
  const { deps, parsed, user } = ctx;
  const entities = parsed.entities;
  const escalated = command === 'escalated_tickets' ? true : null;
  const slaBreached = command === 'sla_breaches' ? true : null;
  // Open tickets unless a status is named; "tickets from last week" means all of them.
  const statuses = statusesOf(entities, entities.since && command === 'list_tickets' ? null : [...OPEN_STATUSES]);
  const priorities = entities.priority ? [entities.priority as TicketPriority] : null;
  const createdSince = entities.since ? new Date(entities.since.from) : null;
  const filter = { statuses, priority: entities.priority, escalated, slaBreached, createdSince: entities.since?.from ?? null };
  const extra = command === 'escalated_tickets' ? 'escalated' : command === 'sla_breaches' ? 'SLA-breached' : null;
  const described = ticketWords({ ...entities, status: entities.status ?? (statuses ? 'open' : null) }, extra);
  const noun = (n: number) => `${described ? `${described} ` : ''}${n === 1 ? 'ticket' : 'tickets'}`;

  const customerId = entities.customerId;
  if (customerId) {
    const name = ctx.index.customer(customerId)?.name ?? customerId;
    const [page, total] = await Promise.all([
      listCustomerTickets(deps, {
        customerId,
        filter: { ...NO_FILTER, statuses, priorities, escalated, slaBreached, createdSince },
        sort: 'updated',
        order: 'desc',
        limit: TICKETS_SHOWN,
        cursor: null,
      }),
      countCustomerTickets(deps.db, customerId, { statuses, priorities, escalated, slaBreached, createdSince }),
    ]);
    const tickets: ChatTicket[] = page.tickets.map((t) => ({
      id: t.id,
      customerId,
      customerName: name,
      zendeskTicketId: t.zendeskTicketId,
      subdomain: t.subdomain,
      subject: t.subject,
      status: t.status,
      priority: t.priority,
      escalated: t.escalated,
      slaState: t.sla.state,
      updatedAt: t.updatedAt.toISOString(),
      url: t.url,
    }));
    let reply = `${name} has ${total === 0 ? 'no' : total.toLocaleString('en')} ${noun(total)}${sinceWords(entities)}.`;
    if (total > tickets.length) reply += ` Here are the ${tickets.length} most recently updated.`;
    return {
      reply,
      data: { kind: 'tickets', customer: customerRef(customerId, name), scope: 'customer', filter, total, tickets },
      suggestions: customerSuggestions(ctx.index, customerId, command),
    };
  }

  const scope = scopeOf(user);
  if (command === 'sla_breaches') {
    const result = await selectCustomersWithBreaches(deps.db, csmIdOf(user), PORTFOLIO_SHOWN);
    const whose = scope === 'mine' ? 'your customers' : 'customers';
    const reply =
      result.total === 0
        ? `None of ${whose} has an SLA breach on an open ticket right now.`
        : `${plural(result.total, scope === 'mine' ? 'of your customers has' : 'customer has', scope === 'mine' ? 'of your customers have' : 'customers have')} SLA breaches: ${plural(result.tickets, 'open ticket')} past an SLA target. ${result.customers
            .slice(0, 3)
            .map((c) => `${c.customerName} (${c.breached})`)
            .join(', ')}${result.total > 3 ? ', ...' : ''}.`;
    return {
      reply,
      data: {
        kind: 'portfolio',
        metric: 'sla_breaches',
        scope,
        total: result.total,
        customers: result.customers.map((c) => ({ ...customerRef(c.customerId, c.customerName), value: c.breached, detail: plural(c.breached, 'breached ticket') })),
      },
      suggestions: result.customers[0] ? [{ label: `${result.customers[0].customerName}'s breached tickets`, message: commandMessage('sla_breaches', entities, referenceFor(ctx.index, result.customers[0].customerId)) }, ...GENERAL_SUGGESTIONS.filter((s) => s.label !== 'SLA breaches')] : GENERAL_SUGGESTIONS,
    };
  }
  const result = await selectPortfolioTickets(deps.db, { csmId: csmIdOf(user), statuses, priorities, escalated, slaBreached, createdSince }, TICKETS_SHOWN);
  const across = scope === 'mine' ? 'across your customers' : 'across all customers';
  let reply = result.total === 0 ? `There are no ${noun(0)}${sinceWords(entities)} ${across}.` : `There ${result.total === 1 ? 'is' : 'are'} ${result.total.toLocaleString('en')} ${noun(result.total)}${sinceWords(entities)} ${across}.`;
  if (result.total > result.tickets.length) reply += ` Here are the ${result.tickets.length} most urgent.`;
  const first = result.tickets[0];
  return {
    reply,
    data: { kind: 'tickets', customer: null, scope, filter, total: result.total, tickets: result.tickets.map((t) => viewPortfolioTicket(deps, t)) },
    suggestions: first ? customerSuggestions(ctx.index, first.customerId, null).slice(0, 2).map((s) => ({ ...s, label: `${s.label} (${first.customerName})` })).concat(GENERAL_SUGGESTIONS.slice(1, 3)) : GENERAL_SUGGESTIONS,
  };
}

function rangeFor(days: number | undefined, ranges: readonly number[], fallback: number): number {
  if (days === undefined) return fallback;
  return ranges.find((range) => range >= days) ?? ranges[ranges.length - 1]!;
}

const SIGNAL_LABELS: Record<string, string> = { openTickets: 'open tickets', escalations: 'escalations', csat: 'CSAT', sla: 'SLA compliance' };

async function answerHealth(ctx: Context): Promise<Omit<ChatAnswer, 'intent' | 'entities'>> {
  const { deps, parsed, user } = ctx;
  const customerId = parsed.entities.customerId;
  if (!customerId) {
    const scope = scopeOf(user);
    const result = await selectLowestHealth(deps.db, csmIdOf(user), PORTFOLIO_SHOWN);
    const whose = scope === 'mine' ? 'your customers' : 'all customers';
    const reply =
      result.total === 0
        ? `No support scores yet for ${whose}. Name a customer for its details, e.g. "support health for Acme".`
        : `The lowest support scores among ${whose}: ${result.customers.slice(0, 3).map((c) => `${c.customerName} ${round(c.value)}/100`).join(', ')}. Name one for the explanation.`;
    return {
      reply,
      data: {
        kind: 'portfolio',
        metric: 'support_score',
        scope,
        total: result.total,
        customers: result.customers.map((c) => ({ ...customerRef(c.customerId, c.customerName), value: round(c.value), detail: `support ${round(c.value)}/100, overall ${c.extra === null ? 'n/a' : `${round(c.extra)}/100`} (${c.day})` })),
      },
      suggestions: result.customers[0] ? customerSuggestions(ctx.index, result.customers[0].customerId, null) : GENERAL_SUGGESTIONS,
    };
  }
  const name = ctx.index.customer(customerId)?.name ?? customerId;
  const days = rangeFor(parsed.entities.since?.days, HEALTH_RANGES, 30);
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

async function answerCsat(ctx: Context): Promise<Omit<ChatAnswer, 'intent' | 'entities'>> {
  const { deps, parsed, user } = ctx;
  const customerId = parsed.entities.customerId;
  if (!customerId) {
    const scope = scopeOf(user);
    const result = await selectLowestCsat(deps.db, csmIdOf(user), PORTFOLIO_SHOWN);
    const whose = scope === 'mine' ? 'your customers' : 'all customers';
    const reply =
      result.total === 0
        ? `No CSAT ratings in the last 90 days for ${whose}.`
        : `The lowest CSAT (last 90 days) among ${whose}: ${result.customers.slice(0, 3).map((c) => `${c.customerName} ${percent(c.value)}`).join(', ')}.`;
    return {
      reply,
      data: {
        kind: 'portfolio',
        metric: 'csat',
        scope,
        total: result.total,
        customers: result.customers.map((c) => ({ ...customerRef(c.customerId, c.customerName), value: c.value, detail: `CSAT ${percent(c.value)} over ${plural(c.extra ?? 0, 'rating')} (${c.day})` })),
      },
      suggestions: result.customers[0] ? customerSuggestions(ctx.index, result.customers[0].customerId, 'csat') : GENERAL_SUGGESTIONS,
    };
  }
  const name = ctx.index.customer(customerId)?.name ?? customerId;
  const days = rangeFor(parsed.entities.since?.days, METRICS_RANGES, 30);
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

async function answerHistory(ctx: Context): Promise<Omit<ChatAnswer, 'intent' | 'entities'> | null> {
  const { deps, parsed } = ctx;
  const customerId = parsed.entities.customerId;
  if (!customerId) return null;
  const name = ctx.index.customer(customerId)?.name ?? customerId;
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

async function answerSubscription(ctx: Context, enable: boolean): Promise<Omit<ChatAnswer, 'intent' | 'entities'>> {
  const { deps, parsed, user } = ctx;
  const command: CommandIntent = enable ? 'subscribe_alerts' : 'unsubscribe_alerts';
  const types: AlertType[] = parsed.allAlertTypes ? [...ALERT_TYPES] : parsed.alertTypes;
  if (types.length === 0) {
    const question = enable ? 'Which alerts do you want?' : 'Which alerts should I stop?';
    return {
      reply: `${question} ${ALERT_TYPES.map((t) => ALERT_WORDS[t].noun).join(', ')}, or all of them.`,
      data: {
        kind: 'choices',
        reason: 'alert_type_needed',
        command,
        question,
        choices: [
          ...ALERT_TYPES.map((type) => ({ label: ALERT_WORDS[type].noun, message: enable ? ALERT_WORDS[type].subscribe : ALERT_WORDS[type].unsubscribe, alertType: type })),
          { label: 'all alerts', message: enable ? 'subscribe me to all alerts' : 'stop all alerts' },
        ],
      },
      suggestions: GENERAL_SUGGESTIONS,
    };
  }
  const before = new Map((await getSubscriptions(deps.db, user.id)).map((s) => [s.type, s.enabled]));
  const subscriptions = await setSubscriptions(deps.db, user.id, types.map((type) => ({ type, enabled: enable })));
  const changed = types.map((type) => ({ type, enabled: enable, wasEnabled: before.get(type) ?? true }));
  const nouns = types.map((t) => ALERT_WORDS[t].noun);
  const list = nouns.length === 1 ? nouns[0]! : `${nouns.slice(0, -1).join(', ')} and ${nouns.at(-1)!}`;
  const already = changed.every((c) => c.wasEnabled === enable);
  let reply = enable
    ? already
      ? `You were already subscribed to alerts on ${list}; nothing changed.`
      : `Done: you will be alerted on ${list} for the customers routed to you.`
    : already
      ? `You were already not receiving alerts on ${list}; nothing changed.`
      : `Done: you will no longer be alerted on ${list}.`;
  if (parsed.accounts.length > 0) reply += ' Alert subscriptions are per type and cover every customer routed to you; they cannot be limited to one account.';
  return {
    reply,
    data: { kind: 'subscriptions', changed, subscriptions },
    suggestions: types.map((t) => ({ label: enable ? `Undo: stop alerts on ${ALERT_WORDS[t].noun}` : `Undo: alert me on ${ALERT_WORDS[t].noun}`, message: enable ? ALERT_WORDS[t].unsubscribe : ALERT_WORDS[t].subscribe })).slice(0, 2).concat(GENERAL_SUGGESTIONS.slice(0, 2)),
  };
}

async function answerClarify(ctx: Context): Promise<Omit<ChatAnswer, 'intent' | 'entities'>> {
  const { parsed, index } = ctx;
  const command = parsed.command!;
  const choices = accountChoices(index, command, parsed.entities, parsed.accounts);
  const labels = choices.map((c) => c.label);
  const question = `Which account do you mean: ${labels.length === 2 ? `${labels[0]} or ${labels[1]}` : `${labels.slice(0, -1).join(', ')} or ${labels.at(-1)}`}?`;
  return {
    reply: question,
    data: { kind: 'choices', reason: 'ambiguous_account', command, question, choices },
    suggestions: choices.map((c) => ({ label: c.label, message: c.message })),
  };
}

async function answerAccountNeeded(ctx: Context, command: CommandIntent): Promise<Omit<ChatAnswer, 'intent' | 'entities'>> {
  const { deps, user, index } = ctx;
  const own = user.role === 'csm' ? await selectOwnCustomers(deps.db, user.id, 10) : [];
  const question = `Which account? Name a customer, e.g. "${commandMessage(command, ctx.parsed.entities, own[0]?.name ?? 'Acme')}".`;
  const choices = accountChoices(index, command, ctx.parsed.entities, own.map((c) => ({ customerId: c.id, name: c.name })));
  return {
    reply: question,
    data: { kind: 'choices', reason: 'account_needed', command, question, choices },
    suggestions: choices.length > 0 ? choices.slice(0, 4).map((c) => ({ label: c.label, message: c.message })) : GENERAL_SUGGESTIONS,
  };
}

function answerHelp(): Omit<ChatAnswer, 'intent' | 'entities'> {
  return {
    reply: `I answer from CSCX's own Zendesk data. Ask for ${COMMANDS.filter((c) => c.intent !== 'help').map((c) => c.description.split(' (')[0]).join('; ')}. For example: "${EXAMPLES.slice(0, 4).join('", "')}".`,
    data: { kind: 'help', commands: COMMANDS },
    suggestions: GENERAL_SUGGESTIONS,
  };
}

function answerUnknown(ctx: Context): Omit<ChatAnswer, 'intent' | 'entities'> {
  const { parsed, index } = ctx;
  const command = parsed.command;
  const resolved = parsed.accounts.length === 1 ? parsed.accounts[0]! : null;
  const customer = resolved ? customerRef(resolved.customerId, resolved.name) : null;
  let choices: ChatChoice[] = [];
  let reply: string;
  if (command && parsed.unknownAccount) {
    // Near names, offered (never picked): bigram similarity over every customer, only on this path.
    const near = suggestCustomers({ name: parsed.unknownAccount, domains: parsed.unknownAccount.includes('.') ? [parsed.unknownAccount] : [] }, [...index.customers], 3);
    choices = near.map((s) => ({ label: s.name, message: commandMessage(command, parsed.entities, referenceFor(index, s.customerId)), customerId: s.customerId }));
    reply = `I understood ${COMMAND_PHRASES[command]}, but no account matches "${parsed.unknownAccount}".${choices.length > 0 ? ` Did you mean ${choices.map((c) => c.label).join(' or ')}?` : ''} Name the customer as it is in CSCX, or by its domain (e.g. acme.com).`;
  } else if (customer) {
    reply = `I understood the account ${customer.name}, but not what you want to know about it. You can ask for its open tickets, ticket history, CSAT or support health.`;
  } else if (parsed.accounts.length > 1) {
    choices = accountChoices(index, 'list_tickets', { ...parsed.entities, status: 'open' }, parsed.accounts);
    reply = `I understood an account (${choices.map((c) => c.label).join(' or ')}), but not what you want to know about it. Pick one for its open tickets, or ask for its ticket history, CSAT or support health.`;
  } else {
    reply = `Sorry, I did not understand that. I answer questions about support tickets, escalations, SLA breaches, CSAT, support health and alerts. Try "${EXAMPLES[0]}" or "${EXAMPLES[1]}", or ask for help.`;
  }
  return {
    reply,
    data: {
      kind: 'unknown',
      understood: { command, customer, unknownAccount: parsed.unknownAccount, corrections: parsed.corrections },
      choices,
      examples: EXAMPLES,
    },
    suggestions: customer ? customerSuggestions(index, customer.id, null) : choices.length > 0 ? choices.map((c) => ({ label: c.label, message: c.message })) : GENERAL_SUGGESTIONS,
  };
}

/** Parses the message and answers it for this user. */
export async function answerChat(deps: ReadDeps, user: User, message: string, options: { now?: Date; indexMaxAgeMs?: number } = {}): Promise<ChatAnswer> {
  const now = options.now ?? new Date();
  const index = await accountIndexFor(deps.db, { maxAgeMs: options.indexMaxAgeMs });
  const parsed = parseMessage(message, index, { now });
  const ctx: Context = { deps, user, index, parsed, now };
  const answer = async (): Promise<Omit<ChatAnswer, 'intent' | 'entities'>> => {
    switch (parsed.intent) {
      case 'list_tickets':
      case 'escalated_tickets':
      case 'sla_breaches':
        return answerTickets(ctx, parsed.intent);
      case 'support_health':
        return answerHealth(ctx);
      case 'csat':
        return answerCsat(ctx);
      case 'ticket_history':
        return (await answerHistory(ctx)) ?? answerAccountNeeded(ctx, 'ticket_history');
      case 'subscribe_alerts':
        return answerSubscription(ctx, true);
      case 'unsubscribe_alerts':
        return answerSubscription(ctx, false);
      case 'help':
        return answerHelp();
      case 'clarify':
        return answerClarify(ctx);
      case 'unknown':
        return answerUnknown(ctx);
    }
  };
  return { intent: parsed.intent, entities: parsed.entities, ...(await answer()) };
}
