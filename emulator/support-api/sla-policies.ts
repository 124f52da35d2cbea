/**
 * SLA policies and the ticket metric events they produce, as Zendesk records them
 * (developer.zendesk.com/documentation/ticketing/reference-guides/ticket-metric-event-types-reference;
 * docs/zendesk.md, SLAs):
 *
 * - every account has one default policy: first reply, next reply and requester wait time
 *   (the resolution target) per priority, in calendar minutes;
 * - `activate`, `pause` and `fulfill` are recorded for the measured metrics whether or not a
 *   policy targets them ("recorded for all metrics, regardless of whether the ticket is being
 *   measured by an SLA policy"); `apply_sla` when a ticket gets a priority the policy has a target
 *   for (it "re-matches on every update", so a priority change re-applies);
 * - `reply_time` instance 1 is the first reply, higher instances are next replies, each started by
 *   a requester comment once the previous reply was given and fulfilled by an agent's public reply;
 * - `requester_wait_time` pauses in pending and is fulfilled by a solve;
 * - `breach` is recorded at the target time once the emulated clock has passed it, so a target
 *   fulfilled late has its breach before its fulfill. Breaches are never voided (`deleted`
 *   stays false): when Zendesk sets `deleted: true` is UNCONFIRMED.
 *
 * The `slas` side-load snapshot (`ticket.sla_policy_metrics`) is derived from the same state.
 */
import type { TicketPriority, TicketStatus, ZSlaPolicyMetric } from '../contract.ts';
import { ChangeIndex } from '../incremental-exports/change-index.ts';
import { MINUTE_MS, isoSeconds, unixSeconds } from './time.ts';

export type MeasuredMetric = 'reply_time' | 'requester_wait_time';
type PolicyMetricName = 'first_reply_time' | 'next_reply_time' | 'requester_wait_time';

export interface SlaPolicyMetric {
  priority: TicketPriority;
  metric: PolicyMetricName;
  /** Minutes (OAS example `"target":60`). */
  target: number;
  business_hours: boolean;
}

export interface SlaPolicy {
  id: number;
  title: string;
  description: string;
  position: number;
  policy_metrics: SlaPolicyMetric[];
}

export interface ZTicketMetricEvent {
  id: number;
  ticket_id: number;
  metric: MeasuredMetric;
  instance_id: number;
  type: 'activate' | 'pause' | 'fulfill' | 'apply_sla' | 'breach';
  time: string;
  /** apply_sla only; the inner keys are UNCONFIRMED (OAS: "The SLA policy and target being enforced"). */
  sla?: { target: number; business_hours: boolean; policy: { id: number; title: string; description: string } };
  /** breach only. */
  deleted?: boolean;
}

interface MetricInstance {
  metric: MeasuredMetric;
  instanceId: number;
  policyMetric: PolicyMetricName;
  targetMs: number | null;
  /** Running since (epoch ms); null while paused. */
  runningSinceMs: number | null;
  /** Measured time before the current run. */
  elapsedMs: number;
  fulfilledMs: number | null;
  breached: boolean;
  /** The breach time when it was last known (kept once fulfilled, as the side-load keeps it). */
  breachAtMs: number | null;
}

interface TicketSla {
  priority: TicketPriority | null;
  instances: MetricInstance[];
  lastMs: number;
}

export interface AccountSla {
  policies: SlaPolicy[];
  events: Map<number, ZTicketMetricEvent>;
  /** Events by (time in seconds, id); null after bulk generation, rebuilt when read. */
  index: ChangeIndex | null;
  tickets: Map<number, TicketSla>;
  /** Tickets with a targeted instance still open: the ones a breach can still happen to. */
  open: Set<number>;
  idBase: number;
  nextEvent: number;
}

/** Default targets in minutes (calendar hours; business-hours targets are not emulated). */
const DEFAULT_TARGETS: Record<PolicyMetricName, Record<TicketPriority, number>> = {
  first_reply_time: { urgent: 60, high: 240, normal: 480, low: 1440 },
  next_reply_time: { urgent: 120, high: 480, normal: 960, low: 2880 },
  requester_wait_time: { urgent: 480, high: 1440, normal: 2880, low: 5760 },
};

/** Metric event ids: a block of their own within the account's ids (see ids.ts for the others). */
const EVENT_ID_OFFSET = 900_000_000;

export function newAccountSla(idBase: number): AccountSla {
  const policy: SlaPolicy = {
    id: idBase + 450,
    title: 'Default SLA',
    description: 'First reply, next reply and resolution targets per priority',
    position: 1,
    policy_metrics: Object.entries(DEFAULT_TARGETS).flatMap(([metric, targets]) =>
      Object.entries(targets).map(([priority, target]) => ({
        priority: priority as TicketPriority,
        metric: metric as PolicyMetricName,
        target,
        business_hours: false,
      })),
    ),
  };
  return { policies: [policy], events: new Map(), index: new ChangeIndex(), tickets: new Map(), open: new Set(), idBase, nextEvent: 1 };
}

export function metricEventIndex(sla: AccountSla): ChangeIndex {
  sla.index ??= new ChangeIndex([...sla.events.values()].map((event) => ({ ts: unixSeconds(Date.parse(event.time)), id: event.id })));
  return sla.index;
}

function emit(
  sla: AccountSla,
  ticketId: number,
  instance: MetricInstance,
  type: ZTicketMetricEvent['type'],
  atMs: number,
  extra: Partial<ZTicketMetricEvent> = {},
): void {
  const event: ZTicketMetricEvent = {
    id: sla.idBase + EVENT_ID_OFFSET + sla.nextEvent++,
    ticket_id: ticketId,
    metric: instance.metric,
    instance_id: instance.instanceId,
    type,
    time: isoSeconds(atMs),
    ...extra,
  };
  sla.events.set(event.id, event);
  sla.index?.move(event.id, undefined, unixSeconds(atMs));
}

/** The first policy (by position) with a target for this metric and priority. */
function targetOf(sla: AccountSla, metric: PolicyMetricName, priority: TicketPriority | null) {
  if (priority === null) return null;
  for (const policy of [...sla.policies].sort((a, b) => a.position - b.position)) {
    const found = policy.policy_metrics.find((m) => m.metric === metric && m.priority === priority);
    if (found) return { policy, metric: found };
  }
  return null;
}

function isOpen(instance: MetricInstance): boolean {
  return instance.fulfilledMs === null;
}

function deadline(instance: MetricInstance): number | null {
  if (instance.targetMs === null || instance.runningSinceMs === null) return null;
  return instance.runningSinceMs + instance.targetMs - instance.elapsedMs;
}

function refreshOpen(sla: AccountSla, ticketId: number, ticket: TicketSla): void {
  if (ticket.instances.some((i) => isOpen(i) && !i.breached && i.targetMs !== null)) sla.open.add(ticketId);
  else sla.open.delete(ticketId);
}

/** Emits the breaches of one ticket whose time has come by `toMs`. */
function advanceTicket(sla: AccountSla, ticketId: number, ticket: TicketSla, toMs: number): void {
  for (const instance of ticket.instances) {
    const at = deadline(instance);
    if (!isOpen(instance) || instance.breached || at === null || at > toMs) continue;
    instance.breached = true;
    emit(sla, ticketId, instance, 'breach', at, { deleted: false });
  }
  refreshOpen(sla, ticketId, ticket);
}

/** Records every breach whose time the clock has passed (called before a change and before an export read). */
export function advanceSla(sla: AccountSla, toMs: number): void {
  for (const ticketId of [...sla.open]) {
    const ticket = sla.tickets.get(ticketId);
    if (ticket) advanceTicket(sla, ticketId, ticket, toMs);
  }
}

function apply(sla: AccountSla, ticketId: number, ticket: TicketSla, instance: MetricInstance, atMs: number): void {
  const found = targetOf(sla, instance.policyMetric, ticket.priority);
  const targetMs = found ? found.metric.target * MINUTE_MS : null;
  if (targetMs === instance.targetMs) return;
  instance.targetMs = targetMs;
  instance.breachAtMs = deadline(instance);
  if (!found) return; // policy no longer matches: the target is dropped (whether Zendesk records it is UNCONFIRMED)
  emit(sla, ticketId, instance, 'apply_sla', atMs, {
    sla: {
      target: found.metric.target,
      business_hours: found.metric.business_hours,
      policy: { id: found.policy.id, title: found.policy.title, description: found.policy.description },
    },
  });
}

function start(sla: AccountSla, ticketId: number, ticket: TicketSla, metric: MeasuredMetric, policyMetric: PolicyMetricName, atMs: number): void {
  const instance: MetricInstance = {
    metric,
    instanceId: ticket.instances.filter((i) => i.metric === metric).length + 1,
    policyMetric,
    targetMs: null,
    runningSinceMs: atMs,
    elapsedMs: 0,
    fulfilledMs: null,
    breached: false,
    breachAtMs: null,
  };
  ticket.instances.push(instance);
  emit(sla, ticketId, instance, 'activate', atMs);
  apply(sla, ticketId, ticket, instance, atMs);
}

function fulfill(sla: AccountSla, ticketId: number, instance: MetricInstance, atMs: number): void {
  instance.breachAtMs = deadline(instance) ?? instance.breachAtMs;
  instance.fulfilledMs = atMs;
  if (instance.runningSinceMs !== null) instance.elapsedMs += atMs - instance.runningSinceMs;
  instance.runningSinceMs = null;
  emit(sla, ticketId, instance, 'fulfill', atMs);
}

function latestOpen(ticket: TicketSla, metric: MeasuredMetric): MetricInstance | undefined {
  return ticket.instances.filter((i) => i.metric === metric && isOpen(i)).at(-1);
}

const SOLVED: ReadonlySet<TicketStatus> = new Set(['solved', 'closed']);

function changeStatus(sla: AccountSla, ticketId: number, ticket: TicketSla, from: TicketStatus | null, to: TicketStatus, atMs: number): void {
  const wait = latestOpen(ticket, 'requester_wait_time');
  if (SOLVED.has(to)) {
    if (from !== null && SOLVED.has(from)) return;
    if (wait) fulfill(sla, ticketId, wait, atMs);
    // A solve also ends the reply being waited for (UNCONFIRMED: Zendesk's wording covers
    // requester wait time only).
    const reply = latestOpen(ticket, 'reply_time');
    if (reply) fulfill(sla, ticketId, reply, atMs);
    return;
  }
  if (from !== null && SOLVED.has(from)) {
    start(sla, ticketId, ticket, 'requester_wait_time', 'requester_wait_time', atMs);
    return;
  }
  if (!wait) return;
  if (to === 'pending' && wait.runningSinceMs !== null) {
    wait.breachAtMs = deadline(wait);
    wait.elapsedMs += atMs - wait.runningSinceMs;
    wait.runningSinceMs = null;
    emit(sla, ticketId, wait, 'pause', atMs);
  } else if (to !== 'pending' && wait.runningSinceMs === null) {
    wait.runningSinceMs = atMs;
    wait.breachAtMs = deadline(wait);
    emit(sla, ticketId, wait, 'activate', atMs);
  }
}

/** One change to a ticket, in the order Zendesk evaluates it: priority (policy re-match), comment, status. */
export interface SlaChange {
  atMs: number;
  priority?: TicketPriority | null;
  comment?: 'agent-public-reply' | 'requester' | 'other';
  status?: { from: TicketStatus | null; to: TicketStatus };
}

/**
 * Records a change: a new ticket has no entry yet and starts its first reply and requester wait
 * measures. Breaches due before the change are recorded first, so events stay in time order.
 */
export function recordSlaChange(sla: AccountSla, ticketId: number, change: SlaChange): void {
  let ticket = sla.tickets.get(ticketId);
  const atMs = Math.max(change.atMs, ticket?.lastMs ?? change.atMs);
  if (ticket) advanceTicket(sla, ticketId, ticket, atMs);
  if (!ticket) {
    ticket = { priority: change.priority ?? null, instances: [], lastMs: atMs };
    sla.tickets.set(ticketId, ticket);
    start(sla, ticketId, ticket, 'reply_time', 'first_reply_time', atMs);
    start(sla, ticketId, ticket, 'requester_wait_time', 'requester_wait_time', atMs);
  } else if (change.priority !== undefined && change.priority !== ticket.priority) {
    ticket.priority = change.priority;
    for (const instance of ticket.instances) if (isOpen(instance)) apply(sla, ticketId, ticket, instance, atMs);
  }
  ticket.lastMs = atMs;
  const reply = latestOpen(ticket, 'reply_time');
  if (change.comment === 'agent-public-reply' && reply) fulfill(sla, ticketId, reply, atMs);
  if (change.comment === 'requester' && !reply) start(sla, ticketId, ticket, 'reply_time', 'next_reply_time', atMs);
  if (change.status && change.status.from !== change.status.to) changeStatus(sla, ticketId, ticket, change.status.from, change.status.to, atMs);
  refreshOpen(sla, ticketId, ticket);
}

/** Moves a ticket's measures up to `toMs` (breaches only); used by generation for each ticket's history. */
export function advanceTicketSla(sla: AccountSla, ticketId: number, toMs: number): void {
  const ticket = sla.tickets.get(ticketId);
  if (ticket) advanceTicket(sla, ticketId, ticket, toMs);
}

/**
 * The `slas` side-load snapshot: the targeted first reply, the latest targeted next reply and
 * the latest targeted requester wait; achieved once fulfilled, paused while paused (no breach
 * time then), else active with its breach time (breached ones stay active, as observed).
 */
export function slaSnapshot(sla: AccountSla, ticketId: number): ZSlaPolicyMetric[] {
  const ticket = sla.tickets.get(ticketId);
  if (!ticket) return [];
  const shown: MetricInstance[] = [];
  for (const name of ['first_reply_time', 'next_reply_time', 'requester_wait_time'] as const) {
    const latest = ticket.instances.filter((i) => i.policyMetric === name && i.targetMs !== null).at(-1);
    if (latest) shown.push(latest);
  }
  return shown.map((instance) => {
    const paused = isOpen(instance) && instance.runningSinceMs === null;
    const breachAt = isOpen(instance) ? deadline(instance) : instance.breachAtMs;
    return {
      metric: instance.policyMetric,
      stage: !isOpen(instance) ? 'achieved' : paused ? 'paused' : 'active',
      breach_at: paused || breachAt === null ? null : isoSeconds(breachAt),
    };
  });
}
