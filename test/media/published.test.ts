/**
 * Renditions published by URL (media/published.ts) and the public route that serves them
 * (GET /media/<rendition sha256>.<ext>, api/media-routes.ts): only what a delivery published,
 * named by the rendition's own hash; an original (EXIF/GPS, no watermark) is never reachable.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerPublicRenditions } from '../../api/media-routes.js';
import { findPublishedRendition, publishedRenditionPath, publishRendition, unpublishRendition } from '../../media/published.js';
import { ingestUpload, prepareRendition, type Rendition } from '../../media/renditions.js';
import { LocalMediaStore } from '../../media/store.js';
import { makePhoto, makeTempDir } from './fixtures.js';

let dir: string;
let cleanup: () => Promise<void>;
let store: LocalMediaStore;
let app: FastifyInstance;
let base: string;
let original: string;
let cover: Rendition;
let image: Rendition;

const asFile = (r: Rendition) => ({ mediaId: r.originalSha256, spec: r.specKey, sha256: r.sha256, mime: r.mime, sizeBytes: r.sizeBytes });
const get = (p: string, headers: Record<string, string> = {}) => fetch(`${base}${p}`, { headers });

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir('govpub-published-'));
  store = new LocalMediaStore(path.join(dir, 'store'));
  await makePhoto(path.join(dir, 'photo.jpg'), 1600, 1000, { gps: true });
  original = (await ingestUpload(store, createReadStream(path.join(dir, 'photo.jpg')), { label: 'photo.jpg' })).sha256;
  cover = await prepareRendition(store, original, 'news_site.cover');
  image = await prepareRendition(store, original, 'media_app.image');
  app = Fastify();
  registerPublicRenditions(app, store);
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
});
afterAll(async () => {
  await app?.close();
  await cleanup();
});

describe('published renditions', () => {
  it('are named by their own hash and served publicly, whole or in ranges, without EXIF/GPS', async () => {
    const p = await publishRendition(store, asFile(cover));
    expect(p).toBe(`/media/${cover.sha256}.jpg`);
    expect(p).not.toContain(original);
    expect(publishedRenditionPath(cover)).toBe(p);

    const res = await get(p);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/jpeg');
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(res.headers.get('etag')).toBe(`"${cover.sha256}"`);
    expect(res.headers.get('content-disposition')).not.toContain(original);
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(cover.sha256);
    const meta = await sharp(bytes).metadata();
    expect({ exif: meta.exif !== undefined, xmp: meta.xmp !== undefined }).toEqual({ exif: false, xmp: false });
    // The original does carry them: that is what must not be served.
    expect((await sharp(await store.getPath(original)).metadata()).exif).toBeDefined();

    const part = await get(p, { range: 'bytes=0-1' });
    expect(part.status).toBe(206);
    expect([...Buffer.from(await part.arrayBuffer())]).toEqual([0xff, 0xd8]);
    expect((await get(p, { 'if-none-match': `"${cover.sha256}"` })).status).toBe(304);
    // Publishing again changes nothing.
    expect(await publishRendition(store, asFile(cover))).toBe(p);
  });

  it('nothing else is served: originals, renditions never published, made-up names, other extensions, paths', async () => {
    await publishRendition(store, asFile(cover));
    for (const probe of [
      `/media/${original}.jpg`,
      `/media/${original}`,
      `/media/${original}/news_site.cover`,
      `/media/${original}/original`,
      `/media/${image.sha256}.jpg`, // made, but no delivery published it
      `/media/${cover.sha256}.png`,
      `/media/${cover.sha256}.JPG`,
      `/media/${cover.sha256}`,
      `/media/${cover.sha256}.jpg.jpg`,
      `/media/..%2F${original}.jpg`,
      `/media/${cover.sha256}.jpg%2F..%2F..%2F${original}`,
      `/media/${'f'.repeat(64)}.jpg`,
      '/media/original',
    ]) {
      const res = await get(probe);
      const bytes = Buffer.from(await res.arrayBuffer());
      // 404, or 414 where the name is longer than a route parameter may be.
      expect({ probe, refused: [404, 414].includes(res.status), original: createHash('sha256').update(bytes).digest('hex') === original }).toEqual({
        probe,
        refused: true,
        original: false,
      });
    }
  });

  it('an original is never published, even when a caller hands it over as a rendition', async () => {
    const originalAsFile = { mediaId: original, spec: 'news_site.cover', sha256: original, mime: 'image/jpeg', sizeBytes: 1 };
    await expect(publishRendition(store, originalAsFile)).rejects.toMatchObject({ code: 'media_original_not_public' });
    expect(await findPublishedRendition(store, `${original}.jpg`)).toBeNull();
    // A record naming a blob as its own rendition (hand-made, corrupted) is not honoured either.
    await store.writeRecord(`published/${original}`, {
      version: 1,
      sha256: original,
      mime: 'image/jpeg',
      sizeBytes: 1,
      specKey: 'x',
      originalSha256: original,
      publishedAt: '',
    });
    expect((await get(`/media/${original}.jpg`)).status).toBe(404);
    await store.deleteRecord(`published/${original}`);
  });

  it('a withdrawn link answers 404; a published rendition whose file is gone too', async () => {
    const p = await publishRendition(store, asFile(image));
    expect((await get(p)).status).toBe(200);
    await unpublishRendition(store, image.sha256);
    const withdrawn = await get(p);
    expect(withdrawn.status).toBe(404);
    // The same error shape as the API's: code, both languages, and the request id to quote.
    expect(await withdrawn.json()).toMatchObject({ error: { code: 'not_found', messageZh: expect.any(String), requestId: expect.stringMatching(/./) } });

    const p2 = await publishRendition(store, asFile(image));
    await store.delete(image.sha256);
    expect((await get(p2)).status).toBe(404);
  });
});
