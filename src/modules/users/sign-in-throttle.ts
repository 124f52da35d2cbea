/**
 * Sign-in throttling, kept in the database (table sign_in_throttle) so that every server process
 * counts the same failures:
 * - per account (the email as typed, compared as the sign-in lookup compares it, whether or not
 *   the account exists, so that the answers reveal nothing): after FREE_FAILURES failures, each
 *   further attempt must wait a delay that doubles (1, 2, 4 ... s, at most MAX_DELAY_MS) after the
 *   one before it; attempts within the delay are refused without checking the password, a right
 *   one included. A success clears the account's count; so do WINDOW_MS without attempts after
 *   the last delay ended.
 * - per client address (an IPv6 client's /64): at most ADDRESS_FAILURES failures per WINDOW_MS.
 * An attempt counts as a failure when it starts and is taken back when its password is right, so
 * that attempts sent in parallel cannot all pass before the first failure is recorded.
 */
import ipaddr from 'ipaddr.js';
import { z } from 'zod';
import type { Db } from '../../db/db.ts';
import { queryRows } from '../../db/rows.ts';

export const SIGN_IN_THROTTLE = {
  WINDOW_MS: 15 * 60_000,
  FREE_FAILURES: 5,
  FIRST_DELAY_MS: 1_000,
  MAX_DELAY_MS: 15 * 60_000,
  ADDRESS_FAILURES: 30,
} as const;

export type SignInVerdict = { allowed: true } | { allowed: false; scope: 'account' | 'address'; retryAfterSeconds: number };

export interface SignInAttempt {
  email: string;
  address: string;
}

const throttleRow = z.object({
  scope: z.enum(['account', 'address']),
  failures: z.number(),
  window_started_at: z.date(),
  last_failure_at: z.date(),
  locked_until: z.date().nullable(),
});

/** The address to count: IPv4 as is (also when mapped into IPv6), IPv6 by its /64 (what one client gets). */
export function addressSubject(address: string): string {
  if (!ipaddr.isValid(address)) return address;
  const parsed = ipaddr.process(address);
  if (parsed.kind() === 'ipv4') return parsed.toString();
  return `${ipaddr.IPv6.networkAddressFromCIDR(`${parsed.toNormalizedString()}/64`).toString()}/64`;
}

// The account's key, computed by the database with the lookup's own lower() (findUserForSignIn).
const ACCOUNT_SUBJECT = `encode(sha256(convert_to(lower($1::text), 'UTF8')), 'hex')`;

/** The delay after the `failures`-th failure of an account: none before FREE_FAILURES, then 1, 2, 4 ... s. */
export function accountDelayMs(failures: number): number {
  const { FREE_FAILURES, FIRST_DELAY_MS, MAX_DELAY_MS } = SIGN_IN_THROTTLE;
  if (failures < FREE_FAILURES) return 0;
  return Math.min(FIRST_DELAY_MS * 2 ** Math.min(failures - FREE_FAILURES, 30), MAX_DELAY_MS);
}

const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

/**
 * Starts an attempt: refused while the address is at its cap or the account waits out its delay;
 * otherwise counted (as a failure until signInSucceeded says otherwise).
 */
export async function beginSignInAttempt(db: Db, attempt: SignInAttempt, nowMs: number): Promise<SignInVerdict> {
  const { WINDOW_MS, ADDRESS_FAILURES } = SIGN_IN_THROTTLE;
  const now = new Date(nowMs);
  const address = addressSubject(attempt.address);
  await db.query(
    `DELETE FROM sign_in_throttle WHERE last_failure_at < $1 AND coalesce(locked_until, last_failure_at) < $1`,
    [new Date(nowMs - WINDOW_MS)],
  );
  return db.transaction(async (tx) => {
    // Both rows, created when missing and locked until the end of the transaction (in one order,
    // account then address, by every attempt); a no-op update so that a prune cannot remove them.
    const rows = await queryRows(
      tx,
      throttleRow,
      `INSERT INTO sign_in_throttle AS t (scope, subject, failures, window_started_at, last_failure_at)
       VALUES ('account', ${ACCOUNT_SUBJECT}, 0, $3, $3), ('address', $2, 0, $3, $3)
       ON CONFLICT (scope, subject) DO UPDATE SET failures = t.failures
       RETURNING t.scope, t.failures, t.window_started_at, t.last_failure_at, t.locked_until`,
      [attempt.email, address, now],
    );
    const account = rows.find((row) => row.scope === 'account');
    const byAddress = rows.find((row) => row.scope === 'address');
    if (!account || !byAddress) throw new Error('sign-in throttle rows are missing');

    const addressWindowEnds = byAddress.window_started_at.getTime() + WINDOW_MS;
    const addressFailures = nowMs >= addressWindowEnds ? 0 : byAddress.failures;
    if (addressFailures >= ADDRESS_FAILURES) return { allowed: false, scope: 'address', retryAfterSeconds: seconds(addressWindowEnds - nowMs) };

    const lockedUntil = account.locked_until?.getTime() ?? 0;
    if (lockedUntil > nowMs) return { allowed: false, scope: 'account', retryAfterSeconds: seconds(lockedUntil - nowMs) };
    const quietSince = Math.max(account.last_failure_at.getTime(), lockedUntil);
    const accountFailures = (nowMs - quietSince >= WINDOW_MS ? 0 : account.failures) + 1;
    const delay = accountDelayMs(accountFailures);

    await tx.query(
      `UPDATE sign_in_throttle SET failures = $2, last_failure_at = $3, locked_until = $4,
              window_started_at = CASE WHEN $2 = 1 THEN $3 ELSE window_started_at END
        WHERE scope = 'account' AND subject = ${ACCOUNT_SUBJECT}`,
      [attempt.email, accountFailures, now, delay > 0 ? new Date(nowMs + delay) : null],
    );
    await tx.query(
      `UPDATE sign_in_throttle SET failures = $2, last_failure_at = $3,
              window_started_at = CASE WHEN $2 = 1 THEN $3 ELSE window_started_at END
        WHERE scope = 'address' AND subject = $1`,
      [address, addressFailures + 1, now],
    );
    return { allowed: true };
  });
}

/** The attempt's password was right: the account's count is cleared, the address's failure taken back. */
export async function signInSucceeded(db: Db, attempt: SignInAttempt): Promise<void> {
  await db.query(
    `WITH cleared AS (DELETE FROM sign_in_throttle WHERE scope = 'account' AND subject = ${ACCOUNT_SUBJECT})
     UPDATE sign_in_throttle SET failures = greatest(failures - 1, 0) WHERE scope = 'address' AND subject = $2`,
    [attempt.email, addressSubject(attempt.address)],
  );
}
