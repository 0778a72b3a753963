/** Probes an image with sharp: format, size and orientation, pixel limit, a decode that finds damage, and what metadata it carries. */
import sharp, { type Metadata } from 'sharp';
import { GovpubError } from '../domain/errors.js';
import type { ProbeOptions, ProbeResult } from './probe.js';
import { ascii } from './sniff.js';
import { fileZh } from './units.js';

/** Images with more pixels are refused by default (decompression bombs). */
export const DEFAULT_MAX_PIXELS = 150_000_000;

const IMAGE_MIME: Record<string, [mime: string, ext: string]> = {
  jpeg: ['image/jpeg', 'jpg'],
  png: ['image/png', 'png'],
  webp: ['image/webp', 'webp'],
  gif: ['image/gif', 'gif'],
  tiff: ['image/tiff', 'tif'],
  avif: ['image/avif', 'avif'],
  heif: ['image/heic', 'heic'],
};

export async function probeImage(filePath: string, label: string, sizeBytes: number, sniffedFormat: string, opts: ProbeOptions): Promise<ProbeResult> {
  const maxPixels = opts.maxPixels ?? DEFAULT_MAX_PIXELS;
  let meta: Metadata;
  try {
    meta = await sharp(filePath, { limitInputPixels: false }).metadata();
  } catch (err) {
    throw corruptImage(label, sniffedFormat, err, filePath);
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
      {
        zh: `${fileZh(label)}为 ${meta.width}×${meta.height} 像素（${mp(pixels)}），超过图片上限 ${mp(maxPixels)}（超出 ${mp(pixels - maxPixels)}）。请缩小尺寸（例如长边 6000 像素）后重新上传。`,
      },
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
          {
            zh: `「${label}」是 HEIC/HEIF 格式的照片（苹果手机默认的拍照格式），服务器无法解码。请把它导出或另存为 JPEG 后再上传（iPhone：设置 → 相机 → 格式 → 兼容性最佳，之后拍的照片即为 JPEG）。`,
          },
        );
      }
      throw corruptImage(label, format, err, filePath);
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

function corruptImage(label: string, format: string, err: unknown, filePath: string): GovpubError {
  // libvips names the file it read: the store's path, which means nothing to the editor.
  const reason = ((err as Error).message ?? String(err)).split(filePath).join(label);
  return new GovpubError(
    'media_corrupt',
    `${label} looks like a ${format.toUpperCase()} image but cannot be decoded (${reason.split('\n')[0]}); it is damaged or was cut off during upload. Open it on your computer to check, re-export it, and upload again.`,
    { label, format, reason },
    {
      zh: `${fileZh(label)}看起来是 ${format.toUpperCase()} 图片，但无法解码，文件已损坏或在上传中被截断。请在本机打开检查，重新导出后再上传。`,
    },
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
