import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Deps } from '../deps.ts';
import { buildApp } from '../http/app.ts';
import { checkReadiness } from '../http/routes/health.routes.ts';
import { createJobQueue, jobSchemaOf, type JobQueue } from '../jobs/queue.ts';
import { createApiKey, createUser } from '../modules/users/auth.service.ts';
import { readStatusGauges } from '../modules/status/status-gauges.ts';
import { createTestDeps } from '../test-deps.ts';
import { ZendeskClient } from '../zendesk/client.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import { startMetricsServer } from './metrics-server.ts';

/** The value of one sample in Prometheus's text format (undefined when absent). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const present = (match[3] ?? '').split(',').filter(Boolean);
    if (wanted.every((label) => present.includes(label)) && present.length === wanted.length) return Number(match[4]);
  }
  return undefined;
}

describe('Prometheus metrics', () => {
  let deps: Deps;
  let destroy: () => Promise<void>;
  let metrics: Metrics;
  let queue: JobQueue;
  let app: FastifyInstance;
  let adminKey: string;
  let leaderKey: string;

  beforeAll(async () => {
    ({ deps, destroy } = await createTestDeps());
    metrics = createMetrics({ status: () => readStatusGauges(deps.db) });
    queue = createJobQueue(deps.db, { logger: deps.logger, schema: await jobSchemaOf(deps.db), observer: metrics.jobs });
    await queue.start();
    metrics.watchQueue(() => queue.depth());
    deps.metrics = metrics;
    deps.queue = queue;
    app = await buildApp(deps);
    const admin = await createUser(deps.db, { email: 'admin@example.com', name: 'Admin', role: 'admin', password: null });
    adminKey = (await createApiKey(deps.db, admin.id, 'test')).key;
    const leader = await createUser(deps.db, { email: 'leader@example.com', name: 'Leader', role: 'leader', password: null });
    leaderKey = (await createApiKey(deps.db, leader.id, 'test')).key;
  });
  afterAll(async () => {
    await app?.close();
    await queue?.stop({ timeoutMs: 1000 });
    await destroy?.();
  });

  const scrape = async () => {
    const response = await app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${adminKey}` } });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain; version=0.0.4/);
    return response.body;
  };

  it('serves /metrics to admins only when no METRICS_TOKEN is set, with process metrics and the database up', async () => {
    expect((await app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${leaderKey}` } })).statusCode).toBe(403);
    const text = await scrape();
    expect(sample(text, 'cscx_database_up')).toBe(1);
    expect(text).toMatch(/^cscx_process_resident_memory_bytes \d+/m);
    expect(text).toMatch(/^cscx_nodejs_eventloop_lag_seconds /m);
  });

  it('reports sync lag, phase and import progress per connection, read from the database', async () => {
    const { rows } = await deps.db.query<{ id: string }>(
      `INSERT INTO zendesk_connections (subdomain, auth_method, status) VALUES ('acme', 'api_token', 'active'), ('globex', 'api_token', 'active') RETURNING id`,
    );
    const [acme, globex] = rows.map((row) => row.id);
    await deps.db.query(
      `INSERT INTO zendesk_sync_state (connection_id, phase, imported, total, import_started_at) VALUES ($1, 'importing', 50, 200, now() - interval '100 seconds')`,
      [acme],
    );
    await deps.db.query(
      `INSERT INTO zendesk_sync_state (connection_id, phase, imported, total, import_started_at, import_finished_at, last_synced_at)
       VALUES ($1, 'live', 300, 300, now() - interval '1 hour', now() - interval '50 minutes', now() - interval '30 seconds')`,
      [globex],
    );
    const text = await scrape();
    expect(sample(text, 'cscx_import_progress_ratio', { subdomain: 'acme' })).toBe(0.25);
    expect(sample(text, 'cscx_import_tickets_imported', { subdomain: 'acme' })).toBe(50);
    expect(sample(text, 'cscx_import_tickets_expected', { subdomain: 'acme' })).toBe(200);
    expect(sample(text, 'cscx_import_progress_ratio', { subdomain: 'globex' })).toBe(1);
    expect(sample(text, 'cscx_sync_phase', { subdomain: 'acme', phase: 'importing' })).toBe(1);
    expect(sample(text, 'cscx_sync_phase', { subdomain: 'acme', phase: 'live' })).toBe(0);
    // Never caught up: the lag runs from the start of the import. Else from the last catch-up.
    expect(sample(text, 'cscx_sync_lag_seconds', { subdomain: 'acme' })).toBeGreaterThanOrEqual(99);
    const globexLag = sample(text, 'cscx_sync_lag_seconds', { subdomain: 'globex' }) ?? NaN;
    expect(globexLag).toBeGreaterThanOrEqual(29);
    expect(globexLag).toBeLessThan(120);
  });

  it('counts alerts raised by type, and pending webhook deliveries', async () => {
    const { rows } = await deps.db.query<{ id: string }>(`INSERT INTO customers (name) VALUES ('Acme') RETURNING id`);
    await deps.db.query(
      `INSERT INTO alerts (dedupe_key, type, customer_id, occurred_at) VALUES ('k1', 'escalation', $1, now()), ('k2', 'escalation', $1, now()), ('k3', 'negative_csat', $1, now())`,
      [rows[0]?.id],
    );
    const text = await scrape();
    expect(sample(text, 'cscx_alerts_raised_total', { type: 'escalation' })).toBe(2);
    expect(sample(text, 'cscx_alerts_raised_total', { type: 'negative_csat' })).toBe(1);
    expect(sample(text, 'cscx_alerts_raised_total', { type: 'sla_breach' })).toBe(0);
    expect(sample(text, 'cscx_webhook_deliveries_pending')).toBe(0);
  });

  it('reports queue depth, and counts completed and failed jobs', async () => {
    await queue.send('metrics-test-waiting', { n: 1 }, { startAfterSeconds: 3600 });
    let calls = 0;
    await queue.work('metrics-test-failing', { pollingIntervalSeconds: 0.5 }, async () => {
      calls += 1;
      throw new Error('planned failure');
    });
    await queue.send('metrics-test-failing', { n: 1 }, { retryLimit: 0 });
    queue.notify('metrics-test-failing');
    const deadline = Date.now() + 10_000;
    while (calls === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    await new Promise((resolve) => setTimeout(resolve, 200));
    const text = await scrape();
    expect(sample(text, 'cscx_queue_jobs', { queue: 'metrics-test-waiting', state: 'created' })).toBe(1);
    expect(sample(text, 'cscx_job_failures_total', { queue: 'metrics-test-failing' })).toBe(1);
    expect(sample(text, 'cscx_queue_jobs', { queue: 'metrics-test-failing', state: 'failed' })).toBe(1);
  });

  it('counts webhook deliveries by outcome with their latency', async () => {
    const before = await scrape();
    const rejectedBefore = sample(before, 'cscx_webhook_deliveries_total', { outcome: 'rejected' }) ?? 0;
    const response = await app.inject({
      method: 'POST',
      url: '/api/integrations/zendesk/webhook?connection=00000000-0000-4000-8000-000000000000',
      headers: { 'content-type': 'application/json' },
      payload: '{}',
    });
    expect(response.statusCode).toBe(404);
    const text = await scrape();
    expect(sample(text, 'cscx_webhook_deliveries_total', { outcome: 'rejected' })).toBe(rejectedBefore + 1);
    expect(sample(text, 'cscx_webhook_intake_duration_seconds_count', { outcome: 'rejected' })).toBe(rejectedBefore + 1);
    expect(sample(text, 'cscx_webhook_deliveries_total', { outcome: 'stored' })).toBe(0);
  });

  it('counts Zendesk calls, 429s and retry waits through the client observer', async () => {
    const answers = [
      new Response('', { status: 429, headers: { 'retry-after': '2' } }),
      new Response('{"error":"boom"}', { status: 503 }),
      new Response('{"ok":true}', { status: 200 }),
      new Response('{"ok":true}', { status: 200 }),
    ];
    const waits: number[] = [];
    const client = new ZendeskClient({
      baseUrl: 'https://acme.zendesk.com',
      credentials: () => ({ method: 'api_token', email: 'a@example.com', apiToken: 't' }),
      fetch: async () => answers.shift() ?? new Response('', { status: 500 }),
      sleep: async (ms) => void waits.push(ms),
      random: () => 0,
      observer: metrics.zendeskObserver('acme'),
    });
    await client.request('GET', '/api/v2/users/me.json');
    await client.request('GET', '/api/v2/incremental/tickets/cursor.json');
    const text = await scrape();
    expect(sample(text, 'cscx_zendesk_requests_total', { subdomain: 'acme', kind: 'api', status: '429' })).toBe(1);
    expect(sample(text, 'cscx_zendesk_requests_total', { subdomain: 'acme', kind: 'api', status: '5xx' })).toBe(1);
    expect(sample(text, 'cscx_zendesk_requests_total', { subdomain: 'acme', kind: 'api', status: '2xx' })).toBe(1);
    expect(sample(text, 'cscx_zendesk_requests_total', { subdomain: 'acme', kind: 'export', status: '2xx' })).toBe(1);
    expect(sample(text, 'cscx_zendesk_rate_limited_total', { subdomain: 'acme' })).toBe(1);
    expect(sample(text, 'cscx_zendesk_retry_waits_total', { subdomain: 'acme', reason: 'rate_limited' })).toBe(1);
    expect(sample(text, 'cscx_zendesk_retry_wait_seconds_total', { subdomain: 'acme', reason: 'rate_limited' })).toBe(2);
    expect(sample(text, 'cscx_zendesk_retry_waits_total', { subdomain: 'acme', reason: 'server_error' })).toBe(1);
    expect(waits).toEqual([2000, 500 * 2 * 0.5]);
  });

  it('says the database is down instead of failing the scrape', async () => {
    const broken = createMetrics({ status: () => readStatusGauges({ ...deps.db, query: async () => Promise.reject(new Error('connection refused')) }), defaultMetrics: false });
    const text = await broken.render();
    expect(sample(text, 'cscx_database_up')).toBe(0);
  });

  it('with METRICS_TOKEN, opens /metrics to that bearer token and still to admins\' API keys (other roles 403, nobody 401)', async () => {
    const token = 'metrics-token-0123456789';
    const tokenApp = await buildApp({ ...deps, config: { ...deps.config, METRICS_TOKEN: token } });
    const get = (authorization?: string) => tokenApp.inject({ method: 'GET', url: '/metrics', headers: authorization ? { authorization } : {} });
    try {
      for (const authorization of [undefined, 'Bearer wrong-token-0123456789', 'Basic bWV0cmljcw==']) {
        const refused = await get(authorization);
        expect(refused.statusCode, String(authorization)).toBe(401);
        expect(refused.json().error.message).toBe('send the metrics token (METRICS_TOKEN) or an admin\'s API key as "Authorization: Bearer <token or key>"');
      }
      const withToken = await get(`Bearer ${token}`);
      expect(withToken.statusCode).toBe(200);
      expect(sample(withToken.body, 'cscx_database_up')).toBe(1);
      const withAdminKey = await get(`Bearer ${adminKey}`);
      expect(withAdminKey.statusCode).toBe(200);
      expect(withAdminKey.headers['content-type']).toMatch(/^text\/plain; version=0.0.4/);
      const withLeaderKey = await get(`Bearer ${leaderKey}`);
      expect(withLeaderKey.statusCode).toBe(403);
      expect(withLeaderKey.json().error.message).toMatch(/needs the role admin/);
    } finally {
      await tokenApp.close();
    }
  });

  it('serves /metrics, /healthz and /readyz on the metrics-only listener (METRICS_PORT, for workers)', async () => {
    const token = 'metrics-token-0123456789';
    const server = await startMetricsServer({ port: 0, host: '127.0.0.1', metrics, token, readiness: () => checkReadiness(deps) });
    try {
      const base = `http://127.0.0.1:${server.port}`;
      expect((await fetch(`${base}/metrics`)).status).toBe(401);
      const ok = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${token}` } });
      expect(ok.status).toBe(200);
      expect(sample(await ok.text(), 'cscx_database_up')).toBe(1);
      expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ status: 'ok' });
      const ready = await fetch(`${base}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ status: 'ready', queue: { running: true } });
      expect((await fetch(`${base}/other`)).status).toBe(404);
    } finally {
      await server.close();
    }
  });

  it('/readyz says not ready once the queue stops', async () => {
    const stopped = createJobQueue(deps.db, { logger: deps.logger, schema: await jobSchemaOf(deps.db) });
    await stopped.start();
    const readyApp = await buildApp({ ...deps, queue: stopped });
    try {
      expect((await readyApp.inject({ method: 'GET', url: '/readyz' })).json()).toMatchObject({ status: 'ready', queue: { running: true } });
      await stopped.stop({ timeoutMs: 1000 });
      const response = await readyApp.inject({ method: 'GET', url: '/readyz' });
      expect(response.statusCode).toBe(503);
      expect(response.json()).toMatchObject({ status: 'not_ready', database: { reachable: true }, queue: { running: false } });
    } finally {
      await readyApp.close();
    }
  });
});
