/**
 * The HTTP app's outer defences, registered before access control (src/http/auth.ts):
 * - security headers (helmet), with a Content-Security-Policy that lets the Vite-built UI load its
 *   own scripts, styles and images from this origin and nothing else;
 * - CORS closed unless CORS_ORIGINS names origins: no Access-Control-Allow-Origin otherwise;
 * - a rate limit per client address on the API (API_RATE_LIMIT_PER_MINUTE, per process), checked
 *   before the caller is identified, so that a flood of bad keys costs no database reads. The
 *   webhook intake is not limited here (Zendesk sends bursts; its signature guards it), nor are the
 *   health and metrics endpoints. Sign-in is throttled besides, per account and per address, in
 *   the database for all processes (modules/users/sign-in-throttle.ts): not with the plugin, whose
 *   per-route limits this hook would switch off (the plugin runs one limit per request).
 * Body size limits are Fastify's bodyLimit (1 MB, app.ts; the webhook's own in webhook.routes.ts).
 */
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { publicUrl } from '../config.ts';
import type { Deps } from '../deps.ts';

const WEBHOOK_PATH = '/api/integrations/zendesk/webhook';

/** The client address to count: the socket's, or behind a trusted proxy the one it appended last. */
export function clientAddress(request: FastifyRequest, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = request.headers['x-forwarded-for'];
    const last = (Array.isArray(forwarded) ? forwarded.join(',') : (forwarded ?? '')).split(',').map((entry) => entry.trim()).filter(Boolean).at(-1);
    if (last) return last;
  }
  return request.ip;
}

export async function registerSecurity(app: FastifyInstance, deps: Pick<Deps, 'config'>): Promise<void> {
  const { config } = deps;
  const https = publicUrl(config).startsWith('https://');
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        // React's style props need no inline allowance, but chart libraries inject <style>.
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        fontSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        // Only where we are served over https: on plain http it would break every asset.
        ...(https ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    // As the UI's own answers say (ui.routes.ts): never framed, no referrer sent to other sites.
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'same-origin' },
    // HSTS only means something over https; over http browsers ignore it anyway.
    strictTransportSecurity: https ? { maxAge: 31_536_000, includeSubDomains: true } : false,
  });

  if (config.CORS_ORIGINS.length > 0) {
    await app.register(cors, {
      origin: config.CORS_ORIGINS,
      methods: ['GET', 'HEAD', 'POST', 'PUT', 'DELETE'],
      allowedHeaders: ['authorization', 'content-type', 'x-csrf-token'],
      // Cross-origin callers use API keys; the session cookie stays first-party (SameSite=Lax).
      credentials: false,
      maxAge: 600,
    });
  }

  // global: false: only the API hook below limits (a route's own `config.rateLimit` would never
  // run: this hook marks every request as already limited).
  await app.register(rateLimit, { global: false });
  if (config.API_RATE_LIMIT_PER_MINUTE > 0) {
    app.addHook(
      'onRequest',
      app.rateLimit({
        max: config.API_RATE_LIMIT_PER_MINUTE,
        timeWindow: 60_000,
        keyGenerator: (request) => clientAddress(request, config.TRUST_PROXY),
        allowList: (request) => {
          const path = request.url.split('?')[0] ?? '';
          return !path.startsWith('/api/') || path === WEBHOOK_PATH;
        },
      }),
    );
  }
}
