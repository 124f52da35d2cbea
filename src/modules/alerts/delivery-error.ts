/**
 * The reason a delivery failed, as stored and shown: an address in it (a webhook URL carries its
 * secret in the path, an SMTP URL its password) is cut to its scheme and host, so that the reason
 * can be shown to its owner and to admins without handing out the credential.
 */
const ADDRESS = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]+/gi;

export function redactDeliveryError(text: string): string {
  return text.replace(ADDRESS, (match) => {
    try {
      const url = new URL(match);
      const more = (url.pathname !== '' && url.pathname !== '/') || url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '';
      return url.host === '' ? `${url.protocol}//…` : `${url.protocol}//${url.host}${more ? '/…' : ''}`;
    } catch {
      return `${match.slice(0, match.indexOf('://'))}://…`;
    }
  });
}
