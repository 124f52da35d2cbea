import { describe, expect, it } from 'vitest';
import { generateAccount, type GeneratorOptions } from './generator.ts';
import { CUSTOMER_ID_FIELD_ID } from '../support-api/ids.ts';
import { DAY_MS } from '../support-api/time.ts';

const NOW = Date.UTC(2025, 5, 2, 12, 0, 0);
const OPTIONS: GeneratorOptions = { seed: 7, subdomain: 'acme', organizations: 15, users: 300, tickets: 3000, apiToken: 't', nowMs: NOW };

function snapshot(options: GeneratorOptions): string {
  const { account } = generateAccount(options);
  return JSON.stringify({
    orgs: [...account.organizations.values()],
    users: [...account.users.values()],
    tickets: [...account.tickets.values()],
    comments: [...account.comments.entries()],
    ratings: [...account.satisfaction_ratings.values()],
  });
}

describe('generator', () => {
  const { account, timelines } = generateAccount(OPTIONS);
  const tickets = [...account.tickets.values()];
  const users = [...account.users.values()];

  it('is deterministic for a seed and differs across seeds and subdomains', () => {
    const small = { ...OPTIONS, tickets: 200, users: 50 };
    expect(snapshot(small)).toBe(snapshot(small));
    expect(snapshot({ ...small, seed: 8 })).not.toBe(snapshot(small));
    expect(snapshot({ ...small, subdomain: 'globex' })).not.toBe(snapshot(small));
  });

  it('numbers tickets from 1 in creation order and gives people large ids', () => {
    expect(tickets.map((t) => t.id)).toEqual(tickets.map((_, i) => i + 1));
    const created = tickets.map((t) => Date.parse(t.created_at));
    expect(created).toEqual([...created].sort((a, b) => a - b));
    for (const user of users) expect(user.id).toBeGreaterThan(360_000_000_000);
    for (const org of account.organizations.values()) expect(org.id).toBeGreaterThan(360_000_000_000);
  });

  it('spreads tickets over the last twelve months, nothing in the future', () => {
    const oldest = Math.min(...tickets.map((t) => Date.parse(t.created_at)));
    expect(NOW - oldest).toBeGreaterThan(330 * DAY_MS);
    expect(NOW - oldest).toBeLessThanOrEqual(366 * DAY_MS);
    for (const ticket of tickets) {
      expect(Date.parse(ticket.updated_at)).toBeLessThanOrEqual(NOW);
      expect(ticket.generated_timestamp * 1000).toBeLessThanOrEqual(NOW);
      expect(ticket.generated_timestamp * 1000).toBeGreaterThanOrEqual(Date.parse(ticket.updated_at));
    }
  });

  it('mostly resolves old tickets and keeps recent ones open', () => {
    const old = tickets.filter((t) => NOW - Date.parse(t.created_at) > 60 * DAY_MS);
    const recent = tickets.filter((t) => NOW - Date.parse(t.created_at) < 2 * DAY_MS);
    const resolved = (list: typeof tickets) => list.filter((t) => t.status === 'solved' || t.status === 'closed').length / list.length;
    expect(resolved(old)).toBeGreaterThan(0.85);
    expect(resolved(recent)).toBeLessThan(0.6);
    for (const status of ['new', 'open', 'pending', 'hold', 'solved', 'closed'] as const) {
      expect(tickets.some((t) => t.status === status), status).toBe(true);
    }
  });

  it('mixes priorities (some null), types, tags and custom fields', () => {
    expect(tickets.some((t) => t.priority === null)).toBe(true);
    expect(new Set(tickets.map((t) => t.priority))).toEqual(new Set([null, 'low', 'normal', 'high', 'urgent']));
    expect(tickets.some((t) => t.type === null)).toBe(true);
    expect(tickets.some((t) => t.tags.includes('escalated'))).toBe(true);
    const customerIds = tickets.map((t) => t.custom_fields.find((f) => f.id === CUSTOMER_ID_FIELD_ID)?.value);
    expect(customerIds.some((v) => typeof v === 'string')).toBe(true);
    expect(customerIds.some((v) => v === null)).toBe(true);
  });

  it('sets the requester organization on the ticket', () => {
    for (const ticket of tickets) expect(ticket.organization_id).toBe(account.users.get(ticket.requester_id)?.organization_id);
  });

  it('has users on organization domains, free-mail and unknown domains, and users without an organization', () => {
    const endUsers = users.filter((u) => u.role === 'end-user');
    const domainOf = (email: string | null) => email?.split('@')[1] ?? '';
    const orgDomains = new Set([...account.organizations.values()].flatMap((o) => o.domain_names));
    expect(endUsers.some((u) => domainOf(u.email) === 'gmail.com')).toBe(true);
    expect(endUsers.some((u) => domainOf(u.email) === 'outlook.com')).toBe(true);
    expect(endUsers.some((u) => !orgDomains.has(domainOf(u.email)) && !['gmail.com', 'outlook.com'].includes(domainOf(u.email)))).toBe(true);
    expect(endUsers.some((u) => u.organization_id === null && orgDomains.has(domainOf(u.email)))).toBe(true);
    expect(endUsers.some((u) => u.organization_id !== null)).toBe(true);
    const admin = account.users.get(account.admin_user_id);
    expect(admin?.email).toBe('admin@example.com');
    expect(admin?.role).toBe('admin');
    expect(users.filter((u) => u.role === 'agent').length).toBeGreaterThanOrEqual(2);
  });

  it('keeps CSAT ratings as records referenced by tickets, in every flavour', () => {
    const ratings = [...account.satisfaction_ratings.values()];
    for (const rating of ratings) expect(account.tickets.get(rating.ticket_id)?.satisfaction_rating_id).toBe(rating.id);
    expect(ratings.some((r) => r.score === 'good' && r.comment)).toBe(true);
    expect(ratings.some((r) => r.score === 'good' && !r.comment)).toBe(true);
    expect(ratings.some((r) => r.score === 'bad' && r.comment)).toBe(true);
    expect(ratings.some((r) => r.score === 'bad' && !r.comment)).toBe(true);
    expect(ratings.some((r) => r.score === 'offered')).toBe(true);
    expect(tickets.some((t) => t.satisfaction_rating_id === null && t.satisfaction_state === 'unoffered')).toBe(true);
  });

  it('has SLA metrics active (future and past breach), achieved, and none for unprioritised tickets', () => {
    const metrics = tickets.flatMap((t) => t.sla_policy_metrics);
    const active = metrics.filter((m) => m.stage === 'active' && m.breach_at);
    expect(active.some((m) => Date.parse(m.breach_at as string) > NOW)).toBe(true);
    expect(active.some((m) => Date.parse(m.breach_at as string) < NOW)).toBe(true);
    expect(metrics.some((m) => m.stage === 'achieved')).toBe(true);
    expect(tickets.filter((t) => t.priority === null).every((t) => t.sla_policy_metrics.length === 0)).toBe(true);
  });

  it('records solve times, reopens and replies in the metrics timeline', () => {
    const solved = tickets.filter((t) => t.status === 'solved' || t.status === 'closed');
    for (const ticket of solved) {
      const timeline = timelines.get(ticket.id);
      expect(timeline?.solvedMs).not.toBeNull();
      expect(timeline!.solvedMs!).toBeGreaterThanOrEqual(timeline!.firstSolvedMs!);
    }
    expect([...timelines.values()].some((t) => t.reopens > 0)).toBe(true);
    expect([...timelines.values()].some((t) => t.replies > 1)).toBe(true);
  });

  it('includes soft-deleted and AI-agent tickets', () => {
    expect(tickets.some((t) => t.deleted)).toBe(true);
    expect(tickets.some((t) => t.support_type === 'ai_agent')).toBe(true);
    expect(tickets.filter((t) => t.support_type === 'ai_agent').length).toBeLessThan(tickets.length * 0.05);
  });

  it('gives every ticket its description as the first comment', () => {
    for (const ticket of tickets.slice(0, 200)) expect(account.comments.get(ticket.id)?.[0]?.body).toBe(ticket.description);
  });
});
