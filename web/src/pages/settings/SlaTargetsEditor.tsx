/** Fallback SLA targets per priority, in hours, for tickets without a Zendesk SLA policy. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { getSlaTargets, setSlaTargets, type SlaTargets } from '../../../../src/contracts/sla-targets.ts';
import { TICKET_PRIORITIES as PRIORITIES } from '../../../../src/contracts/vocabulary.ts';
import { call } from '../../api.ts';
import { Card, ErrorNote, SaveOutcome } from '../../components/ui.tsx';

export function SlaTargetsEditor({ admin }: { admin: boolean }) {
  const client = useQueryClient();
  const targets = useQuery({ queryKey: ['sla-targets'], queryFn: () => call(getSlaTargets) });
  const [draft, setDraft] = useState<Record<string, string> | null>(null);
  const save = useMutation({
    mutationFn: (body: SlaTargets) => call(setSlaTargets, { body: { targets: body } }),
    onSuccess: (answer) => {
      client.setQueryData(['sla-targets'], answer);
      setDraft(null);
    },
  });
  if (!targets.data) return targets.isError ? <ErrorNote error={targets.error} /> : null;
  const hoursOf = (minutes: number | null) => (minutes === null ? '' : String(Math.round((minutes / 60) * 100) / 100));
  const shown =
    draft ?? Object.fromEntries(PRIORITIES.flatMap((p) => [[`${p}.firstReply`, hoursOf(targets.data.targets[p].firstReplyMinutes)], [`${p}.resolution`, hoursOf(targets.data.targets[p].resolutionMinutes)]]));
  const minutesOf = (text: string | undefined) => (text === undefined || text.trim() === '' ? null : Math.round(Number(text) * 60));
  const body = Object.fromEntries(PRIORITIES.map((p) => [p, { firstReplyMinutes: minutesOf(shown[`${p}.firstReply`]), resolutionMinutes: minutesOf(shown[`${p}.resolution`]) }])) as SlaTargets;
  return (
    <Card title="SLA targets for tickets without a Zendesk SLA policy" id="sla-targets">
      <form
        onSubmit={(event) => {
          event.preventDefault();
          save.mutate(body);
        }}
      >
        <table className="table compact">
          <caption className="sr-only">Targets in hours per priority; empty: no target</caption>
          <thead>
            <tr>
              <th scope="col">Priority</th>
              <th scope="col">First reply within (hours)</th>
              <th scope="col">Solved within (hours)</th>
            </tr>
          </thead>
          <tbody>
            {PRIORITIES.map((p) => (
              <tr key={p}>
                <th scope="row">{p.charAt(0).toUpperCase() + p.slice(1)}</th>
                {(['firstReply', 'resolution'] as const).map((kind) => (
                  <td key={kind}>
                    <input
                      type="number"
                      min={0}
                      step="any"
                      disabled={!admin}
                      aria-label={`${p} ${kind === 'firstReply' ? 'first reply' : 'resolution'} target in hours`}
                      value={shown[`${p}.${kind}`] ?? ''}
                      onChange={(event) => setDraft({ ...shown, [`${p}.${kind}`]: event.target.value })}
                    />
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
        <p className="muted small">Used for SLA compliance and SLA breach alerts when Zendesk has no SLA policy on a ticket. Empty: no target.</p>
        <SaveOutcome save={save} saved={() => 'Saved.'} />
        {admin && (
          <button type="submit" className="primary" disabled={!draft || save.isPending}>
            Save SLA targets
          </button>
        )}
      </form>
    </Card>
  );
}
