/**
 * The portal's web root: immutable generations swapped in atomically.
 *
 *   <webRoot>/current -> gen-<n>      what readers (nginx, serve.ts) see; replaced by rename(2)
 *   <webRoot>/gen-<n>/                one complete site, never changed once `current` points at it
 *   <webRoot>/build-<token>/          a generation being built (renamed to gen-<n> when complete)
 *   <webRoot>/objects/<sha256>.<ext>  renditions staged by transmit; generations hard-link them
 *   <webRoot>/tmp/                    copies in flight
 *   <webRoot>/.lock                   the writers' lock (lock.ts)
 *
 * A commit takes every change queued in this process (group commit: one package fanned out to
 * many columns lands in one or two generations), takes the cross-process lock, builds the next
 * generation as a hard-link copy of the current one with changed files replaced (never written
 * in place: the inode is shared with the previous generation), writes the manifest into it, and
 * swaps `current`. A reader resolving `current` gets either the old or the new site, never a mix.
 */
import { createHash, randomBytes } from 'node:crypto';
import { copyFile, link, mkdir, open, readdir, readFile, readlink, realpath, rename, rm, stat, symlink, unlink, utimes } from 'node:fs/promises';
import path from 'node:path';
import { DeliveryError, isDeliveryError } from '../errors.js';
import type { RenditionFile } from '../types.js';
import { acquireLock } from './lock.js';
import {
  RENDER_VERSION,
  SITE_CSS,
  SITE_CSS_PATH,
  renderArticlePages,
  renderColumnFiles,
  renderHome,
  renderNotFoundPage,
  renderRobots,
  renderSitemaps,
  siteHomeHref,
  type SiteSettings,
} from './render.js';
import { applyChanges, emptyManifest, type MediaFile, type PackageSource, type SiteChange, type SiteManifest } from './state.js';
import { portalColumnPaths, portalPagePaths } from './urls.js';

export const STATE_DIR = '.govpub';
export const MANIFEST_PATH = `${STATE_DIR}/manifest.json`;
export const CURRENT_LINK = 'current';
const GENERATION_RE = /^gen-(\d+)$/;

export interface SiteTuning {
  /** Generations kept besides the current one's predecessors beyond this are removed. Default 3 (current + 2). */
  keepGenerations: number;
  /** A generation replaced less than this long ago is kept (readers may still be in it). Default 60 s. */
  generationGraceMs: number;
  /** Default 30 s; see lock.ts. */
  lockStaleMs: number;
  /** Default 120 s. */
  lockTimeoutMs: number;
  /** Staged renditions no generation uses are removed after this long. Default 1 h. */
  objectGraceMs: number;
  /** fsync every written file and the web root before the swap (survives power loss). Default true. */
  durable: boolean;
}

export const DEFAULT_TUNING: SiteTuning = {
  keepGenerations: 3,
  generationGraceMs: 60_000,
  lockStaleMs: 30_000,
  lockTimeoutMs: 120_000,
  objectGraceMs: 3_600_000,
  durable: true,
};

export interface CommitOutcome {
  /** The generation that holds the change (the current one when nothing had to change). */
  generation: number;
  /** False when the change was already in place. */
  changed: boolean;
}

interface Queued {
  change: SiteChange;
  resolve(outcome: CommitOutcome): void;
  reject(error: unknown): void;
}

const MEDIA_EXTENSIONS: Record<string, string> = {
  'image/webp': 'webp',
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'video/mp4': 'mp4',
  'audio/mp4': 'm4a',
  'audio/mpeg': 'mp3',
};

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

/** Runs `fn` over `items` with at most `limit` in flight. */
async function eachLimit<T>(items: Iterable<T>, limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  const iterator = items[Symbol.iterator]();
  const workers = Array.from({ length: limit }, async () => {
    for (let next = iterator.next(); !next.done; next = iterator.next()) await fn(next.value);
  });
  await Promise.all(workers);
}

export class PortalSite {
  readonly webRoot: string;
  private readonly queue: Queued[] = [];
  private draining = false;
  private lastObjectSweep = 0;
  readonly renderKey: string;

  constructor(
    webRoot: string,
    readonly settings: SiteSettings,
    readonly tuning: SiteTuning = DEFAULT_TUNING,
  ) {
    this.webRoot = path.resolve(webRoot);
    this.renderKey = createHash('sha256')
      .update(JSON.stringify({ RENDER_VERSION, ...settings }))
      .digest('hex')
      .slice(0, 16);
  }

  private get objectsDir(): string {
    return path.join(this.webRoot, 'objects');
  }

  // ── Reading ─────────────────────────────────────────────────────────────────────────────

  /** The directory `current` points at, or null before the first commit. */
  async currentDir(): Promise<string | null> {
    try {
      return await realpath(path.join(this.webRoot, CURRENT_LINK));
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return null;
      throw error;
    }
  }

  /** The manifest of the current generation (an empty one before the first commit). */
  async readManifest(): Promise<SiteManifest> {
    for (let attempt = 0; ; attempt++) {
      const dir = await this.currentDir();
      if (!dir) return emptyManifest();
      try {
        return JSON.parse(await readFile(path.join(dir, MANIFEST_PATH), 'utf8')) as SiteManifest;
      } catch (error) {
        // The generation was removed between resolving and reading: resolve again.
        if (errorCode(error) === 'ENOENT' && attempt < 3) continue;
        throw error;
      }
    }
  }

  // ── Staging media (outside the lock) ────────────────────────────────────────────────────

  /** Copies a rendition into objects/ under its content hash; the next commit links it into the site. */
  async stage(rendition: RenditionFile): Promise<MediaFile> {
    const ext = MEDIA_EXTENSIONS[rendition.mime] ?? 'bin';
    if (!/^[0-9a-f]{64}$/.test(rendition.sha256)) {
      throw new DeliveryError(
        'retryable',
        `Rendition ${rendition.spec} of ${rendition.mediaId.slice(0, 12)}… has no SHA-256 ("${rendition.sha256}"): prepare it again.`,
      );
    }
    const name = `${rendition.sha256}.${ext}`;
    const objectPath = path.join(this.objectsDir, name);
    const now = new Date();
    try {
      // Already staged: mark it fresh so the sweep leaves it alone until the commit links it.
      await utimes(objectPath, now, now);
    } catch (error) {
      if (errorCode(error) !== 'ENOENT') throw error;
      const tmpDir = path.join(this.webRoot, 'tmp');
      await mkdir(tmpDir, { recursive: true });
      await mkdir(this.objectsDir, { recursive: true });
      const tmp = path.join(tmpDir, `${name}.${randomBytes(6).toString('hex')}`);
      await copyFile(rendition.path, tmp);
      if (this.tuning.durable) await syncFile(tmp);
      try {
        await link(tmp, objectPath);
      } catch (linkError) {
        if (errorCode(linkError) !== 'EEXIST') throw linkError;
      } finally {
        await unlink(tmp).catch(() => undefined);
      }
    }
    return {
      file: `media/${name}`,
      mime: rendition.mime,
      bytes: rendition.sizeBytes,
      ...(rendition.width !== undefined ? { width: rendition.width } : {}),
      ...(rendition.height !== undefined ? { height: rendition.height } : {}),
      ...(rendition.durationSec !== undefined ? { durationSec: rendition.durationSec } : {}),
    };
  }

  // ── Committing ──────────────────────────────────────────────────────────────────────────

  /** Queues a change; resolves once a generation holding it is current. */
  submit(change: SiteChange): Promise<CommitOutcome> {
    return new Promise<CommitOutcome>((resolve, reject) => {
      this.queue.push({ change, resolve, reject });
      void this.drain();
    });
  }

  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.queue.length);
        try {
          const outcomes = await this.commit(batch.map((q) => q.change));
          batch.forEach((q, i) => {
            const outcome = outcomes[i]!;
            if (outcome instanceof Error) q.reject(outcome);
            else q.resolve(outcome);
          });
        } catch (error) {
          const classified = classifyFsError(error, this.webRoot);
          for (const q of batch) q.reject(classified);
        }
      }
    } finally {
      this.draining = false;
    }
  }

  private async commit(changes: SiteChange[]): Promise<(CommitOutcome | Error)[]> {
    await mkdir(this.webRoot, { recursive: true });
    const lock = await acquireLock(path.join(this.webRoot, '.lock'), {
      staleMs: this.tuning.lockStaleMs,
      timeoutMs: this.tuning.lockTimeoutMs,
      purpose: `publishing ${changes.length} portal change(s)`,
    });
    let buildDir: string | null = null;
    try {
      const current = await this.currentGeneration();
      await this.removeAbandoned(current?.number ?? 0);
      const previous = current ? await readGenerationManifest(current.dir) : emptyManifest();

      // A change whose staged media vanished (swept, disk trouble) fails alone; the others go on.
      const outcomes: (CommitOutcome | Error | null)[] = await Promise.all(changes.map((change) => this.checkStaged(change)));
      const valid = changes.filter((_, i) => outcomes[i] === null);
      const applied = applyChanges(previous, valid);
      const fullRender = previous.renderKey !== this.renderKey;
      if (!applied.changed && !(fullRender && current)) {
        const generation = current?.number ?? 0;
        return outcomes.map((o) => o ?? { generation, changed: false });
      }

      const manifest = applied.manifest;
      const generation = (current?.number ?? 0) + 1;
      buildDir = path.join(this.webRoot, `build-${lock.token}`);
      const renderPackages = fullRender ? new Set(Object.keys(manifest.packages)) : applied.renderPackages;
      const renderColumns = fullRender ? new Set(Object.keys(manifest.columns)) : applied.renderColumns;

      // Directories rewritten whole are not linked from the previous generation at all.
      const rewritten = new Set<string>();
      for (const id of [...renderPackages, ...applied.removedPackages]) rewritten.add(portalPagePaths(id, 0).directory);
      for (const id of renderColumns) rewritten.add(portalColumnPaths(id).directory);
      if (current) await linkTree(current.dir, buildDir, '', rewritten);
      else await mkdir(buildDir, { recursive: true });

      const files = new Map<string, string>();
      const removals: string[] = [];
      for (const id of applied.removedPackages) removals.push(`${STATE_DIR}/packages/${id}.json`);
      for (const [id, source] of applied.newSources) files.set(`${STATE_DIR}/packages/${id}.json`, JSON.stringify(source));
      for (const id of renderPackages) {
        const source =
          applied.newSources.get(id) ?? (JSON.parse(await readFile(path.join(buildDir, STATE_DIR, 'packages', `${id}.json`), 'utf8')) as PackageSource);
        for (const [file, html] of renderArticlePages(id, source, manifest.packages[id]!, manifest, this.settings)) files.set(file, html);
      }
      for (const id of renderColumns) {
        for (const [file, content] of renderColumnFiles(id, manifest, this.settings)) files.set(file, content);
      }
      for (const name of await readdir(buildDir).catch(() => [] as string[])) {
        if (/^sitemap(-\d+)?\.xml$/.test(name)) removals.push(name);
      }
      for (const [file, xml] of renderSitemaps(manifest, this.settings)) files.set(file, xml);
      files.set('index.html', renderHome(manifest, this.settings));
      files.set('robots.txt', renderRobots(this.settings));
      files.set('404.html', renderNotFoundPage(this.settings.siteName, siteHomeHref(this.settings.publicBaseUrl)));
      files.set(SITE_CSS_PATH, SITE_CSS);
      manifest.generation = generation;
      manifest.committedAt = new Date().toISOString();
      manifest.renderKey = this.renderKey;
      files.set(MANIFEST_PATH, JSON.stringify(manifest));

      await eachLimit(removals, 16, (file) => rm(path.join(buildDir!, file), { force: true }));
      await this.syncMedia(buildDir, manifest);
      await writeFiles(buildDir, files, this.tuning.durable);

      if (!(await lock.stillHeld())) {
        throw new DeliveryError(
          'retryable',
          'Another writer took over the portal lock while this commit was being built (this process was presumed dead after a long pause); nothing was published. Retry.',
        );
      }
      const finalDir = path.join(this.webRoot, `gen-${generation}`);
      await rename(buildDir, finalDir);
      buildDir = null;
      await this.swapCurrent(`gen-${generation}`);
      await this.cleanup(generation).catch(() => undefined);
      return outcomes.map((o) => o ?? { generation, changed: true });
    } finally {
      if (buildDir) await rm(buildDir, { recursive: true, force: true }).catch(() => undefined);
      await lock.release();
    }
  }

  private async checkStaged(change: SiteChange): Promise<Error | null> {
    if (change.kind !== 'publish') return null;
    for (const media of Object.values(change.source.media)) {
      const objectPath = path.join(this.objectsDir, path.basename(media.file));
      try {
        await stat(objectPath);
      } catch {
        return new DeliveryError(
          'retryable',
          `The staged rendition ${media.file} disappeared before it was published (swept or removed); retry to stage it again.`,
        );
      }
    }
    return null;
  }

  /** media/ holds exactly the files the listed packages use, each a hard link to its object. */
  private async syncMedia(buildDir: string, manifest: SiteManifest): Promise<void> {
    const wanted = new Set<string>();
    for (const entry of Object.values(manifest.packages)) for (const file of entry.media) wanted.add(path.basename(file));
    const mediaDir = path.join(buildDir, 'media');
    await mkdir(mediaDir, { recursive: true });
    const present = new Set(await readdir(mediaDir));
    await eachLimit(
      [...present].filter((name) => !wanted.has(name)),
      16,
      (name) => unlink(path.join(mediaDir, name)),
    );
    await eachLimit(
      [...wanted].filter((name) => !present.has(name)),
      16,
      (name) => link(path.join(this.objectsDir, name), path.join(mediaDir, name)),
    );
  }

  private async currentGeneration(): Promise<{ number: number; dir: string } | null> {
    let target: string;
    try {
      target = await readlink(path.join(this.webRoot, CURRENT_LINK));
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return null;
      throw error;
    }
    const match = GENERATION_RE.exec(path.basename(target));
    if (!match)
      throw new DeliveryError(
        'retryable',
        `${path.join(this.webRoot, CURRENT_LINK)} points at "${target}", not at a gen-<n> directory: repair the link by hand (ln -sfn gen-<n> current).`,
      );
    return { number: Number(match[1]), dir: path.join(this.webRoot, path.basename(target)) };
  }

  private async listGenerations(): Promise<number[]> {
    const names = await readdir(this.webRoot).catch(() => [] as string[]);
    return names
      .map((n) => GENERATION_RE.exec(n))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => Number(m[1]))
      .sort((a, b) => a - b);
  }

  /** Builds of writers that died and generations that never became current (we hold the lock). */
  private async removeAbandoned(current: number): Promise<void> {
    const names = await readdir(this.webRoot).catch(() => [] as string[]);
    for (const name of names) {
      const generation = GENERATION_RE.exec(name);
      if (name.startsWith('build-') || (generation && Number(generation[1]) > current)) {
        await rm(path.join(this.webRoot, name), { recursive: true, force: true });
      }
    }
  }

  private async swapCurrent(target: string): Promise<void> {
    const tmpLink = path.join(this.webRoot, `.current-${randomBytes(6).toString('hex')}`);
    await symlink(target, tmpLink);
    try {
      await rename(tmpLink, path.join(this.webRoot, CURRENT_LINK));
    } catch (error) {
      await unlink(tmpLink).catch(() => undefined);
      throw error;
    }
    if (this.tuning.durable) await syncDirectory(this.webRoot);
  }

  /**
   * Keeps the current generation and the `keepGenerations - 1` before it, and any generation
   * replaced less than `generationGraceMs` ago (a reader may be in the middle of it).
   */
  private async cleanup(current: number): Promise<void> {
    const generations = (await this.listGenerations()).filter((n) => n < current);
    const keepFrom = generations.length - (this.tuning.keepGenerations - 1);
    const candidates = generations.slice(0, Math.max(0, keepFrom));
    for (const generation of candidates) {
      const successor = generations.find((n) => n > generation) ?? current;
      const replacedAt = await this.committedAt(successor);
      if (replacedAt !== null && Date.now() - replacedAt < this.tuning.generationGraceMs) continue;
      await rm(path.join(this.webRoot, `gen-${generation}`), { recursive: true, force: true });
    }
    await this.sweepObjects();
  }

  private async committedAt(generation: number): Promise<number | null> {
    try {
      const manifest = JSON.parse(await readFile(path.join(this.webRoot, `gen-${generation}`, MANIFEST_PATH), 'utf8')) as SiteManifest;
      return manifest.committedAt ? Date.parse(manifest.committedAt) : null;
    } catch {
      return null;
    }
  }

  /** Staged objects linked by no generation (link count 1) and untouched for the grace period go. */
  private async sweepObjects(): Promise<void> {
    const interval = Math.min(this.tuning.objectGraceMs, 300_000);
    if (Date.now() - this.lastObjectSweep < interval) return;
    this.lastObjectSweep = Date.now();
    const names = await readdir(this.objectsDir).catch(() => [] as string[]);
    await eachLimit(names, 16, async (name) => {
      const file = path.join(this.objectsDir, name);
      const info = await stat(file).catch(() => null);
      if (info && info.nlink === 1 && Date.now() - info.mtimeMs >= this.tuning.objectGraceMs) await unlink(file).catch(() => undefined);
    });
    const tmpDir = path.join(this.webRoot, 'tmp');
    for (const name of await readdir(tmpDir).catch(() => [] as string[])) {
      const info = await stat(path.join(tmpDir, name)).catch(() => null);
      if (info && Date.now() - info.mtimeMs > 3_600_000) await unlink(path.join(tmpDir, name)).catch(() => undefined);
    }
  }
}

async function readGenerationManifest(dir: string): Promise<SiteManifest> {
  try {
    const manifest = JSON.parse(await readFile(path.join(dir, MANIFEST_PATH), 'utf8')) as SiteManifest;
    if (manifest.version !== 1 || typeof manifest.packages !== 'object' || typeof manifest.columns !== 'object') throw new Error('not a version 1 manifest');
    return manifest;
  } catch (error) {
    throw new DeliveryError(
      'retryable',
      `The live portal generation ${dir} has no readable ${MANIFEST_PATH} (${(error as Error).message}). ` +
        'Point `current` at the previous generation (ln -sfn gen-<n> current in the web root) and retry; nothing was published.',
      { cause: error },
    );
  }
}

/** Hard-link copy of a directory tree, leaving out `skip` (paths relative to the tree). */
async function linkTree(from: string, to: string, relative: string, skip: Set<string>): Promise<void> {
  await mkdir(to, { recursive: true });
  const entries = await readdir(from, { withFileTypes: true });
  await eachLimit(entries, 32, async (entry) => {
    const rel = relative ? `${relative}/${entry.name}` : entry.name;
    if (skip.has(rel)) return;
    const source = path.join(from, entry.name);
    const target = path.join(to, entry.name);
    if (entry.isDirectory()) await linkTree(source, target, rel, skip);
    else if (entry.isSymbolicLink()) await symlink(await readlink(source), target);
    else await link(source, target);
  });
}

/**
 * Writes files into a generation being built. Each path is unlinked first: after the hard-link
 * copy it may share its inode with the live generation, and writing through it would change the
 * live site in place.
 */
async function writeFiles(root: string, files: Map<string, string>, durable: boolean): Promise<void> {
  const made = new Set<string>();
  const ensureDir = async (dir: string) => {
    if (made.has(dir)) return;
    await mkdir(dir, { recursive: true });
    made.add(dir);
  };
  await eachLimit(files, 16, async ([relative, content]) => {
    const file = path.join(root, relative);
    await ensureDir(path.dirname(file));
    await rm(file, { force: true });
    const handle = await open(file, 'wx', 0o644);
    try {
      await handle.writeFile(content, 'utf8');
      if (durable) await handle.datasync();
    } finally {
      await handle.close();
    }
  });
}

async function syncFile(file: string): Promise<void> {
  const handle = await open(file, 'r');
  try {
    await handle.datasync();
  } finally {
    await handle.close();
  }
}

async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Some filesystems refuse fsync on directories; the rename is still atomic for readers.
  }
}

/** File-system trouble while building: nothing was swapped in, so a retry is safe. */
export function classifyFsError(error: unknown, webRoot: string): DeliveryError {
  if (isDeliveryError(error)) return error;
  const code = errorCode(error);
  const hint =
    code === 'ENOSPC' || code === 'EDQUOT'
      ? 'the volume is full: free space or grow it'
      : code === 'EACCES' || code === 'EPERM' || code === 'EROFS'
        ? 'govpub may not write there: fix the owner or permissions of the web root'
        : code === 'EXDEV'
          ? 'objects/ and the generations must be on one filesystem (hard links): keep the whole web root on one volume'
          : 'see the cause';
  return new DeliveryError(
    'retryable',
    `Publishing to the portal web root ${webRoot} failed (${code ?? (error as Error)?.message ?? String(error)}): ${hint}. The live site is unchanged.`,
    {
      cause: error,
    },
  );
}
