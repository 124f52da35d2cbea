/**
 * `npm run demo`: the product, alive, in one command. Starts the Zendesk emulator (two subdomains,
 * realistic data) in this process, the product as a child process exactly as `npm start` runs it
 * (embedded database in its own DATA_DIR, ./data-demo), creates CSCX customers matching most of
 * the emulator's organizations, connects both subdomains (OAuth and API token), waits for the
 * historical imports, prints the URL and the demo login, then keeps ticket activity going through
 * the emulator's API (its signed webhooks reach the product). Ctrl-C (or --duration-s) stops the
 * activity, the product (SIGTERM, waited for) and the emulator. See `npm run demo -- --help`.
 * Without SMTP_URL in the environment, the product's mail (alert emails, digests) goes to a mail
 * catcher on loopback (demo-mail.ts) whose page the banner prints.
 *
 * The demo's admin login and API key are fixed and printed: the product listens on 127.0.0.1 only.
 */
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startEmulator, type RunningEmulator } from '../emulator/app.ts';
import { DataDirLockedError, lockDataDir } from '../src/db/data-dir-lock.ts';
import { startActivity, type Activity } from './demo-activity.ts';
import { startMailCatcher, type MailCatcher } from './demo-mail.ts';
import { HttpError, ProductApi, ZendeskApi } from './demo-http.ts';
import { DEMO_USAGE, DemoUsageError, parseDemoOptions, type DemoOptions } from './demo-options.ts';
import { REPO_ROOT, startProduct, type ProductProcess } from './demo-product.ts';
import {
  connectWithApiToken,
  connectWithOAuth,
  createCustomers,
  DEMO_CSMS,
  planCustomers,
  readOrganizations,
  removeOldConnections,
  waitForImports,
} from './demo-setup.ts';

export const DEMO_ADMIN = { email: 'demo@cscx.test', password: 'cscx-demo-password', apiKey: 'cscx-demo-admin-api-key-0123456789abcdef' } as const;
/** Our company's two Zendesk accounts: the main one and the EU one. */
const SUBDOMAINS = ['northwind', 'northwind-eu'] as const;
const AGENT_EMAIL = 'admin@northwind.example';
const ORGANIZATIONS = 30;

const startedAt = Date.now();
function say(text = ''): void {
  console.log(text);
}
function step(text: string): void {
  say(`[demo ${((Date.now() - startedAt) / 1000).toFixed(1).padStart(5)}s] ${text}`);
}
/** ./data-demo when under the working folder, else the absolute path. */
function shownPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel === '' ? '.' : rel.startsWith('..') || isAbsolute(rel) ? path : `./${rel}`;
}
function clock(): string {
  return new Date().toTimeString().slice(0, 8);
}

/** The demo's own DATA_DIR must not be in use when it is wiped: take its lock, then delete it. */
function wipeDataDir(dataDir: string): void {
  if (!existsSync(dataDir)) return;
  const lock = lockDataDir(dataDir);
  lock.release();
  rmSync(dataDir, { recursive: true, force: true });
}

/** What `npm start` does first (its prestart): build the web UI when its sources changed. */
async function buildWebIfStale(signal: AbortSignal): Promise<void> {
  if (!existsSync(join(REPO_ROOT, 'web', 'build.ts'))) return;
  const child = spawn(process.execPath, ['--import', 'tsx', 'web/build.ts', '--if-stale'], { cwd: REPO_ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
  const onAbort = () => child.kill('SIGTERM');
  signal.addEventListener('abort', onAbort);
  const code = await new Promise<number | null>((done) => child.once('exit', done));
  signal.removeEventListener('abort', onAbort);
  if (code !== 0 && !signal.aborted) step('warning: the web UI could not be built (see above); the API works, the pages may be missing or old');
}

function banner(
  options: DemoOptions,
  product: ProductProcess,
  emulator: RunningEmulator,
  mail: MailCatcher | null,
  setup: { customers: number; unmatched: string[]; withoutDomains: string[]; csms: string[]; oauth: boolean; logFile: string },
): void {
  const line = '-'.repeat(78);
  say();
  say(line);
  say(`  CSCX is running at ${product.url}`);
  say();
  say(`  Sign in as  ${DEMO_ADMIN.email}  /  ${DEMO_ADMIN.password}   (admin)`);
  say(`  API key     ${DEMO_ADMIN.apiKey}`);
  say(`              curl -H 'authorization: Bearer ${DEMO_ADMIN.apiKey}' ${product.url}/api/alerts`);
  say();
  say(`  Zendesk     emulator at ${emulator.url}: ${SUBDOMAINS[0]} (${setup.oauth ? 'connected by OAuth' : 'API token'}), ${SUBDOMAINS[1]} (API token)`);
  say(`              ${options.tickets} tickets and ${ORGANIZATIONS} organizations each`);
  say(`  Customers   ${setup.customers}, matched by their domains; CSMs: ${setup.csms.join(', ')} (no password; their alerts are routed to them)`);
  say(`  Unmatched   on purpose: ${setup.unmatched.join(', ')} (no customer)${setup.withoutDomains.length ? `; ${setup.withoutDomains.join(', ')} (a customer without domains: map it in one click)` : ''}`);
  say(
    mail
      ? `  Mail        caught, never delivered: read it at ${mail.url} (alert emails to the CSMs, digests); .eml files in ${shownPath(mail.dir)}`
      : '  Mail        sent through your SMTP_URL',
  );
  say(`  Logs        ${setup.logFile}`);
  say();
  say(
    options.activity
      ? `  Activity    a ticket event every ~${(options.activityIntervalMs / 1000).toFixed(1)} s below: new tickets, replies, escalations, ratings, spikes`
      : '  Activity    off (--no-activity)',
  );
  say(`  Ctrl-C stops everything; the data stays in ${options.dataDir} (--fresh starts over).`);
  say(line);
  say();
}

async function main(): Promise<number> {
  let options: DemoOptions | 'help';
  try {
    options = parseDemoOptions(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof DemoUsageError)) throw error;
    console.error(`demo: ${error.message} (see --help)`);
    return 2;
  }
  if (options === 'help') {
    say(DEMO_USAGE);
    return 0;
  }

  // Ctrl-C: stop in order. A second signal a little later hurries the product (it then leaves at
  // once). Signals within a second of the first are the same Ctrl-C relayed by npm and tsx.
  const stop = new AbortController();
  let firstSignalAt = 0;
  let product: ProductProcess | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (!stop.signal.aborted) {
      firstSignalAt = Date.now();
      say();
      step(`${signal}: stopping (again to hurry)`);
      stop.abort();
    } else if (Date.now() - firstSignalAt > 1000) {
      step('hurrying: the product leaves at once');
      product?.hurry();
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const dataDir = resolve(options.dataDir);
  const shownDataDir = shownPath(dataDir);
  let emulator: RunningEmulator | undefined;
  let mail: MailCatcher | null = null;
  let activity: Activity | undefined;
  let exitCode = 0;
  try {
    if (options.fresh) {
      wipeDataDir(dataDir);
      step(`--fresh: wiped ${shownDataDir}`);
    }
    const reuse = existsSync(join(dataDir, 'pglite'));
    mkdirSync(dataDir, { recursive: true });
    if (options.build) await buildWebIfStale(stop.signal);
    if (stop.signal.aborted) return 0;

    const apiToken = randomBytes(16).toString('hex');
    const oauthClientSecret = randomBytes(20).toString('hex');
    step(`starting the Zendesk emulator: ${SUBDOMAINS.join(' and ')}, ${options.tickets} tickets each`);
    try {
      emulator = await startEmulator({
        port: options.emulatorPort,
        subdomains: [...SUBDOMAINS],
        tickets: options.tickets,
        organizations: ORGANIZATIONS,
        users: Math.max(300, Math.round(options.tickets / 5)),
        seed: options.seed,
        agentEmail: AGENT_EMAIL,
        apiToken,
        oauthClientSecret,
      });
    } catch (error) {
      throw new Error(`the emulator could not start on port ${options.emulatorPort}: ${(error as Error).message} (another one running? use --emulator-port)`);
    }
    step(`emulator listening on ${emulator.url}`);

    // The product's mail: to the SMTP_URL given, else caught here (the product sends it for real, over SMTP).
    if (!process.env.SMTP_URL) {
      try {
        mail = await startMailCatcher({ dir: join(dataDir, 'mail'), viewerPort: options.mailPort });
      } catch (error) {
        throw new Error(`the mail catcher could not start on port ${options.mailPort}: ${(error as Error).message} (another demo running? use --mail-port)`);
      }
      step(`mail catcher listening on ${mail.url} (SMTP ${mail.smtpUrl})`);
    }

    const logFile = join(dataDir, 'product.log');
    step(`starting the product (tsx src/main.ts) on ${reuse ? 'the existing' : 'a new'} embedded database in ${shownDataDir}${reuse ? '' : ' (first start takes a few seconds)'}`);
    product = await startProduct({
      env: {
        PORT: String(options.port),
        HOST: '127.0.0.1',
        PUBLIC_URL: `http://127.0.0.1:${options.port}`,
        DATA_DIR: dataDir,
        // The demo is the embedded default, whatever the environment says.
        DATABASE_URL: '',
        ENCRYPTION_KEY: '',
        ZENDESK_URL_TEMPLATE: `${emulator.url}/{subdomain}`,
        ZENDESK_OAUTH_CLIENT_ID: emulator.options.oauthClientId,
        ZENDESK_OAUTH_CLIENT_SECRET: oauthClientSecret,
        ADMIN_EMAIL: DEMO_ADMIN.email,
        ADMIN_PASSWORD: DEMO_ADMIN.password,
        ADMIN_API_KEY: DEMO_ADMIN.apiKey,
        LOG_LEVEL: 'info',
        ...(mail ? { SMTP_URL: mail.smtpUrl, MAIL_FROM: 'CSCX alerts <alerts@cscx.test>' } : {}),
      },
      logFile,
      startTimeoutMs: 180_000,
      signal: stop.signal,
    }).catch((error: unknown) => {
      if (stop.signal.aborted) throw error;
      throw new Error(`${(error as Error).message}\n(full log: ${shownPath(logFile)}; port ${options.port} taken? use --port)`);
    });
    const running = product;
    step(`product listening on ${running.url}`);
    // The product stopping on its own ends the demo.
    const productDied = running.exited.then((code) => {
      if (!stop.signal.aborted) throw new Error(`the product stopped unexpectedly (exit code ${code}):\n${running.tail()}`);
    });
    productDied.catch(() => {});
    const guard = <T>(work: Promise<T>): Promise<T> => Promise.race([work, productDied.then(() => work)]);

    const api = new ProductApi(running.url, DEMO_ADMIN.apiKey);
    await guard(
      api.get('/api/auth/me').catch((error: unknown) => {
        if (error instanceof HttpError && error.status === 401) {
          throw new Error(`${shownDataDir} holds a database whose admin is not the demo's: run with --fresh to start over`);
        }
        throw error;
      }),
    );
    if (reuse) {
      const removed = await guard(removeOldConnections(api));
      if (removed > 0) step(`removed the ${removed} connection(s) of the previous run (its emulator is gone); customers, users and settings are kept`);
    }

    const zendesk = new ZendeskApi(emulator.url, AGENT_EMAIL, apiToken);
    const plan = planCustomers(await readOrganizations(zendesk, SUBDOMAINS), options.seed);
    const upserted = await guard(createCustomers(api, plan));
    step(
      `customers: ${plan.customers.length} (${upserted.created} new, ${upserted.updated} updated), ${plan.leftUnmatched.length} organizations left unmatched on purpose: ${plan.leftUnmatched.join(', ')}`,
    );

    let oauth = true;
    try {
      await guard(connectWithOAuth(api, SUBDOMAINS[0]));
      step(`connected ${SUBDOMAINS[0]} by OAuth (the emulator approved at once); its historical import started`);
    } catch (error) {
      if (stop.signal.aborted) throw error;
      oauth = false;
      step(`OAuth failed (${(error as Error).message}); connecting ${SUBDOMAINS[0]} with the API token instead`);
      await guard(connectWithApiToken(api, SUBDOMAINS[0], AGENT_EMAIL, apiToken));
    }
    await guard(connectWithApiToken(api, SUBDOMAINS[1], AGENT_EMAIL, apiToken));
    step(`connected ${SUBDOMAINS[1]} with an API token; its historical import started`);

    const live = await guard(waitForImports(api, (progress) => step(`importing: ${progress}`), stop.signal));
    const unmatched = await guard(api.get<{ total: number }>('/api/integrations/zendesk/unmatched?limit=1'));
    const imported = live.reduce((sum, c) => sum + c.sync.imported, 0);
    step(`imports done: ${imported} tickets, ${imported - unmatched.total} matched to customers, ${unmatched.total} unmatched`);

    banner(options, running, emulator, mail, {
      customers: plan.customers.length,
      unmatched: plan.leftUnmatched,
      withoutDomains: plan.withoutDomains,
      csms: [...DEMO_CSMS],
      oauth,
      logFile: shownPath(logFile),
    });
    step(`demo ready${options.durationS !== null ? `: stopping in ${options.durationS} s (--duration-s)` : ''}`);

    if (options.activity) {
      activity = startActivity({
        zendesk,
        agentEmails: [1, 2, 3, 4].map((i) => `agent${i}@${AGENT_EMAIL.split('@')[1]}`),
        organizations: plan.matched,
        intervalMs: options.activityIntervalMs,
        seed: options.seed,
        log: (text) => say(`${clock()}  ${text}`),
      });
    }
    const waitForStop =
      options.durationS !== null
        ? sleep(options.durationS * 1000, undefined, { signal: stop.signal }).catch(() => {})
        : new Promise<void>((done) => stop.signal.addEventListener('abort', () => done(), { once: true }));
    await guard(waitForStop);
  } catch (error) {
    if (!stop.signal.aborted) {
      console.error(`\ndemo: ${(error as Error).message}`);
      exitCode = 1;
    }
  } finally {
    if (activity) {
      await activity.stop();
      const counts = activity.counts();
      step(`activity stopped: ${Object.entries(counts).map(([kind, n]) => `${n} ${kind}`).join(', ')}`);
    }
    if (product) {
      step('stopping the product (SIGTERM; it finishes in-flight work)');
      const code = await product.stop(40_000);
      step(`product stopped (exit code ${code})`);
      if (code !== 0 && exitCode === 0) exitCode = 1;
    }
    if (emulator) {
      await emulator.close();
      step('emulator stopped');
    }
    if (mail) {
      const caught = mail.mails().length;
      await mail.close();
      step(`mail catcher stopped (${caught} mail${caught === 1 ? '' : 's'} caught; the files stay in ${shownPath(mail.dir)})`);
    }
  }
  return exitCode;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof DataDirLockedError) console.error(`demo: ${error.message}`);
    else console.error('demo:', error);
    process.exit(1);
  },
);
