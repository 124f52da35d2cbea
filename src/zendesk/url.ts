/** Zendesk's own address pattern; ZENDESK_URL_TEMPLATE defaults to it. */
export const ZENDESK_URL_PATTERN = 'https://{subdomain}.zendesk.com';

/** Zendesk's address for a subdomain, from ZENDESK_URL_TEMPLATE (https://{subdomain}.zendesk.com). */
export function zendeskBaseUrl(template: string, subdomain: string): string {
  return template.replace('{subdomain}', encodeURIComponent(subdomain)).replace(/\/+$/, '');
}

/** A DNS label: letters, digits and hyphens, 1 to 63 characters, no hyphen first or last. */
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The whole account URL that a template gives, with an optional trailing slash, capturing the label. */
function accountUrlPattern(template: string): RegExp {
  const [before = '', ...after] = template.toLowerCase().replace(/\/+$/, '').split('{subdomain}');
  return new RegExp(`^${escapeRegExp(before)}([a-z0-9-]{1,63})${escapeRegExp(after.join('{subdomain}'))}/?$`);
}

/**
 * Reads the subdomain an admin gave, refusing (null) anything else; nothing is repaired. Accepted,
 * in any letter case (the answer is lower case), with surrounding blanks ignored:
 * - the label alone: `acme`;
 * - the account's URL: `https://acme.zendesk.com`, optionally with a trailing `/`;
 * - the account's URL that `template` (ZENDESK_URL_TEMPLATE) gives, e.g. `http://127.0.0.1:4010/acme`
 *   for the emulator's `http://127.0.0.1:4010/{subdomain}`.
 * Refused: a host without its scheme (`acme.zendesk.com`: the two forms above are what Zendesk shows
 * and what can be read without guessing), a URL with a path, query, fragment, port or credentials
 * (`https://acme.zendesk.com/agent/tickets/1` is a page, not the account), another domain, and any
 * label that is not a DNS label.
 */
export function parseSubdomain(input: string, template: string = ZENDESK_URL_PATTERN): string | null {
  const text = input.trim().toLowerCase();
  if (LABEL.test(text)) return text;
  if (!/^https?:\/\//.test(text)) return null;
  for (const pattern of new Set([ZENDESK_URL_PATTERN, template])) {
    const label = accountUrlPattern(pattern).exec(text)?.[1];
    if (label !== undefined && LABEL.test(label)) return label;
  }
  return null;
}

/** The accepted forms, for messages: `acme`, `https://acme.zendesk.com` (and the template's URL when it differs). */
export function subdomainForms(template: string = ZENDESK_URL_PATTERN): string {
  const configured = zendeskBaseUrl(template.toLowerCase(), 'acme');
  const zendesk = zendeskBaseUrl(ZENDESK_URL_PATTERN, 'acme');
  return `give the subdomain alone (acme) or the account's URL (${zendesk}${configured === zendesk ? '' : ` or ${configured}`})`;
}

/** Why an input is not a subdomain, naming the accepted forms. */
export function subdomainRefusal(input: string, template: string = ZENDESK_URL_PATTERN): string {
  const text = input.trim();
  if (text === '') return `the Zendesk subdomain is missing: ${subdomainForms(template)}`;
  const shown = text.length > 80 ? `${text.slice(0, 80)}…` : text;
  return `"${shown}" is not a Zendesk subdomain: ${subdomainForms(template)}`;
}
