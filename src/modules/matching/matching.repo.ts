/**
 * Ticket-to-customer matching, set-based: one statement (re)computes customer_id and match_method
 * for every ticket in scope, and writes only the tickets whose answer changed. The first rule that
 * matches wins (see migrations/0005_matching_and_history.sql):
 *   1. organization         the ticket's Zendesk organization is mapped to a customer;
 *   2. custom_field         the connection's configured ticket field holds a customer's id,
 *                           external id or name (exactly one customer);
 *   3. email_domain         the requester's email domain, or its nearest parent domain, is claimed
 *                           by exactly one customer (free-mail domains never match);
 *   4. organization_domain  the same with the Zendesk organization's domain_names (one customer).
 * A domain claimed by two customers is ambiguous and matches nobody. Unmatched tickets keep
 * customer_id NULL: stored, counted, listed.
 *
 * Each lookup is computed once per distinct value in scope (domains, organizations, field values)
 * and joined back, so a whole subdomain re-matches in one pass.
 */
import { z } from 'zod';
import type { Queryable } from '../../db/db.ts';
import { column, queryFirst, queryRows } from '../../db/rows.ts';

export interface MatchScope {
  connectionId?: string;
  /** Only these tickets of the connection (with connectionId). */
  zendeskTicketIds?: readonly number[];
}

export interface MatchChange {
  connectionId: string;
  zendeskTicketId: number;
  previousCustomerId: string | null;
  customerId: string | null;
}

const suffixes = (column: string) => `generate_series(1, greatest(array_length(string_to_array(${column}, '.'), 1) - 1, 0))`;
const suffix = (column: string, i: string) => `array_to_string((string_to_array(${column}, '.'))[${i}:], '.')`;

/**
 * The matching rules as SQL: CTEs to append to a WITH that already defines
 *   scope(id, connection_id, organization_zendesk_id, custom_fields, email_domain)
 * (id: any key unique within the scope), ending in
 *   matched(id, customer_id, match_method)
 * with one row per scope row (customer_id NULL when nothing matches). `freeMailDomains` is the SQL
 * of a text[] (a placeholder). The one definition serves re-matching stored tickets (matchTickets)
 * and the write path, which matches incoming tickets inside their upsert (sync.repo.ts) so that a
 * ticket is written once, with its customer, instead of inserted then updated.
 */
export function matchingRulesSql(freeMailDomains: string): string {
  return `owners AS (
       SELECT d.domain, min(c.id::text)::uuid AS customer_id
         FROM customers c CROSS JOIN LATERAL unnest(c.domains) AS d(domain)
        GROUP BY d.domain
       HAVING count(DISTINCT c.id) = 1
     ),
     email_domains AS (
       SELECT DISTINCT email_domain FROM scope WHERE email_domain IS NOT NULL AND NOT (email_domain = ANY(${freeMailDomains}))
     ),
     email_match AS (
       SELECT DISTINCT ON (d.email_domain) d.email_domain, o.customer_id
         FROM email_domains d
         CROSS JOIN LATERAL ${suffixes('d.email_domain')} AS i
         JOIN owners o ON o.domain = ${suffix('d.email_domain', 'i')}
        ORDER BY d.email_domain, i
     ),
     organizations AS (
       SELECT DISTINCT connection_id, organization_zendesk_id FROM scope WHERE organization_zendesk_id IS NOT NULL
     ),
     organization_domain_match AS (
       SELECT best.connection_id, best.organization_zendesk_id, min(best.customer_id::text)::uuid AS customer_id
         FROM (
           SELECT DISTINCT ON (s.connection_id, s.organization_zendesk_id, dn.domain) s.connection_id, s.organization_zendesk_id, o.customer_id
             FROM organizations s
             JOIN zendesk_organizations org ON org.connection_id = s.connection_id AND org.zendesk_organization_id = s.organization_zendesk_id
             CROSS JOIN LATERAL unnest(org.domain_names) AS dn(domain)
             CROSS JOIN LATERAL ${suffixes('dn.domain')} AS i
             JOIN owners o ON o.domain = ${suffix('dn.domain', 'i')}
            WHERE NOT (lower(dn.domain) = ANY(${freeMailDomains}))
            ORDER BY s.connection_id, s.organization_zendesk_id, dn.domain, i
         ) best
        GROUP BY best.connection_id, best.organization_zendesk_id
       HAVING count(DISTINCT best.customer_id) = 1
     ),
     field_values AS (
       SELECT s.id, r.match_on, lower(trim(f.field ->> 'value')) AS value
         FROM scope s
         JOIN zendesk_custom_field_rules r ON r.connection_id = s.connection_id
         CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(s.custom_fields) = 'array' THEN s.custom_fields ELSE '[]'::jsonb END) AS f(field)
        WHERE (f.field ->> 'id') = r.field_id::text AND nullif(trim(f.field ->> 'value'), '') IS NOT NULL
     ),
     customer_keys AS (
       SELECT id AS customer_id, 'id' AS match_on, id::text AS key FROM customers
       UNION ALL SELECT id, 'external_id', lower(external_id) FROM customers WHERE external_id IS NOT NULL
       UNION ALL SELECT id, 'name', lower(name) FROM customers
     ),
     field_match AS (
       SELECT v.id, min(k.customer_id::text)::uuid AS customer_id
         FROM field_values v JOIN customer_keys k ON k.match_on = v.match_on AND k.key = v.value
        GROUP BY v.id
       HAVING count(DISTINCT k.customer_id) = 1
     ),
     matched AS (
       SELECT s.id,
              coalesce(om.customer_id, fm.customer_id, em.customer_id, odm.customer_id) AS customer_id,
              CASE WHEN om.customer_id IS NOT NULL THEN 'organization'
                   WHEN fm.customer_id IS NOT NULL THEN 'custom_field'
                   WHEN em.customer_id IS NOT NULL THEN 'email_domain'
                   WHEN odm.customer_id IS NOT NULL THEN 'organization_domain' END AS match_method
         FROM scope s
         LEFT JOIN zendesk_organization_mappings om ON om.connection_id = s.connection_id AND om.zendesk_organization_id = s.organization_zendesk_id
         LEFT JOIN field_match fm ON fm.id = s.id
         LEFT JOIN email_match em ON em.email_domain = s.email_domain
         LEFT JOIN organization_domain_match odm ON odm.connection_id = s.connection_id AND odm.organization_zendesk_id = s.organization_zendesk_id
     )`;
}

/** Re-matches stored tickets (a whole connection, some of its tickets, or everything); answers those whose customer or method changed. */
export async function matchTickets(db: Queryable, scope: MatchScope, freeMailDomains: readonly string[]): Promise<MatchChange[]> {
  // A hand-written mapper (no zod): a re-match may answer every ticket of a subdomain.
  return queryRows(
    db,
    (row): MatchChange => ({
      connectionId: column.string(row, 'connection_id'),
      zendeskTicketId: column.number(row, 'zendesk_ticket_id'),
      previousCustomerId: column.stringOrNull(row, 'previous_customer_id'),
      customerId: column.stringOrNull(row, 'customer_id'),
    }),
    `WITH scope AS (
       SELECT t.id, t.connection_id, t.customer_id AS previous_customer_id, t.organization_zendesk_id, t.custom_fields,
              nullif(lower(split_part(t.requester_email, '@', 2)), '') AS email_domain
         FROM zendesk_tickets t
        WHERE ($1::uuid IS NULL OR t.connection_id = $1::uuid)
          AND ($2::bigint[] IS NULL OR t.zendesk_ticket_id = ANY($2::bigint[]))
     ),
     ${matchingRulesSql('$3::text[]')}
     UPDATE zendesk_tickets t SET customer_id = m.customer_id, match_method = m.match_method
       FROM matched m JOIN scope s ON s.id = m.id
      WHERE t.id = m.id AND (t.customer_id IS DISTINCT FROM m.customer_id OR t.match_method IS DISTINCT FROM m.match_method)
     RETURNING t.connection_id, t.zendesk_ticket_id, s.previous_customer_id, t.customer_id`,
    [scope.connectionId ?? null, scope.zendeskTicketIds ? [...scope.zendeskTicketIds] : null, [...freeMailDomains]],
  );
}

// ---- mappings an admin makes ----

/** Connected subdomains and their connection ids. */
export async function selectConnectionIdsBySubdomain(db: Queryable): Promise<Map<string, string>> {
  const rows = await queryRows(db, z.object({ id: z.string(), subdomain: z.string() }), `SELECT id, subdomain FROM zendesk_connections`);
  return new Map(rows.map((r) => [r.subdomain, r.id]));
}

/** Those of `ids` that are customers. */
export async function selectExistingCustomerIds(db: Queryable, ids: readonly string[]): Promise<string[]> {
  const rows = await queryRows(db, z.object({ id: z.string() }), 'SELECT id FROM customers WHERE id = ANY($1::uuid[])', [ids]);
  return rows.map((r) => r.id);
}

/** Whether the connection has the organization, as of the last sync. */
export async function organizationExists(db: Queryable, connectionId: string, zendeskOrganizationId: number): Promise<boolean> {
  const { rows } = await db.query('SELECT 1 FROM zendesk_organizations WHERE connection_id = $1 AND zendesk_organization_id = $2', [connectionId, zendeskOrganizationId]);
  return rows.length > 0;
}

/** The customers that already claim any of `domains`. */
export async function selectDomainClaims(db: Queryable, domains: readonly string[]): Promise<Array<{ domain: string; id: string; name: string }>> {
  return queryRows(
    db,
    z.object({ domain: z.string(), id: z.string(), name: z.string() }),
    `SELECT d.domain, c.id, c.name FROM customers c CROSS JOIN LATERAL unnest(c.domains) AS d(domain) WHERE d.domain = ANY($1::text[])`,
    [[...domains]],
  );
}

export async function upsertOrganizationMapping(
  db: Queryable,
  mapping: { connectionId: string; zendeskOrganizationId: number; customerId: string; createdBy: string },
): Promise<void> {
  await db.query(
    `INSERT INTO zendesk_organization_mappings (connection_id, zendesk_organization_id, customer_id, created_by) VALUES ($1, $2, $3, $4)
             ON CONFLICT (connection_id, zendesk_organization_id) DO UPDATE SET customer_id = EXCLUDED.customer_id, created_by = EXCLUDED.created_by, created_at = now()`,
    [mapping.connectionId, mapping.zendeskOrganizationId, mapping.customerId, mapping.createdBy],
  );
}

export async function deleteOrganizationMapping(db: Queryable, connectionId: string, zendeskOrganizationId: number): Promise<void> {
  await db.query('DELETE FROM zendesk_organization_mappings WHERE connection_id = $1 AND zendesk_organization_id = $2', [connectionId, zendeskOrganizationId]);
}

export async function deleteCustomFieldRule(db: Queryable, connectionId: string): Promise<void> {
  await db.query('DELETE FROM zendesk_custom_field_rules WHERE connection_id = $1', [connectionId]);
}

export async function upsertCustomFieldRule(db: Queryable, rule: { connectionId: string; fieldId: number; matchOn: string; createdBy: string }): Promise<void> {
  await db.query(
    `INSERT INTO zendesk_custom_field_rules (connection_id, field_id, match_on, created_by) VALUES ($1, $2, $3, $4)
             ON CONFLICT (connection_id) DO UPDATE SET field_id = EXCLUDED.field_id, match_on = EXCLUDED.match_on, created_by = EXCLUDED.created_by, created_at = now()`,
    [rule.connectionId, rule.fieldId, rule.matchOn, rule.createdBy],
  );
}

/** Takes the domain off whichever customer claims it. */
export async function removeCustomerDomain(db: Queryable, domain: string): Promise<void> {
  await db.query(`UPDATE customers SET domains = array_remove(domains, $1), updated_at = now() WHERE $1 = ANY(domains)`, [domain]);
}

export async function addCustomerDomain(db: Queryable, domain: string, customerId: string): Promise<void> {
  await db.query(`UPDATE customers SET domains = array_append(domains, $1), updated_at = now() WHERE id = $2`, [domain, customerId]);
}

export interface MappingList {
  organizations: Array<{ subdomain: string; zendeskOrganizationId: number; name: string | null; customerId: string; customerName: string }>;
  customFields: Array<{ subdomain: string; fieldId: number; matchOn: string }>;
}

/** The organization mappings and custom-field rules in force. */
export async function listMappings(db: Queryable): Promise<MappingList> {
  const organizations = await queryRows(
    db,
    z.object({ subdomain: z.string(), org: z.number(), name: z.string().nullable(), customer_id: z.string(), customer_name: z.string() }),
    `SELECT c.subdomain, m.zendesk_organization_id AS org, o.name, m.customer_id, cu.name AS customer_name
             FROM zendesk_organization_mappings m
             JOIN zendesk_connections c ON c.id = m.connection_id
             JOIN customers cu ON cu.id = m.customer_id
             LEFT JOIN zendesk_organizations o ON o.connection_id = m.connection_id AND o.zendesk_organization_id = m.zendesk_organization_id
            ORDER BY c.subdomain, o.name`,
  );
  const fields = await queryRows(
    db,
    z.object({ subdomain: z.string(), field_id: z.number(), match_on: z.string() }),
    `SELECT c.subdomain, r.field_id, r.match_on FROM zendesk_custom_field_rules r JOIN zendesk_connections c ON c.id = r.connection_id ORDER BY c.subdomain`,
  );
  return {
    organizations: organizations.map((r) => ({ subdomain: r.subdomain, zendeskOrganizationId: r.org, name: r.name, customerId: r.customer_id, customerName: r.customer_name })),
    customFields: fields.map((r) => ({ subdomain: r.subdomain, fieldId: r.field_id, matchOn: r.match_on })),
  };
}

// ---- unmatched tickets ----

const count = z.object({ n: z.number() });

export async function countUnmatched(db: Queryable): Promise<number> {
  const row = await queryFirst(db, count, `SELECT count(*)::int AS n FROM zendesk_tickets WHERE customer_id IS NULL AND status <> 'deleted'`);
  return row?.n ?? 0;
}

/** Unmatched tickets by their Zendesk organization, biggest group first. */
export async function selectUnmatchedByOrganization(
  db: Queryable,
  limit: number,
): Promise<Array<{ subdomain: string; organization_id: number; name: string | null; domain_names: string[] | null; tickets: number }>> {
  return queryRows(
    db,
    z.object({ subdomain: z.string(), organization_id: z.number(), name: z.string().nullable(), domain_names: z.array(z.string()).nullable(), tickets: z.number() }),
    `SELECT c.subdomain, t.organization_zendesk_id AS organization_id, o.name, o.domain_names, count(*)::int AS tickets
         FROM zendesk_tickets t
         JOIN zendesk_connections c ON c.id = t.connection_id
         LEFT JOIN zendesk_organizations o ON o.connection_id = t.connection_id AND o.zendesk_organization_id = t.organization_zendesk_id
        WHERE t.customer_id IS NULL AND t.status <> 'deleted' AND t.organization_zendesk_id IS NOT NULL
        GROUP BY c.subdomain, t.organization_zendesk_id, o.name, o.domain_names
        ORDER BY tickets DESC, c.subdomain, t.organization_zendesk_id LIMIT $1`,
    [limit],
  );
}

/** Unmatched tickets by their requester's email domain, biggest group first. */
export async function selectUnmatchedByRequesterDomain(db: Queryable, limit: number): Promise<Array<{ domain: string; tickets: number; subdomains: string[] }>> {
  return queryRows(
    db,
    z.object({ domain: z.string(), tickets: z.number(), subdomains: z.array(z.string()) }),
    `SELECT lower(split_part(t.requester_email, '@', 2)) AS domain, count(*)::int AS tickets, array_agg(DISTINCT c.subdomain ORDER BY c.subdomain) AS subdomains
         FROM zendesk_tickets t JOIN zendesk_connections c ON c.id = t.connection_id
        WHERE t.customer_id IS NULL AND t.status <> 'deleted' AND t.requester_email LIKE '%@%'
        GROUP BY 1 ORDER BY tickets DESC, domain LIMIT $1`,
    [limit],
  );
}

/** Unmatched tickets with neither an organization nor a requester address: nothing to map them by. */
export async function countUnmatchedWithoutOrganizationOrEmail(db: Queryable): Promise<number> {
  const row = await queryFirst(
    db,
    count,
    `SELECT count(*)::int AS n FROM zendesk_tickets WHERE customer_id IS NULL AND status <> 'deleted' AND organization_zendesk_id IS NULL AND coalesce(requester_email, '') NOT LIKE '%@%'`,
  );
  return row?.n ?? 0;
}

/** Every customer, as suggestions compare groups with them. */
export async function selectCustomersForSuggestion(db: Queryable): Promise<Array<{ id: string; name: string; domains: string[] }>> {
  return queryRows(db, z.object({ id: z.string(), name: z.string(), domains: z.array(z.string()) }), 'SELECT id, name, domains FROM customers');
}
