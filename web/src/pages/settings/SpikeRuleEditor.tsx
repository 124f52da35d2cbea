/** The ticket-spike rule: how many tickets from one customer within how many hours raise an alert. */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { setAlertRules, type getAlertRules } from '../../../../src/contracts/alerts.ts';
import type { z } from 'zod';
import { call } from '../../api.ts';
import { SaveOutcome } from '../../components/ui.tsx';

type Rules = z.output<typeof getAlertRules.response>;

export function SpikeRuleEditor({ rules, admin }: { rules: Rules; admin: boolean }) {
  const client = useQueryClient();
  const [draft, setDraft] = useState<{ threshold: string; windowHours: string } | null>(null);
  const shown = draft ?? { threshold: String(rules.ticketSpike.threshold), windowHours: String(rules.ticketSpike.windowHours) };
  const save = useMutation({
    mutationFn: () => call(setAlertRules, { body: { ticketSpike: { threshold: Number(shown.threshold), windowHours: Number(shown.windowHours) } } }),
    onSuccess: (answer) => {
      client.setQueryData(['rules'], answer);
      setDraft(null);
    },
  });
  return (
    <form
      className="inline-form"
      onSubmit={(event) => {
        event.preventDefault();
        save.mutate();
      }}
    >
      <label>
        Tickets
        <input type="number" min={2} max={1000} step={1} disabled={!admin} value={shown.threshold} onChange={(event) => setDraft({ ...shown, threshold: event.target.value })} />
      </label>
      <label>
        within hours
        <input type="number" min={1} max={720} step="any" disabled={!admin} value={shown.windowHours} onChange={(event) => setDraft({ ...shown, windowHours: event.target.value })} />
      </label>
      {admin && (
        <button type="submit" disabled={!draft || save.isPending}>
          Save spike rule
        </button>
      )}
      <SaveOutcome save={save} saved={(answer) => `Saved: ${answer.ticketSpike.threshold} tickets within ${answer.ticketSpike.windowHours} hours.`} />
    </form>
  );
}
