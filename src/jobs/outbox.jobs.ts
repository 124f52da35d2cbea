/**
 * The ticket outbox's safety net in every worker: a drain at start (entries left by a process that
 * died between a ticket's commit and its consequences) and every few seconds (entries whose retry
 * came due, or written by a process with no drainer), plus the daily pruning of done entries. The
 * fast path is the drain right after each write (sync.service.ts); this only bounds how long an
 * entry can wait when that path did not run.
 */
import type { Deps } from '../deps.ts';
import { pruneOutbox } from '../modules/ingest/ticket-outbox.repo.ts';
import type { TicketOutboxDrainer } from '../modules/ingest/ticket-outbox.ts';

const SWEEP_INTERVAL_MS = 5_000;
const PRUNE_INTERVAL_MS = 3_600_000;
/** Done entries are kept this long for inspection. */
const KEEP_DONE_SECONDS = 86_400;

export function startOutboxSweeper(deps: Pick<Deps, 'db' | 'logger'>, drainer: TicketOutboxDrainer, options: { intervalMs?: number } = {}): { stop(): void } {
  const sweep = setInterval(() => void drainer.wake(), options.intervalMs ?? SWEEP_INTERVAL_MS);
  sweep.unref();
  const prune = async () => {
    try {
      const pruned = await pruneOutbox(deps.db, KEEP_DONE_SECONDS);
      if (pruned > 0) deps.logger.debug({ pruned }, 'done ticket outbox entries pruned');
    } catch (error) {
      deps.logger.warn({ err: error }, 'could not prune the ticket outbox this time');
    }
  };
  const pruning = setInterval(() => void prune(), PRUNE_INTERVAL_MS);
  pruning.unref();
  void drainer.wake();
  return {
    stop: () => {
      clearInterval(sweep);
      clearInterval(pruning);
    },
  };
}
