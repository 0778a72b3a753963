// Small pure helpers the manual platforms' format steps share: picture markers, numbered names, video interpretations.
import { imageSources, mediaIdFromSrc } from '../text.js';
import type { RenditionNeed, ReleaseUnit } from '../types.js';
import type { HandoffFile } from './payload.js';

export const two = (n: number) => String(n).padStart(2, '0');

/** Replaces each `/api/media/<sha>` picture with a marker line naming its file in the bundle. */
export function markPictures(html: string, nameOf: (mediaId: string) => string): string {
  return html.replace(/<img\b[^>]*>/gi, (tag) => {
    const src = imageSources(tag)[0];
    const id = src === undefined ? null : mediaIdFromSrc(src);
    if (!id) return tag;
    const name = nameOf(id);
    return `<br><span class="marker">【插入图片${name.replace('图片', '')}：${name}】</span><br>`;
  });
}

/** An interpretation whose uploaded file is a video. */
export const isVideo = (unit: ReleaseUnit, i: ReleaseUnit['interpretations'][number]) => i.mediaId !== undefined && unit.media[i.mediaId]?.kind === 'video';

/** The bundle's files and the renditions they need, collected together. */
export function bundleFiles(platformName: string) {
  const files: HandoffFile[] = [];
  const renditions: RenditionNeed[] = [];
  return {
    files,
    renditions,
    add(file: HandoffFile) {
      files.push(file);
      renditions.push({ mediaId: file.mediaId, spec: file.spec, purpose: `${platformName}: ${file.purpose}` });
    },
  };
}
