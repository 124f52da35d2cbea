/**
 * Request bodies for the OAuth endpoints. Zendesk's token endpoint takes JSON (OAS
 * `CreateTokenForGrantType`: "must be formatted as JSON"), but generic OAuth clients send
 * `application/x-www-form-urlencoded` (RFC 6749 §4.1.3), and the consent page posts a form, so
 * both are accepted.
 */
import type { FastifyInstance } from 'fastify';

const FORM = 'application/x-www-form-urlencoded';

/** Adds a form parser to this (encapsulated) scope unless one is already inherited. */
export function ensureFormBodyParser(scope: FastifyInstance): void {
  if (scope.hasContentTypeParser(FORM)) return;
  scope.addContentTypeParser(FORM, { parseAs: 'string' }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
}

/** A flat string map of the body's scalar fields (numbers and booleans stringified). */
export function bodyParams(body: unknown): Record<string, string> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return {};
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
    if (typeof value === 'string') out[key] = value;
    else if (typeof value === 'number' || typeof value === 'boolean') out[key] = String(value);
  }
  return out;
}
