/**
 * Media center (融媒体中心) columns: the city news site's Beilin channel (`news_site`) and the
 * 融媒 app (`media_app`). The API is ours ("Media center API v1" in simulators/README.md).
 *
 * One release unit becomes one article per item: the policy document and each interpretation,
 * created in that order with an Idempotency-Key derived from the business key and the item, so a
 * retry after a lost answer can never create a second article. Every article links the others'
 * portal pages (relation `interpretation` from the document, `policy` back to it): the three
 * synchronizations' two-way link. Review at the site is asynchronous: `transmit` answers
 * `submitted` with the document article's id; `confirm` polls every article. An article the site
 * refuses is kept apart in the checkpoint; an operator's retry posts that item again under a new
 * round's key (the site binds a key to its article for good), leaving the others as they are.
 *
 * The contract takes pictures and videos only as public http(s) URLs (it has no upload). Where
 * govpub's renditions are publicly reachable, the composition root passes `publicMediaUrl`;
 * without it covers and in-article pictures are left out and a video article points at the
 * portal page that plays the video (each with a warning the editor sees).
 *
 * This file holds the capabilities and transmit / reconcile / confirm / takeDown; the HTTP client
 * (token, authorized calls, answers as delivery errors) is client.ts.
 */
import type { Channel, MediaCenterSystem } from '../../domain/registry.js';
import { DeliveryError, type ContentProblem } from '../errors.js';
import { isHttpUrl, mediaIdFromSrc, replaceImageSources, truncateChars } from '../text.js';
import type {
  AdapterCapabilities,
  ChannelAdapter,
  ConfirmContext,
  ConfirmResult,
  PostListContext,
  PostPresence,
  ReleaseUnit,
  TransmitContext,
  TransmitResult,
} from '../types.js';
import {
  MEDIA_CENTER_CONTRACT_LIMITS,
  MEDIA_CENTER_PAGE_SIZE,
  SYSTEM_NAMES,
  SYSTEM_NAMES_ZH,
  mediaCenterExternalRef,
  mediaCenterIdempotencyKey,
  quoted,
  type ApiArticle,
  type MediaCenterAdapterOptions,
  type MediaCenterArticlePlan,
  type MediaCenterArticleRef,
  type MediaCenterCheckpoint,
  type MediaCenterPayload,
} from './contract.js';
import { MediaCenterClient } from './client.js';
import { formatMediaCenter } from './format.js';
import { StatusSweep, type ArticleStates } from './status-sweep.js';

export * from './contract.js';

export function createMediaCenterAdapter(
  system: MediaCenterSystem,
  options: MediaCenterAdapterOptions = {},
): ChannelAdapter<MediaCenterPayload, MediaCenterCheckpoint> {
  const columns = options.columns?.filter((c) => c.system === system);
  const videoSpec = `${system}.${options.videoSpec ?? 'video_720'}`;
  const coverSpec = `${system}.cover`;
  const posterSpec = `${system}.poster`;
  const imageSpec = `${system}.image`;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const publishesMedia = options.publicMediaUrl !== undefined;

  const capabilities: AdapterCapabilities = {
    publishing: 'api',
    canDelete: true,
    limits: {
      titleChars: MEDIA_CENTER_CONTRACT_LIMITS.titleChars,
      subtitleChars: MEDIA_CENTER_CONTRACT_LIMITS.subtitleChars,
      summaryChars: MEDIA_CENTER_CONTRACT_LIMITS.summaryChars,
      bodyChars: MEDIA_CENTER_CONTRACT_LIMITS.bodyChars,
      authorChars: MEDIA_CENTER_CONTRACT_LIMITS.authorChars,
      sourceChars: MEDIA_CENTER_CONTRACT_LIMITS.sourceChars,
      relatedLinks: MEDIA_CENTER_CONTRACT_LIMITS.relatedLinks,
      requestBody: '2 MB',
      media: publishesMedia ? 'public URLs of govpub renditions' : 'none (no public media URL configured)',
    },
  };

  const format = (unit: ReleaseUnit, channel: Channel) =>
    formatMediaCenter(unit, channel, { system, columns, videoSpec, coverSpec, posterSpec, imageSpec, publishesMedia });

  type Ctx = TransmitContext<MediaCenterCheckpoint>;

  const clientFor = (ctx: Ctx) => new MediaCenterClient(ctx, system, timeoutMs);

  async function mediaUrl(ctx: Ctx, ref: { mediaId: string; spec: string }, what: string): Promise<string> {
    const file = await ctx.renditions.get(ref.mediaId, ref.spec);
    const url = await options.publicMediaUrl!(file);
    if (!isHttpUrl(url)) {
      throw new DeliveryError(
        'needs_reconnect',
        `${what}: the configured public media link for ${ref.spec} is not an http(s) URL ("${truncateChars(url, 80)}"); fix publicMediaUrl.`,
      );
    }
    return url;
  }

  /** The create request body: a function of the payload, the business key and rendition hashes only. */
  async function requestBody(plan: MediaCenterArticlePlan, payload: MediaCenterPayload, ctx: Ctx): Promise<Record<string, unknown>> {
    let bodyHtml = plan.bodyHtml;
    if (bodyHtml !== null && plan.inlineImages.length > 0) {
      const urls = new Map<string, string>();
      for (const id of plan.inlineImages) urls.set(id, await mediaUrl(ctx, { mediaId: id, spec: imageSpec }, `${plan.label}: in-article picture`));
      bodyHtml = replaceImageSources(bodyHtml, (src) => {
        const id = mediaIdFromSrc(src);
        return id ? (urls.get(id) ?? null) : null;
      });
    }
    const videoUrl = plan.video === null ? null : 'url' in plan.video ? plan.video.url : await mediaUrl(ctx, plan.video, `${plan.label}: video`);
    const coverUrl = plan.cover === null ? null : await mediaUrl(ctx, plan.cover, `${plan.label}: cover`);
    const body: Record<string, unknown> = {
      columnId: payload.columnId,
      kind: plan.kind,
      title: plan.title,
      externalRef: mediaCenterExternalRef(ctx.businessKey),
      relatedLinks: plan.relatedLinks,
    };
    if (plan.subtitle !== null) body.subtitle = plan.subtitle;
    if (plan.summary !== null) body.summary = plan.summary;
    if (bodyHtml !== null) body.bodyHtml = bodyHtml;
    if (videoUrl !== null) body.videoUrl = videoUrl;
    if (coverUrl !== null) body.coverUrl = coverUrl;
    if (plan.author !== null) body.author = plan.author;
    if (plan.source !== null) body.source = plan.source;
    return body;
  }

  function savedArticles(ctx: Ctx): Record<string, MediaCenterArticleRef> {
    const saved = ctx.checkpointed.articles;
    return saved && typeof saved === 'object' ? { ...saved } : {};
  }

  function savedRefusals(ctx: Ctx): Record<string, MediaCenterArticleRef> {
    const saved = ctx.checkpointed.refused;
    return saved && typeof saved === 'object' ? { ...saved } : {};
  }

  /** The round an item is posted in: one past its refused article's, 0 when none was refused. */
  const roundAfter = (refused: MediaCenterArticleRef | undefined) => (refused ? (refused.round ?? 0) + 1 : 0);

  /** The checkpoint after an item's article was created or found: it is no longer refused. */
  function withArticle(
    ctx: Ctx,
    articles: Record<string, MediaCenterArticleRef>,
    refused: Record<string, MediaCenterArticleRef>,
  ): Partial<MediaCenterCheckpoint> {
    return ctx.checkpointed.refused === undefined ? { articles: { ...articles } } : { articles: { ...articles }, refused: { ...refused } };
  }

  // ── transmit / reconcile / confirm / takeDown ─────────────────────────────────────────────

  async function transmit(payload: MediaCenterPayload, ctx: Ctx): Promise<TransmitResult> {
    const client = clientFor(ctx);
    const created = savedArticles(ctx);
    const refused = savedRefusals(ctx);
    for (const plan of payload.articles) {
      if (created[plan.item]) continue;
      // After a refusal the site keeps the old key bound to the refused article: a new round's key.
      const round = roundAfter(refused[plan.item]);
      const key = mediaCenterIdempotencyKey(ctx.businessKey, plan.item, round);
      const body = await requestBody(plan, payload, ctx);
      ctx.heartbeat();
      const what = `${client.siteName}: creating ${plan.label}`;
      const res = await client.call('POST', '/api/v1/articles', what, true, { data: body, headers: { 'Idempotency-Key': key } });
      if (res.status !== 200 && res.status !== 201) throw client.failure(res, what, plan.label, client.siteName);
      const article = res.data as ApiArticle;
      if (typeof article?.id !== 'string')
        throw new DeliveryError('unconfirmed', `${what}: the media center's answer had no article id; checking before any retry.`);
      if (article.status === 'deleted') {
        throw new DeliveryError(
          'rejected',
          `${what}: the media center answered with article ${article.id}, which was taken down earlier; it keeps this delivery's Idempotency-Key bound to it, so the item cannot be posted again under this delivery. Send the package as a new delivery to publish it again.`,
          { platformCode: 'deleted' },
        );
      }
      created[plan.item] = { id: article.id, idempotencyKey: key, ...(round > 0 ? { round } : {}) };
      delete refused[plan.item];
      await ctx.checkpoint(withArticle(ctx, created, refused));
    }
    const primary = created[payload.primaryItem];
    if (!primary) throw new DeliveryError('retryable', `${client.siteName}: the document article was not created.`);
    return { state: 'submitted', externalId: primary.id, publicUrl: null };
  }

  async function reconcile(payload: MediaCenterPayload, ctx: Ctx): Promise<TransmitResult | null> {
    const client = clientFor(ctx);
    const found = savedArticles(ctx);
    const refused = savedRefusals(ctx);
    let changed = false;
    for (const plan of payload.articles) {
      if (found[plan.item]) continue;
      // A refused item is looked for under the key its next article gets: the refused one does not count.
      const round = roundAfter(refused[plan.item]);
      const key = mediaCenterIdempotencyKey(ctx.businessKey, plan.item, round);
      const article = await client.findByKey(key);
      if (article) {
        found[plan.item] = { id: article.id, idempotencyKey: key, ...(round > 0 ? { round } : {}) };
        delete refused[plan.item];
        changed = true;
      }
    }
    if (changed) await ctx.checkpoint(withArticle(ctx, found, refused));
    // Only when every item exists is there nothing left to post; otherwise transmit resumes
    // after the checkpointed items (and its Idempotency-Keys make resuming safe anyway).
    const all = payload.articles.every((p) => found[p.item]);
    const primary = found[payload.primaryItem];
    return all && primary ? { state: 'submitted', externalId: primary.id, publicUrl: null } : null;
  }

  /**
   * Every article of the delivery the site should be asked about: the live or waiting ones, the
   * refused ones not posted again yet (their refusal stands until a retry), and the external id
   * itself when no checkpoint names it (deliveries from before checkpoints).
   */
  function articleRefs(ctx: Ctx, externalId: string): { item: string; id: string; ref?: MediaCenterArticleRef; refused: boolean }[] {
    const list: { item: string; id: string; ref?: MediaCenterArticleRef; refused: boolean }[] = [
      ...Object.entries(savedArticles(ctx)).map(([item, ref]) => ({ item, id: ref.id, ref, refused: false })),
      ...Object.entries(savedRefusals(ctx)).map(([item, ref]) => ({ item, id: ref.id, ref, refused: true })),
    ];
    if (!list.some((a) => a.id === externalId)) list.unshift({ item: 'primary', id: externalId, refused: false });
    return list;
  }
  const articleIds = (ctx: Ctx, externalId: string) => articleRefs(ctx, externalId).map(({ item, id }) => ({ item, id }));

  /** The package's part an article carries, as a content problem names it (`document`, `interpretations[0]`). */
  const itemField = (item: string) => {
    const m = /^interpretation-(\d+)$/.exec(item);
    return m ? `interpretations[${Number(m[1]) - 1}]` : 'document';
  };
  const itemNameZh = (item: string, title?: string) => {
    const t = title ? `「${title}」` : '';
    if (item === 'document') return `政策文件${t}`;
    const m = /^interpretation-(\d+)$/.exec(item);
    return m ? `解读 ${m[1]}${t}` : `稿件${t}`;
  };
  const itemName = (item: string, title?: string) => {
    const t = title ? ` ${quoted(title)}` : '';
    if (item === 'document') return `the document${t}`;
    const m = /^interpretation-(\d+)$/.exec(item);
    return m ? `interpretation ${m[1]}${t}` : `the article${t}`;
  };

  /** One status sweep per site and client in this process (status-sweep.ts), made when first needed. */
  const sweeps = new Map<string, StatusSweep>();
  const sweepFor = (ctx: ConfirmContext<MediaCenterCheckpoint>, everyMs: number) => {
    const key = `${ctx.baseUrl}\n${ctx.credentials.clientId ?? ''}\n${everyMs}`;
    let sweep = sweeps.get(key);
    if (!sweep) sweeps.set(key, (sweep = new StatusSweep(everyMs, MEDIA_CENTER_PAGE_SIZE)));
    return sweep;
  };

  /** The site's state of each article: through the sweep where configured, else one read per article. */
  async function articleStates(refs: { item: string; id: string }[], ctx: ConfirmContext<MediaCenterCheckpoint>): Promise<ArticleStates> {
    const client = clientFor(ctx);
    if (ctx.statusWait) {
      const reader = { list: (ids: string[]) => client.listByIds(ids), one: (id: string) => client.article(id) };
      return sweepFor(ctx, ctx.statusWait.sweepEveryMs).watch(
        refs.map((r) => r.id),
        reader,
        { waitMs: ctx.statusWait.waitMs, done: (states) => [...states.values()].every((a) => a?.status !== 'pending'), signal: ctx.signal },
      );
    }
    const states = new Map<string, ApiArticle | null>();
    for (const ref of refs) states.set(ref.id, await client.article(ref.id));
    return states;
  }

  async function confirm(externalId: string, ctx: ConfirmContext<MediaCenterCheckpoint>): Promise<ConfirmResult> {
    const refs = articleRefs(ctx, externalId);
    const byId = await articleStates(refs, ctx);
    const states = refs.map((ref) => ({ ...ref, article: byId.get(ref.id) ?? null }));
    await rememberRefusals(states, ctx);
    // What the site refused, per article, in both languages: the site's editors write their reason in
    // Chinese, and operations read the delivery in Chinese (adapters/error-codes.ts).
    const problems: ContentProblem[] = [];
    for (const s of states) {
      const name = itemName(s.item, s.article?.title);
      const field = itemField(s.item);
      const nameZh = itemNameZh(s.item, s.article?.title);
      if (!s.article) {
        problems.push({
          field,
          message: `${name} (article ${s.id}) no longer exists at ${SYSTEM_NAMES[system]}`,
          messageZh: `${nameZh}（稿件 ${s.id}）在${SYSTEM_NAMES_ZH[system]}已不存在`,
        });
      } else if (s.article.status === 'rejected') {
        const reason = s.article.rejectReason?.trim();
        problems.push({
          field,
          message: `the site's editors rejected ${name}: ${reason || 'no reason given'}`,
          messageZh: `${SYSTEM_NAMES_ZH[system]}编辑审核未通过${nameZh}：${reason || '未说明理由'}`,
        });
      } else if (s.article.status === 'deleted') {
        problems.push({
          field,
          message: `${name} (article ${s.id}) was deleted at the site before it went live`,
          messageZh: `${nameZh}（稿件 ${s.id}）上线前已在${SYSTEM_NAMES_ZH[system]}被删除`,
        });
      }
    }
    const published = states.filter((s) => s.article?.status === 'published').length;
    const pending = states.filter((s) => s.article?.status === 'pending').length;
    if (problems.length > 0) {
      const rest = states.length > 1 ? ` Other articles of this package there: ${published} published, ${pending} waiting for review (not withdrawn).` : '';
      const next =
        problems.length === 1
          ? ' A retry posts the refused item again, as a new article for the site to review; skip leaves it out.'
          : ' A retry posts the refused items again, as new articles for the site to review; skip leaves them out.';
      return { state: 'rejected', message: `${ctx.channel.name} (${ctx.channel.id}): ${problems.map((p) => p.message).join('; ')}.${rest}${next}`, problems };
    }
    if (published === states.length) {
      const primary = states.find((s) => s.id === externalId)?.article ?? states[0]?.article ?? null;
      return { state: 'live', publicUrl: primary?.url ?? null, externalId };
    }
    return {
      state: 'pending',
      note: `${published} of ${states.length} articles published in ${ctx.channel.name}; the rest wait for the site's editorial review.`,
    };
  }

  /**
   * An article the site refused (rejected, deleted or gone before it went live) published nothing:
   * it is kept apart as refused, so the refusal stands in later status queries and a retry posts
   * the item again under the next round's key (transmit, reconcile). Saved before the answer, so a
   * repeated query finds the same.
   */
  async function rememberRefusals(
    states: { item: string; ref?: MediaCenterArticleRef; refused: boolean; article: ApiArticle | null }[],
    ctx: ConfirmContext<MediaCenterCheckpoint>,
  ): Promise<void> {
    const newlyRefused = states.filter((s) => s.ref && !s.refused && (s.article === null || s.article.status === 'rejected' || s.article.status === 'deleted'));
    if (newlyRefused.length === 0) return;
    const articles = savedArticles(ctx);
    const refused = savedRefusals(ctx);
    for (const s of newlyRefused) {
      delete articles[s.item];
      refused[s.item] = s.ref!;
    }
    await ctx.checkpoint({ articles, refused });
  }

  /**
   * The package's articles at the site by id, with their status where the site listed them: those
   * the checkpoint names, and those carrying the delivery's externalRef (an attempt whose
   * checkpoint was never saved made them too).
   */
  async function articlesOfDelivery(client: MediaCenterClient, ctx: Ctx, externalId: string): Promise<Map<string, ApiArticle | null>> {
    const articles = new Map<string, ApiArticle | null>(articleIds(ctx, externalId).map((a) => [a.id, null]));
    const ref = mediaCenterExternalRef(ctx.businessKey);
    let cursor: string | null = null;
    do {
      const what = `${client.siteName}: listing the package's articles`;
      const params: Record<string, string | number> = { externalRef: ref, columnId: ctx.channel.ref, limit: 100 };
      if (cursor) params.cursor = cursor;
      const res = await client.call('GET', '/api/v1/articles', what, false, { params });
      if (res.status !== 200) throw client.failure(res, what);
      const page = res.data as { items?: ApiArticle[]; nextCursor?: string | null };
      for (const a of page.items ?? []) articles.set(a.id, a);
      cursor = page.nextCursor ?? null;
    } while (cursor);
    return articles;
  }

  async function takeDown(externalId: string, ctx: Ctx & { reason: string }): Promise<void> {
    const client = clientFor(ctx);
    for (const [id, article] of await articlesOfDelivery(client, ctx, externalId)) {
      if (article?.status === 'deleted') continue;
      const what = `${client.siteName}: taking down article ${id}`;
      const res = await client.call('DELETE', `/api/v1/articles/${encodeURIComponent(id)}`, what, true);
      if (res.status === 200 || res.status === 204 || res.status === 404) continue; // 404: already gone
      throw client.failure(res, what);
    }
  }

  /** Still there: an article of the package the site publishes, or still reviews (it may go public). */
  async function postStillThere(externalId: string, ctx: Ctx): Promise<PostPresence> {
    const client = clientFor(ctx);
    const there: { en: string; zh: string }[] = [];
    for (const [id, listed] of await articlesOfDelivery(client, ctx, externalId)) {
      let article = listed;
      if (!article) {
        const what = `${client.siteName}: asking about article ${id}`;
        const res = await client.call('GET', `/api/v1/articles/${encodeURIComponent(id)}`, what, false);
        if (res.status === 404) continue;
        if (res.status !== 200) throw client.failure(res, what);
        article = res.data as ApiArticle;
      }
      const url = article.url ? ` (${article.url})` : '';
      if (article.status === 'published') there.push({ en: `article ${id} is published${url}`, zh: `稿件 ${id} 仍处于已发布状态${url}` });
      if (article.status === 'pending')
        there.push({ en: `article ${id} waits for the site's review and may still go public`, zh: `稿件 ${id} 仍在待审核，审核通过后会公开` });
    }
    return there.length > 0 ? { there: true, what: there.map((t) => t.en).join('; '), whatZh: there.map((t) => t.zh).join('；') } : { there: false };
  }

  /**
   * The credentials check after a hold: an access token (the client credentials) and the site's
   * columns, which must still hold this channel's (a wrong column id holds the channel too).
   */
  async function checkCredentials(ctx: PostListContext): Promise<void> {
    const client = new MediaCenterClient(ctx, system, timeoutMs);
    const what = `${client.siteName}: listing the columns`;
    const res = await client.call('GET', '/api/v1/columns', what, false);
    if (res.status !== 200) throw client.failure(res, what);
    const ids = ((res.data as { items?: { id?: unknown }[] }).items ?? []).map((c) => String(c.id));
    if (!ids.includes(ctx.channel.ref)) {
      throw new DeliveryError(
        'needs_reconnect',
        `${what}: the media center has no column ${ctx.channel.ref} (its columns: ${ids.slice(0, 30).join(', ')}). Fix the column id in config/registry/media-center.yaml.`,
        { platformCode: 'unknown_column' },
      );
    }
  }

  return { platform: system, capabilities, format, transmit, reconcile, confirm, takeDown, postStillThere, checkCredentials };
}
