/**
 * The documentation stays true to the code a newcomer reads it for: the README's configuration
 * table names every environment variable govpub reads (and only those), and every relative link
 * and heading anchor in the repository's Markdown leads somewhere.
 */
import { readdir, readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSettings, ROOT_DIR } from '../../config/settings.js';

/** An environment that answers from `values` and remembers every name asked for. */
function recordingEnv(values: Record<string, string>): { env: NodeJS.ProcessEnv; read: Set<string> } {
  const read = new Set<string>();
  const env = new Proxy({} as NodeJS.ProcessEnv, {
    get(_target, name) {
      if (typeof name !== 'string') return undefined;
      read.add(name);
      return values[name];
    },
    has(_target, name) {
      if (typeof name === 'string') read.add(name);
      return typeof name === 'string' && name in values;
    },
  });
  return { env, read };
}

/** The lines of the README's configuration table. */
async function configurationTable(): Promise<string> {
  const readme = await readFile(path.join(ROOT_DIR, 'README.md'), 'utf8');
  const section = /^## Configuration$([\s\S]*?)^#{2,3} /m.exec(readme)?.[1] ?? '';
  return section
    .split('\n')
    .filter((line) => line.startsWith('|'))
    .join('\n');
}

/** The variables the table's rows are about: the backticked names in each row's first cell. */
function tableVariables(table: string): string[] {
  return table
    .split('\n')
    .slice(2)
    .flatMap((row) => [...(row.split('|')[1] ?? '').matchAll(/`([A-Z][A-Z0-9_<>]*)`/g)].map((m) => m[1]!));
}

/** Source files (TypeScript, .mjs, Vue) under the repository, without dependencies and build output. */
async function sourceFiles(dir = ROOT_DIR): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (['node_modules', 'dist', '.git', '.govpub'].includes(entry.name)) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await sourceFiles(full)));
    else if (/\.(ts|mjs|vue)$/.test(entry.name)) files.push(full);
  }
  return files;
}

/** govpub's own variables a file reads: `env.NAME`, `env['NAME']`, or a helper given `(env, 'NAME'`. */
function variablesReadIn(source: string): string[] {
  const name = '((?:GOVPUB|TEMPORAL)_[A-Z0-9_]*[A-Z0-9])';
  const patterns = [new RegExp(`env\\??\\.${name}\\b`, 'g'), new RegExp(`env\\[['"]${name}['"]\\]`, 'g'), new RegExp(`\\(env, ['"]${name}['"]`, 'g')];
  return patterns.flatMap((pattern) => [...source.matchAll(pattern)].map((m) => m[1]!));
}

describe('README: the configuration table', () => {
  it('lists every variable the settings loader reads', async () => {
    // Twice: the SMTP and webhook variables are read only once a host or URL is given.
    const unset = recordingEnv({});
    loadSettings(unset.env);
    const withNotices = recordingEnv({
      GOVPUB_SMTP_HOST: 'smtp.example.gov.cn',
      GOVPUB_SMTP_FROM: 'govpub@example.gov.cn',
      GOVPUB_SMTP_USER: 'govpub',
      GOVPUB_SMTP_PASSWORD_SECRET: 'SMTP_PASSWORD',
      GOVPUB_NOTIFY_WEBHOOK_URL: 'https://hooks.example.gov.cn/govpub',
      GOVPUB_NOTIFY_WEBHOOK_SECRET: 'WEBHOOK_SIGNING_KEY',
    });
    loadSettings(withNotices.env);
    const read = new Set([...unset.read, ...withNotices.read]);
    expect(read).toContain('GOVPUB_DATA_DIR');

    const table = await configurationTable();
    expect(tableVariables(table).length, 'the Configuration section has its table').toBeGreaterThan(20);
    // A name mentioned anywhere in the table counts (XDG_CACHE_HOME appears in a default).
    expect([...read].filter((name) => !new RegExp(`\\b${name}\\b`).test(table))).toEqual([]);
  });

  it('lists every govpub variable any process reads, and only variables something reads', async () => {
    // Each variable with a file that reads it, one outside test/ when there is one.
    const readInCode = new Map<string, string>();
    for (const file of await sourceFiles()) {
      const relative = path.relative(ROOT_DIR, file);
      for (const name of variablesReadIn(await readFile(file, 'utf8'))) {
        if (!readInCode.has(name) || readInCode.get(name)!.startsWith('test/')) readInCode.set(name, relative);
      }
    }
    const { env, read } = recordingEnv({});
    loadSettings(env);
    const table = await configurationTable();
    const listed = tableVariables(table);

    const undocumented = [...readInCode]
      .filter(([name, file]) => !file.startsWith('test/') || name === 'GOVPUB_TEST_DATABASE_URL')
      .filter(([name]) => !listed.includes(name))
      .map(([name, file]) => `${name} (read in ${file})`);
    expect(undocumented).toEqual([]);

    // GOVPUB_<PLATFORM>_BASE_URL is built from the platform's name (config/platforms.ts).
    const unread = listed.filter((name) => !name.includes('<') && !readInCode.has(name) && !read.has(name));
    expect(unread).toEqual([]);
  });
});

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
function anchorOf(heading: string): string {
  return heading
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\p{M}\s_-]/gu, '')
    .trim()
    .replace(/\s/g, '-');
}

/** Markdown without its fenced code blocks, where `](…)` is code, not a link. */
function withoutCodeBlocks(markdown: string): string {
  return markdown.replace(/^(```|~~~)[\s\S]*?^\1/gm, '');
}

function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const m of withoutCodeBlocks(markdown).matchAll(/^#{1,6}\s+(.*?)\s*#*\s*$/gm)) {
    const anchor = anchorOf(m[1]!);
    const times = seen.get(anchor) ?? 0;
    seen.set(anchor, times + 1);
    anchors.add(times === 0 ? anchor : `${anchor}-${times}`);
  }
  return anchors;
}

async function markdownFiles(dir = ROOT_DIR): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (['node_modules', 'dist', '.git', '.govpub'].includes(entry.name)) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await markdownFiles(full)));
    else if (entry.name.endsWith('.md')) files.push(full);
  }
  return files;
}

describe('Markdown links', () => {
  it('every relative link and heading anchor in the repository resolves', async () => {
    const files = await markdownFiles();
    expect(files.map((file) => path.relative(ROOT_DIR, file))).toEqual(expect.arrayContaining(['README.md', 'ARCHITECTURE.md', 'docs/metrics.md']));
    const broken: string[] = [];
    let checked = 0;
    for (const file of files) {
      const text = withoutCodeBlocks(await readFile(file, 'utf8'));
      for (const [, link] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z][a-z0-9+.-]*:/i.test(link!)) continue;
        const [target, anchor] = link!.split('#') as [string, string | undefined];
        const targetPath = target ? path.resolve(path.dirname(file), decodeURIComponent(target)) : file;
        // Links out of the repository (the shared domain brief beside it) are not the repository's to keep.
        if (!targetPath.startsWith(ROOT_DIR + path.sep)) continue;
        checked += 1;
        const where = `${path.relative(ROOT_DIR, file)}: (${link})`;
        if (!existsSync(targetPath)) broken.push(`${where} names no file`);
        else if (anchor && targetPath.endsWith('.md') && !anchorsOf(await readFile(targetPath, 'utf8')).has(anchor))
          broken.push(`${where} names no heading of ${path.relative(ROOT_DIR, targetPath)}`);
      }
    }
    expect(checked).toBeGreaterThan(10);
    expect(broken).toEqual([]);
  });
});
