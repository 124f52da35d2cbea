/**
 * The demo's setup through the product's API, as an admin would do it: CSCX customers from the
 * emulator's organizations (most matched by their domains, a few left unmatched on purpose, some
 * assigned to CSMs, each with a base health score), then both Zendesk subdomains connected (one by
 * OAuth through the emulator's authorization endpoint, one by API token), then the historical
 * imports followed to the end.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { createRandom } from '../emulator/generation/random.ts';
import { type ProductApi, type ZendeskApi, redirectLocation } from './demo-http.ts';

export interface ZendeskOrganization {
  id: number;
  name: string;
  domain_names: string[];
}

export interface CustomerInput {
  externalId: string;
  name: string;
  domains: string[];
  csmEmail: string | null;
  baseHealthScore: number;
}

/** An organization the activity may act for: its customer exists and claims its domains. */
export interface MatchedOrganization {
  subdomain: string;
  id: number;
  name: string;
}

export interface CustomerPlan {
  customers: CustomerInput[];
  /** Organizations (by name) with no CSCX customer at all: they stay in the unmatched queue. */
  leftUnmatched: string[];
  /** Customers without domains: their organizations wait in the unmatched queue with this customer suggested. */
  withoutDomains: string[];
  matched: MatchedOrganization[];
}

export const DEMO_CSMS = ['maya.patel@cscx.test', 'sam.okafor@cscx.test', 'lena.fischer@cscx.test'] as const;

function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

/**
 * One customer per organization name across the subdomains (the same company may write to both),
 * claiming the union of its domains. A few organizations with domains get no customer (left
 * unmatched on purpose); an organization without any domain gets a customer without domains, so
 * the unmatched queue suggests it by name. About three in four customers have a CSM.
 */
export function planCustomers(organizations: Map<string, ZendeskOrganization[]>, seed: number): CustomerPlan {
  const random = createRandom(seed ^ 0x5eed);
  const byName = new Map<string, Array<ZendeskOrganization & { subdomain: string }>>();
  for (const [subdomain, orgs] of organizations) {
    for (const org of orgs) {
      const list = byName.get(org.name) ?? [];
      list.push({ ...org, subdomain });
      byName.set(org.name, list);
    }
  }
  const names = [...byName.keys()].sort();
  const withDomains = names.filter((name) => byName.get(name)!.some((org) => org.domain_names.length > 0));
  const leaveOut = new Set<string>();
  const wanted = Math.max(1, Math.min(3, Math.floor(withDomains.length / 8)));
  while (leaveOut.size < wanted && leaveOut.size < withDomains.length - 1) leaveOut.add(random.pick(withDomains));

  const plan: CustomerPlan = { customers: [], leftUnmatched: [...leaveOut].sort(), withoutDomains: [], matched: [] };
  for (const name of names) {
    if (leaveOut.has(name)) continue;
    const orgs = byName.get(name)!;
    const domains = [...new Set(orgs.flatMap((org) => org.domain_names.map((d) => d.toLowerCase())))];
    if (domains.length === 0) plan.withoutDomains.push(name);
    plan.customers.push({
      externalId: `demo-${slug(name)}`,
      name,
      domains,
      csmEmail: random.chance(0.75) ? random.pick(DEMO_CSMS) : null,
      baseHealthScore: random.int(45, 95),
    });
    for (const org of orgs) if (org.domain_names.length > 0) plan.matched.push({ subdomain: org.subdomain, id: org.id, name: org.name });
  }
  return plan;
}

export async function readOrganizations(zendesk: ZendeskApi, subdomains: readonly string[]): Promise<Map<string, ZendeskOrganization[]>> {
  const out = new Map<string, ZendeskOrganization[]>();
  for (const subdomain of subdomains) out.set(subdomain, await zendesk.all<ZendeskOrganization>(subdomain, '/organizations', 'organizations'));
  return out;
}

export async function createCustomers(api: ProductApi, plan: CustomerPlan): Promise<{ created: number; updated: number; csmsCreated: string[] }> {
  return api.post('/api/customers', { customers: plan.customers });
}

interface ConnectionView {
  id: string;
  subdomain: string;
  method: 'oauth' | 'api_token';
  status: string;
  error: { message: string } | null;
  sync: { state: 'importing' | 'live' | 'paused' | 'failed'; imported: number; total: number | null; error: string | null };
}

export async function listConnections(api: ProductApi): Promise<ConnectionView[]> {
  return (await api.get<{ connections: ConnectionView[] }>('/api/integrations/zendesk/connections')).connections;
}

/**
 * A demo run after an earlier one finds that run's connections: the emulator is new (its data,
 * webhooks and tokens are), so they are removed with their tickets and connected again.
 */
export async function removeOldConnections(api: ProductApi): Promise<number> {
  const old = await listConnections(api);
  for (const connection of old) await api.delete(`/api/integrations/zendesk/connections/${connection.id}?purge=true`);
  return old.length;
}

export async function connectWithApiToken(api: ProductApi, subdomain: string, email: string, apiToken: string): Promise<void> {
  await api.post('/api/integrations/zendesk/connect', { subdomain, method: 'api_token', email, apiToken });
}

/**
 * OAuth as an admin's browser would go through it: our connect answers the authorization URL and
 * sets the cookie that binds the flow to this "browser", the emulator approves at once and
 * redirects to our callback, which (given that cookie) exchanges the code.
 */
export async function connectWithOAuth(api: ProductApi, subdomain: string): Promise<void> {
  const { body, cookie } = await api.postForCookies<{ authorizeUrl: string }>('/api/integrations/zendesk/connect', { subdomain, method: 'oauth' });
  const callback = await redirectLocation(body.authorizeUrl);
  if (!callback.startsWith(api.baseUrl)) throw new Error(`the emulator redirected to ${callback}, not to our callback`);
  const landing = await redirectLocation(callback, cookie);
  if (!/zendesk=connected/.test(landing)) throw new Error(`the OAuth callback ended at ${landing}`);
}

/** Follows the historical imports until every connection is live; `report` gets a progress line now and then. */
export async function waitForImports(api: ProductApi, report: (line: string) => void, signal: AbortSignal, timeoutMs = 15 * 60_000): Promise<ConnectionView[]> {
  const until = Date.now() + timeoutMs;
  let lastReport = 0;
  for (;;) {
    const connections = await listConnections(api);
    if (connections.length > 0 && connections.every((c) => c.sync.state === 'live')) return connections;
    const broken = connections.find((c) => c.status !== 'active');
    if (broken) throw new Error(`the connection to ${broken.subdomain} is ${broken.status}${broken.error ? `: ${broken.error.message}` : ''}`);
    if (Date.now() - lastReport > 3000) {
      lastReport = Date.now();
      report(
        connections
          .map((c) => `${c.subdomain} ${c.sync.state === 'live' ? 'done' : `${c.sync.imported}${c.sync.total !== null ? `/${c.sync.total}` : ''}`}${c.sync.error ? ` (${c.sync.error}, retrying)` : ''}`)
          .join(', '),
      );
    }
    if (Date.now() > until) throw new Error(`the imports did not finish within ${timeoutMs / 60_000} minutes`);
    await sleep(500, undefined, { signal });
  }
}
