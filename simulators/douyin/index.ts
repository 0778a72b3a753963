/**
 * Douyin (抖音) open platform simulator: client_token and user access tokens (OAuth code,
 * refresh, refresh-token renewal; refresh tokens may also be configured), video upload in one request (≤ 128 MB) or in parts (init → parts ≥ 5 MB except the
 * last → complete), `video/create`, `video/data`, `video/list` and `video/delete`. Responses use
 * the `{data: {..., error_code, description}, extra: {...}}` envelope of open.douyin.com.
 */
import crypto from 'node:crypto';
import { accessTokenHeaderOrQuery, launchSimulator, MB, randomId, type PlatformDefinition, type SimulatorHandle } from '../common.js';
import { renderFromTable } from '../common/error-table.js';
import { videoAccounts, type VideoOAuthSetup } from '../common/video-oauth.js';
import { douyinApi } from './api.js';
import { registerOAuthRoutes } from './oauth.js';
import { DOUYIN_LIMITS, envelope, ITEM_ALPHABET, videoStatus, type DouyinOptions, type DouyinState } from './platform.js';
import { registerUploadRoutes } from './uploads.js';
import { registerVideoRoutes } from './videos.js';

export { DOUYIN_LIMITS, type DouyinOptions } from './platform.js';

export function douyinDefinition(opts: DouyinOptions = {}): PlatformDefinition<DouyinState> {
  const L = { ...DOUYIN_LIMITS, ...(opts.limits ?? {}) };
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

  return {
    kind: 'douyin',
    bodyLimit: Math.max(L.singleUploadBytes, L.maxPartBytes) + 4 * MB,
    createState: (ctx) => ({ ...videoAccounts(opts, oauthSetup, ctx), videos: new Map(), uploads: new Map(), items: new Map(), shares: new Map() }),
    presentedToken: accessTokenHeaderOrQuery,
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
    seedPost: (input, ctx, st) => {
      // A video posted in the Douyin app: listed by video/list like one made through video/create.
      const itemId = `@${randomId(88, ITEM_ALPHABET)}`;
      const shareKey = randomId(19, '0123456789');
      st.items.set(itemId, { itemId, openId: input.account, videoId: '', text: input.text, createTime: input.at, shareKey });
      st.shares.set(shareKey, itemId);
      ctx.publications.create({
        id: itemId,
        ids: { item_id: itemId },
        account: input.account,
        title: input.text,
        body: input.text,
        url: `${ctx.baseUrl()}/share/video/${shareKey}/`,
        readyAt: input.at,
        extra: { seeded: true },
      });
      return { id: itemId };
    },
    routes(app, ctx, state) {
      registerOAuthRoutes(app, ctx, state, opts, oauthSetup);
      const api = douyinApi(app, ctx, state, opts);
      registerUploadRoutes(api);
      registerVideoRoutes(api);
    },
  };
}

export function startDouyinSimulator(options: DouyinOptions = {}): Promise<SimulatorHandle<DouyinState>> {
  return launchSimulator(douyinDefinition(options), options);
}
