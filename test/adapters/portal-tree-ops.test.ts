/** The portal's whole-tree steps on their own thread: the same results as files.ts' linkTree and fs.rm. */
import { lstat, mkdir, mkdtemp, readlink, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyTreeLinks, removeTree } from '../../adapters/portal/tree-ops.js';

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
