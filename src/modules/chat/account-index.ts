/**
 * Finding the account a chat message names, among every customer, in memory and in well under a
 * millisecond: by domain (acme.com, eu.acme.com), by full name (Acme Corp), by the name without its
 * legal suffix (Acme, for "Acme Corp", "ACME inc"), by the domain's label (acme), by the name
 * written as one word (northwindtraders), or by the start of a longer name (Globex, for Globex
 * Logistics, which makes "globex" ambiguous when Globex Corporation also exists). Words may carry
 * typos (Damerau-Levenshtein, 1 from 4 letters, 2 from 8): the first word of every name is indexed
 * with its one-letter deletions (the symmetric-delete method, FuzzyWords), so that a word finds its
 * near spellings (within one edit) with a few map lookups instead of a comparison with every
 * customer; the following words of a name are compared directly, with the full allowance.
 *
 * Never a silent guess: every customer that scores within AMBIGUITY_MARGIN of the best is returned,
 * and the caller asks which one was meant.
 */
import { editDistance, FuzzyWords, isDomainLike, tokenize, typoAllowance } from './text.ts';

export interface IndexedCustomer {
  id: string;
  name: string;
  domains: string[];
}

/** Legal and generic suffixes: "Acme Corp", "ACME inc", "Acme Holdings Ltd" are all "acme". */
export const NAME_SUFFIXES = new Set([
  'inc', 'incorporated', 'corp', 'corporation', 'co', 'company', 'ltd', 'limited', 'llc', 'llp', 'lp', 'plc', 'gmbh', 'ag',
  'sa', 'sas', 'srl', 'spa', 'bv', 'nv', 'pty', 'oy', 'ab', 'kk', 'group', 'holdings',
]);
/** Words dropped from names and skipped in messages while reading a name ("The Home Depot", "Johnson & Johnson"). */
const NAME_FILLERS = new Set(['the', 'and']);
/** Second-level labels of country domains: acme.co.uk's label is acme. */
const SECOND_LEVEL = new Set(['co', 'com', 'org', 'net', 'ac', 'gov', 'edu', 'ltd', 'plc']);

type AliasKind = 'name' | 'core' | 'joined' | 'label';

interface Alias {
  customer: number;
  kind: AliasKind;
  tokens: string[];
  /** How many words of the name the alias stands for (a joined name stands for all of them). */
  weight: number;
}

/** What a message's words (by position) are to the command vocabulary; those never start a fuzzy match. */
export interface TokenRoles {
  /** The word is a command or filler word as written ("tickets", "for"). */
  reserved: readonly boolean[];
  /** The word is a misspelt command word ("tikets"): reserved unless a name starts with it exactly. */
  nearReserved: readonly boolean[];
  /** A preposition that introduces an account ("for", "of", "at"...). */
  introducer: readonly boolean[];
}

export interface AccountCandidate {
  customerId: string;
  name: string;
  score: number;
  /** Positions of the message's words that named it. */
  start: number;
  end: number;
  how: AliasKind | 'domain' | 'prefix';
  typos: number;
}

export interface AccountLookup {
  /** Best first; the best and every other within AMBIGUITY_MARGIN of it (2 or more: ambiguous). */
  candidates: AccountCandidate[];
  /** Positions of words read as (part of) an account name, matched or not. */
  consumed: Set<number>;
  /** Domains in the message that no customer claims. */
  unknownDomains: string[];
}

export const AMBIGUITY_MARGIN = 0.25;
/** The best candidate must reach this; below it nothing is recognized (a lone fuzzy prefix scores 0.5). */
export const MIN_SCORE = 0.55;
const TYPO_PENALTY = 0.4;
const BONUS: Record<AliasKind, number> = { name: 0.5, core: 0, joined: 0, label: -0.05 };
const PREFIX_PENALTY = 0.1;
const SUFFIX_BONUS = 0.3;
const INTRODUCED_BONUS = 0.3;
const DOMAIN_SCORE = 3;
const MAX_CHOICES = 5;
/** A name split in two words is a kind of typo. */
const SPLIT_PENALTY = 0.3;

function nameTokens(name: string): string[] {
  const tokens = tokenize(name).flatMap((token) => (isDomainLike(token) ? token.split('.') : [token]));
  return tokens.filter((token) => !NAME_FILLERS.has(token));
}

function stripSuffixes(tokens: string[]): string[] {
  let end = tokens.length;
  while (end > 0 && NAME_SUFFIXES.has(tokens[end - 1]!)) end -= 1;
  return tokens.slice(0, end);
}

/** acme for acme.com, eu.acme.com and acme.co.uk; as words (acme-labs.io -> acme labs). */
export function domainLabelTokens(domain: string): string[] {
  const parts = domain.toLowerCase().split('.').filter(Boolean);
  if (parts.length < 2) return [];
  let label = parts[parts.length - 2]!;
  if (parts.length >= 3 && SECOND_LEVEL.has(label)) label = parts[parts.length - 3]!;
  return label.split('-').filter(Boolean);
}

export class AccountIndex {
  readonly customers: readonly IndexedCustomer[];
  private readonly byId = new Map<string, number>();
  private readonly aliases: Alias[] = [];
  /** First word of an alias -> the aliases it starts. */
  private readonly firstWords = new Map<string, number[]>();
  /** The same first words, for typos. */
  private readonly fuzzyFirstWords = new FuzzyWords();
  private readonly domains = new Map<string, number[]>();
  /** Customers whose name ends in a legal suffix (for "ACME inc" matching "Acme Corp"). */
  private readonly hasSuffix: boolean[] = [];

  constructor(customers: readonly IndexedCustomer[]) {
    this.customers = customers;
    customers.forEach((customer, index) => {
      this.byId.set(customer.id, index);
      const full = nameTokens(customer.name);
      const core = stripSuffixes(full);
      this.hasSuffix.push(core.length < full.length);
      const seen = new Set<string>();
      const add = (kind: AliasKind, tokens: string[], weight: number) => {
        const key = tokens.join(' ');
        if (tokens.length === 0 || seen.has(key)) return;
        seen.add(key);
        this.addAlias({ customer: index, kind, tokens, weight });
      };
      add('name', full, full.length);
      add('core', core, core.length);
      if (core.length > 1) add('joined', [core.join('')], core.length);
      for (const domain of customer.domains) {
        const lower = domain.toLowerCase();
        const list = this.domains.get(lower);
        if (list) list.push(index);
        else this.domains.set(lower, [index]);
        const label = domainLabelTokens(lower);
        add('label', label, label.length);
        if (label.length > 1) add('label', [label.join('')], label.length);
      }
    });
  }

  private addAlias(alias: Alias): void {
    const id = this.aliases.push(alias) - 1;
    const first = alias.tokens[0]!;
    const list = this.firstWords.get(first);
    if (list) {
      list.push(id);
      return;
    }
    this.firstWords.set(first, [id]);
    this.fuzzyFirstWords.add(first);
  }

  get size(): number {
    return this.customers.length;
  }

  customer(id: string): IndexedCustomer | undefined {
    const index = this.byId.get(id);
    return index === undefined ? undefined : this.customers[index];
  }

  /** Whether some name starts with this exact word. */
  startsAName(word: string): boolean {
    return this.firstWords.has(word);
  }

  /** Finds the accounts the message's words name; see the file comment for the scoring. */
  lookup(tokens: readonly string[], roles: TokenRoles): AccountLookup {
    const best = new Map<number, AccountCandidate>();
    const consumed = new Set<number>();
    const unknownDomains: string[] = [];
    const keep = (customer: number, candidate: Omit<AccountCandidate, 'customerId' | 'name'>) => {
      const current = best.get(customer);
      if (current && current.score >= candidate.score) return;
      const c = this.customers[customer]!;
      best.set(customer, { customerId: c.id, name: c.name, ...candidate });
    };

    for (let i = 0; i < tokens.length; i += 1) {
      const word = tokens[i]!;
      const introduced = i > 0 && roles.introducer[i - 1] === true ? INTRODUCED_BONUS : 0;
      if (isDomainLike(word)) {
        consumed.add(i);
        const owners = this.domainOwners(word);
        if (owners.length > 0) {
          for (const owner of owners) keep(owner, { score: DOMAIN_SCORE, start: i, end: i + 1, how: 'domain', typos: 0 });
          continue;
        }
        unknownDomains.push(word);
        // An unknown domain may still name a customer by its label (acme.io for Acme Corp).
        this.matchFrom(domainLabelTokens(word), 0, roles, introduced, (customer, match) => keep(customer, { ...match, start: i, end: i + 1 }), true);
        continue;
      }
      if (NAME_SUFFIXES.has(word) || NAME_FILLERS.has(word)) continue;
      if (roles.nearReserved[i] && !this.firstWords.has(word)) continue;
      this.matchFrom(tokens, i, roles, introduced, keep, false);
      // A name written in two words ("north wind traders" for Northwind Traders): read as one.
      const next = tokens[i + 1];
      if (next !== undefined && !roles.reserved[i + 1] && !isDomainLike(next) && word.length + next.length >= 6) {
        const joined = [...tokens.slice(0, i), word + next, ...tokens.slice(i + 2)];
        const shift = <T>(list: readonly T[]) => [...list.slice(0, i + 1), ...list.slice(i + 2)];
        const shifted: TokenRoles = { reserved: shift(roles.reserved), nearReserved: shift(roles.nearReserved), introducer: shift(roles.introducer) };
        this.matchFrom(joined, i, shifted, introduced, (customer, match) => {
          keep(customer, { ...match, end: match.end + 1, score: match.score - SPLIT_PENALTY });
        }, false);
      }
    }

    const ranked = [...best.values()].sort((a, b) => b.score - a.score || a.name.localeCompare(b.name));
    const top = ranked[0];
    if (!top || top.score < MIN_SCORE) return { candidates: [], consumed, unknownDomains };
    const candidates = ranked.filter((c) => top.score - c.score < AMBIGUITY_MARGIN).slice(0, MAX_CHOICES);
    for (const candidate of candidates) for (let k = candidate.start; k < candidate.end; k += 1) consumed.add(k);
    return { candidates, consumed, unknownDomains };
  }

  private domainOwners(domain: string): number[] {
    // eu.acme.com is acme.com's: the nearest claimed parent, as ticket matching does.
    let current = domain;
    for (;;) {
      const owners = this.domains.get(current);
      if (owners) return owners;
      const dot = current.indexOf('.');
      if (dot < 0 || current.indexOf('.', dot + 1) < 0) return [];
      current = current.slice(dot + 1);
    }
  }

  /**
   * Tries every alias whose first word is near tokens[i], reading the rest of the alias from the
   * following words; reports each full match, and each prefix of a name of two or more words.
   */
  private matchFrom(
    tokens: readonly string[],
    i: number,
    roles: TokenRoles,
    introduced: number,
    report: (customer: number, match: Omit<AccountCandidate, 'customerId' | 'name'>) => void,
    fromDomain: boolean,
  ): void {
    const first = tokens[i];
    if (first === undefined) return;
    for (const near of this.fuzzyFirstWords.near(first)) {
      // A command word is a name only when it is the whole start of a longer, fully written name.
      const reservedStart = !fromDomain && roles.reserved[i] === true;
      if (reservedStart && near.distance > 0) continue;
      for (const aliasId of this.firstWords.get(near.word) ?? []) {
        const alias = this.aliases[aliasId]!;
        let typos = near.distance;
        let k = 1;
        let j = i + 1;
        for (; k < alias.tokens.length; k += 1) {
          while (j < tokens.length && NAME_FILLERS.has(tokens[j]!)) j += 1;
          const word = tokens[j];
          if (word === undefined) break;
          const expected = alias.tokens[k]!;
          const allowance = roles.reserved[j] ? 0 : typoAllowance(Math.min(word.length, expected.length));
          const distance = editDistance(word, expected, allowance);
          if (distance > allowance) break;
          typos += distance;
          j += 1;
        }
        const complete = k === alias.tokens.length;
        if (!complete && (alias.tokens.length < 2 || (alias.kind !== 'name' && alias.kind !== 'core'))) continue;
        if (reservedStart && (!complete || alias.tokens.length < 2)) continue;
        // Trailing legal suffixes belong to the name as written ("ACME inc").
        let end = j;
        let suffix = 0;
        if (complete && !fromDomain) {
          while (end < tokens.length && NAME_SUFFIXES.has(tokens[end]!)) end += 1;
          if (end > j) suffix = this.hasSuffix[alias.customer] ? SUFFIX_BONUS : 0.05;
        }
        const words = complete ? alias.weight : k;
        const score = words + (complete ? BONUS[alias.kind] : -PREFIX_PENALTY) + suffix + introduced - TYPO_PENALTY * typos;
        report(alias.customer, { score, start: i, end, how: complete ? alias.kind : 'prefix', typos });
      }
    }
  }
}
