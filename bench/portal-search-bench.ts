/**
 * Search index bench. Run: `npx tsx bench/portal-search-bench.ts [--sizes 1000,10000]`
 *
 * Builds the portal's search index (adapters/portal/search.ts buildSearchIndex, Pagefind sharded
 * by month) from synthetic Chinese articles (~800 characters each, dates over one year) and
 * prints, per size: the full build (empty cache), then the rebuild after one more article is
 * published (one month indexed again, the others hard-linked from the cache) and after one
 * article is retracted; with files and bytes of the index directory.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { buildSearchIndex, closeSearchService, type SearchIndexStats } from '../adapters/portal/search.js';
import { syntheticChineseRecords } from '../test/support/chinese-records.js';

const { values } = parseArgs({ options: { sizes: { type: 'string', default: '1000,10000' } } });
const sizes = values.sizes.split(',').map(Number);
const dir = await mkdtemp(path.join(os.tmpdir(), 'govpub-search-bench-'));
const row = (size: number, what: string, s: SearchIndexStats) =>
  console.log([size, what, (s.ms / 1000).toFixed(2), `${s.shardsBuilt}/${s.shardsBuilt + s.shardsReused}`, s.files, (s.bytes / 1e6).toFixed(1)].join('\t'));
try {
  // Warm the Pagefind service process, so the first size does not pay its start.
  await buildSearchIndex(syntheticChineseRecords(10), path.join(dir, 'warm'));
  console.log(['articles', 'build', 'seconds', 'shards built', 'files', 'MB'].join('\t'));
  let n = 0;
  for (const size of sizes) {
    const cacheDir = path.join(dir, `cache-${size}`);
    const records = syntheticChineseRecords(size + 1);
    const published = records.pop()!;
    row(size, 'full', await buildSearchIndex(records, path.join(dir, `out-${n++}`), { cacheDir }));
    row(size, 'publish one', await buildSearchIndex([...records, published], path.join(dir, `out-${n++}`), { cacheDir }));
    row(size, 'retract one', await buildSearchIndex(records.slice(1), path.join(dir, `out-${n++}`), { cacheDir }));
  }
} finally {
  await closeSearchService();
  await rm(dir, { recursive: true, force: true });
}
