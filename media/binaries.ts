/**
 * Finds the ffmpeg and ffprobe executables.
 *
 * ffmpeg:  FFMPEG_PATH wins outright. Otherwise the candidates are the optional `ffmpeg-static`
 *          package, the optional `@ffmpeg-installer/ffmpeg` package (its binary ships inside the
 *          npm tarball of `@ffmpeg-installer/<platform>-<arch>`, so `npm install` brings it
 *          without any download) and the first `ffmpeg` on PATH.
 * ffprobe: FFPROBE_PATH wins outright. Otherwise: `ffprobe` in the directory of the resolved
 *          ffmpeg, the optional `@ffprobe-installer/ffprobe` package, and the first `ffprobe` on PATH.
 *
 * Every candidate is run once (`-version`, plus a capability check) and the newest capable one is
 * used: ffmpeg must have the libx264 and aac encoders (every video rendition uses both); ffprobe
 * must print JSON. "Newest" compares libavcodec's version, which every build prints, release or
 * git snapshot alike; on a tie the earlier candidate in the order above wins, so `ffmpeg-static`
 * stays the first choice where its binary is present.
 *
 * An explicit *_PATH that points at nothing is an error (we never silently fall back past a
 * setting someone made on purpose). When nothing usable is found, one GovpubError lists every option.
 */
import { execFile } from 'node:child_process';
import { constants as fsConstants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import path from 'node:path';
import { GovpubError } from '../domain/errors.js';

/** Where a binary came from, for diagnostics (`govpub config check`, the start line, errors). */
export type BinarySource = 'env' | 'ffmpeg-static' | '@ffmpeg-installer/ffmpeg' | '@ffprobe-installer/ffprobe' | 'beside-ffmpeg' | 'PATH';

/** What `-version` says about a build. */
export interface BinaryVersion {
  /** As printed after "version": "5.1.9-0+deb12u1", "N-47683-g0e8eb07980-static", "n7.1". */
  version: string;
  /** The last year of the copyright line: roughly when the build's source was taken. */
  year?: number;
  /** libavcodec major.minor.micro: comparable across releases and git snapshots. */
  libavcodec?: [number, number, number];
}

export interface ResolvedBinary {
  path: string;
  source: BinarySource;
  /** Absent when the binary could not be run for its version (only possible for FFMPEG_PATH / FFPROBE_PATH). */
  version?: BinaryVersion;
  /** What this binary lacks that govpub needs (empty when capable); only an explicit *_PATH is used despite it. */
  missing?: string[];
}

export interface MediaBinaries {
  ffmpeg: ResolvedBinary;
  ffprobe: ResolvedBinary;
}

/** Returns the path of a package's binary, or null when the package (or its binary for this platform) is absent. */
export type PackageLoader = () => Promise<string | null>;

export type PackageSource = 'ffmpeg-static' | '@ffmpeg-installer/ffmpeg' | '@ffprobe-installer/ffprobe';

export interface ResolveOptions {
  /** Environment to read FFMPEG_PATH / FFPROBE_PATH / PATH from (default: process.env). */
  env?: NodeJS.ProcessEnv;
  /** Loaders for the optional npm packages; injectable for tests. The defaults do guarded dynamic imports. */
  packages?: Partial<Record<PackageSource, PackageLoader>>;
}

const isWindows = process.platform === 'win32';
const exe = (name: string): string => (isWindows ? `${name}.exe` : name);

/** The encoders every video rendition uses (H.264 video, AAC audio). */
const REQUIRED_ENCODERS = ['libx264', 'aac'] as const;
/** A binary that does not answer `-version` within this time is treated as unusable. */
const INSPECT_TIMEOUT_MS = 15_000;

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

/**
 * The path an optional package exports: `ffmpeg-static` exports the path itself,
 * `@ffmpeg-installer/ffmpeg` and `@ffprobe-installer/ffprobe` an object with `path`; the latter two
 * throw when their platform package is missing. A variable specifier keeps TypeScript from
 * requiring type declarations of packages that may not be installed.
 */
async function importPackagePath(specifier: string): Promise<string | null> {
  try {
    const mod = (await import(specifier)) as { default?: unknown };
    const value = mod.default;
    if (typeof value === 'string') return value;
    if (value && typeof value === 'object' && typeof (value as { path?: unknown }).path === 'string') return (value as { path: string }).path;
    return null;
  } catch {
    return null;
  }
}

const defaultLoaders: Record<PackageSource, PackageLoader> = {
  'ffmpeg-static': () => importPackagePath('ffmpeg-static'),
  '@ffmpeg-installer/ffmpeg': () => importPackagePath('@ffmpeg-installer/ffmpeg'),
  '@ffprobe-installer/ffprobe': () => importPackagePath('@ffprobe-installer/ffprobe'),
};

async function findOnPath(name: string, env: NodeJS.ProcessEnv): Promise<string | null> {
  const dirs = (env.PATH ?? env.Path ?? '').split(path.delimiter).filter(Boolean);
  for (const dir of dirs) {
    const candidate = path.join(dir, exe(name));
    if (await isExecutableFile(candidate)) return candidate;
  }
  return null;
}

/** Parses the output of `ffmpeg -version` / `ffprobe -version`; null when it is not such output. */
export function parseVersionOutput(text: string): BinaryVersion | null {
  const first = /^\s*ff(?:mpeg|probe) version (\S+)(?:.*Copyright \(c\) \d{4}-(\d{4}))?/m.exec(text);
  if (!first) return null;
  const codec = /^\s*libavcodec\s+(\d+)\.\s*(\d+)\.\s*(\d+)/m.exec(text);
  return {
    version: first[1]!,
    year: first[2] ? Number(first[2]) : undefined,
    libavcodec: codec ? [Number(codec[1]), Number(codec[2]), Number(codec[3])] : undefined,
  };
}

/** Which of the required encoders `ffmpeg -encoders` does not list. */
export function missingEncoders(encodersOutput: string): string[] {
  const listed = new Set(
    encodersOutput
      .split(/\r?\n/)
      // " V....D libx264   libx264 H.264 …": six flag characters, then the encoder's name.
      .map((line) => /^\s*[VAS][A-Z.]{5}\s+(\S+)/.exec(line)?.[1])
      .filter((name): name is string => !!name),
  );
  return REQUIRED_ENCODERS.filter((e) => !listed.has(e)).map((e) => `${e} encoder`);
}

/** Negative when `a` is older than `b`, positive when newer, 0 when they cannot be told apart. */
export function compareVersions(a: BinaryVersion | undefined, b: BinaryVersion | undefined): number {
  const key = (v: BinaryVersion | undefined): number[] => [...(v?.libavcodec ?? [0, 0, 0]), v?.year ?? 0];
  const ka = key(a);
  const kb = key(b);
  for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i]! - kb[i]!;
  return 0;
}

/** A short human form: "5.1.9-0+deb12u1 (2026)". */
export function describeVersion(v: BinaryVersion | undefined): string {
  if (!v) return 'version unknown';
  return v.year ? `${v.version} (${v.year})` : v.version;
}

function run(file: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: INSPECT_TIMEOUT_MS, maxBuffer: 4 * 1024 * 1024, windowsHide: true }, (err, stdout) =>
      err ? reject(err) : resolve(stdout),
    );
  });
}

interface Inspection {
  version?: BinaryVersion;
  /** Empty when capable. */
  missing: string[];
  /** Why it could not be used at all (did not run, or is not ffmpeg/ffprobe). */
  broken?: string;
}

/** Results per (tool, path): a binary is run at most once per process however often it is asked about. */
const inspections = new Map<string, Promise<Inspection>>();

function inspect(tool: 'ffmpeg' | 'ffprobe', file: string): Promise<Inspection> {
  const key = `${tool}\0${file}`;
  let found = inspections.get(key);
  if (!found) {
    found = inspectUncached(tool, file);
    inspections.set(key, found);
  }
  return found;
}

async function inspectUncached(tool: 'ffmpeg' | 'ffprobe', file: string): Promise<Inspection> {
  let version: BinaryVersion | null;
  try {
    version = parseVersionOutput(await run(file, ['-version']));
  } catch (err) {
    return { missing: [], broken: `does not run (${(err as Error).message.split('\n')[0]})` };
  }
  if (!version) return { missing: [], broken: `\`-version\` does not print an ${tool} version` };
  if (tool === 'ffmpeg') {
    try {
      return { version, missing: missingEncoders(await run(file, ['-hide_banner', '-encoders'])) };
    } catch {
      return { version, missing: ['a working `-encoders` list'] };
    }
  }
  try {
    const out = JSON.parse(await run(file, ['-v', 'error', '-print_format', 'json', '-show_program_version'])) as { program_version?: unknown };
    return { version, missing: out.program_version ? [] : ['JSON output'] };
  } catch {
    return { version, missing: ['JSON output (-print_format json)'] };
  }
}

/**
 * The binary FFMPEG_PATH / FFPROBE_PATH names; `undefined` when the variable is not set. A set
 * variable that points at nothing executable is an error, never skipped: the operator meant it.
 */
async function namedByEnv(env: NodeJS.ProcessEnv, name: 'ffmpeg' | 'ffprobe', otherwise: string): Promise<ResolvedBinary | undefined> {
  const variable = `${name.toUpperCase()}_PATH`;
  const fromEnv = env[variable]?.trim();
  if (!fromEnv) return undefined;
  if (await isExecutableFile(fromEnv)) {
    const found = await inspect(name, fromEnv);
    return { path: fromEnv, source: 'env', version: found.version, missing: found.broken ? [found.broken] : found.missing };
  }
  throw new GovpubError(
    `${name}_not_found`,
    `${variable} is set to "${fromEnv}", but no executable file is there. ` + `Point ${variable} at an ${name} binary, or unset it to use ${otherwise}.`,
    { tried: [`${variable}=${fromEnv}`] },
  );
}

interface Candidate {
  source: BinarySource;
  /** How to name where we looked, for the error listing every option. */
  label: string;
  path: string | null;
  /** Why there is no path (package absent, binary not downloaded…). */
  absent?: string;
}

/**
 * The newest capable candidate (earlier ones win ties); otherwise an error that says, for every
 * candidate, why it was not used and how to get one.
 */
async function chooseNewest(
  tool: 'ffmpeg' | 'ffprobe',
  candidates: Candidate[],
  wording: { envNote: string; need: string; fixes: string },
): Promise<ResolvedBinary> {
  const tried: string[] = [wording.envNote];
  let best: ResolvedBinary | undefined;
  const seen = new Set<string>();
  for (const c of candidates) {
    if (!c.path) {
      tried.push(`${c.label} (${c.absent ?? 'none'})`);
      continue;
    }
    if (seen.has(c.path)) continue; // the same file reached two ways: keep the first source
    seen.add(c.path);
    const found = await inspect(tool, c.path);
    if (found.broken || found.missing.length) {
      tried.push(`${c.label} ${c.path} (${found.broken ?? `${describeVersion(found.version)} lacks ${found.missing.join(' and ')}`})`);
      continue;
    }
    tried.push(`${c.label} ${c.path} (${describeVersion(found.version)})`);
    if (!best || compareVersions(found.version, best.version) > 0) best = { path: c.path, source: c.source, version: found.version, missing: [] };
  }
  if (best) return best;
  throw new GovpubError(`${tool}_not_found`, `No usable ${tool} was found; ${wording.need} Tried: ${tried.join('; ')}. Fix one of: ${wording.fixes}`, {
    tried,
  });
}

async function packageCandidate(source: PackageSource, opts: ResolveOptions, label: string, notInstalled: string): Promise<Candidate> {
  const loaded = await (opts.packages?.[source] ?? defaultLoaders[source])();
  if (!loaded) return { source, label, path: null, absent: notInstalled };
  if (!(await isExecutableFile(loaded))) {
    const exists = await stat(loaded).then(
      () => true,
      () => false,
    );
    // Exists but not executable: typically installed by another user (these tarballs set only u+x).
    const absent = exists ? `package found, but its binary ${loaded} is not executable by this user` : `package found, but its binary ${loaded} is missing`;
    return { source, label, path: null, absent };
  }
  return { source, label, path: loaded };
}

/** Resolves ffmpeg alone (see module comment for the order). */
export async function resolveFfmpeg(opts: ResolveOptions = {}): Promise<ResolvedBinary> {
  const env = opts.env ?? process.env;
  const fromEnv = await namedByEnv(env, 'ffmpeg', 'the newest of ffmpeg-static, @ffmpeg-installer/ffmpeg and the ffmpeg on PATH');
  if (fromEnv) return fromEnv;

  const candidates = [
    await packageCandidate('ffmpeg-static', opts, 'ffmpeg-static', 'optional package not installed, or its install could not download the binary'),
    await packageCandidate('@ffmpeg-installer/ffmpeg', opts, '@ffmpeg-installer/ffmpeg', 'optional package not installed, or none for this platform'),
    { source: 'PATH' as const, label: 'ffmpeg on PATH', path: await findOnPath('ffmpeg', env) },
  ];
  return chooseNewest('ffmpeg', candidates, {
    envNote: 'FFMPEG_PATH (not set)',
    need: 'video and audio renditions need one with the libx264 and aac encoders.',
    fixes:
      'set FFMPEG_PATH=/path/to/ffmpeg; run `npm install` (the optional @ffmpeg-installer/ffmpeg brings a binary for Linux, macOS and Windows; ' +
      '`ffmpeg-static` downloads one); or install ffmpeg system-wide (e.g. `apt-get install ffmpeg`) so it is on PATH.',
  });
}

/** Resolves ffprobe, given the ffmpeg already resolved (its directory is a candidate too). */
export async function resolveFfprobe(ffmpeg: ResolvedBinary | null, opts: ResolveOptions = {}): Promise<ResolvedBinary> {
  const env = opts.env ?? process.env;
  const fromEnv = await namedByEnv(env, 'ffprobe', 'the newest of the ffprobe beside ffmpeg, @ffprobe-installer/ffprobe and the ffprobe on PATH');
  if (fromEnv) return fromEnv;

  const candidates: Candidate[] = [];
  if (ffmpeg) {
    const beside = path.join(path.dirname(ffmpeg.path), exe('ffprobe'));
    candidates.push({
      source: 'beside-ffmpeg',
      label: 'ffprobe beside ffmpeg',
      path: (await isExecutableFile(beside)) ? beside : null,
      absent: `none at ${beside}`,
    });
  }
  candidates.push(
    await packageCandidate('@ffprobe-installer/ffprobe', opts, '@ffprobe-installer/ffprobe', 'optional package not installed, or none for this platform'),
    { source: 'PATH', label: 'ffprobe on PATH', path: await findOnPath('ffprobe', env) },
  );
  return chooseNewest('ffprobe', candidates, {
    envNote: 'FFPROBE_PATH (not set)',
    need: 'probing audio and video uploads needs it.',
    fixes:
      'set FFPROBE_PATH=/path/to/ffprobe; put ffprobe in the same directory as ffmpeg; run `npm install` (the optional ' +
      '@ffprobe-installer/ffprobe brings a binary); or install ffmpeg system-wide (e.g. `apt-get install ffmpeg`, which includes ffprobe) so it is on PATH.',
  });
}

/** Resolves both binaries without caching the choice (tests, diagnostics). */
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

/** Forgets cached resolutions and inspections (after changing FFMPEG_PATH in tests). */
export function resetMediaBinaries(): void {
  cachedFfmpeg = null;
  cachedFfprobe = null;
  inspections.clear();
}

/** One tool's status for diagnostics: what is used, or why nothing is. */
export type BinaryStatus = { ok: true; binary: ResolvedBinary } | { ok: false; code: string; message: string };

export interface MediaBinariesReport {
  ffmpeg: BinaryStatus;
  ffprobe: BinaryStatus;
}

function toStatus(p: Promise<ResolvedBinary>): Promise<BinaryStatus> {
  return p.then(
    (binary): BinaryStatus => ({ ok: true, binary }),
    (err: unknown): BinaryStatus =>
      err instanceof GovpubError ? { ok: false, code: err.code, message: err.message } : { ok: false, code: 'media_tool_failed', message: String(err) },
  );
}

/** The process-wide choice of both tools, never throwing (for `govpub config check` and the start line). */
export async function mediaBinariesReport(): Promise<MediaBinariesReport> {
  return { ffmpeg: await toStatus(getFfmpeg()), ffprobe: await toStatus(getFfprobe()) };
}

/** "ffmpeg 5.1.9 (2026) from PATH /usr/bin/ffmpeg" or "ffmpeg NOT FOUND: <why>"; in Chinese with `zh` (`govpub config check` with GOVPUB_LANG=zh). */
export function describeBinaryStatus(tool: 'ffmpeg' | 'ffprobe', status: BinaryStatus, zh = false): string {
  if (!status.ok) return zh ? `${tool} 未找到：${status.message}` : `${tool} NOT FOUND: ${status.message}`;
  const b = status.binary;
  const lacks = b.missing?.length ? (zh ? ` — 警告：缺少 ${b.missing.join('、')}` : ` — WARNING: lacks ${b.missing.join(' and ')}`) : '';
  const from = b.source === 'env' ? `${tool.toUpperCase()}_PATH` : b.source;
  return zh ? `${tool} ${describeVersion(b.version)}，来源 ${from}：${b.path}${lacks}` : `${tool} ${describeVersion(b.version)} from ${from} ${b.path}${lacks}`;
}

/** The one line `npm start` prints: "media: ffmpeg … ; ffprobe …". */
export function mediaBinariesLine(report: MediaBinariesReport): string {
  const short = (tool: 'ffmpeg' | 'ffprobe', s: BinaryStatus): string =>
    s.ok ? describeBinaryStatus(tool, s) : `${tool} NOT FOUND (${s.code}; \`govpub config check\` says why)`;
  return `media: ${short('ffmpeg', report.ffmpeg)}; ${short('ffprobe', report.ffprobe)}`;
}
