/**
 * Portal publishing at a year's scale. Run: `npm run bench:portal` (= `npx tsx bench/portal-scale.ts
 * [--sizes 0,100,1000,10000] [--runs 5] [--warmup 4] [--durable true] [--batch 1]`).
 *
 * For each size it builds a site with the registry's 326 columns and catalogue and that many
 * articles (test/adapters/portal-site-fixtures.ts: a few busy columns and a long tail, a third with
 * interpretations, a quarter with a cover, dates over a year; built with fsync off, in group
 * commits), then measures with the production tuning (fsync on unless --durable false), `--runs`
 * times each, median:
 *   publish   one more package (document + 2 interpretations + cover, released after everything
 *             else, as a new publication is) to the busiest column
 *   retract   one package from its only column (pages, lists, feed, sitemap entries go)
 * and prints the time until the change is live (the caller's promise: the swap is done), the
 * whole commit's time (cleanup included), the files written and the units (store directories) rebuilt,
 * the web root's size (bytes and files, each inode once) and the ratio to the empty site (size 0:
 * every column's page, nothing published).
 */
import { mkdtemp, readdir, lstat, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadRegistry } from '../config/registry.js';
import { DEFAULT_TUNING, PortalSite } from '../adapters/portal/site.js';
import { siteStructureFromRegistry } from '../adapters/portal/pages/structure.js';
import type { SiteChange } from '../adapters/portal/state.js';
import {
  fillSite,
  fixtureColumns,
  fixtureSettings,
  fixtureCover,
  fixturePackage,
  seededRandom,
  type FixtureOptions,
} from '../test/adapters/portal-site-fixtures.js';

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '0,100,1000,10000' },
    runs: { type: 'string', default: '5' },
    durable: { type: 'string', default: 'true' },
    'gap-ms': { type: 'string', default: '1200' },
    'grace-ms': { type: 'string', default: '1000' },
    warmup: { type: 'string', default: '4' },
    batch: { type: 'string', default: '1' },
  },
});
const SIZES = values.sizes.split(',').map(Number);
const RUNS = Number(values.runs);
const DURABLE = values.durable !== 'false';
/**
 * Steady state: each measured commit comes more than the grace period after the previous one, as
 * on a site publishing a few dozen items a day (the bench shortens the grace from 60 s to keep
 * the run short). `--gap-ms 0` measures bursts instead: commits back to back within the grace,
 * where no generation can be recycled yet and a spare root is copied after each (totals rise).
 */
const GAP_MS = Number(values['gap-ms']);
const GRACE_MS = Number(values['grace-ms']);
/**
 * Unmeasured publish/retract pairs first: the site was built in big group commits, and the first
 * commits after it remove those generations (each rewrote most buckets) and sweep objects/ once.
 */
const WARMUP = Number(values.warmup);
/**
 * Packages per measured publish: `--batch 16` submits 16 at once, so they share one group commit,
 * as a busy worker's transmits do (each into a column drawn like the fixtures', released now).
 * The first is always the document with two interpretations and a cover in the busiest column.
 */
const BATCH = Math.max(1, Number(values.batch));
const progress = (line: string) => process.stderr.write(`${line}\n`);

interface Measure {
  /** Until the caller's promise resolved: the generation holding the change is current. */
  ms: number;
  /** The whole commit, cleanup included (old generations, store versions, the spare root). */
  totalMs: number;
  files: number;
  units: number;
  /** The commit's phases (lock, load, build, swap, cleanup), ms. */
  phases: Record<string, number>;
}

/** The median of each figure on its own. */
function median(values: Measure[]): Measure {
  const mid = (pick: (m: Measure) => number) => [...values].map(pick).sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const phases: Record<string, number> = {};
  for (const name of Object.keys(values[0]?.phases ?? {})) phases[name] = mid((m) => m.phases[name] ?? 0);
  return { ms: mid((m) => m.ms), totalMs: mid((m) => m.totalMs), files: mid((m) => m.files), units: mid((m) => m.units), phases };
}

/** Bytes and files of the web root, each inode counted once (generations share files through hard links). */
async function diskUsage(dir: string): Promise<{ bytes: number; files: number }> {
  const seen = new Set<string>();
  let bytes = 0;
  let files = 0;
  const walk = async (d: string) => {
    for (const entry of await readdir(d, { withFileTypes: true })) {
      const p = path.join(d, entry.name);
      if (entry.isDirectory()) await walk(p);
      else if (entry.isFile()) {
        const info = await lstat(p);
        const key = `${info.dev}:${info.ino}`;
        if (seen.has(key)) continue;
        seen.add(key);
        bytes += info.size;
        files += 1;
      }
    }
  };
  await walk(dir);
  return { bytes, files };
}

async function timed(site: PortalSite, ...changes: SiteChange[]): Promise<Measure> {
  const t0 = performance.now();
  await Promise.all(changes.map((change) => site.submit(change)));
  const ms = performance.now() - t0;
  await site.idle();
  const totalMs = performance.now() - t0;
  return {
    ms,
    totalMs,
    files: site.lastCommit?.filesWritten ?? 0,
    units: site.lastCommit?.unitsRebuilt ?? 0,
    phases: {
      ...(site.lastCommit?.phases ?? {}),
      ...prefixed('build.', site.lastCommit?.buildSteps ?? {}),
      ...prefixed('cleanup.', site.lastCommit?.cleanupSteps ?? {}),
    },
  };
}

async function main(): Promise<void> {
  const registry = await loadRegistry();
  const structure = siteStructureFromRegistry(registry);
  const rows: { size: number; publish: Measure; retract: Measure; disk: { bytes: number; files: number }; buildSec: number }[] = [];
  for (const size of SIZES) {
    const webRoot = await mkdtemp(path.join(os.tmpdir(), `govpub-portal-scale-${size}-`));
    try {
      const builder = new PortalSite(webRoot, fixtureSettings(structure), { ...DEFAULT_TUNING, durable: false });
      const options: FixtureOptions = {
        columns: fixtureColumns(structure),
        catalogueIds: structure.catalogue.map((c) => c.id),
        random: seededRandom(size + 1),
        cover: fixtureCover(builder, path.join(webRoot, 'tmp', 'fixture')),
      };
      const t0 = performance.now();
      await builder.ensureSite();
      await fillSite(builder, 0, size, options);
      const buildSec = (performance.now() - t0) / 1000;
      progress(`[portal-scale] ${size} articles built in ${buildSec.toFixed(1)} s`);

      const site = new PortalSite(webRoot, fixtureSettings(structure), { ...DEFAULT_TUNING, durable: DURABLE, generationGraceMs: GRACE_MS });
      const busy = options.columns[0]!;
      const publishes: Measure[] = [];
      const retracts: Measure[] = [];
      for (let run = -WARMUP; run < RUNS; run++) {
        const n = 900_000 + WARMUP + run;
        const [first] = await fixturePackage(n, { ...options, random: seededRandom(n), cover: fixtureCover(site, path.join(webRoot, 'tmp', 'fixture')) });
        const change = first as Extract<SiteChange, { kind: 'publish' }>;
        const payload = change.source.payload;
        // Always a document with two interpretations and a cover, into the busiest column.
        const withAll: SiteChange = {
          kind: 'publish',
          columnId: busy.id,
          columnPath: busy.path,
          source: {
            ...change.source,
            payload: {
              ...payload,
              // Released now, after everything the site holds (the fixtures span 2025), as a new publication is.
              releasedAt: new Date(Date.UTC(2026, 0, 1) + n * 60_000).toISOString(),
              column: busy,
              interpretations: [0, 1].map((i) => ({ ...(payload.interpretations[0] ?? interpretationOf(n)), title: `解读${i + 1}` })),
            },
          },
        };
        const others: Extract<SiteChange, { kind: 'publish' }>[] = [];
        for (let k = 1; k < BATCH; k++) {
          const m = n * 100 + k;
          const [other] = await fixturePackage(m, { ...options, random: seededRandom(m), cover: fixtureCover(site, path.join(webRoot, 'tmp', 'fixture')) });
          const publish = other as Extract<SiteChange, { kind: 'publish' }>;
          const releasedAt = new Date(Date.UTC(2026, 0, 1) + n * 60_000 + k * 1_000).toISOString();
          others.push({ ...publish, source: { ...publish.source, payload: { ...publish.source.payload, releasedAt } } });
        }
        await sleep(GAP_MS);
        const published = await timed(site, withAll, ...others);
        await sleep(GAP_MS);
        const retracted = await timed(
          site,
          { kind: 'unpublish', columnId: busy.id, packageId: payload.packageId },
          ...others.map((o): SiteChange => ({ kind: 'unpublish', columnId: o.columnId, packageId: o.source.payload.packageId })),
        );
        if (run < 0) continue;
        publishes.push(published);
        retracts.push(retracted);
      }
      const disk = await diskUsage(webRoot);
      rows.push({ size, publish: median(publishes), retract: median(retracts), disk, buildSec });
    } finally {
      await rm(webRoot, { recursive: true, force: true });
    }
  }

  const base = rows.find((r) => r.size === 0) ?? rows[0]!;
  const cpu = `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}`;
  const regime =
    GAP_MS > GRACE_MS ? `steady state: ${GAP_MS} ms between commits, grace ${GRACE_MS} ms` : `bursts: ${GAP_MS} ms between commits, grace ${GRACE_MS} ms`;
  const batch = BATCH > 1 ? `; ${BATCH} packages per commit` : '';
  console.log(`Portal publishing cost by site size (${cpu}; fsync ${DURABLE ? 'on' : 'off'}; ${regime}${batch}; median of ${RUNS})`);
  console.log(
    '| articles | publish: live ms | total ms | files | units | retract: live ms | total ms | files | units | × empty (publish live / total) | web root MB | web root files |',
  );
  console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    console.log(
      `| ${r.size} | ${r.publish.ms.toFixed(0)} | ${r.publish.totalMs.toFixed(0)} | ${r.publish.files} | ${r.publish.units} | ${r.retract.ms.toFixed(0)} | ${r.retract.totalMs.toFixed(0)} | ${r.retract.files} | ${r.retract.units} | ${(r.publish.ms / base.publish.ms).toFixed(2)} / ${(r.publish.totalMs / base.publish.totalMs).toFixed(2)} | ${(r.disk.bytes / 1e6).toFixed(1)} | ${r.disk.files} |`,
    );
  }
  // Where a publish's time goes (median per phase), to see what still grows with the site.
  const phaseNames = [
    'lock',
    'load',
    'build',
    'build.root',
    'build.render',
    'build.write',
    'swap',
    'cleanup',
    'cleanup.generations',
    'cleanup.store',
    'cleanup.spare',
    'cleanup.sweep',
  ];
  console.log(`\n| articles | publish phases ms: ${phaseNames.join(' | ')} | retract: ${phaseNames.join(' | ')} |`);
  console.log(`|---:|${phaseNames.map(() => '---:|---:').join('|')}|`);
  const phaseCells = (m: Measure) => phaseNames.map((p) => (m.phases[p] ?? 0).toFixed(0)).join(' | ');
  for (const r of rows) console.log(`| ${r.size} | ${phaseCells(r.publish)} | ${phaseCells(r.retract)} |`);
}

function prefixed(prefix: string, record: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [prefix + k, v]));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function interpretationOf(n: number) {
  return {
    form: 'text',
    formLabel: '文字解读',
    title: `第${n}号解读`,
    interpreter: null,
    bodyHtml: '<p>解读正文。</p>',
    lead: null,
    link: null,
    captions: null,
    transcriptHtml: null,
  };
}

await main();
