/** Identifies a file's family (image, audio/video, or a known unsupported type) from its first bytes, never its name. */
import { open } from 'node:fs/promises';

export type Sniffed =
  | { family: 'image'; format: string }
  | { family: 'av'; format: string; isoBmff: boolean; audioHint: boolean }
  /** An attachment: `pdf`, `zip` (DOCX, XLSX or OFD: the zip's parts decide, media/probe-document.ts) or `ole2` (DOC, XLS). */
  | { family: 'document'; format: 'pdf' | 'zip' | 'ole2' }
  | { family: 'captions'; format: 'vtt' }
  /** `unknown`: no format govpub knows (the other refusals name what the file is: a program, a page…). */
  | { family: 'unsupported'; what: string; hint: string; whatZh: string; hintZh: string; unknown?: true };

/** Bytes `start`…`end` as Latin-1 text (magic numbers, box types). */
export const ascii = (b: Buffer, start: number, end: number) => b.subarray(start, end).toString('latin1');

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

  // Attachments (附件): PDF, Office Open XML and OFD (zip containers), legacy Office (OLE2).
  if (ascii(b, 0, 5) === '%PDF-') return { family: 'document', format: 'pdf' };
  if (starts(0x50, 0x4b, 0x03, 0x04)) return { family: 'document', format: 'zip' };
  if (starts(0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1)) return { family: 'document', format: 'ole2' };
  if (isWebVtt(b)) return { family: 'captions', format: 'vtt' };
  // Known non-media types get a specific, actionable message.
  if (ascii(b, 0, 4) === '8BPS')
    return {
      family: 'unsupported',
      what: 'a Photoshop document (PSD)',
      hint: 'Export it as JPEG or PNG.',
      whatZh: 'Photoshop 文档（PSD）',
      hintZh: '请导出为 JPEG 或 PNG 后再上传。',
    };
  if (starts(0x42, 0x4d) && b.length > 14)
    return { family: 'unsupported', what: 'a BMP bitmap', hint: 'Convert it to PNG or JPEG.', whatZh: 'BMP 位图', hintZh: '请转换为 PNG 或 JPEG 后再上传。' };
  if (ascii(b, 0, 4) === 'Rar!' || starts(0x37, 0x7a, 0xbc, 0xaf) || starts(0x1f, 0x8b))
    return {
      family: 'unsupported',
      what: 'a compressed archive',
      hint: 'Upload the media files themselves.',
      whatZh: '压缩包',
      hintZh: '请解压后上传其中的媒体文件本身。',
    };
  if (starts(0x7f, 0x45, 0x4c, 0x46) || ascii(b, 0, 2) === 'MZ')
    return {
      family: 'unsupported',
      what: 'a program file',
      hint: 'Upload an image, audio or video file.',
      whatZh: '程序文件',
      hintZh: '请上传图片、音频或视频文件。',
    };
  const text = b.toString('utf8');
  if (/^\s*(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*<svg[\s>]/i.test(text))
    return {
      family: 'unsupported',
      what: 'an SVG drawing',
      hint: 'SVG can carry scripts and renders differently per platform; export it as PNG.',
      whatZh: 'SVG 矢量图',
      hintZh: 'SVG 可能带有脚本，且在各平台上显示不一致：请导出为 PNG 后再上传。',
    };
  if (/^\s*<(!doctype html|html)[\s>]/i.test(text))
    return {
      family: 'unsupported',
      what: 'an HTML page',
      hint: 'Upload an image, audio or video file.',
      whatZh: 'HTML 网页',
      hintZh: '请上传图片、音频或视频文件。',
    };
  if (looksLikeText(b))
    return {
      family: 'unsupported',
      what: 'a text file',
      hint: 'Upload an image, audio or video file; text belongs in the article body (captions must be WebVTT, starting with the line WEBVTT).',
      whatZh: '文本文件',
      hintZh: '请上传图片、音频或视频文件；文字请写在稿件正文中（字幕须为以 WEBVTT 开头的 WebVTT 文件）。',
    };
  return {
    family: 'unsupported',
    unknown: true,
    what: 'not a recognised image, audio, video or document format',
    hint: 'Supported: JPEG, PNG, WebP, GIF, TIFF, AVIF images; MP4, MOV, WebM/MKV, FLV, AVI, TS video; MP3, AAC, M4A, WAV, OGG, FLAC, AMR audio; PDF, DOC/DOCX, XLS/XLSX, OFD attachments; WebVTT captions.',
    whatZh: '无法识别的格式（不是已知的图片、音频、视频或文档格式）',
    hintZh:
      '支持：JPEG、PNG、WebP、GIF、TIFF、AVIF 图片；MP4、MOV、WebM/MKV、FLV、AVI、TS 视频；MP3、AAC、M4A、WAV、OGG、FLAC、AMR 音频；PDF、DOC/DOCX、XLS/XLSX、OFD 附件；WebVTT 字幕。请转换为其中一种格式后再上传。',
  };
}

/** WebVTT: an optional UTF-8 BOM, then `WEBVTT` followed by a space, a tab, a line break or nothing. */
export function isWebVtt(b: Buffer): boolean {
  const start = b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf ? 3 : 0;
  if (ascii(b, start, start + 6) !== 'WEBVTT') return false;
  const next = b[start + 6];
  return next === undefined || next === 0x20 || next === 0x09 || next === 0x0a || next === 0x0d;
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

/** Reads the first bytes of a file. */
export async function readHead(filePath: string, n = 4096): Promise<Buffer> {
  const fh = await open(filePath, 'r');
  try {
    const buf = Buffer.alloc(n);
    const { bytesRead } = await fh.read(buf, 0, n, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/** The file name endings of the formats above: a name that promises one, on content that is none, is a damaged or cut-short copy. */
const MEDIA_EXTENSIONS = new Set(
  'jpg jpeg png webp gif tif tiff avif mp4 m4v mov webm mkv flv avi ts mp3 aac m4a wav ogg oga opus flac amr pdf doc docx xls xlsx ofd vtt'.split(' '),
);

/** The supported format a file's name promises (`mp4`), or null. */
function promisedFormat(name: string): string | null {
  const ext = /\.([A-Za-z0-9]{1,5})$/.exec(name)?.[1]?.toLowerCase();
  return ext && MEDIA_EXTENSIONS.has(ext) ? ext : null;
}

/**
 * Why a file is refused, in English and Chinese: what it is (a program, a text file) or, in no
 * format govpub knows, that much, and when its name promises a format (clip.mp4), that the copy
 * is probably damaged or cut short. Then what govpub takes.
 */
export function unsupportedFileMessage(
  sniffed: Extract<Sniffed, { family: 'unsupported' }>,
  label: string,
  labelZh: string,
  fileName: string | undefined,
): { message: string; zh: string } {
  if (!sniffed.unknown)
    return {
      message: `${label} is ${sniffed.what}, not a supported image, audio, video, document or captions file. ${sniffed.hint}`,
      zh: `${labelZh}是${sniffed.whatZh}，不是支持的图片、音频、视频、附件或字幕文件。${sniffed.hintZh}`,
    };
  const promised = fileName ? promisedFormat(fileName) : null;
  return {
    message: `${label} is in no format govpub recognises${
      promised
        ? `: its name ends in .${promised}, but its content is not that format (the file may be damaged or only partly copied: export or copy it again)`
        : ''
    }. ${sniffed.hint}`,
    zh: `${labelZh}不是可识别的图片、音频、视频、附件或字幕格式${
      promised ? `：文件名以 .${promised} 结尾，但内容并非该格式（文件可能已损坏或未完整复制，请重新导出或复制）` : ''
    }。${sniffed.hintZh}`,
  };
}
