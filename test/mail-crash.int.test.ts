/**
 * Alert emails across SIGKILLs: the worker is killed at random moments while it sends the mails of
 * a batch of alerts to a real SMTP server on loopback that takes its time to accept each one. The
 * server keeps a message only once it has answered "250 OK" to a client still connected (a
 * connection lost before that reply is a mail the client must send again). After the last restart
 * every alert's mail has arrived exactly once: none lost, none doubled.
 */
import { mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../src/db/db.ts';
import { migrate } from '../src/db/migrate.ts';
import { openDatabase } from '../src/db/open-db.ts';
import { createTestDb, testDatabaseUrl, type TestDb } from '../src/db/test-db.ts';
import { createUser } from '../src/modules/users/auth.service.ts';
import { freePort, runScript, type RunningProcess } from './process-helpers.ts';

/** Enough mails that the worker is still sending when it is killed (it sends a few at once). */
const ALERTS = 40;
const KILLS = 5;
/** How long the server takes to accept a mail: kills land while mails are in flight. */
const ACCEPT_DELAY_MS = 400;
const engine = testDatabaseUrl() ? 'postgres' : 'pglite';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe(`alert emails across SIGKILLs (${engine})`, () => {
  let smtp: SMTPServer;
  let smtpPort: number;
  let testDb: TestDb | undefined;
  let dataDir: string;
  const processes: RunningProcess[] = [];
  /** Message-IDs of the mails the server accepted. */
  const accepted: string[] = [];
  /** SMTP sessions whose client went away; mails whose client died before the reply. */
  const closed = new Set<string>();
  let lostInFlight = 0;
  /** Called when the server starts accepting a mail (a kill now lands while it is in flight). */
  let onMailInFlight: (() => void) | undefined;
  const mailInFlight = (timeoutMs: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      onMailInFlight = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  const openOurs = async (): Promise<Db> => (testDb ? testDb.db : openDatabase({ databaseUrl: undefined, dataDir }));
  const closeOurs = async (db: Db) => {
    if (!testDb) await db.close();
  };
  const startWorker = async () => {
    const running = runScript('src/main.ts', ['worker'], {
      PORT: String(await freePort()),
      SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
      PUBLIC_URL: 'https://cscx.example.com',
      LOG_LEVEL: 'warn',
      ENCRYPTION_KEY: 'k1:' + Buffer.alloc(32, 7).toString('base64'),
      ...(testDb
        ? { DATABASE_URL: `${testDatabaseUrl()}?options=${encodeURIComponent(`-c search_path=${testDb.schema}`)}`, DATA_DIR: dataDir }
        : { DATABASE_URL: '', DATA_DIR: dataDir }),
    });
    processes.push(running);
    await running.waitForLine(/worker running/);
    return running;
  };

  beforeAll(async () => {
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onClose(session, callback) {
        closed.add(session.id);
        callback?.();
      },
      onData(stream, session, callback) {
        simpleParser(stream)
          .then(async (mail) => {
            onMailInFlight?.();
            await sleep(ACCEPT_DELAY_MS);
            // A client killed meanwhile never hears "250 OK": the message is not kept.
            if (!closed.has(session.id) && mail.messageId) accepted.push(mail.messageId);
            else lostInFlight += 1;
            callback();
          })
          .catch(callback);
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    smtpPort = (smtp.server.address() as AddressInfo).port;
    dataDir = mkdtempSync(join(tmpdir(), 'cscx-mail-crash-'));
    if (engine === 'postgres') testDb = await createTestDb();
  });
  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop('SIGKILL')));
    await new Promise<void>((resolve) => smtp?.close(() => resolve()));
    await testDb?.destroy();
  });

  it('delivers every alert mail exactly once', { timeout: 300_000 }, async () => {
    const db = await openOurs();
    await migrate(db);
    const csm = await createUser(db, { email: 'casey@example.com', name: 'Casey', role: 'csm', password: null });
    const customer = (await db.query<{ id: string }>(`INSERT INTO customers (name, csm_id) VALUES ('Acme', $1) RETURNING id`, [csm.id])).rows[0]!.id;
    const alertIds: string[] = [];
    for (let i = 0; i < ALERTS; i += 1) {
      const { rows } = await db.query<{ id: string }>(
        `INSERT INTO alerts (dedupe_key, type, customer_id, occurred_at, details) VALUES ($1, 'escalation', $2, now(), '{"subject":"Outage"}') RETURNING id`,
        [`crash:${i}`, customer],
      );
      alertIds.push(rows[0]!.id);
      await db.query(`INSERT INTO alert_recipients (alert_id, user_id) VALUES ($1, $2)`, [rows[0]!.id, csm.id]);
      await db.query(`INSERT INTO alert_deliveries (alert_id, user_id, channel) VALUES ($1, $2, 'email')`, [rows[0]!.id, csm.id]);
    }
    await closeOurs(db);

    for (let life = 0; life < KILLS; life += 1) {
      const worker = await startWorker();
      // Killed while a mail is in flight: somewhere inside the server's accept delay. The first life
      // claims every mail, so it waits for one to be in flight however slow its start; the later
      // lives find the claims standing and are killed at a random moment of their own.
      await mailInFlight(life === 0 ? 60_000 : 1_500);
      await sleep(Math.random() * (ACCEPT_DELAY_MS / 2));
      await worker.stop('SIGKILL');
    }
    // The last life runs until every mail has arrived (a killed claim comes due after a minute).
    const last = await startWorker();
    const deadline = Date.now() + 150_000;
    while (new Set(accepted).size < ALERTS && Date.now() < deadline) await sleep(500);
    await sleep(3_000); // a double would show up here
    await last.stop('SIGTERM');

    // The kills did land while mails were in flight (else this test would prove nothing).
    expect(lostInFlight).toBeGreaterThan(0);
    const expected = alertIds.map((id) => `<alert-${id}-${csm.id}@cscx>`).sort();
    expect([...accepted].sort()).toEqual(expected);
    const check = await openOurs();
    try {
      const { rows } = await check.query<{ status: string; n: number }>(`SELECT status, count(*)::int AS n FROM alert_deliveries GROUP BY status`);
      expect(rows).toEqual([{ status: 'delivered', n: ALERTS }]);
    } finally {
      await closeOurs(check);
    }
  });
});
