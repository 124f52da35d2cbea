import { useMutation } from '@tanstack/react-query';
import { acknowledgeByLink } from '../../../src/contracts/alerts.ts';
import { call, errorText } from '../api.ts';
import { ALERT_TYPE_LABEL } from '../components/badges.tsx';
import { Link, useLocation } from '../router.tsx';

/**
 * Where the "Acknowledge" link of an alert's email or Slack message leads, signed in or not.
 * Opening it changes nothing (mail scanners open links too); the button acknowledges.
 */
export function AcknowledgeLinkPage() {
  const { params } = useLocation();
  const token = params.get('token') ?? '';
  const acknowledge = useMutation({ mutationFn: () => call(acknowledgeByLink, { body: { token } }) });
  const done = acknowledge.data?.alert;
  return (
    <main id="main" className="page narrow">
      <h1>Acknowledge an alert</h1>
      {!token && <p role="alert">This link has no token. Open the alert in CSCX instead.</p>}
      {token && !done && (
        <>
          <p>Acknowledging tells your team that you have seen this alert.</p>
          <button type="button" onClick={() => acknowledge.mutate()} disabled={acknowledge.isPending}>
            {acknowledge.isPending ? 'Acknowledging…' : 'Acknowledge'}
          </button>
          {acknowledge.isError && <p role="alert">{errorText(acknowledge.error)}</p>}
        </>
      )}
      {done && (
        <p role="status">
          {ALERT_TYPE_LABEL[done.type]?.label ?? done.type} at {done.customerName}:{' '}
          {done.status === 'resolved' ? 'already resolved' : `acknowledged${done.acknowledgedAt ? ` at ${new Date(done.acknowledgedAt).toLocaleString()}` : ''}`}.
        </p>
      )}
      <p>
        <Link to="/alerts">Open your alerts in CSCX</Link>
      </p>
    </main>
  );
}
