/**
 * Inputs that are not a Zendesk subdomain, each a way to reach another host or path if it were
 * "repaired" into one: the parser, the API and the CLI tests all refuse these.
 */
export const NOT_SUBDOMAINS: readonly string[] = [
  'acme/../../etc',
  'acme.zendesk.com@evil.example',
  'a..b',
  '127.0.0.1',
  'localhost:5432',
  'acme?x=1',
  'acme#x',
  'ac me',
  '',
  '-acme',
  'acme-',
  'a'.repeat(64),
  'https://acme.zendesk.com/agent/tickets/1',
  'https://acme.evil.com',
  'acme.zendesk.com',
];
