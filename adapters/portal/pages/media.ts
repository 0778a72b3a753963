/**
 * Media inside pages: each uploaded image as a responsive `<picture>`, body HTML with its figure
 * markers resolved, and an interpretation's lead (picture, video with poster, or audio).
 */
import {
  FIGURE_MARKER,
  PORTAL_AUDIO_SPEC,
  PORTAL_IMAGE_WIDTHS,
  PORTAL_POSTER_SPEC,
  PORTAL_VIDEO_SPEC,
  type PortalFigure,
  type PortalInterpretation,
  type PortalLead,
} from '../payload.js';
import { mediaKey, type MediaFile, type PackageSource } from '../state.js';
import { esc } from './text.js';

const PICTURE_SIZES = '(max-width: 960px) 100vw, 960px';

/** `<picture>`: WebP sources and a JPEG fallback over the widths the renditions really have. */
export function pictureHtml(figure: PortalFigure, media: Record<string, MediaFile>, root: string): string {
  const variants = (ext: 'webp' | 'jpg') => {
    const byFile = new Map<string, MediaFile>();
    for (const w of PORTAL_IMAGE_WIDTHS) {
      const file = media[mediaKey(figure.mediaId, `portal.w${w}.${ext}`)];
      if (file && !byFile.has(file.file)) byFile.set(file.file, file);
    }
    return [...byFile.values()].sort((a, b) => (a.width ?? 0) - (b.width ?? 0));
  };
  const srcset = (files: MediaFile[]) => files.map((f) => `${root}${f.file} ${f.width ?? 0}w`).join(', ');
  const webp = variants('webp');
  const jpeg = variants('jpg');
  if (jpeg.length === 0) return '';
  const fallback = jpeg.find((f) => (f.width ?? 0) >= 960) ?? jpeg[jpeg.length - 1]!;
  const size = fallback.width && fallback.height ? ` width="${fallback.width}" height="${fallback.height}"` : '';
  const source = webp.length > 0 ? `<source type="image/webp" srcset="${esc(srcset(webp))}" sizes="${PICTURE_SIZES}">` : '';
  return (
    `<picture>${source}<img src="${esc(root + fallback.file)}" srcset="${esc(srcset(jpeg))}" sizes="${PICTURE_SIZES}"` +
    `${size} alt="${esc(figure.alt)}" loading="lazy" decoding="async"></picture>`
  );
}

/** Body HTML with its figure markers replaced by pictures. */
export function bodyHtml(html: string, source: PackageSource, root: string): string {
  return html.replace(FIGURE_MARKER, (_m, n: string) => {
    const figure = source.payload.figures[Number(n)];
    return figure ? pictureHtml(figure, source.media, root) : '';
  });
}

/** The medium shown above an interpretation's text; empty when its rendition is missing. */
export function leadHtml(lead: PortalLead | null, interpretation: PortalInterpretation, source: PackageSource, root: string): string {
  if (!lead) return '';
  if (lead.kind === 'figure') {
    const figure = source.payload.figures[lead.figure];
    return figure ? `<figure class="lead">${pictureHtml(figure, source.media, root)}</figure>` : '';
  }
  if (lead.kind === 'video') {
    const video = source.media[mediaKey(lead.mediaId, PORTAL_VIDEO_SPEC)];
    const poster = source.media[mediaKey(lead.mediaId, PORTAL_POSTER_SPEC)];
    if (!video) return '';
    const size = video.width && video.height ? ` width="${video.width}" height="${video.height}"` : '';
    return (
      `<figure class="lead lead-video"><video controls preload="metadata"${size}${poster ? ` poster="${esc(root + poster.file)}"` : ''} aria-label="${esc(interpretation.title)}">` +
      `<source src="${esc(root + video.file)}" type="${esc(video.mime)}">` +
      `您的浏览器不能播放此视频，请<a href="${esc(root + video.file)}">下载视频</a>观看。</video></figure>`
    );
  }
  const audio = source.media[mediaKey(lead.mediaId, PORTAL_AUDIO_SPEC)];
  if (!audio) return '';
  return (
    `<figure class="lead lead-audio"><audio controls preload="none" aria-label="${esc(interpretation.title)}">` +
    `<source src="${esc(root + audio.file)}" type="${esc(audio.mime)}">` +
    `您的浏览器不能播放此音频，请<a href="${esc(root + audio.file)}">下载音频</a>收听。</audio></figure>`
  );
}
