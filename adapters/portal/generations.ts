/**
 * The web root's generations: `current` -> gen-<n>, each a site root (its files and symlinks to
 * the store's unit versions) never changed once current; the atomic swap of `current`, the builds
 * and generations a dead writer left, and the removal of old generations, bounded in count and age.
 */
import { randomBytes } from 'node:crypto';
import { open, readdir, readFile, readlink, realpath, rename, symlink, unlink } from 'node:fs/promises';
import path from 'node:path';
import { DeliveryError } from '../errors.js';
import { errorCode, fileIdentity, syncDirectory } from './files.js';
import { GENERATION_INFO_PATH, ROOT_STATE_PATH, type RootState } from './state.js';
import { removeTree } from './tree-ops.js';

export const CURRENT_LINK = 'current';
/** A copy of a generation root prepared after a commit, for the next commit to build on (site.ts). */
export const SPARE_PREFIX = 'spare-';
const GENERATION_RE = /^gen-(\d+)$/;

export function generationName(generation: number): string {
  return `gen-${generation}`;
}

export class Generations {
  /**
   * Each generation's store names, by its root state file's identity (device, inode, size, change
   * time). A generation never changes once current, yet every commit's cleanup read all of those on
   * disk: at a year's size eight root states of ≈ 0.25 MB, 5 ms of CPU each to parse.
   */
  private readonly storeNamesMemo = new Map<string, { identity: string; names: ReadonlySet<string> }>();

  constructor(
    readonly webRoot: string,
    private readonly options: { keepGenerations: number; generationGraceMs: number; maxGenerations: number; generationMaxAgeMs: number; durable: boolean },
  ) {}

  /** The directory `current` points at, or null before the first commit. */
  async currentDir(): Promise<string | null> {
    try {
      return await realpath(path.join(this.webRoot, CURRENT_LINK));
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return null;
      throw error;
    }
  }

  /** Runs `read` on the current generation's directory (null before the first commit), resolving again if cleanup removed it meanwhile. */
  async withCurrent<T>(read: (dir: string | null) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const dir = await this.currentDir();
      try {
        return await read(dir);
      } catch (error) {
        if (errorCode(error) === 'ENOENT' && attempt < 3) continue;
        throw error;
      }
    }
  }

  /** The generation `current` names (read as a link, not resolved), or null before the first commit. */
  async current(): Promise<{ number: number; dir: string } | null> {
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

  /** The root state a commit builds on; an unreadable one stops the commit with what to do. */
  async readBaseRoot(dir: string): Promise<RootState> {
    try {
      const root = JSON.parse(await readFile(path.join(dir, ROOT_STATE_PATH), 'utf8')) as RootState;
      if (root.version !== 2 || typeof root.units !== 'object' || typeof root.columns !== 'object') throw new Error('not a version 2 site state');
      return root;
    } catch (error) {
      throw new DeliveryError(
        'retryable',
        `The live portal generation ${dir} has no readable ${ROOT_STATE_PATH} (${(error as Error).message}). ` +
          'Point `current` at the previous generation (ln -sfn gen-<n> current in the web root) and retry; nothing was published.',
        { cause: error },
      );
    }
  }

  /** Builds of writers that died and generations that never became current (the caller holds the lock); true when any was found. */
  async removeAbandoned(current: number): Promise<boolean> {
    const names = await readdir(this.webRoot).catch(() => [] as string[]);
    let found = false;
    for (const name of names) {
      const generation = GENERATION_RE.exec(name);
      if (name.startsWith('build-') || (generation && Number(generation[1]) > current)) {
        await removeTree(path.join(this.webRoot, name));
        found = true;
      }
    }
    return found;
  }

  /** A finished build becomes generation `generation` and `current` points at it, in one atomic rename. */
  async promote(buildDir: string, generation: number): Promise<void> {
    await rename(buildDir, path.join(this.webRoot, generationName(generation)));
    const tmpLink = path.join(this.webRoot, `.current-${randomBytes(6).toString('hex')}`);
    await symlink(generationName(generation), tmpLink);
    try {
      await rename(tmpLink, path.join(this.webRoot, CURRENT_LINK));
    } catch (error) {
      await unlink(tmpLink).catch(() => undefined);
      throw error;
    }
    if (this.options.durable) await syncDirectory(this.webRoot);
  }

  /**
   * Bounds the generations on disk, newest first after the current one: one replaced more than
   * `generationMaxAgeMs` ago goes; the first `keepGenerations - 1` stay (rollback); beyond them one
   * replaced less than `generationGraceMs` ago stays (a reader may be in the middle of it) while
   * fewer than `maxGenerations` are on disk; the rest go. The newest of those going becomes the
   * spare root the next commit is built from (renamed, not removed and copied again: in the steady
   * state each commit removes one generation and would otherwise copy a whole root), unless a spare
   * is already there. Answers the units each one that went used (a spare protects no store version).
   */
  async removeOld(current: number): Promise<ReadonlySet<string>[]> {
    const removed: ReadonlySet<string>[] = [];
    const generations = await this.removable(current);
    let spareWanted = !(await readdir(this.webRoot).catch(() => [] as string[])).some((name) => name.startsWith(SPARE_PREFIX));
    for (const generation of generations.reverse()) {
      const dir = path.join(this.webRoot, generationName(generation));
      const units = await this.unitsOf(dir);
      if (spareWanted && units.size > 0) {
        await rename(dir, path.join(this.webRoot, `${SPARE_PREFIX}${randomBytes(6).toString('hex')}`));
        spareWanted = false;
      } else await removeTree(dir);
      removed.push(units);
    }
    return removed;
  }

  /**
   * A generation the bounds would remove now, renamed to `to` so the next root is built from it
   * instead of copied (only what differs from the current root is changed: O(recent changes), not
   * the root's ≈ 900 entries). Removable now means removable after the next swap too (ages only
   * grow, the kept slots only fill). Null when none is; the root state's unit map is returned.
   */
  async takeRecyclable(current: number, to: string): Promise<{ units: Record<string, string> } | null> {
    const spare = (await readdir(this.webRoot).catch(() => [] as string[])).find((name) => name.startsWith(SPARE_PREFIX));
    const newest = spare ? null : (await this.removable(current)).at(-1);
    if (!spare && newest === undefined) return null;
    const dir = path.join(this.webRoot, spare ?? generationName(newest!));
    let units: Record<string, string>;
    try {
      units = (JSON.parse(await readFile(path.join(dir, ROOT_STATE_PATH), 'utf8')) as RootState).units;
      if (typeof units !== 'object' || units === null) throw new Error('no unit map');
    } catch {
      // Not a root this version wrote (an older layout, damage): it goes, the commit copies instead.
      await removeTree(dir);
      return null;
    }
    await rename(dir, to);
    return { units };
  }

  /** Whether the next commit will find a generation to recycle (else a spare root is worth preparing). */
  async hasRecyclable(current: number): Promise<boolean> {
    const names = await readdir(this.webRoot).catch(() => [] as string[]);
    return names.some((name) => name.startsWith(SPARE_PREFIX)) || (await this.removable(current)).length > 0;
  }

  /** Generations older than `current` the bounds remove, oldest first. */
  private async removable(current: number): Promise<number[]> {
    const older = (await this.list()).filter((n) => n < current).reverse();
    const now = Date.now();
    let kept = 1;
    let successorCommittedAt = await this.committedAt(current);
    const out: number[] = [];
    for (const generation of older) {
      const replacedAt = successorCommittedAt;
      successorCommittedAt = await this.committedAt(generation);
      const age = replacedAt === null ? 0 : now - replacedAt;
      let keep: boolean;
      if (age > this.options.generationMaxAgeMs) keep = false;
      else if (kept < this.options.keepGenerations) keep = true;
      else keep = age < this.options.generationGraceMs && kept < this.options.maxGenerations;
      if (keep) kept += 1;
      else out.unshift(generation);
    }
    return out;
  }

  /** The generation directories on disk (current included). */
  async dirs(): Promise<string[]> {
    const dirs = (await this.list()).map((n) => path.join(this.webRoot, generationName(n)));
    for (const dir of this.storeNamesMemo.keys()) if (!dirs.includes(dir)) this.storeNamesMemo.delete(dir);
    return dirs;
  }

  /**
   * The store versions a generation's root links (its root state's unit map), or null when that
   * state cannot be read. Read once per file: the identity is taken from the handle the bytes are
   * read through, so a file replaced meanwhile is never remembered under the other's identity.
   */
  async storeNamesOf(dir: string): Promise<ReadonlySet<string> | null> {
    let handle;
    try {
      handle = await open(path.join(dir, ROOT_STATE_PATH), 'r');
      const info = await handle.stat({ bigint: true });
      const identity = fileIdentity(info);
      const known = this.storeNamesMemo.get(dir);
      if (known?.identity === identity) return known.names;
      const root = JSON.parse(await handle.readFile('utf8')) as RootState;
      if (typeof root.units !== 'object' || root.units === null) return null;
      const names = new Set(Object.values(root.units));
      this.storeNamesMemo.set(dir, { identity, names });
      return names;
    } catch {
      return null;
    } finally {
      await handle?.close();
    }
  }

  private async unitsOf(dir: string): Promise<ReadonlySet<string>> {
    return (await this.storeNamesOf(dir)) ?? new Set();
  }

  private async list(): Promise<number[]> {
    const names = await readdir(this.webRoot).catch(() => [] as string[]);
    return names
      .map((n) => GENERATION_RE.exec(n))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => Number(m[1]))
      .sort((a, b) => a - b);
  }

  private async committedAt(generation: number): Promise<number | null> {
    try {
      const info = JSON.parse(await readFile(path.join(this.webRoot, generationName(generation), GENERATION_INFO_PATH), 'utf8')) as { committedAt: string };
      return Date.parse(info.committedAt);
    } catch {
      return null;
    }
  }
}
