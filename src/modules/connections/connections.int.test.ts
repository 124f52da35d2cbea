/**
 * Connecting Zendesk end to end, against the local Zendesk emulator: what a subdomain may be, API
 * token and OAuth (unknown account refused before the redirect, PKCE, single-use state bound to the
 * browser's cookie, deny, a refused code, refresh, revocation), two subdomains side by side, manual
 * sync, disconnect, and no secret in clear in the database.
 */
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../../emulator/app.ts';
import type { Deps } from '../../deps.ts';
import { buildApp } from '../../http/app.ts';
import { createLogger } from '../../lib/logger.ts';
import { addKey, createSecretBox, type Keyring } from '../../lib/secret-box.ts';
import { createTestDeps } from '../../test-deps.ts';
import { NOT_SUBDOMAINS } from '../../zendesk/url.examples.ts';
import { createApiKey, createUser } from '../users/auth.service.ts';
import { findConnection } from './connections.repo.ts';
import { zendeskClientFor } from './connections.service.ts';
import { resealSecrets } from './sealed-columns.ts';

const API_TOKEN = 'emulator-api-token-1';
const CLIENT_SECRET = 'emulator-client-secret-1';

describe('connecting Zendesk (against the emulator)', () => {
  let zendesk: RunningEmulator;
  let deps: Deps;
  let keyring: Keyring;
  let destroy: () => Promise<void>;
  let app: FastifyInstance;
  let adminKey: string;
  let csmKey: string;
  let logs = '';
  /** Webhook signing secrets read from the emulator, to look for in the logs at the end. */
  const signingSecrets: string[] = [];

  beforeAll(async () => {
    zendesk = await startEmulator({ port: 0, subdomains: ['acme', 'globex', 'initech'], tickets: 20, users: 30, organizations: 5, apiToken: API_TOKEN, oauthClientSecret: CLIENT_SECRET });
    ({ deps, keyring, destroy } = await createTestDeps({
      ZENDESK_URL_TEMPLATE: `${zendesk.url}/{subdomain}`,
      PUBLIC_URL: 'http://127.0.0.1:9',
      ZENDESK_OAUTH_CLIENT_ID: 'cscx',
      ZENDESK_OAUTH_CLIENT_SECRET: CLIENT_SECRET,
    }));
    // Everything logged, at the most verbose level, is kept to be scanned for secrets at the end.
    deps.logger = createLogger(
      'trace',
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          logs += chunk.toString();
          done();
        },
      }),
    );
    app = await buildApp(deps);
    const admin = await createUser(deps.db, { email: 'admin@cscx.test', name: 'Admin', role: 'admin', password: null });
    adminKey = (await createApiKey(deps.db, admin.id, 'test')).key;
    const csm = await createUser(deps.db, { email: 'csm@cscx.test', name: 'CSM', role: 'csm', password: null });
    csmKey = (await createApiKey(deps.db, csm.id, 'test')).key;
  });
  afterAll(async () => {
    await app?.close();
    await zendesk?.close();
    await destroy?.();
  });

  const asAdmin = { authorization: () => `Bearer ${adminKey}` };
  const connect = (payload: object) => app.inject({ method: 'POST', url: '/api/integrations/zendesk/connect', headers: { authorization: asAdmin.authorization() }, payload });
  const zendeskGet = async (subdomain: string, path: string) => {
    const response = await fetch(`${zendesk.url}/${subdomain}${path}`, { headers: { authorization: `Basic ${Buffer.from(`admin@example.com/token:${API_TOKEN}`).toString('base64')}` } });
    return (await response.json()) as Record<string, unknown>;
  };

  describe('the subdomain', () => {
    const forms = () => `give the subdomain alone (acme) or the account's URL (https://acme.zendesk.com or ${zendesk.url}/acme)`;
    const stored = async () => ({
      connections: (await deps.db.query('SELECT 1 FROM zendesk_connections')).rows.length,
      states: (await deps.db.query('SELECT 1 FROM oauth_states')).rows.length,
    });

    it.each(NOT_SUBDOMAINS)('refuses %j with 400 naming the accepted forms, with an API token and with OAuth, storing nothing', async (subdomain) => {
      const before = await stored();
      for (const payload of [
        { method: 'api_token', subdomain, email: 'admin@example.com', apiToken: API_TOKEN },
        { method: 'oauth', subdomain },
      ]) {
        const response = await connect(payload);
        expect(response.statusCode, response.body).toBe(400);
        expect(response.json().error).toMatchObject({ code: 'validation_failed', details: [{ field: 'subdomain', message: 'is not a Zendesk subdomain' }] });
        expect(response.json().error.message).toContain(forms());
        expect(response.headers['set-cookie']).toBeUndefined();
      }
      expect(await stored()).toEqual(before);
      expect(before.connections).toBe(0);
    });

    it("refuses, before any redirect to Zendesk, a subdomain with no Zendesk account", async () => {
      const before = await stored();
      const unknown = await connect({ method: 'oauth', subdomain: 'nosuchco' });
      expect(unknown.statusCode).toBe(422);
      expect(unknown.json().error.message).toBe('there is no Zendesk account at the subdomain nosuchco: check the spelling');
      expect(unknown.json().authorizeUrl).toBeUndefined();
      expect(unknown.headers['set-cookie']).toBeUndefined();
      expect(await stored()).toEqual(before);
    });
  });

  describe('with an API token', () => {
    it('refuses a wrong token, an unknown subdomain, an unreachable Zendesk and a bad subdomain, each with its own message, storing nothing', async () => {
      const wrong = await connect({ method: 'api_token', subdomain: 'acme', email: 'admin@example.com', apiToken: 'wrong' });
      expect(wrong.statusCode).toBe(422);
      expect(wrong.json().error.message).toMatch(/Zendesk refused the email and API token for acme/);

      const unknown = await connect({ method: 'api_token', subdomain: 'nosuchco', email: 'admin@example.com', apiToken: API_TOKEN });
      expect(unknown.statusCode).toBe(422);
      expect(unknown.json().error.message).toMatch(/there is no Zendesk account at the subdomain nosuchco/);

      const bad = await connect({ method: 'api_token', subdomain: 'acme.example.com', email: 'admin@example.com', apiToken: API_TOKEN });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error.message).toMatch(/"acme.example.com" is not a Zendesk subdomain/);

      const offline = await createTestDeps({ ZENDESK_URL_TEMPLATE: 'http://127.0.0.1:9/{subdomain}', ZENDESK_OAUTH_CLIENT_ID: 'cscx', ZENDESK_OAUTH_CLIENT_SECRET: CLIENT_SECRET });
      const offlineApp = await buildApp(offline.deps);
      const admin = await createUser(offline.deps.db, { email: 'a@cscx.test', name: 'A', role: 'admin', password: null });
      const key = (await createApiKey(offline.deps.db, admin.id, 't')).key;
      const unreachable = await offlineApp.inject({
        method: 'POST',
        url: '/api/integrations/zendesk/connect',
        headers: { authorization: `Bearer ${key}` },
        payload: { method: 'api_token', subdomain: 'acme', email: 'admin@example.com', apiToken: API_TOKEN },
      });
      expect(unreachable.statusCode).toBe(502);
      expect(unreachable.json().error.message).toMatch(/could not reach Zendesk for acme/);
      // OAuth too: the account check before the redirect says Zendesk could not be reached.
      const unreachableOAuth = await offlineApp.inject({
        method: 'POST',
        url: '/api/integrations/zendesk/connect',
        headers: { authorization: `Bearer ${key}` },
        payload: { method: 'oauth', subdomain: 'acme' },
      });
      expect(unreachableOAuth.statusCode).toBe(502);
      expect(unreachableOAuth.json().error.message).toMatch(/^could not reach Zendesk for acme \(.+\); try again in a minute$/);
      expect((await offline.deps.db.query('SELECT 1 FROM oauth_states')).rows).toHaveLength(0);
      await offlineApp.close();
      await offline.destroy();

      const { rows } = await deps.db.query('SELECT * FROM zendesk_connections');
      expect(rows).toHaveLength(0);
    });

    it('connects, registers a webhook and trigger in Zendesk, and refuses the same subdomain twice', async () => {
      const response = await connect({ method: 'api_token', subdomain: 'HTTPS://ACME.zendesk.com/', email: 'admin@example.com', apiToken: API_TOKEN });
      expect(response.statusCode).toBe(201);
      const connection = response.json().connection;
      expect(connection).toMatchObject({ subdomain: 'acme', method: 'api_token', status: 'active', zendeskUser: 'admin@example.com', webhookRegistered: true, error: null });

      const webhooks = (await zendeskGet('acme', '/api/v2/webhooks')).webhooks as Array<{ id: string; endpoint: string }>;
      expect(webhooks.map((w) => w.endpoint)).toEqual([`http://127.0.0.1:9/api/integrations/zendesk/webhook?connection=${connection.id}`]);
      const triggers = (await zendeskGet('acme', '/api/v2/triggers')).triggers as Array<{ actions: Array<{ field: string; value: unknown[] }> }>;
      const ours = triggers.filter((t) => t.actions.some((a) => a.field === 'notification_webhook' && a.value[0] === webhooks[0]?.id));
      expect(ours).toHaveLength(1);

      const again = await connect({ method: 'api_token', subdomain: 'acme', email: 'admin@example.com', apiToken: API_TOKEN });
      expect(again.statusCode).toBe(409);
      expect(again.json().error.message).toMatch(/acme is already connected/);

      const client = await zendeskClientFor(deps, connection.id);
      const me = await client.request('GET', '/api/v2/users/me.json');
      expect(me).toBeUndefined(); // no schema given: the call succeeded, body not needed
    });

    it('queues a manual sync from a request with no body (with or without a JSON content-type), as from {}', async () => {
      const acme = (await deps.db.query<{ id: string }>(`SELECT id FROM zendesk_connections WHERE subdomain = 'acme'`)).rows[0]!;
      const url = `/api/integrations/zendesk/connections/${acme.id}/sync`;
      const bare = await app.inject({ method: 'POST', url, headers: { authorization: asAdmin.authorization() } });
      expect(bare.statusCode, bare.body).toBe(202);
      expect(bare.json()).toEqual({ queued: true, full: false });
      const headerOnly = await app.inject({ method: 'POST', url, headers: { authorization: asAdmin.authorization(), 'content-type': 'application/json' }, payload: '' });
      expect(headerOnly.statusCode, headerOnly.body).toBe(202);
      const empty = await app.inject({ method: 'POST', url, headers: { authorization: asAdmin.authorization() }, payload: {} });
      expect(empty.statusCode).toBe(202);
      expect(empty.json()).toEqual({ queued: true, full: false });
      const wrong = await app.inject({ method: 'POST', url, headers: { authorization: asAdmin.authorization() }, payload: { full: 'yes' } });
      expect(wrong.statusCode).toBe(400);
    });
  });

  describe('with OAuth', () => {
    /** Starts the flow as a browser does; answers Zendesk's redirect back and the browser's cookies. */
    async function authorize(subdomain: string): Promise<{ callback: URL; cookies: Record<string, string> }> {
      const start = await connect({ method: 'oauth', subdomain });
      expect(start.statusCode).toBe(200);
      const cookies = Object.fromEntries(start.cookies.map((cookie) => [cookie.name, cookie.value]));
      const authorizeUrl = new URL(start.json().authorizeUrl);
      expect(authorizeUrl.origin + authorizeUrl.pathname).toBe(`${zendesk.url}/${subdomain}/oauth/authorizations/new`);
      expect(authorizeUrl.searchParams.get('code_challenge_method')).toBe('S256');
      const approval = await fetch(authorizeUrl, { redirect: 'manual' });
      expect(approval.status).toBe(302);
      return { callback: new URL(approval.headers.get('location') ?? ''), cookies };
    }
    const finish = (callback: URL, cookies: Record<string, string> = {}) => app.inject({ method: 'GET', url: callback.pathname + callback.search, cookies });

    it('binds the state to the browser that started the flow: a cookie, httpOnly, SameSite=Lax, for the callback only', async () => {
      const start = await connect({ method: 'oauth', subdomain: 'globex' });
      expect(start.statusCode).toBe(200);
      expect(start.cookies).toHaveLength(1);
      const cookie = String(start.headers['set-cookie']);
      expect(cookie).toMatch(/^cscx_oauth_[0-9a-f]{16}=bn_[A-Za-z0-9_-]{43}; /);
      expect(cookie).toMatch(/; Max-Age=600(;|$)/);
      expect(cookie).toMatch(/; Path=\/api\/integrations\/zendesk\/callback(;|$)/);
      expect(cookie).toMatch(/; HttpOnly(;|$)/);
      expect(cookie).toMatch(/; SameSite=Lax(;|$)/);
      expect(cookie).not.toMatch(/Secure/); // PUBLIC_URL is http here
      // The nonce is not in the URL that goes to Zendesk and comes back.
      expect(start.json().authorizeUrl).not.toContain(start.cookies[0]!.value);

      const https = await createTestDeps({ ZENDESK_URL_TEMPLATE: `${zendesk.url}/{subdomain}`, PUBLIC_URL: 'https://cscx.example', ZENDESK_OAUTH_CLIENT_ID: 'cscx', ZENDESK_OAUTH_CLIENT_SECRET: CLIENT_SECRET });
      try {
        const httpsApp = await buildApp(https.deps);
        const admin = await createUser(https.deps.db, { email: 'a@cscx.test', name: 'A', role: 'admin', password: null });
        const key = (await createApiKey(https.deps.db, admin.id, 't')).key;
        const secure = await httpsApp.inject({ method: 'POST', url: '/api/integrations/zendesk/connect', headers: { authorization: `Bearer ${key}` }, payload: { method: 'oauth', subdomain: 'globex' } });
        expect(secure.statusCode).toBe(200);
        expect(String(secure.headers['set-cookie'])).toMatch(/; Secure(;|$)/);
        await httpsApp.close();
      } finally {
        await https.destroy();
      }
    });

    it('completes the authorization-code flow with PKCE in the browser that started it only, and the state works once only', async () => {
      const { callback, cookies } = await authorize('globex');
      expect(callback.pathname).toBe('/api/integrations/zendesk/callback');

      // The same link opened elsewhere (no cookie, or another flow's cookie) connects nothing and
      // does not use the state up.
      const elsewhere = await finish(callback);
      expect(elsewhere.statusCode).toBe(400);
      expect(elsewhere.body).toMatch(/not started in this browser/);
      const [name] = Object.keys(cookies);
      const otherNonce = await finish(callback, { [name!]: 'bn_another-browser' });
      expect(otherNonce.statusCode).toBe(400);
      expect(otherNonce.body).toMatch(/Unknown authorization/);
      expect((await deps.db.query(`SELECT 1 FROM zendesk_connections WHERE subdomain = 'globex'`)).rows).toHaveLength(0);

      const done = await finish(callback, cookies);
      expect(done.statusCode).toBe(302);
      expect(done.headers.location).toBe('/?zendesk=connected&subdomain=globex');
      expect(String(done.headers['set-cookie'])).toMatch(new RegExp(`^${name}=; Max-Age=0; .*Path=/api/integrations/zendesk/callback`));
      const list = await app.inject({ method: 'GET', url: '/api/integrations/zendesk/connections', headers: { authorization: asAdmin.authorization() } });
      const globex = list.json().connections.find((c: { subdomain: string }) => c.subdomain === 'globex');
      expect(globex).toMatchObject({ method: 'oauth', status: 'active', webhookRegistered: true });

      const reused = await finish(callback, cookies);
      expect(reused.statusCode).toBe(400);
      expect(reused.body).toMatch(/already used/);
      const unknown = await app.inject({ method: 'GET', url: '/api/integrations/zendesk/callback?state=st_forged&code=abc' });
      expect(unknown.statusCode).toBe(400);
      expect(unknown.body).toMatch(/not started in this browser/);
    });

    it('shows Zendesk\'s refusal plainly when the admin denies, and stores nothing', async () => {
      await fetch(`${zendesk.url}/_emulator/oauth`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"decision":"deny"}' });
      try {
        const { callback, cookies } = await authorize('initech');
        expect(callback.searchParams.get('error')).toBe('access_denied');
        const page = await finish(callback, cookies);
        expect(page.statusCode).toBe(400);
        expect(page.body).toMatch(/Zendesk did not authorize CSCX/);
        expect(page.body).toMatch(/access_denied/);
      } finally {
        await fetch(`${zendesk.url}/_emulator/oauth`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"decision":"approve"}' });
      }
      const { rows } = await deps.db.query(`SELECT 1 FROM zendesk_connections WHERE subdomain = 'initech'`);
      expect(rows).toHaveLength(0);
    });

    it('refuses an expired state, and a code exchanged with the wrong PKCE verifier', async () => {
      const expired = await authorize('initech');
      await deps.db.query(`UPDATE oauth_states SET expires_at = now() - interval '1 second'`);
      const late = await finish(expired.callback, expired.cookies);
      expect(late.statusCode).toBe(400);
      expect(late.body).toMatch(/older than 10 minutes/);

      const tampered = await authorize('initech');
      const { rows } = await deps.db.query<{ state_hash: string }>('SELECT state_hash FROM oauth_states WHERE used_at IS NULL');
      for (const row of rows) {
        await deps.db.query('UPDATE oauth_states SET code_verifier_sealed = $2 WHERE state_hash = $1', [
          row.state_hash,
          deps.secrets.seal('a-verifier-that-does-not-match-the-challenge-0000', `oauth_states/${row.state_hash}/code_verifier`),
        ]);
      }
      const refused = await finish(tampered.callback, tampered.cookies);
      expect(refused.statusCode).toBe(400);
      expect(refused.body).toMatch(/Zendesk refused the authorization/);
      expect(refused.body).toMatch(/invalid_grant/);
    });

    it('answers 400 with the reason Zendesk gave when it refuses the code, connecting nothing and showing no secret', async () => {
      const { callback, cookies } = await authorize('initech');
      callback.searchParams.set('code', 'a-code-zendesk-never-issued');
      const refused = await finish(callback, cookies);
      expect(refused.statusCode).toBe(400);
      expect(refused.headers['content-type']).toMatch(/^text\/html/);
      expect(refused.body).toMatch(/Zendesk refused the authorization/);
      expect(refused.body).toMatch(/Zendesk refused the OAuth token request \(400\): invalid_grant/);
      expect(refused.body).toMatch(/Nothing was connected/);
      expect(refused.body).not.toContain(CLIENT_SECRET);
      expect((await deps.db.query(`SELECT 1 FROM zendesk_connections WHERE subdomain = 'initech'`)).rows).toHaveLength(0);
    });

    it('refreshes an access token before it expires', async () => {
      const connection = (await deps.db.query<{ id: string; credentials_sealed: string }>(`SELECT id, credentials_sealed FROM zendesk_connections WHERE subdomain = 'globex'`)).rows[0]!;
      await deps.db.query(`UPDATE zendesk_connections SET access_token_expires_at = now() + interval '1 minute' WHERE id = $1`, [connection.id]);
      const client = await zendeskClientFor(deps, connection.id);
      await client.request('GET', '/api/v2/users/me.json');
      const after = (await deps.db.query<{ credentials_sealed: string; access_token_expires_at: Date }>(`SELECT credentials_sealed, access_token_expires_at FROM zendesk_connections WHERE id = $1`, [connection.id])).rows[0]!;
      expect(after.credentials_sealed).not.toBe(connection.credentials_sealed);
      expect(after.access_token_expires_at.getTime()).toBeGreaterThan(Date.now() + 10 * 60_000);
    });

    it('refreshes an expired access token, and marks the connection needs_reauth when the refresh is refused', async () => {
      const connection = (await deps.db.query<{ id: string }>(`SELECT id FROM zendesk_connections WHERE subdomain = 'globex'`)).rows[0]!;
      const client = await zendeskClientFor(deps, connection.id);
      await fetch(`${zendesk.url}/_emulator/oauth/expire-tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"subdomain":"globex"}' });
      await client.request('GET', '/api/v2/users/me.json'); // 401, refresh, retry
      expect((await findConnection(deps.db, connection.id))?.status).toBe('active');

      await fetch(`${zendesk.url}/_emulator/oauth/expire-tokens`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"subdomain":"globex","include_refresh_tokens":true}',
      });
      await expect(client.request('GET', '/api/v2/users/me.json')).rejects.toMatchObject({ kind: 'unauthorized' });
      const after = await findConnection(deps.db, connection.id);
      expect(after?.status).toBe('needs_reauth');
      expect(after?.lastError).toMatch(/reconnect with OAuth/);
      await expect(zendeskClientFor(deps, connection.id)).rejects.toThrow(/needs reauth/);
    });
  });

  it('keeps every credential sealed: no secret in clear anywhere in the database', async () => {
    const tables = ['zendesk_connections', 'oauth_states', 'api_keys', 'sessions', 'users'];
    const dump = JSON.stringify(await Promise.all(tables.map((t) => deps.db.query(`SELECT * FROM ${t}`).then((r) => r.rows))));
    expect(dump).not.toContain(API_TOKEN);
    expect(dump).not.toContain(CLIENT_SECRET);
    expect(dump).not.toContain(adminKey);
    const secrets = [];
    for (const subdomain of ['acme', 'globex']) {
      const webhooks = (await zendeskGet(subdomain, '/api/v2/webhooks')).webhooks as Array<{ id: string }>;
      for (const webhook of webhooks) {
        const secret = await zendeskGet(subdomain, `/api/v2/webhooks/${webhook.id}/signing_secret`);
        secrets.push((secret.signing_secret as { secret: string }).secret);
      }
    }
    expect(secrets.length).toBeGreaterThan(0);
    signingSecrets.push(...secrets);
    for (const secret of secrets) expect(dump).not.toContain(secret);
    const listed = await app.inject({ method: 'GET', url: '/api/integrations/zendesk/connections', headers: { authorization: asAdmin.authorization() } });
    for (const secret of [...secrets, API_TOKEN]) expect(listed.body).not.toContain(secret);
  });

  it('rotates keys: re-sealed secrets open with the new key only, and the connection keeps working', async () => {
    // The new keyring keeps the old key (to open old values) and seals with the new one.
    const rotatedBox = createSecretBox(addKey(keyring, 'next'));
    const oldOnlyBox = deps.secrets;
    const result = await resealSecrets(deps.db, rotatedBox);
    expect(result.total).toBeGreaterThan(0);
    expect(result.resealed).toBe(result.total);
    expect(await resealSecrets(deps.db, rotatedBox)).toEqual({ resealed: 0, total: result.total });
    const { rows } = await deps.db.query<{ id: string; credentials_sealed: string | null }>(`SELECT id, credentials_sealed FROM zendesk_connections WHERE status = 'active'`);
    for (const row of rows) {
      expect(row.credentials_sealed).toMatch(/^enc:v1:next:/);
      expect(() => oldOnlyBox.open(row.credentials_sealed!, `zendesk_connections/${row.id}/credentials`)).toThrow(/key next, which is not configured/);
    }
    deps.secrets = rotatedBox; // from here on, the server runs with the rotated keyring
    const client = await zendeskClientFor(deps, rows[0]!.id);
    await client.request('GET', '/api/v2/users/me.json');
  });

  it('lets only admins connect or disconnect', async () => {
    const asCsm = await app.inject({ method: 'POST', url: '/api/integrations/zendesk/connect', headers: { authorization: `Bearer ${csmKey}` }, payload: { method: 'oauth', subdomain: 'acme' } });
    expect(asCsm.statusCode).toBe(403);
  });

  it('disconnects: removes our webhook and trigger from Zendesk, keeps or purges the tickets', async () => {
    const acme = (await deps.db.query<{ id: string; webhook_id: string }>(`SELECT id, webhook_id FROM zendesk_connections WHERE subdomain = 'acme'`)).rows[0]!;
    const response = await app.inject({ method: 'DELETE', url: `/api/integrations/zendesk/connections/${acme.id}`, headers: { authorization: asAdmin.authorization() } });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ disconnected: acme.id, purged: false, zendeskCleanup: [] });
    const webhooks = (await zendeskGet('acme', '/api/v2/webhooks')).webhooks as Array<{ id: string }>;
    expect(webhooks.map((w) => w.id)).not.toContain(acme.webhook_id);
    const triggers = (await zendeskGet('acme', '/api/v2/triggers')).triggers as Array<{ actions: Array<{ value: unknown[] }> }>;
    expect(triggers.filter((t) => t.actions.some((a) => a.value[0] === acme.webhook_id))).toHaveLength(0);
    const kept = await findConnection(deps.db, acme.id);
    expect(kept).toMatchObject({ status: 'disconnected', credentialsSealed: null, webhookSecretSealed: null });

    // Connecting again after a disconnect re-authorizes the same connection (its tickets stay).
    const again = await connect({ method: 'api_token', subdomain: 'acme', email: 'admin@example.com', apiToken: API_TOKEN });
    expect(again.statusCode).toBe(201);
    expect(again.json().connection.id).toBe(acme.id);

    const historyRows = async () =>
      (await deps.db.query<{ connection_id: string; n: number }>(`SELECT connection_id, count(*)::int AS n FROM zendesk_ticket_events GROUP BY connection_id`)).rows;
    await deps.db.query(
      `INSERT INTO zendesk_ticket_events (connection_id, zendesk_ticket_id, kind, occurred_at, source) SELECT id, 1, 'created', now(), 'import' FROM zendesk_connections`,
    );
    const before = await historyRows();
    expect(before.length).toBeGreaterThan(1);
    const purge = await app.inject({ method: 'DELETE', url: `/api/integrations/zendesk/connections/${acme.id}?purge=true`, headers: { authorization: asAdmin.authorization() } });
    expect(purge.json()).toMatchObject({ purged: true });
    expect(await findConnection(deps.db, acme.id)).toBeNull();
    // Its ticket history went with it (a delete trigger, migration 0015); the other connections' stayed.
    expect(await historyRows()).toEqual(before.filter((row) => row.connection_id !== acme.id));
  });

  it('never wrote a credential into the logs', () => {
    expect(logs.length).toBeGreaterThan(1000); // requests were logged
    expect(signingSecrets.length).toBeGreaterThan(0);
    for (const secret of [API_TOKEN, CLIENT_SECRET, adminKey, csmKey, ...signingSecrets]) expect(logs).not.toContain(secret);
    expect(logs).not.toMatch(/"authorization":"(Bearer|Basic) /i);
  });
});
