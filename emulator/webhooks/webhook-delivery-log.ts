/**
 * The delivery log behind `GET /_emulator/webhook-deliveries`: one entry per attempt (and per
 * dropped or held-back delivery), without secrets, headers or bodies.
 */

export type DeliverySource =
  | { kind: 'event'; event_type: string; event_id: string }
  | { kind: 'trigger'; trigger_id: number; trigger_title: string }
  | { kind: 'test' };

export type DeliveryStatus = 'success' | 'failed' | 'timeout' | 'network_error' | 'aborted' | 'dropped';

export interface DeliveryLogEntry {
  seq: number;
  at: string;
  subdomain: string;
  webhook_id: string;
  invocation_id: string;
  source: DeliverySource;
  method: string;
  endpoint: string;
  attempt: number;
  status: DeliveryStatus;
  status_code: number | null;
  error: string | null;
  /** This invocation is the emulator's injected duplicate of another. */
  duplicate: boolean;
  /** This invocation was held back and sent after a later one. */
  reordered: boolean;
  /** Emulated seconds until the next attempt, or null when this was the last. */
  retry_in_seconds: number | null;
}

const CAPACITY = 5000;

export class DeliveryLog {
  private entries: DeliveryLogEntry[] = [];
  private seq = 0;

  add(entry: Omit<DeliveryLogEntry, 'seq'>): DeliveryLogEntry {
    const full = { seq: ++this.seq, ...entry };
    this.entries.push(full);
    if (this.entries.length > CAPACITY) this.entries.splice(0, this.entries.length - CAPACITY);
    return full;
  }

  list(filter: { subdomain?: string; webhookId?: string } = {}): DeliveryLogEntry[] {
    return this.entries.filter(
      (entry) => (filter.subdomain === undefined || entry.subdomain === filter.subdomain) && (filter.webhookId === undefined || entry.webhook_id === filter.webhookId),
    );
  }

  clear(): void {
    this.entries = [];
  }
}
