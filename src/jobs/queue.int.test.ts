import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Db, QueryResult, Row } from '../db/db.ts';
import { postgresDb } from '../db/postgres-db.ts';
import { createTestDb, testDatabaseUrl, type TestDb } from '../db/test-db.ts';
import { createLogger } from '../lib/logger.ts';
import { pgBossDb } from './pg-boss-db.ts';
import { createJobQueue, type JobQueue } from './queue.ts';

const engine = testDatabaseUrl() ? 'postgres' : 'pglite';

/** Polls until `check` holds; the test's own timeout bounds the wait (no timing assertion). */
async function waitFor(check: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await check())) await sleep(10);
}

/** A Db that counts pg-boss's fetch queries for one queue, to know when a worker has polled. */
function countingFetches(db: Db, queue: string): { db: Db; fetches: () => number } {
  let fetches = 0;
  const spy: Db = {
    engine: db.engine,
    async query<R extends object = Row>(text: string, params?: readonly unknown[]): Promise<QueryResult<R>> {
      const result = await db.query<R>(text, params);
      if (text.includes('SKIP LOCKED') && params?.[0] === queue) fetches += 1;
      return result;
    },
    exec: (text) => db.exec(text),
    execResult: (text) => db.execResult(text),
    transaction: (fn) => db.transaction(fn),
    close: () => db.close(),
  };
  return { db: spy, fetches: () => fetches };
}

describe(`job queue on ${engine}`, () => {
  let testDb: TestDb;
  let schema: string;
  const logLines: string[] = [];
  const logger = createLogger('info', { write: (line: string) => void logLines.push(line) });
  const opened: JobQueue[] = [];

  const openQueue = async (db: Db = testDb.db): Promise<JobQueue> => {
    const queue = createJobQueue(db, { schema, logger });
    opened.push(queue);
    await queue.start();
    return queue;
  };

  beforeAll(async () => {
    testDb = await createTestDb({ migrate: false });
    schema = `pgboss_${testDb.schema}`;
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((queue) => queue.stop({ timeoutMs: 1000 })));
  });
  afterAll(async () => {
    if (testDb && engine === 'postgres') await testDb.db.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await testDb?.destroy();
  });

  it('hands the sent data to the handler, then counts the job completed', async () => {
    const queue = await openQueue();
    const received: Array<{ id: string; data: { ticketId: number } }> = [];
    await queue.work<{ ticketId: number }>('deliver', { pollingIntervalSeconds: 0.5 }, async (jobs) => {
      received.push(...jobs);
    });
    const id = await queue.send('deliver', { ticketId: 42 });
    queue.notify('deliver');
    await waitFor(async () => (await queue.counts('deliver')).completed === 1);
    expect(received).toEqual([{ id, data: { ticketId: 42 } }]);
    expect(await queue.counts('deliver')).toEqual({ queued: 0, active: 0, failed: 0, completed: 1 });
  });

  it('retries a job whose handler throws, logs the error without the job data, then completes it', async () => {
    const queue = await openQueue();
    const attempts: string[] = [];
    await queue.work<{ secret: string }>('flaky', { pollingIntervalSeconds: 0.5 }, async (jobs) => {
      attempts.push(...jobs.map((job) => job.id));
      if (attempts.length === 1) throw new Error('zendesk said 503');
    });
    const id = await queue.send('flaky', { secret: 'payload-value' }, { retryLimit: 2, retryDelaySeconds: 0 });
    queue.notify('flaky');
    await waitFor(async () => (await queue.counts('flaky')).completed === 1);
    expect(attempts).toEqual([id, id]);
    const logged = logLines.filter((line) => line.includes('zendesk said 503'));
    expect(logged).toHaveLength(1);
    expect(JSON.parse(logged[0] ?? '{}')).toMatchObject({ level: 50, queue: 'flaky', jobIds: [id], err: { message: 'zendesk said 503' } });
    expect(logged[0]).not.toContain('payload-value');
  });

  it('fails a job for good once its retries are used up', async () => {
    const queue = await openQueue();
    let attempts = 0;
    await queue.work('doomed', { pollingIntervalSeconds: 0.5 }, async () => {
      attempts += 1;
      throw new Error('always broken');
    });
    await queue.send('doomed', {}, { retryLimit: 1, retryDelaySeconds: 0 });
    queue.notify('doomed');
    await waitFor(async () => (await queue.counts('doomed')).failed === 1);
    expect(attempts).toBe(2);
    expect(await queue.counts('doomed')).toEqual({ queued: 0, active: 0, failed: 1, completed: 0 });
  });

  it('keeps one waiting job per singletonKey, and takes a new one once it has started', async () => {
    const queue = await openQueue();
    const first = await queue.send('recompute', { customerId: 'c1' }, { singletonKey: 'c1' });
    expect(first).toEqual(expect.any(String));
    expect(await queue.send('recompute', { customerId: 'c1' }, { singletonKey: 'c1' })).toBeNull();
    expect(await queue.send('recompute', { customerId: 'c2' }, { singletonKey: 'c2' })).toEqual(expect.any(String));
    // Jobs without a key never dedupe one another.
    expect(await queue.send('recompute', {})).toEqual(expect.any(String));
    expect(await queue.send('recompute', {})).toEqual(expect.any(String));
    expect(await queue.counts('recompute')).toMatchObject({ queued: 4 });

    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const started: string[] = [];
    await queue.work('recompute', { pollingIntervalSeconds: 0.5 }, async (jobs) => {
      started.push(...jobs.map((job) => job.id));
      await gate;
    });
    await waitFor(() => started.includes(first ?? ''));
    // c1 runs now: a change that arrives meanwhile queues a new job instead of being lost.
    expect(await queue.send('recompute', { customerId: 'c1' }, { singletonKey: 'c1' })).toEqual(expect.any(String));
    expect(await queue.send('recompute', { customerId: 'c1' }, { singletonKey: 'c1' })).toBeNull();
    release();
    await waitFor(async () => (await queue.counts('recompute')).completed === 5);
  });

  it('starts a notified job at once, while an idle worker without notify waits for its next poll', async () => {
    const spy = countingFetches(testDb.db, 'wake');
    const queue = await openQueue(spy.db);
    const handled: string[] = [];
    await queue.work('wake', { pollingIntervalSeconds: 120 }, async (jobs) => {
      handled.push(...jobs.map((job) => job.id));
    });
    await waitFor(() => spy.fetches() >= 1); // the worker found nothing and sleeps for 2 minutes
    await sleep(50);
    const fetchesWhileIdle = spy.fetches();

    const id = await queue.send('wake', {});
    await sleep(300);
    expect(spy.fetches()).toBe(fetchesWhileIdle);
    expect(await queue.counts('wake')).toMatchObject({ queued: 1, completed: 0 });

    queue.notify('wake');
    await waitFor(() => handled.length === 1); // long before the next poll
    expect(handled).toEqual([id]);
  });

  it('runs every job exactly once with two queue instances on one database', async () => {
    const otherDb = engine === 'postgres' ? postgresDb({ connectionString: testDatabaseUrl() ?? '', schema: testDb.schema, maxConnections: 4 }) : testDb.db;
    try {
      const [a, b] = await Promise.all([openQueue(), openQueue(otherDb)]);
      if (!a || !b) throw new Error('unreachable');
      const handled = new Map<string, number>();
      const byInstance = { a: 0, b: 0 };
      const handler = (instance: 'a' | 'b') => async (jobs: Array<{ id: string; data: { n: number } }>) => {
        for (const job of jobs) handled.set(job.id, (handled.get(job.id) ?? 0) + 1);
        byInstance[instance] += jobs.length;
        await sleep(1);
      };
      await a.work('many', { batchSize: 5, pollingIntervalSeconds: 0.5 }, handler('a'));
      await b.work('many', { batchSize: 5, pollingIntervalSeconds: 0.5 }, handler('b'));
      const ids: Array<string | null> = [];
      for (let n = 0; n < 200; n += 1) {
        const sender = n % 2 === 0 ? a : b;
        ids.push(await sender.send('many', { n }));
        sender.notify('many');
      }
      await waitFor(async () => (await a.counts('many')).completed === 200);
      expect(new Set(ids).size).toBe(200);
      expect([...handled.keys()].sort()).toEqual([...ids].sort());
      expect([...handled.values()].every((times) => times === 1)).toBe(true);
      expect(byInstance.a + byInstance.b).toBe(200);
      expect(byInstance.a).toBeGreaterThan(0);
      expect(byInstance.b).toBeGreaterThan(0);
    } finally {
      await Promise.all(opened.splice(0).map((queue) => queue.stop({ timeoutMs: 1000 })));
      if (otherDb !== testDb.db) await otherDb.close();
    }
  });

  it('lets several processes install pg-boss and create the same queues at once (PostgreSQL: separate pools)', async () => {
    // Found by the scale-out test: processes starting together raced on pg-boss's schema and
    // deadlocked creating queues.
    const raceSchema = `${schema}_race`;
    const dbs = engine === 'postgres'
      ? Array.from({ length: 4 }, () => postgresDb({ connectionString: testDatabaseUrl() ?? '', schema: testDb.schema, maxConnections: 4 }))
      : [testDb.db, testDb.db, testDb.db, testDb.db];
    const queues = dbs.map((db) => createJobQueue(db, { schema: raceSchema, logger }));
    try {
      await Promise.all(queues.map((queue) => queue.start()));
      await Promise.all(queues.flatMap((queue) => ['race-a', 'race-b', 'race-c'].map((name) => queue.work(name, {}, async () => {}))));
      expect(await queues[0]!.send('race-b', { n: 1 })).toEqual(expect.any(String));
    } finally {
      await Promise.all(queues.map((queue) => queue.stop({ timeoutMs: 1000 })));
      if (engine === 'postgres') {
        await testDb.db.exec(`DROP SCHEMA IF EXISTS ${raceSchema} CASCADE`);
        await Promise.all(dbs.map((db) => db.close()));
      }
    }
  });

  it('stop waits for a running handler to finish (and lets it enqueue a follow-up) before it resolves', async () => {
    const queue = await openQueue();
    const events: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let followUp: string | null = null;
    await queue.work('slow', { pollingIntervalSeconds: 0.5 }, async () => {
      events.push('handler started');
      await gate;
      followUp = await queue.send('slow-next', {});
      events.push('handler finished');
    });
    await queue.send('slow', {});
    queue.notify('slow');
    await waitFor(() => events.includes('handler started'));

    const stopped = queue.stop({ timeoutMs: 20_000 }).then(() => events.push('stopped'));
    await sleep(100);
    expect(events).toEqual(['handler started']);
    release();
    await stopped;
    expect(events).toEqual(['handler started', 'handler finished', 'stopped']);
    expect(await queue.counts('slow')).toMatchObject({ completed: 1, active: 0 });
    expect(followUp).toEqual(expect.any(String));
    expect(await queue.counts('slow-next')).toMatchObject({ queued: 1 });
  });

  it('stop gives up on a handler after timeoutMs and fails its job for a retry', async () => {
    const queue = await openQueue();
    let started = false;
    await queue.work('stuck', { pollingIntervalSeconds: 0.5 }, async () => {
      started = true;
      await new Promise(() => {});
    });
    await queue.send('stuck', {}, { retryLimit: 3 });
    queue.notify('stuck');
    await waitFor(() => started);
    await queue.stop({ timeoutMs: 100 });
    expect(await queue.counts('stuck')).toEqual({ queued: 1, active: 0, failed: 0, completed: 0 });
  });

  it('refuses to send before start', async () => {
    const queue = createJobQueue(testDb.db, { schema, logger });
    await expect(queue.send('early', {})).rejects.toThrow(/needs a started queue/);
  });

  it('leaves the database usable after a pg-boss script fails inside its own BEGIN', async () => {
    const adapter = pgBossDb(testDb.db);
    const failing = adapter.executeSql('BEGIN; SELECT 1; SELECT 1 / 0; COMMIT;', []);
    const queued = testDb.db.query<{ one: number }>('SELECT 1 AS one');
    await expect(failing).rejects.toThrow(/division by zero/);
    expect((await queued).rows).toEqual([{ one: 1 }]);
    expect((await adapter.executeSql('SELECT 2 AS two; SELECT 3 AS three', [])).rows).toEqual([{ three: 3 }]);
  });
});
