/**
 * The API described as OpenAPI 3.1, generated from the routes' own zod schemas (the ones that
 * validate requests and answers), so that the document cannot drift from the code:
 * - `GET /openapi.json`: the document;
 * - `GET /docs`: a browsable UI (Swagger UI, served from this process: no CDN, works offline);
 *   it reads the same document from `/docs/json`.
 *
 * Who may read them: any signed-in user (a session or an API key), like every other route that is
 * not marked public (src/http/auth.ts). The API's shape is no secret (the source is public), but
 * the page is only useful to someone who can call the API, its "Try it out" needs the caller's
 * session or key anyway, and keeping it behind sign-in leaves access control with no exception for
 * routes that a third-party plugin registers. The Content-Security-Policy of every page
 * (src/http/security.ts) already lets the UI run: its scripts and styles come from this origin.
 *
 * Registered before the routes: @fastify/swagger collects them as they are added. Hidden on
 * purpose (`schema.hide`): the web UI's files and its catch-all (ui.routes.ts) and these
 * documentation routes themselves.
 */
import { readFileSync } from 'node:fs';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance, RouteOptions } from 'fastify';
import { createJsonSchemaTransform } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { publicUrl } from '../config.ts';
import type { Deps } from '../deps.ts';
import { ERROR_STATUS, type ErrorCode } from '../lib/errors.ts';
import { CSRF_HEADER, SESSION_COOKIE } from './auth.ts';

export const OPENAPI_PATH = '/openapi.json';
export const DOCS_PREFIX = '/docs';

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

/** The error shape every route answers with (src/http/error-handler.ts), as a shared component. */
export const errorBodySchema = z.object({
  error: z.object({
    code: z.enum(Object.keys(ERROR_STATUS) as [ErrorCode, ...ErrorCode[]]),
    message: z.string().describe('What went wrong, for a person to act on'),
    details: z.unknown().optional().describe('More to say: for validation errors, one { field, message } per wrong field'),
  }),
});

/**
 * Tags per area, in the order of docs/api.md. Each path belongs to exactly one area: a path that
 * matches none, or two, gets no tag, and the OpenAPI test names it.
 */
export const TAGS: ReadonlyArray<{ name: string; description: string; pattern: RegExp }> = [
  { name: 'Operations', description: 'Liveness, readiness and Prometheus metrics', pattern: /^\/(healthz|readyz|metrics)$/ },
  { name: 'Sign-in', description: 'Session sign-in for the web UI', pattern: /^\/api\/auth\// },
  {
    name: 'Zendesk connections',
    description: 'Connecting Zendesk accounts, their sync, escalation rule and SLA targets',
    pattern: /^\/api\/integrations\/zendesk\/(connect|callback|connections|sla-targets)(\/|$)/,
  },
  {
    name: 'Zendesk webhook',
    description: "Zendesk's ticket events, pushed to us: public, guarded by Zendesk's signature over the raw body",
    pattern: /^\/api\/integrations\/zendesk\/webhook$/,
  },
  {
    name: 'Customers and matching',
    description: 'Customers from the CRM, and how tickets are matched to them',
    pattern: /^\/api\/(customers(\/overview|\/:id(\/overview)?)?|integrations\/zendesk\/(mapping|unmatched))$/,
  },
  { name: 'Tickets', description: "Customers' Zendesk tickets, their history and notes", pattern: /^\/api\/integrations\/zendesk\/tickets\// },
  {
    name: 'Metrics and health',
    description: 'Support metrics and health scores',
    pattern: /^\/api\/(integrations\/zendesk\/metrics\/|customers\/:id\/health$|health\/)/,
  },
  {
    name: 'Alerts',
    description: "Alerts, their rules, subscriptions, followed accounts and webhooks, their deliveries, and each person's notification settings",
    pattern: /^\/api\/(alerts(\/|$)|me\/notifications$|customers\/:id\/follow$)/,
  },
  { name: 'Chat and live updates', description: 'Questions in plain words, and the server-sent events that keep the UI current', pattern: /^\/api\/(chat|events)$/ },
];

export function tagOf(url: string): string | undefined {
  const matching = TAGS.filter((tag) => tag.pattern.test(url));
  return matching.length === 1 ? matching[0]?.name : undefined;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The parts of an OpenAPI operation completed here. */
interface Operation {
  parameters?: unknown[];
  requestBody?: unknown;
  responses?: Record<string, unknown>;
  security?: Array<Record<string, string[]>>;
}

/** Who may call a route, as OpenAPI security requirements (either an API key, or the session with its CSRF token on writes). */
function securityOf(route: RouteOptions): Array<Record<string, string[]>> {
  if (route.config?.public) return [];
  const writes = [route.method].flat().some((method) => !SAFE_METHODS.has(method));
  return [{ apiKey: [] }, writes ? { sessionCookie: [], csrfToken: [] } : { sessionCookie: [] }];
}

function describeAccess(route: RouteOptions): string | undefined {
  const roles = route.config?.roles;
  return roles ? `Needs the role ${roles.join(' or ')}.` : undefined;
}

/**
 * The webhook takes Zendesk's raw bytes (its signature covers them) and so has no body schema to
 * generate from: what it expects is said here.
 */
const RAW_BODIES: Record<string, Operation> = {
  '/api/integrations/zendesk/webhook': {
    parameters: [
      { name: 'x-zendesk-webhook-signature', in: 'header', required: true, schema: { type: 'string' }, description: 'base64 HMAC-SHA256 of the timestamp and the raw body, with the webhook\'s signing secret' },
      { name: 'x-zendesk-webhook-signature-timestamp', in: 'header', required: true, schema: { type: 'string' } },
      { name: 'x-zendesk-webhook-id', in: 'header', required: false, schema: { type: 'string' } },
    ],
    requestBody: {
      required: true,
      description: 'A Zendesk ticket event, exactly as Zendesk sends it (at most 1 MB)',
      content: { 'application/json': { schema: { type: 'object' } } },
    },
    responses: {
      '200': {
        description: 'Stored (or a duplicate of a delivery already stored)',
        content: {
          'application/json': {
            schema: { type: 'object', properties: { received: { const: true }, duplicate: { type: 'boolean' } }, required: ['received', 'duplicate'] },
          },
        },
      },
    },
  },
};

const ERROR_REF = { $ref: '#/components/schemas/Error' };
const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: ERROR_REF } } });

/** Adds what the route schemas cannot say: raw bodies, and the error answers every route can give. */
function completeDocument<T extends { paths?: unknown }>(document: T): T {
  for (const [path, item] of Object.entries((document.paths ?? {}) as Record<string, Partial<Record<string, Operation>>>)) {
    for (const method of ['get', 'put', 'post', 'delete', 'patch'] as const) {
      const operation = item?.[method];
      if (!operation) continue;
      const raw = RAW_BODIES[path];
      if (raw && method === 'post') {
        operation.parameters = [...(operation.parameters ?? []), ...(raw.parameters ?? [])];
        operation.requestBody = raw.requestBody;
        operation.responses = { ...operation.responses, ...raw.responses };
      }
      const responses = (operation.responses ??= {});
      if (operation.security?.length) {
        responses['401'] ??= errorResponse('Not signed in, or an API key that is unknown or revoked');
        responses['403'] ??= errorResponse('The role may not do this, or a write with the session cookie but without its CSRF token');
      }
      responses.default ??= errorResponse('An error: the code says which, the message what to do (docs/api.md lists the codes)');
    }
  }
  return document;
}

export async function registerOpenApi(app: FastifyInstance, deps: Pick<Deps, 'config'>): Promise<void> {
  const zodTransform = createJsonSchemaTransform({});
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'CSCX Zendesk integration API',
        version,
        description:
          'Zendesk tickets matched to CSCX customers, their support metrics, health scores and alerts. ' +
          'Every error answers { "error": { "code", "message", "details"? } } (the Error schema).',
      },
      servers: [{ url: publicUrl(deps.config) }],
      tags: TAGS.map(({ name, description }) => ({ name, description })),
      components: {
        securitySchemes: {
          apiKey: { type: 'http', scheme: 'bearer', description: 'An API key: `Authorization: Bearer <key>` (made with `npm run cli -- users create --api-key`)' },
          sessionCookie: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE, description: 'The web UI\'s session, set by POST /api/auth/sign-in' },
          csrfToken: { type: 'apiKey', in: 'header', name: 'X-CSRF-Token', description: `Writes made with the session cookie echo the csrfToken that sign-in answered (header ${CSRF_HEADER})` },
        },
        schemas: { Error: z.toJSONSchema(errorBodySchema, { target: 'draft-2020-12' }) as Record<string, unknown> },
      },
    },
    transform: (input) => {
      const result = zodTransform(input);
      const schema = (result.schema ?? {}) as Record<string, unknown>;
      if (schema.hide) return { ...result, schema };
      const access = describeAccess(input.route);
      const description = [schema.description, access].filter(Boolean).join(' ');
      return {
        ...result,
        schema: {
          ...schema,
          tags: schema.tags ?? [tagOf(input.url)].filter(Boolean),
          security: securityOf(input.route),
          ...(description ? { description } : {}),
        },
      };
    },
    transformObject: (document) => ('openapiObject' in document ? completeDocument(document.openapiObject) : document.swaggerObject),
  });

  await app.register(swaggerUi, {
    routePrefix: DOCS_PREFIX,
    theme: { title: 'CSCX API' },
    // Never asks the public validator (it would send the document away): offline, like the rest.
    validatorUrl: false,
    uiConfig: { docExpansion: 'list', deepLinking: true, withCredentials: true },
  });

  app.get(OPENAPI_PATH, { schema: { hide: true } }, async () => app.swagger());
}
