// The WeChat draft box: add, get, delete, count and batchget, and the return of a draft whose publishing failed.
import { MB, randomId } from '../common.js';
import { err } from './errors.js';
import { WECHAT_LIMITS, articleFields, pageArgs, type Draft, type DraftArticle } from './state.js';
import { validateArticle } from './article.js';
import type { WechatApi } from './api.js';

/**
 * A failed publish returns its draft to the draft box — as soon as it fails, whether or not
 * anybody asks freepublish/get (a client that lost the publish_id sees the draft come back).
 */
export function returnFailedDrafts({ ctx, state }: WechatApi): void {
  for (const job of state().jobs.values()) {
    const rec = ctx.publications.get(job.articleId);
    if (!rec || rec.extra.draftRestored || ctx.publications.settled(rec) !== 'failed') continue;
    if (!state().drafts.has(job.draft.mediaId)) state().drafts.set(job.draft.mediaId, job.draft);
    rec.extra.draftRestored = true;
  }
}

export function registerDraftRoutes(api: WechatApi): void {
  const { app, ctx, state, auth, postJson, ownDraft } = api;
  const draftItem = (d: Draft, a: DraftArticle, i: number) => ({
    article_type: a.article_type,
    ...articleFields(a, state()),
    url: `${ctx.baseUrl()}/s/draft-${d.mediaId.slice(0, 16)}-${i + 1}`,
  });

  postJson(
    '/cgi-bin/draft/add',
    (appid, body) => {
      const list = body.articles;
      if (!Array.isArray(list) || list.length === 0) return err(44003);
      if (list.length > WECHAT_LIMITS.articlesPerDraft) return err(45008, 'at most 8 articles per draft');
      const articles: DraftArticle[] = [];
      for (let i = 0; i < list.length; i++) {
        const a = validateArticle(api, list[i], appid, list.length === 1);
        if ('code' in a) return err(a.code, `articles[${i}]: ${a.hint}`);
        articles.push(a);
      }
      const mediaId = randomId(64, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_');
      state().drafts.set(mediaId, { mediaId, appid, articles, updateTime: ctx.clock.nowSeconds() });
      return { media_id: mediaId };
    },
    { bodyLimit: 4 * MB },
  );

  postJson('/cgi-bin/draft/get', (appid, body) => {
    returnFailedDrafts(api);
    const d = ownDraft(appid, body.media_id);
    if (!d) return err(40007);
    return { news_item: d.articles.map((a, i) => draftItem(d, a, i)) };
  });

  postJson('/cgi-bin/draft/delete', (appid, body) => {
    returnFailedDrafts(api);
    const d = ownDraft(appid, body.media_id);
    if (!d) return err(40007);
    state().drafts.delete(d.mediaId);
    return { errcode: 0, errmsg: 'ok' };
  });

  app.post('/cgi-bin/draft/count', async (req, reply) => {
    returnFailedDrafts(api);
    const appid = auth(req, reply);
    if (!appid) return reply;
    return { total_count: [...state().drafts.values()].filter((d) => d.appid === appid).length };
  });

  postJson('/cgi-bin/draft/batchget', (appid, body) => {
    returnFailedDrafts(api);
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
}
