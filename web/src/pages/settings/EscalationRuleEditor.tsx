/** What "escalated" means in one Zendesk connection: leaders read it, admins change it. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { Connection } from '../../../../src/contracts/connections.ts';
import { getEscalationRule, setEscalationRule, type EscalationRule } from '../../../../src/contracts/escalation-rule.ts';
import { TICKET_PRIORITIES as PRIORITIES, type TicketPriority as Priority } from '../../../../src/contracts/vocabulary.ts';
import { call } from '../../api.ts';
import { Card, ErrorNote, SaveOutcome } from '../../components/ui.tsx';
import { count } from '../../format.ts';

export function EscalationRuleEditor({ connection, admin }: { connection: Connection; admin: boolean }) {
  const client = useQueryClient();
  const rule = useQuery({
    queryKey: ['escalation-rule', connection.id],
    queryFn: () => call(getEscalationRule, { params: { id: connection.id } }),
  });
  const [draft, setDraft] = useState<{ priorities: Priority[]; tags: string } | null>(null);
  const save = useMutation({
    mutationFn: (body: EscalationRule) => call(setEscalationRule, { params: { id: connection.id }, body }),
    onSuccess: (answer) => {
      setDraft(null);
      void client.invalidateQueries({ queryKey: ['escalation-rule', connection.id] });
      for (const key of ['customers', 'customer', 'tickets', 'metrics', 'health']) void client.invalidateQueries({ queryKey: [key] });
      return answer;
    },
  });
  const current = rule.data?.rule;
  const shown = draft ?? (current ? { priorities: current.priorities, tags: current.tags.join(', ') } : null);
  const prefix = `esc-${connection.subdomain}`;
  return (
    <Card title={`Escalation in ${connection.subdomain}`} id={prefix}>
      {rule.isError && <ErrorNote error={rule.error} retry={() => void rule.refetch()} />}
      {current && shown && (
        <form
          className="form"
          onSubmit={(event) => {
            event.preventDefault();
            save.mutate({ ...current, priorities: shown.priorities, tags: shown.tags.split(/[\s,]+/).filter(Boolean) });
          }}
        >
          <fieldset>
            <legend>A ticket is escalated when its priority is</legend>
            {PRIORITIES.map((p) => (
              <label key={p} className="check">
                <input
                  type="checkbox"
                  disabled={!admin}
                  checked={shown.priorities.includes(p)}
                  onChange={(event) => setDraft({ ...shown, priorities: event.target.checked ? [...shown.priorities, p] : shown.priorities.filter((x) => x !== p) })}
                />{' '}
                {p.charAt(0).toUpperCase() + p.slice(1)}
              </label>
            ))}
          </fieldset>
          <label htmlFor={`${prefix}-tags`}>or it has one of these tags</label>
          <input id={`${prefix}-tags`} disabled={!admin} value={shown.tags} onChange={(event) => setDraft({ ...shown, tags: event.target.value })} aria-describedby={`${prefix}-tags-help`} />
          <p id={`${prefix}-tags-help`} className="muted small">
            Separated by commas.
            {current.groupIds.length > 0 && <> Also tickets in Zendesk groups {current.groupIds.join(', ')}.</>}
            {current.customField && <> Also tickets whose field {current.customField.id} is {current.customField.values.join(' or ')}.</>}
          </p>
          <SaveOutcome save={save} saved={(answer) => `Saved: ${count(answer.ticketsChanged)} tickets changed their escalated flag.`} />
          {admin && (
            <div className="row">
              <button type="submit" className="primary" disabled={!draft || save.isPending}>
                Save escalation rule
              </button>
            </div>
          )}
        </form>
      )}
    </Card>
  );
}
