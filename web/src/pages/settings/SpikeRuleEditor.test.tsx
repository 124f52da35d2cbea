import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SpikeRuleEditor } from './SpikeRuleEditor.tsx';

const RULES = { ticketSpike: { threshold: 4, windowHours: 12 }, negativeCsat: { maxScore: 2 }, types: ['ticket_spike' as const] };
const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

function renderEditor(admin: boolean) {
  render(
    <QueryClientProvider client={new QueryClient({ defaultOptions: { queries: { retry: false } } })}>
      <SpikeRuleEditor rules={RULES} admin={admin} />
    </QueryClientProvider>,
  );
}

describe('ticket-spike rule editor', () => {
  it('saves both numbers, waits for a change before it offers to save, and says what was saved', async () => {
    const sent: unknown[] = [];
    vi.stubGlobal('fetch', async (url: string, init?: RequestInit) => {
      expect(url).toBe('/api/alerts/rules');
      const body = JSON.parse(String(init?.body));
      sent.push(body);
      return json({ ...RULES, ticketSpike: body.ticketSpike });
    });
    renderEditor(true);
    const button = screen.getByRole('button', { name: 'Save spike rule' }) as HTMLButtonElement;
    expect(button.disabled).toBe(true);
    fireEvent.change(screen.getByLabelText('Tickets'), { target: { value: '6' } });
    fireEvent.change(screen.getByLabelText('within hours'), { target: { value: '24' } });
    fireEvent.click(button);
    expect((await screen.findByRole('status')).textContent).toBe('Saved: 6 tickets within 24 hours.');
    expect(sent).toEqual([{ ticketSpike: { threshold: 6, windowHours: 24 } }]);
    // Saved: the fields show what is stored, and the button waits for the next change.
    expect((screen.getByRole('button', { name: 'Save spike rule' }) as HTMLButtonElement).disabled).toBe(true);
  });

  it('is read-only for others', () => {
    renderEditor(false);
    expect((screen.getByLabelText('Tickets') as HTMLInputElement).disabled).toBe(true);
    expect(screen.queryByRole('button')).toBeNull();
  });
});
