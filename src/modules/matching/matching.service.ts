/**
 * Mappings an admin makes (organization -> customer, domain -> customer, the custom-field rule),
 * validated all together and written in one transaction with the re-match of every affected
 * ticket, so that a mapping and the tickets it moves are never out of step.
 */
import type { Db } from '../../db/db.ts';
import type { Deps } from '../../deps.ts';
import { AppError } from '../../lib/errors.ts';
import { recomputeCustomerAggregates } from '../aggregates/customer-refresh.ts';
import {
  addCustomerDomain,
  countUnmatched,
  countUnmatchedWithoutOrganizationOrEmail,
  deleteCustomFieldRule,
  deleteOrganizationMapping,
  matchTickets,
  organizationExists,
  removeCustomerDomain,
  selectConnectionIdsBySubdomain,
  selectCustomersForSuggestion,
  selectDomainClaims,
  selectExistingCustomerIds,
  selectUnmatchedByOrganization,
  selectUnmatchedByRequesterDomain,
  upsertCustomFieldRule,
  upsertOrganizationMapping,
  type MatchChange,
} from './matching.repo.ts';
import { normalizeDomain } from '../../lib/domains.ts';
import { suggestCustomers, type Suggestion } from './suggestions.ts';

/** What this module uses of the process's dependencies. */
export type MatchingDeps = Pick<Deps, 'db' | 'config'>;

export type Mapping =
  | { kind: 'organization'; subdomain: string; zendeskOrganizationId: number; customerId: string | null }
  | { kind: 'domain'; domain: string; customerId: string | null }
  | { kind: 'custom_field'; subdomain: string; fieldId: number | null; matchOn: 'id' | 'external_id' | 'name' };

export interface MappingResult {
  applied: number;
  ticketsRematched: number;
  /** Customers whose tickets changed: their derived data is out of date. */
  affectedCustomerIds: string[];
}

function domainOf(input: string): string | null {
  const normalized = normalizeDomain(input);
  return normalized.ok ? normalized.domain : null;
}

interface Problem {
  field: string;
  message: string;
}

export async function applyMappings(deps: MatchingDeps, admin: { id: string }, mappings: Mapping[]): Promise<MappingResult> {
  const connections = await selectConnectionIdsBySubdomain(deps.db);
  const customerIds = [...new Set(mappings.flatMap((m) => ('customerId' in m && m.customerId ? [m.customerId] : [])))];
  const known = new Set(customerIds.length === 0 ? [] : await selectExistingCustomerIds(deps.db, customerIds));
  const problems: Problem[] = [];
  const domains = new Map<string, string | null>();
  for (const [index, mapping] of mappings.entries()) {
    const at = (field: string) => `mappings[${index}].${field}`;
    if ('customerId' in mapping && mapping.customerId && !known.has(mapping.customerId)) {
      problems.push({ field: at('customerId'), message: `there is no customer ${mapping.customerId}` });
    }
    if ('subdomain' in mapping && !connections.has(mapping.subdomain)) {
      problems.push({ field: at('subdomain'), message: `${mapping.subdomain} is not a connected Zendesk subdomain` });
    }
    if (mapping.kind === 'organization' && connections.has(mapping.subdomain)) {
      const exists = await organizationExists(deps.db, connections.get(mapping.subdomain) as string, mapping.zendeskOrganizationId);
      if (!exists) problems.push({ field: at('zendeskOrganizationId'), message: `${mapping.subdomain} has no organization ${mapping.zendeskOrganizationId} (as of the last sync)` });
    }
    if (mapping.kind === 'domain') {
      const normalized = normalizeDomain(mapping.domain);
      if (!normalized.ok) problems.push({ field: at('domain'), message: normalized.message });
      else if (deps.config.FREE_MAIL_DOMAINS.includes(normalized.domain)) {
        problems.push({ field: at('domain'), message: `${normalized.domain} is a free-mail domain: its addresses belong to anyone` });
      } else domains.set(normalized.domain, mapping.customerId);
    }
  }
  if (domains.size > 0) {
    for (const row of await selectDomainClaims(deps.db, [...domains.keys()])) {
      const wanted = domains.get(row.domain);
      if (wanted && wanted !== row.id) {
        const index = mappings.findIndex((m) => m.kind === 'domain' && domainOf(m.domain) === row.domain);
        problems.push({ field: `mappings[${index}].domain`, message: `${row.domain} is already mapped to ${row.name} (${row.id}); remove it there first` });
      }
    }
  }
  const first = problems[0];
  if (first) throw new AppError('validation_failed', `${first.field}: ${first.message}`, problems);

  return deps.db.transaction(async (tx) => {
    const scopes = new Set<string | null>(); // connection ids to re-match; null: all of them
    for (const mapping of mappings) {
      if (mapping.kind === 'organization') {
        const connectionId = connections.get(mapping.subdomain) as string;
        if (mapping.customerId) {
          await upsertOrganizationMapping(tx, { connectionId, zendeskOrganizationId: mapping.zendeskOrganizationId, customerId: mapping.customerId, createdBy: admin.id });
        } else {
          await deleteOrganizationMapping(tx, connectionId, mapping.zendeskOrganizationId);
        }
        scopes.add(connectionId);
      } else if (mapping.kind === 'custom_field') {
        const connectionId = connections.get(mapping.subdomain) as string;
        if (mapping.fieldId === null) await deleteCustomFieldRule(tx, connectionId);
        else await upsertCustomFieldRule(tx, { connectionId, fieldId: mapping.fieldId, matchOn: mapping.matchOn, createdBy: admin.id });
        scopes.add(connectionId);
      } else {
        const domain = domainOf(mapping.domain) as string;
        // Removing (customerId null) takes the domain off whoever has it; adding puts it on the customer.
        await removeCustomerDomain(tx, domain);
        if (mapping.customerId) await addCustomerDomain(tx, domain, mapping.customerId);
        scopes.add(null);
      }
    }
    const changes: MatchChange[] = [];
    if (scopes.has(null)) changes.push(...(await matchTickets(tx, {}, deps.config.FREE_MAIL_DOMAINS)));
    else for (const connectionId of scopes) changes.push(...(await matchTickets(tx, { connectionId: connectionId as string }, deps.config.FREE_MAIL_DOMAINS)));
    const affectedCustomerIds = customersOf(changes);
    // The customers whose tickets moved: their derived data follows in the same transaction.
    await recomputeCustomerAggregates(tx, affectedCustomerIds);
    return { applied: mappings.length, ticketsRematched: changes.length, affectedCustomerIds };
  });
}

function customersOf(changes: readonly MatchChange[]): string[] {
  return [...new Set(changes.flatMap((c) => [c.previousCustomerId, c.customerId]).filter((id): id is string => id !== null))];
}

/** Re-matches every ticket (after customers were imported or their domains changed). */
export async function rematchAll(db: Db, freeMailDomains: readonly string[]): Promise<MatchChange[]> {
  return db.transaction(async (tx) => {
    const changes = await matchTickets(tx, {}, freeMailDomains);
    await recomputeCustomerAggregates(tx, customersOf(changes));
    return changes;
  });
}

export interface UnmatchedGroups {
  total: number;
  byOrganization: Array<{ subdomain: string; zendeskOrganizationId: number; name: string | null; domains: string[]; tickets: number; suggestions: Suggestion[] }>;
  byRequesterDomain: Array<{ domain: string; freeMail: boolean; tickets: number; subdomains: string[]; suggestions: Suggestion[] }>;
  withoutOrganizationOrEmail: number;
}

/** Unmatched tickets grouped so that an admin maps a whole group in one action, biggest first. */
export async function listUnmatched(deps: MatchingDeps, limit = 100): Promise<UnmatchedGroups> {
  const [total, organizations, domains, bare, customers] = await Promise.all([
    countUnmatched(deps.db),
    selectUnmatchedByOrganization(deps.db, limit),
    selectUnmatchedByRequesterDomain(deps.db, limit),
    countUnmatchedWithoutOrganizationOrEmail(deps.db),
    selectCustomersForSuggestion(deps.db),
  ]);
  const freeMail = new Set(deps.config.FREE_MAIL_DOMAINS);
  return {
    total,
    byOrganization: organizations.map((row) => {
      const domainNames = row.domain_names ?? [];
      return {
        subdomain: row.subdomain,
        zendeskOrganizationId: row.organization_id,
        name: row.name,
        domains: domainNames,
        tickets: row.tickets,
        suggestions: suggestCustomers({ name: row.name, domains: domainNames.filter((d) => !freeMail.has(d)) }, customers),
      };
    }),
    byRequesterDomain: domains.map((row) => ({
      domain: row.domain,
      freeMail: freeMail.has(row.domain),
      tickets: row.tickets,
      subdomains: row.subdomains,
      suggestions: freeMail.has(row.domain) ? [] : suggestCustomers({ domains: [row.domain] }, customers),
    })),
    withoutOrganizationOrEmail: bare,
  };
}
