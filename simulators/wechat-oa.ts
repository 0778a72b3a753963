/**
 * WeChat Official Account (公众号) simulator: access tokens (getAccessToken and
 * getStableAccessToken semantics), in-article images, permanent material, the draft box and
 * free publishing (asynchronous), as documented at developers.weixin.qq.com/doc/offiaccount.
 * Every response is HTTP 200 with `{errcode, errmsg}` on errors, like the real API.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  KB,
  MB,
  charLength,
  declaredDuration,
  extractLinks,
  htmlPage,
  htmlToText,
  isRecord,
  jsonBody,
  launchSimulator,
  multipartBody,
  queryParams,
  randomId,
  sniffMedia,
  type CommonSimulatorOptions,
  type GenericCondition,
  type PlatformDefinition,
  type PublicationRecord,
  type SimContext,
  type SimulatorHandle,
} from './common.js';

export interface WechatOaOptions extends CommonSimulatorOptions {
  /** Lifetime of access tokens in seconds (default 7200). */
  tokenTtlSeconds?: number;
  /** How long a token stays usable after /cgi-bin/token issued a newer one (default 300 s). */
  tokenGraceSeconds?: number;
  /** Daily call quotas per app id and API path (defaults: /cgi-bin/token 2000). */
  dailyQuota?: Record<string, number>;
  /** Extra hosts whose images draft/add keeps (default: mmbiz.qpic.cn, mmbiz.qlogo.cn + own). */
  imageHosts?: string[];
}

export const WECHAT_LIMITS = {
  titleChars: 32,
  authorChars: 16,
  digestChars: 128,
  digestDefaultChars: 54,
  contentChars: 20_000,
  contentBytes: MB,
  articlesPerDraft: 8,
  uploadImgBytes: MB, // strictly less than
  imageBytes: 10 * MB,
  thumbBytes: 64 * KB,
  voiceBytes: 2 * MB,
  voiceSeconds: 60,
  videoBytes: 10 * MB,
  forceRefreshPerDay: 20,
  forceRefreshIntervalSeconds: 30,
  stableRenewBeforeSeconds: 300,
} as const;

/** errcode → errmsg, as the platform spells them. */
const ERR: Record<number, string> = {
  [-1]: 'system error',
  40001: 'invalid credential, access_token is invalid or not latest',
  40002: 'invalid grant_type',
  40004: 'invalid media type',
  40005: 'invalid file type',
  40007: 'invalid media_id',
  40009: 'invalid image size',
  40010: 'invalid voice size',
  40011: 'invalid video size',
  40012: 'invalid thumb size',
  40013: 'invalid appid',
  40066: 'invalid url',
  40097: 'invalid args',
  40125: 'invalid appsecret',
  41001: 'access_token missing',
  41002: 'appid missing',
  41004: 'appsecret missing',
  41005: 'media data missing',
  42001: 'access_token expired',
  43002: 'require POST method',
  44002: 'empty post data',
  44003: 'empty news data',
  44004: 'empty content',
  45001: 'multimedia file size out of limit',
  45002: 'content size out of limit',
  45003: 'title size out of limit',
  45004: 'description size out of limit',
  45008: 'article size out of limit',
  45009: 'reach max api daily quota limit',
  45011: 'api minute-quota reach limit  mustslower  retry next minute',
  45110: 'author size out of limit',
  47001: 'data format error',
  53600: 'Article ID 无效',
};

function err(code: number, hint?: string) {
  const rid = `${randomId(8).toLowerCase()}-${randomId(8).toLowerCase()}`;
  return { errcode: code, errmsg: `${ERR[code] ?? 'error'}${hint ? ` hint: [${hint}]` : ''} rid: ${rid}` };
}

interface Material {
  mediaId: string;
  appid: string;
  type: 'image' | 'thumb' | 'voice' | 'video';
  url?: string;
  filename: string;
  bytes: number;
  title?: string;
  introduction?: string;
  createdAt: number;
}

interface StoredImage {
  data: Buffer;
  mime: string;
}

interface DraftArticle {
  article_type: 'news';
  title: string;
  author: string;
  digest: string;
  content: string;
  content_source_url: string;
  thumb_media_id: string;
  show_cover_pic: number;
  need_open_comment: number;
  only_fans_can_comment: number;
  pic_crop_235_1: string;
  pic_crop_1_1: string;
  /** Images removed because they were not on the platform's image host. */
  strippedImages: string[];
}

interface Draft {
  mediaId: string;
  appid: string;
  articles: DraftArticle[];
  updateTime: number;
}

interface PublishJob {
  publishId: number;
  msgDataId: string;
  appid: string;
  articleId: string;
  draft: Draft;
  /** Per-article short keys of the public URLs. */
  sns: string[];
}

interface WechatState {
  materials: Map<string, Material>;
  images: Map<string, StoredImage>;
  drafts: Map<string, Draft>;
  jobs: Map<number, PublishJob>;
  jobsByArticle: Map<string, PublishJob>;
  pages: Map<string, { job: PublishJob; index: number }>;
  quota: Map<string, { day: string; count: number }>;
  forceRefresh: Map<string, { day: string; count: number; last: number }>;
}

const MIME: Record<string, string> = { jpeg: 'image/jpeg', png: 'image/png', gif: 'image/gif', bmp: 'image/bmp' };

export function wechatOaDefinition(opts: WechatOaOptions = {}): PlatformDefinition<WechatState> {
  const ttl = opts.tokenTtlSeconds ?? 7200;
  const grace = opts.tokenGraceSeconds ?? 300;
  const quotas: Record<string, number> = { '/cgi-bin/token': 2000, ...(opts.dailyQuota ?? {}) };

  return {
    kind: 'wechat_oa',
    bodyLimit: 32 * MB,
    createState: () => ({
      materials: new Map(),
      images: new Map(),
      drafts: new Map(),
      jobs: new Map(),
      jobsByArticle: new Map(),
      pages: new Map(),
      quota: new Map(),
      forceRefresh: new Map(),
    }),
    presentedToken: (req) => queryParams(req).access_token,
    render: (cond: GenericCondition, _req, _ctx, extra) => {
      const code = (c: number) => (typeof extra?.code === 'number' ? extra.code : c);
      switch (cond) {
        case 'rate_limit':
          return { status: 200, body: err(code(45009)) };
        case 'token_expired':
          return { status: 200, body: err(code(42001)) };
        case 'busy':
          return { status: 200, body: err(code(-1)) };
        case 'too_large':
          return { status: 200, body: err(code(45001)) };
        case 'not_found':
          return { status: 200, body: err(40066) };
        case 'server_error':
          return { status: 503, body: err(code(-1)) };
        default:
          return { status: 200, body: err(code(47001)) };
      }
    },
    platformStatus: (rec, ctx) => publishStatusOf(rec, ctx),
    routes(app, ctx, state) {
      const today = () => new Date(ctx.clock.now()).toISOString().slice(0, 10);

      /** Counts a call against the daily quota; true when over. */
      const overQuota = (appid: string, path: string): boolean => {
        const limit = quotas[path];
        if (limit === undefined) return false;
        const key = `${appid}:${path}`;
        const q = state().quota.get(key);
        const day = today();
        const count = q && q.day === day ? q.count + 1 : 1;
        state().quota.set(key, { day, count });
        return count > limit;
      };

      /** Validates ?access_token=; returns the app id or sends the platform's error. */
      const auth = (req: FastifyRequest, reply: FastifyReply): string | undefined => {
        const token = queryParams(req).access_token;
        const check = ctx.tokens.check(token, ['basic', 'stable']);
        if (!check.ok) {
          const code = check.reason === 'missing' ? 41001 : check.reason === 'expired' ? 42001 : 40001;
          reply.send(err(code));
          return undefined;
        }
        const path = req.url.split('?')[0]!;
        if (overQuota(check.record.subject, path)) {
          reply.send(err(45009));
          return undefined;
        }
        return check.record.subject;
      };

      const jsonOr47001 = (req: FastifyRequest, reply: FastifyReply): Record<string, unknown> | undefined => {
        const body = jsonBody(req);
        if (!body.ok) {
          reply.send(err(body.empty ? 44002 : 47001));
          return undefined;
        }
        if (!isRecord(body.value)) {
          reply.send(err(47001));
          return undefined;
        }
        return body.value;
      };

      const credentialError = (appid: string | undefined, secret: string | undefined): number | undefined => {
        switch (ctx.credentials.check(appid, secret)) {
          case 'ok':
            return undefined;
          case 'missing_app':
            return 41002;
          case 'missing_secret':
            return 41004;
          case 'unknown_app':
            return 40013;
          default:
            return 40125;
        }
      };

      // ---- access tokens ---------------------------------------------------------------
      app.get('/cgi-bin/token', async (req) => {
        const q = queryParams(req);
        if (q.grant_type !== 'client_credential') return err(40002);
        const bad = credentialError(q.appid, q.secret);
        if (bad) return err(bad);
        if (overQuota(q.appid!, '/cgi-bin/token')) return err(45009);
        // A new token supersedes the previous ones; they stay valid for a short grace period.
        const rec = ctx.tokens.issue({ subject: q.appid!, space: 'basic', ttlSeconds: ttl, length: 136 });
        ctx.tokens.supersede(q.appid!, 'basic', grace, rec.token);
        return { access_token: rec.token, expires_in: ttl };
      });

      app.get('/cgi-bin/stable_token', async () => err(43002));
      app.post('/cgi-bin/stable_token', async (req, reply) => {
        const body = jsonOr47001(req, reply);
        if (!body) return reply;
        const appid = typeof body.appid === 'string' ? body.appid : undefined;
        const secret = typeof body.secret === 'string' ? body.secret : undefined;
        if (body.grant_type !== 'client_credential') return err(40002);
        const bad = credentialError(appid, secret);
        if (bad) return err(bad);
        const force = body.force_refresh === true;
        const current = ctx.tokens.current(appid!, 'stable')[0];
        const now = ctx.clock.now();
        if (force) {
          const day = today();
          const fr = state().forceRefresh.get(appid!);
          const count = fr && fr.day === day ? fr.count : 0;
          // Within 30 s of the last forced refresh the platform does not refresh again.
          if (fr && current && now - fr.last < WECHAT_LIMITS.forceRefreshIntervalSeconds * 1000) {
            return { access_token: current.token, expires_in: ctx.tokens.remainingSeconds(current) };
          }
          if (count >= WECHAT_LIMITS.forceRefreshPerDay) return err(45009, 'force_refresh quota (20 per day)');
          state().forceRefresh.set(appid!, { day, count: count + 1, last: now });
          const rec = ctx.tokens.issue({ subject: appid!, space: 'stable', ttlSeconds: ttl, length: 136 });
          ctx.tokens.supersede(appid!, 'stable', 0, rec.token);
          return { access_token: rec.token, expires_in: ttl };
        }
        if (current && ctx.tokens.remainingSeconds(current) > WECHAT_LIMITS.stableRenewBeforeSeconds) {
          return { access_token: current.token, expires_in: ctx.tokens.remainingSeconds(current) };
        }
        // Normal mode renews in the last 5 minutes; the old token keeps working until it expires.
        const rec = ctx.tokens.issue({ subject: appid!, space: 'stable', ttlSeconds: ttl, length: 136 });
        return { access_token: rec.token, expires_in: ttl };
      });

      // ---- images and permanent material -------------------------------------------------
      const storeImage = (data: Buffer, kind: string): string => {
        const key = `${randomId(40)}.${kind === 'jpeg' ? 'jpg' : kind}`;
        state().images.set(key, { data, mime: MIME[kind] ?? 'application/octet-stream' });
        return `${ctx.baseUrl()}/mmbiz/${key}`;
      };

      app.get('/mmbiz/:key', async (req, reply) => {
        const img = state().images.get((req.params as { key: string }).key);
        if (!img) return reply.code(404).type('text/plain').send('not found');
        return reply.type(img.mime).send(img.data);
      });

      app.post('/cgi-bin/media/uploadimg', async (req, reply) => {
        if (!auth(req, reply)) return reply;
        const mp = multipartBody(req);
        if (mp === null || mp === 'malformed') return err(41005);
        const file = mp.files.find((f) => f.field === 'media');
        if (!file || file.data.length === 0) return err(41005);
        const kind = sniffMedia(file.data);
        if (kind !== 'jpeg' && kind !== 'png') return err(40005, 'uploadimg accepts jpg/png only');
        if (file.data.length >= WECHAT_LIMITS.uploadImgBytes) return err(40009, 'image must be under 1MB');
        return { url: storeImage(file.data, kind) };
      });

      app.post('/cgi-bin/material/add_material', async (req, reply) => {
        const appid = auth(req, reply);
        if (!appid) return reply;
        const type = queryParams(req).type;
        if (type !== 'image' && type !== 'thumb' && type !== 'voice' && type !== 'video') return err(40004);
        const mp = multipartBody(req);
        if (mp === null || mp === 'malformed') return err(41005);
        const file = mp.files.find((f) => f.field === 'media');
        if (!file || file.data.length === 0) return err(41005);
        const kind = sniffMedia(file.data);
        const size = file.data.length;
        let title: string | undefined;
        let introduction: string | undefined;
        switch (type) {
          case 'image':
            if (!['jpeg', 'png', 'gif', 'bmp'].includes(kind)) return err(40005, 'image: bmp/png/jpeg/jpg/gif');
            if (size > WECHAT_LIMITS.imageBytes) return err(40009, 'image: 10MB max');
            break;
          case 'thumb':
            if (kind !== 'jpeg') return err(40005, 'thumb: JPG only');
            if (size > WECHAT_LIMITS.thumbBytes) return err(40012, 'thumb: 64KB max');
            break;
          case 'voice': {
            if (!['mp3', 'wma', 'wav', 'amr'].includes(kind)) return err(40005, 'voice: mp3/wma/wav/amr');
            if (size > WECHAT_LIMITS.voiceBytes) return err(40010, 'voice: 2MB max');
            const seconds = declaredDuration(req, mp.fields);
            if (seconds !== undefined && seconds > WECHAT_LIMITS.voiceSeconds) return err(40010, 'voice: 60s max');
            break;
          }
          case 'video': {
            if (kind !== 'mp4') return err(40005, 'video: MP4 only');
            if (size > WECHAT_LIMITS.videoBytes) return err(40011, 'video: 10MB max');
            let desc: unknown;
            try {
              desc = JSON.parse(mp.fields.description ?? '');
            } catch {
              return err(40097, 'video needs a description form field {"title","introduction"}');
            }
            if (!isRecord(desc) || typeof desc.title !== 'string' || desc.title === '') {
              return err(40097, 'video needs a description form field {"title","introduction"}');
            }
            title = desc.title;
            introduction = typeof desc.introduction === 'string' ? desc.introduction : '';
            break;
          }
        }
        const mediaId = randomId(64, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_');
        const url = type === 'image' || type === 'thumb' ? storeImage(file.data, kind) : undefined;
        state().materials.set(mediaId, { mediaId, appid, type, url, filename: file.filename, bytes: size, title, introduction, createdAt: ctx.clock.now() });
        return url ? { media_id: mediaId, url, item: [] } : { media_id: mediaId, item: [] };
      });

      app.post('/cgi-bin/material/del_material', async (req, reply) => {
        const appid = auth(req, reply);
        if (!appid) return reply;
        const body = jsonOr47001(req, reply);
        if (!body) return reply;
        const m = typeof body.media_id === 'string' ? state().materials.get(body.media_id) : undefined;
        if (!m || m.appid !== appid) return err(40007);
        state().materials.delete(m.mediaId);
        return { errcode: 0, errmsg: 'ok' };
      });

      app.get('/cgi-bin/material/get_materialcount', async (req, reply) => {
        const appid = auth(req, reply);
        if (!appid) return reply;
        const mine = [...state().materials.values()].filter((m) => m.appid === appid);
        const count = (t: Material['type']) => mine.filter((m) => m.type === t).length;
        return { voice_count: count('voice'), video_count: count('video'), image_count: count('image') + count('thumb'), news_count: 0 };
      });

      // ---- draft box -------------------------------------------------------------------------
      /**
       * A failed publish returns its draft to the draft box — as soon as it fails, whether or not
       * anybody asks freepublish/get (a client that lost the publish_id sees the draft come back).
       */
      const returnFailedDrafts = () => {
        for (const job of state().jobs.values()) {
          const rec = ctx.publications.get(job.articleId);
          if (!rec || rec.extra.draftRestored || ctx.publications.settled(rec) !== 'failed') continue;
          if (!state().drafts.has(job.draft.mediaId)) state().drafts.set(job.draft.mediaId, job.draft);
          rec.extra.draftRestored = true;
        }
      };

      const ownOrigin = () => new URL(ctx.baseUrl()).host;
      const imageHostOk = (src: string): boolean => {
        try {
          const u = new URL(src, ctx.baseUrl());
          const hosts = [ownOrigin(), 'mmbiz.qpic.cn', 'mmbiz.qlogo.cn', ...(opts.imageHosts ?? [])];
          return hosts.includes(u.host);
        } catch {
          return false;
        }
      };

      /** Validates one article; returns the stored form or an errcode (+hint). */
      const validateArticle = (raw: unknown, appid: string, single: boolean): DraftArticle | { code: number; hint: string } => {
        if (!isRecord(raw)) return { code: 47001, hint: 'each article must be an object' };
        const str = (k: string) => (typeof raw[k] === 'string' ? (raw[k] as string) : raw[k] === undefined || raw[k] === null ? '' : undefined);
        const fields = ['title', 'author', 'digest', 'content', 'content_source_url', 'thumb_media_id', 'pic_crop_235_1', 'pic_crop_1_1'] as const;
        for (const f of fields) if (str(f) === undefined) return { code: 47001, hint: `${f} must be a string` };
        const type = raw.article_type ?? 'news';
        if (type !== 'news') return { code: 40097, hint: `article_type ${String(type)} is not supported by this simulator (news only)` };
        const title = str('title')!;
        const author = str('author')!;
        let digest = str('digest')!;
        const content = str('content')!;
        if (title.trim() === '') return { code: 40097, hint: 'title is required' };
        if (charLength(title) > WECHAT_LIMITS.titleChars) return { code: 45003, hint: `title is ${charLength(title)} characters, at most 32` };
        if (charLength(author) > WECHAT_LIMITS.authorChars) return { code: 45110, hint: `author is ${charLength(author)} characters, at most 16` };
        if (charLength(digest) > WECHAT_LIMITS.digestChars) return { code: 45004, hint: `digest is ${charLength(digest)} characters, at most 128` };
        if (content.trim() === '') return { code: 44004, hint: 'content is empty' };
        if (charLength(content) >= WECHAT_LIMITS.contentChars)
          return { code: 45002, hint: `content is ${charLength(content)} characters, must be under 20000` };
        if (Buffer.byteLength(content, 'utf8') >= WECHAT_LIMITS.contentBytes) return { code: 45002, hint: 'content must be under 1MB' };
        const thumb = str('thumb_media_id')!;
        const material = state().materials.get(thumb);
        if (!thumb || !material || material.appid !== appid || (material.type !== 'image' && material.type !== 'thumb')) {
          return { code: 40007, hint: 'thumb_media_id must be a permanent image/thumb material of this account' };
        }
        const flag = (k: string, dflt: number): number | undefined => {
          const v = raw[k];
          if (v === undefined || v === null) return dflt;
          return v === 0 || v === 1 ? v : undefined;
        };
        const showCover = flag('show_cover_pic', 1);
        const comment = flag('need_open_comment', 0);
        const fansOnly = flag('only_fans_can_comment', 0);
        if (showCover === undefined || comment === undefined || fansOnly === undefined) {
          return { code: 40097, hint: 'show_cover_pic, need_open_comment and only_fans_can_comment take 0 or 1' };
        }
        for (const k of ['pic_crop_235_1', 'pic_crop_1_1'] as const) {
          const v = str(k)!;
          if (v !== '' && !/^(0(\.\d+)?|1(\.0+)?)(_(0(\.\d+)?|1(\.0+)?)){3}$/.test(v)) {
            return { code: 40097, hint: `${k} must be X1_Y1_X2_Y2 with coordinates between 0 and 1` };
          }
        }
        // The platform removes scripts and filters images that are not on its image host.
        const stripped: string[] = [];
        let cleaned = content.replace(/<script[\s\S]*?<\/script>/gi, '');
        cleaned = cleaned.replace(/<img\b[^>]*>/gi, (tag) => {
          const src = /\bsrc\s*=\s*["']([^"']*)["']/i.exec(tag)?.[1] ?? '';
          if (imageHostOk(src)) return tag;
          stripped.push(src);
          return '';
        });
        if (digest === '' && single) digest = [...htmlToText(cleaned)].slice(0, WECHAT_LIMITS.digestDefaultChars).join('');
        if (!single) digest = '';
        return {
          article_type: 'news',
          title,
          author,
          digest,
          content: cleaned,
          content_source_url: str('content_source_url')!,
          thumb_media_id: thumb,
          show_cover_pic: showCover,
          need_open_comment: comment,
          only_fans_can_comment: fansOnly,
          pic_crop_235_1: str('pic_crop_235_1')!,
          pic_crop_1_1: str('pic_crop_1_1')!,
          strippedImages: stripped,
        };
      };

      const draftItem = (d: Draft, a: DraftArticle, i: number) => ({
        article_type: a.article_type,
        title: a.title,
        author: a.author,
        digest: a.digest,
        content: a.content,
        content_source_url: a.content_source_url,
        thumb_media_id: a.thumb_media_id,
        thumb_url: state().materials.get(a.thumb_media_id)?.url ?? '',
        show_cover_pic: a.show_cover_pic,
        need_open_comment: a.need_open_comment,
        only_fans_can_comment: a.only_fans_can_comment,
        url: `${ctx.baseUrl()}/s/draft-${d.mediaId.slice(0, 16)}-${i + 1}`,
      });

      app.post('/cgi-bin/draft/add', { bodyLimit: 4 * MB }, async (req, reply) => {
        const appid = auth(req, reply);
        if (!appid) return reply;
        const body = jsonOr47001(req, reply);
        if (!body) return reply;
        const list = body.articles;
        if (!Array.isArray(list) || list.length === 0) return err(44003);
        if (list.length > WECHAT_LIMITS.articlesPerDraft) return err(45008, 'at most 8 articles per draft');
        const articles: DraftArticle[] = [];
        for (let i = 0; i < list.length; i++) {
          const a = validateArticle(list[i], appid, list.length === 1);
          if ('code' in a) return err(a.code, `articles[${i}]: ${a.hint}`);
          articles.push(a);
        }
        const mediaId = randomId(64, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_');
        state().drafts.set(mediaId, { mediaId, appid, articles, updateTime: ctx.clock.nowSeconds() });
        return { media_id: mediaId };
      });

      app.post('/cgi-bin/draft/get', async (req, reply) => {
        returnFailedDrafts();
        const appid = auth(req, reply);
        if (!appid) return reply;
        const body = jsonOr47001(req, reply);
        if (!body) return reply;
        const d = typeof body.media_id === 'string' ? state().drafts.get(body.media_id) : undefined;
        if (!d || d.appid !== appid) return err(40007);
        return { news_item: d.articles.map((a, i) => draftItem(d, a, i)) };
      });

      app.post('/cgi-bin/draft/delete', async (req, reply) => {
        returnFailedDrafts();
        const appid = auth(req, reply);
        if (!appid) return reply;
        const body = jsonOr47001(req, reply);
        if (!body) return reply;
        const d = typeof body.media_id === 'string' ? state().drafts.get(body.media_id) : undefined;
        if (!d || d.appid !== appid) return err(40007);
        state().drafts.delete(d.mediaId);
        return { errcode: 0, errmsg: 'ok' };
      });

      app.post('/cgi-bin/draft/count', async (req, reply) => {
        returnFailedDrafts();
        const appid = auth(req, reply);
        if (!appid) return reply;
        return { total_count: [...state().drafts.values()].filter((d) => d.appid === appid).length };
      });

      app.post('/cgi-bin/draft/batchget', async (req, reply) => {
        returnFailedDrafts();
        const appid = auth(req, reply);
        if (!appid) return reply;
        const body = jsonOr47001(req, reply);
        if (!body) return reply;
        const page = pageArgs(body);
        if (!page) return err(40097, 'offset >= 0 and count between 1 and 20 are required');
        const mine = [...state().drafts.values()].filter((d) => d.appid === appid).sort((a, b) => b.updateTime - a.updateTime);
        const slice = mine.slice(page.offset, page.offset + page.count);
        return {
          total_count: mine.length,
          item_count: slice.length,
          item: slice.map((d) => ({
            media_id: d.mediaId,
            content: { news_item: d.articles.map((a, i) => (page.noContent ? { ...draftItem(d, a, i), content: undefined } : draftItem(d, a, i))) },
            update_time: d.updateTime,
          })),
        };
      });

      // ---- publishing ------------------------------------------------------------------------
      app.post('/cgi-bin/freepublish/submit', async (req, reply) => {
        returnFailedDrafts();
        const appid = auth(req, reply);
        if (!appid) return reply;
        const body = jsonOr47001(req, reply);
        if (!body) return reply;
        const d = typeof body.media_id === 'string' ? state().drafts.get(body.media_id) : undefined;
        if (!d || d.appid !== appid) return err(40007, 'media_id is not a draft of this account (published drafts leave the draft box)');
        // A submitted draft leaves the draft box (it comes back if publishing fails).
        state().drafts.delete(d.mediaId);
        const publishId = 2247483647 + ctx.counter('publish');
        const articleId = randomId(48, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_');
        const sns = d.articles.map(() => randomId(22));
        const job: PublishJob = { publishId, msgDataId: String(2247483600 + (publishId % 1000)), appid, articleId, draft: d, sns };
        state().jobs.set(publishId, job);
        state().jobsByArticle.set(articleId, job);
        sns.forEach((sn, index) => state().pages.set(sn, { job, index }));
        const outcome = ctx.outcomeFor(req);
        ctx.publications.create({
          id: articleId,
          ids: { publish_id: String(publishId), article_id: articleId, media_id: d.mediaId, msg_data_id: job.msgDataId },
          account: appid,
          items: d.articles.map((a, i) => ({
            index: i + 1,
            title: a.title,
            body: a.content,
            url: `${ctx.baseUrl()}/s/${sns[i]}`,
            links: [...new Set([a.content_source_url, ...extractLinks(a.content)].filter((l) => l !== ''))],
            media: [a.thumb_media_id, ...[...a.content.matchAll(/<img\b[^>]*\bsrc\s*=\s*["']([^"']*)["']/gi)].map((m) => m[1]!)],
            extra: { author: a.author, digest: a.digest, content_source_url: a.content_source_url, strippedImages: a.strippedImages },
          })),
          url: `${ctx.baseUrl()}/s/${sns[0]}`,
          outcome: outcome.type === 'fail' ? { ...outcome, code: typeof outcome.code === 'number' ? outcome.code : 3 } : outcome,
          faults: ctx.faultKindsFor(req),
          extra: { draftMediaId: d.mediaId },
        });
        return { errcode: 0, errmsg: 'ok', publish_id: publishId, msg_data_id: job.msgDataId };
      });

      const jobStatus = (job: PublishJob) => {
        const rec = ctx.publications.get(job.articleId)!;
        const status = publishStatusOf(rec, ctx);
        if (status === 1) return { publish_id: job.publishId, publish_status: 1, fail_idx: [] };
        if (status === 2 || status === 3 || status === 4) {
          returnFailedDrafts();
          return { publish_id: job.publishId, publish_status: status, fail_idx: job.draft.articles.map((_, i) => i + 1) };
        }
        return {
          publish_id: job.publishId,
          publish_status: status,
          article_id: job.articleId,
          article_detail: {
            count: rec.items.length,
            item: rec.items.map((it) => ({ idx: it.index, article_url: it.url })),
          },
          fail_idx: [],
        };
      };

      app.post('/cgi-bin/freepublish/get', async (req, reply) => {
        const appid = auth(req, reply);
        if (!appid) return reply;
        const body = jsonOr47001(req, reply);
        if (!body) return reply;
        const id = Number(body.publish_id);
        const job = Number.isFinite(id) ? state().jobs.get(id) : undefined;
        if (!job || job.appid !== appid) return err(40097, 'unknown publish_id');
        return jobStatus(job);
      });

      /** A published (status 0 or 5) job by article_id, for this account. */
      const publishedJob = (appid: string, articleId: unknown): { job: PublishJob; rec: PublicationRecord } | undefined => {
        const job = typeof articleId === 'string' ? state().jobsByArticle.get(articleId) : undefined;
        if (!job || job.appid !== appid) return undefined;
        const rec = ctx.publications.get(job.articleId)!;
        if (ctx.publications.settled(rec) !== 'published') return undefined;
        return { job, rec };
      };

      app.post('/cgi-bin/freepublish/delete', async (req, reply) => {
        const appid = auth(req, reply);
        if (!appid) return reply;
        const body = jsonOr47001(req, reply);
        if (!body) return reply;
        const found = publishedJob(appid, body.article_id);
        if (!found) return err(53600);
        const index = body.index === undefined || body.index === null ? 0 : Number(body.index);
        if (!Number.isInteger(index) || index < 0 || index > found.rec.items.length) return err(40097, `index must be 0 (all) or 1..${found.rec.items.length}`);
        if (index === 0) ctx.publications.markDeleted(found.rec);
        else {
          found.rec.items[index - 1]!.deleted = true;
          if (found.rec.items.every((i) => i.deleted)) ctx.publications.markDeleted(found.rec);
          else ctx.publications.touch(found.rec);
        }
        return { errcode: 0, errmsg: 'ok' };
      });

      const newsItems = (job: PublishJob, rec: PublicationRecord, noContent = false) =>
        job.draft.articles.map((a, i) => ({
          title: a.title,
          author: a.author,
          digest: a.digest,
          content: noContent ? '' : a.content,
          content_source_url: a.content_source_url,
          thumb_media_id: a.thumb_media_id,
          thumb_url: state().materials.get(a.thumb_media_id)?.url ?? '',
          show_cover_pic: a.show_cover_pic,
          need_open_comment: a.need_open_comment,
          only_fans_can_comment: a.only_fans_can_comment,
          url: rec.items[i]?.url ?? '',
          is_deleted: rec.items[i]?.deleted ?? false,
        }));

      app.post('/cgi-bin/freepublish/getarticle', async (req, reply) => {
        const appid = auth(req, reply);
        if (!appid) return reply;
        const body = jsonOr47001(req, reply);
        if (!body) return reply;
        const found = publishedJob(appid, body.article_id);
        if (!found) return err(53600);
        return { news_item: newsItems(found.job, found.rec) };
      });

      app.post('/cgi-bin/freepublish/batchget', async (req, reply) => {
        const appid = auth(req, reply);
        if (!appid) return reply;
        const body = jsonOr47001(req, reply);
        if (!body) return reply;
        const page = pageArgs(body);
        if (!page) return err(40097, 'offset >= 0 and count between 1 and 20 are required');
        const mine = [...state().jobs.values()]
          .filter((j) => j.appid === appid)
          .map((job) => ({ job, rec: ctx.publications.get(job.articleId)! }))
          .filter(({ rec }) => ctx.publications.stateOf(rec) === 'published')
          .sort((a, b) => b.rec.readyAt - a.rec.readyAt);
        const slice = mine.slice(page.offset, page.offset + page.count);
        return {
          total_count: mine.length,
          item_count: slice.length,
          item: slice.map(({ job, rec }) => ({
            article_id: job.articleId,
            content: { news_item: newsItems(job, rec, page.noContent) },
            update_time: Math.floor(Math.max(rec.readyAt, rec.updatedMs) / 1000),
          })),
        };
      });

      // ---- public article pages (so links resolve in a local start) --------------------------
      app.get('/s/:sn', async (req, reply) => {
        const page = state().pages.get((req.params as { sn: string }).sn);
        if (!page) return reply.code(404).type('text/html; charset=utf-8').send(htmlPage('该内容已被发布者删除', '<p>此内容因违规无法查看 / 不存在</p>'));
        const rec = ctx.publications.get(page.job.articleId)!;
        const item = rec.items[page.index]!;
        if (ctx.publications.settled(rec) !== 'published')
          return reply.code(404).type('text/html; charset=utf-8').send(htmlPage('内容不存在', '<p>not published</p>'));
        if (item.deleted) return reply.code(404).type('text/html; charset=utf-8').send(htmlPage('该内容已被发布者删除', '<p>该内容已被发布者删除</p>'));
        return reply.type('text/html; charset=utf-8').send(htmlPage(item.title ?? '', item.body ?? ''));
      });
    },
  };
}

function pageArgs(body: Record<string, unknown>): { offset: number; count: number; noContent: boolean } | undefined {
  const offset = Number(body.offset ?? 0);
  const count = Number(body.count);
  if (!Number.isInteger(offset) || offset < 0 || !Number.isInteger(count) || count < 1 || count > 20) return undefined;
  return { offset, count, noContent: Number(body.no_content ?? 0) === 1 };
}

/** WeChat publish_status of a publication: 0 ok, 1 publishing, 2-4 failed, 5 deleted. */
function publishStatusOf(rec: PublicationRecord, ctx: SimContext): number {
  const settled = ctx.publications.settled(rec);
  if (settled === 'processing') return 1;
  if (settled === 'failed') {
    const code = rec.outcome.type === 'fail' && typeof rec.outcome.code === 'number' ? rec.outcome.code : 3;
    return [2, 3, 4, 6].includes(code) ? code : 3;
  }
  return rec.deleted ? 5 : 0;
}

export function startWechatOaSimulator(options: WechatOaOptions = {}): Promise<SimulatorHandle<WechatState>> {
  return launchSimulator(wechatOaDefinition(options), options);
}
