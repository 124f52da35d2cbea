/**
 * GET /api/events: server-sent events for the UI (new and changed tickets, alerts, sync progress),
 * signed in like every other route. One live feed per server polls the database (see
 * modules/live/live-feed.ts) and fans each change out to the connected browsers; alerts go only to
 * those who may see them, sync progress only to admins and leaders. A comment line every 20 s keeps
 * proxies from closing an idle stream; EventSource reconnects by itself after a drop.
 */
import type { ServerResponse } from 'node:http';
import type { FastifyPluginAsync } from 'fastify';
import { EVENTS_PATH, type LiveEvent } from '../../contracts/events.ts';
import type { Deps } from '../../deps.ts';
import { alertVisibleTo, createLiveFeed, type LiveFeed, type LiveMessage } from '../../modules/live/live-feed.ts';
import type { User } from '../../modules/users/users.repo.ts';

const HEARTBEAT_MS = 20_000;

function write(raw: ServerResponse, event: string, data: unknown): void {
  raw.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

/** What one user receives of a change, or null. */
export function messageFor(message: LiveMessage, user: Pick<User, 'id' | 'role'>): LiveMessage | null {
  if (message.type === 'alerts') {
    const alerts = message.alerts.filter((alert) => alertVisibleTo(alert, user));
    return alerts.length > 0 ? { type: 'alerts', alerts: alerts.map((alert) => ({ ...alert, recipientIds: [] })) } : null;
  }
  if (message.type === 'sync') return user.role === 'csm' ? null : message;
  return message;
}

export function eventsRoutes(deps: Deps, options: { intervalMs?: number } = {}): FastifyPluginAsync {
  return async (app) => {
    const feed: LiveFeed = createLiveFeed(deps.db, {
      intervalMs: options.intervalMs,
      onError: (error) => deps.logger.warn({ err: error }, 'live updates: a poll failed; retrying'),
    });
    const streams = new Set<ServerResponse>();

    // Open streams would keep the server from closing: end them first.
    app.addHook('preClose', async () => {
      feed.stop();
      for (const raw of streams) raw.end();
      streams.clear();
    });

    app.get(EVENTS_PATH, { config: {} }, async (request, reply) => {
      const user = request.user!;
      reply.hijack();
      const raw = reply.raw;
      raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      raw.write(`retry: 3000\n`);
      write(raw, 'ready', { at: new Date().toISOString() });
      streams.add(raw);
      const unsubscribe = feed.subscribe((message) => {
        const mine = messageFor(message, user);
        // Typed by the contract the browser reads the events with.
        if (mine) write(raw, mine.type, mine satisfies LiveEvent);
      });
      const heartbeat = setInterval(() => raw.write(`: keep-alive\n\n`), HEARTBEAT_MS);
      const close = () => {
        clearInterval(heartbeat);
        unsubscribe();
        streams.delete(raw);
      };
      request.raw.on('close', close);
      raw.on('error', close);
    });
  };
}
