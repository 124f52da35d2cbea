import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { call, errorText } from '../api.ts';
import { ALERT_TYPE_LABEL } from '../components/badges.tsx';
import { FollowedAccounts } from '../components/FollowButton.tsx';
import { Card, Empty, ErrorNote, Loading, Segmented } from '../components/ui.tsx';
import { dateTime, relativeTime } from '../format.ts';
import { Link, setParam, useLocation } from '../router.tsx';
import type { z } from 'zod';
import {
  acknowledgeAlert,
  alertHistory,
  assignAlert,
  listAlertAssignees,
  snoozeAlert,
  unsnoozeAlert,
  type AlertEvent,
  getAlertAwareness,
  getAlertSubscriptions,
  getAlertWebhook,
  listAlerts,
  resolveAlert,
  setAlertSubscriptions,
  setAlertWebhook,
  type Alert,
  MAX_RESOLUTION_NOTE,
} from '../../../src/contracts/alerts.ts';
import type { User } from '../../../src/contracts/auth.ts';
import { ALERT_TYPES as TYPES, type AlertType } from '../../../src/contracts/vocabulary.ts';
type StatusView = 'open' | 'acknowledged' | 'resolved' | 'snoozed' | 'all';

/** One line saying why the alert was raised, from its details. */
export function alertWhy(alert: Alert): string {
  const d = alert.details;
  const subject = typeof d.subject === 'string' ? `“${d.subject}”` : '';
  switch (alert.type) {
    case 'escalation':
      return `Ticket #${alert.zendeskTicketId ?? '?'} ${subject} was escalated${typeof d.priority === 'string' ? ` (priority ${d.priority})` : ''}.`;
    case 'sla_breach':
      return `Ticket #${alert.zendeskTicketId ?? '?'} ${subject} missed its SLA target${typeof d.metric === 'string' ? ` (${d.metric.replaceAll('_', ' ')})` : ''}.`;
    case 'ticket_spike':
      return `${typeof d.count === 'number' ? d.count : 'Several'} tickets opened${typeof d.windowHours === 'number' ? ` within ${d.windowHours} h` : ' in a short time'}${typeof d.threshold === 'number' ? ` (threshold ${d.threshold})` : ''}.`;
    case 'negative_csat':
      return `Ticket #${alert.zendeskTicketId ?? '?'} was rated ${typeof d.score === 'number' ? `${d.score} of ${typeof d.scale === 'number' ? d.scale : 5}` : 'bad'}${typeof d.comment === 'string' && d.comment ? `: “${d.comment}”` : '.'}`;
    default:
      return '';
  }
}

export default function AlertsPage({ user }: { user: User }) {
  const { params } = useLocation();
  const seesAll = user.role !== 'csm';
  const scope = seesAll && params.get('scope') === 'all' ? 'all' : 'mine';
  const status = (['open', 'acknowledged', 'resolved', 'snoozed', 'all'].includes(params.get('status') ?? '') ? params.get('status') : 'open') as StatusView;
  const type = TYPES.find((t) => t === params.get('type')) ?? null;
  const query: z.input<typeof listAlerts.query> = {
    limit: '30',
    mine: scope === 'mine' ? 'true' : undefined,
    status: status === 'all' || status === 'snoozed' ? undefined : status,
    snoozed: status === 'snoozed' ? 'only' : undefined,
    type: type ?? undefined,
  };

  const alerts = useInfiniteQuery({
    queryKey: ['alerts', 'list', scope, status, type],
    queryFn: ({ pageParam }) => call(listAlerts, { query: { ...query, cursor: pageParam || undefined } }),
    initialPageParam: '',
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const rows = alerts.data?.pages.flatMap((page) => page.alerts) ?? [];

  return (
    <>
      <div className="page-head">
        <h1>Alerts</h1>
        {alerts.data && <p className="muted">{alerts.data.pages[0]?.unread ?? 0} open</p>}
      </div>
      <div className="toolbar">
        {seesAll && (
          <Segmented
            label="Whose alerts"
            value={scope}
            onChange={(value) => setParam('scope', value === 'mine' ? null : value)}
            options={[
              { value: 'mine', label: 'Mine' },
              { value: 'all', label: 'All' },
            ]}
          />
        )}
        <Segmented
          label="Status"
          value={status}
          onChange={(value) => setParam('status', value === 'open' ? null : value)}
          options={[
            { value: 'open', label: 'Open' },
            { value: 'acknowledged', label: 'Acknowledged' },
            { value: 'resolved', label: 'Resolved' },
            { value: 'snoozed', label: 'Snoozed' },
            { value: 'all', label: 'All' },
          ]}
        />
        <div className="field inline">
          <label htmlFor="alert-type">Type</label>
          <select id="alert-type" value={type ?? ''} onChange={(event) => setParam('type', event.target.value || null)}>
            <option value="">All types</option>
            {TYPES.map((t) => (
              <option key={t} value={t}>
                {ALERT_TYPE_LABEL[t]?.label}
              </option>
            ))}
          </select>
        </div>
      </div>
      {alerts.isPending && <Loading label="Loading alerts" />}
      {alerts.isError && <ErrorNote error={alerts.error} retry={() => void alerts.refetch()} />}
      {alerts.data && rows.length === 0 && (
        <Empty title={status === 'open' ? 'No open alerts' : 'No alerts here'}>
          <p className="muted">
            {status === 'open'
              ? 'Nothing needs your attention. Escalations, SLA breaches, ticket spikes and bad ratings on your customers appear here as they happen.'
              : 'Try another status or type.'}
            {scope === 'mine' && seesAll && ' Switch to "All" to see every customer\u2019s alerts.'}
          </p>
        </Empty>
      )}
      {rows.length > 0 && (
        <ul className="alert-list">
          {rows.map((alert) => (
            <AlertRow key={alert.id} alert={alert} user={user} />
          ))}
        </ul>
      )}
      {alerts.hasNextPage && (
        <button type="button" onClick={() => void alerts.fetchNextPage()}>
          Show more alerts
        </button>
      )}
      <Awareness />
      <Subscriptions />
    </>
  );
}

const percent = (share: number | null) => (share === null ? 'n/a' : `${Math.round(share * 100)} %`);

/** The PRD's awareness metric: alerts acknowledged within an hour, for the team and per person. */
function Awareness() {
  const [days, setDays] = useState<'7' | '30'>('7');
  const awareness = useQuery({ queryKey: ['alerts', 'awareness', days], queryFn: () => call(getAlertAwareness, { query: { days } }) });
  const data = awareness.data;
  return (
    <Card
      title="Seen within an hour"
      id="awareness"
      actions={
        <Segmented
          label="Awareness window"
          value={days}
          onChange={setDays}
          options={[
            { value: '7', label: '7 days' },
            { value: '30', label: '30 days' },
          ]}
        />
      }
    >
      {awareness.isPending && <Loading label="Loading awareness" />}
      {awareness.isError && <ErrorNote error={awareness.error} retry={() => void awareness.refetch()} />}
      {data && (
        <>
          <p>
            Team: <strong>{percent(data.team.share)}</strong> of {data.team.alerts} alerts acknowledged within {data.targetMinutes} minutes
            {data.team.unacknowledged > 0 && `; ${data.team.unacknowledged} not acknowledged yet`}.
          </p>
          {data.users.length > 0 && (
            <table>
              <thead>
                <tr>
                  <th scope="col">Person</th>
                  <th scope="col">Alerts</th>
                  <th scope="col">Within an hour</th>
                  <th scope="col">Median time to acknowledge</th>
                </tr>
              </thead>
              <tbody>
                {data.users.map((u) => (
                  <tr key={u.userId}>
                    <td>{u.name || u.email}</td>
                    <td>{u.alerts}</td>
                    <td>{percent(u.share)}</td>
                    <td>{u.medianMinutesToAcknowledge === null ? 'n/a' : `${Math.round(u.medianMinutesToAcknowledge)} min`}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </Card>
  );
}

/** The snooze choices: an hour, four hours, tomorrow at 9:00 (local time), a week. */
export function snoozeChoices(now: Date): Array<{ label: string; until: Date }> {
  const tomorrow = new Date(now);
  tomorrow.setDate(tomorrow.getDate() + 1);
  tomorrow.setHours(9, 0, 0, 0);
  return [
    { label: '1 hour', until: new Date(now.getTime() + 3_600_000) },
    { label: '4 hours', until: new Date(now.getTime() + 4 * 3_600_000) },
    { label: 'Tomorrow 9:00', until: tomorrow },
    { label: '1 week', until: new Date(now.getTime() + 7 * 86_400_000) },
  ];
}

const EVENT_LABEL: Record<AlertEvent['kind'], string> = {
  raised: 'Raised',
  acknowledged: 'Acknowledged',
  snoozed: 'Snoozed',
  unsnoozed: 'Unsnoozed',
  assigned: 'Assigned',
  resolved: 'Resolved',
};

function eventText(event: AlertEvent): string {
  const who = event.actorId === null ? 'by CSCX' : `by ${event.actorName ?? 'a former user'}`;
  switch (event.kind) {
    case 'snoozed':
      return `Snoozed until ${event.until ? dateTime(event.until) : '?'} ${who}`;
    case 'assigned':
      return `Assigned to ${event.assigneeName ?? 'a former user'} ${who}`;
    case 'acknowledged':
      return `Acknowledged ${who}${event.via === 'link' ? ' (from the link in a message)' : ''}`;
    case 'resolved':
      return `Resolved ${who}${event.note ? `: “${event.note}”` : ''}`;
    default:
      return `${EVENT_LABEL[event.kind]} ${who}`;
  }
}

function History({ alertId }: { alertId: string }) {
  const history = useQuery({ queryKey: ['alerts', 'history', alertId], queryFn: () => call(alertHistory, { params: { id: alertId } }) });
  if (history.isPending) return <Loading label="Loading history" />;
  if (history.isError) return <ErrorNote error={history.error} retry={() => void history.refetch()} />;
  return (
    <ol className="alert-history">
      {history.data.events.map((event, index) => (
        <li key={index}>
          <span title={dateTime(event.at)}>{relativeTime(event.at)}</span> {eventText(event)}
        </li>
      ))}
    </ol>
  );
}

type Action =
  | { kind: 'acknowledge' }
  | { kind: 'resolve'; note: string }
  | { kind: 'snooze'; until: string }
  | { kind: 'unsnooze' }
  | { kind: 'assign'; userId: string };

function AlertRow({ alert, user }: { alert: Alert; user: User }) {
  const client = useQueryClient();
  const [resolving, setResolving] = useState(false);
  const [note, setNote] = useState('');
  const [showHistory, setShowHistory] = useState(false);
  const assignees = useQuery({ queryKey: ['alerts', 'assignees'], queryFn: () => call(listAlertAssignees), staleTime: 5 * 60_000, enabled: alert.status !== 'resolved' });
  const act = useMutation({
    mutationFn: (action: Action) => {
      const params = { id: alert.id };
      switch (action.kind) {
        case 'acknowledge':
          return call(acknowledgeAlert, { params });
        case 'resolve':
          return call(resolveAlert, { params, body: action.note.trim() ? { note: action.note.trim() } : {} });
        case 'snooze':
          return call(snoozeAlert, { params, body: { until: action.until } });
        case 'unsnooze':
          return call(unsnoozeAlert, { params });
        case 'assign':
          return call(assignAlert, { params, body: { userId: action.userId } });
      }
    },
    onSuccess: () => {
      setResolving(false);
      setNote('');
      void client.invalidateQueries({ queryKey: ['alerts'] });
    },
  });
  const kind = ALERT_TYPE_LABEL[alert.type] ?? { label: alert.type, icon: '!' };
  const about = `${kind.label} at ${alert.customerName}`;
  const assigneeName = alert.assignedTo === null ? null : alert.assignedTo === user.id ? 'you' : (assignees.data?.users.find((u) => u.id === alert.assignedTo)?.name ?? 'someone');
  return (
    <li className={`alert-item alert-is-${alert.status}`} data-testid="alert">
      <div className="alert-main">
        <span className={`alert-type type-${alert.type}`}>
          <span aria-hidden="true">{kind.icon}</span> {kind.label}
        </span>
        <Link to={`/customers/${alert.customerId}`} className="alert-customer">
          {alert.customerName}
        </Link>
        <span className="muted" title={dateTime(alert.occurredAt)}>
          {relativeTime(alert.occurredAt)}
        </span>
        <span className={`tag alert-status-${alert.status}`}>{alert.status === 'open' ? 'New' : alert.status === 'acknowledged' ? 'Acknowledged' : 'Resolved'}</span>
        {alert.snoozedUntil && <span className="tag">Snoozed until {dateTime(alert.snoozedUntil)}</span>}
        {assigneeName && <span className="muted">Assigned to {assigneeName}</span>}
      </div>
      <p className="alert-why">{alertWhy(alert)}</p>
      {alert.resolutionNote && <p className="muted">Resolution note: {alert.resolutionNote}</p>}
      <div className="row">
        {alert.ticketUrl && (
          <a href={alert.ticketUrl} target="_blank" rel="noopener noreferrer">
            View #{alert.zendeskTicketId} in Zendesk<span className="sr-only"> (opens a new tab)</span> <span aria-hidden="true">↗</span>
          </a>
        )}
        {alert.status === 'open' && (
          <button type="button" onClick={() => act.mutate({ kind: 'acknowledge' })} disabled={act.isPending}>
            Acknowledge<span className="sr-only"> {about}</span>
          </button>
        )}
        {alert.status !== 'resolved' && !resolving && (
          <button type="button" onClick={() => setResolving(true)} disabled={act.isPending}>
            Resolve<span className="sr-only"> {about}</span>
          </button>
        )}
        {alert.status !== 'resolved' &&
          (alert.snoozedUntil ? (
            <button type="button" onClick={() => act.mutate({ kind: 'unsnooze' })} disabled={act.isPending}>
              Unsnooze<span className="sr-only"> {about}</span>
            </button>
          ) : (
            <>
              <label htmlFor={`snooze-${alert.id}`} className="sr-only">
                Snooze {about}
              </label>
              <select
                id={`snooze-${alert.id}`}
                value=""
                disabled={act.isPending}
                onChange={(event) => {
                  const choice = snoozeChoices(new Date()).find((c) => c.label === event.target.value);
                  if (choice) act.mutate({ kind: 'snooze', until: choice.until.toISOString() });
                }}
              >
                <option value="">Snooze…</option>
                {snoozeChoices(new Date()).map((choice) => (
                  <option key={choice.label} value={choice.label}>
                    {choice.label}
                  </option>
                ))}
              </select>
            </>
          ))}
        {alert.status !== 'resolved' && assignees.data && (
          <>
            <label htmlFor={`assign-${alert.id}`} className="sr-only">
              Assign {about} to
            </label>
            <select
              id={`assign-${alert.id}`}
              value=""
              disabled={act.isPending}
              onChange={(event) => event.target.value && act.mutate({ kind: 'assign', userId: event.target.value })}
            >
              <option value="">Assign to…</option>
              {assignees.data.users
                .filter((u) => u.id !== alert.assignedTo)
                .map((u) => (
                  <option key={u.id} value={u.id}>
                    {u.name || u.email}
                  </option>
                ))}
            </select>
          </>
        )}
        <button type="button" className="link-button" aria-expanded={showHistory} onClick={() => setShowHistory((shown) => !shown)}>
          {showHistory ? 'Hide history' : 'History'}
          <span className="sr-only"> of {about}</span>
        </button>
        {act.isError && (
          <span className="error-text" role="alert">
            {errorText(act.error)}
          </span>
        )}
      </div>
      {resolving && (
        <form
          className="resolve-form"
          onSubmit={(event) => {
            event.preventDefault();
            act.mutate({ kind: 'resolve', note });
          }}
        >
          <label htmlFor={`note-${alert.id}`}>Resolution note (optional)</label>
          <textarea id={`note-${alert.id}`} value={note} maxLength={MAX_RESOLUTION_NOTE} rows={2} onChange={(event) => setNote(event.target.value)} />
          <div className="row">
            <button type="submit" disabled={act.isPending}>
              Resolve alert
            </button>
            <button type="button" className="link-button" onClick={() => setResolving(false)}>
              Cancel
            </button>
          </div>
        </form>
      )}
      {showHistory && <History alertId={alert.id} />}
    </li>
  );
}

function Subscriptions() {
  const client = useQueryClient();
  const subs = useQuery({ queryKey: ['subscriptions'], queryFn: () => call(getAlertSubscriptions) });
  const webhook = useQuery({ queryKey: ['alert-webhook'], queryFn: () => call(getAlertWebhook) });
  const save = useMutation({
    mutationFn: (change: { type: AlertType; enabled: boolean }) => call(setAlertSubscriptions, { body: { subscriptions: [change] } }),
    onSuccess: (answer) => client.setQueryData(['subscriptions'], answer),
  });
  const [url, setUrl] = useState('');
  const saveHook = useMutation({
    mutationFn: (next: string | null) => call(setAlertWebhook, { body: { url: next, enabled: true } }),
    onSuccess: (answer) => {
      client.setQueryData(['alert-webhook'], answer);
      setUrl('');
    },
  });
  return (
    <Card title="Which alerts reach me" id="subscriptions" className="subscriptions">
      {subs.isError && <ErrorNote error={subs.error} />}
      {subs.data && (
        <fieldset>
          <legend>Alert types I receive (for my customers; leaders receive those of customers without a CSM)</legend>
          {subs.data.subscriptions.map((s) => (
            <label key={s.type} className="check">
              <input type="checkbox" checked={s.enabled} onChange={(event) => save.mutate({ type: s.type, enabled: event.target.checked })} disabled={save.isPending} />{' '}
              {ALERT_TYPE_LABEL[s.type]?.label ?? s.type}
            </label>
          ))}
          {save.isError && (
            <p className="error-text" role="alert">
              {errorText(save.error)}
            </p>
          )}
        </fieldset>
      )}
      {webhook.data && (
        <form
          className="webhook-form"
          onSubmit={(event) => {
            event.preventDefault();
            saveHook.mutate(url.trim() || null);
          }}
        >
          <p>
            {webhook.data.webhook.configured ? (
              <>
                My alerts are also sent to <strong>{webhook.data.webhook.host}</strong>.{' '}
                <button type="button" className="link-button" onClick={() => saveHook.mutate(null)}>
                  Stop sending
                </button>
              </>
            ) : (
              'Also send my alerts to Slack or another tool (an incoming-webhook URL):'
            )}
          </p>
          <div className="row">
            <label htmlFor="webhook-url" className="sr-only">
              Webhook URL
            </label>
            <input id="webhook-url" type="url" placeholder="https://hooks.slack.com/services/…" value={url} onChange={(event) => setUrl(event.target.value)} />
            <button type="submit" disabled={!url.trim() || saveHook.isPending}>
              {webhook.data.webhook.configured ? 'Replace' : 'Save'}
            </button>
          </div>
          {saveHook.isError && (
            <p className="error-text" role="alert">
              {errorText(saveHook.error)}
            </p>
          )}
        </form>
      )}
      <FollowedAccounts />
      <p className="muted small">
        Email, the daily digest and deliveries that failed: <Link to="/settings?tab=notifications">My notifications</Link>.
      </p>
    </Card>
  );
}
