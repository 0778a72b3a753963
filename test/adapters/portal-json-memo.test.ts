/**
 * The portal's memo of parsed store files (adapters/portal/json-memo.ts): a file read again is not
 * parsed again, a file replaced or rewritten is, what a commit wrote is remembered as written, and
 * the memo stays within its size. Then, on a real site: after an operator rolls `current` back, the
 * next commits reuse the abandoned generation's number (and so its store names) and still build on
 * what is live.
 */
import { mkdtemp, rename, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { JsonFileMemo } from '../../adapters/portal/json-memo.js';
import { DEFAULT_TUNING, PortalSite } from '../../adapters/portal/site.js';
import { colUnit } from '../../adapters/portal/state.js';
import { fixtureColumns, fixtureCover, fixturePackage, fixtureSettings, seededRandom } from './portal-site-fixtures.js';

const tempDir = () => mkdtemp(path.join(os.tmpdir(), 'govpub-json-memo-'));

describe('JsonFileMemo', () => {
  it('parses a file once while it stays the same file, and again once it is replaced or rewritten', async () => {
    const dir = await tempDir();
    const file = path.join(dir, '.state.json');
    await writeFile(file, JSON.stringify({ entries: { a: 1 } }));
    const memo = new JsonFileMemo(1024 * 1024);
    const first = await memo.read<{ entries: Record<string, number> }>(file);
    expect(first).toEqual({ entries: { a: 1 } });
    expect(await memo.read(file)).toBe(first);
    expect({ hits: memo.hits, misses: memo.misses }).toEqual({ hits: 1, misses: 1 });
    // Shared by every reader: frozen, so a reader that changed it would throw instead.
    expect(() => {
      first!.entries.b = 2;
    }).toThrow(TypeError);

    // Replaced by another file of the same length (a rename over it): read anew.
    await writeFile(`${file}.new`, JSON.stringify({ entries: { z: 9 } }));
    await rename(`${file}.new`, file);
    expect(await memo.read(file)).toEqual({ entries: { z: 9 } });
    // Rewritten in place, the same length again: the change time differs, read anew.
    await new Promise((resolve) => setTimeout(resolve, 5));
    await writeFile(file, JSON.stringify({ entries: { y: 8 } }));
    expect(await memo.read(file)).toEqual({ entries: { y: 8 } });
    expect(memo.misses).toBe(3);
  });

  it('answers null for a file that is not there, and throws for one that does not parse (nothing remembered)', async () => {
    const dir = await tempDir();
    const memo = new JsonFileMemo(1024);
    expect(await memo.read(path.join(dir, 'missing.json'))).toBeNull();
    expect(await memo.read(path.join(dir, 'missing', 'below.json'))).toBeNull();
    await writeFile(path.join(dir, 'half.json'), '{"entries": ');
    await expect(memo.read(path.join(dir, 'half.json'))).rejects.toThrow(SyntaxError);
    await writeFile(path.join(dir, 'half.json'), '{"entries": {}}');
    expect(await memo.read(path.join(dir, 'half.json'))).toEqual({ entries: {} });
  });

  it('remembers what the caller wrote, as written, until the file changes', async () => {
    const dir = await tempDir();
    const file = path.join(dir, '.state.json');
    const written = { entries: { a: { title: '通知' } } };
    await writeFile(file, JSON.stringify(written));
    const memo = new JsonFileMemo(1024 * 1024);
    await memo.wrote(file, written);
    expect(await memo.read(file)).toBe(written);
    expect(Object.isFrozen(written.entries.a)).toBe(true);
    expect({ hits: memo.hits, misses: memo.misses }).toEqual({ hits: 1, misses: 0 });
    await writeFile(`${file}.new`, JSON.stringify({ entries: {} }));
    await rename(`${file}.new`, file);
    expect(await memo.read(file)).toEqual({ entries: {} });
    // A file that is gone by then is not remembered.
    await memo.wrote(path.join(dir, 'gone.json'), { entries: {} });
    expect(await memo.read(path.join(dir, 'gone.json'))).toBeNull();
  });

  it('keeps at most its size, dropping the least recently read first', async () => {
    const dir = await tempDir();
    const files = await Promise.all(
      ['a', 'b', 'c'].map(async (name) => {
        const file = path.join(dir, `${name}.json`);
        await writeFile(file, JSON.stringify({ name, pad: 'x'.repeat(80) }));
        return file;
      }),
    );
    const memo = new JsonFileMemo(250); // two files of ≈ 100 bytes, not three
    await memo.read(files[0]!);
    await memo.read(files[1]!);
    await memo.read(files[0]!); // a is now the most recently read
    await memo.read(files[2]!); // c comes in, b (least recent) goes
    const hitsBefore = memo.hits;
    await memo.read(files[0]!);
    await memo.read(files[2]!);
    expect(memo.hits - hitsBefore).toBe(2);
    const missesBefore = memo.misses;
    await memo.read(files[1]!);
    expect(memo.misses - missesBefore).toBe(1);
    // A file larger than the whole memo is read, never remembered.
    const big = path.join(dir, 'big.json');
    await writeFile(big, JSON.stringify({ pad: 'x'.repeat(400) }));
    await memo.read(big);
    await memo.read(big);
    expect(memo.misses - missesBefore).toBe(3);
  });
});

describe('a site whose operator rolled current back', () => {
  it('builds the next generations on what is live, though they reuse the abandoned generation’s number and store names', async () => {
    const webRoot = await tempDir();
    const site = new PortalSite(webRoot, fixtureSettings(null), { ...DEFAULT_TUNING, durable: false, generationGraceMs: 0 });
    // One column, so every package lands in the same list.
    const options = {
      columns: fixtureColumns(null, 40).slice(0, 1),
      catalogueIds: ['item-a'],
      random: seededRandom(7),
      cover: fixtureCover(site, path.join(webRoot, 'tmp', 'fixture')),
    };
    const column = options.columns[0]!.id;
    const publish = async (n: number, id: string) => {
      const [change] = await fixturePackage(n, options, id);
      return site.submit(change!);
    };
    const listed = async () => Object.keys((await site.readList(colUnit(column))).entries).sort();

    expect(await publish(1, 'pkg-a')).toMatchObject({ generation: 1 });
    expect(await publish(2, 'pkg-b')).toMatchObject({ generation: 2 });
    // gen-3 is built from gen-2's list: the memo now knows that list under gen-2's store name.
    expect(await publish(3, 'pkg-e')).toMatchObject({ generation: 3 });
    expect(await listed()).toEqual(['pkg-a', 'pkg-b', 'pkg-e']);

    // The operator points current back at gen-1, as the portal's error messages tell them to.
    await symlink('gen-1', path.join(webRoot, 'current.next'));
    await rename(path.join(webRoot, 'current.next'), path.join(webRoot, 'current'));
    expect(await listed()).toEqual(['pkg-a']);

    // gen-2 is rebuilt under its old number (its store names too): from gen-1, without pkg-b or pkg-e.
    expect(await publish(4, 'pkg-c')).toMatchObject({ generation: 2 });
    expect(await listed()).toEqual(['pkg-a', 'pkg-c']);
    // Built from the new gen-2's list, not from the one remembered under the same name.
    expect(await publish(5, 'pkg-d')).toMatchObject({ generation: 3 });
    expect(await listed()).toEqual(['pkg-a', 'pkg-c', 'pkg-d']);
    await site.idle();
    await rm(webRoot, { recursive: true, force: true });
  });
});
