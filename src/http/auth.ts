/**
 * Access control for every route, deny by default: a route is open to anonymous callers only when
 * it says `config: { public: true }` (health, sign-in, the OAuth callback guarded by its state, the
 * webhook guarded by its signature). Others need an API key (`Authorization: Bearer <key>`) or the
 * session cookie, and, when they name `config.roles`, one of those roles. Writes made with the
 * session cookie must echo the session's CSRF token in `X-CSRF-Token`.
 */
import cookie from '@fastify/cookie';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Deps } from '../deps.ts';
import { AppError } from '../lib/errors.ts';
import { authenticateApiKey, authenticateSession } from '../modules/users/auth.service.ts';
import type { Role, User } from '../modules/users/users.repo.ts';
import { bearerMatches } from '../observability/metrics-access.ts';

export const SESSION_COOKIE = 'cscx_session';
export const CSRF_HEADER = 'x-csrf-token';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface RouteAccess {
  method: string;
  url: string;
  public: boolean;
  roles: readonly Role[] | null;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route with who may call it: what the access-control test walks. */
    routeAccess: RouteAccess[];
  }
  interface FastifyRequest {
    user: User | null;
    authMethod: 'api_key' | 'session' | null;
  }
  interface FastifyContextConfig {
    /** Open to anonymous callers. */
    public?: boolean;
    /** Roles allowed; unset: any signed-in user. */
    roles?: readonly Role[];
    /**
     * Also open to whoever sends this static token as `Authorization: Bearer <token>` (for callers
     * that cannot sign in, such as a Prometheus scrape); `hint` is the 401's message.
     */
    staticBearer?: { token: string; hint: string };
  }
}

async function identify(deps: Deps, request: FastifyRequest): Promise<void> {
  const header = request.headers.authorization;
  if (header !== undefined) {
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match?.[1]) throw new AppError('unauthorized', 'the Authorization header must be "Bearer <API key>"');
    const user = await authenticateApiKey(deps.db, match[1]);
    if (!user) throw new AppError('unauthorized', 'the API key is not valid, or it was revoked');
    request.user = user;
    request.authMethod = 'api_key';
    return;
  }
  const sessionToken = request.cookies[SESSION_COOKIE];
  if (!sessionToken) return;
  const session = await authenticateSession(deps.db, sessionToken);
  if (!session) return; // an expired session is the same as none: the route decides
  if (!SAFE_METHODS.has(request.method) && request.headers[CSRF_HEADER] !== session.csrfToken) {
    throw new AppError('forbidden', 'this write needs the X-CSRF-Token header of your session (sign in again if you lost it)');
  }
  request.user = session.user;
  request.authMethod = 'session';
}

export async function registerAuth(app: FastifyInstance, deps: Deps): Promise<void> {
  await app.register(cookie);
  const routeAccess: RouteAccess[] = [];
  app.decorate('routeAccess', routeAccess);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) {
      if (method === 'HEAD') continue;
      routeAccess.push({ method, url: route.url, public: route.config?.public === true, roles: route.config?.roles ?? null });
    }
  });
  app.decorateRequest('user', null);
  app.decorateRequest('authMethod', null);
  // onRequest: before the body is parsed and validated, so that anonymous callers learn nothing.
  app.addHook('onRequest', async (request) => {
    const config = request.routeOptions.config;
    // Unknown routes fall through to the JSON 404; public routes need nobody.
    if (request.routeOptions.url === undefined || config.public) return;
    const { staticBearer } = config;
    if (staticBearer && bearerMatches(request.headers.authorization, staticBearer.token)) return;
    try {
      await identify(deps, request);
    } catch (error) {
      if (staticBearer && error instanceof AppError && error.code === 'unauthorized') throw new AppError('unauthorized', staticBearer.hint);
      throw error;
    }
    if (!request.user) throw new AppError('unauthorized', staticBearer?.hint ?? 'sign in, or send an API key as "Authorization: Bearer <key>"');
    if (config.roles && !config.roles.includes(request.user.role)) {
      throw new AppError('forbidden', `this needs the role ${config.roles.join(' or ')}; you are ${request.user.role}`);
    }
  });
}
