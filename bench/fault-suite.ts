/**
 * Fault suite. Run: `npx tsx bench/fault-suite.ts [--quick] [--backend postgres|pglite|both] [--scenario worker-kills|temporal-restart|database-restart] [--seed N] [--workers N] [--parallel]`
 *
 * Releases packages to every channel kind (two portal columns, all 23 accounts including the
 * manual hand-offs Toutiao and WeChat Channels, two media-center columns) while the system is
 * broken on purpose, with the platform simulators answering 30 % of all requests with transient
 * faults and accepting 5 % of publishes without ever confirming them (test/delivery/support.ts
 * `faultMix`). Scenarios, on each backend (default both):
 *  1. worker-kills      separate `govpub worker` processes (2) SIGKILLed 20 times (4 with --quick)
 *                       at random moments of the release, each restarted at once;
 *  2. temporal-restart  the Temporal dev server (started here from the cached CLI, history in a
 *                       SQLite file) stopped and started again on the same port and file, 3 times
 *                       (once with --quick), 2–15 s down;
 *  3. database-restart  PostgreSQL: a private cluster (initdb/pg_ctl of the installed server, as
 *                       the `postgres` user when run as root, on a free port, data in /tmp) stopped
 *                       with `pg_ctl stop -m fast`, then `-m immediate`, 3–45 s down, and started
 *                       again; the machine's shared server is never stopped (without a private
 *                       cluster the workers go through test/support/tcp-proxy.ts, which is taken
 *                       down instead, and the output says so). PGlite: the `govpub api` process
 *                       that owns the data directory is stopped (SIGTERM, then SIGKILL) and started
 *                       again on the same port, while the workers keep running.
 * Packages are released one or two at a time; while disruptions remain and everything released has
 * settled, the next package is released, so every disruption meets a release in flight. Then
 * operations confirm the manual posts and the never-confirmed ones through the delivery service
 * (as `govpub deliveries confirm` does), and the platforms are counted: posts per (channel,
 * package) at the simulators, listings per (column, package) in the portal's manifest.
 *
 * Prints one row per scenario × backend: packages released, deliveries, live, confirmed by
 * operations, posts found/expected at the platforms, duplicates, losses, settled (every delivery
 * live, every package released, one "live" audit entry per channel, no failed workflow),
 * disruptions done, wall time; then any notes (what was lost or duplicated, what did not settle,
 * with workflow ids). Exits 1 if anything was duplicated, lost or left unsettled. Progress goes
 * to stderr. Engine: test/delivery/fault-harness.ts (CI runs the quick variant in
 * test/delivery/fault-suite.test.ts).
 *
 * Needs the Temporal CLI (`govpub tools ensure`), ffmpeg, and for the proxy fallback PostgreSQL at
 * GOVPUB_BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres). Everything it
 * starts and creates is removed at the end.
 */
import os from 'node:os';
import {
  FAULT_SCENARIOS,
  formatFaultTable,
  rowPassed,
  runFaultSuite,
  type FaultBackend,
  type FaultRow,
  type FaultScenario,
} from '../test/delivery/fault-harness.js';

const argv = process.argv.slice(2);
function option(name: string): string | undefined {
  const i = argv.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (i < 0) return undefined;
  return argv[i]!.includes('=') ? argv[i]!.split('=')[1] : argv[i + 1];
}
const quick = argv.includes('--quick');
const backendArg = option('backend') ?? 'both';
if (!['postgres', 'pglite', 'both'].includes(backendArg)) throw new Error(`--backend must be postgres, pglite or both, not "${backendArg}"`);
const backends: FaultBackend[] = backendArg === 'both' ? ['postgres', 'pglite'] : [backendArg as FaultBackend];
const scenarioArg = option('scenario');
if (scenarioArg && !FAULT_SCENARIOS.includes(scenarioArg as FaultScenario)) throw new Error(`--scenario must be one of ${FAULT_SCENARIOS.join(', ')}`);
const seed = Number(option('seed') ?? 7);
const workers = Number(option('workers') ?? 2);
const parallel = argv.includes('--parallel');

async function main(): Promise<void> {
  const started = Date.now();
  process.env.GOVPUB_LOG_LEVEL ??= 'error';
  console.log(
    `govpub fault suite${quick ? ' (--quick)' : ''}: backends ${backends.join(', ')}${parallel ? ' side by side' : ''}; nproc ${os.availableParallelism()}, node ${process.version}, seed ${seed}`,
  );
  const rows: FaultRow[] = await runFaultSuite({
    quick,
    backends,
    scenarios: scenarioArg ? [scenarioArg as FaultScenario] : undefined,
    adminUrl: process.env.GOVPUB_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    seed,
    workers,
    parallel,
  });
  console.log('');
  for (const backend of backends) {
    const row = rows.find((r) => r.backend === backend);
    if (row) console.log(`${backend}: ${row.database}`);
  }
  console.log('');
  console.log(formatFaultTable(rows));
  const notes = rows.filter((r) => r.notes.length > 0);
  for (const r of notes) console.log(`\n${r.scenario} on ${r.backend}:\n${r.notes.map((n) => `  ${n}`).join('\n')}`);
  const failed = rows.filter((r) => !rowPassed(r));
  console.log(
    `\n${failed.length === 0 ? 'PASS' : 'FAIL'}: ${rows.length} runs, ${rows.reduce((a, r) => a + r.duplicates, 0)} duplicated, ${rows.reduce((a, r) => a + r.losses, 0)} lost, ${rows.filter((r) => !r.settled).length} unsettled; total ${((Date.now() - started) / 1000).toFixed(0)} s`,
  );
  if (failed.length > 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
