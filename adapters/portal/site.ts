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
 *
 * This file holds the queue and the commit, step by step; the generations (generations.ts), the
 * staged renditions (objects.ts), the file-system steps (files.ts), what changed (state.ts) and
 * the pages (pages/) each live in their own module.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { DeliveryError } from '../errors.js';
import type { RenditionFile } from '../types.js';
import { classifyFsError, eachLimit, linkTree, writeFiles } from './files.js';
import { Generations } from './generations.js';
import { acquireLock } from './lock.js';
import { ObjectStore } from './objects.js';
import { RENDER_VERSION, renderGenerationPages } from './pages/index.js';
import type { SiteSettings } from './pages/settings.js';
import { isSitemapFile } from './pages/sitemap.js';
import {
  MANIFEST_PATH,
  applyChanges,
  emptyManifest,
  packageSourcePath,
  type AppliedChanges,
  type MediaFile,
  type PackageSource,
  type SiteChange,
  type SiteManifest,
} from './state.js';
import { portalColumnPaths, portalPagePaths } from './urls.js';

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

export class PortalSite {
  readonly webRoot: string;
  readonly renderKey: string;
  private readonly generations: Generations;
  private readonly objects: ObjectStore;
  private readonly queue: Queued[] = [];
  private draining = false;

  constructor(
    webRoot: string,
    readonly settings: SiteSettings,
    readonly tuning: SiteTuning = DEFAULT_TUNING,
  ) {
    this.webRoot = path.resolve(webRoot);
    this.generations = new Generations(this.webRoot, tuning);
    this.objects = new ObjectStore(this.webRoot, tuning);
    this.renderKey = createHash('sha256')
      .update(JSON.stringify({ RENDER_VERSION, ...settings }))
      .digest('hex')
      .slice(0, 16);
  }

  /** The directory `current` points at, or null before the first commit. */
  currentDir(): Promise<string | null> {
    return this.generations.currentDir();
  }

  /** The manifest of the current generation (an empty one before the first commit). */
  readManifest(): Promise<SiteManifest> {
    return this.generations.readCurrentManifest();
  }

  /** Copies a rendition into objects/ (outside the lock); the next commit links it into the site. */
  stage(rendition: RenditionFile): Promise<MediaFile> {
    return this.objects.stage(rendition);
  }

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
      const current = await this.generations.current();
      await this.generations.removeAbandoned(current?.number ?? 0);
      const previous = current ? await this.generations.readBaseManifest(current.dir) : emptyManifest();

      // A change whose staged media vanished (swept, disk trouble) fails alone; the others go on.
      const outcomes: (CommitOutcome | Error | null)[] = await Promise.all(changes.map((change) => this.objects.checkStaged(change)));
      const applied = applyChanges(
        previous,
        changes.filter((_, i) => outcomes[i] === null),
      );
      const fullRender = previous.renderKey !== this.renderKey;
      if (!applied.changed && !(fullRender && current)) {
        const generation = current?.number ?? 0;
        return outcomes.map((o) => o ?? { generation, changed: false });
      }

      const generation = (current?.number ?? 0) + 1;
      buildDir = path.join(this.webRoot, `build-${lock.token}`);
      await this.build(buildDir, current?.dir ?? null, applied, fullRender, generation);

      if (!(await lock.stillHeld())) {
        throw new DeliveryError(
          'retryable',
          'Another writer took over the portal lock while this commit was being built (this process was presumed dead after a long pause); nothing was published. Retry.',
        );
      }
      await this.generations.promote(buildDir, generation);
      buildDir = null;
      await this.cleanup(generation).catch(() => undefined);
      return outcomes.map((o) => o ?? { generation, changed: true });
    } finally {
      if (buildDir) await rm(buildDir, { recursive: true, force: true }).catch(() => undefined);
      await lock.release();
    }
  }

  /**
   * The next generation in `buildDir`: a hard-link copy of the current one without the
   * directories it rewrites whole, the changed pages and package sources written anew, media/
   * linked from objects/, and the manifest last.
   */
  private async build(buildDir: string, currentDir: string | null, applied: AppliedChanges, fullRender: boolean, generation: number): Promise<void> {
    const manifest = applied.manifest;
    const renderPackages = fullRender ? new Set(Object.keys(manifest.packages)) : applied.renderPackages;
    const renderColumns = fullRender ? new Set(Object.keys(manifest.columns)) : applied.renderColumns;

    const rewritten = new Set<string>();
    for (const id of [...renderPackages, ...applied.removedPackages]) rewritten.add(portalPagePaths(id, 0).directory);
    for (const id of renderColumns) rewritten.add(portalColumnPaths(id).directory);
    if (currentDir) await linkTree(currentDir, buildDir, '', rewritten);
    else await mkdir(buildDir, { recursive: true });

    const removals = [...applied.removedPackages].map(packageSourcePath);
    for (const name of await readdir(buildDir).catch(() => [] as string[])) if (isSitemapFile(name)) removals.push(name);
    const files = new Map<string, string>();
    for (const [id, source] of applied.newSources) files.set(packageSourcePath(id), JSON.stringify(source));
    const pages = await renderGenerationPages(manifest, this.settings, {
      packages: renderPackages,
      columns: renderColumns,
      source: async (id) => applied.newSources.get(id) ?? (JSON.parse(await readFile(path.join(buildDir, packageSourcePath(id)), 'utf8')) as PackageSource),
    });
    for (const [file, content] of pages) files.set(file, content);
    manifest.generation = generation;
    manifest.committedAt = new Date().toISOString();
    manifest.renderKey = this.renderKey;
    files.set(MANIFEST_PATH, JSON.stringify(manifest));

    await eachLimit(removals, 16, (file) => rm(path.join(buildDir, file), { force: true }));
    await this.objects.linkMedia(buildDir, manifest);
    await writeFiles(buildDir, files, this.tuning.durable);
  }

  private async cleanup(current: number): Promise<void> {
    await this.generations.removeOld(current);
    await this.objects.sweep();
  }
}
