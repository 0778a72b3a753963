// What Douyin's user-token routes use: the effective limits and the caller (access token plus a matching ?open_id=).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { accessTokenHeaderOrQuery, queryParams, type SimContext } from '../common.js';
import { DOUYIN_LIMITS, envelope, type DouyinOptions, type DouyinState } from './platform.js';

export interface DouyinApi {
  app: FastifyInstance;
  ctx: SimContext;
  state: () => DouyinState;
  limits: { -readonly [K in keyof typeof DOUYIN_LIMITS]: number };
  /** The caller's open_id, or sends the error. */
  auth(req: FastifyRequest, reply: FastifyReply): string | undefined;
}

export function douyinApi(app: FastifyInstance, ctx: SimContext, state: () => DouyinState, opts: DouyinOptions): DouyinApi {
  const presented = accessTokenHeaderOrQuery;
  return {
    app,
    ctx,
    state,
    limits: { ...DOUYIN_LIMITS, ...(opts.limits ?? {}) },
    auth(req: FastifyRequest, reply: FastifyReply): string | undefined {
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
    },
  };
}
