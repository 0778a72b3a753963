/**
 * How the API answers what goes wrong, always as `{error: {code, message, issues?, problems?,
 * requestId}}`: validation failures, rule refusals, Fastify's own refusals, an unreachable
 * database, timeouts and internal errors (logged with the request id), unknown routes, and what
 * Node's HTTP parser refuses before any route runs.
 */
import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyError, FastifyInstance } from 'fastify';
import { isDatabaseUnavailable } from '../db/errors.js';
import { GovpubError, httpStatusOf } from '../domain/errors.js';
import { ValidationError, type FieldIssue } from '../services/package-input.js';
import { scrubSecrets } from './log.js';
import { codeFor, describeIssues, issuesFrom, type HttpPart } from './validation.js';

/** Largest JSON body (bytes). Uploads are multipart and limited per media kind instead. */
export const JSON_BODY_LIMIT = 8 * 1024 * 1024;

export type ValidationFailure = FastifyError & { validation: Parameters<typeof issuesFrom>[0]; validationContext: HttpPart };

export function errorBody(error: GovpubError, requestId?: string) {
  const issues = (error.details as { issues?: unknown }).issues;
  const problems = (error.details as { problems?: unknown }).problems;
  return {
    error: {
      code: error.code,
      message: error.message,
      ...(issues ? { issues } : {}),
      ...(problems ? { problems } : {}),
      ...(requestId ? { requestId } : {}),
    },
  };
}

/**
 * What Node's HTTP parser refuses before any route runs (a malformed request line, header or
 * Content-Length, headers over 16 kB) answers in the API's error shape too, with a request id.
 */
export function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, code, message] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'headers_too_large', 'The request line and headers are larger than 16 kB. Send long values in a JSON body.']
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'request_timeout', 'The request did not arrive in time. Send it again.']
        : [400, 'bad_request', `The request is not valid HTTP/1.1 (${error.code ?? 'parse error'}: ${error.message}); nothing was done.`];
  const requestId = randomUUID();
  const body = JSON.stringify({ error: { code, message, requestId } });
  // A response already under way (the body broke after the headers were read) is left alone.
  const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (socket.writable && !inFlight?.headersSent) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nx-request-id: ${requestId}\r\nconnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}

/** The error and not-found handlers of the API (`handlerMs`: the deadline a timed-out answer names). */
export function installErrorHandlers(app: FastifyInstance, handlerMs: number): void {
  app.setErrorHandler((error: FastifyError & Partial<ValidationFailure>, request, reply) => {
    const send = (status: number, body: { code: string; message: string; issues?: FieldIssue[] }) =>
      reply.status(status).send({ error: { ...body, requestId: request.id } });
    if (error.validation) {
      const part = error.validationContext ?? 'body';
      const issues = issuesFrom(error.validation, part);
      return send(400, { code: codeFor(part), message: describeIssues(issues, part), issues });
    }
    if (error instanceof ValidationError) return reply.status(400).send(errorBody(error, request.id));
    if (error instanceof GovpubError) {
      const status = (error.details as { status?: number }).status ?? httpStatusOf(error.code);
      if (status === 408) reply.header('connection', 'close');
      if (status < 500) return reply.status(status).send(errorBody(error, request.id));
    }
    if (error.statusCode && error.statusCode < 500) {
      // Fastify's own refusals: body too large, wrong content type, bad Content-Length.
      switch (error.code) {
        case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
          return send(415, {
            code: 'unsupported_media_type',
            message: `Send the body as JSON with "Content-Type: application/json" (this request has ${request.headers['content-type'] ? `"${request.headers['content-type']}"` : 'no Content-Type'}). Uploads go to POST /api/media as multipart/form-data.`,
          });
        case 'FST_ERR_CTP_BODY_TOO_LARGE':
          return send(413, {
            code: 'body_too_large',
            message: `The JSON body is larger than ${JSON_BODY_LIMIT / 1024 / 1024} MB. Upload files with POST /api/media and refer to them by id.`,
          });
        default:
          return send(error.statusCode, { code: error.code && !error.code.startsWith('FST_') ? error.code : 'bad_request', message: error.message });
      }
    }
    if (isDatabaseUnavailable(error)) {
      request.log.warn({ err: error, method: request.method, url: scrubSecrets(request.url), route: request.routeOptions.url }, 'database unreachable');
      return send(503, {
        code: 'database_unavailable',
        message: `The database is unreachable right now (request id ${request.id}), so the request did not complete. Try again in a moment (check the state first, e.g. GET /api/packages/:id); workflows keep their progress and record it once the database is back.`,
      });
    }
    const timedOut = error.code === 'FST_ERR_HANDLER_TIMEOUT';
    request.log.error(
      { err: error, method: request.method, url: scrubSecrets(request.url), route: request.routeOptions.url, user: request.actor?.name },
      timedOut ? 'request timed out' : 'request failed',
    );
    if (timedOut) {
      return send(503, {
        code: 'timeout',
        message: `The operation did not finish within ${Math.round(handlerMs / 1000)} s and may still complete. Check its state (e.g. GET /api/packages/:id) before retrying; request id ${request.id}.`,
      });
    }
    return send(500, {
      code: 'internal',
      message: `Internal error (request id ${request.id}); the operation may not have completed. Check its state (e.g. GET /api/packages/:id) before retrying, and quote the request id when reporting it.`,
    });
  });
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({
      error: { code: 'not_found', message: `No route ${request.method} ${scrubSecrets(request.url)}. See GET /api/openapi.json.`, requestId: request.id },
    }),
  );
}
