import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import { getLiveness, readiness as readySchema } from '../../contracts/health.ts';
import type { Deps } from '../../deps.ts';
import { appliedMigrationNames, readMigrations } from '../../db/migrate.ts';

export type Readiness = z.infer<typeof readySchema>;

/** Whether this process can do its job, and why not (shared with the metrics-only listener). */
export async function checkReadiness(deps: Pick<Deps, 'db' | 'queue'>, expectedMigrations: readonly string[] = readMigrations().map((m) => m.name)): Promise<Readiness> {
  let reachable = false;
  let pending: number | null = null;
  try {
    const applied = new Set(await appliedMigrationNames(deps.db));
    reachable = true;
    pending = expectedMigrations.filter((name) => !applied.has(name)).length;
  } catch {
    // Reported as not ready; the cause is for the logs of the query that failed.
  }
  const queueRunning = deps.queue ? deps.queue.isRunning() : undefined;
  const ready = reachable && pending === 0 && queueRunning !== false;
  return {
    status: ready ? 'ready' : 'not_ready',
    database: { engine: deps.db.engine, reachable, migrationsPending: pending },
    ...(queueRunning === undefined ? {} : { queue: { running: queueRunning } }),
  };
}

/**
 * /healthz: the process is alive. /readyz: it can do its job (database reachable, schema current,
 * and the job queue running when this process has one: a stopping process is no longer ready).
 */
export function healthRoutes(deps: Deps): FastifyPluginAsyncZod {
  const expectedMigrations = readMigrations().map((m) => m.name);
  return async (app) => {
    app.get('/healthz', { config: { public: true }, schema: { response: { 200: getLiveness.response } } }, async () => ({ status: 'ok' as const }));

    app.get('/readyz', { config: { public: true }, schema: { response: { 200: readySchema, 503: readySchema } } }, async (_request, reply) => {
      const readiness = await checkReadiness(deps, expectedMigrations);
      return reply.status(readiness.status === 'ready' ? 200 : 503).send(readiness);
    });
  };
}
