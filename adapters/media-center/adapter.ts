/**
 * Media center (融媒体中心) columns: the city news site's Beilin channel (`news_site`) and the
 * 融媒 app (`media_app`). The API is ours ("Media center API v1" in simulators/README.md).
 *
 * One release unit becomes one article per item: the policy document and each interpretation,
 * created in that order with an Idempotency-Key derived from the business key and the item, so a
 * retry after a lost answer can never create a second article. Every article links the others'
 * portal pages (relation `interpretation` from the document, `policy` back to it): the three
 * synchronizations' two-way link. Review at the site is asynchronous: `transmit` answers
 * `submitted` with the document article's id; `confirm` polls every article.
 *
 * The contract takes pictures and videos only as public http(s) URLs (it has no upload). Where
 * govpub's renditions are publicly reachable, the composition root passes `publicMediaUrl`;
 * without it covers and in-article pictures are left out and a video article points at the
 * portal page that plays the video (each with a warning the editor sees).
 */
import axios, { type AxiosResponse } from 'axios';
import type { Channel, MediaCenterSystem } from '../../domain/registry.js';
import { DeliveryError, classifyTransportError, rejectedContent, retryAfterMs, type ContentProblem } from '../errors.js';
import { isHttpUrl, mediaIdFromSrc, replaceImageSources, truncateChars } from '../text.js';
import { stillValid } from '../tokens.js';
import type { AdapterCapabilities, ChannelAdapter, ConfirmResult, ReleaseUnit, TransmitContext, TransmitResult } from '../types.js';
import {
  MEDIA_CENTER_CONTRACT_LIMITS,
  SYSTEM_NAMES,
  TOKEN_NAME,
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
import { formatMediaCenter } from './format.js';

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

  // ── HTTP ──────────────────────────────────────────────────────────────────────────────────

  type Ctx = TransmitContext<MediaCenterCheckpoint>;

  const base = (ctx: Ctx) => ctx.baseUrl.replace(/\/+$/, '');
  const siteName = (ctx: Ctx) => `${ctx.channel.name} (${ctx.channel.id})`;

  function errorOf(res: AxiosResponse): { code: string; message: string; details: Record<string, unknown> } {
    const e = (res.data as { error?: { code?: unknown; message?: unknown; details?: unknown } } | undefined)?.error;
    return {
      code: typeof e?.code === 'string' ? e.code : `http_${res.status}`,
      message: typeof e?.message === 'string' ? e.message : `HTTP ${res.status}`,
      details: e?.details && typeof e.details === 'object' ? (e.details as Record<string, unknown>) : {},
    };
  }

  async function send(
    ctx: Ctx,
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    what: string,
    sideEffect: boolean,
    init: { token?: string; data?: unknown; headers?: Record<string, string>; params?: Record<string, string | number> } = {},
  ): Promise<AxiosResponse> {
    try {
      return await axios.request({
        method,
        url: `${base(ctx)}${path}`,
        data: init.data,
        params: init.params,
        headers: {
          Accept: 'application/json',
          ...(init.data !== undefined ? { 'Content-Type': 'application/json' } : {}),
          ...(init.token ? { Authorization: `Bearer ${init.token}` } : {}),
          ...init.headers,
        },
        timeout: timeoutMs,
        signal: ctx.signal,
        validateStatus: () => true,
        maxRedirects: 0,
      });
    } catch (error) {
      throw classifyTransportError(error, what, { sideEffect });
    }
  }

  async function fetchToken(ctx: Ctx): Promise<string> {
    const clientId = ctx.credentials.clientId;
    const clientSecret = ctx.credentials.clientSecret;
    if (!clientId || !clientSecret) {
      throw new DeliveryError(
        'needs_reconnect',
        `${SYSTEM_NAMES[system]}: the channel ${ctx.channel.id} has no ${!clientId ? 'clientId' : 'clientSecret'} configured; add the media center's client credentials for ${system}.`,
      );
    }
    const res = await send(ctx, 'POST', '/api/v1/auth/token', `${SYSTEM_NAMES[system]}: getting an access token`, false, { data: { clientId, clientSecret } });
    if (res.status === 200) {
      const body = res.data as { accessToken?: unknown; expiresIn?: unknown };
      if (typeof body.accessToken !== 'string' || body.accessToken === '') {
        throw new DeliveryError('retryable', `${SYSTEM_NAMES[system]}: the token answer had no accessToken.`);
      }
      const expiresIn = typeof body.expiresIn === 'number' && body.expiresIn > 0 ? body.expiresIn : null;
      await ctx.tokens.put(TOKEN_NAME, body.accessToken, expiresIn === null ? null : new Date(Date.now() + expiresIn * 1000));
      return body.accessToken;
    }
    const err = errorOf(res);
    if (res.status === 401 || res.status === 403 || err.code === 'invalid_client' || err.code === 'validation_failed') {
      throw new DeliveryError(
        'needs_reconnect',
        `${SYSTEM_NAMES[system]} refused govpub's client credentials (client id "${clientId}", ${err.code}): check the client id and secret configured for ${system}.`,
        { platformCode: err.code },
      );
    }
    throw failure(res, `${SYSTEM_NAMES[system]}: getting an access token`);
  }

  async function token(ctx: Ctx, fresh: boolean): Promise<string> {
    if (!fresh) {
      const stored = await ctx.tokens.get(TOKEN_NAME);
      if (stored && stillValid(stored, Date.now())) return stored.value;
    }
    return fetchToken(ctx);
  }

  /** An authorized call: a token_expired / unauthorized answer gets a new token and one retry. */
  async function call(
    ctx: Ctx,
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    what: string,
    sideEffect: boolean,
    init: { data?: unknown; headers?: Record<string, string>; params?: Record<string, string | number> } = {},
  ): Promise<AxiosResponse> {
    let res = await send(ctx, method, path, what, sideEffect, { ...init, token: await token(ctx, false) });
    if (res.status === 401) {
      await ctx.tokens.delete(TOKEN_NAME);
      res = await send(ctx, method, path, what, sideEffect, { ...init, token: await token(ctx, true) });
      if (res.status === 401) {
        const err = errorOf(res);
        throw new DeliveryError(
          'needs_reconnect',
          `${what}: ${SYSTEM_NAMES[system]} refused a freshly issued access token (${err.code}); check the client registered for ${system}.`,
          {
            platformCode: err.code,
          },
        );
      }
    }
    return res;
  }

  /** The DeliveryError for an answer that is not a success. */
  function failure(res: AxiosResponse, what: string, label?: string, site?: string): DeliveryError {
    const err = errorOf(res);
    const status = res.status;
    const opts = { platformCode: err.code };
    if (status === 429) {
      return new DeliveryError('rate_limited', `${what}: the media center is rate limiting govpub (429); waiting as long as it asks.`, {
        ...opts,
        retryAfterMs: retryAfterMs(res.headers['retry-after']) ?? 60_000,
      });
    }
    if (status >= 500) {
      return new DeliveryError(
        'retryable',
        `${what}: the media center answered HTTP ${status} (${err.code}); trying again later with the same Idempotency-Key.`,
        {
          ...opts,
          retryAfterMs: retryAfterMs(res.headers['retry-after']),
        },
      );
    }
    if (status === 400 && err.code === 'validation_failed') {
      const raw = Array.isArray(err.details.problems) ? (err.details.problems as { field?: unknown; problem?: unknown }[]) : [];
      const problems: ContentProblem[] = raw.length
        ? raw.map((p) => ({ field: `${label ?? 'article'}: ${String(p.field ?? '?')}`, message: String(p.problem ?? 'refused') }))
        : [{ field: label ?? 'article', message: err.message }];
      const e = rejectedContent(site ?? SYSTEM_NAMES[system], problems);
      return new DeliveryError('rejected', e.message, { ...opts, problems });
    }
    if (status === 400 && err.code === 'unknown_column') {
      const allowed = Array.isArray(err.details.allowed) ? (err.details.allowed as unknown[]).map(String) : [];
      return new DeliveryError(
        'needs_reconnect',
        `${what}: the media center has no such column (${err.message})${allowed.length ? ` Its columns: ${allowed.slice(0, 30).join(', ')}.` : ''} Fix the column id in config/registry/media-center.yaml.`,
        opts,
      );
    }
    if (status === 409 && err.code === 'idempotency_key_reused') {
      // Retrying can never succeed (same key, same refusal); a new key would post the item twice;
      // adopting the existing article would publish content other than the approved snapshot. So
      // stop and tell a person: this is a govpub defect (the request for one item changed).
      const existing = typeof err.details.articleId === 'string' ? ` (article ${err.details.articleId})` : '';
      return new DeliveryError(
        'rejected',
        `${what}: the media center already holds a different article for this item${existing}: govpub sent changed content under the same Idempotency-Key. Nothing was posted twice. This is a govpub defect, not a problem with the package: report it; to publish the current content, take the delivery down and send the package again as a new revision.`,
        opts,
      );
    }
    if (status === 413) {
      return new DeliveryError('rejected', `${what}: the article is larger than the media center's 2 MB request limit; shorten the text.`, opts);
    }
    if (status === 401 || status === 403) {
      return new DeliveryError('needs_reconnect', `${what}: the media center refused govpub's access (${err.code}).`, opts);
    }
    // idempotency_key_required, invalid_idempotency_key, invalid_json, unsupported_media_type…:
    // the request is malformed, so repeating it cannot help.
    return new DeliveryError(
      'rejected',
      `${what}: the media center refused govpub's request (HTTP ${status} ${err.code}: ${err.message}). This is a govpub defect, not a problem with the package.`,
      opts,
    );
  }

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

  async function findByKey(ctx: Ctx, key: string): Promise<ApiArticle | null> {
    const what = `${siteName(ctx)}: looking up an earlier attempt`;
    const res = await call(ctx, 'GET', '/api/v1/articles', what, false, { params: { idempotencyKey: key, limit: 1 } });
    if (res.status !== 200) throw failure(res, what);
    const items = (res.data as { items?: ApiArticle[] }).items ?? [];
    return items[0] ?? null;
  }

  // ── transmit / reconcile / confirm / takeDown ─────────────────────────────────────────────

  async function transmit(payload: MediaCenterPayload, ctx: Ctx): Promise<TransmitResult> {
    const created = savedArticles(ctx);
    for (const plan of payload.articles) {
      if (created[plan.item]) continue;
      const key = mediaCenterIdempotencyKey(ctx.businessKey, plan.item);
      const body = await requestBody(plan, payload, ctx);
      ctx.heartbeat();
      const what = `${siteName(ctx)}: creating ${plan.label}`;
      const res = await call(ctx, 'POST', '/api/v1/articles', what, true, { data: body, headers: { 'Idempotency-Key': key } });
      if (res.status !== 200 && res.status !== 201) throw failure(res, what, plan.label, siteName(ctx));
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
      created[plan.item] = { id: article.id, idempotencyKey: key };
      await ctx.checkpoint({ articles: { ...created } });
    }
    const primary = created[payload.primaryItem];
    if (!primary) throw new DeliveryError('retryable', `${siteName(ctx)}: the document article was not created.`);
    return { state: 'submitted', externalId: primary.id, publicUrl: null };
  }

  async function reconcile(payload: MediaCenterPayload, ctx: Ctx): Promise<TransmitResult | null> {
    const found = savedArticles(ctx);
    let changed = false;
    for (const plan of payload.articles) {
      if (found[plan.item]) continue;
      const key = mediaCenterIdempotencyKey(ctx.businessKey, plan.item);
      const article = await findByKey(ctx, key);
      if (article) {
        found[plan.item] = { id: article.id, idempotencyKey: key };
        changed = true;
      }
    }
    if (changed) await ctx.checkpoint({ articles: { ...found } });
    // Only when every item exists is there nothing left to post; otherwise transmit resumes
    // after the checkpointed items (and its Idempotency-Keys make resuming safe anyway).
    const all = payload.articles.every((p) => found[p.item]);
    const primary = found[payload.primaryItem];
    return all && primary ? { state: 'submitted', externalId: primary.id, publicUrl: null } : null;
  }

  function articleIds(ctx: Ctx, externalId: string): { item: string; id: string }[] {
    const list = Object.entries(savedArticles(ctx)).map(([item, ref]) => ({ item, id: ref.id }));
    if (!list.some((a) => a.id === externalId)) list.unshift({ item: 'primary', id: externalId });
    return list;
  }

  const itemName = (item: string, title?: string) => {
    const t = title ? ` ${quoted(title)}` : '';
    if (item === 'document') return `the document${t}`;
    const m = /^interpretation-(\d+)$/.exec(item);
    return m ? `interpretation ${m[1]}${t}` : `the article${t}`;
  };

  async function confirm(externalId: string, ctx: Ctx): Promise<ConfirmResult> {
    const refs = articleIds(ctx, externalId);
    const states: { item: string; article: ApiArticle | null; id: string }[] = [];
    for (const ref of refs) {
      const what = `${siteName(ctx)}: checking article ${ref.id}`;
      const res = await call(ctx, 'GET', `/api/v1/articles/${encodeURIComponent(ref.id)}`, what, false);
      if (res.status === 404) states.push({ ...ref, article: null });
      else if (res.status === 200) states.push({ ...ref, article: res.data as ApiArticle });
      else throw failure(res, what);
    }
    const problems: string[] = [];
    for (const s of states) {
      const name = itemName(s.item, s.article?.title);
      if (!s.article) problems.push(`${name} (article ${s.id}) no longer exists at ${SYSTEM_NAMES[system]}`);
      else if (s.article.status === 'rejected') problems.push(`the site's editors rejected ${name}: ${s.article.rejectReason?.trim() || 'no reason given'}`);
      else if (s.article.status === 'deleted') problems.push(`${name} (article ${s.id}) was deleted at the site before it went live`);
    }
    const published = states.filter((s) => s.article?.status === 'published').length;
    const pending = states.filter((s) => s.article?.status === 'pending').length;
    if (problems.length > 0) {
      const rest = states.length > 1 ? ` Other articles of this package there: ${published} published, ${pending} waiting for review (not withdrawn).` : '';
      return { state: 'rejected', message: `${ctx.channel.name} (${ctx.channel.id}): ${problems.join('; ')}.${rest}` };
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

  async function takeDown(externalId: string, ctx: Ctx & { reason: string }): Promise<void> {
    const ids = new Set(articleIds(ctx, externalId).map((a) => a.id));
    // Articles an attempt created without a saved checkpoint carry the delivery's externalRef.
    const ref = mediaCenterExternalRef(ctx.businessKey);
    let cursor: string | null = null;
    do {
      const what = `${siteName(ctx)}: listing the package's articles`;
      const params: Record<string, string | number> = { externalRef: ref, columnId: ctx.channel.ref, limit: 100 };
      if (cursor) params.cursor = cursor;
      const res = await call(ctx, 'GET', '/api/v1/articles', what, false, { params });
      if (res.status !== 200) throw failure(res, what);
      const page = res.data as { items?: ApiArticle[]; nextCursor?: string | null };
      for (const a of page.items ?? []) if (a.status !== 'deleted') ids.add(a.id);
      cursor = page.nextCursor ?? null;
    } while (cursor);
    for (const id of ids) {
      const what = `${siteName(ctx)}: taking down article ${id}`;
      const res = await call(ctx, 'DELETE', `/api/v1/articles/${encodeURIComponent(id)}`, what, true);
      if (res.status === 200 || res.status === 204 || res.status === 404) continue; // 404: already gone
      throw failure(res, what);
    }
  }

  return { platform: system, capabilities, format, transmit, reconcile, confirm, takeDown };
}
