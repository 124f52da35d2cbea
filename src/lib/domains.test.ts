import { describe, expect, it } from 'vitest';
import { normalizeDomain } from './domains.ts';

describe('normalizeDomain', () => {
  it('lower-cases and strips a leading @ or www. and a trailing dot', () => {
    const cases: Array<[string, string]> = [
      ['acme.com', 'acme.com'],
      ['  ACME.Com ', 'acme.com'],
      ['@acme.com', 'acme.com'],
      ['www.acme.com', 'acme.com'],
      ['WWW.Acme.COM.', 'acme.com'],
      ['eu.acme.co.uk', 'eu.acme.co.uk'],
      ['my-co.io', 'my-co.io'],
      ['xn--mnchen-3ya.de', 'xn--mnchen-3ya.de'],
      ['shop.xn--p1ai', 'shop.xn--p1ai'],
      // www.com is a domain of its own, not "com"
      ['www.com', 'www.com'],
    ];
    for (const [input, expected] of cases) expect(normalizeDomain(input), input).toEqual({ ok: true, domain: expected });
  });

  it('refuses URLs, emails and other non-domains, naming the value', () => {
    for (const input of ['http://x', 'https://acme.com/', 'acme.com/path', 'jane@acme.com', 'acme', 'acme.c', '-acme.com', 'acme-.com', 'ac me.com', 'acme..com', '', 'acme.com:8080', 'münchen.de', `${'a'.repeat(64)}.com`, 'acme.123']) {
      expect(normalizeDomain(input), input).toEqual({ ok: false, message: `${JSON.stringify(input)} is not a domain name` });
    }
    expect(normalizeDomain('http://x')).toEqual({ ok: false, message: '"http://x" is not a domain name' });
  });
});
