/** Zendesk connections: connecting (OAuth or an API token), their progress, syncing, disconnecting. */
import { z } from 'zod';
import { endpoint } from './endpoint.ts';

export const connectBody = z.discriminatedUnion(
  'method',
  [
    z.object({
      method: z.literal('api_token'),
      subdomain: z.string().trim(),
      email: z.string().trim().regex(/^[^@\s]+@[^@\s]+$/, 'is not an email address'),
      apiToken: z.string().trim().min(1, 'is required'),
    }),
    z.object({ method: z.literal('oauth'), subdomain: z.string().trim() }),
  ],
  { error: 'must be "oauth" or "api_token"' },
);

export const connection = z.object({
  id: z.string(),
  subdomain: z.string(),
  method: z.enum(['oauth', 'api_token']),
  status: z.enum(['pending', 'active', 'needs_reauth', 'error', 'disconnected']),
  zendeskUser: z.string().nullable(),
  webhookRegistered: z.boolean(),
  createdAt: z.string(),
  error: z.object({ message: z.string(), at: z.string().nullable() }).nullable(),
  sync: z.object({
    state: z.enum(['importing', 'live', 'paused', 'failed']),
    imported: z.number(),
    total: z.number().nullable(),
    ratePerSecond: z.number().nullable(),
    etaSeconds: z.number().nullable(),
    lastSyncedAt: z.string().nullable(),
    error: z.string().nullable(),
  }),
});
export type Connection = z.output<typeof connection>;

export const oauthCallbackQuery = z.object({ state: z.string().optional(), code: z.string().optional(), error: z.string().optional(), error_description: z.string().optional() });
export const connectionParams = z.object({ id: z.uuid('is not a connection id') });
// No body at all (no content-type either) is a plain catch-up: Fastify gives null for it.
export const syncBody = z.preprocess((body) => body ?? {}, z.object({ full: z.boolean().default(false) }));
export const disconnectQuery = z.object({ purge: z.enum(['true', 'false']).default('false') });

/** OAuth answers where to send the browser (200); an API token answers the new connection (201). */
export const connect = endpoint({
  method: 'POST',
  path: '/api/integrations/zendesk/connect',
  body: connectBody,
  response: { 200: z.object({ authorizeUrl: z.string() }), 201: z.object({ connection }) },
});
export const listConnections = endpoint({ method: 'GET', path: '/api/integrations/zendesk/connections', response: z.object({ connections: z.array(connection) }) });
export const syncConnection = endpoint({
  method: 'POST',
  path: '/api/integrations/zendesk/connections/:id/sync',
  params: connectionParams,
  body: syncBody,
  response: { 202: z.object({ queued: z.literal(true), full: z.boolean() }) },
});
export const disconnectConnection = endpoint({
  method: 'DELETE',
  path: '/api/integrations/zendesk/connections/:id',
  params: connectionParams,
  query: disconnectQuery,
  response: z.object({ disconnected: z.string(), purged: z.boolean(), zendeskCleanup: z.array(z.string()) }),
});
