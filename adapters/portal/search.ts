/**
 * Site search for the static portal: a Pagefind index (https://pagefind.app, npm `pagefind`, MIT)
 * built from the site's records, searched in the reader's browser by pagefind.js + WebAssembly.
 *
 * Why Pagefind: it is made for static sites (the index is split into hashed chunks, so a search
 * downloads a few small files, not the whole index), it is well kept (monthly releases), and the
 * linux-x64 binary the npm registry ships (@pagefind/linux-x64 → `pagefind_extended`) is the
 * "extended" build, which segments Chinese into words. Segmentation depends on the record's
 * language: records added as `zh` are segmented (营商环境 → 营|商|环境, so 营商环境, 营商 and 环境
 * all find 「…优化营商环境…」), records added as `en` keep a Chinese run as one word (环境 then
 * finds nothing). `forceLanguage: 'zh'` puts every record in one `zh` index whatever language it
 * claims, which is what a Chinese government site wants; the browser's `<html lang="zh-CN">`
 * falls back to that `zh` index.
 *
 * Measured (bench/portal-search-bench.ts: synthetic Chinese articles of ~800 characters over one
 * year; this 2-core machine while other builds ran, load average ≈ 11, so expect these to be
 * several times lower on a quiet machine):
 *
 * | articles | full build (empty cache) | publish one (1 of 12 shards) | retract one | index size |
 * |---|---|---|---|---|
 * | 1,000 | 6.0 s | 0.65 s | 0.9 s | 3.8 MB, 1,156 files |
 * | 10,000 | 51.5 s | 6.8 s | 10.5 s | 17.9 MB, 2,660 files |
 *
 * Segmenting is most of the cost: the same 10,000 articles indexed as `en` (no segmentation) take
 * about a quarter of the time. Hence the shards (searchShardsOf) and the cache of unchanged ones.
 * A search downloads the entry, meta and matching index chunk of each shard and the fragments of
 * the results it shows: tens of KB.
 *
 * The search page (pages/search.ts) searches each keyword as an exact phrase first: Pagefind
 * ignores query words an index lacks, so in a shard without 营 or 商, 营商环境 would match every
 * page with 环境.
 *
 * Publishing never waits for the index: `SearchIndexer` rebuilds the index from the current
 * records after commits (debounced; unchanged shards come from its cache) and installs it as a
 * new generation's `pagefind/`. A retracted package is simply absent from the next rebuild.
 */
import { createHash, randomBytes } from 'node:crypto';
import { copyFile, link, mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import * as pagefind from 'pagefind';
import { htmlToPlainText } from '../text.js';
import type { PortalPayload } from './payload.js';
import { endedValidityLabel } from './pages/entry-list.js';
import { portalPagePaths } from './urls.js';

/** What the search knows of one page. */
export interface SearchRecord {
  /** Site-root-relative path of the page, e.g. `art/ab/pkg-1/index.html` (no leading slash). */
  url: string;
  title: string;
  /** Plain text of the page body (no HTML). */
  text: string;
  /** 发布日期, YYYY-MM-DD. */
  date: string;
  /** The column's name as readers see it, e.g. 政策文件. */
  column: string;
  /** 政策文件, 政策解读, … */
  kind: string;
  /** A document no longer in force says so (已失效, 已废止), its interpretations too (政策原文已废止); absent while in force. */
  validity?: string;
}

export interface SearchIndexStats {
  records: number;
  /** Files and bytes of the whole index directory (reused shards included). */
  files: number;
  bytes: number;
  ms: number;
  /** Shards (months, years) indexed anew / taken from the cache unchanged. */
  shardsBuilt: number;
  shardsReused: number;
}

/** The index directory's table of contents, read by assets/search.js. */
export interface SearchIndexManifest {
  format: 1;
  /** Shard directories, newest first: the first is the primary Pagefind index, the others are merged into it. */
  shards: string[];
  records: number;
}

export const SEARCH_MANIFEST_FILE = 'shards.json';
/** Part of every shard's cache key: a new Pagefind or a change in what is indexed rebuilds every shard. */
const SHARD_FORMAT = 'pagefind-1.6.0;zh;title+text;meta:title,date,column,kind;v1';

/**
 * Pagefind writes one fragment file (a result's title, excerpt text, metadata) per record; past
 * this many per shard it bundles them, so a generation holds hundreds of index files, not one per article.
 */
const MAX_FRAGMENTS = 200;

/**
 * Records are sharded by date: a month of the newest record's year (`2025-06`), a whole year
 * before it (`2024`). A publish then indexes one month again (~700 articles at a year's rate), not
 * the year, and a reader's browser merges at most 12 + one per past year indexes. Past years
 * change rarely (a retraction, an edit); at the turn of the year the old year's months become one
 * shard, built once.
 */
export function searchShardsOf(records: SearchRecord[]): Map<string, SearchRecord[]> {
  const newestYear = records.reduce((year, r) => (r.date.slice(0, 4) > year ? r.date.slice(0, 4) : year), '');
  const shards = new Map<string, SearchRecord[]>();
  for (const r of records) {
    const year = r.date.slice(0, 4);
    const shard = year === newestYear ? r.date.slice(0, 7) : year;
    const list = shards.get(shard);
    if (list) list.push(r);
    else shards.set(shard, [r]);
  }
  return shards;
}

/**
 * The files Pagefind writes that the search page needs. Its bundled UIs (pagefind-ui.js,
 * pagefind-component-ui.js, pagefind-modular-ui.js, their CSS, pagefind-highlight.js: ~430 KB per
 * index) are left out: the portal's search page has its own markup (assets/search.js).
 */
function isNeededIndexFile(file: string): boolean {
  if (/^(fragment|index|filter)\//.test(file)) return true;
  return (
    file === 'pagefind.js' ||
    file === 'pagefind-worker.js' ||
    file === 'pagefind-entry.json' ||
    /\.pf_meta$/.test(file) ||
    /^wasm\.[\w-]+\.pagefind$/.test(file)
  );
}

/** 2025-06-30T17:00:00Z → 2025-07-01: the 发布日期 as readers in China see it. */
function chinaDate(iso: string): string {
  return new Date(Date.parse(iso) + 8 * 3600_000).toISOString().slice(0, 10);
}

/**
 * What the search knows of a package's pages: the document page (its text, plus 发文字号, 索引号
 * and 主题词 so a reader can search by them) and each interpretation page (text and transcript).
 * `columnName` is the column the site lists it under first (its last name, e.g. 区政府文件). Pure.
 */
/**
 * A package's search records: its document under `columnName` (its home column), each
 * interpretation under `interpretationColumnName(its form)` (the 解读回应类 column listing it), by
 * default the same.
 */
export function searchRecordsOfPackage(
  payload: PortalPayload,
  columnName: string,
  interpretationColumnName: (formLabel: string) => string = () => columnName,
): SearchRecord[] {
  const paths = portalPagePaths(payload.packageId, payload.interpretations.length);
  const date = chinaDate(payload.releasedAt);
  const d = payload.document;
  const documentText = [htmlToPlainText(d.bodyHtml), d.documentNumber, d.indexNumber, d.issuingUnit, ...(d.keywords ?? [])].filter(Boolean).join('\n');
  const ended = endedValidityLabel(d.validity);
  return [
    { url: paths.document, title: d.title, text: documentText, date, column: columnName, kind: payload.catalogueName, ...(ended ? { validity: ended } : {}) },
    ...payload.interpretations.map((interpretation, i) => ({
      url: paths.interpretations[i]!,
      title: interpretation.title,
      text: [
        htmlToPlainText(interpretation.bodyHtml),
        interpretation.transcriptHtml ? htmlToPlainText(interpretation.transcriptHtml) : null,
        interpretation.interpreter,
      ]
        .filter(Boolean)
        .join('\n'),
      date,
      column: interpretationColumnName(interpretation.formLabel),
      kind: '政策解读',
      ...(ended ? { validity: `政策原文${ended}` } : {}),
    })),
  ];
}

/** Bad records fail the whole build, naming the field: a half index is never written. */
export function checkSearchRecords(records: SearchRecord[]): void {
  const problems: string[] = [];
  const urls = new Set<string>();
  records.forEach((r, i) => {
    const at = `records[${i}]`;
    if (
      typeof r.url !== 'string' ||
      r.url === '' ||
      r.url.startsWith('/') ||
      /^[a-z][a-z0-9+.-]*:/i.test(r.url) ||
      r.url.split('/').some((s) => s === '..' || s === '.')
    ) {
      problems.push(`${at}.url must be a site-root-relative path such as art/ab/pkg-1/index.html (got ${JSON.stringify(r.url)})`);
    } else if (urls.has(r.url)) {
      problems.push(`${at}.url ${r.url} appears twice`);
    } else urls.add(r.url);
    if (typeof r.title !== 'string' || r.title.trim() === '') problems.push(`${at}.title must not be empty`);
    if (typeof r.text !== 'string') problems.push(`${at}.text must be a string`);
    if (typeof r.date !== 'string' || !/^\d{4}-(0[1-9]|1[0-2])-\d{2}$/.test(r.date))
      problems.push(`${at}.date must be YYYY-MM-DD (got ${JSON.stringify(r.date)})`);
    if (typeof r.column !== 'string') problems.push(`${at}.column must be a string`);
    if (typeof r.kind !== 'string') problems.push(`${at}.kind must be a string`);
    if (r.validity !== undefined && typeof r.validity !== 'string') problems.push(`${at}.validity must be a string when given`);
  });
  if (problems.length > 0) throw new Error(`search index: ${problems.length} bad record(s): ${problems.slice(0, 10).join('; ')}`);
}

/** One Pagefind index of `records` in `dir` (created). */
/** Writes a file of the index; with `durable`, on disk before it is installed (a crash then never leaves a generation with empty index files). */
async function writeIndexFile(file: string, content: Uint8Array | string, durable: boolean): Promise<void> {
  const handle = await open(file, 'w');
  try {
    await handle.writeFile(content);
    if (durable) await handle.sync();
  } finally {
    await handle.close();
  }
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function buildShard(records: SearchRecord[], dir: string, durable: boolean): Promise<void> {
  const created = await pagefind.createIndex({ forceLanguage: 'zh', maxFragments: MAX_FRAGMENTS });
  if (!created.index) throw new Error(`search index: Pagefind did not start: ${created.errors.join('; ')}`);
  const index = created.index;
  try {
    // Sent in batches: the service answers each record, and waiting for every answer in turn is slower.
    for (let start = 0; start < records.length; start += 50) {
      await Promise.all(
        records.slice(start, start + 50).map(async (r) => {
          // The title is searched too: it goes first in the content (custom records have no weights).
          const added = await index.addCustomRecord({
            url: r.url,
            content: `${r.title}\n${r.text}`,
            language: 'zh',
            meta: { title: r.title, date: r.date, column: r.column, kind: r.kind, ...(r.validity ? { validity: r.validity } : {}) },
            filters: { column: [r.column], kind: [r.kind] },
            sort: { date: r.date },
          });
          if (added.errors.length > 0) throw new Error(`search index: ${r.url}: ${added.errors.join('; ')}`);
        }),
      );
    }
    const { files, errors } = await index.getFiles();
    if (errors.length > 0) throw new Error(`search index: Pagefind could not write the index: ${errors.join('; ')}`);
    const directories = new Set<string>([dir]);
    await mkdir(dir, { recursive: true });
    for (const file of files) {
      const relative = file.path.replaceAll('\\', '/');
      if (!isNeededIndexFile(relative)) continue;
      const target = path.join(dir, relative);
      const parent = path.dirname(target);
      if (!directories.has(parent)) {
        await mkdir(parent, { recursive: true });
        directories.add(parent);
      }
      await writeIndexFile(target, file.content, durable);
    }
    if (durable) for (const directory of directories) await syncDirectory(directory);
  } finally {
    await index.deleteIndex();
  }
}

/** Hard-links (copies across filesystems) every file of `from` into `to`; counts them. */
async function linkTree(from: string, to: string, durable: boolean): Promise<{ files: number; bytes: number }> {
  let files = 0;
  let bytes = 0;
  await mkdir(to, { recursive: true });
  for (const entry of await readdir(from, { withFileTypes: true })) {
    const source = path.join(from, entry.name);
    const target = path.join(to, entry.name);
    if (entry.isDirectory()) {
      const sub = await linkTree(source, target, durable);
      files += sub.files;
      bytes += sub.bytes;
      continue;
    }
    try {
      await link(source, target);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
      await copyFile(source, target);
    }
    files++;
    bytes += (await stat(target)).size;
  }
  if (durable) await syncDirectory(to);
  return { files, bytes };
}

function shardDigest(records: SearchRecord[]): string {
  const hash = createHash('sha256').update(SHARD_FORMAT);
  for (const r of [...records].sort((a, b) => (a.url < b.url ? -1 : a.url > b.url ? 1 : 0)))
    // 有效性 only when given: shards cached before it existed stay valid.
    hash.update(JSON.stringify([r.url, r.title, r.text, r.date, r.column, r.kind, ...(r.validity ? [r.validity] : [])]));
  return hash.digest('hex').slice(0, 16);
}

/**
 * Builds the site's search index into `outDir` (created; it must be missing or empty, so no chunk
 * of an older index can mix in): one Pagefind index per shard (`<outDir>/2025-06/`, `<outDir>/2024/`: see searchShardsOf), listed
 * newest first in `<outDir>/shards.json`; the search page merges them. Results link to
 * `record.url` relative to the site root, with title, date, column and kind as metadata.
 *
 * With `cacheDir`, a shard whose records are unchanged is hard-linked from the cache instead of
 * indexed again (a publish then costs one month's indexing), and cache entries no longer used
 * are removed. The cache should be on the web root's filesystem, so links work. With `durable`
 * (default) every file and directory written is fsynced before the function returns.
 */
export async function buildSearchIndex(
  records: SearchRecord[],
  outDir: string,
  options: { cacheDir?: string; durable?: boolean } = {},
): Promise<SearchIndexStats> {
  const durable = options.durable ?? true;
  const started = performance.now();
  checkSearchRecords(records);
  await mkdir(outDir, { recursive: true });
  if (options.cacheDir) await mkdir(options.cacheDir, { recursive: true });
  const existing = await readdir(outDir);
  if (existing.length > 0) throw new Error(`search index: ${outDir} is not empty (${existing.slice(0, 3).join(', ')}…); build into a new directory`);

  const byShard = searchShardsOf(records);
  const shards = [...byShard.keys()].sort().reverse();
  let files = 0;
  let bytes = 0;
  let shardsBuilt = 0;
  let shardsReused = 0;
  const used = new Set<string>();
  for (const shard of shards) {
    const shardRecords = byShard.get(shard)!;
    if (!options.cacheDir) {
      await buildShard(shardRecords, path.join(outDir, shard), durable);
      shardsBuilt++;
      const counted = await countTree(path.join(outDir, shard));
      files += counted.files;
      bytes += counted.bytes;
      continue;
    }
    const cached = `${shard}-${shardDigest(shardRecords)}`;
    used.add(cached);
    const cachedDir = path.join(options.cacheDir, cached);
    if (await exists(path.join(cachedDir, 'pagefind-entry.json'))) shardsReused++;
    else {
      // Built aside and renamed: a crash never leaves a half shard under its cache name.
      const building = path.join(options.cacheDir, `.building-${cached}-${randomBytes(4).toString('hex')}`);
      try {
        await buildShard(shardRecords, building, durable);
        await rm(cachedDir, { recursive: true, force: true });
        await rename(building, cachedDir);
        if (durable) await syncDirectory(options.cacheDir);
      } finally {
        await rm(building, { recursive: true, force: true });
      }
      shardsBuilt++;
    }
    const linked = await linkTree(cachedDir, path.join(outDir, shard), durable);
    files += linked.files;
    bytes += linked.bytes;
  }
  const manifest: SearchIndexManifest = { format: 1, shards, records: records.length };
  const manifestText = JSON.stringify(manifest);
  await writeIndexFile(path.join(outDir, SEARCH_MANIFEST_FILE), manifestText, durable);
  if (durable) await syncDirectory(outDir);
  files++;
  bytes += Buffer.byteLength(manifestText);
  if (options.cacheDir) {
    for (const entry of await readdir(options.cacheDir)) {
      if (!used.has(entry) && !entry.startsWith('.building-')) await rm(path.join(options.cacheDir, entry), { recursive: true, force: true });
    }
  }
  return { records: records.length, files, bytes, ms: Math.round(performance.now() - started), shardsBuilt, shardsReused };
}

async function countTree(dir: string): Promise<{ files: number; bytes: number }> {
  let files = 0;
  let bytes = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    files++;
    bytes += (await stat(path.join(entry.parentPath, entry.name))).size;
  }
  return { files, bytes };
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}

/** Stops the Pagefind service process (it is restarted by the next build). For shutdown and tests. */
export async function closeSearchService(): Promise<void> {
  await pagefind.close();
}

/** No build takes an hour: a build directory that old belongs to a process that died. */
const ABANDONED_BUILD_MS = 3600_000;

export interface SearchIndexerOptions {
  /** The records of the current site (the current generation's state). */
  loadRecords(): Promise<SearchRecord[]>;
  /** Makes `dir` the site's live index (a new generation whose pagefind/ is `dir`); `dir` is then the installer's. */
  install(dir: string): Promise<void>;
  /**
   * Where new indexes are built (`<workDir>/build-<time>-<token>/`) and unchanged shards are
   * cached (`<workDir>/cache/`): its own directory on the web root's filesystem (e.g.
   * `<webRoot>/search/`), so installing can rename and shards hard-link. Builds left by a process
   * that died are removed after an hour.
   */
  workDir: string;
  /** A rebuild starts at most once per interval. Default 15 s. */
  intervalMs?: number;
  /** After the first notify of a quiet period, wait this long for the rest of a burst of commits. Default 1 s. */
  settleMs?: number;
  /** How far the index may trail publishing; a rebuild that ends later is reported through onLag. Default 60 s. */
  maxLagMs?: number;
  /** A failed rebuild (it is tried again after the interval). Default: console.error. */
  onError?(error: unknown): void;
  /** The index trailed publishing by more than maxLagMs. Default: console.warn. */
  onLag?(lagMs: number): void;
  /** Replaceable for tests; default buildSearchIndex with the cache in workDir. */
  build?(records: SearchRecord[], outDir: string): Promise<SearchIndexStats>;
}

export interface SearchIndexerStatus {
  /** A commit is not in the index yet. */
  pending: boolean;
  building: boolean;
  rebuilds: number;
  failures: number;
  /** From the oldest commit a rebuild covered to that index being installed, for the last rebuild. */
  lastLagMs: number | null;
  lastStats: SearchIndexStats | null;
}

/**
 * Keeps the search index trailing publishing by a bounded time, without ever making a publish wait.
 *
 * `notify()` after each portal commit. A rebuild starts `settleMs` after the first notify of a
 * quiet period, and never sooner than `intervalMs` after the previous rebuild started; notifies
 * during a rebuild make one more rebuild after it. So a commit reaches the index within about
 * `intervalMs` + two rebuild times: with the defaults (15 s) and a year of content (10,000
 * articles: ~9 s to build) that is well within the one minute. `onLag` reports it if not.
 */
export class SearchIndexer {
  private readonly intervalMs: number;
  private readonly settleMs: number;
  private readonly maxLagMs: number;
  private readonly build: (records: SearchRecord[], outDir: string) => Promise<SearchIndexStats>;
  /** When the oldest commit not yet in any rebuild was notified; null when none is waiting. */
  private dirtySince: number | null = null;
  private lastStart = -Infinity;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private closed = false;
  private readonly counters = { rebuilds: 0, failures: 0, lastLagMs: null as number | null, lastStats: null as SearchIndexStats | null };

  constructor(private readonly options: SearchIndexerOptions) {
    this.intervalMs = options.intervalMs ?? 15_000;
    this.settleMs = options.settleMs ?? 1_000;
    this.maxLagMs = options.maxLagMs ?? 60_000;
    this.build = options.build ?? ((records, outDir) => buildSearchIndex(records, outDir, { cacheDir: path.join(options.workDir, 'cache') }));
    if (!(this.intervalMs >= 0 && this.settleMs >= 0 && this.maxLagMs > 0)) throw new Error('SearchIndexer: intervalMs and settleMs must be ≥ 0, maxLagMs > 0');
    if (this.intervalMs + this.settleMs >= this.maxLagMs)
      throw new Error(
        `SearchIndexer: intervalMs + settleMs (${this.intervalMs + this.settleMs} ms) leaves no time to build within maxLagMs (${this.maxLagMs} ms)`,
      );
  }

  /** A commit happened: its changes will be in the index within the bound. Never waits. */
  notify(): void {
    if (this.closed) return;
    this.dirtySince ??= Date.now();
    this.schedule();
  }

  /** Rebuilds now if a commit is waiting (and waits for a rebuild in progress). */
  async flush(): Promise<void> {
    while (!this.closed && (this.running || this.dirtySince !== null)) {
      if (!this.running) {
        this.clearTimer();
        this.start();
      }
      await this.running;
    }
  }

  /** No more rebuilds; waits for one in progress. Commits not yet indexed stay so until a later process notifies. */
  async close(): Promise<void> {
    this.closed = true;
    this.clearTimer();
    await this.running;
  }

  status(): SearchIndexerStatus {
    return { pending: this.dirtySince !== null, building: this.running !== null, ...this.counters };
  }

  private schedule(): void {
    if (this.closed || this.timer || this.running || this.dirtySince === null) return;
    const now = Date.now();
    const at = Math.max(this.dirtySince + this.settleMs, this.lastStart + this.intervalMs);
    this.timer = setTimeout(
      () => {
        this.timer = null;
        this.start();
      },
      Math.max(0, at - now),
    );
    // Indexing never keeps a process alive that is otherwise done (a worker shutting down).
    this.timer.unref();
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private start(): void {
    if (this.running || this.dirtySince === null) return;
    const covers = this.dirtySince;
    this.dirtySince = null;
    this.lastStart = Date.now();
    this.running = this.rebuild(covers).finally(() => {
      this.running = null;
      this.schedule();
    });
  }

  /** Build directories of processes that died mid-build (another live process's build is younger than an hour). */
  private async removeAbandonedBuilds(): Promise<void> {
    const entries = await readdir(this.options.workDir).catch(() => [] as string[]);
    for (const entry of entries) {
      const started = /^build-(\d+)-/.exec(entry);
      if (started && Date.now() - Number(started[1]) > ABANDONED_BUILD_MS) await rm(path.join(this.options.workDir, entry), { recursive: true, force: true });
    }
  }

  private async rebuild(covers: number): Promise<void> {
    const dir = path.join(this.options.workDir, `build-${Date.now()}-${randomBytes(4).toString('hex')}`);
    let installed = false;
    try {
      const records = await this.options.loadRecords();
      const stats = await this.build(records, dir);
      await this.options.install(dir);
      installed = true;
      this.counters.rebuilds++;
      this.counters.lastStats = stats;
      const lag = Date.now() - covers;
      this.counters.lastLagMs = lag;
      if (lag > this.maxLagMs) (this.options.onLag ?? ((ms) => console.warn(`search index trailed publishing by ${ms} ms (limit ${this.maxLagMs} ms)`)))(lag);
    } catch (error) {
      this.counters.failures++;
      // The commits it covered are still not indexed: the next rebuild (after the interval) covers them.
      this.dirtySince = this.dirtySince === null ? covers : Math.min(this.dirtySince, covers);
      (this.options.onError ?? ((e) => console.error('search index rebuild failed:', e)))(error);
    } finally {
      if (!installed) await rm(dir, { recursive: true, force: true }).catch(() => undefined);
      await this.removeAbandonedBuilds().catch(() => undefined);
    }
  }
}
