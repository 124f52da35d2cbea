/**
 * The webhook load generator of bench/webhooks.bench.ts, run as its own process:
 *   node --import tsx bench/webhook-sender.ts <config.json>
 * Posts trigger-body deliveries to our intake, signed as Zendesk signs them (base64 HMAC-SHA256 of
 * timestamp + body with the webhook's signing secret), each with its own invocation id, at a fixed
 * rate (open loop: a slow answer does not delay the next send). Records each send time (epoch ms,
 * sub-millisecond) and acknowledgement latency, and prints one line `RESULT {json}` at the end.
 * Bounded: sends rate x seconds deliveries, then waits at most drainMs for the answers.
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';

export interface SenderConfig {
  /** Our intake, with ?connection=<id>. */
  url: string;
  secret: string;
  ticketIds: number[];
  ratePerSecond: number;
  seconds: number;
  /** Prefix of the invocation ids (unique per run). */
  runId: string;
  maxSockets: number;
  /** Per request, from the moment it is handed to the HTTP agent. */
  timeoutMs: number;
  /** After the last send, how long to wait for outstanding answers. */
  drainMs: number;
}

export interface SendRecord {
  invocationId: string;
  ticketId: number;
  /** performance.timeOrigin + performance.now() when the request was issued. */
  sentAtMs: number;
  ackMs: number | null;
  /** Until the request had a connection (waiting for a free socket, or for a new one to connect). */
  connectionMs: number | null;
  status: number | null;
  error?: string;
}

export interface SenderReport {
  planned: number;
  sent: number;
  /** From the first send to the last (seconds). */
  sendingSeconds: number;
  results: SendRecord[];
}

const nowMs = () => performance.timeOrigin + performance.now();

function post(agent: http.Agent, url: URL, body: string, headers: Record<string, string>, timeoutMs: number, onConnection: () => void): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      { host: url.hostname, port: url.port, path: url.pathname + url.search, method: 'POST', agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) } },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
        response.on('error', reject);
      },
    );
    request.on('socket', (socket) => {
      if (socket.connecting) socket.once('connect', onConnection);
      else onConnection();
    });
    const timer = setTimeout(() => request.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    request.on('close', () => clearTimeout(timer));
    request.on('error', reject);
    request.end(body);
  });
}

export async function sendDeliveries(config: SenderConfig): Promise<SenderReport> {
  const url = new URL(config.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: config.maxSockets });
  const planned = Math.round(config.ratePerSecond * config.seconds);
  const intervalMs = 1000 / config.ratePerSecond;
  const results: SendRecord[] = [];
  const outstanding = new Set<Promise<void>>();
  // A small deterministic generator spreads deliveries over the tickets, with repeats. Its high
  // bits pick the ticket: the low bits of this generator cycle short (taken modulo 10,000 they
  // named 905 tickets in 10,000 deliveries).
  let seed = 12345;
  const nextTicket = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return config.ticketIds[Math.floor((seed / 2147483648) * config.ticketIds.length)] as number;
  };

  const sendOne = (n: number) => {
    const invocationId = `${config.runId}-${n}`;
    const ticketId = nextTicket();
    const timestamp = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    const body = JSON.stringify({ source: 'cscx-zendesk-trigger', ticket_id: String(ticketId), updated_at: timestamp, status: 'Open' });
    const signature = createHmac('sha256', config.secret).update(timestamp).update(body).digest('base64');
    const record: SendRecord = { invocationId, ticketId, sentAtMs: nowMs(), ackMs: null, connectionMs: null, status: null };
    results.push(record);
    const started = performance.now();
    const done = post(
      agent,
      url,
      body,
      {
        'content-type': 'application/json',
        'user-agent': 'Zendesk Webhook',
        'x-zendesk-webhook-id': 'bench',
        'x-zendesk-webhook-invocation-id': invocationId,
        'x-zendesk-webhook-signature': signature,
        'x-zendesk-webhook-signature-timestamp': timestamp,
      },
      config.timeoutMs,
      () => {
        record.connectionMs = performance.now() - started;
      },
    ).then(
      (status) => {
        record.status = status;
        record.ackMs = performance.now() - started;
      },
      (error: unknown) => {
        record.error = error instanceof Error ? error.message : String(error);
      },
    );
    outstanding.add(done);
    void done.finally(() => outstanding.delete(done));
  };

  const start = performance.now();
  const sendDeadline = start + config.seconds * 1000 + 5_000;
  let next = 0;
  while (next < planned && performance.now() < sendDeadline) {
    const due = Math.min(planned, Math.floor((performance.now() - start) / intervalMs) + 1);
    while (next < due) sendOne(next++);
    if (next < planned) await sleep(1);
  }
  const firstSend = results[0]?.sentAtMs ?? 0;
  const lastSend = results.at(-1)?.sentAtMs ?? 0;
  await Promise.race([Promise.all([...outstanding]), sleep(config.drainMs)]);
  agent.destroy();
  return { planned, sent: results.length, sendingSeconds: (lastSend - firstSend) / 1000, results };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const configPath = process.argv[2];
  if (!configPath) throw new Error('usage: node --import tsx bench/webhook-sender.ts <config.json>');
  const config = JSON.parse(readFileSync(configPath, 'utf8')) as SenderConfig;
  const report = await sendDeliveries(config);
  process.stdout.write(`RESULT ${JSON.stringify(report)}\n`, () => process.exit(0));
}
