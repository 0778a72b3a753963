/**
 * Probes an uploaded file by its content (never its name): magic bytes pick the family, then
 * sharp (images) or ffprobe (audio/video) read the details. Corrupt, empty, unsupported and
 * oversized files are refused with a GovpubError saying what is wrong and what to do:
 *
 *   media_empty        the file has 0 bytes
 *   media_unsupported  a PDF, a Word file, text, an HEIC photo the decoder cannot read, ...
 *   media_corrupt      right type, but it cannot be decoded (truncated, damaged)
 *   media_too_large    over the byte or pixel limit (message says by how much)
 */
import { open, stat } from 'node:fs/promises';
import path from 'node:path';
import sharp, { type Metadata } from 'sharp';
import { GovpubError } from '../domain/errors.js';
import { runTool, ToolFailure, lastLines } from './process.js';
import { tooLargeError } from './store.js';
import { formatBytes } from './units.js';

export type MediaKind = 'image' | 'video' | 'audio';

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
};

export const DEFAULT_MAX_PIXELS = 150_000_000;

type Sniffed =
  | { family: 'image'; format: string }
  | { family: 'av'; format: string; isoBmff: boolean; audioHint: boolean }
  | { family: 'unsupported'; what: string; hint: string };

const ascii = (b: Buffer, start: number, end: number) => b.subarray(start, end).toString('latin1');

/** Identifies the file family from its first bytes. Exported for tests. */
export function sniff(head: Buffer): Sniffed {
  const b = head;
  const starts = (...bytes: number[]) => bytes.every((v, i) => b[i] === v);
  if (starts(0xff, 0xd8, 0xff)) return { family: 'image', format: 'jpeg' };
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return { family: 'image', format: 'png' };
  if (ascii(b, 0, 6) === 'GIF87a' || ascii(b, 0, 6) === 'GIF89a') return { family: 'image', format: 'gif' };
  if (ascii(b, 0, 4) === 'RIFF') {
    const sub = ascii(b, 8, 12);
    if (sub === 'WEBP') return { family: 'image', format: 'webp' };
    if (sub === 'AVI ') return { family: 'av', format: 'avi', isoBmff: false, audioHint: false };
    if (sub === 'WAVE') return { family: 'av', format: 'wav', isoBmff: false, audioHint: true };
  }
  if (starts(0x49, 0x49, 0x2a, 0x00) || starts(0x4d, 0x4d, 0x00, 0x2a)) return { family: 'image', format: 'tiff' };
  if (ascii(b, 4, 8) === 'ftyp') {
    const brands = [ascii(b, 8, 12), ...chunk4(ascii(b, 16, Math.min(b.length, 64)))];
    if (brands.some((x) => x === 'avif' || x === 'avis')) return { family: 'image', format: 'avif' };
    if (brands.some((x) => ['heic', 'heix', 'hevc', 'heim', 'heis', 'mif1', 'msf1'].includes(x))) {
      return { family: 'image', format: 'heif' };
    }
    const major = brands[0] ?? '';
    return { family: 'av', format: major === 'qt  ' ? 'mov' : 'mp4', isoBmff: true, audioHint: /^M4[AB]/.test(major) };
  }
  if (starts(0x1a, 0x45, 0xdf, 0xa3)) return { family: 'av', format: 'matroska', isoBmff: false, audioHint: false };
  if (ascii(b, 0, 3) === 'FLV') return { family: 'av', format: 'flv', isoBmff: false, audioHint: false };
  if (b[0] === 0x47 && b.length > 376 && b[188] === 0x47 && b[376] === 0x47) {
    return { family: 'av', format: 'ts', isoBmff: false, audioHint: false };
  }
  if (starts(0x00, 0x00, 0x01, 0xba)) return { family: 'av', format: 'mpeg', isoBmff: false, audioHint: false };
  if (starts(0x30, 0x26, 0xb2, 0x75, 0x8e, 0x66, 0xcf, 0x11)) return { family: 'av', format: 'asf', isoBmff: false, audioHint: false };
  if (ascii(b, 0, 3) === 'ID3') return { family: 'av', format: 'mp3', isoBmff: false, audioHint: true };
  if (ascii(b, 0, 4) === 'OggS') return { family: 'av', format: 'ogg', isoBmff: false, audioHint: true };
  if (ascii(b, 0, 4) === 'fLaC') return { family: 'av', format: 'flac', isoBmff: false, audioHint: true };
  if (ascii(b, 0, 5) === '#!AMR') return { family: 'av', format: 'amr', isoBmff: false, audioHint: true };
  if (b[0] === 0xff && b.length > 1 && ((b[1] ?? 0) & 0xf6) === 0xf0) return { family: 'av', format: 'aac', isoBmff: false, audioHint: true };
  if (b[0] === 0xff && b.length > 1 && ((b[1] ?? 0) & 0xe0) === 0xe0) return { family: 'av', format: 'mp3', isoBmff: false, audioHint: true };

  // Known non-media types get a specific, actionable message.
  if (ascii(b, 0, 5) === '%PDF-')
    return { family: 'unsupported', what: 'a PDF document', hint: 'Attach PDFs as documents, or export the page you need as a PNG or JPEG image.' };
  if (starts(0x50, 0x4b, 0x03, 0x04))
    return {
      family: 'unsupported',
      what: 'a ZIP archive (or an Office document such as .docx/.xlsx/.pptx)',
      hint: 'Upload the images or videos themselves, not an archive or document containing them.',
    };
  if (starts(0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1))
    return { family: 'unsupported', what: 'an old-style Office document (.doc/.xls/.ppt)', hint: 'Export the pictures from it as JPEG or PNG.' };
  if (ascii(b, 0, 4) === '8BPS') return { family: 'unsupported', what: 'a Photoshop document (PSD)', hint: 'Export it as JPEG or PNG.' };
  if (starts(0x42, 0x4d) && b.length > 14) return { family: 'unsupported', what: 'a BMP bitmap', hint: 'Convert it to PNG or JPEG.' };
  if (ascii(b, 0, 4) === 'Rar!' || starts(0x37, 0x7a, 0xbc, 0xaf) || starts(0x1f, 0x8b))
    return { family: 'unsupported', what: 'a compressed archive', hint: 'Upload the media files themselves.' };
  if (starts(0x7f, 0x45, 0x4c, 0x46) || ascii(b, 0, 2) === 'MZ')
    return { family: 'unsupported', what: 'a program file', hint: 'Upload an image, audio or video file.' };
  const text = b.toString('utf8');
  if (/^\s*(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*<svg[\s>]/i.test(text))
    return { family: 'unsupported', what: 'an SVG drawing', hint: 'SVG can carry scripts and renders differently per platform; export it as PNG.' };
  if (/^\s*<(!doctype html|html)[\s>]/i.test(text)) return { family: 'unsupported', what: 'an HTML page', hint: 'Upload an image, audio or video file.' };
  if (looksLikeText(b)) return { family: 'unsupported', what: 'a text file', hint: 'Upload an image, audio or video file; text belongs in the article body.' };
  return {
    family: 'unsupported',
    what: 'not a recognised image, audio or video format',
    hint: 'Supported: JPEG, PNG, WebP, GIF, TIFF, AVIF images; MP4, MOV, WebM/MKV, FLV, AVI, TS video; MP3, AAC, M4A, WAV, OGG, FLAC, AMR audio.',
  };
}

function chunk4(s: string): string[] {
  const out: string[] = [];
  for (let i = 0; i + 4 <= s.length; i += 4) out.push(s.slice(i, i + 4));
  return out;
}

function looksLikeText(b: Buffer): boolean {
  if (b.length === 0) return false;
  let bad = 0;
  for (const byte of b) {
    if (byte === 0) return false;
    if (byte < 0x09 || (byte > 0x0d && byte < 0x20 && byte !== 0x1b)) bad++;
  }
  if (bad > b.length / 100) return false;
  // Valid UTF-8 (GBK text also passes the control-character test above, which is fine).
  return true;
}

const IMAGE_MIME: Record<string, [mime: string, ext: string]> = {
  jpeg: ['image/jpeg', 'jpg'],
  png: ['image/png', 'png'],
  webp: ['image/webp', 'webp'],
  gif: ['image/gif', 'gif'],
  tiff: ['image/tiff', 'tif'],
  avif: ['image/avif', 'avif'],
  heif: ['image/heic', 'heic'],
};

/** Reads the first bytes of a file. */
async function readHead(filePath: string, n = 4096): Promise<Buffer> {
  const fh = await open(filePath, 'r');
  try {
    const buf = Buffer.alloc(n);
    const { bytesRead } = await fh.read(buf, 0, n, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

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
    throw new GovpubError('media_not_found', `${label} cannot be read: ${(err as Error).message}.`, { path: filePath });
  }
  if (sizeBytes === 0) {
    throw new GovpubError('media_empty', `${label} is empty (0 bytes); the upload probably failed. Upload the file again.`, { label });
  }

  const head = await readHead(filePath);
  const sniffed = sniff(head);
  if (sniffed.family === 'unsupported') {
    throw new GovpubError('media_unsupported', `${label} is ${sniffed.what}, not a supported image, audio or video file. ${sniffed.hint}`, {
      label,
      detected: sniffed.what,
    });
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

// ---------------------------------------------------------------------------------------------
// Images

async function probeImage(filePath: string, label: string, sizeBytes: number, sniffedFormat: string, opts: ProbeOptions): Promise<ProbeResult> {
  const maxPixels = opts.maxPixels ?? DEFAULT_MAX_PIXELS;
  let meta: Metadata;
  try {
    meta = await sharp(filePath, { limitInputPixels: false }).metadata();
  } catch (err) {
    throw corruptImage(label, sniffedFormat, err);
  }
  let format = meta.format as string;
  if (format === 'heif') format = meta.compression === 'av1' ? 'avif' : 'heif';
  const [mime, extension] = IMAGE_MIME[format] ?? [meta.mediaType ?? `image/${format}`, format];

  const pixels = meta.width * meta.height;
  if (pixels > maxPixels) {
    const mp = (n: number) => `${(n / 1e6).toFixed(1).replace(/\.0$/, '')} MP`;
    throw new GovpubError(
      'media_too_large',
      `${label} is ${meta.width}×${meta.height} pixels (${mp(pixels)}), ${mp(pixels - maxPixels)} over the ${mp(maxPixels)} limit for images. Downscale it (e.g. to 6000 px on the long side) and upload again.`,
      { width: meta.width, height: meta.height, pixels, limitPixels: maxPixels },
    );
  }

  if (opts.verifyImagePixels !== false) {
    try {
      // A downscaled full decode: JPEG shrink-on-load keeps this cheap, and any truncation or
      // damage in the compressed data still surfaces.
      await sharp(filePath, { failOn: 'error', limitInputPixels: maxPixels }).resize(256, 256, { fit: 'inside' }).raw().toBuffer();
    } catch (err) {
      if (format === 'heif') {
        throw new GovpubError(
          'media_unsupported',
          `${label} is an HEIC/HEIF photo, which this server cannot decode. Export it as JPEG (on iPhone: Settings → Camera → Formats → Most Compatible) and upload again.`,
          { label, format },
        );
      }
      throw corruptImage(label, format, err);
    }
  }

  const exif = meta.exif ? summarizeExif(meta.exif) : undefined;
  const swap = (meta.orientation ?? 1) >= 5;
  return {
    kind: 'image',
    mime,
    format,
    extension,
    sizeBytes,
    width: meta.autoOrient?.width ?? (swap ? meta.height : meta.width),
    height: meta.autoOrient?.height ?? (swap ? meta.width : meta.height),
    hasAlpha: meta.hasAlpha,
    animated: (meta.pages ?? 1) > 1,
    orientation: meta.orientation,
    hasExif: !!meta.exif,
    hasGps: exif?.hasGps ?? false,
    hasXmp: !!meta.xmp,
    hasIptc: !!meta.iptc,
  };
}

function corruptImage(label: string, format: string, err: unknown): GovpubError {
  const reason = (err as Error).message ?? String(err);
  return new GovpubError(
    'media_corrupt',
    `${label} looks like a ${format.toUpperCase()} image but cannot be decoded (${reason.split('\n')[0]}); it is damaged or was cut off during upload. Open it on your computer to check, re-export it, and upload again.`,
    { label, format, reason },
  );
}

/** Minimal EXIF (TIFF) reader: is there a GPS IFD, and which orientation. */
export function summarizeExif(exif: Buffer): { hasGps: boolean; orientation?: number } {
  let tiff = exif;
  if (ascii(tiff, 0, 6) === 'Exif\0\0') tiff = tiff.subarray(6);
  if (tiff.length < 8) return { hasGps: false };
  const le = ascii(tiff, 0, 2) === 'II';
  if (!le && ascii(tiff, 0, 2) !== 'MM') return { hasGps: false };
  const u16 = (o: number) => (le ? tiff.readUInt16LE(o) : tiff.readUInt16BE(o));
  const u32 = (o: number) => (le ? tiff.readUInt32LE(o) : tiff.readUInt32BE(o));
  try {
    const ifd0 = u32(4);
    const count = u16(ifd0);
    let hasGps = false;
    let orientation: number | undefined;
    for (let i = 0; i < count; i++) {
      const entry = ifd0 + 2 + i * 12;
      if (entry + 12 > tiff.length) break;
      const tag = u16(entry);
      if (tag === 0x8825) hasGps = u32(entry + 8) > 0;
      if (tag === 0x0112) orientation = u16(entry + 8);
    }
    return { hasGps, orientation };
  } catch {
    return { hasGps: false };
  }
}

// ---------------------------------------------------------------------------------------------
// Audio and video

interface FfprobeStream {
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  pix_fmt?: string;
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

async function probeAv(filePath: string, label: string, sizeBytes: number, sniffedFormat: string, isoBmff: boolean, opts: ProbeOptions): Promise<ProbeResult> {
  if (isoBmff) await checkIsoBmffBoxes(filePath, label, sizeBytes);

  let out: FfprobeOutput;
  try {
    const { stdout } = await runTool(
      'ffprobe',
      ['-v', 'error', '-hide_banner', '-protocol_whitelist', 'file', '-print_format', 'json', '-show_format', '-show_streams', filePath],
      { collectStdout: true, signal: opts.signal, timeoutMs: 120_000 },
    );
    out = JSON.parse(stdout) as FfprobeOutput;
  } catch (err) {
    if (err instanceof ToolFailure) {
      throw new GovpubError(
        'media_corrupt',
        `${label} looks like ${article(sniffedFormat)} ${sniffedFormat.toUpperCase()} file but cannot be read (ffprobe: ${lastLines(err.stderrTail, 2) || `exit code ${err.exitCode}`}); it is damaged or was cut off during upload. Check that it plays on your computer, re-export it, and upload again.`,
        { label, format: sniffedFormat, reason: err.stderrTail },
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
      {
        label,
        container: out.format?.format_name,
      },
    );
  }
  const kind: MediaKind = video ? 'video' : 'audio';
  const durationSec = num(out.format?.duration) ?? num(video?.duration) ?? num(audio?.duration);
  if (!durationSec || durationSec <= 0) {
    throw new GovpubError('media_corrupt', `${label} has no readable duration; it is probably cut off or damaged. Re-export it and upload again.`, {
      label,
    });
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
      if (offset + size > sizeBytes) {
        throw new GovpubError(
          'media_corrupt',
          `${label} is cut off: its '${type}' section needs ${formatBytes(offset + size)} but the file has only ${formatBytes(sizeBytes)} (${formatBytes(offset + size - sizeBytes)} missing). The upload or export did not finish; upload the complete file again.`,
          { label, box: type, expectedBytes: offset + size, sizeBytes },
        );
      }
      offset += size;
    }
    if (seen.includes('mdat') && !seen.includes('moov') && !seen.includes('moof')) {
      throw new GovpubError(
        'media_corrupt',
        `${label} has video data but no index ('moov' section); the recording or export was interrupted. Re-export the video and upload again.`,
        { label, boxes: seen },
      );
    }
  } finally {
    await fh.close();
  }
}
