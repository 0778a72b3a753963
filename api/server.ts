/**
 * The HTTP API for editors, reviewers and operations. Handlers are thin: they authenticate, hand
 * the request to a service, and shape errors as `{error: {code, message, issues?}}`.
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { GovpubError } from '../domain/errors.js';
import type { Actor } from '../domain/package-rules.js';
import { listChannels } from '../domain/registry.js';
import { listAudit } from '../services/audit.js';
import type { AppContext } from '../services/context.js';
import { PackageService } from '../services/packages.js';
import { DeliveryService } from '../services/deliveries.js';
import { ValidationError } from '../services/package-input.js';
import { authenticate, toActor } from '../services/users.js';
import { openApiDocument } from './openapi.js';

export interface ApiOptions {
  /** Extra health checks (e.g. simulators, adapters) reported by /healthz. */
  health?: () => Promise<Record<string, unknown>>;
  /** Per-channel extras for GET /api/channels (base URL, health); never secrets. */
  channelInfo?: () => Promise<(channelId: string) => Record<string, unknown>>;
  /** Checks the URL an operator gives for a manual post; null when it is acceptable. */
  validateManualUrl?: (platform: string, url: string) => string | null;
  /** Rendition progress of the media a package uses (shown in GET /api/packages/:id). */
  mediaProgress?: (mediaIds: string[]) => Promise<Record<string, unknown>>;
  /** More routes (media, the portal's static pages) with the same authentication. */
  register?: (app: FastifyInstance, helpers: RouteHelpers) => Promise<void>;
  logger?: boolean;
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
}

const STATUS_BY_CODE: Record<string, number> = {
  invalid_body: 400,
  unauthorized: 401,
  forbidden: 403,
  role_not_allowed: 403,
  wrong_stage: 403,
  not_found: 404,
};

export function errorBody(error: GovpubError) {
  const issues = (error.details as { issues?: unknown }).issues;
  const problems = (error.details as { problems?: unknown }).problems;
  return { error: { code: error.code, message: error.message, ...(issues ? { issues } : {}), ...(problems ? { problems } : {}) } };
}

export async function buildApi(ctx: AppContext, options: ApiOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({ logger: options.logger ?? false, bodyLimit: 8 * 1024 * 1024 });
  const packages = new PackageService(ctx);
  const deliveries = new DeliveryService(ctx);

  app.setErrorHandler((error: Error & { statusCode?: number; validation?: unknown; code?: string }, _request, reply) => {
    if (error instanceof ValidationError) return reply.status(400).send(errorBody(error));
    if (error instanceof GovpubError) {
      const status = (error.details as { status?: number }).status ?? STATUS_BY_CODE[error.code] ?? 409;
      return reply.status(status).send(errorBody(error));
    }
    if (error.statusCode && error.statusCode < 500) {
      // Fastify's own refusals: malformed JSON, body too large, wrong content type.
      return reply.status(error.statusCode).send({ error: { code: error.code ?? 'bad_request', message: error.message } });
    }
    reply.log.error(error);
    return reply.status(500).send({ error: { code: 'internal', message: 'Internal error; the operation may not have completed. Check GET /api/packages/:id before retrying.' } });
  });
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({ error: { code: 'not_found', message: `No route ${request.method} ${request.url}. See GET /api/openapi.json.` } }),
  );

  async function requireActor(request: FastifyRequest): Promise<Actor> {
    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw new GovpubError('unauthorized', 'Send your token as "Authorization: Bearer <token>" (create one with `govpub users add`).', { status: 401 });
    const user = await authenticate(ctx.db, match[1]!);
    if (!user) throw new GovpubError('unauthorized', 'The bearer token is unknown or its user is disabled.', { status: 401 });
    return toActor(user);
  }
  const auth = { preHandler: async (request: FastifyRequest) => { request.actor = await requireActor(request); } };
  const actorOf = (request: FastifyRequest) => request.actor!;
  const idOf = (request: FastifyRequest) => (request.params as { id: string }).id;
  const bodyOf = (request: FastifyRequest) => (request.body ?? {}) as Record<string, unknown>;

  app.get('/healthz', async () => {
    const extra = options.health ? await options.health() : {};
    let database = 'ok';
    let temporal = 'ok';
    await ctx.db.selectFrom('users').select('id').limit(1).execute().catch((e: Error) => { database = e.message; });
    await ctx.temporal.connection.workflowService.getSystemInfo({}).catch((e: Error) => { temporal = e.message; });
    return { status: database === 'ok' && temporal === 'ok' ? 'ok' : 'degraded', database, temporal, ...extra };
  });
  app.get('/api/openapi.json', async () => openApiDocument());

  app.get('/api/channels', auth, async (request) => {
    const q = request.query as { platform?: string; paused?: string };
    const rows = await ctx.db.selectFrom('channels').select(['id', 'paused_at', 'paused_reason']).execute();
    const paused = new Map(rows.map((r) => [r.id, r]));
    const info = options.channelInfo ? await options.channelInfo() : () => ({});
    return {
      channels: listChannels(ctx.registry)
        .filter((c) => !q.platform || c.platform === q.platform)
        .filter((c) => q.paused === undefined || Boolean(paused.get(c.id)?.paused_at) === (q.paused === 'true'))
        .map((c) => ({
          ...c,
          paused: Boolean(paused.get(c.id)?.paused_at),
          pausedReason: paused.get(c.id)?.paused_reason ?? null,
          ...info(c.id),
        })),
    };
  });
  app.post('/api/channels/:id/pause', auth, async (request) => deliveries.pauseChannel(actorOf(request), decodeURIComponent(idOf(request)), bodyOf(request).reason));
  app.post('/api/channels/:id/resume', auth, async (request) => deliveries.resumeChannel(actorOf(request), decodeURIComponent(idOf(request))));

  app.get('/api/deliveries', auth, async (request) => {
    const q = request.query as { state?: string; channel?: string; platform?: string; package?: string; needsAction?: string; limit?: string };
    return deliveries.list({
      state: q.state,
      channel: q.channel,
      platform: q.platform,
      packageId: q.package,
      needsAction: q.needsAction === 'true',
      limit: q.limit ? Number(q.limit) : undefined,
    });
  });
  app.get('/api/deliveries/:id', auth, async (request) => deliveries.get(idOf(request)));
  app.post('/api/deliveries/:id/retry', auth, async (request) => deliveries.retry(actorOf(request), idOf(request)));
  app.post('/api/deliveries/:id/skip', auth, async (request) => deliveries.skip(actorOf(request), idOf(request), bodyOf(request).reason));
  app.post('/api/deliveries/:id/confirm', auth, async (request) => deliveries.confirm(actorOf(request), idOf(request), bodyOf(request), options.validateManualUrl));
  app.get('/api/catalogue', auth, async () => ({
    items: ctx.registry.catalogue.map((item) => ({ ...item, stages: ctx.registry.review.classes[item.contentClass] ?? [] })),
  }));

  app.post('/api/packages', auth, async (request, reply) => reply.status(201).send(await packages.create(actorOf(request), request.body)));
  app.get('/api/packages', auth, async (request) => {
    const q = request.query as { status?: string; stage?: string; limit?: string };
    return { packages: await packages.list({ status: q.status, stage: q.stage, limit: q.limit ? Number(q.limit) : undefined }) };
  });
  app.get('/api/packages/:id', auth, async (request) => {
    const view = await packages.get(idOf(request));
    if (!options.mediaProgress) return view;
    const ids = [...JSON.stringify(view.content).matchAll(/[0-9a-f]{64}/g)].map((m) => m[0]);
    return { ...view, media: ids.length ? await options.mediaProgress([...new Set(ids)]) : {} };
  });
  app.put('/api/packages/:id', auth, async (request) => packages.edit(actorOf(request), idOf(request), request.body));
  app.post('/api/packages/:id/submit', auth, async (request) => packages.submit(actorOf(request), idOf(request)));
  app.post('/api/packages/:id/withdraw', auth, async (request) =>
    packages.withdraw(actorOf(request), idOf(request), typeof bodyOf(request).reason === 'string' ? (bodyOf(request).reason as string) : ''),
  );
  app.post('/api/packages/:id/decisions', auth, async (request) => packages.decide(actorOf(request), idOf(request), request.body));
  app.put('/api/packages/:id/schedule', auth, async (request) => {
    const releaseAt = bodyOf(request).releaseAt;
    if (releaseAt !== null && typeof releaseAt !== 'string') {
      throw new GovpubError('invalid_body', 'releaseAt: required, an ISO 8601 date-time or null (release as soon as approved)', { status: 400, issues: [{ path: 'releaseAt', message: 'required' }] });
    }
    return packages.schedule(actorOf(request), idOf(request), releaseAt, false);
  });
  app.delete('/api/packages/:id/schedule', auth, async (request) => packages.schedule(actorOf(request), idOf(request), null, true));
  app.post('/api/packages/:id/release', auth, async (request) => packages.releaseNow(actorOf(request), idOf(request)));
  app.post('/api/packages/:id/retract', auth, async (request) => packages.retract(actorOf(request), idOf(request), bodyOf(request).reason));

  app.get('/api/audit', auth, async (request) => {
    const q = request.query as { package?: string; action?: string; limit?: string; after?: string };
    return { entries: await listAudit(ctx.db, { packageId: q.package, action: q.action, limit: q.limit ? Number(q.limit) : undefined, afterId: q.after }) };
  });

  if (options.register) await options.register(app, { auth, actorOf, requireActor });

  return app;
}

export type { FastifyReply };
