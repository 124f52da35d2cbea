import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { NegativeCsatEditor } from './NegativeCsatEditor.tsx';

const RULES = { ticketSpike: { threshold: 4, windowHours: 12 }, negativeCsat: { maxScore: 2 }, types: ['negative_csat' as const] };
const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

function renderEditor(admin: boolean) {
  render(
    <QueryClientProvider client={new QueryClient({ defaultOptions: { queries: { retry: false } } })}>
      <NegativeCsatEditor rules={RULES} admin={admin} />
    </QueryClientProvider>,
  );
}

describe('negative-CSAT threshold editor', () => {
  it('saves the new threshold with the spike rule as stored, and says what was saved', async () => {
    const sent: unknown[] = [];
    vi.stubGlobal('fetch', async (url: string, init?: RequestInit) => {
      expect(url).toBe('/api/alerts/rules');
      expect(init?.method).toBe('PUT');
      const body = JSON.parse(String(init?.body));
      sent.push(body);
      return json({ ...RULES, negativeCsat: body.negativeCsat });
    });
    renderEditor(true);
    const input = screen.getByLabelText('Negative at or below (of 5)') as HTMLInputElement;
    expect(input.value).toBe('2');
    fireEvent.change(input, { target: { value: '3' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save CSAT threshold' }));
    expect((await screen.findByRole('status')).textContent).toBe('Saved: a response of 3 or less out of 5 is negative.');
    expect(sent).toEqual([{ ticketSpike: { threshold: 4, windowHours: 12 }, negativeCsat: { maxScore: 3 } }]);
  });

  it("does not send a threshold outside 1 to 4, and shows the server's refusal", async () => {
    const calls: string[] = [];
    vi.stubGlobal('fetch', async (url: string) => {
      calls.push(url);
      return json({ error: { code: 'forbidden', message: 'Only admins can change alert rules', details: [] } }, 403);
    });
    renderEditor(true);
    const input = screen.getByLabelText('Negative at or below (of 5)');
    fireEvent.change(input, { target: { value: '5' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save CSAT threshold' }));
    expect(calls).toEqual([]);
    fireEvent.change(input, { target: { value: '1' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save CSAT threshold' }));
    expect((await screen.findByRole('alert')).textContent).toMatch(/admins/);
    expect(calls).toEqual(['/api/alerts/rules']);
  });

  it('is read-only for others', () => {
    renderEditor(false);
    expect((screen.getByLabelText('Negative at or below (of 5)') as HTMLInputElement).disabled).toBe(true);
    expect(screen.queryByRole('button')).toBeNull();
  });
});
