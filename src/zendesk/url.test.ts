import { describe, expect, it } from 'vitest';
import { normalizeSubdomain, zendeskBaseUrl } from './url.ts';

describe('normalizeSubdomain', () => {
  it.each([
    ['acme', 'acme'],
    ['ACME', 'acme'],
    [' acme.zendesk.com ', 'acme'],
    ['https://acme.zendesk.com/', 'acme'],
    ['https://acme.zendesk.com/agent/tickets/12', 'acme'],
    ['acme-eu', 'acme-eu'],
  ])('reads %j as %j', (input, expected) => {
    expect(normalizeSubdomain(input)).toBe(expected);
  });

  it.each(['', 'acme.example.com', 'https://evil.com/acme', 'ac me', '-acme', 'acme-', 'a.b.zendesk.com', 'acme_1', 'https://'])('refuses %j', (input) => {
    expect(normalizeSubdomain(input)).toBeNull();
  });
});

describe('zendeskBaseUrl', () => {
  it('fills the template', () => {
    expect(zendeskBaseUrl('https://{subdomain}.zendesk.com', 'acme')).toBe('https://acme.zendesk.com');
    expect(zendeskBaseUrl('http://127.0.0.1:4010/{subdomain}/', 'globex')).toBe('http://127.0.0.1:4010/globex');
  });
});
