/**
 * Shared pieces of the import and webhook benchmarks: child processes (the emulator, the webhook
 * sender), PostgreSQL in a throwaway schema, PGlite in a throwaway DATA_DIR, dependencies built the
 * way main.ts and test-deps.ts build them, an RSS sampler, percentiles.
 */
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { pino } from 'pino';
import { runScript, type RunningProcess } from '../test/process-helpers.ts';
import { loadConfig } from '../src/config.ts';
import type { Db } from '../src/db/db.ts';
import { migrate } from '../src/db/migrate.ts';
import { openDatabase } from '../src/db/open-db.ts';
import { postgresDb } from '../src/db/postgres-db.ts';
import type { Deps } from '../src/deps.ts';
import { createLogger, type Logger } from '../src/lib/logger.ts';
import { addKey, createSecretBox } from '../src/lib/secret-box.ts';
import type { SyncRequests } from '../src/modules/ingest/sync-requests.ts';

export type Figures = Record<string, number | string>;

export const POSTGRES_SKIPPED = 'skipped: PostgreSQL not reachable';
export const EMULATOR_API_TOKEN = 'bench';
export const EMULATOR_AGENT_EMAIL = 'admin@example.com';

/** BENCH_DATABASE_URL, else TEST_DATABASE_URL, else the local server. */
export function postgresUrl(): string {
  return process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
}

export async function postgresReachable(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

export interface BenchDb {
  engine: 'postgres' | 'pglite';
  db: Db;
  /** Schema for the job queue's tables (dropped with the rest). */
  bossSchema: string;
  /** Drops what the run created and closes the database. */
  destroy(): Promise<void>;
}

/** A migrated database: a fresh schema on the PostgreSQL server, or file-backed PGlite in a temp DATA_DIR. */
export async function openBenchDb(engine: 'postgres' | 'pglite', options: { maxConnections?: number } = {}): Promise<BenchDb> {
  const suffix = randomBytes(4).toString('hex');
  const bossSchema = `pgboss_bench_${suffix}`;
  if (engine === 'postgres') {
    const url = postgresUrl();
    const schema = `bench_${suffix}`;
    const admin = postgresDb({ connectionString: url, maxConnections: 1 });
    await admin.exec(`CREATE SCHEMA ${schema}`);
    await admin.close();
    const db = postgresDb({ connectionString: url, schema, maxConnections: options.maxConnections ?? 10 });
    await migrate(db);
    return {
      engine,
      db,
      bossSchema,
      async destroy() {
        await db.close().catch(() => {});
        const cleanup = postgresDb({ connectionString: url, maxConnections: 1 });
        try {
          await cleanup.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE; DROP SCHEMA IF EXISTS ${bossSchema} CASCADE`);
        } finally {
          await cleanup.close();
        }
      },
    };
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'cscx-bench-'));
  const db = await openDatabase({ databaseUrl: undefined, dataDir });
  await migrate(db);
  return {
    engine,
    db,
    bossSchema,
    async destroy() {
      await db.close().catch(() => {});
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A logger writing JSON lines to a temp file (so the bench's output stays figures only). */
export function fileLogger(level: string): { logger: Logger; path: string; lines(): Array<Record<string, unknown>>; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'cscx-bench-log-'));
  const path = join(dir, 'log.jsonl');
  writeFileSync(path, '');
  const destination = pino.destination({ dest: path, sync: true });
  return {
    logger: createLogger(level, destination),
    path,
    lines: () =>
      readFileSync(path, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Dependencies as main.ts / test-deps.ts build them; sync requests recorded unless given. */
export function benchDeps(db: Db, logger: Logger, env: NodeJS.ProcessEnv, syncRequests?: SyncRequests): Deps {
  const noop: SyncRequests = { sync: async () => {}, processWebhooks: async () => {} };
  return {
    config: loadConfig({ LOG_LEVEL: 'silent', ...env }),
    db,
    logger,
    secrets: createSecretBox(addKey(undefined, 'bench')),
    syncRequests: syncRequests ?? noop,
  };
}

const children = new Set<RunningProcess>();
process.on('exit', () => {
  for (const child of children) if (child.child.exitCode === null && child.child.signalCode === null) child.child.kill('SIGKILL');
});

/** Runs `node --import tsx <script> args` from the repo root; killed with this process if still running. */
export function startChild(script: string, args: string[], env: NodeJS.ProcessEnv = {}): RunningProcess & { stopBounded(): Promise<void> } {
  const running = runScript(script, args, env);
  children.add(running);
  void running.exited.then(() => children.delete(running));
  return {
    ...running,
    async stopBounded() {
      if (running.child.exitCode !== null || running.child.signalCode !== null) return;
      running.child.kill('SIGTERM');
      const timer = setTimeout(() => running.child.kill('SIGKILL'), 10_000);
      await running.exited;
      clearTimeout(timer);
    },
  };
}

/**
 * V8 flags for the emulator's process. It stands in for Zendesk's servers, whose CPU is not ours,
 * yet here it shares the cores with what is measured. An export page is megabytes of short-lived
 * objects: with V8's default young generation they outgrow it on every page and are copied to the
 * old generation before they die. A larger one cut the emulator's CPU per page by about a quarter
 * (measured: 26 against 32-41 ms per 1,000 tickets). It changes no byte the emulator sends.
 */
const EMULATOR_NODE_OPTIONS = '--max-semi-space-size=64';

/** The emulator as a separate process; resolves once it listens. */
export async function startEmulatorChild(args: string[]): Promise<{ url: string; pid: number; stop(): Promise<void> }> {
  const nodeOptions = [process.env.NODE_OPTIONS, EMULATOR_NODE_OPTIONS].filter(Boolean).join(' ');
  const child = startChild('emulator/cli.ts', ['--port', '0', '--api-token', EMULATOR_API_TOKEN, ...args], { NODE_OPTIONS: nodeOptions });
  try {
    const line = await child.waitForLine(/zendesk emulator listening on http:\/\/\S+/, 180_000);
    const url = /(http:\/\/\S+)/.exec(line)?.[1];
    if (!url) throw new Error(`no URL in the emulator's line: ${line}`);
    return { url, pid: child.child.pid as number, stop: () => child.stopBounded() };
  } catch (error) {
    await child.stopBounded();
    throw error;
  }
}

const MB = 1024 * 1024;

/** Samples this process's RSS every `intervalMs`; `stop()` answers the peak in MB. */
export function sampleRss(intervalMs = 100): { stop(): number } {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      peak = Math.max(peak, process.memoryUsage.rss());
      return Math.round(peak / MB);
    },
  };
}

export function rssMb(): number {
  return Math.round(process.memoryUsage.rss() / MB);
}

/** Linux: resets VmHWM (this process's peak RSS) so that `peakRssMb()` covers what follows. */
export function resetPeakRss(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}

/** Linux VmHWM in MB (null elsewhere). */
export function peakRssMb(): number | null {
  try {
    const kb = /VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    return kb === undefined ? null : Math.round(Number(kb) / 1024);
  } catch {
    return null;
  }
}

let clockTicks: number | null | undefined;

/** CPU time (user + system, ms) a process has used so far, from /proc/<pid>/stat (Linux; null elsewhere). */
export function processCpuMs(pid: number | 'self'): number | null {
  try {
    clockTicks ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicks;
  } catch {
    return null;
  }
}

/**
 * CPU time (ms) used so far by every PostgreSQL server process on this machine (backends, WAL
 * writer, checkpointer...): the bench's server is local. Null where /proc cannot tell.
 */
export function postgresCpuMs(): number | null {
  try {
    let total = 0;
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      let stat: string;
      try {
        stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      } catch {
        continue; // gone meanwhile
      }
      if (stat.includes('(postgres)')) total += processCpuMs(Number(pid)) ?? 0;
    }
    return total;
  } catch {
    return null;
  }
}

/** Nearest-rank percentile of numbers (sorted here). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}

export function round(value: number, digits = 0): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs: number, everyMs = 100): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/**
 * Waits until the work an import sets off in the background is done: the ticket events stream has
 * reached its end (the history is dated as Zendesk dates it) and no customer waits for a refresh
 * (the daily metrics it re-dated are rebuilt). Answers the seconds it took. In production that
 * first pass is paced by Zendesk's export limit (10 pages a minute) and spreads over minutes; the
 * benches import unpaced, so without this wait it would run all at once inside the measurement.
 */
export async function waitForHistoryDated(db: Db, connectionId: string, timeoutMs = 300_000): Promise<number> {
  const started = performance.now();
  await waitFor(
    'the ticket events stream to reach its end and the customer refreshes to drain',
    async () => {
      const { rows } = await db.query<{ streamed: boolean; marks: number }>(
        `SELECT EXISTS (SELECT 1 FROM zendesk_ticket_events_stream WHERE connection_id = $1 AND last_streamed_at IS NOT NULL) AS streamed,
                (SELECT count(*)::int FROM customer_refresh_requests) AS marks`,
        [connectionId],
      );
      return rows[0]?.streamed === true && rows[0].marks === 0;
    },
    timeoutMs,
    200,
  );
  return (performance.now() - started) / 1000;
}

/** Runs a bench module's function when the module is the entry point, printing its figures. */
export async function runIfMain(moduleUrl: string, bench: () => Promise<Figures>): Promise<void> {
  if (!process.argv[1] || moduleUrl !== pathToFileURL(process.argv[1]).href) return;
  const figures = await bench();
  for (const [name, value] of Object.entries(figures)) console.log(`${name}: ${value}`);
  // Pools, pacers and sockets may keep the loop alive a little; the figures are out.
  process.exit(0);
}

/** The 1-minute load average (2 cores here): other work on the machine moves every figure. */
export function loadAverage(): number {
  return round(loadavg()[0] ?? 0, 2);
}
