import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { User } from '../../../src/contracts/auth.ts';
import type { CustomerOverview, CustomersOverviewAnswer } from '../../../src/contracts/customers.ts';
import CustomersPage from './CustomersPage.tsx';

const ME: User = { id: 'u1', email: 'dana@x.test', name: 'Dana', role: 'admin' };

function customer(name: string, overall: number | null, extra: Partial<CustomerOverview> = {}): CustomerOverview {
  return {
    id: `id-${name}`,
    externalId: null,
    name,
    domains: [`${name.toLowerCase()}.com`],
    csm: null,
    openTickets: 0,
    worstOpenPriority: null,
    escalatedOpen: 0,
    escalations30d: 0,
    health: overall === null ? null : { overall, support: overall, base: null, change7d: null, date: '2025-06-01' },
    csat: null,
    csatRatings: 0,
    slaCompliance: null,
    lastActivityAt: null,
    ...extra,
  };
}

function show(answer: CustomersOverviewAnswer) {
  vi.stubGlobal('fetch', async () => new Response(JSON.stringify(answer), { status: 200 }));
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <QueryClientProvider client={client}>
      <CustomersPage user={ME} />
    </QueryClientProvider>,
  );
}

const names = () => within(screen.getByRole('table')).getAllByRole('rowheader').map((cell) => cell.querySelector('a')?.textContent);

beforeEach(() => window.history.replaceState(null, '', '/'));
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('customers list', () => {
  const connections = [{ subdomain: 'acme', status: 'active', state: 'live', lastSyncedAt: '2025-06-01T10:42:00Z' }];
  const customers = [
    customer('Alpha', 82),
    customer('Bravo', 41, { csm: { id: 'u1', name: 'Dana', email: 'dana@x.test' }, openTickets: 5, worstOpenPriority: 'urgent', escalatedOpen: 1 }),
    customer('Charlie', 66, { csm: { id: 'u1', name: 'Dana', email: 'dana@x.test' } }),
    customer('Delta', null),
  ];

  it('sorts worst health first (no score last), and filters mine, at risk and with escalations', async () => {
    show({ customers, connections, asOf: '2025-06-01T10:42:00Z' });
    await screen.findByRole('table');
    expect(names()).toEqual(['Bravo', 'Charlie', 'Alpha', 'Delta']);
    fireEvent.click(screen.getByRole('button', { name: 'My customers' }));
    expect(names()).toEqual(['Bravo', 'Charlie']);
    fireEvent.click(screen.getByRole('button', { name: 'At risk' }));
    expect(names()).toEqual(['Bravo']);
    fireEvent.click(screen.getByRole('button', { name: 'My customers' }));
    fireEvent.click(screen.getByRole('button', { name: 'At risk' }));
    fireEvent.click(screen.getByRole('button', { name: 'With escalations' }));
    expect(names()).toEqual(['Bravo']);
    fireEvent.click(screen.getByRole('button', { name: 'With escalations' }));
    fireEvent.change(screen.getByLabelText('Sort by'), { target: { value: 'name' } });
    expect(names()).toEqual(['Alpha', 'Bravo', 'Charlie', 'Delta']);
    fireEvent.change(screen.getByLabelText('Search'), { target: { value: 'charlie.com' } });
    expect(names()).toEqual(['Charlie']);
    expect(screen.getByText(/Zendesk data as of/)).toBeTruthy();
  });

  it('guides an admin to connect Zendesk when nothing is connected', async () => {
    show({ customers: [], connections: [], asOf: null });
    await screen.findByText('Zendesk is not connected yet');
    expect(screen.getByRole('link', { name: 'Connect Zendesk' }).getAttribute('href')).toBe('/settings?tab=connections');
  });
});
