/**
 * Chat parser latency with 5,000 customers (target: p99 under 5 ms). The customers are generated
 * deterministically with shared first words, legal suffixes and domains (so that fuzzy lookups
 * meet many near names), plus the corpus's customers; the messages are the corpus's utterances and
 * generated commands naming random customers by name, core name, domain or with a typo. Reports
 * the index build time and p50 / p99 / max of parseMessage, measured one call at a time, and the
 * mean CPU time per parse (which, unlike the wall-clock tail, a busy machine does not inflate).
 * Run alone with `npx tsx bench/chat.bench.ts`.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { AccountIndex, type IndexedCustomer } from '../src/modules/chat/account-index.ts';
import { parseMessage } from '../src/modules/chat/chat-parser.ts';
import { percentile, round, runIfMain, type Figures } from './helpers.ts';

const CUSTOMERS = Number(process.env.BENCH_CHAT_CUSTOMERS ?? 5000);
const MESSAGES = 1000;
const RUNS = 20_000;
const WARMUP = 3_000;

function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FIRST = (
  'apex blue bright cedar coastal crown delta eagle echo ember evergreen falcon frontier giant golden granite harbor horizon iron ' +
  'juniper keystone lake liberty lumen maple meridian metro nova oak orbit pacific peak pine pioneer polar prime quantum redwood ' +
  'river rocky sapphire silver sky solar spring star sterling summit sun terra titan trident true united valley vector vertex ' +
  'vista willow zenith northern southern eastern western atlas beacon bridge canyon cobalt copper crystal diamond'
).split(' ');
const SECOND = (
  'analytics systems solutions labs health logistics foods energy partners software media capital networks dynamics robotics ' +
  'pharma motors studios retail bank insurance security cloud data telecom airlines marine mining textiles brands ventures'
).split(' ');
const SUFFIX = ['', '', '', 'Inc', 'Corp', 'Ltd', 'LLC', 'Group', 'GmbH', 'Holdings'];

const cap = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);

function generateCustomers(count: number, random: () => number, fixed: IndexedCustomer[]): IndexedCustomer[] {
  const out: IndexedCustomer[] = [...fixed];
  const names = new Set(fixed.map((c) => c.name.toLowerCase()));
  for (let i = 0; out.length < count; i += 1) {
    const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
    const words = [pick(FIRST), pick(SECOND)];
    if (random() < 0.3) words.push(pick(SECOND));
    let name = [...words.map(cap), pick(SUFFIX)].filter(Boolean).join(' ');
    if (names.has(name.toLowerCase())) name = `${name} ${i}`;
    names.add(name.toLowerCase());
    out.push({ id: `c${i}`, name, domains: [`${words.join('')}${i}.com`] });
  }
  return out;
}

function typo(word: string, random: () => number): string {
  if (word.length < 5) return word;
  const at = 1 + Math.floor(random() * (word.length - 2));
  return random() < 0.5 ? word.slice(0, at) + word.slice(at + 1) : word.slice(0, at) + word.charAt(at + 1) + word.charAt(at) + word.slice(at + 2);
}

function generateMessages(customers: readonly IndexedCustomer[], count: number, random: () => number): string[] {
  const corpus = JSON.parse(readFileSync(new URL('../src/modules/chat/corpus.json', import.meta.url), 'utf8')) as { utterances: Array<{ text: string }> };
  const templates = [
    (n: string) => `Show support tickets for ${n}`,
    (n: string) => `what's the support health for ${n}?`,
    (n: string) => `urgent tickets from last week for ${n}`,
    (n: string) => `csat for ${n}`,
    (n: string) => `ticket history for ${n} please`,
    (n: string) => `any escalated tickets at ${n}`,
    (n: string) => `how is ${n} doing`,
  ];
  const messages = corpus.utterances.map((u) => u.text);
  while (messages.length < count) {
    const customer = customers[Math.floor(random() * customers.length)]!;
    const style = random();
    const words = customer.name.split(' ');
    const reference =
      style < 0.3 ? customer.name : style < 0.5 ? customer.name.toLowerCase() : style < 0.7 ? (customer.domains[0] ?? customer.name) : words.map((w) => typo(w.toLowerCase(), random)).join(' ');
    messages.push(templates[Math.floor(random() * templates.length)]!(reference));
  }
  return messages;
}

export async function benchChat(): Promise<Figures> {
  const random = seeded(7);
  const fixed = Object.entries(
    (JSON.parse(readFileSync(new URL('../src/modules/chat/corpus.customers.json', import.meta.url), 'utf8')) as { customers: Record<string, { name: string; domains: string[] }> }).customers,
  ).map(([id, c]) => ({ id, ...c }));
  const customers = generateCustomers(CUSTOMERS, random, fixed);

  const buildStart = performance.now();
  const index = new AccountIndex(customers);
  const buildMs = performance.now() - buildStart;

  const messages = generateMessages(customers, MESSAGES, random);
  const now = new Date();
  for (let i = 0; i < WARMUP; i += 1) parseMessage(messages[i % messages.length]!, index, { now });
  const timings: number[] = [];
  const intents = new Map<string, number>();
  // CPU time as well as wall time: on a busy machine the wall-clock tail measures the scheduler.
  const cpuStart = process.cpuUsage();
  for (let i = 0; i < RUNS; i += 1) {
    const message = messages[i % messages.length]!;
    const start = performance.now();
    const parsed = parseMessage(message, index, { now });
    timings.push(performance.now() - start);
    if (i < messages.length) intents.set(parsed.intent, (intents.get(parsed.intent) ?? 0) + 1);
  }
  const cpu = process.cpuUsage(cpuStart);
  return {
    'chat parser customers': customers.length,
    'chat parser index build ms': round(buildMs, 1),
    'chat parser messages': `${RUNS.toLocaleString('en')} parses of ${messages.length} messages (${[...intents].map(([k, v]) => `${k} ${v}`).join(', ')})`,
    'chat parser p50 ms': round(percentile(timings, 50), 3),
    'chat parser p99 ms': round(percentile(timings, 99), 3),
    'chat parser max ms': round(Math.max(...timings), 3),
    'chat parser mean CPU ms per parse': round((cpu.user + cpu.system) / 1000 / RUNS, 3),
    'chat parser target': percentile(timings, 99) < 5 ? 'p99 < 5 ms: met' : 'p99 < 5 ms: NOT met',
  };
}

await runIfMain(import.meta.url, benchChat);
