// A hand-off bundle: 说明.txt, the texts and the renditions under clear names, as the platform's kit describes them; written to disk or handed to a zip.
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

/** One file of a bundle: a text made here, or a rendition file on local disk. */
export type BundleEntry = { name: string; content: string } | { name: string; path: string; sizeBytes: number };

/**
 * The files of a bundle in order: 说明.txt, the texts, then each rendition under a clear name.
 * The one description of a bundle, whether it is written to a directory or sent as a zip.
 */
export async function handoffBundleEntries(
  payload: ManualHandoffPayload,
  renditions: RenditionSource,
  options: { deliveryId?: string } = {},
): Promise<BundleEntry[]> {
  const kit = handoffKit(payload.platform);
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
  const entries: BundleEntry[] = [{ name: '说明.txt', content: windowsText(kit.instructions(payload, media, options.deliveryId)) }];
  // Text files are for Notepad; a page (正文.html) is for the browser and stays as it is.
  for (const text of kit.texts(payload, withExtensions))
    entries.push({ name: text.name, content: text.name.endsWith('.txt') ? windowsText(text.content) : text.content });
  for (const m of media) entries.push({ name: m.fileName, path: m.rendition.path, sizeBytes: m.rendition.sizeBytes });
  return entries;
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
  const entries = await handoffBundleEntries(payload, renditions, options);
  await mkdir(outDir, { recursive: true });
  const written: string[] = [];
  for (const entry of entries) {
    const p = path.join(outDir, entry.name);
    if ('content' in entry) await writeFile(p, entry.content);
    else await copyFile(entry.path, p);
    written.push(p);
  }
  return { files: written };
}
