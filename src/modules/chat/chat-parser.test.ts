/**
 * The chat parser against its corpus (corpus.json, on the customers of corpus.customers.json): every
 * utterance must give its intent and its account (100%), and the other entities it lists. Also the
 * pieces: edit distance, the fuzzy word set, tokens, and that every quick action parses back.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AccountIndex } from './account-index.ts';
import { parseMessage, type ChatIntent } from './chat-parser.ts';
import { editDistance, FuzzyWords, tokenize } from './text.ts';

interface Utterance {
  text: string;
  intent: ChatIntent;
  customer: string | null;
  choices?: string[];
  command?: string;
  alertType?: string;
  status?: string;
  priority?: string;
  since?: string;
  unknownAccount?: string;
}

const corpus = JSON.parse(readFileSync(new URL('./corpus.json', import.meta.url), 'utf8')) as { now: string; utterances: Utterance[] };
const customerSet = JSON.parse(readFileSync(new URL('./corpus.customers.json', import.meta.url), 'utf8')) as {
  customers: Record<string, { name: string; domains: string[] }>;
};
// The keys stand as customer ids, so that results read as the corpus does.
const index = new AccountIndex(Object.entries(customerSet.customers).map(([id, c]) => ({ id, ...c })));
const now = new Date(corpus.now);

function check(u: Utterance): string[] {
  const parsed = parseMessage(u.text, index, { now });
  const problems: string[] = [];
  const expect = (what: string, got: unknown, want: unknown) => {
    if (JSON.stringify(got) !== JSON.stringify(want)) problems.push(`${what}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
  };
  expect('intent', parsed.intent, u.intent);
  expect('customer', parsed.entities.customerId, u.customer);
  if (u.intent === 'clarify') expect('choices', parsed.accounts.map((a) => a.customerId).sort(), [...(u.choices ?? [])].sort());
  if (u.command !== undefined) expect('command', parsed.command, u.command);
  expect('alertType', parsed.entities.alertType, u.alertType ?? null);
  if (u.status !== undefined) expect('status', parsed.entities.status, u.status);
  if (u.priority !== undefined) expect('priority', parsed.entities.priority, u.priority);
  if (u.since !== undefined) expect('since', parsed.entities.since?.label ?? null, u.since);
  if (u.unknownAccount !== undefined) expect('unknownAccount', parsed.unknownAccount, u.unknownAccount);
  return problems;
}

describe('chat parser corpus', () => {
  it('has at least 150 utterances, every intent, typos, unknown and ambiguous accounts', () => {
    expect(corpus.utterances.length).toBeGreaterThanOrEqual(150);
    const intents = new Set(corpus.utterances.map((u) => u.intent));
    for (const intent of ['list_tickets', 'escalated_tickets', 'support_health', 'subscribe_alerts', 'unsubscribe_alerts', 'csat', 'ticket_history', 'sla_breaches', 'help', 'clarify', 'unknown']) {
      expect(intents, intent).toContain(intent);
    }
    for (const u of corpus.utterances) if (u.customer !== null) expect(customerSet.customers, u.text).toHaveProperty(u.customer);
  });

  it('parses 100% of the corpus: intent, account and the entities each utterance lists', () => {
    const failures = corpus.utterances.flatMap((u) => check(u).map((problem) => `"${u.text}": ${problem}`));
    const intentOk = corpus.utterances.filter((u) => parseMessage(u.text, index, { now }).intent === u.intent).length;
    const accountOk = corpus.utterances.filter((u) => parseMessage(u.text, index, { now }).entities.customerId === u.customer).length;
    console.log(`chat corpus: ${corpus.utterances.length} utterances, intent ${intentOk}/${corpus.utterances.length}, account ${accountOk}/${corpus.utterances.length}`);
    expect(failures).toEqual([]);
  });

  it('answers the same way every time, and whatever the case', () => {
    for (const u of corpus.utterances.slice(0, 40)) {
      const first = parseMessage(u.text, index, { now });
      expect(parseMessage(u.text, index, { now })).toEqual(first);
      expect(parseMessage(u.text.toUpperCase(), index, { now }).intent).toBe(first.intent);
    }
  });

  it('reads since phrases into a start time', () => {
    const since = (text: string) => parseMessage(`tickets for acme ${text}`, index, { now }).entities.since;
    expect(since('today')).toEqual({ label: 'today', from: '2025-03-12T00:00:00.000Z', days: 1 });
    expect(since('yesterday')?.from).toBe('2025-03-11T00:00:00.000Z');
    expect(since('from last week')).toMatchObject({ label: 'last 7 days', from: '2025-03-05T15:00:00.000Z', days: 7 });
    expect(since('in the last 30 days')).toMatchObject({ label: 'last 30 days', days: 30 });
    expect(since('past two months')).toMatchObject({ label: 'last 60 days' });
    expect(since('3 days ago')).toMatchObject({ label: 'last 3 days' });
    expect(since('')).toBeNull();
  });

  it('finds one account among many similar names, and still asks when two fit', () => {
    const many = [...index.customers, ...Array.from({ length: 2000 }, (_, i) => ({ id: `x${i}`, name: `Acme Widgets ${i}`, domains: [] }))];
    const big = new AccountIndex(many);
    expect(parseMessage('tickets for acme.com', big, { now }).entities.customerId).toBe('acme');
    expect(parseMessage('tickets for Acme Widgets 17', big, { now }).entities.customerId).toBe('x17');
    expect(parseMessage('tickets for acme', big, { now }).intent).toBe('clarify');
  });
});

describe('text helpers', () => {
  it('computes Damerau-Levenshtein distance (transpositions count 1) and stops past the bound', () => {
    expect(editDistance('acme', 'acme', 2)).toBe(0);
    expect(editDistance('acme', 'amce', 2)).toBe(1);
    expect(editDistance('tickets', 'tikets', 2)).toBe(1);
    expect(editDistance('kitten', 'sitting', 3)).toBe(3);
    expect(editDistance('kitten', 'sitting', 1)).toBe(2);
    expect(editDistance('', 'abc', 5)).toBe(3);
    expect(editDistance('a'.repeat(100), 'a'.repeat(99) + 'b', 2)).toBe(1);
  });

  it('finds near words by symmetric deletion', () => {
    const words = new FuzzyWords();
    for (const word of ['escalation', 'health', 'tickets', 'csat']) words.add(word);
    expect(words.nearest('escalaton')).toEqual({ word: 'escalation', distance: 1 });
    expect(words.nearest('helth')).toEqual({ word: 'health', distance: 1 });
    expect(words.nearest('csta')).toEqual({ word: 'csat', distance: 1 });
    expect(words.nearest('tickts')).toEqual({ word: 'tickets', distance: 1 });
    expect(words.nearest('escalatoin')).toEqual({ word: 'escalation', distance: 1 });
    expect(words.nearest('car')).toBeNull();
  });

  it('tokenizes: lower case, punctuation, domains and emails kept as domains', () => {
    expect(tokenize("What's ACME's health?")).toEqual(['what', 'acme', 'health']);
    expect(tokenize('tickets from bob@EU.Acme.com, https://www.acme.com/x')).toEqual(['tickets', 'from', 'eu.acme.com', 'https', 'acme.com', 'x']);
    expect(tokenize('Johnson & Johnson, Acme-Corp')).toEqual(['johnson', 'johnson', 'acme', 'corp']);
  });
});
