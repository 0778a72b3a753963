/**
 * `govpub topology`: the production layout on one host, as separate OS processes under one
 * foreground supervisor. Temporal (the dev server, unless TEMPORAL_ADDRESS names one), the
 * platform simulators, one migration run, one workflow bundle, one `govpub api` and N × `govpub
 * worker`, all on PostgreSQL. Every process is a `govpub` command a production host would run
 * itself; the supervisor only starts them in order, prefixes their output, restarts a worker
 * that dies and stops everything in order (API first, so nothing new arrives while workers drain).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { portTaken } from './ports.js';
import path from 'node:path';
import readline from 'node:readline';
import { loadPlatformConfigs } from '../config/platforms.js';
import { loadRegistry } from '../config/registry.js';
import { ROOT_DIR, localApiUrl, type Settings } from '../config/settings.js';
import { withoutPassword } from '../config/database-url.js';
import { checkSecretsFile } from '../config/secrets.js';
import { GovpubError } from '../domain/errors.js';
import { ensureDevSecrets, readSimulatorUrls, simulatorsRuntimeFile } from './local-platforms.js';
import { temporalRuntimeFile } from './app.js';
import { alreadyRunningError, claimDataDir, processExists, topologyRecordFile, writeRuntimeRecord } from './runtime-files.js';
import { resolveTemporalCli } from './temporal-cli.js';
import { startTemporalDevServer, stopLeftoverDevServers, type DevServer } from './temporal-dev-server.js';

export const MAX_TOPOLOGY_WORKERS = 16;
export const DEFAULT_WORKER_METRICS_BASE_PORT = 9464;
/** What the supervisor prints once every process is up: a bench or test waits for this line. */
export const TOPOLOGY_RUNNING_LINE = 'govpub topology is running';

export interface TopologyOptions {
  workers: number;
  dataDir: string;
  /** The API's port (also the base of the public links every process prints, as PORT is). */
  port: number;
  /** Worker i (1-based) serves its metrics on 127.0.0.1:<metricsBasePort + i - 1>. */
  metricsBasePort: number;
}

/** What <data dir>/run/topology.json holds while the topology runs (docs: README "One host, several processes"). */
export interface TopologyRecord {
  /** The supervisor's pid: a second `govpub topology` on the same data directory refuses while it lives. */
  pid: number;
  api: string;
  temporal: string;
  namespace: string;
  taskQueue: string;
  /** DATABASE_URL without its password. */
  databaseUrl: string;
  workers: { name: string; pid: number; metrics: string }[];
  /** The other processes it started (null: not started here, e.g. Temporal when TEMPORAL_ADDRESS is given). */
  processes: { api: number; simulators: number | null; temporal: number | null };
  simulators: Record<string, string>;
  portalRoot: string;
  startedAt: string;
}

export { topologyRecordFile };

function invalid(message: string): GovpubError {
  return new GovpubError('invalid_arguments', message);
}

function portOption(raw: string, flag: string, lowest = 1): number {
  const value = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isInteger(value) || value < lowest || value > 65535) {
    throw invalid(`${flag} ${raw} is not a port number (${lowest}-65535).`);
  }
  return value;
}

/** The command's flags checked against each other and the settings; each mistake names its flag. */
export function parseTopologyOptions(
  raw: { workers?: string; dataDir?: string; port?: string; metricsBasePort?: string },
  settings: Settings,
): TopologyOptions {
  const workersRaw = raw.workers ?? '2';
  const workers = Number(workersRaw);
  if (!/^\d+$/.test(workersRaw.trim()) || workers < 1 || workers > MAX_TOPOLOGY_WORKERS) {
    throw invalid(`--workers ${workersRaw} must be a whole number from 1 to ${MAX_TOPOLOGY_WORKERS} (worker processes on this host).`);
  }
  const port = raw.port === undefined ? settings.apiPort : portOption(raw.port, '--port');
  if (port === 0) throw invalid('PORT=0: the topology needs a fixed API port for its processes to link to; set --port or PORT.');
  const metricsBasePort = raw.metricsBasePort === undefined ? DEFAULT_WORKER_METRICS_BASE_PORT : portOption(raw.metricsBasePort, '--metrics-base-port', 1024);
  const lastMetricsPort = metricsBasePort + workers - 1;
  if (lastMetricsPort > 65535) {
    throw invalid(`--metrics-base-port ${metricsBasePort} leaves no room for ${workers} workers (ports up to ${lastMetricsPort}); choose a lower one.`);
  }
  if (port >= metricsBasePort && port <= lastMetricsPort) {
    throw invalid(`--port ${port} falls among the workers' metrics ports ${metricsBasePort}-${lastMetricsPort} (--metrics-base-port); choose ports apart.`);
  }
  const dataDir = raw.dataDir === undefined ? settings.dataDir : path.resolve(raw.dataDir);
  if (dataDir.trim() === '') throw invalid('--data-dir must name a directory.');
  return { workers, dataDir, port, metricsBasePort };
}

/** Several processes share one database: only PostgreSQL will do. Says what to set otherwise. */
export function assertSharedDatabase(settings: Settings): string {
  if (settings.databaseUrl) return settings.databaseUrl;
  throw new GovpubError(
    'setting_invalid',
    'govpub topology needs DATABASE_URL: its API and worker processes share one PostgreSQL database, and the embedded PGlite serves only the process that opened it. ' +
      'Set DATABASE_URL=postgres://user@host:5432/govpub (the database must exist; migrations are applied at start). For everything in one process on the embedded database, run `govpub start`.',
    {},
    {
      zh: 'govpub topology 需要设置 DATABASE_URL：其 API 进程和各发布进程共用一个 PostgreSQL 数据库，内置的 PGlite 只能供打开它的进程使用。请设置 DATABASE_URL=postgres://用户@主机:5432/govpub（数据库须已存在，启动时会执行迁移）；如需单进程运行内置数据库，请用 `govpub start`。',
    },
  );
}

/** The URL as topology.json shows it: never a password. */
export { withoutPassword };

function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  return signal ? `was killed by ${signal}` : `exited with code ${code}`;
}

/** Waits for every one, then throws the first failure (Promise.all would leave the others running unseen). */
async function allSucceed(steps: Promise<unknown>[]): Promise<void> {
  const failed = (await Promise.allSettled(steps)).find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
}

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

const GOVPUB_BIN = path.join(ROOT_DIR, 'bin', 'govpub.mjs');

export interface TopologyIo {
  /** A line on stdout (children's stdout, prefixed; the supervisor's own lines). */
  out(line: string): void;
  /** A line on stderr (children's stderr, prefixed). */
  err(line: string): void;
}

/** One `govpub …` child: its own process group, so a terminal's Ctrl+C reaches only the supervisor, which stops it in order. */
class GovpubChild {
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  #lineWatchers: { pattern: RegExp; resolve: () => void }[] = [];
  #exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;

  constructor(
    readonly name: string,
    args: string[],
    env: NodeJS.ProcessEnv,
    io: TopologyIo,
  ) {
    this.child = spawn(process.execPath, [...profilingFlags(), GOVPUB_BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const forward = (stream: NodeJS.ReadableStream, write: (line: string) => void) => {
      readline.createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
        write(`[${name}] ${line}`);
        for (const watcher of this.#lineWatchers.filter((w) => w.pattern.test(line))) {
          this.#lineWatchers.splice(this.#lineWatchers.indexOf(watcher), 1);
          watcher.resolve();
        }
      });
    };
    forward(this.child.stdout!, io.out);
    forward(this.child.stderr!, io.err);
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.#exit = { code, signal };
        resolve(this.#exit);
      });
      // A spawn failure (no node?) is an exit too, or waiters would hang.
      this.child.once('error', () => {
        this.#exit ??= { code: -1, signal: null };
        resolve(this.#exit);
      });
    });
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get running(): boolean {
    return this.#exit === undefined;
  }

  /** Resolves when the child prints a line matching `pattern`; rejects if it exits first or the time runs out. */
  async waitForLine(pattern: RegExp, what: string, timeoutMs: number): Promise<void> {
    const seen = new Promise<void>((resolve) => this.#lineWatchers.push({ pattern, resolve }));
    await this.#race(seen, what, timeoutMs);
  }

  /** Resolves when `check` returns true (polled); rejects if the child exits first or the time runs out. */
  async waitUntil(check: () => Promise<boolean> | boolean, what: string, timeoutMs: number): Promise<void> {
    let done = false;
    const polled = (async () => {
      while (!done) {
        if (
          await Promise.resolve()
            .then(check)
            .catch(() => false)
        )
          return;
        await delay(250);
      }
    })();
    try {
      await this.#race(polled, what, timeoutMs);
    } finally {
      done = true;
    }
  }

  async #race(ready: Promise<void>, what: string, timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new GovpubError(
              'topology_start_failed',
              `${this.name} (pid ${this.pid}) did not become ready (${what}) within ${timeoutMs / 1000} s; its output is above.`,
            ),
          ),
        timeoutMs,
      );
    });
    const exited = this.exited.then(({ code, signal }) => {
      throw new GovpubError('topology_start_failed', `${this.name} (pid ${this.pid}) ${describeExit(code, signal)} before it was ready; its output is above.`);
    });
    try {
      await Promise.race([ready, exited, timeout]);
    } finally {
      clearTimeout(timer);
      // The losing promise must not become an unhandled rejection.
      exited.catch(() => {});
    }
  }

  /** Asks it to stop (SIGTERM: a worker drains, the API closes); SIGKILL to its whole group after `graceMs`. */
  async stop(graceMs: number): Promise<void> {
    if (!this.running) return;
    this.#signal('SIGTERM', false);
    const timer = setTimeout(() => this.#signal('SIGKILL', true), graceMs);
    await this.exited;
    clearTimeout(timer);
    // Anything it started and left behind (it led its own process group).
    this.#signal('SIGKILL', true);
  }

  killHard(): void {
    if (this.running) this.#signal('SIGKILL', true);
  }

  #signal(signal: NodeJS.Signals, group: boolean): void {
    if (this.child.pid === undefined) return;
    try {
      process.kill(group ? -this.child.pid : this.child.pid, signal);
    } catch {
      // Already gone.
    }
  }
}

interface WorkerSlot {
  index: number;
  name: string;
  metricsAddress: string;
  current: GovpubChild;
  /** Restarts since the worker last stayed up for STABLE_MS; the backoff grows with it. */
  failures: number;
  readyAt: number;
}

/** A worker that stayed up this long counts as healthy again: its next restart starts at the shortest backoff. */
const STABLE_MS = 60_000;
/** A worker that still dies after this many restarts in a row, never staying up, is broken, not unlucky: stop the topology. */
const MAX_CONSECUTIVE_RESTARTS = 5;
const READY_TIMEOUT_MS = 180_000;
const WORKER_GRACE_MS = 30_000;
const OTHER_GRACE_MS = 10_000;

export function restartDelayMs(failures: number): number {
  return Math.min(30_000, 1_000 * 2 ** Math.max(0, failures - 1));
}

export class TopologySupervisor {
  #stopping = false;
  #running = false;
  /** Gives up this topology's claim on its data directory (runtime-files.ts claimDataDir). */
  #releaseDataDir: (() => void) | undefined;
  #devServer: DevServer | undefined;
  #temporalAddress = '';
  #simulators: GovpubChild | undefined;
  #api: GovpubChild | undefined;
  #workers: WorkerSlot[] = [];
  #oneShots = new Set<GovpubChild>();
  #record: TopologyRecord | undefined;
  #finish!: { resolve: () => void; reject: (error: Error) => void };
  #stopped: Promise<void> | undefined;
  /** Settles when the topology has stopped: resolves after stop(), rejects when a process it cannot do without died. */
  readonly finished: Promise<void>;

  constructor(
    private readonly settings: Settings,
    private readonly options: TopologyOptions,
    private readonly io: TopologyIo,
  ) {
    this.finished = new Promise((resolve, reject) => (this.#finish = { resolve, reject }));
    // A failure while starting is thrown by start(); nobody awaits `finished` then.
    this.finished.catch(() => {});
    // An unexpected end of the supervisor must not leave its children running.
    process.once('exit', () => this.#killEverything());
  }

  /** Where this host reaches the API: HOST when it names one address, else loopback. */
  #apiUrl(): string {
    return localApiUrl({ apiHost: this.settings.apiHost, apiPort: this.options.port });
  }

  #log(line: string): void {
    this.io.out(`[topology] ${line}`);
  }

  #env(extra: Record<string, string>): NodeJS.ProcessEnv {
    return {
      ...process.env,
      GOVPUB_DATA_DIR: this.options.dataDir,
      PORT: String(this.options.port),
      TEMPORAL_ADDRESS: this.#temporalAddress,
      ...extra,
    };
  }

  /** Starts everything in order; on any failure stops what was started and throws saying which process and why. */
  async start(): Promise<void> {
    const { dataDir, port, workers, metricsBasePort } = this.options;
    const databaseUrl = assertSharedDatabase(this.settings);
    // The files every process reads are checked before any starts: a malformed secrets file or
    // platforms.yaml (or registry) stopped the simulators only after Temporal had started and the
    // migrations had run.
    await loadRegistry(path.join(this.settings.configDir, 'registry'));
    loadPlatformConfigs(this.settings.configDir);
    if (process.env.GOVPUB_SECRETS_FILE?.trim()) checkSecretsFile(process.env.GOVPUB_SECRETS_FILE.trim());
    const recordFile = topologyRecordFile(dataDir);
    const previous = this.#readRecord(recordFile);
    if (previous && previous.pid !== process.pid && processExists(previous.pid)) {
      throw new GovpubError(
        'topology_running',
        `A topology is already running on ${dataDir} (supervisor pid ${previous.pid}, API ${previous.api}). Stop it first, or use another --data-dir.`,
      );
    }
    if (await portTaken(port))
      throw new GovpubError('port_in_use', `Port ${port} for the API is already in use. Stop whatever uses it or choose another with --port (or PORT).`);
    for (let i = 0; i < workers; i++) {
      if (await portTaken(metricsBasePort + i)) {
        throw new GovpubError(
          'port_in_use',
          `Port ${metricsBasePort + i} for worker-${i + 1}'s metrics is already in use. Stop whatever uses it or choose another range with --metrics-base-port.`,
        );
      }
    }
    const claim = claimDataDir(dataDir);
    if ('heldBy' in claim) throw alreadyRunningError(dataDir, claim.heldBy);
    this.#releaseDataDir = claim.release;
    const shared: Record<string, string> = { DATABASE_URL: databaseUrl };
    try {
      // Development secrets the simulators accept, the same file for every process (as `govpub start` does).
      if (this.settings.simulators && !process.env.GOVPUB_SECRETS_FILE) {
        const registry = await loadRegistry(path.join(this.settings.configDir, 'registry'));
        shared.GOVPUB_SECRETS_FILE = ensureDevSecrets(dataDir, registry, loadPlatformConfigs(this.settings.configDir));
        this.#log(`secrets: development ones for the simulators, ${shared.GOVPUB_SECRETS_FILE}`);
      }
      const bundle = this.settings.temporal.workflowBundlePath ?? path.join(dataDir, 'run', 'workflow-bundle.js');
      // Independent of each other: Temporal, migrations, the bundle and the simulators start together.
      // All are awaited even when one fails: a dev server still starting would otherwise come up
      // after everything was stopped, and outlive the supervisor.
      await allSucceed([
        this.#startTemporal(),
        this.#runOnce('migrate', ['db', 'migrate'], shared),
        this.settings.temporal.workflowBundlePath ? Promise.resolve() : this.#runOnce('bundle', ['bundle', '--out', bundle], shared),
        this.settings.simulators ? this.#startSimulators(shared) : Promise.resolve(),
      ]);
      this.#throwIfStopping();
      shared.GOVPUB_WORKFLOW_BUNDLE = bundle;
      const slots: Promise<void>[] = [];
      for (let index = 1; index <= workers; index++) slots.push(this.#startWorker(index, shared));
      // Each of these is registered as it spawns, so the first failure may stop the rest at once.
      await Promise.all([this.#startApi(shared), ...slots]);
      this.#throwIfStopping();
      for (const child of [this.#api, this.#simulators, ...this.#workers.map((w) => w.current)]) {
        if (child && !child.running)
          throw new GovpubError('topology_start_failed', `${child.name} (pid ${child.pid}) exited while the others were starting; its output is above.`);
      }
    } catch (error) {
      await this.#stopAll();
      throw error;
    }
    this.#record = {
      pid: process.pid,
      api: this.#apiUrl(),
      temporal: this.#temporalAddress,
      namespace: this.settings.temporal.namespace,
      taskQueue: this.settings.temporal.taskQueue,
      databaseUrl: withoutPassword(databaseUrl),
      workers: [],
      processes: { api: this.#api!.pid, simulators: this.#simulators?.pid ?? null, temporal: this.#devServer?.process.pid ?? null },
      simulators: (this.settings.simulators ? readSimulatorUrls(dataDir) : undefined) ?? {},
      portalRoot: this.settings.portalRoot,
      startedAt: new Date().toISOString(),
    };
    this.#writeRecord();
    this.#running = true;
    this.io.out(TOPOLOGY_RUNNING_LINE);
    this.io.out(`  API            ${this.#record.api}  (health: ${this.#record.api}/healthz, metrics: ${this.#record.api}/metrics)`);
    this.io.out(`  workers        ${this.#workers.map((w) => `${w.name} pid ${w.current.pid}`).join(', ')}`);
    this.io.out(`  Temporal       ${this.#temporalAddress}${this.#devServer ? ` (dev server, web UI ${this.#devServer.uiUrl})` : ''}`);
    this.io.out(`  database       ${this.#record.databaseUrl}`);
    this.io.out(`  record         ${recordFile}`);
    const order = ['API first', 'then the workers', ...(this.#simulators ? ['the simulators'] : []), ...(this.#devServer ? ['Temporal'] : [])];
    this.io.out(`Press Ctrl+C to stop (${order.join(', ')}).`);
  }

  #throwIfStopping(): void {
    if (this.#stopping)
      throw new GovpubError('topology_start_failed', 'Stopped while starting (a signal, or a process failed); everything it had started is stopped.');
  }

  async #startTemporal(): Promise<void> {
    if (this.settings.temporal.address) {
      this.#temporalAddress = this.settings.temporal.address;
      this.#log(`temporal: ${this.#temporalAddress} (TEMPORAL_ADDRESS), namespace ${this.settings.temporal.namespace}`);
      return;
    }
    const binary = await resolveTemporalCli({ cacheDir: this.settings.cacheDir, log: (line) => this.#log(line) });
    // This topology holds the data directory: a dev server on its history was left by one killed outright.
    await stopLeftoverDevServers(this.options.dataDir, (line) => this.#log(line));
    this.#devServer = await startTemporalDevServer({
      binary: binary.path,
      dataDir: this.options.dataDir,
      port: this.settings.temporal.devServerPort,
      uiPort: this.settings.temporal.devUiPort,
      namespace: this.settings.temporal.namespace,
      detached: true,
    });
    if (this.#stopping) {
      // Ctrl+C (or a failure) while it was starting: everything else is stopped already.
      this.#log(`stopping temporal (pid ${this.#devServer.process.pid}): it came up after the topology began to stop`);
      await this.#devServer.stop();
      this.#throwIfStopping();
    }
    this.#temporalAddress = this.#devServer.address;
    // CLI commands on this data directory (`govpub packages repair`, …) find the dev server here, as with `govpub start`.
    writeRuntimeRecord(temporalRuntimeFile(this.options.dataDir), { pid: process.pid, address: this.#temporalAddress });
    this.#log(
      `temporal: dev server pid ${this.#devServer.process.pid} at ${this.#temporalAddress} (history in ${path.join(this.options.dataDir, 'temporal.sqlite')}, log ${path.join(this.options.dataDir, 'temporal-server.log')})`,
    );
    this.#devServer.process.once('exit', (code, signal) => {
      if (!this.#stopping) void this.#fail(`temporal (pid ${this.#devServer!.process.pid}) ${describeExit(code, signal)}; nothing can run without it`);
    });
  }

  /** A command that runs to completion (migrations, the bundle): its exit code decides. */
  async #runOnce(name: string, args: string[], shared: Record<string, string>): Promise<void> {
    const child = new GovpubChild(name, args, this.#env(shared), this.io);
    this.#oneShots.add(child);
    const { code, signal } = await child.exited;
    this.#oneShots.delete(child);
    if (code !== 0) throw new GovpubError('topology_start_failed', `${name} (govpub ${args.join(' ')}) ${describeExit(code, signal)}; its output is above.`);
  }

  async #startSimulators(shared: Record<string, string>): Promise<void> {
    const child = new GovpubChild(
      'simulators',
      // WeChat's simulator pushes its publishing results to the API, as with `govpub start`: the
      // workers expect the pushes (the development secrets hold the accounts' event token).
      ['simulators', '--for-workers', '--base-port', String(this.settings.simulatorBasePort), '--events-url', this.#apiUrl()],
      this.#env(shared),
      this.io,
    );
    this.#simulators = child;
    this.#watchCritical(child);
    const file = simulatorsRuntimeFile(this.options.dataDir);
    // Workers and the API find the simulators through this record, which names the process that wrote it.
    await child.waitUntil(
      () => (JSON.parse(fs.readFileSync(file, 'utf8')) as { pid: number }).pid === child.pid,
      `recording its URLs in ${file}`,
      READY_TIMEOUT_MS,
    );
  }

  async #startApi(shared: Record<string, string>): Promise<void> {
    const child = new GovpubChild('api', ['api'], this.#env(shared), this.io);
    this.#api = child;
    this.#watchCritical(child);
    const health = `${this.#apiUrl()}/healthz`;
    await child.waitUntil(
      async () => {
        const response = await fetch(health, { signal: AbortSignal.timeout(2_000) });
        return response.ok && ((await response.json()) as { status?: string }).status === 'ok';
      },
      `GET ${health} answering ok`,
      READY_TIMEOUT_MS,
    );
  }

  #workerChild(slot: Pick<WorkerSlot, 'name' | 'metricsAddress'>, shared: Record<string, string>): GovpubChild {
    return new GovpubChild(slot.name, ['worker'], this.#env({ ...shared, GOVPUB_WORKER_METRICS_ADDRESS: slot.metricsAddress }), this.io);
  }

  async #startWorker(index: number, shared: Record<string, string>): Promise<void> {
    const name = `worker-${index}`;
    const metricsAddress = `127.0.0.1:${this.options.metricsBasePort + index - 1}`;
    const slot: WorkerSlot = { index, name, metricsAddress, current: this.#workerChild({ name, metricsAddress }, shared), failures: 0, readyAt: 0 };
    this.#workers.push(slot);
    this.#workers.sort((a, b) => a.index - b.index);
    await slot.current.waitForLine(/worker: polling task queue/, 'polling its task queues', READY_TIMEOUT_MS);
    slot.readyAt = Date.now();
    this.#watchWorker(slot, shared);
  }

  /** The API, the simulators: the topology cannot go on without them. */
  #watchCritical(child: GovpubChild): void {
    void child.exited.then(({ code, signal }) => {
      // While starting, start() reports it (the readiness wait fails, or the check before the record).
      if (!this.#stopping && this.#running)
        void this.#fail(`${child.name} (pid ${child.pid}) ${describeExit(code, signal)}; the topology cannot go on without it`);
    });
  }

  /** A worker that dies is restarted, with a growing pause if it keeps dying; Temporal hands its tasks to the others meanwhile. */
  #watchWorker(slot: WorkerSlot, shared: Record<string, string>): void {
    const child = slot.current;
    void child.exited.then(async ({ code, signal }) => {
      if (this.#stopping) return;
      if (Date.now() - slot.readyAt >= STABLE_MS) slot.failures = 0;
      for (;;) {
        slot.failures += 1;
        if (slot.failures > MAX_CONSECUTIVE_RESTARTS) {
          await this.#fail(
            `${slot.name} died ${slot.failures} times in a row without staying up (restarted ${MAX_CONSECUTIVE_RESTARTS} times); its output is above`,
          );
          return;
        }
        const wait = restartDelayMs(slot.failures);
        this.#log(
          `${slot.name} (pid ${child.pid}) ${describeExit(code, signal)}; restarting it in ${wait / 1000} s (restart ${slot.failures} of at most ${MAX_CONSECUTIVE_RESTARTS} in a row)`,
        );
        await delay(wait);
        if (this.#stopping) return;
        slot.current = this.#workerChild(slot, shared);
        try {
          await slot.current.waitForLine(/worker: polling task queue/, 'polling its task queues', READY_TIMEOUT_MS);
        } catch (error) {
          if (this.#stopping) return;
          this.#log((error as Error).message);
          slot.current.killHard();
          await slot.current.exited;
          continue;
        }
        if (this.#stopping) return;
        slot.readyAt = Date.now();
        // Recorded first, then said: whoever reads the line finds the new pid in topology.json.
        this.#writeRecord();
        this.#log(`${slot.name} restarted (pid ${slot.current.pid}, was ${child.pid})`);
        this.#watchWorker(slot, shared);
        return;
      }
    });
  }

  #writeRecord(): void {
    if (!this.#record) return;
    this.#record.workers = this.#workers.map((w) => ({ name: w.name, pid: w.current.pid, metrics: `http://${w.metricsAddress}/metrics` }));
    writeRuntimeRecord(topologyRecordFile(this.options.dataDir), this.#record);
  }

  #readRecord(file: string): TopologyRecord | undefined {
    try {
      return JSON.parse(fs.readFileSync(file, 'utf8')) as TopologyRecord;
    } catch {
      return undefined;
    }
  }

  async #fail(reason: string): Promise<void> {
    if (this.#stopping) return;
    this.#log(`${reason}; stopping everything`);
    await this.#stopAll();
    this.#finish.reject(new GovpubError('topology_process_exited', `The topology stopped: ${reason}.`));
  }

  /** Ctrl+C / SIGTERM: stops everything in order; `finished` resolves once all are gone. */
  async stop(): Promise<void> {
    if (this.#stopping) return this.#stopped;
    await this.#stopAll();
    this.#finish.resolve();
  }

  /** A second Ctrl+C: no more waiting for drains. */
  killNow(): void {
    this.#log('stopping at once (SIGKILL)');
    this.#killEverything();
  }

  #stopAll(): Promise<void> {
    if (this.#stopped) return this.#stopped;
    this.#stopping = true;
    this.#stopped = (async () => {
      const step = async (what: string, stop: () => Promise<void>) => {
        await stop().catch((error: Error) => this.#log(`while stopping ${what}: ${error.message}`));
      };
      // The API first: no new requests start workflows while the workers drain.
      if (this.#api?.running) this.#log(`stopping api (pid ${this.#api.pid})`);
      await step('api', async () => this.#api?.stop(OTHER_GRACE_MS));
      for (const child of this.#oneShots) await step(child.name, () => child.stop(OTHER_GRACE_MS));
      const workers = this.#workers.filter((w) => w.current.running);
      if (workers.length)
        this.#log(
          `stopping ${workers.map((w) => `${w.name} (pid ${w.current.pid})`).join(', ')}: their running activities are cancelled, each waits at most 25 s for them`,
        );
      await Promise.all(this.#workers.map((w) => step(w.name, () => w.current.stop(WORKER_GRACE_MS))));
      if (this.#simulators?.running) this.#log(`stopping simulators (pid ${this.#simulators.pid})`);
      await step('simulators', async () => this.#simulators?.stop(OTHER_GRACE_MS));
      if (this.#devServer) {
        this.#log(`stopping temporal (pid ${this.#devServer.process.pid})`);
        await step('temporal', () => this.#devServer!.stop());
        fs.rmSync(temporalRuntimeFile(this.options.dataDir), { force: true });
      }
      if (this.#record) fs.rmSync(topologyRecordFile(this.options.dataDir), { force: true });
      this.#releaseDataDir?.();
      this.#running = false;
      this.#log('stopped');
    })();
    return this.#stopped;
  }

  #killEverything(): void {
    for (const child of [this.#api, this.#simulators, ...this.#oneShots, ...this.#workers.map((w) => w.current)]) child?.killHard();
    if (this.#devServer && this.#devServer.process.exitCode === null && this.#devServer.process.pid) {
      try {
        process.kill(-this.#devServer.process.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  }
}

/** A topology started with `node --cpu-prof --cpu-prof-dir D` profiles each of its processes into D too. */
function profilingFlags(): string[] {
  const argv = process.execArgv;
  const flags: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--cpu-prof') flags.push('--cpu-prof');
    else if (argv[i] === '--cpu-prof-dir' && argv[i + 1]) flags.push('--cpu-prof-dir', argv[++i]!);
    else if (argv[i]!.startsWith('--cpu-prof-dir=')) flags.push(argv[i]!);
  }
  return flags;
}
