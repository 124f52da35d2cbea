/** Settings: connecting a Zendesk account, by OAuth or with an API token. */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { connect as connectEndpoint } from '../../../../src/contracts/connections.ts';
import { call, errorText } from '../../api.ts';
import { Card } from '../../components/ui.tsx';

export function ConnectForm({ first }: { first: boolean }) {
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
