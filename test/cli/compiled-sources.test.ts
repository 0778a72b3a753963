/**
 * bin/compiled-sources.mjs: the JavaScript copy `govpub` runs its TypeScript sources from. A copy is
 * made when the sources change and only then, several commands starting at once agree on one, a
 * source esbuild cannot read falls back to tsx, and every module a command can load is in it.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT_DIR } from '../../config/settings.js';
import { REPO_ROOT } from '../../config/repo-paths.js';
import { runCli } from '../support/cli.js';
import { moduleGraph } from '../support/module-graph.js';

const run = promisify(execFile);
const MODULE = pathToFileURL(path.join(ROOT_DIR, 'bin', 'compiled-sources.mjs')).href;

interface CompiledSources {
  compiledSources(root?: string, options?: { dirs?: string[]; env?: Record<string, string | undefined> }): Promise<string | null>;
  listSources(root?: string, dirs?: string[]): string[];
  sourcesState(root: string, files: string[], esbuildVersion: string, bundled?: string[]): string;
  bundledPackageVersions(root: string): string[];
  BUNDLED_PACKAGES: string[];
  SOURCE_DIRS: string[];
}
let compiled: CompiledSources;

/** A small project shaped like govpub: package.json, tsconfig.json, esbuild in its node_modules, two sources. */
let project: string;
const copies = () => fs.readdirSync(path.join(project, 'node_modules', '.cache', 'govpub', 'js'));

beforeAll(async () => {
  compiled = (await import(MODULE)) as CompiledSources;
  project = fs.mkdtempSync(path.join(os.tmpdir(), 'govpub-compiled-'));
  fs.writeFileSync(path.join(project, 'package.json'), '{ "name": "project", "type": "module" }\n');
  fs.writeFileSync(path.join(project, 'tsconfig.json'), '{ "compilerOptions": { "target": "ES2022" } }\n');
  fs.mkdirSync(path.join(project, 'node_modules'));
  fs.symlinkSync(path.join(ROOT_DIR, 'node_modules', 'esbuild'), path.join(project, 'node_modules', 'esbuild'));
  fs.mkdirSync(path.join(project, 'cli'));
  fs.mkdirSync(path.join(project, 'domain'));
  fs.writeFileSync(path.join(project, 'domain', 'greeting.ts'), "export type Greeting = string;\nexport const greeting: Greeting = '你好';\n");
  // govpub's own module that finds the repository, which must find this project from its copy.
  fs.mkdirSync(path.join(project, 'config'));
  fs.copyFileSync(path.join(ROOT_DIR, 'config', 'repo-paths.ts'), path.join(project, 'config', 'repo-paths.ts'));
  writeMain('v1');
});

afterAll(() => {
  fs.rmSync(project, { recursive: true, force: true });
});

function writeMain(version: string): void {
  fs.writeFileSync(
    path.join(project, 'cli', 'main.ts'),
    [
      "import { greeting } from '../domain/greeting.js';",
      'class Counter {',
      '  count = 0;',
      '}',
      `export const version: string = '${version}';`,
      'export function hello(): string {',
      '  return `${greeting} ${new Counter().count}`;',
      '}',
      'export function fail(): never {',
      "  throw new Error('from the sources');",
      '}',
      '',
    ].join('\n'),
  );
}

const DIRS = ['cli', 'config', 'domain'];

describe('the copy of a project', () => {
  it('is made once per state of the sources, runs like them, and names the .ts file in stack traces', async () => {
    const first = await compiled.compiledSources(project, { dirs: DIRS, env: {} });
    expect(first).toBe(path.join(project, 'node_modules', '.cache', 'govpub', 'js', path.basename(first!)));
    expect(fs.readdirSync(path.join(first!, 'cli'))).toEqual(['main.js']);
    const main = await import(pathToFileURL(path.join(first!, 'cli', 'main.js')).href);
    expect(main.version).toBe('v1');
    expect(main.hello()).toBe('你好 0');
    // The same sources: the same copy, not made again.
    const made = fs.statSync(path.join(first!, '.complete')).mtimeMs;
    expect(await compiled.compiledSources(project, { dirs: DIRS, env: {} })).toBe(first);
    expect(fs.statSync(path.join(first!, '.complete')).mtimeMs).toBe(made);

    const paths = await import(pathToFileURL(path.join(first!, 'config', 'repo-paths.js')).href);
    expect(paths.REPO_ROOT).toBe(project);

    const thrown = await run(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `process.setSourceMapsEnabled(true); const m = await import(${JSON.stringify(pathToFileURL(path.join(first!, 'cli', 'main.js')).href)}); try { m.fail(); } catch (e) { console.log(e.stack); }`,
      ],
      { cwd: project },
    );
    expect(thrown.stdout).toContain(`${path.join(project, 'cli', 'main.ts')}:10:`);
  });

  it('an edited source makes a new copy; the older one stays for processes still running from it', async () => {
    const before = await compiled.compiledSources(project, { dirs: DIRS, env: {} });
    writeMain('v2, edited');
    const after = await compiled.compiledSources(project, { dirs: DIRS, env: {} });
    expect(after).not.toBe(before);
    expect((await import(pathToFileURL(path.join(after!, 'cli', 'main.js')).href)).version).toBe('v2, edited');
    expect(copies()).toEqual(expect.arrayContaining([path.basename(before!), path.basename(after!)]));
    // Touched without a change of content still counts as changed (modification times are compared, not contents).
    const later = new Date(Date.now() + 5_000);
    fs.utimesSync(path.join(project, 'domain', 'greeting.ts'), later, later);
    expect(await compiled.compiledSources(project, { dirs: DIRS, env: {} })).not.toBe(after);
  });

  it('a checkout whose node_modules is a symlink to another one: its copy still knows its own sources', async () => {
    const other = fs.mkdtempSync(path.join(os.tmpdir(), 'govpub-compiled-linked-'));
    try {
      for (const entry of ['package.json', 'tsconfig.json', 'cli', 'config', 'domain'])
        fs.cpSync(path.join(project, entry), path.join(other, entry), { recursive: true });
      fs.symlinkSync(path.join(project, 'node_modules'), path.join(other, 'node_modules'));
      const copy = await compiled.compiledSources(other, { dirs: DIRS, env: {} });
      // Node loads the copy by its real path, inside the first project's node_modules.
      const real = fs.realpathSync(copy!);
      expect(real.startsWith(fs.realpathSync(project))).toBe(true);
      const { stdout } = await run(process.execPath, [
        '--input-type=module',
        '-e',
        `const m = await import(${JSON.stringify(pathToFileURL(path.join(copy!, 'config', 'repo-paths.js')).href)}); console.log(m.REPO_ROOT);`,
      ]);
      expect(stdout.trim()).toBe(other);
    } finally {
      fs.rmSync(other, { recursive: true, force: true });
    }
  });

  it('several commands starting at once on changed sources agree on one copy and leave nothing half-made', async () => {
    writeMain('v3, at once');
    const script = `const m = await import(${JSON.stringify(MODULE)}); console.log(await m.compiledSources(${JSON.stringify(project)}, { dirs: ${JSON.stringify(DIRS)}, env: {} }));`;
    const answers = await Promise.all(Array.from({ length: 6 }, () => run(process.execPath, ['--input-type=module', '-e', script])));
    const folders = new Set(answers.map((a) => a.stdout.trim()));
    expect(folders.size).toBe(1);
    const [folder] = [...folders];
    expect(fs.existsSync(path.join(folder!, '.complete'))).toBe(true);
    expect(copies().filter((name) => name.startsWith('.making-'))).toEqual([]);
  });

  it('a source esbuild cannot read, or GOVPUB_COMPILED_SOURCES=off: no copy (the sources run through tsx)', async () => {
    expect(await compiled.compiledSources(project, { dirs: DIRS, env: { GOVPUB_COMPILED_SOURCES: 'off' } })).toBeNull();
    const count = copies().length;
    fs.writeFileSync(path.join(project, 'domain', 'broken.ts'), 'export const = ;\n');
    expect(await compiled.compiledSources(project, { dirs: DIRS, env: {} })).toBeNull();
    expect(copies()).toHaveLength(count);
    fs.rmSync(path.join(project, 'domain', 'broken.ts'));
  });

  it('a value the switch does not know is refused by name (maybe, OFF and 0 ran as on, unsaid)', async () => {
    for (const value of ['maybe', 'OFF', '0']) {
      const refused = await runCli(['wording', 'check'], { GOVPUB_COMPILED_SOURCES: value });
      expect(refused.code, value).toBe(1);
      expect(refused.stderr).toBe(
        `govpub: GOVPUB_COMPILED_SOURCES=${value} must be on or off (off runs the TypeScript sources through tsx); unset it for the default, on.\n`,
      );
    }
  });
});

describe("govpub's own copy", () => {
  it('holds every module a command can load, static or dynamic import alike', async () => {
    const inputs = await moduleGraph('cli/main.ts');
    const reachable = Object.keys(inputs).filter((file) => file.endsWith('.ts'));
    expect(reachable.length).toBeGreaterThan(300);
    const listed = new Set(compiled.listSources(ROOT_DIR));
    expect(reachable.filter((file) => !listed.has(file))).toEqual([]);
  });

  it('a govpub command runs from it, and finds the repository from there', async () => {
    const result = await runCli(['config', 'check']);
    expect(result.stderr).not.toMatch(/unexpected error/);
    const files = compiled.listSources(ROOT_DIR);
    const { version } = (await import('esbuild')) as { version: string };
    const bundled = compiled.bundledPackageVersions(ROOT_DIR);
    const copy = path.join(ROOT_DIR, 'node_modules', '.cache', 'govpub', 'js', compiled.sourcesState(ROOT_DIR, files, version, bundled));
    expect(fs.existsSync(path.join(copy, '.complete'))).toBe(true);
    // The copy's settings module resolves the repository root, not the copy's folder.
    const { stdout } = await run(process.execPath, [
      '--input-type=module',
      '-e',
      `const s = await import(${JSON.stringify(pathToFileURL(path.join(copy, 'config', 'settings.js')).href)}); console.log(s.ROOT_DIR);`,
    ]);
    expect(stdout.trim()).toBe(REPO_ROOT);
  });

  it('holds kysely, typebox and axios bundled, one file each, which its modules load instead of the installed ones', async () => {
    expect((await runCli(['--version'])).code).toBe(0);
    const files = compiled.listSources(ROOT_DIR);
    const { version } = (await import('esbuild')) as { version: string };
    const bundled = compiled.bundledPackageVersions(ROOT_DIR);
    expect(bundled.map((p) => p.slice(0, p.lastIndexOf('@')))).toEqual(compiled.BUNDLED_PACKAGES);
    const copy = path.join(ROOT_DIR, 'node_modules', '.cache', 'govpub', 'js', compiled.sourcesState(ROOT_DIR, files, version, bundled));
    expect(fs.readFileSync(path.join(copy, '.complete'), 'utf8')).toContain(`bundled: ${bundled.join(', ')}`);
    expect(fs.readFileSync(path.join(copy, '.complete'), 'utf8')).not.toContain('not bundled');
    // Each bundle works as the installed package does: kysely's query builder, typebox's types, axios's default export.
    const script = [
      `const kysely = await import(${JSON.stringify(pathToFileURL(path.join(copy, 'node_modules', 'kysely', 'index.js')).href)});`,
      `const typebox = await import(${JSON.stringify(pathToFileURL(path.join(copy, 'node_modules', 'typebox', 'index.js')).href)});`,
      `const axios = await import(${JSON.stringify(pathToFileURL(path.join(copy, 'node_modules', 'axios', 'index.js')).href)});`,
      "const query = new kysely.Kysely({ dialect: new kysely.PostgresDialect({ pool: {} }) }).selectFrom('packages').select('id').where('id', '=', 'p1').compile();",
      'console.log(JSON.stringify({ sql: query.sql, schema: typebox.Type.Object({ a: typebox.Type.String() }).type, axios: typeof axios.default.create }));',
    ].join('\n');
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script]);
    expect(JSON.parse(stdout)).toEqual({ sql: 'select "id" from "packages" where "id" = $1', schema: 'object', axios: 'function' });
    // The copy's modules resolve the bare names to the bundles: Node looks in the copy's node_modules first.
    const resolved = await run(process.execPath, [
      '--input-type=module',
      '-e',
      `import { createRequire } from 'node:module'; const r = createRequire(${JSON.stringify(path.join(copy, 'db', 'x.js'))}); console.log(['kysely', 'typebox', 'axios'].map((n) => r.resolve(n)).join('\\n'));`,
    ]);
    expect(resolved.stdout.trim().split('\n')).toEqual(['kysely', 'typebox', 'axios'].map((n) => path.join(copy, 'node_modules', n, 'index.js')));
  });
});

describe('a package the copy cannot bundle', () => {
  it('loads as installed, and the copy says why in its .complete file', async () => {
    const other = fs.mkdtempSync(path.join(os.tmpdir(), 'govpub-compiled-bundle-'));
    try {
      for (const entry of ['package.json', 'tsconfig.json', 'cli', 'config', 'domain'])
        fs.cpSync(path.join(project, entry), path.join(other, entry), { recursive: true });
      fs.mkdirSync(path.join(other, 'node_modules'));
      fs.symlinkSync(path.join(ROOT_DIR, 'node_modules', 'esbuild'), path.join(other, 'node_modules', 'esbuild'));
      // A "kysely" that imports itself by name: bundled alone it would be loaded twice.
      const fake = path.join(other, 'node_modules', 'kysely');
      fs.mkdirSync(fake);
      fs.writeFileSync(
        path.join(fake, 'package.json'),
        '{ "name": "kysely", "version": "9.9.9", "type": "module", "exports": { ".": "./index.js", "./more": "./more.js" } }\n',
      );
      fs.writeFileSync(path.join(fake, 'index.js'), "export { more } from 'kysely/more';\nexport const kind = 'installed';\n");
      fs.writeFileSync(path.join(fake, 'more.js'), 'export const more = 1;\n');
      fs.appendFileSync(path.join(other, 'cli', 'main.ts'), "export { kind, more } from 'kysely';\n");
      const copy = await compiled.compiledSources(other, { dirs: DIRS, env: {} });
      expect(copy).not.toBeNull();
      expect(fs.readFileSync(path.join(copy!, '.complete'), 'utf8')).toMatch(/kysely@9\.9\.9 not bundled: kysely imports kysely\/more/);
      expect(fs.existsSync(path.join(copy!, 'node_modules', 'kysely'))).toBe(false);
      const main = await import(pathToFileURL(path.join(copy!, 'cli', 'main.js')).href);
      expect({ kind: main.kind, more: main.more }).toEqual({ kind: 'installed', more: 1 });
    } finally {
      fs.rmSync(other, { recursive: true, force: true });
    }
  });
});
