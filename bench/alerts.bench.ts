/**
 * Alert latency benchmark: from the arrival of the webhook that escalates a ticket to the
 * escalation alert stored, and to its email received by an SMTP server on loopback (the alert goes
 * to the bench's admin: its customers have no CSM and there is no leader). Our whole app runs in this process as main.ts runs it (queue, sync
 * and refresh workers, schedules, HTTP server, the product's ticket listeners), on file-backed
 * PGlite and on PostgreSQL when reachable; the emulator is a child process that fires the real
 * signed trigger webhooks the connection registered. After the import, customers claim every
 * organization's domains, then tickets are escalated through the emulator's API (priority urgent
 * and the `escalated` tag) at a steady rate. Both times are the database's: the delivery's
 * received_at and the alert's created_at. Reports figures; never passes or fails on them.
 * Run alone: `npx tsx bench/alerts.bench.ts`.
 */
import type { FastifyInstance } from 'fastify';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../test/process-helpers.ts';
import { buildApp } from '../src/http/app.ts';
import { queueCustomerRefresh, registerCustomerRefreshWorker } from '../src/jobs/aggregates.jobs.ts';
import { createJobQueue, type JobQueue } from '../src/jobs/queue.ts';
import { queueSyncRequests, registerSyncWorkers, startSyncScheduler } from '../src/jobs/sync.jobs.ts';
import { connectWithApiToken } from '../src/modules/connections/connections.service.ts';
import { upsertCustomers } from '../src/modules/customers/customers.service.ts';
import { rematchAll } from '../src/modules/matching/matching.service.ts';
import { createUser } from '../src/modules/users/auth.service.ts';
import { ticketOutboxDrainer } from '../src/ticket-outbox-effects.ts';
import { startAlertMailer } from '../src/jobs/alert-mail.jobs.ts';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import {
  EMULATOR_AGENT_EMAIL,
  EMULATOR_API_TOKEN,
  POSTGRES_SKIPPED,
  benchDeps,
  fileLogger,
  openBenchDb,
  percentile,
  postgresReachable,
  postgresUrl,
  round,
  runIfMain,
  startEmulatorChild,
  waitFor,
  waitForHistoryDated,
  type Figures,
} from './helpers.ts';

type Engine = 'postgres' | 'pglite';

const TICKETS = 5_000;
const ESCALATIONS = 200;
const PER_SECOND = 20;

export async function benchAlerts(): Promise<Figures> {
  const figures: Figures = {
    setup: `emulator child with ${TICKETS} tickets firing its signed trigger webhooks; app in this process; ${ESCALATIONS} escalations through the emulator's API at ${PER_SECOND}/s`,
    note: 'webhook arrival -> alert stored = alerts.created_at - the first received_at of a delivery for that ticket after its escalation (both database clocks); it covers storing the delivery, the 250 ms gathering window, the show_many refresh from the emulator, the write and the alert',
  };
  const postgres = await postgresReachable(postgresUrl());
  const engines: Engine[] = postgres ? ['pglite', 'postgres'] : ['pglite'];
  if (!postgres) figures['postgres'] = POSTGRES_SKIPPED;
  for (const engine of engines) {
    // A fresh emulator per engine: the escalated tickets of one run are not escalatable in the next.
    const emulator = await startEmulatorChild(['--tickets', String(TICKETS), '--users', '1000', '--orgs', '50']);
    try {
      Object.assign(figures, await measureAlertLatency(engine, emulator.url));
    } finally {
      await emulator.stop();
    }
  }
  return figures;
}

async function measureAlertLatency(engine: Engine, emulatorUrl: string): Promise<Figures> {
  const bench = await openBenchDb(engine);
  const log = fileLogger('info');
  const port = await freePort();
  // The mail's arrival, per Message-ID (which names the alert), on this process's clock.
  const mailArrivals = new Map<string, number>();
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      let head = '';
      stream.on('data', (chunk: Buffer) => {
        if (head.length < 4096) head += chunk.toString();
      });
      stream.on('end', () => {
        const id = /^Message-ID:\s*<alert-([0-9a-f-]{36})-/im.exec(head)?.[1];
        if (id && !mailArrivals.has(id)) mailArrivals.set(id, Date.now());
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  const deps = benchDeps(bench.db, log.logger, {
    LOG_LEVEL: 'info',
    PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    ZENDESK_URL_TEMPLATE: `${emulatorUrl}/{subdomain}`,
    ZENDESK_EXPORT_REQUESTS_PER_MINUTE: '0',
    SMTP_URL: `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`,
  });
  let queue: JobQueue | undefined;
  let app: FastifyInstance | undefined;
  const stops: Array<{ stop(): void }> = [];
  try {
    queue = createJobQueue(bench.db, { schema: bench.bossSchema, logger: deps.logger });
    await queue.start();
    deps.syncRequests = queueSyncRequests(queue);
    const mailer = startAlertMailer(deps);
    stops.push(mailer);
    const wakeRefresh = queueCustomerRefresh(queue);
    deps.ticketOutbox = ticketOutboxDrainer(deps, async () => {
      void mailer.wake();
      await wakeRefresh();
    });
    await registerSyncWorkers(deps, queue);
    stops.push(await registerCustomerRefreshWorker(deps, queue));
    stops.push(startSyncScheduler(deps, deps.syncRequests, deps.config.SYNC_INTERVAL_SECONDS));
    app = await buildApp(deps);
    await app.listen({ port, host: '127.0.0.1' });

    const admin = await createUser(bench.db, { email: 'admin@bench.test', name: 'Bench admin', role: 'admin', password: null });
    const connectionId = (await connectWithApiToken(deps, admin, { subdomain: 'acme', email: EMULATOR_AGENT_EMAIL, apiToken: EMULATOR_API_TOKEN })).id;
    await waitFor(
      'the import to go live',
      async () => (await bench.db.query<{ phase: string }>('SELECT phase FROM zendesk_sync_state WHERE connection_id = $1', [connectionId])).rows[0]?.phase === 'live',
      300_000,
      200,
    );
    const orgs = (await bench.db.query<{ name: string; domain_names: string[] }>('SELECT name, domain_names FROM zendesk_organizations WHERE cardinality(domain_names) > 0')).rows;
    await upsertCustomers(
      bench.db,
      orgs.map((org, i) => ({ externalId: `bench-${i}`, name: org.name, domains: org.domain_names })),
    );
    await rematchAll(bench.db, deps.config.FREE_MAIL_DOMAINS);
    const historySeconds = await waitForHistoryDated(bench.db, connectionId);
    const candidates = (
      await bench.db.query<{ id: number }>(
        `SELECT zendesk_ticket_id AS id FROM zendesk_tickets
          WHERE connection_id = $1 AND customer_id IS NOT NULL AND NOT escalated AND status IN ('new', 'open', 'pending')
          ORDER BY zendesk_ticket_id LIMIT $2`,
        [connectionId, ESCALATIONS],
      )
    ).rows.map((row) => row.id);
    if (candidates.length < ESCALATIONS) throw new Error(`only ${candidates.length} matched open tickets to escalate`);
    await sleep(2000); // let the import's last aggregates and webhooks settle
    const since = (await bench.db.query<{ now: Date }>('SELECT now() AS now')).rows[0]!.now;

    const auth = `Basic ${Buffer.from(`${EMULATOR_AGENT_EMAIL}/token:${EMULATOR_API_TOKEN}`).toString('base64')}`;
    const putFailures: string[] = [];
    const puts: Array<Promise<void>> = [];
    const start = performance.now();
    for (let i = 0; i < candidates.length; i++) {
      const due = start + (i * 1000) / PER_SECOND;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      const id = candidates[i]!;
      puts.push(
        fetch(`${emulatorUrl}/acme/api/v2/tickets/${id}.json`, {
          method: 'PUT',
          headers: { authorization: auth, 'content-type': 'application/json' },
          body: JSON.stringify({ ticket: { priority: 'urgent', tags: ['escalated'] } }),
        }).then(async (response) => {
          if (!response.ok) putFailures.push(`${id}: ${response.status} ${(await response.text()).slice(0, 120)}`);
        }),
      );
    }
    await Promise.all(puts);
    const latencySql = `
      SELECT a.zendesk_ticket_id AS id, a.id AS alert_id, extract(epoch FROM d.received_at) * 1000 AS received_ms,
             extract(epoch FROM a.created_at - d.received_at) * 1000 AS ms
        FROM alerts a
        JOIN LATERAL (SELECT min(received_at) AS received_at FROM zendesk_webhook_deliveries
                       WHERE connection_id = $1 AND zendesk_ticket_id = a.zendesk_ticket_id AND received_at >= $2) d ON true
       WHERE a.type = 'escalation' AND a.connection_id = $1 AND a.zendesk_ticket_id = ANY($3::bigint[])`;
    let rows: Array<{ id: number; alert_id: string; received_ms: number | null; ms: number | null }> = [];
    await waitFor(
      'every escalation alert',
      async () => {
        rows = (await bench.db.query<{ id: number; alert_id: string; received_ms: number | null; ms: number | null }>(latencySql, [connectionId, since, candidates])).rows;
        return rows.length >= candidates.length - putFailures.length;
      },
      60_000,
      250,
    ).catch(() => {});
    const latencies = rows.filter((row) => row.ms !== null).map((row) => Number(row.ms));
    await waitFor('every alert mail', async () => rows.every((row) => mailArrivals.has(row.alert_id)), 60_000, 250).catch(() => {});
    const mailLatencies = rows
      .filter((row) => row.received_ms !== null && mailArrivals.has(row.alert_id))
      .map((row) => mailArrivals.get(row.alert_id)! - Number(row.received_ms));
    const duplicates = (
      await bench.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM (SELECT zendesk_ticket_id FROM alerts WHERE type = 'escalation' AND connection_id = $1 GROUP BY 1 HAVING count(*) > 1) x`,
        [connectionId],
      )
    ).rows[0]!.n;
    const p = `${engine}:`;
    return {
      [`${p} history dated by the ticket events stream (unpaced) and customers refreshed, before the escalations (s)`]: round(historySeconds, 1),
      [`${p} escalations sent / failed in the emulator`]: `${candidates.length} / ${putFailures.length}${putFailures[0] ? ` (first: ${putFailures[0]})` : ''}`,
      [`${p} escalation alerts stored (with a webhook arrival)`]: `${rows.length} (${latencies.length})`,
      [`${p} tickets with more than one escalation alert`]: duplicates,
      [`${p} webhook arrival -> alert stored p50 / p90 / p99 / max (ms)`]: [50, 90, 99, 100].map((q) => round(percentile(latencies, q))).join(' / '),
      [`${p} escalation alert mails received on the SMTP server`]: `${rows.filter((row) => mailArrivals.has(row.alert_id)).length} of ${rows.length}`,
      [`${p} webhook arrival -> mail received p50 / p90 / p99 / max (ms)`]: [50, 90, 99, 100].map((q) => round(percentile(mailLatencies, q))).join(' / '),
    };
  } finally {
    for (const s of stops) s.stop();
    await app?.close().catch(() => {});
    await queue?.stop({ timeoutMs: 10_000 }).catch(() => {});
    await bench.destroy();
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
    log.remove();
  }
}

await runIfMain(import.meta.url, benchAlerts);
