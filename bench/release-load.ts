/**
 * Release-path load driver (issue 14's load, kept minimal on purpose: it is the perf helper's
 * measuring stick, not the year-replay bench, which lives in its own file).
 *
 *   npx tsx bench/release-load.ts [--packages 100] [--clients 10] [--fanout-channels 40] [--no-fanout] [--no-floor] [--histories] [--govpub DIR] [--keep]
 *
 * What it starts: a fresh PostgreSQL database `govpub_load_<random>` on GOVPUB_BENCH_DATABASE_URL
 * (default postgres://postgres@127.0.0.1:5432/postgres) and `govpub start` on it (its own Temporal
 * dev server from the cached CLI, simulators, worker and API in one process) on free ports in a
 * temporary data directory; everything is removed at the end.
 *
 * What it does, through the HTTP API only (tokens made with `govpub users add`):
 *  1. [floor]   a bare Temporal workflow of 6 no-op activities, 100 executions, 10 in flight, on
 *               the same dev server (own task queue and Worker in this process): workflows/s.
 *  2. [load]    `--packages` packages by `--clients` clients, each: create, submit, three approvals
 *               (one reviewer per stage). One in ten is a policy package (document + text
 *               interpretation) to a portal column, 6 WeChat/Weibo accounts and 2 media-center
 *               columns; the rest news to a portal column, every third of them also one account.
 *               Prints packages/s, deliveries/s, final approval → `released` p50/p95/p99 (GET
 *               /api/packages/:id polled every 100 ms), and per platform approval → accepted/live.
 *  3. [fanout]  one package to `--fanout-channels` channels on the idle system: final approval →
 *               accepted (submitted or live) by every API channel, per platform.
 *  4. [floor]   again, after.
 *  With --histories: where the time went, from the workflow histories of the load's package and
 *  delivery workflows (workflow task and activity queue waits, activity run times, timers).
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import pg from 'pg';
import { loadRegistry } from '../config/registry.js';
import { connectPostgres } from '../db/connect.js';
import { addUser } from '../services/users.js';
import { installWorkerRuntime } from '../worker/worker.js';
import { countBy, fmtCounts, pool, quantile, sec } from './figures.js';
import type { noopReleaseWorkflow } from './noop-workflow.js';

const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(`--${name}`);
function num(name: string, dflt: number): number {
  const i = argv.indexOf(`--${name}`);
  if (i < 0) return dflt;
  const n = Number(argv[i + 1]);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} needs a positive integer, got "${argv[i + 1]}"`);
  return n;
}
const PACKAGES = num('packages', 100);
const CLIENTS = num('clients', 10);
const FANOUT_CHANNELS = num('fanout-channels', 40);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** The checkout whose `govpub start` is measured (default this one): `--govpub DIR` compares another commit. */
const GOVPUB_DIR = (() => {
  const i = argv.indexOf('--govpub');
  if (i < 0) return ROOT;
  const dir = path.resolve(argv[i + 1] ?? '');
  if (!fs.existsSync(path.join(dir, 'bin/govpub.mjs'))) throw new Error(`--govpub ${argv[i + 1]}: no bin/govpub.mjs there`);
  return dir;
})();
const log = (line: string) => process.stderr.write(`  … ${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const run = promisify(execFile);

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

interface Govpub {
  api: string;
  temporal: string;
  env: NodeJS.ProcessEnv;
  child: ChildProcess;
}

async function startGovpub(databaseUrl: string, dataDir: string): Promise<Govpub> {
  const [apiPort, temporalPort, uiPort, simPort] = [await freePort(), await freePort(), await freePort(), 7600 + Math.floor(Math.random() * 300) * 10];
  const env = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    GOVPUB_DATA_DIR: dataDir,
    PORT: String(apiPort),
    GOVPUB_TEMPORAL_PORT: String(temporalPort),
    GOVPUB_TEMPORAL_UI_PORT: String(uiPort),
    GOVPUB_SIMULATOR_PORT: String(simPort),
    GOVPUB_LOG_LEVEL: 'warn',
  };
  const child = spawn(process.execPath, [path.join(GOVPUB_DIR, 'bin/govpub.mjs'), 'start'], {
    cwd: GOVPUB_DIR,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: false,
  });
  const out = fs.createWriteStream(path.join(dataDir, 'govpub-start.log'));
  child.stdout!.pipe(out);
  child.stderr!.pipe(out);
  const api = `http://127.0.0.1:${apiPort}`;
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`govpub start exited (${child.exitCode}); see ${dataDir}/govpub-start.log`);
    try {
      const r = await fetch(`${api}/healthz`);
      if (r.ok) break;
    } catch {
      /* not yet */
    }
    if (Date.now() > deadline) throw new Error('govpub start did not answer /healthz within 3 minutes');
    await sleep(500);
  }
  return { api, temporal: `127.0.0.1:${temporalPort}`, env, child };
}

async function cli(g: Govpub, args: string[], token?: string): Promise<string> {
  const { stdout } = await run(process.execPath, [path.join(ROOT, 'bin/govpub.mjs'), ...args], {
    env: { ...g.env, GOVPUB_API_URL: g.api, ...(token ? { GOVPUB_TOKEN: token } : {}) },
    cwd: ROOT,
  });
  return stdout;
}

async function api<T = any>(g: Govpub, token: string, method: string, url: string, body?: unknown): Promise<T> {
  const r = await fetch(`${g.api}${url}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  if (!r.ok) throw new Error(`${method} ${url}: ${r.status} ${text.slice(0, 400)}`);
  return (text ? JSON.parse(text) : null) as T;
}

// ── The floor ────────────────────────────────────────────────────────────────

async function floor(address: string, label: string): Promise<number> {
  const noop = () => {};
  const bundle = await bundleWorkflowCode({
    workflowsPath: fileURLToPath(new URL('./noop-workflow.ts', import.meta.url)),
    logger: { trace: noop, debug: noop, info: noop, log: noop, warn: noop, error: (m: string) => console.error(`[bundler] ${m}`) },
  });
  const nativeConnection = await NativeConnection.connect({ address });
  const connection = await Connection.connect({ address });
  const client = new Client({ connection });
  const taskQueue = `load-floor-${randomBytes(4).toString('hex')}`;
  const worker = await Worker.create({
    connection: nativeConnection,
    taskQueue,
    workflowBundle: { code: bundle.code },
    activities: { async noopDelivery() {} },
  });
  const running = worker.run();
  try {
    const exec = (i: number) =>
      client.workflow.execute<typeof noopReleaseWorkflow>('noopReleaseWorkflow', { taskQueue, workflowId: `${taskQueue}-${i}`, args: [i, 6] });
    await exec(-1);
    const t0 = Date.now();
    const latencies: number[] = [];
    await pool(
      Array.from({ length: 100 }, (_, i) => i),
      CLIENTS,
      async (i) => {
        const s = Date.now();
        await exec(i);
        latencies.push(Date.now() - s);
      },
    );
    const perSec = 100 / ((Date.now() - t0) / 1000);
    latencies.sort((a, b) => a - b);
    console.log(
      `[floor ${label}] 100 workflows × 6 no-op activities, ${CLIENTS} in flight: ${perSec.toFixed(1)} workflows/s (${(perSec * 6).toFixed(0)} activities/s); one workflow p50 ${sec(quantile(latencies, 0.5))} s p95 ${sec(quantile(latencies, 0.95))} s; load ${os.loadavg()[0]!.toFixed(2)}`,
    );
    return perSec;
  } finally {
    worker.shutdown();
    await running;
    await nativeConnection.close();
    await connection.close();
  }
}

// ── The load ─────────────────────────────────────────────────────────────────

interface Actors {
  editor: string;
  reviewers: string[];
  coverId: string;
}

const ACCOUNTS = ['wechat_oa:blfb', 'wechat_oa:blzw', 'wechat_oa:blwhly', 'weibo:blfb-wb', 'weibo:jkbl-wb', 'wechat_oa:blrs'];
const MEDIA_COLUMNS = ['news_site:zcjd', 'media_app:zcjd'];

function policyBody(i: number, coverId: string, targets: string[]) {
  return {
    title: `碑林区促进消费扩容提质若干措施（第${i}号）`,
    catalogueItem: 'qzf-wj',
    cover: { mediaId: coverId, alt: '碑林区街景' },
    document: {
      title: `西安市碑林区人民政府关于印发碑林区促进消费扩容提质若干措施的通知（第${i}号）`,
      documentNumber: `碑政发〔2026〕${100 + i}号`,
      issuingUnit: '西安市碑林区人民政府',
      formedAt: '2026-11-02',
      body: '<p>各街道办事处，区政府各工作部门：</p><p>《碑林区促进消费扩容提质若干措施》已经区政府同意，现印发给你们，请认真贯彻执行。</p><p>一、发放消费券。</p><p>二、培育夜间经济。</p>',
    },
    interpretations: [
      {
        form: 'text',
        title: `《碑林区促进消费扩容提质若干措施》政策解读（第${i}号）`,
        interpreter: '区商务局',
        body: '<p>一、出台背景：激发消费潜力。</p><p>二、主要内容：五项措施。</p>',
      },
    ],
    targets,
  };
}

function newsBody(i: number, coverId: string, targets: string[]) {
  return {
    title: `碑林区开展志愿服务进社区活动（第${i}期）`,
    catalogueItem: 'blyw',
    cover: { mediaId: coverId, alt: '志愿者在社区广场开展志愿服务' },
    document: {
      title: `碑林区开展志愿服务进社区活动（第${i}期）`,
      issuingUnit: '碑林区融媒体中心',
      body: `<p>11月28日，碑林区组织志愿者走进辖区社区开展志愿服务（第${i}期）。</p><p>活动共服务居民600余人次。</p>`,
    },
    interpretations: [],
    targets,
  };
}

function loadTargets(i: number): { kind: 'policy' | 'news'; targets: string[] } {
  if (i % 10 === 0) return { kind: 'policy', targets: ['portal:zwgk-zcwj-qzfwj', ...ACCOUNTS, ...MEDIA_COLUMNS] };
  return { kind: 'news', targets: ['portal:xwdt-blyw', ...(i % 3 === 0 ? [ACCOUNTS[i % ACCOUNTS.length]!] : [])] };
}

/** Create, submit, two approvals; returns the id (the final approval is the caller's). */
async function prepare(g: Govpub, a: Actors, body: unknown): Promise<{ id: string; revision: number }> {
  const pkg = await api(g, a.editor, 'POST', '/api/packages', body);
  await api(g, a.editor, 'POST', `/api/packages/${pkg.id}/submit`);
  for (const token of a.reviewers.slice(0, -1))
    await api(g, token, 'POST', `/api/packages/${pkg.id}/decisions`, { decision: 'approve', revision: pkg.revision, comment: '同意' });
  return { id: pkg.id, revision: pkg.revision };
}

/** Watches packages until `released`, one GET at a time, each outstanding package about every 100 ms. */
function releaseWatcher(g: Govpub, token: string) {
  const waiting = new Map<string, { approvedAt: number; resolve: (at: number) => void }>();
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const round = Date.now();
      await pool([...waiting.keys()], 4, async (id) => {
        const p = await api(g, token, 'GET', `/api/packages/${id}`);
        if (p.status === 'released') {
          const w = waiting.get(id)!;
          waiting.delete(id);
          w.resolve(Date.now());
        }
      });
      await sleep(Math.max(0, 100 - (Date.now() - round)));
    }
  })();
  return {
    until: (id: string) => new Promise<number>((resolve) => waiting.set(id, { approvedAt: Date.now(), resolve })),
    stop: async () => {
      stopped = true;
      await loop;
    },
  };
}

interface DeliveryTimes {
  package_id: string;
  channel_id: string;
  platform: string;
  state: string;
  created_at: Date;
  submitted_at: Date | null;
  live_at: Date | null;
  updated_at: Date;
}

async function deliveryTimes(db: pg.Client, ids: string[]): Promise<DeliveryTimes[]> {
  const r = await db.query<DeliveryTimes>(
    `select package_id, channel_id, platform, state, created_at, submitted_at, live_at, updated_at from deliveries where package_id = any($1)`,
    [ids],
  );
  return r.rows;
}

function pcts(ms: number[]): string {
  const s = [...ms].sort((a, b) => a - b);
  return `p50 ${sec(quantile(s, 0.5))} p95 ${sec(quantile(s, 0.95))} p99 ${sec(quantile(s, 0.99))} max ${sec(s.at(-1) ?? NaN)} s`;
}

function perPlatform(tag: string, rows: DeliveryTimes[], approvedAt: Map<string, number>): void {
  const by = new Map<string, { accepted: number[]; live: number[] }>();
  for (const r of rows) {
    const t0 = approvedAt.get(r.package_id)!;
    const e = by.get(r.platform) ?? { accepted: [], live: [] };
    const accepted = r.submitted_at ?? r.live_at;
    if (accepted) e.accepted.push(accepted.getTime() - t0);
    if (r.live_at) e.live.push(r.live_at.getTime() - t0);
    by.set(r.platform, e);
  }
  for (const [p, e] of [...by.entries()].sort())
    console.log(`[${tag}]   ${p} ×${e.accepted.length}: approval → accepted ${pcts(e.accepted)}; → live ${pcts(e.live)}`);
}

async function load(g: Govpub, a: Actors, db: pg.Client): Promise<{ deliveriesPerSec: number; ids: string[] }> {
  const watcher = releaseWatcher(g, a.editor);
  const approvedAt = new Map<string, number>();
  const releasedAfter = new Map<string, number>();
  const finalMs: number[] = [];
  const settled: Promise<void>[] = [];
  const t0 = Date.now();
  await pool(
    Array.from({ length: PACKAGES }, (_, i) => i),
    CLIENTS,
    async (i) => {
      const { kind, targets } = loadTargets(i);
      const body = kind === 'policy' ? policyBody(i, a.coverId, targets) : newsBody(i, a.coverId, targets);
      const { id, revision } = await prepare(g, a, body);
      const until = watcher.until(id);
      const at = Date.now();
      approvedAt.set(id, at);
      await api(g, a.reviewers.at(-1)!, 'POST', `/api/packages/${id}/decisions`, { decision: 'approve', revision, comment: '同意发布' });
      finalMs.push(Date.now() - at);
      settled.push(until.then((doneAt) => void releasedAfter.set(id, doneAt - at)));
      if (approvedAt.size % 25 === 0) log(`load: ${approvedAt.size}/${PACKAGES} approved`);
    },
  );
  const approvedAll = Date.now() - t0;
  const deadline = sleep(15 * 60_000).then(() => 'timeout' as const);
  const outcome = await Promise.race([Promise.all(settled).then(() => 'done' as const), deadline]);
  await watcher.stop();
  const ids = [...approvedAt.keys()];
  if (outcome === 'timeout') {
    console.log(`[load] TIMEOUT: ${releasedAfter.size}/${PACKAGES} released after 15 min`);
  }
  const end = Math.max(...[...releasedAfter.entries()].map(([id, ms]) => approvedAt.get(id)! + ms));
  const windowS = (end - t0) / 1000;
  const rows = await deliveryTimes(db, ids);
  const deliveriesPerSec = rows.length / windowS;
  console.log(
    `[load] ${PACKAGES} packages (${CLIENTS} clients), ${rows.length} deliveries (${fmtCounts(countBy(rows, (r) => r.platform))}); states ${fmtCounts(countBy(rows, (r) => r.state))}`,
  );
  console.log(
    `[load] window first create → last released ${windowS.toFixed(1)} s: ${(PACKAGES / windowS).toFixed(2)} packages/s, ${deliveriesPerSec.toFixed(2)} deliveries/s (all approvals sent after ${sec(approvedAll)} s); load ${os.loadavg()[0]!.toFixed(2)}`,
  );
  console.log(`[load] final approval request: ${pcts(finalMs)}`);
  console.log(`[load] final approval → released: ${pcts([...releasedAfter.values()])}`);
  perPlatform('load', rows, approvedAt);
  const waits = await db.query<{ action: string; n: string }>(
    `select action, count(*) as n from audit_log where package_id = any($1) and action in ('delivery_rate_limited', 'delivery_retryable', 'delivery_unconfirmed', 'delivery_retry_scheduled') group by action`,
    [ids],
  );
  console.log(`[load] delivery waits recorded: ${waits.rows.map((w) => `${w.action} ${w.n}`).join(', ') || 'none'}`);
  return { deliveriesPerSec, ids };
}

async function fanout(g: Govpub, a: Actors, db: pg.Client, graphicMedia: Set<string>): Promise<string> {
  const channels: { id: string; platform: string; publishing?: string }[] = await api(g, a.editor, 'GET', '/api/channels');
  const list = (channels as any).channels;
  const portal = list.filter((c: any) => c.platform === 'portal').map((c: any) => c.id);
  const apiAccounts = list.filter((c: any) => ['wechat_oa', 'weibo'].includes(c.platform)).map((c: any) => c.id);
  // Only media-center columns that take a text (图文) package: video-only ones refuse it at submit.
  const media = list.filter((c: any) => graphicMedia.has(c.id)).map((c: any) => c.id);
  const targets = [...apiAccounts, ...media.slice(0, 8), ...portal].slice(0, FANOUT_CHANNELS);
  const body = policyBody(9999, a.coverId, targets);
  const { id, revision } = await prepare(g, a, body);
  await sleep(2000);
  const t0 = Date.now();
  await api(g, a.reviewers.at(-1)!, 'POST', `/api/packages/${id}/decisions`, { decision: 'approve', revision, comment: '同意发布' });
  const decided = Date.now() - t0;
  let rows: DeliveryTimes[] = [];
  for (const deadline = Date.now() + 5 * 60_000; Date.now() < deadline; await sleep(200)) {
    rows = await deliveryTimes(db, [id]);
    if (rows.length === targets.length && rows.every((r) => r.submitted_at || r.live_at || r.state === 'failed')) break;
  }
  const refused = rows.filter((r) => r.state === 'failed').map((r) => r.channel_id);
  if (refused.length) console.log(`[fanout] refused by their adapter (not counted): ${refused.join(', ')}`);
  rows = rows.filter((r) => r.state !== 'failed');
  const accepted = rows.map((r) => (r.submitted_at ?? r.live_at)?.getTime() ?? NaN);
  console.log(
    `[fanout] one package → ${targets.length} channels (${fmtCounts(countBy(rows, (r) => r.platform))}); the decision took ${sec(decided)} s; final approval → accepted by every channel ${sec(Math.max(...accepted) - t0)} s; load ${os.loadavg()[0]!.toFixed(2)}`,
  );
  perPlatform('fanout', rows, new Map([[id, t0]]));
  return id;
}

// ── Where the time went: workflow histories ──────────────────────────────────

async function histories(address: string, packageIds: string[]): Promise<void> {
  const connection = await Connection.connect({ address });
  const client = new Client({ connection });
  const acts = new Map<string, { sched: number[]; run: number[] }>();
  const wft: number[] = [];
  const wftRun: number[] = [];
  const timers = new Map<string, number[]>();
  const childStart: number[] = [];
  const ms = (t: any) => Number(t.seconds) * 1000 + Math.floor((t.nanos ?? 0) / 1e6);
  const walk = async (workflowId: string): Promise<string[]> => {
    const h = await client.workflow.getHandle(workflowId).fetchHistory();
    const ev = h.events ?? [];
    const at = new Map<number, { time: number; ev: any }>();
    const children: string[] = [];
    for (const e of ev) {
      const id = Number(e.eventId);
      const time = ms(e.eventTime);
      at.set(id, { time, ev: e });
      if (e.workflowTaskStartedEventAttributes) wft.push(time - at.get(Number(e.workflowTaskStartedEventAttributes.scheduledEventId))!.time);
      if (e.workflowTaskCompletedEventAttributes) wftRun.push(time - at.get(Number(e.workflowTaskCompletedEventAttributes.startedEventId))!.time);
      if (e.activityTaskStartedEventAttributes) {
        const s = at.get(Number(e.activityTaskStartedEventAttributes.scheduledEventId))!;
        const name = s.ev.activityTaskScheduledEventAttributes.activityType.name;
        const a = acts.get(name) ?? { sched: [], run: [] };
        a.sched.push(time - s.time);
        acts.set(name, a);
      }
      if (e.activityTaskCompletedEventAttributes) {
        const st = at.get(Number(e.activityTaskCompletedEventAttributes.startedEventId))!;
        const s = at.get(Number(e.activityTaskCompletedEventAttributes.scheduledEventId))!;
        acts.get(s.ev.activityTaskScheduledEventAttributes.activityType.name)!.run.push(time - st.time);
      }
      if (e.timerFiredEventAttributes) {
        const s = at.get(Number(e.timerFiredEventAttributes.startedEventId))!;
        const set = Number(s.ev.timerStartedEventAttributes.startToFireTimeout.seconds) * 1000;
        const key = `${set} ms`;
        timers.set(key, [...(timers.get(key) ?? []), time - s.time]);
      }
      if (e.childWorkflowExecutionStartedEventAttributes) {
        const init = at.get(Number(e.childWorkflowExecutionStartedEventAttributes.initiatedEventId))!;
        childStart.push(time - init.time);
        children.push(e.childWorkflowExecutionStartedEventAttributes.workflowExecution!.workflowId!);
      }
    }
    return children;
  };
  const kids: string[] = [];
  await pool(packageIds, 4, async (id) => kids.push(...(await walk(`package-${id}`))));
  await pool(kids, 4, (id) => walk(id).then(() => undefined));
  console.log(`[where] from ${packageIds.length} package and ${kids.length} delivery workflow histories:`);
  console.log(`[where]   workflow task schedule→start ${pcts(wft)} (n ${wft.length}); start→complete ${pcts(wftRun)}`);
  console.log(`[where]   child workflow initiated→started ${pcts(childStart)} (n ${childStart.length})`);
  for (const [name, a] of [...acts.entries()].sort())
    console.log(`[where]   activity ${name}: queue wait ${pcts(a.sched)}; run ${pcts(a.run)} (n ${a.run.length})`);
  for (const [k, v] of timers) console.log(`[where]   timer ${k}: ${v.length} fired`);
  await connection.close();
}

// ── Main ─────────────────────────────────────────────────────────────────────

async function main(): Promise<void> {
  process.env.GOVPUB_LOG_LEVEL ??= 'error';
  installWorkerRuntime();
  const adminUrl = process.env.GOVPUB_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const dbName = `govpub_load_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database "${dbName}"`);
  const url = new URL(adminUrl);
  url.pathname = `/${dbName}`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'govpub-load-'));
  let g: Govpub | undefined;
  let db: pg.Client | undefined;
  const cleanUp = async () => {
    await db?.end().catch(() => {});
    if (g && g.child.exitCode === null) {
      g.child.kill('SIGTERM');
      await new Promise((r) => g!.child.once('exit', r));
    }
    await admin.query(`drop database if exists "${dbName}" with (force)`).catch(() => {});
    await admin.end();
    if (!flag('keep')) fs.rmSync(dataDir, { recursive: true, force: true });
  };
  process.once('SIGINT', () => void cleanUp().finally(() => process.exit(130)));
  try {
    console.log(
      `release-load: nproc ${os.availableParallelism()}, load ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}; --packages ${PACKAGES} --clients ${CLIENTS}`,
    );
    log(`starting govpub (data ${dataDir}, database ${dbName})`);
    g = await startGovpub(url.toString(), dataDir);
    db = new pg.Client({ connectionString: url.toString() });
    await db.connect();
    // Users as `govpub users add` makes them (the same service), without a process per user.
    const registry = await loadRegistry();
    const kysely = connectPostgres(url.toString(), 2);
    const editor = (await addUser(kysely, registry, { name: 'load-editor', role: 'editor' })).token;
    const reviewers: string[] = [];
    for (const [name, stage] of [
      ['load-zhao', '初审'],
      ['load-qian', '复审'],
      ['load-sun', '终审'],
    ])
      reviewers.push((await addUser(kysely, registry, { name: name!, role: 'reviewer', stages: [stage!] })).token);
    await kysely.destroy();
    const added = JSON.parse(await cli(g, ['media', 'add', path.join(ROOT, 'examples/media/cover.jpg'), '--json'], editor));
    const actors: Actors = { editor, reviewers, coverId: added.id ?? added.media?.id };
    // Warm-up: one package through, so bundles, pools and the portal's first generation are done.
    log('warm-up package');
    const w = await prepare(g, actors, newsBody(-1, actors.coverId, ['portal:xwdt-blyw', 'wechat_oa:blfb']));
    await api(g, reviewers.at(-1)!, 'POST', `/api/packages/${w.id}/decisions`, { decision: 'approve', revision: w.revision, comment: '同意' });
    for (let i = 0; i < 600 && (await api(g, editor, 'GET', `/api/packages/${w.id}`)).status !== 'released'; i++) await sleep(100);

    const before = flag('no-floor') ? NaN : await floor(g.temporal, 'before');
    const { deliveriesPerSec, ids } = await load(g, actors, db);
    if (!flag('no-fanout')) {
      await sleep(3000);
      const graphicMedia = new Set(registry.mediaCenter.columns.filter((c) => c.contentKinds.includes('graphic')).map((c) => `${c.system}:${c.id}`));
      await fanout(g, actors, db, graphicMedia).catch((error: unknown) => console.log(`[fanout] FAILED: ${(error as Error).message.slice(0, 300)}`));
    }
    const after = flag('no-floor') ? NaN : await floor(g.temporal, 'after');
    const floorMean = (before + after) / 2;
    if (!flag('no-floor'))
      console.log(
        `[ratio] deliveries/s ${deliveriesPerSec.toFixed(2)} / floor ${floorMean.toFixed(1)} workflows/s = ${(deliveriesPerSec / floorMean).toFixed(3)} (target ≥ 0.5)`,
      );
    if (flag('histories')) await histories(g.temporal, ids);
  } finally {
    await cleanUp();
  }
}

// The Temporal runtime keeps the event loop alive: exit once the figures are out.
main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
