import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Deps } from '../../deps.ts';
import { AppError } from '../../lib/errors.ts';
import { isDataException } from '../error-handler.ts';
import { cachedSecretLookup, receiveDelivery } from '../../modules/ingest/webhook-intake.ts';
import { groupedDeliveryStore } from '../../modules/ingest/delivery-store.ts';

export const WEBHOOK_BODY_LIMIT = 1024 * 1024;

/** Told when a delivery was stored, to process it soon (the worker's queue). */
export type DeliveryStoredHook = (connectionId: string) => Promise<void> | void;

/**
 * POST /api/integrations/zendesk/webhook?connection=<id>: public, guarded by Zendesk's signature
 * over the raw body. Stored before it is acknowledged; a database failure answers 503 with a short
 * Retry-After, which is what makes Zendesk retry (it retries 503 only with Retry-After < 60 s).
 */
export function webhookRoutes(deps: Deps, onStored: DeliveryStoredHook) {
  const secretOf = cachedSecretLookup(deps);
  const store = groupedDeliveryStore(deps.db);
  // Deliveries this plugin acknowledged as duplicates, for the intake metric's outcome.
  const duplicates = new WeakSet<object>();
  return async (app: FastifyInstance) => {
    const metrics = deps.metrics;
    if (metrics) {
      // Every answer of this plugin (the route, and Fastify's own 4xx such as 413) counts once.
      app.addHook('onResponse', async (request, reply) => {
        const status = reply.statusCode;
        const outcome = status === 200 ? (duplicates.has(request) ? 'duplicate' : 'stored') : status >= 500 ? 'unavailable' : 'rejected';
        metrics.observeWebhook(outcome, reply.elapsedTime / 1000);
      });
    }

    // The signature covers the raw bytes: keep them, parse later (after the signature check).
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: WEBHOOK_BODY_LIMIT }, (_request, body, done) => done(null, body));

    app.post(
      '/api/integrations/zendesk/webhook',
      { config: { public: true }, bodyLimit: WEBHOOK_BODY_LIMIT, schema: { querystring: z.object({ connection: z.string().optional() }) } },
      async (request, reply) => {
        const rawBody = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
        let result;
        try {
          result = await receiveDelivery(deps, {
            connectionId: (request.query as { connection?: string }).connection,
            webhookId: request.headers['x-zendesk-webhook-id'] as string | undefined,
            headers: request.headers,
            rawBody,
          }, secretOf, store);
        } catch (error) {
          if (error instanceof AppError) throw error;
          // A value the database cannot store (a NUL character in a string): retrying cannot help,
          // so refuse it (4xx: Zendesk does not retry); the next catch-up brings the ticket.
          if (isDataException(error)) throw new AppError('bad_request', `the delivery holds a value that cannot be stored (${(error as Error).message})`);
          request.log.error({ err: error }, 'could not store a webhook delivery');
          return reply
            .status(503)
            .header('retry-after', '10')
            .send({ error: { code: 'unavailable', message: 'the delivery could not be stored right now; Zendesk will retry it' } });
        }
        if (!result.stored) duplicates.add(request);
        // The delivery is stored: the answer need not wait for the wake-up of its processing (if
        // that fails, the sync schedule finds the pending delivery at its next tick).
        if (result.stored) void Promise.resolve().then(() => onStored(result.connectionId)).catch((error: unknown) => request.log.warn({ err: error }, 'could not schedule webhook processing'));
        return reply.status(200).send({ received: true, duplicate: !result.stored });
      },
    );
  };
}
