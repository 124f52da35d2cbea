/**
 * The negative-CSAT threshold: the highest score of Zendesk's updated CSAT (a 5-point survey
 * response) that counts as negative and raises an alert. Legacy good/bad ratings: bad is negative.
 */
import { useState } from 'react';
import { AlertRuleForm, type AlertRules } from './AlertRuleForm.tsx';

export function NegativeCsatEditor({ rules, admin }: { rules: AlertRules; admin: boolean }) {
  const [draft, setDraft] = useState<string | null>(null);
  const shown = draft ?? String(rules.negativeCsat.maxScore);
  return (
    <AlertRuleForm
      admin={admin}
      dirty={draft !== null}
      // The spike rule is sent as it is stored: this form changes the threshold only.
      body={() => ({ ticketSpike: rules.ticketSpike, negativeCsat: { maxScore: Number(shown) } })}
      onSaved={() => setDraft(null)}
      submitLabel="Save CSAT threshold"
      saved={(answer) => `Saved: a response of ${answer.negativeCsat.maxScore} or less out of 5 is negative.`}
    >
      <label>
        Negative at or below (of 5)
        <input type="number" min={1} max={4} step={1} disabled={!admin} value={shown} onChange={(event) => setDraft(event.target.value)} />
      </label>
    </AlertRuleForm>
  );
}
