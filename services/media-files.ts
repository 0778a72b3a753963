/**
 * The files behind the media routes: an original, and the rendition file a request names, found
 * in the one place it is recorded (a job's rendition row, else the media store's record of what a
 * delivery prepared for the channel) and described as a RenditionFile, the record both rendition
 * URLs serve.
 */
import type { Kysely } from 'kysely';
import { renditionUsesOf } from '../db/deliveries.js';
import { findMedia, latestRendition } from '../db/media.js';
import type { DB, MediaRow } from '../db/schema.js';
import { GovpubError } from '../domain/errors.js';
import { findChannel, type Registry } from '../domain/registry.js';
import type { WatermarkOptions } from '../media/image.js';
import type { ProbeResult } from '../media/probe.js';
import { renditionExtension, type RenditionFile } from '../media/published.js';
import { findCachedRendition } from '../media/renditions.js';
import { getSpec, specNames } from '../media/specs.js';
import type { MediaStore } from '../media/store.js';
import { formatBytes } from '../media/units.js';
import type { BlobInfo, RenditionView } from './media-views.js';

export interface MediaFileSources {
  db: Kysely<DB>;
  store: MediaStore;
  registry: Registry;
  /** A channel's watermark: a delivery's renditions are cached under it. */
  watermarkFor?: (target: { platform: string; channelId: string }) => Promise<WatermarkOptions | undefined>;
}

/** The original's record, or 404 (for an id that is not a media id too). */
export async function mediaOr404(db: Kysely<DB>, id: string): Promise<MediaRow> {
  const row = /^[0-9a-f]{64}$/.test(id) ? await findMedia(db, id) : undefined;
  if (!row) {
    throw new GovpubError(
      'not_found',
      `No media with id ${id}. Upload it with POST /api/media or \`govpub media add FILE\`.`,
      { status: 404 },
      { zh: `找不到编号为 ${id} 的媒体文件，请先上传（POST /api/media 或 \`govpub media add FILE\`）。` },
    );
  }
  return row;
}

/** What GET /api/media/:id/content serves: the original's hash, size, type and file name. */
export async function describeOriginal(sources: MediaFileSources, id: string): Promise<BlobInfo> {
  const row = await mediaOr404(sources.db, id);
  const stat = await sources.store.stat(id);
  if (!stat) {
    throw new GovpubError(
      'media_not_found',
      `The original of media ${id} is missing from the media store (${formatBytes(Number(row.size_bytes))} expected); upload the file again.`,
      { status: 404 },
    );
  }
  const fileName = row.upload_name ?? `${id.slice(0, 12)}.${(row.probe as unknown as ProbeResult).extension ?? 'bin'}`;
  return { sha256: id, size: stat.size, mime: row.mime, fileName };
}

/**
 * A rendition's file: the one a job made for `channel` when there is one, else the latest; else
 * the one a delivery to `channel` prepared (with the channel's watermark), else an unmarked one.
 */
export async function describeRendition(
  sources: MediaFileSources,
  id: string,
  specKey: string,
  options: { channel?: string } = {},
): Promise<{ file: RenditionFile; fileName: string }> {
  const media = await mediaOr404(sources.db, id);
  specOr404(specKey);
  const file = (await madeByJob(sources.db, id, specKey, options.channel)) ?? (await preparedByDelivery(sources, id, specKey, options.channel));
  if (!file) {
    throw new GovpubError(
      'not_found',
      `No ${specKey} rendition of media ${id} has been made yet. Request it with POST /api/media/${id}/renditions {"specs": ["${specKey}"]}.`,
      { status: 404 },
      { zh: `媒体文件 ${id} 尚未生成 ${specKey} 转码，请先请求：POST /api/media/${id}/renditions {"specs": ["${specKey}"]}。` },
    );
  }
  if (!(await sources.store.has(file.sha256)))
    throw new GovpubError('media_not_found', `The ${specKey} rendition of media ${id} is missing from the media store; request it again.`, { status: 404 });
  const base = media.upload_name?.replace(/\.[^.]*$/, '') || id.slice(0, 12);
  return { file, fileName: `${base}.${specKey}.${renditionExtension(file.mime)}` };
}

/**
 * Whether GET /api/media/:id/renditions/:spec (no channel) finds a file now: a page that shows
 * renditions asks before it names one, so a rendition not made yet is never a 404 in its browser.
 */
export async function renditionMade(sources: MediaFileSources, id: string, specKey: string): Promise<boolean> {
  const file = (await madeByJob(sources.db, id, specKey, undefined)) ?? (await preparedByDelivery(sources, id, specKey, undefined));
  return file !== undefined && (await sources.store.has(file.sha256));
}

async function madeByJob(db: Kysely<DB>, id: string, specKey: string, channel: string | undefined): Promise<RenditionFile | undefined> {
  const row = await latestRendition(db, id, specKey, channel);
  return row && { sha256: row.sha256, mime: row.mime, sizeBytes: Number(row.size_bytes), specKey, originalSha256: id };
}

/** A rendition a delivery prepared (the media store's cache record; no job recorded it). */
async function preparedByDelivery(sources: MediaFileSources, id: string, specKey: string, channelId: string | undefined): Promise<RenditionFile | undefined> {
  const channel = channelId ? findChannel(sources.registry, channelId) : undefined;
  const watermark = channel && sources.watermarkFor ? await sources.watermarkFor({ platform: channel.platform, channelId: channel.id }) : undefined;
  const marked = watermark ? await findCachedRendition(sources.store, id, specKey, watermark).catch(() => null) : null;
  const found = marked ?? (await findCachedRendition(sources.store, id, specKey).catch(() => null));
  return found ? { sha256: found.sha256, mime: found.mime, sizeBytes: found.sizeBytes, specKey, originalSha256: id } : undefined;
}

/**
 * The renditions deliveries prepared of an original (the transmit makes a photo's itself, and the
 * review prepares them at submit): found in the media store's cache under each channel's watermark
 * (or none), one per file. No job made them, so no rendition row lists them. A watermarked one
 * names a channel it was made for; an unmarked one serves every channel of its platform.
 */
export async function renditionsPreparedByDeliveries(sources: MediaFileSources, id: string): Promise<RenditionView[]> {
  const found = new Map<string, RenditionView>();
  const watermarks = new Map<string, WatermarkOptions | undefined>();
  for (const { spec: specKey, channelId } of await renditionUsesOf(sources.db, id)) {
    // A spec no longer declared has nothing to serve it by.
    const names = specNames(specKey);
    if (!names) continue;
    const channel = findChannel(sources.registry, channelId);
    let watermark = watermarks.get(channelId);
    if (channel && sources.watermarkFor && !watermarks.has(channelId)) {
      watermark = await sources.watermarkFor({ platform: channel.platform, channelId: channel.id });
      watermarks.set(channelId, watermark);
    }
    const marked = watermark ? await findCachedRendition(sources.store, id, specKey, watermark).catch(() => null) : null;
    const rendition = marked ?? (await findCachedRendition(sources.store, id, specKey).catch(() => null));
    if (!rendition || found.has(`${specKey} ${rendition.sha256}`)) continue;
    found.set(`${specKey} ${rendition.sha256}`, {
      specKey,
      ...names,
      sha256: rendition.sha256,
      mime: rendition.mime,
      sizeBytes: rendition.sizeBytes,
      width: rendition.width ?? null,
      height: rendition.height ?? null,
      durationSec: rendition.durationSec ?? null,
      watermarked: marked !== null,
      channelId: marked ? channelId : null,
      warnings: rendition.warnings,
      warningsZh: rendition.warningsZh ?? [],
      url: `/api/media/${id}/renditions/${specKey}${marked ? `?channel=${encodeURIComponent(channelId)}` : ''}`,
      createdAt: rendition.createdAt,
    });
  }
  return [...found.values()];
}

function specOr404(specKey: string): void {
  try {
    getSpec(specKey);
  } catch (error) {
    throw new GovpubError(
      'not_found',
      (error as Error).message,
      { status: 404 },
      { zh: `转码规格 "${specKey}" 不存在（规格形如 wechat_oa.thumb、douyin.video_720）。` },
    );
  }
}
