/**
 * Image renditions with sharp.
 *
 * One decode per rendition: the original is auto-rotated (EXIF orientation), cropped/resized and
 * watermarked once into raw pixels; the byte cap is then met by re-encoding those pixels (binary
 * search over quality, then smaller dimensions), never by re-decoding the original. Output is
 * built from raw pixels, so no EXIF, GPS, XMP, IPTC or ICC data from the original survives.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp, { type CreateRaw, type Sharp } from 'sharp';
import { GovpubError } from '../domain/errors.js';
import { abortError, mediaCounters } from './process.js';
import type { ImageSpec } from './specs.js';
import { addNote, fileZh, formatBytes, newNotes, type RenditionNotes } from './units.js';
import { planSize } from './image-plan.js';

export { planSize };

export interface WatermarkOptions {
  /** Text to draw (CJK needs a CJK font installed, e.g. fonts-noto-cjk). */
  text?: string;
  /** A picture (PNG with transparency works best) to overlay. */
  imagePath?: string;
  position?: 'northwest' | 'north' | 'northeast' | 'west' | 'center' | 'east' | 'southwest' | 'south' | 'southeast';
  /** 0–1, default 0.6. */
  opacity?: number;
  /** Watermark width as a share of the output width, default 0.2. */
  scale?: number;
  /** Distance from the edges as a share of the shorter side, default 0.03. */
  margin?: number;
  /** Text colour (CSS), default white; a soft shadow keeps it readable on light pictures. */
  color?: string;
  /** Pango font description, default "sans bold" (config/watermarks.ts sets the resolved CJK family). */
  font?: string;
  /** Font file loaded for the text (e.g. NotoSansCJK-Bold.ttc); `font` then names its family. */
  fontFile?: string;
  /** Outputs narrower than this get no watermark (it would be illegible), default 240. */
  minOutputWidth?: number;
}

export interface ImageRenderOptions {
  watermark?: WatermarkOptions;
  signal?: AbortSignal;
  /** Names the original in messages. */
  label?: string;
}

export interface ImageRenderResult {
  path: string;
  width: number;
  height: number;
  sizeBytes: number;
  mime: string;
  format: 'jpeg' | 'png' | 'webp';
  /** Encoder level used: JPEG/WebP quality, PNG palette colours; undefined for lossless PNG. */
  quality?: number;
  /** Things an editor may want to know (upscaled, shrunk for the byte cap, first frame only...). */
  warnings: string[];
  /** The same notes in Chinese, in the same order. */
  warningsZh: string[];
}

type OutFormat = 'jpeg' | 'png' | 'webp';
const MIME: Record<OutFormat, string> = { jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp' };

interface Raw {
  data: Buffer;
  width: number;
  height: number;
  channels: 1 | 2 | 3 | 4;
}

const checkAbort = (signal?: AbortSignal) => {
  if (signal?.aborted) throw abortError(signal);
};

/** Renders `spec` from the image at `originalPath` into `outPath`. */
export async function renderImageRendition(originalPath: string, spec: ImageSpec, outPath: string, opts: ImageRenderOptions = {}): Promise<ImageRenderResult> {
  const label = opts.label ?? path.basename(originalPath);
  const notes = newNotes();
  checkAbort(opts.signal);

  const meta = await sharp(originalPath).metadata();
  const srcW = meta.autoOrient?.width ?? meta.width;
  const srcH = meta.autoOrient?.height ?? meta.height;
  if ((meta.pages ?? 1) > 1) addNote(notes, 'Animated or multi-page original: only the first frame is used.', '原图是动图或多页图片，只用第一帧。');

  const { width: outW, height: outH } = planSize(spec, srcW, srcH, label, notes);

  let format: OutFormat;
  if (spec.format === 'jpeg-or-png') format = meta.hasAlpha ? 'png' : 'jpeg';
  else format = spec.format;

  let raw = await renderRaw(originalPath, spec, outW, outH, format === 'jpeg', { width: srcW, height: srcH });
  checkAbort(opts.signal);

  if (spec.format === 'jpeg-or-png' && format === 'png' && raw.channels === 4 && isOpaque(raw)) {
    // Alpha channel present but unused: JPEG is far smaller for photos.
    raw = await toRaw(sharp(raw.data, { raw: rawInfo(raw) }).removeAlpha());
    format = 'jpeg';
  }

  if (spec.watermark && opts.watermark && (opts.watermark.text || opts.watermark.imagePath)) {
    raw = await applyWatermark(raw, opts.watermark, notes);
  }
  checkAbort(opts.signal);

  const encoded = await meetByteCap(raw, spec, format, label, notes, opts.signal);
  await writeFile(outPath, encoded.buffer);
  mediaCounters.sharpRenders++;
  return {
    path: outPath,
    width: encoded.width,
    height: encoded.height,
    sizeBytes: encoded.buffer.length,
    mime: MIME[format],
    format,
    quality: encoded.quality,
    ...notes,
  };
}

function rawInfo(raw: Raw): CreateRaw {
  return { width: raw.width, height: raw.height, channels: raw.channels };
}

async function toRaw(img: Sharp): Promise<Raw> {
  const { data, info } = await img.raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: info.channels as Raw['channels'] };
}

/**
 * Decodes, orients, crops and resizes the original once, to raw pixels. `src` is the original's
 * display size (after EXIF orientation).
 */
async function renderRaw(
  originalPath: string,
  spec: ImageSpec,
  width: number,
  height: number,
  flatten: boolean,
  src: { width: number; height: number },
): Promise<Raw> {
  const open = () => sharp(originalPath, { failOn: 'error', autoOrient: true, limitInputPixels: false });
  const finish = (img: Sharp) => (flatten ? img.flatten({ background: '#ffffff' }) : img).toColourspace('srgb');

  if (spec.fit === 'inside') {
    return toRaw(finish(open().resize(width, height, { fit: 'inside', withoutEnlargement: true })));
  }
  if (spec.fit === 'cover') {
    // The part of the original in the box's shape, at the original's own resolution.
    const cropW = Math.max(1, Math.min(src.width, Math.round(src.height * (width / height))));
    const cropH = Math.max(1, Math.min(src.height, Math.round(cropW / (width / height))));
    if (cropW >= width) {
      return toRaw(finish(open().resize(width, height, { fit: 'cover', position: sharp.strategy.attention })));
    }
    // Enlarging: crop first, then enlarge the crop. Enlarging the whole original first (what a
    // single cover resize does) makes an intermediate as many times larger as the crop is: a
    // 20000×20 strip became 1,440,000×1440 pixels for a 3:4 picture (7 GB, minutes of CPU).
    const crop = await toRaw(open().resize(cropW, cropH, { fit: 'cover', position: sharp.strategy.attention }).toColourspace('srgb'));
    return toRaw(finish(sharp(crop.data, { raw: rawInfo(crop) }).resize(width, height, { fit: 'fill' })));
  }
  // blur-fill: a small, blurred cover crop scaled up as the background; the whole picture on top.
  const bgSmallW = Math.max(8, Math.round(width / 8));
  const bgSmallH = Math.max(8, Math.round(height / 8));
  // Two pipelines: sharp applies one resize per pipeline (a second call replaces the first).
  const small = await toRaw(
    open()
      .resize(bgSmallW, bgSmallH, { fit: 'cover' })
      .flatten({ background: '#000000' })
      .blur(Math.max(3, bgSmallW / 16))
      .modulate({ brightness: 0.7 })
      .removeAlpha(),
  );
  const background = await sharp(small.data, { raw: rawInfo(small) })
    .resize(width, height, { fit: 'fill', kernel: 'cubic' })
    .raw()
    .toBuffer();
  const fg = await toRaw(finish(open().resize(width, height, { fit: 'inside' })).ensureAlpha());
  const img = sharp(background, { raw: { width, height, channels: 3 } }).composite([
    {
      input: fg.data,
      raw: rawInfo(fg),
      left: Math.floor((width - fg.width) / 2),
      top: Math.floor((height - fg.height) / 2),
    },
  ]);
  return toRaw(flatten ? img.removeAlpha() : img);
}

function isOpaque(raw: Raw): boolean {
  if (raw.channels !== 4 && raw.channels !== 2) return true;
  const step = raw.channels;
  for (let i = step - 1; i < raw.data.length; i += step) if (raw.data[i] !== 255) return false;
  return true;
}

// ---------------------------------------------------------------------------------------------
// Watermark

async function applyWatermark(raw: Raw, wm: WatermarkOptions, notes: RenditionNotes): Promise<Raw> {
  const placed = await prepareWatermark(wm, raw.width, raw.height, notes);
  if (!placed) return raw;
  const { mark, left, top } = placed;
  const out = await toRaw(sharp(raw.data, { raw: rawInfo(raw) }).composite([{ input: mark.data, raw: rawInfo(mark), left, top }]));
  // composite may add an alpha channel; keep the channel count we had.
  if (out.channels !== raw.channels && raw.channels === 3) {
    return toRaw(sharp(out.data, { raw: rawInfo(out) }).removeAlpha());
  }
  return out;
}

/**
 * The watermark for an output of `width`×`height`: RGBA pixels with the opacity applied, and where
 * it goes. Null (with a warning) when the output is too small for a legible one or it does not fit.
 */
async function prepareWatermark(
  wm: WatermarkOptions,
  width: number,
  height: number,
  notes: RenditionNotes,
): Promise<{ mark: Raw; left: number; top: number } | null> {
  if (width < (wm.minOutputWidth ?? 240)) {
    addNote(notes, `No watermark: ${width} px wide is too small for a legible one.`, `未加水印：宽 ${width} 像素的画面太小，放不下看得清的水印。`);
    return null;
  }
  const opacity = Math.min(1, Math.max(0, wm.opacity ?? 0.6));
  const targetW = Math.max(16, Math.round(width * (wm.scale ?? 0.2)));
  const margin = Math.round(Math.min(width, height) * (wm.margin ?? 0.03));

  let mark: Raw;
  if (wm.imagePath) {
    mark = await toRaw(
      sharp(wm.imagePath)
        .resize({ width: targetW, height: Math.round(height * 0.5), fit: 'inside' })
        .ensureAlpha(),
    );
  } else {
    // A copy: the cached pixels stay as pango drew them, the opacity below is this output's.
    const drawn = await cachedTextMark(wm.text ?? '', targetW, wm);
    mark = { ...drawn, data: Buffer.from(drawn.data) };
  }
  if (mark.width > width - 2 * margin || mark.height > height - 2 * margin) {
    addNote(notes, 'No watermark: it does not fit inside this rendition.', '未加水印：水印放不进该版本的画面。');
    return null;
  }
  // Opacity: scale the alpha channel.
  for (let i = 3; i < mark.data.length; i += 4) mark.data[i] = Math.round((mark.data[i] ?? 0) * opacity);

  const pos = wm.position ?? 'southeast';
  const left = pos.endsWith('west') ? margin : pos.endsWith('east') ? width - mark.width - margin : Math.round((width - mark.width) / 2);
  const top = pos.startsWith('north') ? margin : pos.startsWith('south') ? height - mark.height - margin : Math.round((height - mark.height) / 2);
  return { mark, left, top };
}

/**
 * Writes the watermark for a `width`×`height` frame as a PNG (opacity applied) and returns where
 * it goes: the video pipeline overlays it with ffmpeg, so text looks the same on pictures and
 * videos and uses the same font (pango picks the right CJK face from a .ttc by family name).
 */
export async function writeWatermarkPng(
  wm: WatermarkOptions,
  width: number,
  height: number,
  outPath: string,
  notes: RenditionNotes = newNotes(),
): Promise<{ path: string; left: number; top: number; width: number; height: number } | null> {
  if (!wm.text && !wm.imagePath) return null;
  const placed = await prepareWatermark(wm, width, height, notes);
  if (!placed) return null;
  await sharp(placed.mark.data, { raw: rawInfo(placed.mark) })
    .png({ compressionLevel: 1 })
    .toFile(outPath);
  return { path: outPath, left: placed.left, top: placed.top, width: placed.mark.width, height: placed.mark.height };
}

const escapeMarkup = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * Text marks already drawn, by what decides their pixels. An account's watermark is the same few
 * words at the same few widths on every picture it posts, and drawing them (pango with a CJK font,
 * then the shadow's blur) is three image operations per rendition. Bounded: the oldest goes first.
 */
const textMarks = new Map<string, Promise<Raw>>();
const TEXT_MARKS_KEPT = 64;

function cachedTextMark(text: string, targetW: number, wm: WatermarkOptions): Promise<Raw> {
  const key = JSON.stringify([text, targetW, wm.font ?? null, wm.fontFile ?? null, wm.color ?? null]);
  let mark = textMarks.get(key);
  if (!mark) {
    mark = renderTextMark(text, targetW, wm);
    textMarks.set(key, mark);
    mark.catch(() => textMarks.delete(key)); // a failure is not remembered: the next rendition tries again
    if (textMarks.size > TEXT_MARKS_KEPT) textMarks.delete(textMarks.keys().next().value!);
  }
  return mark;
}

/** Text rendered by pango (system fonts), with a soft dark shadow for contrast. */
async function renderTextMark(text: string, targetW: number, wm: WatermarkOptions): Promise<Raw> {
  const color = wm.color ?? '#ffffff';
  const font = wm.font ?? 'sans bold';
  const textImage = (fg: string) =>
    toRaw(
      sharp({
        text: {
          text: `<span foreground="${fg}">${escapeMarkup(text)}</span>`,
          font,
          ...(wm.fontFile ? { fontfile: wm.fontFile } : {}),
          width: targetW,
          height: Math.max(12, Math.round(targetW / 3)),
          rgba: true,
          wrap: 'word',
        },
      }),
    );
  const front = await textImage(color);
  const pad = Math.max(2, Math.round(front.height / 8));
  const shadow = await toRaw(
    sharp(front.data, { raw: rawInfo(front) })
      .extend({ top: pad, bottom: pad, left: pad, right: pad, background: { r: 0, g: 0, b: 0, alpha: 0 } })
      .linear([0, 0, 0, 0.6], [0, 0, 0, 0])
      .blur(Math.max(1, pad / 2)),
  );
  return toRaw(sharp(shadow.data, { raw: rawInfo(shadow) }).composite([{ input: front.data, raw: rawInfo(front), left: pad - 1, top: pad - 1 }]));
}

// ---------------------------------------------------------------------------------------------
// Encoding under a byte cap

interface Encoded {
  buffer: Buffer;
  width: number;
  height: number;
  quality?: number;
}

/** PNG palette sizes tried under a byte cap, best first (quantisation with dithering). */
const PNG_COLOURS = [256, 128, 64, 32, 16];

/**
 * Encodes at a "level": JPEG/WebP quality; PNG palette colours; PNG `undefined` = lossless.
 */
async function encode(raw: Raw, format: OutFormat, level: number | undefined): Promise<Buffer> {
  const img = sharp(raw.data, { raw: rawInfo(raw) });
  switch (format) {
    case 'jpeg':
      return img.jpeg({ quality: level ?? 85, progressive: true, chromaSubsampling: '4:2:0' }).toBuffer();
    case 'webp':
      return img.webp({ quality: level ?? 80, effort: 4 }).toBuffer();
    case 'png':
      return level === undefined
        ? img.png({ compressionLevel: 9, adaptiveFiltering: true }).toBuffer()
        : // effort 3: libimagequant at higher efforts takes seconds on detailed pictures for a few % gain.
          img.png({ palette: true, colours: level, effort: 3, compressionLevel: 9 }).toBuffer();
  }
}

/**
 * Meets the byte cap: the best encoder level (JPEG/WebP quality, PNG palette colours) whose
 * output fits, found by binary search (output size falls as the level falls); when even the
 * lowest level is too big, smaller dimensions (never below the spec's minimum) — or a clear error.
 */
async function meetByteCap(first: Raw, spec: ImageSpec, format: OutFormat, label: string, notes: RenditionNotes, signal?: AbortSignal): Promise<Encoded> {
  const cap = spec.maxBytes;
  // Levels from best to smallest. PNG starts lossless (undefined), then palettes.
  const levels: (number | undefined)[] =
    format === 'png' ? [undefined, ...PNG_COLOURS] : Array.from({ length: spec.quality.max - spec.quality.min + 1 }, (_, i) => spec.quality.max - i);

  const best = await encode(first, format, levels[0]);
  if (cap === undefined || best.length <= cap) return { buffer: best, width: first.width, height: first.height, quality: levels[0] };

  const floorW = Math.max(1, spec.minWidth ?? Math.ceil(first.width / 4));
  const floorH = Math.max(1, spec.minHeight ?? Math.ceil(first.height / 4));
  const lowest = levels.length - 1;
  let raw = first;
  for (let attempt = 0; attempt < 6; attempt++) {
    checkAbort(signal);
    const atLowest = await encode(raw, format, levels[lowest]);
    if (atLowest.length <= cap) {
      // Invariant: levels[hi] fits; levels[lo - 1] does not (or lo = 0). Find the first that fits.
      let lo = raw === first ? 1 : 0;
      let hi = lowest;
      let bestBuf = atLowest;
      while (lo < hi) {
        checkAbort(signal);
        const mid = Math.floor((lo + hi) / 2);
        const buf = await encode(raw, format, levels[mid]);
        if (buf.length <= cap) {
          hi = mid;
          bestBuf = buf;
        } else {
          lo = mid + 1;
        }
      }
      if (raw !== first) {
        addNote(
          notes,
          `Reduced from ${first.width}×${first.height} to ${raw.width}×${raw.height} to fit the ${formatBytes(cap)} limit of ${spec.limitName}.`,
          `为不超过 ${formatBytes(cap)} 的大小上限，尺寸由 ${first.width}×${first.height} 缩小为 ${raw.width}×${raw.height}。`,
        );
      }
      return { buffer: bestBuf, width: raw.width, height: raw.height, quality: levels[hi] };
    }
    if (raw.width <= floorW || raw.height <= floorH) {
      throw capUnreachable(label, spec, cap, raw, format, levels[lowest], atLowest.length);
    }
    // Bytes scale roughly with pixel count: shrink by the square root of the overshoot, a bit more.
    const factor = Math.min(0.9, Math.sqrt(cap / atLowest.length) * 0.95);
    const aspect = raw.width / raw.height;
    let w = Math.max(floorW, Math.floor(raw.width * factor));
    let h = Math.round(w / aspect);
    if (h < floorH) {
      h = floorH;
      w = Math.round(h * aspect);
    }
    raw = await toRaw(sharp(raw.data, { raw: rawInfo(raw) }).resize(w, h, { fit: 'fill' }));
  }
  const last = await encode(raw, format, levels[lowest]);
  throw capUnreachable(label, spec, cap, raw, format, levels[lowest], last.length);
}

function capUnreachable(label: string, spec: ImageSpec, cap: number, raw: Raw, format: OutFormat, q: number | undefined, size: number): GovpubError {
  return new GovpubError(
    'media_cap_unreachable',
    `${label} cannot be made to fit the ${formatBytes(cap)} limit of ${spec.limitName} (${spec.key}): even at ${raw.width}×${raw.height}, ` +
      `the smallest size allowed for this rendition, and ${format === 'png' ? `a ${q}-colour palette` : `${format.toUpperCase()} quality ${q}`} it is ${formatBytes(size)} (${formatBytes(size - cap)} over). ` +
      'Use a picture with less fine detail or noise (e.g. a calmer photo or a simpler graphic).',
    { spec: spec.key, capBytes: cap, sizeBytes: size, width: raw.width, height: raw.height, quality: q },
    {
      zh:
        `${fileZh(label)}无法压缩到「${spec.labelZh}」的大小上限 ${formatBytes(cap)} 以内：即使缩到该规格允许的最小尺寸 ${raw.width}×${raw.height} 并用最低画质，` +
        `仍有 ${formatBytes(size)}（超出 ${formatBytes(size - cap)}）。请换用细节或噪点较少的图片（例如画面更简洁的照片或更简单的图形）。`,
    },
  );
}
