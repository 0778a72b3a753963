/**
 * A lock file that serializes writers of one web root across processes and hosts sharing the
 * volume. Created with O_EXCL (`wx`), it holds the holder's pid, host, a random token and the
 * time; the holder touches it while it works. A lock is stale when its holder stopped touching it
 * for `staleMs`, or when its holder is a dead process on this host; then it is taken over.
 *
 * Taking over is guarded by a second O_EXCL file so that two waiters that both saw the same
 * stale lock cannot remove a fresh lock the other one just created.
 */
import { randomBytes } from 'node:crypto';
import { open, readFile, stat, unlink, utimes } from 'node:fs/promises';
import os from 'node:os';
import { DeliveryError } from '../errors.js';

export interface LockHolder {
  pid: number;
  host: string;
  token: string;
  acquiredAt: string;
  purpose: string;
}

export interface LockOptions {
  /** A holder that has not touched the lock for this long is presumed dead. */
  staleMs: number;
  /** Give up waiting after this long (retryable error). */
  timeoutMs: number;
  /** What the holder does, for the message a waiter gives up with. */
  purpose: string;
  signal?: AbortSignal;
}

export interface HeldLock {
  readonly token: string;
  /** False when another writer took the lock over (this one was presumed dead). */
  stillHeld(): Promise<boolean>;
  release(): Promise<void>;
}

/** A takeover guard older than this belongs to a process that died in the middle of a takeover. */
const GUARD_STALE_MS = 10_000;

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function tryCreate(path: string, content: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(path, 'wx', 0o644);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    await handle.writeFile(content);
  } finally {
    await handle.close();
  }
  return true;
}

interface SeenLock {
  holder: LockHolder | null;
  ino: number;
  mtimeMs: number;
}

async function readLock(path: string): Promise<SeenLock | null> {
  try {
    const [info, text] = await Promise.all([stat(path), readFile(path, 'utf8')]);
    let holder: LockHolder | null = null;
    try {
      holder = JSON.parse(text) as LockHolder;
    } catch {
      // Created but not written yet: judged by its age alone.
    }
    return { holder, ino: info.ino, mtimeMs: info.mtimeMs };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

function isStale(seen: SeenLock, staleMs: number): boolean {
  if (Date.now() - seen.mtimeMs > staleMs) return true;
  const h = seen.holder;
  return h !== null && h.host === os.hostname() && h.pid !== process.pid && !pidAlive(h.pid);
}

/** Removes `seen` if it is still the lock file (same inode and time), under the takeover guard. */
async function breakStaleLock(path: string, seen: SeenLock): Promise<void> {
  const guard = `${path}.takeover`;
  if (!(await tryCreate(guard, JSON.stringify({ pid: process.pid, host: os.hostname(), at: new Date().toISOString() })))) {
    const info = await stat(guard).catch(() => null);
    if (info && Date.now() - info.mtimeMs > GUARD_STALE_MS) await unlink(guard).catch(() => undefined);
    return;
  }
  try {
    const now = await readLock(path);
    if (now && now.ino === seen.ino && now.mtimeMs === seen.mtimeMs) await unlink(path).catch(() => undefined);
  } finally {
    await unlink(guard).catch(() => undefined);
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new DeliveryError('retryable', 'Waiting for the portal web root lock was cancelled.'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export async function acquireLock(path: string, options: LockOptions): Promise<HeldLock> {
  const token = randomBytes(12).toString('hex');
  const holder: LockHolder = { pid: process.pid, host: os.hostname(), token, acquiredAt: new Date().toISOString(), purpose: options.purpose };
  const deadline = Date.now() + options.timeoutMs;
  let wait = 5;
  let lastSeen: SeenLock | null = null;
  for (;;) {
    if (options.signal?.aborted) throw new DeliveryError('retryable', 'Waiting for the portal web root lock was cancelled.');
    if (await tryCreate(path, JSON.stringify(holder))) break;
    const seen = await readLock(path);
    if (seen === null) continue; // released between our attempt and the read
    lastSeen = seen;
    if (isStale(seen, options.staleMs)) {
      await breakStaleLock(path, seen);
      continue;
    }
    if (Date.now() >= deadline) {
      const h = lastSeen.holder;
      const who = h ? `process ${h.pid} on ${h.host} (${h.purpose}, since ${h.acquiredAt})` : 'a process that has not written its details yet';
      throw new DeliveryError(
        'retryable',
        `The portal web root is locked by ${who}; gave up after ${Math.round(options.timeoutMs / 1000)} s. ` +
          `The lock is taken over automatically once its holder stops refreshing it for ${Math.round(options.staleMs / 1000)} s; if that process is gone, retry then. Lock file: ${path}.`,
      );
    }
    await sleep(wait + Math.random() * wait, options.signal);
    wait = Math.min(wait * 2, 100);
  }

  let released = false;
  const stillHeld = async () => {
    if (released) return false;
    const seen = await readLock(path).catch(() => null);
    return seen?.holder?.token === token;
  };
  // Touch the lock while working so others do not take it over; stop once it is not ours.
  const heartbeat = setInterval(
    () => {
      void (async () => {
        if (!(await stillHeld())) return;
        const now = new Date();
        await utimes(path, now, now).catch(() => undefined);
      })();
    },
    Math.max(50, Math.floor(options.staleMs / 4)),
  );
  heartbeat.unref();
  return {
    token,
    stillHeld,
    async release() {
      clearInterval(heartbeat);
      if (await stillHeld()) await unlink(path).catch(() => undefined);
      released = true;
    },
  };
}
