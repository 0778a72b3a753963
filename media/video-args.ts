/** The ffmpeg command line of a video rendition: the filter graph (pad or blur-fill, frame rate, watermark overlay) and the H.264/AAC encode. */
import { ffmpegInputArgs } from './ffmpeg.js';
import type { ProbeResult } from './probe.js';
import type { VideoSpec } from './specs.js';
import type { VideoPlan } from './video-plan.js';

/** A prepared watermark PNG and its top-left corner in the output frame (input 1 of ffmpeg). */
export interface VideoOverlay {
  path: string;
  left: number;
  top: number;
}

/**
 * A scale filter fitting the frame inside width×height, keeping its aspect ratio, with even sides
 * (H.264 yuv420p needs them). Written as expressions rather than `force_divisible_by` (FFmpeg 4.3+)
 * so that the ffmpeg bundled from npm (`@ffmpeg-installer`, an FFmpeg 4.1-era build) runs it too.
 */
function fitInside(width: number, height: number): string {
  const ratio = `min(${width}/iw,${height}/ih)`;
  return `scale=w='trunc(${ratio}*iw/2)*2':h='trunc(${ratio}*ih/2)*2'`;
}

/** Transfer characteristics of HDR video: HLG (what phones record by default) and PQ (HDR10). */
const HDR_TRANSFERS = new Set(['arib-std-b67', 'smpte2084']);

/** Whether a probed video is HDR (HLG or PQ), which an 8-bit SDR rendition must tone-map. */
export function isHdr(probe: Pick<ProbeResult, 'colorTransfer'>): boolean {
  return probe.colorTransfer !== undefined && HDR_TRANSFERS.has(probe.colorTransfer);
}

/**
 * HDR to SDR (BT.709): to linear light, BT.709 primaries, a Hable tone curve, back to BT.709
 * (zscale is libzimg). Without it an HDR phone video came out as 8-bit H.264 still labelled
 * BT.2020/HLG, which players show washed out (or not at all), and its poster grey and flat.
 */
export const HDR_TO_SDR = 'zscale=t=linear:npl=100,format=gbrpf32le,zscale=p=bt709,tonemap=tonemap=hable:desat=0,zscale=t=bt709:m=bt709:r=tv,format=yuv420p';

/** Output labels of a rendition made from an HDR original: SDR BT.709, whatever the original said. */
export const SDR_COLOUR_ARGS = ['-color_primaries', 'bt709', '-color_trc', 'bt709', '-colorspace', 'bt709'];

/**
 * Filters every frame of the original goes through first: HDR tone-mapped to SDR (`toneMap`), and
 * non-square pixels (anamorphic 16:9 broadcast and camcorder video, e.g. 1440×1080 with a 4:3
 * sample aspect ratio) made square at the display width, so the frame is fitted by its real shape.
 * Each ends with a comma; empty when none applies.
 */
export function inputFilters(probe: Pick<ProbeResult, 'colorTransfer' | 'sampleAspectRatio'>, toneMap: boolean): string {
  return (toneMap && isHdr(probe) ? `${HDR_TO_SDR},` : '') + (probe.sampleAspectRatio ? `scale=w='trunc(iw*sar/2)*2':h=ih,setsar=1,` : '');
}

/** The filter graph producing `[v]` at exactly width×height (yuv420p); `pre`: inputFilters. */
export function videoFilterGraph(
  layout: VideoSpec['layout'],
  width: number,
  height: number,
  srcW?: number,
  srcH?: number,
  fps?: number,
  overlay?: Pick<VideoOverlay, 'left' | 'top'>,
  pre = '',
): string {
  if (overlay) {
    // The layout first, then the watermark (input 1) over the finished frame.
    return (
      videoFilterGraph(layout, width, height, srcW, srcH, fps, undefined, pre).replace(/\[v\]$/, '[vb]') +
      `;[vb][1:v]overlay=x=${Math.round(overlay.left)}:y=${Math.round(overlay.top)}:format=auto,format=yuv420p[v]`
    );
  }
  const input = `[0:v]${pre}`;
  const fpsFilter = fps ? `,fps=${fps}` : '';
  const sameAspect = srcW && srcH ? Math.abs(srcW / srcH - width / height) < 0.01 : false;
  if (layout === 'pad' || sameAspect) {
    return `${input}${fitInside(width, height)},` + `pad=${width}:${height}:(ow-iw)/2:(oh-ih)/2:color=black,setsar=1${fpsFilter},format=yuv420p[v]`;
  }
  // Background at quarter resolution: blurring is cheap there and detail is not wanted anyway.
  const bw = Math.max(2, Math.round(width / 8) * 2);
  const bh = Math.max(2, Math.round(height / 8) * 2);
  return (
    `${input}split=2[bg][fg];` +
    `[bg]scale=w=${bw}:h=${bh}:force_original_aspect_ratio=increase,crop=${bw}:${bh},boxblur=luma_radius=8:luma_power=2,` +
    `eq=brightness=-0.08,scale=${width}:${height},setsar=1[bgb];` +
    `[fg]${fitInside(width, height)},setsar=1[fgs];` +
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
  /** The original is HDR and ffmpeg can tone-map it (zscale). */
  toneMap = false,
): string[] {
  const fps = plan.fps ?? probe.fps ?? 25;
  const gop = Math.max(1, Math.round(fps * 2));
  const args = [
    ...ffmpegInputArgs(input, { threads }),
    ...(overlay ? ['-i', overlay.path] : []),
    '-filter_complex',
    videoFilterGraph(spec.layout, plan.width, plan.height, probe.width, probe.height, plan.fps, overlay, inputFilters(probe, toneMap)),
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
    ...(isHdr(probe) ? SDR_COLOUR_ARGS : []),
    '-threads',
    String(threads),
  ];
  if (probe.hasAudio) {
    args.push('-map', '0:a:0', '-c:a', 'aac', '-b:a', `${plan.audioKbps}k`, '-ac', '2', '-ar', '48000');
  }
  // Re-encoding AAC pads the audio to whole frames (a 900.000 s original comes out 900.016 s), so
  // an original exactly at a platform's length limit would be refused at release although preflight
  // passed it: the output stops at the limit. Only near it: a file whose stated length is wrong (a
  // browser-recorded WebM states none, and ffprobe estimates) is never cut short silently elsewhere.
  const nearLimit = spec.maxDurationSec !== undefined && spec.maxDurationSec - (probe.durationSec ?? 0) < 1;
  if (nearLimit) args.push('-t', String(spec.maxDurationSec));
  args.push('-map_metadata', '-1', '-map_chapters', '-1', '-movflags', '+faststart', '-progress', 'pipe:1', '-nostats', '-f', 'mp4', output);
  return args;
}
