/**
 * The web root's generations: `current` -> gen-<n>, each a complete site never changed once
 * current; the atomic swap of `current`, the builds and generations a dead writer left, and the
 * removal of old generations once no reader can still be in them.
 */
import { randomBytes } from 'node:crypto';
import { readdir, readFile, readlink, realpath, rename, rm, symlink, unlink } from 'node:fs/promises';
import path from 'node:path';
import { DeliveryError } from '../errors.js';
import { errorCode, syncDirectory } from './files.js';
import { MANIFEST_PATH, emptyManifest, type SiteManifest } from './state.js';

export const CURRENT_LINK = 'current';
const GENERATION_RE = /^gen-(\d+)$/;

export function generationName(generation: number): string {
  return `gen-${generation}`;
}

async function readManifestFile(generationDir: string): Promise<SiteManifest> {
  return JSON.parse(await readFile(path.join(generationDir, MANIFEST_PATH), 'utf8')) as SiteManifest;
}

export class Generations {
  constructor(
    readonly webRoot: string,
    private readonly options: { keepGenerations: number; generationGraceMs: number; durable: boolean },
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

  /** The manifest of the current generation (an empty one before the first commit). */
  async readCurrentManifest(): Promise<SiteManifest> {
    for (let attempt = 0; ; attempt++) {
      const dir = await this.currentDir();
      if (!dir) return emptyManifest();
      try {
        return await readManifestFile(dir);
      } catch (error) {
        // The generation was removed between resolving and reading: resolve again.
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

  /** The manifest a commit builds on; an unreadable one stops the commit with what to do. */
  async readBaseManifest(dir: string): Promise<SiteManifest> {
    try {
      const manifest = await readManifestFile(dir);
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

  /** Builds of writers that died and generations that never became current (the caller holds the lock). */
  async removeAbandoned(current: number): Promise<void> {
    const names = await readdir(this.webRoot).catch(() => [] as string[]);
    for (const name of names) {
      const generation = GENERATION_RE.exec(name);
      if (name.startsWith('build-') || (generation && Number(generation[1]) > current)) {
        await rm(path.join(this.webRoot, name), { recursive: true, force: true });
      }
    }
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
   * Keeps the current generation and the `keepGenerations - 1` before it, and any generation
   * replaced less than `generationGraceMs` ago (a reader may be in the middle of it).
   */
  async removeOld(current: number): Promise<void> {
    const generations = (await this.list()).filter((n) => n < current);
    const keepFrom = generations.length - (this.options.keepGenerations - 1);
    const candidates = generations.slice(0, Math.max(0, keepFrom));
    for (const generation of candidates) {
      const successor = generations.find((n) => n > generation) ?? current;
      const replacedAt = await this.committedAt(successor);
      if (replacedAt !== null && Date.now() - replacedAt < this.options.generationGraceMs) continue;
      await rm(path.join(this.webRoot, generationName(generation)), { recursive: true, force: true });
    }
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
      const manifest = await readManifestFile(path.join(this.webRoot, generationName(generation)));
      return manifest.committedAt ? Date.parse(manifest.committedAt) : null;
    } catch {
      return null;
    }
  }
}
