/**
 * Webhook intake benchmark: our whole app in this process, as main.ts runs it in the "all" role
 * (job queue, sync workers, schedule, HTTP server), on file-backed PGlite and on PostgreSQL when
 * reachable. The emulator (a child process) holds the tickets; a connection imports them; then
 * bench/webhook-sender.ts (another child process) posts signed trigger-body deliveries at 500/s
 * for 20 s. Figures: acknowledgement latency, achieved send rate, refusals, and delivery-to-stored
 * time (processed_at of the delivery minus its send time, same machine clock), which includes the
 * show_many refresh of the tickets from the emulator. Reports figures; never passes or fails on
 * them. Run alone: `npx tsx bench/webhooks.bench.ts`.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { freePort } from '../test/process-helpers.ts';
import { buildApp } from '../src/http/app.ts';
import { createJobQueue, type JobQueue } from '../src/jobs/queue.ts';
import { WEBHOOK_QUEUE, queueSyncRequests, registerSyncWorkers, startSyncScheduler } from '../src/jobs/sync.jobs.ts';
import { connectWithApiToken, webhookSecretFor } from '../src/modules/connections/connections.service.ts';
import { grantedRequests } from '../src/modules/connections/request-pacer.ts';
import { createUser } from '../src/modules/users/auth.service.ts';
import {
  EMULATOR_AGENT_EMAIL,
  EMULATOR_API_TOKEN,
  POSTGRES_SKIPPED,
  benchDeps,
  fileLogger,
  loadAverage,
  openBenchDb,
  percentile,
  postgresReachable,
  postgresUrl,
  round,
  runIfMain,
  startChild,
  startEmulatorChild,
  waitFor,
  waitForHistoryDated,
  type Figures,
} from './helpers.ts';
import type { SenderConfig, SenderReport } from './webhook-sender.ts';

type Engine = 'postgres' | 'pglite';

const TICKETS = 10_000;
const USERS = 2_000;
const ORGANIZATIONS = 100;
interface RunProfile {
  name: string;
  ratePerSecond: number;
  seconds: number;
  /** Soak: an import of another account runs during the sends, catch-up every 10 s, and figures per minute. */
  soak: boolean;
}
const BURST: RunProfile = { name: 'burst', ratePerSecond: 500, seconds: 20, soak: false };
/** BENCH_SOAK_SECONDS shortens the soak (default 600: 10 minutes). */
const SOAK: RunProfile = { name: 'soak', ratePerSecond: 200, seconds: Number(process.env.BENCH_SOAK_SECONDS ?? 600), soak: true };
/** The account the soak imports while webhooks arrive. */
const SOAK_IMPORT_TICKETS = 50_000;
const IMPORT_TIMEOUT_MS = 180_000;
const PROCESSING_WAIT_MS = 60_000;
/** BENCH_WEBHOOK_REQUESTS_PER_MINUTE: our ZENDESK_REQUESTS_PER_MINUTE for the run (default: the product's, 400; 0: unpaced). */
const accountPace = process.env.BENCH_WEBHOOK_REQUESTS_PER_MINUTE || undefined;

export function benchWebhooks(): Promise<Figures> {
  return runWebhookBench(BURST);
}

/**
 * Issue 9's soak: 200 webhooks/s for 10 minutes on PostgreSQL while another account's 50,000-ticket
 * import and the catch-up (every 10 s) run: memory and latency per minute, and nothing lost.
 */
export function benchSoak(): Promise<Figures> {
  return runWebhookBench(SOAK);
}

async function runWebhookBench(profile: RunProfile): Promise<Figures> {
  const figures: Figures = {
    setup: `emulator child with ${TICKETS} tickets${profile.soak ? ` and a second account of ${SOAK_IMPORT_TICKETS} imported during the run (catch-up every 10 s)` : ''}; sender child at ${profile.ratePerSecond}/s for ${profile.seconds} s; app in this process (queue + workers + schedule + HTTP), LOG_LEVEL info to a file, ZENDESK_REQUESTS_PER_MINUTE ${accountPace ?? '400 (default; BENCH_WEBHOOK_REQUESTS_PER_MINUTE to change)'}`,
    note: 'delivery-to-stored = processed_at - send time; processing refreshes the named tickets from the emulator with show_many (batched), which is part of that time',
  };
  const postgres = await postgresReachable(postgresUrl());
  // The soak is for the multi-process deployment, PostgreSQL (PGlite takes ~400 deliveries a second at most).
  // BENCH_WEBHOOK_ENGINES=postgres (or pglite) runs the burst on one engine only.
  const only = process.env.BENCH_WEBHOOK_ENGINES;
  const burstEngines: Engine[] = (postgres ? ['pglite', 'postgres'] : ['pglite']).filter((engine) => !only || engine === only) as Engine[];
  const engines: Engine[] = profile.soak ? (postgres ? ['postgres'] : []) : burstEngines;
  if (!postgres) figures['postgres'] = POSTGRES_SKIPPED;
  if (engines.length === 0) return figures;
  const emulator = await startEmulatorChild(
    profile.soak
      ? ['--subdomains', 'acme,bulk', '--tickets', String(SOAK_IMPORT_TICKETS), '--users', String(USERS), '--orgs', String(ORGANIZATIONS)]
      : ['--tickets', String(TICKETS), '--users', String(USERS), '--orgs', String(ORGANIZATIONS)],
  );
  try {
    for (const engine of engines) {
      figures[`${engine}: load average (1 min) before`] = loadAverage();
      Object.assign(figures, await measureIntake(engine, emulator.url, profile));
    }
  } finally {
    await emulator.stop();
  }
  figures['load average (1 min) at end'] = loadAverage();
  return figures;
}

interface DeliveryRow {
  dedupe_key: string;
  received_ms: number;
  processed_ms: number | null;
}

async function measureIntake(engine: Engine, emulatorUrl: string, profile: RunProfile): Promise<Figures> {
  const bench = await openBenchDb(engine);
  const log = fileLogger('info');
  const port = await freePort();
  const ourUrl = `http://127.0.0.1:${port}`;
  const deps = benchDeps(bench.db, log.logger, {
    LOG_LEVEL: 'info',
    PORT: String(port),
    PUBLIC_URL: ourUrl,
    ZENDESK_URL_TEMPLATE: `${emulatorUrl}/{subdomain}`,
    // The import before the measurement is not what is measured: unpaced.
    ZENDESK_EXPORT_REQUESTS_PER_MINUTE: '0',
    ...(accountPace === undefined ? {} : { ZENDESK_REQUESTS_PER_MINUTE: accountPace }),
    ...(profile.soak ? { SYNC_INTERVAL_SECONDS: '10' } : {}),
  });
  let queue: JobQueue | undefined;
  let scheduler: { stop(): void } | undefined;
  let app: FastifyInstance | undefined;
  const configDir = mkdtempSync(join(tmpdir(), 'cscx-bench-sender-'));
  try {
    queue = createJobQueue(bench.db, { schema: bench.bossSchema, logger: deps.logger });
    await queue.start();
    deps.syncRequests = queueSyncRequests(queue);
    await registerSyncWorkers(deps, queue);
    scheduler = startSyncScheduler(deps, deps.syncRequests, deps.config.SYNC_INTERVAL_SECONDS);
    app = await buildApp(deps);
    await app.listen({ port, host: '127.0.0.1' });
    // Instrumentation only: when our server accepts each inbound connection.
    const accepts: number[] = [];
    app.server.on('connection', () => accepts.push(performance.now()));

    const admin = await createUser(bench.db, { email: 'admin@bench.test', name: 'Bench admin', role: 'admin', password: null });
    const importStart = performance.now();
    const connectionId = (await connectWithApiToken(deps, admin, { subdomain: 'acme', email: EMULATOR_AGENT_EMAIL, apiToken: EMULATOR_API_TOKEN })).id;
    await waitFor(
      'the import to go live',
      async () => {
        const { rows } = await bench.db.query<{ phase: string; error: string | null }>('SELECT phase, error FROM zendesk_sync_state WHERE connection_id = $1', [connectionId]);
        if (rows[0]?.phase === 'failed' || rows[0]?.phase === 'paused') throw new Error(`import ${rows[0].phase}: ${rows[0].error ?? ''}`);
        return rows[0]?.phase === 'live';
      },
      IMPORT_TIMEOUT_MS,
      200,
    );
    const importSeconds = (performance.now() - importStart) / 1000;
    const historySeconds = await waitForHistoryDated(bench.db, connectionId);
    const secret = await webhookSecretFor(deps, connectionId);
    if (!secret) throw new Error('the connection has no webhook signing secret');
    // The deliveries announce changes, as Zendesk's do: our copies are made a second older than
    // Zendesk's, so that each ticket's first refresh writes a newer version (every indexed column
    // rewritten, as after a change); the sender's later deliveries for the same ticket are
    // duplicates, with nothing left to write.
    const ticketIds = (
      await bench.db.query<{ id: number }>(
        `UPDATE zendesk_tickets SET zendesk_updated_at = zendesk_updated_at - interval '1 second' WHERE connection_id = $1 RETURNING zendesk_ticket_id AS id`,
        [connectionId],
      )
    ).rows
      .map((row) => row.id)
      .sort((a, b) => a - b);
    const accountCallsBefore = await grantedRequests(deps.db, connectionId, 'account');
    const sendsStart = (await bench.db.query<{ at: Date }>('SELECT now() AS at')).rows[0]?.at as Date;

    const runId = `bench-${randomBytes(4).toString('hex')}`;
    const config: SenderConfig = {
      url: `${ourUrl}/api/integrations/zendesk/webhook?connection=${connectionId}`,
      secret,
      ticketIds,
      ratePerSecond: profile.ratePerSecond,
      seconds: profile.seconds,
      runId,
      maxSockets: 128,
      timeoutMs: 30_000,
      drainMs: 45_000,
    };
    const configPath = join(configDir, 'sender.json');
    writeFileSync(configPath, JSON.stringify(config), { mode: 0o600 });
    const acceptsBefore = accepts.length;
    const cpuBefore = process.cpuUsage();
    const wallBefore = performance.now();
    // Our event loop's delays while the sends run: a long one holds every acknowledgement back.
    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    loopDelay.enable();
    const sender = startChild('bench/webhook-sender.ts', [configPath]);
    const killTimer = setTimeout(() => sender.child.kill('SIGKILL'), (profile.seconds + 90) * 1000);
    // Soak: another account's import runs during the sends; memory is sampled every 10 s.
    const rssSamples: Array<{ atSeconds: number; mb: number }> = [];
    const rssTimer = setInterval(() => rssSamples.push({ atSeconds: (performance.now() - wallBefore) / 1000, mb: process.memoryUsage.rss() / 1024 / 1024 }), 10_000);
    const bulk = profile.soak
      ? (await connectWithApiToken(deps, admin, { subdomain: 'bulk', email: EMULATOR_AGENT_EMAIL, apiToken: EMULATOR_API_TOKEN })).id
      : null;
    const exitCode = await sender.exited;
    clearTimeout(killTimer);
    clearInterval(rssTimer);
    const line = sender
      .output()
      .split('\n')
      .find((candidate) => candidate.startsWith('RESULT '));
    if (!line) throw new Error(`the sender exited with ${exitCode} and no result:\n${sender.output().slice(-2000)}`);
    const report = JSON.parse(line.slice('RESULT '.length)) as SenderReport;
    const sendsDone = performance.now();
    loopDelay.disable();
    const cpu = process.cpuUsage(cpuBefore);
    const cpuShare = (cpu.user + cpu.system) / 1000 / (sendsDone - wallBefore);

    const acked = report.results.filter((r) => r.status === 200);
    const ackedKeys = new Set(acked.map((r) => `trigger:${r.invocationId}`));
    const fetchRows = async () =>
      (
        await bench.db.query<DeliveryRow>(
          `SELECT dedupe_key, extract(epoch FROM received_at) * 1000 AS received_ms, extract(epoch FROM processed_at) * 1000 AS processed_ms
             FROM zendesk_webhook_deliveries WHERE connection_id = $1 AND dedupe_key LIKE $2`,
          [connectionId, `trigger:${runId}-%`],
        )
      ).rows;
    let rows: DeliveryRow[] = [];
    await waitFor(
      'the deliveries to be processed',
      async () => {
        rows = await fetchRows();
        return rows.filter((row) => row.processed_ms !== null && ackedKeys.has(row.dedupe_key)).length >= acked.length;
      },
      PROCESSING_WAIT_MS,
      250,
    ).catch(() => {});
    rows = await fetchRows();
    const waitedSeconds = (performance.now() - sendsDone) / 1000;
    const refreshed = (
      await bench.db.query<{ written: number; named: number }>(
        `SELECT count(*) FILTER (WHERE last_synced_at >= $2)::int AS written, count(*) FILTER (WHERE zendesk_ticket_id = ANY($3::bigint[]))::int AS named
           FROM zendesk_tickets WHERE connection_id = $1`,
        [connectionId, sendsStart, [...new Set(acked.map((r) => r.ticketId))]],
      )
    ).rows[0];

    const byKey = new Map(rows.map((row) => [row.dedupe_key, row]));
    const toStored: number[] = [];
    const toReceived: number[] = [];
    /** Soak: delivery-to-stored per minute of sending. */
    const storedByMinute = new Map<number, number[]>();
    let lost = 0;
    let unprocessed = 0;
    for (const record of acked) {
      const row = byKey.get(`trigger:${record.invocationId}`);
      if (!row) {
        lost += 1;
        continue;
      }
      toReceived.push(Number(row.received_ms) - record.sentAtMs);
      if (row.processed_ms === null) unprocessed += 1;
      else {
        const ms = Number(row.processed_ms) - record.sentAtMs;
        toStored.push(ms);
        const minute = Math.floor((record.sentAtMs - (report.results[0]?.sentAtMs ?? 0)) / 60_000);
        storedByMinute.set(minute, [...(storedByMinute.get(minute) ?? []), ms]);
      }
    }
    const acks = acked.map((r) => r.ackMs as number);
    const firstSend = report.results[0]?.sentAtMs ?? 0;
    const lastAck = Math.max(...acked.map((r) => r.sentAtMs + (r.ackMs as number)));
    const statuses = new Map<string, number>();
    for (const record of report.results) {
      if (record.status === 200) continue;
      const key = record.status === null ? `no answer (${record.error ?? '?'})` : String(record.status);
      statuses.set(key, (statuses.get(key) ?? 0) + 1);
    }
    const jobs = await queue.counts(WEBHOOK_QUEUE);
    const showManyCalls = (await grantedRequests(deps.db, connectionId, 'account')) - accountCallsBefore;
    const logLines = log.lines();
    const errors = logLines.filter((l) => Number(l.level) >= 50);
    const warnings = logLines.filter((l) => Number(l.level) === 40);
    const firstProblem = errors[0] ?? warnings[0];

    const p = `${engine}${profile.soak ? ' soak' : ''}:`;
    const soakFigures: Figures = {};
    if (profile.soak && bulk) {
      const { rows: bulkState } = await bench.db.query<{ phase: string; imported: number }>('SELECT phase, imported FROM zendesk_sync_state WHERE connection_id = $1', [bulk]);
      soakFigures[`${p} the other account's import during the run: phase, tickets imported`] = `${bulkState[0]?.phase ?? '?'}, ${bulkState[0]?.imported ?? 0}`;
      soakFigures[`${p} delivery-to-stored p50 / p99 per minute of sending (ms)`] = [...storedByMinute.entries()]
        .sort(([a], [b]) => a - b)
        .map(([minute, values]) => `m${minute + 1} ${round(percentile(values, 50))}/${round(percentile(values, 99))}`)
        .join(', ');
      soakFigures[`${p} RSS, highest per minute (MB)`] = [...new Map(rssSamples.map((sample) => [Math.floor(sample.atSeconds / 60), 0])).keys()]
        .map((minute) => `m${minute + 1} ${round(Math.max(...rssSamples.filter((x) => Math.floor(x.atSeconds / 60) === minute).map((x) => x.mb)))}`)
        .join(', ');
    }
    return {
      ...soakFigures,
      [`${p} import of ${profile.soak ? SOAK_IMPORT_TICKETS : TICKETS} tickets before the run, through the queue (s)`]: round(importSeconds, 1),
      [`${p} then its history dated by the ticket events stream (unpaced) and customers refreshed, before the run (s)`]: round(historySeconds, 1),
      [`${p} deliveries planned, sent`]: `${report.planned}, ${report.sent}`,
      [`${p} achieved send rate (deliveries/s)`]: round(report.sent / Math.max(report.sendingSeconds, 0.001)),
      [`${p} acknowledged 200`]: acked.length,
      [`${p} acknowledgement throughput, first send to last answer (acks/s)`]: round(acked.length / ((lastAck - firstSend) / 1000)),
      [`${p} this process's CPU from sender start to its exit (% of one core)`]: round(cpuShare * 100),
      [`${p} not 200 (by status)`]: statuses.size === 0 ? 0 : [...statuses].map(([k, v]) => `${k}: ${v}`).join('; '),
      [`${p} ack latency p50 / p99 / max (ms)`]: `${round(percentile(acks, 50), 1)} / ${round(percentile(acks, 99), 1)} / ${round(Math.max(...acks), 1)}`,
      [`${p} ack latency after the first second (a cold process warming up) p50 / p99 (ms)`]: (() => {
        const warm = acked.filter((r) => r.sentAtMs - firstSend >= 1000).map((r) => r.ackMs as number);
        return `${round(percentile(warm, 50), 1)} / ${round(percentile(warm, 99), 1)}`;
      })(),
      [`${p} ack latency p99 by second of sending (ms)`]: (() => {
        const bySecond = new Map<number, number[]>();
        for (const r of acked) {
          const second = Math.floor((r.sentAtMs - firstSend) / 1000);
          bySecond.set(second, [...(bySecond.get(second) ?? []), r.ackMs as number]);
        }
        return [...bySecond.entries()].sort(([a], [b]) => a - b).map(([second, values]) => `s${second + 1} ${round(percentile(values, 99))}`).join(', ');
      })(),
      [`${p} our event loop delay while sending p50 / p99 / max (ms)`]: `${round(loopDelay.percentile(50) / 1e6, 1)} / ${round(loopDelay.percentile(99) / 1e6, 1)} / ${round(loopDelay.max / 1e6, 1)}`,
      [`${p} acks over 5 s: count, send offset of the first / last (s)`]: slowAcks(acked, firstSend),
      [`${p} sender connections accepted by our server, from the first accept to the last (s)`]: (() => {
        const run = accepts.slice(acceptsBefore);
        return `${run.length}, ${run.length > 1 ? round(((run.at(-1) as number) - (run[0] as number)) / 1000, 1) : 0}`;
      })(),
      [`${p} waiting in the sender for a free connection p50 / p99 / max (ms)`]: (() => {
        const waits = acked.map((r) => r.connectionMs ?? 0);
        return `${round(percentile(waits, 50), 1)} / ${round(percentile(waits, 99), 1)} / ${round(Math.max(...waits), 1)}`;
      })(),
      [`${p} send -> received_at p50 / p99 (ms)`]: `${round(percentile(toReceived, 50), 1)} / ${round(percentile(toReceived, 99), 1)}`,
      [`${p} delivery-to-stored (processed_at - send) p50 / p90 / p99 / max (ms)`]: [50, 90, 99, 100].map((q) => round(percentile(toStored, q))).join(' / '),
      [`${p} delivery-to-stored over 1 s (share of processed)`]: `${round((toStored.filter((ms) => ms > 1000).length / Math.max(1, toStored.length)) * 100, 1)} %`,
      [`${p} waited after the last answer for processing (s, bound ${PROCESSING_WAIT_MS / 1000})`]: round(waitedSeconds, 1),
      [`${p} tickets named by the deliveries / written with a newer version (the rest: duplicates, nothing to write)`]: `${refreshed?.named ?? 0} / ${refreshed?.written ?? 0}`,
      [`${p} lost (acknowledged 200, no delivery row)`]: lost,
      [`${p} acknowledged and stored but not processed within the wait`]: unprocessed,
      [`${p} show_many calls (paced account requests during the run)`]: deps.config.ZENDESK_REQUESTS_PER_MINUTE > 0 ? showManyCalls : 'not counted (pacing off)',
      [`${p} webhook jobs completed / failed / queued`]: `${jobs.completed} / ${jobs.failed} / ${jobs.queued}`,
      [`${p} log errors / warnings`]: `${errors.length} / ${warnings.length}${firstProblem ? ` (first: ${String(firstProblem.msg)})` : ''}`,
    };
  } finally {
    await app?.close().catch(() => {});
    scheduler?.stop();
    await queue?.stop({ timeoutMs: 10_000 }).catch(() => {});
    await bench.destroy();
    if (process.env.BENCH_KEEP_LOGS) console.error(`${engine}: our log kept at ${log.path}`);
    else log.remove();
    rmSync(configDir, { recursive: true, force: true });
  }
}

function slowAcks(acked: SenderReport['results'], firstSend: number): string {
  const slow = acked.filter((r) => (r.ackMs as number) > 5000).map((r) => (r.sentAtMs - firstSend) / 1000);
  if (slow.length === 0) return '0';
  return `${slow.length}, ${round(Math.min(...slow), 1)} / ${round(Math.max(...slow), 1)}`;
}


await runIfMain(import.meta.url, benchWebhooks);
