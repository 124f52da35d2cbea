/**
 * Stores webhook deliveries durably before they are acknowledged, in groups: the deliveries that
 * arrive in the same turn of the event loop, or while a group is being written, go in one
 * statement and one commit, written as soon as the previous group commits. An idle intake writes
 * a delivery at once (no waiting for company); a busy one writes one statement for many
 * deliveries instead of one each, which is what the database (PGlite above all: one thread for
 * everything) can keep up with. Every caller still hears only after its own row committed.
 *
 * A group that fails is retried one delivery at a time, so that one bad row (a value the database
 * refuses) fails only its own request, and every other answer is what a lone insert would give.
 */
import type { Queryable } from '../../db/db.ts';
import { recordset } from '../../db/recordset.ts';
import { column, queryFirst, queryRows } from '../../db/rows.ts';

export interface DeliveryRow {
  connectionId: string;
  dedupeKey: string;
  zendeskTicketId: number;
  payload: unknown;
}

/** Stores one delivery; true when it is new, false for a duplicate (same connection and dedupe key). */
export type StoreDelivery = (row: DeliveryRow) => Promise<boolean>;

/** The largest group in one statement (payloads are at most 1 MB each; most are a few KB). */
const MAX_GROUP = 200;

interface Waiting {
  row: DeliveryRow;
  resolve(stored: boolean): void;
  reject(error: unknown): void;
}

const ROWS = recordset<{ connection_id: string; dedupe_key: string; zendesk_ticket_id: number; payload: unknown; position: number }>([
  ['connection_id', 'uuid'],
  ['dedupe_key', 'text'],
  ['zendesk_ticket_id', 'bigint'],
  ['payload', 'jsonb'],
  ['position', 'integer'],
]);

/** One delivery (the same statement as a group of one). */
export async function storeDelivery(db: Queryable, row: DeliveryRow): Promise<boolean> {
  const [stored] = await storeGroup(db, [row]);
  return stored === true;
}

/**
 * Many deliveries, one statement: answers, for each row in order, whether it was new. Within the
 * group a repeated key is a duplicate of its first occurrence, as it would be one insert after another.
 */
async function storeGroup(db: Queryable, rows: DeliveryRow[]): Promise<boolean[]> {
  const inserted = await queryRows(
    db,
    (row) => ({ position: column.number(row, 'position') }),
    `WITH incoming AS (
       SELECT DISTINCT ON (r.connection_id, r.dedupe_key) r.* FROM ${ROWS.from('$1')} AS r ORDER BY r.connection_id, r.dedupe_key, r.position
     ),
     written AS (
       INSERT INTO zendesk_webhook_deliveries (connection_id, dedupe_key, zendesk_ticket_id, payload)
       SELECT connection_id, dedupe_key, zendesk_ticket_id, payload FROM incoming ORDER BY position
       ON CONFLICT (connection_id, dedupe_key) DO NOTHING
       RETURNING connection_id, dedupe_key
     )
     SELECT i.position FROM written w JOIN incoming i ON i.connection_id = w.connection_id AND i.dedupe_key = w.dedupe_key`,
    [
      ROWS.json(
        rows.map((row, position) => ({
          connection_id: row.connectionId,
          dedupe_key: row.dedupeKey,
          zendesk_ticket_id: row.zendeskTicketId,
          payload: row.payload,
          position,
        })),
      ),
    ],
  );
  const stored = new Set(inserted.map((row) => row.position));
  return rows.map((_, position) => stored.has(position));
}

export function groupedDeliveryStore(db: Queryable): StoreDelivery {
  const waiting: Waiting[] = [];
  let writing = false;

  const writeGroups = async (): Promise<void> => {
    try {
      while (waiting.length > 0) {
        await writeGroup(waiting.splice(0, MAX_GROUP));
      }
    } finally {
      writing = false;
    }
  };

  const writeGroup = async (group: Waiting[]): Promise<void> => {
    if (group.length === 1) {
      const [only] = group as [Waiting];
      await storeDelivery(db, only.row).then(only.resolve, only.reject);
      return;
    }
    let answers: boolean[];
    try {
      answers = await storeGroup(db, group.map((item) => item.row));
    } catch {
      // One at a time: each request gets its own answer or its own error.
      for (const item of group) await storeDelivery(db, item.row).then(item.resolve, item.reject);
      return;
    }
    group.forEach((item, index) => item.resolve(answers[index] as boolean));
  };

  return (row) =>
    new Promise<boolean>((resolve, reject) => {
      waiting.push({ row, resolve, reject });
      // Started after this turn of the event loop, so that the deliveries read from other
      // connections in the same turn join the first group too (on the embedded engine a lone
      // insert finishes before the next request is even parsed, so groups form only this way).
      if (!writing) {
        writing = true;
        setImmediate(() => void writeGroups());
      }
    });
}

/** A connection's stored deliveries not yet processed, in arrival order. */
export async function selectPendingDeliveries(db: Queryable, connectionId: string, limit: number): Promise<Array<{ id: number; zendesk_ticket_id: number }>> {
  return queryRows(
    db,
    (row) => ({ id: column.number(row, 'id'), zendesk_ticket_id: column.number(row, 'zendesk_ticket_id') }),
    `SELECT id, zendesk_ticket_id FROM zendesk_webhook_deliveries WHERE connection_id = $1 AND processed_at IS NULL ORDER BY id LIMIT $2`,
    [connectionId, limit],
  );
}

export async function markDeliveriesProcessed(db: Queryable, deliveryIds: readonly number[]): Promise<void> {
  await db.query('UPDATE zendesk_webhook_deliveries SET processed_at = now() WHERE id = ANY($1::bigint[])', [deliveryIds]);
}

/** Stored deliveries not yet processed, over every connection. */
export async function countPendingDeliveries(db: Queryable): Promise<number> {
  const row = await queryFirst(db, (r) => ({ count: column.number(r, 'count') }), 'SELECT count(*)::int AS count FROM zendesk_webhook_deliveries WHERE processed_at IS NULL');
  return row?.count ?? 0;
}
