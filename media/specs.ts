/**
 * Rendition specs per platform: pure data, no I/O. Each platform lists its own renditions in its
 * declaration (adapters/<platform>/declaration.ts) with the builders defined here.
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
import { PLATFORM_DECLARATIONS } from '../adapters/declarations.js';
import { PLATFORMS, type Platform } from '../domain/registry.js';
import type { MediaKind } from './probe.js';
import { deepFreeze } from '../domain/deep-freeze.js';

/** The platforms media is prepared for: the registry's own list, so the two never drift apart. */
export type PlatformId = Platform;
export const PLATFORM_IDS: readonly PlatformId[] = PLATFORMS;

/** Bump when the rendering code changes output bytes for the same spec: invalidates caches. */
export const RENDER_ENGINE_VERSION = 'govpub-media-1';

interface SpecBase {
  key: string;
  platform: PlatformId;
  /** What it is called in English, e.g. "WeChat cover 2.35:1". */
  label: string;
  /** What editors (who read Chinese) see: which platform and what for, e.g. 「微信公众号封面（2.35:1）」. */
  labelZh: string;
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
  /**
   * Smallest acceptable output; a smaller original is refused (never upscaled to fake it). For a
   * `cover` fit it is the smallest picture: one whose crop to the box's ratio is minWidth wide, so
   * minHeight is that crop's height rounded up (image-plan.ts coverMinimumHeight).
   */
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

/**
 * The original itself, unchanged (attachments, captions): a government document is published
 * exactly as it was signed, and a caption file has nothing to convert. The rendition is the
 * original's own blob; its record only says so.
 */
export interface FileSpec extends SpecBase {
  kind: 'file';
  sourceKind: 'document' | 'captions';
  /** Never set: the upload limit of the kind already bounds the file. */
  maxBytes?: undefined;
  maxDurationSec?: undefined;
  watermark?: false;
}

export type RenditionSpec = ImageSpec | VideoSpec | AudioSpec | FileSpec;

const MB = 1_000_000;
const KB = 1_000;
const MIN = 60;
/** "As tall as it needs": long infographics (政策图解) stay whole. WebP's own limit is 16383. */
const TALL = 16_383;

const JPEG_Q = { max: 85, min: 35 };
const WEBP_Q = { max: 80, min: 35 };

type ImageRest = Omit<
  ImageSpec,
  'key' | 'platform' | 'label' | 'labelZh' | 'kind' | 'sourceKind' | 'quality' | 'upscale' | 'watermark' | 'limitSource' | 'limitName'
> &
  Partial<Pick<ImageSpec, 'sourceKind' | 'quality' | 'upscale' | 'watermark' | 'limitSource' | 'limitName'>>;

/**
 * The shapes of rendition a platform declaration lists its renditions with, bound to that platform
 * (its id in every key, its name in labels and messages), and the units limits are written in.
 */
export interface SpecBuilders {
  platform: PlatformId;
  /** The platform's name in labels and limit messages. */
  name: string;
  /** The name editors know the platform by (微信公众号), in the Chinese labels. */
  localName: string;
  units: { MB: number; KB: number; MIN: number; TALL: number };
  image(name: string, label: string, labelZh: string, rest: ImageRest): ImageSpec;
  /** 16:9 landscape H.264/AAC. */
  landscape(p: 720 | 1080, extra?: Partial<VideoSpec>): VideoSpec;
  /** 9:16 vertical H.264/AAC with a blurred fill. */
  vertical(p: 720 | 1080, extra?: Partial<VideoSpec>): VideoSpec;
  /** A picture from a video (poster frame / video cover). */
  poster(name: string, label: string, labelZh: string, width: number, height: number, extra?: Partial<ImageSpec>): ImageSpec;
  /** Stereo AAC audio. */
  aacAudio(): AudioSpec;
  /** The original as it was uploaded (attachments, captions). */
  original(name: string, label: string, labelZh: string, sourceKind: FileSpec['sourceKind']): FileSpec;
}

function buildersFor(platform: PlatformId, platformName: string, localName: string): SpecBuilders {
  const image = (name: string, label: string, labelZh: string, rest: ImageRest): ImageSpec => ({
    key: `${platform}.${name}`,
    platform,
    label,
    labelZh,
    kind: 'image',
    sourceKind: 'image',
    quality: rest.format === 'webp' ? WEBP_Q : JPEG_Q,
    upscale: 'allow',
    watermark: false,
    limitSource: 'documented',
    limitName: platformName,
    ...rest,
  });
  const landscape = (p: 720 | 1080, extra: Partial<VideoSpec> = {}): VideoSpec => ({
    key: `${platform}.video_${p}`,
    platform,
    label: `${platformName} video ${p}p`,
    labelZh: `${localName}横屏视频（${p}p）`,
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
    limitName: platformName,
    ...extra,
  });
  return {
    platform,
    name: platformName,
    localName,
    units: { MB, KB, MIN, TALL },
    image,
    landscape,
    vertical: (p, extra = {}) => ({
      ...landscape(p),
      label: `${platformName} vertical video ${p}×${p === 1080 ? 1920 : 1280}`,
      labelZh: `${localName}竖屏视频（${p}×${p === 1080 ? 1920 : 1280}）`,
      width: p,
      height: p === 1080 ? 1920 : 1280,
      layout: 'blur-fill',
      ...extra,
    }),
    poster: (name, label, labelZh, width, height, extra = {}) =>
      image(name, label, labelZh, {
        sourceKind: 'video',
        purpose: 'poster',
        fit: width < height ? 'blur-fill' : 'cover',
        width,
        height,
        format: 'jpeg',
        ...extra,
      }),
    original: (name, label, labelZh, sourceKind) => ({
      key: `${platform}.${name}`,
      platform,
      label,
      labelZh,
      kind: 'file',
      sourceKind,
      limitSource: 'assumed',
      limitName: platformName,
    }),
    aacAudio: () => ({
      key: `${platform}.audio`,
      platform,
      label: `${platformName} audio (AAC)`,
      labelZh: `${localName}音频（AAC）`,
      kind: 'audio',
      sourceKind: 'audio',
      codec: 'aac',
      bitrateKbps: 128,
      channels: 2,
      sampleRate: 48_000,
      limitSource: 'assumed',
      limitName: platformName,
    }),
  };
}

/** Every platform's renditions, as its declaration lists them, in the order of the declarations index. */
function buildSpecs(): RenditionSpec[] {
  return PLATFORM_DECLARATIONS.flatMap((d) => d.renditions(buildersFor(d.id, d.name, d.localName)));
}

// Frozen through and through: fixed data (and so its specHash can be remembered).
export const RENDITION_SPECS: readonly RenditionSpec[] = deepFreeze(buildSpecs());

const BY_KEY = new Map(RENDITION_SPECS.map((spec) => [spec.key, spec]));
if (BY_KEY.size !== RENDITION_SPECS.length) throw new Error('duplicate rendition spec key');

/** The name editors know a platform by (微信公众号), for Chinese sentences about its limits. */
export function platformNameZh(platform: string): string {
  return PLATFORM_DECLARATIONS.find((d) => d.id === platform)?.localName ?? platform;
}

/** A rendition's Chinese name for a sentence about it; the key itself when no spec has it (an error path must not throw again). */
export function specNameZh(key: string): string {
  return specNames(key)?.labelZh ?? key;
}

/** What a spec is called, in English and in Chinese; undefined for a key no spec has (one no longer declared). */
export function specNames(key: string): { label: string; labelZh: string } | undefined {
  const spec = BY_KEY.get(key);
  return spec && { label: spec.label, labelZh: spec.labelZh };
}

export function getSpec(key: string): RenditionSpec {
  const spec = BY_KEY.get(key);
  if (!spec) {
    throw new GovpubError(
      'media_unknown_spec',
      `Unknown rendition "${key}". Known renditions: ${[...BY_KEY.keys()].join(', ')}.`,
      { key },
      { zh: `没有名为「${key}」的转码规格，未做任何处理。请从已知规格中选择：${[...BY_KEY.keys()].join('、')}。` },
    );
  }
  return spec;
}

/** Every rendition a platform needs from an original of the given kind. */
export function renditionsFor(platform: PlatformId, mediaKind: MediaKind): RenditionSpec[] {
  if (!PLATFORM_IDS.includes(platform)) {
    throw new GovpubError('media_unknown_platform', `Unknown platform "${platform}". Known: ${PLATFORM_IDS.join(', ')}.`, undefined, {
      zh: `没有名为「${platform}」的平台，未做任何处理。请从已知平台中选择：${PLATFORM_IDS.join('、')}。`,
    });
  }
  return RENDITION_SPECS.filter((s) => s.platform === platform && s.sourceKind === mediaKind);
}

/** Fields that do not change the output bytes. */
const DESCRIPTIVE = new Set(['key', 'platform', 'label', 'labelZh', 'limitSource', 'limitName']);

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

/** specHash by spec object: the declarations' specs are fixed data, asked for on every rendition lookup. */
const specHashes = new WeakMap<RenditionSpec, string>();

/** Hash of everything in a spec that changes the output (plus the engine version). */
export function specHash(spec: RenditionSpec): string {
  const known = Object.isFrozen(spec) ? specHashes.get(spec) : undefined;
  if (known) return known;
  const relevant = Object.fromEntries(Object.entries(spec).filter(([k]) => !DESCRIPTIVE.has(k)));
  const hash = stableHash({ engine: RENDER_ENGINE_VERSION, spec: relevant });
  if (Object.isFrozen(spec)) specHashes.set(spec, hash);
  return hash;
}
