import { createReadStream } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GovpubError } from '../../domain/errors.js';
import { renderImageRendition } from '../../media/image.js';
import { mediaCounters } from '../../media/process.js';
import { probeMedia } from '../../media/probe.js';
import { ingestUpload, prepareRendition } from '../../media/renditions.js';
import { getSpec, PLATFORM_IDS, renditionsFor, type ImageSpec } from '../../media/specs.js';
import { LocalMediaStore } from '../../media/store.js';
import { makeNoise, makePhoto, makeTempDir, makeTextBanner, makeTransparentPng } from './fixtures.js';

/** Pixel statistics of a region (sharp's stats() reads the input, so extract to a buffer first). */
async function regionStats(file: string, region?: { left: number; top: number; width: number; height: number }) {
  const img = region ? sharp(file).extract(region) : sharp(file);
  return sharp(await img.png().toBuffer()).stats();
}

let dir: string;
let cleanup: () => Promise<void>;
let store: LocalMediaStore;
let photoSha: string;

async function ingest(file: string): Promise<string> {
  return (await ingestUpload(store, createReadStream(file), { label: path.basename(file) })).sha256;
}

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir('govpub-image-'));
  store = new LocalMediaStore(path.join(dir, 'store'));
  // A 24 MP photo with camera EXIF and a GPS position.
  await makePhoto(path.join(dir, 'photo24.jpg'), 6000, 4000, { gps: true });
  photoSha = await ingest(path.join(dir, 'photo24.jpg'));
});
afterAll(() => cleanup());

const FORMAT_OF: Record<string, string[]> = { jpeg: ['jpeg'], png: ['png'], webp: ['webp'], 'jpeg-or-png': ['jpeg', 'png'] };

describe('image renditions for every platform from one 24 MP photo', () => {
  it('original probe sees the EXIF GPS data that must not be published', async () => {
    const p = await probeMedia(await store.getPath(photoSha));
    expect(p).toMatchObject({ kind: 'image', width: 6000, height: 4000, hasExif: true, hasGps: true });
  });

  const imageSpecs = PLATFORM_IDS.flatMap((p) => renditionsFor(p, 'image')) as ImageSpec[];

  it('covers every platform that takes pictures', () => {
    const platforms = new Set(imageSpecs.map((s) => s.platform));
    for (const p of ['portal', 'wechat_oa', 'weibo', 'bilibili', 'xiaohongshu', 'news_site', 'media_app', 'toutiao', 'douyin']) {
      expect(platforms.has(p as never)).toBe(true);
    }
  });

  it.each(imageSpecs.map((s) => [s.key, s] as const))('%s: size, ratio, format, byte cap, no EXIF/GPS', async (_key, spec) => {
    const r = await prepareRendition(store, photoSha, spec.key);
    const meta = await sharp(r.path).metadata();
    const probe = await probeMedia(r.path);

    expect(FORMAT_OF[spec.format]).toContain(meta.format);
    expect(r.mime).toBe(probe.mime);
    expect(r.width).toBe(meta.width);
    expect(r.height).toBe(meta.height);
    expect(r.sizeBytes).toBe(probe.sizeBytes);
    if (spec.maxBytes) expect(r.sizeBytes).toBeLessThanOrEqual(spec.maxBytes);
    if (spec.fit === 'inside') {
      expect(meta.width).toBeLessThanOrEqual(spec.width);
      expect(meta.width / meta.height).toBeCloseTo(6000 / 4000, 1);
    } else {
      expect([meta.width, meta.height]).toEqual([spec.width, spec.height]);
    }
    if (spec.minWidth) expect(meta.width).toBeGreaterThanOrEqual(spec.minWidth);
    // Published images carry no camera data and no location.
    expect(meta.exif).toBeUndefined();
    expect(meta.xmp).toBeUndefined();
    expect(meta.iptc).toBeUndefined();
    expect(probe.hasGps).toBe(false);
  });

  it('portal gets WebP plus a JPEG fallback at each responsive width', () => {
    const keys = renditionsFor('portal', 'image').map((s) => s.key);
    for (const w of [480, 960, 1600]) {
      expect(keys).toContain(`portal.w${w}.webp`);
      expect(keys).toContain(`portal.w${w}.jpg`);
    }
  });
});

describe('byte caps are met by searching, not by luck', () => {
  it('WeChat thumb ≤ 64 KB: quality lowered just enough', async () => {
    const spec = getSpec('wechat_oa.thumb') as ImageSpec;
    const out = path.join(dir, 'thumb.jpg');
    const r = await renderImageRendition(await store.getPath(photoSha), spec, out);
    expect(r.sizeBytes).toBeLessThanOrEqual(64_000);
    expect(r.quality).toBeLessThan(spec.quality.max);
    // The search found the best quality that fits: one step up is over the cap.
    const oneUp = await sharp(await store.getPath(photoSha), { autoOrient: true })
      .resize(900, 383, { fit: 'cover', position: sharp.strategy.attention })
      .jpeg({ quality: r.quality! + 1, progressive: true, chromaSubsampling: '4:2:0' })
      .toBuffer();
    expect(oneUp.length).toBeGreaterThan(64_000);
    expect([r.width, r.height]).toEqual([900, 383]);
  });

  it('shrinks dimensions when quality alone is not enough, within the spec minimum', async () => {
    const noisy = path.join(dir, 'noise.jpg');
    await makeNoise(noisy, 900, 383); // at output size: no averaging by the downscale
    const spec: ImageSpec = { ...(getSpec('wechat_oa.thumb') as ImageSpec), key: 'test.thumb40', maxBytes: 40_000, minWidth: 200, minHeight: 85 };
    const r = await renderImageRendition(noisy, spec, path.join(dir, 'noise-thumb.jpg'));
    expect(r.sizeBytes).toBeLessThanOrEqual(40_000);
    expect(r.width).toBeLessThan(900);
    expect(r.width / r.height).toBeCloseTo(900 / 383, 1);
    expect(r.warnings.join(' ')).toMatch(/Reduced from 900×383 to \d+×\d+ to fit the 40 KB limit/);
  });

  it('fails clearly when the cap cannot be met', async () => {
    const noisy = path.join(dir, 'noise2.jpg');
    await makeNoise(noisy, 900, 383);
    const spec: ImageSpec = { ...(getSpec('wechat_oa.thumb') as ImageSpec), key: 'test.impossible', maxBytes: 20_000, minWidth: 900, minHeight: 383 };
    const err = (await renderImageRendition(noisy, spec, path.join(dir, 'x.jpg'), { label: 'noise2.jpg' }).catch((e: unknown) => e)) as GovpubError;
    expect(err).toBeInstanceOf(GovpubError);
    expect(err.code).toBe('media_cap_unreachable');
    expect(err.message).toMatch(/noise2\.jpg cannot be made to fit the 20 KB limit of WeChat thumb material .*900×383.*JPEG quality 30 it is [\d.]+ KB/);
  });

  it('WeChat in-article: a transparent PNG stays PNG and is quantised under 1 MB', async () => {
    const file = path.join(dir, 'alpha-noise.png');
    await makeNoise(file, 700, 500, 'png', true);
    const r = await renderImageRendition(file, getSpec('wechat_oa.inline') as ImageSpec, path.join(dir, 'inline.png'));
    expect(r.format).toBe('png');
    expect(r.sizeBytes).toBeLessThanOrEqual(1_000_000);
    const meta = await sharp(r.path).metadata();
    expect(meta.hasAlpha).toBe(true);
  });

  it('a PNG graphic with text keeps its transparency (PNG) in-article', async () => {
    const file = path.join(dir, 'graphic.png');
    await makeTransparentPng(file, 1600, 900);
    const r = await renderImageRendition(file, getSpec('wechat_oa.inline') as ImageSpec, path.join(dir, 'graphic-inline.png'));
    expect(r).toMatchObject({ format: 'png', width: 1080, height: 608 });
  });
});

describe('orientation, smart crop, upscaling, watermark', () => {
  it('auto-rotates by EXIF orientation before resizing', async () => {
    const file = path.join(dir, 'rot.jpg');
    await sharp({ create: { width: 400, height: 200, channels: 3, background: '#777' } })
      .jpeg()
      .withMetadata({ orientation: 6 })
      .toFile(file);
    const r = await renderImageRendition(file, getSpec('portal.w480.jpg') as ImageSpec, path.join(dir, 'rot-out.jpg'));
    expect([r.width, r.height]).toEqual([200, 400]);
    expect((await sharp(r.path).metadata()).orientation).toBeUndefined();
  });

  it('smart crop keeps the text that a centre crop would cut off', async () => {
    const file = path.join(dir, 'banner.png');
    await makeTextBanner(file);
    const spec = getSpec('wechat_oa.cover_square') as ImageSpec;
    const r = await renderImageRendition(file, spec, path.join(dir, 'banner-square.jpg'));
    const smart = await regionStats(r.path);
    const centreFile = path.join(dir, 'banner-centre.png');
    await sharp(file).resize(600, 600, { fit: 'cover', position: 'centre' }).toFile(centreFile);
    const centre = await regionStats(centreFile);
    expect(centre.channels[0]!.min).toBeGreaterThan(150); // plain background only
    expect(smart.channels[0]!.min).toBeLessThan(60); // dark text is in frame
  });

  it('refuses to upscale a too-small original for Bilibili (≥ 960×600) with a clear message', async () => {
    const small = path.join(dir, 'small.jpg');
    await makePhoto(small, 800, 500);
    const err = (await renderImageRendition(small, getSpec('bilibili.cover') as ImageSpec, path.join(dir, 'b.jpg'), { label: 'small.jpg' }).catch(
      (e: unknown) => e,
    )) as GovpubError;
    expect(err.code).toBe('media_too_small');
    expect(err.message).toMatch(
      /small\.jpg is 800×500 pixels; Bilibili cover .* needs a picture of at least 960×600 \(cropped to 16:10, at least 960 pixels wide; this one gives 800×500\)/,
    );

    const medium = path.join(dir, 'medium.jpg');
    await makePhoto(medium, 1200, 800);
    const r = await renderImageRendition(medium, getSpec('bilibili.cover') as ImageSpec, path.join(dir, 'b2.jpg'));
    expect([r.width, r.height]).toEqual([1200, 750]);
    expect(r.warnings[0]).toMatch(/not enlarged/);
  });

  it('flags (but allows) upscaling where the platform has no minimum', async () => {
    const tiny = path.join(dir, 'tiny.jpg');
    await makePhoto(tiny, 600, 300);
    const r = await renderImageRendition(tiny, getSpec('wechat_oa.cover') as ImageSpec, path.join(dir, 'c.jpg'));
    expect([r.width, r.height]).toEqual([900, 383]);
    expect(r.warnings[0]).toMatch(/enlarged 1\.\d×/);
  });

  it('every note a rendition makes comes in Chinese too, in the same order, for the console and the API', async () => {
    const tiny = path.join(dir, 'tiny-zh.jpg');
    await makePhoto(tiny, 600, 300);
    const enlarged = await renderImageRendition(tiny, getSpec('wechat_oa.cover') as ImageSpec, path.join(dir, 'zh-c.jpg'));
    expect(enlarged.warningsZh).toEqual(['原图为 600×300，微信公众号封面（2.35:1）（900×383）要放大 1.5 倍，可能不够清晰。换用更大的原图效果更好。']);

    const medium = path.join(dir, 'medium-zh.jpg');
    await makePhoto(medium, 1200, 800);
    const kept = await renderImageRendition(medium, getSpec('bilibili.cover') as ImageSpec, path.join(dir, 'zh-b.jpg'));
    expect(kept.warningsZh).toEqual(['原图为 1200×800，不放大：哔哩哔哩视频封面（16:10）为 1200×750，而不是 1920×1200。']);

    const noisy = path.join(dir, 'noise-zh.jpg');
    await makeNoise(noisy, 900, 383);
    const spec: ImageSpec = { ...(getSpec('wechat_oa.thumb') as ImageSpec), key: 'test.thumb40zh', maxBytes: 40_000, minWidth: 200, minHeight: 86 };
    const reduced = await renderImageRendition(noisy, spec, path.join(dir, 'zh-t.jpg'));
    expect(reduced.warningsZh).toHaveLength(reduced.warnings.length);
    expect(reduced.warningsZh.join(' ')).toMatch(/为不超过 40 KB 的大小上限，尺寸由 900×383 缩小为 \d+×\d+。/);

    const unmarked = await renderImageRendition(tiny, getSpec('portal.w480.jpg') as ImageSpec, path.join(dir, 'zh-w.jpg'), {
      watermark: { text: '碑林发布', minOutputWidth: 5000 },
    });
    expect(unmarked.warnings).toEqual(['No watermark: 480 px wide is too small for a legible one.']);
    expect(unmarked.warningsZh).toEqual(['未加水印：宽 480 像素的画面太小，放不下看得清的水印。']);
  });

  it('enlarges a strip-shaped original by cropping first: an 8 KB 20000×20 picture is a cover in about a second, not minutes and gigabytes', async () => {
    // A plain strip with one dark mark near its right end: the smart crop must still find it.
    const strip = path.join(dir, 'strip.png');
    await sharp({ create: { width: 20_000, height: 20, channels: 3, background: '#c8c8c8' } })
      .composite([{ input: { create: { width: 600, height: 20, channels: 3, background: '#101010' } }, left: 19_000, top: 0 }])
      .png()
      .toFile(strip);
    const started = Date.now();
    // Enlarging the whole strip 36× before cropping made a 720,000×720 intermediate (2 GB, 30 s).
    const r = await renderImageRendition(strip, getSpec('portal.cover') as ImageSpec, path.join(dir, 'strip-cover.jpg'));
    expect(Date.now() - started).toBeLessThan(10_000);
    expect([r.width, r.height]).toEqual([1280, 720]);
    expect(r.warnings[0]).toMatch(/enlarged 36\.0×/);
    expect((await regionStats(r.path)).channels[0]!.min).toBeLessThan(60); // the mark is in frame
  }, 60_000);

  it('applies the channel watermark (image or text) only where the spec allows it, and caches separately', async () => {
    const grey = path.join(dir, 'grey.jpg');
    await sharp({ create: { width: 1600, height: 1000, channels: 3, background: '#404040' } })
      .jpeg()
      .toFile(grey);
    const logo = path.join(dir, 'logo.png');
    await sharp({ create: { width: 200, height: 100, channels: 4, background: { r: 255, g: 255, b: 255, alpha: 1 } } })
      .png()
      .toFile(logo);
    const sha = await ingest(grey);

    const plain = await prepareRendition(store, sha, 'portal.w960.jpg');
    const marked = await prepareRendition(store, sha, 'portal.w960.jpg', { watermark: { imagePath: logo, position: 'southeast', opacity: 0.8 } });
    expect(marked.sha256).not.toBe(plain.sha256);
    const corner = await regionStats(marked.path, { left: 960 - 120, top: 600 - 60, width: 60, height: 30 });
    const away = await regionStats(marked.path, { left: 20, top: 20, width: 60, height: 30 });
    expect(corner.channels[0]!.mean).toBeGreaterThan(180);
    expect(away.channels[0]!.mean).toBeLessThan(80);

    const text = await prepareRendition(store, sha, 'portal.w960.jpg', { watermark: { text: 'Beilin', position: 'northwest' } });
    expect(text.sha256).not.toBe(plain.sha256);
    const nw = await regionStats(text.path, { left: 0, top: 0, width: 300, height: 150 });
    expect(nw.channels[0]!.max).toBeGreaterThan(150); // background is 64

    // The thumb takes no watermark: same rendition with or without one (and a cache hit).
    const t1 = await prepareRendition(store, sha, 'wechat_oa.thumb');
    const renders = mediaCounters.sharpRenders;
    const t2 = await prepareRendition(store, sha, 'wechat_oa.thumb', { watermark: { imagePath: logo } });
    expect(t2.sha256).toBe(t1.sha256);
    expect(t2.cached).toBe(true);
    expect(mediaCounters.sharpRenders).toBe(renders);
  });
});
