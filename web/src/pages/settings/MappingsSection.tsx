/** Settings: the unmatched tickets by organization and email domain, and the organizations mapped by hand. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { applyMappings, getMappings, listUnmatched, type MappingInput as AnyMapping } from '../../../../src/contracts/mapping.ts';
import { call, errorText } from '../../api.ts';
import { Card, ErrorNote, Loading } from '../../components/ui.tsx';
import { count } from '../../format.ts';
import { customersOverviewQuery } from '../../queries.ts';
import { Link } from '../../router.tsx';
import { UnmatchedGroup } from './UnmatchedGroup.tsx';

/** The mappings made from this page: an organization or a domain to a customer (null: unmap). */
type MappingInput = Extract<AnyMapping, { kind: 'organization' | 'domain' }>;

function useApplyMapping(onDone: (text: string) => void) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: { mapping: MappingInput; label: string; customerName: string | null }) =>
      call(applyMappings, { body: { mappings: [input.mapping] } }).then((answer) => ({ answer, input })),
    onSuccess: ({ answer, input }) => {
      onDone(
        input.customerName
          ? `Mapped ${input.label} to ${input.customerName}: ${count(answer.ticketsRematched)} ticket${answer.ticketsRematched === 1 ? '' : 's'} moved.`
          : `Removed the mapping of ${input.label}: ${count(answer.ticketsRematched)} tickets re-matched.`,
      );
      for (const key of ['unmatched', 'mappings', 'customers', 'customer', 'tickets', 'metrics', 'health', 'history']) void client.invalidateQueries({ queryKey: [key] });
    },
  });
}

export function MappingsSection({ admin }: { admin: boolean }) {
  const unmatched = useQuery({ queryKey: ['unmatched'], queryFn: () => call(listUnmatched, { query: { limit: 100 } }) });
  const mappings = useQuery({ queryKey: ['mappings'], queryFn: () => call(getMappings) });
  const customers = useQuery(customersOverviewQuery);
  const [done, setDone] = useState<string | null>(null);
  const apply = useApplyMapping(setDone);
  const options = customers.data?.customers ?? [];
  return (
    <>
      {done && (
        <p className="success-text" role="status">
          {done}
        </p>
      )}
      {apply.isError && (
        <p className="error-text" role="alert">
          {errorText(apply.error)}
        </p>
      )}
      <Card title="Unmatched tickets" id="unmatched">
        {unmatched.isPending && <Loading label="Loading unmatched tickets" />}
        {unmatched.isError && <ErrorNote error={unmatched.error} retry={() => void unmatched.refetch()} />}
        {unmatched.data && unmatched.data.total === 0 && <p>Every ticket is matched to a customer.</p>}
        {unmatched.data && unmatched.data.total > 0 && (
          <>
            <p>
              <strong>{count(unmatched.data.total)}</strong> tickets belong to no customer yet. Map a whole Zendesk organization or email domain to a customer in one click; its tickets move at once.
            </p>
            {unmatched.data.byOrganization.length > 0 && <h3>By Zendesk organization</h3>}
            <ul className="unmatched-list">
              {unmatched.data.byOrganization.map((group) => {
                const label = `${group.name ?? `organization ${group.zendeskOrganizationId}`} (${group.subdomain})`;
                return (
                  <UnmatchedGroup
                    key={`${group.subdomain}-${group.zendeskOrganizationId}`}
                    title={group.name ?? `Organization ${group.zendeskOrganizationId}`}
                    detail={`${group.subdomain} · ${count(group.tickets)} tickets${group.domains.length ? ` · ${group.domains.join(', ')}` : ''}`}
                    suggestions={group.suggestions}
                    customers={options}
                    admin={admin}
                    busy={apply.isPending}
                    onMap={(customerId, customerName) =>
                      apply.mutate({ mapping: { kind: 'organization', subdomain: group.subdomain, zendeskOrganizationId: group.zendeskOrganizationId, customerId }, label, customerName })
                    }
                  />
                );
              })}
            </ul>
            {unmatched.data.byRequesterDomain.filter((g) => !g.freeMail).length > 0 && <h3>By requester email domain</h3>}
            <ul className="unmatched-list">
              {unmatched.data.byRequesterDomain
                .filter((g) => !g.freeMail)
                .map((group) => (
                  <UnmatchedGroup
                    key={group.domain}
                    title={group.domain}
                    detail={`${group.subdomains.join(', ')} · ${count(group.tickets)} tickets`}
                    suggestions={group.suggestions}
                    customers={options}
                    admin={admin}
                    busy={apply.isPending}
                    onMap={(customerId, customerName) => apply.mutate({ mapping: { kind: 'domain', domain: group.domain, customerId }, label: group.domain, customerName })}
                  />
                ))}
            </ul>
            {unmatched.data.withoutOrganizationOrEmail > 0 && (
              <p className="muted small">{count(unmatched.data.withoutOrganizationOrEmail)} tickets have neither an organization nor a requester email: they cannot be mapped from here.</p>
            )}
          </>
        )}
      </Card>
      <Card title="Organizations mapped by hand" id="mapped">
        {mappings.isError && <ErrorNote error={mappings.error} />}
        {mappings.data && mappings.data.organizations.length === 0 && <p className="muted">None yet. Tickets are matched by email domain and organization domain until you map an organization here.</p>}
        {mappings.data && mappings.data.organizations.length > 0 && (
          <table className="table compact">
            <thead>
              <tr>
                <th scope="col">Zendesk organization</th>
                <th scope="col">Customer</th>
                {admin && <th scope="col">Action</th>}
              </tr>
            </thead>
            <tbody>
              {mappings.data.organizations.map((m) => (
                <tr key={`${m.subdomain}-${m.zendeskOrganizationId}`}>
                  <td>
                    {m.name ?? m.zendeskOrganizationId} <span className="muted">({m.subdomain})</span>
                  </td>
                  <td>
                    <Link to={`/customers/${m.customerId}`}>{m.customerName}</Link>
                  </td>
                  {admin && (
                    <td>
                      <button
                        type="button"
                        onClick={() =>
                          apply.mutate({ mapping: { kind: 'organization', subdomain: m.subdomain, zendeskOrganizationId: m.zendeskOrganizationId, customerId: null }, label: m.name ?? String(m.zendeskOrganizationId), customerName: null })
                        }
                      >
                        Unmap<span className="sr-only"> {m.name}</span>
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Card>
    </>
  );
}
