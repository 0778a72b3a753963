/**
 * The web root's objects/: renditions staged by `transmit` outside the lock, under their content
 * hash, which the media units (store/media/<b>.g<n>/) hard-link (tree-ops.ts' `linkSet` step).
 * An object no generation links (link count 1) and untouched for the grace period is swept.
 */
import { randomBytes } from 'node:crypto';
import { copyFile, link, mkdir, readdir, stat, unlink, utimes } from 'node:fs/promises';
import path from 'node:path';
import { RENDITION_EXTENSIONS } from '../../media/published.js';
import { DeliveryError } from '../errors.js';
import type { RenditionFile } from '../types.js';
import { eachLimit, errorCode, syncFile } from './files.js';
import type { MediaFile, SiteChange } from './state.js';
import { portalMediaPath } from './urls.js';

/** Copies in flight older than this were left by a writer that died. */
const TMP_GRACE_MS = 3_600_000;

export class ObjectStore {
  readonly dir: string;
  private readonly tmpDir: string;
  private lastSweep = 0;

  constructor(
    webRoot: string,
    private readonly options: { objectGraceMs: number; durable: boolean },
  ) {
    this.dir = path.join(webRoot, 'objects');
    this.tmpDir = path.join(webRoot, 'tmp');
  }

  /** Copies a rendition into objects/ under its content hash; the next commit links it into the site. */
  async stage(rendition: RenditionFile): Promise<MediaFile> {
    // The type's own extension (attachments and captions too), so the web server names their type.
    const ext = RENDITION_EXTENSIONS[rendition.mime] ?? 'bin';
    if (!/^[0-9a-f]{64}$/.test(rendition.sha256)) {
      throw new DeliveryError(
        'retryable',
        `Rendition ${rendition.spec} of ${rendition.mediaId.slice(0, 12)}… has no SHA-256 ("${rendition.sha256}"): prepare it again.`,
      );
    }
    const name = `${rendition.sha256}.${ext}`;
    const objectPath = path.join(this.dir, name);
    const now = new Date();
    try {
      // Already staged: mark it fresh so the sweep leaves it alone until the commit links it.
      await utimes(objectPath, now, now);
    } catch (error) {
      if (errorCode(error) !== 'ENOENT') throw error;
      await mkdir(this.tmpDir, { recursive: true });
      await mkdir(this.dir, { recursive: true });
      const tmp = path.join(this.tmpDir, `${name}.${randomBytes(6).toString('hex')}`);
      await copyFile(rendition.path, tmp);
      if (this.options.durable) await syncFile(tmp);
      try {
        await link(tmp, objectPath);
      } catch (linkError) {
        if (errorCode(linkError) !== 'EEXIST') throw linkError;
      } finally {
        await unlink(tmp).catch(() => undefined);
      }
    }
    return {
      file: portalMediaPath(rendition.sha256, ext),
      mime: rendition.mime,
      bytes: rendition.sizeBytes,
      ...(rendition.width !== undefined ? { width: rendition.width } : {}),
      ...(rendition.height !== undefined ? { height: rendition.height } : {}),
      ...(rendition.durationSec !== undefined ? { durationSec: rendition.durationSec } : {}),
    };
  }

  /** An error when a publish's staged media vanished (swept, disk trouble) before its commit. */
  async checkStaged(change: SiteChange): Promise<Error | null> {
    if (change.kind !== 'publish') return null;
    for (const media of Object.values(change.source.media)) {
      try {
        await stat(path.join(this.dir, path.basename(media.file)));
      } catch {
        return new DeliveryError(
          'retryable',
          `The staged rendition ${media.file} disappeared before it was published (swept or removed); retry to stage it again.`,
        );
      }
    }
    return null;
  }

  /** Objects linked by no generation and untouched for the grace period go; at most every 5 minutes. */
  async sweep(): Promise<void> {
    const interval = Math.min(this.options.objectGraceMs, 300_000);
    if (Date.now() - this.lastSweep < interval) return;
    this.lastSweep = Date.now();
    const names = await readdir(this.dir).catch(() => [] as string[]);
    await eachLimit(names, 16, async (name) => {
      const file = path.join(this.dir, name);
      const info = await stat(file).catch(() => null);
      if (info && info.nlink === 1 && Date.now() - info.mtimeMs >= this.options.objectGraceMs) await unlink(file).catch(() => undefined);
    });
    for (const name of await readdir(this.tmpDir).catch(() => [] as string[])) {
      const info = await stat(path.join(this.tmpDir, name)).catch(() => null);
      if (info && Date.now() - info.mtimeMs > TMP_GRACE_MS) await unlink(path.join(this.tmpDir, name)).catch(() => undefined);
    }
  }
}
