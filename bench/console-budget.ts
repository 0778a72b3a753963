/**
 * Console budget. Run: `npx tsx bench/console-budget.ts [--packages 10000] [--runs 3]`
 *
 * Prints, as a table:
 *  1. the JavaScript (and CSS) the console's first page ships: web/build-console.ts consoleBudget(),
 *     from the build in web/dist (built first when its sources changed);
 *  2. the time to an interactive package list with `--packages` packages in the database: from
 *     navigation start (the browser's performance.timeOrigin) to the first rows being visible and
 *     the 加载更多 button enabled, measured in the page itself; each run in a new browser context
 *     (cold cache, already signed in by its session cookie), `--runs` runs (default 3), median.
 *
 * The system runs as `govpub start` runs it (test/console/harness.ts): its own Temporal dev server,
 * the simulators, a worker and the API, on free ports, against a fresh PostgreSQL database
 * `govpub_bench_console_<random>` on GOVPUB_BENCH_DATABASE_URL (default
 * postgres://postgres@127.0.0.1:5432/postgres). The packages are seeded with SQL by cloning one real
 * package made through the API. Everything is removed at the end (also on Ctrl-C).
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { consoleBudget, ensureConsoleBuilt } from '../web/build-console.js';
import { launchChromium } from '../test/support/browser.js';
import { createScratchDatabase, seedPackages, startConsoleSystem } from '../test/console/harness.js';
import { policyBody } from '../test/console/journey-support.js';

const { values } = parseArgs({ options: { packages: { type: 'string', default: '10000' }, runs: { type: 'string', default: '3' } } });
const PACKAGES = Number(values.packages);
const RUNS = Number(values.runs);
const progress = (line: string) => process.stderr.write(`${line}\n`);

/**
 * In the page: milliseconds since navigation start once a row is visible and 加载更多 is enabled. A
 * function, not a string: the console's CSP forbids eval. Loosely typed (no DOM library here).
 */
const interactive = () => {
  const doc = (globalThis as unknown as { document: { querySelector(s: string): any; querySelectorAll(s: string): any[] } }).document;
  const row = doc.querySelector('[data-testid^="package-row-"]');
  const visible = row && row.getBoundingClientRect().height > 0;
  const more = [...doc.querySelectorAll('button')].find((b) => b.textContent.trim() === '加载更多');
  return visible && more && !more.disabled && !more.classList.contains('is-loading')
    ? (globalThis as unknown as { performance: { now(): number } }).performance.now()
    : false;
};

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function main(): Promise<void> {
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
  const build = await ensureConsoleBuilt({ log: progress });
  const budget = build.budget ?? consoleBudget();

  const database = await createScratchDatabase(process.env.GOVPUB_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres', 'govpub_bench_console');
  let stopped = false;
  const cleanups: (() => Promise<void>)[] = [database.drop];
  const cleanup = async () => {
    if (stopped) return;
    stopped = true;
    for (const step of cleanups.reverse()) await step().catch((e: Error) => progress(`while cleaning up: ${e.message}`));
  };
  process.once('SIGINT', () => void cleanup().then(() => process.exit(130)));

  try {
    progress('starting govpub (its own Temporal dev server, simulators, worker, API)…');
    const started = Date.now();
    const system = await startConsoleSystem({ databaseUrl: database.url });
    cleanups.push(system.stop);
    progress(`govpub is running (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    const editor = await system.addUser('bench-editor', 'editor');
    const template = await system.api<{ id: string }>(editor, 'POST', '/api/packages', await policyBody(system, editor, '性能测试发布包'));
    const seeding = Date.now();
    await seedPackages(database.url, template.id, PACKAGES);
    progress(`seeded ${PACKAGES.toLocaleString('en')} packages in ${((Date.now() - seeding) / 1000).toFixed(1)} s`);

    const browser = await launchChromium();
    cleanups.push(() => browser.close());
    const times: number[] = [];
    let rowsShown = 0;
    for (let run = 1; run <= RUNS; run++) {
      const context = await browser.newContext({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai', viewport: { width: 1440, height: 900 } });
      // Signed in by its cookie (POST /api/session, as the sign-in page does), nothing cached yet.
      const signedIn = await context.request.post(`${system.url}/api/session`, { data: { name: editor.name, password: editor.password } });
      if (!signedIn.ok()) throw new Error(`sign-in failed: HTTP ${signedIn.status()} ${await signedIn.text()}`);
      const fresh = await context.newPage();
      await fresh.goto(`${system.consoleUrl}packages`, { waitUntil: 'commit' });
      const handle = await fresh.waitForFunction(interactive, undefined, { polling: 'raf', timeout: 60_000 });
      const ms = (await handle.jsonValue()) as number;
      rowsShown = await fresh.locator('[data-testid^="package-row-"]').count();
      times.push(ms);
      progress(`run ${run}: ${ms.toFixed(0)} ms to an interactive list (${rowsShown} rows)`);
      await context.close();
    }

    const rows: [string, string][] = [
      ['first page JavaScript', `${kb(budget.firstPageJsBytes)} (${kb(budget.firstPageJsGzipBytes)} gzip) in ${budget.firstPageScripts} file(s)`],
      ['first page CSS', `${kb(budget.firstPageCssBytes)} (${kb(budget.firstPageCssGzipBytes)} gzip)`],
      ['all pages JavaScript', kb(budget.totalJsBytes)],
      ['packages in the database', (PACKAGES + 1).toLocaleString('en')],
      [`time to interactive package list, median of ${RUNS}`, `${median(times).toFixed(0)} ms`],
      ['runs', times.map((t) => `${t.toFixed(0)} ms`).join(', ')],
      ['rows shown on the first page', String(rowsShown)],
      ['machine', `${os.cpus().length} cores, ${os.cpus()[0]?.model ?? 'unknown cpu'}`],
    ];
    const width = Math.max(...rows.map(([k]) => k.length));
    console.log(`| ${'figure'.padEnd(width)} | value |`);
    console.log(`| ${'-'.repeat(width)} | ----- |`);
    for (const [key, value] of rows) console.log(`| ${key.padEnd(width)} | ${value} |`);
  } finally {
    await cleanup();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
