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
 *
 * This file runs the renderers; the plan is made in video-plan.ts, the command line in
 * video-args.ts, and ffmpeg is run (with progress) by ffmpeg.ts.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { GovpubError } from '../domain/errors.js';
import { ProgressReporter, defaultThreads, ffmpegCanToneMap, ffmpegInputArgs, runWithProgress } from './ffmpeg.js';
import { writeWatermarkPng, type WatermarkOptions } from './image.js';
import type { ProbeResult } from './probe.js';
import { probeMedia } from './probe.js';
import { runTool, ToolFailure, lastLines, toolCrashError } from './process.js';
import { platformNameZh, type AudioSpec, type VideoSpec } from './specs.js';
import { addNote, fileZh, formatBytes, formatDuration, formatDurationZh, newNotes, overLimitMessage, type RenditionNotes } from './units.js';
import { inputFilters, isHdr, videoArgs } from './video-args.js';
import { POSTER_FRAME_MAX_SIDE, VBV_SECONDS, planAudio, planVideo, type VideoPlan } from './video-plan.js';

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
  /** The same notes in Chinese, in the same order. */
  warningsZh: string[];
}

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
      ? ((await writeWatermarkPng(wm, plan.width, plan.height, path.join(path.dirname(outPath), `${path.basename(outPath)}.watermark.png`), plan)) ?? undefined)
      : undefined;

  const toneMap = await hdrToneMap(probe, plan);
  await runWithProgress(videoArgs(inputPath, outPath, plan, spec, probe, threads, overlay, toneMap), duration, progress, 0, 95, opts.signal, spec.label);
  let size = (await stat(outPath)).size;

  if (spec.maxBytes !== undefined && size > spec.maxBytes) {
    // One retry, lower by the overshoot and a margin.
    const lowered = Math.floor(plan.maxrateKbps * (spec.maxBytes / size) * 0.85);
    const first = size;
    const retryPlan: VideoPlan = { ...plan, maxrateKbps: lowered, bufsizeKbps: Math.round(lowered * VBV_SECONDS) };
    await runWithProgress(
      videoArgs(inputPath, outPath, retryPlan, spec, probe, threads, overlay, toneMap),
      duration,
      progress,
      progress.current,
      97,
      opts.signal,
      spec.label,
    );
    size = (await stat(outPath)).size;
    if (size > spec.maxBytes) {
      throw new GovpubError(
        'media_cap_unreachable',
        `${overLimitMessage(`${spec.label} of ${label}`, size, spec.maxBytes, spec.limitName)} even after a retry at ${lowered} kbps (first attempt: ${formatBytes(first)}). Shorten the video.`,
        { spec: spec.key, sizeBytes: size, limitBytes: spec.maxBytes },
        {
          zh:
            `${fileZh(label)}的转码文件「${spec.labelZh}」把码率降到 ${lowered} kbps 重做后仍有 ${formatBytes(size)}，超过${platformNameZh(spec.platform)}的大小上限 ${formatBytes(spec.maxBytes)}` +
            `（超出 ${formatBytes(size - spec.maxBytes)}；第一次为 ${formatBytes(first)}）。请剪短视频后重新上传。`,
        },
      );
    }
    plan.maxrateKbps = lowered;
    addNote(
      plan,
      `Re-encoded at ${lowered} kbps: the first attempt (${formatBytes(first)}) was over ${formatBytes(spec.maxBytes)}.`,
      `第一次转码为 ${formatBytes(first)}，超过 ${formatBytes(spec.maxBytes)}，已按 ${lowered} kbps 重新转码。`,
    );
  }

  // Verify what we made before anyone sends it anywhere.
  const out = await probeMedia(outPath, { label: `${spec.key} rendition`, maxBytes: Number.MAX_SAFE_INTEGER, signal: opts.signal });
  if (out.kind !== 'video' || out.videoCodec !== 'h264' || out.width !== plan.width || out.height !== plan.height) {
    throw new GovpubError(
      'media_transcode_failed',
      `ffmpeg produced an unexpected ${spec.key} rendition (${out.videoCodec} ${out.width}×${out.height}, expected h264 ${plan.width}×${plan.height}).`,
      { spec: spec.key },
      {
        zh: `转码生成的「${spec.labelZh}」文件不符合要求（${out.videoCodec} ${out.width}×${out.height}，应为 h264 ${plan.width}×${plan.height}）。请把原视频重新导出为 MP4（H.264/AAC）后再上传；如仍失败，请联系运维人员并附上该文件。`,
      },
    );
  }
  // A Matroska/WebM file cut off during upload still states its whole duration in its header (the
  // probe passes) and ffmpeg stops at the cut without an error: the rendition would end mid-sentence.
  const made = out.durationSec ?? 0;
  if (duration > 0 && duration - made > Math.max(1, duration * 0.05)) {
    throw new GovpubError(
      'media_corrupt',
      `${label} is cut off: its header says ${formatDuration(duration)}, but only ${formatDuration(made)} of it can be decoded. The upload or export did not finish; upload the complete file again.`,
      { spec: spec.key, durationSec: duration, decodedSec: made },
      {
        zh: `${fileZh(label)}不完整：文件头写明时长 ${formatDurationZh(duration)}，但只能解码出 ${formatDurationZh(made)}。上传或导出没有完成，请重新导出后上传完整的文件。`,
      },
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
    warningsZh: plan.warningsZh,
  };
}

/**
 * Whether an HDR original is tone-mapped to SDR (false for SDR originals). An ffmpeg without
 * zscale cannot: the rendition is then labelled SDR as it is and the warning says what to install.
 */
async function hdrToneMap(probe: ProbeResult, notes: RenditionNotes): Promise<boolean> {
  if (!isHdr(probe)) return false;
  if (await ffmpegCanToneMap()) return true;
  addNote(
    notes,
    `The original is HDR (${probe.colorTransfer}) and this ffmpeg has no zscale filter to convert it to SDR: colours may look washed out. Install an ffmpeg built with libzimg, or export the video as SDR (H.264) and upload it again.`,
    `原视频是 HDR（${probe.colorTransfer}），而本机的 ffmpeg 没有把它转为 SDR 的 zscale 滤镜：颜色可能发灰。请运维人员安装带 libzimg 的 ffmpeg，或把视频导出为 SDR（H.264）后重新上传。`,
  );
  return false;
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
  // Never enlarged here: the image pipeline enlarges (saying so) or refuses (Bilibili's cover) by the
  // frame's true size; an enlarged frame passed a 640×360 video off as a 1920×1080 picture.
  const max = POSTER_FRAME_MAX_SIDE;
  const posterScale = `scale=w='min(${max},iw)':h='min(${max},ih)':force_original_aspect_ratio=decrease`;
  const args = [
    ...ffmpegInputArgs(inputPath, { threads: opts.threads ?? defaultThreads(), seekSec: at }),
    '-vf',
    `${inputFilters(probe, await hdrToneMap(probe, newNotes()))}${posterScale},thumbnail=n=${frames}`,
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
      const crash = toolCrashError(err, `taking a poster frame from ${opts.label ?? 'the video'}`, `截取「${opts.label ?? '视频'}」的封面帧`);
      if (crash) throw crash;
      throw new GovpubError(
        'media_transcode_failed',
        `Could not take a poster frame from ${opts.label ?? 'the video'}: ${lastLines(err.stderrTail, 3)}.`,
        { stderr: err.stderrTail },
        { zh: `无法从${fileZh(opts.label ?? 'The video')}截取封面画面，视频可能已损坏。请确认它能在本机正常播放，重新导出为 MP4（H.264/AAC）后再上传。` },
      );
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
    throw new GovpubError('media_transcode_failed', `${opts.label ?? 'The video'} has no frame that can be decoded for a poster.`, undefined, {
      zh: `${fileZh(opts.label ?? 'The video')}中没有可解码的画面用作封面。请重新导出视频后再上传。`,
    });
  }
}

export interface AudioRenderResult {
  path: string;
  sizeBytes: number;
  mime: string;
  durationSec: number;
  bitrateKbps: number;
  warnings: string[];
  /** The same notes in Chinese, in the same order. */
  warningsZh: string[];
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
  const { bitrateKbps, warnings, warningsZh } = planAudio(probe, spec, label);
  const args = [
    ...ffmpegInputArgs(inputPath),
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
  await runWithProgress(args, probe.durationSec ?? 0, progress, 0, 97, opts.signal, spec.label);
  const size = (await stat(outPath)).size;
  if (spec.maxBytes !== undefined && size > spec.maxBytes) {
    throw new GovpubError(
      'media_cap_unreachable',
      `${overLimitMessage(`${spec.label} of ${label}`, size, spec.maxBytes, spec.limitName)}. Shorten the recording.`,
      { spec: spec.key, sizeBytes: size },
      {
        zh: `${fileZh(label)}的音频转码文件「${spec.labelZh}」为 ${formatBytes(size)}，超过${platformNameZh(spec.platform)}的大小上限 ${formatBytes(spec.maxBytes)}（超出 ${formatBytes(size - spec.maxBytes)}）。请剪短录音后重新上传。`,
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
    warningsZh,
  };
}
