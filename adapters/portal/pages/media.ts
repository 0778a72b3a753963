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
  type PortalPayload,
} from '../payload.js';
import { mediaKey } from '../state.js';
import { ALIGNMENTS } from './style.js';
import { esc } from './text.js';

/** A rendition in the site as the pages need it (the generation builder's media record fits). */
export interface PageMediaFile {
  /** Path relative to the site root (urls.ts portalMediaPath). */
  file: string;
  mime: string;
  bytes: number;
  width?: number;
  height?: number;
  durationSec?: number;
}

/** A package's payload and the renditions its pages use, by `mediaKey(mediaId, spec)` (state.ts). */
export interface PageSource {
  payload: PortalPayload;
  media: Record<string, PageMediaFile>;
}

type MediaFile = PageMediaFile;

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

/** Body HTML with its figure markers replaced by pictures, its alignments as classes and its void tags as HTML writes them. */
export function bodyHtml(html: string, source: PageSource, root: string): string {
  return htmlVoidTags(
    alignmentClasses(
      html.replace(FIGURE_MARKER, (_m, n: string) => {
        const figure = source.payload.figures[Number(n)];
        return figure ? pictureHtml(figure, source.media, root) : '';
      }),
    ),
  );
}

/**
 * `<br />` → `<br>` (likewise hr, img, wbr). The editor's sanitizer writes void elements XHTML-style;
 * the pages are HTML5 and are held to html-validate's recommended rules, whose void-style rule
 * refuses the slash, so a 落款 with a line break made its article page fail validation. Sanitized
 * HTML escapes `>` in attribute values, so the first `>` after the tag name closes the tag.
 */
export function htmlVoidTags(html: string): string {
  return html.replace(/<(br|hr|img|wbr)\b([^<>]*?)\s*\/>/gi, '<$1$2>');
}

/**
 * `style="text-align:right"` → `class="align-right"` (style.ts). The site's CSP (style-src 'self')
 * ignores style attributes, so a document's centred heading and right-aligned 落款 would show
 * flush left and every page would log a violation; any other style attribute is dropped. The
 * sanitizer allows no class on body elements, so the class is the element's only one.
 */
export function alignmentClasses(html: string): string {
  // Sanitized HTML quotes every attribute with " (a " inside a value is &quot;), so `style="` starts an attribute.
  return html.replace(/(<[a-z][a-z0-9]*\b[^<>]*?)\sstyle="([^"]*)"/gi, (_m, tag: string, style: string) => {
    const align = /(?:^|;)\s*text-align\s*:\s*([a-z]+)/i.exec(style)?.[1]?.toLowerCase();
    return (ALIGNMENTS as readonly string[]).includes(align ?? '') ? `${tag} class="align-${align}"` : tag;
  });
}

/**
 * The medium shown above an interpretation's text; empty when its rendition is missing. A video
 * carries its captions as a `<track>` when they exist; a video's or audio's transcript follows the
 * player (GB/T 37668: captions or a transcript), readable without playing anything.
 */
export function leadHtml(lead: PortalLead | null, interpretation: PortalInterpretation, source: PageSource, root: string): string {
  if (!lead) return '';
  if (lead.kind === 'figure') {
    const figure = source.payload.figures[lead.figure];
    return figure ? `<figure class="lead">${pictureHtml(figure, source.media, root)}</figure>` : '';
  }
  if (lead.kind === 'video') {
    const video = source.media[mediaKey(lead.mediaId, PORTAL_VIDEO_SPEC)];
    const poster = source.media[mediaKey(lead.mediaId, PORTAL_POSTER_SPEC)];
    if (!video) return '';
    const captions = interpretation.captions ? source.media[mediaKey(interpretation.captions.mediaId, interpretation.captions.spec)] : undefined;
    const size = video.width && video.height ? ` width="${video.width}" height="${video.height}"` : '';
    return (
      `<figure class="lead lead-video"><video controls preload="metadata"${size}${poster ? ` poster="${esc(root + poster.file)}"` : ''} aria-label="${esc(interpretation.title)}">` +
      `<source src="${esc(root + video.file)}" type="${esc(video.mime)}">` +
      (captions ? `<track kind="captions" src="${esc(root + captions.file)}" srclang="zh-CN" label="中文字幕" default>` : '') +
      `您的浏览器不能播放此视频，请<a href="${esc(root + video.file)}">下载视频</a>观看。</video></figure>` +
      transcriptHtml(interpretation, '视频', source, root)
    );
  }
  const audio = source.media[mediaKey(lead.mediaId, PORTAL_AUDIO_SPEC)];
  if (!audio) return '';
  return (
    `<figure class="lead lead-audio"><audio controls preload="none" aria-label="${esc(interpretation.title)}">` +
    `<source src="${esc(root + audio.file)}" type="${esc(audio.mime)}">` +
    `您的浏览器不能播放此音频，请<a href="${esc(root + audio.file)}">下载音频</a>收听。</audio></figure>` +
    transcriptHtml(interpretation, '音频', source, root)
  );
}

/** The transcript under a player, folded (`<details>` opens without script); sanitized HTML, its figure markers resolved. */
function transcriptHtml(interpretation: PortalInterpretation, medium: '视频' | '音频', source: PageSource, root: string): string {
  if (!interpretation.transcriptHtml) return '';
  return `\n<details class="transcript"><summary>${medium}文字实录</summary>\n<div class="transcript-body">\n${bodyHtml(interpretation.transcriptHtml, source, root)}\n</div></details>`;
}
