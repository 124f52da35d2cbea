/** What the chat can do: the command list that "help" shows, and the examples other answers quote. */
import type { CommandIntent } from '../chat-parser.ts';
import { GENERAL_SUGGESTIONS } from '../quick-actions.ts';
import type { AnswerContent } from '../views.ts';

const COMMANDS: Array<{ intent: CommandIntent; description: string; examples: string[] }> = [
  { intent: 'list_tickets', description: "a customer's tickets (open by default; all, urgent, solved, from last week...)", examples: ['Show support tickets for Acme', 'urgent tickets for acme.com', 'all tickets from last week for Acme Corp'] },
  { intent: 'escalated_tickets', description: "escalated open tickets, yours or one customer's", examples: ['Are there any escalated tickets?', 'escalations for Acme'] },
  { intent: 'support_health', description: "a customer's support score with its explanation and metrics", examples: ["What's the support health for Acme?", 'how is acme doing'] },
  { intent: 'csat', description: 'customer satisfaction (CSAT) of a customer, or the lowest of yours', examples: ['CSAT for Acme', 'Check CSAT scores'] },
  { intent: 'ticket_history', description: "the timeline of a customer's tickets", examples: ['ticket history for Acme'] },
  { intent: 'sla_breaches', description: 'customers with SLA breaches, or one customer\'s breached tickets', examples: ['Which customers have SLA breaches?'] },
  { intent: 'subscribe_alerts', description: 'get alerts on escalations, SLA breaches, ticket spikes or negative CSAT; name an account to follow it', examples: ['Alert me on ticket escalations', 'alert me when CSAT is negative', 'alert me on escalations for Acme'] },
  { intent: 'unsubscribe_alerts', description: 'stop an alert type, or stop following an account', examples: ['stop alerting me on ticket spikes', 'stop all alerts for Acme'] },
  { intent: 'help', description: 'this list', examples: ['help'] },
];

/** A few messages that work, one per kind of question (quoted by help and by the "not understood" answer). */
export const EXAMPLES = ['Show support tickets for Acme', 'Are there any escalated tickets?', "What's the support health for Acme?", 'Alert me on ticket escalations', 'help'];

export function answerHelp(): AnswerContent {
  return {
    reply: `I answer from CSCX's own Zendesk data. Ask for ${COMMANDS.filter((c) => c.intent !== 'help').map((c) => c.description.split(' (')[0]).join('; ')}. For example: "${EXAMPLES.slice(0, 4).join('", "')}".`,
    data: { kind: 'help', commands: COMMANDS },
    suggestions: GENERAL_SUGGESTIONS,
  };
}
