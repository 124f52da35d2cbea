import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TeamWebhookEditor } from '../pages/settings/TeamWebhookEditor.tsx';
import { FollowButton, FollowedAccounts } from './FollowButton.tsx';

const ACME = '00000000-0000-4000-8000-000000000001';
const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const wrap = (node: React.ReactNode) => render(<QueryClientProvider client={new QueryClient({ defaultOptions: { queries: { retry: false } } })}>{node}</QueryClientProvider>);

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('following a customer', () => {
  it('follows the chosen types, shows them, and unfollows', async () => {
    const sent: Array<{ method: string; url: string; body: unknown }> = [];
    let follows: unknown[] = [];
    vi.stubGlobal('fetch', async (url: string, init?: RequestInit) => {
      const method = init?.method ?? 'GET';
      if (method !== 'GET') sent.push({ method, url, body: init?.body ? JSON.parse(String(init.body)) : null });
      if (url === `/api/customers/${ACME}/follow` && method === 'PUT') {
        const types = (JSON.parse(String(init!.body)) as { types: string[] }).types;
        follows = [{ customerId: ACME, customerName: 'Acme', types, followedAt: '2026-12-01T10:00:00.000Z' }];
        return json({ follow: follows[0] });
      }
      if (url === `/api/customers/${ACME}/follow` && method === 'DELETE') {
        follows = [];
        return json({ unfollowed: true });
      }
      return json({ follows });
    });
    wrap(<FollowButton customerId={ACME} customerName="Acme" />);
    fireEvent.click(await screen.findByRole('button', { name: 'Follow alerts' }));
    fireEvent.click(screen.getByLabelText('SLA breach'));
    fireEvent.click(screen.getByLabelText('Ticket spike'));
    fireEvent.click(screen.getByRole('button', { name: 'Follow' }));
    expect(await screen.findByText('Escalation, Bad rating')).toBeTruthy();
    expect(sent).toEqual([{ method: 'PUT', url: `/api/customers/${ACME}/follow`, body: { types: ['escalation', 'negative_csat'] } }]);
    fireEvent.click(screen.getByRole('button', { name: 'Unfollow' }));
    expect(await screen.findByRole('button', { name: 'Follow alerts' })).toBeTruthy();
    expect(sent.at(-1)).toMatchObject({ method: 'DELETE', url: `/api/customers/${ACME}/follow` });
  });
});

describe('the accounts I follow', () => {
  it('lists them with their types, and unfollows one', async () => {
    let follows = [{ customerId: ACME, customerName: 'Acme', types: null, followedAt: '2026-12-01T10:00:00.000Z' }];
    const deleted: string[] = [];
    vi.stubGlobal('fetch', async (url: string, init?: RequestInit) => {
      if (init?.method === 'DELETE') {
        deleted.push(url);
        follows = [];
        return json({ unfollowed: true });
      }
      return json({ follows });
    });
    wrap(<FollowedAccounts />);
    expect((await screen.findByRole('link', { name: 'Acme' })).getAttribute('href')).toBe(`/customers/${ACME}`);
    expect(screen.getByText(/all types/)).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Unfollow Acme' }));
    expect(await screen.findByText('None yet.')).toBeTruthy();
    expect(deleted).toEqual([`/api/customers/${ACME}/follow`]);
  });
});

describe('the team webhook', () => {
  it("shows the host only, saves a URL, and shows the server's refusal", async () => {
    const sent: unknown[] = [];
    let webhook = { configured: false, enabled: false, host: null as string | null, setBy: null as unknown, updatedAt: null as string | null };
    vi.stubGlobal('fetch', async (url: string, init?: RequestInit) => {
      if (url === '/api/alerts/team-webhook' && init?.method === 'PUT') {
        const body = JSON.parse(String(init.body)) as { url: string };
        sent.push(body);
        if (body.url.startsWith('http://')) return json({ error: { code: 'validation_failed', message: 'url: points to 10.0.0.1, a private or local address' } }, 400);
        webhook = { configured: true, enabled: true, host: new URL(body.url).host, setBy: { id: 'u1', name: 'Dana' }, updatedAt: '2026-12-01T10:00:00.000Z' };
        return json({ webhook });
      }
      return json({ webhook });
    });
    wrap(<TeamWebhookEditor />);
    const input = await screen.findByLabelText('Team webhook URL');
    fireEvent.change(input, { target: { value: 'http://10.0.0.1/hook' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect((await screen.findByRole('alert')).textContent).toMatch(/private or local address/);
    fireEvent.change(input, { target: { value: 'https://hooks.slack.com/services/T/B/secret' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(screen.getByText('hooks.slack.com')).toBeTruthy());
    expect(document.body.textContent).not.toContain('secret');
    expect(sent).toEqual([
      { url: 'http://10.0.0.1/hook', enabled: true },
      { url: 'https://hooks.slack.com/services/T/B/secret', enabled: true },
    ]);
  });
});
