import { describe, expect, it } from 'vitest';
import { domainLabel, similarity, suggestCustomers } from './suggestions.ts';

describe('fuzzy suggestions', () => {
  const customers = [
    { id: 'a', name: 'Acme Corporation', domains: ['acme.com'] },
    { id: 'g', name: 'Globex', domains: ['globex.io'] },
    { id: 'i', name: 'Initech LLC', domains: [] },
  ];

  it('scores equal names 1, unrelated names low, and ignores company suffixes', () => {
    expect(similarity('Acme Inc', 'ACME Corporation')).toBe(1);
    expect(similarity('Acme', 'Globex')).toBeLessThan(0.2);
    expect(similarity('Initech', 'Initek')).toBeGreaterThan(0.5);
  });

  it('suggests by organization name, by domain label and by domain, best first', () => {
    expect(suggestCustomers({ name: 'ACME Inc.', domains: [] }, customers)[0]).toEqual({ customerId: 'a', name: 'Acme Corporation', score: 1 });
    expect(suggestCustomers({ name: null, domains: ['eu.acme.com'] }, customers)[0]?.customerId).toBe('a');
    expect(suggestCustomers({ name: 'Initek', domains: [] }, customers).map((s) => s.customerId)).toEqual(['i']);
    expect(suggestCustomers({ name: 'Umbrella', domains: ['umbrella.org'] }, customers)).toEqual([]);
  });

  it('reads domain labels', () => {
    expect(domainLabel('eu.acme.com')).toBe('acme');
    expect(domainLabel('acme.com')).toBe('acme');
  });
});
