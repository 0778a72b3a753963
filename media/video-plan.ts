/** Planning an encode before any process starts: checks an original against a video, audio or poster spec and picks size and bitrates (a byte cap lowers them). */
import { GovpubError } from '../domain/errors.js';
import type { ProbeResult } from './probe.js';
import { planSize } from './image-plan.js';
import { platformNameZh, type AudioSpec, type ImageSpec, type RenditionSpec, type VideoSpec } from './specs.js';
import { addNote, fileZh, formatBytes, formatDuration, formatDurationZh, kindZh, newNotes, type RenditionNotes } from './units.js';

/** Share of a byte cap planned for (container overhead and rate-control slack in the rest). */
const CAP_HEADROOM = 0.95;
/** VBV buffer in seconds of maxrate. */
export const VBV_SECONDS = 1;

function wrongKind(label: string, probe: ProbeResult, spec: Pick<RenditionSpec, 'key' | 'labelZh'>, need: string, needZh: string): GovpubError {
  return new GovpubError(
    'media_wrong_kind',
    `${label} is ${probe.kind === 'image' ? 'an image' : `${probe.kind === 'audio' ? 'an audio' : 'a video'} file`}; ${spec.key} needs ${need}.`,
    { spec: spec.key, kind: probe.kind },
    { zh: `${fileZh(label)}是${kindZh(probe.kind)}文件，而「${spec.labelZh}」需要${needZh}。请为该渠道选择正确的原始文件。` },
  );
}

export interface VideoPlan extends RenditionNotes {
  width: number;
  height: number;
  crf: number;
  maxrateKbps: number;
  bufsizeKbps: number;
  audioKbps: number;
  /** Output frame rate when the original's must be capped. */
  fps?: number;
  /** Bitrate the byte cap allows (kbps), when the spec has one. */
  capKbps?: number;
}

/** The largest video bitrate (kbps) that keeps `durationSec` of video + audio under `maxBytes`. */
export function capBitrateKbps(maxBytes: number, durationSec: number, audioKbps: number): number {
  const budgetKbit = (maxBytes * 8 * CAP_HEADROOM) / 1000;
  return (budgetKbit - audioKbps * durationSec) / (durationSec + VBV_SECONDS);
}

/** Longest duration that fits `maxBytes` at `minKbps` video. */
function maxDurationFor(maxBytes: number, minKbps: number, audioKbps: number): number {
  const budgetKbit = (maxBytes * 8 * CAP_HEADROOM) / 1000;
  return (budgetKbit - minKbps * VBV_SECONDS) / (minKbps + audioKbps);
}

/** Checks an original against a video spec's limits and plans the encode; throws when it cannot work. */
export function planVideo(probe: ProbeResult, spec: VideoSpec, label = 'The video'): VideoPlan {
  if (probe.kind !== 'video') throw wrongKind(label, probe, spec, 'a video original', '视频原件');
  const duration = probe.durationSec ?? 0;
  if (spec.maxDurationSec !== undefined && duration > spec.maxDurationSec) {
    throw new GovpubError(
      'media_too_long',
      `${label} is ${formatDuration(duration)} long, ${formatDuration(duration - spec.maxDurationSec)} over the ${formatDuration(spec.maxDurationSec)} limit of ${spec.limitName}. Trim it (or split it into parts) and upload again.`,
      { spec: spec.key, durationSec: duration, limitSec: spec.maxDurationSec },
      {
        zh: `${fileZh(label)}时长 ${formatDurationZh(duration)}，超过${platformNameZh(spec.platform)}的时长上限 ${formatDurationZh(spec.maxDurationSec)}（超出 ${formatDurationZh(duration - spec.maxDurationSec)}）。请剪短（或分成几段）后重新上传。`,
      },
    );
  }
  if (spec.minDurationSec !== undefined && duration < spec.minDurationSec) {
    throw new GovpubError(
      'media_too_short',
      `${label} is ${formatDuration(duration)} long; ${spec.limitName} needs at least ${formatDuration(spec.minDurationSec)}.`,
      { spec: spec.key, durationSec: duration, minSec: spec.minDurationSec },
      {
        zh: `${fileZh(label)}时长 ${formatDurationZh(duration)}，${platformNameZh(spec.platform)}要求至少 ${formatDurationZh(spec.minDurationSec)}。请换用更长的视频后重新上传。`,
      },
    );
  }

  const notes = newNotes();
  let width = spec.width;
  let height = spec.height;
  let maxrate = spec.maxrateKbps;
  let capKbps: number | undefined;
  const audioKbps = probe.hasAudio ? spec.audioKbps : 0;
  if (spec.maxBytes !== undefined) {
    capKbps = capBitrateKbps(spec.maxBytes, duration, audioKbps);
    const rungs = spec.capLadder ?? [{ width: spec.width, height: spec.height, minKbps: spec.minKbps ?? 150 }];
    const rung = rungs.find((r) => capKbps! >= r.minKbps);
    if (!rung) {
      const lowest = rungs[rungs.length - 1]!;
      const fits = maxDurationFor(spec.maxBytes, lowest.minKbps, audioKbps);
      throw new GovpubError(
        'media_cap_unreachable',
        `${label} is ${formatDuration(duration)} long: under the ${formatBytes(spec.maxBytes)} limit of ${spec.limitName} its picture could get only ` +
          `${Math.max(0, Math.floor(capKbps))} kbps, below the ${lowest.minKbps} kbps needed for a watchable ${lowest.width}×${lowest.height} picture. ` +
          `Videos up to about ${formatDuration(Math.max(0, fits))} fit; shorten it${spec.capLadder ? '' : ' or choose a lower-resolution rendition'}.`,
        { spec: spec.key, durationSec: duration, capKbps, minKbps: lowest.minKbps, maxDurationSec: fits },
        {
          zh:
            `${fileZh(label)}时长 ${formatDurationZh(duration)}：在${platformNameZh(spec.platform)}的大小上限 ${formatBytes(spec.maxBytes)} 内，画面只能分到 ${Math.max(0, Math.floor(capKbps))} kbps，` +
            `低于 ${lowest.width}×${lowest.height} 画面清晰可看所需的 ${lowest.minKbps} kbps。约 ${formatDurationZh(Math.max(0, fits))} 以内的视频才能放下：请剪短视频${spec.capLadder ? '' : '，或改选分辨率更低的转码规格'}后重新上传。`,
        },
      );
    }
    if (rung.width !== spec.width || rung.height !== spec.height) {
      addNote(
        notes,
        `To stay under ${formatBytes(spec.maxBytes)} for ${formatDuration(duration)}, ${spec.label} is ${rung.width}×${rung.height} instead of ${spec.width}×${spec.height}.`,
        `为使时长 ${formatDurationZh(duration)}的视频不超过 ${formatBytes(spec.maxBytes)}，${spec.labelZh}为 ${rung.width}×${rung.height}，而不是 ${spec.width}×${spec.height}。`,
      );
    }
    width = rung.width;
    height = rung.height;
    maxrate = Math.min(maxrate, Math.floor(capKbps));
  }

  const srcW = probe.width ?? width;
  const srcH = probe.height ?? height;
  const fitScale = spec.layout === 'pad' ? Math.min(width / srcW, height / srcH) : width / srcW;
  if (fitScale > 1.05) {
    addNote(
      notes,
      `Original is ${srcW}×${srcH}; the ${width}×${height} rendition is enlarged ${fitScale.toFixed(1)}× and may look soft.`,
      `原视频为 ${srcW}×${srcH}，${width}×${height} 的版本要放大 ${fitScale.toFixed(1)} 倍，可能不够清晰。`,
    );
  }
  const fps = probe.fps && probe.fps > spec.maxFps + 0.01 ? spec.maxFps : undefined;
  return {
    width,
    height,
    crf: spec.crf,
    maxrateKbps: maxrate,
    bufsizeKbps: Math.round(maxrate * VBV_SECONDS),
    audioKbps,
    fps,
    capKbps,
    ...notes,
  };
}

/** Pre-checks an original against an audio spec. */
export function planAudio(probe: ProbeResult, spec: AudioSpec, label = 'The recording'): { bitrateKbps: number } & RenditionNotes {
  if (spec.sourceKind === 'audio' ? !probe.hasAudio : probe.kind !== 'video') {
    throw wrongKind(label, probe, spec, 'an audio original', '带音频的原件');
  }
  const duration = probe.durationSec ?? 0;
  if (spec.maxDurationSec !== undefined && duration > spec.maxDurationSec) {
    throw new GovpubError(
      'media_too_long',
      `${label} is ${formatDuration(duration)} long, ${formatDuration(duration - spec.maxDurationSec)} over the ${formatDuration(spec.maxDurationSec)} limit of ${spec.limitName}. Trim it and upload again.`,
      { spec: spec.key, durationSec: duration, limitSec: spec.maxDurationSec },
      {
        zh: `${fileZh(label)}时长 ${formatDurationZh(duration)}，超过${platformNameZh(spec.platform)}的时长上限 ${formatDurationZh(spec.maxDurationSec)}（超出 ${formatDurationZh(duration - spec.maxDurationSec)}）。请剪短后重新上传。`,
      },
    );
  }
  let bitrate = spec.bitrateKbps;
  const notes = newNotes();
  if (spec.maxBytes !== undefined) {
    const fit = Math.floor((spec.maxBytes * 8 * CAP_HEADROOM) / 1000 / Math.max(duration, 1));
    if (fit < bitrate) {
      if (fit < 32) {
        throw new GovpubError(
          'media_cap_unreachable',
          `${label} is ${formatDuration(duration)} long; under the ${formatBytes(spec.maxBytes)} limit of ${spec.limitName} it could get only ${fit} kbps (32 kbps is the least for intelligible speech). Shorten it.`,
          { spec: spec.key, durationSec: duration },
          {
            zh: `${fileZh(label)}时长 ${formatDurationZh(duration)}：在${platformNameZh(spec.platform)}的大小上限 ${formatBytes(spec.maxBytes)} 内只能分到 ${fit} kbps（听清语音至少需要 32 kbps）。请剪短录音后重新上传。`,
          },
        );
      }
      bitrate = fit;
      addNote(
        notes,
        `Audio bitrate lowered to ${fit} kbps to stay under ${formatBytes(spec.maxBytes)}.`,
        `为不超过 ${formatBytes(spec.maxBytes)}，音频码率降为 ${fit} kbps。`,
      );
    }
  }
  return { bitrateKbps: bitrate, ...notes };
}

/** The longest side a poster frame is taken at; a smaller video's frame keeps its own size. */
export const POSTER_FRAME_MAX_SIDE = 1920;

/** The frame a poster is made from: the video's display size, reduced to fit POSTER_FRAME_MAX_SIDE, never enlarged. */
export function posterFrameSize(probe: Pick<ProbeResult, 'width' | 'height'>): { width: number; height: number } | undefined {
  if (!probe.width || !probe.height) return undefined;
  const scale = Math.min(1, POSTER_FRAME_MAX_SIDE / Math.max(probe.width, probe.height));
  return { width: Math.max(1, Math.round(probe.width * scale)), height: Math.max(1, Math.round(probe.height * scale)) };
}

/**
 * Checks that a source can serve an image spec made from a video frame: the frame's size against
 * the spec's minimum, with the renderer's rule (a 640×360 video cannot give Bilibili's 960×600 cover).
 */
export function planPoster(probe: ProbeResult, spec: ImageSpec, label = 'The video'): void {
  if (probe.kind !== 'video') throw wrongKind(label, probe, spec, 'a video original', '视频原件');
  const frame = posterFrameSize(probe);
  if (frame) planSize(spec, frame.width, frame.height, label);
}

/**
 * Checks one spec against a probed original without doing any work; throws the problem. Pure: the
 * renderer checks with it before any work, and the channel preflight with the same words.
 */
export function checkSpec(probe: ProbeResult, spec: RenditionSpec, label = 'The original'): void {
  if (spec.kind === 'file') {
    if (probe.kind !== spec.sourceKind) {
      throw new GovpubError(
        'media_wrong_kind',
        `${label} is ${probe.kind === 'image' ? 'an' : 'a'} ${probe.kind} file; ${spec.key} passes on ${spec.sourceKind === 'document' ? 'an attachment (PDF, Word, Excel, OFD)' : 'WebVTT captions'}.`,
        { spec: spec.key },
        {
          zh: `${fileZh(label)}是${kindZh(probe.kind)}文件，而「${spec.labelZh}」只能原样发送${spec.sourceKind === 'document' ? '附件（PDF、Word、Excel、OFD）' : 'WebVTT 字幕'}。请为该渠道选择正确的文件。`,
        },
      );
    }
  } else if (spec.kind === 'video') {
    planVideo(probe, spec, label);
  } else if (spec.kind === 'audio') {
    planAudio(probe, spec, label);
  } else if (spec.sourceKind === 'video') {
    planPoster(probe, spec, label);
  } else {
    if (probe.kind !== 'image') {
      throw new GovpubError(
        'media_wrong_kind',
        `${label} is ${probe.kind === 'audio' ? 'an audio' : 'a video'} file; ${spec.key} needs an image original.`,
        { spec: spec.key },
        { zh: `${fileZh(label)}是${kindZh(probe.kind)}文件，而「${spec.labelZh}」需要图片原件。请改选一张图片。` },
      );
    }
    planSize(spec, probe.width ?? 0, probe.height ?? 0, label);
  }
}
