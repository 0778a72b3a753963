/**
 * The media step adapters use: renditions by (original × spec), prepared with sharp/ffmpeg by the
 * media module and cached there, so asking twice costs nothing.
 */
import { findCachedRendition, prepareRendition, type MediaStore, type PrepareOptions, type WatermarkOptions } from '../media/index.js';
import type { RenditionFile, RenditionSource } from './types.js';

export function storeRenditionSource(
  store: MediaStore,
  options: Pick<PrepareOptions, 'signal' | 'watermark' | 'onProgress' | 'onWaiting'> & {
    /** The channel's watermark (config/registry/watermarks.yaml), applied to specs that allow one. */
    watermarkFor?: () => Promise<WatermarkOptions | undefined>;
  } = {},
): RenditionSource {
  const { watermarkFor, ...prepare } = options;
  return {
    async get(mediaId, spec): Promise<RenditionFile> {
      const watermark = prepare.watermark ?? (watermarkFor ? await watermarkFor() : undefined);
      const r = await prepareRendition(store, mediaId, spec, { ...prepare, ...(watermark ? { watermark } : {}) });
      return {
        mediaId,
        spec,
        path: r.path,
        mime: r.mime,
        sizeBytes: r.sizeBytes,
        sha256: r.sha256,
        ...(r.width !== undefined ? { width: r.width } : {}),
        ...(r.height !== undefined ? { height: r.height } : {}),
        ...(r.durationSec !== undefined ? { durationSec: r.durationSec } : {}),
      };
    },
    async isCached(mediaId, spec): Promise<boolean> {
      const watermark = prepare.watermark ?? (watermarkFor ? await watermarkFor() : undefined);
      return (await findCachedRendition(store, mediaId, spec, watermark).catch(() => null)) !== null;
    },
  };
}
