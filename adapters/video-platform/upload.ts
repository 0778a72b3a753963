// The transmit steps the video platforms share: checkpointed progress, the file checks before upload, streamed multipart bodies and the resumable part-by-part upload.
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { formatBytes } from '../../media/units.js';
import { rejectedContent } from '../errors.js';
import type { RenditionFile, TransmitContext } from '../types.js';

export const MiB = 1024 * 1024;

/** The largest video file all three platforms take. */
const MAX_VIDEO_BYTES = 4 * 1024 * MiB;

// ── checkpointed progress ───────────────────────────────────────────────────────────────────

export interface Progress<C> {
  state: Partial<C>;
  save(p: Partial<C>): Promise<void>;
}

/** The checkpoint as this attempt sees it: `save` merges into it and checkpoints the change. */
export function progress<C extends object>(ctx: TransmitContext<C>): Progress<C> {
  const state: Partial<C> = { ...ctx.checkpointed };
  return {
    state,
    async save(p) {
      Object.assign(state, p);
      await ctx.checkpoint(p);
    },
  };
}

// ── the file ────────────────────────────────────────────────────────────────────────────────

/**
 * The payload's prepared video, fetched and held to the platform's limits before anything is
 * uploaded: `tooLong` words a length over the limit (or says it is fine), `over4GB` ends the size
 * problem (`over 4 GB`).
 */
export async function videoToUpload(
  ctx: Pick<TransmitContext, 'renditions'>,
  ref: { mediaId: string; spec: string },
  platformName: string,
  tooLong: (durationSec: number) => { message: string; messageZh: string } | undefined,
  over4GB: { en: string; zh: string },
): Promise<RenditionFile> {
  const file = await ctx.renditions.get(ref.mediaId, ref.spec);
  const long = file.durationSec === undefined ? undefined : tooLong(file.durationSec);
  if (long) throw rejectedContent(platformName, [{ field: 'video', ...long }]);
  if (file.sizeBytes > MAX_VIDEO_BYTES)
    throw rejectedContent(platformName, [
      {
        field: 'video',
        message: `the video file is ${formatBytes(file.sizeBytes)}, ${over4GB.en}`,
        messageZh: `视频文件有 ${formatBytes(file.sizeBytes)}，${over4GB.zh}。请压缩视频后重新发布。`,
      },
    ]);
  return file;
}

/**
 * The rendition changed since the last attempt: the upload progress saved for the other file is
 * useless, so `cleared` (the platform's upload fields, emptied) is saved over it.
 */
export async function dropUploadOfOtherFile<C extends { videoSha256: string | null }>(
  cp: Progress<C>,
  file: RenditionFile,
  cleared: Partial<C>,
): Promise<void> {
  if (cp.state.videoSha256 && cp.state.videoSha256 !== file.sha256) await cp.save(cleared);
}

/** The duration a file declares to the upload (`X-Media-Duration`; the simulators check limits against it). */
export function declaredDuration(file: RenditionFile): Record<string, string> {
  return file.durationSec !== undefined ? { 'x-media-duration': String(file.durationSec) } : {};
}

/** The file extension of a cover picture by its type. */
export function coverFileName(mime: string): string {
  return `cover.${mime === 'image/png' ? 'png' : 'jpg'}`;
}

// ── upload bodies ───────────────────────────────────────────────────────────────────────────

/** A multipart/form-data body with one file range, streamed from disk, with its exact length. */
export function multipartFile(
  f: { field: string; filename: string; contentType: string; path: string; start: number; end: number },
  fields: Record<string, string> = {},
) {
  const boundary = `----govpub${randomBytes(12).toString('hex')}`;
  const head = Buffer.from(
    Object.entries(fields)
      .map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`)
      .join('') + `--${boundary}\r\nContent-Disposition: form-data; name="${f.field}"; filename="${f.filename}"\r\nContent-Type: ${f.contentType}\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const length = head.length + (f.end - f.start + 1) + tail.length;
  async function* parts() {
    yield head;
    for await (const chunk of createReadStream(f.path, { start: f.start, end: f.end })) yield chunk as Buffer;
    yield tail;
  }
  return {
    data: Readable.from(parts(), { objectMode: false }),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': String(length) },
  };
}

/** A small multipart/form-data body in memory (covers), so its MD5 can be signed. */
export function multipartBuffer(field: string, filename: string, contentType: string, data: Buffer): { body: Buffer; contentType: string } {
  const boundary = `----govpub${randomBytes(12).toString('hex')}`;
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${filename}"\r\nContent-Type: ${contentType}\r\n\r\n`);
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return { body: Buffer.concat([head, data, tail]), contentType: `multipart/form-data; boundary=${boundary}` };
}

// ── parts ───────────────────────────────────────────────────────────────────────────────────

/** One part of a part-by-part upload: its number, how many there are, and its byte range. */
export interface FilePart {
  n: number;
  count: number;
  start: number;
  end: number;
}

/**
 * Sends every part of the file that is not `done` yet (numbered from `first`), with a heartbeat
 * before each and the sorted list of finished parts saved after each, so a retry resumes after
 * the last part that arrived.
 */
export async function uploadMissingParts(
  file: RenditionFile,
  partBytes: number,
  first: 0 | 1,
  done: Set<number>,
  ctx: Pick<TransmitContext, 'heartbeat'>,
  send: (part: FilePart) => Promise<void>,
  saveDone: (parts: number[]) => Promise<void>,
): Promise<number> {
  const count = Math.ceil(file.sizeBytes / partBytes);
  for (let i = 0; i < count; i++) {
    const n = i + first;
    if (done.has(n)) continue;
    ctx.heartbeat();
    const start = i * partBytes;
    const end = Math.min(file.sizeBytes, start + partBytes) - 1;
    await send({ n, count, start, end });
    done.add(n);
    await saveDone([...done].sort((a, b) => a - b));
  }
  return count;
}
