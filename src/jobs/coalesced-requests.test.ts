import { describe, expect, it } from 'vitest';
import { coalescedRequests } from './coalesced-requests.ts';

/** A send whose completion the test controls, recording when each send started. */
function controlledSends() {
  const started: Array<{ key: string; finish(): void; fail(error: Error): void }> = [];
  const send = (key: string) => () =>
    new Promise<void>((resolve, reject) => {
      started.push({ key, finish: resolve, fail: reject });
    });
  return { started, send };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('coalesced requests', () => {
  it('answers a burst with the send in flight plus one more that starts after the last request', async () => {
    const request = coalescedRequests();
    const { started, send } = controlledSends();
    const first = request('a', send('a'));
    const burst = Array.from({ length: 10 }, () => request('a', send('a')));
    expect(started).toHaveLength(1);
    started[0]!.finish();
    await first;
    await tick();
    // One trailing send for all ten, started after every one of them was asked.
    expect(started).toHaveLength(2);
    let settled = false;
    void Promise.all(burst).then(() => (settled = true));
    await tick();
    expect(settled).toBe(false);
    started[1]!.finish();
    await Promise.all(burst);
    // Idle again: the next request sends at once.
    await tick();
    void request('a', send('a'));
    expect(started).toHaveLength(3);
  });

  it('keeps keys apart, and a failed send fails only its own callers', async () => {
    const request = coalescedRequests();
    const { started, send } = controlledSends();
    const a = request('a', send('a'));
    const b = request('b', send('b'));
    expect(started.map((s) => s.key)).toEqual(['a', 'b']);
    const behindA = request('a', send('a'));
    started[0]!.fail(new Error('database down'));
    await expect(a).rejects.toThrow('database down');
    await tick();
    expect(started.map((s) => s.key)).toEqual(['a', 'b', 'a']);
    started[2]!.finish();
    started[1]!.finish();
    await expect(behindA).resolves.toBeUndefined();
    await expect(b).resolves.toBeUndefined();
  });
});

describe('coalesced requests with a minimum spacing', () => {
  it('starts the trailing send no sooner than the spacing after the previous one', async () => {
    const request = coalescedRequests(80);
    const starts: number[] = [];
    const send = async () => {
      starts.push(Date.now());
    };
    // The first send is in flight while the others arrive: they share one trailing send.
    await Promise.all([request('a', send), request('a', send), request('a', send), request('a', send)]);
    expect(starts).toHaveLength(2);
    expect((starts[1] as number) - (starts[0] as number)).toBeGreaterThanOrEqual(75);
  });

  it('coalesces requests that come after a quick send settled but within the spacing', async () => {
    const request = coalescedRequests(80);
    let sends = 0;
    const send = async () => {
      sends += 1;
    };
    await request('a', send); // settles at once
    await new Promise((resolve) => setTimeout(resolve, 10)); // settled and forgotten, were it not for the spacing
    const later = [request('a', send), request('a', send), request('a', send)];
    expect(sends).toBe(1);
    await Promise.all(later);
    expect(sends).toBe(2);
  });
});
