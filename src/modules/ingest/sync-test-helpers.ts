/**
 * For sync tests: what the emulator holds, compared field by field with what we stored. Zendesk
 * is the truth; any difference is listed.
 */
import type { RunningEmulator } from '../../../emulator/app.ts';
import { z } from 'zod';
import type { Queryable } from '../../db/db.ts';
import { queryRows } from '../../db/rows.ts';

export async function differencesFromZendesk(db: Queryable, zendesk: RunningEmulator, subdomain: string, connectionId: string): Promise<string[]> {
  const account = zendesk.store.state(subdomain)?.account;
  if (!account) throw new Error(`no emulated account ${subdomain}`);
  const rows = await queryRows(
    db,
    z.object({
      zendesk_ticket_id: z.number(),
      status: z.string(),
      priority: z.string().nullable(),
      subject: z.string().nullable(),
      tags: z.array(z.string()),
      requester_email: z.string().nullable(),
      organization_zendesk_id: z.number().nullable(),
      satisfaction_rating: z.string().nullable(),
      zendesk_updated_at: z.date(),
    }),
    `SELECT zendesk_ticket_id, status, priority, subject, tags, requester_email, organization_zendesk_id, satisfaction_rating, zendesk_updated_at
       FROM zendesk_tickets WHERE connection_id = $1`,
    [connectionId],
  );
  const ours = new Map(rows.map((row) => [row.zendesk_ticket_id, row]));
  const problems: string[] = [];
  if (rows.length !== ours.size) problems.push(`duplicate ticket rows: ${rows.length} rows for ${ours.size} ids`);
  for (const ticket of account.tickets.values()) {
    const row = ours.get(ticket.id);
    if (!row) {
      problems.push(`ticket ${ticket.id} missing`);
      continue;
    }
    const rating = ticket.satisfaction_rating_id === null ? ticket.satisfaction_state : (account.satisfaction_ratings.get(ticket.satisfaction_rating_id)?.score ?? null);
    const expected = {
      status: ticket.deleted ? 'deleted' : ticket.status,
      priority: ticket.priority,
      subject: ticket.subject,
      tags: [...ticket.tags].sort().join(','),
      requester_email: account.users.get(ticket.requester_id)?.email ?? null,
      organization_zendesk_id: ticket.organization_id,
      satisfaction_rating: rating,
      updated_at: ticket.updated_at,
    };
    const actual = {
      status: row.status,
      priority: row.priority,
      subject: row.subject,
      tags: [...row.tags].sort().join(','),
      requester_email: row.requester_email,
      organization_zendesk_id: row.organization_zendesk_id,
      satisfaction_rating: row.satisfaction_rating,
      updated_at: `${row.zendesk_updated_at.toISOString().slice(0, 19)}Z`,
    };
    for (const key of Object.keys(expected) as Array<keyof typeof expected>) {
      if (expected[key] !== actual[key]) problems.push(`ticket ${ticket.id} ${key}: Zendesk ${JSON.stringify(expected[key])}, ours ${JSON.stringify(actual[key])}`);
    }
  }
  for (const id of ours.keys()) if (!account.tickets.has(id)) problems.push(`ticket ${id} is ours only`);
  return problems;
}

export interface EmulatorAnswer {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

/**
 * Calls the emulated Zendesk API as its admin (API token), for tests that change data "in
 * Zendesk" or read what it holds. `path` is below /api/v2.
 */
export function emulatorApi(zendesk: RunningEmulator, apiToken: string, subdomain = 'acme') {
  const authorization = `Basic ${Buffer.from(`admin@example.com/token:${apiToken}`).toString('base64')}`;
  return async (method: string, path: string, body?: unknown): Promise<EmulatorAnswer> => {
    const response = await fetch(`${zendesk.url}/${subdomain}/api/v2${path}`, {
      method,
      headers: { authorization, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null };
  };
}
