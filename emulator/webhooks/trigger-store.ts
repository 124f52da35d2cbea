/**
 * Ticket triggers of each account, in memory (OAS `TriggerObject`).
 */

export interface TriggerCondition {
  field: string;
  operator: string;
  value: unknown;
}

export interface TriggerAction {
  field: string;
  value: unknown;
}

export interface TriggerRecord {
  id: number;
  subdomain: string;
  title: string;
  description: string | null;
  active: boolean;
  position: number;
  conditions: { all: TriggerCondition[]; any: TriggerCondition[] };
  actions: TriggerAction[];
  category_id: string | null;
  created_at: string;
  updated_at: string;
}

export class TriggerStore {
  private readonly bySubdomain = new Map<string, Map<number, TriggerRecord>>();
  private nextId = 25;

  private bucket(subdomain: string): Map<number, TriggerRecord> {
    let bucket = this.bySubdomain.get(subdomain);
    if (!bucket) {
      bucket = new Map();
      this.bySubdomain.set(subdomain, bucket);
    }
    return bucket;
  }

  newId(): number {
    return this.nextId++;
  }

  /** OAS: "Position of the ticket trigger, determines the order they will execute in". */
  list(subdomain: string): TriggerRecord[] {
    return [...this.bucket(subdomain).values()].sort((a, b) => a.position - b.position || a.id - b.id);
  }

  nextPosition(subdomain: string): number {
    return this.list(subdomain).reduce((max, trigger) => Math.max(max, trigger.position), 0) + 1;
  }

  get(subdomain: string, id: number): TriggerRecord | undefined {
    return this.bucket(subdomain).get(id);
  }

  save(record: TriggerRecord): void {
    this.bucket(record.subdomain).set(record.id, record);
  }

  delete(subdomain: string, id: number): boolean {
    return this.bucket(subdomain).delete(id);
  }
}
