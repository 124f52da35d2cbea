/** Settings: the health score's weights, with a preview of how the lowest scores would change. */
import { useMutation, useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { getCustomerHealth, getHealthWeights, setHealthWeights, type HealthWeights } from '../../../../src/contracts/health-score.ts';
import { call } from '../../api.ts';
import { HealthBadge } from '../../components/badges.tsx';
import { Card, ErrorNote, Loading, SaveOutcome } from '../../components/ui.tsx';
import { count } from '../../format.ts';
import { previewScore } from '../../health-preview.ts';
import { customersOverviewQuery } from '../../queries.ts';
import { Link } from '../../router.tsx';

const WEIGHT_FIELDS: Array<{ key: keyof HealthWeights; label: string; help: string }> = [
  { key: 'openTickets', label: 'Open tickets vs usual load', help: 'open tickets against the customer’s own baseline' },
  { key: 'escalations', label: 'Escalation rate', help: 'escalated tickets per ticket created, 30 days' },
  { key: 'csat', label: 'CSAT', help: 'good ratings share, 90 days' },
  { key: 'sla', label: 'SLA compliance', help: 'SLA targets met' },
];

export function HealthWeightsSection({ admin }: { admin: boolean }) {
  const client = useQueryClient();
  const weights = useQuery({ queryKey: ['weights'], queryFn: () => call(getHealthWeights) });
  const [draft, setDraft] = useState<Record<keyof HealthWeights, string> | null>(null);
  const customers = useQuery(customersOverviewQuery);
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
          <SaveOutcome save={save} saved={(answer) => `Saved. ${count(answer.recomputed)} customers’ scores were recomputed.`} />
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
