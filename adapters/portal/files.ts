/**
 * File-system helpers of the portal: a hard-link copy of a tree, fsync, bounded parallelism, and
 * the words for what went wrong (a commit's own writes go through tree-ops.ts' build steps).
 */
import { link, mkdir, open, readdir, readlink, symlink } from 'node:fs/promises';
import path from 'node:path';
import { DeliveryError, isDeliveryError } from '../errors.js';

export function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

/** A file's identity from its bigint stat: a replaced file (new inode) or one rewritten in place (new size or change time) differs. */
export const fileIdentity = (info: { dev: bigint; ino: bigint; size: bigint; ctimeNs: bigint }) => `${info.dev}:${info.ino}:${info.size}:${info.ctimeNs}`;

/** Runs `fn` over `items` with at most `limit` in flight. */
export async function eachLimit<T>(items: Iterable<T>, limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  const iterator = items[Symbol.iterator]();
  const workers = Array.from({ length: limit }, async () => {
    for (let next = iterator.next(); !next.done; next = iterator.next()) await fn(next.value);
  });
  await Promise.all(workers);
}

/** Hard-link copy of a directory tree, leaving out `skip` (paths relative to the tree). */
export async function linkTree(from: string, to: string, relative: string, skip: Set<string>): Promise<void> {
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

export async function syncFile(file: string): Promise<void> {
  const handle = await open(file, 'r');
  try {
    await handle.datasync();
  } finally {
    await handle.close();
  }
}

export async function syncDirectory(dir: string): Promise<void> {
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
