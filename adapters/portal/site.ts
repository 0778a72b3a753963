/**
 * The portal's web root: generations swapped in atomically, built copy-on-write by directory.
 *
 *   <webRoot>/current -> gen-<n>        what readers (nginx, serve.ts) see; replaced by rename(2)
 *   <webRoot>/gen-<n>/                  a generation's root: root-level files (home, feeds, sitemap…),
 *                                       .govpub/site.json, and art/ media/ col/ xxgk/ holding one
 *                                       symlink per unit into the store
 *   <webRoot>/store/<unit>.g<m>/        one version of a unit (art/<b>, media/<b>, col/<id>,
 *                                       xxgk/<id>, pagefind), immutable once a generation links it
 *   <webRoot>/build-<token>/            a generation's root being built
 *   <webRoot>/objects/<sha256>.<ext>    renditions staged by transmit; media units hard-link them
 *   <webRoot>/tmp/                      copies in flight
 *   <webRoot>/.lock                     the writers' lock (lock.ts)
 *
 * A commit takes every change queued in this process (group commit), takes the cross-process
 * lock, reads the root state and only the units the changes touch (state.ts), and builds the next
 * generation: a new root (hard links of the unchanged root files, a copy of the unit symlinks) and
 * a new store version of each changed unit (a hard-link copy of its previous version with the
 * changed files written anew, never through a shared inode). The cost is O(changed units) plus the
 * root's ≈ 900 symlinks, whatever the size of the site (copied, like old generations removed, on a
 * thread of their own: tree-ops.ts). Swapping `current` is the atomic step: a reader resolving it
 * gets the old or the new site, never a mix.
 */
import { createHash, randomBytes } from 'node:crypto';
import { lstat, mkdir, readdir, readFile, readlink, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DeliveryError } from '../errors.js';
import type { RenditionFile } from '../types.js';
import { workerMetrics } from '../../worker/metrics.js';
import { classifyFsError, eachLimit, errorCode } from './files.js';
import { Generations, SPARE_PREFIX, generationName } from './generations.js';
import { JsonFileMemo } from './json-memo.js';
import { acquireLock } from './lock.js';
import { applyBuildSteps, BuildBatch, copyTreeLinks, removeTree, type BuildStep } from './tree-ops.js';
import { ObjectStore } from './objects.js';
import { isSafeSlug } from './payload.js';
import {
  catalogueItemIds,
  RENDER_VERSION,
  renderCatalogueUnit,
  renderColumnUnit,
  renderPackagePages,
  renderRootFiles,
  renderSitemapMonth,
  siteView,
  type FileContent,
  type PageReuse,
} from './pages/index.js';
import type { DocumentValidity } from './pages/model.js';
import type { SiteSettings } from './pages/settings.js';
import { isMonthPart, SITEMAP_DIR } from './pages/sitemap.js';
import { columnsHomeFirst } from './pages/structure.js';
import {
  GENERATION_INFO_PATH,
  LEGACY_MANIFEST_PATH,
  LIST_STATE_FILE,
  MEDIA_REFS_FILE,
  PACKAGE_RECORD_FILE,
  PAGE_KEYS_FILE,
  ROOT_STATE_PATH,
  SEARCH_UNIT,
  applyChanges,
  type InterpretationItem,
  artUnit,
  columnSummaryFrom,
  subtreesFromLists,
  type ApplyOptions,
  colUnit,
  compareNewestFirst,
  emptyList,
  emptyRootState,
  legacyPackageSourcePath,
  listNewestFirst,
  packagesNamed,
  sitemapMonthStatePath,
  unitsNeeded,
  xxgkUnit,
  type AppliedChanges,
  type ListState,
  type ListItem,
  type LoadedState,
  type MediaFile,
  type MediaRefs,
  type PackageRecord,
  type PageKeys,
  type PackageSource,
  type RootState,
  type SiteChange,
  type LegacyManifest,
  type SitemapMonth,
} from './state.js';
import { portalMediaPath } from './urls.js';

export interface SiteTuning {
  /** Generations kept (current included) for rollback, whatever their age up to `generationMaxAgeMs`. Default 3. */
  keepGenerations: number;
  /** A generation replaced less than this long ago is kept too (readers may still be in it), up to `maxGenerations`. Default 60 s. */
  generationGraceMs: number;
  /** Hard cap on generations on disk (current included), even within the grace period. Default 8. */
  maxGenerations: number;
  /** No generation but `current` stays on disk longer than this after it was replaced. Default 7 days. */
  generationMaxAgeMs: number;
  /** Default 30 s; see lock.ts. */
  lockStaleMs: number;
  /** Default 120 s. */
  lockTimeoutMs: number;
  /** Staged renditions no generation uses are removed after this long. Default 1 h. */
  objectGraceMs: number;
  /** fsync every written file and the web root before the swap (survives power loss). Default true. */
  durable: boolean;
  /**
   * How long a commit waits at most for the other columns of a package it carries (those still
   * staging their renditions in this process, and those the payload names that no process has
   * started yet), so they go onto the site in one commit instead of one after another. Default 500 ms.
   */
  companionWaitMs: number;
}

export const DEFAULT_TUNING: SiteTuning = {
  keepGenerations: 3,
  generationGraceMs: 60_000,
  maxGenerations: 8,
  generationMaxAgeMs: 7 * 24 * 3_600_000,
  lockStaleMs: 30_000,
  lockTimeoutMs: 120_000,
  objectGraceMs: 3_600_000,
  durable: true,
  companionWaitMs: 500,
};

export interface CommitOutcome {
  /** The generation that holds the change (the current one when nothing had to change). */
  generation: number;
  /** False when the change was already in place. */
  changed: boolean;
}

/** What the last commit did, for the bench and the tests (files written, units rebuilt). */
export interface CommitStats {
  generation: number;
  filesWritten: number;
  bytesWritten: number;
  unitsRebuilt: number;
  /** Archived list pages kept from the previous version of their unit (linked, not written). */
  pagesKept: number;
  fullRender: boolean;
  /** Milliseconds per step: waiting for the lock, reading state, building, swapping, cleaning up. */
  phases: Record<'lock' | 'load' | 'build' | 'swap' | 'cleanup', number>;
  /** The cleanup's steps, ms: old generations, the store versions only they linked, the spare root, the objects sweep. */
  cleanupSteps: Record<'generations' | 'store' | 'spare' | 'sweep', number>;
  /** The build's steps, ms: the next root prepared (copied or recycled), pages rendered (with the state they read), files written on the tree thread. */
  buildSteps: Record<'root' | 'render' | 'write', number>;
  /** True when the cleanup was left to a later commit: changes were queued behind this one (cleanupCanWait). */
  cleanupDeferred: boolean;
}

/** Beside the changes a batch may carry: a site that must exist (ensureSite), a search index to install. */
type Work = { change: SiteChange } | { ensure: true } | { searchIndex: string };

interface Queued {
  work: Work;
  resolve(outcome: CommitOutcome): void;
  reject(error: unknown): void;
}

export const STORE_DIR = 'store';
/**
 * Portal transmits under way, one empty file each, `<package>~<column>~<ms>~<random>`, seen by every
 * process sharing the web root: a commit does not wait for a companion column another process is
 * publishing (that one commits there). Package and column ids are slugs, without `~`.
 */
export const TRANSMITS_DIR = 'transmits';
/** A marker older than this was left by a process that died mid-transmit: ignored, then removed. */
const TRANSMIT_MARKER_MAX_AGE_MS = 10 * 60_000;
/**
 * Commits in a row that may leave their cleanup to a later one while changes are queued: a
 * publish waits for one commit, not for a commit and a cleanup (≈ 300 ms under load), and the
 * store's unreferenced versions wait at most this many commits to go.
 */
const MAX_CLEANUPS_DEFERRED = 8;
/** How often a commit waiting for a companion looks again (queue, markers). */
const COMPANION_POLL_MS = 20;
/** Newest items the root keeps for the home page and site feed (twice the longest list, for slack after retractions). */
const LATEST_SLACK = 2;
const KEY_AREA_KEEP = 10;
/**
 * The column and catalogue lists a commit reads, kept parsed up to this many bytes of JSON. At a
 * year's size (8,000 articles) every list of the site fits. Package records and media references
 * are read as before: each is read for a change to its own package or bucket, seldom twice.
 */
const STORE_JSON_MEMO_BYTES = 32 * 1024 * 1024;

export class PortalSite {
  readonly webRoot: string;
  readonly renderKey: string;
  readonly storeDir: string;
  /** What the last commit wrote (null before one). */
  lastCommit: CommitStats | null = null;
  private readonly generations: Generations;
  private readonly storeJson = new JsonFileMemo(STORE_JSON_MEMO_BYTES);
  /** The list states the running commit's build wrote (file → list), remembered once it is live. */
  private listsWritten = new Map<string, ListState>();
  private readonly objects: ObjectStore;
  private readonly queue: Queued[] = [];
  private draining = false;
  private readonly idleWaiters: (() => void)[] = [];
  /** Publishes on their way (staging renditions, not yet submitted) in this process: package id → count. */
  private readonly staging = new Map<string, number>();
  /** Wakes a commit waiting for companions when a staging ends or a change is queued. */
  private wakeCompanionWait: (() => void) | null = null;
  /** Marker files this process wrote under TRANSMITS_DIR (its own companions are in `staging` and the queue). */
  private readonly ownTransmits = new Set<string>();
  /** Column id → the key areas (重点领域) it counts towards: itself and its ancestors that are key areas. */
  private readonly keyAreasOf = new Map<string, string[]>();
  /** Column id → its ancestors, parent first (their pages show the newest items of their subtree). */
  private readonly ancestorsOf = new Map<string, string[]>();
  /** The registry's catalogue items of content class `interpretation` (政策文件解读), in registry order: packages with interpretations are also listed there. */
  private readonly interpretationItems: InterpretationItem[];
  /** Unit sets of generations recycled since the last cleanup: their store versions are collected by it. */
  private readonly uncollected: Set<string>[] = [];
  /** Cleanups put off in a row while changes were queued (cleanupCanWait). */
  private cleanupsDeferred = 0;
  /** The running commit's phase timings (the stats of the commit share the object). */
  private currentPhases: CommitStats['phases'] = { lock: 0, load: 0, build: 0, swap: 0, cleanup: 0 };
  private currentCleanup: CommitStats['cleanupSteps'] = { generations: 0, store: 0, spare: 0, sweep: 0 };
  private currentBuild: CommitStats['buildSteps'] = { root: 0, render: 0, write: 0 };

  constructor(
    webRoot: string,
    /** With the registry's structure (every column and catalogue item has a page) and the site's identity. */
    readonly settings: SiteSettings,
    readonly tuning: SiteTuning = DEFAULT_TUNING,
  ) {
    this.webRoot = path.resolve(webRoot);
    this.storeDir = path.join(this.webRoot, STORE_DIR);
    this.generations = new Generations(this.webRoot, tuning);
    this.objects = new ObjectStore(this.webRoot, tuning);
    const keyAreas = new Set(settings.structure.keyAreas);
    for (const column of settings.structure.columns) {
      const areas = column.idPath.filter((id) => keyAreas.has(id));
      if (areas.length > 0) this.keyAreasOf.set(column.id, areas);
      if (column.idPath.length > 1) this.ancestorsOf.set(column.id, column.idPath.slice(0, -1).reverse());
    }
    this.interpretationItems = settings.structure.catalogue
      .filter((item) => item.contentClass === 'interpretation')
      .map((item) => ({ id: item.id, portalColumnId: item.portalColumnId }));
    this.renderKey = createHash('sha256').update(JSON.stringify({ RENDER_VERSION, settings })).digest('hex').slice(0, 16);
  }

  /** The directory `current` points at, or null before the first commit. */
  currentDir(): Promise<string | null> {
    return this.generations.currentDir();
  }

  /** The root state of the current generation (an empty one before the first commit). */
  async readRoot(): Promise<RootState> {
    return this.generations.withCurrent(async (dir) => (dir ? readRootState(dir) : emptyRootState()));
  }

  /** A package as the current generation holds it (entry and source), or null. */
  async readPackage(packageId: string): Promise<PackageRecord | null> {
    return this.generations.withCurrent(async (dir) => (dir ? readJson<PackageRecord>(packageRecordPath(dir, packageId)) : null));
  }

  /** A column's list (`col/<id>`) or a catalogue item's (`xxgk/<id>`) in the current generation. */
  async readList(unit: string): Promise<ListState> {
    return this.generations.withCurrent(async (dir) =>
      dir ? ((await readJson<ListState>(path.join(dir, unit, LIST_STATE_FILE))) ?? emptyList()) : emptyList(),
    );
  }

  /** Copies a rendition into objects/ (outside the lock); the next commit links it into the site. */
  stage(rendition: RenditionFile): Promise<MediaFile> {
    return this.objects.stage(rendition);
  }

  /**
   * Marks a publish of `packageId` as on its way (its renditions being staged); call the returned
   * function when it is submitted or given up. A commit carrying the same package waits for it
   * (up to `companionWaitMs`), so a package's columns, released together, commit together.
   */
  beginStaging(packageId: string): () => void {
    this.staging.set(packageId, (this.staging.get(packageId) ?? 0) + 1);
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      const left = (this.staging.get(packageId) ?? 1) - 1;
      if (left > 0) this.staging.set(packageId, left);
      else this.staging.delete(packageId);
      this.wakeCompanionWait?.();
    };
  }

  /**
   * Marks a publish of `packageId` to `columnId` as under way for every process sharing the web
   * root; call the returned function once its submit has settled. A hint only: a marker that cannot
   * be written costs at most a companion's wait elsewhere.
   */
  async announceTransmit(packageId: string, columnId: string): Promise<() => Promise<void>> {
    // Slugs only (as the format step made them): a marker name never leaves its directory.
    if (!isSafeSlug(packageId) || !isSafeSlug(columnId)) return async () => undefined;
    const name = `${packageId}~${columnId}~${Date.now()}~${randomBytes(4).toString('hex')}`;
    const file = path.join(this.webRoot, TRANSMITS_DIR, name);
    try {
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, '');
    } catch {
      return async () => undefined;
    }
    this.ownTransmits.add(name);
    return async () => {
      this.ownTransmits.delete(name);
      await rm(file, { force: true }).catch(() => undefined);
    };
  }

  /** Queues a change; resolves once a generation holding it is current. */
  submit(change: SiteChange): Promise<CommitOutcome> {
    return this.enqueue({ change });
  }

  /**
   * Makes sure the site exists and was rendered with today's settings, templates and registry:
   * commits a generation when there is none or the render key changed (a column added or renamed
   * in the registry re-renders the navigation). Call when the worker starts.
   */
  ensureSite(): Promise<CommitOutcome> {
    return this.enqueue({ ensure: true });
  }

  /**
   * Installs a search index built elsewhere (the directory is moved into the store, so it must be
   * on the web root's filesystem, e.g. under <webRoot>/tmp/) as the site's pagefind/ in the next
   * generation; the previous index goes with the generations that used it.
   */
  installSearchIndex(preparedDir: string): Promise<CommitOutcome> {
    return this.enqueue({ searchIndex: path.resolve(preparedDir) });
  }

  /**
   * Resolves once this process's queue is empty and the last commit's cleanup (old generations,
   * store versions, the spare root) is done: callers of `submit` learn their outcome at the swap,
   * before that. For tests, tools and shutdown.
   */
  idle(): Promise<void> {
    if (!this.draining) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private enqueue(work: Work): Promise<CommitOutcome> {
    return new Promise<CommitOutcome>((resolve, reject) => {
      this.queue.push({ work, resolve, reject });
      this.wakeCompanionWait?.();
      void this.drain();
    });
  }

  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.queue.length > 0) {
        const waitStarted = performance.now();
        await this.waitForCompanions();
        const companions = performance.now() - waitStarted;
        const batch = this.queue.splice(0, this.queue.length);
        const deliveries = batch.filter((q) => 'change' in q.work && q.work.change.kind !== 'annotate').length;
        let settled = false;
        const started = performance.now();
        // Callers learn the outcome as soon as the swap is done; cleanup follows under the lock.
        const settle = (outcomes: (CommitOutcome | Error)[]) => {
          settled = true;
          // Settled after the swap: cleanup is not yet in the phases, and callers do not wait for it.
          const { lock, load, swap } = this.currentPhases;
          const { root, render, write } = this.currentBuild;
          workerMetrics.portalCommit((performance.now() - started) / 1000, deliveries, { companions, lock, load, root, render, write, swap });
          batch.forEach((q, i) => {
            const outcome = outcomes[i]!;
            if (outcome instanceof Error) q.reject(outcome);
            else q.resolve(outcome);
          });
        };
        try {
          await this.commit(
            batch.map((q) => q.work),
            settle,
          );
          // The callers have their outcome; the next batch waits for this (under the same lock).
          if (settled) workerMetrics.portalCommitCleanup(this.currentPhases.cleanup, deliveries, this.currentCleanup);
        } catch (error) {
          if (!settled) {
            const classified = classifyFsError(error, this.webRoot);
            for (const q of batch) q.reject(classified);
          }
        }
      }
    } finally {
      this.draining = false;
      for (const resolve of this.idleWaiters.splice(0)) resolve();
    }
  }

  /**
   * Waits (at most `companionWaitMs`) while a package in the queue has another column on its way
   * here: one still staging in this process, or one its payload names that is neither queued,
   * committed, nor being published by another process. One commit instead of two in a row, the
   * second waiting for the first.
   */
  private async waitForCompanions(): Promise<void> {
    const deadline = performance.now() + this.tuning.companionWaitMs;
    const onSite = new Map<string, boolean>();
    while (await this.companionsAwaited(onSite)) {
      const left = deadline - performance.now();
      if (left <= 0) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, COMPANION_POLL_MS));
        this.wakeCompanionWait = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wakeCompanionWait = null;
    }
  }

  /** `onSite` remembers, for one wait, which companions the current generation already holds (committed here or elsewhere). */
  private async companionsAwaited(onSite: Map<string, boolean>): Promise<boolean> {
    const publishes = this.queue.flatMap((q) => ('change' in q.work && q.work.change.kind === 'publish' ? [q.work.change] : []));
    if (publishes.some((c) => this.staging.has(c.source.payload.packageId))) return true;
    const queued = new Set(publishes.map((c) => `${c.source.payload.packageId}~${c.columnId}`));
    const missing = publishes.flatMap((c) => {
      const { packageId, revision, packageColumns = [] } = c.source.payload;
      return packageColumns.filter((column) => !queued.has(`${packageId}~${column}`)).map((column) => ({ packageId, column, revision }));
    });
    if (missing.length === 0) return false;
    const elsewhere = await this.transmitsElsewhere();
    for (const { packageId, column, revision } of missing) {
      const key = `${packageId}~${column}`;
      if (elsewhere.has(key)) continue;
      if (!onSite.has(key)) {
        const record = await this.readPackage(packageId).catch(() => null);
        onSite.set(key, !!record && record.entry.revision >= revision && record.entry.columns.includes(column));
      }
      if (!onSite.get(key)) return true;
    }
    return false;
  }

  /** package~column of the transmits other processes announced (markers of dead processes aged out and removed). */
  private async transmitsElsewhere(): Promise<Set<string>> {
    const dir = path.join(this.webRoot, TRANSMITS_DIR);
    const found = new Set<string>();
    for (const name of await readdir(dir).catch(() => [] as string[])) {
      if (this.ownTransmits.has(name)) continue;
      const [packageId, column, at] = name.split('~');
      if (Date.now() - Number(at) > TRANSMIT_MARKER_MAX_AGE_MS) await rm(path.join(dir, name), { force: true }).catch(() => undefined);
      else if (packageId && column) found.add(`${packageId}~${column}`);
    }
    return found;
  }

  private storePath(storeName: string): string {
    return path.join(this.storeDir, storeName);
  }

  private applyOptions(): ApplyOptions {
    return {
      latestKeep: Math.max(this.settings.homeSize, this.settings.feedSize) * LATEST_SLACK,
      keyAreasOf: this.keyAreasOf,
      keyAreaKeep: KEY_AREA_KEEP,
      ancestorsOf: this.ancestorsOf,
      // A parent's index page and feed show at most this many of its subtree's items.
      subtreeKeep: Math.max(this.settings.pageSize, this.settings.feedSize),
      orderColumns: (columns, knownPath) => columnsHomeFirst(this.settings.structure, columns, knownPath),
      interpretationItems: this.interpretationItems,
    };
  }

  private async commit(batch: Work[], settle: (outcomes: (CommitOutcome | Error)[]) => void): Promise<void> {
    const phases: CommitStats['phases'] = { lock: 0, load: 0, build: 0, swap: 0, cleanup: 0 };
    this.currentPhases = phases;
    this.currentCleanup = { generations: 0, store: 0, spare: 0, sweep: 0 };
    this.currentBuild = { root: 0, render: 0, write: 0 };
    let mark = performance.now();
    const lap = (phase: keyof CommitStats['phases']) => {
      const now = performance.now();
      phases[phase] += now - mark;
      mark = now;
    };
    await mkdir(this.webRoot, { recursive: true });
    const lock = await acquireLock(path.join(this.webRoot, '.lock'), {
      staleMs: this.tuning.lockStaleMs,
      timeoutMs: this.tuning.lockTimeoutMs,
      purpose: `publishing ${batch.length} portal change(s)`,
    });
    let buildDir: string | null = null;
    this.listsWritten = new Map();
    lap('lock');
    try {
      const current = await this.generations.current();
      if (await this.generations.removeAbandoned(current?.number ?? 0)) await this.collectStore(null);

      const outcomes: (CommitOutcome | Error | null)[] = await Promise.all(
        batch.map((work) => ('change' in work ? this.objects.checkStaged(work.change) : Promise.resolve(null))),
      );
      const changes = batch.flatMap((work, i) => ('change' in work && outcomes[i] === null ? [work.change] : []));
      const searchIndex = batch.flatMap((work) => ('searchIndex' in work ? [work.searchIndex] : [])).at(-1) ?? null;

      let previous: RootState;
      let loaded: LoadedState;
      let migrated: SiteChange[] = [];
      if (current && (await exists(path.join(current.dir, ROOT_STATE_PATH)))) {
        previous = await this.generations.readBaseRoot(current.dir);
        loaded = previous.renderKey !== this.renderKey ? await this.loadAll(previous) : await this.loadFor(previous, changes);
      } else {
        previous = emptyRootState();
        // A web root written by the whole-site-manifest version: its packages are published again into the new layout.
        if (current) {
          migrated = await readLegacySite(current.dir);
          // Neither layout's state: a damaged generation; readBaseRoot says what to do, nothing is published.
          if (migrated.length === 0 && !(await exists(path.join(current.dir, LEGACY_MANIFEST_PATH)))) await this.generations.readBaseRoot(current.dir);
        }
        loaded = { root: previous, packages: new Map(), lists: new Map(), media: new Map(), months: new Map() };
      }
      const fullRender = !current || previous.renderKey !== this.renderKey;
      // A full render of an existing site has loaded every package and list: what derives from them is rebuilt.
      const rebuild = !!current && previous.renderKey !== this.renderKey;
      const applied = applyChanges(loaded, [...migrated, ...changes], { ...this.applyOptions(), rebuild });
      if (!applied.changed && !fullRender && !searchIndex) {
        const generation = current?.number ?? 0;
        settle(outcomes.map((o) => o ?? { generation, changed: false }));
        // A cleanup put off by the commits before is due once nothing waits for it.
        if (current && this.cleanupsDeferred > 0 && this.queue.length === 0) {
          const cleanupStarted = performance.now();
          await this.cleanupNow(generation);
          phases.cleanup += performance.now() - cleanupStarted;
        }
        return;
      }
      if (applied.refillLatest) await this.refillLatest(applied);
      for (const area of applied.refillKeyAreas) await this.refillKeyArea(applied, area);
      if (applied.refillSubtrees.size > 0) await this.refillSubtrees(applied);
      lap('load');

      const generation = (current?.number ?? 0) + 1;
      buildDir = path.join(this.webRoot, `build-${lock.token}`);
      const base = migrated.length > 0 ? null : (current?.dir ?? null);
      // A generation the bounds remove anyway becomes the next root: only what differs is changed.
      const recycled = base && current ? await this.generations.takeRecyclable(current.number, buildDir) : null;
      await this.build(buildDir, base, recycled && { units: recycled.units, current: previous.units }, applied, fullRender, generation, searchIndex);
      lap('build');

      if (!(await lock.stillHeld())) {
        throw new DeliveryError(
          'retryable',
          'Another writer took over the portal lock while this commit was being built (this process was presumed dead after a long pause); nothing was published. Retry.',
        );
      }
      await this.generations.promote(buildDir, generation);
      buildDir = null;
      lap('swap');
      settle(outcomes.map((o) => o ?? { generation, changed: true }));
      // The next commit to touch these lists reads them as written, without parsing them again.
      await eachLimit(this.listsWritten, 16, ([file, list]) => this.storeJson.wrote(file, list));
      if (recycled) this.uncollected.push(new Set(Object.values(recycled.units)));
      if (this.cleanupCanWait(recycled !== null)) {
        this.cleanupsDeferred += 1;
        if (this.lastCommit?.generation === generation) this.lastCommit.cleanupDeferred = true;
      } else await this.cleanupNow(generation);
      lap('cleanup');
    } finally {
      if (buildDir) await removeTree(buildDir).catch(() => undefined);
      await lock.release();
    }
  }

  /** The packages a batch names, then the lists, media buckets and sitemap months they touch. */
  private async loadFor(root: RootState, changes: SiteChange[]): Promise<LoadedState> {
    const packages = new Map<string, PackageRecord | null>();
    await eachLimit(packagesNamed(changes), 16, async (id) => {
      const unit = root.units[artUnit(id)];
      packages.set(id, unit ? await readJson<PackageRecord>(path.join(this.storePath(unit), encodeURIComponent(id), PACKAGE_RECORD_FILE)) : null);
    });
    const needed = unitsNeeded(changes, packages, this.ancestorsOf, this.interpretationItems);
    const lists = new Map<string, ListState>();
    const media = new Map<string, MediaRefs>();
    const months = new Map<string, SitemapMonth>();
    await eachLimit(needed.lists, 16, async (unit) => {
      const dir = root.units[unit];
      lists.set(unit, (dir ? await this.storeJson.read<ListState>(path.join(this.storePath(dir), LIST_STATE_FILE)) : null) ?? emptyList());
    });
    await eachLimit(needed.media, 16, async (unit) => {
      const dir = root.units[unit];
      const refs = dir ? await readJson<MediaRefs>(path.join(this.storePath(dir), MEDIA_REFS_FILE)) : null;
      if (refs) media.set(unit, refs);
    });
    const currentRoot = await this.generations.current();
    await eachLimit(needed.months, 8, async (month) => {
      const state = currentRoot ? await readJson<SitemapMonth>(path.join(currentRoot.dir, sitemapMonthStatePath(month))) : null;
      if (state) months.set(month, state);
    });
    return { root, packages, lists, media, months };
  }

  /** Everything (a render key change re-renders the whole site): O(site), once per settings, template or registry change. */
  private async loadAll(root: RootState): Promise<LoadedState> {
    const loaded: LoadedState = { root, packages: new Map(), lists: new Map(), media: new Map(), months: new Map() };
    const current = await this.generations.current();
    await eachLimit(Object.entries(root.units), 16, async ([unit, dir]) => {
      const unitDir = this.storePath(dir);
      if (unit.startsWith('art/')) {
        for (const name of await readdir(unitDir)) {
          const record = await readJson<PackageRecord>(path.join(unitDir, name, PACKAGE_RECORD_FILE));
          if (record) loaded.packages.set(record.entry.item.packageId, record);
        }
      } else if (unit.startsWith('col/') || unit.startsWith('xxgk/')) {
        loaded.lists.set(unit, (await readJson<ListState>(path.join(unitDir, LIST_STATE_FILE))) ?? emptyList());
      } else if (unit.startsWith('media/')) {
        const refs = await readJson<MediaRefs>(path.join(unitDir, MEDIA_REFS_FILE));
        if (refs) loaded.media.set(unit, refs);
      }
    });
    for (const month of Object.keys(root.sitemapMonths)) {
      const state = current ? await readJson<SitemapMonth>(path.join(current.dir, sitemapMonthStatePath(month))) : null;
      if (state) loaded.months.set(month, state);
    }
    return loaded;
  }

  /** After retractions emptied the latest list below what the home page shows: rebuilt from every column's list. */
  private async refillLatest(applied: AppliedChanges): Promise<void> {
    const { root } = applied.state;
    const seen = new Map<string, (typeof root.latest)[number]>();
    await eachLimit(Object.keys(root.columns), 16, async (columnId) => {
      const unit = colUnit(columnId);
      const list =
        applied.state.lists.get(unit) ??
        (root.units[unit] ? await this.storeJson.read<ListState>(path.join(this.storePath(root.units[unit]!), LIST_STATE_FILE)) : null);
      for (const item of Object.values(list?.entries ?? {})) if (applied.state.packages.get(item.packageId) !== null) seen.set(item.packageId, item);
    });
    root.latest = [...seen.values()].sort(compareNewestFirst).slice(0, this.applyOptions().latestKeep);
  }

  /** A key area's latest list after retractions shortened it: rebuilt from the lists of its columns (its own and its sub-columns'). */
  private async refillKeyArea(applied: AppliedChanges, area: string): Promise<void> {
    const { root } = applied.state;
    const seen = new Map<string, ListItem>();
    const columns = [...this.keyAreasOf].filter(([, areas]) => areas.includes(area)).map(([id]) => id);
    await eachLimit(columns, 16, async (columnId) => {
      const unit = colUnit(columnId);
      const list =
        applied.state.lists.get(unit) ??
        (root.units[unit] ? await this.storeJson.read<ListState>(path.join(this.storePath(root.units[unit]), LIST_STATE_FILE)) : null);
      for (const item of Object.values(list?.entries ?? {})) if (applied.state.packages.get(item.packageId) !== null) seen.set(item.packageId, item);
    });
    root.keyAreaLatest[area] = [...seen.values()].sort(compareNewestFirst).slice(0, KEY_AREA_KEEP);
  }

  /**
   * Parents whose full subtree list lost items: rebuilt from their sub-columns' lists (those the
   * batch did not load are read here), like a key area's. Rare: only a removal from a full list.
   */
  private async refillSubtrees(applied: AppliedChanges): Promise<void> {
    const { root, lists } = applied.state;
    const below = [...this.ancestorsOf].filter(([, ancestors]) => ancestors.some((a) => applied.refillSubtrees.has(a))).map(([id]) => colUnit(id));
    const read = new Map<string, ListState>();
    await eachLimit(below, 16, async (unit) => {
      const list =
        lists.get(unit) ?? (root.units[unit] ? await this.storeJson.read<ListState>(path.join(this.storePath(root.units[unit]), LIST_STATE_FILE)) : null);
      if (list) read.set(unit, list);
    });
    const refilled = subtreesFromLists({ lists: read, packages: applied.state.packages }, this.applyOptions(), applied.refillSubtrees);
    for (const [parent, subtree] of refilled) {
      const unit = colUnit(parent);
      const list = lists.get(unit) ?? emptyList();
      list.subtree = subtree;
      lists.set(unit, list);
      root.columns[parent] = columnSummaryFrom(root.columns[parent]?.path ?? [], list);
    }
  }

  /**
   * The next generation: its root in `buildDir` (links of the previous root's files and unit
   * symlinks, or everything new on a full render) and a new store version of every changed unit.
   */
  private async build(
    buildDir: string,
    previousDir: string | null,
    /** Set when buildDir is a recycled generation: its unit map and the current one's. */
    recycled: { units: Record<string, string>; current: Record<string, string> } | null,
    applied: AppliedChanges,
    fullRender: boolean,
    generation: number,
    searchIndex: string | null,
  ): Promise<void> {
    const buildStarted = performance.now();
    const { state } = applied;
    const root = state.root;
    const stats: CommitStats = {
      generation,
      filesWritten: 0,
      bytesWritten: 0,
      unitsRebuilt: 0,
      pagesKept: 0,
      fullRender,
      phases: this.currentPhases,
      cleanupSteps: this.currentCleanup,
      buildSteps: this.currentBuild,
      cleanupDeferred: false,
    };
    // Every write and link of the build goes to the tree thread in batches (tree-ops.ts: under load,
    // one fs/promises call at a time on this thread is what made a commit slow).
    const steps = new BuildBatch();
    const durable = this.tuning.durable;
    const writes = (dir: string, files: Map<string, FileContent>): BuildStep[] =>
      [...files].map(([relative, data]) => ({ op: 'write', path: path.join(dir, relative), data, durable }));

    // Every registry column and catalogue item has a page, from the first generation on.
    const lists = new Set(applied.changedLists);
    for (const node of this.settings.structure.columns) {
      const summary = root.columns[node.id];
      if (!summary) root.columns[node.id] = { path: node.path, count: 0, lastUpdatedAt: null };
      else summary.path = node.path;
    }
    const view = siteView(this.settings, root);
    if (fullRender) {
      for (const columnId of Object.keys(root.columns)) lists.add(colUnit(columnId));
      for (const itemId of catalogueItemIds(view)) lists.add(xxgkUnit(itemId));
      for (const [id, record] of state.packages) if (record) applied.renderPackages.add(id);
      for (const month of Object.keys(root.sitemapMonths)) applied.changedMonths.add(month);
    } else {
      for (const columnId of Object.keys(root.columns)) if (!root.units[colUnit(columnId)]) lists.add(colUnit(columnId));
      for (const itemId of catalogueItemIds(view)) if (!root.units[xxgkUnit(itemId)]) lists.add(xxgkUnit(itemId));
    }

    // The root: a hard-link copy of the previous one (its files and its unit symlinks), then what changed.
    const rootStarted = performance.now();
    if (previousDir && recycled) await this.recycleRoot(previousDir, buildDir, recycled.units, recycled.current);
    else if (previousDir) await copyTreeLinks(previousDir, buildDir);
    else await mkdir(buildDir, { recursive: true });
    const rootMs = performance.now() - rootStarted;

    const newUnits = new Map<string, string | null>();
    const unitStore = (unit: string) => `${unit}.g${generation}`;
    // A dir of this name can only be left by a build that died before its swap: it is removed first.
    const freshUnitSteps = (dir: string): BuildStep[] => [
      { op: 'rm', path: dir },
      { op: 'mkdir', path: path.dirname(dir) },
    ];

    // Lists: the index page, the feed and the state are new; archived pages (numbered from the
    // oldest, stable) are kept from the previous version unless their key changed. The unit's
    // version holds only the files it should: kept pages are hard links, everything else is new.
    await eachLimit(lists, 8, async (unit) => {
      const list = state.lists.get(unit) ?? emptyList();
      const [kind, encoded] = unit.split('/') as [string, string];
      const id = decodeURIComponent(encoded);
      const previousUnit = fullRender ? undefined : root.units[unit];
      const previousDir = previousUnit ? this.storePath(previousUnit) : null;
      const previousKeys = previousDir ? ((await readJson<PageKeys>(path.join(previousDir, PAGE_KEYS_FILE)))?.keys ?? {}) : {};
      const reuse: PageReuse = { previous: previousKeys, keys: {} };
      const rendered = kind === 'col' ? renderColumnUnit(id, list, view, reuse) : renderCatalogueUnit(id, list, view, reuse);
      const files = new Map<string, FileContent>();
      for (const [file, content] of rendered) files.set(file.slice(unit.length + 1), content);
      files.set(LIST_STATE_FILE, JSON.stringify(list));
      this.listsWritten.set(path.join(this.storePath(unitStore(unit)), LIST_STATE_FILE), list);
      files.set(PAGE_KEYS_FILE, JSON.stringify({ version: 1, keys: reuse.keys } satisfies PageKeys));
      const dir = this.storePath(unitStore(unit));
      const kept = Object.keys(reuse.keys)
        .map((file) => file.slice(unit.length + 1))
        .filter((file) => !files.has(file));
      stats.pagesKept += kept.length;
      newUnits.set(unit, unitStore(unit));
      await steps.add(
        ...freshUnitSteps(dir),
        { op: 'mkdir', path: dir },
        ...(previousDir ? kept.map((file): BuildStep => ({ op: 'link', from: path.join(previousDir, file), to: path.join(dir, file) })) : []),
        ...writes(dir, files),
      );
    });

    // Article buckets: each package's pages and record are a version of their own in the store
    // (store/pkg/<b>/<id>.g<n>); a bucket version is a directory of symlinks to them. A new bucket
    // version copies the previous one's links (≈ 32 at a year's scale), all but the packages
    // rendered or removed, and links their new versions: no package directory is copied.
    const buckets = new Map<string, string[]>();
    for (const id of [...applied.renderPackages, ...applied.removedPackages]) {
      const unit = artUnit(id);
      buckets.set(unit, [...(buckets.get(unit) ?? []), id]);
    }
    // A bucket left empty (its last package removed) is removed; the answer says which were.
    const bucketDirs = new Map<string, string>();
    for (const [unit, ids] of buckets) {
      const dir = this.storePath(unitStore(unit));
      bucketDirs.set(unit, dir);
      const previousUnit = root.units[unit];
      const bucketSteps: BuildStep[] = [...freshUnitSteps(dir)];
      // A bucket written before package versions holds the package directories themselves: those are hard-link copied.
      if (previousUnit) bucketSteps.push({ op: 'copy', from: this.storePath(previousUnit), to: dir, skip: ids.map((id) => encodeURIComponent(id)) });
      else bucketSteps.push({ op: 'mkdir', path: dir });
      const bucket = unit.slice('art/'.length);
      for (const id of ids) {
        const record = state.packages.get(id);
        if (!record || !applied.renderPackages.has(id)) continue;
        const encoded = encodeURIComponent(id);
        const version = packageVersion(bucket, encoded, generation);
        const versionDir = this.storePath(version);
        const files = new Map<string, FileContent>();
        const prefix = `${unit}/${encoded}/`;
        for (const [file, content] of renderPackagePages(record, view)) files.set(file.slice(prefix.length), content);
        files.set(PACKAGE_RECORD_FILE, JSON.stringify(record));
        // A version dir of this name is left by a build that died before its swap.
        bucketSteps.push({ op: 'rm', path: versionDir }, ...writes(versionDir, files), {
          op: 'symlink',
          target: packageLinkTarget(version),
          path: path.join(dir, encoded),
        });
      }
      bucketSteps.push({ op: 'rmdirIfEmpty', path: dir });
      await steps.add(...bucketSteps);
    }

    // Media buckets: the renditions the bucket's packages use, each a hard link to its object.
    for (const unit of applied.changedMedia) {
      const refs = state.media.get(unit);
      if (!refs || Object.keys(refs.refs).length === 0) {
        newUnits.set(unit, null);
        continue;
      }
      const dir = this.storePath(unitStore(unit));
      const previousUnit = root.units[unit];
      await steps.add(
        ...freshUnitSteps(dir),
        previousUnit ? { op: 'copy', from: this.storePath(previousUnit), to: dir, skip: [MEDIA_REFS_FILE] } : { op: 'mkdir', path: dir },
        { op: 'linkSet', dir, from: this.objects.dir, names: Object.keys(refs.refs) },
        ...writes(dir, new Map([[MEDIA_REFS_FILE, JSON.stringify(refs)]])),
      );
      newUnits.set(unit, unitStore(unit));
    }

    if (searchIndex) {
      const dir = this.storePath(unitStore(SEARCH_UNIT));
      await steps.add(...freshUnitSteps(dir));
      await steps.flush();
      await rename(searchIndex, dir);
      newUnits.set(SEARCH_UNIT, unitStore(SEARCH_UNIT));
    }

    await steps.flush();
    for (const [unit, dir] of bucketDirs) newUnits.set(unit, steps.removedEmpty.has(dir) ? null : unitStore(unit));

    // The root's unit symlinks follow the new versions.
    for (const [unit, storeName] of newUnits) {
      const link = path.join(buildDir, unit);
      await steps.add({ op: 'rm', path: link });
      if (storeName) {
        await steps.add({ op: 'symlink', target: unitLinkTarget(unit, storeName), path: link });
        root.units[unit] = storeName;
      } else delete root.units[unit];
    }
    stats.unitsRebuilt = newUnits.size;

    // Sitemap months touched: their parts are written again.
    const files = new Map<string, FileContent>();
    const sitemapNames = await readdir(path.join(buildDir, SITEMAP_DIR)).catch(() => [] as string[]);
    for (const month of applied.changedMonths) {
      for (const name of sitemapNames) if (isMonthPart(name, month)) await steps.add({ op: 'rm', path: path.join(buildDir, SITEMAP_DIR, name) });
      const monthState = state.months.get(month);
      if (monthState && Object.keys(monthState.packages).length > 0) {
        for (const [file, content] of renderSitemapMonth(month, monthState, view)) files.set(file, content);
        files.set(sitemapMonthStatePath(month), JSON.stringify(monthState));
      } else await steps.add({ op: 'rm', path: path.join(buildDir, sitemapMonthStatePath(month)) });
    }

    for (const [file, content] of renderRootFiles(view, fullRender, applied.changedLists)) files.set(file, content);
    root.generation = generation;
    root.committedAt = new Date().toISOString();
    root.renderKey = this.renderKey;
    files.set(ROOT_STATE_PATH, JSON.stringify(root));
    files.set(GENERATION_INFO_PATH, JSON.stringify({ generation, committedAt: root.committedAt }));
    await steps.add(...writes(buildDir, files));
    await steps.flush();
    stats.filesWritten = steps.files;
    stats.bytesWritten = steps.bytesWritten;
    const buildMs = performance.now() - buildStarted;
    Object.assign(stats.buildSteps, { root: rootMs, write: steps.sendMs, render: Math.max(0, buildMs - rootMs - steps.sendMs) });
    this.lastCommit = stats;
  }

  /**
   * Brings a recycled generation root to the current root's content: unit symlinks that differ
   * (known from both unit maps, no readlink), root files whose inode differs (hard-linked again),
   * and nothing else. Every change is an unlink and a new entry; nothing is written through. One
   * request to the tree thread: under load, walking the root here cost half a second per commit.
   */
  private async recycleRoot(currentDir: string, buildDir: string, had: Record<string, string>, want: Record<string, string>): Promise<void> {
    const units = new Set([...Object.keys(had), ...Object.keys(want)]);
    const steps: BuildStep[] = [];
    for (const unit of units) {
      if (had[unit] === want[unit]) continue;
      const link = path.join(buildDir, unit);
      steps.push({ op: 'rm', path: link });
      if (want[unit]) steps.push({ op: 'symlink', target: unitLinkTarget(unit, want[unit]), path: link });
    }
    steps.push({ op: 'syncTree', from: currentDir, to: buildDir, skip: [...units] });
    await applyBuildSteps(steps);
  }

  /**
   * Whether this commit's cleanup can wait for a later one: changes are queued (they would wait
   * for it, under the same lock), this commit recycled a generation (publishing steadily: the
   * bounds retire about one a commit, so the next is likely to find one too), and fewer than
   * MAX_CLEANUPS_DEFERRED in a row were put off. The later cleanup removes what this one would
   * have (the bounds are read then) and collects the recycled generations' store versions. No
   * file is read to decide: under load each read waits behind the commits' own file work.
   */
  private cleanupCanWait(recycled: boolean): boolean {
    return recycled && this.queue.length > 0 && this.cleanupsDeferred < MAX_CLEANUPS_DEFERRED;
  }

  /** The cleanup, with what the commits that put theirs off left to collect; a failed one is left to the next. */
  private async cleanupNow(current: number): Promise<void> {
    this.cleanupsDeferred = 0;
    await this.cleanup(current, this.uncollected.splice(0)).catch(() => undefined);
  }

  /**
   * After the swap, under the lock: old generations and the store versions only they linked go (the
   * newest of those generations is kept as the spare root the next commit recycles), and when the
   * next commit would still find nothing to recycle (every generation within its grace period: a
   * burst), a spare copy of the new root is prepared for it, so that copying ≈ 900 entries is not
   * on the next publish's path.
   */
  private async cleanup(current: number, recycled: ReadonlySet<string>[]): Promise<void> {
    const steps = this.currentCleanup;
    let mark = performance.now();
    const lap = (step: keyof CommitStats['cleanupSteps']) => {
      const now = performance.now();
      steps[step] += now - mark;
      mark = now;
    };
    const removed = [...recycled, ...(await this.generations.removeOld(current))];
    lap('generations');
    if (removed.length > 0) await this.collectStore(removed);
    lap('store');
    if (!(await this.generations.hasRecyclable(current))) {
      // Copied under a build- name and renamed when complete: only whole copies are ever spare-*.
      const token = randomBytes(6).toString('hex');
      const copy = path.join(this.webRoot, `build-spare-${token}`);
      try {
        await copyTreeLinks(path.join(this.webRoot, generationName(current)), copy);
        await rename(copy, path.join(this.webRoot, `${SPARE_PREFIX}${token}`));
      } catch (error) {
        await removeTree(copy);
        throw error;
      }
    }
    lap('spare');
    await this.objects.sweep();
    lap('sweep');
  }

  /**
   * Store versions no remaining generation links. `removedUnits` (the units of the generations just
   * removed) narrows the candidates; null scans the whole store (after abandoned builds). A package
   * version (store/pkg/…) goes with the last article bucket version linking it.
   */
  private async collectStore(removedUnits: ReadonlySet<string>[] | null): Promise<void> {
    const kept = new Set<string>();
    for (const dir of await this.generations.dirs()) {
      const names = await this.generations.storeNamesOf(dir);
      // A generation whose state cannot be read keeps everything: better a full disk than a broken site.
      if (!names) return;
      for (const storeName of names) kept.add(storeName);
    }
    let candidates: string[];
    if (removedUnits) candidates = [...new Set(removedUnits.flatMap((s) => [...s]))];
    else {
      candidates = [];
      for (const top of await readdir(this.storeDir).catch(() => [] as string[])) {
        if (top === PACKAGE_STORE) continue;
        if (top.includes('.g')) candidates.push(top);
        else for (const name of await readdir(path.join(this.storeDir, top)).catch(() => [] as string[])) candidates.push(`${top}/${name}`);
      }
    }
    const going = candidates.filter((name) => !kept.has(name));
    // Package versions the going bucket versions link and no kept version of the same bucket does.
    const packageVersions = new Set<string>();
    const keptBuckets = [...kept].filter((name) => name.startsWith('art/'));
    const linksOf = async (bucketVersion: string) => {
      const links = new Map<string, string>();
      const dir = this.storePath(bucketVersion);
      for (const name of await readdir(dir).catch(() => [] as string[])) {
        const target = await readlink(path.join(dir, name)).catch(() => null);
        if (target) links.set(name, target);
      }
      return links;
    };
    if (removedUnits) {
      await eachLimit(
        going.filter((name) => name.startsWith('art/')),
        4,
        async (bucketVersion) => {
          const bucket = bucketVersion.slice(0, bucketVersion.lastIndexOf('.g'));
          const others = await Promise.all(keptBuckets.filter((k) => k.startsWith(`${bucket}.g`)).map(linksOf));
          for (const [name, target] of await linksOf(bucketVersion)) {
            if (!others.some((links) => links.get(name) === target)) packageVersions.add(packageVersionOf(target));
          }
        },
      );
    } else {
      const linked = new Set<string>();
      await eachLimit(keptBuckets, 8, async (bucketVersion) => {
        for (const target of (await linksOf(bucketVersion)).values()) linked.add(packageVersionOf(target));
      });
      for (const bucket of await readdir(path.join(this.storeDir, PACKAGE_STORE)).catch(() => [] as string[])) {
        for (const name of await readdir(path.join(this.storeDir, PACKAGE_STORE, bucket)).catch(() => [] as string[])) {
          const version = `${PACKAGE_STORE}/${bucket}/${name}`;
          if (!linked.has(version)) packageVersions.add(version);
        }
      }
    }
    await eachLimit([...going, ...packageVersions], 8, (name) => rm(this.storePath(name), { recursive: true, force: true }));
  }
}

/** Package versions live in store/pkg/<b>/<id>.g<n>; article bucket versions link them. */
const PACKAGE_STORE = 'pkg';

function packageVersion(bucket: string, encodedId: string, generation: number): string {
  return `${PACKAGE_STORE}/${bucket}/${encodedId}.g${generation}`;
}

/** From a bucket version (store/art/<b>.g<m>/<id>) to a package version. */
function packageLinkTarget(version: string): string {
  return `../../${version}`;
}

function packageVersionOf(linkTarget: string): string {
  return linkTarget.replace(/^(\.\.\/)+/, '');
}

/** A unit's symlink in a generation root, relative: `art/3f` → `../../store/art/3f.g42`. */
function unitLinkTarget(unit: string, storeName: string): string {
  return `${'../'.repeat(unit.split('/').length)}${STORE_DIR}/${storeName}`;
}

export function packageRecordPath(generationDir: string, packageId: string): string {
  return path.join(generationDir, artUnit(packageId), encodeURIComponent(packageId), PACKAGE_RECORD_FILE);
}

async function exists(file: string): Promise<boolean> {
  try {
    await lstat(file);
    return true;
  } catch {
    return false;
  }
}

/** A JSON state file, or null when it does not exist. */
export async function readJson<T>(file: string): Promise<T | null> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T;
  } catch (error) {
    if (errorCode(error) === 'ENOENT' || errorCode(error) === 'ENOTDIR') return null;
    throw error;
  }
}

export async function readRootState(generationDir: string): Promise<RootState> {
  return (await readJson<RootState>(path.join(generationDir, ROOT_STATE_PATH))) ?? emptyRootState();
}

/**
 * A web root written by the previous layout (one `.govpub/manifest.json` per generation): every
 * package published again to its columns, in order, with its renditions in the new media layout.
 */
async function readLegacySite(generationDir: string): Promise<SiteChange[]> {
  const manifest = await readJson<LegacyManifest>(path.join(generationDir, LEGACY_MANIFEST_PATH));
  if (!manifest) return [];
  const changes: SiteChange[] = [];
  for (const [id, entry] of Object.entries(manifest.packages)) {
    const source = await readJson<PackageSource>(path.join(generationDir, legacyPackageSourcePath(id)));
    if (!source) continue;
    for (const media of Object.values(source.media)) {
      const name = path.basename(media.file);
      const dot = name.indexOf('.');
      media.file = portalMediaPath(name.slice(0, dot), name.slice(dot + 1));
    }
    for (const columnId of entry.columns) {
      changes.push({ kind: 'publish', columnId, columnPath: manifest.columns[columnId]?.path ?? [], source });
    }
  }
  return changes;
}

export { listNewestFirst };
export type { DocumentValidity };
