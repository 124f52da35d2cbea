/**
 * Zendesk's error responses. Zendesk uses several envelopes (a [3P] probe of a live account,
 * found via the code search, lists them: `{"error":{"title","message"}}`, `{"error","description"}`,
 * `{"errors":[{"code","title","detail"}]}` and a bare `{"error":"Couldn't authenticate you"}`);
 * each helper below names where its body comes from.
 */
import type { FastifyReply } from 'fastify';

export class ZendeskHttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(`Zendesk error ${statusCode}`);
  }
}

export function sendZendeskError(reply: FastifyReply, error: ZendeskHttpError): FastifyReply {
  const { 'content-type': contentType, ...headers } = error.headers;
  for (const [name, value] of Object.entries(headers)) reply.header(name, value);
  const isText = typeof error.body === 'string';
  const type = contentType ?? (isText ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8');
  return reply.code(error.statusCode).type(type).send(isText ? error.body : JSON.stringify(error.body));
}

/** OAS (ShowUserComplianceDeletionStatuses description, ErrorNotFoundExample). */
export function recordNotFound(): ZendeskHttpError {
  return new ZendeskHttpError(404, { error: 'RecordNotFound', description: 'Not found' });
}

/** An unknown path under a known account ([3P] live probe: `InvalidEndpoint`, "Not found"). */
export function invalidEndpoint(): ZendeskHttpError {
  return new ZendeskHttpError(404, { error: 'InvalidEndpoint', description: 'Not found' });
}

/**
 * An unknown subdomain: Zendesk answers 404 with this body ([3P] test fixtures of a live
 * response, e.g. donatooivan's zendesk client spec, and tap-zendesk's error table).
 */
export function noHelpDesk(subdomain: string): ZendeskHttpError {
  return new ZendeskHttpError(404, {
    error: {
      title: `No help desk at ${subdomain}.zendesk.com`,
      message:
        'There is no help desk configured at this address. This means that the address is available and that you can claim it at http://www.zendesk.com/signup',
    },
  });
}

/** Basic authentication failed (many [3P] captures, e.g. helpstack-android issue #38). */
export function couldNotAuthenticate(): ZendeskHttpError {
  return new ZendeskHttpError(401, { error: "Couldn't authenticate you" });
}

/** A bearer token Zendesk does not accept (zendesk_api_client_rb issue #297, zdesk issue #58). */
export function invalidToken(): ZendeskHttpError {
  return new ZendeskHttpError(401, {
    error: 'invalid_token',
    error_description: 'The access token provided is expired, revoked, malformed or invalid for other reasons.',
  });
}

/** A role that may not call the endpoint (singer-io tap-zendesk tests; Stitch docs quote it). */
export function forbidden(): ZendeskHttpError {
  return new ZendeskHttpError(403, {
    error: {
      title: 'Forbidden',
      message: 'You do not have access to this page. Please contact the account owner of this help desk for further help.',
    },
  });
}

/** An OAuth token without the needed scope (tap-zendesk tests: "You are missing the following required scopes: read"). */
export function missingScope(scope: string): ZendeskHttpError {
  return new ZendeskHttpError(403, { error: 'Forbidden', description: `You are missing the following required scopes: ${scope}` });
}

/** One validation problem; `details` is keyed by field name, `base` for whole-record problems. */
export interface FieldProblem {
  description: string;
  error?: string;
}

/**
 * 422 RecordInvalid (shape from [3P] captures: ZendeskAPI Elixir client tests, a live probe's
 * `{"details":{"status":[{"description":"closed prevents ticket update"}]}}`).
 */
export function recordInvalid(details: Record<string, FieldProblem[]>): ZendeskHttpError {
  return new ZendeskHttpError(422, { error: 'RecordInvalid', description: 'Record validation errors', details });
}

/** 422 InvalidValue, e.g. a too recent export start_time ([3P] embulk-input-zendesk tests). */
export function invalidValue(description: string): ZendeskHttpError {
  return new ZendeskHttpError(422, { error: 'InvalidValue', description });
}

/**
 * Offset pagination past 100 pages / 10,000 records (rolled out 2024; docs/zendesk.md, Pagination).
 * Body from [3P] logs: pipelinewise PR #1183 (code, title) and airbyte issue #38595 (detail).
 */
export function paginationTooDeep(): ZendeskHttpError {
  return new ZendeskHttpError(400, {
    errors: [
      {
        code: 'InvalidPaginationDepth',
        title: 'Pagination requests using Offset Pagination are limited to page 100 or up to 10000 records (page * per_page)',
        detail:
          'There are limits to the page depth in Offset Pagination. Offset Pagination will be deprecated fully in the near future.\n' +
          'Please switch to Cursor Pagination at the earliest. Cursor Pagination does not have any limits.\n' +
          'See https://developer.zendesk.com/documentation/api-basics/pagination/comparing-cursor-pagination-and-offset-pagination\n',
      },
    ],
  });
}

/** A cursor-pagination parameter Zendesk rejects (OAS example: "page[after] is not valid"). */
export function invalidPaginationParameter(title: string): ZendeskHttpError {
  return new ZendeskHttpError(400, { errors: [{ code: 'InvalidPaginationParameter', title }] });
}
