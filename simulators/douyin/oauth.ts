// Douyin OAuth: client_token, the code exchange, access-token refresh (the refresh token stays), and refresh-token renewal (at most maxRefreshRenewals times).
import type { FastifyInstance } from 'fastify';
import { mergedParams, type PreissuedRefresh, type SimContext } from '../common.js';
import { videoOAuth, type VideoOAuthSetup } from '../common/video-oauth.js';
import { oauthEnvelope, type DouyinOptions, type DouyinState } from './platform.js';

export function registerOAuthRoutes(
  app: FastifyInstance,
  ctx: SimContext,
  state: () => DouyinState,
  opts: DouyinOptions,
  oauthSetup: VideoOAuthSetup<{ clientKey: string }>,
): void {
  const clientTtl = opts.clientTokenTtlSeconds ?? 7200;
  const maxRenewals = opts.maxRefreshRenewals ?? 5;
  const accessTtl = oauthSetup.accessTtlSeconds;
  const refreshTtl = oauthSetup.refreshTtlSeconds;
  const params = mergedParams;
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
}
