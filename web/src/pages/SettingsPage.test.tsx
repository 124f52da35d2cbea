import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { User } from '../../../src/contracts/auth.ts';
import SettingsPage from './SettingsPage.tsx';

const ADMIN: User = { id: 'u1', email: 'dana@x.test', name: 'Dana', role: 'admin' };
const REFUSAL = `"acme/../../etc" is not a Zendesk subdomain: give the subdomain alone (acme) or the account's URL (https://acme.zendesk.com)`;

beforeEach(() => window.history.replaceState(null, '', '/settings?tab=connections'));
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('connect form', () => {
  it("sends the subdomain as typed and shows the server's refusal, keeping what was typed", async () => {
    const sent: unknown[] = [];
    vi.stubGlobal('fetch', async (url: string, init?: RequestInit) => {
      if (url === '/api/integrations/zendesk/connect') {
        sent.push(JSON.parse(String(init?.body)));
        const error = { code: 'validation_failed', message: REFUSAL, details: [{ field: 'subdomain', message: 'is not a Zendesk subdomain' }] };
        return new Response(JSON.stringify({ error }), { status: 400, headers: { 'content-type': 'application/json' } });
      }
      return new Response(JSON.stringify({ connections: [] }), { status: 200, headers: { 'content-type': 'application/json' } });
    });
    const assign = vi.fn();
    vi.stubGlobal('location', { ...window.location, assign });
    render(
      <QueryClientProvider client={new QueryClient({ defaultOptions: { queries: { retry: false } } })}>
        <SettingsPage user={ADMIN} />
      </QueryClientProvider>,
    );
    const input = await screen.findByLabelText('Zendesk subdomain');
    fireEvent.change(input, { target: { value: 'acme/../../etc' } });
    fireEvent.click(screen.getByRole('button', { name: 'Continue to Zendesk' }));
    expect((await screen.findByRole('alert')).textContent).toBe(`${REFUSAL}.`); // the server's words, as a sentence
    expect(sent).toEqual([{ subdomain: 'acme/../../etc', method: 'oauth' }]);
    expect((input as HTMLInputElement).value).toBe('acme/../../etc');
    expect(assign).not.toHaveBeenCalled();
  });
});

describe('my notifications', () => {
  const CSM: User = { id: 'u2', email: 'casey@x.test', name: 'Casey', role: 'csm' };
  const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  const FAILED = {
    alertId: 'a1',
    alertType: 'escalation',
    customerId: '00000000-0000-4000-8000-000000000001',
    customerName: 'Acme Corp',
    userId: 'u2',
    userName: 'Casey',
    channel: 'email',
    status: 'failed',
    attempts: 8,
    lastError: 'Mailbox casey@x.test does not exist',
    lastAttemptAt: '2026-12-01T10:00:00.000Z',
    nextAttemptAt: null,
    alertOccurredAt: '2026-12-01T09:00:00.000Z',
  };

  function serve(options: { mailConfigured: boolean }) {
    const puts: unknown[] = [];
    const asked: string[] = [];
    let settings = { email: true, timeZone: 'UTC', digestHour: 8, digestEnabled: true };
    vi.stubGlobal('fetch', async (url: string, init?: RequestInit) => {
      asked.push(`${init?.method ?? 'GET'} ${url}`);
      if (url === '/api/me/notifications' && init?.method === 'PUT') {
        const body = JSON.parse(String(init.body)) as typeof settings;
        puts.push(body);
        if (body.timeZone === 'Antarctica/Troll') {
          const message = 'timeZone: "Antarctica/Troll" is not a time zone the database knows; use an IANA name such as Europe/Paris, America/New_York or UTC';
          return json({ error: { code: 'validation_failed', message, details: [{ field: 'timeZone', message }] } }, 400);
        }
        settings = body;
        return json({ settings, address: 'casey@x.test', mailConfigured: options.mailConfigured });
      }
      if (url === '/api/me/notifications') return json({ settings, address: 'casey@x.test', mailConfigured: options.mailConfigured });
      if (url.startsWith('/api/alerts/deliveries')) return json({ deliveries: [FAILED] });
      return json({ error: { code: 'forbidden', message: 'needs the role admin' } }, 403);
    });
    return { puts, asked };
  }
  const renderPage = (user: User) =>
    render(
      <QueryClientProvider client={new QueryClient({ defaultOptions: { queries: { retry: false } } })}>
        <SettingsPage user={user} />
      </QueryClientProvider>,
    );

  it("is a CSM's settings page: only their own section, the four settings saved, a refusal shown with the choice kept", async () => {
    window.history.replaceState(null, '', '/settings');
    const { puts, asked } = serve({ mailConfigured: true });
    renderPage(CSM);
    expect((await screen.findByRole('heading', { name: 'My notifications' })).tagName).toBe('H2');
    // No team settings for a CSM: neither their tabs nor their (forbidden) calls.
    expect(screen.queryByRole('link', { name: 'Zendesk connections' })).toBeNull();
    expect(asked.filter((a) => !a.includes('/api/me/notifications') && !a.includes('/api/alerts/deliveries'))).toEqual([]);
    expect(screen.getByLabelText(/Email me each alert at casey@x.test/)).toBeTruthy();
    expect(screen.queryByText(/Email is off for the whole server/)).toBeNull();

    const zone = screen.getByLabelText('Time zone') as HTMLSelectElement;
    expect([...zone.options].map((o) => o.value)).toEqual(expect.arrayContaining(['UTC', 'Europe/Paris', 'America/New_York']));
    fireEvent.change(zone, { target: { value: 'Europe/Paris' } });
    fireEvent.change(screen.getByLabelText('Digest hour'), { target: { value: '7' } });
    fireEvent.click(screen.getByLabelText(/Email me each alert/));
    fireEvent.click(screen.getByRole('button', { name: 'Save my notifications' }));
    expect((await screen.findByText(/^Saved:/)).textContent).toBe('Saved: alerts by email off, digest at 07:00 Europe/Paris.');
    expect(puts).toEqual([{ email: false, timeZone: 'Europe/Paris', digestHour: 7, digestEnabled: true }]);

    // A zone the server refuses: its words, and the choice stays on screen.
    fireEvent.change(zone, { target: { value: 'Antarctica/Troll' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save my notifications' }));
    expect((await screen.findByRole('alert')).textContent).toMatch(/TimeZone: "Antarctica\/Troll" is not a time zone the database knows/i);
    expect(zone.value).toBe('Antarctica/Troll');
  });

  it('says when email is off server-wide, and lists the failed deliveries with their reason', async () => {
    window.history.replaceState(null, '', '/settings?tab=notifications');
    const { asked } = serve({ mailConfigured: false });
    renderPage(CSM);
    expect(await screen.findByText(/Email is off for the whole server/)).toBeTruthy();
    const row = (await screen.findByText('Mailbox casey@x.test does not exist')).closest('tr')!;
    expect(row.textContent).toContain('Escalation');
    expect(row.textContent).toContain('Acme Corp');
    expect(row.textContent).toContain('Email');
    expect(row.textContent).toContain('8');
    expect(asked).toContain('GET /api/alerts/deliveries?status=failed');
    // Only admins are offered everyone's.
    expect(screen.queryByLabelText(/Everyone/)).toBeNull();
  });

  it("offers admins everyone's failed deliveries", async () => {
    window.history.replaceState(null, '', '/settings?tab=notifications');
    const { asked } = serve({ mailConfigured: true });
    renderPage(ADMIN);
    fireEvent.click(await screen.findByLabelText(/Everyone/));
    expect((await screen.findByRole('columnheader', { name: 'Person' })).textContent).toBe('Person');
    expect(asked).toContain('GET /api/alerts/deliveries?status=failed&all=true');
  });
});
