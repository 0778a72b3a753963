/** Ids in the registry files: ASCII slugs, each used once per list (a duplicate names the first use). */
import { readString } from './yaml-fields.js';
import type { At, FileCheck } from './yaml-lines.js';

const SLUG = /^[a-z0-9]+(?:[-_][a-z0-9]+)*$/;
const SLUG_HINT = 'must be an ASCII slug (lower-case letters, digits, "-" or "_")';

/** The text rule of a slug, for lists of them. */
export const SLUG_RULE = { pattern: SLUG, patternHint: SLUG_HINT };

/** Reads a slug (an id, a role, a stage); `undefined` after reporting. */
export function readSlug(fc: FileCheck, at: At | undefined): string | undefined {
  return readString(fc, at, SLUG_RULE);
}

/** Tracks ids and reports duplicates, naming the first occurrence. */
export class IdSet {
  private readonly seen = new Map<string, At>();
  constructor(
    private readonly fc: FileCheck,
    private readonly what: string,
  ) {}

  add(id: string | undefined, at: At | undefined): boolean {
    if (id === undefined || !at) return false;
    const first = this.seen.get(id);
    if (first) {
      this.fc.issue(at.path, `duplicate ${this.what} "${id}" (first used at line ${first.line ?? '?'}, ${first.path})`, at.line);
      return false;
    }
    this.seen.set(id, at);
    return true;
  }

  has(id: string): boolean {
    return this.seen.has(id);
  }

  ids(): string[] {
    return [...this.seen.keys()];
  }
}
