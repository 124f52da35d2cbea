/**
 * Draining the ticket outbox: each entry's effects (alerts, customer refresh marks) are applied in
 * one transaction that also marks the entry done. A crash before that commit leaves the entry
 * pending, and the next drain (right after the next write, or the worker's sweep every few seconds
 * and at start) applies it again; every effect is idempotent (alerts have deduplication keys,
 * refresh marks are upserts), so nothing is lost and nothing doubles. A failing entry is retried
 * with a growing delay and does not hold up the entries behind it.
 */
import type { Db, Queryable } from '../../db/db.ts';
import type { Logger } from '../../lib/logger.ts';
import { claimOutboxEntry, markOutboxEntryDone, MalformedOutboxEntry, recordOutboxFailure, type TicketChange } from './ticket-outbox.repo.ts';

/** One consequence of a ticket change, applied in the drain's transaction. */
export type TicketChangeEffect = (tx: Queryable, change: TicketChange) => Promise<void>;

export interface TicketOutboxEffects {
  /** Applied in order, in the transaction that marks the entry done. */
  effects: TicketChangeEffect[];
  /** Called after a drain pass that applied at least one entry (e.g. wake the aggregates' recompute). */
  afterDrain?: () => Promise<void> | void;
}

/** The delay before a failed entry's next attempt: 2, 4, 8 ... seconds, at most 10 minutes. */
export function outboxRetryDelaySeconds(attempts: number): number {
  return Math.min(600, 2 ** Math.max(1, attempts));
}

export interface DrainResult {
  applied: number;
  failed: number;
}

/** Applies every due entry, one transaction each, until none is due. */
export async function drainTicketOutbox(deps: { db: Db; logger: Logger }, outbox: TicketOutboxEffects): Promise<DrainResult> {
  const result: DrainResult = { applied: 0, failed: 0 };
  for (;;) {
    let claimed: { id: number; attempts: number } | null = null;
    try {
      const applied = await deps.db.transaction(async (tx) => {
        let entry;
        try {
          entry = await claimOutboxEntry(tx);
        } catch (error) {
          if (error instanceof MalformedOutboxEntry) claimed = { id: error.entryId, attempts: 0 };
          throw error;
        }
        if (!entry) return false;
        claimed = { id: entry.id, attempts: entry.attempts };
        for (const effect of outbox.effects) await effect(tx, entry.change);
        await markOutboxEntryDone(tx, entry.id);
        return true;
      });
      if (!applied) break;
      result.applied += 1;
    } catch (error) {
      const failed = claimed as { id: number; attempts: number } | null;
      if (!failed) throw error; // not an entry's fault (the database is away): the caller retries later
      const message = error instanceof Error ? error.message : String(error);
      const delay = outboxRetryDelaySeconds(failed.attempts + 1);
      deps.logger.warn({ entryId: failed.id, attempts: failed.attempts + 1, retryInSeconds: delay, err: message }, 'a ticket outbox entry failed; it is retried later');
      await recordOutboxFailure(deps.db, failed.id, message, delay);
      result.failed += 1;
    }
  }
  if (result.applied > 0) await outbox.afterDrain?.();
  return result;
}

export interface TicketOutboxDrainer {
  /**
   * Drains the outbox and resolves once a pass that started after this call has finished; calls
   * while a pass runs share one trailing pass. Never rejects: a pass that cannot run is logged,
   * and the entries wait for the next wake or the sweep.
   */
  wake(): Promise<void>;
}

export function createTicketOutboxDrainer(deps: { db: Db; logger: Logger }, outbox: TicketOutboxEffects): TicketOutboxDrainer {
  let running: Promise<void> | null = null;
  let trailing: Promise<void> | null = null;
  const pass = async () => {
    try {
      await drainTicketOutbox(deps, outbox);
    } catch (error) {
      deps.logger.warn({ err: error }, 'the ticket outbox could not be drained this time; it is drained again on the next change or sweep');
    }
  };
  const wake = (): Promise<void> => {
    if (!running) {
      running = pass().finally(() => {
        running = null;
      });
      return running;
    }
    trailing ??= running.then(() => {
      trailing = null;
      return wake();
    });
    return trailing;
  };
  return { wake };
}
