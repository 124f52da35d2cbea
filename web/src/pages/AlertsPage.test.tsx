import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Alert } from '../../../src/contracts/alerts.ts';
import type { User } from '../../../src/contracts/auth.ts';
import AlertsPage, { snoozeChoices } from './AlertsPage.tsx';

const CSM: User = { id: 'u1', email: 'casey@x.test', name: 'Casey', role: 'csm' };
const ALERT: Alert = {
  id: 'a1',
  type: 'escalation',
  customerId: 'c1',
  customerName: 'Acme',
  customerUrl: '/api/customers/c1',
  connectionId: 'z1',
  zendeskTicketId: 42,
  subdomain: 'acme',
  ticketUrl: 'https://acme.zendesk.com/agent/tickets/42',
  status: 'open',
  details: { subject: 'Broken' },
  occurredAt: '2026-12-01T10:00:00.000Z',
  createdAt: '2026-12-01T10:00:00.000Z',
  acknowledgedAt: null,
  acknowledgedBy: null,
  resolvedAt: null,
  resolvedBy: null,
  recipientIds: ['u1'],
  snoozedUntil: null,
  assignedTo: null,
  assignedAt: null,
  resolutionNote: null,
};

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

/** The API as the page uses it; records every write (method, path, body). */
function stubApi() {
  const writes: Array<{ method: string; path: string; body: unknown }> = [];
  vi.stubGlobal('fetch', async (url: string, init?: RequestInit) => {
    const path = url.split('?')[0]!;
    const method = init?.method ?? 'GET';
    if (method !== 'GET') {
      writes.push({ method, path, body: init?.body === undefined ? undefined : JSON.parse(String(init.body)) });
      return json({ alert: ALERT });
    }
    if (path === '/api/alerts') return json({ alerts: [ALERT], nextCursor: null, unread: 1 });
    if (path === '/api/alerts/assignees') return json({ users: [{ id: 'u1', name: 'Casey', email: 'casey@x.test', role: 'csm' }, { id: 'u2', name: 'Robin', email: 'robin@x.test', role: 'leader' }] });
    if (path === '/api/alerts/a1/history') {
      return json({
        events: [
          { kind: 'raised', at: '2026-12-01T10:00:00.000Z', actorId: null, actorName: null, note: null, until: null, assigneeId: null, assigneeName: null, via: 'app' },
          { kind: 'resolved', at: '2026-12-01T11:00:00.000Z', actorId: 'u2', actorName: 'Robin', note: 'Fixed', until: null, assigneeId: null, assigneeName: null, via: 'app' },
        ],
      });
    }
    if (path === '/api/alerts/awareness') return json({ days: 7, asOf: '2026-12-01T10:00:00.000Z', targetMinutes: 60, team: { alerts: 0, acknowledgedInTime: 0, share: null, medianMinutesToAcknowledge: null, unacknowledged: 0 }, users: [] });
    if (path === '/api/alerts/subscriptions') return json({ subscriptions: [] });
    if (path === '/api/alerts/webhook') return json({ webhook: { configured: false, enabled: false, host: null } });
    return json({ error: { code: 'not_found', message: `no ${path}` } }, 404);
  });
  return writes;
}

function renderPage() {
  render(
    <QueryClientProvider client={new QueryClient({ defaultOptions: { queries: { retry: false } } })}>
      <AlertsPage user={CSM} />
    </QueryClientProvider>,
  );
}

beforeEach(() => window.history.replaceState(null, '', '/alerts'));
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('alert lifecycle on the Alerts page', () => {
  it('snoozes until a chosen time', async () => {
    const writes = stubApi();
    renderPage();
    const select = await screen.findByLabelText('Snooze Escalation at Acme');
    const before = Date.now();
    fireEvent.change(select, { target: { value: '4 hours' } });
    await waitFor(() => expect(writes).toHaveLength(1));
    expect(writes[0]).toMatchObject({ method: 'POST', path: '/api/alerts/a1/snooze' });
    const until = Date.parse((writes[0]!.body as { until: string }).until);
    expect(until - before).toBeGreaterThanOrEqual(4 * 3_600_000);
    expect(until - before).toBeLessThan(4 * 3_600_000 + 60_000);
  });

  it('offers tomorrow at 9:00 local time', () => {
    const tomorrow = snoozeChoices(new Date(2026, 11, 3, 22, 30)).find((c) => c.label === 'Tomorrow 9:00')!.until;
    expect([tomorrow.getFullYear(), tomorrow.getMonth(), tomorrow.getDate(), tomorrow.getHours(), tomorrow.getMinutes()]).toEqual([2026, 11, 4, 9, 0]);
  });

  it('resolves with the note typed, and without one when left empty', async () => {
    const writes = stubApi();
    renderPage();
    fireEvent.click(await screen.findByRole('button', { name: 'Resolve Escalation at Acme' }));
    fireEvent.change(screen.getByLabelText('Resolution note (optional)'), { target: { value: 'Called the customer back' } });
    fireEvent.click(screen.getByRole('button', { name: 'Resolve alert' }));
    await waitFor(() => expect(writes).toHaveLength(1));
    expect(writes[0]).toEqual({ method: 'POST', path: '/api/alerts/a1/resolve', body: { note: 'Called the customer back' } });
    await waitFor(() => expect(screen.queryByLabelText('Resolution note (optional)')).toBeNull());
    fireEvent.click(screen.getByRole('button', { name: 'Resolve Escalation at Acme' }));
    fireEvent.click(screen.getByRole('button', { name: 'Resolve alert' }));
    await waitFor(() => expect(writes).toHaveLength(2));
    expect(writes[1]).toEqual({ method: 'POST', path: '/api/alerts/a1/resolve', body: {} });
  });

  it('assigns to a user from the list, and shows the history', async () => {
    const writes = stubApi();
    renderPage();
    const select = await screen.findByLabelText('Assign Escalation at Acme to');
    fireEvent.change(select, { target: { value: 'u2' } });
    await waitFor(() => expect(writes).toEqual([{ method: 'POST', path: '/api/alerts/a1/assign', body: { userId: 'u2' } }]));
    fireEvent.click(screen.getByRole('button', { name: 'History of Escalation at Acme' }));
    expect((await screen.findByText(/Resolved by Robin: “Fixed”/)).textContent).toMatch(/Resolved by Robin/);
    expect(screen.getByText(/Raised by CSCX/)).toBeTruthy();
  });
});
