/** One group of unmatched tickets (an organization or an email domain) and the ways to map it. */
import { useState } from 'react';
import type { MatchSuggestion as Suggestion } from '../../../../src/contracts/mapping.ts';

export function UnmatchedGroup({
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
