/**
 * The customer name index, kept in memory per process and per database: rebuilt only when the
 * customers changed (their count or latest updated_at, one cheap aggregate), checked at most every
 * `maxAgeMs`. A rebuild of 5,000 customers takes a few tens of milliseconds and happens once per
 * change, not per message; concurrent callers share one refresh.
 */
import type { Queryable } from '../../db/db.ts';
import { AccountIndex } from './account-index.ts';
import { selectCustomersVersion, selectIndexedCustomers } from './chat.repo.ts';

export const INDEX_MAX_AGE_MS = 2_000;

interface CacheEntry {
  index: AccountIndex;
  version: string;
  checkedAt: number;
  refreshing: Promise<AccountIndex> | null;
}

const caches = new WeakMap<Queryable, CacheEntry>();

async function refresh(db: Queryable, entry: CacheEntry | undefined, now: number): Promise<AccountIndex> {
  const version = await selectCustomersVersion(db);
  if (entry && entry.version === version) {
    entry.checkedAt = now;
    return entry.index;
  }
  const index = new AccountIndex(await selectIndexedCustomers(db));
  const fresh: CacheEntry = { index, version, checkedAt: now, refreshing: null };
  caches.set(db, fresh);
  return index;
}

/** The index of `db`'s customers, at most `maxAgeMs` behind them. */
export async function accountIndexFor(db: Queryable, options: { maxAgeMs?: number; now?: number } = {}): Promise<AccountIndex> {
  const now = options.now ?? Date.now();
  const maxAge = options.maxAgeMs ?? INDEX_MAX_AGE_MS;
  const entry = caches.get(db);
  if (entry && now - entry.checkedAt < maxAge) return entry.index;
  if (entry?.refreshing) return entry.refreshing;
  const refreshing = refresh(db, entry, now);
  if (entry) entry.refreshing = refreshing;
  try {
    return await refreshing;
  } finally {
    if (entry) entry.refreshing = null;
  }
}
