/**
 * A metrics-only listener (METRICS_PORT): /metrics, /healthz and /readyz on a port of their own,
 * so that processes without the HTTP server (`npm run worker`) can be scraped and probed. Plain
 * node:http: nothing else is served here.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Metrics } from './metrics.ts';
import { bearerMatches } from './metrics-access.ts';

export interface MetricsServer {
  readonly port: number;
  close(): Promise<void>;
}

function json(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
}

export async function startMetricsServer(options: {
  port: number;
  host: string;
  metrics: Metrics;
  /** When set, /metrics needs `Authorization: Bearer <token>`. */
  token: string | undefined;
  /** The same answer as the HTTP server's /readyz (main.ts passes its check): served with 200 when ready, else 503. */
  readiness: () => Promise<{ status: string }>;
}): Promise<MetricsServer> {
  const { metrics, token } = options;
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET' && request.method !== 'HEAD') return json(response, 405, { error: { code: 'bad_request', message: 'only GET is served here' } });
    if (path === '/healthz') return json(response, 200, { status: 'ok' });
    if (path === '/readyz') {
      void options.readiness().then(
        (readiness) => json(response, readiness.status === 'ready' ? 200 : 503, readiness),
        () => json(response, 503, { status: 'not_ready' }),
      );
      return;
    }
    if (path !== '/metrics') return json(response, 404, { error: { code: 'not_found', message: `no route ${request.method} ${path}` } });
    if (token && !bearerMatches(request.headers.authorization, token)) {
      return json(response, 401, { error: { code: 'unauthorized', message: 'send the metrics token as "Authorization: Bearer <METRICS_TOKEN>"' } });
    }
    void metrics.render().then(
      (text) => response.writeHead(200, { 'content-type': metrics.contentType }).end(text),
      () => json(response, 500, { error: { code: 'internal', message: 'the metrics could not be rendered' } }),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}
