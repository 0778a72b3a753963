/**
 * Video and audio renditions with ffmpeg (child process; ffmpeg reads and writes the files
 * itself, so nothing large passes through this process).
 *
 * - H.264 (libx264, High profile, yuv420p, +faststart) with AAC audio in MP4.
 * - 16:9 targets: scaled to fit, black bars ("pad") to the exact frame.
 * - 9:16 targets: "blur-fill" — the whole picture scaled to the frame width, over a blurred,
 *   darkened, cropped copy of itself. Chosen over a centre crop because government videos carry
 *   subtitles, captions and banners at the edges and a 9:16 crop of a 16:9 frame keeps only 32%
 *   of it; vertical originals pass through with (at most) thin blurred edges.
 * - Quality by CRF with a VBV ceiling (maxrate/bufsize). A byte cap lowers that ceiling from the
 *   duration: bits(total) ≤ maxrate × duration + bufsize, so the cap holds by construction; the
 *   output size is still verified and one retry at a lower rate is made if the muxer overhead
 *   or the encoder's rate control overshoots.
 * - Progress from `-progress pipe:1` (out_time_us against the probed duration). AbortSignal
 *   stops ffmpeg (SIGTERM, then SIGKILL).
 * - Metadata (including the GPS location phones write into videos) is dropped: -map_metadata -1.
 * - Watermark (specs with `watermark: true`, when the channel has one): the text or logo is drawn
 *   by the image pipeline into a PNG at the output's size (same look and CJK font as on pictures)
 *   and laid over every frame with ffmpeg's overlay filter.
 */
import { availableParallelism } from 'node:os';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { GovpubError } from '../domain/errors.js';
import { writeWatermarkPng, type WatermarkOptions } from './image.js';
import type { ProbeResult } from './probe.js';
import { probeMedia } from './probe.js';
import { runTool, ToolFailure, lastLines } from './process.js';
import type { AudioSpec, ImageSpec, VideoSpec } from './specs.js';
import { formatBytes, formatDuration, overLimitMessage } from './units.js';

export interface MediaJobOptions {
  /** Percent 0–100, integer, strictly increasing; 100 is reported once, at the very end. */
  onProgress?: (percent: number) => void;
  signal?: AbortSignal;
  /** Names the original in messages. */
  label?: string;
  /** ffmpeg threads (decoder and encoder). Default: min(available cores, 4). */
  threads?: number;
  /** The channel's watermark; applied when the spec allows one (`watermark: true`). */
  watermark?: WatermarkOptions;
}

/** A prepared watermark PNG and its top-left corner in the output frame (input 1 of ffmpeg). */
export interface VideoOverlay {
  path: string;
  left: number;
  top: number;
}

export interface VideoRenderResult {
  path: string;
  width: number;
  height: number;
  sizeBytes: number;
  mime: string;
  durationSec: number;
  /** Bitrate ceiling used (kbps). */
  maxrateKbps: number;
  warnings: string[];
}

/** Share of a byte cap planned for (container overhead and rate-control slack in the rest). */
const CAP_HEADROOM = 0.95;
/** VBV buffer in seconds of maxrate. */
const VBV_SECONDS = 1;

/** Reports integer percentages, never going backwards, never repeating. */
export class ProgressReporter {
  private last = -1;
  constructor(private readonly cb?: (percent: number) => void) {}
  get current(): number {
    return Math.max(0, this.last);
  }
  report(percent: number): void {
    const v = Math.floor(Math.min(100, Math.max(0, percent)));
    if (v > this.last) {
      this.last = v;
      this.cb?.(v);
    }
  }
}

/** Parses one `-progress` line; returns seconds of output written, when the line says so. */
export function parseProgressLine(line: string): number | null {
  const eq = line.indexOf('=');
  if (eq < 0) return null;
  const key = line.slice(0, eq);
  // out_time_ms is (despite the name) also in microseconds in ffmpeg's output.
  if (key !== 'out_time_us' && key !== 'out_time_ms') return null;
  const v = Number(line.slice(eq + 1));
  return Number.isFinite(v) && v >= 0 ? v / 1e6 : null;
}

function defaultThreads(): number {
  return Math.max(1, Math.min(4, availableParallelism()));
}

function wrongKind(label: string, probe: ProbeResult, key: string, need: string): GovpubError {
  return new GovpubError(
    'media_wrong_kind',
    `${label} is ${probe.kind === 'image' ? 'an image' : `${probe.kind === 'audio' ? 'an audio' : 'a video'} file`}; ${key} needs ${need}.`,
    {
      spec: key,
      kind: probe.kind,
    },
  );
}

// ---------------------------------------------------------------------------------------------
// Planning and pre-checks (no process is started)

export interface VideoPlan {
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
  warnings: string[];
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
  if (probe.kind !== 'video') throw wrongKind(label, probe, spec.key, 'a video original');
  const duration = probe.durationSec ?? 0;
  if (spec.maxDurationSec !== undefined && duration > spec.maxDurationSec) {
    throw new GovpubError(
      'media_too_long',
      `${label} is ${formatDuration(duration)} long, ${formatDuration(duration - spec.maxDurationSec)} over the ${formatDuration(spec.maxDurationSec)} limit of ${spec.limitName}. Trim it (or split it into parts) and upload again.`,
      { spec: spec.key, durationSec: duration, limitSec: spec.maxDurationSec },
    );
  }
  if (spec.minDurationSec !== undefined && duration < spec.minDurationSec) {
    throw new GovpubError(
      'media_too_short',
      `${label} is ${formatDuration(duration)} long; ${spec.limitName} needs at least ${formatDuration(spec.minDurationSec)}.`,
      { spec: spec.key, durationSec: duration, minSec: spec.minDurationSec },
    );
  }

  const warnings: string[] = [];
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
      );
    }
    if (rung.width !== spec.width || rung.height !== spec.height) {
      warnings.push(
        `To stay under ${formatBytes(spec.maxBytes)} for ${formatDuration(duration)}, ${spec.key} is ${rung.width}×${rung.height} instead of ${spec.width}×${spec.height}.`,
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
    warnings.push(`Original is ${srcW}×${srcH}; the ${width}×${height} rendition is enlarged ${fitScale.toFixed(1)}× and may look soft.`);
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
    warnings,
  };
}

/** Pre-checks an original against an audio spec. */
export function planAudio(probe: ProbeResult, spec: AudioSpec, label = 'The recording'): { bitrateKbps: number; warnings: string[] } {
  if (spec.sourceKind === 'audio' ? !probe.hasAudio : probe.kind !== 'video') {
    throw wrongKind(label, probe, spec.key, 'an audio original');
  }
  const duration = probe.durationSec ?? 0;
  if (spec.maxDurationSec !== undefined && duration > spec.maxDurationSec) {
    throw new GovpubError(
      'media_too_long',
      `${label} is ${formatDuration(duration)} long, ${formatDuration(duration - spec.maxDurationSec)} over the ${formatDuration(spec.maxDurationSec)} limit of ${spec.limitName}. Trim it and upload again.`,
      { spec: spec.key, durationSec: duration, limitSec: spec.maxDurationSec },
    );
  }
  let bitrate = spec.bitrateKbps;
  const warnings: string[] = [];
  if (spec.maxBytes !== undefined) {
    const fit = Math.floor((spec.maxBytes * 8 * CAP_HEADROOM) / 1000 / Math.max(duration, 1));
    if (fit < bitrate) {
      if (fit < 32) {
        throw new GovpubError(
          'media_cap_unreachable',
          `${label} is ${formatDuration(duration)} long; under the ${formatBytes(spec.maxBytes)} limit of ${spec.limitName} it could get only ${fit} kbps (32 kbps is the least for intelligible speech). Shorten it.`,
          { spec: spec.key, durationSec: duration },
        );
      }
      bitrate = fit;
      warnings.push(`Audio bitrate lowered to ${fit} kbps to stay under ${formatBytes(spec.maxBytes)}.`);
    }
  }
  return { bitrateKbps: bitrate, warnings };
}

/** Checks that a source can serve an image spec made from a video frame. */
export function planPoster(probe: ProbeResult, spec: ImageSpec, label = 'The video'): void {
  if (probe.kind !== 'video') throw wrongKind(label, probe, spec.key, 'a video original');
}

// ---------------------------------------------------------------------------------------------
// ffmpeg command lines

/** The filter graph producing `[v]` at exactly width×height (yuv420p). */
export function videoFilterGraph(
  layout: VideoSpec['layout'],
  width: number,
  height: number,
  srcW?: number,
  srcH?: number,
  fps?: number,
  overlay?: Pick<VideoOverlay, 'left' | 'top'>,
): string {
  if (overlay) {
    // The layout first, then the watermark (input 1) over the finished frame.
    return (
      videoFilterGraph(layout, width, height, srcW, srcH, fps).replace(/\[v\]$/, '[vb]') +
      `;[vb][1:v]overlay=x=${Math.round(overlay.left)}:y=${Math.round(overlay.top)}:format=auto,format=yuv420p[v]`
    );
  }
  const fpsFilter = fps ? `,fps=${fps}` : '';
  const sameAspect = srcW && srcH ? Math.abs(srcW / srcH - width / height) < 0.01 : false;
  if (layout === 'pad' || sameAspect) {
    return (
      `[0:v]scale=w=${width}:h=${height}:force_original_aspect_ratio=decrease:force_divisible_by=2,` +
      `pad=${width}:${height}:(ow-iw)/2:(oh-ih)/2:color=black,setsar=1${fpsFilter},format=yuv420p[v]`
    );
  }
  // Background at quarter resolution: blurring is cheap there and detail is not wanted anyway.
  const bw = Math.max(2, Math.round(width / 8) * 2);
  const bh = Math.max(2, Math.round(height / 8) * 2);
  return (
    `[0:v]split=2[bg][fg];` +
    `[bg]scale=w=${bw}:h=${bh}:force_original_aspect_ratio=increase,crop=${bw}:${bh},boxblur=luma_radius=8:luma_power=2,` +
    `eq=brightness=-0.08,scale=${width}:${height},setsar=1[bgb];` +
    `[fg]scale=w=${width}:h=${height}:force_original_aspect_ratio=decrease:force_divisible_by=2,setsar=1[fgs];` +
    `[bgb][fgs]overlay=x=(W-w)/2:y=(H-h)/2${fpsFilter},format=yuv420p[v]`
  );
}

export function videoArgs(
  input: string,
  output: string,
  plan: VideoPlan,
  spec: VideoSpec,
  probe: ProbeResult,
  threads: number,
  overlay?: VideoOverlay,
): string[] {
  const fps = plan.fps ?? probe.fps ?? 25;
  const gop = Math.max(1, Math.round(fps * 2));
  const args = [
    '-hide_banner',
    '-nostdin',
    '-y',
    '-loglevel',
    'error',
    '-threads',
    String(threads),
    // Untrusted input: no network or other protocols (e.g. references inside a crafted file).
    '-protocol_whitelist',
    'file',
    '-i',
    input,
    ...(overlay ? ['-i', overlay.path] : []),
    '-filter_complex',
    videoFilterGraph(spec.layout, plan.width, plan.height, probe.width, probe.height, plan.fps, overlay),
    '-map',
    '[v]',
    '-c:v',
    'libx264',
    '-preset',
    spec.preset,
    '-profile:v',
    'high',
    '-crf',
    String(plan.crf),
    '-maxrate',
    `${plan.maxrateKbps}k`,
    '-bufsize',
    `${plan.bufsizeKbps}k`,
    '-g',
    String(gop),
    '-pix_fmt',
    'yuv420p',
    '-threads',
    String(threads),
  ];
  if (probe.hasAudio) {
    args.push('-map', '0:a:0', '-c:a', 'aac', '-b:a', `${plan.audioKbps}k`, '-ac', '2', '-ar', '48000');
  }
  args.push('-map_metadata', '-1', '-map_chapters', '-1', '-movflags', '+faststart', '-progress', 'pipe:1', '-nostats', '-f', 'mp4', output);
  return args;
}

/** Runs ffmpeg, turning `-progress` output into percentages within [from, to]. */
async function runWithProgress(
  args: string[],
  durationSec: number,
  progress: ProgressReporter,
  from: number,
  to: number,
  opts: MediaJobOptions,
  what: string,
): Promise<void> {
  try {
    await runTool('ffmpeg', args, {
      signal: opts.signal,
      onStdoutLine: (line) => {
        const t = parseProgressLine(line);
        if (t !== null && durationSec > 0) progress.report(from + (to - from) * Math.min(1, t / durationSec));
      },
    });
  } catch (err) {
    if (err instanceof ToolFailure) {
      throw new GovpubError(
        'media_transcode_failed',
        `ffmpeg could not make ${what}: ${lastLines(err.stderrTail, 3) || `exit code ${err.exitCode}`}. The original may be damaged; if it plays normally, report this with the file.`,
        { stderr: err.stderrTail, exitCode: err.exitCode },
      );
    }
    throw err;
  }
  progress.report(to);
}

// ---------------------------------------------------------------------------------------------
// Renderers

export async function renderVideoRendition(
  inputPath: string,
  probe: ProbeResult,
  spec: VideoSpec,
  outPath: string,
  opts: MediaJobOptions = {},
  progress: ProgressReporter = new ProgressReporter(opts.onProgress),
): Promise<VideoRenderResult> {
  const label = opts.label ?? 'The video';
  const plan = planVideo(probe, spec, label);
  const threads = opts.threads ?? defaultThreads();
  const duration = probe.durationSec ?? 0;
  const wm = opts.watermark;
  const overlay =
    spec.watermark && wm && (wm.text || wm.imagePath)
      ? ((await writeWatermarkPng(wm, plan.width, plan.height, path.join(path.dirname(outPath), `${path.basename(outPath)}.watermark.png`), plan.warnings)) ??
        undefined)
      : undefined;

  await runWithProgress(videoArgs(inputPath, outPath, plan, spec, probe, threads, overlay), duration, progress, 0, 95, opts, spec.label);
  let size = (await stat(outPath)).size;

  if (spec.maxBytes !== undefined && size > spec.maxBytes) {
    // One retry, lower by the overshoot and a margin.
    const lowered = Math.floor(plan.maxrateKbps * (spec.maxBytes / size) * 0.85);
    const first = size;
    const retryPlan: VideoPlan = { ...plan, maxrateKbps: lowered, bufsizeKbps: Math.round(lowered * VBV_SECONDS) };
    await runWithProgress(videoArgs(inputPath, outPath, retryPlan, spec, probe, threads, overlay), duration, progress, progress.current, 97, opts, spec.label);
    size = (await stat(outPath)).size;
    if (size > spec.maxBytes) {
      throw new GovpubError(
        'media_cap_unreachable',
        `${overLimitMessage(`${spec.label} of ${label}`, size, spec.maxBytes, spec.limitName)} even after a retry at ${lowered} kbps (first attempt: ${formatBytes(first)}). Shorten the video.`,
        { spec: spec.key, sizeBytes: size, limitBytes: spec.maxBytes },
      );
    }
    plan.maxrateKbps = lowered;
    plan.warnings.push(`Re-encoded at ${lowered} kbps: the first attempt (${formatBytes(first)}) was over ${formatBytes(spec.maxBytes)}.`);
  }

  // Verify what we made before anyone sends it anywhere.
  const out = await probeMedia(outPath, { label: `${spec.key} rendition`, maxBytes: Number.MAX_SAFE_INTEGER, signal: opts.signal });
  if (out.kind !== 'video' || out.videoCodec !== 'h264' || out.width !== plan.width || out.height !== plan.height) {
    throw new GovpubError(
      'media_transcode_failed',
      `ffmpeg produced an unexpected ${spec.key} rendition (${out.videoCodec} ${out.width}×${out.height}, expected h264 ${plan.width}×${plan.height}).`,
      { spec: spec.key },
    );
  }
  return {
    path: outPath,
    width: plan.width,
    height: plan.height,
    sizeBytes: size,
    mime: 'video/mp4',
    durationSec: out.durationSec ?? duration,
    maxrateKbps: plan.maxrateKbps,
    warnings: plan.warnings,
  };
}

/**
 * Extracts a representative frame as PNG: about 10% into the video (skipping fade-ins and black
 * openings; at most 10 s in), the most typical of ~1 s of frames (ffmpeg's `thumbnail` filter).
 * The picture is then made into the spec by the image pipeline.
 */
export async function extractPosterFrame(inputPath: string, probe: ProbeResult, outPath: string, opts: MediaJobOptions = {}): Promise<void> {
  const duration = probe.durationSec ?? 0;
  const at = duration > 2 ? Math.min(10, duration * 0.1) : 0;
  const frames = Math.max(1, Math.min(12, Math.round((probe.fps ?? 25) / 2)));
  const args = [
    '-hide_banner',
    '-nostdin',
    '-y',
    '-loglevel',
    'error',
    '-threads',
    String(opts.threads ?? defaultThreads()),
    '-ss',
    at.toFixed(3),
    '-protocol_whitelist',
    'file',
    '-i',
    inputPath,
    '-vf',
    `scale=w=1920:h=1920:force_original_aspect_ratio=decrease,thumbnail=n=${frames}`,
    '-frames:v',
    '1',
    '-map_metadata',
    '-1',
    '-c:v',
    'png',
    '-f',
    'image2',
    outPath,
  ];
  try {
    await runTool('ffmpeg', args, { signal: opts.signal });
  } catch (err) {
    if (err instanceof ToolFailure) {
      throw new GovpubError('media_transcode_failed', `Could not take a poster frame from ${opts.label ?? 'the video'}: ${lastLines(err.stderrTail, 3)}.`, {
        stderr: err.stderrTail,
      });
    }
    throw err;
  }
  const size = await stat(outPath).then(
    (s) => s.size,
    () => 0,
  );
  if (size === 0) {
    // Very short clips: the seek can land after the last frame. Take the first one instead.
    if (at > 0) return extractPosterFrame(inputPath, { ...probe, durationSec: 0 }, outPath, opts);
    throw new GovpubError('media_transcode_failed', `${opts.label ?? 'The video'} has no frame that can be decoded for a poster.`);
  }
}

export interface AudioRenderResult {
  path: string;
  sizeBytes: number;
  mime: string;
  durationSec: number;
  bitrateKbps: number;
  warnings: string[];
}

export async function renderAudioRendition(
  inputPath: string,
  probe: ProbeResult,
  spec: AudioSpec,
  outPath: string,
  opts: MediaJobOptions = {},
  progress: ProgressReporter = new ProgressReporter(opts.onProgress),
): Promise<AudioRenderResult> {
  const label = opts.label ?? 'The recording';
  const { bitrateKbps, warnings } = planAudio(probe, spec, label);
  const args = [
    '-hide_banner',
    '-nostdin',
    '-y',
    '-loglevel',
    'error',
    '-protocol_whitelist',
    'file',
    '-i',
    inputPath,
    '-map',
    '0:a:0',
    '-vn',
    '-c:a',
    spec.codec === 'mp3' ? 'libmp3lame' : 'aac',
    '-b:a',
    `${bitrateKbps}k`,
    '-ac',
    String(spec.channels),
    '-ar',
    String(spec.sampleRate),
    '-map_metadata',
    '-1',
  ];
  if (spec.codec === 'aac') args.push('-movflags', '+faststart', '-f', 'mp4');
  else args.push('-f', 'mp3');
  args.push('-progress', 'pipe:1', '-nostats', outPath);
  await runWithProgress(args, probe.durationSec ?? 0, progress, 0, 97, opts, spec.label);
  const size = (await stat(outPath)).size;
  if (spec.maxBytes !== undefined && size > spec.maxBytes) {
    throw new GovpubError(
      'media_cap_unreachable',
      `${overLimitMessage(`${spec.label} of ${label}`, size, spec.maxBytes, spec.limitName)}. Shorten the recording.`,
      {
        spec: spec.key,
        sizeBytes: size,
      },
    );
  }
  return {
    path: outPath,
    sizeBytes: size,
    mime: spec.codec === 'mp3' ? 'audio/mpeg' : 'audio/mp4',
    durationSec: probe.durationSec ?? 0,
    bitrateKbps,
    warnings,
  };
}
