// The media center contract as govpub speaks it: content kinds, what a delivery carries and checkpoints, the adapter's options, idempotency keys and external refs.
import { createHash } from 'node:crypto';
import type { ContentKind, MediaCenterColumn, MediaCenterSystem } from '../../domain/registry.js';
import { charCount, truncateChars } from '../text.js';
import type { RenditionFile } from '../types.js';
import { MEDIA_CENTER_CONTRACT_LIMITS } from './declaration.js';

export { MEDIA_CENTER_CONTRACT_LIMITS };
export const ALL_KINDS: readonly ContentKind[] = ['graphic', 'video', 'short_video', 'promo'];
export const VIDEO_KINDS: readonly ContentKind[] = ['video', 'short_video', 'promo'];
export const KIND_NAMES: Record<ContentKind, string> = {
  graphic: '图文 (graphic)',
  video: '视频 (video)',
  short_video: '短视频 (short video)',
  promo: '宣传片 (promo)',
};
export const SYSTEM_NAMES: Record<MediaCenterSystem, string> = { news_site: 'the news site (西安网碑林频道)', media_app: 'the media-center app (融媒客户端)' };
export const SYSTEM_NAMES_ZH: Record<MediaCenterSystem, string> = { news_site: '西安网碑林频道', media_app: '融媒客户端' };
export const TOKEN_NAME = 'access_token';
/** The contract's page size: the most articles one list call returns, and the most ids one batch read asks about. */
export const MEDIA_CENTER_PAGE_SIZE = 100;

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
  /**
   * How many of this item's articles the site refused before this one (0, or absent, for the
   * first): the article's key is the item's key for that round (mediaCenterIdempotencyKey).
   */
  round?: number;
}

export interface MediaCenterCheckpoint {
  /** Live or waiting articles by item (`document`, `interpretation-1`, …). Always saved whole. */
  articles: Record<string, MediaCenterArticleRef>;
  /**
   * Items whose article the site refused (rejected in review, deleted or gone before it went
   * live): it published nothing, and the site keeps its key bound to it, so a retry posts the item
   * again under the next round's key. Status queries keep reporting the refusal until then.
   * Always saved whole.
   */
  refused?: Record<string, MediaCenterArticleRef>;
}

/** The article as the media center returns it (fields govpub reads). */
export interface ApiArticle {
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

/**
 * `govpub.<40 hex of sha256(businessKey)>.<item>`, and `.r<round>` after the site refused the
 * item's earlier articles: fits `[A-Za-z0-9._:-]{1,128}` for any key.
 */
export function mediaCenterIdempotencyKey(businessKey: string, item: string, round = 0): string {
  const hash = createHash('sha256').update(businessKey).digest('hex').slice(0, 40);
  const safeItem = item.replace(/[^A-Za-z0-9._:-]/g, '_').slice(0, 60);
  return `govpub.${hash}.${safeItem}${round > 0 ? `.r${round}` : ''}`;
}

/** The business key itself (readable for the site's staff), or its hash when longer than 200. */
export function mediaCenterExternalRef(businessKey: string): string {
  if (charCount(businessKey) <= MEDIA_CENTER_CONTRACT_LIMITS.externalRefChars) return businessKey;
  return `sha256:${createHash('sha256').update(businessKey).digest('hex')}`;
}

export function over(what: string, max: number, got: number): string {
  return `${what} has ${got} characters; the media center takes at most ${max} (${got - max} too many)`;
}

export function quoted(title: string): string {
  return `"${truncateChars(title.trim(), 30)}"`;
}
