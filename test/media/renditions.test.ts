import { Readable } from 'node:stream';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GovpubError } from '../../domain/errors.js';
import { mediaCounters } from '../../media/process.js';
import {
  assertRenditionFits,
  findCachedRendition,
  ingestUpload,
  prepareRendition,
  prepareRenditions,
  preflight,
  probeStored,
  renditionCacheKey,
} from '../../media/renditions.js';
import { coverMinimumHeight, planSize } from '../../media/image-plan.js';
import { getSpec, PLATFORM_IDS, RENDITION_SPECS, renditionsFor, specHash, type ImageSpec } from '../../media/specs.js';
import { LocalMediaStore } from '../../media/store.js';
import { makePhoto, makeTempDir } from './fixtures.js';

let dir: string;
let cleanup: () => Promise<void>;
let store: LocalMediaStore;
let sha: string;

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir('govpub-renditions-'));
  store = new LocalMediaStore(path.join(dir, 'store'));
  await makePhoto(path.join(dir, 'photo.jpg'), 2400, 1600, { gps: true });
  sha = (await ingestUpload(store, createReadStream(path.join(dir, 'photo.jpg')), { label: 'photo.jpg' })).sha256;
});
afterAll(() => cleanup());

describe('specs', () => {
  it('have unique stable keys, a spec hash each, and 9:16 verticals for Douyin, Kuaishou and Channels', () => {
    const keys = RENDITION_SPECS.map((s) => s.key);
    expect(new Set(keys).size).toBe(keys.length);
    for (const s of RENDITION_SPECS) {
      expect(s.key.startsWith(`${s.platform}.`)).toBe(true);
      expect(specHash(s)).toMatch(/^[0-9a-f]{16}$/);
    }
    for (const p of ['douyin', 'kuaishou', 'wechat_channels'] as const) {
      const v = renditionsFor(p, 'video').filter((s) => s.kind === 'video');
      expect(v.length).toBeGreaterThan(0);
      for (const s of v) if (s.kind === 'video') expect(s.width / s.height).toBeCloseTo(9 / 16, 3);
    }
    // The platform's own limits are in the data.
    expect(getSpec('wechat_oa.thumb')).toMatchObject({ format: 'jpeg', maxBytes: 64_000 });
    expect(getSpec('wechat_oa.inline')).toMatchObject({ maxBytes: 1_000_000, format: 'jpeg-or-png' });
    expect(getSpec('wechat_oa.video')).toMatchObject({ maxBytes: 10_000_000 });
    // 128 MB is Douyin's limit per upload request; larger files go up in parts, to 4 GB.
    expect(getSpec('douyin.video_1080')).toMatchObject({ maxBytes: 4_000_000_000, maxDurationSec: 900, width: 1080, height: 1920 });
    expect(getSpec('bilibili.cover')).toMatchObject({ minWidth: 960, minHeight: 600, maxBytes: 5_000_000 });
    expect(getSpec('weibo.image')).toMatchObject({ maxBytes: 5_000_000 });
    expect(PLATFORM_IDS.length).toBe(11);
  });

  it("a cover's minimum is a picture size its check and its message agree on: a picture of exactly that size passes, one pixel less either way is refused naming it", () => {
    const covers = RENDITION_SPECS.filter(
      (s): s is ImageSpec => s.kind === 'image' && s.fit === 'cover' && (s.minWidth !== undefined || s.minHeight !== undefined),
    );
    expect(covers.map((s) => s.key)).toEqual(expect.arrayContaining(['wechat_oa.thumb', 'bilibili.cover', 'bilibili.video_cover']));
    for (const spec of covers) {
      // The least whole-pixel height whose crop to the spec's ratio is minWidth wide (WeChat: 450 / 2.35 = 191.5 → 192).
      expect(spec.minHeight, spec.key).toBe(coverMinimumHeight(spec, spec.minWidth!));
      const min = `${spec.minWidth}×${spec.minHeight}`;
      expect(() => planSize(spec, spec.minWidth!, spec.minHeight!)).not.toThrow();
      for (const [w, h] of [
        [spec.minWidth! - 1, spec.minHeight!],
        [spec.minWidth!, spec.minHeight! - 1],
        [spec.minWidth! * 4, spec.minHeight! - 1],
      ] as const) {
        const error = (() => {
          try {
            planSize(spec, w, h, 'pic.jpg');
          } catch (e) {
            return e as GovpubError;
          }
          throw new Error(`${spec.key}: ${w}×${h} passed`);
        })();
        expect(error.code).toBe('media_too_small');
        expect(error.message).toContain(`at least ${min}`);
        expect(error.messageZh).toContain(`至少需要 ${min}`);
      }
    }
    // WeChat's thumb: a picture 191 px tall is refused (its crop is 448.8 px wide) and told 192, never 191.
    expect(() => planSize(getSpec('wechat_oa.thumb') as ImageSpec, 1200, 191, 'strip.jpg')).toThrow(
      /needs a picture of at least 450×192 .*this one gives 448×191/,
    );
  });

  it('identical renditions on different platforms share a hash; descriptive fields do not matter', () => {
    expect(specHash(getSpec('portal.video_720'))).toBe(specHash(getSpec('news_site.video_720')));
    expect(specHash(getSpec('portal.video_720'))).not.toBe(specHash(getSpec('portal.video_1080')));
    expect(specHash({ ...getSpec('wechat_oa.thumb'), label: 'other' })).toBe(specHash(getSpec('wechat_oa.thumb')));
    expect(specHash({ ...getSpec('wechat_oa.thumb'), maxBytes: 50_000 } as never)).not.toBe(specHash(getSpec('wechat_oa.thumb')));
  });

  it('are fixed data: frozen through, so a remembered hash cannot go stale; a changed copy hashes anew', () => {
    const thumb = getSpec('wechat_oa.thumb') as ImageSpec;
    expect(Object.isFrozen(thumb)).toBe(true);
    expect(() => Object.assign(thumb, { maxBytes: 1 })).toThrow(TypeError);
    expect(specHash(thumb)).toBe(specHash(thumb));
    const copy = { ...thumb, width: thumb.width + 1 };
    expect(specHash(copy)).not.toBe(specHash(thumb));
    copy.width = thumb.width;
    expect(specHash(copy)).toBe(specHash(thumb)); // unfrozen copies are hashed each time
  });

  it('unknown keys and platforms give the list of known ones', () => {
    expect(() => getSpec('wechat_oa.nope')).toThrow(/Known renditions: .*wechat_oa\.thumb/);
    expect(() => renditionsFor('myspace' as never, 'image')).toThrow(GovpubError);
  });
});

describe('prepareRendition cache', () => {
  it('second call returns instantly from the record: nothing rendered, nothing probed', async () => {
    const first = await prepareRendition(store, sha, 'wechat_oa.cover');
    expect(first.cached).toBe(false);
    const before = { ...mediaCounters };
    const progress: number[] = [];
    const second = await prepareRendition(store, sha, 'wechat_oa.cover', { onProgress: (p) => progress.push(p) });
    expect(second).toMatchObject({ cached: true, sha256: first.sha256, path: first.path, width: 900, height: 383 });
    expect(mediaCounters).toEqual(before);
    expect(progress).toEqual([100]);
  });

  it('concurrent requests for the same rendition render once', async () => {
    const before = mediaCounters.sharpRenders;
    const [a, b, c] = await Promise.all([1, 2, 3].map(() => prepareRendition(store, sha, 'bilibili.cover')));
    expect(mediaCounters.sharpRenders - before).toBe(1);
    expect(new Set([a!.sha256, b!.sha256, c!.sha256]).size).toBe(1);
  });

  it('a caller waiting for a rendition another caller is making: cancelling the maker does not fail the waiter, which makes it itself', async () => {
    const maker = new AbortController();
    const before = mediaCounters.sharpRenders;
    const making = prepareRendition(store, sha, 'toutiao.cover', { signal: maker.signal });
    await new Promise((resolve) => setTimeout(resolve, 5)); // the first caller is rendering (a 1280×720 crop of 2400×1600 takes longer)
    const waiting = prepareRendition(store, sha, 'toutiao.cover', { onWaiting: () => {} });
    maker.abort();
    await expect(making).rejects.toMatchObject({ name: 'AbortError' });
    const made = await waiting;
    expect(made).toMatchObject({ cached: false, specKey: 'toutiao.cover' });
    expect(mediaCounters.sharpRenders - before).toBe(1);
  });

  it('a waiting caller cancelled itself stops waiting; the maker goes on', async () => {
    const waiter = new AbortController();
    const making = prepareRendition(store, sha, 'xiaohongshu.image');
    const waiting = prepareRendition(store, sha, 'xiaohongshu.image', { signal: waiter.signal });
    waiter.abort();
    await expect(waiting).rejects.toMatchObject({ name: 'AbortError' });
    expect(await making).toMatchObject({ cached: false, specKey: 'xiaohongshu.image' });
  });

  it('renders again when the rendition file was deleted', async () => {
    const r = await prepareRendition(store, sha, 'wechat_oa.cover_square');
    await store.delete(r.sha256);
    const again = await prepareRendition(store, sha, 'wechat_oa.cover_square');
    expect(again.cached).toBe(false);
    expect(again.sha256).toBe(r.sha256); // deterministic output
    // Looked up from the cache (so its record is remembered), then the file goes: rendered again, then cached again.
    expect((await prepareRendition(store, sha, 'wechat_oa.cover_square')).cached).toBe(true);
    await store.delete(r.sha256);
    const rendered = mediaCounters.sharpRenders;
    expect((await prepareRendition(store, sha, 'wechat_oa.cover_square')).cached).toBe(false);
    expect(mediaCounters.sharpRenders - rendered).toBe(1);
    expect((await prepareRendition(store, sha, 'wechat_oa.cover_square')).cached).toBe(true);
  });

  it('a remembered record whose file is gone gives way to the record on disk (another process rendered it anew)', async () => {
    const spec = getSpec('weibo.image');
    const r = await prepareRendition(store, sha, spec);
    expect((await prepareRendition(store, sha, spec)).cached).toBe(true); // remembered now
    const name = await renditionCacheKey(sha, spec);
    const other = await store.putStream(Readable.from([Buffer.from('another rendition of the same spec')]));
    await store.writeRecord(name, { ...(await store.readRecord<Record<string, unknown>>(name)), sha256: other.sha256 });
    await store.delete(r.sha256);
    const rendered = mediaCounters.sharpRenders;
    const found = await prepareRendition(store, sha, spec);
    expect(found).toMatchObject({ cached: true, sha256: other.sha256 });
    expect(mediaCounters.sharpRenders).toBe(rendered);
  });

  it('"fit inside" specs whose box holds the whole original share one rendition; specs that resize keep their own keys', async () => {
    await makePhoto(path.join(dir, 'small.jpg'), 960, 540);
    const small = (await ingestUpload(store, createReadStream(path.join(dir, 'small.jpg')), { label: 'small.jpg' })).sha256;
    expect(await findCachedRendition(store, small, 'portal.w1600.webp')).toBeNull();
    const rendered = mediaCounters.sharpRenders;
    const w960 = await prepareRendition(store, small, 'portal.w960.webp');
    expect(w960).toMatchObject({ cached: false, width: 960, height: 540 });
    // The 1600 px box holds the 960 px original too: the same bytes, so nothing is rendered for it.
    expect(await findCachedRendition(store, small, 'portal.w1600.webp')).toMatchObject({ sha256: w960.sha256, specKey: 'portal.w1600.webp' });
    const w1600 = await prepareRendition(store, small, 'portal.w1600.webp');
    expect(w1600).toMatchObject({ cached: true, sha256: w960.sha256, specKey: 'portal.w1600.webp', width: 960, height: 540 });
    expect(mediaCounters.sharpRenders - rendered).toBe(1);
    // A smaller box resizes: a rendition of its own. Another format or watermark is another rendition.
    expect((await prepareRendition(store, small, 'portal.w480.webp')).sha256).not.toBe(w960.sha256);
    expect((await prepareRendition(store, small, 'portal.w1600.jpg')).sha256).not.toBe(w960.sha256);
    expect(mediaCounters.sharpRenders - rendered).toBe(3);

    // A 2400 px original is resized by both: two renditions, under the keys they always had.
    const [big960, big1600] = [await prepareRendition(store, sha, 'portal.w960.webp'), await prepareRendition(store, sha, 'portal.w1600.webp')];
    expect([big960.width, big1600.width]).toEqual([960, 1600]);
    const size = { width: 2400, height: 1600 };
    expect(await renditionCacheKey(sha, getSpec('portal.w960.webp'), undefined, size)).toBe(await renditionCacheKey(sha, getSpec('portal.w960.webp')));
    expect(await renditionCacheKey(sha, getSpec('portal.w960.webp'), undefined, { width: 960, height: 540 })).toBe(
      await renditionCacheKey(sha, getSpec('portal.w1600.webp'), undefined, { width: 960, height: 540 }),
    );
    // Cropping specs are never shared this way: their output is their box.
    expect(await renditionCacheKey(sha, getSpec('portal.cover'), undefined, { width: 960, height: 540 })).toBe(
      await renditionCacheKey(sha, getSpec('portal.cover')),
    );
  });

  it('a rendition shared by identical specs of two platforms speaks of the spec asked for, not the one it was first made for', async () => {
    await makePhoto(path.join(dir, 'narrow.jpg'), 1000, 750);
    const narrow = (await ingestUpload(store, createReadStream(path.join(dir, 'narrow.jpg')), { label: 'narrow.jpg' })).sha256;
    expect(specHash(getSpec('news_site.cover'))).toBe(specHash(getSpec('portal.cover')));
    const newsSite = await prepareRendition(store, narrow, 'news_site.cover');
    expect(newsSite.warnings).toEqual([expect.stringContaining(`${getSpec('news_site.cover').label} (1280×720) is enlarged`)]);
    const portal = await prepareRendition(store, narrow, 'portal.cover');
    expect(portal).toMatchObject({ cached: true, sha256: newsSite.sha256 });
    expect(portal.warnings).toEqual([expect.stringContaining(`Portal list cover 16:9 (1280×720) is enlarged`)]);
    expect(portal.warnings.join(' ')).not.toContain(getSpec('news_site.cover').label);
    // The Chinese notes name the rendition too (editors read them): the portal's, in Chinese.
    expect(newsSite.warningsZh).toEqual([expect.stringContaining('西安网碑林频道列表封面（16:9）（1280×720）要放大')]);
    expect(portal.warningsZh).toEqual([expect.stringContaining('门户网站列表封面（16:9）（1280×720）要放大')]);

    // Asked for at once: the second caller waits for the first one's render, and still reads its own spec.
    await makePhoto(path.join(dir, 'narrow-2.jpg'), 1000, 750, { quality: 80 });
    const other = (await ingestUpload(store, createReadStream(path.join(dir, 'narrow-2.jpg')), { label: 'narrow-2.jpg' })).sha256;
    const [first, second] = await Promise.all([prepareRendition(store, other, 'news_site.cover'), prepareRendition(store, other, 'portal.cover')]);
    expect(second.sha256).toBe(first.sha256);
    expect(second.warnings).toEqual([expect.stringContaining('Portal list cover 16:9 (1280×720) is enlarged')]);
  });

  it('prepareRenditions: everything one platform needs, with progress to 100', async () => {
    const progress: number[] = [];
    const res = await prepareRenditions(store, sha, 'wechat_oa', { onProgress: (p) => progress.push(p) });
    expect(res.problems).toEqual([]);
    expect(res.renditions.map((r) => r.specKey).sort()).toEqual(['wechat_oa.cover', 'wechat_oa.cover_square', 'wechat_oa.inline', 'wechat_oa.thumb']);
    for (const r of res.renditions) assertRenditionFits(r);
    expect(progress.at(-1)).toBe(100);
    for (let i = 1; i < progress.length; i++) expect(progress[i]!).toBeGreaterThan(progress[i - 1]!);
  });

  it('preflight reports every problem at once without rendering', async () => {
    const small = path.join(dir, 'small.jpg');
    await makePhoto(small, 800, 500);
    const s = (await ingestUpload(store, createReadStream(small), { label: 'small.jpg' })).sha256;
    const probe = await probeStored(store, s);
    const problems = preflight(probe, ['bilibili.cover', 'wechat_oa.cover', 'douyin.video_720'], 'small.jpg');
    expect(problems.map((p) => [p.specKey, p.error.code])).toEqual([
      ['bilibili.cover', 'media_too_small'],
      ['douyin.video_720', 'media_wrong_kind'],
    ]);
    const res = await prepareRenditions(store, s, 'bilibili');
    expect(res.renditions).toEqual([]);
    expect(res.problems[0]!.error.message).toMatch(/small\.jpg is 800×500 pixels/);
  });

  it('a refused upload does not stay in the store', async () => {
    const bad = path.join(dir, 'bad.jpg');
    await writeFile(bad, '%PDF-1.4\nnot an image\n');
    const err = (await ingestUpload(store, createReadStream(bad), { label: 'bad.jpg' }).catch((e: unknown) => e)) as GovpubError;
    // PDFs are accepted as attachments; this one is cut short (no %%EOF), so it is refused as a document.
    expect(err.code).toBe('media_document_invalid');
    const badSha = createHash('sha256').update('%PDF-1.4\nnot an image\n').digest('hex');
    expect(await store.has(badSha)).toBe(false);
    const tooBig = (await ingestUpload(store, createReadStream(path.join(dir, 'photo.jpg')), {
      label: 'photo.jpg',
      probe: { maxBytes: { image: 1000 } },
    }).catch((e: unknown) => e)) as GovpubError;
    expect(tooBig.code).toBe('media_too_large');
    // The same content was stored before (by beforeAll), so it is kept for that earlier upload.
    expect(await store.has(sha)).toBe(true);
  });
});
