import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { freePort } from '../../test/process-helpers.ts';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ZendeskClient, type ZendeskCredentials } from './client.ts';
import { ZendeskError } from './errors.ts';

// A scripted HTTP peer: each request takes the next planned answer. This tests the client's
// retry and classification rules at the network edge; its fidelity to Zendesk is tested against
// the emulator.
type Answer = { status: number; headers?: Record<string, string>; body?: string } | 'reset';
let plan: Answer[] = [];
let seen: Array<{ method?: string; url?: string; authorization?: string; body: string }> = [];
let server: Server;
let baseUrl: string;

beforeAll(async () => {
  server = createServer((request: IncomingMessage, response: ServerResponse) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      seen.push({ method: request.method, url: request.url, authorization: request.headers.authorization, body });
      const answer = plan.shift() ?? { status: 500, body: '{"error":"unplanned"}' };
      if (answer === 'reset') {
        request.socket.destroy();
        return;
      }
      response.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      response.end(answer.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/acme`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  plan = [];
  seen = [];
});

const me = z.object({ user: z.object({ id: z.number(), email: z.string() }) });
const sleeps: number[] = [];
function client(credentials: ZendeskCredentials = { method: 'api_token', email: 'admin@example.com', apiToken: 'tok' }, extra = {}) {
  sleeps.length = 0;
  return new ZendeskClient({
    baseUrl,
    credentials: () => credentials,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
    ...extra,
  });
}

describe('ZendeskClient', () => {
  it('sends API-token Basic auth as {email}/token:{token} and validates the answer', async () => {
    plan = [{ status: 200, body: '{"user":{"id":7,"email":"admin@example.com","extra":true}}' }];
    const result = await client().request('GET', '/api/v2/users/me.json', { schema: me });
    expect(result).toEqual({ user: { id: 7, email: 'admin@example.com' } });
    expect(seen[0]?.url).toBe('/acme/api/v2/users/me.json');
    expect(Buffer.from(seen[0]?.authorization?.replace('Basic ', '') ?? '', 'base64').toString()).toBe('admin@example.com/token:tok');
  });

  it('sends OAuth tokens as Bearer', async () => {
    plan = [{ status: 200, body: '{"user":{"id":7,"email":"a@b.c"}}' }];
    await client({ method: 'oauth', accessToken: 'at-1' }).request('GET', '/api/v2/users/me.json', { schema: me });
    expect(seen[0]?.authorization).toBe('Bearer at-1');
  });

  it('retries 5xx and dropped connections with growing backoff, then succeeds', async () => {
    plan = [{ status: 503 }, 'reset', { status: 502 }, { status: 200, body: '{"user":{"id":1,"email":"x"}}' }];
    const result = await client().request('GET', '/api/v2/users/me.json', { schema: me });
    expect(result.user.id).toBe(1);
    expect(seen).toHaveLength(4);
    expect(sleeps).toEqual([375, 750, 1500]);
  });

  it('waits exactly Retry-After on a 429', async () => {
    plan = [{ status: 429, headers: { 'retry-after': '7' } }, { status: 200, body: '{"user":{"id":1,"email":"x"}}' }];
    await client().request('GET', '/api/v2/users/me.json', { schema: me });
    expect(sleeps).toEqual([7000]);
  });

  it('gives up on a 429 that asks for longer than it will wait', async () => {
    plan = [{ status: 429, headers: { 'retry-after': '3600' } }];
    await expect(client().request('GET', '/api/v2/x.json', { schema: me })).rejects.toMatchObject({ kind: 'rate_limited', status: 429 });
  });

  it('classifies 401, 403, 404, 422 and a 5xx that persists, quoting what Zendesk said', async () => {
    plan = [{ status: 401, body: '{"error":"Couldn\'t authenticate you"}' }];
    await expect(client().request('GET', '/api/v2/users/me.json')).rejects.toMatchObject({ kind: 'unauthorized', message: expect.stringContaining("Couldn't authenticate you") });
    plan = [{ status: 403, body: '{"error":"Forbidden","description":"You do not have access"}' }];
    await expect(client().request('GET', '/api/v2/x.json')).rejects.toMatchObject({ kind: 'forbidden' });
    plan = [{ status: 404, body: '{"error":"RecordNotFound","description":"Not found"}' }];
    await expect(client().request('GET', '/api/v2/tickets/9.json')).rejects.toMatchObject({ kind: 'not_found', zendeskError: 'RecordNotFound' });
    plan = [{ status: 422, body: '{"error":"RecordInvalid","description":"Record validation errors"}' }];
    await expect(client().request('PUT', '/api/v2/tickets/9.json', { body: {} })).rejects.toMatchObject({ kind: 'rejected', status: 422 });
    plan = Array.from({ length: 5 }, () => ({ status: 500 }));
    await expect(client().request('GET', '/api/v2/x.json')).rejects.toMatchObject({ kind: 'server_error', status: 500 });
    // one 403, then five attempts at the failing 5xx
    expect(seen.filter((r) => r.url === '/acme/api/v2/x.json')).toHaveLength(6);
  });

  it('says unreachable when nothing answers', async () => {
    const closedPort = await freePort();
    const offline = new ZendeskClient({
      baseUrl: `http://127.0.0.1:${closedPort}/acme`,
      credentials: () => ({ method: 'oauth', accessToken: 'x' }),
      retry: { attempts: 2 },
      sleep: async () => {},
    });
    const error = await offline.request('GET', '/api/v2/users/me.json').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ZendeskError);
    expect(error).toMatchObject({ kind: 'unreachable', message: expect.stringMatching(new RegExp(`could not reach Zendesk at 127\\.0\\.0\\.1:${closedPort}: .*ECONNREFUSED`)) });
  });

  it('refreshes once on a 401 and retries with the new credentials', async () => {
    let token = 'old';
    let refreshes = 0;
    const c = client(undefined, {
      credentials: () => ({ method: 'oauth', accessToken: token }),
      onUnauthorized: async () => {
        refreshes += 1;
        token = 'new';
        return true;
      },
    });
    plan = [{ status: 401, body: '{"error":"invalid_token"}' }, { status: 200, body: '{"user":{"id":1,"email":"x"}}' }];
    await c.request('GET', '/api/v2/users/me.json', { schema: me });
    expect(refreshes).toBe(1);
    expect(seen.map((r) => r.authorization)).toEqual(['Bearer old', 'Bearer new']);
    // A second 401 after the refresh is final: no refresh storm.
    plan = [{ status: 401 }, { status: 401 }];
    await expect(c.request('GET', '/api/v2/users/me.json', { schema: me })).rejects.toMatchObject({ kind: 'unauthorized' });
    expect(refreshes).toBe(2);
  });

  it('says so when a 2xx body is not what the docs describe', async () => {
    plan = [{ status: 200, body: '{"user":{"id":"seven"}}' }];
    await expect(client().request('GET', '/api/v2/users/me.json', { schema: me })).rejects.toMatchObject({
      kind: 'invalid_response',
      message: expect.stringContaining('user.id'),
    });
    plan = Array.from({ length: 5 }, () => ({ status: 200, body: '{"user":' }));
    await expect(client().request('GET', '/api/v2/users/me.json', { schema: me })).rejects.toMatchObject({ kind: 'invalid_response' });
  });

  it('retries a body cut short, like a dropped connection', async () => {
    plan = [{ status: 200, body: '{"user":{"id":1,' }, { status: 200, body: '{"user":{"id":1,"email":"x"}}' }];
    expect(await client().request('GET', '/api/v2/users/me.json', { schema: me })).toEqual({ user: { id: 1, email: 'x' } });
    expect(seen).toHaveLength(2);
  });

  it('waits for the pacer before every attempt', async () => {
    const paced: string[] = [];
    plan = [{ status: 503 }, { status: 200, body: '{"user":{"id":1,"email":"x"}}' }];
    await client(undefined, { pace: async (path: string) => void paced.push(path) }).request('GET', '/api/v2/users/me.json', { schema: me });
    expect(paced).toEqual(['/acme/api/v2/users/me.json', '/acme/api/v2/users/me.json']);
  });
});

describe('ZendeskClient writes', () => {
  it('does not retry a write that Zendesk may have acted on (5xx), but does after a 429', async () => {
    plan = [{ status: 502 }];
    await expect(client().request('PUT', '/api/v2/tickets/1.json', { body: { ticket: { comment: { body: 'x' } } } })).rejects.toMatchObject({ kind: 'server_error' });
    expect(seen).toHaveLength(1);
    plan = [{ status: 429, headers: { 'retry-after': '1' } }, { status: 200, body: '{}' }];
    await client().request('PUT', '/api/v2/tickets/1.json', { body: {} });
    expect(seen).toHaveLength(3);
    plan = [{ status: 503 }, { status: 200, body: '{}' }];
    await client().request('PUT', '/api/v2/tickets/1.json', { body: {}, idempotent: true });
    expect(seen).toHaveLength(5);
  });
});
