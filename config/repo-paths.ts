/** Where the repository is, and how paths inside it are shown in messages (relative to its root). */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where bin/compiled-sources.mjs keeps its JavaScript copies of the sources, inside the repository. */
const COMPILED_COPIES = path.join('node_modules', '.cache', 'govpub', 'js');

function findRepoRoot(): string {
  // Nearest ancestor of this module holding package.json (works from the sources and from dist/).
  // From a copy, the search starts above it: the copy has a package.json of its own.
  const here = path.dirname(fileURLToPath(import.meta.url));
  const copyAt = here.lastIndexOf(`${path.sep}${COMPILED_COPIES}${path.sep}`);
  let dir = copyAt > 0 ? here.slice(0, copyAt) : here;
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
