/**
 * WeChat Official Account (公众号) simulator: access tokens (getAccessToken and
 * getStableAccessToken semantics), in-article images, permanent material, the draft box and
 * free publishing (asynchronous), as documented at developers.weixin.qq.com/doc/offiaccount.
 * Every response is HTTP 200 with `{errcode, errmsg}` on errors, like the real API.
 */
import { launchSimulator, MB, queryParams, type PlatformDefinition, type SimulatorHandle } from '../common.js';
import { renderFromTable } from '../common/error-table.js';
import { wechatApi, type WechatOaOptions } from './api.js';
import { registerDraftRoutes } from './drafts.js';
import { err } from './errors.js';
import { registerMaterialRoutes } from './material.js';
import { registerPublishingRoutes } from './publishing.js';
import { publishStatusOf, type WechatState } from './state.js';
import { registerTokenRoutes } from './tokens.js';

export { WECHAT_LIMITS } from './state.js';
export type { WechatOaOptions } from './api.js';

export function wechatOaDefinition(opts: WechatOaOptions = {}): PlatformDefinition<WechatState> {
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
    render: renderFromTable(
      {
        rate_limit: { status: 200, code: 45009, overridable: true },
        token_expired: { status: 200, code: 42001, overridable: true },
        busy: { status: 200, code: -1, overridable: true },
        too_large: { status: 200, code: 45001, overridable: true },
        not_found: { status: 200, code: 40066 },
        server_error: { status: 503, code: -1, overridable: true },
        bad_request: { status: 200, code: 47001, overridable: true },
      },
      (code) => err(code),
    ),
    platformStatus: (rec, ctx) => publishStatusOf(rec, ctx),
    routes(app, ctx, state) {
      const api = wechatApi(app, ctx, state, opts);
      registerTokenRoutes(api);
      registerMaterialRoutes(api);
      registerDraftRoutes(api);
      registerPublishingRoutes(api);
    },
  };
}

export function startWechatOaSimulator(options: WechatOaOptions = {}): Promise<SimulatorHandle<WechatState>> {
  return launchSimulator(wechatOaDefinition(options), options);
}
