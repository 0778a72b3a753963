/**
 * `govpub topology --workers 2` (issue 14, production topology): the production layout on one
 * host as separate processes on a fresh PostgreSQL database, with its own Temporal dev server.
 * A package released through the API reaches a portal column and a WeChat account exactly once;
 * a worker killed with SIGKILL is restarted and says so; SIGTERM leaves no process behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { portalPagePaths } from '../../adapters/portal/urls.js';
import { loadRegistry } from '../../config/registry.js';
import { loadSettings, ROOT_DIR } from '../../config/settings.js';
import type { Registry } from '../../domain/registry.js';
import { parseTopologyOptions, restartDelayMs, withoutPassword, type TopologyRecord } from '../../runtime/topology.js';
import { policyPackage } from '../support/app.js';
import { runCli } from '../support/cli.js';
import { freePort, simulatorPortBase } from '../support/running.js';
import { freshDatabase } from '../support/services.js';

let database: Awaited<ReturnType<typeof freshDatabase>>;
let registry: Registry;
let topology: ChildProcess;
let output = '';
let env: Record<string, string>;
let record: TopologyRecord;
/** Every process the supervisor started, directly or not, as it ran: none may outlive it. */
let descendants: number[] = [];
const tokens: Record<string, string> = {};
/** An uploaded photo: WeChat articles need a cover. */
let coverId: string;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'govpub-topology-'));
const recordFile = path.join(dataDir, 'run', 'topology.json');
const simulatorBasePort = await simulatorPortBase();
// Below the ephemeral range (32768+) and apart from the simulator ports other tests pick (20000-40000).
const metricsBasePort = 10000 + Math.floor(Math.random() * 9900);

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${output.slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Running, not merely a zombie whose exit status its new parent (init) has yet to collect. */
function alive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Pids of every process under `root` (from /proc: the children's parent is the supervisor, theirs the child). */
function processTree(root: number): number[] {
  const parents = new Map<number, number[]>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(ppid, [...(parents.get(ppid) ?? []), Number(entry)]);
    } catch {
      // Gone meanwhile.
    }
  }
  const found: number[] = [];
  const walk = (pid: number) => {
    for (const child of parents.get(pid) ?? []) {
      found.push(child);
      walk(child);
    }
  };
  walk(root);
  return found;
}

function describeProcess(pid: number): string {
  try {
    const state = /^State:\s+(.*)$/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return `${pid} (${state}): ${fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').slice(0, 200)}`;
  } catch {
    return `${pid} (gone)`;
  }
}

async function api<T>(method: string, route: string, token: string, body?: unknown): Promise<T> {
  const response = await fetch(`${record.api}${route}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${route}: ${response.status} ${text}`);
  return JSON.parse(text) as T;
}

interface PackageView {
  id: string;
  status: string;
  deliveries: { channelId: string; state: string }[];
}

/** Create → submit → the three approvals, through the API as an editor and three reviewers would; resolves once released. */
async function release(targets: string[]): Promise<PackageView> {
  const created = await api<{ id: string }>(
    'POST',
    '/api/packages',
    tokens.wang!,
    policyPackage(registry, { targets, cover: { mediaId: coverId, alt: '碑林区营商环境政策图解' } }),
  );
  await api('POST', `/api/packages/${created.id}/submit`, tokens.wang!);
  for (const reviewer of ['zhao', 'qian', 'sun']) {
    await api('POST', `/api/packages/${created.id}/decisions`, tokens[reviewer]!, { decision: 'approve', revision: 1, comment: '同意' });
  }
  return until(`package ${created.id} released with every delivery live`, async () => {
    const view = await api<PackageView>('GET', `/api/packages/${created.id}`, tokens.wang!);
    return view.status === 'released' && view.deliveries.every((d) => d.state === 'live') ? view : undefined;
  });
}

async function metricsOf(url: string): Promise<string> {
  const response = await fetch(url);
  expect(response.status, url).toBe(200);
  return response.text();
}

/** The sum of a Prometheus series' samples whose labels include `label` (e.g. platform="wechat_oa"). */
function sumOf(text: string, name: string, label: string): number {
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) && line.includes(label))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

async function wechatPublications(): Promise<{ title?: string; state: string }[]> {
  const listed = (await (await fetch(`${record.simulators.wechat_oa}/__sim/publications`)).json()) as { publications: { title?: string; state: string }[] };
  return listed.publications;
}

beforeAll(async () => {
  [database, registry] = await Promise.all([freshDatabase(), loadRegistry()]);
  env = {
    DATABASE_URL: database.url,
    GOVPUB_DATA_DIR: dataDir,
    PORT: String(await freePort()),
    TEMPORAL_ADDRESS: '',
    GOVPUB_TEMPORAL_PORT: String(await freePort()),
    GOVPUB_TEMPORAL_UI_PORT: String(await freePort()),
    GOVPUB_SIMULATOR_PORT: String(simulatorBasePort),
    GOVPUB_SECRETS_FILE: '',
    GOVPUB_MEDIA_DIR: '',
    GOVPUB_PORTAL_ROOT: '',
    GOVPUB_WORKFLOW_BUNDLE: '',
    GOVPUB_METRICS_TOKEN: '',
    // Passed through to every worker: no compliance schedules in this test's dev server.
    GOVPUB_COMPLIANCE_SCHEDULES: 'off',
  };
  topology = spawn(process.execPath, [path.join(ROOT_DIR, 'bin', 'govpub.mjs'), 'topology', '--workers', '2', '--metrics-base-port', String(metricsBasePort)], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  topology.stdout!.on('data', (d) => (output += d));
  topology.stderr!.on('data', (d) => (output += d));
  await until('govpub topology is running', () => (output.includes('govpub topology is running') ? true : undefined), 150_000);
  record = JSON.parse(fs.readFileSync(recordFile, 'utf8')) as TopologyRecord;
  // Users and their tokens through the CLI, as an administrator on the host does.
  await Promise.all(
    [
      ['wang', 'editor', ''],
      ['zhao', 'reviewer', '初审'],
      ['qian', 'reviewer', '复审'],
      ['sun', 'reviewer', '终审'],
    ].map(async ([name, role, stages]) => {
      const added = await runCli(['users', 'add', name!, '--role', role!, ...(stages ? ['--stages', stages] : [])], env);
      expect(added.code, added.stderr).toBe(0);
      tokens[name!] = added.stdout.trim().split('\n').at(-1)!;
    }),
  );
  const photo = path.join(dataDir, 'cover.jpg');
  await sharp({ create: { width: 1200, height: 800, channels: 3, background: { r: 180, g: 40, b: 40 } } })
    .jpeg({ quality: 85 })
    .toFile(photo);
  const uploaded = await runCli(['media', 'add', photo, '--json'], { ...env, GOVPUB_TOKEN: tokens.wang! });
  expect(uploaded.code, uploaded.stderr).toBe(0);
  coverId = (JSON.parse(uploaded.stdout) as { id: string }).id;
}, 200_000);

afterAll(async () => {
  // After a failed test: stop it as a user would, then kill whatever is left of it.
  if (topology && topology.exitCode === null && topology.signalCode === null) {
    descendants = [...descendants, ...processTree(topology.pid!)];
    const exited = new Promise((r) => topology.once('exit', r));
    topology.kill('SIGTERM');
    const timer = setTimeout(() => topology.kill('SIGKILL'), 45_000);
    await exited;
    clearTimeout(timer);
  }
  for (const pid of descendants) if (alive(pid)) process.kill(pid, 'SIGKILL');
  await database?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('govpub topology --workers 2 on PostgreSQL', () => {
  it('runs the API, two workers, the simulators and Temporal as processes of their own, and records them', async () => {
    expect(record.pid).toBe(topology.pid);
    expect(record.api).toBe(`http://127.0.0.1:${env.PORT}`);
    expect(record.temporal).toBe(`127.0.0.1:${env.GOVPUB_TEMPORAL_PORT}`);
    expect(record.taskQueue).toBe('govpub');
    expect(record.databaseUrl).toBe(database.url);
    expect(record.workers).toEqual([
      { name: 'worker-1', pid: expect.any(Number), metrics: `http://127.0.0.1:${metricsBasePort}/metrics` },
      { name: 'worker-2', pid: expect.any(Number), metrics: `http://127.0.0.1:${metricsBasePort + 1}/metrics` },
    ]);
    expect(record.simulators.wechat_oa).toBe(`http://127.0.0.1:${simulatorBasePort}`);
    // Where CLI commands on this data directory find the dev server, as with `govpub start`.
    expect(JSON.parse(fs.readFileSync(path.join(dataDir, 'run', 'temporal.json'), 'utf8'))).toEqual({ pid: topology.pid, address: record.temporal });
    const pids = [...record.workers.map((w) => w.pid), record.processes.api, record.processes.simulators!, record.processes.temporal!];
    expect(new Set([...pids, topology.pid]).size).toBe(6);
    expect(pids.every(alive)).toBe(true);
    // Children of the supervisor, not threads of one process.
    expect(processTree(topology.pid!)).toEqual(expect.arrayContaining(pids));
    // Each one's output, named; migrations and the bundle ran once, before the workers.
    for (const name of ['api', 'worker-1', 'worker-2', 'simulators', 'migrate', 'bundle']) expect(output).toMatch(new RegExp(`^\\[${name}\\] `, 'm'));
    expect(output.match(/^\[bundle\] wrote /gm)).toHaveLength(1);
    expect(output).toMatch(/^\[worker-2\] worker: polling task queue "govpub"/m);
    const health = (await (await fetch(`${record.api}/healthz`)).json()) as Record<string, unknown>;
    expect(health).toMatchObject({ status: 'ok', database: 'ok', temporal: 'ok' });
    // Each worker serves its own metrics where the record says (GOVPUB_WORKER_METRICS_ADDRESS), the API on its port.
    for (const worker of record.workers) expect(await metricsOf(worker.metrics)).toMatch(/^temporal_worker_task_slots/m);
    expect(await metricsOf(`${record.api}/metrics`)).toMatch(/^govpub_http_request_duration_seconds_count/m);
    // An acting command in another terminal, without the PORT the topology was given, finds its API
    // through topology.json (it went to 127.0.0.1:8080: another system's API on a shared host, or none).
    const elsewhere = await runCli(['media', 'list', '--json'], { ...env, PORT: '', HOST: '', GOVPUB_API_URL: '', GOVPUB_TOKEN: tokens.wang! });
    expect(elsewhere.code, elsewhere.stderr).toBe(0);
    expect((JSON.parse(elsewhere.stdout) as { id: string }[]).map((m) => m.id)).toContain(coverId);
  });

  it('refuses a second topology on the same data directory; one whose part fails at start stops what it started', async () => {
    const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 'govpub-topology-clash-'));
    const temporalPort = await freePort();
    const [second, clash] = await Promise.all([
      runCli(['topology', '--workers', '1', '--port', String(await freePort())], env, undefined, { timeoutMs: 60_000 }),
      // Its own data directory and Temporal, but the simulators' ports of the running one: the simulators cannot start.
      runCli(
        ['topology', '--workers', '1', '--port', String(await freePort()), '--metrics-base-port', String(metricsBasePort + 10)],
        {
          ...env,
          GOVPUB_DATA_DIR: elsewhere,
          GOVPUB_TEMPORAL_PORT: String(temporalPort),
          GOVPUB_TEMPORAL_UI_PORT: String(await freePort()),
          GOVPUB_WORKFLOW_BUNDLE: path.join(dataDir, 'run', 'workflow-bundle.js'),
        },
        undefined,
        { timeoutMs: 110_000 },
      ),
    ]);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`A topology is already running on ${dataDir} (supervisor pid ${topology.pid}`);
    // Nor does `govpub start` come up on its data directory (a second dev server on its temporal.sqlite).
    const start = await runCli(['start'], { ...env, PORT: String(await freePort()), GOVPUB_TEMPORAL_PORT: String(await freePort()) }, undefined, {
      timeoutMs: 60_000,
    });
    expect(start.code).toBe(1);
    expect(start.stderr).toContain(`govpub is already running on the data directory ${dataDir} (process ${topology.pid}`);
    expect(JSON.parse(fs.readFileSync(recordFile, 'utf8'))).toEqual(record);

    expect(clash.code, clash.stdout + clash.stderr).toBe(1);
    expect(clash.stderr).toMatch(/\[simulators\] .*Port \d+ for the \w+ simulator is already in use\. Stop whatever uses it or set --base-port/);
    expect(clash.stderr).toMatch(/govpub: simulators \(pid \d+\) exited with code 1 before it was ready/);
    // The dev server it had started is stopped, nothing of it is left, and it wrote no record.
    expect(clash.stdout).toMatch(/\[topology\] stopping temporal \(pid \d+\)/);
    const leftovers = fs
      .readdirSync('/proc')
      .filter((pid) => /^\d+$/.test(pid))
      .filter((pid) => {
        try {
          return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(elsewhere);
        } catch {
          return false;
        }
      });
    expect(leftovers.map(Number).map(describeProcess)).toEqual([]);
    expect(fs.existsSync(path.join(elsewhere, 'run', 'topology.json'))).toBe(false);
    fs.rmSync(elsewhere, { recursive: true, force: true });
  });

  it('releases a package to a portal column and a WeChat account, each live exactly once', async () => {
    const column = registry.catalogue.find((i) => i.requiresInterpretation)!.portalColumnId;
    const wechat = registry.accounts.find((a) => a.platform === 'wechat_oa' && a.publishing === 'api')!;
    const released = await release([`portal:${column}`, `wechat_oa:${wechat.id}`]);
    expect(released.deliveries.map((d) => d.state)).toEqual(['live', 'live']);
    const posts = await wechatPublications();
    expect(posts).toHaveLength(1);
    // WeChat's simulator pushed the publishing result to the API, as in `govpub start` (without
    // it, the confirmation waits pushWaitSec for a push that never comes, then polls).
    const pushes = (await (await fetch(`${record.simulators.wechat_oa}/__sim/event-pushes`)).json()) as { pushes: { url: string; status: number | null }[] };
    expect(pushes.pushes.map((p) => ({ url: p.url.startsWith(`${record.api}/api/platform-events/wechat-oa/`), status: p.status }))).toEqual([
      { url: true, status: 200 },
    ]);
    // The workers did it, and their endpoints say so: one WeChat transmit counted between them.
    const transmits = await Promise.all(
      record.workers.map(async (w) => sumOf(await metricsOf(w.metrics), 'govpub_transmit_duration_seconds_count', 'platform="wechat_oa"')),
    );
    expect(transmits.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(1);
    const page = path.join(record.portalRoot, 'current', portalPagePaths(released.id, 0).document);
    expect(fs.readFileSync(page, 'utf8')).toContain('碑林区人民政府关于进一步优化营商环境的若干措施');
  });

  it('restarts a worker killed with SIGKILL, says so, and the restarted topology releases the next package', async () => {
    const killed = record.workers[0]!.pid;
    process.kill(killed, 'SIGKILL');
    await until('the supervisor to say it restarts worker-1', () =>
      output.includes(`[topology] worker-1 (pid ${killed}) was killed by SIGKILL; restarting it in 1 s`) ? true : undefined,
    );
    const restarted = await until('worker-1 restarted', () => {
      const match = new RegExp(`\\[topology\\] worker-1 restarted \\(pid (\\d+), was ${killed}\\)`).exec(output);
      return match ? Number(match[1]) : undefined;
    });
    expect(alive(killed)).toBe(false);
    expect(alive(restarted)).toBe(true);
    const now = JSON.parse(fs.readFileSync(recordFile, 'utf8')) as TopologyRecord;
    expect(now.workers.map((w) => w.pid)).toEqual([restarted, record.workers[1]!.pid]);
    record = now;
    // Still exactly once: the first package's post is not repeated, the second adds one.
    const wechat = registry.accounts.find((a) => a.platform === 'wechat_oa' && a.publishing === 'api')!;
    const released = await release([`wechat_oa:${wechat.id}`]);
    expect(released.deliveries.map((d) => d.state)).toEqual(['live']);
    expect(await wechatPublications()).toHaveLength(2);
  });

  it('stops in order on SIGTERM and leaves no process and no record behind', async () => {
    descendants = processTree(topology.pid!);
    expect(descendants.length).toBeGreaterThanOrEqual(5);
    const exited = new Promise<number | null>((r) => topology.once('exit', (code) => r(code)));
    topology.kill('SIGTERM');
    expect(await exited).toBe(0);
    const stopping = output.slice(output.indexOf('[topology] stopping…'));
    const order = ['stopping api', 'stopping worker-1', 'stopping simulators', 'stopping temporal', '[topology] stopped'].map((step) => stopping.indexOf(step));
    expect(order.every((at) => at > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(descendants.filter(alive).map(describeProcess)).toEqual([]);
    expect(fs.existsSync(recordFile)).toBe(false);
    expect(fs.existsSync(path.join(dataDir, 'run', 'temporal.json'))).toBe(false);
  });
});

describe('govpub topology refuses what it cannot run, saying what to set', () => {
  it('checks its flags against each other: the metrics ports, the API port, the worker count', () => {
    const settings = loadSettings({ GOVPUB_DATA_DIR: dataDir, PORT: '8080' });
    expect(parseTopologyOptions({}, settings)).toEqual({ workers: 2, dataDir, port: 8080, metricsBasePort: 9464 });
    expect(parseTopologyOptions({ workers: '16', port: '18080', metricsBasePort: '9000', dataDir: 'rel' }, settings)).toEqual({
      workers: 16,
      dataDir: path.resolve('rel'),
      port: 18080,
      metricsBasePort: 9000,
    });
    expect(() => parseTopologyOptions({ workers: '4', metricsBasePort: '65534' }, settings)).toThrow(
      '--metrics-base-port 65534 leaves no room for 4 workers (ports up to 65537); choose a lower one.',
    );
    expect(() => parseTopologyOptions({ port: '9465' }, settings)).toThrow("--port 9465 falls among the workers' metrics ports 9464-9465");
    expect(() => parseTopologyOptions({ metricsBasePort: '80' }, settings)).toThrow('--metrics-base-port 80 is not a port number (1024-65535).');
    for (const workers of ['0', '1.5', 'two', '']) {
      expect(() => parseTopologyOptions({ workers }, settings)).toThrow(`--workers ${workers} must be a whole number from 1 to 16`);
    }
    expect(() => parseTopologyOptions({ port: '70000' }, settings)).toThrow('--port 70000 is not a port number (1-65535).');
    expect(() => parseTopologyOptions({ port: '80a' }, settings)).toThrow('--port 80a is not a port number (1-65535).');
    expect(() => parseTopologyOptions({}, loadSettings({ PORT: '0' }))).toThrow(/PORT=0: the topology needs a fixed API port/);
    expect(withoutPassword('postgres://govpub:s3cret@db.internal:5432/govpub')).toBe('postgres://govpub@db.internal:5432/govpub');
    expect([1, 2, 3, 4, 5, 6, 7].map(restartDelayMs)).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000]);
  });

  it('without DATABASE_URL (the embedded PGlite cannot be shared across processes), and with a bad flag', async () => {
    const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 'govpub-topology-bad-'));
    const bad = { ...env, DATABASE_URL: '', GOVPUB_DATA_DIR: elsewhere };
    const [noDatabase, many] = await Promise.all([
      runCli(['topology'], bad, undefined, { timeoutMs: 60_000 }),
      runCli(['topology', '--workers', '17'], env, undefined, { timeoutMs: 60_000 }),
    ]);
    expect(noDatabase.code).toBe(1);
    expect(noDatabase.stderr).toMatch(
      /govpub topology needs DATABASE_URL: .*embedded PGlite serves only the process that opened it\. Set DATABASE_URL=postgres:\/\//,
    );
    // Nothing was started: no record, no data written.
    expect(fs.readdirSync(elsewhere)).toEqual([]);
    expect(many.code).toBe(1);
    expect(many.stderr).toContain('govpub: --workers 17 must be a whole number from 1 to 16 (worker processes on this host).');
    fs.rmSync(elsewhere, { recursive: true, force: true });
  });
});
