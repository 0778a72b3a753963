/**
 * The year-replay bench end to end, tiny: 6 packages of the generated year by 2 clients through the
 * real API of `govpub start` (its own Temporal dev server, a fresh PostgreSQL database, the
 * simulators, a worker), a small floor before and after. Its figures must be well-formed, every
 * package released once, and every post at the simulators there exactly once.
 */
import { spawn } from 'node:child_process';
import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { ROOT_DIR } from '../../config/settings.js';

/** `npm run bench:year -- <args>` as a child process, on the test run's PostgreSQL. */
function spawnBench(args: string[]) {
  return spawn(process.execPath, ['--import', 'tsx', 'bench/year-replay.ts', ...args], {
    cwd: ROOT_DIR,
    env: { ...process.env, GOVPUB_BENCH_DATABASE_URL: inject('pgAdminUrl') || 'postgres://postgres@127.0.0.1:5432/postgres' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function runBench(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawnBench(args);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Whether the bench's database is still on the test run's PostgreSQL (it drops it when it ends). */
async function databaseExists(database: string): Promise<boolean> {
  const admin = new pg.Client({ connectionString: inject('pgAdminUrl') || 'postgres://postgres@127.0.0.1:5432/postgres' });
  await admin.connect();
  try {
    return ((await admin.query('select 1 from pg_database where datname = $1', [database])).rowCount ?? 0) > 0;
  } finally {
    await admin.end();
  }
}

const NUM = '(\\d+(?:\\.\\d+)?)';

describe('bench:year', () => {
  it('drives a few packages of the year through the API and prints well-formed figures, each package released once', async () => {
    const { code, stdout, stderr } = await runBench(['--packages', '6', '--clients', '2', '--floor-workflows', '3']);
    expect(code, `${stdout}\n${stderr.slice(-3000)}`).toBe(0);
    const line = (re: RegExp) => {
      const m = re.exec(stdout);
      expect(m, `no line matching ${re} in:\n${stdout}`).not.toBeNull();
      return m!;
    };
    const plan = line(/\[plan\] 6 packages .*?(\d+) deliveries: (\d+) portal items, (\d+) media-center items, (\d+) WeChat\/Weibo posts/);
    const [planned, portal, mediaCenter, accounts] = plan.slice(1).map(Number) as [number, number, number, number];
    expect(portal + mediaCenter + accounts).toBe(planned);

    expect(stdout).toContain('all released');
    expect(stdout).not.toMatch(/\[errors\]/);
    expect(Number(line(new RegExp(`\\[load\\] packages/s: ${NUM} +\\(6 released`))[1])).toBeGreaterThan(0);
    const deliveries = line(new RegExp(`\\[load\\] deliveries/s: ${NUM} +\\((\\d+) live of (\\d+) planned`));
    expect(Number(deliveries[1])).toBeGreaterThan(0);
    expect(Number(deliveries[2])).toBe(planned);
    expect(Number(deliveries[3])).toBe(planned);
    const released = line(new RegExp(`\\[latency\\] final approval \\(sent\\) → released: p50 ${NUM} s +p95 ${NUM} s +p99 ${NUM} s +max ${NUM} s +\\(n=6\\)`));
    const [p50, p95, p99, max] = released.slice(1).map(Number) as [number, number, number, number];
    expect(p50).toBeGreaterThan(0);
    expect(p50 <= p95 && p95 <= p99 && p99 <= max).toBe(true);
    expect(stdout).toMatch(new RegExp(`\\[latency\\] final approval → live, portal +p50 ${NUM} s`));
    // Net of the platforms' own processing: every WeChat post found at the simulator by the id its
    // delivery recorded (the 6 packages of seed 14 send 3 to WeChat), its 1.5 s of publishing taken out.
    // Where nothing was processed at a platform, net and gross are the same figure; a WeChat package's is smaller.
    const group = (targets: string) =>
      line(
        new RegExp(
          `\\[latency\\] final approval → released, packages to ${targets}: p50 ${NUM} s +p95 ${NUM} s .*\\(n=3\\); net of the platforms' processing p95 ${NUM} s`,
        ),
      );
    const portalOnly = group('portal');
    expect(portalOnly[3]).toBe(portalOnly[2]);
    const withWechat = group('portal \\+ wechat_oa');
    expect(Number(withWechat[3])).toBeLessThan(Number(withWechat[2]));
    const net = line(
      new RegExp(
        `\\[latency\\] final approval → released, net of the platforms' own processing \\((\\d+) deliveries published in the background or after a review, ${NUM} s on average at the simulators\\): p50 ${NUM} s +p95 ${NUM} s +p99 ${NUM} s +max ${NUM} s +\\(n=6\\)`,
      ),
    );
    expect(Number(net[1])).toBe(3);
    expect(Number(net[2])).toBeCloseTo(1.5, 1);
    expect(Number(net[6])).toBeLessThanOrEqual(max);
    // The tail step by step: the three packages highest net, the slowest first, each with its
    // package workflow's tasks after the final approval and its deliveries' activities.
    const slowest = [
      ...stdout.matchAll(
        new RegExp(`^\\[slowest\\] package (\\S+): final approval → released ${NUM} s, net of the platforms' processing ${NUM} s; (.*)$`, 'gm'),
      ),
    ];
    expect(slowest).toHaveLength(3);
    const nets = slowest.map((m) => Number(m[3]));
    expect(nets).toEqual([...nets].sort((a, b) => b - a));
    expect(nets[0]).toBe(Number(net[6]));
    for (const m of slowest) {
      expect(m[4]).toMatch(new RegExp(`^\\S+:\\S+ submitted (—|${NUM}), (platform ${NUM} → ${NUM}, )?live ${NUM}`));
      const after = stdout
        .slice(m.index! + m[0].length)
        .split('\n')
        .slice(1);
      expect(after[0]).toMatch(/^\[slowest\] {3}package workflow .*task \S+ → \S+ \(accepted decide/);
      expect(after[1]).toMatch(new RegExp(`^\\[slowest\\] {3}timeline \\S+: transmitDelivery ${NUM} → ${NUM} → ${NUM}`));
    }

    // The floor in both shapes, before and after: the 6 activities one after another (a delivery's
    // steps, the target's) and at once.
    const floorRate = (when: string, shape: string) =>
      Number(line(new RegExp(`\\[floor\\] ${when}, ${shape}: 3 workflows × 6 no-op activities ${shape} in ${NUM} s = ${NUM} workflows/s`))[2]);
    for (const when of ['before', 'after']) for (const shape of ['one after another', 'at once']) expect(floorRate(when, shape)).toBeGreaterThan(0);
    // The floor after waits for govpub's processes to go quiet (at most a minute), and says how it went.
    expect(stdout).toMatch(
      new RegExp(
        `\\[floor\\] after: (first waited ${NUM} s for govpub's processes to go quiet \\(\\d+ % of a core|govpub's processes still used \\d+ % of a core after ${NUM} s)`,
      ),
    );
    const sequential = line(
      new RegExp(
        `\\[floor\\] one after another: mean of before/after ${NUM} workflows/s .*ratio govpub deliveries/s ÷ floor workflows/s = ${NUM} \\(the issue's target\\)`,
      ),
    );
    const parallel = line(
      new RegExp(`\\[floor\\] at once: mean of before/after ${NUM} workflows/s .*ratio govpub deliveries/s ÷ floor workflows/s = ${NUM}$`, 'm'),
    );
    expect(Number(sequential[1])).toBeCloseTo((floorRate('before', 'one after another') + floorRate('after', 'one after another')) / 2, 1);
    expect(Number(parallel[1])).toBeCloseTo((floorRate('before', 'at once') + floorRate('after', 'at once')) / 2, 1);
    // Same deliveries/s over each floor.
    expect(Number(sequential[2]) * Number(sequential[1])).toBeCloseTo(Number(parallel[2]) * Number(parallel[1]), 0);
    // The machine's CPU while each floor ran, to set against the load's: once for each floor.
    const floorCpu = [
      ...stdout.matchAll(
        new RegExp(
          `\\[floor\\] CPU over ${NUM} s: govpub processes ${NUM} s, Temporal ${NUM} s, PostgreSQL \\(all databases\\) ${NUM} s, the bench's clients ${NUM} s`,
          'g',
        ),
      ),
    ];
    expect(floorCpu).toHaveLength(4);
    for (const m of floorCpu) expect(Number(m[1])).toBeGreaterThan(0);

    // Exactly once: one release record per package, and what the simulators accepted is what was planned, no more.
    const once = line(
      /\[once\] released records per package: (.*?); simulator publications \(.*?\): (.*?); duplicate posts (\d+).*; delivery rows per package×channel > 1: (\d+)/,
    );
    expect(once[1]).toBe('one each');
    expect(Number(once[3])).toBe(0);
    expect(Number(once[4])).toBe(0);
    // No policy package among 6: one post per delivery (no separate interpretation article at the media center).
    expect(stdout).toMatch(/\[plan\] 6 packages \(0 policy packages/);
    const published = [...once[2]!.matchAll(/(\w+) (\d+)/g)].reduce((n, m) => n + Number(m[2]), 0);
    expect(published).toBe(mediaCenter + accounts);

    // The breakdown, read from the API's and the worker's Prometheus endpoints.
    expect(stdout).not.toMatch(/endpoints not answering/);
    expect(stdout).toMatch(/\[breakdown\] path of a release, mean per occurrence: API request [\d.]+ ms → Update [\d.]+ ms .*→ transmit [\d.]+ ms/);
    expect(stdout).toMatch(/\[breakdown\] {3}POST \/api\/packages\/:id\/decisions 2xx +n= +\d+ +mean +[\d.]+ ms/);
    expect(stdout).toMatch(/\[breakdown\] {3}portal live +n= +\d+/);
    expect(stdout).toMatch(/\[breakdown\] {3}api +n= +\d+ +mean/);
    expect(stdout).toMatch(/\[machine\] CPU over /);
    // The ratio taken apart: cost of a delivery against a floor workflow, and how busy each kept the cores.
    const parts = line(
      new RegExp(
        `\\[machine\\] CPU a live delivery ${NUM} CPU-s \\(govpub ${NUM}, Temporal ${NUM}, PostgreSQL ${NUM}, the bench's clients ${NUM}\\); a floor workflow \\(one after another\\) ${NUM} CPU-s; cores kept busy: the load ${NUM} %, the floor ${NUM} %\\. Ratio ≈ ${NUM} \\(cost\\) × ${NUM} \\(use\\); 0\\.5 at the floor's use needs a delivery at ${NUM} CPU-s or less`,
      ),
    );
    const [perDelivery, govpubShare, temporalShare, postgresShare, clientsShare, perFloor, , , cost, , needed] = parts.slice(1).map(Number) as number[];
    expect(perDelivery).toBeGreaterThan(0);
    expect(Math.abs(govpubShare! + temporalShare! + postgresShare! + clientsShare! - perDelivery!)).toBeLessThan(0.005);
    expect(Math.abs(cost! - perFloor! / perDelivery!)).toBeLessThan(0.01);
    expect(Math.abs(needed! - 2 * perFloor!)).toBeLessThan(0.002);

    // Memory over the window: govpub start's own, read from /proc, and the workflows its worker holds.
    const resident = line(
      /\[memory\] govpub processes, resident \(VmRSS summed, sampled every \d+ s\): ([\d,]+) MB at the start of the window; .* at its quarters; ([\d,]+) MB at the end; most ([\d,]+) MB/,
    );
    const [atStart, atEnd, most] = resident.slice(1).map((n) => Number(n.replaceAll(',', ''))) as [number, number, number];
    expect(atStart).toBeGreaterThan(50);
    expect(most).toBeGreaterThanOrEqual(Math.max(atStart, atEnd));
    expect(stdout).toMatch(/\[memory\] each govpub process's peak since it started \(VmHWM\): pid \d+ [\d,]+ MB/);
    expect(stdout).toMatch(/\[memory\] the Temporal dev server: [\d,]+ MB at the start/);
    // Six released packages, their workflows open for a retraction: at least those are cached.
    expect(Number(line(/\[memory\] workflows cached by the workers at the end: (\d+)/)[1])).toBeGreaterThanOrEqual(6);

    // Its database is gone afterwards.
    const database = line(/PostgreSQL database (govpub_bench_[0-9a-f]+)/)[1]!;
    expect(await databaseExists(database!)).toBe(false);
  });

  it('stops its system and drops its database on SIGTERM, as on Ctrl-C', async () => {
    // `timeout` and a cancelled CI job send SIGTERM: it used to end the bench at once and leave
    // `govpub start`, its Temporal server and the govpub_bench_ database behind.
    const child = spawnBench(['--packages', '1', '--clients', '1', '--no-floor']);
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    const setup = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (d) => {
        stdout += d;
        if (/\[setup\].*\n/.test(stdout)) resolve(stdout);
      });
      void closed.then(() => reject(new Error(`the bench ended before its [setup] line:\n${stdout}\n${stderr.slice(-3000)}`)));
    });
    const database = /PostgreSQL database (govpub_bench_[0-9a-f]+)/.exec(setup)?.[1];
    const systemPid = Number(/govpub start is up \(pid (\d+)\)/.exec(stderr)?.[1]);
    expect(database, setup).toBeDefined();
    expect(systemPid, stderr).toBeGreaterThan(0);
    child.kill('SIGTERM');
    expect(await closed, stderr.slice(-3000)).toBe(143);
    expect(stderr).toContain('SIGTERM: stopping the system and dropping its database');
    expect(() => process.kill(systemPid, 0), `govpub start (pid ${systemPid}) still running`).toThrow();
    expect(await databaseExists(database!)).toBe(false);
  });

  it('stops what it started on a SIGTERM while the system is still starting: the process and the database', async () => {
    // The seconds between creating the database and `govpub start` being up: a signal there left both behind.
    const child = spawnBench(['--packages', '1', '--clients', '1', '--no-floor']);
    let stderr = '';
    const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    const starting = await new Promise<string>((resolve, reject) => {
      child.stderr.on('data', (d) => {
        stderr += d;
        if (/govpub start starting \(pid \d+\)/.test(stderr)) resolve(stderr);
      });
      void closed.then(() => reject(new Error(`the bench ended before starting govpub:\n${stderr.slice(-3000)}`)));
    });
    const database = /created PostgreSQL database (govpub_bench_[0-9a-f]+)/.exec(starting)?.[1];
    const systemPid = Number(/govpub start starting \(pid (\d+)\)/.exec(starting)?.[1]);
    expect(database, starting).toBeDefined();
    expect(starting).not.toContain('govpub start is up');
    child.kill('SIGTERM');
    expect(await closed, stderr.slice(-3000)).toBe(143);
    expect(() => process.kill(systemPid, 0), `govpub start (pid ${systemPid}) still running`).toThrow();
    expect(await databaseExists(database!)).toBe(false);
  });

  it('refuses a bad flag naming it, before starting anything', async () => {
    const { code, stderr } = await runBench(['--hold', 'toutiao']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/--hold takes a platform with a simulator the load reaches: wechat_oa, weibo, news_site, media_app; got "toutiao"/);
  });
});
