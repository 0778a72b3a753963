/**
 * Bilibili (哔哩哔哩) open platform simulator ("arcopen"): OAuth2 tokens, signed requests
 * (x-bili-* headers, HMAC-SHA256 with the app secret), video pre-upload → part upload (files
 * over 100 MB) → merge, single small-file upload, cover upload (jpeg/png ≤ 5 MB, ≥ 960×600),
 * archive submission (at most 5 a day for a non-member account), archive view/list and delete.
 * Responses are `{code, message, ttl, data}`; code 0 is success.
 */
import crypto from 'node:crypto';
import { launchSimulator, MB, type PlatformDefinition, type SimulatorHandle, accessTokenHeaderOrQuery } from '../common.js';
import { renderFromTable } from '../common/error-table.js';
import { videoAccounts, videoOAuth, type VideoOAuthSetup } from '../common/video-oauth.js';
import { bilibiliApi } from './api.js';
import { registerArchiveRoutes } from './archives.js';
import { BILIBILI_LIMITS, archiveState, newResourceId, reply0, type BilibiliOptions, type BilibiliState } from './platform.js';
import { registerUploadRoutes } from './uploads.js';

export { BILIBILI_LIMITS, BILIBILI_PARTITIONS, type BilibiliOptions } from './platform.js';
export { bilibiliSignHeaders } from './signature.js';

export function bilibiliDefinition(opts: BilibiliOptions = {}): PlatformDefinition<BilibiliState> {
  const L = { ...BILIBILI_LIMITS, ...(opts.limits ?? {}) };
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
    presentedToken: accessTokenHeaderOrQuery,
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
    seedPost: (input, ctx, st) => {
      // A video posted in the Bilibili app (or its web 投稿 page): listed by archive/viewlist like one govpub submitted.
      const resourceId = newResourceId();
      const title = [...input.text].slice(0, 80).join('');
      st.archives.set(resourceId, {
        resourceId,
        openId: input.account,
        uploadToken: '',
        title,
        cover: '',
        tid: 0,
        noReprint: 0,
        desc: input.text,
        tag: '',
        copyright: 1,
        source: '',
        ctime: Math.floor(input.at / 1000),
        cid: 1_000_000_000 + ctx.counter('cid'),
        filename: '',
        duration: 0,
      });
      ctx.publications.create({
        id: resourceId,
        ids: { resource_id: resourceId },
        account: input.account,
        title,
        body: input.text,
        url: `${ctx.baseUrl()}/video/${resourceId}`,
        readyAt: input.at,
        extra: { seeded: true },
      });
      return { id: resourceId };
    },
    routes(app, ctx, state) {
      // ---- OAuth2 ----------------------------------------------------------------------------
      const oauth = videoOAuth(ctx, state, oauthSetup);
      const api = bilibiliApi(app, ctx, state, opts, oauth.clientOf);
      const params = api.params;
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

      registerUploadRoutes(api);
      registerArchiveRoutes(api);
    },
  };
}

export function startBilibiliSimulator(options: BilibiliOptions = {}): Promise<SimulatorHandle<BilibiliState>> {
  return launchSimulator(bilibiliDefinition(options), options);
}
