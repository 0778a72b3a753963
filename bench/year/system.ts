/**
 * The system the year-replay drives, always as separate OS processes so that the bench's own
 * clients never share an event loop with what they measure:
 *  - `own` (default): a fresh PostgreSQL database `govpub_bench_<random>` and `govpub start` on it
 *    (DATABASE_URL): its own Temporal dev server from the cached CLI, the simulators, one worker
 *    and the API in one process — the documented laptop start, on PostgreSQL;
 *  - `topology`: `govpub topology --workers N` (separate API, N worker processes, simulators,
 *    Temporal) on a fresh database, read from the `<data-dir>/run/topology.json` it writes.
 * Everything it started is stopped and the database dropped by `stop()` (also on Ctrl-C).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { ROOT_DIR } from '../../config/settings.js';
import { SIMULATOR_KINDS } from '../../simulators/index.js';
import { connectPostgres } from '../../db/connect.js';
import type { Registry } from '../../domain/registry.js';
import { addUser } from '../../services/users.js';

/** The `govpub` command of a checkout: this one, or another one for an A/B run (`--govpub DIR`). */
const govpubBin = (checkout: string | undefined) => path.join(checkout ?? ROOT_DIR, 'bin', 'govpub.mjs');

export interface MetricsEndpoint {
  /** `api`, `worker-1`, … */
  name: string;
  url: string;
}

export interface SystemUnderTest {
  kind: 'own' | 'topology';
  apiUrl: string;
  temporalAddress: string;
  namespace: string;
  databaseUrl: string;
  metrics: MetricsEndpoint[];
  /** Simulator base URLs by kind (for /__sim/ controls). */
  simulators: Record<string, string>;
  /** The top process the bench spawned (the others are its children). */
  pid: number;
  describe: string;
  stop(): Promise<void>;
}

/** A free TCP port on loopback (the kernel's choice; closed again before use). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

/** `count` consecutive free ports (for the simulators, which take base + i). */
async function freePortRange(count: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    // Below the ephemeral range (32768+), where an outgoing connection could take one before it is bound.
    const base = 10000 + Math.floor(Math.random() * (32768 - 10000 - count));
    const ok = await Promise.all(
      Array.from(
        { length: count },
        (_, i) =>
          new Promise<boolean>((resolve) => {
            const s = net.createServer();
            s.once('error', () => resolve(false));
            s.listen(base + i, '127.0.0.1', () => s.close(() => resolve(true)));
          }),
      ),
    );
    if (ok.every(Boolean)) return base;
  }
  throw new Error(`no ${count} consecutive free ports found on 127.0.0.1`);
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** Spawns a long-running govpub command and resolves when `ready` appears in its output. */
async function spawnUntil(
  args: string[],
  env: NodeJS.ProcessEnv,
  ready: string,
  timeoutMs: number,
  log: (l: string) => void,
  nodeFlags: string[] = [],
  checkout?: string,
  spawned?: (child: ChildProcess) => void,
) {
  const child = spawn(process.execPath, [...nodeFlags, govpubBin(checkout), ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  // Stopped by the caller's cleanup from now on, not only once it is up: a signal meanwhile left it running.
  spawned?.(child);
  log(`govpub ${args[0]} starting (pid ${child.pid})`);
  let output = '';
  const append = (d: Buffer) => {
    output = (output + d.toString()).slice(-65_536);
  };
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  const deadline = Date.now() + timeoutMs;
  while (!output.includes(ready)) {
    if (child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      const temporalLog = env.GOVPUB_DATA_DIR ? path.join(env.GOVPUB_DATA_DIR, 'temporal-server.log') : '';
      const tail = temporalLog && fs.existsSync(temporalLog) ? `\n--- ${temporalLog} ---\n${fs.readFileSync(temporalLog, 'utf8').slice(-2000)}` : '';
      throw new Error(`govpub ${args.join(' ')} did not start (${child.exitCode ?? child.signalCode ?? 'timeout'}):\n${output.slice(-3000)}${tail}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  log(`govpub ${args[0]} is up (pid ${child.pid})`);
  return { child, output: () => output };
}

/** Node's flags for a CPU profile per process (`govpub topology` passes them on to each process it starts). */
function profileFlags(dir: string | undefined): string[] {
  if (!dir) return [];
  fs.mkdirSync(dir, { recursive: true });
  return ['--cpu-prof', '--cpu-prof-dir', dir];
}

/** SIGTERM (the orderly stop of start/topology), SIGKILL after `graceMs`. */
async function stopChild(child: ChildProcess, graceMs = 30_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

export interface SystemOptions {
  mode: 'own' | 'topology';
  /** A running topology's `<data dir>/run/topology.json`: drive it instead of starting one (it is left running). */
  attach?: string;
  workers?: number;
  adminDatabaseUrl: string;
  /** V8 CPU profiles of the govpub process(es) go here (written when they stop). */
  cpuProfileDir?: string;
  /** Another checkout whose `govpub` is measured instead of this one (A/B runs; its own node_modules). */
  checkout?: string;
  log: (line: string) => void;
}

/**
 * Starts the system; a start that fails is tried once more with other ports (on a busy shared
 * machine a port found free can be taken before the Temporal dev server binds it).
 */
/** The cleanups of systems still starting (their database made, their process maybe spawned), for a signal meanwhile. */
const systemsStarting = new Set<() => Promise<void>>();

/** Stops what systems still starting have made so far: their process, database and data directory. */
export function stopSystemsStarting(): Promise<unknown> {
  const stops = [...systemsStarting];
  systemsStarting.clear();
  return Promise.allSettled(stops.map((stop) => stop()));
}

export async function startSystem(options: SystemOptions): Promise<SystemUnderTest> {
  if (options.attach) return attachTopology(options.attach);
  try {
    return await startSystemOnce(options);
  } catch (error) {
    options.log(`the system did not start, trying once more with other ports: ${(error as Error).message.split('\n').slice(-6).join(' | ')}`);
    return startSystemOnce(options);
  }
}

async function startSystemOnce(options: SystemOptions): Promise<SystemUnderTest> {
  const { log } = options;
  const dbName = `govpub_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: options.adminDatabaseUrl });
  await admin.connect();
  const databaseUrl = withDatabase(options.adminDatabaseUrl, dbName);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'govpub-year-'));
  const cleanups: (() => Promise<unknown>)[] = [
    async () => {
      await admin.query(`drop database if exists "${dbName}" with (force)`);
      await admin.end();
    },
    async () => fs.rmSync(dataDir, { recursive: true, force: true }),
  ];
  let stopped = false;
  const stop = async () => {
    systemsStarting.delete(stop);
    if (stopped) return; // a signal's cleanup and the caller's may both come
    stopped = true;
    for (const step of cleanups.reverse()) await step().catch((e: Error) => log(`cleanup: ${e.message}`));
  };
  // Known before the database is made: a signal while it is being made still drops it.
  systemsStarting.add(stop);
  try {
    await admin.query(`create database "${dbName}"`);
  } catch (error) {
    await stop();
    throw error;
  }
  log(`created PostgreSQL database ${dbName}`);
  const spawned = (child: ChildProcess) => cleanups.push(() => stopChild(child));
  try {
    const apiPort = await freePort();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATABASE_URL: databaseUrl,
      GOVPUB_DATA_DIR: dataDir,
      PORT: String(apiPort),
      GOVPUB_LOG_LEVEL: process.env.GOVPUB_LOG_LEVEL ?? 'warn',
    };
    delete env.TEMPORAL_ADDRESS;
    // Ports of its own (the shared machine runs other govpub systems on the defaults).
    const temporalPort = await freePort();
    const simulatorBase = await freePortRange(SIMULATOR_KINDS.length);
    Object.assign(env, {
      GOVPUB_TEMPORAL_PORT: String(temporalPort),
      GOVPUB_TEMPORAL_UI_PORT: String(await freePort()),
      GOVPUB_SIMULATOR_PORT: String(simulatorBase),
    });
    if (options.mode === 'own') {
      const workerMetrics = await freePort();
      env.GOVPUB_WORKER_METRICS_ADDRESS = `127.0.0.1:${workerMetrics}`;
      const { child } = await spawnUntil(['start'], env, 'govpub is running', 180_000, log, profileFlags(options.cpuProfileDir), options.checkout, spawned);
      systemsStarting.delete(stop); // the caller holds it now
      const apiUrl = `http://127.0.0.1:${apiPort}`;
      return {
        kind: 'own',
        apiUrl,
        temporalAddress: `127.0.0.1:${temporalPort}`,
        namespace: 'default',
        databaseUrl,
        metrics: [
          { name: 'api', url: `${apiUrl}/metrics` },
          { name: 'worker', url: `http://127.0.0.1:${workerMetrics}/metrics` },
        ],
        simulators: Object.fromEntries(SIMULATOR_KINDS.map((kind, i) => [kind, `http://127.0.0.1:${simulatorBase + i}`])),
        pid: child.pid!,
        describe: `govpub start${options.checkout ? ` of ${options.checkout}` : ''} (one process: API + 1 worker + simulators; Temporal dev server as its child) on PostgreSQL database ${dbName}`,
        stop,
      };
    }
    const workers = options.workers ?? 2;
    const metricsBase = await freePortRange(workers + 1);
    const { child } = await spawnUntil(
      ['topology', '--workers', String(workers), '--data-dir', dataDir, '--port', String(apiPort), '--metrics-base-port', String(metricsBase)],
      env,
      'govpub topology is running',
      240_000,
      log,
      profileFlags(options.cpuProfileDir),
      options.checkout,
      spawned,
    );
    systemsStarting.delete(stop); // the caller holds it now
    const topo = JSON.parse(fs.readFileSync(path.join(dataDir, 'run', 'topology.json'), 'utf8')) as TopologyRecord;
    return {
      kind: 'topology',
      apiUrl: topo.api,
      temporalAddress: topo.temporal,
      namespace: topo.namespace ?? 'default',
      databaseUrl,
      metrics: endpointsOf(topo),
      simulators: topo.simulators ?? {},
      pid: child.pid!,
      describe: `govpub topology${options.checkout ? ` of ${options.checkout}` : ''} --workers ${workers} (API, ${workers} worker processes, simulators, Temporal: separate processes) on PostgreSQL database ${dbName}`,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

interface TopologyRecord {
  pid: number;
  api: string;
  temporal: string;
  namespace?: string;
  databaseUrl: string;
  workers: { name?: string; pid: number; metrics: string }[];
  simulators?: Record<string, string>;
}

function endpointsOf(record: TopologyRecord): MetricsEndpoint[] {
  return [{ name: 'api', url: `${record.api}/metrics` }, ...record.workers.map((w, i) => ({ name: w.name ?? `worker-${i + 1}`, url: w.metrics }))];
}

/** A topology someone else started: read from its record, left running at the end. DATABASE_URL overrides the record's (which has no password). */
async function attachTopology(file: string): Promise<SystemUnderTest> {
  let record: TopologyRecord;
  try {
    record = JSON.parse(fs.readFileSync(file, 'utf8')) as TopologyRecord;
  } catch (error) {
    throw new Error(
      `--topology ${file}: cannot read the topology record (${(error as Error).message}); give <data dir>/run/topology.json of a running govpub topology`,
    );
  }
  if (typeof record.api !== 'string' || typeof record.temporal !== 'string' || !Array.isArray(record.workers))
    throw new Error(`--topology ${file}: not a topology record (api, temporal and workers expected)`);
  return {
    kind: 'topology',
    apiUrl: record.api,
    temporalAddress: record.temporal,
    namespace: record.namespace ?? 'default',
    databaseUrl: process.env.DATABASE_URL || record.databaseUrl,
    metrics: endpointsOf(record),
    simulators: record.simulators ?? {},
    pid: record.pid,
    describe: `the running topology of ${file} (${record.workers.length} worker processes; its database is not fresh: the backlog counts every delivery in it)`,
    stop: async () => {},
  };
}

/**
 * The API users the clients act as, made by the same service `govpub users add` calls (in this
 * process, not one CLI process per user: seconds saved on every start), with their tokens.
 */
export async function addUsers(sut: SystemUnderTest, registry: Registry): Promise<{ editor: string; reviewers: Map<string, string> }> {
  const db = connectPostgres(sut.databaseUrl, 1);
  // A suffix of its own: an attached topology's database may hold the users of an earlier run.
  const run = randomBytes(3).toString('hex');
  try {
    const editor = (await addUser(db, registry, { name: `bench-editor-${run}`, role: 'editor' })).token;
    const reviewers = new Map<string, string>();
    for (const stage of registry.review.stages)
      reviewers.set(stage.id, (await addUser(db, registry, { name: `bench-${stage.id}-${run}`, role: 'reviewer', stages: [stage.id] })).token);
    return { editor, reviewers };
  } finally {
    await db.destroy();
  }
}
