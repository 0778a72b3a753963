/**
 * Probes an uploaded file by its content (never its name): magic bytes pick the family, then
 * sharp (images) or ffprobe (audio/video) read the details. Corrupt, empty, unsupported and
 * oversized files are refused with a GovpubError saying what is wrong and what to do:
 *
 *   media_empty        the file has 0 bytes
 *   media_unsupported  a PowerPoint file, a plain ZIP, text, an HEIC photo the decoder cannot read, ...
 *   media_document_invalid / media_captions_invalid  an attachment or captions file that is not what it claims
 *   media_corrupt      right type, but it cannot be decoded (truncated, damaged)
 *   media_too_large    over the byte or pixel limit (message says by how much)
 *
 * The families have their own files: sniff.ts (magic bytes), probe-image.ts (sharp), probe-av.ts (ffprobe).
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { GovpubError } from '../domain/errors.js';
import { probeAv } from './probe-av.js';
import { probeImage } from './probe-image.js';
import { readHead, sniff, unsupportedFileMessage } from './sniff.js';
import { probeCaptions, probeDocument } from './probe-document.js';
import { tooLargeError } from './store.js';
import { fileZh } from './units.js';

// Parts of probing that callers and tests use by this module's name.
export { sniff, unsupportedFileMessage } from './sniff.js';
export { DEFAULT_MAX_PIXELS, summarizeExif } from './probe-image.js';
export { checkIsoBmffBoxes } from './probe-av.js';

/** `document`: an attachment (PDF, Word, Excel, OFD), published as it is; `captions`: WebVTT for a video. */
export type MediaKind = 'image' | 'video' | 'audio' | 'document' | 'captions';

export interface ProbeResult {
  kind: MediaKind;
  mime: string;
  /** Short format name: jpeg, png, webp, gif, tiff, avif, heif, mp4, mov, webm, mkv, flv, avi, ts, mp3, aac, m4a, wav, ogg, flac, amr, wma... */
  format: string;
  /** Extension matching the content (`jpg`, `mp4`...), for naming renditions and spotting renamed files. */
  extension: string;
  sizeBytes: number;
  /** Display width/height: after EXIF orientation (images) or rotation metadata (video). */
  width?: number;
  height?: number;
  durationSec?: number;
  videoCodec?: string;
  audioCodec?: string;
  /** Overall bitrate in bits per second. */
  bitrate?: number;
  fps?: number;
  pixelFormat?: string;
  /**
   * The video's transfer characteristic as ffprobe names it (`bt709`, `arib-std-b67` for HLG,
   * `smpte2084` for PQ): HDR originals (phones record HLG by default) are tone-mapped to SDR.
   */
  colorTransfer?: string;
  /**
   * The sample (pixel) aspect ratio when pixels are not square, e.g. `4:3` for 1440×1080 HDV shown
   * at 1920×1080; `width` is then the display width.
   */
  sampleAspectRatio?: string;
  /** Clockwise rotation from the container's display matrix (video). */
  rotation?: number;
  audioChannels?: number;
  sampleRate?: number;
  hasVideo?: boolean;
  hasAudio?: boolean;
  /** ffprobe's container name, e.g. "mov,mp4,m4a,3gp,3g2,mj2". */
  container?: string;
  hasAlpha?: boolean;
  animated?: boolean;
  /** EXIF orientation tag (1–8), when present. */
  orientation?: number;
  hasExif?: boolean;
  hasGps?: boolean;
  hasXmp?: boolean;
  hasIptc?: boolean;
  /** File name of the first upload of this content (set by ingestUpload; default label in messages). */
  uploadName?: string;
}

export interface ProbeOptions {
  /** Names the file in messages (the editor's original file name). Default: the path's base name. */
  label?: string;
  /** Byte limit for every kind, or per kind. Default: DEFAULT_UPLOAD_LIMITS. */
  maxBytes?: number | Partial<Record<MediaKind, number>>;
  /** How the limit is called in messages. Default: "govpub's <kind> upload limit". */
  limitName?: string;
  /** Refuse images with more pixels than this (decompression bombs). Default 150 MP. */
  maxPixels?: number;
  /**
   * Decode the whole image to detect truncation and damage (a downscaled decode; about 70 ms for
   * a 24 MP JPEG). Default true.
   */
  verifyImagePixels?: boolean;
  signal?: AbortSignal;
}

/** Upload limits by kind (decimal units). The largest video target (Bilibili) takes 4 GB. */
export const DEFAULT_UPLOAD_LIMITS: Record<MediaKind, number> = {
  image: 50_000_000,
  audio: 200_000_000,
  video: 4_000_000_000,
  /** Attachments (附件): a scanned PDF of a long document stays well under this. */
  document: 50_000_000,
  /** WebVTT captions: text, a two-hour video's run to a few hundred kB. */
  captions: 2_000_000,
};

function limitFor(kind: MediaKind, opts: ProbeOptions): number {
  if (typeof opts.maxBytes === 'number') return opts.maxBytes;
  return opts.maxBytes?.[kind] ?? DEFAULT_UPLOAD_LIMITS[kind];
}

export async function probeMedia(filePath: string, opts: ProbeOptions = {}): Promise<ProbeResult> {
  const label = opts.label ?? path.basename(filePath);
  let sizeBytes: number;
  try {
    const s = await stat(filePath);
    if (!s.isFile()) throw new Error('not a regular file');
    sizeBytes = s.size;
  } catch (err) {
    throw new GovpubError(
      'media_not_found',
      `${label} cannot be read: ${(err as Error).message}.`,
      { path: filePath },
      { zh: `无法读取${fileZh(label)}（文件不存在或不是普通文件）。请重新上传该文件。` },
    );
  }
  if (sizeBytes === 0) {
    throw new GovpubError(
      'media_empty',
      `${label} is empty (0 bytes); the upload probably failed. Upload the file again.`,
      { label },
      { zh: `${fileZh(label)}是空文件（0 字节），上传可能没有成功。请重新上传该文件。` },
    );
  }

  const head = await readHead(filePath);
  const sniffed = sniff(head);
  if (sniffed.family === 'unsupported') {
    const refused = unsupportedFileMessage(sniffed, label, fileZh(label), label);
    throw new GovpubError('media_unsupported', refused.message, { label, detected: sniffed.unknown ? 'unknown' : sniffed.what }, { zh: refused.zh });
  }

  if (sniffed.family === 'document' || sniffed.family === 'captions') {
    const kind = sniffed.family;
    const limit = limitFor(kind, opts);
    if (sizeBytes > limit)
      throw tooLargeError(label, sizeBytes, limit, opts.limitName ?? `govpub's ${kind === 'document' ? 'attachment' : 'captions'} upload limit`);
    return kind === 'document' ? probeDocument(filePath, label, sizeBytes, sniffed.format) : probeCaptions(filePath, label, sizeBytes);
  }
  const provisionalKind: MediaKind = sniffed.family === 'image' ? 'image' : sniffed.audioHint ? 'audio' : 'video';
  // For audio/video the real kind comes from the streams; check the size against the smaller
  // applicable limit only after we know it, but refuse early what is over every limit.
  if (sniffed.family === 'image') {
    const limit = limitFor('image', opts);
    if (sizeBytes > limit) throw tooLargeError(label, sizeBytes, limit, opts.limitName ?? "govpub's image upload limit");
    return probeImage(filePath, label, sizeBytes, sniffed.format, opts);
  }
  const maxAv = Math.max(limitFor('audio', opts), limitFor('video', opts));
  if (sizeBytes > maxAv) throw tooLargeError(label, sizeBytes, maxAv, opts.limitName ?? `govpub's ${provisionalKind} upload limit`);
  const result = await probeAv(filePath, label, sizeBytes, sniffed.format, sniffed.isoBmff, opts);
  const limit = limitFor(result.kind, opts);
  if (sizeBytes > limit) throw tooLargeError(label, sizeBytes, limit, opts.limitName ?? `govpub's ${result.kind} upload limit`);
  return result;
}
