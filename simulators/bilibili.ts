/**
 * Bilibili (哔哩哔哩) open platform simulator ("arcopen"): OAuth2 tokens, signed requests
 * (x-bili-* headers, HMAC-SHA256 with the app secret), video pre-upload → part upload (files
 * over 100 MB) → merge, single small-file upload, cover upload (jpeg/png ≤ 5 MB, ≥ 960×600),
 * archive submission (at most 5 a day for a non-member account), archive view/list and delete.
 * Responses are `{code, message, ttl, data}`; code 0 is success.
 */
import crypto from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  MB,
  charLength,
  contentType,
  declaredDuration,
  formBody,
  htmlPage,
  imageSize,
  isRecord,
  jsonBody,
  launchSimulator,
  multipartBody,
  queryParams,
  randomId,
  rawBody,
  sniffMedia,
  type CommonSimulatorOptions,
  type PlatformDefinition,
  type PublicationRecord,
  type SimContext,
  type SimulatorHandle,
  accessTokenHeaderOrQuery,
} from './common.js';
import { renderFromTable } from './common/error-table.js';
import { recordVideo, videoAccounts, videoOAuth, type VideoAccounts, type VideoOAuthOptions, type VideoOAuthSetup } from './common/video-oauth.js';

/** Configured refresh tokens (`refreshTokens`) are used once: a refresh rotates them like any other. */
export interface BilibiliOptions extends CommonSimulatorOptions, VideoOAuthOptions<{ clientId: string }> {
  /** Check the x-bili-* signature headers (default true). */
  requireSignature?: boolean;
  /** Submissions per day for a non-member account (default 5). */
  dailySubmitLimit?: number;
  /** open_ids of member accounts (not subject to the daily limit). */
  memberOpenIds?: string[];
  limits?: Partial<typeof BILIBILI_LIMITS>;
}

export const BILIBILI_LIMITS = {
  /** Files above this size must go through part upload; the single upload refuses them. */
  singleUploadBytes: 100 * MB,
  /** Largest part accepted (simulator bound; 8 MB parts recommended). */
  maxPartBytes: 100 * MB,
  totalBytes: 4 * 1024 * MB,
  /** Duration must be under 5 hours (from the duration the client declares). */
  maxSeconds: 5 * 3600,
  coverBytes: 5 * MB,
  coverMinWidth: 960,
  coverMinHeight: 600,
  titleChars: 80,
  descChars: 250,
  tagCount: 10,
  tagChars: 20,
  sourceChars: 200,
  signatureSkewSeconds: 600,
} as const;

/** Partitions (分区): a parent with the children one may submit to. */
export const BILIBILI_PARTITIONS = [
  {
    id: 202,
    parent: 0,
    name: '资讯',
    children: [
      { id: 203, name: '热点' },
      { id: 204, name: '环球' },
      { id: 205, name: '社会' },
      { id: 206, name: '综合' },
    ],
  },
  {
    id: 36,
    parent: 0,
    name: '知识',
    children: [
      { id: 201, name: '科学科普' },
      { id: 124, name: '社科·法律·心理' },
      { id: 228, name: '人文历史' },
    ],
  },
  {
    id: 160,
    parent: 0,
    name: '生活',
    children: [
      { id: 21, name: '日常' },
      { id: 250, name: '出行' },
    ],
  },
] as const;

const MESSAGES: Record<number, string> = {
  0: '0',
  [-2]: 'Access Key错误',
  [-3]: 'API校验密匙错误',
  [-101]: '账号未登录',
  [-400]: '请求错误',
  [-404]: '啥都木有',
  [-500]: '服务器错误',
  [-503]: '调用速度过快',
  [-509]: '请求过于频繁,请稍后再试',
  [-658]: 'Token 过期',
  21070: '今日投稿数量已达上限',
};

function reply0(code: number, data?: unknown, message?: string) {
  return data === undefined
    ? { code, message: message ?? MESSAGES[code] ?? 'error', ttl: 1 }
    : { code, message: message ?? MESSAGES[code] ?? '0', ttl: 1, data };
}

interface Upload {
  token: string;
  openId: string;
  clientId: string;
  name: string;
  utype: 0 | 1;
  parts: Map<number, { bytes: number; head: Buffer }>;
  complete: boolean;
  bytes: number;
  duration?: number;
  format?: string;
  used: boolean;
}

interface Archive {
  resourceId: string;
  openId: string;
  uploadToken: string;
  title: string;
  cover: string;
  tid: number;
  noReprint: number;
  desc: string;
  tag: string;
  copyright: number;
  source: string;
  ctime: number;
  cid: number;
  filename: string;
  duration: number;
}

interface BilibiliState extends VideoAccounts {
  uploads: Map<string, Upload>;
  covers: Map<string, { data: Buffer; mime: string; openId: string }>;
  archives: Map<string, Archive>;
  nonces: Map<string, number>;
}

const BV_ALPHABET = 'fZodR9XQDSUm21yCkr6zBqiveYah8bt4xsWpHnJE7jL5VG3guMTKNPAwcF';

export function bilibiliDefinition(opts: BilibiliOptions = {}): PlatformDefinition<BilibiliState> {
  const L = { ...BILIBILI_LIMITS, ...(opts.limits ?? {}) };
  const requireSignature = opts.requireSignature ?? true;
  const dailyLimit = opts.dailySubmitLimit ?? 5;
  const presented = accessTokenHeaderOrQuery;
  const oauthSetup: VideoOAuthSetup<{ clientId: string }> = {
    clientField: 'clientId',
    accessTtlSeconds: opts.accessTokenTtlSeconds ?? 30 * 86400,
    refreshTtlSeconds: opts.refreshTokenTtlSeconds ?? 60 * 86400,
    tokenLength: 32,
    openIdFor: (clientId, user) =>
      crypto
        .createHash('md5')
        .update(`${clientId}|${user ?? opts.defaultUser ?? 'default'}`)
        .digest('hex'),
  };

  return {
    kind: 'bilibili',
    bodyLimit: Math.max(L.singleUploadBytes, L.maxPartBytes) + 4 * MB,
    createState: (ctx) => ({ ...videoAccounts(opts, oauthSetup, ctx), uploads: new Map(), covers: new Map(), archives: new Map(), nonces: new Map() }),
    presentedToken: presented,
    rotatingCredentialPaths: ['/x/account-oauth2/v1/refresh_token'],
    render: renderFromTable(
      {
        rate_limit: { status: 200, code: -509, overridable: true },
        token_expired: { status: 200, code: -658, overridable: true },
        busy: { status: 200, code: -503, overridable: true },
        server_error: { status: 500, code: -500, overridable: true },
        not_found: { status: 404, code: -404 },
        too_large: { status: 413, code: -400, message: '请求体过大' },
        bad_request: { status: 200, code: -400, overridable: true, passMessage: true },
      },
      (code, message) => reply0(code, undefined, message),
    ),
    platformStatus: (rec, ctx) => archiveState(rec, ctx),
    routes(app, ctx, state) {
      const params = (req: FastifyRequest): Record<string, string> => {
        const out: Record<string, string> = { ...queryParams(req), ...formBody(req) };
        const j = jsonBody(req);
        if (j.ok && isRecord(j.value)) for (const [k, v] of Object.entries(j.value)) if (typeof v === 'string' || typeof v === 'number') out[k] = String(v);
        return out;
      };

      // ---- OAuth2 ----------------------------------------------------------------------------
      const oauth = videoOAuth(ctx, state, oauthSetup);
      const tokenPair = (openId: string, clientId: string) => {
        const access = oauth.issue('access', openId, clientId);
        const refresh = oauth.issue('refresh', openId, clientId);
        return reply0(0, {
          access_token: access.token,
          expires_in: Math.floor(access.expiresAt / 1000),
          refresh_token: refresh.token,
          scopes: ['USER_INFO', 'ATC_DATA', 'ATC_BASE'],
        });
      };

      app.post('/x/account-oauth2/v1/token', async (req) => {
        const p = params(req);
        if (!p.client_id || !p.client_secret || !p.code || p.grant_type !== 'authorization_code')
          return reply0(-400, undefined, '参数错误:client_id, client_secret, code, grant_type=authorization_code');
        if (ctx.credentials.check(p.client_id, p.client_secret) !== 'ok') return reply0(-3, undefined, 'client_id 或 client_secret 错误');
        const openId = oauth.redeemCode(p.client_id, p.code);
        return openId ? tokenPair(openId, p.client_id) : reply0(-400, undefined, 'code 已使用或已过期');
      });

      app.post('/x/account-oauth2/v1/refresh_token', async (req) => {
        const p = params(req);
        if (!p.client_id || !p.client_secret || !p.refresh_token || p.grant_type !== 'refresh_token')
          return reply0(-400, undefined, '参数错误:client_id, client_secret, refresh_token, grant_type=refresh_token');
        if (ctx.credentials.check(p.client_id, p.client_secret) !== 'ok') return reply0(-3, undefined, 'client_id 或 client_secret 错误');
        const openId = oauth.rotateRefresh(p.refresh_token, p.client_id);
        return openId ? tokenPair(openId, p.client_id) : reply0(-400, undefined, 'refresh_token 无效或已过期');
      });

      // ---- signature + token on member.bilibili.com endpoints -------------------------------
      const header = (req: FastifyRequest, name: string): string | undefined => {
        const v = req.headers[name];
        return Array.isArray(v) ? v[0] : v;
      };

      /** Checks the signature headers; returns an error body or undefined. */
      const verifySignature = (req: FastifyRequest): ReturnType<typeof reply0> | undefined => {
        const keyId = header(req, 'x-bili-accesskeyid');
        const names = [
          'x-bili-accesskeyid',
          'x-bili-content-md5',
          'x-bili-signature-method',
          'x-bili-signature-nonce',
          'x-bili-signature-version',
          'x-bili-timestamp',
        ];
        for (const n of names) if (!header(req, n)) return reply0(-3, undefined, `缺少签名头 ${n}`);
        const auth = header(req, 'authorization');
        if (!auth) return reply0(-3, undefined, '缺少 Authorization 签名');
        if (header(req, 'x-bili-signature-method') !== 'HMAC-SHA256') return reply0(-3, undefined, 'x-bili-signature-method 应为 HMAC-SHA256');
        if (header(req, 'x-bili-signature-version') !== '2.0') return reply0(-3, undefined, 'x-bili-signature-version 应为 2.0');
        const ts = Number(header(req, 'x-bili-timestamp'));
        // Compared with real time: the shiftable simulator clock models token and review time, not the client's clock.
        if (!Number.isFinite(ts) || Math.abs(Date.now() / 1000 - ts) > L.signatureSkewSeconds)
          return reply0(-3, undefined, 'x-bili-timestamp 与服务器时间相差超过10分钟');
        const secret = ctx.credentials.secretOf(keyId!);
        if (!secret) return reply0(-3, undefined, 'x-bili-accesskeyid 未知(先用 client_id/client_secret 换取 access_token)');
        const raw = rawBody(req);
        const md5 = (b: Buffer | string) => crypto.createHash('md5').update(b).digest('hex');
        const given = header(req, 'x-bili-content-md5')!.toLowerCase();
        const isFileUpload = contentType(req).startsWith('multipart/');
        if (given !== md5(raw) && !(isFileUpload && given === md5(''))) return reply0(-3, undefined, 'x-bili-content-md5 与请求体不符');
        const canonical = names.map((n) => `${n}:${header(req, n)}`).join('\n');
        const expected = crypto.createHmac('sha256', secret).update(canonical).digest('hex');
        const a = Buffer.from(auth.toLowerCase());
        const b = Buffer.from(expected);
        if (a.length !== b.length || !crypto.timingSafeEqual(a, b)) return reply0(-3, undefined, '签名错误');
        const nonce = header(req, 'x-bili-signature-nonce')!;
        const seen = state().nonces.get(nonce);
        if (seen !== undefined && Date.now() - seen < L.signatureSkewSeconds * 1000) return reply0(-3, undefined, 'x-bili-signature-nonce 重复');
        state().nonces.set(nonce, Date.now());
        return undefined;
      };

      /** Signed + authorized request; returns the user's open_id or sends the error. */
      const auth = (req: FastifyRequest, reply: FastifyReply): { openId: string; clientId: string } | undefined => {
        if (requireSignature) {
          const bad = verifySignature(req);
          if (bad) {
            reply.send(bad);
            return undefined;
          }
        }
        const check = ctx.tokens.check(presented(req), 'user');
        if (!check.ok) {
          reply.send(reply0(check.reason === 'expired' ? -658 : check.reason === 'missing' ? -101 : -2));
          return undefined;
        }
        const keyId = header(req, 'x-bili-accesskeyid') ?? queryParams(req).client_id;
        if (requireSignature && keyId !== oauth.clientOf(check.record)) {
          reply.send(reply0(-2, undefined, 'access_token 不属于该应用'));
          return undefined;
        }
        return { openId: check.record.subject, clientId: oauth.clientOf(check.record)! };
      };

      // ---- partitions ------------------------------------------------------------------------
      app.get('/arcopen/fn/archive/type/list', async (req, reply) => {
        if (!auth(req, reply)) return reply;
        return reply0(
          0,
          BILIBILI_PARTITIONS.map((p) => ({
            id: p.id,
            parent: 0,
            name: p.name,
            description: '',
            children: p.children.map((c) => ({ id: c.id, parent: p.id, name: c.name, description: '' })),
          })),
        );
      });
      const leafTids = new Set<number>(BILIBILI_PARTITIONS.flatMap((p) => p.children.map((c) => c.id)));

      // ---- upload ----------------------------------------------------------------------------
      app.post('/arcopen/fn/archive/video/init', async (req, reply) => {
        const who = auth(req, reply);
        if (!who) return reply;
        const j = jsonBody(req);
        const body = j.ok && isRecord(j.value) ? j.value : {};
        const name = typeof body.name === 'string' ? body.name : '';
        if (!/\.(mp4|flv)$/i.test(name)) return reply0(-400, undefined, 'name 需为带扩展名的文件名(mp4/flv)');
        const utype = body.utype === undefined ? 0 : Number(body.utype);
        if (utype !== 0 && utype !== 1) return reply0(-400, undefined, 'utype 取值 0(多分片)或 1(单个小文件)');
        const token = randomId(32, '0123456789abcdef');
        state().uploads.set(token, {
          token,
          openId: who.openId,
          clientId: who.clientId,
          name,
          utype: utype as 0 | 1,
          parts: new Map(),
          complete: false,
          bytes: 0,
          used: false,
        });
        return reply0(0, { upload_token: token });
      });

      const uploadOf = (req: FastifyRequest) => {
        const t = queryParams(req).upload_token;
        return t ? state().uploads.get(t) : undefined;
      };

      const finishUpload = (up: Upload, head: Buffer, bytes: number, duration: number | undefined): ReturnType<typeof reply0> | undefined => {
        const format = sniffMedia(head);
        const ext = up.name.toLowerCase().split('.').pop();
        if ((format !== 'mp4' && format !== 'flv') || format !== ext) return reply0(-400, undefined, `视频格式不支持或与文件名不符(${format}):仅支持 mp4/flv`);
        if (bytes > L.totalBytes) return reply0(-400, undefined, '视频文件不能超过4GB');
        if (duration !== undefined && duration >= L.maxSeconds) return reply0(-400, undefined, '视频时长需小于5小时');
        up.complete = true;
        up.bytes = bytes;
        up.duration = duration;
        up.format = format;
        return undefined;
      };

      // Part upload on the upload host (authorized by upload_token only).
      app.post('/video/v2/part/upload', async (req) => {
        const up = uploadOf(req);
        if (!up || up.complete) return reply0(-400, undefined, 'upload_token 无效');
        if (up.utype !== 0) return reply0(-400, undefined, '该 upload_token 为单文件上传(utype=1)');
        const n = Number(queryParams(req).part_number);
        if (!Number.isInteger(n) || n < 1 || n > 10000) return reply0(-400, undefined, 'part_number 从1开始');
        const data = rawBody(req);
        if (data.length === 0) return reply0(-400, undefined, '分片为空');
        if (data.length > L.maxPartBytes) return reply0(-400, undefined, '分片过大');
        up.parts.set(n, { bytes: data.length, head: Buffer.from(data.subarray(0, 64)) });
        return { code: 0, message: '0' };
      });

      app.post('/arcopen/fn/archive/video/complete', async (req, reply) => {
        const who = auth(req, reply);
        if (!who) return reply;
        const up = uploadOf(req);
        if (!up || up.openId !== who.openId || up.utype !== 0) return reply0(-400, undefined, 'upload_token 无效');
        if (up.complete) return reply0(0);
        const numbers = [...up.parts.keys()].sort((a, b) => a - b);
        if (numbers.length === 0 || numbers.some((x, i) => x !== i + 1)) return reply0(-400, undefined, `分片不完整:已上传 ${numbers.join(',') || '无'}`);
        const total = numbers.reduce((s, x) => s + up.parts.get(x)!.bytes, 0);
        const bad = finishUpload(up, up.parts.get(1)!.head, total, declaredDuration(req, params(req)));
        return bad ?? reply0(0);
      });

      // Single small file (utype=1), on the upload host.
      app.post('/video/v2/upload', async (req) => {
        const up = uploadOf(req);
        if (!up || up.complete) return reply0(-400, undefined, 'upload_token 无效');
        if (up.utype !== 1) return reply0(-400, undefined, '该 upload_token 为分片上传(utype=0)');
        const mp = multipartBody(req);
        const file = mp && mp !== 'malformed' ? mp.files.find((f) => f.field === 'file') : undefined;
        if (!file || file.data.length === 0) return reply0(-400, undefined, '缺少 file');
        if (file.data.length > L.singleUploadBytes) return reply0(-400, undefined, '文件超过100MB,请使用分片上传');
        const bad = finishUpload(up, file.data.subarray(0, 64), file.data.length, declaredDuration(req, mp && mp !== 'malformed' ? mp.fields : {}));
        return bad ?? reply0(0);
      });

      // ---- cover -----------------------------------------------------------------------------
      app.post('/arcopen/fn/archive/cover/upload', async (req, reply) => {
        const who = auth(req, reply);
        if (!who) return reply;
        const mp = multipartBody(req);
        const file = mp && mp !== 'malformed' ? mp.files.find((f) => f.field === 'file') : undefined;
        if (!file || file.data.length === 0) return reply0(-400, undefined, '缺少 file');
        const kind = sniffMedia(file.data);
        if (kind !== 'jpeg' && kind !== 'png') return reply0(-400, undefined, '封面格式仅支持 jpeg、png');
        if (file.data.length > L.coverBytes) return reply0(-400, undefined, '封面文件不能超过5MB');
        const size = imageSize(file.data);
        if (!size) return reply0(-400, undefined, '无法读取封面尺寸');
        if (size.width < L.coverMinWidth || size.height < L.coverMinHeight)
          return reply0(-400, undefined, `封面尺寸 ${size.width}x${size.height} 过小,最低 960x600`);
        const key = `${crypto.createHash('sha1').update(file.data).digest('hex')}.${kind === 'jpeg' ? 'jpg' : 'png'}`;
        state().covers.set(key, { data: file.data, mime: `image/${kind}`, openId: who.openId });
        return reply0(0, { url: `${ctx.baseUrl()}/bfs/archive/${key}` });
      });

      app.get('/bfs/archive/:key', async (req, reply) => {
        const c = state().covers.get((req.params as { key: string }).key);
        if (!c) return reply.code(404).send('not found');
        return reply.type(c.mime).send(c.data);
      });

      // ---- submit ----------------------------------------------------------------------------
      const today = () => new Date(ctx.clock.now() + 8 * 3600_000).toISOString().slice(0, 10); // Beijing day

      app.post('/arcopen/fn/archive/add-by-utoken', async (req, reply) => {
        const who = auth(req, reply);
        if (!who) return reply;
        const up = uploadOf(req);
        if (!up || up.openId !== who.openId) return reply0(-400, undefined, 'upload_token 无效');
        if (!up.complete) return reply0(-400, undefined, '视频尚未上传完成(分片需先合片)');
        if (up.used) return reply0(-400, undefined, 'upload_token 已被使用');
        const j = jsonBody(req);
        if (!j.ok || !isRecord(j.value)) return reply0(-400, undefined, '请求体应为 JSON');
        const b = j.value;
        const title = typeof b.title === 'string' ? b.title.trim() : '';
        if (title === '') return reply0(-400, undefined, '标题不能为空');
        if (charLength(title) > L.titleChars) return reply0(-400, undefined, `标题不能超过80个字(当前 ${charLength(title)})`);
        const cover = typeof b.cover === 'string' ? b.cover : '';
        const coverKey = cover.split('/bfs/archive/')[1];
        if (!coverKey || !state().covers.has(coverKey)) return reply0(-400, undefined, 'cover 需为封面上传接口返回的地址');
        const tid = Number(b.tid);
        if (!leafTids.has(tid)) return reply0(-400, undefined, 'tid 无效:请使用分区查询接口返回的子分区 id');
        const desc = typeof b.desc === 'string' ? b.desc : '';
        if (charLength(desc) > L.descChars) return reply0(-400, undefined, `简介不能超过250个字(当前 ${charLength(desc)})`);
        const tag = typeof b.tag === 'string' ? b.tag : '';
        const tags = tag
          .split(',')
          .map((t) => t.trim())
          .filter((t) => t !== '');
        if (tags.length === 0) return reply0(-400, undefined, '至少需要一个标签');
        if (tags.length > L.tagCount) return reply0(-400, undefined, '标签不能超过10个');
        if (tags.some((t) => charLength(t) > L.tagChars)) return reply0(-400, undefined, '单个标签不能超过20个字');
        const copyright = b.copyright === undefined ? 1 : Number(b.copyright);
        if (copyright !== 1 && copyright !== 2) return reply0(-400, undefined, 'copyright 取值 1(自制)或 2(转载)');
        const source = typeof b.source === 'string' ? b.source : '';
        if (copyright === 2 && source.trim() === '') return reply0(-400, undefined, '转载稿件需填写 source');
        if (charLength(source) > L.sourceChars) return reply0(-400, undefined, 'source 不能超过200个字');
        const noReprint = b.no_reprint === undefined ? 0 : Number(b.no_reprint);
        if (noReprint !== 0 && noReprint !== 1) return reply0(-400, undefined, 'no_reprint 取值 0 或 1');
        const isMember = (opts.memberOpenIds ?? []).includes(who.openId);
        const day = today();
        const submittedToday = [...state().archives.values()].filter(
          (a) => a.openId === who.openId && new Date(a.ctime * 1000 + 8 * 3600_000).toISOString().slice(0, 10) === day,
        ).length;
        if (!isMember && submittedToday >= dailyLimit) return reply0(21070, undefined, `今日投稿数量已达上限(非会员账号每天最多 ${dailyLimit} 个)`);
        up.used = true;
        const resourceId = `BV1${Array.from(crypto.randomBytes(9), (x) => BV_ALPHABET[x % BV_ALPHABET.length]).join('')}`;
        const archive: Archive = {
          resourceId,
          openId: who.openId,
          uploadToken: up.token,
          title,
          cover,
          tid,
          noReprint,
          desc,
          tag: tags.join(','),
          copyright,
          source,
          ctime: ctx.clock.nowSeconds(),
          cid: 1_000_000_000 + ctx.counter('cid'),
          filename: up.token,
          duration: Math.round(up.duration ?? 0),
        };
        state().archives.set(resourceId, archive);
        recordVideo(ctx, req, {
          id: resourceId,
          ids: { resource_id: resourceId, upload_token: up.token, cid: String(archive.cid) },
          account: who.openId,
          title,
          body: desc,
          url: `${ctx.baseUrl()}/video/${resourceId}`,
          media: [cover, up.token],
          extra: { tid, tag: archive.tag, copyright, source, bytes: up.bytes, duration: up.duration },
        });
        return reply0(0, { resource_id: resourceId });
      });

      const archiveJson = (a: Archive) => {
        const rec = ctx.publications.get(a.resourceId)!;
        const st = archiveState(rec, ctx);
        const settled = ctx.publications.settled(rec);
        return {
          resource_id: a.resourceId,
          title: a.title,
          cover: a.cover,
          tid: a.tid,
          no_reprint: a.noReprint,
          desc: a.desc,
          tag: a.tag,
          copyright: a.copyright,
          source: a.source,
          ctime: a.ctime,
          ptime: settled === 'published' ? Math.floor(rec.readyAt / 1000) : 0,
          video_info: { cid: a.cid, filename: a.filename, duration: a.duration },
          addit_info: {
            state: st,
            state_desc: STATE_DESC[st] ?? '',
            reject_reason: st === -2 || st === -4 ? ((rec.outcome as { message?: string }).message ?? '稿件内容不符合社区规范') : '',
          },
          share_url: `${ctx.baseUrl()}/video/${a.resourceId}`,
        };
      };

      app.get('/arcopen/fn/archive/view', async (req, reply) => {
        const who = auth(req, reply);
        if (!who) return reply;
        const a = state().archives.get(queryParams(req).resource_id ?? '');
        if (!a || a.openId !== who.openId) return reply0(-404);
        return reply0(0, archiveJson(a));
      });

      app.get('/arcopen/fn/archive/viewlist', async (req, reply) => {
        const who = auth(req, reply);
        if (!who) return reply;
        const q = queryParams(req);
        const pn = Math.max(Number(q.pn ?? 1) || 1, 1);
        const ps = Math.min(Math.max(Number(q.ps ?? 10) || 10, 1), 50);
        const status = q.status ?? 'all';
        const mine = [...state().archives.values()]
          .filter((a) => a.openId === who.openId)
          .map((a) => archiveJson(a))
          .filter((a) => a.addit_info.state !== -100)
          .filter((a) =>
            status === 'pubed'
              ? a.addit_info.state === 0
              : status === 'is_pubing'
                ? a.addit_info.state === -1
                : status === 'not_pubed'
                  ? a.addit_info.state < -1
                  : true,
          )
          .sort((x, y) => y.ctime - x.ctime);
        return reply0(0, { list: mine.slice((pn - 1) * ps, pn * ps), page: { pn, ps, total: mine.length } });
      });

      app.post('/arcopen/fn/archive/delete', async (req, reply) => {
        const who = auth(req, reply);
        if (!who) return reply;
        const a = state().archives.get(queryParams(req).resource_id ?? '');
        const rec = a ? ctx.publications.get(a.resourceId) : undefined;
        if (!a || !rec || a.openId !== who.openId || rec.deleted) return reply0(-404);
        ctx.publications.markDeleted(rec);
        return reply0(0);
      });

      app.get('/video/:bvid', async (req, reply) => {
        const a = state().archives.get((req.params as { bvid: string }).bvid);
        const rec = a ? ctx.publications.get(a.resourceId) : undefined;
        if (!a || !rec || ctx.publications.stateOf(rec) !== 'published') {
          return reply.code(404).type('text/html; charset=utf-8').send(htmlPage('视频去哪了呢?', '<p>啊叻?视频不见了?</p>'));
        }
        return reply.type('text/html; charset=utf-8').send(htmlPage(a.title, `<p>${a.desc.replace(/</g, '&lt;')}</p>`));
      });
    },
  };
}

const STATE_DESC: Record<number, string> = { 0: '开放浏览', [-1]: '待审', [-2]: '被打回', [-4]: '锁定', [-100]: '用户删除' };

/** Bilibili archive state: 0 open, -1 pending review, -2 rejected (or -4 locked), -100 deleted. */
function archiveState(rec: PublicationRecord, ctx: SimContext): number {
  if (rec.deleted) return -100;
  const settled = ctx.publications.settled(rec);
  if (settled === 'processing') return -1;
  if (settled === 'failed') return (rec.outcome as { code?: unknown }).code === -4 ? -4 : -2;
  return 0;
}

/** Signs a request the way the Bilibili open platform expects (helper for clients and tests). */
export function bilibiliSignHeaders(opts: {
  clientId: string;
  secret: string;
  body?: string | Buffer;
  accessToken?: string;
  timestamp?: number;
  nonce?: string;
}): Record<string, string> {
  const h: Record<string, string> = {
    'x-bili-accesskeyid': opts.clientId,
    'x-bili-content-md5': crypto
      .createHash('md5')
      .update(opts.body ?? '')
      .digest('hex'),
    'x-bili-signature-method': 'HMAC-SHA256',
    'x-bili-signature-nonce': opts.nonce ?? crypto.randomUUID(),
    'x-bili-signature-version': '2.0',
    'x-bili-timestamp': String(opts.timestamp ?? Math.floor(Date.now() / 1000)),
  };
  const canonical = Object.keys(h)
    .sort()
    .map((k) => `${k}:${h[k]}`)
    .join('\n');
  h.authorization = crypto.createHmac('sha256', opts.secret).update(canonical).digest('hex');
  h.accept = 'application/json';
  if (opts.accessToken) h['access-token'] = opts.accessToken;
  return h;
}

export function startBilibiliSimulator(options: BilibiliOptions = {}): Promise<SimulatorHandle<BilibiliState>> {
  return launchSimulator(bilibiliDefinition(options), options);
}
