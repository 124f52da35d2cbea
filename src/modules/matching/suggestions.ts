/**
 * Suggested customers for an unmatched group (a Zendesk organization or a requester domain), by
 * fuzzy similarity of names and domains: Dice's coefficient over character bigrams of the
 * normalized text (robust to word order, suffixes like "Inc" and small typos), best of name-to-name,
 * name-to-domain-label and domain-to-domain.
 */
const NOISE = /\b(inc|llc|ltd|gmbh|corp|corporation|company|co|plc|sa|ag|bv|group|the)\b/g;

function normalize(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9 ]+/g, ' ').replace(NOISE, ' ').replace(/\s+/g, ' ').trim();
}

/** The registrable label of a domain: acme for eu.acme.co.uk is beyond us; acme for acme.com, eu.acme.com. */
export function domainLabel(domain: string): string {
  const parts = domain.toLowerCase().split('.');
  return parts.length >= 2 ? (parts[parts.length - 2] ?? '') : (parts[0] ?? '');
}

function bigrams(text: string): Map<string, number> {
  const grams = new Map<string, number>();
  const padded = ` ${text} `;
  for (let i = 0; i < padded.length - 1; i += 1) {
    const gram = padded.slice(i, i + 2);
    grams.set(gram, (grams.get(gram) ?? 0) + 1);
  }
  return grams;
}

export function similarity(a: string, b: string): number {
  const x = normalize(a);
  const y = normalize(b);
  if (!x || !y) return 0;
  if (x === y) return 1;
  const gx = bigrams(x);
  const gy = bigrams(y);
  let overlap = 0;
  let total = 0;
  for (const [gram, count] of gx) {
    overlap += Math.min(count, gy.get(gram) ?? 0);
    total += count;
  }
  for (const count of gy.values()) total += count;
  return total === 0 ? 0 : (2 * overlap) / total;
}

export interface CustomerForSuggestion {
  id: string;
  name: string;
  domains: string[];
}

export interface Suggestion {
  customerId: string;
  name: string;
  score: number;
}

/** The best few customers for a group named `name` with these domains; scores 0..1, at least 0.4. */
export function suggestCustomers(group: { name?: string | null; domains: string[] }, customers: CustomerForSuggestion[], limit = 3): Suggestion[] {
  const scored = customers.map((customer) => {
    let score = 0;
    if (group.name) {
      score = Math.max(score, similarity(group.name, customer.name));
      for (const domain of customer.domains) score = Math.max(score, similarity(group.name, domainLabel(domain)));
    }
    for (const domain of group.domains) {
      score = Math.max(score, similarity(domainLabel(domain), customer.name));
      for (const own of customer.domains) {
        if (domain === own || domain.endsWith(`.${own}`)) score = Math.max(score, 1);
        else score = Math.max(score, similarity(domainLabel(domain), domainLabel(own)));
      }
    }
    return { customerId: customer.id, name: customer.name, score: Math.round(score * 100) / 100 };
  });
  return scored
    .filter((s) => s.score >= 0.4)
    .sort((a, b) => b.score - a.score || a.name.localeCompare(b.name))
    .slice(0, limit);
}
