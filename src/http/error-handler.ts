import type { FastifyError, FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { AppError, ERROR_STATUS, type ErrorBody, type ErrorCode } from '../lib/errors.ts';

const CODE_BY_STATUS = new Map<number, ErrorCode>(
  (Object.entries(ERROR_STATUS) as Array<[ErrorCode, number]>).filter(([code]) => code !== 'validation_failed').map(([code, status]) => [status, code]),
);

function body(code: ErrorCode, message: string, details?: unknown): ErrorBody {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}

/**
 * PostgreSQL's data exceptions (SQLSTATE class 22: a NUL character in text, a number out of range,
 * a malformed value) come from what the caller sent, not from a fault of ours: a 400, not a 500.
 */
export function isDataException(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return error instanceof Error && typeof code === 'string' && /^22[0-9A-Z]{3}$/.test(code);
}

/**
 * One error handler for the whole API: expected errors keep their message, validation errors say
 * which field is wrong and why, and 5xx answers hide their details (they are in the log, under the
 * request id the answer names).
 */
export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | AppError, request, reply) => {
    if (error instanceof AppError) {
      return reply.status(error.status).send(body(error.code, error.message, error.details));
    }
    if (hasZodFastifySchemaValidationErrors(error)) {
      const details = error.validation.map((issue) => ({
        field: [error.validationContext, issue.instancePath.replace(/^\//, '').replaceAll('/', '.')].filter(Boolean).join('.'),
        message: issue.message,
      }));
      const first = details[0];
      return reply
        .status(400)
        .send(body('validation_failed', first ? `${first.field}: ${first.message}` : 'the request is not valid', details));
    }
    if (error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error instanceof SyntaxError) {
      return reply.status(400).send(body('bad_request', `the request body is not valid JSON: ${error.message}`));
    }
    if (isDataException(error)) {
      request.log.warn({ err: error }, 'request refused: the database cannot store a value it holds');
      return reply.status(400).send(body('bad_request', `the request holds a value that cannot be stored (${(error as Error).message})`));
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      return reply.status(status).send(body(CODE_BY_STATUS.get(status) ?? 'bad_request', error.message));
    }
    request.log.error({ err: error }, 'request failed');
    return reply
      .status(500)
      .send(body('internal', `something went wrong on our side; it is logged under request id ${request.id}`));
  });

  app.setNotFoundHandler((request, reply) => {
    reply.status(404).send(body('not_found', `no route ${request.method} ${request.url.split('?')[0]}`));
  });
}
