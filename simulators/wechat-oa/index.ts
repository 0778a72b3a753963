/**
 * WeChat Official Account (公众号) simulator: access tokens (getAccessToken and
 * getStableAccessToken semantics), in-article images, permanent material, the draft box and
 * free publishing (asynchronous), as documented at developers.weixin.qq.com/doc/offiaccount.
 * Every response is HTTP 200 with `{errcode, errmsg}` on errors, like the real API.
 */
import { launchSimulator, MB, queryParams, randomId, type PlatformDefinition, type SimulatorHandle } from '../common.js';
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
      eventPushes: [],
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
    seedPost: (input, ctx, st) => {
      // A push made in the 公众号 back office (发布): listed by freepublish/batchget like one govpub made.
      const publishId = 2247483647 + ctx.counter('publish');
      const articleId = randomId(48, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_');
      const sn = randomId(22);
      const article = {
        article_type: 'news' as const,
        title: input.text.slice(0, 32),
        author: '',
        digest: '',
        content: `<p>${input.text}</p>`,
        content_source_url: '',
        thumb_media_id: '',
        show_cover_pic: 0,
        need_open_comment: 0,
        only_fans_can_comment: 0,
        pic_crop_235_1: '',
        pic_crop_1_1: '',
        strippedImages: [],
        strippedLinks: [],
      };
      const draft = { mediaId: randomId(43), appid: input.account, articles: [article], updateTime: Math.floor(input.at / 1000) };
      const job = { publishId, msgDataId: String(2247483600 + (publishId % 1000)), appid: input.account, articleId, draft, sns: [sn] };
      st.jobs.set(publishId, job);
      st.jobsByArticle.set(articleId, job);
      st.pages.set(sn, { job, index: 0 });
      const url = `${ctx.baseUrl()}/s/${sn}`;
      const rec = ctx.publications.create({
        id: articleId,
        ids: { publish_id: String(publishId), article_id: articleId },
        account: input.account,
        items: [{ index: 1, title: article.title, body: article.content, url, links: [], media: [] }],
        url,
        readyAt: input.at,
        extra: { seeded: true },
      });
      // batchget's update_time is the push's own time, not when the simulator heard of it.
      rec.updatedMs = input.at;
      return { id: articleId };
    },
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
