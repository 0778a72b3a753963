// A JavaScript copy of govpub's TypeScript sources, made with esbuild the first time a `govpub`
// command runs after the sources changed, so that commands run without tsx's loader hooks.
//
// Why: on Node 20 tsx passes every module through hooks on a separate loader thread. A `govpub`
// command then spent about 1 s of CPU starting (0.3 s from the copy), and a worker or API process
// more; scripts and tests start hundreds of them. The copy is the same per-file esbuild transform
// tsx makes (tsx runs esbuild too), kept in one folder per state of the sources:
// node_modules/.cache/govpub/js/<state>/, <state> being a digest of every source file's path, size
// and modification time. Inside node_modules, packages resolve from the copy as from the sources.
//
// Three npm packages ship their ES modules as hundreds of small files (kysely 263, typebox 373,
// axios 66 loaded by a `govpub api`): Node resolving, reading and linking them cost 0.35-0.4 s of
// CPU each, in every process. The copy holds each of them bundled into one file (its own code only;
// what it imports from other packages stays an import), in a node_modules/ of the copy's own that
// the copy's modules resolve first. Tests and tsx runs load the packages as installed.
//
// Anything unusual (node_modules not writable, esbuild missing, a source esbuild cannot read)
// returns null, and bin/govpub.mjs runs the sources through tsx as before, which reports a
// syntax error in its own words. GOVPUB_COMPILED_SOURCES=off always runs the sources through tsx.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The folders holding code a `govpub` process may load (tests and benchmarks are not). */
export const SOURCE_DIRS = [
  'activities',
  'adapters',
  'api',
  'cli',
  'config',
  'contracts',
  'db',
  'domain',
  'media',
  'runtime',
  'services',
  'simulators',
  'web',
  'worker',
  'workflows',
];
/** Not loaded by a `govpub` process: the console's own sources (Vite builds them) and its build. */
const SKIPPED = new Set(['web/src', 'web/dist', 'web/vite.config.ts']);

/** Bumped when the way the copy is made changes, so that older copies are not used. */
const FORMAT = 3;
/** npm packages the copy holds bundled, one file each (see the top of this file). */
export const BUNDLED_PACKAGES = ['kysely', 'typebox', 'axios'];
/** Copies kept besides the newest (a running `govpub start` may still import from an older one). */
const KEEP_COPIES = 8;
/** A copy younger than this is never removed, however many newer ones there are. */
const KEEP_YOUNGER_THAN_MS = 24 * 60 * 60 * 1000;

/** Every `.ts` source (not `.d.ts`) under the source folders, as paths relative to `root`, sorted. */
export function listSources(root = REPO_ROOT, dirs = SOURCE_DIRS) {
  const files = [];
  const walk = (relative) => {
    let entries;
    try {
      entries = fs.readdirSync(path.join(root, relative), { withFileTypes: true });
    } catch (error) {
      if (error.code === 'ENOENT') return;
      throw error;
    }
    for (const entry of entries) {
      const child = path.posix.join(relative, entry.name);
      if (SKIPPED.has(child)) continue;
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules') walk(child);
      } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) files.push(child);
    }
  };
  for (const dir of dirs) walk(dir);
  return files.sort();
}

/** The installed version of each of BUNDLED_PACKAGES found from `root` (`name@version`). */
export function bundledPackageVersions(root) {
  const found = [];
  for (const name of BUNDLED_PACKAGES) {
    try {
      const { version } = JSON.parse(fs.readFileSync(path.join(root, 'node_modules', name, 'package.json'), 'utf8'));
      found.push(`${name}@${version}`);
    } catch {
      // Not installed here (a test's small project): nothing of it to bundle.
    }
  }
  return found;
}

/**
 * The digest naming a copy: the sources' paths, sizes and modification times, how it is made, and
 * the versions of the packages it bundles (an `npm install` of another kysely makes a new copy).
 */
export function sourcesState(root, files, esbuildVersion, bundled = []) {
  const hash = createHash('sha256').update(`govpub-js ${FORMAT} esbuild ${esbuildVersion} node ${process.versions.node} ${root} ${bundled.join(' ')}\n`);
  for (const file of files) {
    const stat = fs.statSync(path.join(root, file));
    hash.update(`${file}\0${stat.size}\0${stat.mtimeMs}\n`);
  }
  return hash.digest('hex').slice(0, 20);
}

/** The compiler options esbuild reads (target, class fields), from the project's tsconfig.json. */
function tsconfigRaw(root) {
  try {
    const options = JSON.parse(fs.readFileSync(path.join(root, 'tsconfig.json'), 'utf8')).compilerOptions ?? {};
    return {
      compilerOptions: { target: options.target, useDefineForClassFields: options.useDefineForClassFields, verbatimModuleSyntax: options.verbatimModuleSyntax },
    };
  } catch {
    return { compilerOptions: { target: 'ES2022' } };
  }
}

/**
 * The folder of an up-to-date JavaScript copy of `root`'s sources, made now if there is none, or
 * null when no copy can be used (then run the sources through tsx).
 */
export async function compiledSources(root = REPO_ROOT, { dirs = SOURCE_DIRS, env = process.env } = {}) {
  if (env.GOVPUB_COMPILED_SOURCES?.trim() === 'off') return null;
  try {
    const { createRequire } = await import('node:module');
    const require = createRequire(path.join(root, 'package.json'));
    const esbuild = require('esbuild');
    const files = listSources(root, dirs);
    if (files.length === 0) return null;
    const cacheDir = path.join(root, 'node_modules', '.cache', 'govpub', 'js');
    const bundled = bundledPackageVersions(root);
    const copy = path.join(cacheDir, sourcesState(root, files, esbuild.version, bundled));
    if (fs.existsSync(path.join(copy, '.complete'))) return copy;
    await makeCopy(esbuild, root, files, cacheDir, copy, bundled);
    try {
      pruneOldCopies(cacheDir, copy);
    } catch {
      // Tidying up is best effort: the copy just made is good whatever became of older ones.
    }
    return copy;
  } catch {
    return null;
  }
}

/** Writes the copy into a folder of this process's own, then renames it into place (another process may win). */
async function makeCopy(esbuild, root, files, cacheDir, copy, bundled) {
  fs.mkdirSync(cacheDir, { recursive: true });
  const staging = fs.mkdtempSync(path.join(cacheDir, `.making-${process.pid}-`));
  try {
    const raw = tsconfigRaw(root);
    // Every file settles before a failure is thrown: with Promise.all, the writes still in flight
    // after one transform failed re-created the staging folder (mkdir -p) once it was removed.
    const results = await Promise.allSettled(
      files.map(async (file) => {
        const source = path.join(root, file);
        const { code } = await esbuild.transform(await fs.promises.readFile(source, 'utf8'), {
          loader: 'ts',
          format: 'esm',
          platform: 'node',
          target: 'node20',
          tsconfigRaw: raw,
          // Stack traces name the .ts file and its line, as under tsx.
          sourcemap: 'inline',
          sourcesContent: false,
          sourcefile: source,
        });
        const target = path.join(staging, file.replace(/\.ts$/, '.js'));
        await fs.promises.mkdir(path.dirname(target), { recursive: true });
        await fs.promises.writeFile(target, code);
      }),
    );
    const failed = results.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
    // A package that cannot be bundled loads as installed (slower to start, the same code): the
    // reason is kept in the copy's .complete file.
    const madeBundles = [];
    const notBundled = [];
    for (const nameAtVersion of bundled) {
      const name = nameAtVersion.slice(0, nameAtVersion.lastIndexOf('@'));
      try {
        await bundlePackage(esbuild, root, staging, name);
        madeBundles.push(nameAtVersion);
      } catch (error) {
        fs.rmSync(path.join(staging, 'node_modules', name), { recursive: true, force: true });
        notBundled.push(`${nameAtVersion} not bundled: ${error.message}`);
      }
    }
    // The copy's folder has no package.json: "type": "module" comes from one beside it.
    fs.writeFileSync(path.join(staging, 'package.json'), '{ "type": "module", "private": true }\n');
    // Where the sources are (config/repo-paths.ts reads it): the copy may be reached through a
    // symlinked node_modules, and Node names modules by their real path.
    fs.writeFileSync(path.join(staging, '.source-root'), root);
    const notes = [...(madeBundles.length > 0 ? [`bundled: ${madeBundles.join(', ')}`] : []), ...notBundled];
    fs.writeFileSync(path.join(staging, '.complete'), `${files.length} files from ${root}\n${notes.map((note) => `${note}\n`).join('')}`);
    try {
      fs.renameSync(staging, copy);
    } catch (error) {
      // Another command made the same copy at the same time: use theirs.
      if (!fs.existsSync(path.join(copy, '.complete'))) throw error;
      fs.rmSync(staging, { recursive: true, force: true });
    }
  } catch (error) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw error;
  }
}

/**
 * `name`'s ES module entry and every file of its own it imports, as one module at
 * `<copy>/node_modules/<name>/index.js`. Imports of other packages and of Node's stay imports, so
 * they load as installed. A package that imports itself by name would be loaded twice: refused.
 */
async function bundlePackage(esbuild, root, staging, name) {
  const outdir = path.join(staging, 'node_modules', name);
  const result = await esbuild.build({
    entryPoints: ['govpub-bundled-entry'],
    absWorkingDir: root,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    outfile: path.join(outdir, 'index.js'),
    metafile: true,
    logLevel: 'silent',
    plugins: [
      {
        name: 'own-files-only',
        setup(build) {
          // The package's own ES module entry, as an `import` from the project resolves it.
          build.onResolve({ filter: /^govpub-bundled-entry$/ }, async () => {
            const resolved = await build.resolve(name, { kind: 'import-statement', resolveDir: root, pluginData: { entry: true } });
            if (resolved.errors.length > 0) throw new Error(`${name}: ${resolved.errors[0].text}`);
            return { path: resolved.path };
          });
          // Any other package (and Node's own modules) stays an import.
          build.onResolve({ filter: /^[^./]/ }, (args) => (args.pluginData?.entry ? undefined : { path: args.path, external: true }));
        },
      },
    ],
  });
  const selfImports = Object.values(result.metafile.outputs)
    .flatMap((output) => output.imports)
    .filter((imported) => imported.external && (imported.path === name || imported.path.startsWith(`${name}/`)));
  if (selfImports.length > 0) throw new Error(`${name} imports ${selfImports[0].path}: it cannot be bundled on its own`);
  fs.writeFileSync(
    path.join(outdir, 'package.json'),
    `${JSON.stringify({ name, private: true, type: 'module', exports: { '.': './index.js' }, comment: 'bundled by bin/compiled-sources.mjs' })}\n`,
  );
}

/** Removes copies beyond the newest KEEP_COPIES that are older than a day, and abandoned half-made ones. */
function pruneOldCopies(cacheDir, current) {
  const now = Date.now();
  const copies = [];
  for (const name of fs.readdirSync(cacheDir)) {
    const full = path.join(cacheDir, name);
    if (full === current) continue;
    let made;
    try {
      made = fs.statSync(full).mtimeMs;
    } catch {
      continue;
    }
    if (name.startsWith('.making-')) {
      if (now - made > 60 * 60 * 1000) fs.rmSync(full, { recursive: true, force: true });
    } else copies.push({ full, made });
  }
  copies.sort((a, b) => b.made - a.made);
  for (const { full, made } of copies.slice(KEEP_COPIES)) {
    if (now - made > KEEP_YOUNGER_THAN_MS) fs.rmSync(full, { recursive: true, force: true });
  }
}
