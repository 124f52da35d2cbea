/** Settings: what raises an alert, each connection's escalation rule, and the fallback SLA targets. */
import { useQuery } from '@tanstack/react-query';
import { getAlertRules } from '../../../../src/contracts/alerts.ts';
import { listConnections } from '../../../../src/contracts/connections.ts';
import { call } from '../../api.ts';
import { ALERT_TYPE_LABEL } from '../../components/badges.tsx';
import { Card, ErrorNote, Loading } from '../../components/ui.tsx';
import { Link } from '../../router.tsx';
import { EscalationRuleEditor } from './EscalationRuleEditor.tsx';
import { NegativeCsatEditor } from './NegativeCsatEditor.tsx';
import { SlaTargetsEditor } from './SlaTargetsEditor.tsx';
import { SpikeRuleEditor } from './SpikeRuleEditor.tsx';
import { TeamWebhookEditor } from './TeamWebhookEditor.tsx';

export function AlertRulesSection({ admin }: { admin: boolean }) {
  const rules = useQuery({ queryKey: ['rules'], queryFn: () => call(getAlertRules) });
  const connections = useQuery({ queryKey: ['connections'], queryFn: () => call(listConnections) });
  return (
    <>
      <Card title="What raises an alert" id="rules">
        {rules.isPending && <Loading label="Loading alert rules" />}
        {rules.isError && <ErrorNote error={rules.error} retry={() => void rules.refetch()} />}
        {rules.data && (
          <dl className="facts rules">
            <div>
              <dt>{ALERT_TYPE_LABEL.escalation?.label}</dt>
              <dd>A ticket becomes escalated, as each connection defines it below.</dd>
            </div>
            <div>
              <dt>{ALERT_TYPE_LABEL.ticket_spike?.label}</dt>
              <dd>
                A customer opens {rules.data.ticketSpike.threshold} or more tickets within {rules.data.ticketSpike.windowHours} hours (at most one alert per customer per window;
                merged tickets do not count).
                <SpikeRuleEditor rules={rules.data} admin={admin} />
              </dd>
            </div>
            <div>
              <dt>{ALERT_TYPE_LABEL.sla_breach?.label}</dt>
              <dd>An unsolved ticket passes an SLA target (checked every minute).</dd>
            </div>
            <div>
              <dt>{ALERT_TYPE_LABEL.negative_csat?.label}</dt>
              <dd>
                A customer rates a ticket bad, or answers Zendesk’s updated CSAT survey with {rules.data.negativeCsat.maxScore} or less out of 5 (on a 2- or 3-point
                survey: anything below the top answer). Once per rating or response; the comment is included.
                <NegativeCsatEditor rules={rules.data} admin={admin} />
              </dd>
            </div>
          </dl>
        )}
        <p className="muted small">
          Alerts go to the customer’s CSM, or to all leaders when it has none, or to the admins when there is no leader; each person chooses the types they receive on the <Link to="/alerts">Alerts</Link> page.
        </p>
      </Card>
      {connections.data?.connections.map((connection) => (
        <EscalationRuleEditor key={connection.id} connection={connection} admin={admin} />
      ))}
      <SlaTargetsEditor admin={admin} />
      {admin && <TeamWebhookEditor />}
    </>
  );
}
