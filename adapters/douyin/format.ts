// Douyin's format step (pure): the video interpretation as one Douyin video, its text of title, summary and a mention of the portal page; with the adapter's options and payload.
import { formatDuration, formatDurationZh } from '../../media/units.js';
import type { Formatted, ReleaseUnit } from '../types.js';
import { titleSummaryMention, videoRef, videoToPost, type VideoRef, type Worded } from '../video-platform/format.js';
import { videoTiming, type VideoTimingOptions } from '../video-platform/client.js';
import { MiB } from '../video-platform/upload.js';
import { douyinDeclaration } from './declaration.js';

export const NAME = 'Douyin (抖音)';
const NAME_ZH = '抖音';

export interface DouyinAdapterOptions extends VideoTimingOptions {
  /** The rendition uploaded (default `douyin.video_1080`; `douyin.video_720` also meets Douyin's 720p minimum). */
  videoSpec?: 'douyin.video_1080' | 'douyin.video_720';
  /** Longest `text` of video/create (default 1000 characters: an assumption, see simulators/README.md). */
  textChars?: number;
  /** Most characters of the interpretation text carried in the video text (default 300). */
  summaryChars?: number;
  /** Longest video (default 15 minutes, documented). */
  maxDurationSec?: number;
  /** Files above this go through part upload (default 50 MB, as the documentation recommends). */
  partUploadAboveBytes?: number;
  /** Largest file one upload request may carry (default 128 MB, documented): part upload is mandatory above. */
  singleUploadMaxBytes?: number;
  /** Size of each part but the last (default 10 MiB; the documentation recommends 20 MB and requires at least 5 MB). */
  partBytes?: number;
  /** Renew the refresh token (`/oauth/renew_refresh_token/`) when it has less than this left (default 5 days). */
  renewRefreshBeforeSeconds?: number;
  /** How the portal page is named in the text (default 碑林区人民政府网站). */
  portalName?: string;
}

/** The options with their defaults. */
export function douyinOptions(options: DouyinAdapterOptions) {
  return {
    videoSpec: options.videoSpec ?? 'douyin.video_1080',
    textChars: options.textChars ?? douyinDeclaration.limits.textChars,
    summaryChars: options.summaryChars ?? 300,
    maxDurationSec: options.maxDurationSec ?? douyinDeclaration.limits.maxDurationSec,
    partUploadAboveBytes: options.partUploadAboveBytes ?? 50 * 1_000_000,
    singleUploadMaxBytes: options.singleUploadMaxBytes ?? 128 * 1_000_000,
    partBytes: options.partBytes ?? 10 * MiB,
    renewRefreshBeforeSeconds: options.renewRefreshBeforeSeconds ?? 5 * 86400,
    portalName: options.portalName ?? '碑林区人民政府网站',
    ...videoTiming(options),
  };
}

export type DouyinOptions = ReturnType<typeof douyinOptions>;

export interface DouyinPayload {
  platform: 'douyin';
  /** Index of the interpretation the video comes from. */
  interpretation: number;
  video: VideoRef;
  /** `text` of video/create: title, summary, mention of the portal page. */
  text: string;
}

/** The length over Douyin's limit, in an editor's words. */
export function tooLongForDouyin(durationSec: number, maxDurationSec: number): Worded | undefined {
  return durationSec > maxDurationSec
    ? {
        message: `the video is ${formatDuration(durationSec)} long, over Douyin's ${formatDuration(maxDurationSec)} limit`,
        messageZh: `视频时长 ${formatDurationZh(durationSec)}，超过抖音 ${formatDurationZh(maxDurationSec)}的上限。请剪短视频或分段发布。`,
      }
    : undefined;
}

export function formatDouyin(unit: ReleaseUnit, o: DouyinOptions): Formatted<DouyinPayload> {
  const { index, interp, media, field, title, problems, warnings } = videoToPost(unit, NAME, NAME_ZH, o.maxDurationSec, (d) =>
    d > o.maxDurationSec
      ? {
          message: `the video is ${formatDuration(d)} long, ${formatDuration(d - o.maxDurationSec)} over Douyin's ${formatDuration(o.maxDurationSec)} limit; trim it or split it into parts`,
          messageZh: `视频时长 ${formatDurationZh(d)}，超过抖音 ${formatDurationZh(o.maxDurationSec)}的上限（多 ${formatDurationZh(d - o.maxDurationSec)}）。请剪短视频或分段发布。`,
        }
      : undefined,
  );
  const text = titleSummaryMention(
    { title, body: interp.body, mention: unit.portalLinks ? `全文见${o.portalName}` : '', maxChars: o.textChars, summaryChars: o.summaryChars, field },
    { platformName: NAME, platformZh: NAME_ZH, text: 'the video text', textZh: '视频文案', holdsAtMost: "Douyin's video text holds" },
    problems,
    warnings,
  );
  return {
    payload: { platform: 'douyin', interpretation: index, video: videoRef(media, o.videoSpec), text },
    renditions: [{ mediaId: media.mediaId, spec: o.videoSpec, purpose: 'interpretation video' }],
    ...warnings.lists(),
  };
}
