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
