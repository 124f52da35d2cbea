/**
 * Settings: my notifications (every role, for themselves): alerts by email, the daily digest's
 * hour in my time zone; and the deliveries of my alerts (emails, webhook posts) that failed, with
 * the reason. Admins may list everyone's.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { getNotifications, listDeliveries, setNotifications, type NotificationSettings } from '../../../../src/contracts/notifications.ts';
import { call } from '../../api.ts';
import { ALERT_TYPE_LABEL } from '../../components/badges.tsx';
import { Card, Empty, ErrorNote, Loading, SaveOutcome } from '../../components/ui.tsx';
import { dateTime } from '../../format.ts';
import { Link } from '../../router.tsx';

/** The zones the browser knows, and the saved one even if it does not list it (an alias such as "Asia/Calcutta"). */
function timeZones(current: string): string[] {
  const known = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  const zones = new Set([...known, 'UTC', current]);
  return [...zones].sort((a, b) => a.localeCompare(b));
}

const hourLabel = (hour: number) => `${String(hour).padStart(2, '0')}:00`;

export function NotificationsSection({ admin }: { admin: boolean }) {
  return (
    <>
      <NotificationSettingsCard />
      <FailedDeliveriesCard admin={admin} />
    </>
  );
}

function NotificationSettingsCard() {
  const client = useQueryClient();
  const current = useQuery({ queryKey: ['my-notifications'], queryFn: () => call(getNotifications) });
  const [draft, setDraft] = useState<NotificationSettings | null>(null);
  const save = useMutation({
    mutationFn: (settings: NotificationSettings) => call(setNotifications, { body: settings }),
    onSuccess: (answer) => {
      client.setQueryData(['my-notifications'], answer);
      setDraft(null);
    },
  });
  if (current.isPending) return <Loading label="Loading your notification settings" />;
  if (current.isError) return <ErrorNote error={current.error} retry={() => void current.refetch()} />;
  const { settings, address, mailConfigured } = current.data;
  const shown = draft ?? settings;
  const change = (next: Partial<NotificationSettings>) => {
    save.reset();
    setDraft({ ...shown, ...next });
  };
  return (
    <Card title="My notifications" id="my-notifications">
      <p className="muted small">
        Every alert routed to you is in the app (the <Link to="/alerts">Alerts</Link> page, where you also choose the types you receive and an optional Slack or webhook address).
        These settings say what also reaches you by email.
      </p>
      {!mailConfigured && (
        <p className="error-text" role="note">
          Email is off for the whole server (no mail server is configured: SMTP_URL), so no alert or digest is mailed whatever you choose here. Ask your admin to set it up.
        </p>
      )}
      <form
        className="form"
        onSubmit={(event) => {
          event.preventDefault();
          save.mutate(shown);
        }}
      >
        <label className="check">
          <input type="checkbox" checked={shown.email} onChange={(event) => change({ email: event.target.checked })} /> Email me each alert{address ? ` at ${address}` : ''}
        </label>
        <label className="check">
          <input type="checkbox" checked={shown.digestEnabled} onChange={(event) => change({ digestEnabled: event.target.checked })} /> Send me a daily digest (new alerts, score moves, open
          escalations and SLA breaches of my customers; none on a quiet day)
        </label>
        {shown.digestEnabled && !shown.email && <p className="muted small">The digest is an email too: it is sent only while email is on.</p>}
        <label htmlFor="digest-hour">Digest hour</label>
        <select id="digest-hour" value={shown.digestHour} onChange={(event) => change({ digestHour: Number(event.target.value) })}>
          {Array.from({ length: 24 }, (_, hour) => (
            <option key={hour} value={hour}>
              {hourLabel(hour)}
            </option>
          ))}
        </select>
        <label htmlFor="time-zone">Time zone</label>
        <select id="time-zone" value={shown.timeZone} onChange={(event) => change({ timeZone: event.target.value })} aria-describedby="time-zone-help">
          {timeZones(shown.timeZone).map((zone) => (
            <option key={zone} value={zone}>
              {zone}
            </option>
          ))}
        </select>
        <p id="time-zone-help" className="muted small">
          The digest comes at {hourLabel(shown.digestHour)} in {shown.timeZone}.
        </p>
        <p>
          <button type="submit" disabled={!draft || save.isPending}>
            Save my notifications
          </button>
        </p>
        <SaveOutcome save={save} saved={(answer) => `Saved: alerts by email ${answer.settings.email ? 'on' : 'off'}, digest ${answer.settings.digestEnabled ? `at ${hourLabel(answer.settings.digestHour)} ${answer.settings.timeZone}` : 'off'}.`} />
      </form>
    </Card>
  );
}

function FailedDeliveriesCard({ admin }: { admin: boolean }) {
  const [everyone, setEveryone] = useState(false);
  const all = admin && everyone;
  const failed = useQuery({ queryKey: ['deliveries', 'failed', all], queryFn: () => call(listDeliveries, { query: { status: 'failed', ...(all ? { all: 'true' } : {}) } }) });
  return (
    <Card
      title="Failed deliveries"
      id="failed-deliveries"
      actions={
        admin ? (
          <label className="check">
            <input type="checkbox" checked={everyone} onChange={(event) => setEveryone(event.target.checked)} /> Everyone’s
          </label>
        ) : undefined
      }
    >
      <p className="muted small">Alert emails and webhook posts that could not be delivered after every retry. The alert itself is always in the app.</p>
      {failed.isPending && <Loading label="Loading failed deliveries" />}
      {failed.isError && <ErrorNote error={failed.error} retry={() => void failed.refetch()} />}
      {failed.data && failed.data.deliveries.length === 0 && <Empty title="No failed deliveries">{all ? 'Every alert reached everyone it was sent to.' : 'Every alert sent to you arrived.'}</Empty>}
      {failed.data && failed.data.deliveries.length > 0 && (
        <table className="table compact">
          <caption className="sr-only">Failed deliveries</caption>
          <thead>
            <tr>
              <th scope="col">Alert</th>
              <th scope="col">Customer</th>
              {all && <th scope="col">Person</th>}
              <th scope="col">By</th>
              <th scope="col">Attempts</th>
              <th scope="col">Last tried</th>
              <th scope="col">Why</th>
            </tr>
          </thead>
          <tbody>
            {failed.data.deliveries.map((delivery) => (
              <tr key={`${delivery.alertId}-${delivery.userId}-${delivery.channel}`}>
                <td>{ALERT_TYPE_LABEL[delivery.alertType]?.label ?? delivery.alertType}</td>
                <td>
                  <Link to={`/customers/${delivery.customerId}`}>{delivery.customerName}</Link>
                </td>
                {all && <td>{delivery.userName}</td>}
                <td>{delivery.channel === 'email' ? 'Email' : delivery.channel === 'team_webhook' ? 'Team webhook' : 'Webhook'}</td>
                <td>{delivery.attempts}</td>
                <td>{dateTime(delivery.lastAttemptAt)}</td>
                <td className="error-text">{delivery.lastError ?? 'unknown'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Card>
  );
}
