import { afterEach, describe, expect, it } from 'vitest';
import { type TestEmulator, testEmulator } from '../testing/test-emulator.ts';

describe('rate limits', () => {
  let t: TestEmulator;
  afterEach(() => t.emulator.close());

  it('are off by default: no rate-limit headers, no 429', async () => {
    t = await testEmulator({ tickets: 20, users: 20 });
    for (let i = 0; i < 15; i++) expect((await t.request('GET', '/acme/api/v2/incremental/tickets/cursor.json?start_time=0')).status).toBe(200);
    const response = await t.request('GET', '/acme/api/v2/tickets.json');
    expect(response.headers['x-rate-limit']).toBeUndefined();
  });

  it('realistic: account headers on every response, tickets-index headers on ticket lists', async () => {
    t = await testEmulator({ tickets: 20, users: 20, rateLimits: 'realistic' });
    const show = await t.request('GET', '/acme/api/v2/tickets/1.json');
    expect(show.headers['x-rate-limit']).toBe('700');
    expect(show.headers['x-rate-limit-remaining']).toBe('699');
    expect(show.headers['ratelimit-limit']).toBe('700');
    expect(show.headers['ratelimit-remaining']).toBe('699');
    expect(Number(show.headers['ratelimit-reset'])).toBeGreaterThan(0);
    expect(show.headers['zendesk-ratelimit-tickets-index']).toBeUndefined();
    const list = await t.request('GET', '/acme/api/v2/tickets.json');
    expect(list.headers['x-rate-limit-remaining']).toBe('698');
    expect(list.headers['zendesk-ratelimit-tickets-index']).toMatch(/^total=100; remaining=99; resets=\d+$/);
  });

  it('realistic: the 11th export request in a minute gets 429 with Retry-After; the next window serves again', async () => {
    t = await testEmulator({ tickets: 20, users: 20, rateLimits: 'realistic', timeScale: 60 });
    for (let i = 0; i < 10; i++) {
      const ok = await t.request('GET', '/acme/api/v2/incremental/tickets/cursor.json?start_time=0');
      expect(ok.status).toBe(200);
      expect(ok.headers['zendesk-ratelimit-incremental-exports']).toMatch(new RegExp(`^total=10; remaining=${9 - i}; resets=\\d+$`));
    }
    const limited = await t.request('GET', '/acme/api/v2/incremental/tickets/cursor.json?start_time=0');
    expect(limited.status).toBe(429);
    expect(limited.json).toEqual({ error: 'APIRateLimitExceeded', description: 'Number of allowed incremental export API requests per minute exceeded' });
    // Time scale 60: a one-minute window is one real second.
    expect(limited.headers['retry-after']).toBe('1');
    expect((await t.request('GET', '/acme/api/v2/tickets/1.json')).status).toBe(200);
    t.clock.advance(60_000);
    expect((await t.request('GET', '/acme/api/v2/incremental/tickets/cursor.json?start_time=0')).status).toBe(200);
  });

  it('realistic: the account limit answers 429 in plain text with Retry-After in real seconds', async () => {
    t = await testEmulator({ tickets: 20, users: 20, rateLimits: 'realistic', accountRateLimit: 5 });
    for (let i = 0; i < 5; i++) expect((await t.request('GET', '/acme/api/v2/users/me.json')).status).toBe(200);
    const limited = await t.request('GET', '/acme/api/v2/users/me.json');
    expect(limited.status).toBe(429);
    expect(limited.text).toBe('Number of allowed API requests per minute exceeded');
    expect(limited.headers['retry-after']).toBe('60');
    expect(limited.headers['x-rate-limit-remaining']).toBe('0');
    t.clock.advance(30_000);
    expect((await t.request('GET', '/acme/api/v2/users/me.json')).headers['retry-after']).toBe('30');
    t.clock.advance(30_000);
    expect((await t.request('GET', '/acme/api/v2/users/me.json')).status).toBe(200);
  });

  it('counts each account separately', async () => {
    t = await testEmulator({ tickets: 20, users: 20, subdomains: ['acme', 'globex'], rateLimits: 'realistic', accountRateLimit: 2 });
    await t.request('GET', '/acme/api/v2/users/me.json');
    await t.request('GET', '/acme/api/v2/users/me.json');
    expect((await t.request('GET', '/acme/api/v2/users/me.json')).status).toBe(429);
    expect((await t.request('GET', '/globex/api/v2/users/me.json')).status).toBe(200);
  });
});
