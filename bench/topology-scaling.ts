/**
 * Topology scaling: the same load through the API of `govpub topology`, first with one worker
 * process, then with two, on this one host. Run:
 *   npx tsx bench/topology-scaling.ts [--packages 24] [--clients 6] [--workers 1,2] [--repeat 1]
 *
 * Each round starts `govpub topology --workers N` (its own Temporal dev server, simulators, API and
 * N workers, as separate processes) on a fresh PostgreSQL database `govpub_topobench_<random>` on
 * GOVPUB_BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres), adds an editor
 * and three reviewers with `govpub users add`, uploads one cover picture, then `--clients` clients
 * push `--packages` packages through the API (create → submit → three approvals), each to a portal
 * column, a WeChat account and a Weibo account. The window runs from the first request to the last
 * delivery live. Everything is stopped and the database dropped at the end (also on Ctrl+C).
 *
 * Prints `[topology-scaling] …` figures on stdout (progress on stderr): per round deliveries/s,
 * packages/s, final approval → released p50/p95, CPU seconds by govpub's processes, the Temporal dev
 * server and PostgreSQL, and how busy the machine was; then the ratio two workers / one worker.
 * With --repeat R the worker counts alternate R times and the medians are compared.
 * The label says what the figure is: one host, where the workers share its two cores with
 * Temporal and PostgreSQL, so a second worker adds processes, not cores.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import sharp from 'sharp';
import { loadRegistry } from '../config/registry.js';
import { ROOT_DIR } from '../config/settings.js';
import type { Registry } from '../domain/registry.js';
import type { TopologyRecord } from '../runtime/topology.js';
import { pool, quantile, sec } from './figures.js';
import { cpuSnapshot, type CpuSnapshot } from './proc-figures.js';

const LABEL = `one host (${os.availableParallelism()} cores shared with Temporal and PostgreSQL)`;

function option(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 && process.argv[at + 1] !== undefined ? process.argv[at + 1]! : fallback;
}
function count(name: string, fallback: number, max: number): number {
  const raw = option(name, String(fallback));
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > max) {
    process.stderr.write(`--${name} ${raw} must be a whole number from 1 to ${max}\n`);
    process.exit(2);
  }
  return value;
}
const PACKAGES = count('packages', 24, 10_000);
const CLIENTS = count('clients', 6, 100);
const WORKER_COUNTS = option('workers', '1,2')
  .split(',')
  .map((w) => Number(w.trim()));
if (WORKER_COUNTS.some((w) => !Number.isInteger(w) || w < 1 || w > 16)) {
  process.stderr.write(`--workers ${option('workers', '')} must list worker counts from 1 to 16, e.g. 1,2\n`);
  process.exit(2);
}
const REPEATS = count('repeat', 1, 20);
const ADMIN_URL = process.env.GOVPUB_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const SETTLED = ['live', 'canceled', 'retracted', 'awaiting_manual', 'failed'];

const progress = (line: string) => process.stderr.write(`${line}\n`);
const figure = (line: string) => process.stdout.write(`[topology-scaling] ${line}\n`);

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function govpub(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT_DIR, 'bin', 'govpub.mjs'), ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

interface Round {
  workers: number;
  deliveries: number;
  packages: number;
  windowMs: number;
  approvalToReleased: number[];
  notLive: number;
  cpu: [CpuSnapshot, CpuSnapshot];
  loadAvg: number;
}

function packageBody(registry: Registry, index: number, coverId: string) {
  const item = registry.catalogue.find((i) => i.requiresInterpretation)!;
  const wechat = registry.accounts.find((a) => a.platform === 'wechat_oa' && a.publishing === 'api')!;
  const weibo = registry.accounts.find((a) => a.platform === 'weibo' && a.publishing === 'api')!;
  return {
    title: `关于做好2026年第${index + 1}批惠企政策兑现工作的通知`,
    catalogueItem: item.id,
    cover: { mediaId: coverId, alt: '碑林区惠企政策图解' },
    document: {
      title: `碑林区人民政府办公室关于做好2026年第${index + 1}批惠企政策兑现工作的通知`,
      body: `<p>各街道办事处，区政府各工作部门：为落实第${index + 1}批惠企政策，现就兑现工作通知如下。</p>`,
      issuingUnit: '碑林区人民政府办公室',
      documentNumber: `碑政办发〔2026〕${100 + index}号`,
      formedAt: '2026-11-20',
    },
    interpretations: [{ form: 'text', title: `第${index + 1}批惠企政策兑现工作政策解读`, body: '<p>一、政策背景……</p>' }],
    targets: [`portal:${item.portalColumnId}`, `wechat_oa:${wechat.id}`, `weibo:${weibo.id}`],
  };
}

class Topology {
  output = '';
  constructor(readonly child: ChildProcess) {
    child.stdout!.on('data', (d) => (this.output = (this.output + d).slice(-200_000)));
    child.stderr!.on('data', (d) => (this.output = (this.output + d).slice(-200_000)));
  }
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGTERM');
    await exited;
  }
}

const cleanups: (() => Promise<void>)[] = [];
async function cleanup(): Promise<void> {
  for (const step of cleanups.splice(0).reverse()) await step().catch((e: Error) => progress(`cleanup: ${e.message}`));
}

async function round(registry: Registry, workers: number): Promise<Round> {
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  const name = `govpub_topobench_${randomBytes(4).toString('hex')}`;
  await admin.query(`create database "${name}"`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'govpub-topobench-'));
  cleanups.push(async () => {
    await admin.query(`drop database if exists "${name}" with (force)`);
    await admin.end();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: url.toString(),
    GOVPUB_DATA_DIR: dataDir,
    PORT: String(await freePort()),
    TEMPORAL_ADDRESS: '',
    GOVPUB_TEMPORAL_PORT: String(await freePort()),
    GOVPUB_TEMPORAL_UI_PORT: String(await freePort()),
    GOVPUB_SIMULATOR_PORT: String(20000 + Math.floor(Math.random() * 20000)),
    GOVPUB_SECRETS_FILE: '',
    GOVPUB_COMPLIANCE_SCHEDULES: 'off',
  };
  const started = Date.now();
  const topology = new Topology(
    spawn(
      process.execPath,
      [
        path.join(ROOT_DIR, 'bin', 'govpub.mjs'),
        'topology',
        '--workers',
        String(workers),
        '--metrics-base-port',
        String(10000 + Math.floor(Math.random() * 9900)),
      ],
      {
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    ),
  );
  cleanups.push(() => topology.stop());
  while (!topology.output.includes('govpub topology is running')) {
    if (topology.child.exitCode !== null) throw new Error(`govpub topology exited with ${topology.child.exitCode}:\n${topology.output.slice(-4000)}`);
    if (Date.now() - started > 300_000) throw new Error(`govpub topology did not come up within 300 s:\n${topology.output.slice(-4000)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  const record = JSON.parse(fs.readFileSync(path.join(dataDir, 'run', 'topology.json'), 'utf8')) as TopologyRecord;
  progress(`${workers} worker(s): topology up in ${sec(Date.now() - started)} s (pids ${record.workers.map((w) => w.pid).join(', ')})`);

  const tokens: Record<string, string> = {};
  await Promise.all(
    (
      [
        ['wang', 'editor', ''],
        ['zhao', 'reviewer', '初审'],
        ['qian', 'reviewer', '复审'],
        ['sun', 'reviewer', '终审'],
      ] as const
    ).map(async ([user, role, stages]) => {
      const added = await govpub(['users', 'add', user, '--role', role, ...(stages ? ['--stages', stages] : [])], env);
      if (added.code !== 0) throw new Error(`users add ${user}: ${added.stderr}`);
      tokens[user] = added.stdout.trim().split('\n').at(-1)!;
    }),
  );
  const photo = path.join(dataDir, 'cover.jpg');
  await sharp({ create: { width: 1200, height: 800, channels: 3, background: { r: 180, g: 40, b: 40 } } })
    .jpeg({ quality: 85 })
    .toFile(photo);
  const uploaded = await govpub(['media', 'add', photo, '--json'], { ...env, GOVPUB_TOKEN: tokens.wang });
  if (uploaded.code !== 0) throw new Error(`media add: ${uploaded.stderr}`);
  const coverId = (JSON.parse(uploaded.stdout) as { id: string }).id;

  const call = async (method: string, route: string, user: string, body?: unknown) => {
    const response = await fetch(`${record.api}${route}`, {
      method,
      headers: { authorization: `Bearer ${tokens[user]}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${route}: ${response.status} ${text.slice(0, 300)}`);
    return JSON.parse(text) as { id: string };
  };

  const db = new pg.Client({ connectionString: url.toString() });
  await db.connect();
  cleanups.push(() => db.end());
  const loadBefore = os.loadavg()[0]!;
  const cpuBefore = cpuSnapshot();
  const windowStart = Date.now();
  const approvedAt = new Map<string, number>();
  await pool(
    Array.from({ length: PACKAGES }, (_, i) => i),
    CLIENTS,
    async (index) => {
      const { id } = await call('POST', '/api/packages', 'wang', packageBody(registry, index, coverId));
      await call('POST', `/api/packages/${id}/submit`, 'wang');
      for (const reviewer of ['zhao', 'qian', 'sun'])
        await call('POST', `/api/packages/${id}/decisions`, reviewer, { decision: 'approve', revision: 1, comment: '同意' });
      approvedAt.set(id, Date.now());
    },
  );
  progress(`${workers} worker(s): ${PACKAGES} packages approved in ${sec(Date.now() - windowStart)} s; waiting for their deliveries`);
  const ids = [...approvedAt.keys()];
  let rows: { state: string; live_at: Date | null }[] = [];
  for (;;) {
    rows = (await db.query<{ state: string; live_at: Date | null }>('select state, live_at from deliveries where package_id = any($1)', [ids])).rows;
    if (rows.length >= PACKAGES * 3 && rows.every((r) => SETTLED.includes(r.state))) break;
    if (Date.now() - windowStart > 900_000)
      throw new Error(`deliveries not settled after 900 s: ${rows.filter((r) => !SETTLED.includes(r.state)).length} left`);
    await new Promise((r) => setTimeout(r, 250));
  }
  const lastLive = Math.max(...rows.map((r) => r.live_at?.getTime() ?? 0));
  const cpuAfter = cpuSnapshot();
  const released = (await db.query<{ id: string; released_at: Date | null }>('select id, released_at from packages where id = any($1)', [ids])).rows;
  const result: Round = {
    workers,
    deliveries: rows.filter((r) => r.state === 'live').length,
    packages: PACKAGES,
    windowMs: lastLive - windowStart,
    approvalToReleased: released
      .filter((p) => p.released_at)
      .map((p) => p.released_at!.getTime() - approvedAt.get(p.id)!)
      .sort((a, b) => a - b),
    notLive: rows.filter((r) => r.state !== 'live').length,
    cpu: [cpuBefore, cpuAfter],
    loadAvg: (loadBefore + os.loadavg()[0]!) / 2,
  };
  await cleanup();
  return result;
}

function report(r: Round): void {
  const [a, b] = r.cpu;
  const wall = (b.at - a.at) / 1000;
  const busy = ((b.machineBusy - a.machineBusy) / Math.max(1e-9, b.machineTotal - a.machineTotal)) * 100;
  const govpubCpu = Math.max(0, b.tools - a.tools) + (b.node - a.node);
  const temporal = b.temporal - a.temporal;
  const postgres = Math.max(0, b.postgres - a.postgres);
  const others = Math.max(0, b.machineBusy - a.machineBusy - govpubCpu - temporal - postgres);
  figure(
    `${LABEL}, ${r.workers} worker${r.workers === 1 ? '' : 's'}: ${(r.deliveries / (r.windowMs / 1000)).toFixed(2)} deliveries/s, ${(r.packages / (r.windowMs / 1000)).toFixed(2)} packages/s ` +
      `(${r.deliveries} deliveries of ${r.packages} packages, ${CLIENTS} clients, first request → last live ${sec(r.windowMs)} s${r.notLive ? `; ${r.notLive} not live` : ''})`,
  );
  figure(
    `${r.workers} worker${r.workers === 1 ? '' : 's'}: final approval → released p50 ${sec(quantile(r.approvalToReleased, 0.5))} s, p95 ${sec(quantile(r.approvalToReleased, 0.95))} s, max ${sec(r.approvalToReleased.at(-1) ?? NaN)} s`,
  );
  figure(
    `${r.workers} worker${r.workers === 1 ? '' : 's'}: CPU over ${wall.toFixed(1)} s: govpub processes (API, workers, simulators, this client) ${govpubCpu.toFixed(1)} s, Temporal ${temporal.toFixed(1)} s, PostgreSQL (every database on the server) ${postgres.toFixed(1)} s, other processes on the machine ${others.toFixed(1)} s; machine ${busy.toFixed(0)}% busy of ${os.availableParallelism()} cores, load average ${r.loadAvg.toFixed(1)}`,
  );
  // What a delivery costs in CPU is much less noisy than deliveries/s on a shared machine.
  const per = (cpu: number) => (cpu / Math.max(1, r.deliveries)).toFixed(3);
  const perDelivery = (govpubCpu + temporal + postgres) / Math.max(1, r.deliveries);
  figure(
    `${r.workers} worker${r.workers === 1 ? '' : 's'}: CPU per delivery ${perDelivery.toFixed(3)} s (govpub ${per(govpubCpu)}, Temporal ${per(temporal)}, PostgreSQL ${per(postgres)}); ` +
      `at that cost ${os.availableParallelism()} otherwise idle cores would carry at most ≈ ${(os.availableParallelism() / perDelivery).toFixed(1)} deliveries/s`,
  );
}

async function main(): Promise<void> {
  process.once('SIGINT', () => void cleanup().finally(() => process.exit(130)));
  const registry = await loadRegistry();
  figure(
    `${LABEL}: ${os.cpus()[0]?.model?.trim() ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, node ${process.version}; --packages ${PACKAGES} --clients ${CLIENTS} --workers ${WORKER_COUNTS.join(',')} --repeat ${REPEATS}`,
  );
  const rounds: Round[] = [];
  // Rounds alternate (1, 2, 1, 2, …) so that a busy minute on a shared machine falls on both.
  for (let repeat = 0; repeat < REPEATS; repeat++) {
    for (const workers of WORKER_COUNTS) {
      const r = await round(registry, workers);
      report(r);
      rounds.push(r);
    }
  }
  const median = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    const middle = sorted.length / 2;
    return Number.isInteger(middle) ? (sorted[middle - 1]! + sorted[middle]!) / 2 : sorted[Math.floor(middle)]!;
  };
  const rate = (r: Round) => r.deliveries / (r.windowMs / 1000);
  const cpuPerDelivery = (r: Round) => {
    const [a, b] = r.cpu;
    return (Math.max(0, b.tools - a.tools) + (b.node - a.node) + (b.temporal - a.temporal) + Math.max(0, b.postgres - a.postgres)) / Math.max(1, r.deliveries);
  };
  const byWorkers = new Map(WORKER_COUNTS.map((w) => [w, rounds.filter((r) => r.workers === w)]));
  for (const [workers, of] of byWorkers) {
    figure(
      `${LABEL}, ${workers} worker${workers === 1 ? '' : 's'}, median of ${of.length}: ${median(of.map(rate)).toFixed(2)} deliveries/s (rounds: ${of.map((r) => rate(r).toFixed(2)).join(', ')}), CPU per delivery ${median(of.map(cpuPerDelivery)).toFixed(3)} s`,
    );
  }
  const base = byWorkers.get(1);
  for (const [workers, of] of byWorkers) {
    if (!base?.length || workers === 1) continue;
    figure(
      `${LABEL}: ${workers} workers / 1 worker = ${(median(of.map(rate)) / median(base.map(rate))).toFixed(2)}× deliveries/s, ${(median(of.map(cpuPerDelivery)) / median(base.map(cpuPerDelivery))).toFixed(2)}× CPU per delivery (medians; the machine is shared: compare each round's "other processes" CPU)`,
    );
  }
}

main().then(
  () => process.exit(0),
  async (error: unknown) => {
    process.stderr.write(`topology-scaling: ${(error as Error).stack ?? String(error)}\n`);
    await cleanup();
    process.exit(1);
  },
);
