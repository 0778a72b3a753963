/**
 * The portal's search index kept up with its commits: one SearchIndexer (search.ts) per site, fed
 * with the records of the current generation and installing each new index as a generation whose
 * `pagefind/` unit is the new index.
 *
 * Reading records: every package's record (`art/<b>/<id>/.package.json`). Units are copy-on-write,
 * so an unchanged record keeps its inode from generation to generation: records are cached by
 * device and inode, and a rebuild of a year's site stats ~8,000 files and parses only what changed.
 *
 * Several workers on one web root each run an indexer. One that read its records before another
 * worker's commit could install an index without that commit; so an install that finds the site
 * moved on since its records were read asks for one more rebuild (it converges as soon as commits
 * stop, and until then each index is at most one commit behind).
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { searchRecordsOfPackage, SearchIndexer, type SearchRecord } from './search.js';
import { packageRecordPath, readJson, readRootState, type PortalSite } from './site.js';
import type { PackageRecord, RootState } from './state.js';
import { interpretationColumnIndex } from './pages/structure.js';

/** Outside the generations and the store, on the web root's filesystem (installing renames, shards hard-link). */
export const SEARCH_WORK_DIR = 'search-index';

export interface SiteSearchOptions {
  /** Default 15 s (a commit reaches the index within about a minute at a year's scale). */
  intervalMs?: number;
  settleMs?: number;
  log?(message: string): void;
}

export class SiteSearch {
  private readonly indexer: SearchIndexer;
  private readonly cache = new Map<string, { key: string; records: SearchRecord[] }>();
  /** The generation the last loadRecords read; an install into a later one rebuilds again. */
  private loadedGeneration = -1;
  /** Generations this indexer installed itself (not a reason to rebuild). */
  private readonly ownInstalls = new Set<number>();

  constructor(
    private readonly site: PortalSite,
    options: SiteSearchOptions = {},
  ) {
    const log = options.log ?? ((message: string) => console.warn(message));
    this.indexer = new SearchIndexer({
      workDir: path.join(site.webRoot, SEARCH_WORK_DIR),
      intervalMs: options.intervalMs,
      settleMs: options.settleMs,
      loadRecords: () => this.loadRecords(),
      install: (dir) => this.install(dir),
      onError: (error) => log(`portal search: the index could not be rebuilt (${(error as Error).message}); it is tried again shortly`),
      onLag: (lagMs) => log(`portal search: the index trailed publishing by ${Math.round(lagMs / 1000)} s`),
    });
  }

  /** A commit changed what the site shows: the index follows within the bound, never blocking the caller. */
  notify(): void {
    this.indexer.notify();
  }

  /** Rebuilds now when something is waiting (tests, tools, shutdown). */
  flush(): Promise<void> {
    return this.indexer.flush();
  }

  status() {
    return this.indexer.status();
  }

  close(): Promise<void> {
    return this.indexer.close();
  }

  private async loadRecords(): Promise<SearchRecord[]> {
    const dir = await this.site.currentDir();
    if (!dir) return [];
    const root = await readRootState(dir);
    this.loadedGeneration = root.generation;
    const records: SearchRecord[] = [];
    const seen = new Set<string>();
    for (const unit of Object.keys(root.units).filter((u) => u.startsWith('art/'))) {
      const names = await readdir(path.join(dir, unit)).catch(() => [] as string[]);
      for (const name of names) {
        if (name.startsWith('.')) continue;
        const packageId = decodeURIComponent(name);
        const file = packageRecordPath(dir, packageId);
        const info = await stat(file).catch(() => null);
        if (!info) continue;
        seen.add(packageId);
        const key = `${info.dev}:${info.ino}:${info.mtimeMs}`;
        let cached = this.cache.get(packageId);
        if (cached?.key !== key) {
          const record = await readJson<PackageRecord>(file);
          if (!record) continue;
          cached = {
            key,
            records: searchRecordsOfPackage(record.source.payload, homeColumnName(root, record), (form) => interpretationColumnName(root, record, form)),
          };
          this.cache.set(packageId, cached);
        }
        records.push(...cached.records);
      }
    }
    for (const id of this.cache.keys()) if (!seen.has(id)) this.cache.delete(id);
    return records;
  }

  private async install(dir: string): Promise<void> {
    const readFrom = this.loadedGeneration;
    const outcome = await this.site.installSearchIndex(dir);
    this.ownInstalls.add(outcome.generation);
    // Generations between the one read and ours that this indexer did not make: another worker's commits.
    let movedOn = false;
    for (let g = readFrom + 1; g < outcome.generation; g++) if (!this.ownInstalls.has(g)) movedOn = true;
    for (const g of this.ownInstalls) if (g < readFrom) this.ownInstalls.delete(g);
    if (movedOn) this.indexer.notify();
  }
}

/** The name readers know the package's home column by (its last path part); columns[0] is the home column. */
function homeColumnName(root: RootState, record: PackageRecord): string {
  const home = record.entry.columns[0];
  const summary = home ? root.columns[home] : undefined;
  return summary?.path[summary.path.length - 1] ?? record.source.payload.column.path[record.source.payload.column.path.length - 1] ?? '';
}

/** The name of the 解读回应类 column an interpretation of this form is listed in (structure.ts), else the home column's. */
function interpretationColumnName(root: RootState, record: PackageRecord, formLabel: string): string {
  const paths = record.entry.columns.map((id) => root.columns[id]?.path ?? []);
  const index = interpretationColumnIndex(
    paths,
    formLabel,
    record.source.payload.interpretations.map((i) => i.formLabel),
  );
  const path = index >= 0 ? paths[index]! : [];
  return path[path.length - 1] ?? homeColumnName(root, record);
}
