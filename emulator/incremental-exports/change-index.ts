/**
 * Records ordered by (timestamp, id): the order the incremental exports walk. Zendesk's
 * ticket export compares `start_time` with `generated_timestamp` (OAS,
 * IncrementalTicketExportTime), so tickets are keyed on it; an update moves a ticket to the end.
 *
 * A sorted array with binary search: reads are O(log n), an update is one splice (a memmove of
 * pointers, microseconds at 100k entries) plus, almost always, an append.
 */

export interface IndexEntry {
  ts: number;
  id: number;
}

function compare(a: IndexEntry, ts: number, id: number): number {
  return a.ts !== ts ? a.ts - ts : a.id - id;
}

export class ChangeIndex {
  private readonly entries: IndexEntry[];

  constructor(entries: IndexEntry[] = []) {
    this.entries = entries.slice().sort((a, b) => compare(a, b.ts, b.id));
  }

  get length(): number {
    return this.entries.length;
  }

  at(position: number): IndexEntry | undefined {
    return this.entries[position];
  }

  /** Position of the first entry strictly after (ts, id). */
  firstAfter(ts: number, id: number): number {
    let low = 0;
    let high = this.entries.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      const entry = this.entries[mid] as IndexEntry;
      if (compare(entry, ts, id) <= 0) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  /** Position of the first entry at or after timestamp `ts`. */
  firstAtOrAfter(ts: number): number {
    return this.firstAfter(ts, Number.NEGATIVE_INFINITY);
  }

  /** Moves `id` from (previousTs, id) to (ts, id); previousTs undefined: a new record. */
  move(id: number, previousTs: number | undefined, ts: number): void {
    if (previousTs !== undefined) {
      const at = this.firstAfter(previousTs, id) - 1;
      const found = this.entries[at];
      if (found && found.ts === previousTs && found.id === id) this.entries.splice(at, 1);
    }
    const last = this.entries[this.entries.length - 1];
    const entry = { ts, id };
    if (!last || compare(last, ts, id) < 0) this.entries.push(entry);
    else this.entries.splice(this.firstAfter(ts, id), 0, entry);
  }
}
