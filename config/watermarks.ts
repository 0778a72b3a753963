/**
 * Channel watermarks from `config/registry/watermarks.yaml`: per platform, per channel id (which
 * wins), and defaults. Validated at load; every problem is reported with file, line and key path,
 * like the registry. A missing file means "no watermarks".
 *
 * `watermarkFor({ platform, channelId })` gives the media module's WatermarkOptions, with the text
 * font resolved (GOVPUB_FONT_PATH → fc-match "Noto Sans CJK SC" → fonts-noto-cjk's path) and the
 * logo path made absolute. Workers call it (the font must exist where the rendering happens).
 */
import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import { isMap, isScalar, LineCounter, parseDocument, type Node as YamlNode, type Pair } from 'yaml';
import { ConfigError, type ConfigIssue } from '../domain/errors.js';
import { yamlFileTextOrThrow } from './yaml-lines.js';
import { PLATFORMS, type Platform } from '../domain/registry.js';
import { resolveWatermarkFont, type FontResolveOptions } from '../media/fonts.js';
import type { WatermarkOptions } from '../media/image.js';
import { ROOT_DIR } from './settings.js';

export const WATERMARKS_FILE = 'watermarks.yaml';
export const DEFAULT_WATERMARKS_PATH = path.join(ROOT_DIR, 'config', 'registry', WATERMARKS_FILE);

const POSITIONS = ['northwest', 'north', 'northeast', 'west', 'center', 'east', 'southwest', 'south', 'southeast'] as const;

/** One entry as written in the file (image path already absolute). `none` switches a platform's watermark off for a channel. */
export interface WatermarkEntry {
  text?: string;
  image?: string;
  position?: (typeof POSITIONS)[number];
  opacity?: number;
  scale?: number;
  margin?: number;
  color?: string;
  none?: boolean;
}

export interface WatermarkConfig {
  /** The file it came from (absent when there was none). */
  file?: string;
  defaults: WatermarkEntry;
  platforms: Partial<Record<Platform, WatermarkEntry>>;
  channels: Record<string, WatermarkEntry>;
}

export interface WatermarkTarget {
  platform: Platform | string;
  /** Channel id, e.g. `douyin:blfb-dy`; its entry wins over the platform's. */
  channelId?: string;
}

const KEYS = ['text', 'image', 'position', 'opacity', 'scale', 'margin', 'color', 'none'] as const;

/** Loads and validates the watermark file; a missing file is an empty configuration. */
export async function loadWatermarks(file: string = DEFAULT_WATERMARKS_PATH, known?: { channelIds?: Iterable<string> }): Promise<WatermarkConfig> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { defaults: {}, platforms: {}, channels: {} };
    throw err;
  }
  const display = path.relative(process.cwd(), file) || file;
  const text = yamlFileTextOrThrow(bytes, display);
  const issues: ConfigIssue[] = [];
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, uniqueKeys: true, prettyErrors: false });
  const lineOf = (node: unknown) => {
    const start = (node as YamlNode | undefined)?.range?.[0];
    return start === undefined ? undefined : lc.linePos(start).line || undefined;
  };
  const issue = (keyPath: string, message: string, node?: unknown) => {
    const line = lineOf(node);
    issues.push({ file: display, path: keyPath, message, ...(line ? { line } : {}) });
  };
  for (const err of doc.errors) {
    issues.push({ file: display, path: '', message: `YAML syntax error: ${err.message.split('\n')[0]}`, line: lc.linePos(err.pos[0]).line || undefined });
  }
  if (issues.length) throw new ConfigError(issues);

  const config: WatermarkConfig = { file, defaults: {}, platforms: {}, channels: {} };
  const root = doc.contents;
  if (root === null || root === undefined) return config;
  if (!isMap(root)) {
    issue('', 'expected a mapping with defaults, platforms and channels', root);
    throw new ConfigError(issues);
  }
  const knownChannels = known?.channelIds ? new Set(known.channelIds) : undefined;
  const baseDir = path.dirname(file);

  const readEntry = (pair: Pair, keyPath: string): WatermarkEntry | undefined => {
    const node = pair.value;
    if (!isMap(node)) {
      issue(keyPath, 'expected a mapping such as { text: 碑林发布, position: southeast }', node ?? pair.key);
      return undefined;
    }
    const entry: WatermarkEntry = {};
    for (const item of node.items) {
      const key = isScalar(item.key) ? String(item.key.value) : '';
      const at = `${keyPath}.${key}`;
      const value = isScalar(item.value) ? item.value.value : undefined;
      const where = item.value ?? item.key;
      switch (key) {
        case 'text':
          if (typeof value !== 'string' || !value.trim()) issue(at, 'expected non-empty text', where);
          else entry.text = value;
          break;
        case 'image':
          if (typeof value !== 'string' || !value.trim()) issue(at, 'expected a file path (PNG), relative to this file', where);
          else entry.image = path.resolve(baseDir, value);
          break;
        case 'position':
          if (!(POSITIONS as readonly unknown[]).includes(value))
            issue(at, `expected one of ${POSITIONS.join(', ')}, got ${JSON.stringify(value ?? null)}`, where);
          else entry.position = value as WatermarkEntry['position'];
          break;
        case 'opacity':
        case 'scale':
        case 'margin': {
          const max = key === 'margin' ? 0.4 : 1;
          if (typeof value !== 'number' || !(value > 0) || value > max)
            issue(at, `expected a number above 0 and at most ${max}, got ${JSON.stringify(value ?? null)}`, where);
          else entry[key] = value;
          break;
        }
        case 'color':
          if (typeof value !== 'string' || !/^(#[0-9a-f]{3,8}|[a-z]+)$/i.test(value)) issue(at, 'expected a CSS colour such as "#ffffff" or white', where);
          else entry.color = value;
          break;
        case 'none':
          if (typeof value !== 'boolean') issue(at, 'expected true or false', where);
          else entry.none = value;
          break;
        default:
          issue(at, `unknown key; expected one of ${KEYS.join(', ')}`, item.key);
      }
    }
    if (entry.text && entry.image) issue(keyPath, 'give either text or image, not both', node);
    return entry;
  };

  for (const section of root.items) {
    const name = isScalar(section.key) ? String(section.key.value) : '';
    if (name === 'defaults') {
      const entry = readEntry(section, 'defaults');
      if (entry) config.defaults = entry;
      continue;
    }
    if (name !== 'platforms' && name !== 'channels') {
      issue(name, 'unknown section; expected defaults, platforms or channels', section.key);
      continue;
    }
    if (section.value === null || section.value === undefined || (isScalar(section.value) && section.value.value === null)) continue;
    if (!isMap(section.value)) {
      issue(name, `expected a mapping of ${name === 'platforms' ? 'platform' : 'channel id'} → watermark`, section.value);
      continue;
    }
    for (const pair of section.value.items) {
      const id = isScalar(pair.key) ? String(pair.key.value) : '';
      const keyPath = `${name}.${id}`;
      if (name === 'platforms') {
        if (!(PLATFORMS as readonly string[]).includes(id)) {
          issue(keyPath, `unknown platform; expected one of ${PLATFORMS.join(', ')}`, pair.key);
          continue;
        }
        const entry = readEntry(pair, keyPath);
        if (entry) config.platforms[id as Platform] = entry;
      } else {
        const platform = id.split(':')[0] ?? '';
        if (!id.includes(':') || !(PLATFORMS as readonly string[]).includes(platform)) {
          issue(keyPath, 'expected a channel id "<platform>:<ref>", e.g. douyin:blfb-dy (see `govpub channels list`)', pair.key);
          continue;
        }
        if (knownChannels && !knownChannels.has(id)) {
          issue(keyPath, 'no such channel in the registry (see `govpub channels list`)', pair.key);
          continue;
        }
        const entry = readEntry(pair, keyPath);
        if (entry) config.channels[id] = entry;
      }
    }
  }
  // Logo files must exist now, not when the first video is rendered.
  const images = [config.defaults, ...Object.values(config.platforms), ...Object.values(config.channels)].filter((e): e is WatermarkEntry => !!e?.image);
  for (const e of images) {
    if (
      !(await access(e.image!).then(
        () => true,
        () => false,
      ))
    ) {
      issues.push({ file: display, path: '', message: `watermark image ${e.image} does not exist` });
    }
  }
  if (issues.length) throw new ConfigError(issues);
  return config;
}

/** The entry that applies to a target (channel, else platform), merged over the defaults; undefined for none. */
export function watermarkEntryFor(config: WatermarkConfig, target: WatermarkTarget): WatermarkEntry | undefined {
  const specific = (target.channelId ? config.channels[target.channelId] : undefined) ?? config.platforms[target.platform as Platform];
  if (!specific || specific.none) return undefined;
  const merged: WatermarkEntry = { ...config.defaults, ...specific };
  // A channel's logo replaces the default text and vice versa.
  if (specific.image) delete merged.text;
  if (specific.text) delete merged.image;
  return merged.text || merged.image ? merged : undefined;
}

/** WatermarkOptions for the media module, with the text font resolved where this runs. */
export async function watermarkOptionsFor(
  config: WatermarkConfig,
  target: WatermarkTarget,
  fontOptions: FontResolveOptions = {},
): Promise<WatermarkOptions | undefined> {
  const entry = watermarkEntryFor(config, target);
  if (!entry) return undefined;
  const options: WatermarkOptions = {
    ...(entry.position ? { position: entry.position } : {}),
    ...(entry.opacity !== undefined ? { opacity: entry.opacity } : {}),
    ...(entry.scale !== undefined ? { scale: entry.scale } : {}),
    ...(entry.margin !== undefined ? { margin: entry.margin } : {}),
    ...(entry.color ? { color: entry.color } : {}),
  };
  if (entry.image) return { ...options, imagePath: entry.image };
  const font = await resolveWatermarkFont(fontOptions);
  return { ...options, text: entry.text!, font: font.description, fontFile: font.path };
}

/** A lookup for the media activities: loads the file once, resolves fonts on use. */
export function createWatermarkLookup(file: string = DEFAULT_WATERMARKS_PATH, fontOptions: FontResolveOptions = {}) {
  let loaded: Promise<WatermarkConfig> | undefined;
  return async (target: WatermarkTarget): Promise<WatermarkOptions | undefined> => {
    loaded ??= loadWatermarks(file);
    return watermarkOptionsFor(await loaded, target, fontOptions);
  };
}

/** Path of the watermark file in a config directory (GOVPUB_CONFIG_DIR). */
export function watermarksPath(configDir: string): string {
  return path.join(configDir, 'registry', WATERMARKS_FILE);
}
