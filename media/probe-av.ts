/** Probes audio and video with ffprobe (after checking an MP4/MOV's boxes for a cut-off upload): streams, duration, codecs, rotation. */
import { open } from 'node:fs/promises';
import { GovpubError } from '../domain/errors.js';
import { runTool, ToolFailure, lastLines, toolCrashError, toolMissingError } from './process.js';
import type { MediaKind, ProbeOptions, ProbeResult } from './probe.js';
import { ascii } from './sniff.js';
import { fileZh, formatBytes } from './units.js';

interface FfprobeStream {
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  pix_fmt?: string;
  color_transfer?: string;
  sample_aspect_ratio?: string;
  avg_frame_rate?: string;
  r_frame_rate?: string;
  channels?: number;
  sample_rate?: string;
  duration?: string;
  bit_rate?: string;
  disposition?: { attached_pic?: number };
  tags?: Record<string, string>;
  side_data_list?: { rotation?: number }[];
}

interface FfprobeOutput {
  streams?: FfprobeStream[];
  format?: { format_name?: string; duration?: string; bit_rate?: string; size?: string };
}

const AV_FORMAT: Record<string, { video: [string, string]; audio: [string, string] }> = {
  mp4: { video: ['video/mp4', 'mp4'], audio: ['audio/mp4', 'm4a'] },
  mov: { video: ['video/quicktime', 'mov'], audio: ['audio/mp4', 'm4a'] },
  matroska: { video: ['video/x-matroska', 'mkv'], audio: ['audio/x-matroska', 'mka'] },
  webm: { video: ['video/webm', 'webm'], audio: ['audio/webm', 'webm'] },
  flv: { video: ['video/x-flv', 'flv'], audio: ['video/x-flv', 'flv'] },
  avi: { video: ['video/x-msvideo', 'avi'], audio: ['video/x-msvideo', 'avi'] },
  ts: { video: ['video/mp2t', 'ts'], audio: ['video/mp2t', 'ts'] },
  mpeg: { video: ['video/mpeg', 'mpg'], audio: ['audio/mpeg', 'mpg'] },
  asf: { video: ['video/x-ms-wmv', 'wmv'], audio: ['audio/x-ms-wma', 'wma'] },
  mp3: { video: ['audio/mpeg', 'mp3'], audio: ['audio/mpeg', 'mp3'] },
  aac: { video: ['audio/aac', 'aac'], audio: ['audio/aac', 'aac'] },
  wav: { video: ['audio/wav', 'wav'], audio: ['audio/wav', 'wav'] },
  ogg: { video: ['video/ogg', 'ogv'], audio: ['audio/ogg', 'ogg'] },
  flac: { video: ['audio/flac', 'flac'], audio: ['audio/flac', 'flac'] },
  amr: { video: ['audio/amr', 'amr'], audio: ['audio/amr', 'amr'] },
};

function parseRate(r: string | undefined): number | undefined {
  if (!r) return undefined;
  const [n, d] = r.split('/').map(Number);
  if (!n || !d) return undefined;
  return Math.round((n / d) * 1000) / 1000;
}

function num(s: string | number | undefined): number | undefined {
  if (s === undefined || s === 'N/A') return undefined;
  const n = Number(s);
  return Number.isFinite(n) ? n : undefined;
}

export async function probeAv(
  filePath: string,
  label: string,
  sizeBytes: number,
  sniffedFormat: string,
  isoBmff: boolean,
  opts: ProbeOptions,
): Promise<ProbeResult> {
  if (isoBmff) await checkIsoBmffBoxes(filePath, label, sizeBytes);
  if (sniffedFormat === 'matroska') await checkMatroskaSegment(filePath, label, sizeBytes);

  let out: FfprobeOutput;
  try {
    const { stdout } = await runTool(
      'ffprobe',
      ['-v', 'error', '-hide_banner', '-protocol_whitelist', 'file', '-print_format', 'json', '-show_format', '-show_streams', filePath],
      { collectStdout: true, signal: opts.signal, timeoutMs: 120_000 },
    );
    out = JSON.parse(stdout) as FfprobeOutput;
  } catch (err) {
    if (err instanceof GovpubError && err.code === 'ffprobe_not_found') throw toolMissingError(err, 'ffprobe', `${label} cannot be read`, `读取「${label}」`);
    if (err instanceof ToolFailure) {
      throw (
        toolCrashError(err, `reading ${label}`, `读取「${label}」`) ??
        new GovpubError(
          'media_corrupt',
          `${label} looks like ${article(sniffedFormat)} ${sniffedFormat.toUpperCase()} file but cannot be read (ffprobe: ${lastLines(err.stderrTail.split(filePath).join(label), 2) || `exit code ${err.exitCode}`}); it is damaged or was cut off during upload. Check that it plays on your computer, re-export it, and upload again.`,
          { label, format: sniffedFormat, reason: err.stderrTail },
          {
            zh: `${fileZh(label)}看起来是 ${sniffedFormat.toUpperCase()} 文件，但 ffprobe 无法读取它，文件已损坏或在上传中被截断。请确认它能在本机正常播放，重新导出后再上传。`,
          },
        )
      );
    }
    throw err;
  }

  const streams = out.streams ?? [];
  const video = streams.find((s) => s.codec_type === 'video' && !s.disposition?.attached_pic);
  const audio = streams.find((s) => s.codec_type === 'audio');
  if (!video && !audio) {
    throw new GovpubError(
      'media_unsupported',
      `${label} contains no audio or video stream that can be read. Re-export it as MP4 (H.264/AAC) and upload again.`,
      { label, container: out.format?.format_name },
      { zh: `${fileZh(label)}中没有可读取的音频或视频流。请重新导出为 MP4（H.264/AAC）后再上传。` },
    );
  }
  const kind: MediaKind = video ? 'video' : 'audio';
  const durationSec = num(out.format?.duration) ?? num(video?.duration) ?? num(audio?.duration);
  if (!durationSec || durationSec <= 0) {
    throw new GovpubError(
      'media_corrupt',
      `${label} has no readable duration; it is probably cut off or damaged. Re-export it and upload again.`,
      { label },
      { zh: `${fileZh(label)}读不出时长，可能被截断或已损坏。请重新导出后再上传。` },
    );
  }

  const container = out.format?.format_name ?? sniffedFormat;
  let format = sniffedFormat;
  if (sniffedFormat === 'matroska' && container.includes('webm') && (!video || ['vp8', 'vp9', 'av1'].includes(video.codec_name ?? ''))) {
    format = 'webm';
  }
  if (format === 'mp4' && !video && audio) format = 'm4a';
  const entry = AV_FORMAT[format === 'm4a' ? 'mp4' : format];
  const [mime, extension] = entry ? entry[kind === 'video' ? 'video' : 'audio'] : [`${kind}/${format}`, format];

  let width = video?.width;
  let height = video?.height;
  // Non-square pixels (anamorphic video): the display width, as a player shows it.
  const [sarN = 0, sarD = 0] = (video?.sample_aspect_ratio ?? '').split(':').map(Number);
  const anamorphic = sarN > 0 && sarD > 0 && sarN !== sarD;
  if (anamorphic && width !== undefined) width = Math.max(2, Math.trunc((width * sarN) / sarD / 2) * 2);
  let rotation: number | undefined;
  const rot = video?.side_data_list?.find((d) => typeof d.rotation === 'number')?.rotation ?? num(video?.tags?.rotate);
  if (rot !== undefined && rot !== 0) {
    rotation = ((Math.round(-rot) % 360) + 360) % 360;
    if (rotation === 90 || rotation === 270) [width, height] = [height, width];
  }

  return {
    kind,
    mime,
    format,
    extension,
    sizeBytes,
    width,
    height,
    durationSec,
    videoCodec: video?.codec_name,
    audioCodec: audio?.codec_name,
    bitrate: num(out.format?.bit_rate),
    fps: parseRate(video?.avg_frame_rate) ?? parseRate(video?.r_frame_rate),
    pixelFormat: video?.pix_fmt,
    ...(video?.color_transfer && video.color_transfer !== 'unknown' ? { colorTransfer: video.color_transfer } : {}),
    ...(anamorphic ? { sampleAspectRatio: `${sarN}:${sarD}` } : {}),
    rotation,
    audioChannels: audio?.channels,
    sampleRate: num(audio?.sample_rate),
    hasVideo: !!video,
    hasAudio: !!audio,
    container,
  };
}

function article(word: string): string {
  return /^[aefhilmnorsx]/i.test(word) ? 'an' : 'a';
}

/** A file shorter than one of its sections says it is: the upload or export did not finish. */
function cutOff(label: string, section: string, expectedBytes: number, sizeBytes: number, details: Record<string, unknown>): GovpubError {
  const missing = formatBytes(expectedBytes - sizeBytes);
  return new GovpubError(
    'media_corrupt',
    `${label} is cut off: its '${section}' section needs ${formatBytes(expectedBytes)} but the file has only ${formatBytes(sizeBytes)} (${missing} missing). The upload or export did not finish; upload the complete file again.`,
    { label, ...details, expectedBytes, sizeBytes },
    {
      zh: `${fileZh(label)}不完整：其中的「${section}」部分需要 ${formatBytes(expectedBytes)}，但文件只有 ${formatBytes(sizeBytes)}（缺少 ${missing}）。上传或导出没有完成，请重新上传完整的文件。`,
    },
  );
}

/**
 * Reads an EBML variable-length integer at `at`: its length in bytes and its value, or
 * `unknown` when every value bit is set (Matroska's "size not known", written by live
 * recorders). Null when the bytes are not one.
 */
function readEbmlVint(bytes: Buffer, at: number, keepMarker: boolean): { length: number; value: number | 'unknown' } | null {
  const first = bytes[at];
  if (first === undefined || first === 0) return null;
  const length = Math.clz32(first) - 23; // leading zeros within the byte, plus one
  if (at + length > bytes.length) return null;
  let value = keepMarker ? first : first & (0xff >> length);
  let allOnes = value === 0xff >> length;
  for (let i = 1; i < length; i++) {
    const byte = bytes[at + i]!;
    allOnes &&= byte === 0xff;
    value = value * 256 + byte;
  }
  return { length, value: !keepMarker && allOnes ? 'unknown' : value };
}

const EBML_HEADER_ID = 0x1a45dfa3;
const MATROSKA_SEGMENT_ID = 0x18538067;

/**
 * A Matroska/WebM file's Segment (everything after the header) declares its size; a file
 * shorter than that was cut off during upload. ffprobe reads the duration from the header and
 * passes such a file, which then fails at its render, after review. A Segment of unknown size
 * (as live recorders write it) cannot be judged here: the render's decoded
 * duration check catches those.
 */
export async function checkMatroskaSegment(filePath: string, label: string, sizeBytes: number): Promise<void> {
  const fh = await open(filePath, 'r');
  try {
    const head = Buffer.alloc(Math.min(sizeBytes, 1024));
    await fh.read(head, 0, head.length, 0);
    const headerId = readEbmlVint(head, 0, true);
    if (headerId?.value !== EBML_HEADER_ID) return;
    const headerSize = readEbmlVint(head, headerId.length, false);
    if (!headerSize || headerSize.value === 'unknown') return;
    const segmentAt = headerId.length + headerSize.length + headerSize.value;
    const segmentId = readEbmlVint(head, segmentAt, true);
    if (segmentId?.value !== MATROSKA_SEGMENT_ID) return; // another layout: left to ffprobe
    const segmentSize = readEbmlVint(head, segmentAt + segmentId.length, false);
    if (!segmentSize || segmentSize.value === 'unknown') return;
    const segmentEnd = segmentAt + segmentId.length + segmentSize.length + segmentSize.value;
    if (segmentEnd > sizeBytes) throw cutOff(label, 'Segment', segmentEnd, sizeBytes, { element: 'Segment' });
  } finally {
    await fh.close();
  }
}

/**
 * Walks the top-level boxes of an MP4/MOV file (headers only). A box that claims to run past the
 * end of the file means the upload was cut off — ffprobe alone misses this when the index (moov)
 * comes first.
 */
export async function checkIsoBmffBoxes(filePath: string, label: string, sizeBytes: number): Promise<void> {
  const fh = await open(filePath, 'r');
  try {
    const header = Buffer.alloc(16);
    let offset = 0;
    const seen: string[] = [];
    while (offset < sizeBytes) {
      const { bytesRead } = await fh.read(header, 0, 16, offset);
      if (bytesRead < 8) break; // trailing garbage shorter than a box header: tolerated
      let size = header.readUInt32BE(0);
      const type = ascii(header, 4, 8);
      if (!/^[\x20-\x7e]{4}$/.test(type)) break; // not a box: tolerated (some tools append data)
      seen.push(type);
      if (size === 1) {
        if (bytesRead < 16) break;
        size = Number(header.readBigUInt64BE(8));
      } else if (size === 0) {
        size = sizeBytes - offset;
      }
      if (size < 8) break;
      if (offset + size > sizeBytes) throw cutOff(label, type, offset + size, sizeBytes, { box: type });
      offset += size;
    }
    if (seen.includes('mdat') && !seen.includes('moov') && !seen.includes('moof')) {
      throw new GovpubError(
        'media_corrupt',
        `${label} has video data but no index ('moov' section); the recording or export was interrupted. Re-export the video and upload again.`,
        { label, boxes: seen },
        { zh: `${fileZh(label)}有视频数据但没有索引（moov 部分），录制或导出被中断。请重新导出视频后再上传。` },
      );
    }
  } finally {
    await fh.close();
  }
}
