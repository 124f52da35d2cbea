/**
 * The chat command parser: deterministic, offline, pure. A message becomes an intent and its
 * entities in four steps:
 *
 * 1. words: tokenized (lower case, punctuation dropped, domains kept whole), each looked up in the
 *    command vocabulary, exactly or within its typo allowance ("tikets" -> tickets);
 * 2. the account: AccountIndex finds the customers the remaining words name (account-index.ts);
 * 3. entities from the words not read as the account: priority, status, since, alert types;
 * 4. the intent: each intent scores the concepts present (keywords with weights, a few phrase
 *    patterns), the best wins if it scores at least MIN_INTENT_SCORE.
 *
 * Then the rules that keep it from guessing: two accounts fit -> `clarify`; a command whose account
 * is unknown ("tickets for Wayne Enterprises") or nothing recognizable -> `unknown`, with what was
 * understood.
 */
import { TICKET_PRIORITIES, type AlertType, type TicketPriority } from '../../contracts/vocabulary.ts';
import type { AccountCandidate, AccountIndex } from './account-index.ts';
import { FuzzyWords, isDomainLike, tokenize } from './text.ts';
import { CHAT_INTENTS, CHAT_STATUSES } from '../../contracts/chat.ts';

export { CHAT_INTENTS, CHAT_STATUSES };
export type ChatIntent = (typeof CHAT_INTENTS)[number];
/** The intents that are commands (what clarify and unknown may say was understood). */
export type CommandIntent = Exclude<ChatIntent, 'clarify' | 'unknown'>;

export type ChatStatus = (typeof CHAT_STATUSES)[number];
export const CHAT_PRIORITIES = TICKET_PRIORITIES;
export type ChatPriority = TicketPriority;

export interface Since {
  /** "today", "yesterday", "last 7 days", "last 24 hours". */
  label: string;
  /** The start of the period (ISO 8601, UTC). */
  from: string;
  /** Whole days the period spans, at least 1 (for metric ranges). */
  days: number;
}

export interface ChatEntities {
  customerId: string | null;
  alertType: AlertType | null;
  status: ChatStatus | null;
  priority: ChatPriority | null;
  since: Since | null;
}

export interface ParsedMessage {
  intent: ChatIntent;
  entities: ChatEntities;
  /** For clarify and unknown: the command understood, if any. */
  command: CommandIntent | null;
  /** The customers that fit (one when resolved, several for clarify), best first. */
  accounts: AccountCandidate[];
  /** The words that named an account nobody has ("wayne enterprises", "wayne.com"), or null. */
  unknownAccount: string | null;
  /** Every alert type named, in order (alertType is the first). */
  alertTypes: AlertType[];
  /** "all alerts", "every alert". */
  allAlertTypes: boolean;
  /** Typos read as command words: [{ from: "tikets", to: "tickets" }]. */
  corrections: Array<{ from: string; to: string }>;
}

// ---- vocabulary ----

type Concept =
  | 'ticket' | 'show' | 'escalation' | 'health' | 'status_word' | 'support' | 'metrics' | 'alert_verb' | 'alert_noun'
  | 'subscribe' | 'stop' | 'unsubscribe' | 'on' | 'csat' | 'history' | 'sla' | 'help' | 'negative' | 'spike'
  | 'out_of_scope' | 'all' | 'priority_word';

const CONCEPT_WORDS: Record<Concept, string[]> = {
  ticket: ['ticket', 'tickets', 'tix', 'tkts', 'case', 'cases', 'issue', 'issues', 'request', 'requests', 'queue', 'backlog', 'incident', 'incidents'],
  show: ['show', 'list', 'display', 'get', 'see', 'view', 'give', 'pull', 'find', 'fetch', 'bring', 'check', 'look', 'lookup', 'what', 'which', 'many', 'count'],
  escalation: ['escalated', 'escalation', 'escalations', 'escalate', 'escalating', 'escalates'],
  health: ['health', 'healthy', 'unhealthy', 'score', 'scores', 'doing', 'wellbeing', 'shape', 'state'],
  status_word: ['status', 'standing'],
  support: ['support', 'supports'],
  metrics: ['metrics', 'metric', 'kpi', 'kpis', 'stats', 'statistics', 'numbers', 'overview', 'summary', 'performance', 'dashboard'],
  alert_verb: ['notify', 'notifying', 'ping', 'pinging', 'warn', 'remind'],
  alert_noun: ['alert', 'alerts', 'alerting', 'alerted', 'notification', 'notifications', 'notified', 'warning', 'warnings', 'subscription', 'subscriptions'],
  subscribe: ['subscribe', 'subscribed', 'enable', 'unmute', 'resume'],
  stop: ['stop', 'mute', 'silence', 'disable', 'cancel', 'dont', 'quit', 'pause', 'off', 'remove', 'no', 'never', 'longer', 'turnoff'],
  unsubscribe: ['unsubscribe', 'unsubscribed', 'unfollow', 'optout'],
  on: ['on'],
  csat: ['csat', 'satisfaction', 'satisfied', 'dissatisfied', 'rating', 'ratings', 'rated', 'happy', 'unhappy', 'survey', 'surveys', 'sentiment', 'feedback'],
  history: ['history', 'timeline', 'past', 'previous', 'log', 'activity', 'changes', 'changed', 'happened', 'events', 'trail'],
  sla: ['sla', 'slas', 'breach', 'breaches', 'breached', 'breaching', 'overdue', 'violation', 'violations', 'violated', 'late'],
  help: ['help', 'commands', 'command', 'examples', 'usage', 'capabilities', 'instructions', 'tutorial'],
  negative: ['negative', 'bad', 'poor', 'low', 'angry', 'drop', 'drops', 'dropping', 'dips'],
  spike: ['spike', 'spikes', 'spiking', 'surge', 'surges', 'burst', 'bursts', 'flood', 'jump', 'influx', 'volume'],
  out_of_scope: [
    'delete', 'create', 'assign', 'reassign', 'merge', 'update', 'edit', 'reply', 'respond', 'send', 'write', 'call', 'schedule',
    'book', 'close', 'reopen', 'weather', 'joke', 'lunch', 'translate', 'draft', 'invoice', 'renewal', 'contract', 'meeting', 'pay',
  ],
  all: ['all', 'every', 'everything', 'any'],
  priority_word: ['priority', 'prio', 'priorities', 'severity', 'sev'],
};

/** Words that carry no command of their own; never read as the start of an account name. */
const FILLERS = new Set(
  (
    'me my i we us our you your the a an some is are was were be been being am there for of at in to from about with regarding re ' +
    'whats what which who how when whenever if and or please pls plz can could would will do does did hey hi hello ok okay it its ' +
    'this that these those now right currently current latest recent recently up out let know tell need want like just also got has ' +
    'have had anything thing things customer customers account accounts client clients so then than more most lot much by via as ' +
    'into per each not yes should shall may might must go going looking find any mine them their they he she his her im ive id ' +
    'thanks thank quick real give see happening going on over under here where why top few both either between book business portfolio ' +
    'keep posted updated informed when get list overall general generally trend trends trending across total average avg entire whole ' +
    'team teams org level levels looking look like asap quickly again still really very good well fine lately right now hows whats ' +
    'created raised filed submitted logged came come coming'
  ).split(' '),
);
/** Words after which an account name is expected. */
const INTRODUCERS = new Set(['for', 'of', 'at', 'from', 'about', 'with', 'regarding', 're', 'in', 'on', 'to']);

const TIME_UNITS: Record<string, number> = {
  day: 1, days: 1, week: 7, weeks: 7, wk: 7, wks: 7, month: 30, months: 30, mo: 30, quarter: 90, quarters: 90, year: 365, years: 365, yr: 365,
  hour: 1 / 24, hours: 1 / 24, hr: 1 / 24, hrs: 1 / 24, h: 1 / 24,
};
const NUMBER_WORDS: Record<string, number> = {
  a: 1, an: 1, one: 1, two: 2, couple: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10, twelve: 12,
  fourteen: 14, fifteen: 15, twenty: 20, thirty: 30, sixty: 60, ninety: 90,
};
const TIME_WORDS = ['today', 'tonight', 'yesterday', 'morning', 'last', 'past', 'previous', 'since', 'ago', 'this', 'week', 'weeks', 'month', 'months', 'days', 'day', 'year', 'quarter', 'hours', 'hour', 'recent'];

const STATUS_WORDS: Record<string, ChatStatus> = {
  open: 'open', opened: 'open', unsolved: 'open', unresolved: 'open', active: 'open', outstanding: 'open', ongoing: 'open',
  pending: 'pending', waiting: 'pending', hold: 'hold', solved: 'solved', resolved: 'solved', fixed: 'solved', done: 'solved', closed: 'closed',
};
const PRIORITY_WORDS: Record<string, ChatPriority> = {
  urgent: 'urgent', critical: 'urgent', emergency: 'urgent', p1: 'urgent', sev1: 'urgent', blocker: 'urgent',
  p2: 'high', p3: 'normal', p4: 'low',
};
/** Need the word "priority" or a ticket word next to them: "low" is also a CSAT word. */
const PRIORITY_LEVELS: Record<string, ChatPriority> = { high: 'high', highest: 'urgent', normal: 'normal', medium: 'normal', low: 'low', lowest: 'low' };

const vocabulary = new Map<string, Concept[]>();
for (const [concept, words] of Object.entries(CONCEPT_WORDS) as Array<[Concept, string[]]>) {
  for (const word of words) vocabulary.set(word, [...(vocabulary.get(word) ?? []), concept]);
}
/** Every word the parser understands (for typo correction). */
const KNOWN_WORDS = new FuzzyWords();
for (const word of [
  ...vocabulary.keys(), ...Object.keys(STATUS_WORDS), ...Object.keys(PRIORITY_WORDS), ...Object.keys(PRIORITY_LEVELS), ...Object.keys(TIME_UNITS),
  ...TIME_WORDS, 'new', 'alert', 'subscribe', 'unsubscribe',
]) {
  KNOWN_WORDS.add(word);
}
function isKnown(word: string): boolean {
  return vocabulary.has(word) || word in STATUS_WORDS || word in PRIORITY_WORDS || word in PRIORITY_LEVELS || word in TIME_UNITS || TIME_WORDS.includes(word) || word === 'new';
}

// ---- since ----

const DAY_MS = 86_400_000;

function startOfUtcDay(at: Date): Date {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));
}

/** "today", "yesterday", "this week", "last week", "past 30 days", "last 2 months", "3 days ago", "last 24 hours". */
function findSince(words: readonly string[], now: Date, used: Set<number>): Since | null {
  for (let i = 0; i < words.length; i += 1) {
    const word = words[i]!;
    if (word === 'today' || word === 'tonight' || (word === 'this' && words[i + 1] === 'morning')) {
      used.add(i);
      if (word === 'this') used.add(i + 1);
      return { label: 'today', from: startOfUtcDay(now).toISOString(), days: 1 };
    }
    if (word === 'yesterday') {
      used.add(i);
      return { label: 'yesterday', from: new Date(startOfUtcDay(now).getTime() - DAY_MS).toISOString(), days: 2 };
    }
    // (last|past|previous|this|since) [the] [N] unit
    if (word === 'last' || word === 'past' || word === 'previous' || word === 'this' || word === 'since' || word === 'recent') {
      let j = i + 1;
      if (words[j] === 'the') j += 1;
      const count = parseCount(words[j]);
      if (count !== null) j += 1;
      const unit = TIME_UNITS[words[j] ?? ''];
      if (unit !== undefined) {
        for (let k = i; k <= j; k += 1) used.add(k);
        return sinceOf((count ?? 1) * unit, now);
      }
    }
    // N unit ago
    const count = parseCount(word);
    const unit = TIME_UNITS[words[i + 1] ?? ''];
    if (count !== null && unit !== undefined && words[i + 2] === 'ago') {
      used.add(i).add(i + 1).add(i + 2);
      return sinceOf(count * unit, now);
    }
  }
  return null;
}

function parseCount(word: string | undefined): number | null {
  if (word === undefined) return null;
  if (/^\d{1,4}$/.test(word)) return Number(word);
  return NUMBER_WORDS[word] ?? null;
}

function sinceOf(days: number, now: Date): Since {
  if (days <= 1) {
    const hours = Math.max(1, Math.round(days * 24));
    return { label: `last ${hours} hours`, from: new Date(now.getTime() - hours * 3_600_000).toISOString(), days: 1 };
  }
  const whole = Math.round(days);
  return { label: `last ${whole} days`, from: new Date(now.getTime() - whole * DAY_MS).toISOString(), days: whole };
}

// ---- intents ----

/** Below this the message is not a command. */
const MIN_INTENT_SCORE = 2;
/** Ties go to the first. */
const INTENT_ORDER: CommandIntent[] = [
  'unsubscribe_alerts', 'subscribe_alerts', 'sla_breaches', 'csat', 'ticket_history', 'escalated_tickets', 'support_health', 'list_tickets', 'help',
];
/** Commands about one account or, without one, about the caller's portfolio. */
export const ACCOUNT_INTENTS: ReadonlySet<CommandIntent> = new Set(['list_tickets', 'escalated_tickets', 'support_health', 'csat', 'ticket_history', 'sla_breaches']);
/** Commands that cannot answer without an account (the rest answer for the portfolio). */
const ACCOUNT_REQUIRED: ReadonlySet<CommandIntent> = new Set(['ticket_history']);

interface Features {
  has: (concept: Concept) => boolean;
  count: (concept: Concept) => number;
  text: string;
  alertTypes: AlertType[];
  hasAccount: boolean;
  entityCount: number;
}

function scoreIntents(f: Features): Map<CommandIntent, number> {
  const scores = new Map<CommandIntent, number>();
  const alertVerb = f.has('alert_verb') || /\b(alert|alerts|email|text|message) (me|us)\b/.test(f.text) || /\blet (me|us) know\b/.test(f.text) ||
    /\bkeep (me|us) (posted|updated|informed)\b/.test(f.text) || /\btell (me|us) (when|whenever|if|about)\b/.test(f.text);
  const alertContext = alertVerb || f.has('alert_noun') || f.has('subscribe') || f.has('unsubscribe');
  const outOfScope = f.has('out_of_scope') ? 3 : 0;

  let subscribe = 0;
  if (alertVerb || f.has('subscribe')) subscribe = 5;
  else if (f.has('alert_noun') && !f.has('show')) subscribe = 4;
  if (subscribe > 0 && f.alertTypes.length > 0) subscribe += 1;
  if (subscribe > 0 && /\bturn(ed)? on\b/.test(f.text)) subscribe += 0.5;
  scores.set('subscribe_alerts', subscribe);

  let unsubscribe = 0;
  if (f.has('unsubscribe')) unsubscribe = 6;
  else if (alertContext && (f.has('stop') || /\bturn(ed)? off\b/.test(f.text) || /\bdo not\b/.test(f.text))) unsubscribe = 6;
  scores.set('unsubscribe_alerts', unsubscribe);

  const ticket = f.has('ticket') ? 0.5 : 0;
  const account = f.hasAccount ? 0.5 : 0;
  const penalty = outOfScope;
  const alertPenalty = subscribe > 0 || unsubscribe > 0 ? 2 : 0;
  const withAccount = (base: number) => (base > 0 ? base + ticket + account - penalty - alertPenalty : 0);
  scores.set('escalated_tickets', withAccount(f.has('escalation') ? 3 : 0));
  scores.set('sla_breaches', withAccount(f.has('sla') ? 3 : 0));
  scores.set('csat', withAccount(f.has('csat') ? 3 : 0) - ticket);
  scores.set('ticket_history', withAccount(f.has('history') ? 3 : 0));
  let health = 0;
  if (f.has('health') || /\bhow (is|are|s)\b.*\b(doing|going|looking)\b/.test(f.text)) health = 3;
  else if (f.has('metrics')) health = 2.5;
  else if (f.has('status_word') && !f.has('ticket')) health = 2;
  if (health > 0 && f.has('support')) health += 0.5;
  scores.set('support_health', withAccount(health) - ticket);
  const list = f.has('ticket') ? 2 + (f.has('show') ? 0.5 : 0) + Math.min(1, f.entityCount * 0.5) : 0;
  scores.set('list_tickets', list > 0 ? list + account - penalty - alertPenalty : 0);

  let help = 0;
  if (f.has('help')) help = 2.5;
  if (/\bwhat (can|do|else can) (you|i) (do|ask|understand|know)\b/.test(f.text) || /\bhow (do|does|can) (i|this|you)\b.*\b(work|use|ask)\b/.test(f.text)) help = 4;
  if (/\bwhat can you\b/.test(f.text) || /\bwho are you\b/.test(f.text)) help = Math.max(help, 3);
  scores.set('help', help);
  return scores;
}

// ---- the parser ----

export interface ParseOptions {
  now?: Date;
}

export function parseMessage(message: string, index: AccountIndex, options: ParseOptions = {}): ParsedMessage {
  const now = options.now ?? new Date();
  const tokens = tokenize(message);
  const corrections: Array<{ from: string; to: string }> = [];

  // 1. Words: exact command words, fillers, numbers; or command words with a typo.
  const reserved: boolean[] = [];
  const nearReserved: boolean[] = [];
  const corrected: string[] = [];
  for (const token of tokens) {
    const exact = isKnown(token) || FILLERS.has(token) || /^\d+$/.test(token);
    reserved.push(exact);
    let near: string | null = null;
    if (!exact && token.length >= 4 && !isDomainLike(token)) near = KNOWN_WORDS.nearest(token)?.word ?? null;
    nearReserved.push(near !== null);
    corrected.push(near ?? token);
  }
  const introducer = tokens.map((token) => INTRODUCERS.has(token));

  // 2. The account.
  const lookup = index.lookup(tokens, { reserved, nearReserved, introducer });

  // 3. Entities, from the words not read as the account.
  const words = tokens.map((token, i) => (lookup.consumed.has(i) ? '' : corrected[i]!));
  tokens.forEach((token, i) => {
    if (!lookup.consumed.has(i) && nearReserved[i] && corrected[i] !== token) corrections.push({ from: token, to: corrected[i]! });
  });
  const used = new Set<number>();
  const since = findSince(words, now, used);
  const concepts = new Map<Concept, number>();
  words.forEach((word, i) => {
    if (used.has(i)) return;
    for (const concept of vocabulary.get(word) ?? []) concepts.set(concept, (concepts.get(concept) ?? 0) + 1);
  });
  const has = (concept: Concept) => (concepts.get(concept) ?? 0) > 0;
  const text = words.filter(Boolean).join(' ');

  const isTicketWord = (word: string | undefined) => word !== undefined && (vocabulary.get(word) ?? []).includes('ticket');
  let priority: ChatPriority | null = null;
  let status: ChatStatus | null = null;
  words.forEach((word, i) => {
    if (used.has(i)) return;
    const next = words[i + 1];
    priority ??= PRIORITY_WORDS[word] ?? null;
    const level = PRIORITY_LEVELS[word];
    if (level && !priority && (has('priority_word') || isTicketWord(next) || (vocabulary.get(next ?? '') ?? []).includes('priority_word'))) priority = level;
    status ??= STATUS_WORDS[word] ?? null;
    if (word === 'new' && isTicketWord(next)) status ??= 'new';
  });
  // "all tickets", "every ticket", "all of acme's tickets": every status.
  if (/\b(all|every)( the| of)? ?(\w+ )?(ticket|tickets|cases|issues|requests)\b/.test(text) && !status) status = 'all';
  if (!status && /\bon hold\b/.test(text)) status = 'hold';

  const alertTypes: AlertType[] = [];
  const addType = (type: AlertType) => {
    if (!alertTypes.includes(type)) alertTypes.push(type);
  };
  words.forEach((word) => {
    const found = vocabulary.get(word) ?? [];
    if (found.includes('escalation')) addType('escalation');
    if (found.includes('sla')) addType('sla_breach');
    if (found.includes('spike')) addType('ticket_spike');
    if (found.includes('csat') || (found.includes('negative') && word !== 'low')) addType('negative_csat');
  });
  if (/\b(many|lots of|too many|more) (new )?(tickets|cases)\b/.test(text)) addType('ticket_spike');
  const allAlertTypes = alertTypes.length === 0 && /\b(all|every|everything)\b/.test(text);

  const accounts = lookup.candidates;
  const entityCount = (priority ? 1 : 0) + (status ? 1 : 0) + (since ? 1 : 0);
  const scores = scoreIntents({ has, count: (c) => concepts.get(c) ?? 0, text, alertTypes, hasAccount: accounts.length > 0, entityCount });
  let command: CommandIntent | null = null;
  let bestScore = 0;
  for (const intent of INTENT_ORDER) {
    const score = scores.get(intent) ?? 0;
    if (score > bestScore) {
      bestScore = score;
      command = intent;
    }
  }
  if (bestScore < MIN_INTENT_SCORE) command = null;

  // Words that look like an account name nobody has: after "for"/"of"/... (or anywhere, for a
  // command that needs an account), not a command word, not read as anything else.
  let unknownAccount: string | null = lookup.unknownDomains[0] ?? null;
  // Alert commands take an account too ("alert me on escalations for Acme" follows it): one nobody
  // has must not fall back to every customer's subscriptions.
  const alertCommand = command === 'subscribe_alerts' || command === 'unsubscribe_alerts';
  if (!unknownAccount && accounts.length === 0 && command && (ACCOUNT_INTENTS.has(command) || alertCommand)) {
    const leftover = (i: number) => !lookup.consumed.has(i) && !used.has(i) && !reserved[i] && !nearReserved[i] && tokens[i]!.length >= 2;
    const spans: string[] = [];
    for (let i = 0; i < tokens.length; i += 1) {
      if (!leftover(i)) continue;
      const introduced = i > 0 && introducer[i - 1];
      if (!introduced && !ACCOUNT_REQUIRED.has(command) && command !== 'support_health' && command !== 'csat') continue;
      let j = i;
      while (j < tokens.length && (leftover(j) || (j > i && ['the', 'and'].includes(tokens[j]!)))) j += 1;
      spans.push(tokens.slice(i, j).join(' '));
      i = j;
    }
    unknownAccount = spans[0] ?? null;
  }

  const resolved = accounts.length === 1 ? accounts[0]! : null;
  const alertType = alertTypes[0] ?? null;
  const entities: ChatEntities = {
    customerId: null,
    alertType: command === 'subscribe_alerts' || command === 'unsubscribe_alerts' ? alertType : null,
    status,
    priority,
    since,
  };
  const result = (intent: ChatIntent): ParsedMessage => ({
    intent,
    entities,
    command,
    accounts,
    unknownAccount,
    alertTypes: entities.alertType ? alertTypes : [],
    allAlertTypes,
    corrections,
  });

  if (command === null) {
    if (resolved) entities.customerId = resolved.customerId;
    return result('unknown');
  }
  if (!ACCOUNT_INTENTS.has(command)) return result(command);
  if (accounts.length > 1) return result('clarify');
  if (unknownAccount) return result('unknown');
  if (resolved) entities.customerId = resolved.customerId;
  return result(command);
}
