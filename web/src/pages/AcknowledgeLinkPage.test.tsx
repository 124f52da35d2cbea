import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AcknowledgeLinkPage } from './AcknowledgeLinkPage.tsx';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

function renderPage(search: string) {
  window.history.replaceState(null, '', `/alerts/acknowledge${search}`);
  render(
    <QueryClientProvider client={new QueryClient({ defaultOptions: { queries: { retry: false } } })}>
      <AcknowledgeLinkPage />
    </QueryClientProvider>,
  );
}

describe('acknowledge link page', () => {
  it('sends nothing when opened, and posts the token when the button is pressed', async () => {
    const sent: Array<{ url: string; body: unknown }> = [];
    vi.stubGlobal('fetch', async (url: string, init?: RequestInit) => {
      sent.push({ url, body: init?.body ? JSON.parse(String(init.body)) : null });
      const alert = { id: 'a1', type: 'escalation', customerName: 'Acme', status: 'acknowledged', acknowledgedAt: '2026-12-03T10:00:00.000Z' };
      return new Response(JSON.stringify({ alert }), { status: 200, headers: { 'content-type': 'application/json' } });
    });
    renderPage('?token=enc%3Av1%3Ak1%3Aabc');
    await screen.findByRole('button', { name: 'Acknowledge' });
    expect(sent).toEqual([]);
    fireEvent.click(screen.getByRole('button', { name: 'Acknowledge' }));
    expect((await screen.findByRole('status')).textContent).toContain('Escalation at Acme: acknowledged');
    expect(sent).toEqual([{ url: '/api/alerts/acknowledge-by-link', body: { token: 'enc:v1:k1:abc' } }]);
  });

  it("shows the server's reason for a link it refuses", async () => {
    vi.stubGlobal('fetch', async () => {
      const error = { code: 'validation_failed', message: 'token: this link expired (links work for 14 days); open the alert in CSCX instead' };
      return new Response(JSON.stringify({ error }), { status: 400, headers: { 'content-type': 'application/json' } });
    });
    renderPage('?token=old');
    fireEvent.click(await screen.findByRole('button', { name: 'Acknowledge' }));
    expect((await screen.findByRole('alert')).textContent).toContain('this link expired');
  });
});
