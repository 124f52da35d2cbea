/**
 * Emulator-only controls for tests (not Zendesk API):
 * - `GET|PUT /_emulator/webhook-faults` `{"drop":0.1,"duplicate":0.1,"reorder":0.1,"seed"?:n}`;
 * - `GET /_emulator/webhook-deliveries[?subdomain=&webhook_id=]`: the delivery log, no secrets;
 * - `DELETE /_emulator/webhook-deliveries`: clears it.
 */
import type { FastifyInstance } from 'fastify';
import type { DeliveryLog } from './webhook-delivery-log.ts';
import type { FaultShares, WebhookDeliverer } from './webhook-delivery.ts';

export function registerWebhookAdminRoutes(scope: FastifyInstance, deps: { deliverer: WebhookDeliverer; log: DeliveryLog }): void {
  scope.get('/_emulator/webhook-faults', async () => deps.deliverer.faults());

  scope.put('/_emulator/webhook-faults', async (request, reply) => {
    const body = (request.body ?? {}) as Partial<Record<keyof FaultShares | 'seed', unknown>>;
    const current = deps.deliverer.faults();
    const next: FaultShares = { ...current };
    for (const key of ['drop', 'duplicate', 'reorder'] as const) {
      const value = body[key];
      if (value === undefined) continue;
      if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
        return reply.code(400).send({ error: 'InvalidFaultShare', description: `${key} must be a number between 0 and 1` });
      }
      next[key] = value;
    }
    const seed = body.seed;
    if (seed !== undefined && (typeof seed !== 'number' || !Number.isInteger(seed))) {
      return reply.code(400).send({ error: 'InvalidSeed', description: 'seed must be an integer' });
    }
    deps.deliverer.setFaults(next, seed);
    return deps.deliverer.faults();
  });

  scope.get('/_emulator/webhook-deliveries', async (request) => {
    const query = request.query as { subdomain?: string; webhook_id?: string };
    return { deliveries: deps.log.list({ subdomain: query.subdomain, webhookId: query.webhook_id }) };
  });

  scope.delete('/_emulator/webhook-deliveries', async (_request, reply) => {
    deps.log.clear();
    return reply.code(204).send();
  });
}
