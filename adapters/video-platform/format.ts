// The format steps the video platforms (Douyin, Bilibili, Kuaishou) share: picking the video interpretation, the post's title, the video reference, and a text of title, summary and portal mention.
import { formatDuration, formatDurationZh } from '../../media/units.js';
import { rejectedContent } from '../errors.js';
import { FormatWarnings, type FormatProblem } from '../format-notes.js';
import { charCount, htmlToPlainText, truncateChars } from '../text.js';
import type { MediaInfo, ReleaseUnit } from '../types.js';

/** A sentence in English and Simplified Chinese, as a problem carries it. */
export interface Worded {
  message: string;
  messageZh: string;
}

/**
 * The opening every video format step shares: the video interpretation (or the rejection saying
 * why there is none), its length against the platform's limit (`tooLong` words the problem, or
 * says the length is fine), and the post's title (the interpretation's, else the document's).
 */
export function videoToPost(
  unit: ReleaseUnit,
  platformName: string,
  platformZh: string,
  maxDurationSec: number,
  tooLong: (durationSec: number) => Worded | undefined,
) {
  const problems: FormatProblem[] = [];
  const warnings = new FormatWarnings();
  const picked = pickVideo(unit, platformName, platformZh, problems);
  if (!picked) throw rejectedContent(platformName, problems);
  const field = `interpretations[${picked.index}]`;
  const over = picked.media.durationSec === undefined ? undefined : tooLong(picked.media.durationSec);
  if (over) problems.push({ field, ...over });
  if (picked.media.durationSec === undefined)
    warnings.add(
      `${platformName}: the video's length is unknown, so the ${formatDuration(maxDurationSec)} limit could not be checked before upload.`,
      `视频时长未知，上传前无法核对${platformZh} ${formatDurationZh(maxDurationSec)}的时长上限。请重新上传视频文件以便识别时长。`,
    );
  const title = (picked.interp.title.trim() || unit.document.title.trim()).replace(/\s+/g, ' ');
  return { ...picked, field, title, problems, warnings };
}

/** The first video interpretation with an uploaded video file; problems say why there is none. */
export function pickVideo(unit: ReleaseUnit, platformName: string, platformZh: string, problems: FormatProblem[]) {
  const videos = unit.interpretations.map((interp, index) => ({ interp, index })).filter((x) => x.interp.form === 'video');
  for (const { interp, index } of videos) {
    const media = interp.mediaId ? unit.media[interp.mediaId] : undefined;
    if (media && media.kind === 'video') return { index, interp, media };
  }
  if (videos.length === 0) {
    problems.push({
      field: 'interpretations',
      message: `${platformName} only takes video, and this package has no video interpretation; add one, or leave this channel out of the release`,
      messageZh: `${platformZh}只收视频，而本稿件没有视频解读。请添加一篇带视频文件的视频解读，或在本次发布中去掉该渠道。`,
    });
  } else {
    const { interp, index } = videos[0]!;
    problems.push({
      field: `interpretations[${index}]`,
      ...(interp.mediaId
        ? {
            message: `the video interpretation's file is not a probed video upload; upload the video file again`,
            messageZh: '该视频解读的文件不是已识别的视频上传文件。请重新上传视频文件。',
          }
        : {
            message: `the video interpretation has no uploaded video file${interp.url ? ' (only a link)' : ''}; ${platformName} needs the file itself`,
            messageZh: `该视频解读没有上传视频文件${interp.url ? '（只有链接）' : ''}，${platformZh}需要视频文件本身。请上传视频文件。`,
          }),
    });
  }
  return undefined;
}

/** The payload's reference to the uploaded rendition of the video (its name and length for people). */
/** The video a post carries: a rendition of one original, with what messages and checks need of it. */
export interface VideoRef {
  mediaId: string;
  spec: string;
  name?: string;
  durationSec?: number;
}

export function videoRef(media: MediaInfo, spec: string): VideoRef {
  return {
    mediaId: media.mediaId,
    spec,
    ...(media.name ? { name: media.name } : {}),
    ...(media.durationSec !== undefined ? { durationSec: media.durationSec } : {}),
  };
}

/** The interpretation text on one line, as a post's summary starts from. */
export function plainSummarySource(html: string): string {
  return htmlToPlainText(html)
    .replace(/\s*\n\s*/g, ' ')
    .trim();
}

/** How a platform's post text is named in its messages. */
export interface PostTextWords {
  /** The platform's name in warnings (`Douyin (抖音)`). */
  platformName: string;
  /** Its name in Chinese (`抖音`). */
  platformZh: string;
  /** What the text is (`the video text`, `the caption`). */
  text: string;
  /** The same in Chinese (`视频文案`). */
  textZh: string;
  /** The sentence opening of the limit problem (`Douyin's video text holds`). */
  holdsAtMost: string;
}

/**
 * A post text of the title, as much of the interpretation text as fits (at most `summaryChars`),
 * and the mention of the portal page, one per line. A title that leaves no room is a problem;
 * a shortened summary is a warning.
 */
export function titleSummaryMention(
  a: { title: string; body: string; mention: string; maxChars: number; summaryChars: number; field: string },
  words: PostTextWords,
  problems: FormatProblem[],
  warnings: FormatWarnings,
): string {
  const { title, mention, maxChars, field } = a;
  if (title === '') problems.push({ field: `${field}.title`, message: 'the video needs a title', messageZh: '视频需要标题。请填写解读标题或文件标题。' });
  const fixed = charCount(title) + (mention ? charCount(mention) + 1 : 0);
  if (fixed > maxChars) {
    problems.push({
      field: `${field}.title`,
      message: `${words.holdsAtMost} at most ${maxChars} characters; the title alone has ${charCount(title)}`,
      messageZh: `${words.platformZh}的${words.textZh}最多 ${maxChars} 个字${mention ? '（含门户网站说明）' : ''}，仅标题就有 ${charCount(title)} 个字。请缩短标题。`,
    });
  }
  if (problems.length) throw rejectedContent(words.platformName, problems);

  const plain = plainSummarySource(a.body);
  const budget = Math.min(a.summaryChars, maxChars - fixed - 1);
  let summary = '';
  if (plain && budget >= 10) {
    summary = truncateChars(plain, budget);
    if (summary !== plain)
      warnings.add(
        `${words.platformName}: ${words.text} carries the first ${charCount(summary) - 1} characters of the interpretation text.`,
        `${words.platformZh}的${words.textZh}只带解读正文的前 ${charCount(summary) - 1} 个字。`,
      );
  } else if (plain)
    warnings.add(
      `${words.platformName}: the title leaves no room for the interpretation text in ${words.text}.`,
      `标题已占满${words.platformZh}${words.textZh}的字数，不带解读正文。缩短标题可以放下解读摘要。`,
    );
  return [title, summary, mention].filter((s) => s !== '').join('\n');
}
