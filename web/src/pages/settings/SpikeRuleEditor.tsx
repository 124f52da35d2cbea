/** The ticket-spike rule: how many tickets from one customer within how many hours raise an alert. */
import { useState } from 'react';
import { AlertRuleForm, type AlertRules } from './AlertRuleForm.tsx';

export function SpikeRuleEditor({ rules, admin }: { rules: AlertRules; admin: boolean }) {
  const [draft, setDraft] = useState<{ threshold: string; windowHours: string } | null>(null);
  const shown = draft ?? { threshold: String(rules.ticketSpike.threshold), windowHours: String(rules.ticketSpike.windowHours) };
  return (
    <AlertRuleForm
      admin={admin}
      dirty={draft !== null}
      body={() => ({ ticketSpike: { threshold: Number(shown.threshold), windowHours: Number(shown.windowHours) } })}
      onSaved={() => setDraft(null)}
      submitLabel="Save spike rule"
      saved={(answer) => `Saved: ${answer.ticketSpike.threshold} tickets within ${answer.ticketSpike.windowHours} hours.`}
    >
      <label>
        Tickets
        <input type="number" min={2} max={1000} step={1} disabled={!admin} value={shown.threshold} onChange={(event) => setDraft({ ...shown, threshold: event.target.value })} />
      </label>
      <label>
        within hours
        <input type="number" min={1} max={720} step="any" disabled={!admin} value={shown.windowHours} onChange={(event) => setDraft({ ...shown, windowHours: event.target.value })} />
      </label>
    </AlertRuleForm>
  );
}
