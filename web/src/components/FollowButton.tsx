/**
 * Following a customer's alerts from its page: every type or the chosen ones, in addition to
 * whoever the alerts are routed to (its CSM, else the leaders, else the admins).
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { followCustomer, listAlertFollows, unfollowCustomer } from '../../../src/contracts/alerts.ts';
import { ALERT_TYPES, type AlertType } from '../../../src/contracts/vocabulary.ts';
import { call, errorText } from '../api.ts';
import { Link } from '../router.tsx';
import { ALERT_TYPE_LABEL } from './badges.tsx';

const label = (type: AlertType) => ALERT_TYPE_LABEL[type]?.label ?? type;

export function FollowButton({ customerId, customerName }: { customerId: string; customerName: string }) {
  const client = useQueryClient();
  const follows = useQuery({ queryKey: ['alert-follows'], queryFn: () => call(listAlertFollows) });
  const follow = follows.data?.follows.find((f) => f.customerId === customerId) ?? null;
  const [editing, setEditing] = useState(false);
  const [types, setTypes] = useState<AlertType[]>([...ALERT_TYPES]);
  const save = useMutation({
    mutationFn: async (chosen: AlertType[] | null): Promise<void> => {
      if (chosen === null) await call(unfollowCustomer, { params: { id: customerId } });
      else await call(followCustomer, { params: { id: customerId }, body: { types: chosen } });
    },
    onSuccess: () => {
      setEditing(false);
      void client.invalidateQueries({ queryKey: ['alert-follows'] });
    },
  });
  if (!follows.data) return null;
  const open = () => {
    setTypes(follow?.types ? [...follow.types] : [...ALERT_TYPES]);
    setEditing(true);
  };
  return (
    <div className="follow">
      {follow ? (
        <p className="small">
          Following {customerName}’s alerts: <strong>{follow.types ? follow.types.map(label).join(', ') : 'all types'}</strong>.{' '}
          <button type="button" className="link-button" onClick={open}>
            Change
          </button>{' '}
          <button type="button" className="link-button" onClick={() => save.mutate(null)} disabled={save.isPending}>
            Unfollow
          </button>
        </p>
      ) : (
        !editing && (
          <button type="button" onClick={open} title="Receive this customer's alerts too, in addition to its CSM">
            Follow alerts
          </button>
        )
      )}
      {editing && (
        <form
          className="follow-form"
          onSubmit={(event) => {
            event.preventDefault();
            save.mutate(types);
          }}
        >
          <fieldset>
            <legend>Alert me on {customerName}’s</legend>
            {ALERT_TYPES.map((type) => (
              <label key={type} className="check">
                <input
                  type="checkbox"
                  checked={types.includes(type)}
                  onChange={(event) => setTypes(event.target.checked ? ALERT_TYPES.filter((t) => t === type || types.includes(t)) : types.filter((t) => t !== type))}
                />{' '}
                {label(type)}
              </label>
            ))}
          </fieldset>
          <button type="submit" className="primary" disabled={types.length === 0 || save.isPending}>
            {follow ? 'Save' : 'Follow'}
          </button>{' '}
          <button type="button" className="link-button" onClick={() => setEditing(false)}>
            Cancel
          </button>
        </form>
      )}
      {save.isError && (
        <p className="error-text" role="alert">
          {errorText(save.error)}
        </p>
      )}
    </div>
  );
}

/** The accounts the user follows, with their types: each links to its page (where the follow is changed) and can be unfollowed here. */
export function FollowedAccounts() {
  const client = useQueryClient();
  const follows = useQuery({ queryKey: ['alert-follows'], queryFn: () => call(listAlertFollows) });
  const unfollow = useMutation({
    mutationFn: (customerId: string) => call(unfollowCustomer, { params: { id: customerId } }),
    onSuccess: () => void client.invalidateQueries({ queryKey: ['alert-follows'] }),
  });
  if (!follows.data) return null;
  return (
    <div className="followed-accounts">
      <p>
        <strong>Accounts I follow</strong>{' '}
        <span className="muted small">(their alerts reach me too, whoever they are routed to; follow one from its page)</span>
      </p>
      {follows.data.follows.length === 0 ? (
        <p className="muted small">None yet.</p>
      ) : (
        <ul>
          {follows.data.follows.map((f) => (
            <li key={f.customerId}>
              <Link to={`/customers/${f.customerId}`}>{f.customerName}</Link>: {f.types ? f.types.map(label).join(', ') : 'all types'}{' '}
              <button type="button" className="link-button" onClick={() => unfollow.mutate(f.customerId)} disabled={unfollow.isPending}>
                Unfollow<span className="sr-only"> {f.customerName}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      {unfollow.isError && (
        <p className="error-text" role="alert">
          {errorText(unfollow.error)}
        </p>
      )}
    </div>
  );
}
