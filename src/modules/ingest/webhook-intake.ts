/**
 * Zendesk webhook deliveries: verify, store durably, acknowledge; process later. Two kinds arrive:
 * - the event-subscription envelope (`type: "zen:event-type:ticket.*"`, `subject: "zen:ticket:<id>"`,
 *   ids inside `detail` as strings), deduplicated on its event `id`;
 * - the body of the trigger we register on connect (zendesk/api.ts TRIGGER_BODY), deduplicated on
 *   the delivery's invocation id (or its signature timestamp and body when there is none).
 * Neither carries the whole ticket: processing fetches the tickets named (show_many, batched).
 */
import { createHash } from 'node:crypto';
import { AppError } from '../../lib/errors.ts';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, verifyWebhookSignature } from '../../zendesk/webhook-signature.ts';
import { SHOW_MANY_IDS } from '../../zendesk/incremental-export.ts';
import { findConnection, findLiveConnectionIdByWebhook } from '../connections/connections.repo.ts';
import { webhookSecretFor } from '../connections/connections.service.ts';
import { refreshTickets, type SyncDeps } from './sync.service.ts';
import { markDeliveriesProcessed, selectPendingDeliveries, storeDelivery, type StoreDelivery } from './delivery-store.ts';

/** What this module uses of the process's dependencies. */
export type IntakeDeps = SyncDeps;

export interface ParsedDelivery {
  dedupeKey: string;
  zendeskTicketId: number;
}

const TICKET_ZRN = /^zen:ticket:(\d+)$/;

function positiveInteger(value: unknown): number | null {
  const number = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  return typeof number === 'number' && Number.isSafeInteger(number) && number > 0 ? number : null;
}

/** What a delivery is about, or a reason it is not one we take. */
export function parseDelivery(payload: unknown, headers: { invocationId?: string; timestamp?: string }, rawBody: Buffer): ParsedDelivery | string {
  if (!payload || typeof payload !== 'object' || Array.isArray(payload)) return 'the body is not a JSON object';
  const body = payload as Record<string, unknown>;
  if (typeof body.type === 'string') {
    if (!body.type.startsWith('zen:event-type:ticket.')) return `events of type ${body.type} are not ticket events; subscribe the webhook to ticket events only`;
    const fromSubject = typeof body.subject === 'string' ? TICKET_ZRN.exec(body.subject)?.[1] : undefined;
    const detail = (body.detail ?? {}) as Record<string, unknown>;
    const ticketId = positiveInteger(fromSubject) ?? positiveInteger(detail.id);
    if (ticketId === null) return 'the ticket event names no ticket (subject zen:ticket:<id> or detail.id)';
    if (typeof body.id !== 'string' || body.id === '') return 'the ticket event has no id';
    return { dedupeKey: `event:${body.id}`, zendeskTicketId: ticketId };
  }
  if (body.source === 'cscx-zendesk-trigger') {
    const ticketId = positiveInteger(body.ticket_id);
    if (ticketId === null) return 'the trigger body has no ticket_id';
    const delivery = headers.invocationId ?? `${headers.timestamp ?? ''}:${createHash('sha256').update(rawBody).digest('hex')}`;
    return { dedupeKey: `trigger:${delivery}`, zendeskTicketId: ticketId };
  }
  return 'the body is neither a Zendesk ticket event nor the body of the CSCX trigger';
}

export interface IntakeRequest {
  connectionId: string | undefined;
  webhookId: string | undefined;
  headers: Record<string, string | string[] | undefined>;
  rawBody: Buffer;
}

function header(headers: IntakeRequest['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Checks a delivery and stores it; answers whether it was new. Refusals are AppErrors with the
 * status Zendesk should see: 404 unknown connection, 401 bad signature, 400 bad body. A database
 * failure propagates (the route answers 503 so that Zendesk retries).
 */
export type SecretLookup = (connectionId: string) => Promise<string | null>;

/**
 * Signing secrets, remembered for a few seconds: at hundreds of deliveries a second, reading and
 * decrypting the secret for each is most of the intake's work. A disconnected connection's
 * deliveries are refused at the latest `ttlMs` later.
 */
export function cachedSecretLookup(deps: IntakeDeps, ttlMs = 5_000): SecretLookup {
  const cache = new Map<string, { secret: Promise<string | null>; until: number }>();
  return (connectionId) => {
    const now = Date.now();
    const hit = cache.get(connectionId);
    if (hit && hit.until > now) return hit.secret;
    if (cache.size > 1000) cache.clear(); // only real connections are worth remembering; bound it
    const secret = webhookSecretFor(deps, connectionId);
    cache.set(connectionId, { secret, until: now + ttlMs });
    secret.catch(() => cache.delete(connectionId)); // a database error is not remembered
    return secret;
  };
}

export async function receiveDelivery(
  deps: IntakeDeps,
  request: IntakeRequest,
  secretOf: SecretLookup = (connectionId) => webhookSecretFor(deps, connectionId),
  store: StoreDelivery = (row) => storeDelivery(deps.db, row),
): Promise<{ connectionId: string; stored: boolean }> {
  const connectionId = request.connectionId ?? (request.webhookId ? await findLiveConnectionIdByWebhook(deps.db, request.webhookId) : undefined);
  const secret = connectionId && /^[0-9a-f-]{36}$/i.test(connectionId) ? await secretOf(connectionId) : null;
  if (!connectionId || secret === null) throw new AppError('not_found', 'no connected Zendesk webhook here: the connection is unknown or disconnected');
  const check = verifyWebhookSignature({
    secret,
    signature: header(request.headers, SIGNATURE_HEADER),
    timestamp: header(request.headers, TIMESTAMP_HEADER),
    rawBody: request.rawBody,
  });
  if (!check.ok) throw new AppError('unauthorized', `webhook refused: ${check.reason}`);
  let payload: unknown;
  try {
    payload = JSON.parse(request.rawBody.toString('utf8'));
  } catch (error) {
    throw new AppError('bad_request', `the webhook body is not valid JSON: ${(error as Error).message}`);
  }
  const parsed = parseDelivery(payload, { invocationId: header(request.headers, 'x-zendesk-webhook-invocation-id'), timestamp: header(request.headers, TIMESTAMP_HEADER) }, request.rawBody);
  if (typeof parsed === 'string') throw new AppError('bad_request', parsed);
  const stored = await store({ connectionId, dedupeKey: parsed.dedupeKey, zendeskTicketId: parsed.zendeskTicketId, payload });
  return { connectionId, stored };
}

/**
 * Processes a connection's stored deliveries: the tickets they name are fetched from Zendesk in
 * show_many calls (up to SHOW_MANY_IDS distinct tickets each) and written through the guarded
 * upsert; each call's deliveries are marked processed as soon as their tickets are written, not
 * after the whole batch. A Zendesk failure leaves the rest pending for the next run. (The queue
 * runs one such job per connection at a time; were two to overlap, the refresh is idempotent and
 * costs only extra calls.) Answers how many deliveries were processed.
 */
export async function processDeliveries(deps: IntakeDeps, connectionId: string, limit = 1000): Promise<number> {
  const connection = await findConnection(deps.db, connectionId);
  if (!connection || connection.status !== 'active') return 0;
  const rows = await selectPendingDeliveries(deps.db, connectionId, limit);
  let processed = 0;
  for (const chunk of byDistinctTickets(rows, SHOW_MANY_IDS)) {
    await refreshTickets(deps, connectionId, chunk.ticketIds);
    await markDeliveriesProcessed(deps.db, chunk.deliveryIds);
    processed += chunk.deliveryIds.length;
  }
  return processed;
}

/** Deliveries in arrival order, cut into chunks naming at most `size` distinct tickets each. */
export function byDistinctTickets(rows: ReadonlyArray<{ id: number; zendesk_ticket_id: number }>, size: number) {
  const chunks: Array<{ ticketIds: number[]; deliveryIds: number[] }> = [];
  let current: { tickets: Set<number>; deliveryIds: number[] } | null = null;
  for (const row of rows) {
    if (!current || (current.tickets.size >= size && !current.tickets.has(row.zendesk_ticket_id))) {
      if (current) chunks.push({ ticketIds: [...current.tickets], deliveryIds: current.deliveryIds });
      current = { tickets: new Set(), deliveryIds: [] };
    }
    current.tickets.add(row.zendesk_ticket_id);
    current.deliveryIds.push(row.id);
  }
  if (current) chunks.push({ ticketIds: [...current.tickets], deliveryIds: current.deliveryIds });
  return chunks;
}
