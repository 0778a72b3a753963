/**
 * How the API answers what goes wrong, always as `{error: {code, message, messageZh, messageEn?,
 * issues?, problems?, requestId}}`: validation failures, rule refusals, Fastify's own refusals, an
 * unreachable database, timeouts and internal errors (logged with the request id), unknown routes,
 * and what Node's HTTP parser refuses before any route runs.
 *
 * Every sentence comes in English and Simplified Chinese. `message` is English (what scripts and
 * the CLI read) unless the request's `Accept-Language` prefers Chinese; then `message` is Chinese
 * and `messageEn` keeps the English. `messageZh` is always there, for the console.
 */
import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyError, FastifyInstance } from 'fastify';
import { isDatabaseUnavailable } from '../db/errors.js';
import { apiTokensHidden } from '../domain/api-token.js';
import { GovpubError, httpStatusOf } from '../domain/errors.js';
import { zhMessageFor } from '../domain/messages-zh.js';
import { ValidationError } from '../services/package-input.js';
import { scrubSecrets } from './log.js';
import {
  codeFor,
  describeIssues,
  describeIssuesZh,
  issuesFrom,
  localizeIssues,
  preferredLanguage,
  type HttpPart,
  type Language,
  type LocalizedIssue,
} from './validation.js';

/** Largest JSON body (bytes). Uploads are multipart and limited per media kind instead. */
export { JSON_BODY_LIMIT } from './json-body.js';
import { JSON_BODY_LIMIT } from './json-body.js';

export type ValidationFailure = FastifyError & { validation: Parameters<typeof issuesFrom>[0]; validationContext: HttpPart };

/** `message` in the language asked for, `messageZh` always, `messageEn` when `message` is Chinese. */
export function localized(english: string, zh: string, language: Language): { message: string; messageZh: string; messageEn?: string } {
  return language === 'zh' ? { message: zh, messageZh: zh, messageEn: english } : { message: english, messageZh: zh };
}

type ProblemLike = { code?: string; message?: string; messageZh?: string; messageEn?: string };

/**
 * Problems in an error body (a rule's list, a preflight's) as the contract has them: `message`
 * in Chinese and `messageEn` in English. A rule's problem arrives as {code, message (English),
 * messageZh?}; one already in that shape (it has messageEn) is passed on as it is.
 */
export function localizeProblems(problems: unknown): unknown {
  if (!Array.isArray(problems)) return problems;
  return problems.map((raw: unknown) => {
    if (!raw || typeof raw !== 'object') return raw;
    const problem = raw as ProblemLike;
    if (problem.messageEn !== undefined || typeof problem.message !== 'string') return raw;
    const { messageZh, ...rest } = problem;
    return { ...rest, message: messageZh ?? (problem.code ? zhMessageFor(problem.code) : problem.message), messageEn: problem.message };
  });
}

export function errorBody(error: GovpubError, requestId?: string, language: Language = 'en') {
  const issues = (error.details as { issues?: LocalizedIssue[] }).issues;
  const problems = (error.details as { problems?: unknown }).problems;
  // A field error's Chinese sentence lists its fields, as the English one does, unless it was
  // written in Chinese as a whole (it names its field itself: 「文件字段「file」的文件名…」).
  const listsFields = Array.isArray(issues) && issues.length > 0 && error.code.startsWith('invalid_') && error.ownMessageZh === undefined;
  const zh = listsFields ? describeIssuesZh(issues, 'body') : error.messageZh;
  return {
    error: {
      code: error.code,
      ...localized(error.message, zh, language),
      ...(issues ? { issues: Array.isArray(issues) ? localizeIssues(issues, language) : issues } : {}),
      ...(problems ? { problems: localizeProblems(problems) } : {}),
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
  const [status, code, message, messageZh] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'headers_too_large', 'The request line and headers are larger than 16 kB. Send long values in a JSON body.', zhMessageFor('headers_too_large')]
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'request_timeout', 'The request did not arrive in time. Send it again.', zhMessageFor('request_timeout')]
        : [
            400,
            'bad_request',
            `The request is not valid HTTP/1.1 (${error.code ?? 'parse error'}: ${error.message}); nothing was done.`,
            `请求不是有效的 HTTP/1.1 请求（${error.code ?? 'parse error'}），未做任何处理。`,
          ];
  const requestId = randomUUID();
  // The parser refused the headers, so no Accept-Language was read: English, with the Chinese beside it.
  const body = JSON.stringify({ error: { code, message, messageZh, requestId } });
  // A response already under way (the body broke after the headers were read) is left alone.
  const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (socket.writable && !inFlight?.headersSent) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nx-request-id: ${requestId}\r\nconnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}

/**
 * An error body a route or hook sent itself (`reply.send({error: {code, message}})`) gets the
 * same treatment as the error handler's: its code's Chinese sentence from domain/messages-zh.ts
 * when it brings none, issues with theirs, and `message` in the language asked for. A body
 * already localized (it has `messageEn`, or the handlers built it) comes out unchanged.
 */
export function localizeErrorPayload(payload: unknown, language: Language): unknown {
  if (!payload || typeof payload !== 'object' || Buffer.isBuffer(payload)) return payload;
  const error = (payload as { error?: unknown }).error;
  if (!error || typeof error !== 'object') return payload;
  const { code, message, messageZh, messageEn, issues, ...rest } = error as {
    code?: unknown;
    message?: unknown;
    messageZh?: unknown;
    messageEn?: unknown;
    issues?: unknown;
  };
  if (typeof code !== 'string' || typeof message !== 'string' || messageEn !== undefined) return payload;
  const zh = typeof messageZh === 'string' ? messageZh : zhMessageFor(code);
  return {
    ...payload,
    error: {
      code,
      ...localized(message, zh, language),
      ...(issues !== undefined ? { issues: Array.isArray(issues) ? localizeIssues(issues as LocalizedIssue[], language) : issues } : {}),
      ...rest,
    },
  };
}

/** The error and not-found handlers of the API (`handlerMs`: the deadline a timed-out answer names). */
export function installErrorHandlers(app: FastifyInstance, handlerMs: number): void {
  app.addHook('preSerialization', async (request, _reply, payload) => localizeErrorPayload(payload, preferredLanguage(request.headers['accept-language'])));
  // A refusal may quote what was sent (an unknown channel, a stage, a key): an API token typed
  // there is never repeated, in any error answer, whichever route or check wrote it.
  app.addHook('onSend', async (_request, reply, payload) => (reply.statusCode >= 400 && typeof payload === 'string' ? apiTokensHidden(payload) : payload));
  app.setErrorHandler((error: FastifyError & Partial<ValidationFailure>, request, reply) => {
    const language = preferredLanguage(request.headers['accept-language']);
    const send = (status: number, body: { code: string; message: string; messageZh?: string; issues?: LocalizedIssue[] }) => {
      const { code, message, messageZh, issues } = body;
      return reply.status(status).send({
        error: {
          code,
          ...localized(message, messageZh ?? zhMessageFor(code), language),
          ...(issues ? { issues: localizeIssues(issues, language) } : {}),
          requestId: request.id,
        },
      });
    };
    if (error.validation) {
      const part = error.validationContext ?? 'body';
      const issues = issuesFrom(error.validation, part);
      return send(400, { code: codeFor(part), message: describeIssues(issues, part), messageZh: describeIssuesZh(issues, part), issues });
    }
    if (error instanceof ValidationError) return reply.status(400).send(errorBody(error, request.id, language));
    if (error instanceof GovpubError) {
      const status = (error.details as { status?: number }).status ?? httpStatusOf(error.code);
      if (status === 408) reply.header('connection', 'close');
      if (status < 500) return reply.status(status).send(errorBody(error, request.id, language));
      // Refused before anything was done (api/admission.ts): the client may send it again after the pause.
      const retryAfterSec = (error.details as { retryAfterSec?: number }).retryAfterSec;
      if (status === 503 && retryAfterSec !== undefined)
        return reply
          .status(503)
          .header('retry-after', String(retryAfterSec))
          .send(errorBody(error, request.id, language));
      // A fault of the server that govpub names (a media tool that crashed): its sentence says what
      // to repair, so it is answered, and logged for operations like any 5xx.
      request.log.error({ err: error, method: request.method, url: scrubSecrets(request.url), route: request.routeOptions.url }, 'request failed');
      return reply.status(status).send(errorBody(error, request.id, language));
    }
    if (error.statusCode && error.statusCode < 500) {
      // Fastify's own refusals: body too large, wrong content type, bad Content-Length.
      switch (error.code) {
        case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
          return send(415, {
            code: 'unsupported_media_type',
            message: `Send the body as JSON with "Content-Type: application/json" (this request has ${request.headers['content-type'] ? `"${request.headers['content-type']}"` : 'no Content-Type'}). Uploads go to POST /api/media as multipart/form-data.`,
            messageZh: `请以 JSON 发送请求体，并带上 "Content-Type: application/json"（本请求${request.headers['content-type'] ? `为 "${request.headers['content-type']}"` : '没有 Content-Type'}）。上传文件请以 multipart/form-data 发送到 POST /api/media。`,
          });
        case 'FST_ERR_CTP_BODY_TOO_LARGE':
          return send(413, {
            code: 'body_too_large',
            message: `The JSON body is larger than ${JSON_BODY_LIMIT / 1024 / 1024} MB. Upload files with POST /api/media and refer to them by id.`,
            messageZh: `JSON 请求体超过 ${JSON_BODY_LIMIT / 1024 / 1024} MB。文件请通过 POST /api/media 上传，再按编号引用。`,
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
        messageZh: `数据库暂时无法连接（请求编号 ${request.id}），请求未完成。请稍后重试（重试前请先查看当前状态）；工作流会保留进度，并在数据库恢复后记录。`,
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
        messageZh: `操作未能在 ${Math.round(handlerMs / 1000)} 秒内完成，可能仍会完成。重试前请先查看其状态；请求编号 ${request.id}。`,
      });
    }
    return send(500, {
      code: 'internal',
      message: `Internal error (request id ${request.id}); the operation may not have completed. Check its state (e.g. GET /api/packages/:id) before retrying, and quote the request id when reporting it.`,
      messageZh: `系统内部错误（请求编号 ${request.id}），操作可能未完成。重试前请先查看其状态，报告问题时请附上请求编号。`,
    });
  });
  app.setNotFoundHandler((request, reply) => {
    const url = scrubSecrets(request.url);
    return reply.status(404).send({
      error: {
        code: 'not_found',
        ...localized(
          `No route ${request.method} ${url}. See GET /api/openapi.json.`,
          `没有 ${request.method} ${url} 这个接口。请查看 GET /api/openapi.json。`,
          preferredLanguage(request.headers['accept-language']),
        ),
        requestId: request.id,
      },
    });
  });
}
