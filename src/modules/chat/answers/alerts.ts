/**
 * Alert subscriptions from the chat: always the caller's own, per alert type (they cover every
 * customer routed to the caller, so a named account cannot narrow them; the reply says so).
 */
import { ALERT_TYPES, type AlertType } from '../../../contracts/vocabulary.ts';
import { getSubscriptions, setSubscriptions } from '../../alerts/alerts.repo.ts';
import type { AnswerContext } from '../answer-context.ts';
import type { CommandIntent } from '../chat-parser.ts';
import { GENERAL_SUGGESTIONS } from '../quick-actions.ts';
import type { AnswerContent } from '../views.ts';

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
  if (types.length === 0) return askAlertTypes(enable);
  const before = new Map((await getSubscriptions(deps.db, user.id)).map((s) => [s.type, s.enabled]));
  const subscriptions = await setSubscriptions(deps.db, user.id, types.map((type) => ({ type, enabled: enable })));
  const changed = types.map((type) => ({ type, enabled: enable, wasEnabled: before.get(type) ?? true }));
  const nouns = types.map((t) => ALERT_WORDS[t].noun);
  const list = nouns.length === 1 ? nouns[0]! : `${nouns.slice(0, -1).join(', ')} and ${nouns.at(-1)!}`;
  const already = changed.every((c) => c.wasEnabled === enable);
  let reply = enable
    ? already
      ? `You were already subscribed to alerts on ${list}; nothing changed.`
      : `Done: you will be alerted on ${list} for the customers routed to you.`
    : already
      ? `You were already not receiving alerts on ${list}; nothing changed.`
      : `Done: you will no longer be alerted on ${list}.`;
  if (parsed.accounts.length > 0) reply += ' Alert subscriptions are per type and cover every customer routed to you; they cannot be limited to one account.';
  return {
    reply,
    data: { kind: 'subscriptions', changed, subscriptions },
    suggestions: types.map((t) => ({ label: enable ? `Undo: stop alerts on ${ALERT_WORDS[t].noun}` : `Undo: alert me on ${ALERT_WORDS[t].noun}`, message: enable ? ALERT_WORDS[t].unsubscribe : ALERT_WORDS[t].subscribe })).slice(0, 2).concat(GENERAL_SUGGESTIONS.slice(0, 2)),
  };
}
