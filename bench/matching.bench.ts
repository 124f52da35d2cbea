/**
 * Re-matching a whole subdomain: 100,000 tickets (requesters on 1,000 customer domains, their
 * subdomains, free mail and unknown domains; 500 organizations, some mapped) re-matched in one
 * pass after a mapping change, on each engine. Reports seconds and tickets/s.
 * Run alone with `npx tsx bench/matching.bench.ts`.
 */
import { DEFAULT_FREE_MAIL_DOMAINS } from '../src/config.ts';
import { matchTickets } from '../src/modules/matching/matching.repo.ts';
import { openBenchDb, POSTGRES_SKIPPED, postgresReachable, postgresUrl, round, runIfMain, type Figures } from './helpers.ts';

const TICKETS = Number(process.env.BENCH_MATCH_TICKETS ?? 100_000);
const CUSTOMERS = 1000;
const ORGANIZATIONS = 500;

async function benchEngine(engine: 'postgres' | 'pglite'): Promise<Figures> {
  const bench = await openBenchDb(engine);
  const { db } = bench;
  try {
    const connectionId = (await db.query<{ id: string }>(`INSERT INTO zendesk_connections (subdomain, auth_method) VALUES ('bench', 'api_token') RETURNING id`)).rows[0]!.id;
    await db.query(`INSERT INTO customers (name, domains, external_id) SELECT 'Customer ' || i, ARRAY['customer' || i || '.com'], 'ext-' || i FROM generate_series(1, $1) i`, [CUSTOMERS]);
    await db.query(
      `INSERT INTO zendesk_organizations (connection_id, zendesk_organization_id, name, domain_names)
       SELECT $1, i, 'Org ' || i, ARRAY['customer' || (i * 2) || '.com'] FROM generate_series(1, $2) i`,
      [connectionId, ORGANIZATIONS],
    );
    // Requesters: a customer's domain, a subdomain of one, free mail, or unknown; a third have an organization.
    await db.query(
      `INSERT INTO zendesk_tickets (connection_id, zendesk_ticket_id, status, zendesk_created_at, zendesk_updated_at, requester_email, organization_zendesk_id, custom_fields)
       SELECT $1, i, 'open', now(), now(),
              CASE i % 4 WHEN 0 THEN 'u' || i || '@customer' || (i % $3 + 1) || '.com'
                         WHEN 1 THEN 'u' || i || '@eu.customer' || (i % $3 + 1) || '.com'
                         WHEN 2 THEN 'u' || i || '@gmail.com'
                         ELSE 'u' || i || '@unknown' || (i % 97) || '.net' END,
              CASE WHEN i % 3 = 0 THEN i % $4 + 1 END,
              jsonb_build_array(jsonb_build_object('id', 360000000001, 'value', CASE WHEN i % 10 = 0 THEN 'ext-' || (i % $3 + 1) END))
         FROM generate_series(1, $2) i`,
      [connectionId, TICKETS, CUSTOMERS, ORGANIZATIONS],
    );
    await db.query(
      `INSERT INTO zendesk_organization_mappings (connection_id, zendesk_organization_id, customer_id)
       SELECT $1, o.zendesk_organization_id, (SELECT id FROM customers ORDER BY name LIMIT 1) FROM zendesk_organizations o WHERE o.zendesk_organization_id % 5 = 0`,
      [connectionId],
    );
    await db.query(`INSERT INTO zendesk_custom_field_rules (connection_id, field_id, match_on) VALUES ($1, 360000000001, 'external_id')`, [connectionId]);

    const first = performance.now();
    const changes = await db.transaction((tx) => matchTickets(tx, { connectionId }, DEFAULT_FREE_MAIL_DOMAINS));
    const firstSeconds = (performance.now() - first) / 1000;
    // A mapping change: the same pass again after one more organization mapping (few tickets move).
    await db.query(`INSERT INTO zendesk_organization_mappings (connection_id, zendesk_organization_id, customer_id) SELECT $1, 1, id FROM customers ORDER BY name DESC LIMIT 1`, [connectionId]);
    const again = performance.now();
    const moved = await db.transaction((tx) => matchTickets(tx, { connectionId }, DEFAULT_FREE_MAIL_DOMAINS));
    const againSeconds = (performance.now() - again) / 1000;
    const { rows } = await db.query<{ method: string | null; n: number }>(`SELECT match_method AS method, count(*)::int AS n FROM zendesk_tickets GROUP BY 1 ORDER BY 1`);
    return {
      [`${engine}: full re-match of ${TICKETS} tickets (s)`]: round(firstSeconds, 2),
      [`${engine}: full re-match tickets/s`]: round(TICKETS / firstSeconds),
      [`${engine}: tickets changed`]: changes.length,
      [`${engine}: re-match after one mapping change (s)`]: round(againSeconds, 2),
      [`${engine}: tickets moved by it`]: moved.length,
      [`${engine}: tickets by method`]: rows.map((r) => `${r.method ?? 'unmatched'}=${r.n}`).join(' '),
    };
  } finally {
    await bench.destroy();
  }
}

export async function benchMatching(): Promise<Figures> {
  const figures: Figures = {};
  if (await postgresReachable(postgresUrl())) Object.assign(figures, await benchEngine('postgres'));
  else figures['postgres: re-match'] = POSTGRES_SKIPPED;
  Object.assign(figures, await benchEngine('pglite'));
  return figures;
}

await runIfMain(import.meta.url, benchMatching);
