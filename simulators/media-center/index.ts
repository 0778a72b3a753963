/**
 * Media center (融媒体中心) simulators: the channel on the city news site (西安网碑林频道,
 * kind `news_site`, 16 columns) and the mobile app (融媒客户端, kind `media_app`, 11 columns).
 * No public API exists for these; the contract is ours and is written down in
 * simulators/README.md ("Media center API v1") so a vendor can implement it. Exactly-once
 * delivery rests on the Idempotency-Key header: the same key always yields the same article.
 */
import crypto from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { canonicalJson } from '../../domain/canonical-json.js';
import {
  extractLinks,
  htmlPage,
  isRecord,
  jsonBody,
  launchSimulator,
  queryParams,
  randomId,
  type PlatformDefinition,
  type PublicationRecord,
  type SimContext,
  type SimulatorHandle,
} from '../common.js';
import { renderFromTable } from '../common/error-table.js';
import {
  MEDIA_APP_COLUMNS,
  MEDIA_CENTER_LIMITS,
  NEWS_SITE_COLUMNS,
  errorBody,
  type ApiError,
  type Article,
  type MediaCenterKind,
  type MediaCenterOptions,
  type MediaState,
} from './contract.js';
import { validateArticle } from './validate.js';

export {
  ARTICLE_KINDS,
  MEDIA_APP_COLUMNS,
  MEDIA_CENTER_LIMITS,
  NEWS_SITE_COLUMNS,
  type MediaCenterKind,
  type MediaCenterOptions,
  type MediaColumn,
} from './contract.js';

const TOKEN_EXPIRED = 'The access token has expired; request a new one from POST /api/v1/auth/token.';
const SEND_JSON = 'Send JSON with Content-Type: application/json.';

/** Every answer of the contract takes a fault rule's code and message in place of its own. */
const answer = (status: number, code: string, message: string, headers?: (extra: { retryAfterSeconds?: number } | undefined) => Record<string, string>) => ({
  status,
  code,
  message,
  overridable: true,
  passMessage: true,
  headers,
});

export function mediaCenterDefinition(kind: MediaCenterKind, opts: MediaCenterOptions = {}): PlatformDefinition<MediaState> {
  const columns = opts.columns ?? (kind === 'news_site' ? NEWS_SITE_COLUMNS : MEDIA_APP_COLUMNS);
  const columnById = new Map(columns.map((c) => [c.id, c]));
  const ttl = opts.tokenTtlSeconds ?? 3600;
  const perMinute = opts.rateLimitPerMinute ?? 120;

  const bearer = (req: FastifyRequest): string | undefined => {
    const h = req.headers.authorization;
    const m = typeof h === 'string' ? /^Bearer\s+(\S+)$/i.exec(h) : null;
    return m?.[1];
  };

  const send = (reply: FastifyReply, e: ApiError) =>
    reply
      .code(e.status)
      .headers(e.headers ?? {})
      .send(errorBody(e));

  return {
    kind,
    bodyLimit: MEDIA_CENTER_LIMITS.bodyBytes,
    createState: () => ({ articles: new Map(), byKey: new Map(), window: new Map() }),
    presentedToken: bearer,
    render: renderFromTable<string>(
      {
        rate_limit: answer(429, 'rate_limited', 'Too many requests; retry after the number of seconds in Retry-After.', (extra) => ({
          'retry-after': String(extra?.retryAfterSeconds ?? 1),
        })),
        token_expired: answer(401, 'token_expired', TOKEN_EXPIRED, () => ({ 'www-authenticate': 'Bearer error="invalid_token"' })),
        busy: answer(503, 'unavailable', 'The service is temporarily unavailable; retry later.', () => ({ 'retry-after': '1' })),
        server_error: answer(500, 'internal_error', 'Internal error; the request may be retried with the same Idempotency-Key.'),
        too_large: answer(413, 'payload_too_large', `The request body exceeds ${MEDIA_CENTER_LIMITS.bodyBytes} bytes.`),
        not_found: answer(404, 'not_found', 'No such resource.'),
        unsupported_media: answer(415, 'unsupported_media_type', SEND_JSON),
        bad_request: answer(400, 'invalid_request', 'The request is malformed.'),
      },
      (code, message) => errorBody({ status: 0, code, message: message ?? '' }),
    ),
    platformStatus: (rec, ctx) => articleStatus(rec, ctx),
    routes(app, ctx, state) {
      /** Bearer token + per-client rate limit; returns the client id or sends the error. */
      const auth = (req: FastifyRequest, reply: FastifyReply): string | undefined => {
        const check = ctx.tokens.check(bearer(req), 'access');
        if (!check.ok) {
          send(reply, {
            status: 401,
            code: check.reason === 'expired' ? 'token_expired' : 'unauthorized',
            message: check.reason === 'expired' ? TOKEN_EXPIRED : 'A valid bearer token is required (Authorization: Bearer <accessToken>).',
            headers: { 'www-authenticate': `Bearer error="${check.reason === 'missing' ? 'invalid_request' : 'invalid_token'}"` },
          });
          return undefined;
        }
        const clientId = check.record.subject;
        const now = ctx.clock.now();
        const w = state().window.get(clientId);
        if (!w || now - w.start >= 60_000) state().window.set(clientId, { start: now, count: 1 });
        else if (++w.count > perMinute) {
          const retry = Math.max(1, Math.ceil((w.start + 60_000 - now) / 1000));
          send(reply, {
            status: 429,
            code: 'rate_limited',
            message: `More than ${perMinute} requests in a minute; retry after ${retry} s.`,
            headers: { 'retry-after': String(retry) },
          });
          return undefined;
        }
        return clientId;
      };

      const json = (req: FastifyRequest, reply: FastifyReply): Record<string, unknown> | undefined => {
        const ct = String(req.headers['content-type'] ?? '');
        if (!/^application\/(.+\+)?json/i.test(ct)) {
          send(reply, { status: 415, code: 'unsupported_media_type', message: SEND_JSON });
          return undefined;
        }
        const b = jsonBody(req);
        if (!b.ok || !isRecord(b.value)) {
          send(reply, { status: 400, code: 'invalid_json', message: 'The body must be a JSON object.' });
          return undefined;
        }
        return b.value;
      };

      // ---- auth ------------------------------------------------------------------------------
      app.post('/api/v1/auth/token', async (req, reply) => {
        const body = json(req, reply);
        if (!body) return reply;
        const clientId = typeof body.clientId === 'string' ? body.clientId : undefined;
        const secret = typeof body.clientSecret === 'string' ? body.clientSecret : undefined;
        if (!clientId || !secret)
          return send(reply, {
            status: 400,
            code: 'validation_failed',
            message: 'clientId and clientSecret are required.',
            details: { fields: ['clientId', 'clientSecret'] },
          });
        if (ctx.credentials.check(clientId, secret) !== 'ok')
          return send(reply, { status: 401, code: 'invalid_client', message: 'Unknown clientId or wrong clientSecret.' });
        const rec = ctx.tokens.issue({ subject: clientId, space: 'access', ttlSeconds: ttl, prefix: 'mc_', length: 40 });
        return { accessToken: rec.token, tokenType: 'Bearer', expiresIn: ttl };
      });

      // ---- columns ---------------------------------------------------------------------------
      app.get('/api/v1/columns', async (req, reply) => {
        if (!auth(req, reply)) return reply;
        return { items: columns.map((c) => ({ id: c.id, name: c.name })) };
      });

      // ---- articles --------------------------------------------------------------------------
      const articleJson = (a: Article) => {
        const rec = ctx.publications.get(a.id)!;
        const status = articleStatus(rec, ctx);
        const settled = ctx.publications.settled(rec);
        return {
          id: a.id,
          idempotencyKey: a.idempotencyKey,
          externalRef: a.externalRef,
          columnId: a.columnId,
          columnName: columnById.get(a.columnId)?.name ?? null,
          kind: a.kind,
          title: a.title,
          subtitle: a.subtitle,
          summary: a.summary,
          bodyHtml: a.bodyHtml,
          coverUrl: a.coverUrl,
          videoUrl: a.videoUrl,
          author: a.author,
          source: a.source,
          relatedLinks: a.relatedLinks,
          status,
          rejectReason: settled === 'failed' ? ((rec.outcome as { message?: string }).message ?? '内容审核未通过') : null,
          url: settled === 'published' ? `${ctx.baseUrl()}/a/${a.id}` : null,
          createdAt: new Date(a.createdAt).toISOString(),
          updatedAt: new Date(Math.max(rec.updatedMs, settled === 'processing' ? 0 : rec.readyAt)).toISOString(),
          publishedAt: settled === 'published' ? new Date(rec.readyAt).toISOString() : null,
          deletedAt: rec.deletedAt ?? null,
        };
      };

      app.post('/api/v1/articles', async (req, reply) => {
        const clientId = auth(req, reply);
        if (!clientId) return reply;
        const keyHeader = req.headers['idempotency-key'];
        const key = Array.isArray(keyHeader) ? keyHeader[0] : keyHeader;
        if (!key)
          return send(reply, {
            status: 400,
            code: 'idempotency_key_required',
            message: 'Send an Idempotency-Key header (1-128 characters: letters, digits, . _ : -); reuse it when retrying.',
          });
        if (!/^[A-Za-z0-9._:-]{1,128}$/.test(key))
          return send(reply, {
            status: 400,
            code: 'invalid_idempotency_key',
            message: 'Idempotency-Key must be 1-128 characters of letters, digits and . _ : -',
          });
        const body = json(req, reply);
        if (!body) return reply;
        const fingerprint = crypto.createHash('sha256').update(canonicalJson(body)).digest('hex');
        const existingId = state().byKey.get(`${clientId}\n${key}`);
        if (existingId) {
          const existing = state().articles.get(existingId)!;
          if (existing.fingerprint !== fingerprint) {
            return send(reply, {
              status: 409,
              code: 'idempotency_key_reused',
              message: `Idempotency-Key "${key}" was already used for a different request (article ${existing.id}); use a new key for new content.`,
              details: { articleId: existing.id },
            });
          }
          return reply.code(200).header('idempotent-replayed', 'true').header('location', `/api/v1/articles/${existing.id}`).send(articleJson(existing));
        }
        const v = validateArticle(body, columns);
        if ('status' in v) return send(reply, v);
        const id = `${kind === 'news_site' ? 'ns' : 'app'}-${ctx.counter('article', 100001)}-${randomId(6).toLowerCase()}`;
        const article: Article = { ...v, id, clientId, idempotencyKey: key, fingerprint, createdAt: ctx.clock.now() };
        state().articles.set(id, article);
        state().byKey.set(`${clientId}\n${key}`, id);
        const url = `${ctx.baseUrl()}/a/${id}`;
        const links = [...new Set([...v.relatedLinks.map((l) => l.url), ...extractLinks(v.bodyHtml ?? '')])];
        const media = [v.coverUrl, v.videoUrl].filter((m): m is string => m !== null);
        ctx.publications.create({
          id,
          ids: { id, idempotencyKey: key, ...(v.externalRef ? { externalRef: v.externalRef } : {}) },
          account: clientId,
          title: v.title,
          body: v.bodyHtml ?? v.summary ?? '',
          url,
          links,
          media,
          items: [{ index: 1, title: v.title, body: v.bodyHtml ?? '', url, links, media }],
          idempotencyKey: key,
          outcome: ctx.outcomeFor(req),
          faults: ctx.faultKindsFor(req),
          extra: { columnId: v.columnId, kind: v.kind, relatedLinks: v.relatedLinks, externalRef: v.externalRef },
        });
        return reply.code(201).header('location', `/api/v1/articles/${id}`).send(articleJson(article));
      });

      const ownArticle = (clientId: string, id: string) => {
        const a = state().articles.get(id);
        return a && a.clientId === clientId ? a : undefined;
      };

      app.get('/api/v1/articles/:id', async (req, reply) => {
        const clientId = auth(req, reply);
        if (!clientId) return reply;
        const a = ownArticle(clientId, (req.params as { id: string }).id);
        if (!a) return send(reply, { status: 404, code: 'not_found', message: 'No such article.' });
        return articleJson(a);
      });

      app.get('/api/v1/articles', async (req, reply) => {
        const clientId = auth(req, reply);
        if (!clientId) return reply;
        const q = queryParams(req);
        const limit = q.limit === undefined ? 20 : Number(q.limit);
        if (!Number.isInteger(limit) || limit < 1 || limit > MEDIA_CENTER_LIMITS.pageSizeMax)
          return send(reply, { status: 400, code: 'validation_failed', message: 'limit must be an integer from 1 to 100.' });
        if (q.status !== undefined && !['pending', 'published', 'rejected', 'deleted'].includes(q.status))
          return send(reply, { status: 400, code: 'validation_failed', message: 'status must be one of pending, published, rejected, deleted.' });
        // ids: a batch read (up to a page of comma-separated ids), how a client sweeps the state of many articles at once.
        const ids = q.ids === undefined ? undefined : new Set(q.ids.split(',').filter((id) => id !== ''));
        if (ids !== undefined && (ids.size === 0 || q.ids!.split(',').length > MEDIA_CENTER_LIMITS.pageSizeMax))
          return send(reply, {
            status: 400,
            code: 'validation_failed',
            message: `ids must list 1 to ${MEDIA_CENTER_LIMITS.pageSizeMax} article ids, separated by commas.`,
          });
        let list = [...state().articles.values()].filter((a) => a.clientId === clientId);
        if (ids !== undefined) list = list.filter((a) => ids.has(a.id));
        if (q.idempotencyKey !== undefined) list = list.filter((a) => a.idempotencyKey === q.idempotencyKey);
        if (q.externalRef !== undefined) list = list.filter((a) => a.externalRef === q.externalRef);
        if (q.columnId !== undefined) list = list.filter((a) => a.columnId === q.columnId);
        let items = list.sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1)).map(articleJson);
        if (q.status !== undefined) items = items.filter((a) => a.status === q.status);
        const start = q.cursor ? Math.max(0, Number(Buffer.from(q.cursor, 'base64url').toString('utf8')) || 0) : 0;
        const page = items.slice(start, start + limit);
        const next = start + limit < items.length ? Buffer.from(String(start + limit)).toString('base64url') : null;
        return { items: page, nextCursor: next };
      });

      app.delete('/api/v1/articles/:id', async (req, reply) => {
        const clientId = auth(req, reply);
        if (!clientId) return reply;
        const a = ownArticle(clientId, (req.params as { id: string }).id);
        if (!a) return send(reply, { status: 404, code: 'not_found', message: 'No such article.' });
        ctx.publications.markDeleted(ctx.publications.get(a.id)!);
        return articleJson(a);
      });

      // ---- public pages ----------------------------------------------------------------------
      app.get('/a/:id', async (req, reply) => {
        const a = state().articles.get((req.params as { id: string }).id);
        const rec = a ? ctx.publications.get(a.id) : undefined;
        if (!a || !rec) return reply.code(404).type('text/html; charset=utf-8').send(htmlPage('页面不存在', '<p>404</p>'));
        if (rec.deleted) return reply.code(410).type('text/html; charset=utf-8').send(htmlPage('稿件已删除', '<p>该稿件已删除</p>'));
        if (ctx.publications.stateOf(rec) !== 'published')
          return reply.code(404).type('text/html; charset=utf-8').send(htmlPage('页面不存在', '<p>审核中</p>'));
        const links = a.relatedLinks.map((l) => `<p><a href="${l.url}">${l.title.replace(/</g, '&lt;')}</a></p>`).join('');
        return reply.type('text/html; charset=utf-8').send(htmlPage(a.title, `${a.bodyHtml ?? ''}${links}`));
      });
    },
  };
}

/** pending → published (or rejected), deleted after DELETE. */
function articleStatus(rec: PublicationRecord, ctx: SimContext): 'pending' | 'published' | 'rejected' | 'deleted' {
  if (rec.deleted) return 'deleted';
  const settled = ctx.publications.settled(rec);
  return settled === 'processing' ? 'pending' : settled === 'failed' ? 'rejected' : 'published';
}

export function startMediaCenterSimulator(kind: MediaCenterKind, options: MediaCenterOptions = {}): Promise<SimulatorHandle<MediaState>> {
  return launchSimulator(mediaCenterDefinition(kind, options), options);
}
