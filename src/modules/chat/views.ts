/**
 * The shapes the chat sends to the UI: every answer is a sentence for people (`reply`), a card the
 * UI renders by its `kind` (`data`), and quick actions, each with the message that performs it
 * (`suggestions`). The web UI reads them over HTTP (web/src/types.ts): a change here is an API change.
 */
import type { AlertType } from '../../contracts/vocabulary.ts';
import type { Subscription } from '../alerts/alerts.repo.ts';
import type { ChatEntities, ChatIntent, CommandIntent } from './chat-parser.ts';

export interface ChatSuggestion {
  label: string;
  message: string;
}

export interface ChatCustomerRef {
  id: string;
  name: string;
  /** The customer in our API (the UI links to its page). */
  url: string;
}

export interface ChatTicket {
  id: string;
  customerId: string;
  customerName: string;
  zendeskTicketId: number;
  subdomain: string;
  subject: string | null;
  status: string;
  priority: string | null;
  escalated: boolean;
  slaState: 'breached' | 'due_soon' | 'ok' | null;
  updatedAt: string;
  /** The ticket in Zendesk's agent interface. */
  url: string;
}

export interface ChatChoice {
  label: string;
  message: string;
  customerId?: string;
  alertType?: AlertType;
}

export type ChatData =
  | {
      kind: 'tickets';
      customer: ChatCustomerRef | null;
      scope: 'customer' | 'mine' | 'all';
      filter: { statuses: string[] | null; priority: string | null; escalated: boolean | null; slaBreached: boolean | null; createdSince: string | null };
      total: number;
      tickets: ChatTicket[];
    }
  | {
      kind: 'metrics';
      customer: ChatCustomerRef;
      days: number;
      health: { overall: number | null; support: number | null; base: number | null; signals: Array<{ name: string; value: number | null; subscore: number | null; weight: number; points: number }> };
      current: {
        openTickets: number;
        openByPriority: Record<string, number>;
        escalations30d: number;
        csat: number | null;
        csatRatings: number;
        slaCompliance: number | null;
        avgResolutionHours: number | null;
        medianResolutionHours: number | null;
      };
      daily: Array<{ date: string; openTickets: number; escalations30d: number; csat: number | null; slaCompliance: number | null; supportScore: number | null; overallScore: number | null }>;
    }
  | {
      kind: 'csat';
      customer: ChatCustomerRef;
      days: number;
      csat: number | null;
      csatRatings: number;
      daily: Array<{ date: string; csat: number | null; csatRatings: number }>;
    }
  | {
      kind: 'portfolio';
      metric: 'support_score' | 'csat' | 'sla_breaches';
      scope: 'mine' | 'all';
      total: number;
      customers: Array<ChatCustomerRef & { value: number | null; detail: string }>;
    }
  | {
      kind: 'history';
      customer: ChatCustomerRef;
      events: Array<{ kind: string; from: string | null; to: string | null; occurredAt: string; zendeskTicketId: number; subdomain: string; subject: string | null }>;
    }
  | { kind: 'subscriptions'; changed: Array<{ type: AlertType; enabled: boolean; wasEnabled: boolean }>; subscriptions: Subscription[] }
  | { kind: 'follow'; customer: ChatCustomerRef; following: boolean; types: AlertType[] | null; changed: boolean }
  | { kind: 'choices'; reason: 'ambiguous_account' | 'account_needed' | 'alert_type_needed'; command: CommandIntent; question: string; choices: ChatChoice[] }
  | { kind: 'help'; commands: Array<{ intent: CommandIntent; description: string; examples: string[] }> }
  | {
      kind: 'unknown';
      understood: { command: CommandIntent | null; customer: ChatCustomerRef | null; unknownAccount: string | null; corrections: Array<{ from: string; to: string }> };
      choices: ChatChoice[];
      examples: string[];
    };

export interface ChatAnswer {
  intent: ChatIntent;
  entities: ChatEntities;
  reply: string;
  data: ChatData;
  suggestions: ChatSuggestion[];
}

/** What one answer produces; the intent and entities are the parser's, added once by answerChat. */
export type AnswerContent = Omit<ChatAnswer, 'intent' | 'entities'>;

export function customerRef(id: string, name: string): ChatCustomerRef {
  return { id, name, url: `/api/customers/${id}` };
}
