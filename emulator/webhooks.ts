// PLACEHOLDER: owned by the OAuth/webhooks helper, who replaces this file. Signatures are the seam.
import type { FastifyInstance } from 'fastify';
import type { EmulatorContext } from './contract.ts';

export interface WebhookDeliveryOptions {
  /** Shares (0..1) of deliveries dropped, sent twice, or held back and sent after a later one. */
  drop: number;
  duplicate: number;
  reorder: number;
}

export interface WebhookDispatcher {
  /** Registers webhooks, triggers and their /_emulator admin routes. */
  register(app: FastifyInstance): void;
  /** Resolves when no delivery (or retry) is pending: for tests. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

export function createWebhookDispatcher(_ctx: EmulatorContext, _options: WebhookDeliveryOptions): WebhookDispatcher {
  throw new Error('not implemented yet');
}
