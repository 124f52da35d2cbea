import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ChatData, ChatPanel, toSuggestions } from './ChatPanel.tsx';

const HOSTILE = '<img src=x onerror="globalThis.__xss=1">Broken';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});
beforeEach(() => sessionStorage.clear());

describe('chat data', () => {
  it('renders lists of records as a table, hostile text as text, and only http(s) links', () => {
    const { container } = render(
      <ChatData
        data={{
          kind: 'tickets',
          total: 2,
          tickets: [
            { zendeskTicketId: 1, subject: HOSTILE, status: 'open', priority: 'urgent', url: 'https://acme.zendesk.com/agent/tickets/1' },
            { zendeskTicketId: 2, subject: 'Fine', status: 'pending', priority: null, url: 'javascript:alert(1)' },
          ],
        }}
      />,
    );
    expect(container.querySelector('img')).toBeNull();
    expect(screen.getByText(HOSTILE)).toBeTruthy();
    const links = [...container.querySelectorAll('a')].map((a) => a.getAttribute('href'));
    expect(links).toEqual(['https://acme.zendesk.com/agent/tickets/1']);
    expect(screen.getByRole('columnheader', { name: 'Subject' })).toBeTruthy();
    expect(container.textContent).not.toContain('tickets' + 'kind');
  });

  it('turns choices into buttons that ask their message', () => {
    const asked: string[] = [];
    render(<ChatData data={{ kind: 'choices', question: 'Which Acme?', choices: [{ label: 'Acme Inc', message: 'tickets for Acme Inc' }] }} onAsk={(m) => asked.push(m)} />);
    fireEvent.click(screen.getByRole('button', { name: 'Acme Inc' }));
    expect(asked).toEqual(['tickets for Acme Inc']);
  });

  it('accepts suggestions as text or as {label, message}, and drops anything else', () => {
    expect(toSuggestions(['help', { label: 'CSAT', message: 'csat for Acme' }, 42, null])).toEqual([
      { label: 'help', message: 'help' },
      { label: 'CSAT', message: 'csat for Acme' },
    ]);
    expect(toSuggestions(undefined)).toEqual([]);
  });
});

describe('chat panel', () => {
  it('sends {message}, shows the reply and the suggestions, and keeps the conversation for the session', async () => {
    const calls: Array<{ url: string; body: unknown }> = [];
    vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
      calls.push({ url, body: JSON.parse(String(init.body)) });
      return new Response(JSON.stringify({ intent: 'help', entities: {}, reply: `You asked: ${HOSTILE}`, data: { kind: 'help' }, suggestions: [{ label: 'Open tickets', message: 'show open tickets' }] }), {
        status: 200,
        headers: { 'content-type': 'application/json' },
      });
    });
    render(<ChatPanel />);
    fireEvent.click(screen.getByRole('button', { name: 'Ask CSCX' }));
    fireEvent.change(screen.getByLabelText('Your question'), { target: { value: 'help me' } });
    fireEvent.click(screen.getByRole('button', { name: 'Send' }));
    await screen.findByText(`You asked: ${HOSTILE}`);
    expect(calls).toEqual([{ url: '/api/chat', body: { message: 'help me' } }]);
    expect(document.querySelector('img')).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Open tickets' }));
    await waitFor(() => expect(calls.at(-1)?.body).toEqual({ message: 'show open tickets' }));
    expect(JSON.parse(sessionStorage.getItem('cscx.chat') ?? '[]').length).toBeGreaterThanOrEqual(3);
  });

  it('says so in words when the server has no chat', async () => {
    vi.stubGlobal('fetch', async () => new Response(JSON.stringify({ error: { code: 'not_found', message: 'no route POST /api/chat' } }), { status: 404 }));
    render(<ChatPanel />);
    fireEvent.click(screen.getByRole('button', { name: 'Ask CSCX' }));
    fireEvent.change(screen.getByLabelText('Your question'), { target: { value: 'hello' } });
    fireEvent.click(screen.getByRole('button', { name: 'Send' }));
    await screen.findByText('Chat is not available on this server yet.');
  });
});
