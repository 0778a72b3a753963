import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GovpubError } from '../../domain/errors.js';
import { LocalMediaStore } from '../../media/store.js';
import { makeTempDir } from './fixtures.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir('govpub-store-'));
});
afterAll(() => cleanup());

/** `total` bytes in `chunk`-sized pieces, generated lazily (never all in memory). */
function bytes(total: number, chunk = 64 * 1024, seed = 1): Readable {
  let sent = 0;
  return Readable.from(
    (function* () {
      while (sent < total) {
        const n = Math.min(chunk, total - sent);
        const b = Buffer.alloc(n, (sent / chunk + seed) % 251);
        sent += n;
        yield b;
      }
    })(),
  );
}

async function collect(r: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of r) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

describe('LocalMediaStore', () => {
  it('stores a stream under its SHA-256 in ab/cd/<sha256>, atomically, and a second put is free', async () => {
    const store = new LocalMediaStore(path.join(dir, 's1'));
    const payload = Buffer.from('hello govpub media '.repeat(1000));
    const expected = createHash('sha256').update(payload).digest('hex');

    const first = await store.putStream(Readable.from([payload]));
    expect(first).toEqual({ sha256: expected, size: payload.length, existed: false });
    const blob = path.join(dir, 's1', expected.slice(0, 2), expected.slice(2, 4), expected);
    expect(await readFile(blob)).toEqual(payload);
    expect(await store.getPath(expected)).toBe(blob);

    const before = (await stat(blob)).mtimeMs;
    const second = await store.putStream(Readable.from([payload]));
    expect(second).toEqual({ sha256: expected, size: payload.length, existed: true });
    expect((await stat(blob)).mtimeMs).toBe(before);
    expect(await readdir(path.join(dir, 's1', 'tmp'))).toEqual([]);

    expect(await store.has(expected)).toBe(true);
    expect((await store.stat(expected))?.size).toBe(payload.length);
    expect((await collect(await store.createReadStream(expected, { start: 6, end: 11 }))).toString()).toBe('govpub');
    expect(await store.delete(expected)).toBe(true);
    expect(await store.has(expected)).toBe(false);
    expect(await store.delete(expected)).toBe(false);
    await expect(store.getPath(expected)).rejects.toMatchObject({ code: 'media_not_found' });
  });

  it('streams large uploads in chunks (hash matches, nothing buffered whole)', async () => {
    const store = new LocalMediaStore(path.join(dir, 's2'));
    const total = 40 * 1024 * 1024 + 123;
    const hash = createHash('sha256');
    for await (const c of bytes(total)) hash.update(c as Buffer);
    const r = await store.putStream(bytes(total));
    expect(r.size).toBe(total);
    expect(r.sha256).toBe(hash.digest('hex'));
  });

  it('refuses a stream over the limit while streaming, removes the temp file, and says by how much', async () => {
    const store = new LocalMediaStore(path.join(dir, 's3'));
    const err = (await store
      .putStream(bytes(12_400_000), { maxBytes: 10_000_000, label: 'video.mp4', limitName: 'WeChat video material' })
      .catch((e: unknown) => e)) as GovpubError;
    expect(err).toBeInstanceOf(GovpubError);
    expect(err.code).toBe('media_too_large');
    expect(err.message).toContain('video.mp4 is 12.4 MB, 2.4 MB over the 10 MB limit of WeChat video material');
    expect(err.details).toMatchObject({ sizeBytes: 12_400_000, limitBytes: 10_000_000, overBytes: 2_400_000 });
    expect(await readdir(path.join(dir, 's3', 'tmp'))).toEqual([]);
    const blobs = (await readdir(path.join(dir, 's3'))).filter((d) => /^[0-9a-f]{2}$/.test(d));
    expect(blobs).toEqual([]);
  });

  it('stops reading a huge upload early and still names the limit', async () => {
    const store = new LocalMediaStore(path.join(dir, 's4'), { overLimitDrainBytes: 1_000_000 });
    const source = bytes(500_000_000);
    const err = (await store.putStream(source, { maxBytes: 2_000_000, label: 'huge.mov' }).catch((e: unknown) => e)) as GovpubError;
    expect(err.code).toBe('media_too_large');
    expect(err.message).toMatch(/huge\.mov is more than 3 MB, over 1 MB beyond the 2 MB limit/);
    expect(source.destroyed).toBe(true);
    expect(await readdir(path.join(dir, 's4', 'tmp'))).toEqual([]);
  });

  it('refuses a declared size over the limit before reading', async () => {
    const store = new LocalMediaStore(path.join(dir, 's5'));
    const source = bytes(10);
    await expect(store.putStream(source, { maxBytes: 1_000, declaredSize: 5_500, label: 'a.jpg' })).rejects.toMatchObject({
      code: 'media_too_large',
      message: expect.stringContaining('a.jpg is 5.5 KB, 4.5 KB over the 1 KB limit'),
    });
  });

  it('detects content that does not match the expected hash', async () => {
    const store = new LocalMediaStore(path.join(dir, 's6'));
    await expect(store.putStream(Readable.from([Buffer.from('abc')]), { expectedSha256: 'f'.repeat(64) })).rejects.toMatchObject({
      code: 'media_hash_mismatch',
    });
    expect(await readdir(path.join(dir, 's6', 'tmp'))).toEqual([]);
  });

  it('handles concurrent puts of the same content', async () => {
    const store = new LocalMediaStore(path.join(dir, 's7'));
    const results = await Promise.all([1, 2, 3, 4].map(() => store.putStream(bytes(3_000_000, 65536, 7))));
    expect(new Set(results.map((r) => r.sha256)).size).toBe(1);
    expect(await store.has(results[0]!.sha256)).toBe(true);
  });

  it('putFile with move takes the file over; records round-trip; bad names are refused', async () => {
    const store = new LocalMediaStore(path.join(dir, 's8'));
    const file = path.join(dir, 's8-input.bin');
    await writeFile(file, 'rendition bytes');
    const r = await store.putFile(file, { move: true });
    expect(existsSync(file)).toBe(false);
    expect((await readFile(await store.getPath(r.sha256))).toString()).toBe('rendition bytes');

    await store.writeRecord('renditions/abc/def', { a: 1 });
    expect(await store.readRecord('renditions/abc/def')).toEqual({ a: 1 });
    expect(await store.readRecord('renditions/abc/none')).toBeNull();
    await store.deleteRecord('renditions/abc/def');
    expect(await store.readRecord('renditions/abc/def')).toBeNull();
    await expect(store.writeRecord('../escape', {})).rejects.toMatchObject({ code: 'media_bad_record_name' });
    await expect(store.has('not-a-hash')).rejects.toMatchObject({ code: 'media_bad_hash' });
  });
});
