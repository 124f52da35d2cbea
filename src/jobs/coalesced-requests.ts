/**
 * Coalesces "please run this" requests per key within this process. A burst of webhook
 * deliveries (hundreds a second) each asks for the same connection's processing job: sending
 * each request costs a database round trip, while one waiting job serves them all. While one
 * send for a key is in flight, the requests that arrive meanwhile share one more send that starts
 * when it settles (and no sooner than `minIntervalMs` after the previous one started); so a send
 * always starts after the last request, and a job waits after it (what the singleton key
 * guarantees for each single send).
 */
import { setTimeout as sleep } from 'node:timers/promises';

type Send = () => Promise<void>;

interface Slot {
  running: Promise<void>;
  /** Settles once `running` has settled and the spacing since its start has passed. */
  free: Promise<void>;
  queued: Promise<void> | null;
}

const ignore = () => {};

export function coalescedRequests(minIntervalMs = 0): (key: string, send: Send) => Promise<void> {
  const slots = new Map<string, Slot>();
  const run = (key: string, send: Send): Promise<void> => {
    const startedAt = Date.now();
    const running = send();
    const free = running.then(ignore, ignore).then(async () => {
      const wait = startedAt + minIntervalMs - Date.now();
      if (wait > 0) await sleep(wait);
    });
    const slot: Slot = { running, free, queued: null };
    slots.set(key, slot);
    // Kept until free (a request meanwhile queues behind it), then forgotten if nobody queued; a
    // queued send takes the key over.
    void free.then(() => {
      if (slots.get(key) === slot && slot.queued === null) slots.delete(key);
    });
    return running;
  };

  return (key, send) => {
    const slot = slots.get(key);
    if (!slot) return run(key, send);
    slot.queued ??= slot.free.then(() => run(key, send));
    return slot.queued;
  };
}
