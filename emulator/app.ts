/**
 * The Zendesk emulator: one Fastify server hosting several accounts, each under a path prefix
 * (`http://127.0.0.1:4010/{subdomain}/api/v2/...`, `/{subdomain}/oauth/...`), paths accepted with
 * or without `.json`. Built from Zendesk's documentation (docs/zendesk.md); shares no code
 * with the product.
 */
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Account, EmulatorClock, EmulatorContext, OAuthVerifier } from './contract.ts';
import { createAuthenticator } from './support-api/auth.ts';
import { ZendeskHttpError, invalidEndpoint, noHelpDesk, sendZendeskError } from './faults/errors.ts';
import { FaultInjector, type FaultSettings, NO_FAULTS, parseFaultSpec } from './faults/faults.ts';
import { DEFAULT_AGENT_EMAIL, generateAccount } from './generation/generator.ts';
import { createOAuthServer } from './oauth/oauth.ts';
import { type RateLimitMode, registerRateLimits } from './faults/rate-limits.ts';
import { registerIncrementalRoutes } from './incremental-exports/export-routes.ts';
import { registerArchiveControl } from './support-api/routes/archive-control.ts';
import { registerSurveyResponseRoutes } from './support-api/csat-survey.ts';
import { registerMergeRoutes } from './support-api/routes/merge.ts';
import { registerTicketMetricEventsRoute } from './incremental-exports/ticket-metric-events.ts';
import { registerMetricRoutes } from './support-api/routes/metrics.ts';
import { registerPeopleRoutes } from './support-api/routes/people.ts';
import { registerSatisfactionRoutes } from './support-api/routes/satisfaction.ts';
import type { Services } from './support-api/routes/support.ts';
import { registerTicketRoutes } from './support-api/routes/tickets.ts';
import type { AccountState } from './support-api/state.ts';
import { EmulatorStore } from './support-api/store.ts';
import { createClock } from './support-api/time.ts';
import { type WebhookDispatcher, createWebhookDispatcher } from './webhooks/webhooks.ts';

export interface EmulatorOptions {
  host?: string;
  /** 0: any free port (tests). */
  port?: number;
  seed?: number;
  subdomains?: string[];
  /** Per subdomain. */
  organizations?: number;
  users?: number;
  tickets?: number;
  agentEmail?: string;
  /** Random unless given. */
  apiToken?: string;
  oauthClientId?: string;
  /** Random unless given. */
  oauthClientSecret?: string;
  /** Emulated seconds; Zendesk's default for new clients is 30 minutes (docs/zendesk.md, Authentication). */
  accessTokenTtlSeconds?: number;
  rateLimits?: RateLimitMode;
  /** Account requests per minute under `rateLimits: 'realistic'` (plan limit; Enterprise 700). */
  accountRateLimit?: number;
  /** 60: one emulated minute lasts one real second. */
  timeScale?: number;
  /** "5xx=0.2,latency=50ms,reset=0.05,malformed=0.1" or parsed settings. */
  faults?: string | FaultSettings;
  webhookDrop?: number;
  webhookDuplicate?: number;
  webhookReorder?: number;
  /** Emulated "now" at start (epoch ms); pins generated data and the clock. */
  nowMs?: number;
  /** Replaces the clock entirely (tests: a manual clock). */
  clock?: EmulatorClock;
  /** Origin of `url` fields before the server listens; startEmulator sets the real one. */
  publicUrl?: string;
  /** false: skip the OAuth server and webhook dispatcher (emulator/oauth/, emulator/webhooks/). */
  integrations?: boolean;
  /** See Services.singleRecordShape. */
  singleRecordShape?: 'array' | 'object';
  logger?: boolean;
}

export type ResolvedOptions = Required<Omit<EmulatorOptions, 'clock' | 'nowMs' | 'publicUrl' | 'faults'>> & {
  faults: FaultSettings;
  nowMs: number | undefined;
};

export interface Emulator {
  app: FastifyInstance;
  ctx: EmulatorContext;
  options: ResolvedOptions;
  store: EmulatorStore;
  /** Resolves when no webhook delivery or retry is pending (at once without integrations). */
  webhooksIdle(): Promise<void>;
  close(): Promise<void>;
}

export interface RunningEmulator extends Emulator {
  /** e.g. http://127.0.0.1:4010 (accounts under /{subdomain}). */
  url: string;
}

function randomSecret(): string {
  return randomBytes(20).toString('hex');
}

export function resolveOptions(options: EmulatorOptions): ResolvedOptions {
  const subdomains = options.subdomains ?? ['acme'];
  for (const subdomain of subdomains) {
    if (!/^[a-z0-9][a-z0-9-]*$/.test(subdomain) || subdomain === '_emulator') throw new Error(`invalid subdomain "${subdomain}"`);
  }
  return {
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 4010,
    seed: options.seed ?? 1,
    subdomains,
    organizations: options.organizations ?? 20,
    users: options.users ?? 200,
    tickets: options.tickets ?? 1000,
    agentEmail: options.agentEmail ?? DEFAULT_AGENT_EMAIL,
    apiToken: options.apiToken ?? randomSecret(),
    oauthClientId: options.oauthClientId ?? 'cscx',
    oauthClientSecret: options.oauthClientSecret ?? randomSecret(),
    accessTokenTtlSeconds: options.accessTokenTtlSeconds ?? 30 * 60,
    rateLimits: options.rateLimits ?? 'off',
    accountRateLimit: options.accountRateLimit ?? 700,
    timeScale: options.timeScale ?? 1,
    faults: typeof options.faults === 'string' ? parseFaultSpec(options.faults) : (options.faults ?? NO_FAULTS),
    webhookDrop: options.webhookDrop ?? 0,
    webhookDuplicate: options.webhookDuplicate ?? 0,
    webhookReorder: options.webhookReorder ?? 0,
    integrations: options.integrations ?? true,
    singleRecordShape: options.singleRecordShape ?? 'array',
    logger: options.logger ?? false,
    nowMs: options.nowMs,
  };
}

/** `/acme/api/v2/tickets.json?x=1` -> `/acme/api/v2/tickets?x=1`: both spellings are Zendesk paths. */
function stripJsonSuffix(url: string): string {
  return url.replace(/\.json(?=\?|$)/, '');
}

function firstSegment(url: string): string {
  return url.split('?')[0]?.split('/')[1] ?? '';
}

/** Zendesk requires `Content-Type: application/json` on DELETE too, with no body: accept empty JSON bodies. */
function registerJsonParser(app: FastifyInstance): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      // The body Zendesk sends for unparsable JSON is UNCONFIRMED.
      done(new ZendeskHttpError(400, { error: 'InvalidJSON', description: 'The request body is not valid JSON' }), undefined);
    }
  });
}

/** Builds the emulator; `setOrigin` fixes the origin of `url` fields once the port is known. */
async function assemble(options: EmulatorOptions): Promise<{ emulator: Emulator; setOrigin(url: string): void }> {
  const resolved = resolveOptions(options);
  const clock = options.clock ?? createClock({ startMs: options.nowMs, timeScale: resolved.timeScale });
  const generatedAt = clock.nowMs();
  const states = new Map<string, AccountState>();
  for (const subdomain of resolved.subdomains) {
    states.set(
      subdomain,
      generateAccount({
        seed: resolved.seed,
        subdomain,
        organizations: resolved.organizations,
        users: resolved.users,
        tickets: resolved.tickets,
        agentEmail: resolved.agentEmail,
        apiToken: resolved.apiToken,
        nowMs: generatedAt,
      }),
    );
  }
  const accounts = new Map<string, Account>([...states].map(([subdomain, state]) => [subdomain, state.account]));

  let origin = options.publicUrl ?? `http://${resolved.host}:${resolved.port}`;
  const rejectAllTokens: OAuthVerifier = { verifyAccessToken: () => null };
  const ctx: EmulatorContext = {
    accounts,
    events: new EventEmitter(),
    clock,
    baseUrl: (subdomain) => `${origin}/${subdomain}`,
    authenticate: async () => undefined,
    oauth: rejectAllTokens,
  };
  ctx.authenticate = createAuthenticator(states, () => ctx.oauth);
  const store = new EmulatorStore(states, ctx.events, clock);

  const app = Fastify({ logger: resolved.logger, rewriteUrl: (request) => stripJsonSuffix(request.url ?? '/'), bodyLimit: 10 * 1024 * 1024 });
  registerJsonParser(app);

  // Order matters: faults first (they stand for the network and the edge), then the account
  // lookup, then rate limits; authentication runs per route.
  new FaultInjector(clock, resolved.seed, resolved.faults).register(app);
  app.addHook('onRequest', async (request, reply) => {
    const segment = firstSegment(request.url);
    if (segment === '_emulator' || states.has(segment)) return;
    return sendZendeskError(reply, noHelpDesk(segment));
  });
  registerRateLimits(app, clock, { mode: resolved.rateLimits, accountPerMinute: resolved.accountRateLimit });

  app.setErrorHandler((error, request, reply) => {
    if (error instanceof ZendeskHttpError) return sendZendeskError(reply, error);
    const status = typeof (error as { statusCode?: unknown }).statusCode === 'number' ? (error as { statusCode: number }).statusCode : 500;
    if (status < 500) return reply.code(status).send({ error: 'InvalidRequest', description: (error as Error).message });
    request.log.error(error);
    return sendZendeskError(reply, new ZendeskHttpError(500, { error: 'InternalServerError' }));
  });
  app.setNotFoundHandler((request, reply) => {
    const segment = firstSegment(request.url);
    if (segment === '_emulator') return reply.code(404).send({ error: 'NotFound' });
    return sendZendeskError(reply, states.has(segment) ? invalidEndpoint() : noHelpDesk(segment));
  });

  const services: Services = { ctx, store, clock, singleRecordShape: resolved.singleRecordShape };
  registerTicketRoutes(app, services);
  registerPeopleRoutes(app, services);
  registerSatisfactionRoutes(app, services);
  registerMetricRoutes(app, services);
  registerIncrementalRoutes(app, services);
  registerMergeRoutes(app, services);
  registerArchiveControl(app, services);
  registerSurveyResponseRoutes(app, services);
  registerTicketMetricEventsRoute(app, services);
  app.get('/_emulator/info', async () => ({
    subdomains: resolved.subdomains,
    agent_email: resolved.agentEmail,
    oauth_client_id: resolved.oauthClientId,
    now: new Date(clock.nowMs()).toISOString(),
    time_scale: resolved.timeScale,
    rate_limits: resolved.rateLimits,
  }));

  let dispatcher: WebhookDispatcher | null = null;
  if (resolved.integrations) {
    const oauthServer = createOAuthServer({
      accounts,
      clock,
      baseUrl: ctx.baseUrl,
      options: {
        clientId: resolved.oauthClientId,
        clientSecret: resolved.oauthClientSecret,
        accessTokenTtlSeconds: resolved.accessTokenTtlSeconds,
      },
      authenticate: ctx.authenticate,
    });
    ctx.oauth = oauthServer;
    oauthServer.register(app);
    dispatcher = createWebhookDispatcher(ctx, {
      drop: resolved.webhookDrop,
      duplicate: resolved.webhookDuplicate,
      reorder: resolved.webhookReorder,
    });
    dispatcher.register(app);
  }

  await app.ready();
  const emulator: Emulator = {
    app,
    ctx,
    options: resolved,
    store,
    webhooksIdle: async () => {
      await dispatcher?.idle();
    },
    close: async () => {
      await dispatcher?.close();
      await app.close();
    },
  };
  return {
    emulator,
    setOrigin: (url) => {
      origin = url;
    },
  };
}

/** The emulator, not listening: drive it with `app.inject` or call `app.listen` yourself. */
export async function buildEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  return (await assemble(options)).emulator;
}

/** The emulator listening on `host:port` (port 0: any free port); `url` is its origin. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const { emulator, setOrigin } = await assemble(options);
  const { host, port } = emulator.options;
  await emulator.app.listen({ host, port });
  const address = emulator.app.server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  const url = `http://${host}:${actualPort}`;
  if (options.publicUrl === undefined) setOrigin(url);
  return { ...emulator, url };
}
