/**
 * The link in an alert's email (and Slack message) that acknowledges it without signing in. The
 * token is the alert, the recipient and an expiry, sealed (AES-256-GCM, lib/secret-box.ts) with
 * the installation's key: it cannot be forged or altered, and says nothing readable. Opening the
 * link shows a page (a read, which changes nothing); its button posts the token, which
 * acknowledges the alert as that recipient, so awareness counts it like an acknowledgement in the app.
 */
import type { Deps } from '../../deps.ts';
import { AppError } from '../../lib/errors.ts';

const CONTEXT = 'alert_acknowledge_link';
/** How long a link works: long enough for a holiday inbox, short enough that an old mail is harmless. */
export const LINK_DAYS = 14;

export function acknowledgeToken(deps: Pick<Deps, 'secrets'>, alertId: string, userId: string, now: Date = new Date()): string {
  const expires = now.getTime() + LINK_DAYS * 86_400_000;
  return deps.secrets.seal(JSON.stringify({ a: alertId, u: userId, e: expires }), CONTEXT);
}

/** The alert and user a token names; a token that is not ours, altered or expired is refused with a reason a person can act on. */
export function openAcknowledgeToken(deps: Pick<Deps, 'secrets'>, token: string, now: Date = new Date()): { alertId: string; userId: string } {
  let claims: { a?: unknown; u?: unknown; e?: unknown };
  try {
    claims = JSON.parse(deps.secrets.open(token, CONTEXT)) as typeof claims;
  } catch {
    throw new AppError('validation_failed', 'token: this link is not valid (it may have been cut short when copied); open the alert in CSCX instead', [
      { field: 'token', message: 'is not a valid acknowledgement link' },
    ]);
  }
  if (typeof claims.a !== 'string' || typeof claims.u !== 'string' || typeof claims.e !== 'number') {
    throw new AppError('validation_failed', 'token: this link is not valid; open the alert in CSCX instead', [{ field: 'token', message: 'is not a valid acknowledgement link' }]);
  }
  if (claims.e < now.getTime()) {
    throw new AppError('validation_failed', `token: this link expired (links work for ${LINK_DAYS} days); open the alert in CSCX instead`, [
      { field: 'token', message: 'has expired' },
    ]);
  }
  return { alertId: claims.a, userId: claims.u };
}
