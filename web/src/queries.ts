/**
 * The customer page's queries in one place, so that main.tsx can start them while the app itself
 * is still loading (a first visit to /customers/:id then waits for one round trip, not four).
 */
import type { QueryClient } from '@tanstack/react-query';
import { api } from './api.ts';
import type { CustomerOverviewAnswer, HealthAnswer, HistoryPage, MetricsAnswer, TicketPage } from './types.ts';

export type TicketView = 'open' | 'solved' | 'all';
const VIEW_QUERY: Record<TicketView, string> = { open: 'status=open&sort=priority', solved: 'status=solved,closed&sort=updated', all: 'sort=updated' };

export const customerQuery = (id: string) => ({
  queryKey: ['customer', id],
  queryFn: () => api<CustomerOverviewAnswer>(`/api/customers/${id}/overview`),
});

export const healthQuery = (id: string, range: string) => ({
  queryKey: ['health', id, range],
  queryFn: () => api<HealthAnswer>(`/api/customers/${id}/health?days=${range}`),
});

export const metricsQuery = (id: string, range: string) => ({
  queryKey: ['metrics', id, range],
  queryFn: () => api<MetricsAnswer>(`/api/integrations/zendesk/metrics/${id}?days=${range}`),
});

export const ticketsQuery = (id: string, view: TicketView) => ({
  queryKey: ['tickets', id, view],
  queryFn: ({ pageParam }: { pageParam: string }) =>
    api<TicketPage>(`/api/integrations/zendesk/tickets/${id}?${VIEW_QUERY[view]}&limit=50${pageParam ? `&cursor=${encodeURIComponent(pageParam)}` : ''}`),
  initialPageParam: '',
  getNextPageParam: (last: TicketPage) => last.nextCursor ?? undefined,
});

export const historyQuery = (id: string) => ({
  queryKey: ['history', id],
  queryFn: ({ pageParam }: { pageParam: string }) => api<HistoryPage>(`/api/integrations/zendesk/tickets/${id}/history?limit=25${pageParam ? `&cursor=${encodeURIComponent(pageParam)}` : ''}`),
  initialPageParam: '',
  getNextPageParam: (last: HistoryPage) => last.nextCursor ?? undefined,
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
