/**
 * Following a customer's alerts from its page: every type or the chosen ones, in addition to
 * whoever the alerts are routed to (its CSM, else the leaders, else the admins).
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { followCustomer, listAlertFollows, unfollowCustomer } from '../../../src/contracts/alerts.ts';
import { ALERT_TYPES, type AlertType } from '../../../src/contracts/vocabulary.ts';
import { call, errorText } from '../api.ts';
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
