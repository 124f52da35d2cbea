/**
 * One form of the alert rules (the spike rule, the negative-CSAT threshold): each saves its part
 * through the same PUT /api/alerts/rules, puts the answer in the rules query and says what was saved.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import type { z } from 'zod';
import { setAlertRules, type getAlertRules } from '../../../../src/contracts/alerts.ts';
import { call } from '../../api.ts';
import { SaveOutcome } from '../../components/ui.tsx';

export type AlertRules = z.output<typeof getAlertRules.response>;

export function AlertRuleForm({
  admin,
  dirty,
  body,
  onSaved,
  submitLabel,
  saved,
  children,
}: {
  admin: boolean;
  /** Whether the fields differ from what is stored (the button waits for a change). */
  dirty: boolean;
  /** What to send, read when the form is submitted. */
  body: () => z.input<typeof setAlertRules.body>;
  onSaved: () => void;
  submitLabel: string;
  saved: (answer: AlertRules) => string;
  children: ReactNode;
}) {
  const client = useQueryClient();
  const save = useMutation({
    mutationFn: () => call(setAlertRules, { body: body() }),
    onSuccess: (answer) => {
      client.setQueryData(['rules'], answer);
      onSaved();
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
      {children}
      {admin && (
        <button type="submit" disabled={!dirty || save.isPending}>
          {submitLabel}
        </button>
      )}
      <SaveOutcome save={save} saved={saved} />
    </form>
  );
}
