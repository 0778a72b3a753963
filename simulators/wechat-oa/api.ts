// What every WeChat route uses: the access token check with the daily quota, the JSON body rule (44002/47001), and a POST route of an account with a JSON body.
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteShorthandOptions } from 'fastify';
import { isRecord, jsonBody, queryParams, type CommonSimulatorOptions, type SimContext } from '../common.js';
import { err } from './errors.js';
import type { Draft, WechatState } from './state.js';

export interface WechatOaOptions extends CommonSimulatorOptions {
  /** Lifetime of access tokens in seconds (default 7200). */
  tokenTtlSeconds?: number;
  /** How long a token stays usable after /cgi-bin/token issued a newer one (default 300 s). */
  tokenGraceSeconds?: number;
  /** Daily call quotas per app id and API path (defaults: /cgi-bin/token 2000). */
  dailyQuota?: Record<string, number>;
  /** Extra hosts whose images draft/add keeps (default: mmbiz.qpic.cn, mmbiz.qlogo.cn + own). */
  imageHosts?: string[];
  /**
   * Accounts' server configuration (服务器配置), by app id: where the PUBLISHJOBFINISH event is
   * pushed when a publishing job ends, signed with the Token (plaintext mode).
   */
  eventPushes?: Record<string, { url: string; token: string }>;
}

export interface WechatApi {
  app: FastifyInstance;
  ctx: SimContext;
  state: () => WechatState;
  opts: WechatOaOptions;
  /** The UTC day quotas count in. */
  today(): string;
  /** Counts a call against the daily quota; true when over. */
  overQuota(appid: string, path: string): boolean;
  /** Validates ?access_token=; returns the app id or sends the platform's error. */
  auth(req: FastifyRequest, reply: FastifyReply): string | undefined;
  /** The JSON object body, or sends 44002 (empty) / 47001 (not a JSON object). */
  jsonOr47001(req: FastifyRequest, reply: FastifyReply): Record<string, unknown> | undefined;
  /** A POST route of an account (access token) taking a JSON object body. */
  postJson(path: string, handler: (appid: string, body: Record<string, unknown>, req: FastifyRequest) => unknown, options?: RouteShorthandOptions): void;
  /** The account's draft a body's media_id names, if any. */
  ownDraft(appid: string, mediaId: unknown): Draft | undefined;
}

export function wechatApi(app: FastifyInstance, ctx: SimContext, state: () => WechatState, opts: WechatOaOptions): WechatApi {
  const quotas: Record<string, number> = { '/cgi-bin/token': 2000, ...(opts.dailyQuota ?? {}) };
  const today = () => new Date(ctx.clock.now()).toISOString().slice(0, 10);

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

  return {
    app,
    ctx,
    state,
    opts,
    today,
    overQuota,
    auth,
    jsonOr47001,
    postJson(path, handler, options = {}) {
      app.post(path, options, async (req, reply) => {
        const appid = auth(req, reply);
        if (!appid) return reply;
        const body = jsonOr47001(req, reply);
        if (!body) return reply;
        return handler(appid, body, req);
      });
    },
    ownDraft(appid, mediaId) {
      const d = typeof mediaId === 'string' ? state().drafts.get(mediaId) : undefined;
      return d && d.appid === appid ? d : undefined;
    },
  };
}
