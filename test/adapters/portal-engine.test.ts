/**
 * The portal's publishing engine at scale (issue 12 "Scale"): a commit writes O(changed units),
 * never the whole site; generations on disk stay bounded in count and age whatever the rate;
 * retraction removes pages, feed entries and sitemap entries; every registry column has a page
 * from the first start; serve.ts follows the store's symlinks but nothing outside, and sends the
 * security headers. Real file systems, real HTTP (Fastify inject), the real registry.
 */
import { createHash } from 'node:crypto';
import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadRegistry } from '../../config/registry.js';
import { Generations } from '../../adapters/portal/generations.js';
import { createPortalAdapter } from '../../adapters/portal/index.js';
import type { SiteStructure } from '../../adapters/portal/pages/model.js';
import { renderMonthParts } from '../../adapters/portal/pages/sitemap.js';
import { portalContentSecurityPolicy, registerPortalRoutes } from '../../adapters/portal/serve.js';
import { PORTAL_ATTACHMENT_SPEC, PORTAL_CAPTIONS_SPEC } from '../../adapters/portal/payload.js';
import { DEFAULT_TUNING, PortalSite, TRANSMITS_DIR, type SiteTuning } from '../../adapters/portal/site.js';
import {
  applyChanges,
  colUnit,
  emptyRootState,
  mediaKey,
  subtreesFromLists,
  xxgkUnit,
  type ListState,
  type LoadedState,
  type PackageRecord,
  type RootState,
  type SiteChange,
} from '../../adapters/portal/state.js';
import { siteStructureFromRegistry } from '../../adapters/portal/pages/structure.js';
import { SITE_PATHS, catalogueCategoryPath, catalogueItemPaths, portalColumnPaths, portalPagePaths } from '../../adapters/portal/urls.js';
import { fillSite, fixtureColumns, fixtureSettings, fixtureCover, fixturePackage, seededRandom, type FixtureOptions } from './portal-site-fixtures.js';

const BASE_URL = 'https://www.beilin.gov.cn';
const SETTINGS = fixtureSettings(null, BASE_URL);
const FAST: SiteTuning = { ...DEFAULT_TUNING, durable: false };
/** A companion wait no commit comes near, however loaded the machine: a commit that took it waited for the bound. */
const NEVER_REACHED_MS = 60_000;
const REPO_ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');

let scratch: string;
let structure: SiteStructure;
let roots = 0;

beforeAll(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'govpub-portal-engine-'));
  structure = siteStructureFromRegistry(await loadRegistry());
});
afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

function newRoot(): string {
  roots += 1;
  return path.join(scratch, `www-${roots}`);
}

function fixtureOptions(site: PortalSite, seed: number, withStructure: SiteStructure | null): FixtureOptions {
  return {
    columns: fixtureColumns(withStructure, 40),
    catalogueIds: withStructure ? withStructure.catalogue.map((c) => c.id) : ['item-a', 'item-b'],
    random: seededRandom(seed),
    cover: fixtureCover(site, path.join(site.webRoot, 'tmp', 'fixture')),
  };
}

/** Every regular file's inode under the web root (hard links counted once). */
async function inodes(dir: string): Promise<Set<string>> {
  const out = new Set<string>();
  const walk = async (d: string) => {
    for (const entry of await readdir(d, { withFileTypes: true })) {
      const p = path.join(d, entry.name);
      if (entry.isDirectory()) await walk(p);
      else if (entry.isFile()) {
        const info = await lstat(p);
        out.add(`${info.ino}`);
      }
    }
  };
  await walk(dir);
  return out;
}

async function current(webRoot: string): Promise<string> {
  return path.join(webRoot, await readlink(path.join(webRoot, 'current')));
}

async function read(webRoot: string, relative: string): Promise<string> {
  return readFile(path.join(await current(webRoot), relative), 'utf8');
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

async function generationsOnDisk(webRoot: string): Promise<string[]> {
  return (await readdir(webRoot)).filter((n) => /^gen-\d+$/.test(n));
}

/** The store's versions on disk, and those no generation on disk links (directly, or through an article bucket version). */
async function storeVersions(webRoot: string): Promise<{ stored: string[]; unreferenced: string[] }> {
  const referenced = new Set<string>();
  for (const gen of await generationsOnDisk(webRoot)) {
    const root = JSON.parse(await readFile(path.join(webRoot, gen, '.govpub/site.json'), 'utf8')) as RootState;
    for (const v of Object.values(root.units)) referenced.add(v);
  }
  // Package versions (store/pkg/<b>/<id>.g<n>) are linked by the article bucket versions kept.
  for (const version of [...referenced].filter((v) => v.startsWith('art/'))) {
    const dir = path.join(webRoot, 'store', version);
    for (const name of await readdir(dir)) referenced.add((await readlink(path.join(dir, name))).replace(/^(\.\.\/)+/, ''));
  }
  const stored: string[] = [];
  for (const kind of await readdir(path.join(webRoot, 'store')))
    for (const name of await readdir(path.join(webRoot, 'store', kind))) {
      if (kind !== 'pkg') stored.push(`${kind}/${name}`);
      else for (const version of await readdir(path.join(webRoot, 'store', kind, name))) stored.push(`pkg/${name}/${version}`);
    }
  return { stored, unreferenced: stored.filter((s) => !referenced.has(s)) };
}

/** Every sitemap URL, through the index and its parts. */
async function sitemapUrls(webRoot: string): Promise<string[]> {
  const index = await read(webRoot, 'sitemap.xml');
  const urls: string[] = [];
  for (const m of index.matchAll(/<loc>([^<]+)<\/loc>/g)) {
    const part = await read(webRoot, m[1]!.slice(BASE_URL.length + 1));
    for (const u of part.matchAll(/<loc>([^<]+)<\/loc>/g)) urls.push(u[1]!);
  }
  return urls;
}

function fixtureInterpretation(title: string) {
  return {
    form: 'text' as const,
    formLabel: '文字解读',
    title,
    interpreter: null,
    bodyHtml: '<p>要点</p>',
    lead: null,
    link: null,
    captions: null,
    transcriptHtml: null,
  };
}

describe('portal engine', () => {
  it('a publish into a site of 600 articles writes a bounded number of files, as on an empty one (O(changed), not O(site))', async () => {
    const writtenFor = async (articles: number) => {
      const webRoot = newRoot();
      const site = new PortalSite(webRoot, SETTINGS, FAST);
      const options = fixtureOptions(site, 7, null);
      await site.ensureSite();
      await fillSite(site, 0, articles, options);
      const before = await inodes(webRoot);
      const [publish] = await fixturePackage(99_999, { ...options, random: seededRandom(3) }, 'pkg-new');
      const outcome = await site.submit(publish!);
      expect(outcome.changed).toBe(true);
      const after = await inodes(webRoot);
      const created = [...after].filter((ino) => !before.has(ino)).length;
      return { created, stats: site.lastCommit!, siteFiles: after.size };
    };
    const empty = await writtenFor(0);
    const large = await writtenFor(600);
    expect(large.siteFiles).toBeGreaterThan(1500);
    // New inodes: the package's pages and record, its column's and catalogue item's pages and state,
    // the root's rewritten files (home, site feed, sitemap index and parts, state). Not the site.
    expect(large.created).toBeLessThanOrEqual(40);
    expect(large.created).toBeLessThanOrEqual(empty.created * 2); // a longer column has a few more pages to rewrite
    expect(large.stats.unitsRebuilt).toBeLessThanOrEqual(4); // its article bucket, column, catalogue item, media bucket
    expect(large.stats.fullRender).toBe(false);
  });

  it('rapid publishing keeps at most maxGenerations on disk, none older than generationMaxAgeMs, and no unreferenced store versions', async () => {
    const webRoot = newRoot();
    const site = new PortalSite(webRoot, SETTINGS, { ...FAST, keepGenerations: 3, generationGraceMs: 60_000, maxGenerations: 5 });
    const options = fixtureOptions(site, 11, null);
    for (let n = 0; n < 14; n++) {
      for (const change of await fixturePackage(n, options)) await site.submit(change);
      await site.idle();
      expect((await generationsOnDisk(webRoot)).length).toBeLessThanOrEqual(5);
    }
    await site.idle();
    const store = await storeVersions(webRoot);
    expect(store.stored.filter((s) => s.startsWith('pkg/')).length).toBeGreaterThan(0);
    expect(store.unreferenced).toEqual([]);

    // Age: generations replaced longer ago than the limit go, even those kept for rollback.
    const aging = new PortalSite(webRoot, SETTINGS, { ...FAST, keepGenerations: 3, generationGraceMs: 0, maxGenerations: 5, generationMaxAgeMs: 150 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    // The clock stands still for this commit: it is stamped with the instant its clean-up measures
    // ages from, so its predecessor was replaced "just now" however long the commit takes (on a
    // loaded machine a commit took longer than the 150 ms, and the predecessor went too).
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      for (const change of await fixturePackage(100, options)) await aging.submit(change);
      await aging.idle();
    } finally {
      vi.useRealTimers();
    }
    const left = (await generationsOnDisk(webRoot)).sort((a, b) => Number(a.slice(4)) - Number(b.slice(4)));
    // The current one and its predecessor (replaced just now); the rest were replaced > 150 ms ago.
    expect(left).toHaveLength(2);
    expect(path.basename(await current(webRoot))).toBe(left[1]);
  });

  it('steady publishing recycles: the generation that goes becomes the next root (renamed, never copied), and stays bounded', async () => {
    const webRoot = newRoot();
    const site = new PortalSite(webRoot, SETTINGS, { ...FAST, keepGenerations: 3, generationGraceMs: 0 });
    const options = fixtureOptions(site, 13, null);
    const spares = async () => (await readdir(webRoot)).filter((name) => name.startsWith('spare-'));
    for (let n = 0; n < 7; n++) {
      for (const change of await fixturePackage(n, options)) await site.submit(change);
      await site.idle();
      const gens = (await generationsOnDisk(webRoot)).map((g) => Number(g.slice(4))).sort((a, b) => a - b);
      const now = site.lastCommit!.generation;
      expect(gens.length).toBeLessThanOrEqual(3);
      expect(gens.at(-1)).toBe(now);
      if (now <= 3) continue;
      // The one spare root is the generation that just went: renamed (its own generation info), not a copy of the current root.
      const [spare, ...more] = await spares();
      expect(more).toEqual([]);
      const info = JSON.parse(await readFile(path.join(webRoot, spare!, '.govpub/generation.json'), 'utf8')) as { generation: number };
      expect(info.generation).toBe(now - 3);
    }
    // The next commit was built from that spare: the live site is whole.
    const gen = await current(webRoot);
    const root = JSON.parse(await readFile(path.join(gen, '.govpub/site.json'), 'utf8')) as RootState;
    for (const [unit, version] of Object.entries(root.units)) expect(await readlink(path.join(gen, unit)), unit).toContain(`store/${version}`);
  });

  it("a generation's store names are read once per state file: a replaced or rewritten state is read again, an unreadable one is null", async () => {
    const webRoot = newRoot();
    const generations = new Generations(webRoot, { keepGenerations: 3, generationGraceMs: 0, maxGenerations: 5, generationMaxAgeMs: 60_000, durable: false });
    const dir = path.join(webRoot, 'gen-1');
    const stateFile = path.join(dir, '.govpub/site.json');
    await mkdir(path.dirname(stateFile), { recursive: true });
    const write = (units: Record<string, string>) => writeFile(stateFile, JSON.stringify({ version: 2, units, columns: {} }));
    await write({ 'art/3f': 'art/3f.g1', 'col/a': 'col/a.g1' });
    const first = await generations.storeNamesOf(dir);
    expect([...first!].sort()).toEqual(['art/3f.g1', 'col/a.g1']);
    // The same file: the same answer, not parsed again.
    expect(await generations.storeNamesOf(dir)).toBe(first);
    // Replaced by another file (a rename over it), and rewritten in place with the same length.
    await writeFile(`${stateFile}.new`, JSON.stringify({ version: 2, units: { 'art/3f': 'art/3f.g2' }, columns: {} }));
    await rename(`${stateFile}.new`, stateFile);
    expect([...(await generations.storeNamesOf(dir))!]).toEqual(['art/3f.g2']);
    await write({ 'art/3f': 'art/3f.g3' });
    expect([...(await generations.storeNamesOf(dir))!]).toEqual(['art/3f.g3']);
    // Unreadable: null, which makes the store collection keep everything.
    await writeFile(stateFile, '{"version": 2, "units": ');
    expect(await generations.storeNamesOf(dir)).toBeNull();
    await rm(stateFile);
    expect(await generations.storeNamesOf(dir)).toBeNull();
  });

  it('a commit with publishes queued behind it leaves its cleanup to a later one; once the queue is empty the bounds hold and the store is collected', async () => {
    const webRoot = newRoot();
    const site = new PortalSite(webRoot, SETTINGS, { ...FAST, keepGenerations: 3, generationGraceMs: 0 });
    const options = fixtureOptions(site, 17, null);
    // Steady publishing: each commit recycles the generation the bounds retire.
    for (let n = 0; n < 5; n++) {
      for (const change of await fixturePackage(n, options)) await site.submit(change);
      await site.idle();
    }
    expect(site.lastCommit!.cleanupDeferred).toBe(false);
    const [first, ...behind] = (await Promise.all([5, 6, 7].map((n) => fixturePackage(n, options)))).flat();
    // The first is taken into a commit at once; the others arrive while it is being built.
    const firstStats = site.submit(first!).then(() => site.lastCommit!);
    await new Promise((resolve) => setTimeout(resolve, 0));
    const behindStats = Promise.all(behind.map((change) => site.submit(change))).then(() => site.lastCommit!);
    const [a, b] = await Promise.all([firstStats, behindStats]);
    expect(b.generation).toBeGreaterThan(a.generation);
    // The publishes behind did not wait for the first commit's cleanup; the last commit, with
    // nothing queued, cleaned up for both.
    expect(a.cleanupDeferred).toBe(true);
    expect(a.cleanupSteps).toEqual({ generations: 0, store: 0, spare: 0, sweep: 0 });
    expect(b.cleanupDeferred).toBe(false);
    await site.idle();
    expect((await generationsOnDisk(webRoot)).length).toBeLessThanOrEqual(3);
    expect((await storeVersions(webRoot)).unreferenced).toEqual([]);
    const gen = await current(webRoot);
    const root = JSON.parse(await readFile(path.join(gen, '.govpub/site.json'), 'utf8')) as RootState;
    for (const [unit, version] of Object.entries(root.units)) expect(await readlink(path.join(gen, unit)), unit).toContain(`store/${version}`);

    // When what was queued changes nothing (the same publish again), that commit cleans up instead.
    const [again] = await fixturePackage(8, options);
    const againStats = site.submit(again!).then(() => site.lastCommit!);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(await site.submit(again!)).toMatchObject({ changed: false });
    expect((await againStats).cleanupDeferred).toBe(true);
    await site.idle();
    expect((await generationsOnDisk(webRoot)).length).toBeLessThanOrEqual(3);
    expect((await storeVersions(webRoot)).unreferenced).toEqual([]);
  });

  it('retraction removes the pages, the column and site feed entries, the sitemap entries, the catalogue and home entries', async () => {
    const webRoot = newRoot();
    const site = new PortalSite(webRoot, SETTINGS, FAST);
    const options = fixtureOptions(site, 5, null);
    await fillSite(site, 0, 30, options);
    const [publish] = await fixturePackage(500, { ...options, random: seededRandom(9) }, 'pkg-gone');
    const change = publish as Extract<SiteChange, { kind: 'publish' }>;
    const payload = change.source.payload;
    // Newest of the site, so it is on the home page and at the top of every feed.
    payload.releasedAt = '2026-01-01T00:00:00.000Z';
    payload.interpretations = [
      {
        form: 'text',
        formLabel: '文字解读',
        title: '解读',
        interpreter: null,
        bodyHtml: '<p>x</p>',
        lead: null,
        link: null,
        captions: null,
        transcriptHtml: null,
      },
    ];
    await site.submit(change);
    const pages = portalPagePaths('pkg-gone', 1);
    const column = portalColumnPaths(change.columnId);
    const item = catalogueItemPaths(payload.catalogueId);
    for (const file of [pages.document, pages.interpretations[0]!]) expect(await exists(path.join(await current(webRoot), file))).toBe(true);
    for (const file of [column.index, column.rss, 'rss.xml', 'index.html', item.index]) expect(await read(webRoot, file), file).toContain('pkg-gone');
    expect((await sitemapUrls(webRoot)).filter((u) => u.includes('pkg-gone'))).toHaveLength(2);

    const before = await current(webRoot);
    await site.submit({ kind: 'unpublish', columnId: change.columnId, packageId: 'pkg-gone' });
    const gen = await current(webRoot);
    expect(gen).not.toBe(before);
    for (const file of [pages.document, pages.interpretations[0]!]) expect(await exists(path.join(gen, file))).toBe(false);
    for (const file of [column.index, column.rss, 'rss.xml', 'index.html', item.index]) expect(await read(webRoot, file), file).not.toContain('pkg-gone');
    expect((await sitemapUrls(webRoot)).filter((u) => u.includes('pkg-gone'))).toEqual([]);
    expect(await readFile(path.join(gen, '.govpub/sitemap/2026-01.json')).catch(() => null)).toBeNull();
    expect(await sitemapUrls(webRoot)).not.toContain(`${BASE_URL}/sitemaps/2026-01.xml`);
    // The home page still shows 20 items (the latest list refills from the columns when retractions empty it).
    expect((await read(webRoot, 'index.html')).match(/class="entry"/g)).toHaveLength(20);
    // The previous generation still has the pages: readers in it finish.
    expect(await exists(path.join(before, pages.document))).toBe(true);
  });

  it("a parent column's page and feed show its subtree's newest items with the sub-column named; a retraction leaves every ancestor", async () => {
    const webRoot = newRoot();
    const site = new PortalSite(webRoot, fixtureSettings(structure, BASE_URL), FAST);
    const options = fixtureOptions(site, 41, structure);
    const leaf = structure.columns.find((c) => c.id === 'zwgk-zcwj-gfxwj')!;
    const [publish] = await fixturePackage(1, options, 'pkg-deep');
    const change = { ...(publish as Extract<SiteChange, { kind: 'publish' }>), columnId: leaf.id, columnPath: leaf.path };
    change.source.payload.column = { id: leaf.id, path: leaf.path };
    await site.submit(change);
    const ancestors = leaf.idPath.slice(0, -1);
    expect(ancestors).toEqual(['zwgk', 'zwgk-fdzdgk', 'zwgk-zcwj']);
    for (const id of ancestors) {
      const page = await read(webRoot, portalColumnPaths(id).index);
      expect(page, id).toContain('pkg-deep');
      expect(page, id).toContain(`<span class="entry-column">${leaf.name}</span>`);
      expect(page, id).toContain('最近更新：');
      expect(page, id).not.toContain('本栏目暂无信息');
      expect(page, id).toContain('下级栏目');
      const feed = await read(webRoot, portalColumnPaths(id).rss);
      expect(feed, id).toContain('pkg-deep');
      expect(feed, id).toContain(`<category>${leaf.path.join(' &gt; ')}</category>`);
      // Freshness of a parent is its subtree's (sitemap lastmod, the compliance monitor's facts); its count is its own.
      expect((await site.readRoot()).columns[id]).toMatchObject({ count: 0, lastUpdatedAt: change.source.payload.releasedAt });
    }

    await site.submit({ kind: 'unpublish', columnId: leaf.id, packageId: 'pkg-deep' });
    for (const id of ancestors) {
      const page = await read(webRoot, portalColumnPaths(id).index);
      expect(page, id).not.toContain('pkg-deep');
      expect(page, id).toContain('本栏目暂无信息，请浏览下级栏目');
      expect(await read(webRoot, portalColumnPaths(id).rss), id).not.toContain('pkg-deep');
      expect((await site.readRoot()).columns[id]).toMatchObject({ count: 0, lastUpdatedAt: null });
    }
    await site.idle();
  });

  it("a package's home column does not depend on which delivery committed first: not an interpretation column, then registry order", async () => {
    const document = 'zwgk-zcwj-gfxwj';
    const interpretation = 'zwgk-zcwj-zcjd-wz';
    for (const first of [interpretation, document]) {
      const webRoot = newRoot();
      const site = new PortalSite(webRoot, fixtureSettings(structure, BASE_URL), FAST);
      const [publish] = await fixturePackage(1, fixtureOptions(site, 43, structure), 'pkg-home');
      const base = publish as Extract<SiteChange, { kind: 'publish' }>;
      const to = (id: string): SiteChange => ({ ...base, columnId: id, columnPath: structure.columns.find((c) => c.id === id)!.path });
      await site.submit(to(first));
      await site.submit(to(first === document ? interpretation : document));
      const record = (await site.readPackage('pkg-home'))!;
      expect(record.entry.columns, first).toEqual([document, interpretation]);
      expect(record.entry.item.homeColumnId, first).toBe(document);
      expect((await site.readList(colUnit(interpretation))).entries['pkg-home']!.homeColumnId, first).toBe(document);
      const page = await read(webRoot, portalPagePaths('pkg-home', 0).document);
      expect(page, first).toContain('<meta name="ColumnType" content="信息发布类">');
      expect(page, first).toContain('<meta name="ColumnName" content="行政规范性文件">');
      // Retracted from its home column, the package's home is the one left.
      await site.submit({ kind: 'unpublish', columnId: document, packageId: 'pkg-home' });
      expect((await site.readPackage('pkg-home'))!.entry.item.homeColumnId).toBe(interpretation);
      await site.idle();
    }
  });

  it('政府信息公开目录: a package with interpretations is also listed under 政策文件解读 (zcjd-wz) by its interpretations, counted there and in 政策解读, until retracted', async () => {
    const document = 'zwgk-zcwj-gfxwj';
    const interpretation = 'zwgk-zcwj-zcjd-wz';
    const jd = catalogueItemPaths('zcjd-wz');
    const category = catalogueCategoryPath('政策解读');
    const categoryCount = async () => /<a href="[^"]*">政策解读<\/a> <span class="count">（(\d+)）<\/span>/.exec(await read(webRoot, 'xxgk/index.html'))?.[1];
    // A site first written without interpretation items (as before them): the next start's full render lists the package there.
    const plain = { ...structure, catalogue: structure.catalogue.map((item) => ({ ...item, contentClass: undefined })) };
    const webRoot = newRoot();
    const before = new PortalSite(webRoot, fixtureSettings(plain, BASE_URL), FAST);
    const options = fixtureOptions(before, 53, structure);
    const [publish] = await fixturePackage(1, options, 'pkg-jd');
    const base = publish as Extract<SiteChange, { kind: 'publish' }>;
    base.source.payload.catalogueId = 'qzf-gfxwj';
    base.source.payload.interpretations = [
      { ...fixtureInterpretation('《规范性文件》文字解读'), form: 'text', formLabel: '文字解读' },
      { ...fixtureInterpretation('《规范性文件》视频解读'), form: 'text', formLabel: '视频解读' },
    ];
    const to = (id: string): Extract<SiteChange, { kind: 'publish' }> => ({
      ...base,
      columnId: id,
      columnPath: structure.columns.find((c) => c.id === id)!.path,
    });
    await before.submit(to(document));
    await before.submit(to(interpretation));
    await before.idle();
    expect(await read(webRoot, jd.index)).toContain('本栏目暂无信息');

    const site = new PortalSite(webRoot, fixtureSettings(structure, BASE_URL), FAST);
    await site.ensureSite();
    const page = await read(webRoot, jd.index);
    expect(page).not.toContain('本栏目暂无信息');
    expect(page).toContain('<span class="count">（1）</span>');
    const pages = portalPagePaths('pkg-jd', 2);
    // Interpretation first, every form: each title leading to its page, the document as 政策原文.
    expect(page).toContain(`<a class="entry-title" href="../../${pages.interpretations[0]}">《规范性文件》文字解读</a>`);
    expect(page).toContain(`<a class="entry-title" href="../../${pages.interpretations[1]}">《规范性文件》视频解读</a>`);
    expect(page).toContain(`政策原文：<a href="../../${pages.document}">`);
    expect((await site.readRoot()).catalogue).toMatchObject({ 'zcjd-wz': 1, 'qzf-gfxwj': 1 });
    expect(await categoryCount()).toBe('1');
    expect(await read(webRoot, category)).toMatch(/政策文件解读<\/a><\/th>(<td>[^<]*<\/td>){4}<td class="count">1<\/td>/);
    // The document's own item still lists it as a document.
    expect(await read(webRoot, catalogueItemPaths('qzf-gfxwj').index)).toContain('pkg-jd');

    // Retracted from one column: still listed; from the last: gone, and 本栏目暂无信息 again.
    await site.submit({ kind: 'unpublish', columnId: interpretation, packageId: 'pkg-jd' });
    expect((await site.readRoot()).catalogue['zcjd-wz']).toBe(1);
    await site.submit({ kind: 'unpublish', columnId: document, packageId: 'pkg-jd' });
    expect(await read(webRoot, jd.index)).toContain('本栏目暂无信息');
    expect(await read(webRoot, jd.index)).not.toContain('pkg-jd');
    expect((await site.readRoot()).catalogue['zcjd-wz']).toBeUndefined();
    expect(await categoryCount()).toBe('0');

    // Published again, then a revision without interpretations: it leaves the list.
    await site.submit(to(document));
    expect((await site.readRoot()).catalogue['zcjd-wz']).toBe(1);
    const revised = structuredClone(to(document));
    revised.source.payload.revision += 1;
    revised.source.payload.contentHash = 'revised';
    revised.source.payload.interpretations = [];
    await site.submit(revised);
    expect((await site.readRoot()).catalogue['zcjd-wz']).toBeUndefined();
    expect(await read(webRoot, jd.index)).toContain('本栏目暂无信息');
    expect(await categoryCount()).toBe('0');
    // A package without interpretations is not listed there.
    expect(Object.keys((await site.readList(xxgkUnit('zcjd-wz'))).entries)).toEqual([]);
    expect((await site.readRoot()).catalogue['qzf-gfxwj']).toBe(1);
    await site.idle();
  });

  it("attachments and captions are published with their type's extension (media/<b>/<sha>.pdf, .vtt), not .bin", async () => {
    const webRoot = newRoot();
    const site = new PortalSite(webRoot, SETTINGS, FAST);
    const scratchDir = path.join(webRoot, 'tmp', 'uploads');
    await mkdir(scratchDir, { recursive: true });
    const staged = async (mediaId: string, spec: string, mime: string, content: string) => {
      const file = path.join(scratchDir, mediaId);
      await writeFile(file, content);
      const sha256 = createHash('sha256').update(content).digest('hex');
      return site.stage({ mediaId, spec, path: file, mime, sizeBytes: content.length, sha256 });
    };
    const pdf = await staged('pdf', PORTAL_ATTACHMENT_SPEC, 'application/pdf', '%PDF-1.7 实施细则');
    const vtt = await staged('vtt', PORTAL_CAPTIONS_SPEC, 'text/vtt', 'WEBVTT\n\n00:00.000 --> 00:02.000\n字幕\n');
    expect(pdf.file).toMatch(/^media\/[0-9a-f]{2}\/[0-9a-f]{64}\.pdf$/);
    expect(vtt.file).toMatch(/^media\/[0-9a-f]{2}\/[0-9a-f]{64}\.vtt$/);

    const [publish] = await fixturePackage(1, fixtureOptions(site, 47, null), 'pkg-files');
    const change = publish as Extract<SiteChange, { kind: 'publish' }>;
    const payload = change.source.payload;
    payload.document.attachments = [
      { name: '实施细则', href: null, media: { mediaId: 'pdf', spec: PORTAL_ATTACHMENT_SPEC, kind: 'document', mime: 'application/pdf', sizeBytes: 20 } },
    ];
    payload.interpretations = [
      {
        form: 'text',
        formLabel: '文字解读',
        title: '解读',
        interpreter: null,
        bodyHtml: '<p>要点</p>',
        lead: null,
        link: null,
        captions: { mediaId: 'vtt', spec: PORTAL_CAPTIONS_SPEC },
        transcriptHtml: null,
      },
    ];
    change.source.media[mediaKey('pdf', PORTAL_ATTACHMENT_SPEC)] = pdf;
    change.source.media[mediaKey('vtt', PORTAL_CAPTIONS_SPEC)] = vtt;
    await site.submit(change);
    const gen = await current(webRoot);
    for (const file of [pdf.file, vtt.file]) expect(await exists(path.join(gen, file)), file).toBe(true);
    expect(await read(webRoot, portalPagePaths('pkg-files', 1).document)).toContain(`href="../../../${pdf.file}" download="实施细则.pdf"`);
    await site.idle();
  });

  it('a full subtree list refills from the sub-columns when a retraction shortens it; one that held the whole subtree does not', () => {
    const loaded: LoadedState = { root: emptyRootState(), packages: new Map(), lists: new Map(), media: new Map(), months: new Map() };
    const options = {
      latestKeep: 10,
      keyAreasOf: new Map(),
      keyAreaKeep: 2,
      ancestorsOf: new Map([
        ['a', ['p']],
        ['b', ['p']],
      ]),
      subtreeKeep: 2,
    };
    const publish = (id: string, columnId: string, day: number): SiteChange => ({
      kind: 'publish',
      columnId,
      columnPath: ['P', columnId],
      source: {
        version: 1,
        media: {},
        payload: {
          packageId: id,
          revision: 1,
          contentHash: id,
          releasedAt: `2025-03-0${day}T00:00:00.000Z`,
          summary: '',
          catalogueId: '',
          cover: null,
          interpretations: [],
          document: { title: id, documentNumber: null, indexNumber: null, validity: null },
        },
      } as unknown as PackageRecord['source'],
    });
    const three = applyChanges(loaded, [publish('p1', 'a', 1), publish('p2', 'b', 2), publish('p3', 'a', 3)], options);
    const subtree = (applied: ReturnType<typeof applyChanges>) => applied.state.lists.get('col/p')!.subtree!.map((i) => `${i.packageId}@${i.listedIn}`);
    expect(subtree(three)).toEqual(['p3@a', 'p2@b']);
    expect(three.changedLists.has('col/p')).toBe(true);
    expect(three.state.root.columns.p).toMatchObject({ count: 0, lastUpdatedAt: '2025-03-03T00:00:00.000Z' });

    const retracted = applyChanges(three.state, [{ kind: 'unpublish', columnId: 'a', packageId: 'p3' }], options);
    expect(subtree(retracted)).toEqual(['p2@b']);
    expect([...retracted.refillSubtrees]).toEqual(['p']);
    const refilled = subtreesFromLists(retracted.state, options, retracted.refillSubtrees);
    expect(refilled.get('p')!.map((i) => `${i.packageId}@${i.listedIn}`)).toEqual(['p2@b', 'p1@a']);

    const again = applyChanges(retracted.state, [{ kind: 'unpublish', columnId: 'b', packageId: 'p2' }], options);
    expect([...again.refillSubtrees]).toEqual([]);
    // A full render rebuilds every parent's list from the column lists.
    const rebuilt = applyChanges(retracted.state, [], { ...options, rebuild: true });
    expect(subtree(rebuilt)).toEqual(['p2@b', 'p1@a']);
  });

  it('after ensureSite every registry column and catalogue item has a page; a renamed column re-renders the navigation on the next start', async () => {
    const webRoot = newRoot();
    const adapter = createPortalAdapter({ webRoot, publicBaseUrl: BASE_URL, structure, tuning: { durable: false } });
    expect(structure.columns.length).toBe(326);
    expect(structure.keyAreas.length).toBe(17);
    const first = await adapter.ensureSite();
    expect(first).toMatchObject({ generation: 1, changed: true });
    const gen = await current(webRoot);
    for (const column of structure.columns) {
      const page = await readFile(path.join(gen, portalColumnPaths(column.id).index), 'utf8');
      expect(page, column.id).toContain('本栏目暂无信息');
    }
    for (const item of structure.catalogue) expect(await exists(path.join(gen, catalogueItemPaths(item.id).index)), item.id).toBe(true);
    const siteMap = await read(webRoot, 'map/index.html');
    for (const column of structure.columns) expect(siteMap).toContain(`href="../${portalColumnPaths(column.id).index}"`);
    expect(await adapter.ensureSite()).toEqual({ generation: 1, changed: false });

    // The registry renames a column: the next start renders it under its new name.
    const target = structure.columns.find((c) => c.children.length === 0)!;
    const renamed: SiteStructure = {
      ...structure,
      columns: structure.columns.map((c) => (c.id === target.id ? { ...c, name: '改名后的栏目', path: [...c.path.slice(0, -1), '改名后的栏目'] } : c)),
    };
    const restarted = createPortalAdapter({ webRoot, publicBaseUrl: BASE_URL, structure: renamed, tuning: { durable: false } });
    expect(await restarted.ensureSite()).toEqual({ generation: 2, changed: true });
    expect(await read(webRoot, 'map/index.html')).toContain('改名后的栏目');
    expect(await read(webRoot, portalColumnPaths(target.id).index)).toContain('<h1>改名后的栏目</h1>');
  });

  it('annotate (有效性) re-renders the package and its lists without a new revision; the same validity again changes nothing', async () => {
    const webRoot = newRoot();
    const adapter = createPortalAdapter({ webRoot, publicBaseUrl: BASE_URL, tuning: { durable: false } });
    const site = adapter.site;
    const options = fixtureOptions(site, 21, null);
    const [publish] = await fixturePackage(1, options, 'pkg-norm');
    const change = publish as Extract<SiteChange, { kind: 'publish' }>;
    change.source.payload.document.validity = { state: 'valid', effectiveFrom: '2025-01-01', endedAt: null };
    await site.submit(change);
    const validity = { state: 'repealed' as const, effectiveFrom: '2025-01-01', endedAt: '2025-12-31' };
    const outcome = await adapter.updateDocumentValidity('pkg-norm', validity);
    expect(outcome.changed).toBe(true);
    const record = await site.readPackage('pkg-norm');
    expect(record!.source.payload.document.validity).toEqual(validity);
    expect(record!.entry.revision).toBe(1);
    expect((await site.readList(colUnit(change.columnId))).entries['pkg-norm']!.validity).toEqual(validity);
    expect((await site.readList(xxgkUnit(change.source.payload.catalogueId))).entries['pkg-norm']!.validity).toEqual(validity);
    expect(await adapter.updateDocumentValidity('pkg-norm', validity)).toEqual({ generation: outcome.generation, changed: false });
    expect(await adapter.updateDocumentValidity('pkg-never', validity)).toMatchObject({ changed: false });
  });

  it("a changed 有效性 moves the pages' sitemap lastmod to the change, so search engines fetch the repealed document again", async () => {
    const webRoot = newRoot();
    const adapter = createPortalAdapter({ webRoot, publicBaseUrl: BASE_URL, tuning: { durable: false } });
    const site = adapter.site;
    const [publish] = await fixturePackage(1, fixtureOptions(site, 22, null), 'pkg-repealed');
    const change = publish as Extract<SiteChange, { kind: 'publish' }>;
    change.source.payload.document.validity = { state: 'valid', effectiveFrom: '2025-01-01', endedAt: null };
    await site.submit(change);
    const released = change.source.payload.releasedAt;
    const part = `sitemaps/${released.slice(0, 7)}.xml`;
    const lastmods = async () => [...(await read(webRoot, part)).matchAll(/<loc>[^<]*pkg-repealed[^<]*<\/loc><lastmod>([^<]+)<\/lastmod>/g)].map((m) => m[1]);
    // The document page and each interpretation page.
    const pages = 1 + change.source.payload.interpretations.length;
    expect(await lastmods()).toEqual(Array(pages).fill(released));
    const before = Date.now();
    await adapter.updateDocumentValidity('pkg-repealed', { state: 'repealed', effectiveFrom: '2025-01-01', endedAt: '2025-12-31' });
    const after = await lastmods();
    expect(after).toHaveLength(pages);
    for (const lastmod of after) expect(Date.parse(lastmod!)).toBeGreaterThanOrEqual(before);
    await site.idle();
  });

  it("a package's columns still staging join the commit of the one already queued (one generation); the wait is bounded", async () => {
    // What must not wait for the bound is checked against a bound no loaded machine's commit comes
    // near (a 3 s bound was once nearly reached by a plain commit); the bound itself, with 3 s.
    const site = new PortalSite(newRoot(), SETTINGS, { ...FAST, companionWaitMs: NEVER_REACHED_MS });
    const options = fixtureOptions(site, 23, null);
    await site.ensureSite();
    const [first] = await fixturePackage(1, options, 'pkg-two-columns');
    const firstChange = first as Extract<SiteChange, { kind: 'publish' }>;
    const secondChange: SiteChange = {
      ...firstChange,
      columnId: options.columns[1]!.id,
      columnPath: options.columns[1]!.path,
      source: { ...firstChange.source, payload: { ...firstChange.source.payload, column: { id: options.columns[1]!.id, path: options.columns[1]!.path } } },
    };
    // The second column's transmit is still staging when the first submits: the commit waits for it.
    const secondStaging = site.beginStaging('pkg-two-columns');
    const started = performance.now();
    const firstDone = site.submit(firstChange);
    await new Promise((r) => setTimeout(r, 150));
    secondStaging();
    const [a, b] = await Promise.all([firstDone, site.submit(secondChange)]);
    expect(a.generation).toBe(b.generation);
    expect(performance.now() - started).toBeLessThan(NEVER_REACHED_MS);
    const entry = (await site.readPackage('pkg-two-columns'))!.entry;
    expect(new Set(entry.columns)).toEqual(new Set([firstChange.columnId, secondChange.columnId]));

    // Another package staging does not hold a commit; a companion that never comes holds it at most companionWaitMs.
    const [other] = await fixturePackage(2, options, 'pkg-alone');
    const unrelated = site.beginStaging('pkg-unrelated');
    const quick = performance.now();
    await site.submit(other!);
    expect(performance.now() - quick).toBeLessThan(NEVER_REACHED_MS); // a commit, not the bound
    unrelated();
    await site.idle();
    const boundedSite = new PortalSite(site.webRoot, SETTINGS, { ...FAST, companionWaitMs: 3_000 });
    const [third] = await fixturePackage(3, options, 'pkg-stalled-companion');
    const stalled = boundedSite.beginStaging('pkg-stalled-companion');
    const bounded = performance.now();
    const outcome = await boundedSite.submit(third!);
    const waited = performance.now() - bounded;
    stalled();
    stalled(); // ending twice counts once
    expect(outcome.changed).toBe(true);
    expect(waited).toBeGreaterThanOrEqual(2_900);
    expect(waited).toBeLessThan(8_000);
    await boundedSite.idle();
  });

  it('a column the payload names that has not started yet is waited for; one under way in another process, already on the site, or announced by a dead process is not', async () => {
    const webRoot = newRoot();
    const site = new PortalSite(webRoot, SETTINGS, { ...FAST, companionWaitMs: NEVER_REACHED_MS });
    const options = fixtureOptions(site, 29, null);
    await site.ensureSite();
    const [c0, c1] = [options.columns[0]!, options.columns[1]!];
    const both = [c0.id, c1.id].sort();
    const inColumn = (change: SiteChange, column: { id: string; path: string[] }, packageColumns?: string[]): SiteChange => {
      const publish = change as Extract<SiteChange, { kind: 'publish' }>;
      const payload = { ...publish.source.payload, column: { id: column.id, path: column.path } };
      if (packageColumns) payload.packageColumns = packageColumns;
      else delete payload.packageColumns;
      return { ...publish, columnId: column.id, columnPath: column.path, source: { ...publish.source, payload } };
    };
    const timed = async <T>(run: () => Promise<T>): Promise<[T, number]> => {
      const started = performance.now();
      const result = await run();
      return [result, performance.now() - started];
    };

    // Not started anywhere yet when the first submits (its transmit is scheduled later): one generation.
    const [waited] = await fixturePackage(1, options, 'pkg-later-companion');
    const firstDone = site.submit(inColumn(waited!, c0, both));
    await new Promise((r) => setTimeout(r, 200));
    const [a, b] = await Promise.all([firstDone, site.submit(inColumn(waited!, c1, both))]);
    expect(a.generation).toBe(b.generation);
    expect(new Set((await site.readPackage('pkg-later-companion'))!.entry.columns)).toEqual(new Set(both));

    // Under way in another process sharing the web root: it commits there, so this one does not wait.
    const other = new PortalSite(webRoot, SETTINGS, { ...FAST, companionWaitMs: NEVER_REACHED_MS });
    const [elsewhere] = await fixturePackage(2, options, 'pkg-companion-elsewhere');
    const announced = await other.announceTransmit('pkg-companion-elsewhere', c1.id);
    const [, alone] = await timed(() => site.submit(inColumn(elsewhere!, c0, both)));
    expect(alone).toBeLessThan(NEVER_REACHED_MS); // a commit, not the bound
    await announced();
    expect(await readdir(path.join(webRoot, TRANSMITS_DIR))).toEqual([]);

    // Already on the site (committed before, here or by another process): no wait.
    const [earlier] = await fixturePackage(3, options, 'pkg-companion-first');
    await site.submit(inColumn(earlier!, c0));
    const [, afterHere] = await timed(() => site.submit(inColumn(earlier!, c1, both)));
    expect(afterHere).toBeLessThan(NEVER_REACHED_MS);
    const [earlierElsewhere] = await fixturePackage(4, options, 'pkg-companion-first-elsewhere');
    await other.submit(inColumn(earlierElsewhere!, c0));
    const [, afterElsewhere] = await timed(() => site.submit(inColumn(earlierElsewhere!, c1, both)));
    expect(afterElsewhere).toBeLessThan(NEVER_REACHED_MS);

    // A marker left by a process that died mid-transmit (older than 10 minutes) is ignored and removed.
    const quickSite = new PortalSite(webRoot, SETTINGS, { ...FAST, companionWaitMs: 400 });
    const [orphaned] = await fixturePackage(5, options, 'pkg-dead-companion');
    const stale = path.join(webRoot, TRANSMITS_DIR, `pkg-dead-companion~${c1.id}~${Date.now() - 11 * 60_000}~dead`);
    await writeFile(stale, '');
    const [outcome, bounded] = await timed(() => quickSite.submit(inColumn(orphaned!, c0, both)));
    expect(outcome.changed).toBe(true);
    expect(bounded).toBeGreaterThanOrEqual(380);
    await expect(stat(stale)).rejects.toThrow(/ENOENT/);
    await Promise.all([site.idle(), other.idle(), quickSite.idle()]);
  });

  it('a search index prepared on the volume is installed as pagefind/ in a new generation; the next one replaces it', async () => {
    const webRoot = newRoot();
    const site = new PortalSite(webRoot, SETTINGS, FAST);
    await site.ensureSite();
    const install = async (text: string) => {
      const dir = path.join(webRoot, 'tmp', `index-${text}`);
      await mkdir(path.join(dir, 'fragment'), { recursive: true });
      await writeFile(path.join(dir, 'pagefind.js'), `// ${text}`);
      await writeFile(path.join(dir, 'fragment', 'a.pf_fragment'), text);
      return site.installSearchIndex(dir);
    };
    expect((await install('one')).changed).toBe(true);
    expect(await read(webRoot, 'pagefind/pagefind.js')).toBe('// one');
    await install('two');
    expect(await read(webRoot, 'pagefind/fragment/a.pf_fragment')).toBe('two');
    const app = Fastify();
    registerPortalRoutes(app, { webRoot, prefix: '/portal' });
    try {
      const res = await app.inject('/portal/pagefind/fragment/a.pf_fragment');
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('application/octet-stream');
    } finally {
      await app.close();
    }
  });

  it('a web root of the previous layout (one manifest per generation) is migrated by the first commit', async () => {
    const webRoot = newRoot();
    const old = path.join(webRoot, 'gen-7');
    const site = new PortalSite(webRoot, SETTINGS, FAST);
    const [publish] = await fixturePackage(1, fixtureOptions(site, 41, null), 'pkg-old');
    const source = (publish as Extract<SiteChange, { kind: 'publish' }>).source;
    const columnId = (publish as Extract<SiteChange, { kind: 'publish' }>).columnId;
    await mkdir(path.join(old, '.govpub', 'packages'), { recursive: true });
    await writeFile(path.join(old, '.govpub', 'packages', 'pkg-old.json'), JSON.stringify(source));
    const entry = {
      revision: 1,
      contentHash: 'h',
      title: 't',
      summary: 's',
      releasedAt: source.payload.releasedAt,
      interpretations: [],
      cover: null,
      columns: [columnId],
      media: [],
    };
    await writeFile(
      path.join(old, '.govpub', 'manifest.json'),
      JSON.stringify({
        version: 1,
        generation: 7,
        committedAt: null,
        renderKey: 'old',
        columns: { [columnId]: { path: ['旧栏目'], packages: ['pkg-old'] } },
        packages: { 'pkg-old': entry },
      }),
    );
    await symlink('gen-7', path.join(webRoot, 'current'));
    const [next] = await fixturePackage(2, fixtureOptions(site, 42, null), 'pkg-new');
    expect(await site.submit(next!)).toMatchObject({ generation: 8, changed: true });
    expect((await site.readPackage('pkg-old'))!.entry.columns).toEqual([columnId]);
    expect(await exists(path.join(await current(webRoot), portalPagePaths('pkg-old', 0).document))).toBe(true);
    expect(await exists(path.join(await current(webRoot), portalPagePaths('pkg-new', 0).document))).toBe(true);
  });

  it('a live generation whose state is gone stops the commit with what to do; nothing is published over it', async () => {
    const webRoot = newRoot();
    const site = new PortalSite(webRoot, SETTINGS, FAST);
    const options = fixtureOptions(site, 51, null);
    const [first] = await fixturePackage(1, options, 'pkg-kept');
    await site.submit(first!);
    const live = await current(webRoot);
    await rm(path.join(live, '.govpub', 'site.json'));
    const [second] = await fixturePackage(2, options, 'pkg-refused');
    await expect(site.submit(second!)).rejects.toMatchObject({ errorClass: 'retryable', message: expect.stringMatching(/ln -sfn gen-<n> current/) });
    expect(await current(webRoot)).toBe(live);
    expect(await exists(path.join(live, portalPagePaths('pkg-kept', 0).document))).toBe(true);
  });

  it('applyChanges is pure: publish, second column, retraction, annotate on loaded state, without a file system', () => {
    const loaded: LoadedState = { root: emptyRootState(), packages: new Map(), lists: new Map(), media: new Map(), months: new Map() };
    const source = {
      version: 1 as const,
      media: { 'c portal.cover': { file: 'media/ab/ab12.jpg', mime: 'image/jpeg', bytes: 10 } },
      payload: {
        packageId: 'p1',
        revision: 1,
        contentHash: 'h',
        releasedAt: '2025-03-02T00:00:00.000Z',
        summary: 's',
        catalogueId: 'item',
        cover: { mediaId: 'c', alt: 'a' },
        interpretations: [],
        document: { title: 't', documentNumber: null, indexNumber: null, validity: null },
      },
    } as unknown as PackageRecord['source'];
    const options = { latestKeep: 4, keyAreasOf: new Map([['k', ['k']]]), keyAreaKeep: 2, ancestorsOf: new Map(), subtreeKeep: 2 };
    const frozen = structuredClone(loaded);
    const a = applyChanges(
      loaded,
      [
        { kind: 'publish', columnId: 'k', columnPath: ['K'], source },
        { kind: 'publish', columnId: 'z', columnPath: ['Z'], source },
      ],
      options,
    );
    expect(loaded).toEqual(frozen);
    expect(a.changed).toBe(true);
    expect([...a.changedLists].sort()).toEqual(['col/k', 'col/z', 'xxgk/item']);
    expect(a.state.packages.get('p1')!.entry.columns).toEqual(['k', 'z']);
    expect(a.state.root.columns.k).toMatchObject({ count: 1, lastUpdatedAt: '2025-03-02T00:00:00.000Z' });
    expect(a.state.root.keyAreaLatest.k!.map((i) => i.packageId)).toEqual(['p1']);
    expect(a.state.root.sitemapMonths).toEqual({ '2025-03': 1 });
    expect(a.state.media.get('media/ab')!.refs).toEqual({ 'ab12.jpg': ['p1'] });

    const again = applyChanges(a.state, [{ kind: 'publish', columnId: 'k', columnPath: ['K'], source }], options);
    expect(again.changed).toBe(false);

    const gone = applyChanges(
      a.state,
      [
        { kind: 'unpublish', columnId: 'k', packageId: 'p1' },
        { kind: 'unpublish', columnId: 'z', packageId: 'p1' },
      ],
      options,
    );
    expect([...gone.removedPackages]).toEqual(['p1']);
    expect(gone.state.root.latest).toEqual([]);
    expect(gone.state.root.sitemapMonths).toEqual({});
    expect(gone.state.media.get('media/ab')!.refs).toEqual({});
    expect((gone.state.lists.get('xxgk/item') as ListState).entries).toEqual({});
    expect(gone.state.root.packageCount).toBe(0);

    const annotated = applyChanges(
      a.state,
      [{ kind: 'annotate', packageId: 'p1', validity: { state: 'expired', effectiveFrom: null, endedAt: '2025-06-01' } }],
      options,
    );
    expect([...annotated.renderPackages]).toEqual(['p1']);
    expect(annotated.state.lists.get('col/z')!.entries.p1!.validity).toMatchObject({ state: 'expired' });
  });

  it('sitemap parts split before 50,000 URLs (here before 3)', () => {
    const month = { version: 2 as const, packages: { a: { interpretations: 1, lastmod: '2025-03-01' }, b: { interpretations: 0, lastmod: '2025-03-02' } } };
    const parts = renderMonthParts('2025-03', month, SETTINGS, 2);
    expect([...parts.keys()]).toEqual(['sitemaps/2025-03-1.xml', 'sitemaps/2025-03-2.xml']);
    expect([...parts.values()].join('').match(/<url>/g)).toHaveLength(3);
  });
});

describe('serving the store', () => {
  it('follows unit symlinks into the store, refuses links out of the web root and dot files, and sends the security headers', async () => {
    const webRoot = newRoot();
    const site = new PortalSite(webRoot, SETTINGS, FAST);
    const options = fixtureOptions(site, 31, null);
    const [publish] = await fixturePackage(1, options, 'pkg-served');
    const change = publish as Extract<SiteChange, { kind: 'publish' }>;
    await site.submit(change);
    const gen = await current(webRoot);
    const secret = path.join(scratch, 'secret.txt');
    await writeFile(secret, 'TOP-SECRET');
    // A link planted in a unit (a bad actor with write access, a broken tool) pointing out of the web root.
    const columnDir = path.join(gen, colUnit(change.columnId));
    await symlink(secret, path.join(columnDir, 'leak.html'));
    await mkdir(path.join(gen, 'extra'), { recursive: true });
    await symlink(scratch, path.join(gen, 'extra', 'outside'));

    const app = Fastify();
    registerPortalRoutes(app, { webRoot, prefix: '/portal' });
    try {
      const get = (url: string) => app.inject({ method: 'GET', url });
      const page = await get(`/portal/${portalPagePaths('pkg-served', 0).document}`);
      expect(page.statusCode).toBe(200);
      expect(page.headers).toMatchObject({
        'content-security-policy': portalContentSecurityPolicy(),
        'x-frame-options': 'SAMEORIGIN',
        'referrer-policy': 'strict-origin-when-cross-origin',
        'x-content-type-options': 'nosniff',
      });
      expect(String(page.headers['permissions-policy'])).toContain('camera=()');
      expect(portalContentSecurityPolicy()).toMatch(
        /default-src 'self'; script-src 'self' 'wasm-unsafe-eval';.*frame-ancestors 'self'; object-src 'none'; base-uri 'self'/,
      );
      expect((await get(`/portal/${portalColumnPaths(change.columnId).index}`)).statusCode).toBe(200);
      const icon = await get('/portal/favicon.ico');
      expect(icon.statusCode).toBe(200);
      expect(icon.headers['content-type']).toBe('image/x-icon');
      expect(icon.rawPayload.subarray(0, 4)).toEqual(Buffer.from([0, 0, 1, 0]));
      expect((await get('/portal/rss.xml')).headers['content-type']).toBe('application/rss+xml; charset=utf-8');
      expect((await get('/portal/sitemaps/site.xml')).statusCode).toBe(200);
      const cover = change.source.media[Object.keys(change.source.media)[0] ?? '']?.file;
      if (cover) expect((await get(`/portal/${cover}`)).headers['cache-control']).toBe('public, max-age=31536000, immutable');

      for (const url of [
        `/portal/${colUnit(change.columnId)}/leak.html`,
        '/portal/extra/outside/secret.txt',
        `/portal/${colUnit(change.columnId)}/.state.json`,
        `/portal/${portalPagePaths('pkg-served', 0).directory}/.package.json`,
        '/portal/.govpub/site.json',
        '/portal/store/',
      ]) {
        const res = await get(url);
        expect(res.statusCode, url).toBe(404);
        // The generation's 404.html, like nginx's error_page: the site's chrome and footer (网站标识码, filing numbers).
        expect(res.body, url).toBe(await readFile(path.join(gen, SITE_PATHS.notFound), 'utf8'));
        expect(res.body, url).toContain('网站标识码');
        expect(res.body, url).not.toContain('TOP-SECRET');
        expect(res.headers['x-frame-options'], url).toBe('SAMEORIGIN');
      }
      expect((await get('/portal/%2e%2e/store/')).statusCode).toBe(404);
    } finally {
      await app.close();
    }
  });

  it('redirects the old article addresses (art/<id>/…, before the buckets) with 301 to art/<bucket>/<id>/…, under any prefix', async () => {
    const webRoot = newRoot();
    const site = new PortalSite(webRoot, SETTINGS, FAST);
    const [publish] = await fixturePackage(1, fixtureOptions(site, 32, null), 'pkg-moved');
    await site.submit(publish!);
    const now = portalPagePaths('pkg-moved', 0);
    for (const prefix of ['/portal', '']) {
      const app = Fastify();
      registerPortalRoutes(app, { webRoot, prefix });
      try {
        const get = (url: string) => app.inject({ method: 'GET', url });
        for (const [old, target] of [
          [`${prefix}/art/pkg-moved/`, `${prefix}/${now.directory}/`],
          [`${prefix}/art/pkg-moved`, `${prefix}/${now.directory}/`],
          [`${prefix}/art/pkg-moved/index.html`, `${prefix}/${now.document}`],
          [`${prefix}/art/pkg-moved/index.html?from=search`, `${prefix}/${now.document}?from=search`],
        ] as const) {
          const res = await get(old);
          expect(res.statusCode, old).toBe(301);
          expect(res.headers['x-frame-options'], old).toBe('SAMEORIGIN');
          // Relative to the request (right under any prefix and behind nginx); a browser resolves it to the new page.
          const location = String(res.headers.location);
          expect(location, old).not.toMatch(/^\//);
          const resolved = new URL(location, `http://portal.test${old}`);
          expect(`${resolved.pathname}${resolved.search}`, old).toBe(target);
          expect((await get(`${resolved.pathname}${resolved.search}`)).statusCode, target).toBe(200);
        }
        // Not on the site, or no such page of it: a plain 404, no redirect.
        for (const url of [`${prefix}/art/pkg-never/`, `${prefix}/art/pkg-moved/jd-9.html`, `${prefix}/art/pkg-moved/.package.json`]) {
          expect((await get(url)).statusCode, url).toBe(404);
        }
      } finally {
        await app.close();
      }
    }
    // nginx cannot compute the bucket: the documented configuration hands these addresses to this route.
    const readme = await readFile(path.join(REPO_ROOT, 'adapters/portal/README.md'), 'utf8');
    expect(readme).toContain('location ~ "^/art/(?![0-9a-f]{2}/)[^/]+(/.*)?$" {');
  });

  it('a file asked for as a directory (a slash after its name) is a 404, as nginx answers; every redirect sends the security headers', async () => {
    const webRoot = newRoot();
    const site = new PortalSite(webRoot, SETTINGS, FAST);
    const [publish] = await fixturePackage(1, fixtureOptions(site, 33, null), 'pkg-slash');
    const change = publish as Extract<SiteChange, { kind: 'publish' }>;
    await site.submit(change);
    const app = Fastify();
    registerPortalRoutes(app, { webRoot, prefix: '/portal' });
    try {
      const get = (url: string) => app.inject({ method: 'GET', url });
      // Served there, the page's relative links (../../assets/site.css, col/…) would all resolve one level too deep.
      for (const url of ['/portal/index.html/', `/portal/${portalPagePaths('pkg-slash', 0).document}/`, '/portal/rss.xml/', '/portal/favicon.ico/']) {
        const res = await get(url);
        expect(res.statusCode, url).toBe(404);
        expect(res.body, url).toContain('网站标识码');
      }
      for (const url of ['/portal', `/portal/${colUnit(change.columnId)}`]) {
        const res = await get(url);
        expect(res.statusCode, url).toBe(301);
        expect(res.headers, url).toMatchObject({
          'content-security-policy': portalContentSecurityPolicy(),
          'x-frame-options': 'SAMEORIGIN',
          'referrer-policy': 'strict-origin-when-cross-origin',
          'x-content-type-options': 'nosniff',
        });
      }
    } finally {
      await app.close();
    }
  });

  it('answers 304 to a revalidation by If-Modified-Since (feed readers send only that) and by an If-None-Match list, as nginx does', async () => {
    const webRoot = newRoot();
    const site = new PortalSite(webRoot, SETTINGS, FAST);
    const [publish] = await fixturePackage(1, fixtureOptions(site, 34, null), 'pkg-revalidated');
    await site.submit(publish!);
    const app = Fastify();
    registerPortalRoutes(app, { webRoot, prefix: '/portal' });
    try {
      const get = (url: string, headers: Record<string, string> = {}) => app.inject({ method: 'GET', url, headers });
      for (const url of ['/portal/rss.xml', '/portal/index.html']) {
        const first = await get(url);
        expect(first.statusCode, url).toBe(200);
        const etag = String(first.headers.etag);
        const lastModified = String(first.headers['last-modified']);
        expect((await get(url, { 'if-modified-since': lastModified })).statusCode, url).toBe(304);
        expect((await get(url, { 'if-none-match': `W/"0-0", ${etag}` })).statusCode, url).toBe(304);
        expect((await get(url, { 'if-none-match': '*' })).statusCode, url).toBe(304);
        // Changed since: the whole answer. An ETag that no longer matches wins over a date that would.
        expect((await get(url, { 'if-modified-since': new Date(Date.parse(lastModified) - 60_000).toUTCString() })).statusCode, url).toBe(200);
        expect((await get(url, { 'if-none-match': 'W/"0-0"', 'if-modified-since': lastModified })).statusCode, url).toBe(200);
        expect((await get(url, { 'if-modified-since': 'not a date' })).statusCode, url).toBe(200);
      }
    } finally {
      await app.close();
    }
  });

  it('a Range it cannot read (several ranges, not bytes=) is ignored, the whole file sent, as RFC 9110 and nginx do; one past the end is 416', async () => {
    const webRoot = newRoot();
    const site = new PortalSite(webRoot, SETTINGS, FAST);
    const [publish] = await fixturePackage(1, fixtureOptions(site, 35, null), 'pkg-ranged');
    await site.submit(publish!);
    const app = Fastify();
    registerPortalRoutes(app, { webRoot, prefix: '/portal' });
    try {
      const get = (headers: Record<string, string> = {}) => app.inject({ method: 'GET', url: '/portal/rss.xml', headers });
      const whole = await get();
      for (const range of ['bytes=0-0,5-6', 'bytes=abc', 'items=0-5', 'bytes=-']) {
        const res = await get({ range });
        expect(res.statusCode, range).toBe(200);
        expect(res.body, range).toBe(whole.body);
      }
      expect((await get({ range: 'bytes=0-9' })).statusCode).toBe(206);
      const beyond = await get({ range: `bytes=${whole.rawPayload.length}-` });
      expect(beyond.statusCode).toBe(416);
      expect(beyond.headers['content-range']).toBe(`bytes */${whole.rawPayload.length}`);
    } finally {
      await app.close();
    }
  });

  it("the README's nginx configuration sends the same security headers as serve.ts", async () => {
    const readme = await readFile(path.join(REPO_ROOT, 'adapters/portal/README.md'), 'utf8');
    expect(readme).toContain(`add_header Content-Security-Policy "${portalContentSecurityPolicy()}" always;`);
    expect(readme).toContain('add_header X-Frame-Options SAMEORIGIN always;');
    expect(readme).toContain('add_header Referrer-Policy strict-origin-when-cross-origin always;');
  });
});
