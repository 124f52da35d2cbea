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
import type { Queryable } from '../../db/db.ts';

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
  const { rows } = await db.query<{ connection_id: string; zendesk_ticket_id: number; previous_customer_id: string | null; customer_id: string | null }>(
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
  return rows.map((row) => ({
    connectionId: row.connection_id,
    zendeskTicketId: row.zendesk_ticket_id,
    previousCustomerId: row.previous_customer_id,
    customerId: row.customer_id,
  }));
}
