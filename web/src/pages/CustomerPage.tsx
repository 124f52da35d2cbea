import { useInfiniteQuery, useMutation, useQuery, useQueryClient, type UseQueryResult } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { isOpenStatus } from '../../../src/contracts/vocabulary.ts';
import { call, errorText } from '../api.ts';
import { HealthBadge, OpenBadge, PriorityLabel, SlaLabel, StatusTag } from '../components/badges.tsx';
import { BarChart, BulletGauge, LineChart } from '../components/charts.tsx';
import { Card, Empty, ErrorNote, Loading, Segmented } from '../components/ui.tsx';
import { FollowButton } from '../components/FollowButton.tsx';
import { TicketEventLine } from '../components/TicketEventLine.tsx';
import { age, count, dateTime, hours, percent, relativeTime, score, time } from '../format.ts';
import { Link, setParam, useLocation } from '../router.tsx';
import { customerQuery, healthQuery, historyQuery, metricsQuery, rangeOf, ticketsQuery, ticketViewOf } from '../queries.ts';
import type { User } from '../../../src/contracts/auth.ts';
import type { CustomerHealth as HealthAnswer, Signal } from '../../../src/contracts/health-score.ts';
import { addTicketNote, type Ticket } from '../../../src/contracts/tickets.ts';

type Range = '30' | '90' | '365';
const RANGES: Array<{ value: Range; label: string }> = [
  { value: '30', label: '30 days' },
  { value: '90', label: '90 days' },
  { value: '365', label: '365 days' },
];

export default function CustomerPage({ id, user }: { id: string; user: User }) {
  const { params } = useLocation();
  const range: Range = rangeOf(params);
  const overview = useQuery(customerQuery(id));
  const health = useQuery(healthQuery(id, range));

  if (overview.isPending) return <Loading label="Loading customer" />;
  if (overview.isError) {
    return (
      <>
        <p>
          <Link to="/">← All customers</Link>
        </p>
        <ErrorNote error={overview.error} retry={() => void overview.refetch()} />
      </>
    );
  }
  const { customer } = overview.data;
  // The health endpoint recomputes on read: fresher than the stored row the overview reads.
  const current = health.data?.current;
  const overall = current ? current.overall : customer.health?.overall;
  const support = current ? current.support : customer.health?.support;
  return (
    <>
      <p className="breadcrumb">
        <Link to="/">← All customers</Link>
      </p>
      <div className="page-head customer-head">
        <div>
          <h1>{customer.name}</h1>
          <p className="muted">
            {customer.csm ? <>CSM {customer.csm.name || customer.csm.email}</> : 'No CSM assigned'}
            {customer.domains.length > 0 && <> · {customer.domains.join(', ')}</>}
          </p>
          <FollowButton customerId={customer.id} customerName={customer.name} />
        </div>
        <dl className="key-facts">
          <div>
            <dt>Health</dt>
            <dd>
              <HealthBadge score={overall} change={customer.health?.change7d} />
            </dd>
          </div>
          <div>
            <dt>Support score</dt>
            <dd>{score(support)}</dd>
          </div>
          <div>
            <dt>Open tickets</dt>
            <dd>
              <OpenBadge count={customer.openTickets} worst={customer.worstOpenPriority} />
            </dd>
          </div>
          <div>
            <dt>CSAT (90 d)</dt>
            <dd>{percent(customer.csat)}</dd>
          </div>
        </dl>
      </div>
      <p className="freshness" data-testid="freshness">
        {overview.data.connections.length === 0 ? (
          <>Zendesk is not connected: no ticket data yet.</>
        ) : (
          <>
            Zendesk data as of <strong>{time(overview.data.asOf)}</strong>
            {overview.data.lastTicketSyncAt && <> · last ticket change received {relativeTime(overview.data.lastTicketSyncAt)}</>}
            <span className="muted"> · changes arrive live</span>
          </>
        )}
      </p>
      <div className="customer-grid">
        <div className="main-column">
          <TicketPanel customerId={id} user={user} />
          <Timeline customerId={id} />
        </div>
        <div className="side-column">
          <MetricsWidget customerId={id} range={range} health={health.data} />
          <HealthCard health={health} range={range} />
        </div>
      </div>
    </>
  );
}

// ---- tickets ----

function TicketPanel({ customerId, user }: { customerId: string; user: User }) {
  const { params } = useLocation();
  const view = ticketViewOf(params);
  const tickets = useInfiniteQuery(ticketsQuery(customerId, view));
  const rows = tickets.data?.pages.flatMap((page) => page.tickets) ?? [];
  const canNote = user.role === 'admin' || user.role === 'csm';
  return (
    <Card
      title="Tickets"
      id="tickets"
      actions={
        <Segmented
          label="Which tickets"
          value={view}
          onChange={(value) => setParam('tickets', value === 'open' ? null : value)}
          options={[
            { value: 'open', label: 'Open' },
            { value: 'solved', label: 'Solved' },
            { value: 'all', label: 'All' },
          ]}
        />
      }
    >
      {tickets.isPending && <Loading label="Loading tickets" />}
      {tickets.isError && <ErrorNote error={tickets.error} retry={() => void tickets.refetch()} />}
      {tickets.data && rows.length === 0 && (
        <Empty title={view === 'open' ? 'No open tickets' : view === 'solved' ? 'No solved tickets' : 'No tickets'}>
          <p className="muted">
            {view === 'open' ? 'Nothing is waiting on support for this customer right now.' : 'No ticket of this customer has reached us yet. Tickets appear once Zendesk is connected and this customer is matched (Settings, Mappings).'}
          </p>
        </Empty>
      )}
      {rows.length > 0 && (
        <ul className="ticket-list" aria-label={`${view} tickets`}>
          {rows.map((ticket) => (
            <TicketRow key={ticket.id} ticket={ticket} canNote={canNote} />
          ))}
        </ul>
      )}
      {tickets.hasNextPage && (
        <button type="button" onClick={() => void tickets.fetchNextPage()} disabled={tickets.isFetchingNextPage}>
          {tickets.isFetchingNextPage ? 'Loading…' : 'Show more tickets'}
        </button>
      )}
    </Card>
  );
}

function TicketRow({ ticket, canNote }: { ticket: Ticket; canNote: boolean }) {
  const [noting, setNoting] = useState(false);
  const open = isOpenStatus(ticket.status);
  return (
    <li className={`ticket ${ticket.escalated ? 'escalated' : ''}`} data-testid={`ticket-${ticket.zendeskTicketId}`}>
      <div className="ticket-main">
        <PriorityLabel priority={ticket.priority} />
        <span className="ticket-subject">
          <span className="muted">#{ticket.zendeskTicketId}</span> {ticket.subject ?? '(no subject)'}
        </span>
        {ticket.escalated && (
          <span className="tag escalated-flag">
            <span aria-hidden="true">⚑</span> Escalated
          </span>
        )}
      </div>
      <div className="ticket-meta">
        <StatusTag status={ticket.status} />
        <span title={`Created ${dateTime(ticket.createdAt)}`}>{open ? `Open ${age(ticket.createdAt)}` : `Updated ${relativeTime(ticket.updatedAt)}`}</span>
        <span>{ticket.assigneeName ? `Assignee ${ticket.assigneeName}` : 'Unassigned'}</span>
        {open && <SlaLabel sla={ticket.sla} />}
        {ticket.satisfactionRating === 'good' && <span className="rating good">Rated good</span>}
        {ticket.satisfactionRating === 'bad' && <span className="rating bad">Rated bad</span>}
        <span className="ticket-actions">
          <a href={ticket.url} target="_blank" rel="noopener noreferrer">
            View in Zendesk<span className="sr-only"> (ticket #{ticket.zendeskTicketId}, opens a new tab)</span> <span aria-hidden="true">↗</span>
          </a>
          {canNote && (
            <button type="button" className="link-button" aria-expanded={noting} onClick={() => setNoting(!noting)}>
              Add note<span className="sr-only"> to ticket #{ticket.zendeskTicketId}</span>
            </button>
          )}
        </span>
      </div>
      {noting && <NoteForm ticket={ticket} onDone={() => setNoting(false)} />}
    </li>
  );
}

function NoteForm({ ticket, onDone }: { ticket: Ticket; onDone: () => void }) {
  const client = useQueryClient();
  const [body, setBody] = useState('');
  const [done, setDone] = useState(false);
  const add = useMutation({
    mutationFn: () => call(addTicketNote, { params: { connectionId: ticket.connectionId, zendeskTicketId: String(ticket.zendeskTicketId) }, body: { body } }),
    onSuccess: () => {
      setDone(true);
      setBody('');
      void client.invalidateQueries({ queryKey: ['history'] });
    },
  });
  const fieldId = `note-${ticket.id}`;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (body.trim()) add.mutate();
  };
  return (
    <form className="note-form" onSubmit={submit}>
      <label htmlFor={fieldId}>Private note on #{ticket.zendeskTicketId} (agents see it in Zendesk; the requester does not)</label>
      <textarea id={fieldId} value={body} onChange={(event) => setBody(event.target.value)} rows={3} required maxLength={10000} />
      {add.isError && (
        <p className="error-text" role="alert">
          {errorText(add.error)}
        </p>
      )}
      {done && (
        <p className="success-text" role="status">
          Note added to ticket #{ticket.zendeskTicketId} in Zendesk.
        </p>
      )}
      <div className="row">
        <button type="submit" className="primary" disabled={add.isPending || !body.trim()}>
          {add.isPending ? 'Adding…' : 'Add note'}
        </button>
        <button type="button" onClick={onDone}>
          Close
        </button>
      </div>
    </form>
  );
}

// ---- history ----

function Timeline({ customerId }: { customerId: string }) {
  const history = useInfiniteQuery(historyQuery(customerId));
  const events = history.data?.pages.flatMap((page) => page.events) ?? [];
  return (
    <Card title="Ticket history" id="history">
      {history.isPending && <Loading label="Loading history" />}
      {history.isError && <ErrorNote error={history.error} retry={() => void history.refetch()} />}
      {history.data && events.length === 0 && <p className="muted">Nothing has happened on this customer's tickets yet.</p>}
      {events.length > 0 && (
        <ol className="timeline" tabIndex={0} aria-label="Ticket events, newest first">
          {events.map((event) => (
            <TicketEventLine key={event.id} event={event} />
          ))}
        </ol>
      )}
      {history.hasNextPage && (
        <button type="button" onClick={() => void history.fetchNextPage()} disabled={history.isFetchingNextPage}>
          Show earlier events
        </button>
      )}
    </Card>
  );
}

// ---- metrics and health ----

function MetricsWidget({ customerId, range, health }: { customerId: string; range: Range; health: HealthAnswer | undefined }) {
  const metrics = useQuery(metricsQuery(customerId, range));
  const baseline = health?.current.signals.find((s) => s.name === 'openTickets')?.baseline ?? null;
  const current = metrics.data?.current;
  const daily = metrics.data?.daily ?? [];
  return (
    <Card
      title="Support metrics"
      id="metrics"
      actions={<Segmented label="Range" value={range} onChange={(value) => setParam('range', value === '30' ? null : value)} options={RANGES} />}
    >
      {metrics.isPending && <Loading label="Loading metrics" />}
      {metrics.isError && <ErrorNote error={metrics.error} retry={() => void metrics.refetch()} />}
      {current && (
        <div className="metrics">
          <div className="metric">
            <h3>Open tickets</h3>
            <BulletGauge value={current.openTickets} baseline={baseline} label="Open tickets" />
            <p className="muted small">
              Urgent {current.openByPriority.urgent} · High {current.openByPriority.high} · Normal {current.openByPriority.normal} · Low {current.openByPriority.low}
              {current.openByPriority.none > 0 && <> · No priority {current.openByPriority.none}</>}
            </p>
          </div>
          <div className="metric">
            <h3>CSAT trend</h3>
            <LineChart points={daily.map((d) => ({ date: d.date, value: d.csat === null ? null : d.csat * 100 }))} min={0} max={100} label="CSAT, trailing 90 days" format={(v) => `${Math.round(v)}%`} />
            <p className="muted small">{current.csatRatings > 0 ? `${percent(current.csat)} from ${count(current.csatRatings)} ratings (90 days)` : 'No ratings in 90 days: n/a, not 0%.'}</p>
          </div>
          <div className="metric">
            <h3>Escalations</h3>
            <BarChart points={daily.map((d) => ({ date: d.date, value: d.escalations30d }))} label="Escalated tickets, trailing 30 days" />
            <p className="muted small">{current.escalations30d} escalated ticket{current.escalations30d === 1 ? '' : 's'} in the last 30 days</p>
          </div>
          <div className="metric">
            <h3>SLA compliance</h3>
            <p className={`big ${current.slaCompliance !== null && current.slaCompliance < 0.9 ? 'warn' : ''}`}>
              {current.slaCompliance === null ? 'n/a' : percent(current.slaCompliance)}
            </p>
            <p className="muted small">
              {current.slaCompliance === null ? 'No SLA target was measured: no SLA policy applies, or none came due.' : `${count(current.slaMeasured)} SLA targets measured; ${current.slaCompliance >= 0.9 ? 'meeting' : 'below'} the usual 90% goal.`}
            </p>
          </div>
          <div className="metric">
            <h3>Resolution time</h3>
            <LineChart points={daily.map((d) => ({ date: d.date, value: d.medianResolutionHours }))} label="Median resolution time, trailing 30 days" format={(v) => hours(v)} />
            <p className="muted small">
              Median {hours(current.medianResolutionHours)}, average {hours(current.avgResolutionHours)} over {count(current.resolved30d)} tickets solved in 30 days
            </p>
          </div>
        </div>
      )}
    </Card>
  );
}

const SIGNAL_LABEL: Record<Signal['name'], string> = {
  openTickets: 'Open tickets vs usual load',
  escalations: 'Escalation rate (30 d)',
  csat: 'CSAT (90 d)',
  sla: 'SLA compliance',
};

function signalValue(signal: Signal): string {
  if (signal.value === null) return 'no data';
  switch (signal.name) {
    case 'openTickets':
      return `${signal.value} open, usual ${signal.baseline ?? '?'}`;
    case 'escalations':
      return `${signal.value} of ${signal.baseline ?? 0} tickets`;
    default:
      return percent(signal.value);
  }
}

function HealthCard({ health, range }: { health: UseQueryResult<HealthAnswer>; range: Range }) {
  return (
    <Card title="Health" id="health">
      {health.isPending && <Loading label="Loading health" />}
      {health.isError && <ErrorNote error={health.error} retry={() => void health.refetch()} />}
      {health.data && (
        <>
          <div className="health-summary">
            <div>
              <span className="muted small">Overall</span>
              <div>
                <HealthBadge score={health.data.current.overall} />
              </div>
            </div>
            <div>
              <span className="muted small">Support score</span>
              <div className="big">{score(health.data.current.support)}</div>
            </div>
            <div>
              <span className="muted small">Platform score</span>
              <div className="big">{score(health.data.current.base)}</div>
            </div>
          </div>
          <p className="muted small">
            Overall = {Math.round((1 - health.data.current.supportWeight) * 100)}% platform score + {Math.round(health.data.current.supportWeight * 100)}% support score. Higher is better.
          </p>
          <table className="table compact">
            <caption>Why the support score is {score(health.data.current.support)}</caption>
            <thead>
              <tr>
                <th scope="col">Signal</th>
                <th scope="col">Measured</th>
                <th scope="col">Score</th>
                <th scope="col">Weight</th>
                <th scope="col">Points</th>
              </tr>
            </thead>
            <tbody>
              {health.data.current.signals.map((signal) => (
                <tr key={signal.name}>
                  <th scope="row">{SIGNAL_LABEL[signal.name]}</th>
                  <td>{signalValue(signal)}</td>
                  <td>{signal.subscore === null ? '—' : Math.round(signal.subscore)}</td>
                  <td>{signal.subscore === null ? <span className="muted">left out</span> : `${Math.round(signal.weight * 100)}%`}</td>
                  <td>{signal.points.toFixed(1)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h3>Trend ({range} days)</h3>
          <LineChart points={health.data.daily.map((d) => ({ date: d.date, value: d.overall }))} min={0} max={100} label="Overall health" format={(v) => String(Math.round(v))} />
        </>
      )}
    </Card>
  );
}
