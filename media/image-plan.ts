/**
 * The size an image rendition comes out at, and whether the original is large enough for it: pure
 * (no sharp), so format steps and preflight decide with the renderer's own rule before any work.
 */
import { GovpubError } from '../domain/errors.js';
import type { ImageSpec } from './specs.js';
import { addNote, newNotes, type RenditionNotes } from './units.js';

/** Output size for a spec given the (display) size of the original. Exported for preflight checks. */
export function planSize(
  spec: ImageSpec,
  srcW: number,
  srcH: number,
  label = 'The original',
  notes: RenditionNotes = newNotes(),
): { width: number; height: number } {
  if (spec.fit === 'inside') {
    const scale = Math.min(1, spec.width / srcW, spec.height / srcH);
    const width = Math.max(1, Math.round(srcW * scale));
    const height = Math.max(1, Math.round(srcH * scale));
    if ((spec.minWidth && width < spec.minWidth) || (spec.minHeight && height < spec.minHeight)) {
      throw tooSmall(label, srcW, srcH, spec, `${srcW}×${srcH}`);
    }
    return { width, height };
  }

  const aspect = spec.width / spec.height;
  // How much of the original ends up in the box at full resolution.
  let usableW: number;
  let usableH: number;
  if (spec.fit === 'cover') {
    usableW = Math.min(srcW, srcH * aspect);
    usableH = usableW / aspect;
    // A cover's minimum is the smallest picture whose crop to the box's ratio is minWidth wide
    // (minHeight: the least whole-pixel height giving it; coverMinimumHeight). The crop's own height
    // is a fraction (450 / 2.35 = 191.5), so the picture is what is compared, as the message says.
    if ((spec.minWidth && srcW < spec.minWidth) || (spec.minHeight && srcH < spec.minHeight)) {
      throw tooSmall(label, srcW, srcH, spec, `${Math.floor(usableW)}×${Math.floor(usableH)}`);
    }
  } else {
    // blur-fill: the whole original is fitted inside the box.
    const s = Math.min(spec.width / srcW, spec.height / srcH);
    usableW = s > 1 ? spec.width / s : spec.width;
    usableH = s > 1 ? spec.height / s : spec.height;
  }
  const upscale = spec.width / usableW;
  if (upscale <= 1.0001) return { width: spec.width, height: spec.height };

  if (spec.upscale === 'refuse') {
    const width = Math.floor(usableW);
    const height = Math.floor(usableW / aspect);
    if (spec.fit !== 'cover' && ((spec.minWidth && width < spec.minWidth) || (spec.minHeight && height < spec.minHeight))) {
      throw tooSmall(label, srcW, srcH, spec, `${width}×${height}`);
    }
    addNote(
      notes,
      `Original is ${srcW}×${srcH}; ${spec.label} is ${width}×${height} instead of ${spec.width}×${spec.height} (not enlarged).`,
      `原图为 ${srcW}×${srcH}，不放大：${spec.labelZh}为 ${width}×${height}，而不是 ${spec.width}×${spec.height}。`,
    );
    return { width, height };
  }
  if (spec.fit !== 'cover' && ((spec.minWidth && usableW < spec.minWidth) || (spec.minHeight && usableH < spec.minHeight))) {
    throw tooSmall(label, srcW, srcH, spec, `${Math.floor(usableW)}×${Math.floor(usableH)}`);
  }
  addNote(
    notes,
    `Original is ${srcW}×${srcH}; ${spec.label} (${spec.width}×${spec.height}) is enlarged ${upscale.toFixed(1)}× and may look soft. A larger original gives a sharper result.`,
    `原图为 ${srcW}×${srcH}，${spec.labelZh}（${spec.width}×${spec.height}）要放大 ${upscale.toFixed(1)} 倍，可能不够清晰。换用更大的原图效果更好。`,
  );
  return { width: spec.width, height: spec.height };
}

function tooSmall(label: string, srcW: number, srcH: number, spec: ImageSpec, usable: string): GovpubError {
  const ratio = ratioText(spec.width, spec.height);
  const min = `${spec.minWidth ?? '?'}×${spec.minHeight ?? '?'}`;
  const cover = spec.fit === 'cover';
  return new GovpubError(
    'media_too_small',
    `${label} is ${srcW}×${srcH} pixels; ${spec.label} needs ${cover ? 'a picture of ' : ''}at least ${min}` +
      (cover ? ` (cropped to ${ratio}, at least ${spec.minWidth ?? '?'} pixels wide; this one gives ${usable})` : '') +
      `. Enlarging would only blur it: upload a larger original.`,
    { spec: spec.key, width: srcW, height: srcH, minWidth: spec.minWidth, minHeight: spec.minHeight, usable },
    {
      zh:
        `「${label}」为 ${srcW}×${srcH} 像素，${spec.labelZh}至少需要 ${min}${cover ? ' 像素的图片' : ''}` +
        (cover ? `（按 ${ratio} 裁切后宽至少 ${spec.minWidth ?? '?'} 像素，这张图裁切后只有 ${usable}）` : '') +
        '。放大只会使图片模糊，请换用更大的原图。',
    },
  );
}

/**
 * The least whole-pixel height of a picture whose crop to `width`:`height` is at least `minWidth`
 * wide: a cover spec's minHeight (its minWidth / ratio, rounded up; 450 / (900 / 383) = 191.5 → 192).
 */
export function coverMinimumHeight(spec: Pick<ImageSpec, 'width' | 'height'>, minWidth: number): number {
  // Exact in integers: h * width / height >= minWidth ⇔ h >= minWidth * height / width.
  return Math.ceil((minWidth * spec.height) / spec.width);
}

function ratioText(w: number, h: number): string {
  const r = w / h;
  const known: [number, string][] = [
    [2.35, '2.35:1'],
    [1, '1:1'],
    [16 / 9, '16:9'],
    [16 / 10, '16:10'],
    [9 / 16, '9:16'],
    [3 / 4, '3:4'],
  ];
  for (const [v, name] of known) if (Math.abs(r - v) < 0.01) return name;
  return `${w}:${h}`;
}
