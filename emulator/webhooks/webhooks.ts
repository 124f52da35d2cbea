/**
 * Zendesk webhooks and ticket triggers, emulated: the Webhooks API, the Triggers API, and delivery
 * of ticket changes to webhooks, either as Zendesk event envelopes (event-subscribed webhooks) or
 * as trigger-rendered bodies (webhooks connected with "conditional_ticket_events").
 * Sources: docs/zendesk.md (Webhooks and triggers), the OAS (`/api/v2/triggers`), and the module
 * headers of webhook-*.ts / trigger-*.ts.
 */
import type { FastifyInstance } from 'fastify';
import type { EmulatorContext, TicketChangeEvent } from '../contract.ts';
import { registerTriggerApiRoutes } from './trigger-api-routes.ts';
import { triggerDeliveries } from './trigger-runner.ts';
import { TriggerStore } from './trigger-store.ts';
import { registerWebhookAdminRoutes } from './webhook-admin-routes.ts';
import { registerWebhookApiRoutes } from './webhook-api-routes.ts';
import { DeliveryLog, type DeliveryLogEntry } from './webhook-delivery-log.ts';
import { WebhookDeliverer, type FaultShares } from './webhook-delivery.ts';
import { eventDeliveries } from './webhook-event-fanout.ts';
import { createUlidFactory } from './webhook-ids.ts';
import { WebhookStore } from './webhook-store.ts';

export type { DeliveryLogEntry } from './webhook-delivery-log.ts';

export interface WebhookDeliveryOptions extends FaultShares {
  /** Seed of the fault-injection random sequence; default 1. */
  seed?: number;
  /** Replaces the global fetch (tests). */
  fetch?: typeof fetch;
}

export interface WebhookDispatcher {
  /** Registers webhooks, triggers and their /_emulator admin routes. */
  register(app: FastifyInstance): void;
  /** Resolves when no delivery (or retry) is pending: for tests. */
  idle(): Promise<void>;
  close(): Promise<void>;
  /** The delivery log (also at GET /_emulator/webhook-deliveries). */
  deliveries(): DeliveryLogEntry[];
  /** Current fault shares (also at GET|PUT /_emulator/webhook-faults). */
  setFaults(faults: FaultShares, seed?: number): void;
}

const MERGE_PATCH = 'application/merge-patch+json';

/** PATCH Webhook takes a JSON merge patch (RFC 7396) body. */
function ensureMergePatchParser(scope: FastifyInstance): void {
  if (scope.hasContentTypeParser(MERGE_PATCH)) return;
  scope.addContentTypeParser(MERGE_PATCH, { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, body === '' ? {} : JSON.parse(body as string));
    } catch (error) {
      (error as { statusCode?: number }).statusCode = 400;
      done(error as Error, undefined);
    }
  });
}

export function createWebhookDispatcher(ctx: EmulatorContext, options: WebhookDeliveryOptions): WebhookDispatcher {
  const webhooks = new WebhookStore();
  const triggers = new TriggerStore();
  const log = new DeliveryLog();
  const newId = createUlidFactory(() => ctx.clock.nowMs());
  const deliverer = new WebhookDeliverer({
    clock: ctx.clock,
    log,
    faults: { drop: options.drop, duplicate: options.duplicate, reorder: options.reorder },
    seed: options.seed ?? 1,
    newInvocationId: newId,
    fetch: options.fetch,
  });

  const onTicketChange = (change: TicketChangeEvent) => {
    const account = ctx.accounts.get(change.subdomain);
    if (!account) return;
    try {
      // Events first, then triggers: both are queued for the same change, in that order.
      for (const request of eventDeliveries(change, account, webhooks, ctx.clock.nowMs())) deliverer.enqueue(request);
      for (const request of triggerDeliveries(change, account, triggers, webhooks, ctx.baseUrl(change.subdomain))) deliverer.enqueue(request);
    } catch (error) {
      // A listener must not throw into the ticket API that emitted the change.
      console.error('webhook dispatch failed', error);
    }
  };
  ctx.events.on('ticket-change', onTicketChange);

  return {
    register(app) {
      void app.register(async (scope) => {
        ensureMergePatchParser(scope);
        registerWebhookApiRoutes(scope, { store: webhooks, clock: ctx.clock, newWebhookId: newId, authenticate: ctx.authenticate, deliverer, baseUrl: ctx.baseUrl });
        registerTriggerApiRoutes(scope, { triggers, webhooks, clock: ctx.clock, authenticate: ctx.authenticate, baseUrl: ctx.baseUrl });
        registerWebhookAdminRoutes(scope, { deliverer, log });
      });
    },
    idle: () => deliverer.idle(),
    async close() {
      ctx.events.off('ticket-change', onTicketChange);
      await deliverer.close();
    },
    deliveries: () => log.list(),
    setFaults: (faults, seed) => deliverer.setFaults(faults, seed),
  };
}
