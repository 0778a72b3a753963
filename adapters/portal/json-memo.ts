/**
 * Parsed JSON of the portal's store files, remembered from one commit to the next (site.ts uses it
 * for the column and catalogue lists). A commit reads the lists its changes touch; the busiest hold
 * thousands of entries, and a retraction that empties the home page's latest list reads every
 * column's list. Read and parsed anew each time, that was most of a commit's load phase at a
 * year's size.
 *
 * A store version never changes once a generation links it, but its name can come back: after an
 * operator points `current` at an older generation, the next build reuses the abandoned generation's
 * number and so its store names. So an entry is keyed by the file's identity (device, inode, size,
 * change time), taken from the handle its bytes are read through, never by its name alone.
 *
 * Values are deep-frozen: every caller shares them (applyChanges works on a clone), and a caller
 * that tried to change one would throw instead of corrupting the next commit's input.
 */
import { open, stat, type FileHandle } from 'node:fs/promises';
import { deepFreeze } from '../../domain/deep-freeze.js';
import { errorCode, fileIdentity } from './files.js';

interface Entry {
  identity: string;
  value: unknown;
  bytes: number;
}

export class JsonFileMemo {
  /** In least recently used order: a hit moves its entry to the end. */
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;
  hits = 0;
  misses = 0;

  /** `maxBytes`: the size of the files the remembered values were parsed from, at most (their memory is a few times that). */
  constructor(private readonly maxBytes: number) {}

  /** The parsed file, or null when it does not exist (as readJson). A file that does not parse throws. */
  async read<T>(file: string): Promise<T | null> {
    let handle: FileHandle;
    try {
      handle = await open(file, 'r');
    } catch (error) {
      if (errorCode(error) === 'ENOENT' || errorCode(error) === 'ENOTDIR') return null;
      throw error;
    }
    try {
      const info = await handle.stat({ bigint: true });
      const identity = fileIdentity(info);
      const known = this.entries.get(file);
      if (known?.identity === identity) {
        this.entries.delete(file);
        this.entries.set(file, known);
        this.hits += 1;
        return known.value as T;
      }
      const text = await handle.readFile('utf8');
      const value = deepFreeze(JSON.parse(text) as T);
      this.misses += 1;
      this.remember(file, { identity, value, bytes: Number(info.size) });
      return value;
    } finally {
      await handle.close();
    }
  }

  /**
   * Remembers what the caller has just written to `file` (and nothing can change before the stat:
   * a store version is written once, under the portal lock), so the next read parses nothing.
   * `value` is frozen from here on: the caller must be done changing it.
   */
  async wrote(file: string, value: unknown): Promise<void> {
    const info = await stat(file, { bigint: true }).catch(() => null);
    if (info) this.remember(file, { identity: fileIdentity(info), value: deepFreeze(value), bytes: Number(info.size) });
  }

  private remember(file: string, entry: Entry): void {
    const old = this.entries.get(file);
    if (old) {
      this.entries.delete(file);
      this.bytes -= old.bytes;
    }
    if (entry.bytes > this.maxBytes) return;
    this.entries.set(file, entry);
    this.bytes += entry.bytes;
    for (const [oldest, e] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.bytes -= e.bytes;
    }
  }
}
