import { describe, expect, it } from 'vitest';
import { NOT_SUBDOMAINS } from './url.examples.ts';
import { parseSubdomain, subdomainRefusal, zendeskBaseUrl } from './url.ts';

const EMULATOR = 'http://127.0.0.1:4010/{subdomain}';

const REFUSED = [
  ...NOT_SUBDOMAINS,
  '   ',
  'acme_1',
  'acme.example.com',
  'https://acme.zendesk.com//',
  'https://acme.zendesk.com?x=1',
  'https://acme.zendesk.com#x',
  'https://acme.zendesk.com:8443',
  'https://admin:pw@acme.zendesk.com',
  'https://acme.zendesk.com@evil.example',
  'https://acme.zendesk.com.evil.example',
  'https://evil.com/acme',
  'https://a.b.zendesk.com',
  'https://-acme.zendesk.com',
  'ftp://acme.zendesk.com',
  'https://',
  'http://127.0.0.1:4010/acme/tickets',
  'http://127.0.0.1:4010/acme?x=1',
];

describe('parseSubdomain', () => {
  it.each([
    ['acme', 'acme'],
    ['ACME', 'acme'],
    [' acme ', 'acme'],
    ['acme-eu', 'acme-eu'],
    ['a', 'a'],
    ['1', '1'],
    ['a'.repeat(63), 'a'.repeat(63)],
    ['https://acme.zendesk.com', 'acme'],
    ['https://acme.zendesk.com/', 'acme'],
    ['HTTPS://ACME.Zendesk.COM/', 'acme'],
  ])('reads %j as %j', (input, expected) => {
    expect(parseSubdomain(input)).toBe(expected);
    expect(parseSubdomain(input, EMULATOR)).toBe(expected);
  });

  it("reads the account URL that the configured template gives, and only that one's", () => {
    expect(parseSubdomain('http://127.0.0.1:4010/acme', EMULATOR)).toBe('acme');
    expect(parseSubdomain('HTTP://127.0.0.1:4010/Globex/', EMULATOR)).toBe('globex');
    expect(parseSubdomain('http://127.0.0.1:4010/acme')).toBeNull();
    expect(parseSubdomain('http://127.0.0.1:4011/acme', EMULATOR)).toBeNull();
    expect(parseSubdomain('http://127.0.0.1:4010/-acme', EMULATOR)).toBeNull();
    expect(parseSubdomain('http://127.0.0.1:4010/acme', `${EMULATOR}/`)).toBe('acme');
  });

  it.each(REFUSED)('refuses %j', (input) => {
    expect(parseSubdomain(input)).toBeNull();
    expect(parseSubdomain(input, EMULATOR)).toBeNull();
  });
});

describe('subdomainRefusal', () => {
  it('names the input and the accepted forms, the configured one included', () => {
    expect(subdomainRefusal('acme/../../etc')).toBe('"acme/../../etc" is not a Zendesk subdomain: give the subdomain alone (acme) or the account\'s URL (https://acme.zendesk.com)');
    expect(subdomainRefusal('a..b', EMULATOR)).toBe(
      '"a..b" is not a Zendesk subdomain: give the subdomain alone (acme) or the account\'s URL (https://acme.zendesk.com or http://127.0.0.1:4010/acme)',
    );
    expect(subdomainRefusal(' ')).toBe("the Zendesk subdomain is missing: give the subdomain alone (acme) or the account's URL (https://acme.zendesk.com)");
    expect(subdomainRefusal('x'.repeat(200))).toHaveLength('"'.length + 80 + '…" is not a Zendesk subdomain: '.length + "give the subdomain alone (acme) or the account's URL (https://acme.zendesk.com)".length);
  });
});

describe('zendeskBaseUrl', () => {
  it('fills the template', () => {
    expect(zendeskBaseUrl('https://{subdomain}.zendesk.com', 'acme')).toBe('https://acme.zendesk.com');
    expect(zendeskBaseUrl('http://127.0.0.1:4010/{subdomain}/', 'globex')).toBe('http://127.0.0.1:4010/globex');
  });
});
