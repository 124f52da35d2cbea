/**
 * One line of a customer's ticket history: when, what happened, the change in words, and the
 * ticket. A merge names the other tickets with their Zendesk pages: "Merged into #N" on a source,
 * "Merged #A, #B into this ticket" on the target.
 */
import { Fragment } from 'react';
import type { TicketEvent, TicketLink } from '../../../src/contracts/tickets.ts';
import { dateTime } from '../format.ts';

const EVENT_LABEL: Record<string, string> = {
  created: 'Created',
  status_changed: 'Status changed',
  priority_changed: 'Priority changed',
  escalated: 'Escalated',
  deescalated: 'De-escalated',
  rated: 'Rated',
  solved: 'Solved',
  reopened: 'Reopened',
  deleted: 'Deleted',
  note_added: 'Note added',
  merged: 'Merged',
};

/** The change an event made, in words: "open → pending", "good"; nothing when the kind says it all. */
function eventDetail(event: TicketEvent): string | null {
  if (event.kind === 'status_changed' || event.kind === 'priority_changed') return `${event.from ?? 'none'} → ${event.to ?? 'none'}`;
  if (event.kind === 'rated' && event.to) return event.to;
  if (event.kind === 'solved' && event.to && event.to !== 'solved') return `(${event.to})`;
  return null;
}

function TicketRef({ ticket }: { ticket: TicketLink }) {
  return (
    <a href={ticket.url} target="_blank" rel="noopener noreferrer">
      #{ticket.zendeskTicketId}
    </a>
  );
}

function MergeDetail({ merge }: { merge: NonNullable<TicketEvent['merge']> }) {
  if (merge.into) {
    return (
      <span className="event-merge">
        into <TicketRef ticket={merge.into} />
      </span>
    );
  }
  return (
    <span className="event-merge">
      {merge.from.map((ticket, i) => (
        <Fragment key={ticket.zendeskTicketId}>
          {i > 0 && ', '}
          <TicketRef ticket={ticket} />
        </Fragment>
      ))}{' '}
      into this ticket
    </span>
  );
}

export function TicketEventLine({ event }: { event: TicketEvent }) {
  const detail = eventDetail(event);
  return (
    <li className={`event event-${event.kind}`}>
      <time dateTime={event.occurredAt}>{dateTime(event.occurredAt)}</time>
      <span className="event-kind">{EVENT_LABEL[event.kind] ?? event.kind}</span>
      {event.merge && <MergeDetail merge={event.merge} />}
      {detail && <span className="muted">{detail}</span>}
      <span className="event-ticket">
        #{event.zendeskTicketId} {event.subject ?? ''}
      </span>
    </li>
  );
}
