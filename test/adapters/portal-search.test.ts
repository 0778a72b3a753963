/**
 * Site search (adapters/portal/search.ts, pages/search.ts): the Pagefind index built from Chinese
 * records, the SearchIndexer's debounce on a fake clock, and the search page in Debian's
 * Chromium against a real HTTP server sending the portal's CSP — a reader types 营商环境, gets the
 * right pages, and a retracted package is gone after the next rebuild.
 *
 * Without Chromium the browser part is skipped locally; with CI=true it fails instead.
 */
import { mkdtemp, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { SEARCH_ASSETS, renderSearchPage } from '../../adapters/portal/pages/search.js';
import { SEARCH_QUERY_MAX_CHARS } from '../../adapters/portal/pages/layout.js';
import { EMPTY_STRUCTURE, unconfiguredIdentity, type SiteSettings } from '../../adapters/portal/pages/settings.js';
import { SITE_JS, SITE_JS_PATH } from '../../adapters/portal/pages/assets.js';
import { SITE_CSS, SITE_CSS_PATH } from '../../adapters/portal/pages/style.js';
import { formatPortal } from '../../adapters/portal/format.js';
import {
  SearchIndexer,
  buildSearchIndex,
  checkSearchRecords,
  closeSearchService,
  searchRecordsOfPackage,
  type SearchIndexManifest,
  type SearchIndexStats,
  type SearchRecord,
} from '../../adapters/portal/search.js';
import { SITE_PATHS, portalPagePaths } from '../../adapters/portal/urls.js';
import type { Channel } from '../../domain/registry.js';
import { axeViolations, describeViolations } from '../console/axe.js';
import { launchChromium, skipBrowser } from '../support/browser.js';
import { syntheticChineseRecords } from '../support/chinese-records.js';
import { policyUnit } from './support.js';

const POLICY: SearchRecord = {
  url: 'art/1a/pkg-yshj/index.html',
  title: '碑林区关于进一步优化营商环境的若干措施',
  text: '为深入贯彻落实省市关于优化营商环境的决策部署，持续打造市场化、法治化、国际化一流营商环境，结合本区实际，制定如下措施。一、提升政务服务效能。',
  date: '2025-06-10',
  column: '政策文件',
  kind: '政策文件',
};
const INTERPRETATION: SearchRecord = {
  url: 'art/1a/pkg-yshj/jd-1.html',
  title: '图解：优化营商环境若干措施',
  text: '一图读懂碑林区优化营商环境的二十条措施，企业开办时间压缩至一个工作日。',
  date: '2025-02-14',
  column: '政策解读',
  kind: '政策解读',
};
const RETRACTED: SearchRecord = {
  url: 'art/77/pkg-tsqd/index.html',
  title: '关于公布营商环境投诉渠道的公告',
  text: '企业和群众可通过12345热线反映营商环境方面的问题。',
  date: '2025-06-20',
  column: '通知公告',
  kind: '通知公告',
};
const REPEALED: SearchRecord = {
  url: 'art/5c/pkg-tcgl/index.html',
  title: '碑林区机动车停车管理暂行办法',
  text: '为规范机动车停车秩序，制定本办法。',
  date: '2025-06-05',
  column: '行政规范性文件',
  kind: '区政府行政规范性文件',
  validity: '已废止',
};
const ENROLMENT: SearchRecord = {
  url: 'art/c3/pkg-zs/index.html',
  title: '碑林区2025年义务教育阶段学校招生入学工作实施方案',
  text: '适龄儿童少年入学实行免试就近入学。民办学校招生纳入审批地统一管理。',
  date: '2025-05-06',
  column: '政策文件',
  kind: '政策文件',
};

const OLD_NOTICE: SearchRecord = {
  url: 'art/e0/pkg-2024-jq/index.html',
  title: '关于2024年国庆节放假安排的通知',
  text: '根据国务院办公厅通知精神，现将国庆节放假安排通知如下。',
  date: '2024-09-20',
  column: '通知公告',
  kind: '通知公告',
};

/** The syntheticChineseRecords mention none of the words the tests search for. */
const FILLER = syntheticChineseRecords(300).filter((r) => !/营商|招生/.test(r.title + r.text));

async function tempDir(prefix: string): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), prefix));
}

afterAll(async () => {
  await closeSearchService();
});

describe('buildSearchIndex', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await tempDir('govpub-search-index-');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses bad records, naming the field, and writes nothing', async () => {
    const out = path.join(dir, 'bad');
    const bad = [
      POLICY,
      { ...ENROLMENT, date: '2025/05/06' },
      { ...RETRACTED, url: '/art/77/x/index.html' },
      { ...INTERPRETATION, url: POLICY.url, title: ' ' },
    ];
    const error = await buildSearchIndex(bad, out).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message).toContain('records[1].date must be YYYY-MM-DD');
    expect(message).toContain('records[2].url must be a site-root-relative path');
    expect(message).toContain(`records[3].url ${POLICY.url} appears twice`);
    expect(message).toContain('records[3].title must not be empty');
    await expect(stat(out)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('refuses a directory that already holds files', async () => {
    const out = path.join(dir, 'used');
    await mkdir(out);
    await writeFile(path.join(out, 'old.pf_meta'), 'x');
    await expect(buildSearchIndex([POLICY], out)).rejects.toThrow(/is not empty/);
  });

  it('writes one Pagefind index per month of the newest year and per earlier year, newest first, without the bundled UIs; an unchanged shard is linked from the cache', async () => {
    const cacheDir = path.join(dir, 'cache');
    const first = await buildSearchIndex([POLICY, INTERPRETATION, ENROLMENT, OLD_NOTICE], path.join(dir, 'one'), { cacheDir });
    expect(first).toMatchObject({ records: 4, shardsBuilt: 4, shardsReused: 0 });
    const manifest = JSON.parse(await readFile(path.join(dir, 'one', 'shards.json'), 'utf8')) as SearchIndexManifest;
    expect(manifest).toEqual({ format: 1, shards: ['2025-06', '2025-05', '2025-02', '2024'], records: 4 });
    const june = await readdir(path.join(dir, 'one', '2025-06'));
    expect(june).toEqual(expect.arrayContaining(['pagefind.js', 'pagefind-worker.js', 'pagefind-entry.json', 'fragment', 'index']));
    expect(june.some((f) => /^pagefind\.zh_\w+\.pf_meta$/.test(f))).toBe(true);
    expect(june.filter((f) => /ui|highlight|playground/.test(f))).toEqual([]);
    const entry = JSON.parse(await readFile(path.join(dir, 'one', '2025-06', 'pagefind-entry.json'), 'utf8')) as {
      languages: Record<string, { page_count: number }>;
    };
    // forceLanguage 'zh': one Chinese index (segmented by the extended binary), whatever the page claims.
    expect(entry.languages).toEqual({ zh: expect.objectContaining({ page_count: 1 }) });

    // One more record in June: June is indexed again, the other shards come from the cache as hard links.
    const second = await buildSearchIndex([POLICY, INTERPRETATION, ENROLMENT, OLD_NOTICE, RETRACTED], path.join(dir, 'two'), { cacheDir });
    expect(second).toMatchObject({ records: 5, shardsBuilt: 1, shardsReused: 3 });
    const entryOf = (shard: string) => path.join(shard, 'pagefind-entry.json');
    expect((await stat(path.join(dir, 'two', entryOf('2024')))).ino).toBe((await stat(path.join(dir, 'one', entryOf('2024')))).ino);
    expect((await stat(path.join(dir, 'two', entryOf('2025-02')))).nlink).toBeGreaterThanOrEqual(3);
    expect((await stat(path.join(dir, 'two', entryOf('2025-06')))).ino).not.toBe((await stat(path.join(dir, 'one', entryOf('2025-06')))).ino);
    expect(second.files).toBeGreaterThan(20);
    expect(second.bytes).toBeGreaterThan(100_000);

    // The cache keeps what the last build used: June as it first was is built again.
    const third = await buildSearchIndex([POLICY, ENROLMENT], path.join(dir, 'three'), { cacheDir });
    expect(third).toMatchObject({ shardsBuilt: 1, shardsReused: 1 });
    expect((await readdir(cacheDir)).map((e) => e.slice(0, 7)).sort()).toEqual(['2025-05', '2025-06']);
  });

  it('writes an empty index for a site with nothing published', async () => {
    const stats = await buildSearchIndex([], path.join(dir, 'empty'));
    expect(stats).toMatchObject({ records: 0, files: 1, shardsBuilt: 0 });
    expect(JSON.parse(await readFile(path.join(dir, 'empty', 'shards.json'), 'utf8'))).toEqual({ format: 1, shards: [], records: 0 });
  });
});

/** The 政策文件 column as the registry gives it. */
const POLICY_COLUMN = {
  id: 'portal:zwgk-zcwj',
  platform: 'portal',
  kind: 'portal_column',
  name: '政务公开 > 政策文件',
  publishing: 'api',
  ref: 'zwgk-zcwj',
} as Channel;

describe('searchRecordsOfPackage', () => {
  it('gives the document page (with 发文字号 searchable) and each interpretation page, dated in China time', () => {
    const unit = policyUnit({ packageId: 'pkg-yshj' }, { releasedAt: '2025-06-30T17:00:00.000Z' });
    const channel = POLICY_COLUMN;
    const { payload } = formatPortal(unit, channel, {});
    const records = searchRecordsOfPackage(payload!, '政策文件');
    const paths = portalPagePaths('pkg-yshj', 2);
    expect(records.map((r) => [r.url, r.title, r.date, r.column, r.kind])).toEqual([
      [paths.document, '碑林区进一步优化营商环境若干措施', '2025-07-01', '政策文件', '区政府文件'],
      [paths.interpretations[0], '政策解读：优化营商环境二十条', '2025-07-01', '政策文件', '政策解读'],
      [paths.interpretations[1], '问答：企业最关心的十个问题', '2025-07-01', '政策文件', '政策解读'],
    ]);
    expect(records[0]!.text).toContain('为深入贯彻落实国家、省、市关于优化营商环境的决策部署');
    expect(records[0]!.text).toContain('碑政发〔2025〕7号');
    expect(records[0]!.text).not.toMatch(/<[a-z]/);
    expect(records[1]!.text).toContain('企业开办时间压缩至1个工作日以内。');
    expect(records[1]!.text).toContain('区发展和改革委员会');
    expect(() => checkSearchRecords(records)).not.toThrow();
    // Each interpretation under the 解读回应类 column that lists it, when the package is in one.
    const byForm = searchRecordsOfPackage(payload!, '政策文件', (form) => `${form}栏目`);
    expect(byForm.map((r) => r.column)).toEqual(['政策文件', ...payload!.interpretations.map((i) => `${i.formLabel}栏目`)]);
  });

  it('a 失效 or 废止 document says so in its results, and so do its interpretations; a shard built before the change is not reused', async () => {
    const channel = POLICY_COLUMN;
    const { payload } = formatPortal(policyUnit({ packageId: 'pkg-fz' }), channel, {});
    expect(searchRecordsOfPackage(payload!, '政策文件').map((r) => r.validity)).toEqual([undefined, undefined, undefined]);
    const repealed = { ...payload!, document: { ...payload!.document, validity: { state: 'repealed' as const, effectiveFrom: null, endedAt: '2025-12-31' } } };
    const records = searchRecordsOfPackage(repealed, '政策文件');
    expect(records.map((r) => r.validity)).toEqual(['已废止', '政策原文已废止', '政策原文已废止']);
    expect(() => checkSearchRecords(records)).not.toThrow();
    // The shard cache is keyed by what the records say: the same pages with a new 有效性 are built again.
    const dir = await tempDir('govpub-search-validity-');
    const cacheDir = path.join(dir, 'cache');
    expect(await buildSearchIndex(searchRecordsOfPackage(payload!, '政策文件'), path.join(dir, 'a'), { cacheDir })).toMatchObject({ shardsBuilt: 1 });
    expect(await buildSearchIndex(records, path.join(dir, 'b'), { cacheDir })).toMatchObject({ shardsBuilt: 1, shardsReused: 0 });
  });
});

/**
 * A SearchIndexer whose build only records what it was given (the debounce is what is tested), on
 * Vitest's fake clock: the settle time, the interval and the build's own duration pass only when
 * `advance` moves the clock, so what the debounce decides does not depend on how busy the machine
 * is (on a loaded CI machine, real timers fired late enough to make 8 rebuilds of a 7-rebuild burst).
 */
function recordingIndexer(options: { intervalMs: number; settleMs: number; buildMs: number; failFirst?: boolean; workDir: string }) {
  const events: { startedAt: number; version: number; installedAt?: number }[] = [];
  const errors: unknown[] = [];
  let version = 0;
  let failures = options.failFirst ? 1 : 0;
  /** The build is in its (fake) build time, not in file work. */
  let building = false;
  const indexer = new SearchIndexer({
    workDir: options.workDir,
    intervalMs: options.intervalMs,
    settleMs: options.settleMs,
    maxLagMs: 10_000,
    onError: (e) => errors.push(e),
    loadRecords: async () => {
      events.push({ startedAt: Date.now(), version });
      return [];
    },
    build: async (_records, outDir): Promise<SearchIndexStats> => {
      await mkdir(outDir, { recursive: true });
      await writeFile(path.join(outDir, 'shards.json'), '{}');
      building = true;
      await new Promise((resolve) => setTimeout(resolve, options.buildMs));
      building = false;
      if (failures > 0) {
        failures--;
        throw new Error('disk full');
      }
      return { records: 0, files: 1, bytes: 2, ms: options.buildMs, shardsBuilt: 0, shardsReused: 0 };
    },
    install: async (dir) => {
      events.at(-1)!.installedAt = Date.now();
      await rm(dir, { recursive: true });
    },
  });
  /**
   * Until the indexer waits on the fake clock only: idle, waiting for its next rebuild, or in the
   * build time. Its file work (build directory, install, removing abandoned builds) takes real
   * time, in which the fake clock must stand still, as no time passes in it for the debounce.
   */
  const quiet = async () => {
    for (let spins = 0; indexer.status().building && !building; spins++) {
      if (spins > 100_000) throw new Error('the indexer never finished its file work');
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  /** Moves the fake clock on by `ms`, a millisecond at a time, each once the indexer is quiet. */
  const advance = async (ms: number) => {
    for (let i = 0; i < ms; i++) {
      await quiet();
      await vi.advanceTimersByTimeAsync(1);
    }
    await quiet();
  };
  /** Moves the fake clock on until `done` holds (at most `limitMs`), and says how long that took. */
  const advanceUntil = async (done: () => boolean, limitMs = 10_000): Promise<number> => {
    const from = Date.now();
    await quiet();
    while (!done()) {
      if (Date.now() - from >= limitMs) throw new Error(`not done within ${limitMs} ms of the fake clock; status ${JSON.stringify(indexer.status())}`);
      await advance(1);
    }
    return Date.now() - from;
  };
  return {
    indexer,
    events,
    errors,
    advance,
    advanceUntil,
    /** A commit: the records change, then the indexer hears of it. */
    commit() {
      version++;
      indexer.notify();
      return { version, at: Date.now() };
    },
  };
}

describe('SearchIndexer', () => {
  let workDir: string;
  beforeAll(async () => {
    workDir = await tempDir('govpub-search-indexer-');
  });
  afterAll(async () => {
    await rm(workDir, { recursive: true, force: true });
  });
  beforeEach(() => {
    // setImmediate stays real: `quiet` waits with it for the indexer's file work.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('turns a burst of commits into one rebuild after the settle time, and notify never waits', async () => {
    const { indexer, events, commit, advance, advanceUntil } = recordingIndexer({ intervalMs: 300, settleMs: 60, buildMs: 20, workDir });
    const first = commit();
    for (let i = 0; i < 9; i++) commit();
    // notify only notes the commit: nothing was loaded or built while it ran.
    expect(events).toHaveLength(0);
    expect(indexer.status()).toMatchObject({ pending: true, building: false, rebuilds: 0 });
    await advanceUntil(() => events[0]?.installedAt !== undefined);
    await advance(100);
    expect(events).toHaveLength(1);
    expect(events[0]!.version).toBe(10);
    expect(events[0]!.startedAt - first.at).toBeGreaterThanOrEqual(55);
    expect(events[0]!.installedAt).toBeDefined();
    expect(indexer.status()).toMatchObject({ pending: false, building: false, rebuilds: 1, failures: 0 });
    await indexer.close();
  });

  it('rebuilds at most once per interval, covers every commit within the bound, and builds once more for commits made during a build', async () => {
    const intervalMs = 200;
    const settleMs = 20;
    const buildMs = 80;
    const { indexer, events, commit, advance, advanceUntil } = recordingIndexer({ intervalMs, settleMs, buildMs, workDir });
    const commits: { version: number; at: number }[] = [];
    // Commits every 30 ms for 1 s: some land while a build runs.
    for (let i = 0; i < 33; i++) {
      commits.push(commit());
      await advance(30);
    }
    // Not flush(): it would start the last rebuild at once.
    await advanceUntil(() => !indexer.status().pending && !indexer.status().building);
    const starts = events.map((e) => e.startedAt);
    for (let i = 1; i < starts.length; i++) expect(starts[i]! - starts[i - 1]!).toBeGreaterThanOrEqual(intervalMs - 5);
    expect(events.length).toBeGreaterThanOrEqual(4);
    expect(events.length).toBeLessThanOrEqual(7);
    // Every commit is in an installed index within interval + settle + two builds (+ timer slack).
    for (const c of commits) {
      const covering = events.find((e) => e.version >= c.version && e.installedAt !== undefined);
      expect(covering, `commit ${c.version}`).toBeDefined();
      expect(covering!.installedAt! - c.at).toBeLessThanOrEqual(intervalMs + settleMs + 2 * buildMs + 150);
    }
    expect(events.at(-1)!.version).toBe(33);
    expect(indexer.status().lastLagMs).toBeLessThanOrEqual(intervalMs + settleMs + 2 * buildMs + 150);
    await indexer.close();
  });

  it('reports a failed rebuild, removes its directory and tries again after the interval', async () => {
    const { indexer, events, errors, commit, advanceUntil } = recordingIndexer({ intervalMs: 150, settleMs: 10, buildMs: 10, failFirst: true, workDir });
    commit();
    await advanceUntil(() => errors.length === 1);
    expect(String(errors[0])).toContain('disk full');
    await advanceUntil(() => !indexer.status().building);
    expect(indexer.status()).toMatchObject({ pending: true, failures: 1, rebuilds: 0 });
    expect((await readdir(workDir)).filter((e) => e.startsWith('build-'))).toEqual([]);
    await advanceUntil(() => indexer.status().rebuilds === 1);
    expect(events).toHaveLength(2);
    expect(events[1]!.startedAt - events[0]!.startedAt).toBeGreaterThanOrEqual(145);
    expect(events[1]!.installedAt).toBeDefined();
    expect(indexer.status()).toMatchObject({ pending: false, failures: 1, rebuilds: 1 });
    await indexer.close();
  });

  it('after close, waits for the running build and starts no other', async () => {
    const { indexer, events, commit, advance, advanceUntil } = recordingIndexer({ intervalMs: 50, settleMs: 0, buildMs: 80, workDir });
    commit();
    await advanceUntil(() => indexer.status().building);
    commit();
    let closed = false;
    const closing = indexer.close().then(() => (closed = true));
    await advanceUntil(() => closed);
    await closing;
    expect(events).toHaveLength(1);
    expect(events[0]!.installedAt).toBeDefined();
    commit();
    await advance(150);
    expect(events).toHaveLength(1);
  });

  it('removes build directories abandoned by a process that died (over an hour old), not younger ones', async () => {
    const dir = path.join(workDir, 'abandoned');
    await mkdir(path.join(dir, `build-${Date.now() - 2 * 3600_000}-dead/2025-q1`), { recursive: true });
    await mkdir(path.join(dir, `build-${Date.now() - 60_000}-busy`), { recursive: true });
    const { indexer, events, commit, advanceUntil } = recordingIndexer({ intervalMs: 50, settleMs: 0, buildMs: 5, workDir: dir });
    commit();
    await advanceUntil(() => indexer.status().rebuilds === 1 && !indexer.status().building);
    expect(events).toHaveLength(1);
    expect((await readdir(dir)).map((e) => e.replace(/\d+/, 'N'))).toEqual(['build-N-busy']);
    await indexer.close();
  });

  it('refuses settings that leave no time to build within the bound', () => {
    expect(() => new SearchIndexer({ workDir, intervalMs: 60_000, loadRecords: async () => [], install: async () => {} })).toThrow(/leaves no time to build/);
  });
});

/** A static server for a site directory, with the portal's CSP (no inline script, wasm allowed). */
async function serveSite(siteDir: string): Promise<{ server: Server; base: string }> {
  const types: Record<string, string> = {
    '.html': 'text/html; charset=utf-8',
    '.css': 'text/css; charset=utf-8',
    '.js': 'text/javascript; charset=utf-8',
    '.json': 'application/json',
  };
  const server = createServer((req, res) => {
    void (async () => {
      let file = path.join(siteDir, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
      if (!file.startsWith(siteDir)) return res.writeHead(400).end();
      try {
        if ((await stat(file)).isDirectory()) file = path.join(file, 'index.html');
        const body = await readFile(file);
        res.writeHead(200, {
          'content-type': types[path.extname(file)] ?? 'application/octet-stream',
          'cache-control': 'no-cache',
          'content-security-policy':
            "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; frame-ancestors 'none'",
        });
        res.end(body);
      } catch {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  return { server, base: `http://127.0.0.1:${address.port}/portal/` };
}

describe.skipIf(skipBrowser)('the search page in a browser', () => {
  let dir: string;
  let siteDir: string;
  let browser: Browser;
  let server: Server;
  let base: string;
  let records: SearchRecord[];
  let indexer: SearchIndexer;
  const cspErrors: string[] = [];

  const site: SiteSettings = {
    siteName: '西安市碑林区人民政府',
    identity: unconfiguredIdentity('西安市碑林区人民政府', 'www.beilin.gov.cn'),
    structure: EMPTY_STRUCTURE,
    publicBaseUrl: 'https://www.beilin.gov.cn',
    pageSize: 20,
    feedSize: 50,
    homeSize: 20,
  };

  beforeAll(async () => {
    dir = await tempDir('govpub-search-site-');
    // Served under /portal/ like registerPortalRoutes does: the page must not assume the domain root.
    siteDir = path.join(dir, 'www');
    const root = path.join(siteDir, 'portal');
    const files = new Map<string, string>([
      [SITE_PATHS.search, renderSearchPage(site)],
      [SITE_CSS_PATH, SITE_CSS],
      [SITE_JS_PATH, SITE_JS],
      [SITE_PATHS.siteMap, '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>网站地图</title></head><body><h1>网站地图</h1></body></html>'],
      ...Object.entries(SEARCH_ASSETS),
    ]);
    for (const r of [POLICY, INTERPRETATION, RETRACTED, REPEALED, ENROLMENT, OLD_NOTICE]) {
      files.set(r.url, `<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>${r.title}</title></head><body><h1>${r.title}</h1></body></html>`);
    }
    for (const [file, content] of files) {
      await mkdir(path.dirname(path.join(root, file)), { recursive: true });
      await writeFile(path.join(root, file), content);
    }
    records = [...FILLER, POLICY, INTERPRETATION, RETRACTED, REPEALED, ENROLMENT, OLD_NOTICE];
    indexer = new SearchIndexer({
      workDir: path.join(dir, 'work'),
      intervalMs: 100,
      settleMs: 10,
      loadRecords: async () => records,
      install: async (prepared) => {
        const live = path.join(root, SITE_PATHS.searchIndexDir);
        await rm(live, { recursive: true, force: true });
        await rename(prepared, live);
      },
    });
    indexer.notify();
    await indexer.flush();
    expect(indexer.status()).toMatchObject({ rebuilds: 1, failures: 0 });
    ({ server, base } = await serveSite(siteDir));
    browser = await launchChromium();
  });

  afterAll(async () => {
    await indexer?.close();
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function openPage(): Promise<Page> {
    const page = await browser.newPage();
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) cspErrors.push(message.text());
    });
    return page;
  }

  /** Searches as a keyboard user does: focus the field, type, Enter; waits for the announced count. */
  async function search(page: Page, query: string): Promise<string> {
    await page.goto(`${base}search/index.html`);
    await expect.poll(() => page.locator('#search-status').textContent()).toContain('请输入关键词');
    // Tab through the chrome (skip link, site name, navigation, breadcrumb) to the field.
    for (let i = 0; i < 60 && (await page.evaluate('document.activeElement && document.activeElement.id')) !== 'search-q'; i++)
      await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement && document.activeElement.id')).toBe('search-q');
    await page.keyboard.type(query);
    await page.keyboard.press('Enter');
    await page.waitForURL(/\?q=/);
    const status = page.locator('#search-status');
    await expect.poll(() => status.textContent()).toMatch(/找到|没有找到|不可用/);
    return (await status.textContent()) ?? '';
  }

  async function resultTitles(page: Page): Promise<string[]> {
    return page.locator('#search-results .search-title').allTextContents();
  }

  it('finds 营商环境 in the policy, its interpretation (another month) and the notice, with date, column and a marked excerpt', async () => {
    const page = await openPage();
    const status = await search(page, '营商环境');
    expect(status).toBe('找到 3 条与“营商环境”相关的信息。');
    expect((await resultTitles(page)).sort()).toEqual([POLICY.title, INTERPRETATION.title, RETRACTED.title].sort());
    const policy = page.locator('.search-result', { hasText: POLICY.title });
    await expect.poll(() => policy.locator('.search-meta').textContent()).toBe('发布日期：2025-06-10栏目：政策文件类别：政策文件');
    expect(await policy.locator('.search-excerpt mark').allTextContents()).toEqual(expect.arrayContaining(['环境']));
    expect(await policy.locator('.search-excerpt').textContent()).toContain('优化营商环境');
    expect(await page.title()).toBe('“营商环境”的搜索结果 - 站内搜索 - 西安市碑林区人民政府');
    // The live region is the status paragraph; the field has its label.
    expect(await page.locator('#search-status').getAttribute('role')).toBe('status');
    expect(await page.locator('label[for="search-q"]').textContent()).toBe('搜索关键词');
    expect(await page.locator('#search-q').inputValue()).toBe('营商环境');

    // Keyboard on to the first result and open it: the link resolves under /portal/.
    const href = await page.locator('.search-title').first().getAttribute('href');
    expect(href).toMatch(new RegExp(`^${base}art/`));
    await page.locator('.search-title').first().focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/art\//);
    expect([POLICY.title, INTERPRETATION.title, RETRACTED.title]).toContain(await page.locator('h1').textContent());
    await page.close();
  });

  it('a 废止 document says so in its result (有效性：已废止)', async () => {
    const page = await openPage();
    expect(await search(page, '停车管理')).toBe('找到 1 条与“停车管理”相关的信息。');
    const result = page.locator('.search-result', { hasText: REPEALED.title });
    await expect
      .poll(() => result.locator('.search-meta').textContent())
      .toBe('发布日期：2025-06-05栏目：行政规范性文件类别：区政府行政规范性文件有效性：已废止');
    await page.close();
  });

  it('finds a two-character query and several keywords, and says so when nothing matches', async () => {
    const page = await openPage();
    expect(await search(page, '招生')).toBe('找到 1 条与“招生”相关的信息。');
    expect(await resultTitles(page)).toEqual([ENROLMENT.title]);
    expect(await search(page, '营商环境 一个工作日')).toBe('找到 1 条与“营商环境 一个工作日”相关的信息。');
    expect(await resultTitles(page)).toEqual([INTERPRETATION.title]);
    // Last year's shard is merged too.
    expect(await search(page, '国庆节')).toBe('找到 1 条与“国庆节”相关的信息。');
    expect(await resultTitles(page)).toEqual([OLD_NOTICE.title]);
    expect(await search(page, '量子计算')).toBe('没有找到与“量子计算”相关的信息，请换个关键词试试。');
    expect(await resultTitles(page)).toEqual([]);
    await page.close();
  });

  it('finds nothing for a keyword only partly in the index, where a loose match would list every page holding one of its parts', async () => {
    const page = await openPage();
    // Pagefind drops the parts of a query its index lacks (玄武岩): loosely, this is 营商环境 again.
    expect(await search(page, '玄武岩营商环境')).toBe('没有找到与“玄武岩营商环境”相关的信息，请换个关键词试试。');
    expect(await resultTitles(page)).toEqual([]);
    // A keyword found only loosely (the browser splits it otherwise than the indexer) is still found.
    expect(await search(page, '一个工作日')).toBe('找到 1 条与“一个工作日”相关的信息。');
    expect(await resultTitles(page)).toEqual([INTERPRETATION.title]);
    await page.close();
  });

  it('a link whose query holds control characters or 2,000 characters, and 2,000 characters typed in the header, give a page that answers', async () => {
    const page = await openPage();
    const status = page.locator('#search-status');
    for (const nothing of ['\u0007\u0000', '"“”']) {
      await page.goto(`${base}search/index.html?q=${encodeURIComponent(nothing)}`);
      await expect.poll(() => status.textContent()).toBe('请输入关键词，按回车键或点击“搜索”按钮。');
    }
    await page.goto(`${base}search/index.html?q=${encodeURIComponent('营商\u0001环境')}`);
    await expect.poll(() => status.textContent()).toBe('找到 3 条与“营商环境”相关的信息。');
    // 2,000 characters of a link (Latin: 2,000 Chinese ones are 18 KB encoded, past what any server takes in a request line).
    await page.goto(`${base}search/index.html?q=${encodeURIComponent('营商环境' + 'x'.repeat(1996))}`);
    await expect.poll(() => status.textContent()).toMatch(/没有找到|找到/);
    expect([...(await page.locator('#search-q').inputValue())]).toHaveLength(SEARCH_QUERY_MAX_CHARS);
    expect((await status.textContent())!.length).toBeLessThan(SEARCH_QUERY_MAX_CHARS + 30);
    // The header's field takes no more than the page's: its GET stays a request the server answers.
    const header = page.locator('#site-search-q');
    await header.fill('');
    await header.pressSequentially('营'.repeat(2000).slice(0, 150));
    expect([...(await header.inputValue())]).toHaveLength(SEARCH_QUERY_MAX_CHARS);
    await header.press('Enter');
    await page.waitForURL(/\?q=/);
    await expect.poll(() => status.textContent()).toMatch(/没有找到|找到/);
    await page.close();
  });

  it('lists 20 results at first and the next ones on 显示更多结果, focus on the first new one', async () => {
    const page = await openPage();
    const status = await search(page, '通知');
    const total = Number(/找到 (\d+) 条/.exec(status)?.[1]);
    expect(total).toBeGreaterThan(20);
    await expect.poll(() => page.locator('.search-result').count()).toBe(20);
    await page.locator('#search-more').focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('.search-result').count()).toBe(Math.min(40, total));
    expect(await page.evaluate('document.activeElement.textContent')).toBe(await page.locator('.search-title').nth(20).textContent());
    await page.close();
  });

  it('has no accessibility violation of any impact, in normal and in elder mode, and breaks no CSP rule', async () => {
    const page = await openPage();
    await search(page, '营商环境');
    const violations = await axeViolations(page);
    expect(violations, describeViolations('search page', violations)).toEqual([]);
    await page.click('#elder-toggle');
    expect(await page.evaluate('document.documentElement.classList.contains("elder")')).toBe(true);
    const elder = await axeViolations(page);
    expect(elder, describeViolations('search page (elder mode)', elder)).toEqual([]);
    expect(cspErrors).toEqual([]);
    await page.close();
  });

  it('without JavaScript says search needs it and links the 网站地图', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${base}search/index.html?q=营商环境`);
    const note = page.locator('.search-nojs');
    await expect.poll(() => note.isVisible()).toBe(true);
    expect(await note.textContent()).toContain('站内搜索需要浏览器启用 JavaScript');
    await note.locator('a').click();
    await page.waitForURL(/map\/index\.html$/);
    expect(await page.locator('h1').textContent()).toBe('网站地图');
    await context.close();
  });

  it('a retracted package is gone from the results after the next rebuild', async () => {
    records = records.filter((r) => r.url !== RETRACTED.url);
    indexer.notify();
    await indexer.flush();
    // Only June, the retracted notice's month, is indexed again.
    const { shards } = JSON.parse(await readFile(path.join(siteDir, 'portal', SITE_PATHS.searchIndexDir, 'shards.json'), 'utf8')) as SearchIndexManifest;
    expect(shards).toEqual(expect.arrayContaining(['2025-06', '2025-02', '2024']));
    expect(indexer.status()).toMatchObject({
      rebuilds: 2,
      failures: 0,
      lastStats: expect.objectContaining({ shardsBuilt: 1, shardsReused: shards.length - 1 }),
    });
    const page = await openPage();
    expect(await search(page, '营商环境')).toBe('找到 2 条与“营商环境”相关的信息。');
    expect((await resultTitles(page)).sort()).toEqual([POLICY.title, INTERPRETATION.title].sort());
    expect(await search(page, '投诉渠道')).toBe('没有找到与“投诉渠道”相关的信息，请换个关键词试试。');
    await page.close();
  });
});
