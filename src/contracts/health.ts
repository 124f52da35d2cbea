/** Liveness and readiness of a server process. */
import { z } from 'zod';
import { endpoint } from './endpoint.ts';

export const readiness = z.object({
  status: z.enum(['ready', 'not_ready']),
  database: z.object({ engine: z.enum(['pglite', 'postgres']), reachable: z.boolean(), migrationsPending: z.number().int().nullable() }),
  /** Present when this process runs the job queue. */
  queue: z.object({ running: z.boolean() }).optional(),
});

export const getLiveness = endpoint({ method: 'GET', path: '/healthz', response: z.object({ status: z.literal('ok') }) });
/** 503 with the same shape when not ready. */
export const getReadiness = endpoint({ method: 'GET', path: '/readyz', response: readiness });
