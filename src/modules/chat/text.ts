/**
 * Text helpers of the chat parser: normalization into tokens, and a bounded Damerau-Levenshtein
 * distance (optimal string alignment: insertions, deletions, substitutions and transpositions of
 * two neighbours, each 1) used for typo tolerance on words and account names.
 */

/** Lower case, accents removed, punctuation to spaces; a domain-like word (acme.com) stays one token. */
export function tokenize(text: string): string[] {
  const lower = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[’‘`]/g, "'");
  const tokens: string[] = [];
  for (const raw of lower.split(/[^a-z0-9.'&@-]+/)) {
    if (raw === '') continue;
    // An email address names its domain; a URL's host was split off at ':' and '/'.
    const word = raw.includes('@') ? raw.slice(raw.lastIndexOf('@') + 1) : raw;
    const trimmed = word.replace(/^[.'&-]+|[.'&-]+$/g, '');
    if (trimmed === '') continue;
    if (isDomainLike(trimmed)) {
      tokens.push(trimmed.replace(/^www\./, ''));
      continue;
    }
    // "what's" -> "what", "acme's" -> "acme"; "o'brien" -> "obrien"; "at&t" -> "at&t" -> "att".
    const word2 = trimmed.replace(/'s$/, '').replace(/['&]/g, '');
    for (const part of word2.split(/[.-]+/)) if (part !== '') tokens.push(part);
  }
  return tokens;
}

const DOMAIN = /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}$/;

export function isDomainLike(word: string): boolean {
  return DOMAIN.test(word);
}

// Rows reused across calls (the parser is synchronous): no allocation per comparison.
let rowA = new Int32Array(64);
let rowB = new Int32Array(64);
let rowC = new Int32Array(64);

/**
 * Damerau-Levenshtein distance (optimal string alignment) between a and b, or `max + 1` as soon as
 * it is certain to exceed `max` (the row minimum only grows), so that most comparisons stop early.
 */
export function editDistance(a: string, b: string, max: number): number {
  if (a === b) return 0;
  const la = a.length;
  const lb = b.length;
  if (Math.abs(la - lb) > max) return max + 1;
  if (la === 0 || lb === 0) return Math.max(la, lb);
  if (lb + 1 > rowA.length) {
    rowA = new Int32Array(lb + 1);
    rowB = new Int32Array(lb + 1);
    rowC = new Int32Array(lb + 1);
  }
  // Three rows: two back (for transpositions), previous, current.
  let prev2 = rowA;
  let prev = rowB;
  let cur = rowC;
  for (let j = 0; j <= lb; j += 1) prev[j] = j;
  for (let i = 1; i <= la; i += 1) {
    cur[0] = i;
    let rowMin = i;
    const ca = a.charCodeAt(i - 1);
    const caBefore = i > 1 ? a.charCodeAt(i - 2) : -1;
    for (let j = 1; j <= lb; j += 1) {
      const cb = b.charCodeAt(j - 1);
      let d = prev[j - 1]! + (ca === cb ? 0 : 1);
      const del = prev[j]! + 1;
      if (del < d) d = del;
      const ins = cur[j - 1]! + 1;
      if (ins < d) d = ins;
      if (j > 1 && ca === b.charCodeAt(j - 2) && caBefore === cb) {
        const tr = prev2[j - 2]! + 1;
        if (tr < d) d = tr;
      }
      cur[j] = d;
      if (d < rowMin) rowMin = d;
    }
    if (rowMin > max) return max + 1;
    const spare = prev2;
    prev2 = prev;
    prev = cur;
    cur = spare;
  }
  const result = prev[lb]!;
  return result > max ? max + 1 : result;
}

/** How many typos a word of this length may carry and still be recognized: none under 4 letters. */
export function typoAllowance(length: number): number {
  if (length < 4) return 0;
  if (length < 8) return 1;
  return 2;
}

/** Every string made by deleting one character (the word itself excluded). */
export function deletions(word: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < word.length; i += 1) out.push(word.slice(0, i) + word.slice(i + 1));
  return out;
}

/**
 * A set of words that finds, for a word with typos, the words within its allowance, with a few map
 * lookups (symmetric deletion: a word and its one-letter deletions meet those of every word within
 * one edit, and of some within two), each candidate then checked with editDistance. Words after the
 * first of a name are compared directly, with the full allowance.
 */
export class FuzzyWords {
  private readonly words = new Set<string>();
  /** Deletion -> the word, or the words when several share it (most have one: no array for them). */
  private readonly byDeletion = new Map<string, string | string[]>();

  add(word: string): void {
    if (this.words.has(word)) return;
    this.words.add(word);
    if (typoAllowance(word.length) === 0) return;
    for (let i = 0; i < word.length; i += 1) {
      const deleted = word.slice(0, i) + word.slice(i + 1);
      const entry = this.byDeletion.get(deleted);
      if (entry === undefined) this.byDeletion.set(deleted, word);
      else if (typeof entry === 'string') {
        if (entry !== word) this.byDeletion.set(deleted, [entry, word]);
      } else if (!entry.includes(word)) entry.push(word);
    }
  }

  has(word: string): boolean {
    return this.words.has(word);
  }

  get size(): number {
    return this.words.size;
  }

  /** The words within the typo allowance of `word` (by the shorter length), with their distance. */
  near(word: string): Array<{ word: string; distance: number }> {
    const out = new Map<string, number>();
    if (this.words.has(word)) out.set(word, 0);
    if (word.length < 3) return [...out].map(([w, distance]) => ({ word: w, distance }));
    const consider = (candidate: string) => {
      if (out.has(candidate)) return;
      const allowance = typoAllowance(Math.min(word.length, candidate.length));
      if (allowance === 0) return;
      const distance = editDistance(word, candidate, allowance);
      if (distance <= allowance) out.set(candidate, distance);
    };
    const considerEntry = (entry: string | string[] | undefined) => {
      if (entry === undefined) return;
      if (typeof entry === 'string') consider(entry);
      else for (const candidate of entry) consider(candidate);
    };
    considerEntry(this.byDeletion.get(word));
    for (let i = 0; i < word.length; i += 1) {
      const probe = word.slice(0, i) + word.slice(i + 1);
      if (this.words.has(probe)) consider(probe);
      considerEntry(this.byDeletion.get(probe));
    }
    return [...out].map(([w, distance]) => ({ word: w, distance }));
  }

  /** The nearest word within the allowance (ties: the first found, deterministic), or null. */
  nearest(word: string): { word: string; distance: number } | null {
    let best: { word: string; distance: number } | null = null;
    for (const candidate of this.near(word)) if (!best || candidate.distance < best.distance) best = candidate;
    return best;
  }
}
