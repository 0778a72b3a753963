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
import { createHash } from 'node:crypto';
import axios, { type AxiosResponse } from 'axios';
import type { Channel, ContentKind, MediaCenterColumn, MediaCenterSystem } from '../../domain/registry.js';
import { DeliveryError, classifyTransportError, rejectedContent, retryAfterMs, type ContentProblem } from '../errors.js';
import { charCount, escapeHtml, htmlToPlainText, imageSources, isHttpUrl, mediaIdFromSrc, replaceImageSources, summaryOf, truncateChars } from '../text.js';
import { stillValid } from '../tokens.js';
import type {
  AdapterCapabilities,
  ChannelAdapter,
  ConfirmResult,
  Formatted,
  ReleaseUnit,
  RenditionFile,
  RenditionNeed,
  TransmitContext,
  TransmitResult,
} from '../types.js';
import { MEDIA_CENTER_CONTRACT_LIMITS } from './declaration.js';

// ── Limits of the contract ───────────────────────────────────────────────────────────────────

export { MEDIA_CENTER_CONTRACT_LIMITS };

const ALL_KINDS: readonly ContentKind[] = ['graphic', 'video', 'short_video', 'promo'];
const VIDEO_KINDS: readonly ContentKind[] = ['video', 'short_video', 'promo'];
const KIND_NAMES: Record<ContentKind, string> = {
  graphic: '图文 (graphic)',
  video: '视频 (video)',
  short_video: '短视频 (short video)',
  promo: '宣传片 (promo)',
};
const SYSTEM_NAMES: Record<MediaCenterSystem, string> = { news_site: 'the news site (西安网碑林频道)', media_app: 'the media-center app (融媒客户端)' };
const TOKEN_NAME = 'access_token';

// ── Payload and checkpoint ───────────────────────────────────────────────────────────────────

export interface MediaCenterLink {
  title: string;
  url: string;
  relation: 'interpretation' | 'policy' | 'related';
}

/** One article to create: everything but what only transmit knows (media URLs, externalRef). */
export interface MediaCenterArticlePlan {
  /** `document` or `interpretation-<n>` (1-based): names the item in keys, checkpoint and messages. */
  item: string;
  /** For messages: `the document "…"`, `interpretation 2 "…"`. */
  label: string;
  kind: ContentKind;
  title: string;
  subtitle: string | null;
  summary: string | null;
  /** In-article pictures still point at `/api/media/<sha256>`; transmit swaps in public URLs. */
  bodyHtml: string | null;
  /** Originals of the in-article pictures swapped at transmit (spec `<system>.image`). */
  inlineImages: string[];
  /** A fixed public URL (the editor's link or the portal page), or a rendition to publish. */
  video: { url: string } | { mediaId: string; spec: string } | null;
  cover: { mediaId: string; spec: string } | null;
  author: string | null;
  source: string | null;
  relatedLinks: MediaCenterLink[];
}

export interface MediaCenterPayload {
  system: MediaCenterSystem;
  channelId: string;
  columnId: string;
  columnName: string;
  /** The item whose article id is the delivery's external id (the document, when posted). */
  primaryItem: string;
  articles: MediaCenterArticlePlan[];
}

export interface MediaCenterArticleRef {
  id: string;
  idempotencyKey: string;
}

export interface MediaCenterCheckpoint {
  /** Created articles by item (`document`, `interpretation-1`, …). Always saved whole. */
  articles: Record<string, MediaCenterArticleRef>;
}

/** The article as the media center returns it (fields govpub reads). */
interface ApiArticle {
  id: string;
  idempotencyKey?: string;
  title?: string;
  status: 'pending' | 'published' | 'rejected' | 'deleted';
  rejectReason?: string | null;
  url?: string | null;
}

// ── Options ──────────────────────────────────────────────────────────────────────────────────

export interface MediaCenterAdapterOptions {
  /**
   * The registry's media-center columns (config/registry/media-center.yaml). With them `format`
   * holds each column to its contentKinds and refuses columns the registry does not know;
   * without them every kind is allowed.
   */
  columns?: readonly Pick<MediaCenterColumn, 'id' | 'name' | 'system' | 'contentKinds'>[];
  /**
   * The public http(s) URL at which a prepared rendition can be fetched by the media center
   * (covers, in-article pictures, videos). The contract has no upload, so without this covers and
   * in-article pictures are left out and videos are given as their portal page.
   */
  publicMediaUrl?: (file: RenditionFile) => string | Promise<string>;
  /** Video rendition for video articles (default `video_720`: the web player and the app). */
  videoSpec?: 'video_720' | 'video_1080';
  /** Request timeout in ms (default 30 s). */
  timeoutMs?: number;
}

// ── Helpers ──────────────────────────────────────────────────────────────────────────────────

/** `govpub.<40 hex of sha256(businessKey)>.<item>`: fits `[A-Za-z0-9._:-]{1,128}` for any key. */
export function mediaCenterIdempotencyKey(businessKey: string, item: string): string {
  const hash = createHash('sha256').update(businessKey).digest('hex').slice(0, 40);
  const safeItem = item.replace(/[^A-Za-z0-9._:-]/g, '_').slice(0, 60);
  return `govpub.${hash}.${safeItem}`;
}

/** The business key itself (readable for the site's staff), or its hash when longer than 200. */
export function mediaCenterExternalRef(businessKey: string): string {
  if (charCount(businessKey) <= MEDIA_CENTER_CONTRACT_LIMITS.externalRefChars) return businessKey;
  return `sha256:${createHash('sha256').update(businessKey).digest('hex')}`;
}

function over(what: string, max: number, got: number): string {
  return `${what} has ${got} characters; the media center takes at most ${max} (${got - max} too many)`;
}

function quoted(title: string): string {
  return `"${truncateChars(title.trim(), 30)}"`;
}

// ── The adapter ──────────────────────────────────────────────────────────────────────────────

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

  // ── format ────────────────────────────────────────────────────────────────────────────────

  function format(unit: ReleaseUnit, channel: Channel): Formatted<MediaCenterPayload> {
    const problems: ContentProblem[] = [];
    const warnings: string[] = [];
    const column = columns?.find((c) => c.id === channel.ref);
    const columnName = column?.name ?? channel.name;
    const where = `${columnName} (${channel.id})`;
    if (columns && !column) {
      problems.push({
        field: 'channel',
        message: `${SYSTEM_NAMES[system]} has no column "${channel.ref}" in the registry (config/registry/media-center.yaml); choose one of ${columns.map((c) => c.id).join(', ')}`,
      });
      throw rejectedContent(where, problems);
    }
    const kinds: readonly ContentKind[] = column?.contentKinds ?? ALL_KINDS;
    const takesGraphic = kinds.includes('graphic');
    const videoKind = VIDEO_KINDS.find((k) => kinds.includes(k)) ?? null;
    const portal = unit.portalLinks;
    const renditions = new Map<string, RenditionNeed>();
    const need = (mediaId: string, spec: string, purpose: string) => {
      const key = `${mediaId}\n${spec}`;
      if (!renditions.has(key)) renditions.set(key, { mediaId, spec, purpose });
    };

    const isVideo = (i: ReleaseUnit['interpretations'][number]) =>
      (i.mediaId !== undefined && unit.media[i.mediaId]?.kind === 'video') || (i.form === 'video' && isHttpUrl(i.url));
    const hasVideo = unit.interpretations.some(isVideo);
    const otherColumns = () => {
      const fitting = columns?.filter((c) => c.contentKinds.includes('graphic')).map((c) => `${c.name} (${c.id})`) ?? [];
      return fitting.length > 0 ? `; columns that take graphic articles: ${fitting.join(', ')}` : '';
    };

    // Which items this column can carry.
    const postDocument = takesGraphic;
    if (!takesGraphic && !(videoKind && hasVideo)) {
      problems.push({
        field: 'channel',
        message: `${columnName} carries only ${kinds.map((k) => KIND_NAMES[k]).join(', ')}, and this package has no video: its document${
          unit.interpretations.length > 0 ? ' and interpretations are' : ' is'
        } text. Choose a column that takes 图文 (graphic) articles${otherColumns()}`,
      });
      throw rejectedContent(where, problems);
    }
    if (!postDocument) {
      if (!portal) {
        problems.push({
          field: 'channel',
          message: `${columnName} takes only video, so only the video interpretation can go there, and it could not link to its policy document because the package is not released to the portal. Release the package to a portal column as well, or choose a column that takes 图文 (graphic) articles${otherColumns()}`,
        });
        throw rejectedContent(where, problems);
      }
      warnings.push(`${columnName} takes only video: the document text is not posted there; the video links to the document's portal page.`);
    }

    const docLink = portal ? { title: unit.document.title.trim(), url: portal.document } : null;
    const interpLink = (n: number) => {
      const url = portal?.interpretations[n];
      return url ? { title: unit.interpretations[n]!.title.trim(), url } : null;
    };

    const coverOf = (label: string): MediaCenterArticlePlan['cover'] => {
      if (!unit.cover) return null;
      if (!publishesMedia) return null;
      need(unit.cover.mediaId, coverSpec, `cover (${label})`);
      return { mediaId: unit.cover.mediaId, spec: coverSpec };
    };

    /** Body HTML with its `/api/media/` pictures either planned for upload-by-URL or removed. */
    const prepareBody = (html: string, label: string): { bodyHtml: string; inlineImages: string[] } => {
      const ids: string[] = [];
      let dropped = 0;
      for (const src of imageSources(html)) {
        const id = mediaIdFromSrc(src);
        if (id && !ids.includes(id)) ids.push(id);
      }
      let bodyHtml = html;
      if (ids.length > 0 && !publishesMedia) {
        bodyHtml = html.replace(/<img\b[^>]*>/gi, (tag) => {
          const src = imageSources(tag)[0];
          if (src !== undefined && mediaIdFromSrc(src)) {
            dropped += 1;
            return '';
          }
          return tag;
        });
        warnings.push(
          `${label}: ${dropped} picture${dropped === 1 ? '' : 's'} left out of the ${columnName} article: the media center takes pictures only as public links and none is configured (publicMediaUrl)${
            portal ? '; readers see them on the portal page' : ''
          }.`,
        );
        return { bodyHtml, inlineImages: [] };
      }
      for (const id of ids) need(id, imageSpec, `in-article picture (${label})`);
      return { bodyHtml, inlineImages: ids };
    };

    const checkTitle = (title: string, field: string) => {
      const t = title.trim();
      if (t === '') problems.push({ field, message: 'is empty; the media center needs a title of 1 to 100 characters' });
      else if (charCount(t) > MEDIA_CENTER_CONTRACT_LIMITS.titleChars)
        problems.push({ field, message: `${over('the title', MEDIA_CENTER_CONTRACT_LIMITS.titleChars, charCount(t))}; shorten it` });
      return t;
    };
    const checkBody = (html: string, field: string) => {
      const n = charCount(html);
      if (n > MEDIA_CENTER_CONTRACT_LIMITS.bodyChars)
        problems.push({
          field,
          message: `${over('the text (as HTML)', MEDIA_CENTER_CONTRACT_LIMITS.bodyChars, n)}; shorten it or split it into several packages`,
        });
      if (/<script\b/i.test(html)) problems.push({ field, message: 'contains a <script> element, which the media center refuses' });
    };
    const limited = (value: string | undefined, max: number, what: string, label: string): string | null => {
      const v = value?.trim();
      if (!v) return null;
      if (charCount(v) <= max) return v;
      warnings.push(`${label}: ${what} shortened to ${max} characters for the media center (it has ${charCount(v)}).`);
      return truncateChars(v, max);
    };

    const articles: MediaCenterArticlePlan[] = [];
    const source = limited(unit.document.issuingUnit, MEDIA_CENTER_CONTRACT_LIMITS.sourceChars, 'the issuing unit (source)', 'document');

    // The document.
    if (postDocument) {
      const label = `the document ${quoted(unit.document.title)}`;
      const title = checkTitle(unit.document.title, 'document.title');
      let body = unit.document.body;
      const attachments = (unit.document.attachments ?? []).filter((a) => isHttpUrl(a.url));
      const missing = (unit.document.attachments ?? []).filter((a) => !isHttpUrl(a.url));
      if (attachments.length > 0) {
        body += `<p>附件：</p><ul>${attachments.map((a) => `<li><a href="${escapeHtml(a.url!)}">${escapeHtml(a.name)}</a></li>`).join('')}</ul>`;
      }
      if (missing.length > 0) {
        if (portal) body += `<p>附件请见<a href="${escapeHtml(portal.document)}">政府门户网站原文</a>。</p>`;
        warnings.push(
          `document: attachment${missing.length === 1 ? '' : 's'} ${missing.map((a) => `"${a.name}"`).join(', ')} ${missing.length === 1 ? 'is' : 'are'} not attached in ${columnName} (no public link)${portal ? '; the article points to the portal page that has them' : ''}.`,
        );
      }
      const prepared = prepareBody(body, 'document');
      checkBody(prepared.bodyHtml, 'document.body');
      if (htmlToPlainText(prepared.bodyHtml) === '')
        problems.push({ field: 'document.body', message: 'has no text; a graphic article at the media center needs text' });
      const links: MediaCenterLink[] = [];
      unit.interpretations.forEach((_, n) => {
        const l = interpLink(n);
        if (l) links.push({ ...l, relation: 'interpretation' });
      });
      if (links.length > MEDIA_CENTER_CONTRACT_LIMITS.relatedLinks) {
        problems.push({
          field: 'interpretations',
          message: `the document would link to ${links.length} interpretations; the media center takes at most ${MEDIA_CENTER_CONTRACT_LIMITS.relatedLinks} related links per article (${links.length - MEDIA_CENTER_CONTRACT_LIMITS.relatedLinks} too many)`,
        });
      }
      const subtitle = limited(unit.document.documentNumber, MEDIA_CENTER_CONTRACT_LIMITS.subtitleChars, 'the document number (subtitle)', 'document');
      articles.push({
        item: 'document',
        label,
        kind: 'graphic',
        title,
        subtitle,
        summary: summaryOf(prepared.bodyHtml, MEDIA_CENTER_CONTRACT_LIMITS.summaryChars) || null,
        bodyHtml: prepared.bodyHtml,
        inlineImages: prepared.inlineImages,
        video: null,
        cover: coverOf('document'),
        author: null,
        source,
        relatedLinks: links,
      });
    }

    // The interpretations.
    unit.interpretations.forEach((interp, n) => {
      const item = `interpretation-${n + 1}`;
      const field = `interpretations[${n}]`;
      const label = `interpretation ${n + 1} ${quoted(interp.title)}`;
      const video = isVideo(interp);
      if (!video && !takesGraphic) {
        warnings.push(`${label} is not posted in ${columnName}, which takes only video; it stays on the portal page the video links to.`);
        return;
      }
      const title = checkTitle(interp.title, `${field}.title`);
      const links: MediaCenterLink[] = [];
      if (docLink) links.push({ ...docLink, relation: 'policy' });
      unit.interpretations.forEach((_, m) => {
        const l = m === n ? null : interpLink(m);
        if (l) links.push({ ...l, relation: 'related' });
      });
      if (links.length > MEDIA_CENTER_CONTRACT_LIMITS.relatedLinks) {
        warnings.push(
          `${label}: links to the other interpretations cut to ${MEDIA_CENTER_CONTRACT_LIMITS.relatedLinks - 1} (the media center takes at most ${MEDIA_CENTER_CONTRACT_LIMITS.relatedLinks} related links).`,
        );
        links.length = MEDIA_CENTER_CONTRACT_LIMITS.relatedLinks;
      }
      const author = limited(interp.interpreter, MEDIA_CENTER_CONTRACT_LIMITS.authorChars, 'the interpreter (author)', label);
      const subtitle = truncateChars(`解读：${unit.document.title.trim()}`, MEDIA_CENTER_CONTRACT_LIMITS.subtitleChars);

      if (video && videoKind) {
        let videoRef: MediaCenterArticlePlan['video'] = null;
        let cover: MediaCenterArticlePlan['cover'] = null;
        const uploaded = interp.mediaId !== undefined && unit.media[interp.mediaId]?.kind === 'video';
        if (uploaded && publishesMedia) {
          need(interp.mediaId!, videoSpec, `video (${label})`);
          videoRef = { mediaId: interp.mediaId!, spec: videoSpec };
          need(interp.mediaId!, posterSpec, `video poster (${label})`);
          cover = { mediaId: interp.mediaId!, spec: posterSpec };
        } else if (isHttpUrl(interp.url)) videoRef = { url: interp.url };
        else if (portal?.interpretations[n]) {
          videoRef = { url: portal.interpretations[n]! };
          warnings.push(
            `${label}: ${columnName} gets the link of the portal page that plays the video, not the video file: the media center takes videos only as public links and none is configured (publicMediaUrl).`,
          );
        } else {
          problems.push({
            field: `${field}.mediaId`,
            message: `the video has no public link the media center could play: release the package to the portal as well, give the interpretation a video link, or configure public media links (publicMediaUrl)`,
          });
        }
        const body = interp.body.trim() === '' ? null : prepareBody(interp.body, label);
        if (body) checkBody(body.bodyHtml, `${field}.body`);
        articles.push({
          item,
          label,
          kind: videoKind,
          title,
          subtitle,
          summary: body ? summaryOf(body.bodyHtml, MEDIA_CENTER_CONTRACT_LIMITS.summaryChars) || null : null,
          bodyHtml: body && htmlToPlainText(body.bodyHtml) !== '' ? body.bodyHtml : null,
          inlineImages: body?.inlineImages ?? [],
          video: videoRef,
          cover: cover ?? coverOf(label),
          author,
          source,
          relatedLinks: links,
        });
        return;
      }

      // A graphic article (text, chart, audio, H5… or a video in a column without video).
      let html = interp.body;
      if (video) {
        const page = portal?.interpretations[n] ?? (isHttpUrl(interp.url) ? interp.url : undefined);
        if (page) html += `<p><a href="${escapeHtml(page)}">观看视频解读</a></p>`;
        warnings.push(
          `${label}: ${columnName} takes no video, so the interpretation is posted as a graphic article${page ? ' linking to the page that plays the video' : ' without its video'}.`,
        );
      } else if (isHttpUrl(interp.url)) {
        html += `<p><a href="${escapeHtml(interp.url)}">${escapeHtml(interp.title.trim() || '查看解读')}</a></p>`;
      }
      const prepared = prepareBody(html, label);
      checkBody(prepared.bodyHtml, `${field}.body`);
      if (htmlToPlainText(prepared.bodyHtml) === '') {
        problems.push({
          field: `${field}.body`,
          message: 'has no text; a graphic article at the media center needs text (a picture alone is not enough without public media links)',
        });
      }
      articles.push({
        item,
        label,
        kind: 'graphic',
        title,
        subtitle,
        summary: summaryOf(prepared.bodyHtml, MEDIA_CENTER_CONTRACT_LIMITS.summaryChars) || null,
        bodyHtml: prepared.bodyHtml,
        inlineImages: prepared.inlineImages,
        video: null,
        cover: coverOf(label),
        author,
        source,
        relatedLinks: links,
      });
    });

    if (unit.cover && !publishesMedia) {
      warnings.push(`No cover picture in ${columnName}: the media center takes covers only as public links and none is configured (publicMediaUrl).`);
    }
    if (!portal && unit.interpretations.length > 0) {
      warnings.push(
        `The package is not released to the portal, so the document and its interpretations in ${columnName} carry no links to each other (the media center has no way to link its own articles before they are published).`,
      );
    }
    if (problems.length > 0) throw rejectedContent(where, problems);
    if (articles.length === 0) throw rejectedContent(where, [{ field: 'channel', message: `nothing in this package fits ${columnName}` }]);

    return {
      payload: {
        system,
        channelId: channel.id,
        columnId: channel.ref,
        columnName,
        primaryItem: articles[0]!.item,
        articles,
      },
      renditions: [...renditions.values()],
      warnings,
    };
  }

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
