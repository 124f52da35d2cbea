import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import * as contract from '../../contracts/connections.ts';
import { publicUrl } from '../../config.ts';
import type { Deps } from '../../deps.ts';
import { hashToken } from '../../lib/tokens.ts';
import { listConnections, type Connection } from '../../modules/connections/connections.repo.ts';
import { syncProgress } from '../../modules/ingest/sync-progress.ts';
import { findSyncStates, resetImport, type SyncState } from '../../modules/ingest/sync.repo.ts';
import { findConnection } from '../../modules/connections/connections.repo.ts';
import { AppError } from '../../lib/errors.ts';
import {
  completeOAuth,
  connectWithApiToken,
  disconnect,
  OAUTH_STATE_TTL_SECONDS,
  OAuthCallbackError,
  startOAuth,
} from '../../modules/connections/connections.service.ts';

const CALLBACK_PATH = '/api/integrations/zendesk/callback';

/**
 * The cookie that binds an OAuth flow to the browser that started it, one per flow (named after
 * its state, so that two flows in two tabs do not undo each other), sent only to the callback.
 */
function oauthCookieName(state: string): string {
  return `cscx_oauth_${hashToken(state).slice(0, 16)}`;
}

/** What the API shows of a connection: never a credential or a secret. */
export function viewConnection(connection: Connection, sync: SyncState | undefined): contract.Connection {
  return {
    id: connection.id,
    subdomain: connection.subdomain,
    method: connection.authMethod,
    status: connection.status,
    zendeskUser: connection.zendeskUserEmail,
    webhookRegistered: connection.webhookId !== null,
    createdAt: connection.createdAt.toISOString(),
    error: connection.lastError ? { message: connection.lastError, at: connection.lastErrorAt?.toISOString() ?? null } : null,
    sync: syncProgress(sync),
  };
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function callbackPage(title: string, message: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)} - CSCX</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 36rem; margin: 4rem auto; line-height: 1.5">
<h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p><p><a href="/">Back to CSCX</a></p></body></html>`;
}

export function connectionRoutes(deps: Deps): FastifyPluginAsyncZod {
  const secureCookie = publicUrl(deps.config).startsWith('https://');
  return async (app) => {
    app.post(
      '/api/integrations/zendesk/connect',
      {
        config: { roles: ['admin'] },
        schema: {
          body: contract.connect.body,
          response: contract.connect.response,
        },
      },
      async (request, reply) => {
        const body = request.body;
        const user = request.user!;
        if (body.method === 'oauth') {
          const started = await startOAuth(deps, user, body);
          reply.setCookie(oauthCookieName(started.state), started.browserNonce, {
            httpOnly: true,
            sameSite: 'lax', // sent on Zendesk's top-level redirect back to the callback
            secure: secureCookie,
            path: CALLBACK_PATH,
            maxAge: OAUTH_STATE_TTL_SECONDS,
          });
          return reply.status(200).send({ authorizeUrl: started.authorizeUrl });
        }
        const connection = await connectWithApiToken(deps, user, body);
        return reply.status(201).send({ connection: viewConnection(connection, undefined) });
      },
    );

    app.get(
      CALLBACK_PATH,
      {
        // Guarded by the single-use state it carries and the cookie of the browser that started
        // the flow, not by a session: Zendesk redirects here.
        config: { public: true },
        schema: {
          querystring: contract.oauthCallbackQuery,
        },
      },
      async (request, reply) => {
        const cookie = request.query.state ? oauthCookieName(request.query.state) : undefined;
        // The flow ends here whatever happens: its cookie goes.
        if (cookie && request.cookies[cookie] !== undefined) reply.clearCookie(cookie, { path: CALLBACK_PATH, httpOnly: true, sameSite: 'lax', secure: secureCookie });
        try {
          const connection = await completeOAuth(deps, request.query, cookie ? request.cookies[cookie] : undefined);
          return reply.redirect(`/?zendesk=connected&subdomain=${encodeURIComponent(connection.subdomain)}`, 302);
        } catch (error) {
          if (!(error instanceof OAuthCallbackError)) throw error;
          return reply.status(error.status).type('text/html; charset=utf-8').send(callbackPage(error.title, error.message));
        }
      },
    );

    app.get(
      '/api/integrations/zendesk/connections',
      { config: { roles: ['admin', 'leader'] }, schema: { response: { 200: contract.listConnections.response } } },
      async () => {
        const connections = await listConnections(deps.db);
        const states = await findSyncStates(deps.db, connections.map((c) => c.id));
        return { connections: connections.map((c) => viewConnection(c, states.get(c.id))) };
      },
    );

    app.post(
      '/api/integrations/zendesk/connections/:id/sync',
      {
        config: { roles: ['admin'] },
        schema: {
          params: contract.syncConnection.params,
          body: contract.syncConnection.body,
          response: contract.syncConnection.response,
        },
      },
      async (request, reply) => {
        const connection = await findConnection(deps.db, request.params.id);
        if (!connection) throw new AppError('not_found', `no Zendesk connection ${request.params.id}`);
        if (connection.status !== 'active') throw new AppError('conflict', `the connection to ${connection.subdomain} is ${connection.status.replace('_', ' ')}: reconnect it first`);
        // A full sync re-reads every ticket from the beginning (the upserts make it safe); otherwise a catch-up now.
        if (request.body.full) await resetImport(deps.db, connection.id);
        await deps.syncRequests.sync(connection.id);
        return reply.status(202).send({ queued: true as const, full: request.body.full });
      },
    );

    app.delete(
      '/api/integrations/zendesk/connections/:id',
      {
        config: { roles: ['admin'] },
        schema: {
          params: contract.disconnectConnection.params,
          querystring: contract.disconnectConnection.query,
          response: { 200: contract.disconnectConnection.response },
        },
      },
      async (request) => {
        const purge = request.query.purge === 'true';
        const { zendeskCleanup } = await disconnect(deps, request.params.id, { purge });
        return { disconnected: request.params.id, purged: purge, zendeskCleanup };
      },
    );
  };
}
