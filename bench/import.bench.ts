/**
 * Historical import benchmark: runSync over the emulator's cursor export of BENCH_IMPORT_TICKETS
 * tickets (default 100,000; users and organizations side-loaded), on PostgreSQL (when reachable,
 * in a throwaway schema) and on file-backed PGlite (throwaway DATA_DIR), with rate limits and
 * pacing off. The emulator runs as a separate process, so this process's RSS is the import's.
 * Alongside: two ceilings (the export fetched and parsed without a database; the same rows
 * upserted without HTTP) and an import under the emulator's realistic, time-scaled rate limits.
 * After each engine's import, the ticket events stream's full pass over the same account (also
 * unpaced) and the customer refresh it triggers, which together date every ticket's history: one
 * customer per organization is given its tickets first (outside the timings; the import itself
 * matches none, as before), so the refresh has the customers' daily history to rebuild.
 * Reports figures; never passes or fails on them. Run alone: `npx tsx bench/import.bench.ts`.
 */
import { availableParallelism } from 'node:os';
import type { Db } from '../src/db/db.ts';
import { connectWithApiToken } from '../src/modules/connections/connections.service.ts';
import { runSync } from '../src/modules/ingest/sync.service.ts';
import { runTicketEventsStream } from '../src/modules/ingest/ticket-events-stream.ts';
import { refreshPendingCustomers } from '../src/modules/aggregates/customer-refresh.ts';
import { analyzeChangedTables } from '../src/db/statistics.ts';
import { encodeTickets, upsertOrganizations, upsertTickets, upsertUsers } from '../src/modules/ingest/sync.repo.ts';
import { pageRows, type PageRows } from '../src/modules/ingest/ticket-rows.ts';
import { createUser } from '../src/modules/users/auth.service.ts';
import { recordSyncRequests } from '../src/test-deps.ts';
import { ZendeskClient } from '../src/zendesk/client.ts';
import { fetchTicketExportPage } from '../src/zendesk/incremental-export.ts';
import {
  EMULATOR_AGENT_EMAIL,
  EMULATOR_API_TOKEN,
  POSTGRES_SKIPPED,
  benchDeps,
  fileLogger,
  loadAverage,
  openBenchDb,
  peakRssMb,
  postgresCpuMs,
  postgresReachable,
  postgresUrl,
  processCpuMs,
  resetPeakRss,
  round,
  rssMb,
  runIfMain,
  sampleRss,
  startEmulatorChild,
  type Figures,
} from './helpers.ts';

type Engine = 'postgres' | 'pglite';
type Rows = PageRows;

const USERS = 20_000;
const ORGANIZATIONS = 500;
const CEILING_PAGES = 10;
const CEILING_CONNECTIONS = 10;
/** The time-scaled, rate-limited import. */
const REALISTIC_TICKETS = 15_000;
const REALISTIC_USERS = 3_000;
const REALISTIC_ORGANIZATIONS = 100;
/**
 * Real time (time-scale 1): our pacer works in real minutes, so only at Zendesk's own pace do the
 * product's settings (10 export requests a minute, ZENDESK_EXPORT_REQUESTS_PER_MINUTE's default)
 * meet the emulator's limit as they would meet Zendesk's. 15,000 tickets are 15 export requests:
 * one full window of 10, then 5 more a minute after the first.
 */
const REALISTIC_TIME_SCALE = 1;
const EXPORT_LIMIT_PER_WINDOW = 10;
const REALISTIC_WINDOW_SECONDS = 60 / REALISTIC_TIME_SCALE;
const REALISTIC_EXPORT_PER_MINUTE = EXPORT_LIMIT_PER_WINDOW * REALISTIC_TIME_SCALE;
const REALISTIC_BUDGET_MS = 300_000;

function ticketsToImport(): number {
  const raw = process.env.BENCH_IMPORT_TICKETS;
  const value = raw === undefined || raw === '' ? 100_000 : Number(raw);
  if (!Number.isInteger(value) || value < 1000 || value > 2_000_000) throw new Error(`BENCH_IMPORT_TICKETS must be a whole number from 1000 to 2000000, got "${raw}"`);
  return value;
}

/** BENCH_IMPORT_ENGINES=postgres (or pglite) measures one engine only, e.g. for a 1M-ticket run. */
function enginesAsked(): Engine[] {
  const raw = process.env.BENCH_IMPORT_ENGINES;
  if (raw === undefined || raw === '') return ['postgres', 'pglite'];
  const asked = raw.split(',').map((name) => name.trim());
  const unknown = asked.filter((name) => name !== 'postgres' && name !== 'pglite');
  if (unknown.length > 0 || asked.length === 0) throw new Error(`BENCH_IMPORT_ENGINES takes postgres and/or pglite, got "${raw}"`);
  return asked as Engine[];
}

export async function benchImport(): Promise<Figures> {
  const tickets = ticketsToImport();
  const figures: Figures = {
    'tickets generated (BENCH_IMPORT_TICKETS)': tickets,
    'users / organizations generated': `${USERS} / ${ORGANIZATIONS}`,
    'cores (the emulator, PostgreSQL and this process share them)': availableParallelism(),
    'load average (1 min) at start': loadAverage(),
  };
  const postgres = await postgresReachable(postgresUrl());
  const asked = enginesAsked();
  const engines = asked.filter((engine) => engine === 'pglite' || postgres);
  if (!postgres && asked.includes('postgres')) figures['postgres'] = POSTGRES_SKIPPED;

  const emulator = await startEmulatorChild(['--tickets', String(tickets), '--users', String(USERS), '--orgs', String(ORGANIZATIONS)]);
  const importRates = new Map<Engine, number>();
  const upsertRates = new Map<Engine, number>();
  let fetchRate: number;
  try {
    for (const engine of engines) {
      const measured = await measureImport(engine, emulator.url, emulator.pid);
      importRates.set(engine, measured.ticketsPerSecond);
      Object.assign(figures, measured.figures);
    }
    const ceiling = await measureFetchCeiling(emulator.url);
    fetchRate = ceiling.ticketsPerSecond;
    Object.assign(figures, ceiling.figures);
    for (const engine of engines) {
      const rate = await measureUpsertCeiling(engine, ceiling.firstPages);
      upsertRates.set(engine, rate);
      figures[`ceiling b, ${engine}: ${CEILING_PAGES} pages upserted into ${CEILING_CONNECTIONS} connections, no HTTP (rows/s)`] = Math.round(rate);
    }
  } finally {
    await emulator.stop();
  }
  for (const engine of engines) {
    const lower = Math.min(fetchRate, upsertRates.get(engine) ?? Infinity);
    const rate = importRates.get(engine) ?? 0;
    figures[`${engine} import share of the lower ceiling (import / min(a, b))`] = `${Math.round((rate / lower) * 100)} %`;
    // What a loop that fetched a page, then wrote it, would reach (the two costs added up). runSync
    // fetches and prepares the next page while it writes this one, so it can pass this bound.
    const serial = 1 / (1 / fetchRate + 1 / (upsertRates.get(engine) ?? Infinity));
    figures[`${engine} fetch-then-write bound 1/(1/a + 1/b) (tickets/s), import share of it`] = `${Math.round(serial)}, ${Math.round((rate / serial) * 100)} %`;
  }
  // BENCH_IMPORT_REALISTIC=off skips the real-time (about two minutes per engine) rate-limited run.
  if (process.env.BENCH_IMPORT_REALISTIC !== 'off') Object.assign(figures, await measureRealisticImport(engines, importRates));
  figures['load average (1 min) at end'] = loadAverage();
  return figures;
}

async function connect(db: Db, url: string, env: NodeJS.ProcessEnv, subdomain = 'acme') {
  const log = fileLogger('info');
  const deps = benchDeps(
    db,
    log.logger,
    { ZENDESK_URL_TEMPLATE: `${url}/{subdomain}`, PUBLIC_URL: 'http://127.0.0.1:9', ZENDESK_EXPORT_REQUESTS_PER_MINUTE: '0', ZENDESK_REQUESTS_PER_MINUTE: '0', ...env },
    recordSyncRequests(),
  );
  const admin = await createUser(db, { email: 'admin@bench.test', name: 'Bench admin', role: 'admin', password: null });
  const connection = await connectWithApiToken(deps, admin, { subdomain, email: EMULATOR_AGENT_EMAIL, apiToken: EMULATOR_API_TOKEN });
  return { deps, connectionId: connection.id, log };
}

async function countTickets(db: Db, connectionId: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM zendesk_tickets WHERE connection_id = $1', [connectionId]);
  return rows[0]?.n ?? 0;
}

/** CPU used so far by this process, the emulator and (on PostgreSQL) the local server, in ms; null where /proc cannot tell. */
function cpuNow(engine: Engine, emulatorPid: number) {
  const own = process.cpuUsage();
  return { ours: (own.user + own.system) / 1000, emulator: processCpuMs(emulatorPid), postgres: engine === 'postgres' ? postgresCpuMs() : 0 };
}

/**
 * Where the CPU of an import went, per 1,000 tickets, and the rate it allows: the three processes
 * share the machine's cores, so the import cannot go faster than cores / (CPU per ticket), however
 * well fetching and writing overlap.
 */
function cpuFigures(engine: Engine, before: ReturnType<typeof cpuNow>, after: ReturnType<typeof cpuNow>, tickets: number, rate: number): Figures {
  if (before.emulator === null || after.emulator === null || before.postgres === null || after.postgres === null) return { [`${engine} CPU per 1,000 tickets`]: 'not measurable here (no /proc)' };
  const per1000 = (ms: number) => (ms * 1000) / tickets;
  const ours = per1000(after.ours - before.ours);
  const emulator = per1000(after.emulator - before.emulator);
  const postgres = per1000(after.postgres - before.postgres);
  const total = ours + emulator + postgres;
  const cores = availableParallelism();
  const allowed = (cores * 1_000_000) / total;
  const oursLabel = engine === 'pglite' ? 'this process (PGlite runs in it)' : 'this process';
  return {
    [`${engine} CPU per 1,000 tickets (ms): ${oursLabel} / emulator / PostgreSQL server / total`]: `${round(ours)} / ${round(emulator)} / ${engine === 'postgres' ? round(postgres) : '-'} / ${round(total)}`,
    [`${engine} rate that CPU allows on ${cores} cores, cores / CPU per ticket (tickets/s), import share of it`]: `${Math.round(allowed)}, ${Math.round((rate / allowed) * 100)} %`,
  };
}

async function measureImport(engine: Engine, url: string, emulatorPid: number): Promise<{ ticketsPerSecond: number; figures: Figures }> {
  const bench = await openBenchDb(engine);
  try {
    const { deps, connectionId, log } = await connect(bench.db, url, {});
    const baseline = rssMb();
    const hwmReset = resetPeakRss();
    const sampler = sampleRss(100);
    const cpuBefore = cpuNow(engine, emulatorPid);
    const start = performance.now();
    const result = await runSync(deps, connectionId);
    const seconds = (performance.now() - start) / 1000;
    const cpuAfter = cpuNow(engine, emulatorPid);
    const peak = sampler.stop();
    const hwm = hwmReset ? peakRssMb() : null;
    log.remove();
    if (result.outcome !== 'synced') throw new Error(`${engine} import ended ${result.outcome}: ${result.error ?? ''}`);
    const stored = await countTickets(bench.db, connectionId);
    if (stored !== result.tickets) throw new Error(`${engine} import: ${stored} ticket rows stored, ${result.tickets} tickets served`);
    const rate = result.tickets / seconds;
    const note = engine === 'pglite' ? ' (includes the PGlite WASM heap)' : '';
    const dated = await measureHistoryDating(engine, bench.db, deps, connectionId, result.tickets, seconds);
    return {
      ticketsPerSecond: rate,
      figures: {
        [`${engine} import: tickets stored = served, pages`]: `${stored}, ${result.pages}`,
        [`${engine} import wall time (s)`]: round(seconds, 1),
        [`${engine} import rate (tickets/s)`]: Math.round(rate),
        [`${engine} RSS before the import (MB)${note}`]: baseline,
        [`${engine} peak RSS during the import, sampled every 100 ms (MB)${note}`]: peak,
        ...(hwm === null ? {} : { [`${engine} peak RSS during the import, kernel VmHWM (MB)`]: hwm }),
        ...cpuFigures(engine, cpuBefore, cpuAfter, result.tickets, rate),
        ...dated,
      },
    };
  } finally {
    await bench.destroy();
  }
}

/** One customer per organization, given that organization's tickets (as an organization mapping would). */
async function giveTicketsToCustomers(db: Db, connectionId: string): Promise<number> {
  await db.query(
    `WITH c AS (INSERT INTO customers (name, domains) SELECT o.name || ' ' || o.zendesk_organization_id, o.domain_names FROM zendesk_organizations o WHERE o.connection_id = $1
                RETURNING id, name)
     INSERT INTO zendesk_organization_mappings (connection_id, zendesk_organization_id, customer_id)
     SELECT $1, o.zendesk_organization_id, c.id FROM zendesk_organizations o JOIN c ON c.name = o.name || ' ' || o.zendesk_organization_id WHERE o.connection_id = $1`,
    [connectionId],
  );
  const matched = await db.query(
    `UPDATE zendesk_tickets t SET customer_id = m.customer_id, match_method = 'organization'
       FROM zendesk_organization_mappings m
      WHERE t.connection_id = $1 AND m.connection_id = $1 AND m.zendesk_organization_id = t.organization_zendesk_id`,
    [connectionId],
  );
  return matched.rowCount ?? 0;
}

/**
 * The ticket events stream's full pass after the import (unpaced, like the import), then the
 * customer refresh it marks: after both, every ticket's history is dated at Zendesk's audits and
 * the customers' stored daily metrics are rebuilt from it.
 */
async function measureHistoryDating(engine: Engine, db: Db, deps: Parameters<typeof runTicketEventsStream>[0], connectionId: string, tickets: number, importSeconds: number): Promise<Figures> {
  const matched = await giveTicketsToCustomers(db, connectionId);
  await db.query('DELETE FROM customer_refresh_requests');
  // As the product's refresh sweep does within a minute of such a change (not running here).
  await analyzeChangedTables(db);
  const streamStart = performance.now();
  const stream = await runTicketEventsStream(deps, connectionId);
  const streamSeconds = (performance.now() - streamStart) / 1000;
  if (stream.outcome !== 'streamed') throw new Error(`${engine} ticket events stream ended ${stream.outcome}: ${stream.error ?? ''}`);
  const refreshStart = performance.now();
  // As the sync job does after a stream run, before it wakes the refresh.
  await analyzeChangedTables(db);
  const refreshed = await refreshPendingCustomers(db);
  const refreshSeconds = (performance.now() - refreshStart) / 1000;
  const total = importSeconds + streamSeconds + refreshSeconds;
  return {
    [`${engine} ticket events stream: tickets given to customers, audit pages, history events streamed, customer marks (summed over pages)`]: `${matched}, ${stream.pages}, ${stream.events}, ${stream.marked}`,
    [`${engine} ticket events stream wall time (s)`]: round(streamSeconds, 1),
    [`${engine} ticket events stream rate (events/s)`]: Math.round(stream.events / streamSeconds),
    [`${engine} customer refresh after the stream: customers refreshed, wall time (s)`]: `${refreshed}, ${round(refreshSeconds, 1)}`,
    [`${engine} tickets with their history dated per second, tickets / (import + stream + refresh s)`]: Math.round(tickets / total),
  };
}

/** Ceiling a: the whole export fetched and parsed (fetchTicketExportPage + pageRows), no database. Keeps the first pages' rows for ceiling b. */
async function measureFetchCeiling(url: string): Promise<{ ticketsPerSecond: number; firstPages: Rows[]; figures: Figures }> {
  const client = new ZendeskClient({
    baseUrl: `${url}/acme`,
    credentials: () => ({ method: 'api_token', email: EMULATOR_AGENT_EMAIL, apiToken: EMULATOR_API_TOKEN }),
  });
  const firstPages: Rows[] = [];
  let cursor: string | null = null;
  let tickets = 0;
  let pages = 0;
  const start = performance.now();
  for (let guard = 0; guard < 10_000; guard += 1) {
    const page = await fetchTicketExportPage(client, cursor);
    const rows = pageRows(page);
    if (firstPages.length < CEILING_PAGES) firstPages.push(rows);
    tickets += rows.tickets.length;
    pages += 1;
    cursor = page.after_cursor ?? cursor;
    if (page.end_of_stream) break;
  }
  const seconds = (performance.now() - start) / 1000;
  return {
    ticketsPerSecond: tickets / seconds,
    firstPages,
    figures: {
      'ceiling a: export fetched + parsed, no database: tickets, pages': `${tickets}, ${pages}`,
      'ceiling a: export fetched + parsed, no database (tickets/s)': Math.round(tickets / seconds),
    },
  };
}

/** Ceiling b: the kept pages upserted as runSync writes them (one transaction per page), into bare connections. */
async function measureUpsertCeiling(engine: Engine, pages: Rows[]): Promise<number> {
  const bench = await openBenchDb(engine);
  try {
    const connections: string[] = [];
    for (let n = 0; n < CEILING_CONNECTIONS; n += 1) {
      const { rows } = await bench.db.query<{ id: string }>(`INSERT INTO zendesk_connections (subdomain, auth_method) VALUES ($1, 'api_token') RETURNING id`, [`ceiling${n}`]);
      connections.push((rows[0] as { id: string }).id);
    }
    let written = 0;
    const start = performance.now();
    for (const connectionId of connections) {
      for (const rows of pages) {
        written += await bench.db.transaction(async (tx) => {
          await upsertOrganizations(tx, connectionId, rows.organizations);
          await upsertUsers(tx, connectionId, rows.users);
          return (await upsertTickets(tx, connectionId, encodeTickets(rows.tickets), [])).length;
        });
      }
    }
    const seconds = (performance.now() - start) / 1000;
    const expected = CEILING_CONNECTIONS * pages.reduce((sum, rows) => sum + rows.tickets.length, 0);
    if (written !== expected) throw new Error(`ceiling b on ${engine}: ${written} rows written, ${expected} expected`);
    return written / seconds;
  } finally {
    await bench.destroy();
  }
}

/**
 * The import under Zendesk's limits, time-scaled: the emulator allows 10 export requests per
 * minute (a window starting with its first request) and answers 429 with Retry-After beyond; we
 * pace at the product's default, 10 a minute. The bound those limits set: export request i (from 0)
 * cannot be served before floor(i / 10) windows have passed, and the pages of the last window
 * still have to be written (at the unpaced import rate measured above). 429s are counted by
 * watching this process's fetch.
 */
async function measureRealisticImport(engines: Engine[], unpacedRates: Map<Engine, number>): Promise<Figures> {
  const figures: Figures = {};
  const subdomains = engines.map((engine) => (engine === 'postgres' ? 'pgacct' : 'liteacct'));
  const emulator = await startEmulatorChild([
    '--rate-limits',
    'realistic',
    '--time-scale',
    String(REALISTIC_TIME_SCALE),
    '--subdomains',
    subdomains.join(','),
    '--tickets',
    String(REALISTIC_TICKETS),
    '--users',
    String(REALISTIC_USERS),
    '--orgs',
    String(REALISTIC_ORGANIZATIONS),
  ]);
  const realFetch = globalThis.fetch;
  const seen = { exportRequests: 0, export429: 0, other429: 0 };
  globalThis.fetch = (async (...args: Parameters<typeof fetch>) => {
    const response = await realFetch(...args);
    const target = args[0] instanceof Request ? args[0].url : String(args[0]);
    const isExport = target.includes('/api/v2/incremental/');
    if (isExport) seen.exportRequests += 1;
    if (response.status === 429) {
      if (isExport) seen.export429 += 1;
      else seen.other429 += 1;
    }
    return response;
  }) as typeof fetch;
  try {
    for (const [index, engine] of engines.entries()) {
      const bench = await openBenchDb(engine);
      try {
        const { deps, connectionId, log } = await connect(bench.db, emulator.url, { ZENDESK_EXPORT_REQUESTS_PER_MINUTE: String(REALISTIC_EXPORT_PER_MINUTE) }, subdomains[index]);
        Object.assign(seen, { exportRequests: 0, export429: 0, other429: 0 });
        const start = performance.now();
        const result = await runSync(deps, connectionId, { maxDurationMs: REALISTIC_BUDGET_MS });
        const seconds = (performance.now() - start) / 1000;
        const warnings = log.lines().filter((line) => Number(line.level) >= 40).length;
        log.remove();
        const stored = await countTickets(bench.db, connectionId);
        const fullWindows = Math.floor((seen.exportRequests - seen.export429 - 1) / EXPORT_LIMIT_PER_WINDOW);
        const lastWindowTickets = Math.max(0, result.tickets - fullWindows * EXPORT_LIMIT_PER_WINDOW * 1000);
        const unpacedRate = unpacedRates.get(engine);
        const boundSeconds = fullWindows * REALISTIC_WINDOW_SECONDS + (unpacedRate ? lastWindowTickets / unpacedRate : 0);
        const prefix = `${engine} realistic limits (--time-scale ${REALISTIC_TIME_SCALE}, ${REALISTIC_TICKETS} tickets, pacing ${REALISTIC_EXPORT_PER_MINUTE}/min)`;
        figures[`${prefix}: outcome, tickets stored, pages`] = `${result.outcome}, ${stored}, ${result.pages}`;
        figures[`${prefix}: wall time (s)`] = round(seconds, 1);
        figures[`${prefix}: bound = ${EXPORT_LIMIT_PER_WINDOW} export requests per ${REALISTIC_WINDOW_SECONDS} s window, then the last window's tickets at the unpaced rate (s)`] = round(boundSeconds, 1);
        figures[`${prefix}: wall / bound`] = round(seconds / boundSeconds, 2);
        const unpaced = unpacedRates.get(engine);
        if (unpaced) figures[`${prefix}: the same tickets at the unpaced import rate above (s)`] = round(result.tickets / unpaced, 1);
        figures[`${prefix}: export requests sent, 429s on export, 429s elsewhere`] = `${seen.exportRequests}, ${seen.export429}, ${seen.other429}`;
        figures[`${prefix}: warnings in our log`] = warnings;
      } finally {
        await bench.destroy();
      }
    }
  } finally {
    globalThis.fetch = realFetch;
    await emulator.stop();
  }
  return figures;
}

await runIfMain(import.meta.url, benchImport);
