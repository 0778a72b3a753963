/**
 * Content-addressed media storage.
 *
 * `MediaStore` is what the rest of govpub sees; `LocalMediaStore` keeps blobs in a directory
 * (`<dir>/ab/cd/<sha256>`), small JSON records (the rendition cache index) in `<dir>/records/`,
 * and in-flight writes in `<dir>/tmp/` so that the final rename is atomic (same filesystem).
 * An S3-compatible store implements the same interface for several workers: blobs as objects
 * keyed by hash, records as small objects, `getPath` downloading to a local cache.
 *
 * Uploads are streamed: bytes are hashed and counted as they pass, never held whole in memory.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { chmod, mkdir, readFile, readdir, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GovpubError } from '../domain/errors.js';
import { abortError } from './process.js';
import { fileZh, formatBytes, overLimitMessage } from './units.js';

export interface PutOptions {
  /** Refuse the upload once more than this many bytes have arrived. */
  maxBytes?: number;
  /** Names the limit in the error, e.g. "the 50 MB image upload limit". */
  limitName?: string;
  /** Names the file in errors (the editor's file name). */
  label?: string;
  /** Size announced by the client (Content-Length): refused before reading a byte when over. */
  declaredSize?: number;
  /** When given, the content must hash to this value (media_hash_mismatch otherwise). */
  expectedSha256?: string;
  signal?: AbortSignal;
}

export interface PutResult {
  sha256: string;
  size: number;
  /** True when the store already held this content (nothing was written). */
  existed: boolean;
}

export interface MediaStat {
  sha256: string;
  size: number;
  modifiedAt: Date;
}

export interface MediaStore {
  /** Streams `source` into the store. A put of content already held costs no extra space. */
  putStream(source: NodeJS.ReadableStream | AsyncIterable<Uint8Array>, opts?: PutOptions): Promise<PutResult>;
  /** Stores a local file; with `move` the file is taken over (renamed when possible). */
  putFile(filePath: string, opts?: PutOptions & { move?: boolean }): Promise<PutResult>;
  has(sha256: string): Promise<boolean>;
  stat(sha256: string): Promise<MediaStat | null>;
  /** Reads a blob; `end` is inclusive, as in fs.createReadStream. */
  createReadStream(sha256: string, range?: { start?: number; end?: number }): Promise<Readable>;
  /** A local file path holding the blob, for sharp/ffmpeg. Remote stores download to a cache. */
  getPath(sha256: string): Promise<string>;
  /** Removes a blob; false when it was not there. */
  delete(sha256: string): Promise<boolean>;
  /** Small JSON records keyed by name (`[a-z0-9._-]` segments separated by `/`). */
  readRecord<T>(name: string): Promise<T | null>;
  writeRecord(name: string, value: unknown): Promise<void>;
  deleteRecord(name: string): Promise<void>;
  /** A fresh local directory for tool outputs, on the same filesystem as the blobs when possible. */
  makeScratchDir(prefix?: string): Promise<string>;
  /** Removes the partial files of puts still running in this process (it is stopping); how many. */
  discardPending?(): Promise<number>;
}

/**
 * A partial upload file untouched this long was left by a process that stopped or died mid-upload
 * (a live upload writes continuously; a connection silent for 120 s is closed): removed when a
 * store opens. Several processes may share the directory, so fresher ones are never touched.
 */
export const ABANDONED_PART_MS = 10 * 60_000;

const SHA256_RE = /^[0-9a-f]{64}$/;
const RECORD_RE = /^[a-z0-9][a-z0-9._-]*(\/[a-z0-9][a-z0-9._-]*)*$/;

export function assertSha256(sha256: string): void {
  if (!SHA256_RE.test(sha256)) {
    throw new GovpubError('media_bad_hash', `"${sha256}" is not a SHA-256 hex digest (64 lowercase hex characters).`, undefined, {
      zh: `「${sha256}」不是有效的媒体编号（应为 64 位小写十六进制）。请从媒体列表中复制完整的编号。`,
    });
  }
}

/** The error for an upload over its byte limit. */
export function tooLargeError(label: string, size: number, limit: number, limitName: string, exact = true): GovpubError {
  const message = exact
    ? `${overLimitMessage(label, size, limit, limitName)}. Compress or shorten it and upload again.`
    : `${label} is more than ${formatBytes(size)}, over ${formatBytes(size - limit)} beyond the ${formatBytes(limit)} limit of ${limitName}. Compress or shorten it and upload again.`;
  return new GovpubError(
    'media_too_large',
    message,
    { sizeBytes: size, limitBytes: limit, overBytes: size - limit, exact },
    {
      zh: exact
        ? `${fileZh(label)}为 ${formatBytes(size)}，超过大小上限 ${formatBytes(limit)}（超出 ${formatBytes(size - limit)}）。请压缩或剪短后重新上传。`
        : `${fileZh(label)}超过 ${formatBytes(size)}，比大小上限 ${formatBytes(limit)} 多出 ${formatBytes(size - limit)} 以上。请压缩或剪短后重新上传。`,
    },
  );
}

/** Hashes and counts bytes; past `maxBytes` it stops forwarding (and after `drainBytes` more, fails). */
class Meter extends Transform {
  readonly hash = createHash('sha256');
  bytes = 0;
  overLimit = false;
  constructor(
    private readonly maxBytes: number,
    private readonly drainBytes: number,
  ) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.maxBytes) {
      // Keep counting (to tell the editor by how much) but write nothing more.
      this.overLimit = true;
      if (this.bytes > this.maxBytes + this.drainBytes) {
        cb(new DrainCapReached());
        return;
      }
      cb();
      return;
    }
    this.hash.update(chunk);
    cb(null, chunk);
  }
}

class DrainCapReached extends Error {}

export interface LocalMediaStoreOptions {
  /**
   * After a stream passes its byte limit, keep counting (without storing) up to this many more
   * bytes so the error can say exactly how large the file was. Default: as much as the limit.
   */
  overLimitDrainBytes?: number;
}

export class LocalMediaStore implements MediaStore {
  readonly dir: string;
  private readonly tmpDir: string;
  private readonly recordsDir: string;
  private ready: Promise<void> | null = null;
  /** Partial files of puts in progress, removed by discardPending when the process stops. */
  private readonly pending = new Set<string>();

  constructor(
    dir: string,
    private readonly options: LocalMediaStoreOptions = {},
  ) {
    this.dir = path.resolve(dir);
    this.tmpDir = path.join(this.dir, 'tmp');
    this.recordsDir = path.join(this.dir, 'records');
  }

  private ensureDirs(): Promise<void> {
    this.ready ??= (async () => {
      await mkdir(this.tmpDir, { recursive: true });
      await mkdir(this.recordsDir, { recursive: true });
      await this.removeAbandonedParts();
    })();
    return this.ready;
  }

  private async removeAbandonedParts(): Promise<void> {
    const now = Date.now();
    for (const name of await readdir(this.tmpDir).catch(() => [] as string[])) {
      if (!name.endsWith('.part')) continue;
      const file = path.join(this.tmpDir, name);
      const st = await stat(file).catch(() => null);
      if (st && now - st.mtimeMs > ABANDONED_PART_MS) await rm(file, { force: true });
    }
  }

  async discardPending(): Promise<number> {
    const files = [...this.pending];
    this.pending.clear();
    await Promise.all(files.map((f) => rm(f, { force: true })));
    return files.length;
  }

  /** Where a blob lives: `<dir>/ab/cd/<sha256>`. */
  blobPath(sha256: string): string {
    assertSha256(sha256);
    return path.join(this.dir, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  private tmpFile(): string {
    return path.join(this.tmpDir, `${Date.now()}-${randomUUID()}.part`);
  }

  async putStream(source: NodeJS.ReadableStream | AsyncIterable<Uint8Array>, opts: PutOptions = {}): Promise<PutResult> {
    await this.ensureDirs();
    const label = opts.label ?? 'The upload';
    const limitName = opts.limitName ?? 'this upload';
    const maxBytes = opts.maxBytes ?? Number.POSITIVE_INFINITY;
    if (opts.signal?.aborted) throw abortError(opts.signal);
    if (opts.declaredSize !== undefined && opts.declaredSize > maxBytes) {
      destroyQuietly(source);
      throw tooLargeError(label, opts.declaredSize, maxBytes, limitName);
    }

    const tmp = this.tmpFile();
    const drain = this.options.overLimitDrainBytes ?? (Number.isFinite(maxBytes) ? maxBytes : 0);
    const meter = new Meter(maxBytes, drain);
    this.pending.add(tmp);
    try {
      await pipeline(source, meter, createWriteStream(tmp, { flags: 'wx', flush: true }), {
        signal: opts.signal,
      });
    } catch (err) {
      this.pending.delete(tmp);
      await rm(tmp, { force: true });
      if (err instanceof DrainCapReached) throw tooLargeError(label, meter.bytes, maxBytes, limitName, false);
      if (opts.signal?.aborted) throw abortError(opts.signal);
      throw new GovpubError(
        'media_upload_failed',
        `${label} could not be stored: ${(err as Error).message}`,
        { cause: (err as Error).message },
        { zh: `${fileZh(label)}未能存入媒体库（连接中断或服务器存储出错），没有保存任何内容。请重新上传；如仍失败，请联系运维人员检查媒体存储。` },
      );
    }
    this.pending.delete(tmp);
    if (meter.overLimit) {
      await rm(tmp, { force: true });
      throw tooLargeError(label, meter.bytes, maxBytes, limitName);
    }
    const sha256 = meter.hash.digest('hex');
    return this.commit(tmp, sha256, meter.bytes, opts);
  }

  /** Moves a complete temp file into place (or drops it when the content is already stored). */
  private async commit(tmp: string, sha256: string, size: number, opts: PutOptions): Promise<PutResult> {
    if (opts.expectedSha256 && opts.expectedSha256 !== sha256) {
      await rm(tmp, { force: true });
      throw new GovpubError(
        'media_hash_mismatch',
        `${opts.label ?? 'The upload'} hashes to ${sha256}, not the expected ${opts.expectedSha256}; it was changed or cut off in transit. Upload it again.`,
        { sha256, expected: opts.expectedSha256 },
        { zh: `${fileZh(opts.label ?? 'The upload')}的内容与预期的编号不符，在传输中被改动或截断。请重新上传。` },
      );
    }
    const dest = this.blobPath(sha256);
    if (await this.has(sha256)) {
      await rm(tmp, { force: true });
      return { sha256, size, existed: true };
    }
    await mkdir(path.dirname(dest), { recursive: true });
    await chmod(tmp, 0o444);
    // Atomic: readers see either nothing or the whole file. A concurrent put of the same content
    // renames identical bytes over it, which is harmless.
    await rename(tmp, dest);
    return { sha256, size, existed: false };
  }

  async putFile(filePath: string, opts: PutOptions & { move?: boolean } = {}): Promise<PutResult> {
    await this.ensureDirs();
    const label = opts.label ?? path.basename(filePath);
    if (!opts.move) {
      return this.putStream(createReadStream(filePath), { ...opts, label });
    }
    const st = await stat(filePath);
    if (opts.maxBytes !== undefined && st.size > opts.maxBytes) {
      throw tooLargeError(label, st.size, opts.maxBytes, opts.limitName ?? 'this upload');
    }
    const sha256 = await hashFile(filePath, opts.signal);
    // Same filesystem: a rename. Otherwise copy through putStream and remove the source.
    const tmp = this.tmpFile();
    try {
      await rename(filePath, tmp);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
      const res = await this.putStream(createReadStream(filePath), { ...opts, label });
      await rm(filePath, { force: true });
      return res;
    }
    return this.commit(tmp, sha256, st.size, { ...opts, label });
  }

  async has(sha256: string): Promise<boolean> {
    return (await this.stat(sha256)) !== null;
  }

  async stat(sha256: string): Promise<MediaStat | null> {
    try {
      const s = await stat(this.blobPath(sha256));
      return { sha256, size: s.size, modifiedAt: s.mtime };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  async createReadStream(sha256: string, range: { start?: number; end?: number } = {}): Promise<Readable> {
    const p = await this.getPath(sha256);
    return createReadStream(p, { start: range.start, end: range.end });
  }

  async getPath(sha256: string): Promise<string> {
    const p = this.blobPath(sha256);
    if (!(await this.has(sha256))) {
      throw new GovpubError(
        'media_not_found',
        `No stored media has hash ${sha256}; upload the file again.`,
        { sha256 },
        { zh: `媒体库中没有编号为 ${sha256} 的文件。请重新上传该文件。` },
      );
    }
    return p;
  }

  async delete(sha256: string): Promise<boolean> {
    try {
      await unlink(this.blobPath(sha256));
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw err;
    }
  }

  private recordPath(name: string): string {
    if (!RECORD_RE.test(name) || name.split('/').some((s) => s === '..' || s === '.')) {
      throw new GovpubError('media_bad_record_name', `"${name}" is not a valid record name.`, undefined, {
        zh: `「${name}」不是有效的媒体记录名。这是程序内部的错误，请联系运维人员并附上本提示。`,
      });
    }
    return path.join(this.recordsDir, `${name}.json`);
  }

  async readRecord<T>(name: string): Promise<T | null> {
    try {
      return JSON.parse(await readFile(this.recordPath(name), 'utf8')) as T;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return null;
      // A torn or hand-edited record is a cache miss, not a failure.
      if (err instanceof SyntaxError) return null;
      throw err;
    }
  }

  async writeRecord(name: string, value: unknown): Promise<void> {
    await this.ensureDirs();
    const dest = this.recordPath(name);
    await mkdir(path.dirname(dest), { recursive: true });
    const tmp = this.tmpFile();
    await writeFile(tmp, JSON.stringify(value, null, 2));
    await rename(tmp, dest);
  }

  async deleteRecord(name: string): Promise<void> {
    await rm(this.recordPath(name), { force: true });
  }

  async makeScratchDir(prefix = 'job'): Promise<string> {
    await this.ensureDirs();
    const dir = path.join(this.tmpDir, `${prefix}-${Date.now()}-${randomUUID().slice(0, 8)}`);
    await mkdir(dir);
    return dir;
  }

  /** Removes temp files older than `olderThanMs` (left behind by a crashed worker). */
  async sweepTemp(olderThanMs = 24 * 3600 * 1000): Promise<number> {
    await this.ensureDirs();
    let removed = 0;
    const now = Date.now();
    for (const entry of await readdir(this.tmpDir)) {
      const p = path.join(this.tmpDir, entry);
      const s = await stat(p).catch(() => null);
      if (s && now - s.mtimeMs > olderThanMs) {
        await rm(p, { recursive: true, force: true });
        removed++;
      }
    }
    return removed;
  }
}

export async function hashFile(filePath: string, signal?: AbortSignal): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(filePath, { signal })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function destroyQuietly(source: NodeJS.ReadableStream | AsyncIterable<Uint8Array>): void {
  if (source instanceof Readable) source.destroy();
}
