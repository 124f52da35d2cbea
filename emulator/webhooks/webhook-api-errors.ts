/**
 * Error answers of the Webhooks and Triggers APIs, and the access check both share.
 * - Support API (triggers) errors: `{"error":"RecordNotFound","description":"Not found"}` (404, OAS
 *   ErrorNotFoundExample), `{"error":"RecordInvalid","description":"Record validation errors",
 *   "details":{field:[{description}]}}` (422), and the 403s below.
 * - Webhooks API errors: a JSON:API-style `{"errors":[{"code","title","detail","source"?}]}`.
 *   UNCONFIRMED: the Webhooks API reference examples for errors were not retrievable.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { scopesAllow, type ScopeAccess } from '../oauth/scopes.ts';

export interface WebhookApiError {
  code: string;
  title: string;
  detail: string;
  source?: { pointer: string };
}

export function sendWebhookErrors(reply: FastifyReply, status: number, errors: WebhookApiError[]): FastifyReply {
  return reply.code(status).send({ errors });
}

export function webhookNotFound(reply: FastifyReply, id: string): FastifyReply {
  return sendWebhookErrors(reply, 404, [{ code: 'WebhookNotFound', title: 'Webhook not found', detail: `Webhook ${id} was not found` }]);
}

export function recordNotFound(reply: FastifyReply): FastifyReply {
  return reply.code(404).send({ error: 'RecordNotFound', description: 'Not found' });
}

export function recordInvalid(reply: FastifyReply, details: Record<string, string[]>): FastifyReply {
  const rendered = Object.fromEntries(Object.entries(details).map(([field, messages]) => [field, messages.map((description) => ({ description }))]));
  return reply.code(422).send({ error: 'RecordInvalid', description: 'Record validation errors', details: rendered });
}

/** A role that may not call the endpoint ([3P] singer-io tap-zendesk tests, quoted by Stitch docs). */
export function forbidden(reply: FastifyReply): FastifyReply {
  return reply.code(403).send({
    error: {
      title: 'Forbidden',
      message: 'You do not have access to this page. Please contact the account owner of this help desk for further help.',
    },
  });
}

/** An OAuth token without the needed scope ([3P] tap-zendesk tests: "You are missing the following required scopes: read"). */
export function missingScope(reply: FastifyReply, scope: string): FastifyReply {
  return reply.code(403).send({ error: 'Forbidden', description: `You are missing the following required scopes: ${scope}` });
}

/**
 * Checks the caller may use `access` on `resource` (OAuth scopes: `read`/`write` or
 * `<resource>:read|write`), and is an admin when `adminOnly` (webhooks: "You must be an admin";
 * triggers are "Allowed For: Agents", OAS). Answers 403 and returns false otherwise.
 */
export function checkAccess(request: FastifyRequest, reply: FastifyReply, resource: string, access: ScopeAccess, adminOnly: boolean): boolean {
  const auth = request.zendeskAuth;
  if (!auth) {
    void reply.code(401).send({ error: "Couldn't authenticate you" });
    return false;
  }
  if (!scopesAllow(auth.scopes, resource, access)) {
    void missingScope(reply, access);
    return false;
  }
  const roleOk = adminOnly ? auth.user.role === 'admin' : auth.user.role !== 'end-user';
  if (!roleOk) {
    void forbidden(reply);
    return false;
  }
  return true;
}
