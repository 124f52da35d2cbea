/** Settings (admins): the team's Slack channel, which receives every alert once. The URL is a secret: only its host is shown. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { getTeamWebhook, setTeamWebhook } from '../../../../src/contracts/alerts.ts';
import { call, errorText } from '../../api.ts';
import { Card, ErrorNote, Loading } from '../../components/ui.tsx';
import { Link } from '../../router.tsx';

export function TeamWebhookEditor() {
  const client = useQueryClient();
  const webhook = useQuery({ queryKey: ['team-webhook'], queryFn: () => call(getTeamWebhook) });
  const [url, setUrl] = useState('');
  const save = useMutation({
    mutationFn: (body: { url?: string | null; enabled: boolean }) => call(setTeamWebhook, { body }),
    onSuccess: (answer) => {
      client.setQueryData(['team-webhook'], answer);
      setUrl('');
    },
  });
  const current = webhook.data?.webhook;
  return (
    <Card title="Team Slack channel" id="team-webhook">
      {webhook.isPending && <Loading label="Loading the team webhook" />}
      {webhook.isError && <ErrorNote error={webhook.error} retry={() => void webhook.refetch()} />}
      {current && (
        <form
          className="webhook-form"
          onSubmit={(event) => {
            event.preventDefault();
            save.mutate({ url: url.trim(), enabled: true });
          }}
        >
          <p>
            {current.configured ? (
              <>
                {current.enabled ? 'Every alert is posted once to ' : 'Posting alerts is paused for '}
                <strong>{current.host}</strong>
                {current.setBy && <> (set by {current.setBy.name})</>}.{' '}
                <button type="button" className="link-button" onClick={() => save.mutate({ enabled: !current.enabled })} disabled={save.isPending}>
                  {current.enabled ? 'Pause' : 'Resume'}
                </button>{' '}
                <button type="button" className="link-button" onClick={() => save.mutate({ url: null, enabled: true })} disabled={save.isPending}>
                  Remove
                </button>
              </>
            ) : (
              'Post every alert once to a team channel, e.g. #cs-alerts (a Slack incoming-webhook URL):'
            )}
          </p>
          <div className="row">
            <label htmlFor="team-webhook-url" className="sr-only">
              Team webhook URL
            </label>
            <input id="team-webhook-url" type="url" placeholder="https://hooks.slack.com/services/…" value={url} onChange={(event) => setUrl(event.target.value)} />
            <button type="submit" disabled={!url.trim() || save.isPending}>
              {current.configured ? 'Replace' : 'Save'}
            </button>
          </div>
          {save.isError && (
            <p className="error-text" role="alert">
              {errorText(save.error)}
            </p>
          )}
        </form>
      )}
      <p className="muted small">
        Failed posts are listed with everyone’s deliveries under <Link to="/settings?tab=notifications">notifications</Link>.
      </p>
    </Card>
  );
}
