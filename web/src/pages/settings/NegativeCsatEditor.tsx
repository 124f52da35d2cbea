/**
 * The negative-CSAT threshold: the highest score of Zendesk's updated CSAT (a 5-point survey
 * response) that counts as negative and raises an alert. Legacy good/bad ratings: bad is negative.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { setAlertRules, type getAlertRules } from '../../../../src/contracts/alerts.ts';
import type { z } from 'zod';
import { call } from '../../api.ts';
import { SaveOutcome } from '../../components/ui.tsx';

type Rules = z.output<typeof getAlertRules.response>;

export function NegativeCsatEditor({ rules, admin }: { rules: Rules; admin: boolean }) {
  const client = useQueryClient();
  const [draft, setDraft] = useState<string | null>(null);
  const shown = draft ?? String(rules.negativeCsat.maxScore);
  const save = useMutation({
    // The spike rule is sent as it is stored: this form changes the threshold only.
    mutationFn: () => call(setAlertRules, { body: { ticketSpike: rules.ticketSpike, negativeCsat: { maxScore: Number(shown) } } }),
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
        Negative at or below (of 5)
        <input type="number" min={1} max={4} step={1} disabled={!admin} value={shown} onChange={(event) => setDraft(event.target.value)} />
      </label>
      {admin && (
        <button type="submit" disabled={draft === null || save.isPending}>
          Save CSAT threshold
        </button>
      )}
      <SaveOutcome save={save} saved={(answer) => `Saved: a response of ${answer.negativeCsat.maxScore} or less out of 5 is negative.`} />
    </form>
  );
}
