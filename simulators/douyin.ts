/**
 * Douyin (抖音) open platform simulator: client_token and user access tokens (OAuth code,
 * refresh, refresh-token renewal; refresh tokens may also be configured), video upload in one request (≤ 128 MB) or in parts (init → parts ≥ 5 MB except the
 * last → complete), `video/create`, `video/data`, `video/list` and `video/delete`. Responses use
 * the `{data: {..., error_code, description}, extra: {...}}` envelope of open.douyin.com.
 */
import crypto from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  MB,
  charLength,
  declaredDuration,
  formBody,
  htmlPage,
  isRecord,
  jsonBody,
  launchSimulator,
  multipartBody,
  queryParams,
  randomId,
  sniffMedia,
  type CommonSimulatorOptions,
  type PlatformDefinition,
  type PublicationRecord,
  type SimContext,
  type SimulatorHandle,
  accessTokenHeaderOrQuery,
  type PreissuedRefresh,
} from './common.js';
import { renderFromTable } from './common/error-table.js';
import { recordVideo, videoAccounts, videoOAuth, type VideoAccounts, type VideoOAuthOptions, type VideoOAuthSetup } from './common/video-oauth.js';

/** Refresh tokens may also be configured (`refreshTokens`); they last until renewed (`/oauth/renew_refresh_token/`). */
export interface DouyinOptions extends CommonSimulatorOptions, VideoOAuthOptions<{ clientKey: string }> {
  /** client_token lifetime (default 7200 s). */
  clientTokenTtlSeconds?: number;
  /** Limits, overridable so tests need not send 128 MB. */
  limits?: Partial<typeof DOUYIN_LIMITS>;
  /** How many times a refresh token chain may be renewed (default 5, as documented; then 10020). */
  maxRefreshRenewals?: number;
}

export const DOUYIN_LIMITS = {
  /** Largest file accepted by /video/upload/ (128 MB); larger files must be uploaded in parts. */
  singleUploadBytes: 128 * MB,
  /** Parts other than the last must be at least 5 MB. */
  minPartBytes: 5 * MB,
  /** Largest single part accepted (simulator bound; 20 MB recommended by the docs). */
  maxPartBytes: 128 * MB,
  /** Total size of a video (4 GB). */
  totalBytes: 4 * 1024 * MB,
  /** Longest video (15 minutes), from the duration the client declares. */
  maxSeconds: 15 * 60,
  /** upload_id validity (2 hours). */
  uploadIdSeconds: 7200,
  /** Longest `text` of video/create (simulator default; see README). */
  textChars: 1000,
} as const;

const DESCRIPTIONS: Record<number, string> = {
  0: '',
  10002: '参数错误',
  10003: 'client_key 错误',
  10005: '缺少参数',
  10007: '授权码过期',
  10004: '权限不足',
  10010: 'refresh_token 过期',
  10013: 'client_key 或者 client_secret 报错',
  10020: '超过刷新次数限制',
  2100004: '系统繁忙,此时请开发者稍候再试',
  2100005: '参数不合法',
  2100007: '无权限操作',
  2190001: 'quota已用完',
  2190002: 'access_token无效',
  2190004: '应用未获得该能力',
  2190005: '视频文件太大了',
  2190006: '视频时长不能超过15分钟',
  2190007: '无效的视频文件ID',
  2190008: 'access_token过期,请刷新或重新授权',
  2190015: '请求参数access_token openid不匹配',
};

function envelope(code: number, data: Record<string, unknown> = {}, description?: string) {
  const desc = description ?? DESCRIPTIONS[code] ?? 'error';
  return {
    data: { ...data, error_code: code, description: code === 0 ? '' : desc },
    extra: {
      error_code: code,
      description: code === 0 ? '' : desc,
      sub_error_code: 0,
      sub_description: '',
      logid: `${new Date().toISOString().replace(/\D/g, '').slice(0, 14)}${randomId(18, '0123456789ABCDEF')}`,
      now: Date.now(),
    },
  };
}

function oauthEnvelope(code: number, data: Record<string, unknown> = {}, description?: string) {
  return {
    data: { ...data, error_code: code, description: code === 0 ? '' : (description ?? DESCRIPTIONS[code] ?? 'error') },
    message: code === 0 ? 'success' : 'error',
  };
}

interface UploadedVideo {
  videoId: string;
  openId: string;
  bytes: number;
  width: number;
  height: number;
  duration?: number;
  format: string;
  sha256: string;
  used: boolean;
}

interface PartUpload {
  uploadId: string;
  openId: string;
  createdAt: number;
  parts: Map<number, { bytes: number; head: Buffer; sha256: string }>;
}

interface DouyinItem {
  itemId: string;
  openId: string;
  videoId: string;
  text: string;
  createTime: number;
  coverTsp?: number;
  shareKey: string;
}

interface DouyinState extends VideoAccounts {
  videos: Map<string, UploadedVideo>;
  uploads: Map<string, PartUpload>;
  items: Map<string, DouyinItem>;
  shares: Map<string, string>;
}

const ITEM_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

export function douyinDefinition(opts: DouyinOptions = {}): PlatformDefinition<DouyinState> {
  const L = { ...DOUYIN_LIMITS, ...(opts.limits ?? {}) };
  const clientTtl = opts.clientTokenTtlSeconds ?? 7200;
  const maxRenewals = opts.maxRefreshRenewals ?? 5;
  const presented = accessTokenHeaderOrQuery;
  const oauthSetup: VideoOAuthSetup<{ clientKey: string }> = {
    clientField: 'clientKey',
    accessTtlSeconds: opts.accessTokenTtlSeconds ?? 15 * 86400,
    refreshTtlSeconds: opts.refreshTokenTtlSeconds ?? 30 * 86400,
    tokenLength: 60,
    accessPrefix: 'act.',
    refreshPrefix: 'rft.',
    openIdFor: (clientKey, user) =>
      `_000${crypto
        .createHash('sha256')
        .update(`${clientKey}|${user ?? opts.defaultUser ?? 'default'}`)
        .digest('hex')
        .slice(0, 28)}`,
  };
  const accessTtl = oauthSetup.accessTtlSeconds;
  const refreshTtl = oauthSetup.refreshTtlSeconds;

  return {
    kind: 'douyin',
    bodyLimit: Math.max(L.singleUploadBytes, L.maxPartBytes) + 4 * MB,
    createState: (ctx) => ({ ...videoAccounts(opts, oauthSetup, ctx), videos: new Map(), uploads: new Map(), items: new Map(), shares: new Map() }),
    presentedToken: presented,
    rotatingCredentialPaths: ['/oauth/renew_refresh_token/'],
    render: renderFromTable(
      {
        rate_limit: { status: 200, code: 2190001, overridable: true },
        token_expired: { status: 200, code: 2190008, overridable: true },
        busy: { status: 200, code: 2100004, overridable: true },
        server_error: { status: 500, code: 2100004, overridable: true },
        too_large: { status: 200, code: 2190005 },
        not_found: { status: 404, code: 2100005, message: '接口不存在', passMessage: true },
        bad_request: { status: 200, code: 2100005, overridable: true, passMessage: true },
      },
      (code, message) => envelope(code, {}, message),
    ),
    platformStatus: (rec, ctx) => videoStatus(rec, ctx),
    routes(app, ctx, state) {
      const params = (req: FastifyRequest): Record<string, string> => {
        const out: Record<string, string> = { ...queryParams(req), ...formBody(req) };
        const j = jsonBody(req);
        if (j.ok && isRecord(j.value)) for (const [k, v] of Object.entries(j.value)) if (typeof v === 'string') out[k] = v;
        return out;
      };

      // ---- OAuth -----------------------------------------------------------------------------
      app.post('/oauth/client_token/', async (req) => {
        const p = params(req);
        if (!p.client_key || !p.client_secret || !p.grant_type) return oauthEnvelope(10002);
        if (p.grant_type !== 'client_credential') return oauthEnvelope(10002, {}, 'grant_type 应为 client_credential');
        if (ctx.credentials.check(p.client_key, p.client_secret) !== 'ok') return oauthEnvelope(10013);
        const rec = ctx.tokens.issue({ subject: p.client_key, space: 'client', ttlSeconds: clientTtl, prefix: 'clt.', length: 60 });
        return oauthEnvelope(0, { access_token: rec.token, expires_in: clientTtl });
      });

      const oauth = videoOAuth(ctx, state, oauthSetup);
      const scope = 'video.create,video.data,video.delete,video.list';

      app.post('/oauth/access_token/', async (req) => {
        const p = params(req);
        if (!p.client_key || !p.client_secret || !p.code || !p.grant_type) return oauthEnvelope(10002);
        if (p.grant_type !== 'authorization_code') return oauthEnvelope(10002, {}, 'grant_type 应为 authorization_code');
        if (ctx.credentials.check(p.client_key, p.client_secret) !== 'ok') return oauthEnvelope(10013);
        const openId = oauth.redeemCode(p.client_key, p.code);
        if (!openId) return oauthEnvelope(10007);
        const access = oauth.issue('access', openId, p.client_key);
        const refresh = oauth.issue('refresh', openId, p.client_key);
        return oauthEnvelope(0, {
          access_token: access.token,
          expires_in: accessTtl,
          refresh_token: refresh.token,
          refresh_expires_in: refreshTtl,
          open_id: openId,
          scope,
        });
      });

      /** A usable refresh token (issued here or configured), or undefined (expired, renewed, unknown). */
      const refreshRecord = (
        token: string,
      ): { subject: string; clientKey: string; remaining: number; renewals: number; preissued?: PreissuedRefresh } | undefined => {
        const check = ctx.tokens.check(token, 'refresh');
        if (check.ok)
          return {
            subject: check.record.subject,
            clientKey: oauth.clientOf(check.record),
            remaining: ctx.tokens.remainingSeconds(check.record),
            renewals: Number(check.record.data.renewals ?? 0),
          };
        const pre = oauth.preissued(token);
        if (!pre) return undefined;
        return { subject: pre.openId, clientKey: pre.clientId, remaining: Math.floor((pre.expiresAt - ctx.clock.now()) / 1000), renewals: 0, preissued: pre };
      };

      app.post('/oauth/refresh_token/', async (req) => {
        const p = params(req);
        if (!p.client_key || !p.refresh_token || !p.grant_type) return oauthEnvelope(10002);
        if (p.grant_type !== 'refresh_token') return oauthEnvelope(10002, {}, 'grant_type 应为 refresh_token');
        const rt = refreshRecord(p.refresh_token);
        if (!rt) return oauthEnvelope(10010);
        if (rt.clientKey !== p.client_key) return oauthEnvelope(10003);
        // A fresh access token; the refresh token stays the same until it expires (or is renewed).
        const access = oauth.issue('access', rt.subject, p.client_key);
        return oauthEnvelope(0, {
          access_token: access.token,
          expires_in: accessTtl,
          refresh_token: p.refresh_token,
          refresh_expires_in: rt.remaining,
          open_id: rt.subject,
          scope,
        });
      });

      // A new refresh token (30 days) for an unexpired one, which stops working; at most
      // `maxRefreshRenewals` times per authorization (10020), then the user must authorize again.
      app.post('/oauth/renew_refresh_token/', async (req) => {
        const p = params(req);
        if (!p.client_key || !p.refresh_token) return oauthEnvelope(10005);
        const rt = refreshRecord(p.refresh_token);
        if (!rt) return oauthEnvelope(10010);
        if (rt.clientKey !== p.client_key) return oauthEnvelope(10003);
        if (rt.renewals >= maxRenewals) return oauthEnvelope(10020);
        if (rt.preissued) rt.preissued.revoked = true;
        else ctx.tokens.revoke(p.refresh_token);
        const refresh = oauth.issue('refresh', rt.subject, p.client_key, { renewals: String(rt.renewals + 1) });
        return oauthEnvelope(0, { refresh_token: refresh.token, expires_in: refreshTtl });
      });

      /** User-token endpoints: access-token header (or ?access_token=) plus ?open_id=. */
      const auth = (req: FastifyRequest, reply: FastifyReply): string | undefined => {
        const openId = queryParams(req).open_id;
        const check = ctx.tokens.check(presented(req), 'user');
        if (!check.ok) {
          reply.send(envelope(check.reason === 'expired' ? 2190008 : 2190002));
          return undefined;
        }
        if (!openId) {
          reply.send(envelope(2100005, {}, 'open_id 必填'));
          return undefined;
        }
        if (openId !== check.record.subject) {
          reply.send(envelope(2190015));
          return undefined;
        }
        return openId;
      };

      // ---- upload ----------------------------------------------------------------------------
      const registerVideo = (openId: string, bytes: number, head: Buffer, sha256: string, fields: Record<string, string>, duration: number | undefined) => {
        const format = sniffMedia(head);
        const videoId = `v0${randomId(3, '0123456789')}f${randomId(28, '0123456789abcdefghijklmnopqrstuvwxyz')}`;
        const width = Number(fields.width) > 0 ? Number(fields.width) : 720;
        const height = Number(fields.height) > 0 ? Number(fields.height) : 1280;
        state().videos.set(videoId, { videoId, openId, bytes, width, height, duration, format, sha256, used: false });
        return { video_id: videoId, width, height };
      };

      const checkVideo = (head: Buffer, bytes: number, duration: number | undefined): number | [number, string] | undefined => {
        const format = sniffMedia(head);
        if (format !== 'mp4' && format !== 'webm') return [2100005, '视频格式不支持,请上传 mp4 或 webm'];
        if (bytes > L.totalBytes) return 2190005;
        if (duration !== undefined && duration > L.maxSeconds) return 2190006;
        return undefined;
      };

      const sendCheck = (r: number | [number, string]) => (Array.isArray(r) ? envelope(r[0], {}, r[1]) : envelope(r));

      app.post('/video/upload/', async (req, reply) => {
        const openId = auth(req, reply);
        if (!openId) return reply;
        const mp = multipartBody(req);
        if (mp === null || mp === 'malformed') return envelope(2100005, {}, '请以 multipart/form-data 上传 video 字段');
        const file = mp.files.find((f) => f.field === 'video');
        if (!file || file.data.length === 0) return envelope(2100005, {}, '缺少 video 文件');
        if (file.data.length > L.singleUploadBytes) return envelope(2190005, {}, '视频文件太大了:超过128MB的视频必须分片上传');
        const duration = declaredDuration(req, mp.fields);
        const bad = checkVideo(file.data.subarray(0, 64), file.data.length, duration);
        if (bad) return sendCheck(bad);
        const sha = crypto.createHash('sha256').update(file.data).digest('hex');
        return envelope(0, { video: registerVideo(openId, file.data.length, file.data.subarray(0, 64), sha, mp.fields, duration) });
      });

      app.post('/video/part/init/', async (req, reply) => {
        const openId = auth(req, reply);
        if (!openId) return reply;
        const uploadId = `@${randomId(64, ITEM_ALPHABET)}`;
        state().uploads.set(uploadId, { uploadId, openId, createdAt: ctx.clock.now(), parts: new Map() });
        return envelope(0, { upload_id: uploadId });
      });

      const liveUpload = (openId: string, uploadId: string | undefined): PartUpload | undefined => {
        const up = uploadId ? state().uploads.get(uploadId) : undefined;
        if (!up || up.openId !== openId) return undefined;
        if (ctx.clock.now() - up.createdAt > L.uploadIdSeconds * 1000) return undefined;
        return up;
      };

      app.post('/video/part/upload/', async (req, reply) => {
        const openId = auth(req, reply);
        if (!openId) return reply;
        const q = queryParams(req);
        const up = liveUpload(openId, q.upload_id);
        if (!up) return envelope(2100005, {}, 'upload_id 无效或已过期(有效期2小时)');
        const partNumber = Number(q.part_number);
        if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > 10000) return envelope(2100005, {}, 'part_number 从1开始');
        const mp = multipartBody(req);
        if (mp === null || mp === 'malformed') return envelope(2100005, {}, '请以 multipart/form-data 上传 video 字段');
        const file = mp.files.find((f) => f.field === 'video');
        if (!file || file.data.length === 0) return envelope(2100005, {}, '缺少 video 分片');
        if (file.data.length > L.maxPartBytes) return envelope(2190005, {}, '分片过大');
        up.parts.set(partNumber, {
          bytes: file.data.length,
          head: Buffer.from(file.data.subarray(0, 64)),
          sha256: crypto.createHash('sha256').update(file.data).digest('hex'),
        });
        return envelope(0);
      });

      app.post('/video/part/complete/', async (req, reply) => {
        const openId = auth(req, reply);
        if (!openId) return reply;
        const q = queryParams(req);
        const up = liveUpload(openId, q.upload_id);
        if (!up) return envelope(2100005, {}, 'upload_id 无效或已过期(有效期2小时)');
        const numbers = [...up.parts.keys()].sort((a, b) => a - b);
        if (numbers.length === 0) return envelope(2100005, {}, '没有已上传的分片');
        if (numbers.some((n, i) => n !== i + 1)) return envelope(2100005, {}, `分片不连续:已上传 ${numbers.join(',')}`);
        for (const n of numbers.slice(0, -1)) {
          const bytes = up.parts.get(n)!.bytes;
          if (bytes < L.minPartBytes) return envelope(2100005, {}, `分片 ${n} 只有 ${bytes} 字节:除最后一个分片外,每个分片至少 5MB`);
        }
        const total = numbers.reduce((s, n) => s + up.parts.get(n)!.bytes, 0);
        const fields = { ...queryParams(req), ...formBody(req) };
        const duration = declaredDuration(req, fields);
        const head = up.parts.get(1)!.head;
        const bad = checkVideo(head, total, duration);
        if (bad) return sendCheck(bad);
        const sha = crypto
          .createHash('sha256')
          .update(numbers.map((n) => up.parts.get(n)!.sha256).join(''))
          .digest('hex');
        state().uploads.delete(up.uploadId);
        return envelope(0, { video: registerVideo(openId, total, head, sha, fields, duration) });
      });

      // ---- create / query / delete -----------------------------------------------------------
      const videoJson = (item: DouyinItem) => {
        const rec = ctx.publications.get(item.itemId)!;
        const status = videoStatus(rec, ctx);
        return {
          item_id: item.itemId,
          title: item.text,
          cover: `${ctx.baseUrl()}/cover/${item.shareKey}.jpeg`,
          is_top: false,
          create_time: Math.floor(item.createTime / 1000),
          is_reviewed: status !== 4,
          video_status: status,
          share_url: `${ctx.baseUrl()}/share/video/${item.shareKey}/`,
          statistics: { comment_count: 0, digg_count: 0, download_count: 0, play_count: 0, share_count: 0, forward_count: 0 },
        };
      };

      app.post('/video/create/', async (req, reply) => {
        const openId = auth(req, reply);
        if (!openId) return reply;
        const j = jsonBody(req);
        if (!j.ok || !isRecord(j.value)) return envelope(2100005, {}, '请求体应为 JSON');
        const body = j.value;
        const videoId = typeof body.video_id === 'string' ? body.video_id : '';
        const video = state().videos.get(videoId);
        if (!video || video.openId !== openId || video.used) return envelope(2190007, {}, '无效的视频文件ID(每次创建都需要重新上传得到新的 video_id)');
        const text = body.text === undefined ? '' : body.text;
        if (typeof text !== 'string') return envelope(2100005, {}, 'text 应为字符串');
        if (charLength(text) > L.textChars) return envelope(2100005, {}, `text 过长:${charLength(text)} 字,最多 ${L.textChars} 字`);
        if (
          body.cover_tsp !== undefined &&
          (typeof body.cover_tsp !== 'number' || body.cover_tsp < 0 || (video.duration !== undefined && body.cover_tsp > video.duration))
        ) {
          return envelope(2100005, {}, 'cover_tsp 应为视频时长内的秒数');
        }
        video.used = true;
        const itemId = `@${randomId(88, ITEM_ALPHABET)}`;
        const shareKey = randomId(19, '0123456789');
        const item: DouyinItem = { itemId, openId, videoId, text, createTime: ctx.clock.now(), coverTsp: body.cover_tsp as number | undefined, shareKey };
        state().items.set(itemId, item);
        state().shares.set(shareKey, itemId);
        recordVideo(ctx, req, {
          id: itemId,
          ids: { item_id: itemId, video_id: videoId },
          account: openId,
          title: text,
          body: text,
          url: `${ctx.baseUrl()}/share/video/${shareKey}/`,
          media: [videoId],
          extra: { bytes: video.bytes, duration: video.duration, format: video.format, sha256: video.sha256 },
        });
        return envelope(0, { item_id: itemId });
      });

      const liveItem = (openId: string, id: unknown) => {
        const item = typeof id === 'string' ? state().items.get(id) : undefined;
        if (!item || item.openId !== openId) return undefined;
        return ctx.publications.get(item.itemId)?.deleted ? undefined : item;
      };

      app.post('/video/data/', async (req, reply) => {
        const openId = auth(req, reply);
        if (!openId) return reply;
        const j = jsonBody(req);
        const ids = j.ok && isRecord(j.value) ? j.value.item_ids : undefined;
        if (!Array.isArray(ids) || ids.length === 0 || ids.length > 20) return envelope(2100005, {}, 'item_ids 应为 1-20 个视频 id');
        const list = ids
          .map((id) => liveItem(openId, id))
          .filter((i): i is DouyinItem => !!i)
          .map(videoJson);
        return envelope(0, { list });
      });

      app.get('/video/list/', async (req, reply) => {
        const openId = auth(req, reply);
        if (!openId) return reply;
        const q = queryParams(req);
        const count = Number(q.count ?? 10);
        if (!Number.isInteger(count) || count < 1 || count > 20) return envelope(2100005, {}, 'count 应为 1-20');
        const cursor = Number(q.cursor ?? 0) || 0;
        const mine = [...state().items.values()].filter((i) => liveItem(openId, i.itemId)).sort((a, b) => b.createTime - a.createTime);
        const page = mine.slice(cursor, cursor + count);
        return envelope(0, { list: page.map(videoJson), cursor: cursor + page.length, has_more: cursor + page.length < mine.length });
      });

      app.post('/video/delete/', async (req, reply) => {
        const openId = auth(req, reply);
        if (!openId) return reply;
        const j = jsonBody(req);
        const id = j.ok && isRecord(j.value) ? j.value.item_id : undefined;
        const item = liveItem(openId, id);
        if (!item) return envelope(2100005, {}, 'item_id 不存在或已删除');
        ctx.publications.markDeleted(ctx.publications.get(item.itemId)!);
        return envelope(0);
      });

      app.get('/share/video/:key/', async (req, reply) => {
        const itemId = state().shares.get((req.params as { key: string }).key);
        const item = itemId ? state().items.get(itemId) : undefined;
        const rec = item ? ctx.publications.get(item.itemId) : undefined;
        if (!item || !rec || ctx.publications.stateOf(rec) !== 'published') {
          return reply.code(404).type('text/html; charset=utf-8').send(htmlPage('作品不存在', '<p>作品已删除或不可见</p>'));
        }
        return reply.type('text/html; charset=utf-8').send(htmlPage(item.text || '抖音作品', `<p>video ${item.videoId}</p>`));
      });
    },
  };
}

/** Douyin video_status: 1 published, 2 not suitable for the public (review failed), 4 in review. */
function videoStatus(rec: PublicationRecord, ctx: SimContext): number {
  const settled = ctx.publications.settled(rec);
  if (settled === 'processing') return 4;
  if (settled === 'failed') return typeof (rec.outcome as { code?: unknown }).code === 'number' ? (rec.outcome as { code: number }).code : 2;
  return 1;
}

export function startDouyinSimulator(options: DouyinOptions = {}): Promise<SimulatorHandle<DouyinState>> {
  return launchSimulator(douyinDefinition(options), options);
}
