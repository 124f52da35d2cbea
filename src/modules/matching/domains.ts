/** Domain names as customers and mappings give them: lower case, no scheme, no www, no trailing dot. */
const DOMAIN = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

export function normalizeDomain(input: string): string | null {
  let text = input.trim().toLowerCase();
  if (text.startsWith('@')) text = text.slice(1);
  if (text.startsWith('www.')) text = text.slice(4);
  text = text.replace(/\.$/, '');
  return DOMAIN.test(text) ? text : null;
}
