/**
 * What the portal's `format` step produces (the delivery's payload snapshot) and the media specs
 * a payload needs. Plain JSON: page bodies with each uploaded image replaced by a figure marker
 * that `transmit` resolves once the renditions exist.
 */
import type { RenditionNeed } from '../types.js';
import type { DocumentValidity } from './pages/model.js';

export const PORTAL_PLATFORM = 'portal';
export const DEFAULT_SITE_NAME = '西安市碑林区人民政府';

/** Responsive widths of body images: a `<picture>` with WebP sources and a JPEG fallback. */
export const PORTAL_IMAGE_WIDTHS = [480, 960, 1600] as const;
export const PORTAL_IMAGE_SPECS = PORTAL_IMAGE_WIDTHS.flatMap((w) => [`portal.w${w}.webp`, `portal.w${w}.jpg`]);
export const PORTAL_COVER_SPEC = 'portal.cover';
export const PORTAL_VIDEO_SPEC = 'portal.video_720';
export const PORTAL_POSTER_SPEC = 'portal.poster';
export const PORTAL_AUDIO_SPEC = 'portal.audio';
/** An image attachment links to its largest JPEG rendition (metadata removed, watermarked). */
export const PORTAL_IMAGE_ATTACHMENT_SPEC = 'portal.w1600.jpg';
/** A document attachment (PDF, Word, Excel, OFD) is published exactly as uploaded. */
export const PORTAL_ATTACHMENT_SPEC = 'portal.attachment';
/** A video's WebVTT captions, published as uploaded. */
export const PORTAL_CAPTIONS_SPEC = 'portal.captions';

/** Where a figure marker stands in page HTML: `<!--portal-figure:3-->` = payload.figures[3]. */
export const FIGURE_MARKER = /<!--portal-figure:(\d+)-->/g;
export function figureMarker(index: number): string {
  return `<!--portal-figure:${index}-->`;
}

/** An uploaded image placed on a page. */
export interface PortalFigure {
  mediaId: string;
  /** The editor's alt text, or the caption/title used instead (format warned about it). */
  alt: string;
}

export interface PortalAttachment {
  name: string;
  /** An external link (http/https) the editor gave. */
  href: string | null;
  /**
   * An uploaded file, linked as this rendition. For a document (published as uploaded) also its
   * MIME type and size, which the page shows beside the link (e.g. 「PDF，1.2 MB」).
   */
  media: { mediaId: string; spec: string; kind: 'image' | 'video' | 'audio' | 'document'; mime?: string; sizeBytes?: number } | null;
}

/** The main medium of an interpretation, shown above its text. */
export type PortalLead = { kind: 'figure'; figure: number } | { kind: 'video'; mediaId: string } | { kind: 'audio'; mediaId: string };

export interface PortalInterpretation {
  form: string;
  /** 文字解读, 视频解读, …: the label the page and the document's 「关联解读」 list show. */
  formLabel: string;
  title: string;
  interpreter: string | null;
  /** Sanitized body HTML with figure markers. */
  bodyHtml: string;
  lead: PortalLead | null;
  /** An external page (an H5 interpretation, a video on another site). */
  link: string | null;
  /** A video's captions (WebVTT rendition), shown as a <track>; GB/T 37668 wants captions or a transcript. */
  captions: { mediaId: string; spec: string } | null;
  /** A video's or audio's transcript (sanitized HTML), shown under the player. */
  transcriptHtml: string | null;
}

export interface PortalPayload {
  version: 1;
  /** The column this delivery lists the package in; the name path comes from the registry. */
  column: { id: string; path: string[] };
  packageId: string;
  revision: number;
  contentHash: string;
  /** ISO 8601; the 发布日期 of every page and the order of lists and feeds. */
  releasedAt: string;
  /** Plain text for lists, feeds and the description meta tag. */
  summary: string;
  catalogueName: string;
  /** The disclosure catalogue item (政府信息公开 pages list the document under it). */
  catalogueId: string;
  document: {
    title: string;
    bodyHtml: string;
    /** 发文字号 */
    documentNumber: string | null;
    /** 发布机构 */
    issuingUnit: string | null;
    /** 成文日期, YYYY-MM-DD. */
    formedAt: string | null;
    /** 索引号 `<organCode>/<year>-<serial>`, assigned once at the first release (domain/index-number.ts). */
    indexNumber: string | null;
    /** 主题分类, e.g. 综合政务\\政务公开 (config/registry/topics.yaml). */
    topic: string | null;
    /** 主题词 */
    keywords: string[];
    /** 有效性, for normative documents; changed later by its own command without a new revision. */
    validity: DocumentValidity | null;
    attachments: PortalAttachment[];
  };
  interpretations: PortalInterpretation[];
  figures: PortalFigure[];
  cover: { mediaId: string; alt: string } | null;
  /**
   * Every portal column of the package in this revision (sorted), when there are several: a commit
   * carrying one of them waits a moment for the others, so the package goes onto the site in one
   * generation (site.ts). Not part of what the pages show.
   */
  packageColumns?: string[];
}

/** Every rendition a payload needs, once each, with the reason for progress displays. */
export function renditionNeeds(payload: PortalPayload): RenditionNeed[] {
  const needs = new Map<string, RenditionNeed>();
  const add = (mediaId: string, spec: string, purpose: string) => {
    const key = `${mediaId} ${spec}`;
    if (!needs.has(key)) needs.set(key, { mediaId, spec, purpose });
  };
  if (payload.cover) add(payload.cover.mediaId, PORTAL_COVER_SPEC, 'cover');
  payload.figures.forEach((figure, i) => {
    for (const spec of PORTAL_IMAGE_SPECS) add(figure.mediaId, spec, `image ${i + 1}`);
  });
  payload.interpretations.forEach((interpretation, i) => {
    if (interpretation.lead?.kind === 'video') {
      add(interpretation.lead.mediaId, PORTAL_VIDEO_SPEC, `interpretation ${i + 1} video`);
      add(interpretation.lead.mediaId, PORTAL_POSTER_SPEC, `interpretation ${i + 1} video poster`);
    } else if (interpretation.lead?.kind === 'audio') {
      add(interpretation.lead.mediaId, PORTAL_AUDIO_SPEC, `interpretation ${i + 1} audio`);
    }
  });
  payload.interpretations.forEach((interpretation, i) => {
    if (interpretation.captions) add(interpretation.captions.mediaId, interpretation.captions.spec, `interpretation ${i + 1} captions`);
  });
  payload.document.attachments.forEach((attachment, i) => {
    if (attachment.media) add(attachment.media.mediaId, attachment.media.spec, `attachment ${i + 1}`);
  });
  return [...needs.values()];
}

/** `<columnId>/<packageId>`: what transmit answers and takeDown receives. */
export function portalExternalId(columnId: string, packageId: string): string {
  return `${columnId}/${packageId}`;
}

export function parsePortalExternalId(externalId: string): { columnId: string; packageId: string } | null {
  const slash = externalId.indexOf('/');
  if (slash <= 0 || slash === externalId.length - 1) return null;
  const columnId = externalId.slice(0, slash);
  const packageId = externalId.slice(slash + 1);
  return isSafeSlug(columnId) && isSafeSlug(packageId) ? { columnId, packageId } : null;
}

/**
 * Package and column ids become directory names and URL segments, so only characters that need
 * no escaping in either are allowed (`pkg-20250601-ab12cd34`, `zwgk-zcwj-qzfwj`).
 */
export function isSafeSlug(id: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(id) && !id.includes('..');
}
