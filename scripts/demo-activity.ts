/**
 * A gentle, seeded stream of ticket activity through the emulator's real Zendesk API, so that the
 * emulator fires its real signed webhooks at the product: new tickets, agent and customer replies,
 * solves, escalations (priority urgent + tag `escalated`), satisfaction ratings (posted by the
 * requester, as Zendesk requires) and now and then a spike (several tickets for one organization
 * within a minute). Actions are dealt from a shuffled deck so that every kind shows up every few
 * events while the order varies. One short line is logged per action.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { createRandom, type Random } from '../emulator/generation/random.ts';
import { HttpError, type ZendeskApi } from './demo-http.ts';
import type { MatchedOrganization } from './demo-setup.ts';

type ActionKind = 'new' | 'reply' | 'escalation' | 'rating' | 'spike';

/** One deck: dealt in a shuffled order, then reshuffled. */
const DECK: readonly ActionKind[] = [
  ...Array<ActionKind>(5).fill('new'),
  ...Array<ActionKind>(6).fill('reply'),
  ...Array<ActionKind>(2).fill('escalation'),
  ...Array<ActionKind>(3).fill('rating'),
  'spike',
];

const SUBJECTS = [
  'Export to CSV times out for large reports',
  'SSO login fails with an invalid assertion error',
  'Invoice shows the wrong VAT rate',
  'Webhook deliveries delayed by several minutes',
  'Mobile app crashes when opening attachments',
  'Cannot add new users: seat limit reached?',
  'Dashboard charts not loading since this morning',
  'API returns 429 far below our plan limit',
  'Password reset email never arrives',
  'Scheduled report sent twice',
  'Salesforce sync stopped updating contacts',
  'Question about upgrading to the annual plan',
  'Data retention settings not saved',
  'Timezone wrong on exported timestamps',
  'Request: bulk edit for tags',
  'Two-factor codes rejected after phone change',
];

const SPIKE_SUBJECTS = ['Service unavailable (503) for all our users', 'Nobody in our team can log in', 'All integrations failing since the last release'];

const CUSTOMER_REPLIES = [
  'Thanks, but this is still happening for us. Any update?',
  'We tried the workaround; it did not help.',
  'Attached the logs you asked for.',
  'This is now blocking our month-end close, please prioritise.',
  'Could someone call me? It is quicker to explain.',
];

const AGENT_REPLIES = [
  'Thanks for the details, we are looking into it and will update you shortly.',
  'Could you send us a screenshot and the time it happened?',
  'We reproduced the issue and passed it to engineering.',
  'A fix is rolling out today; please confirm once it works for you.',
];

const GOOD_COMMENTS = ['Quick and friendly, thank you!', 'Solved in minutes, great support.', 'Clear explanation, thanks.', ''];
const BAD_COMMENTS = ['Took far too long to get an answer.', 'The issue is not really fixed.', 'Had to explain the problem three times.', 'No one followed up as promised.'];

interface Ticket {
  id: number;
  assignee_id: number | null;
  subject: string | null;
  status: string;
  priority: string | null;
  tags: string[];
  requester_id: number;
  organization_id: number | null;
}

interface User {
  id: number;
  email: string | null;
  role: string;
  verified: boolean;
  suspended?: boolean;
  active?: boolean;
}

export interface ActivityOptions {
  zendesk: ZendeskApi;
  /** Agents' emails: Zendesk wants an assignee before a ticket is solved. */
  agentEmails: string[];
  /** Organizations whose customers exist: activity for them reaches a CSCX customer. */
  organizations: MatchedOrganization[];
  intervalMs: number;
  seed: number;
  log(line: string): void;
}

export interface Activity {
  /** Finishes the action under way, then stops. */
  stop(): Promise<void>;
  /** How many actions succeeded, by kind. */
  counts(): Record<ActionKind, number>;
}

class SkipAction extends Error {}

export function startActivity(options: ActivityOptions): Activity {
  const { zendesk, organizations } = options;
  if (organizations.length === 0) throw new Error('no matched organization to make activity for');
  const random = createRandom(options.seed ^ 0xac71);
  const stopping = new AbortController();
  const counts: Record<ActionKind, number> = { new: 0, reply: 0, escalation: 0, rating: 0, spike: 0 };
  // A few customers have a rough time: they get most escalations and bad ratings (a story to find in the UI).
  const troubled = shuffled(random, organizations).slice(0, Math.min(3, organizations.length));
  const usersByOrg = new Map<string, User[]>();
  let deck: ActionKind[] = [];

  const label = (org: MatchedOrganization) => `${org.subdomain.padEnd(12)} ${org.name}`;
  const line = (kind: string, org: MatchedOrganization, text: string) => options.log(`${kind.padEnd(11)} ${label(org)}: ${text}`);

  async function requesters(org: MatchedOrganization): Promise<User[]> {
    const key = `${org.subdomain}:${org.id}`;
    let users = usersByOrg.get(key);
    if (!users) {
      const all = await zendesk.all<User>(org.subdomain, `/organizations/${org.id}/users`, 'users');
      users = all.filter((u) => u.role === 'end-user' && u.email && u.active !== false && !u.suspended);
      usersByOrg.set(key, users);
    }
    return users;
  }

  async function openTickets(org: MatchedOrganization, keep: (t: Ticket) => boolean = () => true): Promise<Ticket[]> {
    const page = await zendesk.request<{ tickets: Ticket[] }>('GET', org.subdomain, `/organizations/${org.id}/tickets?page[size]=100&sort=-updated_at`);
    return page.tickets.filter((t) => ['new', 'open', 'pending', 'hold'].includes(t.status) && keep(t));
  }

  /** An open ticket (passing `keep`) of one of the organizations, trying a few. */
  async function pickOpenTicket(pool: MatchedOrganization[], keep?: (t: Ticket) => boolean): Promise<{ org: MatchedOrganization; ticket: Ticket }> {
    for (let attempt = 0; attempt < 8; attempt++) {
      // Half the tries in the preferred pool, then anywhere.
      const org = random.pick(attempt < 4 ? pool : organizations);
      const tickets = await openTickets(org, keep);
      if (tickets.length > 0) return { org, ticket: random.pick(tickets.slice(0, 30)) };
    }
    throw new SkipAction('no open ticket found');
  }

  async function createTicket(org: MatchedOrganization, subject: string, priority: string): Promise<number> {
    const users = await requesters(org);
    if (users.length === 0) throw new SkipAction(`${org.name} has no end users`);
    const requester = random.pick(users);
    const body = `Hi, ${subject.charAt(0).toLowerCase()}${subject.slice(1)}. ${random.pick(CUSTOMER_REPLIES)}`;
    const { ticket } = await zendesk.request<{ ticket: Ticket }>('POST', org.subdomain, '/tickets', {
      ticket: {
        subject,
        comment: { body, author_id: requester.id },
        requester_id: requester.id,
        priority,
        ...(random.chance(0.7) ? { assignee_email: random.pick(options.agentEmails) } : {}),
        type: random.pick(['question', 'incident', 'problem']),
        tags: [random.pick(['billing', 'integrations', 'reporting', 'login', 'mobile_app', 'api'])],
      },
    });
    return ticket.id;
  }

  /** Zendesk refuses to solve a ticket without an assignee: take one when it has none. */
  const assignee = (ticket: Ticket) => (ticket.assignee_id === null ? { assignee_email: random.pick(options.agentEmails) } : {});

  const actions: Record<ActionKind, () => Promise<void>> = {
    async new() {
      const org = random.pick(organizations);
      const priority = random.weighted({ low: 2, normal: 5, high: 2 });
      const subject = random.pick(SUBJECTS);
      const id = await createTicket(org, subject, priority);
      line('new ticket', org, `#${id} "${subject}" (${priority})`);
    },

    async reply() {
      const { org, ticket } = await pickOpenTicket(organizations);
      const kind = random.weighted({ agent: 4, customer: 3, solve: 3 });
      if (kind === 'agent') {
        await zendesk.request('PUT', org.subdomain, `/tickets/${ticket.id}`, { ticket: { status: 'pending', comment: { body: random.pick(AGENT_REPLIES), public: true } } });
        line('reply', org, `#${ticket.id} agent answered, now pending`);
      } else if (kind === 'customer') {
        await zendesk.request('PUT', org.subdomain, `/tickets/${ticket.id}`, {
          ticket: { status: 'open', comment: { body: random.pick(CUSTOMER_REPLIES), public: true, author_id: ticket.requester_id } },
        });
        line('reply', org, `#${ticket.id} customer replied, reopened`);
      } else {
        await zendesk.request('PUT', org.subdomain, `/tickets/${ticket.id}`, { ticket: { status: 'solved', ...assignee(ticket), comment: { body: 'Glad we could help: closing this one.', public: true } } });
        line('solved', org, `#${ticket.id} "${ticket.subject ?? ''}"`);
      }
    },

    async escalation() {
      const pool = random.chance(0.6) ? troubled : organizations;
      const notEscalated = (t: Ticket) => t.priority !== 'urgent' && !t.tags.includes('escalated') && !t.tags.includes('escalation');
      const { org, ticket } = await pickOpenTicket(pool, notEscalated);
      await zendesk.request('PUT', org.subdomain, `/tickets/${ticket.id}`, {
        ticket: {
          priority: 'urgent',
          status: 'open',
          tags: [...ticket.tags, 'escalated'],
          comment: { body: 'Escalated to tier 2: the customer is blocked.', public: false },
        },
      });
      line('escalation', org, `#${ticket.id} "${ticket.subject ?? ''}" now urgent + escalated`);
    },

    async rating() {
      const bad = random.chance(0.45);
      const pool = bad && random.chance(0.6) ? troubled : organizations;
      for (let attempt = 0; attempt < 4; attempt++) {
        const { org, ticket } = await pickOpenTicket(pool);
        const requester = (await requesters(org)).find((u) => u.id === ticket.requester_id);
        // Only the requester may rate (Zendesk's rule), signing in with the account's API token:
        // that needs a verified address.
        if (!requester?.email || !requester.verified) continue;
        await zendesk.request('PUT', org.subdomain, `/tickets/${ticket.id}`, { ticket: { status: 'solved', ...assignee(ticket), comment: { body: 'This should be fixed now: let us know.', public: true } } });
        const comment = random.pick(bad ? BAD_COMMENTS : GOOD_COMMENTS);
        await zendesk.request('POST', org.subdomain, `/tickets/${ticket.id}/satisfaction_rating`, { satisfaction_rating: { score: bad ? 'bad' : 'good', comment } }, requester.email);
        line('rating', org, `#${ticket.id} solved and rated ${bad ? 'bad' : 'good'}${comment ? ` "${comment}"` : ''}`);
        return;
      }
      throw new SkipAction('no ticket with a verified requester found');
    },

    async spike() {
      const org = random.pick(organizations);
      const subject = random.pick(SPIKE_SUBJECTS);
      const count = random.int(3, 5);
      const ids: number[] = [];
      for (let i = 0; i < count && !stopping.signal.aborted; i++) {
        ids.push(await createTicket(org, subject, random.pick(['high', 'urgent', 'high'])));
        await sleep(random.int(200, 1500));
      }
      line('spike', org, `${ids.length} tickets "${subject}" within a minute (${ids.map((id) => `#${id}`).join(' ')})`);
    },
  };

  const loop = (async () => {
    while (!stopping.signal.aborted) {
      if (deck.length === 0) deck = shuffled(random, DECK);
      const kind = deck.pop()!;
      try {
        await actions[kind]();
        counts[kind] += 1;
      } catch (error) {
        if (error instanceof SkipAction) options.log(`${'skipped'.padEnd(11)} ${kind}: ${error.message}`);
        else if (error instanceof HttpError || error instanceof Error) options.log(`${'failed'.padEnd(11)} ${kind}: ${error.message}`);
      }
      const pause = Math.round(options.intervalMs * (0.6 + 0.8 * random.next()));
      await sleep(pause, undefined, { signal: stopping.signal }).catch(() => {});
    }
  })();

  return {
    async stop() {
      stopping.abort();
      await loop;
    },
    counts: () => ({ ...counts }),
  };
}

function shuffled<T>(random: Random, items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = random.int(0, i);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}
