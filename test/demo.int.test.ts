import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, runScript, type RunningProcess } from './process-helpers.ts';

// `npm run demo` runs `tsx scripts/demo.ts`; this runs the same script as a real process, small and
// fast: 300 tickets a subdomain, an activity event every ~0.3 s, stopping 25 s after it is ready.
// The product it starts is always on the embedded database in its own temporary DATA_DIR, on free
// ports, whatever TEST_DATABASE_URL says: running this file twice (CI does) is harmless.
const DURATION_S = 25;

async function eventually<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs: number): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('npm run demo', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'cscx-demo-'));
  let demo: RunningProcess | undefined;

  afterAll(async () => {
    await demo?.stop('SIGINT');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('connects two subdomains, matches most tickets, leaves a few organizations unmatched, raises alerts from its activity, and exits 0', { timeout: 180_000 }, async () => {
    const port = await freePort();
    const started = Date.now();
    demo = runScript(
      'scripts/demo.ts',
      ['--port', String(port), '--emulator-port', '0', '--tickets', '300', '--activity-interval-ms', '300', '--duration-s', String(DURATION_S), '--data-dir', dataDir, '--no-build', '--mail-port', '0'],
      { SMTP_URL: '' },
    );
    await demo.waitForLine(/demo ready/, 150_000);
    const output = () => demo!.output();
    expect(output()).toContain(`CSCX is running at http://127.0.0.1:${port}`);
    expect(output()).toMatch(/Sign in as {2}demo@cscx\.test {2}\/ {2}\S+/);
    const apiKey = /API key\s+(\S+)/.exec(output())?.[1];
    expect(apiKey).toBeDefined();
    const api = async <T>(path: string): Promise<T> => {
      const response = await fetch(`http://127.0.0.1:${port}${path}`, { headers: { authorization: `Bearer ${apiKey}` } });
      expect(response.status, path).toBe(200);
      return (await response.json()) as T;
    };

    // Both subdomains connected (one by OAuth, one by API token), imported and live.
    const { connections } = await api<{ connections: Array<{ subdomain: string; method: string; status: string; sync: { state: string; imported: number } }> }>(
      '/api/integrations/zendesk/connections',
    );
    expect(connections.map((c) => [c.subdomain, c.method, c.status, c.sync.state]).sort()).toEqual([
      ['northwind', 'oauth', 'active', 'live'],
      ['northwind-eu', 'api_token', 'active', 'live'],
    ]);
    const imported = connections.reduce((sum, c) => sum + c.sync.imported, 0);
    expect(imported).toBeGreaterThanOrEqual(600);

    // Customers from the organizations, some with a CSM, each with a base health score.
    const { customers } = await api<{ customers: Array<{ name: string; domains: string[]; csm: unknown; baseHealthScore: number | null }> }>('/api/customers?limit=200');
    expect(customers.length).toBeGreaterThanOrEqual(20);
    expect(customers.filter((c) => c.csm !== null).length).toBeGreaterThan(customers.length / 2);
    expect(customers.every((c) => c.baseHealthScore !== null)).toBe(true);

    // Most tickets matched; the organizations left out on purpose wait in the unmatched queue.
    const leftOut = /left unmatched on purpose: (.+)$/m.exec(output())?.[1]?.split(', ') ?? [];
    expect(leftOut.length).toBeGreaterThanOrEqual(1);
    const unmatched = await api<{ total: number; byOrganization: Array<{ name: string | null }> }>('/api/integrations/zendesk/unmatched');
    expect(unmatched.total).toBeLessThan(imported / 2);
    const queued = new Set(unmatched.byOrganization.map((o) => o.name));
    for (const name of leftOut) expect(queued, name).toContain(name);
    expect(customers.map((c) => c.name)).not.toContain(leftOut[0]);

    // The activity escalates tickets through the emulator's API; its signed webhooks reach the
    // product, which raises an escalation alert for one of those very tickets.
    const alert = await eventually(
      'an escalation alert for a ticket the activity escalated',
      async () => {
        const escalated = [...output().matchAll(/escalation +(\S+) .*?: #(\d+) /g)].map((m) => `${m[1]}#${m[2]}`);
        if (escalated.length === 0) return null;
        const { alerts } = await api<{ alerts: Array<{ subdomain: string | null; zendeskTicketId: number | null; customerName: string }> }>('/api/alerts?type=escalation&limit=200');
        return alerts.find((a) => escalated.includes(`${a.subdomain}#${a.zendeskTicketId}`));
      },
      DURATION_S * 1000,
    );
    expect(alert.customerName).not.toBe('');
    expect(output()).toMatch(/new ticket +northwind/);

    // Without SMTP_URL the product's alert emails go, over real SMTP, to the demo's mail catcher, whose page the banner names.
    const mailPage = /Mail +caught, never delivered: read it at (http:\/\/127\.0\.0\.1:\d+)/.exec(output())?.[1];
    expect(mailPage).toBeDefined();
    const mail = await eventually(
      'an alert email caught by the demo',
      async () => {
        const { mails } = (await (await fetch(`${mailPage}/mails.json`)).json()) as { mails: Array<{ to: string[]; subject: string; text: string }> };
        return mails.find((m) => m.subject.startsWith('[CSCX] '));
      },
      DURATION_S * 1000,
    );
    expect(mail.to.length).toBe(1);
    expect(await (await fetch(mailPage!)).text()).toContain('Mail the demo');

    // --duration-s: it stops on its own, cleanly.
    expect(await demo.exited).toBe(0);
    expect(output()).toMatch(/product stopped \(exit code 0\)/);
    expect(output()).toContain('emulator stopped');
    console.log(`demo test: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });
});
