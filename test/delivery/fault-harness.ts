/**
 * The fault suite's engine: releases packages to every channel kind while the system is broken
 * on purpose, then counts what reached each platform. `bench/fault-suite.ts` prints its table;
 * `test/delivery/fault-suite.test.ts` runs the quick variant in CI.
 *
 * Per backend one stack: a database of its own (PostgreSQL in a private cluster started here,
 * or the embedded PGlite owned by a `govpub api` process), separate `govpub worker` processes on
 * a task queue of their own, and this process as editors, reviewers and operations (the
 * services, as the API would call them); and its own surroundings: a Temporal dev server with
 * persistent history (a SQLite file), the platform simulators injecting 30 % transient faults
 * and 5 % accepted-but-never-confirmed publishes (test/delivery/support.ts `faultMix`; their
 * refresh tokens rotate, so each database needs platforms of its own), a media store and a
 * portal web root. Backends run one after the other, or side by side with `parallel`. The
 * workflow code is bundled once for every worker (GOVPUB_WORKFLOW_BUNDLE).
 *
 * Scenarios, each on the same stack one after the other:
 *  - worker-kills: worker processes SIGKILLed at random moments, each restarted at once, but not
 *    within ROTATION_GUARD_MS of a refresh-token rotation (see `awayFromRotations`);
 *  - temporal-restart: the Temporal dev server stopped and started again (same port, same file);
 *  - database-restart: PostgreSQL stopped (`pg_ctl stop -m fast`, then `-m immediate`) and
 *    started again; on PGlite the process owning the data directory is stopped (SIGTERM, then
 *    SIGKILL) and started again on the same port. Without a private cluster the workers reach
 *    the shared PostgreSQL through test/support/tcp-proxy.ts, which is taken down instead.
 * Packages are released one or two at a time; while disruptions remain and everything released
 * has settled, the next one is released, so every disruption hits a release in flight.
 *
 * Afterwards operations settle what waits for them (manual hand-offs, never-confirmed posts)
 * through the delivery service, and the platforms are counted: posts per (channel, package) at
 * the simulators, listings per (column, package) in the portal's manifest. A duplicate is a post
 * more than expected, a loss a post (or media-center item) missing.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { Kysely } from 'kysely';
import pg from 'pg';
import { LIST_STATE_FILE, colUnit, type ListState } from '../../adapters/portal/state.js';
import { packageRecordPath } from '../../adapters/portal/site.js';
import { loadSettings } from '../../config/settings.js';
import { connectPostgres, openDatabase } from '../../db/connect.js';
import { migrateToLatest } from '../../db/migrate.js';
import type { DB, DeliveryRow } from '../../db/schema.js';
import type { Actor } from '../../domain/package-rules.js';
import { stagesFor } from '../../domain/registry.js';
import { resolveTemporalCli } from '../../runtime/temporal-cli.js';
import { startTemporalDevServer, type DevServer } from '../../runtime/temporal-dev-server.js';
import { syncChannels } from '../../services/channels.js';
import type { AppContext } from '../../services/context.js';
import { DeliveryService } from '../../services/deliveries.js';
import { PackageService } from '../../services/packages.js';
import { addUser, toActor } from '../../services/users.js';
import { MANUAL_HANDOFF_CHANNELS } from '../../simulators/index.js';
import { deliveryWorkflowId } from '../../contracts/delivery.js';
import { writeWorkflowBundle } from '../../worker/worker.js';
import { killHard, startCliProcess, type CliProcess } from '../support/cli.js';
import { withDatabase } from '../support/global-setup.js';
import { freePort, startPrivatePostgres, type PrivatePostgres } from '../support/private-postgres.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { confirmWaiting, everyChannel, publicationsByChannel, richPolicyPackage, settledForNow, startReleaseWorld, type ReleaseWorld } from './support.js';

export type FaultBackend = 'postgres' | 'pglite';
export type FaultScenario = 'worker-kills' | 'temporal-restart' | 'database-restart';
export const FAULT_SCENARIOS: FaultScenario[] = ['worker-kills', 'temporal-restart', 'database-restart'];

export interface FaultSuiteOptions {
  /** Fewer packages and disruptions (CI). */
  quick: boolean;
  backends: FaultBackend[];
  scenarios?: FaultScenario[];
  /** Shared PostgreSQL, used only when no private cluster can be run (then cut through a proxy). */
  adminUrl?: string;
  /** Seeds the simulators' faults and the disruption schedule. */
  seed?: number;
  /** `govpub worker` processes per backend. */
  workers?: number;
  /** Run the backends side by side (each has its own platforms, Temporal and database), not one after the other. */
  parallel?: boolean;
  log?: (line: string) => void;
  onRow?: (row: FaultRow) => void;
}

export interface FaultRow {
  scenario: FaultScenario;
  backend: FaultBackend;
  /** Where the data lived, and how it was restarted. */
  database: string;
  packages: number;
  deliveries: number;
  live: number;
  /** Manual hand-offs and never-confirmed posts that operations confirmed. */
  confirmedByOps: number;
  postsFound: number;
  postsExpected: number;
  duplicates: number;
  losses: number;
  /** Every delivery live and every package released. */
  settled: boolean;
  /** Channels whose audit trail has not exactly one "live" entry per package. */
  auditAnomalies: number;
  /** Workflows of the run's task queue that failed, timed out or were terminated. */
  failedWorkflows: number;
  /** What was done to the system, e.g. "20 SIGKILL" or "3 restarts". */
  disruptions: string;
  disruptionsDone: number;
  disruptionsPlanned: number;
  wallMs: number;
  notes: string[];
}

export function rowPassed(row: FaultRow): boolean {
  return row.duplicates === 0 && row.losses === 0 && row.settled && row.auditAnomalies === 0 && row.failedWorkflows === 0 && row.deliveries > 0;
}

// ── Plans ────────────────────────────────────────────────────────────────────────────────────

interface Plan {
  /** Packages prepared (created, approved up to the last stage); released as needed. */
  packages: number;
  /** Released at once at the start. */
  initial: number;
  disruptions: number;
  /** Random pause before each disruption. */
  gapMs: [number, number];
  /** How long Temporal or the database stays away. */
  downMs: [number, number];
  /** How long every delivery may take to settle after the last disruption. */
  settleMs: number;
}

export function planFor(scenario: FaultScenario, quick: boolean): Plan {
  switch (scenario) {
    case 'worker-kills':
      return quick
        ? { packages: 2, initial: 1, disruptions: 4, gapMs: [1_000, 10_000], downMs: [0, 0], settleMs: 300_000 }
        : { packages: 8, initial: 2, disruptions: 20, gapMs: [0, 6_000], downMs: [0, 0], settleMs: 600_000 };
    case 'temporal-restart':
      return quick
        ? { packages: 2, initial: 1, disruptions: 1, gapMs: [2_000, 8_000], downMs: [3_000, 3_000], settleMs: 300_000 }
        : { packages: 4, initial: 2, disruptions: 3, gapMs: [1_000, 15_000], downMs: [2_000, 15_000], settleMs: 600_000 };
    case 'database-restart':
      return quick
        ? { packages: 2, initial: 1, disruptions: 1, gapMs: [2_000, 8_000], downMs: [8_000, 8_000], settleMs: 300_000 }
        : { packages: 4, initial: 2, disruptions: 3, gapMs: [1_000, 15_000], downMs: [3_000, 45_000], settleMs: 600_000 };
  }
}

// ── Small helpers ────────────────────────────────────────────────────────────────────────────

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** The longest a disruption waits for the release to make progress since the previous one. */
const PROGRESS_WAIT_MS = 45_000;
/**
 * How long after a platform was asked to rotate a refresh token no worker is killed. A worker
 * killed after the platform rotated the token and before it stored the new one holds only a token
 * the platform no longer takes (the platforms document no grace period): the account must be
 * authorized again, by design, which no retry can heal and the suite cannot tell from a defect.
 * The simulators keep their injected faults off those endpoints for the same reason (README).
 */
const ROTATION_GUARD_MS = 3_000;
const sec = (ms: number) => (ms / 1000).toFixed(1);

/** mulberry32: a reproducible disruption schedule for a seed. */
function random(seed: number): { next(): number; between(range: [number, number]): number; pick<T>(items: T[]): T } {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, between: ([lo, hi]) => Math.round(lo + (hi - lo) * next()), pick: (items) => items[Math.floor(next() * items.length)]! };
}

function countStates(rows: { state: string }[]): string {
  const m = new Map<string, number>();
  for (const r of rows) m.set(r.state, (m.get(r.state) ?? 0) + 1);
  return [...m.entries()].map(([k, v]) => `${k} ${v}`).join(', ');
}

// ── Temporal with persistent history ───────────────────────────────────────────────────────

interface Temporal {
  address: string;
  client: Client;
  restart(downMs: number): Promise<void>;
  close(): Promise<void>;
}

async function startTemporal(dir: string, log: (line: string) => void): Promise<Temporal> {
  const binary = await resolveTemporalCli({ cacheDir: loadSettings().cacheDir, log });
  const options = { binary: binary.path, dataDir: dir, port: await freePort(), uiPort: await freePort(), namespace: 'default' };
  let server: DevServer | undefined = await startTemporalDevServer(options);
  const connection = await Connection.connect({ address: server.address });
  return {
    address: server.address,
    client: new Client({ connection }),
    async restart(downMs) {
      await server!.stop();
      server = undefined;
      await sleep(downMs);
      server = await startTemporalDevServer(options);
    },
    async close() {
      await connection.close().catch(() => {});
      await server?.stop();
    },
  };
}

// ── Worker processes ───────────────────────────────────────────────────────────────────────

/** `govpub worker` child processes; an exit nobody asked for is noted and the worker restarted. */
class WorkerPool {
  private slots: (CliProcess | null)[];
  private starting = new Map<number, Promise<void>>();
  private killedByUs = new WeakSet<CliProcess>();
  private closed = false;
  kills = 0;
  readonly notes: string[] = [];

  constructor(
    size: number,
    private readonly env: NodeJS.ProcessEnv,
    private readonly log: (line: string) => void,
  ) {
    this.slots = Array.from({ length: size }, () => null);
  }

  async startAll(): Promise<void> {
    this.slots.forEach((_, i) => this.restart(i));
    await this.ready();
  }

  /** Every worker polling (waits for restarts in progress). */
  async ready(): Promise<void> {
    while (this.starting.size > 0) await Promise.all([...this.starting.values()]);
  }

  private restart(i: number): void {
    if (this.closed || this.starting.has(i)) return;
    const start = (async () => {
      for (let attempt = 1; !this.closed; attempt++) {
        try {
          const proc = await startCliProcess(['worker'], this.env, 'worker: polling', 120_000);
          if (this.closed) {
            await killHard(proc.child);
            return;
          }
          this.slots[i] = proc;
          void proc.exited.then((how) => {
            if (this.killedByUs.has(proc) || this.closed) return;
            // The error and where it was thrown: the first lines of the last stack trace it printed.
            const out = proc.output().trim().split('\n');
            const at = out.findLastIndex((l) => /Error|error:|Unhandled|uncaught/i.test(l));
            this.notes.push(
              `worker ${proc.child.pid} exited by itself (${how}): ${out
                .slice(Math.max(0, at - 4), at + 8)
                .join(' | ')
                .slice(0, 1_500)}`,
            );
            this.log(`worker ${proc.child.pid} exited by itself (${how}); starting another`);
            this.slots[i] = null;
            this.restart(i);
          });
          return;
        } catch (error) {
          this.log(`worker did not start (attempt ${attempt}): ${(error as Error).message.split('\n')[0]}`);
          if (attempt >= 10) {
            this.notes.push(`a worker could not be started 10 times: ${(error as Error).message.slice(0, 400)}`);
            return;
          }
          await sleep(2_000);
        }
      }
    })().finally(() => this.starting.delete(i));
    this.starting.set(i, start);
  }

  private up(): number[] {
    return this.slots.flatMap((p, i) => (p && p.child.exitCode === null && p.child.signalCode === null ? [i] : []));
  }

  /** SIGKILLs one running worker (sometimes every running one), restarting each at once; how many were killed. */
  async killSome(rng: ReturnType<typeof random>): Promise<number> {
    const deadline = Date.now() + 180_000;
    while (this.up().length === 0) {
      if (Date.now() > deadline) throw new Error('no worker came up within 3 minutes');
      await sleep(100);
    }
    const up = this.up();
    const victims = up.length > 1 && rng.next() < 0.25 ? up : [rng.pick(up)];
    await Promise.all(
      victims.map(async (i) => {
        const proc = this.slots[i]!;
        this.killedByUs.add(proc);
        this.slots[i] = null;
        await killHard(proc.child);
        this.kills += 1;
        this.restart(i);
      }),
    );
    return victims.length;
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.starting.values()]).catch(() => {});
    await Promise.all(
      this.slots.map(async (p) => {
        if (!p) return;
        this.killedByUs.add(p);
        await killHard(p.child);
      }),
    );
  }
}

// ── The database of a stack ─────────────────────────────────────────────────────────────────

interface StackDatabase {
  /** For this process (the services), straight to the database. */
  db: Kysely<DB>;
  description: string;
  /** What worker processes add to their environment to reach it. */
  workerEnv: Record<string, string>;
  /** Stops the database (the `i`-th time), keeps it away `downMs`, starts it again; says how. */
  restart(downMs: number, i: number): Promise<string>;
  close(): Promise<void>;
}

async function postgresDatabase(shared: SharedServices): Promise<StackDatabase> {
  const cluster = shared.cluster;
  const adminUrl = cluster?.adminUrl ?? shared.adminUrl;
  const name = `govpub_faults_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database "${name}"`);
  await admin.end();
  const url = withDatabase(adminUrl, name);
  const db = connectPostgres(url, 4);
  await migrateToLatest(db);
  const drop = async () => {
    const a = new pg.Client({ connectionString: adminUrl });
    await a.connect();
    await a.query(`drop database if exists "${name}" with (force)`);
    await a.end();
  };
  if (cluster) {
    return {
      db,
      description: `PostgreSQL, ${cluster.description}`,
      workerEnv: { DATABASE_URL: url },
      async restart(downMs, i) {
        const mode = i % 2 === 0 ? 'fast' : 'immediate';
        await cluster.stop(mode);
        await sleep(downMs);
        await cluster.start();
        return `pg_ctl stop -m ${mode}, ${sec(downMs)} s down`;
      },
      async close() {
        await db.destroy();
        await drop().catch(() => {});
      },
    };
  }
  // No private cluster: the workers' connections go through a proxy that is taken down.
  const target = new URL(adminUrl);
  const proxy: TcpProxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
  const viaProxy = new URL(url);
  viaProxy.host = `127.0.0.1:${proxy.port}`;
  return {
    db,
    description: `PostgreSQL at ${target.host} (shared, never stopped); the workers reach it through a TCP proxy that is taken down as the "restart"`,
    workerEnv: { DATABASE_URL: viaProxy.toString() },
    async restart(downMs) {
      proxy.down();
      await sleep(downMs);
      proxy.up();
      return `proxy down ${sec(downMs)} s`;
    },
    async close() {
      proxy.up();
      await proxy.close();
      await db.destroy();
      await drop().catch(() => {});
    },
  };
}

/** PGlite in a data directory owned by a `govpub api` process on a fixed port; workers find it there. */
async function pgliteDatabase(shared: SharedServices, taskQueue: string): Promise<StackDatabase> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'govpub-faults-pglite-'));
  const port = await freePort();
  // Migrated here first (this process owns it meanwhile), as `govpub db migrate` would.
  const first = await openDatabase({ databaseUrl: undefined, dataDir, pglitePort: port, cacheDir: loadSettings().cacheDir });
  await migrateToLatest(first.db);
  await first.close();
  const env: NodeJS.ProcessEnv = shared.world.workerEnv({
    GOVPUB_DATA_DIR: dataDir,
    GOVPUB_PGLITE_PORT: String(port),
    TEMPORAL_ADDRESS: shared.temporal.address,
    GOVPUB_TASK_QUEUE: taskQueue,
  });
  delete env.DATABASE_URL;
  const startOwner = async () => startCliProcess(['api'], { ...env, PORT: String(await freePort()), HOST: '127.0.0.1' }, 'api: listening', 120_000);
  let owner: CliProcess | null = await startOwner();
  const db = connectPostgres(`postgres://postgres@127.0.0.1:${port}/postgres`, 4);
  const stopOwner = async (signal: 'SIGTERM' | 'SIGKILL') => {
    const proc = owner!;
    owner = null;
    if (signal === 'SIGKILL') return killHard(proc.child);
    proc.child.kill('SIGTERM');
    const timer = setTimeout(() => proc.child.kill('SIGKILL'), 30_000);
    await proc.exited;
    clearTimeout(timer);
  };
  return {
    db,
    description: `PGlite in ${dataDir}, owned by a \`govpub api\` process serving it on port ${port}`,
    workerEnv: { GOVPUB_DATA_DIR: dataDir, GOVPUB_PGLITE_PORT: String(port) },
    async restart(downMs, i) {
      const signal = i % 2 === 0 ? 'SIGTERM' : 'SIGKILL';
      await stopOwner(signal);
      await sleep(downMs);
      owner = await startOwner();
      return `owner ${signal}, ${sec(downMs)} s down`;
    },
    async close() {
      await db.destroy();
      if (owner) await stopOwner('SIGTERM');
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

// ── Shared services and stacks ──────────────────────────────────────────────────────────────

interface SharedServices {
  world: ReleaseWorld;
  temporal: Temporal;
  bundle: string;
  cluster?: PrivatePostgres;
  adminUrl: string;
}

interface Stack {
  backend: FaultBackend;
  taskQueue: string;
  database: StackDatabase;
  workers: WorkerPool;
  ctx: AppContext;
  packages: PackageService;
  deliveries: DeliveryService;
  editor: Actor;
  ops: Actor;
  /** One reviewer per stage, in stage order. */
  reviewers: Actor[];
  targets: string[];
}

async function openStack(shared: SharedServices, backend: FaultBackend, workers: number, log: (line: string) => void): Promise<Stack> {
  const taskQueue = `govpub-faults-${backend}-${randomBytes(3).toString('hex')}`;
  const database = backend === 'pglite' ? await pgliteDatabase(shared, taskQueue) : await postgresDatabase(shared);
  const registry = shared.world.registry;
  try {
    await syncChannels(database.db, registry, 'fault-suite');
    const ctx: AppContext = { db: database.db, registry, temporal: shared.temporal.client, taskQueue };
    const editor = toActor((await addUser(database.db, registry, { name: 'fault-editor', role: 'editor' })).user);
    const ops = toActor((await addUser(database.db, registry, { name: 'fault-ops', role: 'ops' })).user);
    const item = registry.catalogue.find((i) => i.requiresInterpretation)!;
    const reviewers: Actor[] = [];
    for (const stage of stagesFor(registry, item.contentClass)) {
      reviewers.push(toActor((await addUser(database.db, registry, { name: `fault-reviewer-${stage.id}`, role: 'reviewer', stages: [stage.id] })).user));
    }
    await shared.world.registerMedia(database.db, editor.id);
    const env = shared.world.workerEnv({
      ...database.workerEnv,
      TEMPORAL_ADDRESS: shared.temporal.address,
      GOVPUB_TASK_QUEUE: taskQueue,
      GOVPUB_WORKFLOW_BUNDLE: shared.bundle,
    });
    if (!database.workerEnv.DATABASE_URL) delete env.DATABASE_URL;
    const pool = new WorkerPool(workers, env, log);
    await pool.startAll();
    const portalColumns = [item.portalColumnId, 'zwgk-zcwj-zcjd-wz'].filter((c, i, all) => all.indexOf(c) === i);
    return {
      backend,
      taskQueue,
      database,
      workers: pool,
      ctx,
      packages: new PackageService(ctx),
      deliveries: new DeliveryService(ctx),
      editor,
      ops,
      reviewers,
      targets: everyChannel(registry, portalColumns),
    };
  } catch (error) {
    await database.close().catch(() => {});
    throw error;
  }
}

// ── One scenario ────────────────────────────────────────────────────────────────────────────

interface Released {
  id: string;
  /** In every post's title, so posts are counted per package. */
  marker: string;
}

async function runScenario(
  shared: SharedServices,
  stack: Stack,
  scenario: FaultScenario,
  runIndex: number,
  quick: boolean,
  seed: number,
  log: (line: string) => void,
): Promise<FaultRow> {
  const plan = planFor(scenario, quick);
  const rng = random(seed);
  const t0 = Date.now();
  const notes: string[] = [];
  const db = stack.database.db;
  // Short (WeChat titles take 32 characters), unique among the backend's runs (they share its
  // simulators) and unmistakable in a post's JSON: 【FA01】 is the first package of the first run.
  const tag = `F${String.fromCharCode(65 + (runIndex % 26))}`;
  const say = (line: string) => log(`[${scenario} on ${stack.backend}] ${line}`);

  // Packages created and approved up to the last stage while everything is healthy.
  const prepared: Released[] = [];
  for (let k = 1; k <= plan.packages; k++) {
    const marker = `【${tag}${String(k).padStart(2, '0')}】`;
    const body = richPolicyPackage(shared.world, stack.targets, `${marker}关于进一步优化营商环境的若干措施`);
    const pkg = await stack.packages.create(stack.editor, body);
    await stack.packages.submit(stack.editor, pkg.id);
    for (const reviewer of stack.reviewers.slice(0, -1))
      await stack.packages.decide(reviewer, pkg.id, { decision: 'approve', revision: pkg.revision, comment: '同意' });
    prepared.push({ id: pkg.id, marker });
  }
  const released: Released[] = [];
  const releaseNext = async () => {
    const next = prepared[released.length]!;
    await stack.packages.decide(stack.reviewers.at(-1)!, next.id, { decision: 'approve', revision: 1, comment: '同意发布' });
    released.push(next);
    say(`released package ${released.length} (${next.id}, ${stack.targets.length} channels)`);
  };
  for (let k = 0; k < plan.initial; k++) await releaseNext();

  const rowsOf = () =>
    db
      .selectFrom('deliveries')
      .selectAll()
      .where(
        'package_id',
        'in',
        released.map((r) => r.id),
      )
      .execute();

  // Disruptions at random moments, each while something released is still on its way, and spread
  // over the release: after a disruption, the next waits until one more delivery has settled (or
  // PROGRESS_WAIT_MS passed without any), so they meet every phase, not only the first seconds.
  let done = 0;
  const how: string[] = [];
  const tDisrupt = Date.now();
  let settledAtLast = -1;
  while (done < plan.disruptions) {
    await sleep(rng.between(plan.gapMs));
    let rows = await rowsOf().catch(() => null);
    if (rows && rows.length === released.length * stack.targets.length && rows.every(settledForNow)) {
      if (released.length < prepared.length) {
        await releaseNext();
        continue;
      }
      notes.push(`only ${done} of ${plan.disruptions} disruptions: every prepared package settled first`);
      break;
    }
    const progressBy = Date.now() + PROGRESS_WAIT_MS;
    while (rows && rows.filter(settledForNow).length <= settledAtLast && Date.now() < progressBy) {
      await sleep(500);
      rows = await rowsOf().catch(() => rows);
    }
    settledAtLast = rows ? rows.filter(settledForNow).length : settledAtLast;
    const live = rows ? rows.filter((r) => r.state === 'live').length : NaN;
    if (scenario === 'worker-kills') {
      await awayFromRotations(shared.world);
      const n = await stack.workers.killSome(rng);
      done += n;
      say(`SIGKILL ${n} worker${n > 1 ? 's' : ''} (${done}/${plan.disruptions}; ${settledAtLast} deliveries settled, ${live} live)`);
    } else if (scenario === 'temporal-restart') {
      const down = rng.between(plan.downMs);
      say(`stopping the Temporal dev server for ${sec(down)} s (${live} deliveries live)`);
      await shared.temporal.restart(down);
      how.push(`${sec(down)} s`);
      done += 1;
    } else {
      const down = rng.between(plan.downMs);
      say(`restarting the database, ${sec(down)} s down (${live} deliveries live)`);
      how.push(await stack.database.restart(down, done));
      done += 1;
    }
  }
  await stack.workers.ready();
  say(`${done} disruptions in ${sec(Date.now() - tDisrupt)} s; waiting for every delivery to settle`);

  // Settle: every delivery live, handed off, or accepted but never confirmed…
  const ids = released.map((r) => r.id);
  const expectedRows = ids.length * stack.targets.length;
  let settled = true;
  const deadline = Date.now() + plan.settleMs;
  let lastLog = Date.now();
  for (;;) {
    const rows = await rowsOf().catch(() => [] as DeliveryRow[]);
    if (rows.length === expectedRows && rows.every(settledForNow)) break;
    if (Date.now() > deadline) {
      settled = false;
      const open = rows.filter((r) => !settledForNow(r));
      notes.push(`not settled after ${sec(plan.settleMs)} s: ${rows.length}/${expectedRows} deliveries planned; ${countStates(rows)}`);
      for (const r of open.slice(0, 8))
        notes.push(
          `  ${deliveryWorkflowId(r.business_key)}: ${r.state}, attempts ${r.attempts}${r.error_class ? `, ${r.error_class}: ${(r.error_message ?? '').slice(0, 200)}` : ''}`,
        );
      break;
    }
    if (Date.now() - lastLog > 20_000) {
      lastLog = Date.now();
      say(`${rows.filter(settledForNow).length}/${expectedRows} settled (${countStates(rows)})`);
    }
    await sleep(1_000);
  }

  // …then operations post the hand-offs and confirm what the platforms never confirmed.
  const ops = await confirmWaiting(stack.deliveries, db, stack.ops, await rowsOf(), shared.world.platforms);
  const confirmedByOps = ops.confirmed;
  notes.push(...ops.problems);
  const finalDeadline = Date.now() + 120_000;
  let rows: DeliveryRow[] = [];
  let statuses: { id: string; status: string }[] = [];
  for (;;) {
    rows = await rowsOf();
    statuses = await db.selectFrom('packages').select(['id', 'status']).where('id', 'in', ids).execute();
    if (rows.length === expectedRows && rows.every((r) => r.state === 'live') && statuses.every((s) => s.status === 'released')) break;
    if (Date.now() > finalDeadline) {
      if (settled) notes.push(`after operations confirmed: ${countStates(rows)}; packages ${statuses.map((s) => s.status).join(', ')}`);
      settled = false;
      break;
    }
    await sleep(500);
  }

  // Count at the platforms.
  const counted = await countPosts(shared.world, stack, released, notes);
  const audit = await db
    .selectFrom('audit_log')
    .select(['package_id', 'channel_id', (eb) => eb.fn.countAll<string>().as('n')])
    .where('package_id', 'in', ids)
    .where('action', 'in', ['delivery_live', 'delivery_confirmed_manually'])
    .groupBy(['package_id', 'channel_id'])
    .execute();
  let auditAnomalies = 0;
  for (const p of released) {
    for (const target of stack.targets) {
      const n = Number(audit.find((a) => a.package_id === p.id && a.channel_id === target)?.n ?? 0);
      if (n !== 1) {
        auditAnomalies += 1;
        notes.push(`audit: ${n} "live" entries for ${target} of ${p.id}`);
      }
    }
  }
  const failedWorkflows = await failedWorkflowsOf(shared.temporal.client, stack.taskQueue, notes);
  const disruptions = scenario === 'worker-kills' ? `${done} SIGKILL` : `${done} restart${done === 1 ? '' : 's'}${how.length ? ` (${how.join('; ')})` : ''}`;
  const row: FaultRow = {
    scenario,
    backend: stack.backend,
    database: stack.database.description,
    packages: released.length,
    deliveries: rows.length,
    live: rows.filter((r) => r.state === 'live').length,
    confirmedByOps,
    postsFound: counted.found,
    postsExpected: counted.expected,
    duplicates: counted.duplicates,
    losses: counted.losses,
    settled,
    auditAnomalies,
    failedWorkflows,
    disruptions,
    disruptionsDone: done,
    disruptionsPlanned: plan.disruptions,
    wallMs: Date.now() - t0,
    notes: [...notes, ...stack.workers.notes.splice(0)],
  };
  say(`done in ${sec(row.wallMs)} s: ${row.postsFound}/${row.postsExpected} posts, ${row.duplicates} duplicates, ${row.losses} losses, settled ${row.settled}`);
  return row;
}

/** Waits until no simulator has been asked to rotate a credential for ROTATION_GUARD_MS (at most a minute). */
async function awayFromRotations(world: ReleaseWorld): Promise<void> {
  const giveUpAt = Date.now() + 60_000;
  for (;;) {
    const last = Math.max(0, ...Object.values(world.simulators.simulators).map((s) => s.state.lastCredentialRotationAt() ?? 0));
    const quietFor = Date.now() - last;
    if (quietFor >= ROTATION_GUARD_MS || Date.now() > giveUpAt) return;
    await sleep(ROTATION_GUARD_MS - quietFor);
  }
}

/** Posts per (channel, package): at the simulators by the package's marker, on the portal in its manifest. */
async function countPosts(
  world: ReleaseWorld,
  stack: Stack,
  released: Released[],
  notes: string[],
): Promise<{ found: number; expected: number; duplicates: number; losses: number }> {
  const published = await publicationsByChannel(world, world.registry);
  // The portal's state is sharded: a column's list in col/<id>/.state.json, a package's record beside its pages.
  const current = path.join(world.webRoot, 'current');
  const columnList = (columnId: string): ListState | undefined => {
    try {
      return JSON.parse(fs.readFileSync(path.join(current, colUnit(columnId), LIST_STATE_FILE), 'utf8')) as ListState;
    } catch (error) {
      notes.push(`portal column ${columnId} state unreadable: ${(error as Error).message}`);
      return undefined;
    }
  };
  const manual = new Set<string>(MANUAL_HANDOFF_CHANNELS);
  let found = 0;
  let expected = 0;
  let duplicates = 0;
  let losses = 0;
  for (const p of released) {
    const interpretations = 2; // richPolicyPackage: a text and a video interpretation
    for (const target of stack.targets) {
      const [platform, id] = target.split(':') as [string, string];
      if (manual.has(platform)) continue; // posted by operations from the hand-off bundle
      let posts: string[];
      let want = 1;
      if (platform === 'portal') {
        const listed = columnList(id)?.entries[p.id] ? 1 : 0;
        posts = Array.from({ length: listed }, () => 'listing');
        if (listed > 0 && !fs.existsSync(packageRecordPath(current, p.id))) notes.push(`portal: ${target} lists ${p.id} but its pages are missing`);
      } else {
        posts = (published.get(target) ?? []).filter((x) => JSON.stringify(x).includes(p.marker)).map((x) => x.title ?? x.id);
        // The media center takes the document and each interpretation as articles of their own.
        if (platform === 'news_site' || platform === 'media_app') want = 1 + interpretations;
      }
      const distinct = new Set(posts).size;
      const dup = posts.length - Math.min(distinct, want);
      const lost = Math.max(0, want - distinct);
      if (dup > 0) notes.push(`duplicate: ${target} holds ${posts.length} posts of ${p.id} (${p.marker}), ${want} expected`);
      if (lost > 0) notes.push(`lost: ${target} holds ${distinct} of ${want} posts of ${p.id} (${p.marker})`);
      found += posts.length;
      expected += want;
      duplicates += dup;
      losses += lost;
    }
  }
  return { found, expected, duplicates, losses };
}

async function failedWorkflowsOf(client: Client, taskQueue: string, notes: string[]): Promise<number> {
  let n = 0;
  try {
    for await (const wf of client.workflow.list({
      query: `TaskQueue = "${taskQueue}" AND (ExecutionStatus = "Failed" OR ExecutionStatus = "TimedOut" OR ExecutionStatus = "Terminated")`,
    })) {
      n += 1;
      if (n <= 5) notes.push(`workflow ${wf.workflowId} (${wf.type}) ${wf.status.name}`);
    }
  } catch (error) {
    notes.push(`could not list failed workflows: ${(error as Error).message.slice(0, 200)}`);
  }
  return n;
}

// ── The suite ───────────────────────────────────────────────────────────────────────────────

export async function runFaultSuite(options: FaultSuiteOptions): Promise<FaultRow[]> {
  const t0 = Date.now();
  const log = options.log ?? ((line: string) => process.stderr.write(`  … ${sec(Date.now() - t0).padStart(6)} s  ${line}\n`));
  const seed = options.seed ?? 7;
  const scenarios = options.scenarios ?? FAULT_SCENARIOS;
  const workers = options.workers ?? 2;
  const adminUrl = options.adminUrl ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  // The workflow code, bundled once for every worker process of every backend: the test run's
  // bundle when there is one (test/support/global-setup.ts), else one of the suite's own.
  const bundleDir = fs.mkdtempSync(path.join(os.tmpdir(), 'govpub-faults-bundle-'));
  const prebuilt = process.env.GOVPUB_WORKFLOW_BUNDLE;
  const bundle = prebuilt && fs.existsSync(prebuilt) ? prebuilt : path.join(bundleDir, 'workflow-bundle.js');
  try {
    if (bundle !== prebuilt) await writeWorkflowBundle(bundle);
    const runs = options.backends.map((backend) => () => runBackend(backend));
    const results = options.parallel ? await Promise.all(runs.map((run) => run())) : await sequentially(runs);
    return results.flat();
  } finally {
    fs.rmSync(bundleDir, { recursive: true, force: true });
  }

  /**
   * One backend: platforms (simulators: their refresh tokens rotate, so a database of its own needs
   * platforms of its own), media store and portal, a Temporal dev server and, for PostgreSQL, a
   * private cluster; then its scenarios one after the other on one stack.
   */
  async function runBackend(backend: FaultBackend): Promise<FaultRow[]> {
    const say = (line: string) => log(`[${backend}] ${line}`);
    const cleanups: { what: string; run: () => Promise<unknown> }[] = [];
    const rows: FaultRow[] = [];
    try {
      // Up to a dozen packages a day to one Bilibili account: more than a non-member may submit (5),
      // and a submission over the limit rightly waits for the next day.
      const world = await startReleaseWorld({ faults: true, seed, simulators: { bilibili: { dailySubmitLimit: 1_000 } } });
      cleanups.push({ what: 'simulators and temporary files', run: () => world.close() });
      const temporal = await startTemporal(path.join(world.dir, 'temporal'), say);
      cleanups.push({ what: 'Temporal dev server', run: () => temporal.close() });
      say(`Temporal dev server at ${temporal.address}, history in ${path.join(world.dir, 'temporal', 'temporal.sqlite')}`);
      let cluster: PrivatePostgres | undefined;
      if (backend === 'postgres') {
        const started = await startPrivatePostgres();
        if ('unavailable' in started)
          say(`no private PostgreSQL cluster (${started.unavailable}); the database restart cuts a proxy in front of ${adminUrl} instead`);
        else {
          cluster = started;
          cleanups.push({ what: 'private PostgreSQL cluster', run: () => started.close() });
        }
      }
      const shared: SharedServices = { world, temporal, bundle, cluster, adminUrl };
      const stack = await openStack(shared, backend, workers, say);
      cleanups.push({
        what: `${backend} stack`,
        run: async () => {
          await stack.workers.close();
          await stack.database.close();
        },
      });
      say(`${stack.database.description}; ${workers} \`govpub worker\` processes on ${stack.taskQueue}`);
      for (const [i, scenario] of scenarios.entries()) {
        const row = await runScenario(shared, stack, scenario, i, options.quick, seed * 31 + i, log);
        rows.push(row);
        options.onRow?.(row);
      }
      return rows;
    } finally {
      while (cleanups.length > 0) {
        const step = cleanups.pop()!;
        await step.run().catch((error: Error) => say(`cleanup (${step.what}) failed: ${error.message}`));
      }
    }
  }
}

async function sequentially<T>(runs: (() => Promise<T>)[]): Promise<T[]> {
  const results: T[] = [];
  for (const run of runs) results.push(await run());
  return results;
}

/** The table: one row per scenario × backend. */
export function formatFaultTable(rows: FaultRow[]): string {
  const head = ['scenario', 'backend', 'packages', 'deliveries', 'live', 'by ops', 'posts found', 'duplicates', 'losses', 'settled', 'disruptions', 'wall'];
  const body = rows.map((r) => [
    r.scenario,
    r.backend,
    String(r.packages),
    String(r.deliveries),
    String(r.live),
    String(r.confirmedByOps),
    `${r.postsFound}/${r.postsExpected}`,
    String(r.duplicates),
    String(r.losses),
    r.settled && r.auditAnomalies === 0 && r.failedWorkflows === 0
      ? 'yes'
      : `NO${r.failedWorkflows ? ` (${r.failedWorkflows} failed workflows)` : ''}${r.auditAnomalies ? ` (${r.auditAnomalies} audit)` : ''}`,
    r.disruptions,
    `${sec(r.wallMs)} s`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n');
}
