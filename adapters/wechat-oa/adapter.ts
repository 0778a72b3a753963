/**
 * WeChat Official Account (公众号) adapter: a package goes out as ONE push — a multi-article draft
 * (document first, then each interpretation) submitted to free publishing (发布).
 *
 *   format    pure: articles, cover, in-article pictures, every documented limit (BRIEF §7)
 *   transmit  stable access token → cover material (add_material) → in-article pictures
 *             (media/uploadimg) → draft/add → freepublish/submit; the draft media_id and the
 *             publish_id are checkpointed right after each call succeeds
 *   confirm   freepublish/get: 1 publishing, 0 live (article_id, first article URL), 2–6 rejected
 *   reconcile finds what an unanswered attempt created: the checkpointed draft (still in the draft
 *             box = not submitted), a draft carrying this delivery's marker (draft/batchget), or a
 *             published push carrying it (freepublish/batchget)
 *   takeDown  freepublish/delete, index 0 (every article); already gone (53600) is success
 *
 * The marker: every article's 阅读原文 link (content_source_url) is the portal page plus the
 * fragment `#gp-<16 hex of sha256(businessKey)>`. A fragment never reaches the portal server, so
 * the link works as before, and it lets reconcile recognise this delivery's draft or push.
 */
import { readFile } from 'node:fs/promises';
import { DeliveryError, rejectedContent, type ContentProblem } from '../errors.js';
import { charCount, mediaIdFromSrc, replaceImageSources } from '../text.js';
import type { ChannelAdapter, ConfirmResult, PostPresence, TransmitContext, TransmitResult } from '../types.js';
import { WechatClient, wechatMarker, withMarker } from './client.js';
import { PUBLISH_FAILED, publishStatusCode } from './error-codes.js';
import { wechatBodyLinks } from './links.js';
import { formatWechat, n, PLATFORM_NAME, POSTER_SPEC, WECHAT_OA_LIMITS } from './format.js';
import type { WechatCheckpoint, WechatOaAdapterOptions, WechatPayload } from './payload.js';
import { latestWechatPosts } from './posts.js';

export { formatWechat, WECHAT_OA_LIMITS } from './format.js';
export { wechatMarker } from './client.js';
export type { WechatArticle, WechatCheckpoint, WechatOaAdapterOptions, WechatPayload } from './payload.js';

interface NewsItem {
  title?: string;
  content_source_url?: string;
  url?: string;
}

function matchesPush(items: NewsItem[], payload: WechatPayload, marker: string): boolean {
  if (items.length !== payload.articles.length) return false;
  if (payload.articles[0]!.sourceUrl !== '') return (items[0]?.content_source_url ?? '').endsWith(`#${marker}`);
  // Without a portal link there is no marker: the same titles in the same order identify the push.
  return items.every((it, i) => it.title === payload.articles[i]!.title);
}

const PAGE = 20;
const MAX_PAGES = 10;

/** The items of a WeChat batchget list (the draft box or the published pushes), page after page, newest first. */
async function* batchItems<T>(api: WechatClient, path: string, what: string): AsyncGenerator<T> {
  for (let page = 0; page < MAX_PAGES; page++) {
    const r = await api.call(path, { offset: page * PAGE, count: PAGE, no_content: 1 }, { what, sideEffect: false });
    const items = Array.isArray(r.item) ? (r.item as T[]) : [];
    yield* items;
    if (items.length < PAGE) break;
  }
}

export function createWechatOaAdapter(options: WechatOaAdapterOptions = {}): ChannelAdapter<WechatPayload, WechatCheckpoint> {
  const opts: Required<WechatOaAdapterOptions> = { timeoutMs: options.timeoutMs ?? 30_000, now: options.now ?? Date.now };
  type Ctx = TransmitContext<WechatCheckpoint>;

  /**
   * Progress saved through a context, remembered here too: `reconcile` and the `transmit` that
   * follows it share one context, and a context's `checkpointed` may be a snapshot taken when the
   * attempt began.
   */
  const savedThrough = new WeakMap<object, Partial<WechatCheckpoint>>();

  /** The checkpoint as this attempt knows it, and a saver that keeps both in step. */
  const progressOf = (ctx: Ctx) => {
    const later = savedThrough.get(ctx) ?? {};
    const cp: Partial<WechatCheckpoint> = { ...ctx.checkpointed, ...later, imageUrls: { ...(ctx.checkpointed.imageUrls ?? {}), ...(later.imageUrls ?? {}) } };
    const save = async (p: Partial<WechatCheckpoint>, afterSideEffect: boolean) => {
      Object.assign(cp, p);
      savedThrough.set(ctx, { ...(savedThrough.get(ctx) ?? {}), ...p });
      try {
        await ctx.checkpoint(p);
      } catch (error) {
        // The platform did it but govpub could not record it: the outcome must be reconciled.
        if (!afterSideEffect) throw error;
        throw new DeliveryError(
          'unconfirmed',
          `WeChat carried out a step but govpub could not save its progress (${(error as Error).message}); it is looked up before anything is sent again.`,
          { cause: error },
        );
      }
    };
    return { cp, save };
  };

  const upload = async (
    api: WechatClient,
    ctx: Ctx,
    mediaId: string,
    spec: string,
    path: string,
    query: Record<string, string>,
    what: string,
    maxBytes: number,
    below: boolean,
  ) => {
    const file = await ctx.renditions.get(mediaId, spec);
    if (below ? file.sizeBytes >= maxBytes : file.sizeBytes > maxBytes) {
      throw new DeliveryError('rejected', `${what}: the prepared picture is ${n(file.sizeBytes)} bytes, over WeChat's limit of ${n(maxBytes)}.`);
    }
    const data = await readFile(file.path);
    const ext = file.mime === 'image/png' ? 'png' : 'jpg';
    // Repeating an upload whose answer was lost adds at most an unused picture, never a visible
    // post, and its id could not be recovered anyway: so a lost answer here is simply retryable.
    const answer = await api.call(
      path,
      () => {
        const form = new FormData();
        // Named after the rendition: nothing sent out derives from the original's hash.
        form.append('media', new Blob([new Uint8Array(data)], { type: file.mime }), `${file.sha256.slice(0, 16)}.${ext}`);
        return form;
      },
      { what, sideEffect: false, query },
    );
    ctx.heartbeat();
    return answer;
  };

  /** What the steps of one transmit share: the client, the context, the payload and its progress. */
  interface Attempt {
    api: WechatClient;
    ctx: Ctx;
    payload: WechatPayload;
    cp: Partial<WechatCheckpoint>;
    save: (p: Partial<WechatCheckpoint>, s: boolean) => Promise<void>;
  }

  const ensureCover = async ({ api, ctx, payload, cp, save }: Attempt, fresh = false): Promise<string> => {
    const key = `${payload.cover.mediaId}|${payload.cover.spec}`;
    if (!fresh && cp.coverKey === key && cp.coverMaterialId) return cp.coverMaterialId;
    const thumb = payload.cover.materialType === 'thumb';
    const answer = await upload(
      api,
      ctx,
      payload.cover.mediaId,
      payload.cover.spec,
      '/cgi-bin/material/add_material',
      { type: payload.cover.materialType },
      'Uploading the cover to WeChat',
      thumb ? WECHAT_OA_LIMITS.thumbBytes : 10 * 1024 * 1024,
      false,
    );
    const id = typeof answer.media_id === 'string' ? answer.media_id : '';
    if (!id) throw new DeliveryError('retryable', 'Uploading the cover to WeChat: the answer had no media_id.');
    await save({ coverKey: key, coverMaterialId: id }, false);
    return id;
  };

  const ensureImages = async ({ api, ctx, payload, cp, save }: Attempt) => {
    const urls = cp.imageUrls ?? {};
    for (const [i, mediaId] of payload.images.entries()) {
      if (urls[mediaId]) continue;
      const answer = await upload(
        api,
        ctx,
        mediaId,
        'wechat_oa.inline',
        '/cgi-bin/media/uploadimg',
        {},
        `Uploading in-article picture ${i + 1} of ${payload.images.length} to WeChat`,
        WECHAT_OA_LIMITS.inlineImageBytesBelow,
        true,
      );
      const url = typeof answer.url === 'string' ? answer.url : '';
      if (!url) throw new DeliveryError('retryable', 'Uploading an in-article picture to WeChat: the answer had no url.');
      urls[mediaId] = url;
      await save({ imageUrls: { ...urls } }, false);
    }
    // A video without text stands in its article as its poster, uploaded like a picture.
    const posters = payload.posters ?? [];
    for (const [i, mediaId] of posters.entries()) {
      if (urls[mediaId]) continue;
      const answer = await upload(
        api,
        ctx,
        mediaId,
        POSTER_SPEC,
        '/cgi-bin/media/uploadimg',
        {},
        `Uploading video poster ${i + 1} of ${posters.length} to WeChat`,
        WECHAT_OA_LIMITS.inlineImageBytesBelow,
        true,
      );
      const url = typeof answer.url === 'string' ? answer.url : '';
      if (!url) throw new DeliveryError('retryable', 'Uploading a video poster to WeChat: the answer had no url.');
      urls[mediaId] = url;
      await save({ imageUrls: { ...urls } }, false);
    }
    return urls;
  };

  const buildArticles = (payload: WechatPayload, thumbId: string, urls: Record<string, string>, marker: string) => {
    const problems: ContentProblem[] = [];
    const articles = payload.articles.map((a) => {
      // A snapshot formatted before links were rewritten still has them: rewritten here the same way (a no-op for later ones).
      const content = replaceImageSources(wechatBodyLinks(a.content, a.sourceUrl).html, (src) => {
        const id = mediaIdFromSrc(src);
        return id ? (urls[id] ?? null) : null;
      });
      const chars = charCount(content);
      if (chars >= WECHAT_OA_LIMITS.contentCharsBelow) {
        problems.push({
          field: `${a.field}.body`,
          message: `with WeChat's picture addresses the article comes to ${n(chars)} characters, ${n(chars - WECHAT_OA_LIMITS.contentCharsBelow + 1)} over WeChat's limit; shorten the text.`,
          messageZh: `加上微信图片地址后，文章共 ${n(chars)} 个字符，超过微信上限 ${n(chars - WECHAT_OA_LIMITS.contentCharsBelow + 1)} 个。请缩短正文。`,
        });
      }
      return {
        article_type: 'news',
        title: a.title,
        author: a.author,
        digest: a.digest,
        content,
        content_source_url: withMarker(a.sourceUrl, marker),
        thumb_media_id: thumbId,
        show_cover_pic: 0,
        need_open_comment: 0,
        only_fans_can_comment: 0,
      };
    });
    if (problems.length > 0) throw rejectedContent(PLATFORM_NAME, problems);
    return articles;
  };

  /** Drafts in the draft box carrying this delivery's marker, newest first. */
  const findDrafts = async (api: WechatClient, payload: WechatPayload, marker: string): Promise<string[]> => {
    const found: string[] = [];
    const drafts = batchItems<{ media_id: string; content?: { news_item?: NewsItem[] } }>(
      api,
      '/cgi-bin/draft/batchget',
      'Looking for the push in the WeChat draft box',
    );
    for await (const it of drafts) if (matchesPush(it.content?.news_item ?? [], payload, marker)) found.push(it.media_id);
    return found;
  };

  /** A published push carrying this delivery's marker. */
  const findPublished = async (api: WechatClient, payload: WechatPayload | null, marker: string): Promise<{ articleId: string; url: string | null } | null> => {
    const pushes = batchItems<{ article_id: string; content?: { news_item?: NewsItem[] } }>(
      api,
      '/cgi-bin/freepublish/batchget',
      'Looking for the push among the published WeChat articles',
    );
    for await (const it of pushes) {
      const news = it.content?.news_item ?? [];
      const hit = payload ? matchesPush(news, payload, marker) : (news[0]?.content_source_url ?? '').endsWith(`#${marker}`);
      if (hit) return { articleId: it.article_id, url: news[0]?.url || null };
    }
    return null;
  };

  /**
   * The published push a delivery's external id stands for: a draft's marker (found among the
   * published pushes), a publish job (asked how it went) or an article_id. `nothing` when nothing
   * of it was published (never, failed, deleted, banned); `publishing` while WeChat still works on it.
   */
  const pushToTakeDown = async (
    api: WechatClient,
    externalId: string,
    businessKey: string,
    what: string,
  ): Promise<{ articleId: string } | 'nothing' | 'publishing'> => {
    if (externalId.startsWith('draft:')) {
      const found = await findPublished(api, null, wechatMarker(businessKey));
      return found ? { articleId: found.articleId } : 'nothing';
    }
    if (!/^\d+$/.test(externalId)) return { articleId: externalId };
    const r = await api.call('/cgi-bin/freepublish/get', { publish_id: externalId }, { what, sideEffect: false });
    const status = Number(r.publish_status);
    if (status === 1) return 'publishing';
    return status === 0 ? { articleId: String(r.article_id) } : 'nothing';
  };

  /**
   * A checkpointed submission: publishing or published (or deleted since) is the answer. A failed
   * one (2/3/4) published nothing and its draft is back in the draft box: the checkpoint forgets
   * it so that a retry submits the draft again.
   */
  const earlierSubmission = async (
    api: WechatClient,
    cp: Partial<WechatCheckpoint>,
    save: (p: Partial<WechatCheckpoint>, s: boolean) => Promise<void>,
  ): Promise<TransmitResult | null> => {
    if (!cp.publishId) return null;
    const r = await api.call(
      '/cgi-bin/freepublish/get',
      { publish_id: cp.publishId },
      { what: 'Asking WeChat about the earlier submission', sideEffect: false },
    );
    if (![2, 3, 4].includes(Number(r.publish_status))) return { state: 'submitted', externalId: cp.publishId };
    await save({ publishId: '' }, false);
    return null;
  };

  /** Whether a draft is (still or again) in the draft box. */
  const draftExists = async (api: WechatClient, mediaId: string): Promise<boolean> => {
    const r = await api.call('/cgi-bin/draft/get', { media_id: mediaId }, { what: 'Checking the WeChat draft', sideEffect: false, accept: [40007] });
    return !r.errcode;
  };

  return {
    platform: 'wechat_oa',
    // Compliance: the account's latest posts, whoever made them (posts.ts).
    latestPosts: latestWechatPosts,
    capabilities: {
      publishing: 'api',
      canDelete: true,
      limits: {
        titleChars: WECHAT_OA_LIMITS.titleChars,
        authorChars: WECHAT_OA_LIMITS.authorChars,
        digestChars: WECHAT_OA_LIMITS.digestChars,
        contentChars: `< ${WECHAT_OA_LIMITS.contentCharsBelow}`,
        contentBytes: `< ${WECHAT_OA_LIMITS.contentBytesBelow}`,
        articlesPerPush: WECHAT_OA_LIMITS.articlesPerPush,
        coverBytes: WECHAT_OA_LIMITS.thumbBytes,
        inlineImageBytes: `< ${WECHAT_OA_LIMITS.inlineImageBytesBelow}`,
      },
    },

    format: formatWechat,

    async transmit(payload, ctx): Promise<TransmitResult> {
      const { cp, save } = progressOf(ctx);
      const api = new WechatClient(ctx, opts);
      const earlier = await earlierSubmission(api, cp, save);
      if (earlier) return earlier;
      const marker = wechatMarker(ctx.businessKey);

      if (!cp.draftMediaId) {
        const attempt: Attempt = { api, ctx, payload, cp, save };
        let thumbId = await ensureCover(attempt);
        const urls = await ensureImages(attempt);
        const what = 'Creating the WeChat draft';
        let answer = await api.call(
          '/cgi-bin/draft/add',
          { articles: buildArticles(payload, thumbId, urls, marker) },
          { what, sideEffect: true, accept: [40007] },
        );
        if (answer.errcode === 40007) {
          // The checkpointed cover material is gone (deleted in the console): upload it again, once.
          thumbId = await ensureCover(attempt, true);
          answer = await api.call('/cgi-bin/draft/add', { articles: buildArticles(payload, thumbId, urls, marker) }, { what, sideEffect: true });
        }
        const mediaId = typeof answer.media_id === 'string' ? answer.media_id : '';
        if (!mediaId)
          throw new DeliveryError('unconfirmed', `${what}: WeChat answered without a media_id; the draft box is checked before anything is sent again.`);
        await save({ draftMediaId: mediaId }, true);
      }

      const what = 'Submitting the WeChat push for publishing';
      const answer = await api.call('/cgi-bin/freepublish/submit', { media_id: cp.draftMediaId }, { what, sideEffect: true, accept: [40007] });
      if (answer.errcode === 40007) {
        // The draft already left the draft box: an earlier submit went through (its answer lost).
        throw new DeliveryError(
          'unconfirmed',
          `${what}: the draft is no longer in the draft box, so an earlier submit probably went through; it is looked up before anything is sent again.`,
          {
            platformCode: 40007,
          },
        );
      }
      const publishId = answer.publish_id === undefined || answer.publish_id === null ? '' : String(answer.publish_id);
      if (!publishId) throw new DeliveryError('unconfirmed', `${what}: WeChat answered without a publish_id; it is looked up before anything is sent again.`);
      await save({ publishId }, true);
      return { state: 'submitted', externalId: publishId };
    },

    async confirm(externalId, ctx): Promise<ConfirmResult> {
      const api = new WechatClient(ctx, opts);
      if (externalId.startsWith('draft:')) {
        // Submitted, but its publish_id was lost: watch the push appear (or the draft return).
        const found = await findPublished(api, null, wechatMarker(ctx.businessKey));
        if (found) return { state: 'live', externalId: found.articleId, publicUrl: found.url };
        if (await draftExists(api, externalId.slice('draft:'.length))) {
          return {
            state: 'rejected',
            message:
              'WeChat did not publish the push: the draft returned to the draft box, which WeChat does when publishing fails (the reason was not received).',
            platformCode: 'draft_returned',
          };
        }
        return { state: 'pending', note: 'WeChat is still publishing the push (publish id unknown: the submit answer was lost).' };
      }
      const r = await api.call('/cgi-bin/freepublish/get', { publish_id: externalId }, { what: 'Asking WeChat how publishing went', sideEffect: false });
      const status = Number(r.publish_status);
      if (status === 0) {
        const items = ((r.article_detail as { item?: { idx: number; article_url: string }[] } | undefined)?.item ?? []).slice().sort((a, b) => a.idx - b.idx);
        return { state: 'live', externalId: String(r.article_id), publicUrl: items[0]?.article_url ?? null };
      }
      if (status === 1) return { state: 'pending', note: 'WeChat is publishing the push (发布中).' };
      const failed = PUBLISH_FAILED[status];
      if (failed) {
        const idx = Array.isArray(r.fail_idx) ? (r.fail_idx as number[]) : [];
        // The code words the failure for operators in Chinese, with what a retry does (error-codes.ts).
        return {
          state: 'rejected',
          message: idx.length > 0 && status <= 4 ? `${failed} (articles ${idx.join(', ')})` : failed,
          platformCode: publishStatusCode(status),
        };
      }
      return { state: 'pending', note: `WeChat reported publish_status ${status}, which govpub does not know; asking again later.` };
    },

    async reconcile(payload, ctx): Promise<TransmitResult | null> {
      const { cp, save } = progressOf(ctx);
      const api = new WechatClient(ctx, opts);
      const earlier = await earlierSubmission(api, cp, save);
      if (earlier) return earlier;
      const marker = wechatMarker(ctx.businessKey);

      if (cp.draftMediaId) {
        // Still in the draft box: never submitted (or submitted, failed and returned). The retry submits it.
        if (await draftExists(api, cp.draftMediaId)) return null;
        const published = await findPublished(api, payload, marker);
        if (published) return { state: 'live', externalId: published.articleId, publicUrl: published.url };
        // Left the draft box and not (yet) among the published: being published right now.
        return { state: 'submitted', externalId: `draft:${cp.draftMediaId}` };
      }

      const published = await findPublished(api, payload, marker);
      if (published) return { state: 'live', externalId: published.articleId, publicUrl: published.url };
      const drafts = await findDrafts(api, payload, marker);
      if (drafts.length === 0) return null;
      // Keep the newest; drafts are invisible, but a second copy would only confuse editors.
      for (const extra of drafts.slice(1)) {
        await api.call('/cgi-bin/draft/delete', { media_id: extra }, { what: 'Removing a duplicate WeChat draft', sideEffect: false, accept: [40007] });
      }
      await save({ draftMediaId: drafts[0]! }, false);
      return null;
    },

    async takeDown(externalId, ctx): Promise<void> {
      const api = new WechatClient(ctx, opts);
      const push = await pushToTakeDown(api, externalId, ctx.businessKey, 'Asking WeChat about the push to take down');
      if (push === 'nothing') return;
      if (push === 'publishing')
        throw new DeliveryError('retryable', 'WeChat is still publishing the push; it can be taken down once publishing finishes.', { retryAfterMs: 60_000 });
      await api.call(
        '/cgi-bin/freepublish/delete',
        { article_id: push.articleId, index: 0 },
        { what: 'Taking the WeChat push down', sideEffect: false, accept: [53600] },
      );
    },

    async postStillThere(externalId, ctx): Promise<PostPresence> {
      const api = new WechatClient(ctx, opts);
      const push = await pushToTakeDown(api, externalId, ctx.businessKey, 'Asking WeChat whether the push is still published');
      if (push === 'nothing') return { there: false };
      if (push === 'publishing')
        return { there: true, what: 'WeChat is still publishing the push, and it will go public', whatZh: '微信仍在发布该图文，发布完成后会公开' };
      const r = await api.call(
        '/cgi-bin/freepublish/getarticle',
        { article_id: push.articleId },
        { what: 'Asking WeChat whether the push is still published', sideEffect: false, accept: [53600] },
      );
      const items = Array.isArray(r.news_item) ? (r.news_item as { url?: unknown; is_deleted?: unknown }[]) : [];
      const shown = items.filter((item) => item.is_deleted !== true);
      if (Number(r.errcode ?? 0) === 53600 || shown.length === 0) return { there: false };
      const url = typeof shown[0]!.url === 'string' && shown[0]!.url ? ` (${shown[0]!.url})` : '';
      return {
        there: true,
        what: `the push (article_id ${push.articleId}) is published${url}`,
        whatZh: `图文（article_id ${push.articleId}）仍处于已发布状态${url}`,
      };
    },
  };
}
