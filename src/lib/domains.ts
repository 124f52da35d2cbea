/**
 * A customer's domains as matching uses them: lower case, no leading `@` or `www.`, no trailing
 * dot. URLs and email addresses are refused rather than guessed at: `https://acme.com/x` could be
 * meant as acme.com, but a CRM field holding URLs is better fixed at the source than half-parsed.
 */
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
// A top-level domain: letters, or an internationalised one in its ASCII (punycode) form.
const TLD = /^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;

function isDomainName(text: string): boolean {
  if (text.length > 253) return false;
  const labels = text.split('.');
  const tld = labels.at(-1) ?? '';
  return labels.length >= 2 && labels.every((label) => LABEL.test(label)) && TLD.test(tld);
}

export type DomainResult = { ok: true; domain: string } | { ok: false; message: string };

export function normalizeDomain(input: string): DomainResult {
  let text = input.trim().toLowerCase();
  if (text.startsWith('@')) text = text.slice(1);
  if (text.endsWith('.')) text = text.slice(0, -1);
  // www.com is a domain of its own; www.acme.com is acme.com.
  if (text.startsWith('www.') && isDomainName(text.slice(4))) text = text.slice(4);
  return isDomainName(text) ? { ok: true, domain: text } : { ok: false, message: `${JSON.stringify(input)} is not a domain name` };
}
