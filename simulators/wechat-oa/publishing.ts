// WeChat free publishing: submit a draft (asynchronous), its status, delete, get an article, batchget, and the public article pages.
import type { PublicationRecord } from '../common.js';
import { htmlPage, randomId } from '../common.js';
import { err } from './errors.js';
import { articleFields, pageArgs, publishStatusOf, type EventPush, type PublishJob } from './state.js';
import { publishJobFinishedXml, wechatSignature } from '../../adapters/wechat-oa/events.js';
import { returnFailedDrafts } from './drafts.js';
import type { WechatApi } from './api.js';

export function registerPublishingRoutes(api: WechatApi): void {
  const { app, ctx, state, postJson, ownDraft } = api;
  postJson('/cgi-bin/freepublish/submit', (appid, body, req) => {
    returnFailedDrafts(api);
    const d = ownDraft(appid, body.media_id);
    if (!d) return err(40007, 'media_id is not a draft of this account (published drafts leave the draft box)');
    // A submitted draft leaves the draft box (it comes back if publishing fails).
    state().drafts.delete(d.mediaId);
    const publishId = 2247483647 + ctx.counter('publish');
    const articleId = randomId(48, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_');
    const sns = d.articles.map(() => randomId(22));
    const job: PublishJob = { publishId, msgDataId: String(2247483600 + (publishId % 1000)), appid, articleId, draft: d, sns };
    state().jobs.set(publishId, job);
    state().jobsByArticle.set(articleId, job);
    sns.forEach((sn, index) => state().pages.set(sn, { job, index }));
    const outcome = ctx.outcomeFor(req);
    ctx.publications.create({
      id: articleId,
      ids: { publish_id: String(publishId), article_id: articleId, media_id: d.mediaId, msg_data_id: job.msgDataId },
      account: appid,
      items: d.articles.map((a, i) => ({
        index: i + 1,
        title: a.title,
        body: a.content,
        url: `${ctx.baseUrl()}/s/${sns[i]}`,
        // What a reader can open: 阅读原文 and the links left in the text (an address written out in words is no link).
        links: [...new Set([a.content_source_url, ...articleLinks(a.content)].filter((l) => l !== ''))],
        media: [a.thumb_media_id, ...[...a.content.matchAll(/<img\b[^>]*\bsrc\s*=\s*["']([^"']*)["']/gi)].map((m) => m[1]!)],
        extra: {
          author: a.author,
          digest: a.digest,
          content_source_url: a.content_source_url,
          strippedImages: a.strippedImages,
          strippedLinks: a.strippedLinks,
        },
      })),
      url: `${ctx.baseUrl()}/s/${sns[0]}`,
      outcome: outcome.type === 'fail' ? { ...outcome, code: typeof outcome.code === 'number' ? outcome.code : 3 } : outcome,
      faults: ctx.faultKindsFor(req),
      extra: { draftMediaId: d.mediaId },
    });
    pushWhenFinished(job);
    return { errcode: 0, errmsg: 'ok', publish_id: publishId, msg_data_id: job.msgDataId };
  });

  app.get('/__sim/event-pushes', async () => ({ pushes: state().eventPushes }));

  /** As WeChat does when the account has a server URL: the job's result pushed once it ends (never for a job that never ends). */
  const pushWhenFinished = (job: PublishJob) => {
    const target = api.opts.eventPushes?.[job.appid];
    const rec = ctx.publications.get(job.articleId)!;
    if (!target || rec.outcome.type === 'never') return;
    void ctx.sleep(Math.max(0, rec.readyAt - ctx.clock.now())).then(async () => {
      const status = jobStatus(job);
      const timestamp = String(Math.floor(ctx.clock.now() / 1000));
      const nonce = randomId(10, '0123456789');
      const query = new URLSearchParams({ signature: wechatSignature(target.token, timestamp, nonce), timestamp, nonce, openid: 'mphelper' });
      const body = publishJobFinishedXml({
        ghId: `gh_${job.appid.slice(-12)}`,
        createTime: Number(timestamp),
        publishId: String(job.publishId),
        publishStatus: status.publish_status,
        articleId: 'article_id' in status ? status.article_id : undefined,
        articleUrls: 'article_detail' in status ? status.article_detail?.item.map((i) => i.article_url ?? '') : undefined,
        failIdx: status.fail_idx,
      });
      const sent: EventPush = {
        publishId: String(job.publishId),
        appid: job.appid,
        url: target.url,
        at: new Date(ctx.clock.now()).toISOString(),
        status: null,
      };
      state().eventPushes.push(sent);
      try {
        const response = await fetch(`${target.url}?${query}`, {
          method: 'POST',
          headers: { 'content-type': 'text/xml' },
          body,
          signal: AbortSignal.timeout(5000),
        });
        sent.status = response.status;
        await response.arrayBuffer();
      } catch {
        sent.status = 0; // unreachable: WeChat gives up too; the poll still finds the result
      }
    });
  };

  const jobStatus = (job: PublishJob) => {
    const rec = ctx.publications.get(job.articleId)!;
    const status = publishStatusOf(rec, ctx);
    if (status === 1) return { publish_id: job.publishId, publish_status: 1, fail_idx: [] };
    if (status === 2 || status === 3 || status === 4) {
      returnFailedDrafts(api);
      return { publish_id: job.publishId, publish_status: status, fail_idx: job.draft.articles.map((_, i) => i + 1) };
    }
    return {
      publish_id: job.publishId,
      publish_status: status,
      article_id: job.articleId,
      article_detail: {
        count: rec.items.length,
        item: rec.items.map((it) => ({ idx: it.index, article_url: it.url })),
      },
      fail_idx: [],
    };
  };

  postJson('/cgi-bin/freepublish/get', (appid, body) => {
    const id = Number(body.publish_id);
    const job = Number.isFinite(id) ? state().jobs.get(id) : undefined;
    if (!job || job.appid !== appid) return err(40097, 'unknown publish_id');
    return jobStatus(job);
  });

  /** A published (status 0 or 5) job by article_id, for this account. */
  const publishedJob = (appid: string, articleId: unknown): { job: PublishJob; rec: PublicationRecord } | undefined => {
    const job = typeof articleId === 'string' ? state().jobsByArticle.get(articleId) : undefined;
    if (!job || job.appid !== appid) return undefined;
    const rec = ctx.publications.get(job.articleId)!;
    if (ctx.publications.settled(rec) !== 'published') return undefined;
    return { job, rec };
  };

  postJson('/cgi-bin/freepublish/delete', (appid, body) => {
    const found = publishedJob(appid, body.article_id);
    if (!found) return err(53600);
    const index = body.index === undefined || body.index === null ? 0 : Number(body.index);
    if (!Number.isInteger(index) || index < 0 || index > found.rec.items.length) return err(40097, `index must be 0 (all) or 1..${found.rec.items.length}`);
    if (index === 0) ctx.publications.markDeleted(found.rec);
    else {
      found.rec.items[index - 1]!.deleted = true;
      if (found.rec.items.every((i) => i.deleted)) ctx.publications.markDeleted(found.rec);
      else ctx.publications.touch(found.rec);
    }
    return { errcode: 0, errmsg: 'ok' };
  });

  const newsItems = (job: PublishJob, rec: PublicationRecord, noContent = false) =>
    job.draft.articles.map((a, i) => ({
      ...articleFields(a, state()),
      content: noContent ? '' : a.content,
      url: rec.items[i]?.url ?? '',
      is_deleted: rec.items[i]?.deleted ?? false,
    }));

  postJson('/cgi-bin/freepublish/getarticle', (appid, body) => {
    const found = publishedJob(appid, body.article_id);
    if (!found) return err(53600);
    return { news_item: newsItems(found.job, found.rec) };
  });

  postJson('/cgi-bin/freepublish/batchget', (appid, body) => {
    const page = pageArgs(body);
    if (!page) return err(40097, 'offset >= 0 and count between 1 and 20 are required');
    const mine = [...state().jobs.values()]
      .filter((j) => j.appid === appid)
      .map((job) => ({ job, rec: ctx.publications.get(job.articleId)! }))
      .filter(({ rec }) => ctx.publications.stateOf(rec) === 'published')
      .sort((a, b) => b.rec.readyAt - a.rec.readyAt);
    const slice = mine.slice(page.offset, page.offset + page.count);
    return {
      total_count: mine.length,
      item_count: slice.length,
      item: slice.map(({ job, rec }) => ({
        article_id: job.articleId,
        content: { news_item: newsItems(job, rec, page.noContent) },
        update_time: Math.floor(Math.max(rec.readyAt, rec.updatedMs) / 1000),
      })),
    };
  });

  // ---- public article pages (so links resolve in a local start) --------------------------
  app.get('/s/:sn', async (req, reply) => {
    const page = state().pages.get((req.params as { sn: string }).sn);
    if (!page) return reply.code(404).type('text/html; charset=utf-8').send(htmlPage('该内容已被发布者删除', '<p>此内容因违规无法查看 / 不存在</p>'));
    const rec = ctx.publications.get(page.job.articleId)!;
    const item = rec.items[page.index]!;
    if (ctx.publications.settled(rec) !== 'published')
      return reply.code(404).type('text/html; charset=utf-8').send(htmlPage('内容不存在', '<p>not published</p>'));
    if (item.deleted) return reply.code(404).type('text/html; charset=utf-8').send(htmlPage('该内容已被发布者删除', '<p>该内容已被发布者删除</p>'));
    return reply.type('text/html; charset=utf-8').send(htmlPage(item.title ?? '', item.body ?? ''));
  });
}

/** The hrefs of the links in article HTML. */
function articleLinks(html: string): string[] {
  return [...html.matchAll(/<a\b[^>]*\bhref\s*=\s*(?:"([^"]*)"|'([^']*)')/gi)].map((m) => (m[1] ?? m[2] ?? '').replace(/&amp;/g, '&'));
}
