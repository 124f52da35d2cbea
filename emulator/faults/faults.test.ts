import { afterEach, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../app.ts';
import { NO_FAULTS, parseFaultSpec } from './faults.ts';
import { ADMIN, TOKEN, type TestEmulator, testEmulator } from '../testing/test-emulator.ts';

describe('fault spec', () => {
  it('parses the --faults syntax', () => {
    expect(parseFaultSpec('5xx=0.2,latency=50ms,reset=0.05,malformed=0.1')).toEqual({
      serverErrorRate: 0.2,
      latencyMs: 50,
      resetRate: 0.05,
      malformedRate: 0.1,
    });
    expect(parseFaultSpec('latency=2s')).toEqual({ ...NO_FAULTS, latencyMs: 2000 });
    expect(() => parseFaultSpec('5xx=2')).toThrow();
    expect(() => parseFaultSpec('gremlins=1')).toThrow(/unknown fault/);
  });
});

describe('fault injection', () => {
  let t: TestEmulator;
  afterEach(() => t?.emulator.close());
  const small = { tickets: 20, users: 20 };

  it('answers 500, 502 and 503 at the configured rate, never on /_emulator', async () => {
    t = await testEmulator({ ...small, faults: '5xx=1' });
    const statuses = new Set<number>();
    for (let i = 0; i < 30; i++) statuses.add((await t.request('GET', '/acme/api/v2/tickets/1.json')).status);
    expect(statuses).toEqual(new Set([500, 502, 503]));
    expect((await t.request('GET', '/_emulator/faults')).status).toBe(200);
  });

  it('replays the same faults for the same seed', async () => {
    const run = async (): Promise<number[]> => {
      const seeded = await testEmulator({ ...small, seed: 42, faults: '5xx=0.5' });
      const statuses: number[] = [];
      for (let i = 0; i < 20; i++) statuses.push((await seeded.request('GET', '/acme/api/v2/tickets/1.json')).status);
      await seeded.emulator.close();
      return statuses;
    };
    const first = await run();
    expect(first).toContain(200);
    expect(first.some((s) => s >= 500)).toBe(true);
    expect(await run()).toEqual(first);
    t = await testEmulator(small);
  });

  it('truncates successful JSON bodies when malformed', async () => {
    t = await testEmulator({ ...small, faults: 'malformed=1' });
    const response = await t.request('GET', '/acme/api/v2/tickets.json');
    expect(response.status).toBe(200);
    expect(() => JSON.parse(response.text)).toThrow();
  });

  it('is reconfigured at run time with PUT /_emulator/faults, including a 429 storm', async () => {
    t = await testEmulator(small);
    expect((await t.request('GET', '/_emulator/faults')).json).toEqual({ '5xx': 0, latency: '0ms', reset: 0, malformed: 0, storm429: null });
    const set = await t.request('PUT', '/_emulator/faults', { body: { storm429: { seconds: 10 }, latency: '1ms' } });
    expect(set.json.storm429).toEqual({ seconds: 10 });
    const stormed = await t.request('GET', '/acme/api/v2/tickets/1.json');
    expect(stormed.status).toBe(429);
    expect(stormed.headers['retry-after']).toBe('10');
    t.clock.advance(10_000);
    expect((await t.request('GET', '/acme/api/v2/tickets/1.json')).status).toBe(200);
    expect((await t.request('PUT', '/_emulator/faults', { body: { '5xx': 7 } })).status).toBe(400);
  });
});

describe('dropped connections', () => {
  let running: RunningEmulator;
  afterEach(() => running.close());

  it('destroys the socket without an answer', async () => {
    running = await startEmulator({ port: 0, tickets: 5, users: 5, organizations: 1, apiToken: TOKEN, integrations: false, faults: 'reset=1' });
    await expect(fetch(`${running.url}/acme/api/v2/tickets/1.json`, { headers: { authorization: ADMIN } })).rejects.toThrow();
    const info = await fetch(`${running.url}/_emulator/faults`);
    expect(info.status).toBe(200);
  });
});
