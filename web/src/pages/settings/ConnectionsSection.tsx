/** Settings: the Zendesk connections, their import progress and sync, and connecting another. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { connect, disconnectConnection, listConnections, syncConnection, type Connection } from '../../../../src/contracts/connections.ts';
import { call, errorText } from '../../api.ts';
import { Card, Empty, ErrorNote, Loading } from '../../components/ui.tsx';
import { count, dateTime, duration, relativeTime } from '../../format.ts';
import { ConnectForm } from './ConnectForm.tsx';

const STATUS_TEXT: Record<Connection['status'], { icon: string; text: string }> = {
  active: { icon: '✓', text: 'Connected' },
  pending: { icon: '…', text: 'Connecting' },
  needs_reauth: { icon: '!', text: 'Needs you to reconnect' },
  error: { icon: '!', text: 'Error' },
  disconnected: { icon: '–', text: 'Disconnected' },
};

export function ConnectionsSection({ admin, connected }: { admin: boolean; connected: string | null }) {
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
    mutationFn: () => call(connect, { body: { subdomain: connection.subdomain, method: 'oauth' } }),
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
