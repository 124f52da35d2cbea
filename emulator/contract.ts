/**
 * The seams between the emulator's parts. The emulator is a stand-in for Zendesk written from
 * Zendesk's documentation (docs/zendesk.md); it shares no code with the product (src/).
 *
 * Records are kept in the shape Zendesk's API renders them (snake_case, ISO-8601 UTC strings
 * without milliseconds, e.g. "2024-04-17T17:18:10Z"), so that rendering is a copy plus the
 * derived fields (url, generated_timestamp, ...), not a translation.
 */
import type { EventEmitter } from 'node:events';
import type { FastifyReply, FastifyRequest } from 'fastify';

export type TicketStatus = 'new' | 'open' | 'pending' | 'hold' | 'solved' | 'closed';
export type TicketPriority = 'urgent' | 'high' | 'normal' | 'low';
export type TicketType = 'problem' | 'incident' | 'question' | 'task';

export interface ZOrganization {
  id: number;
  name: string;
  domain_names: string[];
  external_id: string | null;
  details: string | null;
  notes: string | null;
  group_id: number | null;
  shared_tickets: boolean;
  shared_comments: boolean;
  tags: string[];
  organization_fields: Record<string, unknown>;
  created_at: string;
  updated_at: string;
}

export interface ZUser {
  id: number;
  name: string;
  email: string | null;
  role: 'end-user' | 'agent' | 'admin';
  organization_id: number | null;
  active: boolean;
  verified: boolean;
  suspended: boolean;
  time_zone: string;
  locale: string;
  tags: string[];
  user_fields: Record<string, unknown>;
  external_id: string | null;
  phone: string | null;
  created_at: string;
  updated_at: string;
}

/** One SLA policy metric as the `slas` side-load shows it (see fixtures/ticket-with-slas.json). */
export interface ZSlaPolicyMetric {
  metric: 'first_reply_time' | 'next_reply_time' | 'periodic_update_time' | 'requester_wait_time' | 'agent_work_time' | 'pausable_update_time';
  stage: 'active' | 'paused' | 'achieved';
  breach_at: string | null;
}

export interface ZSatisfactionRating {
  id: number;
  ticket_id: number;
  requester_id: number;
  assignee_id: number | null;
  group_id: number | null;
  score: 'offered' | 'unoffered' | 'good' | 'bad';
  comment: string | null;
  reason: string | null;
  reason_id: number | null;
  created_at: string;
  updated_at: string;
}

export interface ZComment {
  id: number;
  ticket_id: number;
  author_id: number;
  body: string;
  public: boolean;
  created_at: string;
}

export interface ZTicket {
  id: number;
  external_id: string | null;
  type: TicketType | null;
  subject: string | null;
  raw_subject: string | null;
  description: string;
  priority: TicketPriority | null;
  status: TicketStatus;
  recipient: string | null;
  requester_id: number;
  submitter_id: number;
  assignee_id: number | null;
  organization_id: number | null;
  group_id: number | null;
  collaborator_ids: number[];
  follower_ids: number[];
  email_cc_ids: number[];
  problem_id: number | null;
  has_incidents: boolean;
  is_public: boolean;
  due_at: string | null;
  tags: string[];
  custom_fields: Array<{ id: number; value: unknown }>;
  satisfaction_rating_id: number | null;
  /** `offered`/`unoffered` state shown on the ticket when there is no rating record yet; null: CSAT off. */
  satisfaction_state: 'offered' | 'unoffered' | null;
  ticket_form_id: number | null;
  brand_id: number | null;
  via: { channel: string; source: { from: Record<string, unknown>; to: Record<string, unknown>; rel: string | null } };
  from_messaging_channel: boolean;
  /** "agent" for tickets handled by people, "ai_agent" for AI-agent tickets (left out of exports by default). */
  support_type: 'agent' | 'ai_agent';
  sla_policy_metrics: ZSlaPolicyMetric[];
  created_at: string;
  updated_at: string;
  /** Unix seconds; moves on every change, system changes included (the export filters on it). */
  generated_timestamp: number;
  /** Soft-deleted tickets stay in the incremental export with status "deleted". */
  deleted: boolean;
}

/** One Zendesk account (one subdomain). */
export interface Account {
  subdomain: string;
  /** Zendesk's numeric account id, sent as `account_id` in webhook event envelopes. */
  account_id: number;
  organizations: Map<number, ZOrganization>;
  users: Map<number, ZUser>;
  tickets: Map<number, ZTicket>;
  comments: Map<number, ZComment[]>;
  satisfaction_ratings: Map<number, ZSatisfactionRating>;
  /** The agent the API token and OAuth flow authenticate as (`--agent-email`). */
  admin_user_id: number;
  /** The API token accepted for the admin (`{email}/token:{api_token}` Basic). */
  api_token: string;
}

export type TicketChangeKind = 'created' | 'updated' | 'deleted';

/**
 * Emitted on `ctx.events` as 'ticket-change' after a ticket is created, changed or deleted
 * through the API (never for generated seed data). Webhook delivery listens to it.
 */
export interface TicketChangeEvent {
  subdomain: string;
  kind: TicketChangeKind;
  /** The ticket after the change (the stored record: render it, do not mutate it). */
  ticket: ZTicket;
  /** A copy of the ticket before the change; null on 'created'. */
  previous: ZTicket | null;
  /** The comment added by this change, if any. */
  comment: ZComment | null;
  actor_id: number;
  /** ISO time of the change. */
  at: string;
}

/** Who a request authenticated as (set by `ctx.authenticate`). */
export interface AuthenticatedUser {
  subdomain: string;
  user: ZUser;
  method: 'api_token' | 'oauth';
  /** OAuth scopes, or ["read","write"] for API tokens. */
  scopes: string[];
}

/** Implemented by emulator/oauth/oauth.ts: the bearer-token side of authentication. */
export interface OAuthVerifier {
  /** The user id and scopes of a live access token for this subdomain, or null. */
  verifyAccessToken(subdomain: string, token: string): { userId: number; scopes: string[] } | null;
}

export interface EmulatorClock {
  /** Real milliseconds that `emulatedSeconds` of Zendesk time last under `--time-scale`. */
  durationMs(emulatedSeconds: number): number;
  nowMs(): number;
}

export interface EmulatorContext {
  accounts: Map<string, Account>;
  events: EventEmitter;
  clock: EmulatorClock;
  /** e.g. http://127.0.0.1:4010/acme : what the `url` fields of records start with. */
  baseUrl(subdomain: string): string;
  /**
   * Fastify preHandler: authenticates as Zendesk does (Basic `{email}/token:{api_token}`, Bearer
   * OAuth) and answers 401 as Zendesk does when it cannot. Sets `request.zendeskAuth`.
   */
  authenticate(request: FastifyRequest, reply: FastifyReply): Promise<void>;
  oauth: OAuthVerifier;
}

declare module 'fastify' {
  interface FastifyRequest {
    zendeskAuth?: AuthenticatedUser;
  }
}
