/**
 * `npm run screenshots`: refreshes the pictures in docs/screenshots/. Runs `npm run demo` (the
 * emulator, the product on a fresh embedded database in a temporary folder, customers, both
 * subdomains imported; no live activity), signs in as the demo admin in Debian's Chromium (the
 * browser of the end-to-end tests) and writes customers.png (the customers list) and customer.png
 * (a customer with escalated open tickets, ratings and a health score). Then stops the demo.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { launchBrowser } from '../test/e2e/browser.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = join(ROOT, 'docs', 'screenshots');
const DEMO = { email: 'demo@cscx.test', password: 'cscx-demo-password', apiKey: 'cscx-demo-admin-api-key-0123456789abcdef' };
/** Floating toasts and the chat button are left out of the pictures. */
const HIDDEN = '.toasts, .chat-toggle { display: none !important; }';

interface OverviewCustomer {
  id: string;
  name: string;
  openTickets: number;
  escalatedOpen: number;
  csat: number | null;
  health: { overall: number | null } | null;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Starts the demo and resolves with its URL once it prints "demo ready". */
function startDemo(dataDir: string, port: number) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/demo.ts', '--fresh', '--no-activity', '--port', String(port), '--emulator-port', '0', '--data-dir', dataDir, '--duration-s', '900'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const ready = new Promise<string>((resolve, reject) => {
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      process.stdout.write(chunk);
      output += chunk.toString();
      const url = /CSCX is running at (\S+)/.exec(output)?.[1];
      if (url && output.includes('demo ready')) resolve(url);
    });
    void exited.then((code) => reject(new Error(`the demo stopped before it was ready (exit code ${code})`)));
  });
  return {
    ready,
    async stop(): Promise<void> {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** A customer with escalated open tickets, CSAT and a health score, and a page of moderate length. */
function pickCustomer(customers: OverviewCustomer[]): OverviewCustomer {
  const rich = customers.filter((c) => c.escalatedOpen > 0 && c.csat !== null && c.health?.overall != null);
  const pool = rich.length > 0 ? rich : customers;
  const picked = [...pool].sort((a, b) => Math.abs(a.openTickets - 15) - Math.abs(b.openTickets - 15) || a.name.localeCompare(b.name))[0];
  if (!picked) throw new Error('the demo has no customers');
  return picked;
}

async function shoot(page: Page, name: string, fullPage: boolean): Promise<void> {
  const path = join(OUT, `${name}.png`);
  await page.screenshot({ path, fullPage, style: HIDDEN });
  console.log(`screenshots: wrote ${path}`);
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'cscx-screenshots-'));
  const demo = startDemo(dataDir, await freePort());
  try {
    const url = await demo.ready;
    const response = await fetch(`${url}/api/customers/overview`, { headers: { authorization: `Bearer ${DEMO.apiKey}` } });
    if (!response.ok) throw new Error(`GET /api/customers/overview answered ${response.status}`);
    const customer = pickCustomer(((await response.json()) as { customers: OverviewCustomer[] }).customers);

    mkdirSync(OUT, { recursive: true });
    const browser = await launchBrowser();
    try {
      const page = await browser.context.newPage();
      await page.goto(`${url}/`);
      await page.getByLabel('Email').fill(DEMO.email);
      await page.getByLabel('Password').fill(DEMO.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Customers', level: 1 }).waitFor();
      await page.getByRole('link', { name: customer.name }).waitFor();
      await shoot(page, 'customers', false);

      await page.getByRole('link', { name: customer.name }).click();
      await page.getByRole('heading', { name: customer.name, level: 1 }).waitFor();
      await page.getByRole('list', { name: 'open tickets' }).waitFor();
      await page.getByRole('heading', { name: 'CSAT trend' }).waitFor();
      await page.getByRole('table', { name: /Why the support score is/ }).waitFor();
      await page.getByRole('heading', { name: 'Ticket history' }).waitFor();
      await page.waitForTimeout(1000); // the charts settle
      await shoot(page, 'customer', true);
    } finally {
      await browser.close();
    }
  } finally {
    await demo.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`screenshots: ${(error as Error).message}`);
    process.exit(1);
  },
);
