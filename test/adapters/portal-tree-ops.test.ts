/** The portal's file-system steps on their own thread: the same results as files.ts' linkTree and fs.rm, and as the steps done here. */
import { link, lstat, mkdir, mkdtemp, readFile, readlink, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyBuildSteps, applyStepsHere, BuildBatch, copyTreeLinks, removeTree, type BuildStep } from '../../adapters/portal/tree-ops.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'govpub-tree-'));
  const from = path.join(dir, 'gen-1');
  await mkdir(path.join(from, 'col'), { recursive: true });
  await mkdir(path.join(from, 'art', 'deep'), { recursive: true });
  await writeFile(path.join(from, 'index.html'), '<h1>首页</h1>');
  await writeFile(path.join(from, 'art', 'deep', 'page.html'), 'p');
  await writeFile(path.join(from, 'skip-me.json'), '{}');
  for (let i = 0; i < 300; i++) await symlink(`../store/col-${i}.g1`, path.join(from, 'col', `c${i}`));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("the portal's tree thread", () => {
  it('copies a tree as hard links and symlinks, leaving out what it is told to skip', async () => {
    const from = path.join(dir, 'gen-1');
    const to = path.join(dir, 'build-a');
    await copyTreeLinks(from, to, ['skip-me.json']);
    expect((await stat(path.join(to, 'index.html'))).ino).toBe((await stat(path.join(from, 'index.html'))).ino);
    expect((await stat(path.join(to, 'art', 'deep', 'page.html'))).ino).toBe((await stat(path.join(from, 'art', 'deep', 'page.html'))).ino);
    expect((await readdir(path.join(to, 'col'))).length).toBe(300);
    expect((await lstat(path.join(to, 'col', 'c7'))).isSymbolicLink()).toBe(true);
    expect(await readlink(path.join(to, 'col', 'c7'))).toBe('../store/col-7.g1');
    await expect(stat(path.join(to, 'skip-me.json'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('removes a tree, and nothing there is not an error', async () => {
    const to = path.join(dir, 'build-b');
    await copyTreeLinks(path.join(dir, 'gen-1'), to);
    await removeTree(to);
    await expect(lstat(to)).rejects.toMatchObject({ code: 'ENOENT' });
    await removeTree(to);
    // The symlinks' targets were never followed: the source is whole.
    expect((await readdir(path.join(dir, 'gen-1', 'col'))).length).toBe(300);
  });

  it("answers a failure with the system's error code and path, for the caller's own classification", async () => {
    await expect(copyTreeLinks(path.join(dir, 'no-such-generation'), path.join(dir, 'build-c'))).rejects.toMatchObject({
      code: 'ENOENT',
      path: path.join(dir, 'no-such-generation'),
    });
    // An existing target entry: EEXIST, as linkTree would answer.
    await copyTreeLinks(path.join(dir, 'gen-1'), path.join(dir, 'build-d'));
    await expect(copyTreeLinks(path.join(dir, 'gen-1'), path.join(dir, 'build-d'))).rejects.toMatchObject({ code: 'EEXIST' });
  });

  it('runs many requests at once, each answered once', async () => {
    await Promise.all(Array.from({ length: 6 }, (_, i) => copyTreeLinks(path.join(dir, 'gen-1'), path.join(dir, `many-${i}`))));
    for (let i = 0; i < 6; i++) expect((await readdir(path.join(dir, `many-${i}`, 'col'))).length).toBe(300);
    await Promise.all(Array.from({ length: 6 }, (_, i) => removeTree(path.join(dir, `many-${i}`))));
    expect((await readdir(dir)).filter((n) => n.startsWith('many-'))).toEqual([]);
  });
});

describe("a commit's build steps", () => {
  /** Every entry under `root`: kind, link target or content, and whether it shares its inode with `shared`'s same path. */
  async function describeTree(root: string, shared?: string): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    const walk = async (rel: string) => {
      for (const name of (await readdir(path.join(root, rel))).sort()) {
        const r = rel ? `${rel}/${name}` : name;
        const p = path.join(root, r);
        const info = await lstat(p);
        if (info.isSymbolicLink()) out[r] = `-> ${await readlink(p)}`;
        else if (info.isDirectory()) {
          out[r] = 'dir';
          await walk(r);
        } else {
          const other = shared ? await stat(path.join(shared, r)).catch(() => null) : null;
          out[r] = `${await readFile(p, 'utf8')}${other?.ino === info.ino ? ' (shared)' : ''}`;
        }
      }
    };
    await walk('');
    return out;
  }

  /** A previous unit version, the objects a media unit links, and the steps of one build from them. */
  async function scene(base: string): Promise<{ steps: BuildStep[]; previous: string; unit: string; bucket: string }> {
    const previous = path.join(base, 'store', 'col', 'c1.g1');
    const objects = path.join(base, 'objects');
    await mkdir(previous, { recursive: true });
    await mkdir(objects, { recursive: true });
    await writeFile(path.join(previous, 'index.html'), 'old index');
    await writeFile(path.join(previous, 'list_1.html'), 'archived page');
    await writeFile(path.join(previous, '.state.json'), '{}');
    for (const name of ['a.webp', 'b.webp']) await writeFile(path.join(objects, name), name);
    const unit = path.join(base, 'store', 'col', 'c1.g2');
    const media = path.join(base, 'store', 'media', 'm1.g2');
    const bucket = path.join(base, 'store', 'art', 'empty.g2');
    const steps: BuildStep[] = [
      { op: 'rm', path: unit },
      { op: 'mkdir', path: path.dirname(unit) },
      { op: 'copy', from: previous, to: unit, skip: ['list_1.html'] },
      { op: 'link', from: path.join(previous, 'list_1.html'), to: path.join(unit, 'archive', 'list_1.html') },
      // Written through a fresh inode: the previous version keeps its own content.
      { op: 'write', path: path.join(unit, 'index.html'), data: 'new index', durable: true },
      { op: 'write', path: path.join(unit, 'deep', 'feed.xml'), data: new TextEncoder().encode('<rss/>'), durable: false },
      { op: 'mkdir', path: media },
      { op: 'write', path: path.join(media, 'c.webp'), data: 'stale', durable: false },
      { op: 'linkSet', dir: media, from: objects, names: ['a.webp', 'b.webp'] },
      { op: 'symlink', target: '../../store/col/c1.g2', path: path.join(base, 'gen', 'col', 'c1') },
      { op: 'mkdir', path: bucket },
      { op: 'rmdirIfEmpty', path: bucket },
      { op: 'rmdirIfEmpty', path: media },
    ];
    return { steps, previous, unit, bucket };
  }

  it('does each step in order, writes never through a shared inode, and answers the empty directories it removed', async () => {
    const base = await mkdtemp(path.join(dir, 'steps-'));
    const { steps, previous, unit, bucket } = await scene(base);
    const removed = await applyBuildSteps(steps);
    expect([...removed]).toEqual([bucket]);
    expect(await describeTree(unit, previous)).toEqual({
      '.state.json': '{} (shared)',
      archive: 'dir',
      'archive/list_1.html': 'archived page',
      deep: 'dir',
      'deep/feed.xml': '<rss/>',
      'index.html': 'new index',
    });
    expect(await readFile(path.join(previous, 'index.html'), 'utf8')).toBe('old index');
    expect(await describeTree(path.join(base, 'store', 'media', 'm1.g2'))).toEqual({ 'a.webp': 'a.webp', 'b.webp': 'b.webp' });
    expect((await stat(path.join(base, 'store', 'media', 'm1.g2', 'a.webp'))).nlink).toBe(2);
    expect(await readlink(path.join(base, 'gen', 'col', 'c1'))).toBe('../../store/col/c1.g2');
  });

  it('gives the same results on this thread, where no thread can be started', async () => {
    const onThread = await mkdtemp(path.join(dir, 'steps-thread-'));
    const here = await mkdtemp(path.join(dir, 'steps-here-'));
    const a = await scene(onThread);
    const b = await scene(here);
    const removedThere = await applyBuildSteps(a.steps);
    const removedHere = applyStepsHere(b.steps);
    expect(removedHere.map((d) => path.relative(here, d))).toEqual([...removedThere].map((d) => path.relative(onThread, d)));
    expect(await describeTree(here)).toEqual(await describeTree(onThread));
  });

  it("stops at the first failing step and answers the system's code and path; a write never replaces a directory", async () => {
    const base = await mkdtemp(path.join(dir, 'steps-fail-'));
    await mkdir(path.join(base, 'page.html'));
    await expect(
      applyBuildSteps([
        { op: 'write', path: path.join(base, 'first.html'), data: '1', durable: false },
        { op: 'link', from: path.join(base, 'missing.html'), to: path.join(base, 'copy.html') },
        { op: 'write', path: path.join(base, 'never.html'), data: '2', durable: false },
      ]),
    ).rejects.toMatchObject({ code: 'ENOENT', path: path.join(base, 'missing.html') });
    expect(await readdir(base)).toEqual(['first.html', 'page.html']);
    await expect(applyBuildSteps([{ op: 'write', path: path.join(base, 'page.html'), data: 'x', durable: false }])).rejects.toMatchObject({
      code: expect.stringMatching(/^E(ISDIR|RR_FS_EISDIR)$/),
    });
  });

  it('brings a recycled root to the current one: same inodes kept, what differs replaced, what is gone removed, skipped paths untouched', async () => {
    const results: Record<string, string>[] = [];
    for (const apply of [applyBuildSteps, applyStepsHere]) {
      const base = await mkdtemp(path.join(dir, 'sync-'));
      const from = path.join(base, 'gen-2');
      const to = path.join(base, 'recycled');
      await mkdir(path.join(from, 'sitemap'), { recursive: true });
      await writeFile(path.join(from, 'index.html'), 'home v2');
      await writeFile(path.join(from, 'feed.xml'), 'feed');
      await writeFile(path.join(from, 'sitemap', 'm1.xml'), 'month 1');
      await writeFile(path.join(from, 'was-a-dir.txt'), 'now a file');
      await symlink('../store/col/c1.g2', path.join(from, 'col-link'));
      await mkdir(path.join(to, 'sitemap'), { recursive: true });
      await mkdir(path.join(to, 'was-a-dir.txt'));
      await link(path.join(from, 'feed.xml'), path.join(to, 'feed.xml')); // already the same inode
      await writeFile(path.join(to, 'index.html'), 'home v1');
      await writeFile(path.join(to, 'sitemap', 'gone.xml'), 'old month');
      await symlink('../store/col/c1.g1', path.join(to, 'col-link'));
      await writeFile(path.join(to, 'unit'), 'a unit entry the caller handles');
      await apply([{ op: 'syncTree', from, to, skip: ['unit'] }]);
      const tree = await describeTree(to, from);
      results.push(tree);
      expect(tree).toEqual({
        'col-link': '-> ../store/col/c1.g2',
        'feed.xml': 'feed (shared)',
        'index.html': 'home v2 (shared)',
        sitemap: 'dir',
        'sitemap/m1.xml': 'month 1 (shared)',
        unit: 'a unit entry the caller handles',
        'was-a-dir.txt': 'now a file (shared)',
      });
    }
    expect(results[1]).toEqual(results[0]);
  });

  it('syncs durable writes in groups and leaves no file open, whether the batch succeeds or fails', async () => {
    const base = await mkdtemp(path.join(dir, 'steps-durable-'));
    const openFiles = async () => (await readdir('/proc/self/fd')).length;
    await applyBuildSteps([{ op: 'mkdir', path: base }]); // the thread is running before counting
    const before = await openFiles();
    // More files than one sync group (128): every one written in full.
    const many = Array.from({ length: 300 }, (_, i): BuildStep => ({
      op: 'write',
      path: path.join(base, 'ok', `p${i}.html`),
      data: `第${i}页`,
      durable: true,
    }));
    await applyBuildSteps(many);
    expect((await readdir(path.join(base, 'ok'))).length).toBe(300);
    expect(await readFile(path.join(base, 'ok', 'p299.html'), 'utf8')).toBe('第299页');
    expect(await openFiles()).toBe(before);
    const failing: BuildStep[] = [
      ...Array.from({ length: 5 }, (_, i): BuildStep => ({ op: 'write', path: path.join(base, 'bad', `p${i}.html`), data: 'x', durable: true })),
      { op: 'link', from: path.join(base, 'missing'), to: path.join(base, 'bad', 'link') },
    ];
    await expect(applyBuildSteps(failing)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await openFiles()).toBe(before);
  });

  it('sends a batch once it holds its byte limit, so a whole-site render is never held in memory at once', async () => {
    const base = await mkdtemp(path.join(dir, 'steps-batch-'));
    const batch = new BuildBatch(1_000);
    await batch.add({ op: 'write', path: path.join(base, 'a.html'), data: 'x'.repeat(600), durable: false });
    // Under the limit: queued, nothing on disk yet.
    await expect(stat(path.join(base, 'a.html'))).rejects.toMatchObject({ code: 'ENOENT' });
    await batch.add({ op: 'write', path: path.join(base, 'b.html'), data: 'y'.repeat(600), durable: false });
    // Over it: both sent, in order.
    expect((await readdir(base)).sort()).toEqual(['a.html', 'b.html']);
    await batch.add({ op: 'write', path: path.join(base, 'c.html'), data: '中文', durable: false }, { op: 'rmdirIfEmpty', path: base });
    await batch.flush();
    expect((await readdir(base)).sort()).toEqual(['a.html', 'b.html', 'c.html']);
    expect(batch.files).toBe(3);
    expect(batch.bytesWritten).toBe(1_200 + Buffer.byteLength('中文'));
    expect(batch.removedEmpty.size).toBe(0);
  });
});
