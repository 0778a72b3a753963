/**
 * Media center (融媒体中心) simulators: the channel on the city news site (西安网碑林频道,
 * kind `news_site`, 16 columns) and the mobile app (融媒客户端, kind `media_app`, 11 columns).
 * No public API exists for these; the contract is ours and is written down in
 * simulators/README.md ("Media center API v1") so a vendor can implement it. Exactly-once
 * delivery rests on the Idempotency-Key header: the same key always yields the same article.
 */
import crypto from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  MB,
  charLength,
  extractLinks,
  htmlPage,
  htmlToText,
  isRecord,
  jsonBody,
  launchSimulator,
  queryParams,
  randomId,
  type CommonSimulatorOptions,
  type PlatformDefinition,
  type PublicationRecord,
  type SimContext,
  type SimulatorHandle,
} from './common.js';

export type MediaCenterKind = 'news_site' | 'media_app';

export interface MediaColumn {
  id: string;
  name: string;
}

export interface MediaCenterOptions extends CommonSimulatorOptions {
  /** Columns articles may be filed under (defaults: 16 for news_site, 11 for media_app). */
  columns?: MediaColumn[];
  /** Access token lifetime (default 3600 s). */
  tokenTtlSeconds?: number;
  /** Requests per client per minute before 429 (default 120). */
  rateLimitPerMinute?: number;
}

export const MEDIA_CENTER_LIMITS = {
  bodyBytes: 2 * MB,
  titleChars: 100,
  subtitleChars: 100,
  summaryChars: 300,
  bodyChars: 100_000,
  authorChars: 50,
  sourceChars: 100,
  externalRefChars: 200,
  relatedLinks: 20,
  idempotencyKeyChars: 128,
  pageSizeMax: 100,
} as const;

export const ARTICLE_KINDS = ['graphic', 'video', 'short_video', 'promo'] as const;
export type ArticleKind = (typeof ARTICLE_KINDS)[number];

/** 西安网碑林频道: 16 columns (placeholders; a deployment configures the real list). */
export const NEWS_SITE_COLUMNS: MediaColumn[] = [
  { id: 'bl-yaowen', name: '碑林要闻' },
  { id: 'bl-zwgk', name: '政务公开' },
  { id: 'bl-zcjd', name: '政策解读' },
  { id: 'bl-bmdt', name: '部门动态' },
  { id: 'bl-jddt', name: '街道动态' },
  { id: 'bl-tzgg', name: '通知公告' },
  { id: 'bl-msfw', name: '民生服务' },
  { id: 'bl-wenlv', name: '文化旅游' },
  { id: 'bl-yshj', name: '营商环境' },
  { id: 'bl-jywj', name: '教育卫健' },
  { id: 'bl-csjs', name: '城市建设' },
  { id: 'bl-sthb', name: '生态环保' },
  { id: 'bl-pabl', name: '平安碑林' },
  { id: 'bl-video', name: '视频碑林' },
  { id: 'bl-short', name: '短视频' },
  { id: 'bl-promo', name: '宣传片' },
];

/** 融媒客户端: 11 columns (placeholders; a deployment configures the real list). */
export const MEDIA_APP_COLUMNS: MediaColumn[] = [
  { id: 'app-home', name: '首页推荐' },
  { id: 'app-news', name: '碑林新闻' },
  { id: 'app-zwgk', name: '政务公开' },
  { id: 'app-zcjd', name: '政策解读' },
  { id: 'app-service', name: '便民服务' },
  { id: 'app-culture', name: '文旅碑林' },
  { id: 'app-video', name: '视频' },
  { id: 'app-short', name: '短视频' },
  { id: 'app-promo', name: '宣传片' },
  { id: 'app-topic', name: '专题' },
  { id: 'app-interact', name: '互动' },
];

interface RelatedLink {
  title: string;
  url: string;
  relation: 'interpretation' | 'policy' | 'related';
}

interface Article {
  id: string;
  clientId: string;
  idempotencyKey: string;
  fingerprint: string;
  externalRef: string | null;
  columnId: string;
  kind: ArticleKind;
  title: string;
  subtitle: string | null;
  summary: string | null;
  bodyHtml: string | null;
  coverUrl: string | null;
  videoUrl: string | null;
  author: string | null;
  source: string | null;
  relatedLinks: RelatedLink[];
  createdAt: number;
}

interface MediaState {
  articles: Map<string, Article>;
  byKey: Map<string, string>; // `${clientId}\n${key}` → article id
  window: Map<string, { start: number; count: number }>;
}

type ApiError = { status: number; code: string; message: string; details?: Record<string, unknown>; headers?: Record<string, string> };

function errorBody(e: ApiError) {
  return { error: { code: e.code, message: e.message, ...(e.details ? { details: e.details } : {}), requestId: randomId(16).toLowerCase() } };
}

function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (isRecord(v))
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(v[k])}`)
      .join(',')}}`;
  return JSON.stringify(v) ?? 'null';
}

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
    render: (cond, _req, _ctx, extra) => {
      const e = (status: number, code: string, message: string, headers?: Record<string, string>) => ({
        status,
        body: errorBody({ status, code: typeof extra?.code === 'string' ? extra.code : code, message: extra?.message ?? message }),
        headers,
      });
      switch (cond) {
        case 'rate_limit':
          return e(429, 'rate_limited', 'Too many requests; retry after the number of seconds in Retry-After.', {
            'retry-after': String(extra?.retryAfterSeconds ?? 1),
          });
        case 'token_expired':
          return e(401, 'token_expired', 'The access token has expired; request a new one from POST /api/v1/auth/token.', {
            'www-authenticate': 'Bearer error="invalid_token"',
          });
        case 'busy':
          return e(503, 'unavailable', 'The service is temporarily unavailable; retry later.', { 'retry-after': '1' });
        case 'server_error':
          return e(500, 'internal_error', 'Internal error; the request may be retried with the same Idempotency-Key.');
        case 'too_large':
          return e(413, 'payload_too_large', `The request body exceeds ${MEDIA_CENTER_LIMITS.bodyBytes} bytes.`);
        case 'not_found':
          return e(404, 'not_found', extra?.message ?? 'No such resource.');
        case 'unsupported_media':
          return e(415, 'unsupported_media_type', 'Send JSON with Content-Type: application/json.');
        default:
          return e(400, 'invalid_request', extra?.message ?? 'The request is malformed.');
      }
    },
    platformStatus: (rec, ctx) => articleStatus(rec, ctx),
    routes(app, ctx, state) {
      /** Bearer token + per-client rate limit; returns the client id or sends the error. */
      const auth = (req: FastifyRequest, reply: FastifyReply): string | undefined => {
        const check = ctx.tokens.check(bearer(req), 'access');
        if (!check.ok) {
          send(reply, {
            status: 401,
            code: check.reason === 'expired' ? 'token_expired' : 'unauthorized',
            message:
              check.reason === 'expired'
                ? 'The access token has expired; request a new one from POST /api/v1/auth/token.'
                : 'A valid bearer token is required (Authorization: Bearer <accessToken>).',
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
          send(reply, { status: 415, code: 'unsupported_media_type', message: 'Send JSON with Content-Type: application/json.' });
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

      type Validated = Omit<Article, 'id' | 'clientId' | 'idempotencyKey' | 'fingerprint' | 'createdAt'>;

      const validate = (b: Record<string, unknown>): Validated | ApiError => {
        const problems: { field: string; problem: string }[] = [];
        const optStr = (k: string, max: number): string | null => {
          const v = b[k];
          if (v === undefined || v === null) return null;
          if (typeof v !== 'string') {
            problems.push({ field: k, problem: 'must be a string' });
            return null;
          }
          if (charLength(v) > max) problems.push({ field: k, problem: `at most ${max} characters (got ${charLength(v)})` });
          return v;
        };
        const httpUrl = (k: string, v: string | null) => {
          if (v === null) return;
          try {
            const u = new URL(v);
            if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error();
          } catch {
            problems.push({ field: k, problem: 'must be an absolute http(s) URL' });
          }
        };
        const columnId = typeof b.columnId === 'string' ? b.columnId : '';
        if (!columnById.has(columnId)) {
          return {
            status: 400,
            code: 'unknown_column',
            message: `columnId "${columnId}" is not a column of this site; GET /api/v1/columns lists them.`,
            details: { field: 'columnId', allowed: columns.map((c) => c.id) },
          };
        }
        const kindValue = b.kind === undefined ? 'graphic' : b.kind;
        if (typeof kindValue !== 'string' || !(ARTICLE_KINDS as readonly string[]).includes(kindValue))
          problems.push({ field: 'kind', problem: `one of ${ARTICLE_KINDS.join(', ')}` });
        const title = typeof b.title === 'string' ? b.title.trim() : '';
        if (title === '') problems.push({ field: 'title', problem: 'required' });
        else if (charLength(title) > MEDIA_CENTER_LIMITS.titleChars)
          problems.push({ field: 'title', problem: `at most ${MEDIA_CENTER_LIMITS.titleChars} characters (got ${charLength(title)})` });
        const subtitle = optStr('subtitle', MEDIA_CENTER_LIMITS.subtitleChars);
        const summary = optStr('summary', MEDIA_CENTER_LIMITS.summaryChars);
        const bodyHtml = optStr('bodyHtml', MEDIA_CENTER_LIMITS.bodyChars);
        const coverUrl = optStr('coverUrl', 2000);
        const videoUrl = optStr('videoUrl', 2000);
        const author = optStr('author', MEDIA_CENTER_LIMITS.authorChars);
        const source = optStr('source', MEDIA_CENTER_LIMITS.sourceChars);
        const externalRef = optStr('externalRef', MEDIA_CENTER_LIMITS.externalRefChars);
        httpUrl('coverUrl', coverUrl);
        httpUrl('videoUrl', videoUrl);
        const k = kindValue as ArticleKind;
        if (k === 'graphic' && (bodyHtml === null || htmlToText(bodyHtml) === '')) problems.push({ field: 'bodyHtml', problem: 'required for kind "graphic"' });
        if (k !== 'graphic' && videoUrl === null) problems.push({ field: 'videoUrl', problem: `required for kind "${k}"` });
        if (bodyHtml !== null && /<script\b/i.test(bodyHtml)) problems.push({ field: 'bodyHtml', problem: 'must not contain <script>' });
        const related: RelatedLink[] = [];
        if (b.relatedLinks !== undefined && b.relatedLinks !== null) {
          if (!Array.isArray(b.relatedLinks)) problems.push({ field: 'relatedLinks', problem: 'must be an array' });
          else {
            if (b.relatedLinks.length > MEDIA_CENTER_LIMITS.relatedLinks)
              problems.push({ field: 'relatedLinks', problem: `at most ${MEDIA_CENTER_LIMITS.relatedLinks} links` });
            b.relatedLinks.forEach((l, i) => {
              if (!isRecord(l) || typeof l.title !== 'string' || l.title.trim() === '' || typeof l.url !== 'string') {
                problems.push({ field: `relatedLinks[${i}]`, problem: 'needs title and url' });
                return;
              }
              const relation = l.relation === undefined ? 'related' : l.relation;
              if (relation !== 'interpretation' && relation !== 'policy' && relation !== 'related')
                problems.push({ field: `relatedLinks[${i}].relation`, problem: 'one of interpretation, policy, related' });
              httpUrl(`relatedLinks[${i}].url`, l.url);
              related.push({ title: l.title, url: l.url, relation: relation as RelatedLink['relation'] });
            });
          }
        }
        if (problems.length > 0)
          return { status: 400, code: 'validation_failed', message: problems.map((p) => `${p.field}: ${p.problem}`).join('; '), details: { problems } };
        return { externalRef, columnId, kind: k, title, subtitle, summary, bodyHtml, coverUrl, videoUrl, author, source, relatedLinks: related };
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
        const v = validate(body);
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
        let list = [...state().articles.values()].filter((a) => a.clientId === clientId);
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
