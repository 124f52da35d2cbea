import { useQuery } from '@tanstack/react-query';
import { useEffect, useMemo, useState } from 'react';
import { priorityRank } from '../../../src/contracts/vocabulary.ts';
import { healthBand, HealthBadge, OpenBadge } from '../components/badges.tsx';
import { Empty, ErrorNote, Loading } from '../components/ui.tsx';
import { percent, relativeTime, score, time } from '../format.ts';
import { Link, navigate, setParam, useLocation } from '../router.tsx';
import type { User } from '../../../src/contracts/auth.ts';
import type { CustomerOverview } from '../../../src/contracts/customers.ts';
import { customersOverviewQuery } from '../queries.ts';

type SortKey = 'health' | 'name' | 'open' | 'csat' | 'activity' | 'support';
const PAGE = 50;

/** Smaller first for health (worst first), larger first for counts and recency. */
function compare(sort: SortKey): (a: CustomerOverview, b: CustomerOverview) => number {
  const nullsLast = (x: number | null | undefined, y: number | null | undefined, direction: 1 | -1) => {
    if (x === null || x === undefined) return y === null || y === undefined ? 0 : 1;
    if (y === null || y === undefined) return -1;
    return (x - y) * direction;
  };
  switch (sort) {
    case 'name':
      return (a, b) => a.name.localeCompare(b.name);
    case 'health':
      return (a, b) => nullsLast(a.health?.overall, b.health?.overall, 1) || a.name.localeCompare(b.name);
    case 'support':
      return (a, b) => nullsLast(a.health?.support, b.health?.support, 1) || a.name.localeCompare(b.name);
    case 'open':
      return (a, b) => b.openTickets - a.openTickets || priorityRank(b.worstOpenPriority) - priorityRank(a.worstOpenPriority) || a.name.localeCompare(b.name);
    case 'csat':
      return (a, b) => nullsLast(a.csat, b.csat, 1) || a.name.localeCompare(b.name);
    case 'activity':
      return (a, b) => (b.lastActivityAt ?? '').localeCompare(a.lastActivityAt ?? '') || a.name.localeCompare(b.name);
  }
}

const SORTS: Array<{ key: SortKey; label: string }> = [
  { key: 'health', label: 'Health (worst first)' },
  { key: 'support', label: 'Support score (worst first)' },
  { key: 'open', label: 'Open tickets (most first)' },
  { key: 'csat', label: 'CSAT (lowest first)' },
  { key: 'activity', label: 'Last activity (newest first)' },
  { key: 'name', label: 'Name' },
];

export default function CustomersPage({ user }: { user: User }) {
  const { params } = useLocation();
  const q = params.get('q') ?? '';
  const sort = (SORTS.find((s) => s.key === params.get('sort'))?.key ?? 'health') as SortKey;
  const filterParam = params.get('filter') ?? '';
  const filters = useMemo(() => new Set(filterParam.split(',').filter(Boolean)), [filterParam]);
  const [shown, setShown] = useState(PAGE);

  // The OAuth callback lands on "/?zendesk=connected": the import's progress is on the settings page.
  const connected = params.get('zendesk') === 'connected' ? (params.get('subdomain') ?? '') : null;
  useEffect(() => {
    if (connected !== null) navigate(`/settings?tab=connections&connected=${encodeURIComponent(connected)}`, { replace: true });
  }, [connected]);

  const overview = useQuery(customersOverviewQuery);

  const rows = useMemo(() => {
    const all = overview.data?.customers ?? [];
    const needle = q.trim().toLowerCase();
    return all
      .filter((c) => !needle || c.name.toLowerCase().includes(needle) || c.domains.some((d) => d.includes(needle)) || (c.externalId ?? '').toLowerCase() === needle)
      .filter((c) => !filters.has('mine') || c.csm?.id === user.id)
      .filter((c) => !filters.has('risk') || healthBand(c.health?.overall) === 'at_risk')
      .filter((c) => !filters.has('escalations') || c.escalatedOpen > 0 || (c.escalations30d ?? 0) > 0)
      .sort(compare(sort));
  }, [overview.data, q, sort, filters, user.id]);

  const toggle = (name: string) => {
    const next = new Set(filters);
    if (next.has(name)) next.delete(name);
    else next.add(name);
    setParam('filter', [...next].join(','));
    setShown(PAGE);
  };

  const all = overview.data?.customers ?? [];
  const atRisk = all.filter((c) => healthBand(c.health?.overall) === 'at_risk').length;
  const urgent = all.filter((c) => c.worstOpenPriority === 'urgent').length;
  const escalated = all.reduce((sum, c) => sum + c.escalatedOpen, 0);
  const mine = all.filter((c) => c.csm?.id === user.id).length;

  return (
    <>
      <div className="page-head">
        <h1>Customers</h1>
        <Freshness answer={overview.data} />
      </div>
      {overview.isPending && <Loading label="Loading customers" />}
      {overview.isError && <ErrorNote error={overview.error} retry={() => void overview.refetch()} />}
      {overview.data && overview.data.connections.length === 0 && (
        <Empty title="Zendesk is not connected yet">
          {user.role === 'admin' ? (
            <p>
              Connect your Zendesk so that each customer's tickets, health and alerts appear here. <Link to="/settings?tab=connections">Connect Zendesk</Link>
            </p>
          ) : (
            <p>Ask your CSCX admin to connect Zendesk: each customer's tickets, health and alerts will then appear here.</p>
          )}
        </Empty>
      )}
      {overview.data && (
        <>
          <ul className="tiles" aria-label="At a glance">
            <li>
              <span className="tile-number">{all.length}</span> customers{mine > 0 && <span className="muted"> ({mine} yours)</span>}
            </li>
            <li>
              <span className="tile-number">{atRisk}</span> at risk
            </li>
            <li>
              <span className="tile-number">{urgent}</span> with an urgent open ticket
            </li>
            <li>
              <span className="tile-number">{escalated}</span> escalated open tickets
            </li>
          </ul>
          <div className="toolbar">
            <div className="field inline">
              <label htmlFor="customer-search">Search</label>
              <input
                id="customer-search"
                type="search"
                placeholder="Name or domain"
                value={q}
                onChange={(event) => {
                  setParam('q', event.target.value);
                  setShown(PAGE);
                }}
              />
            </div>
            <div className="chips" role="group" aria-label="Filters">
              <button type="button" aria-pressed={filters.has('mine')} onClick={() => toggle('mine')}>
                My customers
              </button>
              <button type="button" aria-pressed={filters.has('risk')} onClick={() => toggle('risk')}>
                At risk
              </button>
              <button type="button" aria-pressed={filters.has('escalations')} onClick={() => toggle('escalations')}>
                With escalations
              </button>
            </div>
            <div className="field inline">
              <label htmlFor="customer-sort">Sort by</label>
              <select id="customer-sort" value={sort} onChange={(event) => setParam('sort', event.target.value)}>
                {SORTS.map((s) => (
                  <option key={s.key} value={s.key}>
                    {s.label}
                  </option>
                ))}
              </select>
            </div>
          </div>
          {all.length === 0 && overview.data.connections.length > 0 && (
            <Empty title="No customers yet">
              <p>Customers come from your CRM: import them with the API (POST /api/customers) or the command <code>npm run cli -- customers import customers.csv</code>.</p>
            </Empty>
          )}
          {all.length > 0 && rows.length === 0 && (
            <Empty title="No customer matches">
              <p>
                Nothing matches {q ? <>“{q}”</> : 'these filters'}.{' '}
                <button type="button" className="link-button" onClick={() => navigate('/', { replace: true })}>
                  Clear search and filters
                </button>
              </p>
            </Empty>
          )}
          {rows.length > 0 && (
            <>
              <table className="table customers">
                <caption className="sr-only">Customers, sorted by {SORTS.find((s) => s.key === sort)?.label}</caption>
                <thead>
                  <tr>
                    <SortHeader sortKey="name" current={sort} label="Customer" />
                    <SortHeader sortKey="health" current={sort} label="Health" />
                    <SortHeader sortKey="support" current={sort} label="Support score" />
                    <SortHeader sortKey="open" current={sort} label="Open tickets" />
                    <SortHeader sortKey="csat" current={sort} label="CSAT (90 d)" />
                    <th scope="col">Escalations (30 d)</th>
                    <SortHeader sortKey="activity" current={sort} label="Last ticket activity" />
                    <th scope="col">CSM</th>
                  </tr>
                </thead>
                <tbody>
                  {rows.slice(0, shown).map((c) => (
                    <tr key={c.id}>
                      <th scope="row">
                        <Link to={`/customers/${c.id}`}>{c.name}</Link>
                        {c.domains[0] && <div className="muted small">{c.domains[0]}</div>}
                      </th>
                      <td>
                        <HealthBadge score={c.health?.overall} change={c.health?.change7d} />
                      </td>
                      <td>{score(c.health?.support)}</td>
                      <td>
                        <OpenBadge count={c.openTickets} worst={c.worstOpenPriority} />
                      </td>
                      <td>
                        {percent(c.csat)}
                        {c.csatRatings > 0 && <span className="muted small"> ({c.csatRatings})</span>}
                      </td>
                      <td>
                        {c.escalations30d ?? 0}
                        {c.escalatedOpen > 0 && <span className="small flag"> · {c.escalatedOpen} open</span>}
                      </td>
                      <td>{relativeTime(c.lastActivityAt)}</td>
                      <td>{c.csm?.name || c.csm?.email || <span className="muted">none</span>}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <p className="muted small">
                Showing {Math.min(shown, rows.length)} of {rows.length}.{' '}
                {shown < rows.length && (
                  <button type="button" onClick={() => setShown(shown + PAGE)}>
                    Show {Math.min(PAGE, rows.length - shown)} more
                  </button>
                )}
              </p>
            </>
          )}
        </>
      )}
    </>
  );
}

function SortHeader({ sortKey, current, label }: { sortKey: SortKey; current: SortKey; label: string }) {
  const active = sortKey === current;
  return (
    <th scope="col" aria-sort={active ? (sortKey === 'name' || sortKey === 'health' || sortKey === 'support' || sortKey === 'csat' ? 'ascending' : 'descending') : undefined}>
      <button type="button" className="sort-button" onClick={() => setParam('sort', sortKey)}>
        {label}
        {active && <span aria-hidden="true"> ▾</span>}
      </button>
    </th>
  );
}

export function Freshness({ answer }: { answer: { asOf: string | null; connections: Array<{ subdomain: string; state: string | null; status: string }> } | undefined }) {
  if (!answer || answer.connections.length === 0) return null;
  const importing = answer.connections.filter((c) => c.state === 'importing').map((c) => c.subdomain);
  return (
    <p className="freshness">
      Zendesk data as of <strong>{time(answer.asOf)}</strong>
      {importing.length > 0 && <span> · importing {importing.join(', ')}</span>}
      <span className="muted"> · changes arrive live</span>
    </p>
  );
}
