/** Where the repository is, and how paths inside it are shown in messages (relative to its root). */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where bin/compiled-sources.mjs keeps its JavaScript copies of the sources. */
const COMPILED_COPIES = `${path.sep}${path.join('node_modules', '.cache', 'govpub', 'js')}${path.sep}`;

function findRepoRoot(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  // Running from a copy: the copy names the sources it was made from. (Not its own ancestors:
  // Node loads modules by their real path, so a node_modules that is a symlink to another
  // checkout's would point there.)
  const copyAt = here.lastIndexOf(COMPILED_COPIES);
  if (copyAt >= 0) {
    const copy = here.slice(0, copyAt + COMPILED_COPIES.length) + here.slice(copyAt + COMPILED_COPIES.length).split(path.sep)[0];
    return readFileSync(path.join(copy, '.source-root'), 'utf8');
  }
  // Nearest ancestor of this module holding package.json (works from the sources and from dist/).
  let dir = here;
  for (;;) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return path.resolve(here, '..');
    dir = parent;
  }
}

export const REPO_ROOT = findRepoRoot();

/** A path as shown in messages: relative to the repository root when inside it. */
export function displayPath(file: string): string {
  const abs = path.resolve(file);
  const rel = path.relative(REPO_ROOT, abs);
  if (rel && !rel.startsWith('..') && !path.isAbsolute(rel)) return rel.split(path.sep).join('/');
  return abs;
}
