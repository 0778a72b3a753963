/**
 * Weibo (微博) simulator: OAuth2 authorization-code tokens, the third-party share API
 * (`statuses/share.json`: text with a link back to the app's bound domain, optional picture),
 * `statuses/show`, `statuses/destroy` and the author's own timeline for reconciliation.
 * Errors are `{error, error_code, request}` like open.weibo.com documents them.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  MB,
  extractLinks,
  formBody,
  htmlPage,
  launchSimulator,
  multipartBody,
  queryParams,
  randomId,
  sniffMedia,
  type CommonSimulatorOptions,
  type MultipartFile,
  type PlatformDefinition,
  type SimulatorHandle,
} from './common.js';

export interface WeiboOptions extends CommonSimulatorOptions {
  /** Access token lifetime in seconds (default 7 days). */
  tokenTtlSeconds?: number;
  /** Text limit of the share API in Weibo characters (default 140). */
  textLimit?: number;
  /** Domains the app is bound to (安全域名); share text must link to one of them. Default: any http(s) link. */
  safeDomains?: string[];
  /** Posts per user per hour through the share API (default 30) → 10024. */
  postsPerHour?: number;
  /** Identical text from the same user within this window is refused with 20019 (default 86400 s). */
  repeatWindowSeconds?: number;
  /** uid of the user a code maps to (default 5000000001; `user:<uid>:...` codes choose another). */
  defaultUid?: string;
  /**
   * Access tokens issued beforehand, as a deployment configures them (a real one gets its token
   * once through OAuth): token value → the app key it was issued to, the user (default
   * `defaultUid`) and when it expires (ISO 8601 or epoch ms; default `tokenTtlSeconds` after the
   * simulator starts or is reset). They behave like tokens from /oauth2/access_token.
   */
  accessTokens?: Record<string, WeiboPreissuedToken>;
}

export interface WeiboPreissuedToken {
  appKey: string;
  uid?: string;
  expiresAt?: string | number;
}

export const WEIBO_LIMITS = { textChars: 140, picBytes: 5 * MB, urlWeight: 10 } as const;

const ERRORS: Record<number, [number, string]> = {
  10001: [500, 'System error'],
  10002: [503, 'Service unavailable'],
  10006: [400, 'Source paramter (appkey) is missing'],
  10008: [400, 'Param error, see doc for more info'],
  10009: [503, 'Too many pending tasks, system is busy'],
  10014: [403, 'Insufficient app permissions'],
  10016: [400, 'Miss required parameter (%s) , see doc for more info'],
  10017: [400, "Parameter (%s)'s value invalid, see doc for more info"],
  10018: [413, 'Request body length over limit'],
  10020: [404, 'Request api not found!'],
  10021: [405, 'HTTP method is not suported for this request!'],
  10022: [403, 'IP requests out of rate limit!'],
  10023: [403, 'User requests out of rate limit!'],
  10024: [403, 'User requests for (%s) out of rate limit!'],
  20005: [400, 'Unsupported image type, only suport JPG, GIF, PNG!'],
  20006: [400, 'Image size too large.'],
  20007: [400, 'Does multipart has image?'],
  20008: [400, 'Content is null!'],
  20012: [400, 'Text too long, please input text less than 140 characters!'],
  20019: [400, 'Repeat content!'],
  20101: [400, 'Target weibo does not exist!'],
  20102: [403, 'Not your own weibo!'],
  21301: [401, 'Auth faild!'],
  21323: [400, 'invalid_request'],
  21324: [401, 'invalid_client'],
  21325: [400, 'invalid_grant'],
  21327: [401, 'expired_token'],
  21328: [400, 'unsupported_grant_type'],
  21332: [401, 'invalid_access_token'],
};

function weiboError(req: FastifyRequest, code: number, arg?: string, override?: string) {
  const [status, text] = ERRORS[code] ?? [400, 'error'];
  return {
    status,
    body: { error: override ?? (arg ? text.replace('%s', arg) : text.replace(' (%s)', '')), error_code: code, request: req.url.split('?')[0] },
  };
}

interface WeiboStatus {
  id: number;
  uid: string;
  appKey: string;
  text: string;
  createdAt: number;
  pic?: { key: string; mime: string; bytes: number };
  rip?: string;
}

interface WeiboState {
  statuses: Map<number, WeiboStatus>;
  pics: Map<string, { data: Buffer; mime: string }>;
  usedCodes: Set<string>;
  posts: Map<string, number[]>; // uid → timestamps of posts (rate limit)
}

/** Weibo's character count: CJK and other wide characters 1, ASCII ½ (rounded up), links a fixed weight. */
export function weiboTextLength(text: string): number {
  let halves = 0;
  const withoutLinks = text.replace(/https?:\/\/[^\s\u3000-\u303f\uff00-\uffef]+/gi, () => {
    halves += WEIBO_LIMITS.urlWeight * 2;
    return '';
  });
  for (const ch of withoutLinks) halves += ch.codePointAt(0)! < 0x80 ? 1 : 2;
  return Math.ceil(halves / 2);
}

function weiboDate(ms: number): string {
  // e.g. "Tue May 31 17:46:55 +0800 2011" (Beijing time)
  const d = new Date(ms + 8 * 3600_000);
  const day = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][d.getUTCDay()];
  const mon = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][d.getUTCMonth()];
  const p = (n: number) => String(n).padStart(2, '0');
  return `${day} ${mon} ${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0800 ${d.getUTCFullYear()}`;
}

/** Parameters from query, urlencoded form or multipart fields, and the multipart files. */
function allParams(req: FastifyRequest): { params: Record<string, string>; files: MultipartFile[]; malformed: boolean } {
  const mp = multipartBody(req);
  if (mp === 'malformed') return { params: queryParams(req), files: [], malformed: true };
  return { params: { ...queryParams(req), ...formBody(req), ...(mp?.fields ?? {}) }, files: mp?.files ?? [], malformed: false };
}

function tokenFrom(req: FastifyRequest, params: Record<string, string>): string | undefined {
  const h = req.headers.authorization;
  if (typeof h === 'string') {
    const m = /^OAuth2\s+(\S+)/i.exec(h);
    if (m) return m[1];
  }
  return params.access_token;
}

export function weiboDefinition(opts: WeiboOptions = {}): PlatformDefinition<WeiboState> {
  const ttl = opts.tokenTtlSeconds ?? 7 * 86400;
  const textLimit = opts.textLimit ?? WEIBO_LIMITS.textChars;
  const perHour = opts.postsPerHour ?? 30;
  const repeatWindowMs = (opts.repeatWindowSeconds ?? 86400) * 1000;

  return {
    kind: 'weibo',
    bodyLimit: 16 * MB,
    createState: (ctx) => {
      // Pre-issued tokens go into the simulator's token store (again after every reset).
      for (const [token, t] of Object.entries(opts.accessTokens ?? {})) {
        const at = t.expiresAt === undefined ? undefined : typeof t.expiresAt === 'number' ? t.expiresAt : Date.parse(t.expiresAt);
        if (at !== undefined && Number.isNaN(at)) throw new Error(`weibo accessTokens: expiresAt of a token is not a date: ${String(t.expiresAt)}`);
        const ttlSeconds = at === undefined ? ttl : (at - ctx.clock.now()) / 1000;
        ctx.tokens.issue({
          subject: t.uid ?? opts.defaultUid ?? '5000000001',
          space: 'user',
          ttlSeconds,
          prefix: token,
          length: 0,
          data: { appKey: t.appKey },
        });
      }
      return { statuses: new Map(), pics: new Map(), usedCodes: new Set(), posts: new Map() };
    },
    seedPost: (input, ctx, st) => {
      // A post made in Weibo's own app: on the timeline like any other, never through the share API.
      const id = 4_800_000_000_000_000 + ctx.counter('seeded') * 7919;
      st.statuses.set(id, { id, uid: input.account, appKey: 'weibo-app', text: input.text, createdAt: input.at });
      const url = `${ctx.baseUrl()}/${input.account}/${id}`;
      ctx.publications.create({
        id: String(id),
        ids: { id: String(id), mid: String(id) },
        account: input.account,
        title: input.text.slice(0, 40),
        body: input.text,
        url,
        readyAt: input.at,
        extra: { seeded: true },
      });
      return { id: String(id) };
    },
    presentedToken: (req) => tokenFrom(req, allParams(req).params),
    render: (cond, req, _ctx, extra) => {
      const code = (c: number) => (typeof extra?.code === 'number' ? extra.code : c);
      switch (cond) {
        case 'rate_limit':
          return weiboError(req, code(10023));
        case 'token_expired':
          return weiboError(req, code(21327));
        case 'busy':
          return weiboError(req, code(10009));
        case 'server_error':
          return { ...weiboError(req, code(10001)), status: 500 };
        case 'too_large':
          return weiboError(req, 10018);
        case 'not_found':
          return weiboError(req, 10020);
        default:
          return weiboError(req, code(10008));
      }
    },
    platformStatus: (rec) => (rec.deleted ? 'deleted' : 'visible'),
    routes(app, ctx, state) {
      const fail = (reply: FastifyReply, req: FastifyRequest, code: number, arg?: string, override?: string) => {
        const e = weiboError(req, code, arg, override);
        return reply.code(e.status).send(e.body);
      };

      const auth = (req: FastifyRequest, reply: FastifyReply, params: Record<string, string>) => {
        const check = ctx.tokens.check(tokenFrom(req, params), 'user');
        if (!check.ok) {
          fail(
            reply,
            req,
            check.reason === 'missing' ? 10016 : check.reason === 'expired' ? 21327 : 21332,
            check.reason === 'missing' ? 'access_token' : undefined,
          );
          return undefined;
        }
        return { uid: check.record.subject, appKey: check.record.data.appKey! };
      };

      // ---- OAuth2 ----------------------------------------------------------------------------
      app.post('/oauth2/access_token', async (req, reply) => {
        const { params } = allParams(req);
        if (!params.client_id || !params.client_secret || !params.grant_type) return fail(reply, req, 21323, undefined, 'invalid_request');
        if (params.grant_type !== 'authorization_code') return fail(reply, req, 21328);
        if (ctx.credentials.check(params.client_id, params.client_secret) !== 'ok') return fail(reply, req, 21324);
        if (!params.code) return fail(reply, req, 21323);
        if (state().usedCodes.has(params.code)) return fail(reply, req, 21325);
        state().usedCodes.add(params.code);
        const uid = /^user:(\d+):/.exec(params.code)?.[1] ?? opts.defaultUid ?? '5000000001';
        const rec = ctx.tokens.issue({ subject: uid, space: 'user', ttlSeconds: ttl, prefix: '2.00', length: 30, data: { appKey: params.client_id } });
        return { access_token: rec.token, remind_in: String(ttl), expires_in: ttl, uid, isRealName: 'true' };
      });

      app.post('/oauth2/get_token_info', async (req, reply) => {
        const { params } = allParams(req);
        const check = ctx.tokens.check(params.access_token, 'user');
        if (!check.ok) return fail(reply, req, check.reason === 'expired' ? 21327 : 21332);
        return {
          uid: Number(check.record.subject),
          appkey: check.record.data.appKey,
          scope: '',
          create_at: Math.floor(check.record.issuedAt / 1000),
          expire_in: ctx.tokens.remainingSeconds(check.record),
        };
      });

      app.post('/oauth2/revokeoauth2', async (req, reply) => {
        const { params } = allParams(req);
        const check = ctx.tokens.check(params.access_token, 'user');
        if (!check.ok) return fail(reply, req, check.reason === 'expired' ? 21327 : 21332);
        ctx.tokens.revoke(check.record.token);
        return { result: 'true' };
      });

      // ---- statuses ----------------------------------------------------------------------------
      const statusJson = (s: WeiboStatus) => {
        const picUrl = s.pic ? `${ctx.baseUrl()}/large/${s.pic.key}` : undefined;
        return {
          created_at: weiboDate(s.createdAt),
          id: s.id,
          idstr: String(s.id),
          mid: String(s.id),
          text: s.text,
          source: `<a href="${ctx.baseUrl()}" rel="nofollow">${s.appKey}</a>`,
          favorited: false,
          truncated: false,
          pic_urls: picUrl ? [{ thumbnail_pic: picUrl.replace('/large/', '/thumbnail/') }] : [],
          ...(picUrl
            ? { thumbnail_pic: picUrl.replace('/large/', '/thumbnail/'), bmiddle_pic: picUrl.replace('/large/', '/bmiddle/'), original_pic: picUrl }
            : {}),
          user: { id: Number(s.uid), idstr: s.uid, screen_name: `用户${s.uid}` },
          reposts_count: 0,
          comments_count: 0,
          attitudes_count: 0,
          visible: { type: 0, list_id: 0 },
          url: `${ctx.baseUrl()}/${s.uid}/${s.id}`,
        };
      };

      const liveStatus = (id: unknown): WeiboStatus | undefined => {
        const n = Number(id);
        if (!Number.isSafeInteger(n)) return undefined;
        const s = state().statuses.get(n);
        if (!s) return undefined;
        const rec = ctx.publications.get(String(n));
        return rec && !rec.deleted ? s : undefined;
      };

      app.get('/2/statuses/share.json', async (req, reply) => fail(reply, req, 10021));
      app.post('/2/statuses/share.json', async (req, reply) => {
        const { params, files, malformed } = allParams(req);
        if (malformed) return fail(reply, req, 10008);
        const who = auth(req, reply, params);
        if (!who) return reply;
        const text = params.status;
        if (text === undefined || text.trim() === '') return fail(reply, req, 10016, 'status');
        if (weiboTextLength(text) > textLimit) return fail(reply, req, 20012);
        if (/#[^#\s]+#/.test(text)) return fail(reply, req, 10017, 'status', "Parameter (status)'s value invalid: the share API does not accept #topics#");
        const links = extractLinks(text);
        const safe = opts.safeDomains;
        const linkOk = links.some((l) => {
          if (!safe || safe.length === 0) return true;
          try {
            const host = new URL(l).hostname;
            return safe.some((d) => host === d || host.endsWith(`.${d}`));
          } catch {
            return false;
          }
        });
        if (!linkOk) return fail(reply, req, 10017, 'status', 'appkey not bind domain! (status must contain a link to the bound safe domain)');
        let pic: WeiboStatus['pic'];
        const file = files.find((f) => f.field === 'pic');
        if (files.length > 0 && !file) return fail(reply, req, 20007);
        if (file) {
          const kind = sniffMedia(file.data);
          if (kind !== 'jpeg' && kind !== 'gif' && kind !== 'png') return fail(reply, req, 20005);
          if (file.data.length > WEIBO_LIMITS.picBytes) return fail(reply, req, 20006);
          const key = `${randomId(32).toLowerCase()}.${kind === 'jpeg' ? 'jpg' : kind}`;
          state().pics.set(key, { data: file.data, mime: `image/${kind}` });
          pic = { key, mime: `image/${kind}`, bytes: file.data.length };
        }
        const now = ctx.clock.now();
        const recent = (state().posts.get(who.uid) ?? []).filter((t) => now - t < 3600_000);
        if (recent.length >= perHour) return fail(reply, req, 10024, 'statuses/share');
        const duplicate = [...state().statuses.values()].some(
          (s) => s.uid === who.uid && s.text === text && now - s.createdAt < repeatWindowMs && !ctx.publications.get(String(s.id))?.deleted,
        );
        if (duplicate) return fail(reply, req, 20019);
        recent.push(now);
        state().posts.set(who.uid, recent);
        const id = 4_900_000_000_000_000 + ctx.counter('status') * 7919 + Math.floor(Math.random() * 7000);
        const s: WeiboStatus = { id, uid: who.uid, appKey: who.appKey, text, createdAt: now, pic, rip: params.rip };
        state().statuses.set(id, s);
        const json = statusJson(s);
        ctx.publications.create({
          id: String(id),
          ids: { id: String(id), mid: String(id) },
          account: who.uid,
          title: text.slice(0, 40),
          body: text,
          url: json.url,
          links,
          media: json.original_pic ? [json.original_pic] : [],
          items: [{ index: 1, title: text.slice(0, 40), body: text, url: json.url, links, media: json.original_pic ? [json.original_pic] : [] }],
          readyAt: now, // Weibo posts synchronously: accepted means visible
          faults: ctx.faultKindsFor(req),
          extra: { rip: params.rip },
        });
        return json;
      });

      app.get('/2/statuses/show.json', async (req, reply) => {
        const params = queryParams(req);
        if (!auth(req, reply, params)) return reply;
        if (!params.id) return fail(reply, req, 10016, 'id');
        const s = liveStatus(params.id);
        if (!s) return fail(reply, req, 20101);
        return statusJson(s);
      });

      app.post('/2/statuses/destroy.json', async (req, reply) => {
        const { params } = allParams(req);
        const who = auth(req, reply, params);
        if (!who) return reply;
        if (!params.id) return fail(reply, req, 10016, 'id');
        const s = liveStatus(params.id);
        if (!s) return fail(reply, req, 20101);
        if (s.uid !== who.uid) return fail(reply, req, 20102);
        ctx.publications.markDeleted(ctx.publications.get(String(s.id))!);
        return statusJson(s);
      });

      app.get('/2/statuses/user_timeline.json', async (req, reply) => {
        const params = queryParams(req);
        const who = auth(req, reply, params);
        if (!who) return reply;
        const count = Math.min(Math.max(Number(params.count ?? 20) || 20, 1), 100);
        const page = Math.max(Number(params.page ?? 1) || 1, 1);
        const mine = [...state().statuses.values()].filter((s) => s.uid === who.uid && liveStatus(s.id)).sort((a, b) => b.createdAt - a.createdAt);
        return { statuses: mine.slice((page - 1) * count, page * count).map(statusJson), total_number: mine.length };
      });

      // ---- public pages and pictures -------------------------------------------------------------
      for (const size of ['large', 'bmiddle', 'thumbnail']) {
        app.get(`/${size}/:key`, async (req, reply) => {
          const pic = state().pics.get((req.params as { key: string }).key);
          if (!pic) return reply.code(404).send('not found');
          return reply.type(pic.mime).send(pic.data);
        });
      }
      app.get('/:uid/:id', async (req, reply) => {
        const { id } = req.params as { uid: string; id: string };
        const s = liveStatus(id);
        if (!s) return reply.code(404).type('text/html; charset=utf-8').send(htmlPage('微博不存在', '<p>抱歉,此微博已被作者删除</p>'));
        return reply.type('text/html; charset=utf-8').send(htmlPage(`微博 ${s.id}`, `<p>${s.text.replace(/</g, '&lt;')}</p>`));
      });
    },
  };
}

export function startWeiboSimulator(options: WeiboOptions = {}): Promise<SimulatorHandle<WeiboState>> {
  return launchSimulator(weiboDefinition(options), options);
}
