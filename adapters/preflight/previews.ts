// Per-channel previews: what a reader of each platform will get, read from the payload the platform's own format step made (so truncations and adaptations are the real ones).
import { renditionsFor, type ImageSpec, type PlatformId } from '../../media/specs.js';
import type { Channel } from '../../domain/registry.js';
import type { PlatformDeclaration } from '../platform-declaration.js';
import type { MediaCenterPayload } from '../media-center/contract.js';
import type { ManualHandoffPayload } from '../manual-handoff/payload.js';
import type { PortalPayload } from '../portal/payload.js';
import { charCount, htmlToPlainText, summaryOf } from '../text.js';
import type { ReleaseUnit } from '../types.js';
import type { VideoRef } from '../video-platform/format.js';
import type { WechatPayload } from '../wechat-oa/payload.js';
import type { WeiboPayload } from '../weibo/format.js';
import type { Problem } from './problems.js';

export interface Preview {
  kind: 'portal_article' | 'wechat_article' | 'weibo_post' | 'video_post' | 'media_center_article' | 'handoff_bundle';
  title: string;
  titleLimit?: number;
  titleTruncated: boolean;
  digest?: string;
  /** Sanitized HTML, as sent (govpub pictures still at /api/media/…). */
  bodyHtml?: string;
  /** Plain text, as sent (Weibo's post, a video post's text, a hand-off description). */
  text?: string;
  link?: string;
  /**
   * `ready` (set by services/preflight.ts where it can look): false while the rendition is not made
   * yet, when its `url` answers 404; `originalUrl` is an image original to show meanwhile.
   */
  cover?: { mediaId: string; originalUrl?: string; crops: { spec: string; width: number; height: number; url: string; ready?: boolean }[] };
  video?: { mediaId: string; posterUrl?: string; posterReady?: boolean; durationSec?: number };
  /** zh: the adaptations applied (from the warnings). */
  notes: string[];
}

/** WeChat shows this much of a digest under the title (its documented limit). */
const WECHAT_DIGEST_CHARS = 128;

const renditionUrl = (mediaId: string, spec: string) => `/api/media/${mediaId}/renditions/${encodeURIComponent(spec)}`;

/** The picture crops a platform makes of a cover (from its declared renditions). */
function coverOf(platform: string, unit: ReleaseUnit, mediaId: string | undefined): Preview['cover'] {
  if (!mediaId) return undefined;
  const kind = unit.media[mediaId]?.kind ?? 'image';
  if (kind === 'audio') return undefined;
  const purposes = kind === 'video' ? ['poster', 'cover'] : ['cover', 'post', 'responsive'];
  const specs = renditionsFor(platform as PlatformId, kind).filter((s): s is ImageSpec => s.kind === 'image' && purposes.includes(s.purpose));
  // The first purpose the platform has (e.g. WeChat's 2.35:1 and 1:1 covers; Weibo's post picture).
  const chosen = purposes.map((p) => specs.filter((s) => s.purpose === p)).find((list) => list.length > 0) ?? [];
  return {
    mediaId,
    ...(kind === 'image' ? { originalUrl: `/api/media/${mediaId}/content` } : {}),
    crops: chosen.slice(0, 3).map((s) => ({ spec: s.key, width: s.width, height: s.height, url: renditionUrl(mediaId, s.key) })),
  };
}

function titleLimitOf(d: PlatformDeclaration): number | undefined {
  const l = d.limits;
  const value = l.titleChars ?? l.titleMaxChars;
  return typeof value === 'number' ? value : undefined;
}

function videoOf(platform: string, unit: ReleaseUnit, video: VideoRef): Preview['video'] {
  const poster = renditionsFor(platform as PlatformId, 'video').find((s) => s.kind === 'image' && (s.purpose === 'poster' || s.purpose === 'cover'));
  return {
    mediaId: video.mediaId,
    ...(poster ? { posterUrl: renditionUrl(video.mediaId, poster.key) } : {}),
    ...(video.durationSec !== undefined ? { durationSec: video.durationSec } : {}),
  };
}

export function previewOf(d: PlatformDeclaration, channel: Channel, unit: ReleaseUnit, payload: unknown, warnings: Problem[]): Preview {
  const notes = warnings.map((w) => w.message);
  const titleLimit = titleLimitOf(d);
  const truncated = (shown: string, full: string) => shown.trim() !== full.trim();
  const link = unit.portalLinks?.document;

  if (d.id === 'portal') {
    const p = payload as PortalPayload;
    return {
      kind: 'portal_article',
      title: p.document.title,
      ...(titleLimit ? { titleLimit } : {}),
      titleTruncated: truncated(p.document.title, unit.document.title),
      digest: p.summary,
      bodyHtml: p.document.bodyHtml,
      ...(link ? { link } : {}),
      ...(p.cover ? { cover: coverOf(d.id, unit, p.cover.mediaId) } : {}),
      notes,
    };
  }
  if (d.id === 'wechat_oa') {
    const p = payload as WechatPayload;
    const first = p.articles[0]!;
    return {
      kind: 'wechat_article',
      title: first.title,
      ...(titleLimit ? { titleLimit } : {}),
      titleTruncated: truncated(first.title, unit.document.title),
      // A multi-article push shows no digest; the preview shows what a single article would.
      digest: first.digest || summaryOf(first.content, WECHAT_DIGEST_CHARS),
      bodyHtml: first.content,
      ...(first.sourceUrl ? { link: first.sourceUrl } : {}),
      cover: coverOf(d.id, unit, p.cover.mediaId),
      notes,
    };
  }
  if (d.id === 'weibo') {
    const p = payload as WeiboPayload;
    return {
      kind: 'weibo_post',
      title: unit.document.title.trim(),
      titleTruncated: false,
      text: p.text,
      ...(p.link ? { link: p.link } : {}),
      ...(p.picture ? { cover: coverOf(d.id, unit, p.picture.mediaId) } : {}),
      notes,
    };
  }
  if (d.video === 'required' && d.publishing === 'api') {
    const p = payload as { video: VideoRef; interpretation: number; title?: string; desc?: string; text?: string; caption?: string };
    const text = p.desc ?? p.text ?? p.caption ?? '';
    const title = p.title ?? text.split('\n')[0] ?? '';
    const interp = unit.interpretations[p.interpretation];
    return {
      kind: 'video_post',
      title,
      ...(titleLimit ? { titleLimit } : {}),
      titleTruncated: interp ? truncated(title, interp.title.trim() || unit.document.title) : false,
      text,
      ...(link ? { link } : {}),
      video: videoOf(d.id, unit, p.video),
      notes,
    };
  }
  if (d.channelKind === 'media_center_column') {
    const p = payload as MediaCenterPayload;
    const first = p.articles.find((a) => a.item === p.primaryItem) ?? p.articles[0]!;
    return {
      kind: 'media_center_article',
      title: first.title,
      ...(titleLimit ? { titleLimit } : {}),
      titleTruncated: false,
      ...(first.summary ? { digest: first.summary } : {}),
      ...(first.bodyHtml ? { bodyHtml: first.bodyHtml } : {}),
      ...(link ? { link } : {}),
      ...(first.cover ? { cover: coverOf(d.id, unit, first.cover.mediaId) } : {}),
      ...(first.video && 'mediaId' in first.video ? { video: videoOf(d.id, unit, { mediaId: first.video.mediaId, spec: first.video.spec }) } : {}),
      notes,
    };
  }
  // Manual platforms: the bundle an operator posts.
  const p = payload as ManualHandoffPayload;
  const title = p.title ?? p.shortTitle ?? unit.document.title.trim();
  const text = p.bodyText ?? p.description ?? (p.bodyHtml ? htmlToPlainText(p.bodyHtml) : '');
  const coverFile = p.files.find((f) => /封面/.test(f.purpose)) ?? p.files.find((f) => unit.media[f.mediaId]?.kind === 'image');
  const videoFile = p.files.find((f) => unit.media[f.mediaId]?.kind === 'video' && !/封面/.test(f.purpose));
  return {
    kind: 'handoff_bundle',
    title,
    ...(titleLimit ? { titleLimit } : {}),
    titleTruncated: titleLimit !== undefined && p.title !== null && charCount(unit.document.title.trim()) > titleLimit && truncated(title, unit.document.title),
    ...(p.bodyHtml ? { bodyHtml: p.bodyHtml } : {}),
    text,
    ...(p.links[0] ? { link: p.links[0].url } : {}),
    ...(coverFile ? { cover: coverOf(d.id, unit, coverFile.mediaId) } : {}),
    ...(videoFile
      ? { video: videoOf(d.id, unit, { mediaId: videoFile.mediaId, spec: videoFile.spec, durationSec: unit.media[videoFile.mediaId]?.durationSec }) }
      : {}),
    notes: [`${d.localName}没有发布接口：运维人员下载发布包后手工发布，并回填帖子链接。`, ...notes],
  };
}
