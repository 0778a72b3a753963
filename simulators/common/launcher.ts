// Launches one simulator: a Fastify server on loopback with the platform's routes, fault injection, the request log and the /__sim/ control API.
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { SimClock } from './clock.js';
import { FaultEngine, type FaultKind, type FaultRule, FaultRuleError, type FaultRuleInput, losesResponse, validateFaultRule } from './faults.js';
import { type PublicationOutcome, type PublicationRecord, PublicationStore, type PublicationView } from './publications.js';
import { CredentialBook, TokenStore } from './credentials.js';
import { type RequestLogEntry, isRecord, jsonBody, queryParams } from './requests.js';
import { MB, type SimulatorKind } from './units.js';

/** Generic conditions each platform renders in its own error format. */
export type GenericCondition = 'rate_limit' | 'token_expired' | 'busy' | 'server_error' | 'too_large' | 'bad_request' | 'not_found' | 'unsupported_media';

export interface RenderedError {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface CommonSimulatorOptions {
  /** Interface to bind (default 127.0.0.1). */
  host?: string;
  /** Port (default 0 = ephemeral). */
  port?: number;
  /** Accepted app credentials { appId: secret }; default: any app id with a non-empty secret. */
  credentials?: Record<string, string>;
  /** Fault rules active from the start. */
  faults?: FaultRuleInput[];
  /** Seed of the fault RNG (default 1). */
  seed?: number;
  /** How long asynchronous publishing/review takes (default 300 ms). */
  publishDelayMs?: number;
  /** Base URL used in links the simulator hands out (default: its own http://host:port). */
  publicUrl?: string;
  /** Called once per request with method, path (no query string), status and fault. */
  onRequest?: (entry: RequestLogEntry) => void;
}

export interface SimContext {
  readonly kind: SimulatorKind;
  readonly clock: SimClock;
  readonly faults: FaultEngine;
  readonly publications: PublicationStore;
  readonly tokens: TokenStore;
  readonly credentials: CredentialBook;
  readonly options: CommonSimulatorOptions;
  /** Base URL (available once listening). */
  baseUrl(): string;
  /** host:port (available once listening). */
  hostPort(): string;
  publishDelayMs(): number;
  /** The fault applied to this request, if any. */
  faultOf(req: FastifyRequest): FaultRule | undefined;
  /** The asynchronous outcome a publish request must get (never_confirm / async_fail faults). */
  outcomeFor(req: FastifyRequest): PublicationOutcome;
  /** Fault kinds to record with a publication created by this request. */
  faultKindsFor(req: FastifyRequest): FaultKind[];
  /** Next value of a per-simulator counter. */
  counter(name: string, start?: number): number;
  sleep(ms: number): Promise<void>;
}

export interface PlatformDefinition<P> {
  kind: SimulatorKind;
  /** Creates (or recreates, on reset) the platform's own state. */
  createState(ctx: SimContext): P;
  routes(app: FastifyInstance, ctx: SimContext, state: () => P): void;
  /** Renders a generic condition in the platform's error format. */
  render(
    cond: GenericCondition,
    req: FastifyRequest,
    ctx: SimContext,
    extra?: { code?: number | string; message?: string; retryAfterSeconds?: number },
  ): RenderedError;
  /** Extract the credential presented by a request (for the token_expired fault). */
  presentedToken?(req: FastifyRequest): string | undefined;
  /** The platform's view of a publication (platform status), for /__sim/publications. */
  platformStatus?(rec: PublicationRecord, ctx: SimContext, state: P): number | string | undefined;
  /** Largest request body accepted at all (default 64 MB); finer limits are checked by routes. */
  bodyLimit?: number;
  /**
   * Endpoints that rotate a credential (a refresh token that stops working once used). Faults that
   * lose the response after the work is done (drop_response, timeout with process) pass them over:
   * a lost rotation would leave the client holding a dead token and turn an injected transient
   * fault into a reconnect, which no retry can heal.
   */
  rotatingCredentialPaths?: readonly string[];
  /**
   * `POST /__sim/posts`: a post made outside govpub (in the platform's own app), so a test can show
   * an account kept alive by it. Lists it like any other post of that account.
   */
  seedPost?(input: SeededPost, ctx: SimContext, state: P): { id: string };
}

/** A post seeded through `POST /__sim/posts`. */
export interface SeededPost {
  /** The account as the platform names it: WeChat appid, Weibo uid, Douyin/Kuaishou open_id. */
  account: string;
  text: string;
  /** When it went public (epoch ms, simulator clock); may be in the past. */
  at: number;
}

export interface SimulatorHandle<P = unknown> {
  kind: SimulatorKind;
  url: string;
  port: number;
  close(): Promise<void>;
  state: SimulatorStateApi<P>;
}

export interface SimulatorStateApi<P> {
  /** Every accepted publication, with its current asynchronous state. */
  publications(): PublicationView[];
  reset(opts?: { keepFaults?: boolean }): void;
  addFault(rule: FaultRuleInput): FaultRule;
  faults(): FaultRule[];
  clearFaults(): void;
  advanceClock(ms: number): void;
  requests(): RequestLogEntry[];
  /**
   * When an endpoint that rotates a credential (`rotatingCredentialPaths`) was last asked or last
   * answered (epoch ms, real time), whatever it answered; null before any. A harness that kills clients keeps its kills
   * away from that moment: a client killed after the platform rotated its refresh token and before
   * it stored the new one holds only a token the platform no longer takes.
   */
  lastCredentialRotationAt(): number | null;
  /** Platform internals, for white-box assertions. */
  platform(): P;
  context: SimContext;
}

declare module 'fastify' {
  interface FastifyRequest {
    simFault?: FaultRule;
  }
}

const REQUEST_LOG_LIMIT = 2000;

export async function launchSimulator<P>(def: PlatformDefinition<P>, options: CommonSimulatorOptions = {}): Promise<SimulatorHandle<P>> {
  const clock = new SimClock();
  const faults = new FaultEngine(options.seed ?? 1);
  const counters = new Map<string, number>();
  const timers = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  let closing = false;
  let base = '';
  let hostPortValue = '';
  let requestLog: RequestLogEntry[] = [];
  const delayMs = () => options.publishDelayMs ?? 300;

  const ctx: SimContext = {
    kind: def.kind,
    clock,
    faults,
    publications: new PublicationStore(def.kind, clock, delayMs),
    tokens: new TokenStore(clock),
    credentials: new CredentialBook(options.credentials),
    options,
    baseUrl: () => options.publicUrl?.replace(/\/+$/, '') ?? base,
    hostPort: () => hostPortValue,
    publishDelayMs: delayMs,
    faultOf: (req) => req.simFault,
    outcomeFor: (req) => {
      const f = req.simFault;
      if (f?.kind === 'never_confirm') return { type: 'never' };
      if (f?.kind === 'async_fail') return { type: 'fail', code: f.code, message: f.message };
      return { type: 'success' };
    },
    faultKindsFor: (req) => (req.simFault ? [req.simFault.kind] : []),
    counter: (name, start = 1) => {
      const v = counters.get(name) ?? start;
      counters.set(name, v + 1);
      return v;
    },
    sleep: (ms) =>
      new Promise<void>((resolve) => {
        if (closing || ms <= 0) return resolve();
        const entry = {
          resolve: () => {
            timers.delete(entry);
            resolve();
          },
          timer: setTimeout(() => entry.resolve(), ms),
        };
        timers.add(entry);
      }),
  };

  for (const rule of options.faults ?? []) faults.add(rule);

  const rotatingPaths = new Set(def.rotatingCredentialPaths ?? []);
  let lastRotationAt: number | null = null;
  let platformState = def.createState(ctx);
  const getState = () => platformState;

  const app = Fastify({ logger: false, forceCloseConnections: true, bodyLimit: def.bodyLimit ?? 64 * MB, routerOptions: { maxParamLength: 500 } });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  const log = (entry: RequestLogEntry) => {
    requestLog.push(entry);
    if (requestLog.length > REQUEST_LOG_LIMIT) requestLog = requestLog.slice(-REQUEST_LOG_LIMIT);
    try {
      options.onRequest?.(entry);
    } catch {
      /* a logging callback must never break the simulator */
    }
  };

  const pathOf = (req: FastifyRequest) => req.url.split('?')[0] ?? req.url;

  app.addHook('onRequest', async (req) => {
    // A rotation in flight counts from its request: its answer may be on the way.
    if (rotatingPaths.has(pathOf(req))) lastRotationAt = Date.now();
    // Platforms accept bodies without a content type (e.g. JSON posted as text).
    if (req.method !== 'GET' && req.method !== 'HEAD' && !req.headers['content-type']) {
      req.headers['content-type'] = 'application/octet-stream';
    }
    const path = pathOf(req);
    if (path.startsWith('/__sim/')) return;
    req.simFault = faults.select(req.method, path, rotatingPaths.has(path) ? losesResponse : undefined);
  });

  app.addHook('preHandler', async (req, reply) => {
    const f = req.simFault;
    if (!f) return;
    switch (f.kind) {
      case 'slow':
        if (f.process) return; // work happens now; the answer is held back in onSend
        await ctx.sleep(f.delayMs ?? 1000);
        return;
      case 'timeout':
        if (f.process) return; // work happens now; the response is held back in onSend
        await ctx.sleep(f.delayMs ?? 60_000);
        reply.hijack();
        req.raw.socket?.destroy();
        log({ at: new Date(clock.now()).toISOString(), method: req.method, path: pathOf(req), fault: f.kind, dropped: true });
        return reply;
      case 'http_error': {
        const status = f.status ?? 503;
        const r = def.render(status >= 500 ? 'server_error' : 'bad_request', req, ctx, { code: f.code, message: f.message });
        return reply
          .code(status)
          .headers(r.headers ?? {})
          .send(r.body);
      }
      case 'busy':
      case 'rate_limit': {
        const r = def.render(f.kind, req, ctx, { code: f.code, message: f.message, retryAfterSeconds: f.retryAfterSeconds });
        return reply
          .code(r.status)
          .headers(r.headers ?? {})
          .send(r.body);
      }
      case 'token_expired': {
        const token = def.presentedToken?.(req);
        if (token && f.invalidate !== false) ctx.tokens.expire(token);
        const r = def.render('token_expired', req, ctx, { code: f.code, message: f.message });
        return reply
          .code(r.status)
          .headers(r.headers ?? {})
          .send(r.body);
      }
      default:
        return; // drop_response / never_confirm / async_fail act in the handler or onSend
    }
  });

  app.addHook('onSend', async (req, reply, payload) => {
    const f = req.simFault;
    if (f?.kind === 'drop_response') {
      req.raw.socket?.destroy();
      log({ at: new Date(clock.now()).toISOString(), method: req.method, path: pathOf(req), status: reply.statusCode, fault: f.kind, dropped: true });
      return payload;
    }
    if (f?.kind === 'slow' && f.process) {
      await ctx.sleep(f.delayMs ?? 1000);
      return payload;
    }
    if (f?.kind === 'timeout' && f.process) {
      await ctx.sleep(f.delayMs ?? 60_000);
      req.raw.socket?.destroy();
      log({ at: new Date(clock.now()).toISOString(), method: req.method, path: pathOf(req), status: reply.statusCode, fault: f.kind, dropped: true });
      return payload;
    }
    return payload;
  });

  app.addHook('onResponse', async (req, reply) => {
    const path = pathOf(req);
    if (path.startsWith('/__sim/')) return;
    const f = req.simFault;
    if (f?.kind === 'drop_response' || (f?.kind === 'timeout' && f.process)) return; // logged in onSend
    if (rotatingPaths.has(path)) lastRotationAt = Date.now();
    log({ at: new Date(clock.now()).toISOString(), method: req.method, path, status: reply.statusCode, fault: f?.kind });
  });

  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, req, reply) => {
    const status = err.statusCode ?? 500;
    const cond: GenericCondition =
      status === 413 ? 'too_large' : status === 415 ? 'unsupported_media' : status === 404 ? 'not_found' : status >= 500 ? 'server_error' : 'bad_request';
    const r = def.render(cond, req, ctx, { message: err.message });
    reply
      .code(r.status)
      .headers(r.headers ?? {})
      .send(r.body);
  });

  app.setNotFoundHandler((req, reply) => {
    const r = def.render('not_found', req, ctx, { message: `no such endpoint: ${req.method} ${pathOf(req)}` });
    reply
      .code(r.status)
      .headers(r.headers ?? {})
      .send(r.body);
  });

  // ---- control API ------------------------------------------------------------------------
  const publicationsView = (): PublicationView[] =>
    ctx.publications.all().map((rec) => ctx.publications.view(rec, def.platformStatus?.(rec, ctx, platformState)));

  const reset = (opts: { keepFaults?: boolean } = {}) => {
    ctx.publications.clear();
    (ctx as { tokens: TokenStore }).tokens = new TokenStore(clock);
    ctx.credentials.resetLearned();
    counters.clear();
    requestLog = [];
    clock.reset();
    if (!opts.keepFaults) {
      faults.clear();
      faults.reseed(options.seed ?? 1);
    }
    platformState = def.createState(ctx);
  };

  app.get('/__sim/health', async () => ({
    ok: true,
    kind: def.kind,
    url: ctx.baseUrl(),
    publications: ctx.publications.all().length,
    faults: faults.list().length,
    clockOffsetMs: clock.offset,
  }));
  app.get('/__sim/publications', async (req) => {
    const q = queryParams(req);
    let list = publicationsView();
    if (q.state) list = list.filter((p) => p.state === q.state);
    if (q.includeDeleted === 'false') list = list.filter((p) => !p.deleted);
    return { kind: def.kind, count: list.length, publications: list };
  });
  // Deleted in the platform's own app or back office (as an operator does when govpub's take-down fails).
  app.post('/__sim/publications/:id/delete', async (req, reply) => {
    const id = (req.params as { id: string }).id;
    const rec = ctx.publications.get(id);
    if (!rec) return reply.code(404).send({ error: `no publication ${id} (GET /__sim/publications lists them)` });
    ctx.publications.markDeleted(rec);
    return publicationsView().find((p) => p.id === rec.id);
  });
  app.post('/__sim/reset', async (req) => {
    const body = jsonBody(req);
    const keepFaults = body.ok && isRecord(body.value) && body.value.keepFaults === true;
    reset({ keepFaults });
    return { ok: true };
  });
  app.get('/__sim/faults', async () => ({ seed: faults.seed, rules: faults.list() }));
  app.post('/__sim/faults', async (req, reply) => {
    const body = jsonBody(req);
    if (!body.ok) return reply.code(400).send({ error: 'body must be JSON: a rule, an array of rules, or { rules, seed, replace }' });
    const v = body.value;
    let rules: unknown[];
    let seed: unknown;
    let replace = false;
    if (Array.isArray(v)) rules = v;
    else if (isRecord(v) && ('rules' in v || 'seed' in v || 'replace' in v)) {
      rules = Array.isArray(v.rules) ? v.rules : v.rules === undefined ? [] : [v.rules];
      seed = v.seed;
      replace = v.replace === true;
    } else rules = [v];
    try {
      const validated = rules.map(validateFaultRule);
      if (seed !== undefined && (typeof seed !== 'number' || !Number.isInteger(seed))) throw new FaultRuleError('"seed" must be an integer');
      if (replace) faults.clear();
      if (typeof seed === 'number') faults.reseed(seed);
      const added = validated.map((r) => faults.add(r));
      return { ok: true, added, seed: faults.seed, rules: faults.list() };
    } catch (e) {
      return reply.code(400).send({ error: (e as Error).message });
    }
  });
  app.delete('/__sim/faults', async (req) => {
    const q = queryParams(req);
    if (q.id) return { ok: faults.remove(q.id), rules: faults.list() };
    faults.clear();
    return { ok: true, rules: [] };
  });
  app.get('/__sim/clock', async () => ({ now: new Date(clock.now()).toISOString(), offsetMs: clock.offset }));
  app.post('/__sim/clock', async (req, reply) => {
    const body = jsonBody(req);
    const v = body.ok && isRecord(body.value) ? body.value : {};
    const ms = typeof v.advanceMs === 'number' ? v.advanceMs : typeof v.advanceSeconds === 'number' ? v.advanceSeconds * 1000 : undefined;
    if (ms === undefined || !Number.isFinite(ms) || ms < 0)
      return reply.code(400).send({ error: 'give { "advanceSeconds": n } or { "advanceMs": n } (n >= 0)' });
    clock.advance(ms);
    return { now: new Date(clock.now()).toISOString(), offsetMs: clock.offset };
  });
  app.get('/__sim/requests', async () => ({ requests: requestLog }));
  app.post('/__sim/posts', async (req, reply) => {
    if (!def.seedPost) return reply.code(404).send({ error: `the ${def.kind} simulator cannot seed posts` });
    const body = jsonBody(req);
    const v = body.ok && isRecord(body.value) ? body.value : undefined;
    const at = v?.at === undefined ? clock.now() : typeof v.at === 'string' ? Date.parse(v.at) : NaN;
    if (!v || typeof v.account !== 'string' || v.account === '' || typeof v.text !== 'string' || v.text === '' || !Number.isFinite(at)) {
      return reply.code(400).send({ error: 'give { "account": "<appid | uid | open_id>", "text": "…", "at"?: "<ISO 8601>" }' });
    }
    return reply.code(201).send(def.seedPost({ account: v.account, text: v.text, at }, ctx, platformState));
  });

  def.routes(app, ctx, getState);

  const host = options.host ?? '127.0.0.1';
  await app.listen({ host, port: options.port ?? 0 });
  const addr = app.server.address() as AddressInfo;
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  base = `http://${urlHost}:${addr.port}`;
  hostPortValue = `${urlHost}:${addr.port}`;

  return {
    kind: def.kind,
    url: base,
    port: addr.port,
    close: async () => {
      closing = true;
      for (const t of [...timers]) {
        clearTimeout(t.timer);
        t.resolve();
      }
      await app.close();
    },
    state: {
      publications: publicationsView,
      reset,
      addFault: (rule) => faults.add(rule),
      faults: () => faults.list(),
      clearFaults: () => faults.clear(),
      advanceClock: (ms) => clock.advance(ms),
      requests: () => [...requestLog],
      lastCredentialRotationAt: () => lastRotationAt,
      platform: getState,
      context: ctx,
    },
  };
}

/** Sends a rendered error. */
export function sendError(reply: FastifyReply, r: RenderedError): FastifyReply {
  return reply
    .code(r.status)
    .headers(r.headers ?? {})
    .send(r.body);
}
