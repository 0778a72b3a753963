// Writes a hand-off bundle to disk: 说明.txt, the texts and the renditions under clear names, as the platform's kit describes them.
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { RENDITION_EXTENSIONS } from '../../media/published.js';
import type { RenditionSource } from '../types.js';
import { handoffKit } from './kits.js';
import type { BundledMedia, ManualHandoffPayload } from './payload.js';

/** Text for Windows operators: CRLF line ends and a BOM, so even old Notepad shows the Chinese. */
function windowsText(text: string): string {
  return `\ufeff${text.replace(/\r?\n/g, '\r\n')}${text.endsWith('\n') ? '' : '\r\n'}`;
}

/**
 * Writes the bundle into `outDir` (created if needed): 说明.txt, the texts, and each rendition
 * copied under a clear name. Returns the absolute paths written, 说明.txt first.
 */
export async function writeHandoffBundle(
  payload: ManualHandoffPayload,
  renditions: RenditionSource,
  outDir: string,
  options: { deliveryId?: string } = {},
): Promise<{ files: string[] }> {
  const kit = handoffKit(payload.platform);
  await mkdir(outDir, { recursive: true });
  const written: string[] = [];
  const media: BundledMedia[] = [];
  for (const file of payload.files) {
    const rendition = await renditions.get(file.mediaId, file.spec);
    const fileName = `${file.name}.${RENDITION_EXTENSIONS[rendition.mime] ?? 'bin'}`;
    media.push({ file, rendition, fileName });
  }
  const fileNameOf = (name: string) => media.find((m) => m.file.name === name)?.fileName ?? name;
  // Markers name files without extension; the bundle's names carry one.
  const withExtensions = (s: string) =>
    s.replace(/【插入(图片|视频)([0-9]+)：([^】]+)】/g, (_, kind: string, n: string, name: string) => `【插入${kind}${n}：${fileNameOf(name)}】`);
  const out = async (name: string, content: string | Buffer) => {
    const p = path.join(outDir, name);
    await writeFile(p, content);
    written.push(p);
  };
  await out('说明.txt', windowsText(kit.instructions(payload, media, options.deliveryId)));
  // Text files are for Notepad; a page (正文.html) is for the browser and stays as it is.
  for (const text of kit.texts(payload, withExtensions)) await out(text.name, text.name.endsWith('.txt') ? windowsText(text.content) : text.content);
  for (const m of media) {
    const p = path.join(outDir, m.fileName);
    await copyFile(m.rendition.path, p);
    written.push(p);
  }
  return { files: written };
}
