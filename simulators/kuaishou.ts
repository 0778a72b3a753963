/**
 * Kuaishou (快手) open platform simulator: OAuth2 code/refresh tokens, `photo/start_upload`
 * (returns an upload_token and the upload endpoint), direct upload (binary body or multipart)
 * or fragment upload (fragment → resume → complete), `photo/publish` (caption + cover),
 * `photo/info`, `photo/list`, `photo/count` and `photo/delete`. Responses carry `result`
 * (1 = success) and `error_msg`, like the official SDK (github.com/KwaiOpen/KwaiOpenSDK) reads them.
 */
import crypto from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  MB,
  charLength,
  declaredDuration,
  formBody,
  htmlPage,
  launchSimulator,
  multipartBody,
  queryParams,
  randomId,
  rawBody,
  sniffMedia,
  type CommonSimulatorOptions,
  type PlatformDefinition,
  type SimulatorHandle,
} from './common.js';
import { renderFromTable } from './common/error-table.js';
import { recordVideo, videoAccounts, videoOAuth, type VideoAccounts, type VideoOAuthOptions, type VideoOAuthSetup } from './common/video-oauth.js';

export interface KuaishouOptions extends CommonSimulatorOptions, VideoOAuthOptions<{ appId: string }> {
  limits?: Partial<typeof KUAISHOU_LIMITS>;
}

/**
 * Kuaishou publishes no upload limits; these are simulator defaults (configurable), chosen to
 * match the official SDK (10 MB fragments) and common practice.
 */
export const KUAISHOU_LIMITS = {
  directUploadBytes: 100 * MB,
  fragmentBytes: 10 * MB,
  totalBytes: 4 * 1024 * MB,
  maxSeconds: 15 * 60,
  captionChars: 500,
  coverBytes: 10 * MB,
} as const;

/** result codes: 1 success; 100200100/100200101 are documented, the rest are simulator choices. */
export const KUAISHOU_RESULTS = {
  ok: 1,
  internalError: 2,
  paramError: 100200100,
  appAuthFailed: 100200101,
  tokenInvalid: 100200102,
  tokenExpired: 100200103,
  rateLimited: 100200105,
  notFound: 100200106,
} as const;

const MESSAGES: Record<number, string> = {
  2: '服务内部错误',
  100200100: '参数有误',
  100200101: '验证出错,请检查 app_id 和 app_secret',
  100200102: 'access_token 无效',
  100200103: 'access_token 已过期',
  100200105: '请求过于频繁',
  100200106: '资源不存在',
};

const fail = (result: number, msg?: string) => ({ result, error_msg: msg ?? MESSAGES[result] ?? 'error' });

interface KsUpload {
  token: string;
  openId: string;
  appId: string;
  fragments: Map<number, { bytes: number; head: Buffer; checksum: string }>;
  complete: boolean;
  bytes: number;
  head?: Buffer;
  duration?: number;
  used: boolean;
}

interface KsPhoto {
  photoId: string;
  openId: string;
  caption: string;
  coverKey: string;
  createTime: number;
  uploadToken: string;
}

interface KuaishouState extends VideoAccounts {
  uploads: Map<string, KsUpload>;
  photos: Map<string, KsPhoto>;
  covers: Map<string, { data: Buffer; mime: string }>;
}

export function kuaishouDefinition(opts: KuaishouOptions = {}): PlatformDefinition<KuaishouState> {
  const L = { ...KUAISHOU_LIMITS, ...(opts.limits ?? {}) };
  const oauthSetup: VideoOAuthSetup<{ appId: string }> = {
    clientField: 'appId',
    accessTtlSeconds: opts.accessTokenTtlSeconds ?? 172_800,
    refreshTtlSeconds: opts.refreshTokenTtlSeconds ?? 180 * 86400,
    tokenLength: 120,
    openIdFor: (appId, user) =>
      crypto
        .createHash('md5')
        .update(`${appId}|${user ?? opts.defaultUser ?? 'default'}`)
        .digest('hex'),
  };

  return {
    kind: 'kuaishou',
    bodyLimit: Math.max(L.directUploadBytes, L.fragmentBytes) + 16 * MB,
    createState: (ctx) => ({ ...videoAccounts(opts, oauthSetup, ctx), uploads: new Map(), photos: new Map(), covers: new Map() }),
    presentedToken: (req) => queryParams(req).access_token ?? formBody(req).access_token,
    rotatingCredentialPaths: ['/oauth2/refresh_token'],
    seedPost: (input, ctx, st) => {
      // A work posted in the Kuaishou app: listed by photo/list like one govpub published.
      const photoId = String(5_100_000_000_000_000 + ctx.counter('seeded') * 131);
      st.photos.set(photoId, { photoId, openId: input.account, caption: input.text, coverKey: '', createTime: input.at, uploadToken: '' });
      ctx.publications.create({
        id: photoId,
        ids: { photo_id: photoId },
        account: input.account,
        title: input.text,
        body: input.text,
        url: `${ctx.baseUrl()}/short-video/${photoId}`,
        readyAt: input.at,
        extra: { seeded: true },
      });
      return { id: photoId };
    },
    render: renderFromTable(
      {
        rate_limit: { status: 200, code: KUAISHOU_RESULTS.rateLimited, overridable: true },
        token_expired: { status: 200, code: KUAISHOU_RESULTS.tokenExpired, overridable: true },
        busy: { status: 200, code: KUAISHOU_RESULTS.internalError, overridable: true },
        server_error: { status: 500, code: KUAISHOU_RESULTS.internalError, overridable: true },
        not_found: { status: 404, code: KUAISHOU_RESULTS.notFound, passMessage: true },
        too_large: { status: 413, code: KUAISHOU_RESULTS.paramError, message: '文件过大' },
        bad_request: { status: 200, code: KUAISHOU_RESULTS.paramError, overridable: true, passMessage: true },
      },
      fail,
    ),
    platformStatus: (rec, ctx) =>
      rec.deleted ? 'deleted' : ctx.publications.settled(rec) === 'processing' ? 'pending' : ctx.publications.settled(rec) === 'failed' ? 'rejected' : 'public',
    routes(app, ctx, state) {
      const params = (req: FastifyRequest) => ({ ...queryParams(req), ...formBody(req) });

      // ---- OAuth2 ----------------------------------------------------------------------------
      const oauth = videoOAuth(ctx, state, oauthSetup);
      const tokenResponse = (openId: string, appId: string) => {
        const access = oauth.issue('access', openId, appId);
        const refresh = oauth.issue('refresh', openId, appId);
        return {
          result: 1,
          access_token: access.token,
          expires_in: oauthSetup.accessTtlSeconds,
          refresh_token: refresh.token,
          refresh_token_expires_in: oauthSetup.refreshTtlSeconds,
          open_id: openId,
          scopes: ['user_info', 'user_video_publish', 'user_video_info', 'user_video_delete'],
        };
      };

      const exchangeCode = async (req: FastifyRequest) => {
        const p = params(req);
        if (!p.app_id || !p.app_secret || !p.code || p.grant_type !== 'authorization_code')
          return fail(KUAISHOU_RESULTS.paramError, '需要 app_id, app_secret, code, grant_type=authorization_code');
        if (ctx.credentials.check(p.app_id, p.app_secret) !== 'ok') return fail(KUAISHOU_RESULTS.appAuthFailed);
        const openId = oauth.redeemCode(p.app_id, p.code);
        return openId ? tokenResponse(openId, p.app_id) : fail(KUAISHOU_RESULTS.paramError, 'code 已使用或已过期');
      };
      app.get('/oauth2/access_token', exchangeCode);
      app.post('/oauth2/access_token', exchangeCode);

      const refresh = async (req: FastifyRequest) => {
        const p = params(req);
        if (!p.app_id || !p.app_secret || !p.refresh_token || p.grant_type !== 'refresh_token')
          return fail(KUAISHOU_RESULTS.paramError, '需要 app_id, app_secret, refresh_token, grant_type=refresh_token');
        if (ctx.credentials.check(p.app_id, p.app_secret) !== 'ok') return fail(KUAISHOU_RESULTS.appAuthFailed);
        const openId = oauth.rotateRefresh(p.refresh_token, p.app_id);
        return openId ? tokenResponse(openId, p.app_id) : fail(KUAISHOU_RESULTS.paramError, 'refresh_token 无效或已过期');
      };
      app.get('/oauth2/refresh_token', refresh);
      app.post('/oauth2/refresh_token', refresh);

      /** openapi endpoints: ?app_id=&access_token= */
      const auth = (req: FastifyRequest, reply: FastifyReply): { openId: string; appId: string } | undefined => {
        const p = params(req);
        if (!p.app_id) {
          reply.send(fail(KUAISHOU_RESULTS.paramError, '缺少 app_id'));
          return undefined;
        }
        const check = ctx.tokens.check(p.access_token, 'user');
        if (!check.ok) {
          reply.send(fail(check.reason === 'expired' ? KUAISHOU_RESULTS.tokenExpired : KUAISHOU_RESULTS.tokenInvalid));
          return undefined;
        }
        if (oauth.clientOf(check.record) !== p.app_id) {
          reply.send(fail(KUAISHOU_RESULTS.tokenInvalid, 'access_token 与 app_id 不匹配'));
          return undefined;
        }
        return { openId: check.record.subject, appId: p.app_id };
      };

      // ---- upload ----------------------------------------------------------------------------
      app.post('/openapi/photo/start_upload', async (req, reply) => {
        const who = auth(req, reply);
        if (!who) return reply;
        const token = randomId(64);
        state().uploads.set(token, { token, openId: who.openId, appId: who.appId, fragments: new Map(), complete: false, bytes: 0, used: false });
        return { result: 1, upload_token: token, endpoint: ctx.hostPort() };
      });

      const uploadOf = (req: FastifyRequest) => {
        const t = queryParams(req).upload_token;
        return t ? state().uploads.get(t) : undefined;
      };

      const finish = (up: KsUpload, head: Buffer, bytes: number, duration: number | undefined) => {
        if (sniffMedia(head) !== 'mp4') return fail(KUAISHOU_RESULTS.paramError, '视频格式不支持,请上传 mp4');
        if (bytes > L.totalBytes) return fail(KUAISHOU_RESULTS.paramError, '视频文件过大');
        if (duration !== undefined && duration > L.maxSeconds) return fail(KUAISHOU_RESULTS.paramError, '视频时长超过限制');
        up.complete = true;
        up.bytes = bytes;
        up.head = head;
        up.duration = duration;
        return { result: 1 };
      };

      app.post('/api/upload', async (req) => {
        const up = uploadOf(req);
        if (!up || up.complete) return fail(KUAISHOU_RESULTS.paramError, 'upload_token 无效');
        const data = rawBody(req);
        if (data.length === 0) return fail(KUAISHOU_RESULTS.paramError, '上传内容为空');
        if (data.length > L.directUploadBytes) return fail(KUAISHOU_RESULTS.paramError, `直接上传不能超过 ${L.directUploadBytes} 字节,请使用分片上传`);
        return finish(up, Buffer.from(data.subarray(0, 64)), data.length, declaredDuration(req));
      });

      app.post('/api/upload/multipart', async (req) => {
        const up = uploadOf(req);
        if (!up || up.complete) return fail(KUAISHOU_RESULTS.paramError, 'upload_token 无效');
        const mp = multipartBody(req);
        const file = mp && mp !== 'malformed' ? mp.files.find((f) => f.field === 'file') : undefined;
        if (!file || file.data.length === 0) return fail(KUAISHOU_RESULTS.paramError, '缺少 file');
        if (file.data.length > L.directUploadBytes) return fail(KUAISHOU_RESULTS.paramError, `直接上传不能超过 ${L.directUploadBytes} 字节,请使用分片上传`);
        return finish(up, Buffer.from(file.data.subarray(0, 64)), file.data.length, declaredDuration(req, mp && mp !== 'malformed' ? mp.fields : {}));
      });

      app.post('/api/upload/fragment', async (req) => {
        const up = uploadOf(req);
        if (!up || up.complete) return fail(KUAISHOU_RESULTS.paramError, 'upload_token 无效');
        const id = Number(queryParams(req).fragment_id);
        if (!Number.isInteger(id) || id < 0) return fail(KUAISHOU_RESULTS.paramError, 'fragment_id 从0开始');
        const data = rawBody(req);
        if (data.length === 0) return fail(KUAISHOU_RESULTS.paramError, '分片为空');
        if (data.length > L.fragmentBytes) return fail(KUAISHOU_RESULTS.paramError, `分片不能超过 ${L.fragmentBytes} 字节`);
        const checksum = crypto.createHash('md5').update(data).digest('hex');
        up.fragments.set(id, { bytes: data.length, head: Buffer.from(data.subarray(0, 64)), checksum });
        return { result: 1, checksum, size: data.length };
      });

      app.get('/api/upload/resume', async (req) => {
        const up = uploadOf(req);
        if (!up) return fail(KUAISHOU_RESULTS.paramError, 'upload_token 无效');
        const list = [...up.fragments.entries()].sort((a, b) => a[0] - b[0]).map(([id, f]) => ({ id, size: f.bytes, checksum: f.checksum }));
        return { result: 1, existed: up.complete, fragment_index: list.length ? list[list.length - 1]!.id : -1, fragment_list: list };
      });

      app.post('/api/upload/complete', async (req) => {
        const up = uploadOf(req);
        if (!up) return fail(KUAISHOU_RESULTS.paramError, 'upload_token 无效');
        if (up.complete) return { result: 1 };
        const count = Number(queryParams(req).fragment_count);
        if (!Number.isInteger(count) || count < 1) return fail(KUAISHOU_RESULTS.paramError, 'fragment_count 必填');
        for (let i = 0; i < count; i++) if (!up.fragments.has(i)) return fail(KUAISHOU_RESULTS.paramError, `分片 ${i} 未上传`);
        if (up.fragments.size !== count) return fail(KUAISHOU_RESULTS.paramError, `已上传 ${up.fragments.size} 个分片,与 fragment_count=${count} 不符`);
        let total = 0;
        for (let i = 0; i < count; i++) total += up.fragments.get(i)!.bytes;
        return finish(up, up.fragments.get(0)!.head, total, declaredDuration(req, params(req)));
      });

      // ---- publish / query / delete ----------------------------------------------------------
      const videoInfo = (p: KsPhoto) => {
        const rec = ctx.publications.get(p.photoId)!;
        return {
          photo_id: p.photoId,
          caption: p.caption,
          cover: `${ctx.baseUrl()}/cover/${p.coverKey}`,
          play_url: `${ctx.baseUrl()}/short-video/${p.photoId}`,
          create_time: p.createTime,
          like_count: 0,
          comment_count: 0,
          view_count: 0,
          pending: ctx.publications.settled(rec) === 'processing',
        };
      };

      app.post('/openapi/photo/publish', async (req, reply) => {
        const who = auth(req, reply);
        if (!who) return reply;
        const up = uploadOf(req);
        if (!up || up.openId !== who.openId) return fail(KUAISHOU_RESULTS.paramError, 'upload_token 无效');
        if (!up.complete) return fail(KUAISHOU_RESULTS.paramError, '视频尚未上传完成');
        if (up.used) return fail(KUAISHOU_RESULTS.paramError, 'upload_token 已被使用');
        const mp = multipartBody(req);
        if (mp === null || mp === 'malformed') return fail(KUAISHOU_RESULTS.paramError, '请以 multipart/form-data 提交 caption 与 cover');
        const caption = mp.fields.caption;
        if (caption === undefined || caption.trim() === '') return fail(KUAISHOU_RESULTS.paramError, 'caption 必填');
        if (charLength(caption) > L.captionChars) return fail(KUAISHOU_RESULTS.paramError, `caption 不能超过 ${L.captionChars} 字`);
        const cover = mp.files.find((f) => f.field === 'cover');
        if (!cover || cover.data.length === 0) return fail(KUAISHOU_RESULTS.paramError, 'cover 必填');
        const kind = sniffMedia(cover.data);
        if (kind !== 'jpeg' && kind !== 'png') return fail(KUAISHOU_RESULTS.paramError, '封面仅支持 jpg/png');
        if (cover.data.length > L.coverBytes) return fail(KUAISHOU_RESULTS.paramError, '封面过大');
        up.used = true;
        const coverKey = `${randomId(24).toLowerCase()}.${kind === 'jpeg' ? 'jpg' : 'png'}`;
        state().covers.set(coverKey, { data: cover.data, mime: `image/${kind}` });
        const photoId = String(5_200_000_000_000_000 + ctx.counter('photo') * 131 + Math.floor(Math.random() * 100));
        const photo: KsPhoto = { photoId, openId: who.openId, caption, coverKey, createTime: ctx.clock.now(), uploadToken: up.token };
        state().photos.set(photoId, photo);
        recordVideo(ctx, req, {
          id: photoId,
          ids: { photo_id: photoId, upload_token: up.token },
          account: who.openId,
          title: caption,
          body: caption,
          url: `${ctx.baseUrl()}/short-video/${photoId}`,
          media: [coverKey, up.token],
          extra: { bytes: up.bytes, duration: up.duration, stereo_type: mp.fields.stereo_type },
        });
        return { result: 1, video_info: videoInfo(photo) };
      });

      const livePhoto = (openId: string, id: string | undefined) => {
        const p = id ? state().photos.get(id) : undefined;
        if (!p || p.openId !== openId) return undefined;
        const rec = ctx.publications.get(p.photoId);
        return rec && !rec.deleted && ctx.publications.settled(rec) !== 'failed' ? p : undefined;
      };

      app.get('/openapi/photo/info', async (req, reply) => {
        const who = auth(req, reply);
        if (!who) return reply;
        const p = livePhoto(who.openId, queryParams(req).photo_id);
        if (!p) return fail(KUAISHOU_RESULTS.notFound, '作品不存在或已删除');
        return { result: 1, video_info: videoInfo(p) };
      });

      app.get('/openapi/photo/list', async (req, reply) => {
        const who = auth(req, reply);
        if (!who) return reply;
        const q = queryParams(req);
        const count = Math.min(Math.max(Number(q.count ?? 20) || 20, 1), 200);
        const mine = [...state().photos.values()].filter((p) => livePhoto(who.openId, p.photoId)).sort((a, b) => b.createTime - a.createTime);
        const start = q.cursor ? mine.findIndex((p) => p.photoId === q.cursor) + 1 : 0;
        const page = mine.slice(start, start + count);
        return { result: 1, video_list: page.map(videoInfo), ...(start + count < mine.length ? { cursor: page[page.length - 1]?.photoId } : {}) };
      });

      app.get('/openapi/photo/count', async (req, reply) => {
        const who = auth(req, reply);
        if (!who) return reply;
        const n = [...state().photos.values()].filter((p) => livePhoto(who.openId, p.photoId)).length;
        return { result: 1, public_count: n, friend_count: 0, private_count: 0, all_count: n };
      });

      app.post('/openapi/photo/delete', async (req, reply) => {
        const who = auth(req, reply);
        if (!who) return reply;
        const p = livePhoto(who.openId, params(req).photo_id);
        if (!p) return fail(KUAISHOU_RESULTS.notFound, '作品不存在或已删除');
        ctx.publications.markDeleted(ctx.publications.get(p.photoId)!);
        return { result: 1 };
      });

      app.get('/cover/:key', async (req, reply) => {
        const c = state().covers.get((req.params as { key: string }).key);
        if (!c) return reply.code(404).send('not found');
        return reply.type(c.mime).send(c.data);
      });
      app.get('/short-video/:id', async (req, reply) => {
        const p = state().photos.get((req.params as { id: string }).id);
        const rec = p ? ctx.publications.get(p.photoId) : undefined;
        if (!p || !rec || ctx.publications.stateOf(rec) !== 'published')
          return reply.code(404).type('text/html; charset=utf-8').send(htmlPage('作品不存在', '<p>作品已删除或审核中</p>'));
        return reply.type('text/html; charset=utf-8').send(htmlPage(p.caption, `<p>${p.caption.replace(/</g, '&lt;')}</p>`));
      });
    },
  };
}

export function startKuaishouSimulator(options: KuaishouOptions = {}): Promise<SimulatorHandle<KuaishouState>> {
  return launchSimulator(kuaishouDefinition(options), options);
}
