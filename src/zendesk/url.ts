/** Zendesk's address for a subdomain, from ZENDESK_URL_TEMPLATE (https://{subdomain}.zendesk.com). */
export function zendeskBaseUrl(template: string, subdomain: string): string {
  return template.replace('{subdomain}', encodeURIComponent(subdomain)).replace(/\/+$/, '');
}

const SUBDOMAIN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * Accepts what an admin may paste (`acme`, `ACME`, `acme.zendesk.com`, `https://acme.zendesk.com/`,
 * `https://acme.zendesk.com/agent/tickets/1`) and answers the subdomain, or null when the input is
 * not a Zendesk subdomain (another domain, a host with dots, spaces, ...).
 */
export function normalizeSubdomain(input: string): string | null {
  let text = input.trim().toLowerCase();
  if (/^https?:\/\//.test(text)) {
    try {
      text = new URL(text).hostname;
    } catch {
      return null;
    }
  } else {
    text = text.replace(/\/.*$/, '');
  }
  if (text.endsWith('.zendesk.com')) text = text.slice(0, -'.zendesk.com'.length);
  return SUBDOMAIN.test(text) ? text : null;
}
