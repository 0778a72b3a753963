/**
 * The HTTP API for editors, reviewers and operations. Handlers are thin: every route declares its
 * params, query, body and responses once (api/schemas.ts), Fastify validates with them, and the
 * handler hands the typed request to a service. Errors come out as
 * `{error: {code, message, issues?, problems?, requestId}}`.
 *
 * Order of a request: request id (X-Request-Id) → token check (onRequest, before any body byte is
 * read) → JSON body with a deadline → schema validation → handler.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { PassThrough } from 'node:stream';
import Fastify, {
  LogController,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type FastifyServerOptions,
  type HTTPMethods,
  type RouteOptions,
} from 'fastify';
import { currentPauses } from '../db/channels.js';
import { userById } from '../db/tokens.js';
import { pingDatabase } from '../db/connect.js';
import { packageMediaIds } from '../domain/package-media.js';
import { GovpubError } from '../domain/errors.js';
import type { Actor } from '../domain/package-rules.js';
import { channelsWithOwners, targetableChannelIds } from '../domain/units.js';
import { listAudit } from '../services/audit.js';
import type { AppContext } from '../services/context.js';
import { PackageService } from '../services/packages.js';
import { ValidityService } from '../services/validity.js';
import { listChannels, topicPaths } from '../domain/registry.js';
import { DeliveryService } from '../services/deliveries.js';
import { parsePackageInput, ValidationError, type FieldIssue } from '../services/package-input.js';
import { findUnsafeText, TOKEN_IN_TEXT } from '../domain/text.js';
import { authenticate, hasApiTokenPrefix, looksLikeApiToken, toActor } from '../services/users.js';
import { cookieValue, csrfMatches, SESSION_COOKIE, sessionCookies, sessionFromCookie, sessionStillLive } from '../services/sessions.js';
import { cookieSecure, registerSessionRoutes, requireOwnOrigin } from './session-routes.js';
import { keyFromHeader, withIdempotencyKey } from './idempotency.js';
import { decodeUtf8Body, parseJsonBody } from './json-body.js';
import { answerClientError, installErrorHandlers, JSON_BODY_LIMIT, type ValidationFailure } from './errors.js';
import { answerWrongMethod, trackRouteMethods } from './route-methods.js';
import { errorLogSerializer, scrubSecrets } from './log.js';
import { openApiDocument, type DocumentedRoute } from './openapi.js';
import { registerPreflightRoutes } from './preflight-routes.js';
import { registerStatsRoutes } from './stats-routes.js';
import { registerComplianceRoutes } from './compliance-routes.js';
import { registerPlatformEventRoutes } from './platform-event-routes.js';
import { ApiMetrics } from './metrics.js';
import { CommandAdmission, type CommandClass } from './admission.js';
import { defaultApiCommandsAtOnce } from '../config/settings.js';
import { METRICS_PATH, registerMetricsRoute, timeRequests } from './metrics-routes.js';
import { mediaRoutes, NoQuery, PUBLIC_ROUTES, routes, type RouteSchema, type Static, type TSchema } from './schemas.js';
import { compileFor, issuesFrom, mergeIssues, type HttpPart } from './validation.js';
import { CONSOLE_STREAMING_ROUTES, registerConsoleRoutes, type ConsoleOptions } from './console-routes.js';
import { renditionMade } from '../services/media-files.js';
import { channelHealthReader, type ChannelHealthSources } from '../services/channel-health.js';

export interface ApiTimeouts {
  /** A connection with no bytes either way for this long is closed (Fastify connectionTimeout). */
  idleMs?: number;
  /** The whole request (headers and body, uploads included) must arrive within this (Node requestTimeout). */
  requestMs?: number;
  /** A JSON body must arrive within this after its headers: 408 otherwise. */
  bodyMs?: number;
  /** A JSON route must answer within this: 503 `timeout` otherwise (the operation may still complete). */
  handlerMs?: number;
}

export const DEFAULT_TIMEOUTS: Required<ApiTimeouts> = {
  idleMs: 120_000,
  requestMs: 2 * 3600_000,
  bodyMs: 30_000,
  handlerMs: 60_000,
};

export { JSON_BODY_LIMIT } from './errors.js';

export interface ApiOptions {
  /** Extra health checks (e.g. simulators, adapters) reported by /healthz. */
  health?: () => Promise<Record<string, unknown>>;
  /** Per-channel extras for GET /api/channels (base URL, health); never secrets. */
  channelInfo?: () => Promise<(channelId: string) => Record<string, unknown>>;
  /**
   * Checks the URL an operator gives for a post confirmed by hand against its platform (null when
   * it can be one); by default the platforms' declared hosts (adapters/post-links.ts), the runtime
   * adds platforms.yaml's and the simulators' (runtime/channel-health.ts postLinkOptionsFor).
   */
  validatePostUrl?: (platform: string, url: string) => { message: string; messageZh: string } | null;
  /** Rendition progress of the media a package uses (shown in GET /api/packages/:id). */
  mediaProgress?: (mediaIds: string[]) => Promise<Record<string, unknown>>;
  /** More routes (media, the portal's static pages) with the same authentication. */
  register?: (app: FastifyInstance, helpers: RouteHelpers) => Promise<void>;
  /**
   * The log: JSON lines (pino) on stdout by default, at GOVPUB_LOG_LEVEL (default warn). Every
   * 5xx is logged with its request id, error and stack; headers and tokens never are. `false`
   * turns it off; `stream` sends the lines elsewhere (tests).
   */
  logger?: boolean | { level?: string; stream?: { write(line: string): void } };
  timeouts?: ApiTimeouts;
  /** The console's read routes: media store for bundles, secret sources and platforms for channel health (api/console-routes.ts). */
  console?: ConsoleOptions & ChannelHealthSources;
  /**
   * GET /metrics: this process's metrics (its own set when not given; give the one the database and
   * the Temporal client were opened with, so their timings are in it), and GOVPUB_METRICS_TOKEN.
   */
  metrics?: { registry?: ApiMetrics; token?: string };
  /**
   * Package and delivery commands run at once, and how long one may wait for its turn
   * (api/admission.ts); default: one per core (at least 2), 30 s.
   */
  admission?: { atOnce?: number; maxWaitMs?: number };
}

export interface RouteHelpers {
  auth: { preHandler: (request: FastifyRequest) => Promise<void> };
  actorOf(request: FastifyRequest): Actor;
  requireActor(request: FastifyRequest): Promise<Actor>;
}

declare module 'fastify' {
  interface FastifyRequest {
    actor?: Actor;
  }
  interface FastifyContextConfig {
    /** The route is a command that takes its turn (api/admission.ts). */
    admission?: CommandClass;
  }
}

/** Methods that change nothing: a session cookie alone suffices for them (no CSRF token). */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The routes that stream large files or uploads: no handler deadline (the idle and request timeouts still apply). */
const STREAMING_ROUTES = new Set(['POST /api/media', 'GET /api/media/:id/content', 'GET /api/media/:id/renditions/:spec', ...CONSOLE_STREAMING_ROUTES]);

/** A client's own X-Request-Id is kept when it is a plain token; otherwise the API makes one. */
function requestIdOf(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  // Not a credential: the id is echoed in every answer and written to every log line.
  if (typeof given === 'string' && /^[A-Za-z0-9._:-]{8,128}$/.test(given) && !looksLikeApiToken(given)) return given;
  return randomUUID();
}

/** Route input types, from the route's schema. */
type StaticOf<S, K extends string> = S extends { [P in K]: infer T extends TSchema } ? Static<T> : unknown;
type In<S extends RouteSchema> = {
  Body: StaticOf<S, 'body'>;
  Querystring: StaticOf<S, 'querystring'>;
  Params: StaticOf<S, 'params'>;
  Headers: StaticOf<S, 'headers'>;
};

/** True when every name and value of a query string decodes (a lone `%`, or bytes that are not UTF-8, do not). */
function queryDecodes(url: string): boolean {
  const at = url.indexOf('?');
  if (at < 0) return true;
  try {
    for (const part of url.slice(at + 1).split(/[&=]/)) decodeURIComponent(part.replaceAll('+', ' '));
    return true;
  } catch {
    return false;
  }
}

function hasBody(request: FastifyRequest): boolean {
  const length = request.headers['content-length'];
  return request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

export async function buildApi(ctx: AppContext, options: ApiOptions = {}): Promise<FastifyInstance> {
  const timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  const logger: FastifyServerOptions['logger'] =
    options.logger === false
      ? false
      : {
          level: (typeof options.logger === 'object' ? options.logger.level : undefined) ?? process.env.GOVPUB_LOG_LEVEL ?? 'warn',
          ...(typeof options.logger === 'object' && options.logger.stream ? { stream: options.logger.stream } : {}),
          serializers: { err: (error: Error) => errorLogSerializer(error) as unknown as { type: string; message: string; stack: string } },
          // Belt and braces: nothing logs headers, and if something ever does, not these.
          redact: {
            paths: [
              'req.headers.authorization',
              'req.headers.cookie',
              'headers.authorization',
              'headers.cookie',
              'res.headers["set-cookie"]',
              'headers["set-cookie"]',
              'headers["x-csrf-token"]',
              'req.headers["x-csrf-token"]',
              'req.body.password',
              'body.password',
            ],
            censor: '[redacted]',
          },
        };
  const app = Fastify({
    logger,
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'requestId' }),
    genReqId: requestIdOf,
    bodyLimit: JSON_BODY_LIMIT,
    connectionTimeout: timeouts.idleMs,
    requestTimeout: timeouts.requestMs,
    routerOptions: { maxParamLength: 300 },
    clientErrorHandler: answerClientError,
    frameworkErrors: (error, request, genericReply) => {
      const reply = genericReply as unknown as FastifyReply;
      reply.header('x-request-id', request.id);
      const tooLong = error.code === 'FST_ERR_MAX_PARAM_LENGTH';
      void reply.status(tooLong ? 414 : 400).send({
        error: {
          code: tooLong ? 'uri_too_long' : 'bad_url',
          message: tooLong ? 'A path segment is longer than 300 characters.' : 'The URL is not validly percent-encoded (e.g. a lone % must be sent as %25).',
          messageZh: tooLong ? '请求路径中有一段超过 300 个字符，未做任何处理。' : '请求地址的百分号编码无效（单独的 % 须写作 %25），未做任何处理。',
          requestId: request.id,
        },
      });
    },
  });
  const metrics = options.metrics?.registry ?? new ApiMetrics();
  metrics.countFrom(ctx.db, [...new Set(listChannels(ctx.registry).map((c) => c.platform))]);
  timeRequests(app, metrics);
  const packages = new PackageService(ctx);
  const validity = new ValidityService(ctx);
  const deliveries = new DeliveryService(ctx);

  // ---- Parsing, validation and serialization ----------------------------------------------

  // JSON only (text/plain and the rest: 415), in UTF-8 (RFC 8259: a body that says it is in
  // another charset would be read wrongly); duplicate keys are refused (api/json-body.ts).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: JSON_BODY_LIMIT }, (request, body, done) => {
    const charset = /;\s*charset\s*=\s*"?([^";\s]*)/i.exec(request.headers['content-type'] ?? '')?.[1];
    if (charset !== undefined && !/^utf-?8$/i.test(charset)) {
      done(
        new GovpubError('unsupported_media_type', `Send JSON in UTF-8 (this request says charset=${charset}); drop the charset or say charset=utf-8.`, {
          status: 415,
        }),
        undefined,
      );
      return;
    }
    try {
      done(null, parseJsonBody(decodeUtf8Body(body as Buffer)));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
  app.setValidatorCompiler(({ schema, httpPart }) => compileFor((httpPart ?? 'body') as HttpPart, schema as object));
  // Responses are sent as the handlers build them; their schemas document them (and tests check them).
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));

  // ---- Errors -------------------------------------------------------------------------------

  installErrorHandlers(app, timeouts.handlerMs);
  // Every route from here on: a path served with other methods answers 405 with Allow, not 404 (the onRequest hook below).
  const methodsAt = trackRouteMethods(app);

  // ---- Hooks ------------------------------------------------------------------------------

  /** The session cookie's value, when the request carries no Authorization header (a bearer token always wins). */
  const sessionIdOf = (request: FastifyRequest) =>
    request.headers.authorization === undefined ? cookieValue(request.headers.cookie, SESSION_COOKIE) : undefined;
  /**
   * Who is asking: a bearer token (scripts; exactly as before sessions existed) or else the session
   * cookie, whose state changes must carry the session's X-CSRF-Token and, when the browser sends
   * an Origin, come from this server's own origin.
   */
  async function authenticateRequest(request: FastifyRequest): Promise<Actor> {
    const header = request.headers.authorization;
    const sessionId = sessionIdOf(request);
    if (sessionId !== undefined) return authenticateSession(request, sessionId);
    const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
    if (!match)
      throw new GovpubError(
        'unauthorized',
        'Send your token as "Authorization: Bearer <token>" (create one with `govpub users add`), or sign in with POST /api/session.',
        { status: 401 },
      );
    const token = match[1]!;
    // A value that is not shaped like a token at all (a user name, a password, a metrics token) is a
    // mix-up rather than a stale token: say what a token looks like and where it comes from, never the value.
    if (!hasApiTokenPrefix(token))
      throw new GovpubError(
        'unauthorized',
        'The bearer token is not a govpub API token: govpub tokens start with gp_ (the value sent is not repeated here). Send the token `govpub users add NAME` printed as its last line; if it is lost, an administrator issues a new one with `govpub users rotate-token NAME`. To sign in with a user name and password, use the console or POST /api/session.',
        { status: 401 },
        {
          zh: 'Bearer 令牌不是 govpub API 令牌：govpub 令牌以 gp_ 开头（所发送的值不在此回显）。请发送 govpub users add NAME 最后一行输出的令牌；如已遗失，请管理员用 govpub users rotate-token NAME 换发新令牌。如需用用户名和密码登录，请使用控制台或 POST /api/session。',
        },
      );
    const user = await authenticate(ctx.db, token);
    if (!user)
      throw new GovpubError(
        'unauthorized',
        'The bearer token is unknown, expired or its user is disabled (an administrator issues a new one with `govpub users rotate-token NAME`).',
        { status: 401 },
      );
    return toActor(user);
  }
  async function authenticateSession(request: FastifyRequest, sessionId: string): Promise<Actor> {
    const session = await sessionFromCookie(ctx.db, sessionId);
    if (!session)
      throw new GovpubError('unauthorized', 'Your session has ended (signed out, expired or the user was changed). Sign in again.', { status: 401 });
    if (!SAFE_METHODS.has(request.method)) {
      const given = request.headers['x-csrf-token'];
      if (!csrfMatches(typeof given === 'string' ? given : undefined, session.csrfToken)) {
        throw new GovpubError(
          'csrf_failed',
          'Send the X-CSRF-Token header with the csrfToken of your session (GET /api/session) on every change; nothing was done.',
          { status: 403 },
        );
      }
      requireOwnOrigin(request);
    }
    request.authSession = session;
    return toActor(session.user);
  }
  /** Whether the credential a request was authenticated with still names the same live user (an open event stream asks). */
  async function stillSignedIn(request: FastifyRequest): Promise<boolean> {
    const actor = request.actor;
    if (!actor) return false;
    if (request.authSession) return (await sessionStillLive(ctx.db, request.authSession.idHash))?.id === actor.id;
    const token = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
    return token !== undefined && (await authenticate(ctx.db, token))?.id === actor.id;
  }
  async function requireActor(request: FastifyRequest): Promise<Actor> {
    request.actor ??= await authenticateRequest(request);
    return request.actor;
  }
  /** Runs before the body is read: an unauthenticated request is answered without parsing it. */
  const authenticateHook = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    try {
      await requireActor(request);
      // An active session keeps its cookie: the idle time renewed in the database is renewed in the browser.
      if (request.authSession?.renewed && SAFE_METHODS.has(request.method)) reply.header('set-cookie', sessionCookies(sessionIdOf(request)!, cookieSecure()));
    } catch (error) {
      // An ended session's cookies are cleared, so the console stops offering them (and asking with them).
      if (error instanceof GovpubError && error.code === 'unauthorized' && sessionIdOf(request) !== undefined)
        reply.header('set-cookie', sessionCookies(null, cookieSecure()));
      // A large refused body is not read to its end either.
      if (Number(request.headers['content-length'] ?? 0) > 64 * 1024 * 1024) reply.header('connection', 'close');
      throw error;
    }
  };

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
    // A token pasted where an id or a filter belongs (`govpub packages show gp_…`) would be quoted
    // back in "No package with id gp_…", and proxies log URLs: say what it is instead, never the value.
    if (request.url.startsWith('/api/') && looksLikeApiToken(request.url)) {
      return reply.status(400).send({
        error: {
          code: 'token_in_url',
          message:
            'The address holds what looks like an API token (gp_ followed by 32 characters), which is not repeated here: a token goes in the Authorization header (--token or GOVPUB_TOKEN on the command line), never where an id or a filter belongs. Nothing was done. Give the id instead; if the token was pasted where others can see it, issue a new one with `govpub users rotate-token NAME`.',
          messageZh:
            '请求地址中含有看似 API 令牌（gp_ 开头、后接 32 个字符）的内容，此处不回显：令牌应放在 Authorization 请求头中（命令行用 --token 或 GOVPUB_TOKEN），不能填在编号或筛选条件的位置。本次未做任何处理。请改填编号；如果令牌已被他人看到，请用 govpub users rotate-token NAME 换发新令牌。',
          requestId: request.id,
        },
      });
    }
    if (request.is404) {
      // Unknown routes answer before their body is read; a known path with another method says which it takes.
      const wrongMethod = answerWrongMethod(request, reply, scrubSecrets(request.url).split('?')[0]!, methodsAt);
      if (wrongMethod) return wrongMethod;
      return reply.status(404).send({
        error: {
          code: 'not_found',
          message: `No route ${request.method} ${scrubSecrets(request.url)}. See GET /api/openapi.json.`,
          messageZh: '没有这个接口。可用的接口见 GET /api/openapi.json。',
          requestId: request.id,
        },
      });
    }
    // Like the path (frameworkErrors above): a query value that does not decode is not taken as typed.
    if (!queryDecodes(request.url)) {
      return reply.status(400).send({
        error: {
          code: 'bad_url',
          message: 'The query string is not validly percent-encoded UTF-8 (e.g. a lone % must be sent as %25).',
          messageZh: '查询字符串不是有效的百分号编码 UTF-8（单独的 % 须写作 %25），未做任何处理。',
          requestId: request.id,
        },
      });
    }
  });

  const admission = new CommandAdmission(options.admission?.atOnce ?? defaultApiCommandsAtOnce(), options.admission?.maxWaitMs ?? 30_000, (kind, waitedSec) =>
    metrics.admissionWaited(kind, waitedSec),
  );
  metrics.watchAdmission(admission);

  const documented: DocumentedRoute[] = [];
  app.addHook('onRoute', (route: RouteOptions) => {
    const url = route.url;
    if (!url.startsWith('/api/') && url !== '/healthz' && url !== METRICS_PATH) return;
    const methods = (Array.isArray(route.method) ? route.method : [route.method]) as string[];
    const key = (method: string) => `${method === 'HEAD' ? 'GET' : method} ${url}`;
    const primary = methods.find((m) => m !== 'HEAD') ?? methods[0]!;
    route.schema ??= mediaRoutes[key(primary)] ?? { summary: key(primary) };
    const schema = route.schema as RouteSchema;
    // Unknown query parameters are refused everywhere under /api (a misspelt filter is not ignored).
    if (url.startsWith('/api/') && !schema.querystring) route.schema = { ...schema, querystring: NoQuery };
    const isPublic = methods.every((m) => PUBLIC_ROUTES.has(key(m)));
    if (!isPublic) {
      const hooks = route.onRequest ? (Array.isArray(route.onRequest) ? route.onRequest : [route.onRequest]) : [];
      if (!hooks.includes(authenticateHook)) route.onRequest = [...hooks, authenticateHook];
    }
    if (url.startsWith('/api/') && !methods.some((m) => STREAMING_ROUTES.has(key(m)))) route.handlerTimeout ??= timeouts.handlerMs;
    // A command takes its turn once authenticated (an unauthenticated one never waits), and gives it
    // back when its handler ends, however it ends.
    const kind = route.config?.admission;
    if (kind) {
      const handler = route.handler;
      route.handler = function (this: FastifyInstance, request: FastifyRequest, reply: FastifyReply) {
        const gone = new Promise((resolve) => reply.raw.once('close', resolve));
        return admission.run(kind, async () => handler.call(this, request, reply), gone);
      } as RouteOptions['handler'];
    }
    for (const method of methods) {
      if (method !== 'HEAD') documented.push({ method, url, schema: route.schema as RouteSchema, secured: !isPublic, ...(kind ? { admission: kind } : {}) });
    }
  });

  // A JSON body must arrive within bodyMs (uploads stream at their own pace: multipart is not read here).
  app.addHook('preParsing', async (request, reply, payload) => {
    // A compressed body would be read as its compressed bytes: JSON that "is not JSON", an upload
    // stored as gzip. RFC 7694: 415, and Accept-Encoding says what is taken (nothing but identity).
    const encoding = request.headers['content-encoding']?.trim().toLowerCase();
    if (hasBody(request) && encoding && encoding !== 'identity') {
      reply.header('accept-encoding', 'identity');
      throw new GovpubError(
        'unsupported_media_type',
        `Send the body uncompressed: this request says Content-Encoding: ${/^[a-z0-9._-]{1,32}(, ?[a-z0-9._-]{1,32}){0,3}$/.test(encoding) ? encoding : '(an unreadable value)'}, which the API does not take.`,
        { status: 415 },
      );
    }
    if (!hasBody(request) || /^multipart\//i.test(request.headers['content-type'] ?? '')) return payload;
    if (Number(request.headers['content-length'] ?? 0) > JSON_BODY_LIMIT) return payload; // refused at once (413)
    const guarded = new PassThrough();
    guarded.on('error', () => {}); // the parser reports it; nothing else may crash on it
    const timer = setTimeout(() => {
      payload.unpipe(guarded);
      const error = new GovpubError('request_timeout', `The request body did not arrive within ${Math.round(timeouts.bodyMs / 1000)} s. Send it again.`, {
        status: 408,
      });
      guarded.destroy(Object.assign(error, { statusCode: 408 }));
    }, timeouts.bodyMs);
    const done = () => {
      clearTimeout(timer);
      // Answered before the body was read (e.g. refused): let Node discard the rest.
      if (!payload.readableEnded) {
        payload.unpipe(guarded);
        payload.resume();
      }
    };
    payload.once('end', () => clearTimeout(timer));
    reply.raw.once('finish', done);
    reply.raw.once('close', done);
    payload.pipe(guarded);
    return guarded;
  });

  // A route that takes a body accepts none as {} (its schema then names the required fields).
  // Every string in a JSON body, and every field name, follows the one text rule (domain/text.ts):
  // no control character, direction override or lone surrogate reaches a service, whichever route
  // it came by. Routes that validate their body themselves (attachValidation: packages, preflight)
  // run the same rule there, so that one answer lists it with every other problem.
  app.addHook('preValidation', async (request) => {
    if ((request.routeOptions.schema as RouteSchema | undefined)?.body && (request.body === undefined || request.body === null)) request.body = {};
    if (request.routeOptions.attachValidation || request.body === null || typeof request.body !== 'object') return;
    const unsafe = findUnsafeText(request.body);
    if (unsafe.length > 0) throw new ValidationError(unsafe.slice(0, 50));
  });

  // ---- Routes ---------------------------------------------------------------------------------

  function route<S extends RouteSchema>(
    method: HTTPMethods,
    url: string,
    schema: S,
    handler: (request: FastifyRequest<In<S>>, reply: FastifyReply) => Promise<unknown>,
    extra: Partial<RouteOptions> = {},
  ): void {
    app.route({ method, url, schema, handler: handler as unknown as RouteOptions['handler'], ...extra });
  }
  const actorOf = (request: FastifyRequest) => request.actor!;
  // Commands take turns (api/admission.ts): those that move approved work along go first. Not held:
  // reads, sign-in, uploads (they stream at the sender's pace), and the urgent ones, pausing or
  // resuming a channel and retracting a package, which must act at once even when the API is busy.
  const FINISH: Partial<RouteOptions> = { config: { admission: 'finish' } };
  const START: Partial<RouteOptions> = { config: { admission: 'start' } };
  /**
   * Answers with `status` and what `run` gives; with an Idempotency-Key header, `run` runs once per
   * (user, key) and a retry of the same request (`fingerprintRoute` and body) gets the first answer
   * (api/idempotency.ts). `fingerprintRoute` names the resource, so one key cannot replay for another.
   */
  async function answerOnce(
    request: FastifyRequest<{ Body: unknown }>,
    reply: FastifyReply,
    fingerprintRoute: string,
    status: number,
    run: (keepAnswer?: (trx: Kysely<DB>, body: unknown) => Promise<void>) => Promise<unknown>,
  ): Promise<FastifyReply> {
    const key = keyFromHeader(request.headers['idempotency-key']);
    if (key === undefined) return reply.status(status).send(await run());
    // Keys are stored and quoted back in refusals: a credential is not one.
    if (looksLikeApiToken(key))
      throw new GovpubError('token_in_field', `The Idempotency-Key header ${TOKEN_IN_TEXT}. Nothing was done; use a new key, e.g. a UUID.`, {
        status: 400,
        issues: [{ path: 'Idempotency-Key', message: TOKEN_IN_TEXT }],
      });
    const outcome = await withIdempotencyKey(ctx.db, { userId: actorOf(request).id, key, route: fingerprintRoute, body: request.body }, async (keep) => ({
      status,
      body: await run((trx, body) => keep(trx, { status, body })),
    }));
    if (outcome.replayed) reply.header('idempotent-replayed', 'true');
    return reply.status(outcome.status).send(outcome.body);
  }
  /** The role and unit that decide which channels a user may target. */
  const unitUserOf = async (actor: Actor) => ({ role: actor.role, unit: (await userById(ctx.db, actor.id))?.unit ?? null });

  /**
   * A package body that fails its schema is also checked against the registry, so one answer
   * lists every problem (unknown channel, missing interpretation, too long, unknown field).
   */
  function packageBodyProblems(request: FastifyRequest): void {
    const failure = request.validationError as ValidationFailure | undefined;
    if (!failure) return;
    if (failure.validationContext !== 'body') throw failure;
    let registryIssues: FieldIssue[] = [];
    try {
      parsePackageInput(request.body, ctx.registry);
    } catch (error) {
      if (error instanceof ValidationError) registryIssues = error.issues;
    }
    throw new ValidationError(mergeIssues(registryIssues, issuesFrom(failure.validation, 'body')));
  }

  route('GET', '/healthz', routes.health, async () => {
    const extra = options.health ? await options.health() : {};
    let database = 'ok';
    let temporal = 'ok';
    await pingDatabase(ctx.db).catch((e: Error) => {
      database = e.message;
    });
    // DescribeNamespace answers only when the server is up and has this API's namespace.
    await ctx.temporal.connection.workflowService.describeNamespace({ namespace: ctx.temporal.options.namespace }).catch((e: Error) => {
      temporal = e.message;
    });
    return { status: database === 'ok' && temporal === 'ok' ? 'ok' : 'degraded', database, temporal, ...extra };
  });
  let document: unknown;
  route('GET', '/api/openapi.json', routes.openapi, async () => (document ??= openApiDocument(documented)));

  const channelHealth = channelHealthReader(ctx.db, ctx.registry, options.console ?? {});
  route('GET', '/api/channels', routes.listChannels, async (request) => {
    const q = request.query;
    const paused = await currentPauses(ctx.db);
    const info = options.channelInfo ? await options.channelInfo() : () => ({});
    const mine = q.scope === 'mine' ? targetableChannelIds(ctx.registry, await unitUserOf(actorOf(request))) : 'all';
    const channels = channelsWithOwners(ctx.registry)
      .filter((c) => mine === 'all' || mine.has(c.id))
      .filter((c) => !q.platform || c.platform === q.platform)
      .filter((c) => q.paused === undefined || paused.has(c.id) === q.paused);
    const health = await channelHealth(channels);
    return {
      channels: channels.map((c) => {
        const extra = info(c.id) as { health?: Record<string, unknown> };
        const pause = paused.get(c.id);
        return {
          ...c,
          paused: pause !== undefined,
          pausedReason: pause?.reason ?? null,
          pausedAt: pause?.at.toISOString() ?? null,
          pausedBy: pause?.by ?? null,
          ...extra,
          health: { ...extra.health, ...health.get(c.id) },
        };
      }),
    };
  });
  // Path parameters arrive decoded once (wechat_oa%3Ablfb → wechat_oa:blfb); they are never decoded again.
  // A second pause is refused (409 channel_already_paused), so a retry after a lost answer needs its key to get the first answer.
  route('POST', '/api/channels/:id/pause', routes.pauseChannel, async (request, reply) =>
    answerOnce(request, reply, `POST /api/channels/${request.params.id}/pause`, 200, (keepAnswer) =>
      deliveries.pauseChannel(actorOf(request), request.params.id, request.body.reason, keepAnswer),
    ),
  );
  route('POST', '/api/channels/:id/resume', routes.resumeChannel, async (request) => deliveries.resumeChannel(actorOf(request), request.params.id));

  route('GET', '/api/deliveries', routes.listDeliveries, async (request) => {
    const q = request.query;
    return deliveries.list({
      state: q.state,
      channel: q.channel,
      platform: q.platform,
      packageId: q.package,
      needsAction: q.needsAction === true,
      unit: q.unit,
      cursor: q.cursor,
      limit: q.limit,
    });
  });
  route('GET', '/api/deliveries/:id', routes.getDelivery, async (request) => deliveries.get(request.params.id));
  route('POST', '/api/deliveries/:id/retry', routes.retryDelivery, async (request) => deliveries.retry(actorOf(request), request.params.id), FINISH);
  route(
    'POST',
    '/api/deliveries/:id/skip',
    routes.skipDelivery,
    async (request) => deliveries.skip(actorOf(request), request.params.id, request.body.reason),
    FINISH,
  );
  route(
    'POST',
    '/api/deliveries/:id/confirm',
    routes.confirmDelivery,
    async (request) => deliveries.confirm(actorOf(request), request.params.id, request.body, options.validatePostUrl),
    FINISH,
  );
  route('GET', '/api/catalogue', routes.catalogue, async () => ({
    items: ctx.registry.catalogue.map((item) => ({ ...item, stages: ctx.registry.review.classes[item.contentClass] ?? [] })),
  }));
  route('GET', '/api/topics', routes.topics, async () => ({ categories: ctx.registry.topics, paths: topicPaths(ctx.registry) }));

  route(
    'POST',
    '/api/packages',
    routes.createPackage,
    async (request, reply) => {
      packageBodyProblems(request);
      return answerOnce(request, reply, 'POST /api/packages', 201, (keepAnswer) => packages.create(actorOf(request), request.body, keepAnswer));
    },
    { attachValidation: true, ...START },
  );
  route('GET', '/api/packages', routes.listPackages, async (request) => {
    const q = request.query;
    return packages.listPage(
      { status: q.status, stage: q.stage, createdBy: q.createdBy, q: q.q, unit: q.unit, returned: q.returned === true, cursor: q.cursor, limit: q.limit },
      actorOf(request),
    );
  });
  route('GET', '/api/packages/:id', routes.getPackage, async (request) => {
    const view = await packages.get(request.params.id);
    if (!options.mediaProgress) return view;
    const ids = packageMediaIds(view.content);
    return { ...view, media: ids.length ? await options.mediaProgress(ids) : {} };
  });
  route(
    'PUT',
    '/api/packages/:id',
    routes.editPackage,
    async (request) => {
      packageBodyProblems(request);
      return packages.edit(actorOf(request), request.params.id, request.body, request.query.baseRevision);
    },
    { attachValidation: true, ...START },
  );
  route(
    'POST',
    '/api/packages/:id/submit',
    routes.submitPackage,
    async (request) => packages.submit(actorOf(request), request.params.id, request.query.baseRevision),
    START,
  );
  route(
    'POST',
    '/api/packages/:id/withdraw',
    routes.withdrawPackage,
    async (request) => packages.withdraw(actorOf(request), request.params.id, request.body.reason ?? ''),
    FINISH,
  );
  route(
    'POST',
    '/api/packages/:id/decisions',
    routes.decidePackage,
    async (request) => packages.decide(actorOf(request), request.params.id, request.body),
    FINISH,
  );
  route(
    'PUT',
    '/api/packages/:id/schedule',
    routes.schedulePackage,
    async (request) => packages.schedule(actorOf(request), request.params.id, request.body.releaseAt, false),
    FINISH,
  );
  route(
    'DELETE',
    '/api/packages/:id/schedule',
    routes.unschedulePackage,
    async (request) => packages.schedule(actorOf(request), request.params.id, null, true),
    FINISH,
  );
  route('POST', '/api/packages/:id/release', routes.releasePackage, async (request) => packages.releaseNow(actorOf(request), request.params.id), FINISH);
  route('POST', '/api/packages/:id/retract', routes.retractPackage, async (request) =>
    packages.retract(actorOf(request), request.params.id, request.body.reason),
  );
  route(
    'POST',
    '/api/packages/:id/validity',
    routes.changeValidity,
    async (request) => validity.change(actorOf(request), request.params.id, request.body),
    FINISH,
  );

  route('GET', '/api/audit', routes.audit, async (request) => {
    const q = request.query;
    return {
      entries: await listAudit(ctx.db, {
        packageId: q.package,
        action: q.action,
        limit: q.limit,
        afterId: q.after,
        beforeId: q.before,
        newestFirst: q.order === 'newest',
      }),
    };
  });

  await registerSessionRoutes(app, ctx);

  const auth = {
    preHandler: async (request: FastifyRequest) => {
      await requireActor(request);
    },
  };
  registerConsoleRoutes(app, ctx, options.console, stillSignedIn);
  const mediaFiles = options.console?.media;
  registerPreflightRoutes(app, ctx, mediaFiles ? { renditionMade: (id, spec) => renditionMade(mediaFiles, id, spec) } : {});
  registerStatsRoutes(app, ctx);
  registerComplianceRoutes(app, ctx);
  registerMetricsRoute(app, metrics, options.metrics?.token);
  registerPlatformEventRoutes(app, ctx, { platforms: options.console?.platforms, secrets: options.console?.secrets });
  if (options.register) await options.register(app, { auth, actorOf, requireActor });

  return app;
}

export type { FastifyReply };
