/**
 * The font for watermark text. Government watermarks are Chinese (碑林发布), so the font must have
 * CJK glyphs, and from a .ttc collection the Simplified Chinese face must be picked (the first
 * face of NotoSansCJK-*.ttc is Japanese, whose 碑 and others differ in form).
 *
 * Resolution order:
 *   1. GOVPUB_FONT_PATH (a .ttf/.otf/.ttc file; its family is read with fc-query when available)
 *   2. fc-match "Noto Sans CJK SC" (bold preferred), accepted only if the match covers zh-cn —
 *      fc-match always answers with *some* font, often one without a single Chinese glyph
 *   3. /usr/share/fonts/opentype/noto/NotoSansCJK-{Bold,Regular}.ttc (Debian's fonts-noto-cjk)
 * and otherwise a `watermark_font_missing` error saying how to install one.
 */
import { execFile } from 'node:child_process';
import { access, open, stat } from 'node:fs/promises';
import { GovpubError } from '../domain/errors.js';

export interface ResolvedFont {
  /** Font file to load. */
  path: string;
  /** Family to ask for (selects the face inside a .ttc), e.g. "Noto Sans CJK SC". */
  family?: string;
  /** Pango font description for the watermark: family + weight. */
  description: string;
  source: 'GOVPUB_FONT_PATH' | 'fc-match' | 'default path';
}

export interface FontResolveOptions {
  env?: NodeJS.ProcessEnv;
  /** fc-match / fc-query binaries (default: on PATH). */
  fcMatch?: string;
  fcQuery?: string;
  /** Files tried last (default: Debian's fonts-noto-cjk). */
  defaultPaths?: string[];
}

export const DEFAULT_CJK_FONT_PATHS = ['/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc', '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc'];
const WANTED_FAMILY = 'Noto Sans CJK SC';

function run(bin: string, args: string[], env: NodeJS.ProcessEnv): Promise<string | null> {
  return new Promise((resolve) => {
    execFile(bin, args, { timeout: 10_000, encoding: 'utf8', env }, (err, stdout) => resolve(err ? null : stdout));
  });
}

const exists = (p: string) =>
  access(p).then(
    () => true,
    () => false,
  );

/** The faces of a font file: the family to ask for (a Simplified Chinese face when there is one) and whether any covers Chinese. */
async function facesOf(file: string, fcQuery: string, env: NodeJS.ProcessEnv): Promise<{ family?: string; chinese?: boolean }> {
  const out = await run(fcQuery, ['-f', '%{family[0]}\t%{lang}\n', file], env);
  if (out === null) return {}; // no fc-query: trust the file
  const faces = out
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [family = '', langs = ''] = line.split('\t');
      return { family: family.trim(), chinese: langs.split('|').includes('zh-cn') };
    });
  const chinese = faces.filter((f) => f.chinese);
  const pick = chinese.find((f) => /\b(SC|CN|GB|Hans)\b|简/.test(f.family)) ?? chinese[0] ?? faces[0];
  return { family: pick?.family || undefined, chinese: chinese.length > 0 };
}

/**
 * The first four bytes of the font files fontconfig and FreeType read: TrueType, OpenType with
 * CFF outlines, a collection (.ttc), WOFF and WOFF2. fc-query says nothing either way about a file
 * that is no font (GOVPUB_FONT_PATH=/etc/hostname passed, and every watermark then failed).
 */
const FONT_SIGNATURES = [Buffer.from([0, 1, 0, 0]), Buffer.from('true'), Buffer.from('OTTO'), Buffer.from('ttcf'), Buffer.from('wOFF'), Buffer.from('wOF2')];

/** Why `file` is no font file (null when it is one). */
async function notAFontFile(file: string): Promise<string | null> {
  let handle;
  try {
    // Only a regular file is opened: opening a named pipe waits for a writer that never comes (config
    // check, and every worker start, hung), and a device is no font whatever its first bytes.
    const kind = await stat(file);
    if (kind.isDirectory()) return 'is a folder, not a font file';
    if (!kind.isFile()) {
      const what = kind.isFIFO()
        ? 'a named pipe'
        : kind.isSocket()
          ? 'a socket'
          : kind.isCharacterDevice() || kind.isBlockDevice()
            ? 'a device'
            : 'not a regular file';
      return `is ${what}, not a font file`;
    }
    handle = await open(file, 'r');
    const { bytesRead, buffer } = await handle.read(Buffer.alloc(4), 0, 4, 0);
    if (bytesRead < 4) return 'is not a font file (it is empty or shorter than any font)';
    return FONT_SIGNATURES.some((signature) => signature.equals(buffer)) ? null : 'is not a font file (.ttf, .otf, .ttc, .woff or .woff2)';
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EISDIR') return 'is a folder, not a font file';
    if (code === 'EACCES') return 'cannot be read by this user';
    return `cannot be read (${code ?? (error as Error).message})`;
  } finally {
    await handle?.close();
  }
}

function describe(family: string | undefined, _file: string): string {
  // Bold reads better over pictures; with only a regular face, fontconfig emboldens it.
  return `${family ?? 'sans'} Bold`;
}

const memo = new Map<string, Promise<ResolvedFont>>();

/** Resolves (once per process and settings) the font used for watermark text. */
export function resolveWatermarkFont(opts: FontResolveOptions = {}): Promise<ResolvedFont> {
  const env = opts.env ?? process.env;
  const key = JSON.stringify([env.GOVPUB_FONT_PATH ?? '', env.FONTCONFIG_FILE ?? '', opts.fcMatch, opts.fcQuery, opts.defaultPaths]);
  let found = memo.get(key);
  if (!found) {
    found = resolveUncached(env, opts);
    memo.set(key, found);
    found.catch(() => memo.delete(key));
  }
  return found;
}

async function resolveUncached(env: NodeJS.ProcessEnv, opts: FontResolveOptions): Promise<ResolvedFont> {
  const fcMatch = opts.fcMatch ?? 'fc-match';
  const fcQuery = opts.fcQuery ?? 'fc-query';
  const explicit = env.GOVPUB_FONT_PATH?.trim();
  if (explicit) {
    if (!(await exists(explicit))) {
      throw new GovpubError(
        'watermark_font_missing',
        `GOVPUB_FONT_PATH=${explicit} does not exist. Point it at a font file with Chinese characters (e.g. /usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc from the fonts-noto-cjk package) or unset it.`,
        { path: explicit },
      );
    }
    const notAFont = await notAFontFile(explicit);
    if (notAFont) {
      throw new GovpubError(
        'watermark_font_missing',
        `GOVPUB_FONT_PATH=${explicit} ${notAFont}. Point it at a font file with Chinese characters (e.g. /usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc from the fonts-noto-cjk package) or unset it.`,
        { path: explicit },
      );
    }
    const { family, chinese } = await facesOf(explicit, fcQuery, env);
    if (chinese === false) {
      throw new GovpubError(
        'watermark_font_missing',
        `GOVPUB_FONT_PATH=${explicit} (${family ?? 'unknown family'}) has no Chinese characters; watermark text would print as empty boxes. Point it at a CJK font such as NotoSansCJK-Bold.ttc (fonts-noto-cjk).`,
        { path: explicit },
      );
    }
    return { path: explicit, family, description: describe(family, explicit), source: 'GOVPUB_FONT_PATH' };
  }

  const tried: string[] = [];
  for (const pattern of [`${WANTED_FAMILY}:style=Bold:lang=zh-cn`, `${WANTED_FAMILY}:lang=zh-cn`]) {
    const out = await run(fcMatch, ['-f', '%{file}\\n%{family[0]}\\n%{lang}', pattern], env);
    if (out === null) {
      tried.push(`fc-match (${fcMatch}) is not available`);
      break;
    }
    const [file = '', family = '', langs = ''] = out.split('\n');
    if (file && langs.split('|').includes('zh-cn') && (await exists(file))) {
      return { path: file, family: family || WANTED_FAMILY, description: describe(family || WANTED_FAMILY, file), source: 'fc-match' };
    }
    tried.push(`fc-match "${pattern}" found only ${family || 'nothing'} (no Chinese glyphs)`);
  }

  for (const file of opts.defaultPaths ?? DEFAULT_CJK_FONT_PATHS) {
    if (await exists(file)) return { path: file, family: WANTED_FAMILY, description: describe(WANTED_FAMILY, file), source: 'default path' };
    tried.push(`${file} does not exist`);
  }
  throw new GovpubError(
    'watermark_font_missing',
    `Watermark text needs a font with Chinese characters and none was found: GOVPUB_FONT_PATH is unset; ${tried.join('; ')}. ` +
      'Install one on the worker (Debian/Ubuntu: apt-get install fonts-noto-cjk) or set GOVPUB_FONT_PATH to a .ttf/.otf/.ttc file with Chinese glyphs.',
    { tried },
  );
}
