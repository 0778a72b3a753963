// What every Bilibili route uses: the effective limits, the merged parameters, the signed and authorized caller, and the upload an upload_token names.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { accessTokenHeaderOrQuery, mergedParams, queryParams, type SimContext, type TokenRecord } from '../common.js';
import { header, verifySignature } from './signature.js';
import { BILIBILI_LIMITS, reply0, type BilibiliOptions, type BilibiliState, type Upload } from './platform.js';

export interface BilibiliApi {
  app: FastifyInstance;
  ctx: SimContext;
  state: () => BilibiliState;
  opts: BilibiliOptions;
  limits: { -readonly [K in keyof typeof BILIBILI_LIMITS]: number };
  /** Query, form and JSON parameters (JSON numbers as text). */
  params(req: FastifyRequest): Record<string, string>;
  /** Signed + authorized request; returns the user's open_id and client or sends the error. */
  auth(req: FastifyRequest, reply: FastifyReply): { openId: string; clientId: string } | undefined;
  /** The upload ?upload_token= names, if any. */
  uploadOf(req: FastifyRequest): Upload | undefined;
}

export function bilibiliApi(
  app: FastifyInstance,
  ctx: SimContext,
  state: () => BilibiliState,
  opts: BilibiliOptions,
  clientOf: (record: TokenRecord) => string,
): BilibiliApi {
  const limits = { ...BILIBILI_LIMITS, ...(opts.limits ?? {}) };
  const requireSignature = opts.requireSignature ?? true;
  return {
    app,
    ctx,
    state,
    opts,
    limits,
    params: (req) => mergedParams(req, true),
    auth(req, reply) {
      if (requireSignature) {
        const bad = verifySignature(req, ctx, state().nonces, limits.signatureSkewSeconds);
        if (bad) {
          reply.send(bad);
          return undefined;
        }
      }
      const check = ctx.tokens.check(accessTokenHeaderOrQuery(req), 'user');
      if (!check.ok) {
        reply.send(reply0(check.reason === 'expired' ? -658 : check.reason === 'missing' ? -101 : -2));
        return undefined;
      }
      const keyId = header(req, 'x-bili-accesskeyid') ?? queryParams(req).client_id;
      if (requireSignature && keyId !== clientOf(check.record)) {
        reply.send(reply0(-2, undefined, 'access_token 不属于该应用'));
        return undefined;
      }
      return { openId: check.record.subject, clientId: clientOf(check.record) };
    },
    uploadOf(req) {
      const t = queryParams(req).upload_token;
      return t ? state().uploads.get(t) : undefined;
    },
  };
}
