/**
 * The customer page's queries in one place, so that main.tsx can start them while the app itself
 * is still loading (a first visit to /customers/:id then waits for one round trip, not four).
 */
import type { QueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import { getCustomerOverview, getCustomersOverview } from '../../src/contracts/customers.ts';
import { getCustomerHealth } from '../../src/contracts/health-score.ts';
import { getCustomerMetrics } from '../../src/contracts/metrics.ts';
import { listTicketHistory, listTickets, type listTicketsQuery } from '../../src/contracts/tickets.ts';
import { call } from './api.ts';

export type TicketView = 'open' | 'solved' | 'all';
const VIEW_QUERY: Record<TicketView, z.input<typeof listTicketsQuery>> = {
  open: { status: 'open', sort: 'priority' },
  solved: { status: 'solved,closed', sort: 'updated' },
  all: { sort: 'updated' },
};

/** Every customer's support picture: the customer list, and the settings' pickers and preview. */
export const customersOverviewQuery = {
  queryKey: ['customers', 'overview'],
  queryFn: () => call(getCustomersOverview),
};

export const customerQuery = (id: string) => ({
  queryKey: ['customer', id],
  queryFn: () => call(getCustomerOverview, { params: { id } }),
});

export const healthQuery = (id: string, range: string) => ({
  queryKey: ['health', id, range],
  queryFn: () => call(getCustomerHealth, { params: { id }, query: { days: range } }),
});

export const metricsQuery = (id: string, range: string) => ({
  queryKey: ['metrics', id, range],
  queryFn: () => call(getCustomerMetrics, { params: { customerId: id }, query: { days: range } }),
});

export const ticketsQuery = (id: string, view: TicketView) => ({
  queryKey: ['tickets', id, view],
  queryFn: ({ pageParam }: { pageParam: string }) =>
    call(listTickets, { params: { customerId: id }, query: { ...VIEW_QUERY[view], limit: '50', cursor: pageParam || undefined } }),
  initialPageParam: '',
  getNextPageParam: (last: { nextCursor: string | null }) => last.nextCursor ?? undefined,
});

export const historyQuery = (id: string) => ({
  queryKey: ['history', id],
  queryFn: ({ pageParam }: { pageParam: string }) => call(listTicketHistory, { params: { customerId: id }, query: { limit: '25', cursor: pageParam || undefined } }),
  initialPageParam: '',
  getNextPageParam: (last: { nextCursor: string | null }) => last.nextCursor ?? undefined,
});

export function rangeOf(params: URLSearchParams): '30' | '90' | '365' {
  const range = params.get('range');
  return range === '90' || range === '365' ? range : '30';
}

export function ticketViewOf(params: URLSearchParams): TicketView {
  const view = params.get('tickets');
  return view === 'solved' || view === 'all' ? view : 'open';
}

/** On a first load of a customer page: its code and data, fetched alongside the sign-in check. */
export function prefetchForLocation(client: QueryClient, location: { pathname: string; search: string }): void {
  const match = /^\/customers\/([0-9a-f-]{36})$/.exec(location.pathname);
  if (!match?.[1]) return;
  const id = match[1];
  const params = new URLSearchParams(location.search);
  const range = rangeOf(params);
  void import('./pages/CustomerPage.tsx');
  // Failures (signed out) are left to the page's own queries, which retry and explain.
  void client.prefetchQuery(customerQuery(id)).catch(() => undefined);
  void client.prefetchQuery(healthQuery(id, range)).catch(() => undefined);
  void client.prefetchQuery(metricsQuery(id, range)).catch(() => undefined);
  void client.prefetchInfiniteQuery(ticketsQuery(id, ticketViewOf(params))).catch(() => undefined);
  void client.prefetchInfiniteQuery(historyQuery(id)).catch(() => undefined);
}
