// Kuaishou's format step (pure): the video interpretation as one Kuaishou work, its caption of title, summary and a mention of the portal page, and a 9:16 cover from the video; with the adapter's options and payload.
import { formatDuration, formatDurationZh } from '../../media/units.js';
import type { Formatted, ReleaseUnit } from '../types.js';
import { videoTiming, type VideoTimingOptions } from '../video-platform/client.js';
import { titleSummaryMention, videoRef, videoToPost, type VideoRef, type Worded } from '../video-platform/format.js';
import { MiB } from '../video-platform/upload.js';
import { kuaishouDeclaration } from './declaration.js';

export const NAME = 'Kuaishou (快手)';

export interface KuaishouAdapterOptions extends VideoTimingOptions {
  /** The rendition uploaded (default `kuaishou.video_1080`). */
  videoSpec?: 'kuaishou.video_1080' | 'kuaishou.video_720';
  /** Longest caption (default 500 characters, assumed). */
  captionChars?: number;
  /** Most characters of the interpretation text carried in the caption (default 300). */
  summaryChars?: number;
  /** Longest video (default 15 minutes, assumed). */
  maxDurationSec?: number;
  /** Files above this are uploaded in fragments (default 20 MiB; one request takes at most 100 MB). */
  fragmentAboveBytes?: number;
  /** Size of each fragment but the last (default 8 MiB; the official SDK uses 10 MB). */
  fragmentBytes?: number;
  /** Scheme for the upload server Kuaishou names as host:port (default: the API base URL's). */
  uploadScheme?: 'http' | 'https';
  /** How the portal page is named in the caption (default 碑林区人民政府网站). */
  portalName?: string;
}

/** The options with their defaults. */
export function kuaishouOptions(options: KuaishouAdapterOptions) {
  return {
    videoSpec: options.videoSpec ?? 'kuaishou.video_1080',
    captionChars: options.captionChars ?? kuaishouDeclaration.limits.captionChars,
    summaryChars: options.summaryChars ?? 300,
    maxDurationSec: options.maxDurationSec ?? kuaishouDeclaration.limits.maxDurationSec,
    fragmentAboveBytes: options.fragmentAboveBytes ?? 20 * MiB,
    fragmentBytes: options.fragmentBytes ?? 8 * MiB,
    uploadScheme: options.uploadScheme,
    portalName: options.portalName ?? '碑林区人民政府网站',
    ...videoTiming(options),
  };
}

export type KuaishouOptions = ReturnType<typeof kuaishouOptions>;

export interface KuaishouPayload {
  platform: 'kuaishou';
  interpretation: number;
  video: VideoRef;
  cover: { mediaId: string; spec: string };
  caption: string;
}

/** The length over what Kuaishou takes, in an editor's words. */
export function tooLongForKuaishou(durationSec: number, maxDurationSec: number): Worded | undefined {
  return durationSec > maxDurationSec
    ? {
        message: `the video is ${formatDuration(durationSec)} long, over the ${formatDuration(maxDurationSec)} Kuaishou takes`,
        messageZh: `视频时长 ${formatDurationZh(durationSec)}，超过快手可接收的 ${formatDurationZh(maxDurationSec)}。请剪短视频或分段发布。`,
      }
    : undefined;
}

export function formatKuaishou(unit: ReleaseUnit, o: KuaishouOptions): Formatted<KuaishouPayload> {
  const { index, interp, media, field, title, problems, warnings } = videoToPost(unit, NAME, '快手', o.maxDurationSec, (d) =>
    d > o.maxDurationSec
      ? {
          message: `the video is ${formatDuration(d)} long, ${formatDuration(d - o.maxDurationSec)} over the ${formatDuration(o.maxDurationSec)} Kuaishou takes; trim it or split it into parts`,
          messageZh: `视频时长 ${formatDurationZh(d)}，超过快手可接收的 ${formatDurationZh(o.maxDurationSec)}（多 ${formatDurationZh(d - o.maxDurationSec)}）。请剪短视频或分段发布。`,
        }
      : undefined,
  );
  const caption = titleSummaryMention(
    { title, body: interp.body, mention: unit.portalLinks ? `全文见${o.portalName}` : '', maxChars: o.captionChars, summaryChars: o.summaryChars, field },
    { platformName: NAME, platformZh: '快手', text: 'the caption', textZh: '作品描述', holdsAtMost: 'Kuaishou captions hold' },
    problems,
    warnings,
  );
  return {
    payload: {
      platform: 'kuaishou',
      interpretation: index,
      video: videoRef(media, o.videoSpec),
      cover: { mediaId: media.mediaId, spec: 'kuaishou.cover' },
      caption,
    },
    renditions: [
      { mediaId: media.mediaId, spec: o.videoSpec, purpose: 'interpretation video' },
      { mediaId: media.mediaId, spec: 'kuaishou.cover', purpose: 'cover (frame of the video)' },
    ],
    ...warnings.lists(),
  };
}
