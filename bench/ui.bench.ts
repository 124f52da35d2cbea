/**
 * UI benchmark: the first load of a customer page with 1,000 tickets, in Debian's Chromium, against
 * the real server (buildApp, listening) on PGlite and on PostgreSQL when reachable. Measured from
 * navigation start until the page shows its open tickets, support metrics and health explanation;
 * "cold" in a fresh browser profile (no cache: HTML, scripts, styles and every API call), "warm" a
 * second visit with the scripts cached. Also the compressed size of the scripts a first visit loads.
 * Reports figures; never passes or fails on them. Run alone with `npx tsx bench/ui.bench.ts`.
 */
import { existsSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { buildApp } from '../src/http/app.ts';
import { upsertCustomers } from '../src/modules/customers/customers.service.ts';
import { insertConnection, insertTickets, seededRandom } from '../src/modules/tickets/tickets-test-data.ts';
import { createUser } from '../src/modules/users/auth.service.ts';
import { createLogger } from '../src/lib/logger.ts';
import { CHROMIUM, launchBrowser } from '../test/e2e/browser.ts';
import { freePort } from '../test/process-helpers.ts';
import { buildWeb } from '../web/build.ts';
import { benchDeps, openBenchDb, percentile, POSTGRES_SKIPPED, postgresReachable, postgresUrl, round, runIfMain, type Figures } from './helpers.ts';

const TICKETS = 1000;
const RUNS = 7;
const PASSWORD = 'bench password 123';

/** Milliseconds from navigation start until the customer page shows tickets, metrics and health. */
async function loadCustomerPage(page: Page, url: string): Promise<number> {
  await page.goto(url, { waitUntil: 'commit' });
  await page.locator('.ticket-list .ticket').first().waitFor({ timeout: 30_000 });
  await page.getByRole('heading', { name: 'CSAT trend' }).waitFor({ timeout: 30_000 });
  await page.getByRole('table', { name: /Why the support score is/ }).waitFor({ timeout: 30_000 });
  return page.evaluate(() => (globalThis as unknown as { performance: { now(): number } }).performance.now());
}

async function measure(engine: 'pglite' | 'postgres'): Promise<Figures> {
  const bench = await openBenchDb(engine);
  const deps = benchDeps(bench.db, createLogger('silent'), {});
  const app = await buildApp(deps);
  const port = await freePort();
  await app.listen({ port, host: '127.0.0.1' });
  try {
    const connection = await insertConnection(bench.db, 'bench');
    const { customers } = await upsertCustomers(bench.db, [{ externalId: 'big', name: 'Big Customer', domains: ['big.example'] }]);
    const customerId = customers[0]!.id;
    await insertTickets(bench.db, { connections: [connection], customerId, count: TICKETS, random: seededRandom(7), firstZendeskId: 1, nowMs: Date.now() });
    await bench.db.query(
      `INSERT INTO zendesk_ticket_events (connection_id, zendesk_ticket_id, kind, to_value, occurred_at, source)
       SELECT connection_id, zendesk_ticket_id, 'created', status, zendesk_created_at, 'import' FROM zendesk_tickets WHERE customer_id = $1`,
      [customerId],
    );
    await createUser(bench.db, { email: 'bench@cscx.test', name: 'Bench', role: 'admin', password: PASSWORD });
    const base = `http://127.0.0.1:${port}`;
    const url = `${base}/customers/${customerId}`;
    const cold: number[] = [];
    const warm: number[] = [];
    let scriptBytes = 0;
    for (let run = 0; run < RUNS; run++) {
      const browser = await launchBrowser();
      try {
        const signIn = await browser.context.request.post(`${base}/api/auth/sign-in`, { data: { email: 'bench@cscx.test', password: PASSWORD } });
        if (!signIn.ok()) throw new Error(`sign-in failed: ${signIn.status()}`);
        const page = await browser.context.newPage();
        let bytes = 0;
        page.on('response', (response) => {
          if (response.url().includes('/assets/') && response.url().endsWith('.js')) void response.headerValue('content-length').then((v) => (bytes += Number(v ?? 0)));
        });
        cold.push(await loadCustomerPage(page, url));
        if (run === 0) scriptBytes = bytes;
        // The metrics of past days are built on first read: a first visit pays for it once.
        warm.push(await loadCustomerPage(page, url));
      } finally {
        await browser.close();
      }
    }
    // The first cold run also built the customer's daily metrics; report it apart.
    return {
      [`${engine}: first visit ever, ${TICKETS} tickets (ms)`]: round(cold[0]!),
      [`${engine}: cold load p50 (new browser, no cache) (ms)`]: round(percentile(cold.slice(1), 50)),
      [`${engine}: warm load p50 (scripts cached) (ms)`]: round(percentile(warm, 50)),
      ...(engine === 'pglite' ? { 'scripts on a customer page, compressed (KB)': round(scriptBytes / 1024, 1) } : {}),
    };
  } finally {
    await app.close();
    await bench.destroy();
  }
}

export async function benchUi(): Promise<Figures> {
  if (!existsSync(CHROMIUM)) return { ui: `skipped: no Chromium at ${CHROMIUM} (apt-get install -y chromium)` };
  await buildWeb({ ifStale: true, quiet: true });
  const figures: Figures = { ...(await measure('pglite')) };
  if (await postgresReachable(postgresUrl())) Object.assign(figures, await measure('postgres'));
  else figures.postgres = POSTGRES_SKIPPED;
  return figures;
}

await runIfMain(import.meta.url, benchUi);
