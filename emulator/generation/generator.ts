/**
 * Deterministic seed data for one emulated account: organizations with domains, end users on
 * those domains (and on free-mail or unknown domains, some without an organization), agents and
 * the admin, and a year of tickets with comments, CSAT ratings, SLA metrics and the event
 * timeline their ticket metrics are computed from. Same options, same account.
 */
import { generateSurveyResponses } from '../support-api/csat-survey.ts';
import type {
  Account,
  TicketPriority,
  TicketStatus,
  TicketType,
  ZComment,
  ZOrganization,
  ZSatisfactionRating,
  ZTicket,
  ZUser,
} from '../contract.ts';
import { ChangeIndex, type IndexEntry } from '../incremental-exports/change-index.ts';
import { userRecord } from '../support-api/records.ts';
import { CUSTOMER_ID_FIELD_ID, PRODUCT_AREA_FIELD_ID, idLayoutFor, type IdLayout } from '../support-api/ids.ts';
import { createRandom, hashString, type Random } from './random.ts';
import { type PendingAudit, type StatusStep, generatedAudits } from './generated-audits.ts';
import { type Audit, AuditLog, numberEvents } from '../support-api/audits.ts';
import { type AccountState, type TicketTimeline, type ZGroup, newTimeline, recordStatusChange } from '../support-api/state.ts';
import { type SlaChange, advanceTicketSla, newAccountSla, recordSlaChange, slaSnapshot } from '../support-api/sla-policies.ts';
import { DAY_MS, HOUR_MS, MINUTE_MS, isoSeconds, unixSeconds } from '../support-api/time.ts';
import * as words from './generator-vocabulary.ts';

export interface GeneratorOptions {
  seed: number;
  subdomain: string;
  organizations: number;
  users: number;
  tickets: number;
  /** The admin the API token and OAuth flow authenticate as. */
  agentEmail?: string;
  apiToken: string;
  /** "Now" for the generated history; defaults to the real time. Pin it for reproducible data. */
  nowMs?: number;
  /** Agents besides the admin. */
  agents?: number;
}

export const DEFAULT_AGENT_EMAIL = 'admin@example.com';
const TICKET_HISTORY_MS = 365 * DAY_MS;
/** Zendesk's default automation closes solved tickets after 4 days (not documented; docs/zendesk.md, Tickets and statuses). */
const CLOSE_AFTER_SOLVE_MS = 4 * DAY_MS;
/** Seed history ends a little before "now" so all of it is past the export's one-minute window. */
const HISTORY_END_MARGIN_MS = 2 * MINUTE_MS;

interface Directory {
  organizations: ZOrganization[];
  admin: ZUser;
  agents: ZUser[];
  endUsers: ZUser[];
}

export function generateAccount(options: GeneratorOptions): AccountState {
  const nowMs = options.nowMs ?? Date.now();
  const random = createRandom((options.seed ^ hashString(options.subdomain)) >>> 0);
  const ids = idLayoutFor(options.subdomain);
  const directory = generateDirectory(options, random, ids, nowMs);
  const account: Account = {
    subdomain: options.subdomain,
    account_id: 10_000_000 + (hashString(`account:${options.subdomain}`) % 89_999_999),
    organizations: new Map(directory.organizations.map((org) => [org.id, org])),
    users: new Map([directory.admin, ...directory.agents, ...directory.endUsers].map((user) => [user.id, user])),
    tickets: new Map(),
    comments: new Map(),
    satisfaction_ratings: new Map(),
    admin_user_id: directory.admin.id,
    api_token: options.apiToken,
  };
  const groups: ZGroup[] = words.GROUP_NAMES.map((name, index) => ({
    id: ids.group(index + 1),
    name,
    created_at: isoSeconds(nowMs - 3 * TICKET_HISTORY_MS),
    updated_at: isoSeconds(nowMs - 3 * TICKET_HISTORY_MS),
  }));
  const state: AccountState = {
    account,
    timelines: new Map(),
    ticketIndex: new ChangeIndex(),
    userIndex: null,
    organizationIndex: null,
    usersByEmail: new Map(),
    groups,
    ticketFields: [
      { id: CUSTOMER_ID_FIELD_ID, title: 'Customer ID', type: 'text', options: [] },
      { id: PRODUCT_AREA_FIELD_ID, title: 'Product area', type: 'tagger', options: [...words.PRODUCT_AREAS] },
    ],
    customStatusIds: {
      new: ids.customStatus(1),
      open: ids.customStatus(2),
      pending: ids.customStatus(3),
      hold: ids.customStatus(4),
      solved: ids.customStatus(5),
      closed: ids.customStatus(5), // closed has no custom status category (docs/zendesk.md, Tickets and statuses)
    },
    brandId: ids.brand,
    supportAddress: `support@${options.subdomain}.zendesk.com`,
    ids,
    sla: newAccountSla(ids.base),
    next: { ticket: 1, user: directory.endUsers.length + directory.agents.length + 2, comment: 1, rating: 1 },
    audits: new AuditLog(),
    archivedNow: new Set(),
    jobStatuses: new Map(),
  };
  for (const user of account.users.values()) if (user.email) state.usersByEmail.set(user.email.toLowerCase(), user);
  generateTickets(state, directory, options, random, nowMs);
  generateSurveyResponses(state, (options.seed ^ hashString(options.subdomain)) >>> 0, nowMs);
  return state;
}

// ---------------------------------------------------------------------------------------------
// Organizations and users

function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '');
}

function generateDirectory(options: GeneratorOptions, random: Random, ids: IdLayout, nowMs: number): Directory {
  const organizations: ZOrganization[] = [];
  for (let i = 0; i < options.organizations; i++) {
    const company = words.COMPANY_WORDS[i % words.COMPANY_WORDS.length] as string;
    const suffix = words.COMPANY_SUFFIXES[Math.floor(i / words.COMPANY_WORDS.length) % words.COMPANY_SUFFIXES.length] as string;
    const round = Math.floor(i / (words.COMPANY_WORDS.length * words.COMPANY_SUFFIXES.length));
    const name = round === 0 ? `${company} ${suffix}` : `${company} ${suffix} ${round + 1}`;
    const domain = `${slug(company)}${slug(suffix)}${round === 0 ? '' : round + 1}.com`;
    const domainNames = random.chance(0.05) ? [] : random.chance(0.1) ? [domain, `${slug(company)}-${slug(suffix)}.io`] : [domain];
    const tier = random.weighted({ enterprise: 2, growth: 3, starter: 5 });
    const createdMs = nowMs - TICKET_HISTORY_MS - random.int(0, 2 * 365) * DAY_MS;
    organizations.push({
      id: ids.organization(i + 1),
      name,
      domain_names: domainNames,
      external_id: random.chance(0.85) ? `cust_${String(100000 + i).padStart(6, '0')}` : null,
      details: random.chance(0.3) ? `${tier} customer since ${new Date(createdMs).getUTCFullYear()}` : null,
      notes: null,
      group_id: null,
      shared_tickets: false,
      shared_comments: false,
      tags: [tier],
      organization_fields: { account_tier: tier, region: random.pick(['emea', 'amer', 'apac'] as const) },
      created_at: isoSeconds(createdMs),
      updated_at: isoSeconds(Math.min(createdMs + random.int(0, 300) * DAY_MS, nowMs - TICKET_HISTORY_MS)),
    });
  }

  const agentEmail = (options.agentEmail ?? DEFAULT_AGENT_EMAIL).toLowerCase();
  const agentDomain = agentEmail.split('@')[1] ?? 'example.com';
  const staffCreated = isoSeconds(nowMs - 3 * TICKET_HISTORY_MS);
  let userIndex = 0;
  const staff = (name: string, email: string, role: 'admin' | 'agent'): ZUser =>
    userRecord({ id: ids.user(++userIndex), name, email, role, created_at: staffCreated });
  const localPart = agentEmail.split('@')[0] ?? 'admin';
  const admin = staff(localPart.charAt(0).toUpperCase() + localPart.slice(1), agentEmail, 'admin');
  const agents: ZUser[] = [];
  for (let i = 1; i <= (options.agents ?? 4); i++) {
    const last = words.LAST_NAMES[(i * 7) % words.LAST_NAMES.length] as string;
    agents.push(staff(`${words.FIRST_NAMES[(i * 5) % words.FIRST_NAMES.length]} ${last} (Support)`, `agent${i}@${agentDomain}`, 'agent'));
  }

  const endUsers: ZUser[] = [];
  for (let i = 0; i < options.users; i++) {
    const first = random.pick(words.FIRST_NAMES);
    const last = random.pick(words.LAST_NAMES);
    const kind = organizations.length === 0 ? 'free' : random.weighted({ member: 72, unmapped: 8, free: 12, unknown: 8 });
    const org = kind === 'member' || kind === 'unmapped' ? random.pick(organizations) : null;
    const domain =
      org && org.domain_names.length > 0
        ? random.pick(org.domain_names)
        : kind === 'unknown'
          ? random.pick(words.UNKNOWN_DOMAINS)
          : random.pick(words.FREE_MAIL_DOMAINS);
    const createdMs = nowMs - TICKET_HISTORY_MS - random.int(1, 2 * 365) * DAY_MS;
    endUsers.push({
      id: ids.user(++userIndex),
      name: `${first} ${last}`,
      email: `${first}.${last}${i + 1}@${domain}`.toLowerCase(),
      role: 'end-user',
      // "unmapped": the user's email is on an organization's domain but they were never added to it.
      organization_id: kind === 'member' && org ? org.id : null,
      active: true,
      verified: random.chance(0.9),
      suspended: random.chance(0.01),
      time_zone: random.pick(['UTC', 'London', 'Eastern Time (US & Canada)', 'Berlin', 'Tokyo'] as const),
      locale: random.pick(['en-US', 'en-GB', 'de', 'fr'] as const),
      tags: [],
      user_fields: {},
      external_id: random.chance(0.2) ? `usr_${i + 1}` : null,
      phone: random.chance(0.1) ? `+1555${String(1000000 + i).slice(-7)}` : null,
      created_at: isoSeconds(createdMs),
      updated_at: isoSeconds(createdMs),
    });
  }
  return { organizations, admin, agents, endUsers };
}

// ---------------------------------------------------------------------------------------------
// Tickets

type Speaker = 'requester' | 'agent' | 'note';

interface TicketPlan {
  createdMs: number;
  finalStatus: TicketStatus;
  solvedMs: number | null;
  closedMs: number | null;
  firstReplyMs: number | null;
  /** Follow-up comments after the first reply, in time order. */
  followUps: Array<{ at: number; speaker: Speaker }>;
  /** A solve later undone by the requester (one reopen). */
  interimSolveMs: number | null;
  /** When the ticket went on hold, if it did. */
  holdMs: number | null;
}

function creationTimes(count: number, random: Random, nowMs: number): number[] {
  const times = new Array<number>(count);
  const newest = nowMs - HISTORY_END_MARGIN_MS;
  // Slightly more recent tickets than old ones: volume grows over the year.
  for (let i = 0; i < count; i++) times[i] = newest - Math.pow(random.next(), 1.15) * TICKET_HISTORY_MS;
  return times.sort((a, b) => a - b).map(Math.floor);
}

function resolvedShare(ageMs: number): number {
  if (ageMs > 30 * DAY_MS) return 0.95;
  if (ageMs > 7 * DAY_MS) return 0.8;
  if (ageMs > 2 * DAY_MS) return 0.55;
  if (ageMs > 4 * HOUR_MS) return 0.3;
  return 0.1;
}

function sortedPoints(random: Random, count: number, fromMs: number, toMs: number): number[] {
  const points: number[] = [];
  for (let i = 0; i < count; i++) points.push(Math.floor(fromMs + random.next() * (toMs - fromMs)));
  return points.sort((a, b) => a - b);
}

function planTicket(random: Random, createdMs: number, nowMs: number, isAi: boolean): TicketPlan {
  const latest = nowMs - HISTORY_END_MARGIN_MS;
  const ageMs = latest - createdMs;
  let solvedMs: number | null = null;
  if (random.chance(isAi ? 0.9 : resolvedShare(ageMs))) {
    const resolution = Math.min(Math.max(random.logNormal(26 * HOUR_MS, 1.2), 10 * MINUTE_MS), 60 * DAY_MS);
    if (createdMs + resolution < latest) solvedMs = Math.floor(createdMs + resolution);
  }
  let finalStatus: TicketStatus;
  let closedMs: number | null = null;
  if (solvedMs !== null) {
    closedMs = solvedMs + CLOSE_AFTER_SOLVE_MS <= latest ? solvedMs + CLOSE_AFTER_SOLVE_MS : null;
    finalStatus = closedMs !== null ? 'closed' : 'solved';
  } else if (ageMs < 3 * DAY_MS) {
    finalStatus = random.weighted({ new: 25, open: 45, pending: 20, hold: 10 });
  } else {
    finalStatus = random.weighted({ open: 55, pending: 30, hold: 15 });
  }

  const endMs = solvedMs ?? latest;
  let firstReplyMs: number | null = null;
  if (finalStatus !== 'new' && !isAi) {
    const delay = Math.max(random.logNormal(90 * MINUTE_MS, 1.3), MINUTE_MS);
    firstReplyMs = Math.floor(Math.min(createdMs + delay, createdMs + (endMs - createdMs) * 0.9));
    if (firstReplyMs <= createdMs) firstReplyMs = createdMs + 1000;
  }

  const followUps: TicketPlan['followUps'] = [];
  let interimSolveMs: number | null = null;
  let holdMs: number | null = null;
  if (firstReplyMs !== null && endMs > firstReplyMs + MINUTE_MS) {
    const count = random.int(0, 3);
    const times = sortedPoints(random, count + 1, firstReplyMs + 1000, endMs);
    const last = times.pop() as number;
    times.forEach((at, i) => followUps.push({ at, speaker: i % 2 === 0 ? 'requester' : 'agent' }));
    // The last word decides who the ticket waits on.
    if (finalStatus === 'open') followUps.push({ at: last, speaker: 'requester' });
    else if (finalStatus === 'pending') followUps.push({ at: last, speaker: 'agent' });
    else if (finalStatus === 'hold') {
      followUps.push({ at: last, speaker: 'note' });
      holdMs = last;
    } else if (random.chance(0.1)) {
      followUps.push({ at: last, speaker: 'note' });
      holdMs = last; // a while on hold before the solve
    }
    const firstRequester = followUps.find((f) => f.speaker === 'requester');
    if (solvedMs !== null && firstRequester && random.chance(0.08)) interimSolveMs = firstRequester.at - 1000;
  }
  return { createdMs, finalStatus, solvedMs, closedMs, firstReplyMs, followUps, interimSolveMs, holdMs };
}

function generateTickets(state: AccountState, directory: Directory, options: GeneratorOptions, random: Random, nowMs: number): void {
  const { account, ids } = state;
  const agentsAndAdmin = [...directory.agents, directory.admin];
  const requesters = directory.endUsers.filter((user) => !user.suspended);
  if (requesters.length === 0 && options.tickets > 0) throw new Error('tickets need at least one end user');
  const indexEntries: IndexEntry[] = [];
  const latest = nowMs - HISTORY_END_MARGIN_MS;
  // Audits draw from their own stream so that adding them left the rest of the seed data as it was.
  const auditRandom = createRandom((options.seed ^ hashString(`audits:${options.subdomain}`)) >>> 0);
  const pendingAudits: PendingAudit[] = [];
  // Events are indexed once at the end rather than inserted ticket by ticket out of time order.
  state.sla.index = null;

  for (const createdMs of creationTimes(options.tickets, random, nowMs)) {
    const ticketId = state.next.ticket++;
    const isAi = random.chance(0.02);
    const plan = planTicket(random, createdMs, nowMs, isAi);
    const requester = random.pick(requesters);
    const organization = requester.organization_id !== null ? account.organizations.get(requester.organization_id) : undefined;
    const area = random.pick(words.PRODUCT_AREAS);
    const channel = isAi
      ? 'native_messaging'
      : random.weighted({ email: 50, web: 30, api: 5, chat: 8, voice: 7 });
    const priorityKey = random.weighted({ none: 20, low: 20, normal: 40, high: 15, urgent: 5 });
    const priority: TicketPriority | null = priorityKey === 'none' ? null : priorityKey;
    const typeKey = random.weighted({ none: 20, question: 40, incident: 25, problem: 10, task: 5 });
    const type: TicketType | null = typeKey === 'none' ? null : typeKey;
    const group = random.pick(state.groups);
    const assignee = plan.firstReplyMs !== null || (plan.finalStatus !== 'new' && !isAi) ? random.pick(agentsAndAdmin) : null;
    const submitter = channel === 'api' ? directory.admin : requester;
    const subject = random.pick(words.SUBJECTS[area]);
    const description = `${subject}. ${random.pick(words.REQUESTER_LINES)}`;

    // Replay the ticket's life: comments, status changes and the metrics timeline.
    const timeline: TicketTimeline = newTimeline(ids.metricForTicket(ticketId), createdMs, 'new');
    const statusSteps: StatusStep[] = [];
    const comments: ZComment[] = [];
    const addComment = (authorId: number, body: string, isPublic: boolean, at: number): void => {
      comments.push({
        id: ids.comment(state.next.comment++),
        ticket_id: ticketId,
        author_id: authorId,
        body,
        public: isPublic,
        created_at: isoSeconds(at),
      });
      timeline.latestCommentMs = at;
    };
    addComment(submitter.id, description, true, createdMs);
    timeline.requesterUpdatedMs = createdMs;
    if (group) timeline.groupStations = 1;
    // AI agent tickets are outside SLA measurement (support_type ai_agent).
    const measureSla = (change: Omit<SlaChange, 'priority'>): void => {
      if (!isAi) recordSlaChange(state.sla, ticketId, { ...change, priority });
    };
    // A status change: the metrics timeline, the audit it makes (statusSteps) and the SLA measurement.
    const moveTo = (status: TicketStatus, at: number, comment?: SlaChange['comment']): void => {
      const from = timeline.currentStatus;
      recordStatusChange(timeline, status, at);
      if (timeline.currentStatus !== from) statusSteps.push({ status, previous: from, atMs: at });
      measureSla({ atMs: at, comment, status: { from, to: status } });
    };
    measureSla({ atMs: createdMs });

    if (assignee) {
      const assignedMs = Math.max(createdMs, (plan.firstReplyMs ?? createdMs + 10 * MINUTE_MS) - random.int(0, 30) * MINUTE_MS);
      timeline.initiallyAssignedMs = assignedMs;
      timeline.assignedMs = assignedMs;
      timeline.assigneeStations = random.chance(0.1) ? 2 : 1;
      moveTo('open', assignedMs);
    } else if (plan.finalStatus !== 'new' && isAi) {
      moveTo('open', createdMs + 1000);
    }
    if (plan.firstReplyMs !== null && assignee) {
      addComment(assignee.id, random.pick(words.AGENT_LINES), true, plan.firstReplyMs);
      timeline.firstReplyMs = plan.firstReplyMs;
      timeline.replies += 1;
      timeline.assigneeUpdatedMs = plan.firstReplyMs;
      moveTo('pending', plan.firstReplyMs, 'agent-public-reply');
    }
    for (const followUp of plan.followUps) {
      if (plan.interimSolveMs !== null && followUp.at > plan.interimSolveMs && timeline.firstSolvedMs === null) {
        moveTo('solved', plan.interimSolveMs);
      }
      if (followUp.speaker === 'requester') {
        addComment(requester.id, random.pick(words.REQUESTER_LINES), true, followUp.at);
        timeline.requesterUpdatedMs = followUp.at;
        moveTo('open', followUp.at, 'requester');
      } else if (assignee) {
        const isNote = followUp.speaker === 'note';
        addComment(assignee.id, random.pick(isNote ? words.INTERNAL_NOTES : words.AGENT_LINES), !isNote, followUp.at);
        timeline.assigneeUpdatedMs = followUp.at;
        if (!isNote) timeline.replies += 1;
        moveTo(isNote ? 'hold' : 'pending', followUp.at, isNote ? 'other' : 'agent-public-reply');
      }
    }
    if (plan.solvedMs !== null) moveTo('solved', plan.solvedMs);
    if (plan.closedMs !== null) moveTo('closed', plan.closedMs);
    if (timeline.currentStatus !== plan.finalStatus) moveTo(plan.finalStatus, timeline.latestCommentMs);
    advanceTicketSla(state.sla, ticketId, latest);
    let updatedMs = Math.max(timeline.latestCommentMs, timeline.statusUpdatedMs);

    // CSAT: survey offered after solve; some answered good/bad, with or without a comment.
    let ratingId: number | null = null;
    let rated: ZSatisfactionRating | null = null;
    let satisfactionState: ZTicket['satisfaction_state'] = 'unoffered';
    if (plan.solvedMs !== null) {
      const outcome = random.weighted({ unoffered: 30, offered: 25, good: 35, bad: 10 });
      if (outcome !== 'unoffered') {
        satisfactionState = 'offered';
        const ratedMs = Math.min(plan.solvedMs + random.int(60, 48 * 60) * MINUTE_MS, latest);
        const withComment = outcome !== 'offered' && random.chance(0.5);
        const rating: ZSatisfactionRating = {
          id: ids.rating(state.next.rating++),
          ticket_id: ticketId,
          requester_id: requester.id,
          assignee_id: assignee?.id ?? null,
          group_id: group?.id ?? null,
          score: outcome,
          comment: withComment ? random.pick(outcome === 'good' ? words.GOOD_COMMENTS : words.BAD_COMMENTS) : null,
          reason: outcome === 'bad' && random.chance(0.6) ? random.pick(words.BAD_REASONS) : null,
          reason_id: null,
          created_at: isoSeconds(ratedMs),
          updated_at: isoSeconds(ratedMs),
        };
        if (rating.reason) rating.reason_id = ids.base + 500 + words.BAD_REASONS.indexOf(rating.reason as (typeof words.BAD_REASONS)[number]);
        account.satisfaction_ratings.set(rating.id, rating);
        ratingId = rating.id;
        rated = rating;
        if (outcome !== 'offered') updatedMs = Math.max(updatedMs, ratedMs);
      }
    }

    const tags: string[] = [area];
    if (organization) tags.push(String(organization.organization_fields.account_tier ?? 'starter'));
    if (random.chance(priority === 'urgent' ? 0.4 : 0.06)) tags.push('escalated');
    if (isAi) tags.push('ai_agent_handled');

    const deleted = random.chance(0.005);
    if (deleted) updatedMs = Math.min(updatedMs + random.int(1, 10) * DAY_MS, latest);
    // Some tickets get later system updates (SLA recalculation...): generated_timestamp moves,
    // updated_at does not (OAS, IncrementalTicketExportTime).
    const generatedMs = random.chance(0.05) ? Math.min(updatedMs + random.int(1, 72 * 60) * MINUTE_MS, latest) : updatedMs;

    const ticket: ZTicket = {
      id: ticketId,
      external_id: channel === 'api' ? `ext-${ticketId}` : null,
      type,
      subject,
      raw_subject: subject,
      description,
      priority,
      status: plan.finalStatus,
      recipient: channel === 'email' ? state.supportAddress : null,
      requester_id: requester.id,
      submitter_id: submitter.id,
      assignee_id: assignee?.id ?? null,
      organization_id: requester.organization_id,
      group_id: group?.id ?? null,
      collaborator_ids: [],
      follower_ids: [],
      email_cc_ids: [],
      problem_id: null,
      has_incidents: false,
      is_public: true,
      due_at: type === 'task' ? isoSeconds(createdMs + 7 * DAY_MS) : null,
      tags,
      custom_fields: [
        { id: CUSTOMER_ID_FIELD_ID, value: organization?.external_id && random.chance(0.6) ? organization.external_id : null },
        { id: PRODUCT_AREA_FIELD_ID, value: area },
      ],
      satisfaction_rating_id: ratingId,
      satisfaction_state: satisfactionState,
      ticket_form_id: null,
      brand_id: state.brandId,
      via: {
        channel,
        source: {
          from: channel === 'email' ? { address: requester.email, name: requester.name } : {},
          to: channel === 'email' ? { address: state.supportAddress, name: 'Support' } : {},
          rel: null,
        },
      },
      from_messaging_channel: channel === 'native_messaging' || channel === 'chat',
      support_type: isAi ? 'ai_agent' : 'agent',
      sla_policy_metrics: slaSnapshot(state.sla, ticketId),
      created_at: isoSeconds(createdMs),
      updated_at: isoSeconds(updatedMs),
      generated_timestamp: unixSeconds(generatedMs),
      deleted,
    };
    timeline.metricUpdatedMs = Math.max(timeline.metricUpdatedMs, timeline.latestCommentMs);
    account.tickets.set(ticketId, ticket);
    account.comments.set(ticketId, comments);
    state.timelines.set(ticketId, timeline);
    indexEntries.push({ ts: ticket.generated_timestamp, id: ticketId });
    const assignment = assignee && timeline.initiallyAssignedMs !== null ? { assigneeId: assignee.id, atMs: timeline.initiallyAssignedMs } : null;
    pendingAudits.push(
      ...generatedAudits({ ticket, comments, statusSteps, assignment, rating: rated, endMs: plan.solvedMs ?? latest }, auditRandom, ids.auditForComment),
    );
  }
  state.ticketIndex = new ChangeIndex(indexEntries);
  // Audits without a comment take indexes after the seed comments' (audits and comments share one sequence).
  const audits: Audit[] = pendingAudits.map((pending) => {
    const audit: Audit = { ...pending, id: pending.id ?? ids.audit(state.next.comment++) };
    numberEvents(audit.id, audit.events);
    return audit;
  });
  state.audits = new AuditLog(audits);
}
