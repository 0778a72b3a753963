// Bilibili's format step (pure): the video interpretation as one archive (稿件) with title, description ending in the portal link, tags, partition, copyright and a cover of at least 960×600; with the adapter's options and payload.
import { formatDuration, formatDurationZh } from '../../media/units.js';
import { rejectedContent } from '../errors.js';
import { FormatWarnings, type FormatProblem } from '../format-notes.js';
import { charCount, truncateChars } from '../text.js';
import type { Formatted, MediaInfo, ReleaseUnit } from '../types.js';
import { videoTiming, type VideoTimingOptions } from '../video-platform/client.js';
import { plainSummarySource, videoRef, videoToPost, type VideoRef, type Worded } from '../video-platform/format.js';
import { MiB } from '../video-platform/upload.js';
import { bilibiliDeclaration } from './declaration.js';

export const NAME = 'Bilibili (哔哩哔哩)';

export interface BilibiliAdapterOptions extends VideoTimingOptions {
  /** Child partition (子分区) submissions go to (default 206 资讯 › 综合). */
  tid?: number;
  /** Tags every submission carries (default 碑林区, 政务公开); the package's catalogue name is added. */
  tags?: string[];
  /** 1 自制 (own production, default) or 2 转载 (reprint, needs `source`). */
  copyright?: 1 | 2;
  source?: string;
  /** 1 forbids reprinting (default 0). */
  noReprint?: 0 | 1;
  /** Size of each uploaded part (default 8 MiB, as recommended). */
  partBytes?: number;
  /** Longest video: under 5 hours (default 18000 s, exclusive). */
  maxDurationSec?: number;
  /** Where parts go (default: the API base URL; production: the upload host). */
  uploadBaseUrl?: string;
  /** Text before the portal link in the description (default 政策原文：). */
  portalLabel?: string;
}

/** Bilibili's documented limits (its declaration). */
export const BILIBILI_ADAPTER_LIMITS = bilibiliDeclaration.limits;
const L = BILIBILI_ADAPTER_LIMITS;

/** The options with their defaults. */
export function bilibiliOptions(options: BilibiliAdapterOptions) {
  return {
    tid: options.tid ?? 206,
    tags: options.tags ?? ['碑林区', '政务公开'],
    copyright: options.copyright ?? 1,
    source: options.source,
    noReprint: options.noReprint ?? 0,
    partBytes: options.partBytes ?? 8 * MiB,
    maxDurationSec: options.maxDurationSec ?? 5 * 3600,
    uploadBaseUrl: options.uploadBaseUrl,
    portalLabel: options.portalLabel ?? '政策原文：',
    ...videoTiming(options),
  };
}

export type BilibiliOptions = ReturnType<typeof bilibiliOptions>;

export interface BilibiliPayload {
  platform: 'bilibili';
  interpretation: number;
  video: VideoRef;
  cover: { mediaId: string; spec: string };
  title: string;
  desc: string;
  tags: string[];
  tid: number;
  copyright: 1 | 2;
  source?: string;
  noReprint: 0 | 1;
}

/** The length Bilibili does not take (it takes videos under the limit), in an editor's words. */
export function tooLongForBilibili(durationSec: number, maxDurationSec: number): Worded | undefined {
  return durationSec >= maxDurationSec
    ? {
        message: `the video is ${formatDuration(durationSec)} long; Bilibili takes videos under ${formatDuration(maxDurationSec)}`,
        messageZh: `视频时长 ${formatDurationZh(durationSec)}，哔哩哔哩只接收短于 ${formatDurationZh(maxDurationSec)}的视频。请剪短视频或分段发布。`,
      }
    : undefined;
}

export function formatBilibili(unit: ReleaseUnit, o: BilibiliOptions): Formatted<BilibiliPayload> {
  const { index, interp, media, field, title, problems, warnings } = videoToPost(unit, NAME, '哔哩哔哩', o.maxDurationSec, (d) =>
    tooLongForBilibili(d, o.maxDurationSec),
  );
  if (title === '')
    problems.push({ field: `${field}.title`, message: 'Bilibili needs a title', messageZh: '哔哩哔哩稿件需要标题。请填写解读标题或文件标题。' });
  else if (charCount(title) > L.titleChars)
    problems.push({
      field: `${field}.title`,
      message: `Bilibili titles have at most ${L.titleChars} characters; this one has ${charCount(title)} (${charCount(title) - L.titleChars} too many)`,
      messageZh: `哔哩哔哩标题最多 ${L.titleChars} 个字，本标题有 ${charCount(title)} 个字（多 ${charCount(title) - L.titleChars} 个字）。请缩短标题。`,
    });
  const cover = pickCover(unit, media, problems, warnings);
  const tags = pickTags([...o.tags, unit.catalogue.name], warnings);
  if (tags.length === 0)
    problems.push({
      field: 'tags',
      message: 'Bilibili needs at least one tag (configure the channel’s tags)',
      messageZh: '哔哩哔哩稿件至少需要一个标签。请运维人员为该渠道配置标签。',
    });
  if (o.copyright === 2 && !o.source?.trim())
    problems.push({
      field: 'source',
      message: 'a reprint (copyright 2) must name its source',
      messageZh: '转载稿件（copyright 2）必须注明来源。请运维人员为该渠道配置转载来源。',
    });
  if (o.source && charCount(o.source) > L.sourceChars)
    problems.push({
      field: 'source',
      message: `the source has at most ${L.sourceChars} characters`,
      messageZh: `转载来源最多 ${L.sourceChars} 个字，当前有 ${charCount(o.source)} 个字。请运维人员缩短该渠道配置的来源。`,
    });
  if (problems.length) throw rejectedContent(NAME, problems);

  const payload: BilibiliPayload = {
    platform: 'bilibili',
    interpretation: index,
    video: videoRef(media, 'bilibili.video_1080'),
    cover: cover!,
    title,
    desc: description(unit, interp.body, o.portalLabel, warnings),
    tags,
    tid: o.tid,
    copyright: o.copyright,
    ...(o.copyright === 2 && o.source ? { source: o.source } : {}),
    noReprint: o.noReprint,
  };
  return {
    payload,
    renditions: [
      { mediaId: media.mediaId, spec: 'bilibili.video_1080', purpose: 'interpretation video' },
      { mediaId: cover!.mediaId, spec: cover!.spec, purpose: cover!.spec === 'bilibili.cover' ? 'cover' : 'cover (frame of the video)' },
    ],
    ...warnings.lists(),
  };
}

/** The package's cover when it meets 960×600, else a frame of the video; a problem when neither does. */
function pickCover(unit: ReleaseUnit, media: MediaInfo, problems: FormatProblem[], warnings: FormatWarnings): BilibiliPayload['cover'] | undefined {
  const coverMedia = unit.cover ? unit.media[unit.cover.mediaId] : undefined;
  const bigEnough = (m: { width?: number; height?: number }) =>
    m.width === undefined || m.height === undefined || (m.width >= L.coverMinWidth && m.height >= L.coverMinHeight);
  if (coverMedia && coverMedia.kind === 'image' && bigEnough(coverMedia)) return { mediaId: coverMedia.mediaId, spec: 'bilibili.cover' };
  if (bigEnough(media)) {
    if (coverMedia)
      warnings.add(
        `cover: the package cover is ${coverMedia.width}×${coverMedia.height}, under Bilibili's ${L.coverMinWidth}×${L.coverMinHeight} minimum; a frame of the video is the cover instead.`,
        `稿件封面为 ${coverMedia.width}×${coverMedia.height}，小于哔哩哔哩 ${L.coverMinWidth}×${L.coverMinHeight} 的最低要求，将改用视频的一帧画面作为封面。如需使用自己的封面，请选择更大的图片。`,
      );
    return { mediaId: media.mediaId, spec: 'bilibili.video_cover' };
  }
  problems.push({
    field: 'cover',
    message: `Bilibili needs a cover of at least ${L.coverMinWidth}×${L.coverMinHeight}: ${coverMedia ? `the package cover is ${coverMedia.width}×${coverMedia.height} and ` : 'the package has no cover and '}the video is ${media.width}×${media.height}; choose a larger cover picture`,
    messageZh: `哔哩哔哩封面至少需要 ${L.coverMinWidth}×${L.coverMinHeight}：${coverMedia ? `稿件封面为 ${coverMedia.width}×${coverMedia.height}，` : '稿件没有封面，'}视频画面为 ${media.width}×${media.height}。请选择一张更大的封面图片。`,
  });
  return undefined;
}

/** The tags that fit Bilibili's rules, in order, without repeats; the ones left out are warned of. */
function pickTags(candidates: string[], warnings: FormatWarnings): string[] {
  const tags: string[] = [];
  for (const raw of candidates) {
    const tag = raw.replace(/[,，]/g, ' ').replace(/\s+/g, ' ').trim();
    if (tag === '' || tags.includes(tag)) continue;
    if (charCount(tag) > L.tagChars) {
      warnings.add(
        `${NAME}: the tag "${tag}" is longer than ${L.tagChars} characters and is left out.`,
        `标签“${tag}”超过哔哩哔哩 ${L.tagChars} 个字的上限，不会使用。`,
      );
      continue;
    }
    if (tags.length === L.tagCount) {
      warnings.add(`${NAME}: at most ${L.tagCount} tags; "${tag}" is left out.`, `哔哩哔哩最多 ${L.tagCount} 个标签，标签“${tag}”不会使用。`);
      continue;
    }
    tags.push(tag);
  }
  return tags;
}

/** The description: summary, then the link to the document page (kept whole). */
function description(unit: ReleaseUnit, body: string, portalLabel: string, warnings: FormatWarnings): string {
  const link = unit.portalLinks ? `${portalLabel}${unit.portalLinks.document}` : '';
  let linkLine = link;
  if (charCount(link) > L.descChars) {
    warnings.add(
      `${NAME}: the portal link does not fit the ${L.descChars}-character description and is left out.`,
      `门户网站链接放不进哔哩哔哩 ${L.descChars} 字的简介，简介中不带该链接。`,
    );
    linkLine = '';
  }
  const plain = plainSummarySource(body);
  const budget = L.descChars - (linkLine ? charCount(linkLine) + 1 : 0);
  let summary = '';
  if (plain && budget >= 10) {
    summary = truncateChars(plain, budget);
    if (summary !== plain)
      warnings.add(
        `${NAME}: the description carries the first ${charCount(summary) - 1} characters of the interpretation text.`,
        `哔哩哔哩简介只带解读正文的前 ${charCount(summary) - 1} 个字。`,
      );
  }
  return [summary, linkLine].filter((s) => s !== '').join('\n');
}
