import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Deps } from '../../deps.ts';
import { readMigrations } from '../../db/migrate.ts';

const readySchema = z.object({
  status: z.enum(['ready', 'not_ready']),
  database: z.object({ engine: z.enum(['pglite', 'postgres']), reachable: z.boolean(), migrationsPending: z.number().int().nullable() }),
});

/** /healthz: the process is alive. /readyz: it can do its job (database reachable, schema current). */
export function healthRoutes(deps: Deps): FastifyPluginAsyncZod {
  const expectedMigrations = readMigrations().map((m) => m.name);
  return async (app) => {
    app.get('/healthz', { config: { public: true }, schema: { response: { 200: z.object({ status: z.literal('ok') }) } } }, async () => ({ status: 'ok' as const }));

    app.get('/readyz', { config: { public: true }, schema: { response: { 200: readySchema, 503: readySchema } } }, async (_request, reply) => {
      let reachable = false;
      let pending: number | null = null;
      try {
        const { rows } = await deps.db.query<{ name: string }>('SELECT name FROM schema_migrations');
        reachable = true;
        const applied = new Set(rows.map((row) => row.name));
        pending = expectedMigrations.filter((name) => !applied.has(name)).length;
      } catch {
        // Reported as not ready below; the cause is for the logs of the query that failed.
      }
      const ready = reachable && pending === 0;
      return reply.status(ready ? 200 : 503).send({
        status: ready ? 'ready' : 'not_ready',
        database: { engine: deps.db.engine, reachable, migrationsPending: pending },
      });
    });
  };
}
