/**
 * Rendition files as govpub serves them, and renditions published by URL
 * (`/media/<rendition sha256>.<ext>`), for platforms that fetch pictures and videos by link (the
 * media center).
 *
 * One record describes a rendition file wherever it is served (`RenditionFile`: its own hash,
 * type, size, spec and original): the published record is that record plus when it was
 * published, and `GET /api/media/:id/renditions/:spec` resolves to the same record before it is
 * served the same way (api/media-routes.ts, `sendRenditionFile`).
 *
 * The address names the rendition by its own content hash, never the original's, so nothing
 * published lets anyone derive or fetch the original (which keeps its EXIF/GPS and carries no
 * watermark). Only renditions that a delivery published are served: publishing writes a small
 * record `published/<rendition sha>` in the store, and the public route serves a blob only when
 * that record exists and names it as a rendition. An original's hash has no such record, so
 * `/media/<original sha>.jpg` is a 404 like any made-up name; removing the record
 * (`unpublishRendition`) withdraws the link.
 */
import { GovpubError } from '../domain/errors.js';
import { assertSha256, type MediaStore } from './store.js';

/** File extension of each rendition type (the public name's suffix). */
export const RENDITION_EXTENSIONS: Readonly<Record<string, string>> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/webp': 'webp',
  'video/mp4': 'mp4',
  'audio/mp4': 'm4a',
  'audio/mpeg': 'mp3',
  // Pass-through renditions (attachments, captions): the original's own type.
  'application/pdf': 'pdf',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'xlsx',
  'application/msword': 'doc',
  'application/vnd.ms-excel': 'xls',
  'application/ofd': 'ofd',
  'text/vtt': 'vtt',
};

/** A rendition file: what serving it needs, wherever it was made (a job or a delivery). */
export interface RenditionFile {
  /** The rendition's own hash (the blob served). */
  sha256: string;
  mime: string;
  sizeBytes: number;
  specKey: string;
  /** The original it was made from (never served as a rendition; kept to audit and withdraw). */
  originalSha256: string;
}

export interface PublishedRendition extends RenditionFile {
  version: 1;
  publishedAt: string;
}

/** The extension a rendition file is named with. */
export function renditionExtension(mime: string): string {
  return RENDITION_EXTENSIONS[mime] ?? mime.split('/')[1] ?? 'bin';
}

const recordName = (sha256: string) => `published/${sha256}`;
const PUBLIC_NAME = /^([0-9a-f]{64})\.([a-z0-9]{2,4})$/;

/** `/media/<rendition sha256>.<ext>`: the path (below the public base URL) of a published rendition. */
export function publishedRenditionPath(file: { sha256: string; mime: string }): string {
  assertSha256(file.sha256);
  const ext = RENDITION_EXTENSIONS[file.mime];
  if (!ext) {
    throw new GovpubError('media_not_publishable', `A ${file.mime} file is not a rendition type govpub publishes by URL.`, undefined, {
      zh: `${file.mime} 类型的文件不是可按网址公开发布的转码文件。请先生成该渠道需要的转码文件再发布。`,
    });
  }
  return `/media/${file.sha256}.${ext}`;
}

/**
 * Allows a prepared rendition to be fetched at its public path and returns that path. Refuses
 * anything that is not a rendition of another file (a rendition is never its own original).
 */
export async function publishRendition(
  store: MediaStore,
  file: { mediaId: string; spec: string; sha256: string; mime: string; sizeBytes: number },
): Promise<string> {
  assertSha256(file.sha256);
  assertSha256(file.mediaId);
  if (file.sha256 === file.mediaId) {
    throw new GovpubError(
      'media_original_not_public',
      `Refusing to publish ${file.spec}: its file is the original upload itself, which is never public.`,
      undefined,
      { zh: `${file.spec} 的文件就是上传的原始文件，原始文件（可能带有 GPS 等信息）从不公开发布。请生成该渠道的转码文件后再发布。` },
    );
  }
  const path = publishedRenditionPath(file);
  const existing = await store.readRecord<PublishedRendition>(recordName(file.sha256));
  if (!existing || existing.version !== 1) {
    const record: PublishedRendition = {
      version: 1,
      sha256: file.sha256,
      mime: file.mime,
      sizeBytes: file.sizeBytes,
      specKey: file.spec,
      originalSha256: file.mediaId,
      publishedAt: new Date().toISOString(),
    };
    await store.writeRecord(recordName(file.sha256), record);
  }
  return path;
}

/** Withdraws a published rendition's public link (the file stays in the store). */
export async function unpublishRendition(store: MediaStore, sha256: string): Promise<void> {
  assertSha256(sha256);
  await store.deleteRecord(recordName(sha256));
}

/**
 * The published rendition a public file name (`<sha256>.<ext>`) stands for, or null: for any
 * other name (an original's hash, a made-up or malformed name, a wrong extension), for a
 * rendition never published, and when its file is gone.
 */
export async function findPublishedRendition(store: MediaStore, name: string): Promise<PublishedRendition | null> {
  const m = PUBLIC_NAME.exec(name);
  if (!m) return null;
  const [, sha256, ext] = m as unknown as [string, string, string];
  const record = await store.readRecord<PublishedRendition>(recordName(sha256));
  if (!record || record.version !== 1 || record.sha256 !== sha256) return null;
  if (record.originalSha256 === sha256) return null;
  if (RENDITION_EXTENSIONS[record.mime] !== ext) return null;
  if (!(await store.has(sha256))) return null;
  return record;
}
