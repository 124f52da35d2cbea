import type { FastifyInstance } from 'fastify';

/**
 * Stops accepting connections and waits for in-flight requests (Fastify answers 503 to new
 * requests on kept-alive connections meanwhile, and drops idle ones). Past `timeoutMs` the
 * remaining connections (long polls, event streams, slow clients) are cut.
 */
export async function closeApp(app: FastifyInstance, timeoutMs: number): Promise<'drained' | 'cut'> {
  let timer: NodeJS.Timeout | undefined;
  const closed = app.close().then(() => 'drained' as const);
  const timedOut = new Promise<'cut'>((resolve) => {
    timer = setTimeout(() => resolve('cut'), timeoutMs);
  });
  const outcome = await Promise.race([closed, timedOut]);
  clearTimeout(timer);
  if (outcome === 'cut') {
    app.server.closeAllConnections();
    await closed;
  }
  return outcome;
}
