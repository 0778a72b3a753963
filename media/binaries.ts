/**
 * Finds the ffmpeg and ffprobe executables.
 *
 * Order for ffmpeg:  FFMPEG_PATH → the optional `ffmpeg-static` package → `ffmpeg` on PATH.
 * Order for ffprobe: FFPROBE_PATH → `ffprobe` in the same directory as the resolved ffmpeg →
 * `ffprobe` on PATH.
 *
 * An explicit *_PATH that points at nothing is an error (we never silently fall back past a
 * setting someone made on purpose). When nothing is found, one GovpubError lists every option.
 */
import { constants as fsConstants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import path from 'node:path';
import { GovpubError } from '../domain/errors.js';

export interface ResolvedBinary {
  path: string;
  /** Where the path came from, for diagnostics (`govpub doctor`, logs). */
  source: 'env' | 'ffmpeg-static' | 'beside-ffmpeg' | 'PATH';
}

export interface MediaBinaries {
  ffmpeg: ResolvedBinary;
  ffprobe: ResolvedBinary;
}

export interface ResolveOptions {
  /** Environment to read FFMPEG_PATH / FFPROBE_PATH / PATH from (default: process.env). */
  env?: NodeJS.ProcessEnv;
  /**
   * Loads the `ffmpeg-static` path; returns null when the package is absent or has no binary for
   * this platform. Injectable for tests; the default does a guarded dynamic import.
   */
  loadFfmpegStatic?: () => Promise<string | null>;
}

const isWindows = process.platform === 'win32';
const exe = (name: string): string => (isWindows ? `${name}.exe` : name);

async function isExecutableFile(p: string): Promise<boolean> {
  try {
    const s = await stat(p);
    if (!s.isFile()) return false;
    await access(p, isWindows ? fsConstants.F_OK : fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function defaultLoadFfmpegStatic(): Promise<string | null> {
  try {
    // Optional dependency: the import itself fails when it is not installed. A variable
    // specifier keeps TypeScript from requiring its type declarations.
    const specifier = 'ffmpeg-static';
    const mod = (await import(specifier)) as { default?: unknown };
    return typeof mod.default === 'string' ? mod.default : null;
  } catch {
    return null;
  }
}

async function findOnPath(name: string, env: NodeJS.ProcessEnv): Promise<string | null> {
  const dirs = (env.PATH ?? env.Path ?? '').split(path.delimiter).filter(Boolean);
  for (const dir of dirs) {
    const candidate = path.join(dir, exe(name));
    if (await isExecutableFile(candidate)) return candidate;
  }
  return null;
}

/**
 * The binary FFMPEG_PATH / FFPROBE_PATH names; `undefined` when the variable is not set. A set
 * variable that points at nothing executable is an error, never skipped: the operator meant it.
 */
async function namedByEnv(env: NodeJS.ProcessEnv, name: 'ffmpeg' | 'ffprobe', otherwise: string): Promise<ResolvedBinary | undefined> {
  const variable = `${name.toUpperCase()}_PATH`;
  const fromEnv = env[variable]?.trim();
  if (!fromEnv) return undefined;
  if (await isExecutableFile(fromEnv)) return { path: fromEnv, source: 'env' };
  throw new GovpubError(
    `${name}_not_found`,
    `${variable} is set to "${fromEnv}", but no executable file is there. ` + `Point ${variable} at an ${name} binary, or unset it to use ${otherwise}.`,
    { tried: [`${variable}=${fromEnv}`] },
  );
}

/** Resolves ffmpeg alone (see module comment for the order). */
export async function resolveFfmpeg(opts: ResolveOptions = {}): Promise<ResolvedBinary> {
  const env = opts.env ?? process.env;
  const tried: string[] = [];

  const fromEnv = await namedByEnv(env, 'ffmpeg', 'ffmpeg-static or the ffmpeg on PATH');
  if (fromEnv) return fromEnv;
  tried.push('FFMPEG_PATH (not set)');

  const staticPath = await (opts.loadFfmpegStatic ?? defaultLoadFfmpegStatic)();
  if (staticPath && (await isExecutableFile(staticPath))) {
    return { path: staticPath, source: 'ffmpeg-static' };
  }
  tried.push(
    staticPath
      ? `ffmpeg-static (package found, but its binary ${staticPath} is missing: the install could not download it)`
      : 'ffmpeg-static (optional package not installed)',
  );

  const onPath = await findOnPath('ffmpeg', env);
  if (onPath) return { path: onPath, source: 'PATH' };
  tried.push('ffmpeg on PATH (none)');

  throw new GovpubError(
    'ffmpeg_not_found',
    'ffmpeg was not found; video and audio renditions need it. Tried: ' +
      tried.join('; ') +
      '. Fix one of: set FFMPEG_PATH=/path/to/ffmpeg; `npm install ffmpeg-static` (downloads a binary); ' +
      'or install ffmpeg system-wide (e.g. `apt-get install ffmpeg`) so it is on PATH.',
    { tried },
  );
}

/** Resolves ffprobe, given the ffmpeg already resolved (its directory is the second choice). */
export async function resolveFfprobe(ffmpeg: ResolvedBinary | null, opts: ResolveOptions = {}): Promise<ResolvedBinary> {
  const env = opts.env ?? process.env;
  const tried: string[] = [];

  const fromEnv = await namedByEnv(env, 'ffprobe', 'the ffprobe beside ffmpeg or on PATH');
  if (fromEnv) return fromEnv;
  tried.push('FFPROBE_PATH (not set)');

  if (ffmpeg) {
    const beside = path.join(path.dirname(ffmpeg.path), exe('ffprobe'));
    if (await isExecutableFile(beside)) return { path: beside, source: 'beside-ffmpeg' };
    tried.push(`${beside} (beside ffmpeg; none)`);
  }

  const onPath = await findOnPath('ffprobe', env);
  if (onPath) return { path: onPath, source: 'PATH' };
  tried.push('ffprobe on PATH (none)');

  throw new GovpubError(
    'ffprobe_not_found',
    'ffprobe was not found; probing audio and video uploads needs it. Tried: ' +
      tried.join('; ') +
      '. Fix one of: set FFPROBE_PATH=/path/to/ffprobe; put ffprobe in the same directory as ffmpeg; ' +
      'or install ffmpeg system-wide (e.g. `apt-get install ffmpeg`, which includes ffprobe) so it is on PATH.',
    { tried },
  );
}

/** Resolves both binaries without caching (tests, diagnostics). */
export async function resolveMediaBinaries(opts: ResolveOptions = {}): Promise<MediaBinaries> {
  const ffmpeg = await resolveFfmpeg(opts);
  const ffprobe = await resolveFfprobe(ffmpeg, opts);
  return { ffmpeg, ffprobe };
}

let cachedFfmpeg: Promise<ResolvedBinary> | null = null;
let cachedFfprobe: Promise<ResolvedBinary> | null = null;

/** The process-wide ffmpeg (resolved once; a failed resolution is retried on the next call). */
export function getFfmpeg(): Promise<ResolvedBinary> {
  if (!cachedFfmpeg) {
    cachedFfmpeg = resolveFfmpeg().catch((err: unknown) => {
      cachedFfmpeg = null;
      throw err;
    });
  }
  return cachedFfmpeg;
}

/**
 * The process-wide ffprobe. Does not require ffmpeg: probing an upload works on a machine that
 * has ffprobe but no ffmpeg.
 */
export function getFfprobe(): Promise<ResolvedBinary> {
  if (!cachedFfprobe) {
    cachedFfprobe = getFfmpeg()
      .then(
        (ff) => ff,
        () => null,
      )
      .then((ff) => resolveFfprobe(ff))
      .catch((err: unknown) => {
        cachedFfprobe = null;
        throw err;
      });
  }
  return cachedFfprobe;
}

/** Forgets cached resolutions (after changing FFMPEG_PATH in tests). */
export function resetMediaBinaries(): void {
  cachedFfmpeg = null;
  cachedFfprobe = null;
}
