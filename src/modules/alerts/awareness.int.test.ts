/**
 * The PRD's awareness metric through the API: per recipient and for the team, the share of alerts
 * acknowledged within an hour of being raised, over 7 and 30 days; a CSM sees only their own row.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Deps } from '../../deps.ts';
import { buildApp } from '../../http/app.ts';
import { createTestDeps } from '../../test-deps.ts';
import { createApiKey, createUser } from '../users/auth.service.ts';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

describe('alert awareness', () => {
  let deps: Deps;
  let destroy: () => Promise<void>;
  let app: FastifyInstance;
  const keys: Record<string, string> = {};
  const ids: Record<string, string> = {};
  let seq = 0;

  async function alertFor(recipients: string[], createdAgoMs: number, ackAfterMs: number | null) {
    const created = new Date(Date.now() - createdAgoMs);
    const { rows } = await deps.db.query<{ id: string }>(
      `INSERT INTO alerts (dedupe_key, type, customer_id, occurred_at, created_at, acknowledged_at, status)
       VALUES ($1, 'escalation', $2, $3, $3, $4, CASE WHEN $4::timestamptz IS NULL THEN 'open' ELSE 'acknowledged' END) RETURNING id`,
      [`awareness:${seq++}`, ids.customer, created, ackAfterMs === null ? null : new Date(created.getTime() + ackAfterMs)],
    );
    for (const name of recipients) await deps.db.query('INSERT INTO alert_recipients (alert_id, user_id) VALUES ($1, $2)', [rows[0]!.id, ids[name]]);
  }

  beforeAll(async () => {
    ({ deps, destroy } = await createTestDeps());
    app = await buildApp(deps);
    for (const [name, role] of [['lead', 'leader'], ['casey', 'csm'], ['sam', 'csm']] as const) {
      ids[name] = (await createUser(deps.db, { email: `${name}@example.com`, name, role, password: null })).id;
      keys[name] = (await createApiKey(deps.db, ids[name]!, 'test')).key;
    }
    ids.customer = (await deps.db.query<{ id: string }>(`INSERT INTO customers (name) VALUES ('Acme') RETURNING id`)).rows[0]!.id;
    // Casey: 3 in the last 7 days (acknowledged after 10 and 50 minutes, and after 3 hours), 1 ten days ago in 20 minutes.
    await alertFor(['casey'], 2 * DAY, 10 * MINUTE);
    await alertFor(['casey'], 3 * DAY, 50 * MINUTE);
    await alertFor(['casey'], 4 * DAY, 180 * MINUTE);
    await alertFor(['casey'], 10 * DAY, 20 * MINUTE);
    // Sam: 1 never acknowledged (5 days ago), 1 raised 20 minutes ago (still in time: not counted yet), 1 forty days ago (out).
    await alertFor(['sam'], 5 * DAY, null);
    await alertFor(['sam'], 20 * MINUTE, null);
    await alertFor(['sam'], 40 * DAY, 5 * MINUTE);
    // Routed to both (no CSM): acknowledged in 30 minutes, 6 days ago.
    await alertFor(['casey', 'sam'], 6 * DAY, 30 * MINUTE);
  });
  afterAll(async () => {
    await app?.close();
    await destroy?.();
  });

  const get = (who: string, days?: number) =>
    app.inject({ method: 'GET', url: `/api/alerts/awareness${days ? `?days=${days}` : ''}`, headers: { authorization: `Bearer ${keys[who]}` } });

  it('answers each recipient and the team over 7 days, leaving out fresh unacknowledged alerts', async () => {
    const response = await get('lead', 7);
    expect(response.statusCode, response.body).toBe(200);
    const body = response.json();
    expect(body).toMatchObject({ days: 7, targetMinutes: 60 });
    // Team: 5 alerts in 7 days (casey's 3, sam's 1 unacknowledged, the shared one); in time: 10, 50, 30 minutes.
    expect(body.team).toEqual({ alerts: 5, acknowledgedInTime: 3, share: 3 / 5, medianMinutesToAcknowledge: 40, unacknowledged: 1 });
    const byName = Object.fromEntries(body.users.map((u: { name: string }) => [u.name, u]));
    expect(byName.casey).toMatchObject({ alerts: 4, acknowledgedInTime: 3, share: 3 / 4, medianMinutesToAcknowledge: 40, unacknowledged: 0 });
    expect(byName.sam).toMatchObject({ alerts: 2, acknowledgedInTime: 1, share: 1 / 2, medianMinutesToAcknowledge: 30, unacknowledged: 1 });
    expect(byName.lead).toBeUndefined();
  });

  it('takes 30 days by default, and shows a CSM only their own row beside the team', async () => {
    const body = (await get('casey')).json();
    expect(body.days).toBe(30);
    expect(body.team).toMatchObject({ alerts: 6, acknowledgedInTime: 4 });
    expect(body.users.map((u: { name: string }) => u.name)).toEqual(['casey']);
    expect(body.users[0]).toMatchObject({ alerts: 5, acknowledgedInTime: 4, share: 4 / 5 });
  });

  it('refuses a window it does not offer', async () => {
    const response = await get('lead', 90);
    expect(response.statusCode).toBe(400);
    expect(response.json().error.message).toContain('use 7, 30');
  });
});
