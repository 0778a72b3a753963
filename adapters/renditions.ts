/**
 * The media step adapters use: renditions by (original × spec), prepared with sharp/ffmpeg by the
 * media module and cached there, so asking twice costs nothing.
 */
import { prepareRendition, type MediaStore, type PrepareOptions } from '../media/index.js';
import type { RenditionFile, RenditionSource } from './types.js';

export function storeRenditionSource(store: MediaStore, options: Pick<PrepareOptions, 'signal' | 'watermark' | 'onProgress'> = {}): RenditionSource {
  return {
    async get(mediaId, spec): Promise<RenditionFile> {
      const r = await prepareRendition(store, mediaId, spec, options);
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
  };
}
