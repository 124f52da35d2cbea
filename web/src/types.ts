/** The API's answers as the UI uses them (see src/http/routes/*.routes.ts). */
export type Role = 'admin' | 'leader' | 'csm';
export interface User {
  id: string;
  email: string;
  name: string;
  role: Role;
}

export type Priority = 'urgent' | 'high' | 'normal' | 'low';
export type TicketStatus = 'new' | 'open' | 'pending' | 'hold' | 'solved' | 'closed' | 'deleted';

export interface HealthSummary {
  overall: number | null;
  support: number | null;
  base: number | null;
  change7d: number | null;
  date: string;
}

export interface CustomerOverview {
  id: string;
  externalId: string | null;
  name: string;
  domains: string[];
  csm: { id: string; name: string; email: string } | null;
  openTickets: number;
  worstOpenPriority: Priority | 'none' | null;
  escalatedOpen: number;
  escalations30d: number | null;
  health: HealthSummary | null;
  csat: number | null;
  csatRatings: number;
  slaCompliance: number | null;
  lastActivityAt: string | null;
}

export interface ConnectionFreshness {
  subdomain: string;
  status: string;
  state: string | null;
  lastSyncedAt: string | null;
}

export interface CustomersOverviewAnswer {
  customers: CustomerOverview[];
  connections: ConnectionFreshness[];
  asOf: string | null;
}

export interface CustomerOverviewAnswer {
  customer: CustomerOverview;
  connections: ConnectionFreshness[];
  asOf: string | null;
  lastTicketSyncAt: string | null;
}

export interface Ticket {
  id: string;
  connectionId: string;
  zendeskTicketId: number;
  subdomain: string;
  url: string;
  subject: string | null;
  status: TicketStatus;
  priority: Priority | null;
  type: string | null;
  escalated: boolean;
  requesterEmail: string | null;
  requesterName: string | null;
  assigneeName: string | null;
  tags: string[];
  satisfactionRating: string | null;
  satisfactionComment: string | null;
  sla: { state: 'breached' | 'due_soon' | 'ok' | null; nextBreachAt: string | null };
  matchMethod: string | null;
  createdAt: string;
  updatedAt: string;
  resolvedAt: string | null;
}

export interface TicketPage {
  tickets: Ticket[];
  nextCursor: string | null;
}

export interface TicketEvent {
  id: number;
  kind: string;
  from: string | null;
  to: string | null;
  occurredAt: string;
  source: string;
  connectionId: string;
  zendeskTicketId: number;
  subdomain: string;
  subject: string | null;
}

export interface HistoryPage {
  events: TicketEvent[];
  nextCursor: string | null;
}

export interface DailyMetrics {
  date: string;
  openTickets: number;
  avgResolutionHours: number | null;
  medianResolutionHours: number | null;
  resolved30d: number;
  avgResolutionHours90d: number | null;
  medianResolutionHours90d: number | null;
  resolved90d: number;
  escalations30d: number;
  csat: number | null;
  csatRatings: number;
  slaCompliance: number | null;
  slaMeasured: number;
}

export interface MetricsAnswer {
  current: DailyMetrics & { openByPriority: Record<Priority | 'none', number> };
  daily: DailyMetrics[];
}

export type SignalName = 'openTickets' | 'escalations' | 'csat' | 'sla';
export interface Signal {
  name: SignalName;
  value: number | null;
  baseline?: number;
  baselineSource?: 'median90d' | 'size' | 'tickets30d';
  subscore: number | null;
  weight: number;
  configuredWeight: number;
  points: number;
}

export interface HealthAnswer {
  current: { date: string; overall: number | null; support: number | null; base: number | null; supportWeight: number; signals: Signal[] };
  daily: Array<{ date: string; overall: number | null; support: number | null }>;
}

export type HealthWeights = Record<SignalName | 'supportComponent', number>;

export type AlertType = 'escalation' | 'sla_breach' | 'ticket_spike' | 'negative_csat';
export type AlertStatus = 'open' | 'acknowledged' | 'resolved';
export interface Alert {
  id: string;
  type: AlertType;
  customerId: string;
  customerName: string;
  connectionId: string | null;
  zendeskTicketId: number | null;
  subdomain: string | null;
  ticketUrl: string | null;
  status: AlertStatus;
  details: Record<string, unknown>;
  occurredAt: string;
  createdAt: string;
  acknowledgedAt: string | null;
  resolvedAt: string | null;
}

export interface AlertsPage {
  alerts: Alert[];
  nextCursor: string | null;
  unread: number;
}

export interface AlertRules {
  ticketSpike: { threshold: number; windowHours: number };
  types: AlertType[];
}

export interface EscalationRule {
  priorities: Priority[];
  tags: string[];
  groupIds: number[];
  customField: { id: number; values: string[] } | null;
}

export type SlaTargets = Record<Priority, { firstReplyMinutes: number | null; resolutionMinutes: number | null }>;

export interface Connection {
  id: string;
  subdomain: string;
  method: 'oauth' | 'api_token';
  status: 'pending' | 'active' | 'needs_reauth' | 'error' | 'disconnected';
  zendeskUser: string | null;
  webhookRegistered: boolean;
  createdAt: string;
  error: { message: string; at: string | null } | null;
  sync: {
    state: 'importing' | 'live' | 'paused' | 'failed';
    imported: number;
    total: number | null;
    ratePerSecond: number | null;
    etaSeconds: number | null;
    lastSyncedAt: string | null;
    error: string | null;
  };
}

export interface Suggestion {
  customerId: string;
  name: string;
  score: number;
}

export interface UnmatchedAnswer {
  total: number;
  byOrganization: Array<{ subdomain: string; zendeskOrganizationId: number; name: string | null; domains: string[]; tickets: number; suggestions: Suggestion[] }>;
  byRequesterDomain: Array<{ domain: string; freeMail: boolean; tickets: number; subdomains: string[]; suggestions: Suggestion[] }>;
  withoutOrganizationOrEmail: number;
}

export interface MappingsAnswer {
  organizations: Array<{ subdomain: string; zendeskOrganizationId: number; name: string | null; customerId: string; customerName: string }>;
  customFields: Array<{ subdomain: string; fieldId: number; matchOn: string }>;
}

export interface ChatAnswer {
  intent?: string;
  entities?: Record<string, unknown>;
  reply: string;
  data?: unknown;
  /** Each a question to send: as text, or a button label with the message it sends. */
  suggestions?: Array<string | ChatSuggestion>;
}

export interface ChatSuggestion {
  label: string;
  message: string;
}
