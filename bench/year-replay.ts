/**
 * Year-replay benchmark (issue 14). Run: `npm run bench:year -- [mode] [options]`
 *
 * Modes (one):
 *   --short              300 packages sampled evenly from the generated year (default)
 *   --year               the whole year: ≈ 8,138 packages, 8,200 portal items, 62 policy packages, 2,800 media-center items
 *   --packages N         N packages sampled from the year
 *   --load issue         the issue's reference load: 100 packages, 10 clients, judged PASS/FAIL
 *   --fanout40           one package to ≈ 40 channels on an idle system, --repetitions R (default 5)
 * Options:
 *   --clients C          concurrent API clients (default 10)
 *   --seed S             generator seed (default 14)
 *   --hold P --hold-seconds S [--hold-after S]   hold platform P (wechat_oa, weibo, news_site,
 *                        media_app) down for S seconds, starting S' seconds into the run (default 30)
 *   --topology           start `govpub topology` (separate API and worker processes) instead of `govpub start`
 *   --topology FILE      drive a running topology, from its `<data dir>/run/topology.json` (left running)
 *   --workers 1,2        with --topology: one run per worker count, and the throughput ratio
 *   --floor-workflows N  bare-Temporal floor workflows per measurement and shape (6 no-op activities one
 *                        after another, the target's; and at once), default 100; --no-floor skips it
 *   --timeout-minutes M  give up waiting for the releases after M minutes (default 30; --year 180)
 *   --govpub DIR         measure the govpub of another checkout (with its own node_modules), e.g. a
 *                        worktree of an earlier commit, for an A/B comparison on the same load
 *   --cpu-prof DIR       write V8 CPU profiles of the govpub process(es) into DIR (open them in Chrome
 *                        DevTools, or `npx tsx bench/cpu-profile-summary.ts DIR/*.cpuprofile`)
 *
 * Prints `[tag] …` figure lines on stdout, progress on stderr. Every run brings up its own system
 * (bench/year/system.ts: a fresh PostgreSQL database `govpub_bench_<random>` on
 * GOVPUB_BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/postgres) and removes it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadPlatformConfigs, type PlatformConfigs } from '../config/platforms.js';
import { loadRegistry } from '../config/registry.js';
import { ROOT_DIR } from '../config/settings.js';
import type { Registry } from '../domain/registry.js';
import { quantile, sec, sortedAscending } from './figures.js';
import { childPids, processes, type Proc } from './proc-figures.js';
import {
  Api,
  driveAll,
  drivePackage,
  duplicatePosts,
  platformProcessingMs,
  simulatorPublications,
  holdPlatform,
  netOfPlatformProcessing,
  Observer,
  stagesByItem,
  type PackageRun,
  type ReleaseFacts,
  type SimPublication,
  type Tokens,
} from './year/drive.js';
import { measureFloor, FLOOR_ACTIVITIES, FLOOR_SHAPES, FLOOR_SHAPE_TEXT, TARGET_FLOOR, type FloorResult, type FloorShape } from './year/floor.js';
import { generateYear, issueLoad, planVolumes, POLICY_MEDIA_CENTER, sampleYear, type PlannedPackage } from './year/generate.js';
import { memoryLines, MemorySampler } from './year/memory.js';
import { breakdown, gauge, scrapeAll, seriesSum } from './year/metrics.js';
import { addUsers, startSystem, stopSystemsStarting, type SystemUnderTest } from './year/system.js';
import { deliveryTimelines, describeTimeline, packageWorkflowSteps } from './year/timeline.js';

// ── Options ──────────────────────────────────────────────────────────────────────────────────

export class UsageError extends Error {}

export interface Options {
  mode: 'short' | 'year' | 'packages' | 'issue' | 'fanout40';
  packages: number;
  clients: number;
  seed: number;
  repetitions: number;
  hold: { platform: string; seconds: number; after: number } | null;
  topology: boolean;
  /** `--topology <topology.json>`: a running topology to drive (not started, not stopped here). */
  attach: string | null;
  workers: number[];
  floorWorkflows: number;
  floor: boolean;
  timeoutMinutes: number;
  /** `--cpu-prof DIR`: V8 CPU profiles of the govpub processes are written there. */
  cpuProfileDir: string | null;
  /** `--govpub DIR`: the checkout whose govpub is measured (default this one). */
  checkout: string | null;
}

const HOLDABLE = ['wechat_oa', 'weibo', 'news_site', 'media_app'];

/** How many of the slowest packages a load run shows step by step (`[slowest]`). */
const SLOWEST_SHOWN = 3;

/** `--govpub DIR`: a checkout with `bin/govpub.mjs` and its dependencies installed. */
function checkoutOption(raw: string | true | undefined): string | null {
  if (raw === undefined) return null;
  const dir = path.resolve(String(raw));
  if (!fs.existsSync(path.join(dir, 'bin', 'govpub.mjs')))
    throw new UsageError(`--govpub ${String(raw)}: no bin/govpub.mjs there (give the root of a govpub checkout)`);
  if (!fs.existsSync(path.join(dir, 'node_modules')))
    throw new UsageError(`--govpub ${String(raw)}: its dependencies are not installed (run npm ci there first)`);
  return dir;
}

export function parseOptions(argv: string[]): Options {
  const known = new Set([
    'short',
    'year',
    'packages',
    'load',
    'fanout40',
    'repetitions',
    'clients',
    'seed',
    'hold',
    'hold-seconds',
    'hold-after',
    'topology',
    'workers',
    'floor-workflows',
    'no-floor',
    'timeout-minutes',
    'cpu-prof',
    'govpub',
  ]);
  const values = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument "${arg}" (options start with --; see the top of bench/year-replay.ts)`);
    // Split at the first '=' only: `--cpu-prof=/tmp/a=b` names /tmp/a=b (split('=', 2) dropped the rest silently).
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
    const inline = eq < 0 ? undefined : arg.slice(eq + 1);
    if (!known.has(name)) throw new UsageError(`unknown option --${name} (known: ${[...known].map((k) => `--${k}`).join(', ')})`);
    const takesValue = !['short', 'year', 'fanout40', 'topology', 'no-floor'].includes(name);
    // --topology alone starts one; --topology <file> drives a running one.
    if (name === 'topology' && (inline ?? (argv[i + 1] && !argv[i + 1]!.startsWith('--') ? argv[++i] : undefined))) values.set(name, inline ?? argv[i]!);
    else if (!takesValue) values.set(name, true);
    else {
      const value = inline ?? argv[++i];
      if (value === undefined || value.startsWith('--')) throw new UsageError(`--${name} needs a value`);
      values.set(name, value);
    }
  }
  const int = (name: string, dflt: number, min = 1) => {
    const raw = values.get(name);
    if (raw === undefined) return dflt;
    // Number('') and Number('  ') are 0: an empty `--seed=` would silently become seed 0.
    const n = String(raw).trim() === '' ? NaN : Number(raw);
    if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} needs an integer ≥ ${min}, got "${String(raw)}"`);
    return n;
  };
  const modes = ['short', 'year', 'packages', 'load', 'fanout40'].filter((m) => values.has(m));
  if (modes.length > 1) throw new UsageError(`choose one mode, not ${modes.map((m) => `--${m}`).join(' and ')}`);
  const load = values.get('load');
  if (load !== undefined && load !== 'issue') throw new UsageError(`--load takes "issue" (the issue's reference load), got "${String(load)}"`);
  const mode: Options['mode'] = values.has('year')
    ? 'year'
    : values.has('packages')
      ? 'packages'
      : load
        ? 'issue'
        : values.has('fanout40')
          ? 'fanout40'
          : 'short';
  const holdPlatformName = values.get('hold');
  if (holdPlatformName !== undefined && !HOLDABLE.includes(String(holdPlatformName)))
    throw new UsageError(`--hold takes a platform with a simulator the load reaches: ${HOLDABLE.join(', ')}; got "${String(holdPlatformName)}"`);
  if (holdPlatformName === undefined && (values.has('hold-seconds') || values.has('hold-after')))
    throw new UsageError('--hold-seconds and --hold-after need --hold <platform>');
  if (holdPlatformName !== undefined && mode === 'fanout40')
    throw new UsageError('--hold applies to a load (--short, --year, --packages, --load issue), not --fanout40');
  // An option the chosen mode never reads is refused rather than ignored: `--fanout40 --topology
  // --workers 1,2` ran one worker, `--packages 20 --repetitions 3` one run, and said nothing.
  const unused = mode === 'fanout40' ? ['clients', 'seed', 'floor-workflows', 'no-floor', 'workers'] : ['repetitions'];
  const ignored = unused.filter((name) => values.has(name));
  if (ignored.length)
    throw new UsageError(
      mode === 'fanout40'
        ? `${ignored.map((n) => `--${n}`).join(', ')} do${ignored.length === 1 ? 'es' : ''} nothing with --fanout40 (one package, one worker, no floor); leave ${ignored.length === 1 ? 'it' : 'them'} out`
        : `--repetitions applies to --fanout40 only; a load runs once (repeat the command to repeat it)`,
    );
  const workersRaw = values.get('workers');
  let workers = [1];
  if (workersRaw !== undefined) {
    if (!values.has('topology')) throw new UsageError('--workers needs --topology (govpub start runs one worker)');
    if (values.get('topology') !== true) throw new UsageError('--workers starts topologies of its own; it does not go with --topology <file> (a running one)');
    workers = String(workersRaw)
      .split(',')
      .map((w) => Number(w.trim()));
    if (workers.some((w) => !Number.isInteger(w) || w < 1 || w > 8))
      throw new UsageError(`--workers takes a comma-separated list of worker counts 1–8, got "${String(workersRaw)}"`);
  }
  const attach = typeof values.get('topology') === 'string' ? String(values.get('topology')) : null;
  // Refused here, before anything starts, as --govpub is: found only once the run began, a missing
  // record ended the bench with a stack trace after its plan was already printed.
  if (attach !== null && !fs.existsSync(attach))
    throw new UsageError(
      `--topology ${attach}: no such file; give <data dir>/run/topology.json of a running govpub topology, or --topology alone to start one`,
    );
  return {
    mode,
    packages: mode === 'packages' ? int('packages', 300) : mode === 'issue' ? 100 : mode === 'short' ? 300 : 0,
    clients: int('clients', 10),
    seed: int('seed', 14, 0),
    repetitions: int('repetitions', 5),
    hold: holdPlatformName === undefined ? null : { platform: String(holdPlatformName), seconds: int('hold-seconds', 60), after: int('hold-after', 30, 0) },
    topology: values.has('topology'),
    attach,
    workers,
    floorWorkflows: int('floor-workflows', 100),
    floor: !values.has('no-floor'),
    timeoutMinutes: int('timeout-minutes', mode === 'year' ? 180 : 30),
    cpuProfileDir: values.has('cpu-prof') ? path.resolve(String(values.get('cpu-prof'))) : null,
    checkout: checkoutOption(values.get('govpub')),
  };
}

/**
 * Why a hold would measure nothing, or null: the held platform must receive deliveries from the
 * load. A small --packages sample can send nothing to weibo; holding it then printed "backlog 0"
 * and "? deliveries/s" as if it had been measured.
 */
export function holdOutsideLoad(hold: Options['hold'], plans: readonly PlannedPackage[]): string | null {
  if (!hold) return null;
  if (plans.some((p) => p.targets.some((t) => t.startsWith(`${hold.platform}:`)))) return null;
  const reached = [...new Set(plans.flatMap((p) => p.targets.map((t) => t.split(':')[0]!)))].filter((p) => HOLDABLE.includes(p)).sort();
  return `--hold ${hold.platform}: the load sends nothing to ${hold.platform}, so the hold would measure nothing; hold one it reaches (${reached.join(', ') || 'none'}) or give a larger load (--packages N)`;
}

// ── Small helpers ────────────────────────────────────────────────────────────────────────────

const log = (line: string) => process.stderr.write(`  … ${line}\n`);
const out = (line: string) => console.log(line);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const loadAvg = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

function pcts(values: number[]): string {
  const sorted = sortedAscending(values);
  if (!sorted.length) return 'n=0';
  return `p50 ${sec(quantile(sorted, 0.5))} s  p95 ${sec(quantile(sorted, 0.95))} s  p99 ${sec(quantile(sorted, 0.99))} s  max ${sec(sorted.at(-1)!)} s  (n=${sorted.length})`;
}

/** The bench's own children, and those of an attached topology (not started here). */
function systemProcesses(all: Proc[], extraRoot?: number): Proc[] {
  const kids = [...childPids(all)];
  if (extraRoot) {
    const tree = new Set([extraRoot]);
    for (let grew = true; grew;) {
      grew = false;
      for (const p of all) if (!tree.has(p.pid) && tree.has(p.ppid)) (tree.add(p.pid), (grew = true));
    }
    kids.push(...all.filter((p) => tree.has(p.pid) && !kids.some((k) => k.pid === p.pid)));
  }
  return kids;
}

/** CPU seconds of the bench itself, the govpub processes it started (node), Temporal, and every PostgreSQL backend. */
function cpuNow(extraRoot?: number) {
  const all = processes();
  const kids = systemProcesses(all, extraRoot);
  const self = process.cpuUsage();
  return {
    at: Date.now(),
    bench: (self.user + self.system) / 1e6,
    govpub: kids.filter((p) => p.comm !== 'temporal').reduce((a, p) => a + p.cpuSec, 0),
    temporal: kids.filter((p) => p.comm === 'temporal').reduce((a, p) => a + p.cpuSec, 0),
    postgres: all.filter((p) => p.comm === 'postgres' || p.comm.startsWith('postgres:')).reduce((a, p) => a + p.cpuSec, 0),
    machine: all.reduce((a, p) => a + p.cpuSec, 0),
  };
}
type Cpu = ReturnType<typeof cpuNow>;
/** CPU-s each part used between two readings, and the wall time between them. */
function cpuUsed(a: Cpu, b: Cpu) {
  const d = (k: keyof Cpu) => Math.max(0, b[k] - a[k]);
  const ours = d('bench') + d('govpub') + d('temporal') + d('postgres');
  return { wall: (b.at - a.at) / 1000, govpub: d('govpub'), temporal: d('temporal'), postgres: d('postgres'), bench: d('bench'), machine: d('machine'), ours };
}
function cpuLine(tag: string, a: Cpu, b: Cpu): string {
  const u = cpuUsed(a, b);
  return `[${tag}] CPU over ${u.wall.toFixed(1)} s: govpub processes ${u.govpub.toFixed(1)} s, Temporal ${u.temporal.toFixed(1)} s, PostgreSQL (all databases) ${u.postgres.toFixed(1)} s, the bench's clients ${u.bench.toFixed(1)} s, everything else on the machine ≈ ${Math.max(0, u.machine - u.ours).toFixed(1)} s (${os.availableParallelism()} cores = ${(u.wall * os.availableParallelism()).toFixed(0)} CPU-s available)`;
}

// ── The system and its users ─────────────────────────────────────────────────────────────────

/** Sessions still up, stopped on Ctrl-C (their processes and databases). */
const openSessions = new Set<Session>();
/**
 * Systems started and not yet stopped, sessions' or not: a session exists only once its users are
 * added, and a Ctrl-C or SIGTERM in those seconds left `govpub start` and its database behind.
 */
const openSystems = new Set<SystemUnderTest>();

/** Stops every system still up or still starting (on a signal); each once, whoever else holds it. */
function stopEverything(): Promise<unknown> {
  const sessions = [...openSessions].map((s) => closeSession(s));
  const rest = [...openSystems].map((sut) => {
    openSystems.delete(sut);
    return sut.stop();
  });
  return Promise.allSettled([...sessions, ...rest, stopSystemsStarting()]);
}

interface Session {
  sut: SystemUnderTest;
  api: Api;
  tokens: Tokens;
  stages: Map<string, string[]>;
  observer: Observer;
}

async function openSession(registry: Registry, options: Options, workers: number): Promise<Session> {
  const sut = await startSystem({
    mode: options.topology ? 'topology' : 'own',
    attach: options.attach ?? undefined,
    workers,
    adminDatabaseUrl: process.env.GOVPUB_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    cpuProfileDir: options.cpuProfileDir ?? undefined,
    checkout: options.checkout ?? undefined,
    log,
  });
  openSystems.add(sut);
  try {
    out(
      `[setup] ${sut.describe}; API ${sut.apiUrl}; Temporal ${sut.temporalAddress}; metrics endpoints: ${sut.metrics.map((m) => `${m.name} ${m.url}`).join(', ')}`,
    );
    const { editor, reviewers } = await addUsers(sut, registry);
    const api = new Api(sut.apiUrl);
    const session = { sut, api, tokens: { editor, reviewers }, stages: await stagesByItem(api, editor), observer: new Observer(sut.databaseUrl) };
    openSessions.add(session);
    return session;
  } catch (error) {
    // Unless a signal's stop already took it.
    if (openSystems.delete(sut)) await sut.stop();
    throw error;
  }
}

async function closeSession(s: Session): Promise<void> {
  openSessions.delete(s);
  openSystems.delete(s.sut);
  await s.observer.close().catch(() => {});
  await s.sut.stop();
}

/** A floor run, with what it cost: CPU-s a workflow (Temporal, the floor's Worker and clients), and the share of the cores it used. */
type MeasuredFloor = FloorResult & { cpuPerWorkflow: number | null; coresUsed: number | null };
/** The floor in both shapes, measured one after the other at one moment (bench/year/floor.ts). */
type Floors = Record<FloorShape, MeasuredFloor>;

async function floor(s: Session, options: Options, when: string): Promise<Floors | null> {
  if (!options.floor) return null;
  const floors = {} as Floors;
  for (const shape of FLOOR_SHAPES) floors[shape] = await floorOfShape(s, options, when, shape);
  return floors;
}

async function floorOfShape(s: Session, options: Options, when: string, shape: FloorShape): Promise<MeasuredFloor> {
  log(
    `bare-Temporal floor (${when}): ${options.floorWorkflows} workflows × ${FLOOR_ACTIVITIES} no-op activities ${FLOOR_SHAPE_TEXT[shape]}, ${options.clients} in flight`,
  );
  let cpuFrom: Cpu | undefined;
  let cpuTo: Cpu | undefined;
  const f = await measureFloor(s.sut.temporalAddress, s.sut.namespace, options.floorWorkflows, options.clients, shape, {
    start: () => (cpuFrom = cpuNow(options.attach ? s.sut.pid : undefined)),
    end: () => (cpuTo = cpuNow(options.attach ? s.sut.pid : undefined)),
  });
  out(
    `[floor] ${when}, ${FLOOR_SHAPE_TEXT[shape]}: ${f.workflows} workflows × ${FLOOR_ACTIVITIES} no-op activities ${FLOOR_SHAPE_TEXT[shape]} in ${f.seconds.toFixed(2)} s = ${f.workflowsPerSec.toFixed(2)} workflows/s (${(f.workflowsPerSec * FLOOR_ACTIVITIES).toFixed(1)} activities/s), ${options.clients} clients each starting one and awaiting it, same Temporal server; load ${loadAvg()}`,
  );
  // What one floor workflow costs the machine, to set against a delivery's share of the load's [machine] line.
  if (!cpuFrom || !cpuTo) return { ...f, cpuPerWorkflow: null, coresUsed: null };
  out(`${cpuLine('floor', cpuFrom, cpuTo)}; the floor's Worker and clients run in the bench`);
  const used = cpuUsed(cpuFrom, cpuTo);
  return { ...f, cpuPerWorkflow: used.ours / f.workflows, coresUsed: used.ours / (used.wall * os.availableParallelism()) };
}

/** The floor after a run waits until govpub's processes use under this share of a core… */
const QUIET_SHARE = 0.1;
/** …over this window… */
const QUIET_WINDOW_MS = 2000;
/** …for at most this long, then measures anyway and says so. */
const QUIET_WAIT_MAX_MS = 60_000;

/**
 * Waits until govpub's processes are quiet: after a long run they go on working in the background
 * (the portal's search index, cleanups put off), and a floor measured meanwhile shares the cores
 * with them (after the whole year: 5.29 workflows/s with govpub using 0.7 of a core, 10.76 before).
 */
async function untilGovpubQuiet(extraRoot?: number): Promise<{ waitedMs: number; share: number; quiet: boolean }> {
  const started = Date.now();
  const govpubCpu = () => cpuNow(extraRoot).govpub;
  for (;;) {
    const before = govpubCpu();
    await sleep(QUIET_WINDOW_MS);
    const share = Math.max(0, govpubCpu() - before) / (QUIET_WINDOW_MS / 1000);
    const waitedMs = Date.now() - started;
    if (share < QUIET_SHARE || waitedMs >= QUIET_WAIT_MAX_MS) return { waitedMs, share, quiet: share < QUIET_SHARE };
  }
}

function meanFloors(before: Floors, after: Floors): Record<FloorShape, number> {
  const mean = {} as Record<FloorShape, number>;
  for (const shape of FLOOR_SHAPES) mean[shape] = (before[shape].workflowsPerSec + after[shape].workflowsPerSec) / 2;
  return mean;
}

/**
 * The ratio taken apart (issue 14): deliveries/s ÷ floor workflows/s is what a floor workflow
 * costs ÷ what a live delivery costs, times how much of the cores each run kept busy. Says which
 * of the two a change moved, whatever the machine's speed that day.
 */
function ratioParts(used: ReturnType<typeof cpuUsed>, deliveries: number, floors: MeasuredFloor[]): string | null {
  const measured = floors.filter((f) => f.cpuPerWorkflow !== null && f.coresUsed !== null);
  if (deliveries === 0 || measured.length === 0) return null;
  const perFloor = measured.reduce((a, f) => a + f.cpuPerWorkflow!, 0) / measured.length;
  const floorUse = measured.reduce((a, f) => a + f.coresUsed!, 0) / measured.length;
  const per = (n: number) => (n / deliveries).toFixed(3);
  const loadUse = used.ours / (used.wall * os.availableParallelism());
  return (
    `[machine] CPU a live delivery ${per(used.ours)} CPU-s (govpub ${per(used.govpub)}, Temporal ${per(used.temporal)}, PostgreSQL ${per(used.postgres)}, the bench's clients ${per(used.bench)}); ` +
    `a floor workflow (${FLOOR_SHAPE_TEXT[TARGET_FLOOR]}) ${perFloor.toFixed(3)} CPU-s; cores kept busy: the load ${(loadUse * 100).toFixed(0)} %, the floor ${(floorUse * 100).toFixed(0)} %. ` +
    `Ratio ≈ ${(perFloor / (used.ours / deliveries)).toFixed(2)} (cost) × ${(loadUse / floorUse).toFixed(2)} (use); 0.5 at the floor's use needs a delivery at ${(2 * perFloor).toFixed(3)} CPU-s or less`
  );
}

// ── A load run (short, year, packages, issue) ────────────────────────────────────────────────

export interface LoadResult {
  packages: number;
  released: number;
  deliveries: number;
  packagesPerSec: number;
  deliveriesPerSec: number;
  approvalToReleasedP95Ms: number;
  /** The same net of the platforms' own processing (null when no delivery waited for any), and that processing's mean. */
  netOfPlatforms: { approvalToReleasedP95Ms: number; meanProcessingMs: number } | null;
  /** The floor the target is judged against (TARGET_FLOOR), mean of before and after. */
  floorWorkflowsPerSec: number | null;
  /** The floor running its 6 activities at once, mean of before and after (information). */
  parallelFloorWorkflowsPerSec: number | null;
  duplicates: number;
  releasedTwice: number;
  errors: number;
}

interface HoldRecord {
  platform: string;
  heldAt: number;
  releasedAt: number | null;
  samples: { at: number; backlog: Map<string, number> }[];
}

/**
 * Calls `sample` every `intervalMs` until `stopped()`, and once more after: the run stops when
 * everything is released, up to an interval after the last sample, so without that final sample a
 * backlog that emptied in between was printed as "not empty by the end of the run".
 */
export async function sampleUntil(stopped: () => boolean, sample: () => Promise<unknown>, intervalMs: number): Promise<void> {
  while (!stopped()) {
    await sample();
    await sleep(intervalMs);
  }
  await sample();
}

async function runHold(s: Session, hold: NonNullable<Options['hold']>, t0: number, stopped: () => boolean): Promise<HoldRecord> {
  const url = s.sut.simulators[hold.platform];
  if (!url) throw new Error(`no simulator URL for ${hold.platform} (the system reported: ${Object.keys(s.sut.simulators).join(', ') || 'none'})`);
  const record: HoldRecord = { platform: hold.platform, heldAt: 0, releasedAt: null, samples: [] };
  const sampler = sampleUntil(stopped, async () => record.samples.push({ at: Date.now(), backlog: await s.observer.backlog() }), 2000);
  await sleep(Math.max(0, t0 + hold.after * 1000 - Date.now()));
  const release = await holdPlatform(url);
  record.heldAt = Date.now();
  log(`${hold.platform} held down (every request answered 503) for ${hold.seconds} s`);
  await sleep(hold.seconds * 1000);
  await release();
  record.releasedAt = Date.now();
  log(`${hold.platform} back up`);
  await sampler;
  return record;
}

function printHold(h: HoldRecord, runs: PackageRun[], facts: ReleaseFacts, platforms: PlatformConfigs): void {
  const tag = 'hold';
  const cap = platforms[h.platform as keyof PlatformConfigs];
  const series = h.samples.map((x) => ({ t: (x.at - h.heldAt) / 1000, n: x.backlog.get(h.platform) ?? 0 }));
  const condensed = series.filter((_, i) => i % Math.max(1, Math.round(series.length / 40)) === 0);
  out(`[${tag}] ${h.platform} held down from ${sec(0)} s to ${h.releasedAt ? sec(h.releasedAt - h.heldAt) : '?'} s (every request answered HTTP 503)`);
  out(`[${tag}] ${h.platform} backlog over time (s since the hold: unsettled deliveries): ${condensed.map((x) => `${x.t.toFixed(0)}:${x.n}`).join(' ')}`);
  if (h.releasedAt) {
    const atRelease = series.filter((x) => x.t * 1000 <= h.releasedAt! - h.heldAt).at(-1)?.n ?? 0;
    const drained = series.find((x) => x.t * 1000 > h.releasedAt! - h.heldAt && x.n === 0);
    const peak = Math.max(0, ...series.map((x) => x.n));
    // The drain of what the hold left waiting: the held platform's deliveries of packages approved
    // before the release that went live after it (later arrivals are new work, not the backlog).
    const approved = new Map(runs.filter((r) => r.id && r.approvalSentAt).map((r) => [r.id!, r.approvalSentAt!]));
    const leftWaiting = facts.deliveries
      .filter((d) => d.platform === h.platform && d.liveAt && d.liveAt >= h.releasedAt! && (approved.get(d.packageId) ?? Infinity) < h.releasedAt!)
      .map((d) => d.liveAt!)
      .sort((a, b) => a - b);
    const drainSec = leftWaiting.length > 0 ? (leftWaiting.at(-1)! - h.releasedAt) / 1000 : NaN;
    const known = !Number.isNaN(drainSec) && drainSec > 0;
    out(
      `[${tag}] backlog at the release ${atRelease} (peak ${peak}); ${drained ? `empty ${(drained.t - (h.releasedAt - h.heldAt) / 1000).toFixed(0)} s after the release (new packages kept arriving)` : 'not empty by the end of the run'}`,
    );
    out(
      `[${tag}] drain of what the hold left waiting: ${leftWaiting.length} deliveries approved before the release went live after it, the first ${leftWaiting.length ? sec(leftWaiting[0]! - h.releasedAt) : '?'} s and the last ${known ? drainSec.toFixed(1) : '?'} s after it = ${known ? (leftWaiting.length / drainSec).toFixed(2) : '?'} deliveries/s; the platform's pace by platforms.yaml: concurrency ${cap?.concurrency ?? '?'}${cap?.ratePerSecond ? `, ratePerSecond ${cap.ratePerSecond} (activity starts on its queue; a delivery makes 2–3)` : ', no rate cap'}; deliveries that failed during the hold wait out their retry back-off (retryInitialSec ${cap?.retryInitialSec ?? '?'} s doubling to ${cap?.retryMaxSec ?? '?'} s) before they try again`,
    );
  }
  // The other platforms: approval → live of packages approved during the hold vs before it.
  const approvedAt = new Map(runs.filter((r) => r.id && r.approvalSentAt).map((r) => [r.id!, r.approvalSentAt!]));
  const others = [...new Set(facts.deliveries.map((d) => d.platform))].filter((p) => p !== h.platform).sort();
  for (const platform of others) {
    const lat = (from: number, to: number) =>
      facts.deliveries
        .filter((d) => d.platform === platform && d.liveAt && approvedAt.has(d.packageId))
        .filter((d) => approvedAt.get(d.packageId)! >= from && approvedAt.get(d.packageId)! < to)
        .map((d) => d.liveAt! - approvedAt.get(d.packageId)!);
    const before = lat(0, h.heldAt);
    const during = lat(h.heldAt, h.releasedAt ?? Infinity);
    const p = (xs: number[]) =>
      xs.length
        ? `p50 ${sec(
            quantile(
              [...xs].sort((a, b) => a - b),
              0.5,
            ),
          )} s p95 ${sec(
            quantile(
              [...xs].sort((a, b) => a - b),
              0.95,
            ),
          )} s (n=${xs.length})`
        : 'n=0';
    out(`[${tag}] ${platform.padEnd(10)} approval → live: before the hold ${p(before)}; during the hold ${p(during)}`);
  }
}

async function runLoad(registry: Registry, platforms: PlatformConfigs, options: Options, plans: PlannedPackage[], workers: number): Promise<LoadResult | null> {
  const v = planVolumes(plans);
  out(
    `[plan] ${v.packages} packages (${v.policyPackages} policy packages with their interpretation), ${v.deliveries} deliveries: ${v.portalItems} portal items, ${v.mediaCenterItems} media-center items, ${v.accountPosts} WeChat/Weibo posts; ${v.covers} with a photo; ${v.days} days of 2026 (${plans[0]?.day} … ${plans.at(-1)?.day}); seed ${options.seed}`,
  );
  const s = await openSession(registry, options, workers);
  try {
    const floorBefore = await floor(s, options, 'before');
    const metricsBefore = await scrapeAll(s.sut.metrics);
    const cpuBefore = cpuNow(options.attach ? s.sut.pid : undefined);
    out(`[machine] nproc ${os.availableParallelism()}, load average ${loadAvg()} at the start of the window`);
    const memory = new MemorySampler(() => systemProcesses(processes(), options.attach ? s.sut.pid : undefined));
    memory.start();
    const t0 = Date.now();
    let finished = false;
    const hold = options.hold ? runHold(s, options.hold, t0, () => finished) : null;
    let lastLog = 0;
    const runs = await driveAll(s.api, s.tokens, s.stages, plans, options.clients, (done) => {
      if (Date.now() - lastLog > 10_000 || done === plans.length) {
        lastLog = Date.now();
        log(`${done}/${plans.length} packages through the API (${sec(Date.now() - t0)} s)`);
      }
    });
    const apiDone = Date.now();
    const ok = runs.filter((r) => r.id && !r.error);
    const ids = ok.map((r) => r.id!);
    const errors = runs.filter((r) => r.error);
    for (const e of errors.slice(0, 5)) out(`[errors] package ${e.plan.seq} (${e.plan.catalogueItem}): ${e.error}`);
    if (errors.length) out(`[errors] ${errors.length} of ${runs.length} packages failed in the API`);
    if (s.api.networkErrors.size)
      out(
        `[errors] connections broken before an answer, checked and sent again (nothing done twice): ${[...s.api.networkErrors].map(([k, n]) => `${k} ×${n}`).join(', ')}`,
      );
    let lastWait = 0;
    // The whole year meets Weibo's hourly limit (a year's posts in an hour): what only a platform's
    // posting limit still holds is reported apart, as the issue asks of quota-bound channels.
    const { complete, quotaHeld } = await s.observer.waitReleased(
      ids,
      Date.now() + options.timeoutMinutes * 60_000,
      (n) => {
        if (Date.now() - lastWait > 15_000) {
          lastWait = Date.now();
          log(`${n}/${ids.length} released (${sec(Date.now() - t0)} s)`);
        }
      },
      options.mode === 'year',
    );
    // A hold runs its whole stretch (and a few samples past it) even when everything was released before.
    if (hold) {
      while (options.hold && Date.now() < t0 + (options.hold.after + options.hold.seconds) * 1000 + 4000) await sleep(500);
      finished = true;
    }
    const holdRecord = hold ? await hold : null;
    const cpuAfter = cpuNow(options.attach ? s.sut.pid : undefined);
    memory.stop();
    const metricsAfter = await scrapeAll(s.sut.metrics);
    const facts = await s.observer.facts(ids);
    if (options.floor) {
      const q = await untilGovpubQuiet(options.attach ? s.sut.pid : undefined);
      out(
        q.quiet
          ? `[floor] after: first waited ${sec(q.waitedMs)} s for govpub's processes to go quiet (${(q.share * 100).toFixed(0)} % of a core over the last ${QUIET_WINDOW_MS / 1000} s)`
          : `[floor] after: govpub's processes still used ${(q.share * 100).toFixed(0)} % of a core after ${sec(q.waitedMs)} s; the floor after shares the cores with them`,
      );
    }
    const floorAfter = await floor(s, options, 'after');

    // ── Figures ──
    const approvedAt = new Map(ok.map((r) => [r.id!, r.approvalSentAt!]));
    const released = [...facts.releasedAt.values()];
    const live = facts.deliveries.filter((d) => d.liveAt !== null);
    const lastRelease = Math.max(...released);
    const lastLive = Math.max(...live.map((d) => d.liveAt!));
    const windowPkg = (lastRelease - t0) / 1000;
    const windowDel = (lastLive - t0) / 1000;
    const packagesPerSec = released.length / windowPkg;
    const deliveriesPerSec = live.length / windowDel;
    out(
      `[load] ${runs.length} packages by ${options.clients} clients through the API in ${sec(apiDone - t0)} s (create, ${plans[0] ? 'photo upload when it has one, ' : ''}submit, one approval per review stage); ${complete ? 'all released' : quotaHeld.length ? `${released.length}/${ids.length} released, the rest held by a platform's posting limit ([quota])` : `NOT all released: ${released.length}/${ids.length} after ${options.timeoutMinutes} min`}`,
    );
    for (const q of quotaHeld) {
      out(
        `[quota] ${q.platform}: ${q.deliveries} deliveries of ${q.packages.size} packages wait for the platform's posting limit to turn (next attempts until ${new Date(q.until).toISOString().slice(11, 19)} UTC, ${sec(q.until - Date.now())} s from now; "${q.message.slice(0, 160)}"); the run stopped waiting at ${sec(Date.now() - t0)} s`,
      );
    }
    out(`[load] packages/s: ${packagesPerSec.toFixed(2)}  (${released.length} released, first request → last release ${windowPkg.toFixed(1)} s)`);
    out(
      `[load] deliveries/s: ${deliveriesPerSec.toFixed(2)}  (${live.length} live of ${facts.deliveries.length} planned, first request → last live ${windowDel.toFixed(1)} s)`,
    );
    if (options.mode === 'year') {
      const held = quotaHeld.reduce((n, q) => n + q.deliveries, 0);
      out(
        quotaHeld.length
          ? `[target] ${windowDel < 3600 ? 'PASS' : 'FAIL'} the whole year in under one hour, apart from the ${held} deliveries a platform's posting limit holds ([quota]): ${(windowDel / 60).toFixed(1)} min to the last live delivery`
          : `[target] ${windowDel < 3600 ? 'PASS' : 'FAIL'} the whole year in under one hour: ${(windowDel / 60).toFixed(1)} min`,
      );
    } else {
      const year = planVolumes(generateYear(registry, options.seed).packages);
      out(
        `[load] at this pace the whole year (${year.packages} packages, ${year.deliveries} deliveries) would take ≈ ${(year.deliveries / deliveriesPerSec / 60).toFixed(0)} min (the issue's target: under one hour; --year measures it)`,
      );
    }
    const kinds = [...new Set(facts.deliveries.map((d) => d.platform))].filter((p) => s.sut.simulators[p]);
    const publications = await simulatorPublications(s.sut.simulators, kinds);
    const net = netOfPlatformProcessing(ok, facts, platformProcessingMs(publications));
    const toReleased = ids.filter((id) => facts.releasedAt.has(id)).map((id) => facts.releasedAt.get(id)! - approvedAt.get(id)!);
    out(`[latency] final approval (sent) → released: ${pcts(toReleased)}`);
    // The p95 question, answered from the run: is the tail the packages that wait for a rate-capped platform?
    const byGroup = new Map<string, { gross: number[]; net: number[] }>();
    for (const run of ok) {
      const releasedAt = facts.releasedAt.get(run.id!);
      if (releasedAt === undefined) continue;
      const platforms = new Set(run.plan.targets.map((t) => t.split(':')[0]!));
      const group = [...platforms].sort().join(' + ');
      const figures = byGroup.get(group) ?? { gross: [], net: [] };
      figures.gross.push(releasedAt - approvedAt.get(run.id!)!);
      const own = net.byPackage.get(run.id!);
      if (own !== undefined) figures.net.push(own);
      byGroup.set(group, figures);
    }
    // With the platforms' own processing taken out where it ran (see the net line below).
    const netP95 = (values: number[]) => sec(quantile(sortedAscending(values), 0.95));
    if (byGroup.size > 1)
      for (const [group, { gross, net: own }] of [...byGroup].sort((a, b) => b[1].gross.length - a[1].gross.length))
        out(
          `[latency] final approval → released, packages to ${group}: ${pcts(gross)}${net.processed > 0 && own.length ? `; net of the platforms' processing p95 ${netP95(own)} s` : ''}`,
        );
    const byPlatform = new Map<string, number[]>();
    for (const d of live) byPlatform.set(d.platform, [...(byPlatform.get(d.platform) ?? []), d.liveAt! - approvedAt.get(d.packageId)!]);
    for (const [platform, values] of [...byPlatform].sort()) out(`[latency] final approval → live, ${platform.padEnd(10)} ${pcts(values)}`);
    const notLive = facts.deliveries.filter((d) => d.liveAt === null);
    if (notLive.length) out(`[latency] not live: ${notLive.length} (${[...new Set(notLive.map((d) => `${d.platform}:${d.state}`))].join(', ')})`);
    if (net.processed > 0)
      out(
        `[latency] final approval → released, net of the platforms' own processing (${net.processed} deliveries published in the background or after a review, ${sec(net.meanProcessingMs)} s on average at the simulators): ${pcts(net.values)}`,
      );
    // The tail, step by step: the packages the p95 is made of, read back from the database, the
    // simulators and Temporal's histories.
    const tail = [
      ...(net.processed > 0
        ? net.byPackage
        : new Map(ids.filter((id) => facts.releasedAt.has(id)).map((id) => [id, facts.releasedAt.get(id)! - approvedAt.get(id)!]))),
    ]
      .sort((a, b) => b[1] - a[1])
      .slice(0, SLOWEST_SHOWN);
    const postTimes = new Map<string, SimPublication>();
    for (const { kind, publications: list } of publications)
      for (const p of list) for (const id of new Set([p.id, ...Object.values(p.ids ?? {})])) postTimes.set(`${kind}|${id}`, p);
    for (const [id, own] of tail) {
      const approved = approvedAt.get(id)!;
      const rows = facts.deliveries.filter((d) => d.packageId === id);
      const at = (t: number | null) => (t === null ? '—' : sec(t - approved));
      out(
        `[slowest] package ${id}: final approval → released ${at(facts.releasedAt.get(id) ?? null)} s${net.processed > 0 ? `, net of the platforms' processing ${sec(own)} s` : ''}; ${rows
          .map((d) => {
            const post = d.externalId ? postTimes.get(`${d.platform}|${d.externalId}`) : undefined;
            const platform = post?.publishedAt ? `, platform ${at(Date.parse(post.createdAt))} → ${at(Date.parse(post.publishedAt))}` : '';
            return `${d.channelId} submitted ${at(d.submittedAt)}${platform}, live ${at(d.liveAt)}`;
          })
          .join('; ')} s`,
      );
      const keys = await s.observer.businessKeys(
        id,
        rows.map((d) => d.channelId),
      );
      const { timelines, packageEvents } = await deliveryTimelines(s.sut.temporalAddress, s.sut.namespace, id, keys, approved);
      out(`[slowest]   package workflow ${packageWorkflowSteps(packageEvents, approved, (facts.releasedAt.get(id) ?? approved) - approved + 500)}`);
      for (const t of timelines) out(`[slowest]   timeline ${describeTimeline(t)}`);
    }

    // ── Floor and ratio ──
    const measuredFloors = [floorBefore, floorAfter].filter((f): f is Floors => f !== null);
    const floorMeans = measuredFloors.length === 2 ? meanFloors(floorBefore!, floorAfter!) : null;
    if (floorMeans)
      for (const shape of FLOOR_SHAPES)
        out(
          `[floor] ${FLOOR_SHAPE_TEXT[shape]}: mean of before/after ${floorMeans[shape].toFixed(2)} workflows/s (before ${floorBefore![shape].workflowsPerSec.toFixed(2)}, after ${floorAfter![shape].workflowsPerSec.toFixed(2)}); ratio govpub deliveries/s ÷ floor workflows/s = ${(deliveriesPerSec / floorMeans[shape]).toFixed(3)}${shape === TARGET_FLOOR ? " (the issue's target)" : ''}`,
        );

    // ── Exactly once ──
    const releasedRecords = await s.observer.releasedRecords(ids);
    const releasedTwice = [...releasedRecords.values()].filter((n) => n > 1).length;
    const dups = duplicatePosts(publications, t0);
    const dupCount = dups.reduce((a, d) => a + d.duplicates.length, 0);
    const deliveryRows = new Map<string, number>();
    for (const d of facts.deliveries) deliveryRows.set(`${d.packageId}→${d.channelId}`, (deliveryRows.get(`${d.packageId}→${d.channelId}`) ?? 0) + 1);
    out(
      `[once] released records per package: ${releasedTwice === 0 ? 'one each' : `${releasedTwice} packages recorded released more than once`}; simulator publications (the media center takes one article per document and per interpretation): ${dups.map((d) => `${d.kind} ${d.publications}`).join(', ')}; duplicate posts ${dupCount}${
        dupCount
          ? ` (${dups
              .flatMap((d) => d.duplicates)
              .slice(0, 5)
              .join('; ')})`
          : ''
      }; delivery rows per package×channel > 1: ${[...deliveryRows.values()].filter((n) => n > 1).length}`,
    );

    if (holdRecord) printHold(holdRecord, ok, facts, platforms);

    // ── Where the time goes ──
    for (const line of breakdown(metricsBefore, metricsAfter)) out(line);
    const backlogGauge = gauge(metricsAfter, 'govpub_delivery_backlog', 'platform');
    out(
      `[breakdown] govpub_delivery_backlog at the end: ${backlogGauge ? [...backlogGauge].map(([p, n]) => `${p} ${n}`).join(', ') || 'empty' : 'n/a — API endpoint lacks govpub_delivery_backlog'}`,
    );
    out(cpuLine('machine', cpuBefore, cpuAfter));
    const parts = ratioParts(
      cpuUsed(cpuBefore, cpuAfter),
      live.length,
      measuredFloors.map((f) => f[TARGET_FLOOR]),
    );
    if (parts) out(parts);
    out(`[machine] load average ${loadAvg()} at the end (${os.availableParallelism()} cores, shared with whatever else runs here)`);
    const cached = gauge(metricsAfter, 'temporal_sticky_cache_size', 'task_queue') ? seriesSum(metricsAfter, 'temporal_sticky_cache_size') : null;
    for (const line of memoryLines('memory', memory.samples, memory.processPeaks(), cached)) out(line);

    const p95 = quantile(sortedAscending(toReleased), 0.95);
    return {
      packages: runs.length,
      released: released.length,
      deliveries: live.length,
      packagesPerSec,
      deliveriesPerSec,
      approvalToReleasedP95Ms: p95,
      netOfPlatforms:
        net.processed > 0 ? { approvalToReleasedP95Ms: quantile(sortedAscending(net.values), 0.95), meanProcessingMs: net.meanProcessingMs } : null,
      floorWorkflowsPerSec: floorMeans?.[TARGET_FLOOR] ?? null,
      parallelFloorWorkflowsPerSec: floorMeans?.parallel ?? null,
      duplicates: dupCount,
      releasedTwice,
      errors: errors.length,
    };
  } finally {
    await closeSession(s);
  }
}

// ── One package to ≈ 40 channels ─────────────────────────────────────────────────────────────

export function fanoutTargets(registry: Registry): string[] {
  const policyItem = registry.catalogue.find((i) => i.requiresInterpretation && !i.normative)!;
  const accounts = registry.accounts.filter((a) => a.platform === 'wechat_oa' || a.platform === 'weibo').map((a) => `${a.platform}:${a.id}`);
  const graphic = registry.mediaCenter.columns.filter((c) => c.contentKinds.includes('graphic')).map((c) => `${c.system}:${c.id}`);
  const mediaCenter = [...POLICY_MEDIA_CENTER, ...graphic.filter((c) => !POLICY_MEDIA_CENTER.includes(c))].slice(0, 40 - 2 - accounts.length);
  return [`portal:${policyItem.portalColumnId}`, 'portal:zwgk-zcwj-zcjd-wz', ...accounts, ...mediaCenter];
}

async function runFanout(registry: Registry, platforms: PlatformConfigs, options: Options): Promise<boolean> {
  const targets = fanoutTargets(registry);
  const policyItem = registry.catalogue.find((i) => i.requiresInterpretation && !i.normative)!;
  const perPlatform = new Map<string, number>();
  for (const t of targets) perPlatform.set(t.split(':')[0]!, (perPlatform.get(t.split(':')[0]!) ?? 0) + 1);
  // A platform whose rate cap cannot start its channels' work within a second binds by quota.
  const quotaBound = new Set(
    [...perPlatform]
      .filter(([p, n]) => {
        const cap = platforms[p as keyof PlatformConfigs];
        return cap?.ratePerSecond !== undefined && n > cap.ratePerSecond;
      })
      .map(([p]) => p),
  );
  out(
    `[fanout40] one policy package (document, text interpretation, photo) to ${targets.length} channels: ${[...perPlatform].map(([p, n]) => `${p} ${n}`).join(', ')}; quota-bound by platforms.yaml (more channels than ratePerSecond): ${[...quotaBound].map((p) => `${p} (${platforms[p as keyof PlatformConfigs]?.ratePerSecond}/s)`).join(', ') || 'none'}`,
  );
  const s = await openSession(registry, options, 1);
  try {
    const perRep: { free: number; bound: Map<string, number> }[] = [];
    const day = '2026-06-01';
    const metricsBefore = await scrapeAll(s.sut.metrics);
    const cpuBefore = cpuNow(options.attach ? s.sut.pid : undefined);
    for (let rep = 1; rep <= options.repetitions; rep++) {
      const plan: PlannedPackage = {
        seq: 9000 + rep,
        day,
        kind: 'policy',
        catalogueItem: policyItem.id,
        contentClass: policyItem.contentClass,
        title: `关于进一步优化营商环境的若干措施（第${rep}次）`,
        targets,
        cover: true,
        interpretations: 1,
      };
      // "Otherwise idle": the final approval waits until the renditions made during review are
      // done, as they would be after a reviewer's minutes (the bench's review takes milliseconds).
      const reviewMediaDone = async () =>
        seriesSum(await scrapeAll(s.sut.metrics), 'govpub_activity_duration_seconds_count', { activity: 'prepareReviewMedia' });
      const reviewMediaBefore = await reviewMediaDone();
      let reviewWaitMs = 0;
      const run = await drivePackage(s.api, s.tokens, s.stages.get(policyItem.id)!, plan, async () => {
        const from = Date.now();
        while ((await reviewMediaDone()) <= reviewMediaBefore && Date.now() - from < 60_000) await sleep(100);
        reviewWaitMs = Date.now() - from;
      });
      if (run.error || !run.id) throw new Error(`repetition ${rep}: ${run.error}`);
      const { complete: done } = await s.observer.waitReleased([run.id], Date.now() + options.timeoutMinutes * 60_000, () => {});
      const facts = await s.observer.facts([run.id]);
      if (!done) out(`[fanout40] repetition ${rep}: NOT released within ${options.timeoutMinutes} min`);
      // Accepted: the platform took the post (submitted_at); the portal: live.
      const accepted = (d: ReleaseFacts['deliveries'][number]) => (d.submittedAt ?? d.liveAt ?? NaN) - run.approvalSentAt!;
      const freeRows = facts.deliveries.filter((d) => !quotaBound.has(d.platform));
      const free = freeRows.map(accepted);
      const slowest = freeRows.reduce((a, d) => (accepted(d) > accepted(a) ? d : a), freeRows[0]!);
      const bound = new Map<string, number>();
      for (const d of facts.deliveries.filter((x) => quotaBound.has(x.platform))) bound.set(d.platform, Math.max(bound.get(d.platform) ?? 0, accepted(d)));
      perRep.push({ free: Math.max(...free), bound });
      out(
        `[fanout40] repetition ${rep}: final approval → accepted by every channel not bound by quota ${sec(Math.max(...free))} s (last: ${slowest.channelId}); quota-bound, last accepted: ${[...bound].map(([p, ms]) => `${p} ${sec(ms)} s`).join(', ') || '—'}; released ${facts.releasedAt.get(run.id) ? sec(facts.releasedAt.get(run.id)! - run.approvalSentAt!) : '?'} s (the final approval waited ${sec(reviewWaitMs)} s for the review's renditions)`,
      );
      // Where the slowest free channels' time went, from their workflow histories.
      const keys = await s.observer.businessKeys(
        run.id,
        [...freeRows]
          .sort((a, b) => accepted(b) - accepted(a))
          .slice(0, 3)
          .map((d) => d.channelId),
      );
      for (const t of (await deliveryTimelines(s.sut.temporalAddress, s.sut.namespace, run.id, keys, run.approvalSentAt!)).timelines)
        out(`[fanout40]   timeline ${describeTimeline(t)}`);
      await sleep(2000); // idle between repetitions
    }
    const free = perRep.map((r) => r.free).sort((a, b) => a - b);
    const p95 = quantile(free, 0.95);
    out(`[fanout40] final approval → accepted by every channel not bound by quota: ${pcts(free)} over ${perRep.length} repetitions`);
    // Counted in the target all the same; shown apart because it is slow for a reason of its own.
    if (perRep.length > 1 && !options.attach) {
      out(
        `[fanout40] of which the first repetition, the first release since govpub started (its code runs for the first time): ${sec(perRep[0]!.free)} s; the others: ${pcts(perRep.slice(1).map((r) => r.free))}`,
      );
    }
    for (const p of quotaBound)
      out(`[fanout40] quota-bound ${p}: last channel accepted after ${pcts(perRep.map((r) => r.bound.get(p) ?? NaN).filter(Number.isFinite))}`);
    for (const line of breakdown(metricsBefore, await scrapeAll(s.sut.metrics))) out(line);
    out(cpuLine('machine', cpuBefore, cpuNow(options.attach ? s.sut.pid : undefined)));
    const pass = p95 < 1000;
    out(
      `[target] ${pass ? 'PASS' : 'FAIL'} one package to ${targets.length} channels, p95 final approval → accepted (channels not bound by quota) < 1 s: ${sec(p95)} s`,
    );
    return pass;
  } finally {
    await closeSession(s);
  }
}

// ── Main ─────────────────────────────────────────────────────────────────────────────────────

async function main(): Promise<void> {
  let options: Options;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`bench:year: ${error.message}`);
      process.exitCode = 2;
      return;
    }
    throw error;
  }
  // SIGTERM (`timeout`, a CI job cancelled) and SIGHUP (its terminal closed) too: with only SIGINT
  // handled they ended the bench at once and left `govpub start`, its Temporal server and the
  // govpub_bench_ database behind.
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const)
    process.once(signal, () => {
      console.error(`\n${signal === 'SIGINT' ? 'interrupted' : signal}: stopping the system and dropping its database…`);
      void stopEverything().finally(() => process.exit(code));
    });
  const registry = await loadRegistry();
  const platforms = loadPlatformConfigs(path.join(ROOT_DIR, 'config'), { env: {} });
  const started = Date.now();
  out(
    `govpub year-replay bench: mode ${options.mode}${options.hold ? ` with ${options.hold.platform} held ${options.hold.seconds} s` : ''}; ${options.attach ? `the running topology of ${options.attach}` : options.topology ? `govpub topology, workers ${options.workers.join(',')}` : 'govpub start'}; ${os.cpus()[0]?.model?.trim() ?? 'cpu'}, nproc ${os.availableParallelism()}, node ${process.version}; load average ${loadAvg()}`,
  );
  if (options.mode === 'fanout40') {
    await runFanout(registry, platforms, options);
  } else {
    const plans =
      options.mode === 'issue'
        ? issueLoad(registry, options.packages, options.seed)
        : options.mode === 'year'
          ? generateYear(registry, options.seed).packages
          : sampleYear(generateYear(registry, options.seed), options.packages);
    const holdProblem = holdOutsideLoad(options.hold, plans);
    if (holdProblem) {
      console.error(`bench:year: ${holdProblem}`);
      process.exitCode = 2;
      return;
    }
    const results: { workers: number; result: LoadResult | null }[] = [];
    for (const workers of options.workers) {
      if (options.topology && !options.attach) out(`[topology] ── ${workers} worker process${workers > 1 ? 'es' : ''} ──`);
      results.push({ workers, result: await runLoad(registry, platforms, options, plans, workers) });
    }
    if (results.length > 1 && results.every((r) => r.result)) {
      const base = results[0]!.result!;
      for (const r of results.slice(1))
        out(
          `[topology] ${r.workers} workers vs ${results[0]!.workers}: deliveries/s ${r.result!.deliveriesPerSec.toFixed(2)} vs ${base.deliveriesPerSec.toFixed(2)} = ×${(r.result!.deliveriesPerSec / base.deliveriesPerSec).toFixed(2)}${
            r.result!.floorWorkflowsPerSec && base.floorWorkflowsPerSec
              ? `; against each run's own floor (the machine's state then) ${(r.result!.deliveriesPerSec / r.result!.floorWorkflowsPerSec).toFixed(3)} vs ${(base.deliveriesPerSec / base.floorWorkflowsPerSec).toFixed(3)}`
              : ''
          } (one host: the workers share ${os.availableParallelism()} cores with Temporal and PostgreSQL; the runs follow each other, so a busier or quieter machine shows in the floors)`,
        );
    }
    if (options.mode === 'issue') {
      for (const { result } of results) {
        if (!result) continue;
        if (result.floorWorkflowsPerSec === null) out('[target] n/a deliveries/s ≥ 0.5 × floor workflows/s: no floor measured (--no-floor)');
        else {
          const floorOk = result.deliveriesPerSec >= 0.5 * result.floorWorkflowsPerSec;
          const parallel = result.parallelFloorWorkflowsPerSec;
          out(
            `[target] ${floorOk ? 'PASS' : 'FAIL'} deliveries/s ≥ 0.5 × floor workflows/s (${FLOOR_ACTIVITIES} no-op activities ${FLOOR_SHAPE_TEXT[TARGET_FLOOR]}, as a delivery's steps): ${result.deliveriesPerSec.toFixed(2)} vs 0.5 × ${result.floorWorkflowsPerSec.toFixed(2)} = ${(0.5 * result.floorWorkflowsPerSec).toFixed(2)}, ratio ${(result.deliveriesPerSec / result.floorWorkflowsPerSec).toFixed(3)}${parallel ? `; against the floor running the ${FLOOR_ACTIVITIES} ${FLOOR_SHAPE_TEXT.parallel} (${parallel.toFixed(2)} workflows/s) the ratio is ${(result.deliveriesPerSec / parallel).toFixed(3)}` : ''}`,
          );
        }
        out(
          `[target] ${result.approvalToReleasedP95Ms < 2000 ? 'PASS' : 'FAIL'} final approval → released p95 < 2 s: ${sec(result.approvalToReleasedP95Ms)} s${
            result.netOfPlatforms
              ? `; net of the platforms' own processing (review, background publishing: ${sec(result.netOfPlatforms.meanProcessingMs)} s a delivery on average at the simulators) ${sec(result.netOfPlatforms.approvalToReleasedP95Ms)} s`
              : ''
          }`,
        );
        out(
          `[target] ${result.duplicates === 0 && result.releasedTwice === 0 && result.errors === 0 && result.released === result.packages ? 'PASS' : 'FAIL'} every package released exactly once, no duplicate post: ${result.released}/${result.packages} released, ${result.duplicates} duplicates, ${result.errors} API errors`,
        );
      }
    }
  }
  out(`[machine] total run ${sec(Date.now() - started)} s; load average ${loadAvg()}`);
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname);
if (isMain)
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
