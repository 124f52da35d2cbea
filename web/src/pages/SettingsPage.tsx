import { useMutation, useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState, type FormEvent } from 'react';
import { getAlertRules } from '../../../src/contracts/alerts.ts';
import type { User } from '../../../src/contracts/auth.ts';
import { connect as connectEndpoint, disconnectConnection, listConnections, syncConnection, type Connection } from '../../../src/contracts/connections.ts';
import { getCustomersOverview } from '../../../src/contracts/customers.ts';
import { getEscalationRule, setEscalationRule, type EscalationRule } from '../../../src/contracts/escalation-rule.ts';
import { getCustomerHealth, getHealthWeights, setHealthWeights, type HealthWeights } from '../../../src/contracts/health-score.ts';
import { applyMappings, getMappings, listUnmatched, type MappingInput as AnyMapping, type MatchSuggestion as Suggestion } from '../../../src/contracts/mapping.ts';
import { getSlaTargets, setSlaTargets, type SlaTargets } from '../../../src/contracts/sla-targets.ts';
import { TICKET_PRIORITIES as PRIORITIES, type TicketPriority as Priority } from '../../../src/contracts/vocabulary.ts';
import { call, errorText } from '../api.ts';
import { ALERT_TYPE_LABEL, HealthBadge } from '../components/badges.tsx';
import { Card, Empty, ErrorNote, Loading } from '../components/ui.tsx';
import { count, dateTime, duration, relativeTime } from '../format.ts';
import { Link, useLocation } from '../router.tsx';
import { previewScore } from '../health-preview.ts';

type Tab = 'connections' | 'mappings' | 'health' | 'alerts';
const TABS: Array<{ value: Tab; label: string }> = [
  { value: 'connections', label: 'Zendesk connections' },
  { value: 'mappings', label: 'Mappings' },
  { value: 'health', label: 'Health score' },
  { value: 'alerts', label: 'Alerts, escalation, SLA' },
];

export default function SettingsPage({ user }: { user: User }) {
  const { params } = useLocation();
  const tab = TABS.find((t) => t.value === params.get('tab'))?.value ?? 'connections';
  const admin = user.role === 'admin';
  return (
    <>
      <div className="page-head">
        <h1>Settings</h1>
        {!admin && <p className="muted">You can look; only admins can change settings.</p>}
      </div>
      <div className="settings">
        <nav aria-label="Settings sections" className="side-tabs">
          <ul>
            {TABS.map((t) => (
              <li key={t.value}>
                <Link to={`/settings?tab=${t.value}`} aria-current={t.value === tab ? 'page' : undefined}>
                  {t.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <div className="settings-body">
          {tab === 'connections' && <Connections admin={admin} connected={params.get('connected')} />}
          {tab === 'mappings' && <Mappings admin={admin} />}
          {tab === 'health' && <HealthWeightsEditor admin={admin} />}
          {tab === 'alerts' && <AlertRulesView admin={admin} />}
        </div>
      </div>
    </>
  );
}

// ---- connections ----

const STATUS_TEXT: Record<Connection['status'], { icon: string; text: string }> = {
  active: { icon: '✓', text: 'Connected' },
  pending: { icon: '…', text: 'Connecting' },
  needs_reauth: { icon: '!', text: 'Needs you to reconnect' },
  error: { icon: '!', text: 'Error' },
  disconnected: { icon: '–', text: 'Disconnected' },
};

function Connections({ admin, connected }: { admin: boolean; connected: string | null }) {
  const connections = useQuery({
    queryKey: ['connections'],
    queryFn: () => call(listConnections),
    // Live updates refresh this on every sync change; poll slowly too, for the rate and ETA.
    refetchInterval: (query) => (query.state.data?.connections.some((c) => c.sync.state === 'importing') ? 2000 : 30_000),
  });
  const list = connections.data?.connections ?? [];
  return (
    <>
      {connected && (
        <p className="success-text" role="status">
          Zendesk {connected} is connected. The historical import has started; its progress is below.
        </p>
      )}
      {connections.isPending && <Loading label="Loading connections" />}
      {connections.isError && <ErrorNote error={connections.error} retry={() => void connections.refetch()} />}
      {connections.data && list.length === 0 && (
        <Empty title="Connect Zendesk to get started">
          <p>Once connected, CSCX imports every ticket, keeps them in sync in real time, and matches each to its customer.</p>
        </Empty>
      )}
      {list.map((connection) => (
        <ConnectionCard key={connection.id} connection={connection} admin={admin} />
      ))}
      {admin && <ConnectForm first={list.length === 0} />}
    </>
  );
}

function ImportProgress({ sync }: { sync: Connection['sync'] }) {
  const total = sync.total ?? null;
  const value = total ? Math.min(sync.imported, total) : undefined;
  const label = `Importing tickets: ${count(sync.imported)}${total !== null ? ` of ${count(total)}` : ''}`;
  return (
    <div className="import-progress" data-testid="import-progress">
      <label htmlFor="import-bar">{label}</label>
      <progress id="import-bar" max={total ?? undefined} value={value} />
      <p className="muted small">
        {sync.ratePerSecond !== null && <>{count(Math.round(sync.ratePerSecond))} tickets/s · </>}
        {sync.etaSeconds !== null ? <>about {duration(sync.etaSeconds)} left</> : 'estimating time left…'}
      </p>
    </div>
  );
}

function ConnectionCard({ connection, admin }: { connection: Connection; admin: boolean }) {
  const client = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const refresh = () => void client.invalidateQueries({ queryKey: ['connections'] });
  const syncNow = useMutation({
    mutationFn: () => call(syncConnection, { params: { id: connection.id }, body: {} }),
    onSuccess: () => {
      setMessage('A catch-up with Zendesk has started.');
      refresh();
    },
  });
  const disconnect = useMutation({
    mutationFn: () => call(disconnectConnection, { params: { id: connection.id } }),
    onSuccess: () => {
      refresh();
      void client.invalidateQueries({ queryKey: ['customers'] });
    },
  });
  const reconnect = useMutation({
    mutationFn: () => call(connectEndpoint, { body: { subdomain: connection.subdomain, method: 'oauth' } }),
    onSuccess: (answer) => {
      if ('authorizeUrl' in answer) window.location.assign(answer.authorizeUrl);
    },
  });
  const status = STATUS_TEXT[connection.status];
  const failure = mutationError(syncNow.error ?? disconnect.error ?? reconnect.error);
  return (
    <Card title={`${connection.subdomain}.zendesk.com`} className="connection" id={`connection-${connection.subdomain}`}>
      <dl className="facts">
        <div>
          <dt>Status</dt>
          <dd className={`conn-status conn-${connection.status}`}>
            <span aria-hidden="true">{status.icon}</span> {status.text}
          </dd>
        </div>
        <div>
          <dt>Signed in as</dt>
          <dd>
            {connection.zendeskUser ?? '—'} ({connection.method === 'oauth' ? 'OAuth' : 'API token'})
          </dd>
        </div>
        <div>
          <dt>Sync</dt>
          <dd>
            {connection.sync.state === 'live' && <>Up to date, last catch-up {relativeTime(connection.sync.lastSyncedAt)}</>}
            {connection.sync.state === 'importing' && <>Importing history</>}
            {connection.sync.state === 'paused' && <>Paused</>}
            {connection.sync.state === 'failed' && <>Stopped by an error; it retries on the next catch-up</>}
          </dd>
        </div>
        <div>
          <dt>Real-time updates</dt>
          <dd>{connection.webhookRegistered ? 'On (Zendesk webhook registered)' : 'Off: changes arrive with each catch-up'}</dd>
        </div>
        <div>
          <dt>Connected</dt>
          <dd>{dateTime(connection.createdAt)}</dd>
        </div>
      </dl>
      {connection.sync.state === 'importing' && <ImportProgress sync={connection.sync} />}
      {connection.sync.state === 'live' && connection.sync.imported > 0 && (
        <p className="muted small" data-testid="import-done">
          Import complete: {count(connection.sync.imported)} tickets.
        </p>
      )}
      {(connection.error || connection.sync.error) && (
        <div className="error-note" role="alert">
          <p>
            {connection.error?.message ?? connection.sync.error}
            {connection.error?.at && <span className="muted"> ({dateTime(connection.error.at)})</span>}
          </p>
          <p className="small">
            {connection.status === 'needs_reauth' || connection.status === 'error' ? 'Reconnect to give CSCX access again.' : 'CSCX retries by itself; Sync now tries at once.'}
          </p>
        </div>
      )}
      {message && (
        <p className="success-text" role="status">
          {message}
        </p>
      )}
      {failure && (
        <p className="error-text" role="alert">
          {failure}
        </p>
      )}
      {admin && (
        <div className="row">
          <button type="button" onClick={() => syncNow.mutate()} disabled={connection.status !== 'active' || syncNow.isPending}>
            Sync now
          </button>
          <button type="button" onClick={() => reconnect.mutate()} disabled={reconnect.isPending}>
            Reconnect
          </button>
          {!confirming ? (
            <button type="button" className="danger" onClick={() => setConfirming(true)}>
              Disconnect
            </button>
          ) : (
            <span className="confirm" role="group" aria-label="Confirm disconnect">
              Disconnect {connection.subdomain}? Tickets stay; syncing stops.{' '}
              <button type="button" className="danger" onClick={() => disconnect.mutate()} disabled={disconnect.isPending}>
                Yes, disconnect
              </button>{' '}
              <button type="button" onClick={() => setConfirming(false)}>
                Cancel
              </button>
            </span>
          )}
        </div>
      )}
    </Card>
  );
}

function mutationError(error: unknown): string | null {
  return error ? errorText(error) : null;
}

function ConnectForm({ first }: { first: boolean }) {
  const client = useQueryClient();
  const [subdomain, setSubdomain] = useState('');
  const [method, setMethod] = useState<'oauth' | 'api_token'>('oauth');
  const [email, setEmail] = useState('');
  const [token, setToken] = useState('');
  const connect = useMutation({
    mutationFn: () =>
      call(connectEndpoint, { body: method === 'oauth' ? { subdomain, method } : { subdomain, method, email, apiToken: token } }),
    onSuccess: (answer) => {
      if ('authorizeUrl' in answer) {
        window.location.assign(answer.authorizeUrl);
        return;
      }
      setToken('');
      setSubdomain('');
      void client.invalidateQueries({ queryKey: ['connections'] });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    connect.mutate();
  };
  return (
    <Card title={first ? 'Connect Zendesk' : 'Connect another Zendesk'} id="connect">
      <form onSubmit={submit} className="form">
        <label htmlFor="subdomain">Zendesk subdomain</label>
        <input id="subdomain" required placeholder="acme, or https://acme.zendesk.com" value={subdomain} onChange={(event) => setSubdomain(event.target.value)} aria-describedby="subdomain-help" />
        <p id="subdomain-help" className="muted small">
          The name before .zendesk.com in your agents' address, or that whole address. The server checks it and says what is wrong.
        </p>
        <fieldset>
          <legend>How CSCX signs in to Zendesk</legend>
          <label className="check">
            <input type="radio" name="method" checked={method === 'oauth'} onChange={() => setMethod('oauth')} /> OAuth (recommended): you approve access in Zendesk
          </label>
          <label className="check">
            <input type="radio" name="method" checked={method === 'api_token'} onChange={() => setMethod('api_token')} /> API token
          </label>
        </fieldset>
        {method === 'api_token' && (
          <>
            <label htmlFor="zd-email">Zendesk admin email</label>
            <input id="zd-email" type="email" required value={email} onChange={(event) => setEmail(event.target.value)} />
            <label htmlFor="zd-token">API token</label>
            <input id="zd-token" type="password" autoComplete="off" required value={token} onChange={(event) => setToken(event.target.value)} aria-describedby="token-help" />
            <p id="token-help" className="muted small">
              Zendesk Admin Center → Apps and integrations → APIs → Zendesk API. Stored encrypted; never shown again.
            </p>
          </>
        )}
        {connect.isError && (
          <p className="error-text" role="alert">
            {errorText(connect.error)}
          </p>
        )}
        <button type="submit" className="primary" disabled={connect.isPending}>
          {connect.isPending ? 'Connecting…' : method === 'oauth' ? 'Continue to Zendesk' : 'Connect'}
        </button>
      </form>
    </Card>
  );
}

// ---- mappings ----

function useCustomers() {
  return useQuery({ queryKey: ['customers', 'overview'], queryFn: () => call(getCustomersOverview) });
}

/** The mappings made from this page: an organization or a domain to a customer (null: unmap). */
type MappingInput = Extract<AnyMapping, { kind: 'organization' | 'domain' }>;

function useApplyMapping(onDone: (text: string) => void) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: { mapping: MappingInput; label: string; customerName: string | null }) =>
      call(applyMappings, { body: { mappings: [input.mapping] } }).then((answer) => ({ answer, input })),
    onSuccess: ({ answer, input }) => {
      onDone(
        input.customerName
          ? `Mapped ${input.label} to ${input.customerName}: ${count(answer.ticketsRematched)} ticket${answer.ticketsRematched === 1 ? '' : 's'} moved.`
          : `Removed the mapping of ${input.label}: ${count(answer.ticketsRematched)} tickets re-matched.`,
      );
      for (const key of ['unmatched', 'mappings', 'customers', 'customer', 'tickets', 'metrics', 'health', 'history']) void client.invalidateQueries({ queryKey: [key] });
    },
  });
}

function Mappings({ admin }: { admin: boolean }) {
  const unmatched = useQuery({ queryKey: ['unmatched'], queryFn: () => call(listUnmatched, { query: { limit: 100 } }) });
  const mappings = useQuery({ queryKey: ['mappings'], queryFn: () => call(getMappings) });
  const customers = useCustomers();
  const [done, setDone] = useState<string | null>(null);
  const apply = useApplyMapping(setDone);
  const options = customers.data?.customers ?? [];
  return (
    <>
      {done && (
        <p className="success-text" role="status">
          {done}
        </p>
      )}
      {apply.isError && (
        <p className="error-text" role="alert">
          {errorText(apply.error)}
        </p>
      )}
      <Card title="Unmatched tickets" id="unmatched">
        {unmatched.isPending && <Loading label="Loading unmatched tickets" />}
        {unmatched.isError && <ErrorNote error={unmatched.error} retry={() => void unmatched.refetch()} />}
        {unmatched.data && unmatched.data.total === 0 && <p>Every ticket is matched to a customer.</p>}
        {unmatched.data && unmatched.data.total > 0 && (
          <>
            <p>
              <strong>{count(unmatched.data.total)}</strong> tickets belong to no customer yet. Map a whole Zendesk organization or email domain to a customer in one click; its tickets move at once.
            </p>
            {unmatched.data.byOrganization.length > 0 && <h3>By Zendesk organization</h3>}
            <ul className="unmatched-list">
              {unmatched.data.byOrganization.map((group) => {
                const label = `${group.name ?? `organization ${group.zendeskOrganizationId}`} (${group.subdomain})`;
                return (
                  <UnmatchedGroup
                    key={`${group.subdomain}-${group.zendeskOrganizationId}`}
                    title={group.name ?? `Organization ${group.zendeskOrganizationId}`}
                    detail={`${group.subdomain} · ${count(group.tickets)} tickets${group.domains.length ? ` · ${group.domains.join(', ')}` : ''}`}
                    suggestions={group.suggestions}
                    customers={options}
                    admin={admin}
                    busy={apply.isPending}
                    onMap={(customerId, customerName) =>
                      apply.mutate({ mapping: { kind: 'organization', subdomain: group.subdomain, zendeskOrganizationId: group.zendeskOrganizationId, customerId }, label, customerName })
                    }
                  />
                );
              })}
            </ul>
            {unmatched.data.byRequesterDomain.filter((g) => !g.freeMail).length > 0 && <h3>By requester email domain</h3>}
            <ul className="unmatched-list">
              {unmatched.data.byRequesterDomain
                .filter((g) => !g.freeMail)
                .map((group) => (
                  <UnmatchedGroup
                    key={group.domain}
                    title={group.domain}
                    detail={`${group.subdomains.join(', ')} · ${count(group.tickets)} tickets`}
                    suggestions={group.suggestions}
                    customers={options}
                    admin={admin}
                    busy={apply.isPending}
                    onMap={(customerId, customerName) => apply.mutate({ mapping: { kind: 'domain', domain: group.domain, customerId }, label: group.domain, customerName })}
                  />
                ))}
            </ul>
            {unmatched.data.withoutOrganizationOrEmail > 0 && (
              <p className="muted small">{count(unmatched.data.withoutOrganizationOrEmail)} tickets have neither an organization nor a requester email: they cannot be mapped from here.</p>
            )}
          </>
        )}
      </Card>
      <Card title="Organizations mapped by hand" id="mapped">
        {mappings.isError && <ErrorNote error={mappings.error} />}
        {mappings.data && mappings.data.organizations.length === 0 && <p className="muted">None yet. Tickets are matched by email domain and organization domain until you map an organization here.</p>}
        {mappings.data && mappings.data.organizations.length > 0 && (
          <table className="table compact">
            <thead>
              <tr>
                <th scope="col">Zendesk organization</th>
                <th scope="col">Customer</th>
                {admin && <th scope="col">Action</th>}
              </tr>
            </thead>
            <tbody>
              {mappings.data.organizations.map((m) => (
                <tr key={`${m.subdomain}-${m.zendeskOrganizationId}`}>
                  <td>
                    {m.name ?? m.zendeskOrganizationId} <span className="muted">({m.subdomain})</span>
                  </td>
                  <td>
                    <Link to={`/customers/${m.customerId}`}>{m.customerName}</Link>
                  </td>
                  {admin && (
                    <td>
                      <button
                        type="button"
                        onClick={() =>
                          apply.mutate({ mapping: { kind: 'organization', subdomain: m.subdomain, zendeskOrganizationId: m.zendeskOrganizationId, customerId: null }, label: m.name ?? String(m.zendeskOrganizationId), customerName: null })
                        }
                      >
                        Unmap<span className="sr-only"> {m.name}</span>
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Card>
    </>
  );
}

function UnmatchedGroup({
  title,
  detail,
  suggestions,
  customers,
  admin,
  busy,
  onMap,
}: {
  title: string;
  detail: string;
  suggestions: Suggestion[];
  customers: Array<{ id: string; name: string }>;
  admin: boolean;
  busy: boolean;
  onMap: (customerId: string, customerName: string) => void;
}) {
  const [other, setOther] = useState('');
  const selectId = `map-${title.replace(/[^a-z0-9]/gi, '-')}`;
  return (
    <li className="unmatched-group" data-testid="unmatched-group">
      <div>
        <strong>{title}</strong>
        <div className="muted small">{detail}</div>
      </div>
      {admin && (
        <div className="row">
          {suggestions.slice(0, 3).map((s) => (
            <button key={s.customerId} type="button" className="primary" disabled={busy} onClick={() => onMap(s.customerId, s.name)}>
              Map to {s.name} <span className="muted-on-primary">({Math.round(s.score * 100)}% match)</span>
            </button>
          ))}
          <label htmlFor={selectId} className="sr-only">
            Map {title} to another customer
          </label>
          <select
            id={selectId}
            value={other}
            onChange={(event) => {
              setOther(event.target.value);
              const customer = customers.find((c) => c.id === event.target.value);
              if (customer) onMap(customer.id, customer.name);
            }}
            disabled={busy}
          >
            <option value="">{suggestions.length ? 'Another customer…' : 'Map to a customer…'}</option>
            {customers.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        </div>
      )}
    </li>
  );
}

// ---- health weights ----

const WEIGHT_FIELDS: Array<{ key: keyof HealthWeights; label: string; help: string }> = [
  { key: 'openTickets', label: 'Open tickets vs usual load', help: 'open tickets against the customer’s own baseline' },
  { key: 'escalations', label: 'Escalation rate', help: 'escalated tickets per ticket created, 30 days' },
  { key: 'csat', label: 'CSAT', help: 'good ratings share, 90 days' },
  { key: 'sla', label: 'SLA compliance', help: 'SLA targets met' },
];

function HealthWeightsEditor({ admin }: { admin: boolean }) {
  const client = useQueryClient();
  const weights = useQuery({ queryKey: ['weights'], queryFn: () => call(getHealthWeights) });
  const [draft, setDraft] = useState<Record<keyof HealthWeights, string> | null>(null);
  const customers = useCustomers();
  // The preview uses the customers with the lowest health (where a change matters most), up to 8.
  const sample = useMemo(
    () =>
      (customers.data?.customers ?? [])
        .filter((c) => c.health?.overall !== null && c.health !== null)
        .sort((a, b) => (a.health?.overall ?? 0) - (b.health?.overall ?? 0))
        .slice(0, 8),
    [customers.data],
  );
  const healths = useQueries({
    queries: sample.map((c) => ({ queryKey: ['health', c.id, '30'], queryFn: () => call(getCustomerHealth, { params: { id: c.id }, query: { days: '30' } }) })),
  });
  const save = useMutation({
    mutationFn: (body: HealthWeights) => call(setHealthWeights, { body }),
    onSuccess: (answer) => {
      client.setQueryData(['weights'], answer.weights);
      setDraft(null);
      for (const key of ['customers', 'customer', 'health']) void client.invalidateQueries({ queryKey: [key] });
    },
  });
  if (weights.isPending) return <Loading label="Loading weights" />;
  if (weights.isError) return <ErrorNote error={weights.error} retry={() => void weights.refetch()} />;
  const current = weights.data;
  const shown: Record<keyof HealthWeights, string> = draft ?? {
    openTickets: String(Math.round(current.openTickets * 100)),
    escalations: String(Math.round(current.escalations * 100)),
    csat: String(Math.round(current.csat * 100)),
    sla: String(Math.round(current.sla * 100)),
    supportComponent: String(Math.round(current.supportComponent * 100)),
  };
  const parsed = Object.fromEntries(Object.entries(shown).map(([k, v]) => [k, Number(v) / 100])) as HealthWeights;
  const signalSum = Math.round((parsed.openTickets + parsed.escalations + parsed.csat + parsed.sla) * 100);
  const valid = signalSum === 100 && Object.values(parsed).every((v) => Number.isFinite(v) && v >= 0 && v <= 1);
  const set = (key: keyof HealthWeights, value: string) => setDraft({ ...shown, [key]: value });
  return (
    <>
      <Card title="Support score weights" id="weights">
        <form
          className="form weights"
          onSubmit={(event) => {
            event.preventDefault();
            if (valid) save.mutate(parsed);
          }}
        >
          <p className="muted">Each signal scores 0–100; the support score is their weighted sum. A signal without data is left out and its weight shared among the others.</p>
          {WEIGHT_FIELDS.map((field) => (
            <div key={field.key} className="weight-row">
              <label htmlFor={`w-${field.key}`}>
                {field.label} <span className="muted small">({field.help})</span>
              </label>
              <input id={`w-${field.key}`} type="number" min={0} max={100} step={1} value={shown[field.key]} onChange={(event) => set(field.key, event.target.value)} disabled={!admin} />
              <span aria-hidden="true">%</span>
            </div>
          ))}
          <p className={signalSum === 100 ? 'muted' : 'error-text'} role="status">
            Signals total {signalSum}%{signalSum === 100 ? ' ✓' : ': they must total 100%'}
          </p>
          <div className="weight-row">
            <label htmlFor="w-supportComponent">
              Support score’s share of overall health <span className="muted small">(the rest is the platform’s score)</span>
            </label>
            <input id="w-supportComponent" type="number" min={0} max={100} step={1} value={shown.supportComponent} onChange={(event) => set('supportComponent', event.target.value)} disabled={!admin} />
            <span aria-hidden="true">%</span>
          </div>
          {save.isError && (
            <p className="error-text" role="alert">
              {errorText(save.error)}
            </p>
          )}
          {save.isSuccess && (
            <p className="success-text" role="status">
              Saved. {count(save.data.recomputed)} customers’ scores were recomputed.
            </p>
          )}
          {admin && (
            <div className="row">
              <button type="submit" className="primary" disabled={!valid || !draft || save.isPending}>
                Save weights
              </button>
              {draft && (
                <button type="button" onClick={() => setDraft(null)}>
                  Discard changes
                </button>
              )}
            </div>
          )}
        </form>
      </Card>
      <Card title="Preview: how scores would change" id="preview">
        {sample.length === 0 && <p className="muted">No customer has a health score yet: the preview appears once tickets are matched.</p>}
        {sample.length > 0 && (
          <table className="table compact">
            <caption className="sr-only">Overall health now and with the weights above</caption>
            <thead>
              <tr>
                <th scope="col">Customer</th>
                <th scope="col">Now</th>
                <th scope="col">With these weights</th>
              </tr>
            </thead>
            <tbody>
              {sample.map((c, i) => {
                const answer = healths[i]?.data;
                const next = answer ? previewScore(answer.current, parsed) : undefined;
                return (
                  <tr key={c.id}>
                    <th scope="row">
                      <Link to={`/customers/${c.id}`}>{c.name}</Link>
                    </th>
                    <td>
                      <HealthBadge score={answer?.current.overall ?? c.health?.overall} />
                    </td>
                    <td>{next === undefined ? '…' : <HealthBadge score={next.overall} change={next.overall !== null && answer?.current.overall != null ? Math.round(next.overall) - Math.round(answer.current.overall) : null} />}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </Card>
    </>
  );
}

// ---- alert rules, escalation and SLA targets ----


function AlertRulesView({ admin }: { admin: boolean }) {
  const rules = useQuery({ queryKey: ['rules'], queryFn: () => call(getAlertRules) });
  const connections = useQuery({ queryKey: ['connections'], queryFn: () => call(listConnections) });
  return (
    <>
      <Card title="What raises an alert" id="rules">
        {rules.isPending && <Loading label="Loading alert rules" />}
        {rules.isError && <ErrorNote error={rules.error} retry={() => void rules.refetch()} />}
        {rules.data && (
          <dl className="facts rules">
            <div>
              <dt>{ALERT_TYPE_LABEL.escalation?.label}</dt>
              <dd>A ticket becomes escalated, as each connection defines it below.</dd>
            </div>
            <div>
              <dt>{ALERT_TYPE_LABEL.ticket_spike?.label}</dt>
              <dd>
                A customer opens {rules.data.ticketSpike.threshold} or more tickets within {rules.data.ticketSpike.windowHours} hours (at most one alert per customer per window;
                set on the server: ALERT_SPIKE_THRESHOLD, ALERT_SPIKE_WINDOW_HOURS).
              </dd>
            </div>
            <div>
              <dt>{ALERT_TYPE_LABEL.sla_breach?.label}</dt>
              <dd>An unsolved ticket passes an SLA target (checked every minute).</dd>
            </div>
            <div>
              <dt>{ALERT_TYPE_LABEL.negative_csat?.label}</dt>
              <dd>A customer rates a ticket bad (the comment is included).</dd>
            </div>
          </dl>
        )}
        <p className="muted small">
          Alerts go to the customer’s CSM, or to all leaders when it has none; each person chooses the types they receive on the <Link to="/alerts">Alerts</Link> page.
        </p>
      </Card>
      {connections.data?.connections.map((connection) => (
        <EscalationRuleEditor key={connection.id} connection={connection} admin={admin} />
      ))}
      <SlaTargetsEditor admin={admin} />
    </>
  );
}

function EscalationRuleEditor({ connection, admin }: { connection: Connection; admin: boolean }) {
  const client = useQueryClient();
  const rule = useQuery({
    queryKey: ['escalation-rule', connection.id],
    queryFn: () => call(getEscalationRule, { params: { id: connection.id } }),
  });
  const [draft, setDraft] = useState<{ priorities: Priority[]; tags: string } | null>(null);
  const save = useMutation({
    mutationFn: (body: EscalationRule) => call(setEscalationRule, { params: { id: connection.id }, body }),
    onSuccess: (answer) => {
      setDraft(null);
      void client.invalidateQueries({ queryKey: ['escalation-rule', connection.id] });
      for (const key of ['customers', 'customer', 'tickets', 'metrics', 'health']) void client.invalidateQueries({ queryKey: [key] });
      return answer;
    },
  });
  const current = rule.data?.rule;
  const shown = draft ?? (current ? { priorities: current.priorities, tags: current.tags.join(', ') } : null);
  const prefix = `esc-${connection.subdomain}`;
  return (
    <Card title={`Escalation in ${connection.subdomain}`} id={prefix}>
      {rule.isError && <ErrorNote error={rule.error} retry={() => void rule.refetch()} />}
      {current && shown && (
        <form
          className="form"
          onSubmit={(event) => {
            event.preventDefault();
            save.mutate({ ...current, priorities: shown.priorities, tags: shown.tags.split(/[\s,]+/).filter(Boolean) });
          }}
        >
          <fieldset>
            <legend>A ticket is escalated when its priority is</legend>
            {PRIORITIES.map((p) => (
              <label key={p} className="check">
                <input
                  type="checkbox"
                  disabled={!admin}
                  checked={shown.priorities.includes(p)}
                  onChange={(event) => setDraft({ ...shown, priorities: event.target.checked ? [...shown.priorities, p] : shown.priorities.filter((x) => x !== p) })}
                />{' '}
                {p.charAt(0).toUpperCase() + p.slice(1)}
              </label>
            ))}
          </fieldset>
          <label htmlFor={`${prefix}-tags`}>or it has one of these tags</label>
          <input id={`${prefix}-tags`} disabled={!admin} value={shown.tags} onChange={(event) => setDraft({ ...shown, tags: event.target.value })} aria-describedby={`${prefix}-tags-help`} />
          <p id={`${prefix}-tags-help`} className="muted small">
            Separated by commas.
            {current.groupIds.length > 0 && <> Also tickets in Zendesk groups {current.groupIds.join(', ')}.</>}
            {current.customField && <> Also tickets whose field {current.customField.id} is {current.customField.values.join(' or ')}.</>}
          </p>
          {save.isError && (
            <p className="error-text" role="alert">
              {errorText(save.error)}
            </p>
          )}
          {save.isSuccess && (
            <p className="success-text" role="status">
              Saved: {count(save.data.ticketsChanged)} tickets changed their escalated flag.
            </p>
          )}
          {admin && (
            <div className="row">
              <button type="submit" className="primary" disabled={!draft || save.isPending}>
                Save escalation rule
              </button>
            </div>
          )}
        </form>
      )}
    </Card>
  );
}

function SlaTargetsEditor({ admin }: { admin: boolean }) {
  const client = useQueryClient();
  const targets = useQuery({ queryKey: ['sla-targets'], queryFn: () => call(getSlaTargets) });
  const [draft, setDraft] = useState<Record<string, string> | null>(null);
  const save = useMutation({
    mutationFn: (body: SlaTargets) => call(setSlaTargets, { body: { targets: body } }),
    onSuccess: (answer) => {
      client.setQueryData(['sla-targets'], answer);
      setDraft(null);
    },
  });
  if (!targets.data) return targets.isError ? <ErrorNote error={targets.error} /> : null;
  const hoursOf = (minutes: number | null) => (minutes === null ? '' : String(Math.round((minutes / 60) * 100) / 100));
  const shown =
    draft ?? Object.fromEntries(PRIORITIES.flatMap((p) => [[`${p}.firstReply`, hoursOf(targets.data.targets[p].firstReplyMinutes)], [`${p}.resolution`, hoursOf(targets.data.targets[p].resolutionMinutes)]]));
  const minutesOf = (text: string | undefined) => (text === undefined || text.trim() === '' ? null : Math.round(Number(text) * 60));
  const body = Object.fromEntries(PRIORITIES.map((p) => [p, { firstReplyMinutes: minutesOf(shown[`${p}.firstReply`]), resolutionMinutes: minutesOf(shown[`${p}.resolution`]) }])) as SlaTargets;
  return (
    <Card title="SLA targets for tickets without a Zendesk SLA policy" id="sla-targets">
      <form
        onSubmit={(event) => {
          event.preventDefault();
          save.mutate(body);
        }}
      >
        <table className="table compact">
          <caption className="sr-only">Targets in hours per priority; empty: no target</caption>
          <thead>
            <tr>
              <th scope="col">Priority</th>
              <th scope="col">First reply within (hours)</th>
              <th scope="col">Solved within (hours)</th>
            </tr>
          </thead>
          <tbody>
            {PRIORITIES.map((p) => (
              <tr key={p}>
                <th scope="row">{p.charAt(0).toUpperCase() + p.slice(1)}</th>
                {(['firstReply', 'resolution'] as const).map((kind) => (
                  <td key={kind}>
                    <input
                      type="number"
                      min={0}
                      step="any"
                      disabled={!admin}
                      aria-label={`${p} ${kind === 'firstReply' ? 'first reply' : 'resolution'} target in hours`}
                      value={shown[`${p}.${kind}`] ?? ''}
                      onChange={(event) => setDraft({ ...shown, [`${p}.${kind}`]: event.target.value })}
                    />
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
        <p className="muted small">Used for SLA compliance and SLA breach alerts when Zendesk has no SLA policy on a ticket. Empty: no target.</p>
        {save.isError && (
          <p className="error-text" role="alert">
            {errorText(save.error)}
          </p>
        )}
        {save.isSuccess && (
          <p className="success-text" role="status">
            Saved.
          </p>
        )}
        {admin && (
          <button type="submit" className="primary" disabled={!draft || save.isPending}>
            Save SLA targets
          </button>
        )}
      </form>
    </Card>
  );
}
