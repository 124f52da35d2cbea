import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { TicketEvent } from '../../../src/contracts/tickets.ts';
import { TicketEventLine } from './TicketEventLine.tsx';

const url = (id: number) => `https://acme.zendesk.com/agent/tickets/${id}`;
const event = (extra: Partial<TicketEvent>): TicketEvent => ({
  id: 1,
  kind: 'merged',
  from: null,
  to: null,
  occurredAt: '2026-12-01T10:00:00.000Z',
  source: 'events',
  connectionId: 'c1',
  zendeskTicketId: 7,
  subdomain: 'acme',
  subject: 'Printer on fire',
  merge: null,
  ...extra,
});
const line = (e: TicketEvent) => {
  render(
    <ol>
      <TicketEventLine event={e} />
    </ol>,
  );
  return screen.getByRole('listitem');
};

afterEach(cleanup);

describe('a ticket history line', () => {
  it('on a merge source: "Merged into #N", linked to the target in Zendesk', () => {
    const item = line(event({ zendeskTicketId: 3, from: '3', to: '7', merge: { into: { zendeskTicketId: 7, url: url(7) }, from: [] } }));
    expect(item.querySelector('.event-kind')?.textContent).toBe('Merged');
    expect(item.querySelector('.event-merge')?.textContent).toBe('into #7');
    expect(screen.getByRole('link', { name: '#7' }).getAttribute('href')).toBe(url(7));
    expect(item.textContent).toContain('#3 Printer on fire');
  });

  it('on the target: "Merged #A, #B into this ticket", each linked', () => {
    const item = line(event({ from: '3,5', to: '7', merge: { into: null, from: [{ zendeskTicketId: 3, url: url(3) }, { zendeskTicketId: 5, url: url(5) }] } }));
    expect(item.querySelector('.event-merge')?.textContent).toBe('#3, #5 into this ticket');
    expect(screen.getAllByRole('link').map((a) => [a.textContent, a.getAttribute('href')])).toEqual([
      ['#3', url(3)],
      ['#5', url(5)],
    ]);
    expect(item.querySelector('.event-kind')?.textContent).toBe('Merged');
  });

  it('other events show their change and no links', () => {
    const item = line(event({ kind: 'status_changed', from: 'open', to: 'pending' }));
    expect(item.textContent).toContain('Status changed');
    expect(item.textContent).toContain('open → pending');
    expect(screen.queryAllByRole('link')).toEqual([]);
  });
});
