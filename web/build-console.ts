/**
 * Builds the console (Vite) into web/dist when its sources changed since the last build, and
 * prints its budget: the JavaScript and CSS the first page ships. `npm install` runs it (the
 * `prepare` script), `govpub start` runs it before serving, `govpub web build` runs it by hand.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { REPO_ROOT } from '../config/repo-paths.js';

// From the repository root, not this module's folder: the module may run from a copy (bin/compiled-sources.mjs).
export const WEB_DIR = path.join(REPO_ROOT, 'web');
export const CONSOLE_DIST = path.join(WEB_DIR, 'dist');
const STAMP = path.join(CONSOLE_DIST, '.build-stamp.json');
const ROOT = path.dirname(WEB_DIR);

/** Everything the bundle is made of: the console's sources, what it imports from the repo, the lockfile. */
const SOURCE_ROOTS = ['web/src', 'web/index.html', 'web/vite.config.ts', 'package-lock.json', 'adapters', 'domain'];

export interface ConsoleBudget {
  /** JavaScript files the first page loads (the entry and what it preloads). */
  firstPageScripts: number;
  firstPageJsBytes: number;
  firstPageJsGzipBytes: number;
  firstPageCssBytes: number;
  firstPageCssGzipBytes: number;
  totalJsBytes: number;
}

export interface ConsoleBuild {
  built: boolean;
  reason: string;
  budget: ConsoleBudget | null;
}

function listFiles(entry: string): string[] {
  const full = path.join(ROOT, entry);
  if (!fs.existsSync(full)) return [];
  if (fs.statSync(full).isFile()) return [full];
  return fs
    .readdirSync(full, { withFileTypes: true, recursive: true })
    .filter((d) => d.isFile())
    .map((d) => path.join(d.parentPath, d.name))
    .sort();
}

export function consoleSourceHash(): string {
  const hash = createHash('sha256');
  for (const root of SOURCE_ROOTS) {
    for (const file of listFiles(root)) {
      hash.update(path.relative(ROOT, file));
      hash.update('\0');
      hash.update(fs.readFileSync(file));
    }
  }
  return hash.digest('hex');
}

/** The first page's JavaScript and CSS: index.html's module script, its module preloads and stylesheets. */
export function consoleBudget(distDir = CONSOLE_DIST): ConsoleBudget {
  const html = fs.readFileSync(path.join(distDir, 'index.html'), 'utf8');
  const refs = (pattern: RegExp) => [...html.matchAll(pattern)].map((m) => m[1]!.replace(/^\/console\//, ''));
  const scripts = [...new Set([...refs(/<script[^>]+src="([^"]+)"/g), ...refs(/<link[^>]+rel="modulepreload"[^>]+href="([^"]+)"/g)])];
  const styles = refs(/<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"/g);
  const size = (files: string[], gzip: boolean) =>
    files.reduce((sum, f) => {
      const bytes = fs.readFileSync(path.join(distDir, f));
      return sum + (gzip ? gzipSync(bytes).length : bytes.length);
    }, 0);
  const allJs = fs.readdirSync(path.join(distDir, 'assets')).filter((f) => f.endsWith('.js'));
  return {
    firstPageScripts: scripts.length,
    firstPageJsBytes: size(scripts, false),
    firstPageJsGzipBytes: size(scripts, true),
    firstPageCssBytes: size(styles, false),
    firstPageCssGzipBytes: size(styles, true),
    totalJsBytes: size(
      allJs.map((f) => `assets/${f}`),
      false,
    ),
  };
}

export function describeBudget(b: ConsoleBudget): string {
  const kb = (n: number) => `${Math.round(n / 1024).toLocaleString('en')} KB`;
  return `console budget: first page ${kb(b.firstPageJsBytes)} JavaScript (${kb(b.firstPageJsGzipBytes)} gzip) in ${b.firstPageScripts} file(s), ${kb(b.firstPageCssBytes)} CSS (${kb(b.firstPageCssGzipBytes)} gzip); all pages ${kb(b.totalJsBytes)} JavaScript`;
}

/** True when web/dist holds a build of the current sources. */
export function consoleIsCurrent(): boolean {
  try {
    const stamp = JSON.parse(fs.readFileSync(STAMP, 'utf8')) as { sourceHash?: string };
    return stamp.sourceHash === consoleSourceHash() && fs.existsSync(path.join(CONSOLE_DIST, 'index.html'));
  } catch {
    return false;
  }
}

/**
 * Builds when the sources changed (or `force`). Without Vite (a production install with
 * --omit=dev) an existing build is served as it is; with neither, the error says what to do.
 */
export async function ensureConsoleBuilt(options: { force?: boolean; log?: (line: string) => void } = {}): Promise<ConsoleBuild> {
  const log = options.log ?? (() => {});
  const sourceHash = consoleSourceHash();
  if (!options.force && consoleIsCurrent()) return { built: false, reason: 'up to date', budget: consoleBudget() };
  let vite: typeof import('vite');
  try {
    vite = await import('vite');
  } catch {
    if (fs.existsSync(path.join(CONSOLE_DIST, 'index.html')))
      return { built: false, reason: 'vite is not installed; serving the existing build', budget: consoleBudget() };
    throw Object.assign(
      new Error('The console is not built and Vite is not installed: run `npm install` (with dev dependencies), then `npx govpub web build`.'),
      {
        code: 'console_not_built',
      },
    );
  }
  log('console: building web/dist with Vite…');
  const started = Date.now();
  await vite.build({ configFile: path.join(WEB_DIR, 'vite.config.ts'), logLevel: 'warn' });
  fs.writeFileSync(STAMP, JSON.stringify({ sourceHash, builtAt: new Date().toISOString() }) + '\n');
  const budget = consoleBudget();
  log(`console: built in ${((Date.now() - started) / 1000).toFixed(1)} s; ${describeBudget(budget)}`);
  return { built: true, reason: 'sources changed', budget };
}
