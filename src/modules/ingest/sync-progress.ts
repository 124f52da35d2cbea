import type { SyncPhase, SyncState } from './sync.repo.ts';

export interface SyncProgress {
  state: SyncPhase;
  imported: number;
  total: number | null;
  ratePerSecond: number | null;
  etaSeconds: number | null;
  lastSyncedAt: string | null;
  error: string | null;
}

/**
 * What the connections API shows of a sync, for a progress bar: the import's count, its rate so
 * far and the time left at that rate (`total` is Zendesk's ticket count when the import started).
 */
export function syncProgress(state: SyncState | undefined, nowMs: number = Date.now()): SyncProgress {
  if (!state) return { state: 'importing', imported: 0, total: null, ratePerSecond: null, etaSeconds: null, lastSyncedAt: null, error: null };
  const total = state.total === null ? null : Math.max(state.total, state.imported);
  const started = state.importStartedAt?.getTime();
  const ended = state.importFinishedAt?.getTime() ?? nowMs;
  const seconds = started === undefined ? 0 : (ended - started) / 1000;
  const ratePerSecond = seconds > 0 && state.imported > 0 ? Math.round((state.imported / seconds) * 10) / 10 : null;
  let etaSeconds: number | null = null;
  if (state.importFinishedAt) etaSeconds = 0;
  else if (ratePerSecond && total !== null) etaSeconds = Math.ceil((total - state.imported) / ratePerSecond);
  return {
    state: state.phase,
    imported: state.imported,
    total,
    ratePerSecond,
    etaSeconds,
    lastSyncedAt: state.lastSyncedAt?.toISOString() ?? null,
    error: state.error,
  };
}

/**
 * Seconds since the connection last caught up with Zendesk's export; while it never has, since its
 * import started (or since it was connected). Null for a connection that is not active.
 */
export function syncLagSeconds(connection: { status: string; createdAt: Date }, state: SyncState | undefined, nowMs: number = Date.now()): number | null {
  if (connection.status !== 'active') return null;
  const since = state?.lastSyncedAt ?? state?.importStartedAt ?? connection.createdAt;
  return Math.max(0, (nowMs - since.getTime()) / 1000);
}
