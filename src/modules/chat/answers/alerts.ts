/**
 * Alert subscriptions from the chat: always the caller's own, per alert type (they cover every
 * customer routed to the caller). With an account named ("alert me on escalations for Acme"), the
 * caller follows that account for those types (or all, none named) instead, or stops following it
 * ("stop alerting me on escalations for Acme"): see follows.repo.ts.
 */
import { ALERT_TYPES, type AlertType } from '../../../contracts/vocabulary.ts';
import { getSubscriptions, setSubscriptions } from '../../alerts/alerts.repo.ts';
import { deleteFollow, selectFollow, upsertFollow } from '../../alerts/follows.repo.ts';
import type { AnswerContext } from '../answer-context.ts';
import type { CommandIntent } from '../chat-parser.ts';
import { GENERAL_SUGGESTIONS, referenceFor } from '../quick-actions.ts';
import { customerRef, type AnswerContent } from '../views.ts';

/** How each alert type is named, and the messages that turn it on and off (they parse back to it). */
const ALERT_WORDS: Record<AlertType, { noun: string; subscribe: string; unsubscribe: string }> = {
  escalation: { noun: 'ticket escalations', subscribe: 'alert me on ticket escalations', unsubscribe: 'stop alerting me on ticket escalations' },
  sla_breach: { noun: 'SLA breaches', subscribe: 'notify me about SLA breaches', unsubscribe: 'stop alerting me on SLA breaches' },
  ticket_spike: { noun: 'ticket spikes', subscribe: 'alert me on ticket spikes', unsubscribe: 'stop alerting me on ticket spikes' },
  negative_csat: { noun: 'negative CSAT ratings', subscribe: 'alert me when CSAT is negative', unsubscribe: 'stop alerting me on negative CSAT' },
};

/** No alert type named: which ones, as choices (never all of them by default). */
function askAlertTypes(enable: boolean): AnswerContent {
  const command: CommandIntent = enable ? 'subscribe_alerts' : 'unsubscribe_alerts';
  const question = enable ? 'Which alerts do you want?' : 'Which alerts should I stop?';
  return {
    reply: `${question} ${ALERT_TYPES.map((t) => ALERT_WORDS[t].noun).join(', ')}, or all of them.`,
    data: {
      kind: 'choices',
      reason: 'alert_type_needed',
      command,
      question,
      choices: [
        ...ALERT_TYPES.map((type) => ({ label: ALERT_WORDS[type].noun, message: enable ? ALERT_WORDS[type].subscribe : ALERT_WORDS[type].unsubscribe, alertType: type })),
        { label: 'all alerts', message: enable ? 'subscribe me to all alerts' : 'stop all alerts' },
      ],
    },
    suggestions: GENERAL_SUGGESTIONS,
  };
}

/** Turns the named alert types on (`enable`) or off; the reply tells whether anything changed, and offers the undo. */
export async function answerSubscription(ctx: AnswerContext, enable: boolean): Promise<AnswerContent> {
  const { deps, parsed, user } = ctx;
  const types: AlertType[] = parsed.allAlertTypes ? [...ALERT_TYPES] : parsed.alertTypes;
  if (parsed.accounts.length > 0) return answerFollow(ctx, enable, types.length === 0 || types.length === ALERT_TYPES.length ? null : types);
  if (parsed.unknownAccount) {
    const reply = `No customer is called "${parsed.unknownAccount}"; nothing changed. Name the account as it is in CSCX, or leave it out to change an alert type for every customer.`;
    return {
      reply,
      data: { kind: 'unknown', understood: { command: enable ? 'subscribe_alerts' : 'unsubscribe_alerts', customer: null, unknownAccount: parsed.unknownAccount, corrections: parsed.corrections }, choices: [], examples: [] },
      suggestions: GENERAL_SUGGESTIONS,
    };
  }
  if (types.length === 0) return askAlertTypes(enable);
  const before = new Map((await getSubscriptions(deps.db, user.id)).map((s) => [s.type, s.enabled]));
  const subscriptions = await setSubscriptions(deps.db, user.id, types.map((type) => ({ type, enabled: enable })));
  const changed = types.map((type) => ({ type, enabled: enable, wasEnabled: before.get(type) ?? true }));
  const nouns = types.map((t) => ALERT_WORDS[t].noun);
  const list = nouns.length === 1 ? nouns[0]! : `${nouns.slice(0, -1).join(', ')} and ${nouns.at(-1)!}`;
  const already = changed.every((c) => c.wasEnabled === enable);
  const reply = enable
    ? already
      ? `You were already subscribed to alerts on ${list}; nothing changed.`
      : `Done: you will be alerted on ${list} for the customers routed to you.`
    : already
      ? `You were already not receiving alerts on ${list}; nothing changed.`
      : `Done: you will no longer be alerted on ${list}.`;
  return {
    reply,
    data: { kind: 'subscriptions', changed, subscriptions },
    suggestions: types.map((t) => ({ label: enable ? `Undo: stop alerts on ${ALERT_WORDS[t].noun}` : `Undo: alert me on ${ALERT_WORDS[t].noun}`, message: enable ? ALERT_WORDS[t].unsubscribe : ALERT_WORDS[t].subscribe })).slice(0, 2).concat(GENERAL_SUGGESTIONS.slice(0, 2)),
  };
}

const listOf = (types: readonly AlertType[] | null): string => {
  if (types === null) return 'all alerts';
  const nouns = types.map((t) => ALERT_WORDS[t].noun);
  return nouns.length === 1 ? nouns[0]! : `${nouns.slice(0, -1).join(', ')} and ${nouns.at(-1)!}`;
};

/**
 * Follows (enable) or stops following the named account for `types` (null: every type). Several
 * accounts fit: asks which. Following adds to what the caller already follows of the account.
 */
async function answerFollow(ctx: AnswerContext, enable: boolean, types: AlertType[] | null): Promise<AnswerContent> {
  const { deps, parsed, user, index } = ctx;
  const command: CommandIntent = enable ? 'subscribe_alerts' : 'unsubscribe_alerts';
  const phrase = (reference: string) => `${enable ? 'alert me on' : 'stop alerting me on'} ${types === null ? 'all alerts' : listOf(types)} for ${reference}`;
  if (parsed.accounts.length > 1) {
    const choices = parsed.accounts.map((a) => ({ label: a.name, message: phrase(referenceFor(index, a.customerId)), customerId: a.customerId }));
    const question = `Which account do you mean: ${choices.map((c) => c.label).join(', ')}?`;
    return { reply: question, data: { kind: 'choices', reason: 'ambiguous_account', command, question, choices }, suggestions: choices.map((c) => ({ label: c.label, message: c.message })) };
  }
  const account = parsed.accounts[0]!;
  const customer = customerRef(account.customerId, index.customer(account.customerId)?.name ?? account.name);
  const current = await selectFollow(deps.db, user.id, account.customerId);
  const had: AlertType[] = current ? (current.types ?? [...ALERT_TYPES]) : [];
  const next: AlertType[] = enable ? ALERT_TYPES.filter((t) => types === null || types.includes(t) || had.includes(t)) : had.filter((t) => types !== null && !types.includes(t));
  const changed = next.length !== had.length;
  if (next.length === 0) await deleteFollow(deps.db, user.id, account.customerId);
  else if (changed) await upsertFollow(deps.db, user.id, account.customerId, next);
  const following = next.length === 0 ? null : next.length === ALERT_TYPES.length ? null : next;
  let reply: string;
  if (enable) {
    reply = changed
      ? `Done: you follow ${customer.name} and will be alerted on its ${listOf(following)}, in addition to whoever its alerts go to.`
      : `You already follow ${customer.name} for ${listOf(following)}; nothing changed.`;
    const subscriptions = await getSubscriptions(deps.db, user.id);
    const off = subscriptions.filter((s) => !s.enabled && next.includes(s.type)).map((s) => s.type);
    if (off.length > 0) reply += ` You turned ${listOf(off)} off for all customers, so those will not reach you until you say "${ALERT_WORDS[off[0]!].subscribe}".`;
  } else if (!current) {
    reply = `You do not follow ${customer.name}; nothing changed. To stop an alert type for every customer, leave the account out, e.g. "${ALERT_WORDS[(types ?? ALERT_TYPES)[0]!].unsubscribe}".`;
  } else {
    reply = next.length === 0
      ? `Done: you no longer follow ${customer.name}.`
      : changed
        ? `Done: you now follow ${customer.name} for ${listOf(following)} only.`
        : `You were not following ${customer.name} for ${listOf(types)}; nothing changed.`;
  }
  const reference = referenceFor(index, account.customerId);
  return {
    reply,
    data: { kind: 'follow', customer, following: next.length > 0, types: next.length === 0 ? null : following, changed },
    suggestions: [
      next.length > 0 ? { label: `Stop following ${customer.name}`, message: `stop alerting me on all alerts for ${reference}` } : { label: `Follow ${customer.name}`, message: `alert me on all alerts for ${reference}` },
      ...GENERAL_SUGGESTIONS.slice(0, 2),
    ],
  };
}
