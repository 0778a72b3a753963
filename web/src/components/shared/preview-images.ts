/**
 * Which picture a channel preview shows for a cover crop or a video poster. The preflight marks a
 * rendition not made yet (`ready: false`, services/preflight.ts): its address would answer 404 and
 * put an error in the browser's console, so the page never asks for it. Until it is made, an image
 * cover's original stands in (shown at the crop's proportions); anything else gets a placeholder.
 */
import type { Preview } from '../../../../adapters/preflight/previews';

type Cover = NonNullable<Preview['cover']>;
type Crop = Cover['crops'][number];

export interface PreviewImage {
  src: string;
  /** The original standing in for a crop not made yet. */
  provisional: boolean;
}

export function cropImage(cover: Cover, crop: Crop): PreviewImage | null {
  if (crop.ready !== false) return { src: crop.url, provisional: false };
  return cover.originalUrl ? { src: cover.originalUrl, provisional: true } : null;
}

export function posterImage(video: Preview['video']): string | null {
  if (!video?.posterUrl || video.posterReady === false) return null;
  return video.posterUrl;
}
