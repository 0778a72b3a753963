/**
 * Rendition specs per platform: pure data, no I/O.
 *
 * Limits come from the platforms' public documentation (BRIEF.md §7) unless `limitSource` says
 * otherwise. Byte limits are written in decimal units (1 MB = 1,000,000 bytes, 1 KB = 1,000
 * bytes), which keeps every output under the limit whichever way a platform counts a megabyte.
 *
 * Every spec has a stable `key` (`wechat_oa.thumb`) and a `specHash` over the fields that change
 * the output bytes: two platforms asking for an identical rendition (e.g. 720p landscape for the
 * portal and the news site) share one cached file.
 */
import { createHash } from 'node:crypto';
import { GovpubError } from '../domain/errors.js';
import { PLATFORMS, type Platform } from '../domain/registry.js';
import type { MediaKind } from './probe.js';

/** The platforms media is prepared for: the registry's own list, so the two never drift apart. */
export type PlatformId = Platform;
export const PLATFORM_IDS: readonly PlatformId[] = PLATFORMS;

/** Bump when the rendering code changes output bytes for the same spec: invalidates caches. */
export const RENDER_ENGINE_VERSION = 'govpub-media-1';

interface SpecBase {
  key: string;
  platform: PlatformId;
  /** What an editor sees, e.g. "WeChat cover 2.35:1". */
  label: string;
  /** Kind of original this spec is made from. */
  sourceKind: MediaKind;
  /** Where the limits come from. */
  limitSource: 'documented' | 'secondary' | 'assumed';
  /** The platform's name for limits in messages ("Douyin's", "WeChat video material"). */
  limitName: string;
}

export type ImageFit =
  /** Exact box, smart crop (attention: faces, skin tones, detail such as text). */
  | 'cover'
  /** Within the box, aspect kept, never enlarged. */
  | 'inside'
  /** Exact box, whole picture kept, centred over a blurred, cropped copy of itself. */
  | 'blur-fill';

export interface ImageSpec extends SpecBase {
  kind: 'image';
  /** 'image' originals, or 'video' (a representative frame becomes the picture: posters, covers). */
  sourceKind: 'image' | 'video';
  purpose: 'cover' | 'thumb' | 'inline' | 'responsive' | 'post' | 'poster';
  fit: ImageFit;
  width: number;
  height: number;
  /** 'jpeg-or-png': PNG for pictures with transparency, JPEG otherwise. */
  format: 'jpeg' | 'png' | 'webp' | 'jpeg-or-png';
  /** Byte cap met by a search over quality, then size. */
  maxBytes?: number;
  /** Smallest acceptable output; a smaller original is refused (never upscaled to fake it). */
  minWidth?: number;
  minHeight?: number;
  /**
   * cover/blur-fill only. 'allow': always the exact box, upscaling small originals (flagged in
   * warnings). 'refuse': output shrinks to what the original really has (down to min*).
   */
  upscale: 'allow' | 'refuse';
  quality: { max: number; min: number };
  /** Whether the channel's watermark (from config) is applied. */
  watermark: boolean;
}

export interface VideoRung {
  width: number;
  height: number;
  /** Lowest video bitrate acceptable at this size. */
  minKbps: number;
}

export interface VideoSpec extends SpecBase {
  kind: 'video';
  sourceKind: 'video';
  width: number;
  height: number;
  /**
   * 'pad': scaled to fit, black bars to the exact box (16:9 players).
   * 'blur-fill': scaled to fit over a blurred, cropped copy of itself (9:16 feeds: keeps subtitles,
   * banners and faces that a centre crop of a landscape video would cut off).
   */
  layout: 'pad' | 'blur-fill';
  container: 'mp4';
  videoCodec: 'h264';
  audioCodec: 'aac';
  preset: 'ultrafast' | 'superfast' | 'veryfast' | 'faster' | 'fast' | 'medium';
  crf: number;
  /** Bitrate ceiling (VBV) for quality; lowered further to meet `maxBytes`. */
  maxrateKbps: number;
  audioKbps: number;
  maxFps: number;
  maxBytes?: number;
  maxDurationSec?: number;
  minDurationSec?: number;
  /**
   * When the byte cap forces the bitrate down, the output steps down this ladder (first rung whose
   * minimum the bitrate meets). Without a ladder the spec's own size needs `minKbps`.
   */
  capLadder?: VideoRung[];
  minKbps?: number;
  /** Whether the channel's watermark (from config) is laid over the picture. */
  watermark?: boolean;
}

export interface AudioSpec extends SpecBase {
  kind: 'audio';
  sourceKind: 'audio' | 'video';
  codec: 'mp3' | 'aac';
  bitrateKbps: number;
  channels: 1 | 2;
  sampleRate: number;
  maxBytes?: number;
  maxDurationSec?: number;
}

export type RenditionSpec = ImageSpec | VideoSpec | AudioSpec;

const MB = 1_000_000;
const KB = 1_000;
const MIN = 60;

const JPEG_Q = { max: 85, min: 35 };
const WEBP_Q = { max: 80, min: 35 };

function image(
  platform: PlatformId,
  name: string,
  label: string,
  rest: Omit<ImageSpec, 'key' | 'platform' | 'label' | 'kind' | 'sourceKind' | 'quality' | 'upscale' | 'watermark' | 'limitSource' | 'limitName'> &
    Partial<Pick<ImageSpec, 'sourceKind' | 'quality' | 'upscale' | 'watermark' | 'limitSource' | 'limitName'>>,
): ImageSpec {
  return {
    key: `${platform}.${name}`,
    platform,
    label,
    kind: 'image',
    sourceKind: 'image',
    quality: rest.format === 'webp' ? WEBP_Q : JPEG_Q,
    upscale: 'allow',
    watermark: false,
    limitSource: 'documented',
    limitName: PLATFORM_NAMES[platform],
    ...rest,
  };
}

const PLATFORM_NAMES: Record<PlatformId, string> = {
  portal: 'the district portal',
  wechat_oa: 'WeChat Official Accounts',
  weibo: 'Weibo',
  douyin: 'Douyin',
  toutiao: 'Toutiao',
  kuaishou: 'Kuaishou',
  bilibili: 'Bilibili',
  wechat_channels: 'WeChat Channels',
  xiaohongshu: 'Xiaohongshu',
  news_site: 'the news site channel',
  media_app: 'the media-centre app',
};

/** 16:9 landscape H.264/AAC. */
function landscape(platform: PlatformId, p: 720 | 1080, extra: Partial<VideoSpec> = {}): VideoSpec {
  return {
    key: `${platform}.video_${p}`,
    platform,
    label: `${PLATFORM_NAMES[platform]} video ${p}p`,
    kind: 'video',
    sourceKind: 'video',
    width: p === 1080 ? 1920 : 1280,
    height: p,
    layout: 'pad',
    container: 'mp4',
    videoCodec: 'h264',
    audioCodec: 'aac',
    preset: 'veryfast',
    crf: p === 1080 ? 22 : 23,
    maxrateKbps: p === 1080 ? 5000 : 2500,
    audioKbps: 128,
    maxFps: 30,
    watermark: true,
    limitSource: 'assumed',
    limitName: PLATFORM_NAMES[platform],
    ...extra,
  };
}

/** 9:16 vertical H.264/AAC with a blurred fill. */
function vertical(platform: PlatformId, p: 720 | 1080, extra: Partial<VideoSpec> = {}): VideoSpec {
  return {
    ...landscape(platform, p),
    label: `${PLATFORM_NAMES[platform]} vertical video ${p}×${p === 1080 ? 1920 : 1280}`,
    width: p,
    height: p === 1080 ? 1920 : 1280,
    layout: 'blur-fill',
    ...extra,
  };
}

/** A picture from a video (poster frame / video cover). */
function poster(platform: PlatformId, name: string, label: string, width: number, height: number, extra: Partial<ImageSpec> = {}): ImageSpec {
  return image(platform, name, label, {
    sourceKind: 'video',
    purpose: 'poster',
    fit: width < height ? 'blur-fill' : 'cover',
    width,
    height,
    format: 'jpeg',
    ...extra,
  });
}

/** Responsive widths for the portal's <picture> (WebP with a JPEG fallback). */
const PORTAL_WIDTHS = [480, 960, 1600] as const;
/** "As tall as it needs": long infographics (政策图解) stay whole. WebP's own limit is 16383. */
const TALL = 16_383;

const AAC_AUDIO = (platform: PlatformId): AudioSpec => ({
  key: `${platform}.audio`,
  platform,
  label: `${PLATFORM_NAMES[platform]} audio (AAC)`,
  kind: 'audio',
  sourceKind: 'audio',
  codec: 'aac',
  bitrateKbps: 128,
  channels: 2,
  sampleRate: 48_000,
  limitSource: 'assumed',
  limitName: PLATFORM_NAMES[platform],
});

function buildSpecs(): RenditionSpec[] {
  const s: RenditionSpec[] = [];

  // District portal: responsive images, 16:9 cover, landscape video, audio.
  for (const w of PORTAL_WIDTHS) {
    for (const format of ['webp', 'jpeg'] as const) {
      s.push(
        image('portal', `w${w}.${format === 'jpeg' ? 'jpg' : 'webp'}`, `Portal ${w} px ${format === 'webp' ? 'WebP' : 'JPEG fallback'}`, {
          purpose: 'responsive',
          fit: 'inside',
          width: w,
          height: TALL,
          format,
          watermark: true,
          limitSource: 'assumed',
        }),
      );
    }
  }
  s.push(
    image('portal', 'cover', 'Portal list cover 16:9', { purpose: 'cover', fit: 'cover', width: 1280, height: 720, format: 'jpeg', limitSource: 'assumed' }),
    landscape('portal', 720),
    landscape('portal', 1080),
    poster('portal', 'poster', 'Portal video poster 16:9', 1280, 720, { limitSource: 'assumed' }),
    AAC_AUDIO('portal'),
  );

  // WeChat Official Accounts (§7): covers 2.35:1 and 1:1; thumb material JPG ≤ 64 KB; in-article
  // images (media/uploadimg) jpg/png < 1 MB; image material 10 MB; video material MP4 10 MB;
  // voice 2 MB / 60 s.
  s.push(
    image('wechat_oa', 'cover', 'WeChat cover 2.35:1', {
      purpose: 'cover',
      fit: 'cover',
      width: 900,
      height: 383,
      format: 'jpeg',
      maxBytes: 10 * MB,
      limitName: 'WeChat image material',
    }),
    image('wechat_oa', 'cover_square', 'WeChat cover 1:1', {
      purpose: 'cover',
      fit: 'cover',
      width: 600,
      height: 600,
      format: 'jpeg',
      maxBytes: 10 * MB,
      limitName: 'WeChat image material',
    }),
    image('wechat_oa', 'thumb', 'WeChat thumb material (2.35:1 JPEG ≤ 64 KB)', {
      purpose: 'thumb',
      fit: 'cover',
      width: 900,
      height: 383,
      format: 'jpeg',
      maxBytes: 64 * KB,
      minWidth: 450,
      minHeight: 191,
      quality: { max: 85, min: 30 },
      limitName: 'WeChat thumb material',
    }),
    image('wechat_oa', 'inline', 'WeChat in-article image (jpg/png < 1 MB)', {
      purpose: 'inline',
      fit: 'inside',
      width: 1080,
      height: TALL,
      format: 'jpeg-or-png',
      maxBytes: 1 * MB,
      watermark: true,
      limitName: 'WeChat in-article images',
    }),
    {
      ...landscape('wechat_oa', 720),
      key: 'wechat_oa.video',
      label: 'WeChat video material (MP4 ≤ 10 MB)',
      maxBytes: 10 * MB,
      audioKbps: 96,
      limitSource: 'documented',
      limitName: 'WeChat video material',
      capLadder: [
        { width: 1280, height: 720, minKbps: 1200 },
        { width: 960, height: 540, minKbps: 650 },
        { width: 640, height: 360, minKbps: 300 },
        { width: 480, height: 270, minKbps: 180 },
      ],
    },
    poster('wechat_oa', 'video_cover', 'WeChat cover 2.35:1 from the video', 900, 383, { maxBytes: 10 * MB, limitName: 'WeChat image material' }),
    {
      key: 'wechat_oa.voice',
      platform: 'wechat_oa',
      label: 'WeChat voice material (MP3 ≤ 2 MB, ≤ 60 s)',
      kind: 'audio',
      sourceKind: 'audio',
      codec: 'mp3',
      bitrateKbps: 96,
      channels: 1,
      sampleRate: 44_100,
      maxBytes: 2 * MB,
      maxDurationSec: 60,
      limitSource: 'documented',
      limitName: 'WeChat voice material',
    },
  );

  // Weibo (secondary): images ≤ 5 MB JPEG/GIF/PNG. Video limits not documented.
  s.push(
    image('weibo', 'image', 'Weibo image (≤ 5 MB)', {
      purpose: 'post',
      fit: 'inside',
      width: 2048,
      height: TALL,
      format: 'jpeg-or-png',
      maxBytes: 5 * MB,
      watermark: true,
      limitSource: 'secondary',
    }),
    landscape('weibo', 720),
    poster('weibo', 'poster', 'Weibo video cover 16:9', 1280, 720, { limitSource: 'assumed' }),
  );

  // Douyin (§7): ≤ 128 MB per request, ≤ 15 min, mp4, 720p or better. Vertical feed.
  const douyinLimits = { maxBytes: 128 * MB, maxDurationSec: 15 * MIN, limitSource: 'documented' as const };
  s.push(
    vertical('douyin', 1080, { ...douyinLimits, minKbps: 1500 }),
    vertical('douyin', 720, { ...douyinLimits, minKbps: 700 }),
    poster('douyin', 'cover', 'Douyin cover 9:16', 1080, 1920, { limitSource: 'assumed' }),
    image('douyin', 'image', 'Douyin picture post 9:16', {
      purpose: 'post',
      fit: 'blur-fill',
      width: 1080,
      height: 1920,
      format: 'jpeg',
      watermark: true,
      limitSource: 'assumed',
    }),
  );

  // Toutiao: manual hand-off (no public API); 16:9 covers and landscape video.
  s.push(
    image('toutiao', 'cover', 'Toutiao cover 16:9', { purpose: 'cover', fit: 'cover', width: 1280, height: 720, format: 'jpeg', limitSource: 'assumed' }),
    image('toutiao', 'image', 'Toutiao in-article image', {
      purpose: 'inline',
      fit: 'inside',
      width: 1600,
      height: TALL,
      format: 'jpeg-or-png',
      watermark: true,
      limitSource: 'assumed',
    }),
    landscape('toutiao', 1080),
    poster('toutiao', 'poster', 'Toutiao video cover 16:9', 1280, 720, { limitSource: 'assumed' }),
  );

  // Kuaishou: limits not found (§7); vertical feed.
  s.push(vertical('kuaishou', 1080), vertical('kuaishou', 720), poster('kuaishou', 'cover', 'Kuaishou cover 9:16', 1080, 1920, { limitSource: 'assumed' }));

  // Bilibili (§7): video ≤ 4 GB, < 5 h, mp4; cover jpeg/png ≤ 5 MB, at least 960×600 (16:10).
  const biliCover = {
    purpose: 'cover' as const,
    fit: 'cover' as const,
    width: 1920,
    height: 1200,
    format: 'jpeg' as const,
    maxBytes: 5 * MB,
    minWidth: 960,
    minHeight: 600,
    upscale: 'refuse' as const,
    limitName: 'Bilibili covers',
  };
  s.push(
    image('bilibili', 'cover', 'Bilibili cover 16:10 (≥ 960×600, ≤ 5 MB)', biliCover),
    landscape('bilibili', 1080, { maxBytes: 4_000 * MB, maxDurationSec: 5 * 3600 - 1, limitSource: 'documented', minKbps: 1500 }),
    poster('bilibili', 'video_cover', 'Bilibili cover 16:10 from the video', 1920, 1200, { ...biliCover, purpose: 'poster', sourceKind: 'video' }),
  );

  // WeChat Channels: manual hand-off; vertical feed.
  s.push(vertical('wechat_channels', 1080), poster('wechat_channels', 'cover', 'WeChat Channels cover 9:16', 1080, 1920, { limitSource: 'assumed' }));

  // Xiaohongshu: 3:4 picture posts, vertical video.
  s.push(
    image('xiaohongshu', 'image', 'Xiaohongshu picture 3:4', {
      purpose: 'post',
      fit: 'cover',
      width: 1080,
      height: 1440,
      format: 'jpeg',
      watermark: true,
      limitSource: 'assumed',
    }),
    vertical('xiaohongshu', 1080),
    poster('xiaohongshu', 'cover', 'Xiaohongshu video cover 3:4', 1080, 1440, { fit: 'blur-fill', limitSource: 'assumed' }),
  );

  // Media centre: news-site channel and app — 16:9 cover, in-article images, 720p/1080p video.
  for (const platform of ['news_site', 'media_app'] as const) {
    s.push(
      image(platform, 'cover', `${PLATFORM_NAMES[platform]} cover 16:9`, {
        purpose: 'cover',
        fit: 'cover',
        width: 1280,
        height: 720,
        format: 'jpeg',
        limitSource: 'assumed',
      }),
      image(platform, 'image', `${PLATFORM_NAMES[platform]} in-article image`, {
        purpose: 'inline',
        fit: 'inside',
        width: 1600,
        height: TALL,
        format: 'jpeg-or-png',
        watermark: true,
        limitSource: 'assumed',
      }),
      landscape(platform, 720),
      landscape(platform, 1080),
      poster(platform, 'poster', `${PLATFORM_NAMES[platform]} video poster 16:9`, 1280, 720, { limitSource: 'assumed' }),
      AAC_AUDIO(platform),
    );
  }
  return s;
}

export const RENDITION_SPECS: readonly RenditionSpec[] = Object.freeze(buildSpecs());

const BY_KEY = new Map(RENDITION_SPECS.map((spec) => [spec.key, spec]));
if (BY_KEY.size !== RENDITION_SPECS.length) throw new Error('duplicate rendition spec key');

export function getSpec(key: string): RenditionSpec {
  const spec = BY_KEY.get(key);
  if (!spec) {
    throw new GovpubError('media_unknown_spec', `Unknown rendition "${key}". Known renditions: ${[...BY_KEY.keys()].join(', ')}.`, { key });
  }
  return spec;
}

/** Every rendition a platform needs from an original of the given kind. */
export function renditionsFor(platform: PlatformId, mediaKind: MediaKind): RenditionSpec[] {
  if (!PLATFORM_IDS.includes(platform)) {
    throw new GovpubError('media_unknown_platform', `Unknown platform "${platform}". Known: ${PLATFORM_IDS.join(', ')}.`);
  }
  return RENDITION_SPECS.filter((s) => s.platform === platform && s.sourceKind === mediaKind);
}

/** Fields that do not change the output bytes. */
const DESCRIPTIVE = new Set(['key', 'platform', 'label', 'limitSource', 'limitName']);

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Hash of a JSON-like value, order-independent for object keys (16 hex characters). */
export function stableHash(value: unknown): string {
  return createHash('sha256').update(canonical(value)).digest('hex').slice(0, 16);
}

/** Hash of everything in a spec that changes the output (plus the engine version). */
export function specHash(spec: RenditionSpec): string {
  const relevant = Object.fromEntries(Object.entries(spec).filter(([k]) => !DESCRIPTIVE.has(k)));
  return stableHash({ engine: RENDER_ENGINE_VERSION, spec: relevant });
}
