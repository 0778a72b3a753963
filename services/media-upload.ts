/**
 * An upload into the media store: the first bytes decide the kind (and so the limit) and refuse
 * what is not media before the rest is read; the bytes stream through a hashing meter into the
 * store, are probed, and recorded as an original.
 */
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { Kysely } from 'kysely';
import { dimensionColumns, findMedia, insertMediaIfNew } from '../db/media.js';
import type { DB } from '../db/schema.js';
import { GovpubError } from '../domain/errors.js';
import type { Actor } from '../domain/package-rules.js';
import { holdsPastedApiToken } from '../domain/api-token.js';
import { characterCount, showsNothing, TOKEN_IN_TEXT, unsafeTextProblem } from '../domain/text.js';
import { sniff, unsupportedFileMessage, type MediaKind } from '../media/probe.js';
import { ingestUpload } from '../media/renditions.js';
import { fileZh } from '../media/units.js';
import type { MediaStore } from '../media/store.js';
import { toMediaView, type MediaView } from './media-views.js';

/** HTTP status for the media module's refusals (everything else keeps the API's default). */
const STATUS_BY_MEDIA_CODE: Record<string, number> = {
  media_empty: 400,
  media_corrupt: 400,
  media_bad_hash: 400,
  media_unknown_spec: 400,
  media_unknown_platform: 400,
  media_too_large: 413,
  media_unsupported: 415,
  media_not_found: 404,
  media_upload_failed: 400,
  media_document_invalid: 400,
  media_captions_invalid: 400,
};

function withStatus(error: unknown): unknown {
  if (error instanceof GovpubError && STATUS_BY_MEDIA_CODE[error.code] && (error.details as { status?: number }).status === undefined) {
    return new GovpubError(error.code, error.message, { ...error.details, status: STATUS_BY_MEDIA_CODE[error.code] }, { zh: error.messageZh });
  }
  return error;
}

/** Extensions that name the same format. */
const SAME_EXT: Record<string, string> = { jpeg: 'jpg', jpe: 'jpg', tiff: 'tif', qt: 'mov', m4v: 'mp4', heif: 'heic' };
const normExt = (e: string) => SAME_EXT[e] ?? e;

/** Reads the first `n` bytes of a stream (or all of it if shorter) without losing the rest. */
async function splitHead(
  source: NodeJS.ReadableStream | AsyncIterable<Uint8Array>,
  n: number,
): Promise<{ head: Buffer; rest: AsyncIterable<Uint8Array>; iterator: AsyncIterator<Uint8Array> }> {
  const iterator = (source as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
  const chunks: Buffer[] = [];
  let size = 0;
  let done = false;
  while (size < n) {
    const next = await iterator.next();
    if (next.done) {
      done = true;
      break;
    }
    const chunk = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value);
    chunks.push(chunk);
    size += chunk.length;
  }
  const head = Buffer.concat(chunks);
  async function* rest(): AsyncIterable<Uint8Array> {
    try {
      if (head.length) yield head;
      if (done) return;
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
    } finally {
      // Stopped early (over the limit, aborted): release the source too.
      if (!done) await iterator.return?.();
    }
  }
  return { head, rest: rest(), iterator };
}

export interface UploadInput {
  uploadName?: string;
  createdBy: Actor;
  limits?: Partial<Record<MediaKind, number>>;
  signal?: AbortSignal;
  /**
   * Runs once the file is stored and probed, before its record is written: a refusal here (the
   * request carried a second file) leaves nothing behind, the file included unless it was there before.
   */
  beforeRecord?: () => Promise<void>;
}

/** A file name is at most this long (characters): what file systems keep, and what a list shows. */
const MAX_UPLOAD_NAME = 255;

/**
 * Why an upload's file name cannot be kept, or null: the text rule; bytes that were no UTF-8 (the
 * multipart parser turns them into U+FFFD, so the name was stored as "a��b.jpg"); a name longer
 * than a file system keeps (a 200,000-character one was cut, its extension with it); a name that
 * shows nothing before its extension; an API token.
 */
export function uploadNameProblem(name: string): string | null {
  const unsafe = unsafeTextProblem(name);
  if (unsafe) return unsafe;
  if (name.includes('\ufffd')) return 'is not valid UTF-8 (a byte that is no character, shown as \ufffd); save it under a name in UTF-8';
  const length = characterCount(name);
  if (length > MAX_UPLOAD_NAME) return `is ${length} characters; at most ${MAX_UPLOAD_NAME} allowed`;
  const base = path.basename(name.trim());
  if (base !== '' && showsNothing(base.replace(/\.[^.]*$/, ''))) return 'shows nothing before its extension (only spaces or invisible characters)';
  if (holdsPastedApiToken(name)) return TOKEN_IN_TEXT;
  return null;
}

/**
 * Stores and probes an upload. The same bytes uploaded again find the same record
 * (`created: false`). Refusals are GovpubErrors saying which limit and by how much.
 */
export async function ingestMedia(
  db: Kysely<DB>,
  store: MediaStore,
  kindLimits: Record<MediaKind, number>,
  source: NodeJS.ReadableStream | AsyncIterable<Uint8Array>,
  input: UploadInput,
): Promise<{ media: MediaView; created: boolean; warnings: string[]; warningsZh: string[] }> {
  // The name is stored and sent back in headers: refused before a byte is stored, like any text field.
  const nameProblem = input.uploadName === undefined ? null : uploadNameProblem(input.uploadName);
  if (nameProblem) {
    throw new GovpubError('invalid_file_name', `The file name ${nameProblem}. Rename the file and upload it again.`, {
      status: 400,
      issues: [{ path: 'file', message: `the file name ${nameProblem}` }],
    });
  }
  const uploadName = input.uploadName?.trim() ? path.basename(input.uploadName.trim()) : undefined;
  const label = uploadName ?? 'The upload';
  const limits = { ...kindLimits, ...input.limits };
  try {
    // The first bytes say what the file is: refuse non-media now, and pick the kind's limit.
    const { head, rest, iterator } = await splitHead(source, 4096);
    const sniffed = sniff(head);
    if (head.length > 0 && sniffed.family === 'unsupported') {
      await iterator.return?.();
      if (typeof (source as Readable).destroy === 'function') (source as Readable).destroy();
      const refused = unsupportedFileMessage(sniffed, label, fileZh(label), uploadName);
      throw new GovpubError('media_unsupported', refused.message, { label, detected: sniffed.unknown ? 'unknown' : sniffed.what }, { zh: refused.zh });
    }
    // The stream is cut off at the limit of the kind the first bytes promise (attachments and
    // captions have their own, much smaller limits than video).
    const { maxBytes, limitName } =
      sniffed.family === 'image'
        ? { maxBytes: limits.image, limitName: "govpub's image uploads" }
        : sniffed.family === 'document'
          ? { maxBytes: limits.document, limitName: "govpub's attachment uploads" }
          : sniffed.family === 'captions'
            ? { maxBytes: limits.captions, limitName: "govpub's captions uploads" }
            : { maxBytes: Math.max(limits.audio, limits.video), limitName: `govpub's ${limits.video >= limits.audio ? 'video' : 'audio'} uploads` };
    const result = await ingestUpload(store, rest, {
      label,
      maxBytes,
      limitName,
      signal: input.signal,
      probe: { maxBytes: limits },
    });
    if (input.beforeRecord) {
      try {
        await input.beforeRecord();
      } catch (error) {
        if (!result.existed) {
          await store.delete(result.sha256).catch(() => undefined);
          await store.deleteRecord(`probes/${result.sha256}`).catch(() => undefined);
        }
        throw error;
      }
    }
    const probe = result.probe;
    let inserted: boolean;
    try {
      inserted = await insertMediaIfNew(db, {
        id: result.sha256,
        kind: probe.kind,
        mime: probe.mime,
        format: probe.format,
        size_bytes: result.size,
        ...dimensionColumns(probe),
        upload_name: uploadName ?? null,
        probe: JSON.stringify(probe),
        created_by: input.createdBy.id,
      });
    } catch (error) {
      // The record could not be written (the database refused or went away): the file this upload
      // brought goes too, so none stays on disk without its row. One stored before stays, and so
      // does this one when a row for it exists after all (the same bytes recorded meanwhile).
      if (!result.existed) {
        const recorded = await findMedia(db, result.sha256).then(
          (row) => row !== undefined,
          () => false,
        );
        if (!recorded) {
          await store.delete(result.sha256).catch(() => undefined);
          await store.deleteRecord(`probes/${result.sha256}`).catch(() => undefined);
        }
      }
      throw error;
    }
    const row = (await findMedia(db, result.sha256))!;

    // Each note in English (scripts, the CLI) and in Chinese (the console), in the same order.
    const warnings: string[] = [];
    const warningsZh: string[] = [];
    const ext = uploadName && uploadName.includes('.') ? uploadName.split('.').pop()!.toLowerCase() : undefined;
    if (ext && normExt(ext) !== normExt(probe.extension)) {
      const format = probe.format.toUpperCase();
      warnings.push(`${uploadName} is really ${format} (${probe.mime}), whatever its name says; it is stored and used as ${format}.`);
      warningsZh.push(`「${uploadName}」实际是 ${format} 文件（${probe.mime}），与文件名不符；已按 ${format} 保存和使用。`);
    }
    if (probe.hasGps) {
      warnings.push(`${label} carries a GPS location in its EXIF data; published renditions never do (metadata is stripped).`);
      warningsZh.push(`「${uploadName ?? '上传的文件'}」的 EXIF 信息中带有 GPS 位置；发布出去的版本一律去掉这些信息。`);
    }
    if (!inserted) {
      const before = row.upload_name && row.upload_name !== uploadName ? row.upload_name : null;
      warnings.push(`The same file was uploaded before${before ? ` as ${before}` : ''}; nothing new was stored.`);
      warningsZh.push(`同一文件之前已上传过${before ? `（文件名「${before}」）` : ''}，未重复保存。`);
    }
    return { media: toMediaView(row), created: inserted, warnings, warningsZh };
  } catch (error) {
    throw withStatus(error);
  }
}
