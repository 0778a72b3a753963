/**
 * Delivery benchmark. Run: `npx tsx bench/delivery-bench.ts [--packages 200] [--channels 7] [--approvers 8] [--no-fanout] [--no-baseline]`
 *
 * Prints, in one run (figures on plain `[tag] …` lines on stdout; progress goes to stderr):
 *  1. [fanout]   time from the final approval (終审 decision sent) to every channel settled, for ONE
 *                package sent to every channel of the registry whose adapter accepts it (all portal
 *                columns, all accounts, the media-center columns; the few whose `format` refuses
 *                the package are listed with the reason, never dropped silently). Manual hand-off
 *                channels (toutiao, wechat_channels) end in `awaiting_manual`: they count as
 *                settled at that point and are reported as such. Also per platform: when its
 *                first and last channel settled.
 *  2. [batch]    deliveries per second for `--packages` packages (default 200), each to the same
 *                `--channels` channels (default 7 = 5 portal columns + 2 media-center columns),
 *                from the first final approval to the last live delivery. Packages are created,
 *                submitted and approved at 初审/复审 beforehand; the 终审 decisions are then sent
 *                `--approvers` at a time (default 8), inside the measured window.
 *  3. [baseline] the same number of workflow executions (one per package) on the same dev server,
 *                each running one no-op activity per delivery, with its own bundle, Worker and task
 *                queue (govpub's worker stopped first); deliveries/s and the ratio govpub/baseline.
 *  Plus [machine] nproc and peak RSS of this process (workers, simulators and adapters all run in
 *  it) and of the Temporal dev server, and CPU seconds per phase by node / Temporal / PostgreSQL.
 *
 * Real components as in test/delivery/fan-out.test.ts, without faults: the platform simulators,
 * the real adapters, a real media store (a photo and a 3 s video made on the spot), the portal
 * written to a temporary web root; timing and per-platform caps are config/registry/platforms.yaml
 * as shipped (the proof's shortened test timing is not used). It starts its own Temporal dev server (the cached CLI binary,
 * runtime/temporal-cli.ts) and creates a fresh PostgreSQL database `govpub_bench_<random>` on
 * GOVPUB_BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres), migrated with
 * db/migrate.ts; everything is removed at the end (also on Ctrl-C).
 *
 * Renditions (sharp/ffmpeg) are cached by content: the fan-out makes them (cold, as a real release
 * of new media would), the batch reuses them. --no-fanout skips phase 1, --no-baseline phase 3.
 *
 * This file is the script itself, read top to bottom: options, the govpub side, its two phases and
 * the setup in main (about 500 lines, kept together so the measured path is in one place); the
 * figures' helpers are in figures.ts and proc-figures.ts, phase 3 in temporal-baseline.ts.
 */
import { randomBytes } from 'node:crypto';
import { readlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Kysely } from 'kysely';
import pg from 'pg';
import type { ActivityDeps } from '../activities/index.js';
import { createChannelAdapters } from '../adapters/index.js';
import { portalPageUrls } from '../adapters/portal/urls.js';
import type { ReleaseUnit } from '../adapters/types.js';
import { loadPlatformConfigs, type PlatformConfigs } from '../config/platforms.js';
import { loadSettings, ROOT_DIR } from '../config/settings.js';
import { countAuditActions } from '../db/audit.js';
import { connectPostgres } from '../db/connect.js';
import { deliveriesOfPackages } from '../db/deliveries.js';
import { migrateToLatest } from '../db/migrate.js';
import type { DB, DeliveryRow } from '../db/schema.js';
import type { Actor } from '../domain/package-rules.js';
import { listChannels, portalColumn, stagesFor, type Channel, type Registry } from '../domain/registry.js';
import { buildDeliveryDeps } from '../runtime/channel-access.js';
import { resolveTemporalCli } from '../runtime/temporal-cli.js';
import { syncChannels } from '../services/channels.js';
import { PackageService } from '../services/packages.js';
import { addUser, toActor } from '../services/users.js';
import { createWorker, installWorkerRuntime, type WorkerGroup } from '../worker/worker.js';
// Only the world (simulators with the development secrets, media, temp dirs) and the package come
// from the test support; adapters, timing and delivery deps are built here, as a worker builds them.
import { richPolicyPackage, startReleaseWorld, type ReleaseWorld } from '../test/delivery/support.js';
import { countBy, fmtCounts, pool, quantile, sec } from './figures.js';
import { childPids, cpuLine, cpuSnapshot, procStatus } from './proc-figures.js';
import { baseline } from './temporal-baseline.js';

// ── Options ──────────────────────────────────────────────────────────────────────────────────

const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(`--${name}`);
function num(name: string, dflt: number): number {
  const i = argv.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (i < 0) return dflt;
  const raw = argv[i]!.includes('=') ? argv[i]!.split('=')[1] : argv[i + 1];
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} needs a positive integer, got "${raw}"`);
  return n;
}
const PACKAGES = num('packages', 200);
const CHANNELS = num('channels', 7);
const APPROVERS = num('approvers', 8);
const SETTLED = new Set(['live', 'awaiting_manual']);
const FANOUT_TIMEOUT_MS = 10 * 60_000;
const BATCH_TIMEOUT_MS = 20 * 60_000;

// ── Small helpers ────────────────────────────────────────────────────────────────────────────

const log = (line: string) => process.stderr.write(`  … ${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** When a settled delivery settled: live_at for live ones, the row's last update for manual hand-offs. */
function settledAt(row: DeliveryRow): number {
  return new Date((row.state === 'live' ? row.live_at : null) ?? row.updated_at).getTime();
}

/** The portal web root's current generation number (each commit builds one). */
function portalGeneration(world: ReleaseWorld): number {
  try {
    return Number(/gen-(\d+)/.exec(readlinkSync(path.join(world.webRoot, 'current')))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** Requests each simulator answered since `since` (its log keeps the last 2000), and how many were 429/rate limits. */
function platformRequests(world: ReleaseWorld, since: number, kinds: string[]): string {
  return kinds
    .map((kind) => {
      const sim = (world.simulators.simulators as Record<string, { state: { requests(): { at: string; path: string; status?: number }[] } }>)[kind];
      if (!sim) return `${kind} ?`;
      const all = sim.state.requests();
      const reqs = all.filter((r) => Date.parse(r.at) >= since && !r.path.startsWith('/__sim'));
      const limited = reqs.filter((r) => r.status === 429).length;
      return `${kind} ${reqs.length}${all.length >= 2000 && Date.parse(all[0]!.at) > since ? '+ (log full)' : ''} requests, ${limited} answered 429`;
    })
    .join('; ');
}

// ── The govpub side ──────────────────────────────────────────────────────────────────────────

interface Bench {
  world: ReleaseWorld;
  registry: Registry;
  db: Kysely<DB>;
  packages: PackageService;
  deps: ActivityDeps;
  platforms: PlatformConfigs;
  editor: Actor;
  /** One reviewer per stage id: a reviewer never decides at two stages of one package. */
  reviewers: Map<string, Actor>;
}

/**
 * Which channels can take the package: each candidate's own adapter formats the release unit
 * (the pure step every delivery starts with); those it refuses are reported with the reason.
 */
async function screenChannels(
  b: Bench,
  candidates: Channel[],
  body: ReturnType<typeof richPolicyPackage>,
): Promise<{ accepted: Channel[]; refused: { channel: Channel; reason: string }[] }> {
  const item = b.registry.catalogue.find((i) => i.id === body.catalogueItem)!;
  const mediaIds = [body.cover.mediaId, ...body.interpretations.flatMap((i) => ('mediaId' in i && i.mediaId ? [i.mediaId] : []))];
  const media: ReleaseUnit['media'] = {};
  for (const id of mediaIds) {
    const info = await b.deps.mediaInfo(id);
    if (info) media[id] = info;
  }
  const packageId = 'pkg-screening';
  const unit: ReleaseUnit = {
    packageId,
    revision: 1,
    contentHash: '0'.repeat(64),
    title: body.title,
    catalogue: { id: item.id, name: item.name, contentClass: item.contentClass },
    document: body.document,
    interpretations: body.interpretations,
    cover: body.cover,
    media,
    portalLinks: candidates.some((c) => c.platform === 'portal') ? portalPageUrls(b.deps.portalBaseUrl, packageId, body.interpretations.length) : null,
    releasedAt: new Date().toISOString(),
  };
  const accepted: Channel[] = [];
  const refused: { channel: Channel; reason: string }[] = [];
  for (const channel of candidates) {
    try {
      b.deps.adapterFor(channel).format(unit, channel);
      accepted.push(channel);
    } catch (error) {
      refused.push({ channel, reason: (error as Error).message });
    }
  }
  return { accepted, refused };
}

async function createAndPrepare(b: Bench, body: unknown, stages: string[]): Promise<string> {
  const pkg = await b.packages.create(b.editor, body);
  await b.packages.submit(b.editor, pkg.id);
  for (const stage of stages.slice(0, -1)) {
    await b.packages.decide(b.reviewers.get(stage)!, pkg.id, { decision: 'approve', revision: pkg.revision, comment: '同意' });
  }
  return pkg.id;
}

async function finalApproval(b: Bench, packageId: string, stages: string[]): Promise<void> {
  await b.packages.decide(b.reviewers.get(stages.at(-1)!)!, packageId, { decision: 'approve', revision: 1, comment: '同意发布' });
}

/** Polls the delivery rows of `packageIds` until `expected` exist and all are settled (or the timeout). */
async function waitSettled(
  b: Bench,
  packageIds: string[],
  expected: number,
  timeoutMs: number,
  label: string,
): Promise<{ rows: DeliveryRow[]; complete: boolean }> {
  const deadline = Date.now() + timeoutMs;
  let lastLog = Date.now();
  for (;;) {
    const rows = await deliveriesOfPackages(b.db, packageIds);
    const settled = rows.filter((r) => SETTLED.has(r.state)).length;
    if (rows.length === expected && settled === expected) return { rows, complete: true };
    if (Date.now() > deadline) return { rows, complete: false };
    if (Date.now() - lastLog > 15_000) {
      lastLog = Date.now();
      log(`${label}: ${settled}/${expected} settled (${rows.length} planned; ${fmtCounts(countBy(rows, (r) => r.state))})`);
    }
    await sleep(250);
  }
}

function reportStuck(tag: string, rows: DeliveryRow[], expected: number): void {
  const open = rows.filter((r) => !SETTLED.has(r.state));
  console.log(`[${tag}] INCOMPLETE: ${rows.length}/${expected} deliveries planned, ${open.length} not settled at the timeout`);
  for (const r of open.slice(0, 10))
    console.log(`[${tag}]   ${r.channel_id} ${r.state}${r.error_message ? ` (${r.error_class}: ${r.error_message.slice(0, 160)})` : ''}`);
}

async function fanOut(b: Bench, stages: string[]): Promise<void> {
  const candidates = listChannels(b.registry);
  const body = richPolicyPackage(
    b.world,
    candidates.map((c) => c.id),
    '关于进一步优化营商环境的若干措施',
  );
  const { accepted, refused } = await screenChannels(b, candidates, body);
  const kinds = countBy(candidates, (c) => c.kind);
  console.log(
    `[fanout] registry: ${candidates.length} channels (${fmtCounts(kinds)}); the package: document + text and video (3 s, 1280×720) interpretations, photo cover and in-text picture`,
  );
  console.log(
    `[fanout] channels that take the package: ${accepted.length}; refused by their adapter's format: ${refused.length}${refused.length ? ` (${refused.map((r) => r.channel.id).join(', ')})` : ''}`,
  );
  for (const r of refused) console.log(`[fanout]   refused ${r.channel.id}: ${r.reason.slice(0, 220)}`);
  const targets = accepted.map((c) => c.id);
  const packageId = await createAndPrepare(b, { ...body, targets }, stages);

  const gen0 = portalGeneration(b.world);
  const t0 = Date.now();
  await finalApproval(b, packageId, stages);
  const approvedMs = Date.now() - t0;
  const { rows, complete } = await waitSettled(b, [packageId], targets.length, FANOUT_TIMEOUT_MS, 'fan-out');
  if (!complete) return reportStuck('fanout', rows, targets.length);

  const at = rows.map(settledAt);
  const last = Math.max(...at);
  const lastLive = Math.max(...rows.filter((r) => r.state === 'live').map(settledAt));
  const states = countBy(rows, (r) => r.state);
  const manual = rows
    .filter((r) => r.state === 'awaiting_manual')
    .map((r) => r.channel_id)
    .sort();
  console.log(
    `[fanout] ${rows.length} deliveries settled: ${fmtCounts(states)}${manual.length ? ` (manual hand-off, counted as settled when the bundle was ready: ${manual.join(', ')})` : ''}`,
  );
  console.log(
    `[fanout] final approval → every channel settled: ${sec(last - t0)} s (the 终审 decision itself took ${sec(approvedMs)} s; last live delivery at ${sec(lastLive - t0)} s)`,
  );
  const byPlatform = new Map<string, number[]>();
  for (const r of rows) byPlatform.set(r.platform ?? '?', [...(byPlatform.get(r.platform ?? '?') ?? []), settledAt(r) - t0]);
  const parts = [...byPlatform.entries()]
    .sort((x, y) => Math.max(...y[1]) - Math.max(...x[1]))
    .map(([p, ms]) => `${p} ×${ms.length} ${sec(Math.min(...ms))}–${sec(Math.max(...ms))} s`);
  console.log(`[fanout] per platform, first–last settled after the approval: ${parts.join('; ')}`);
  const commits = portalGeneration(b.world) - gen0;
  const portalRows = byPlatform.get('portal')?.length ?? 0;
  console.log(
    `[fanout] portal: ${portalRows} column deliveries landed in ${commits} site generations (${(portalRows / Math.max(1, commits)).toFixed(1)} per commit; the portal queue runs ${b.platforms.portal?.concurrency ?? '?'} transmits at once)`,
  );
}

/** The batch's channel set: about 5 portal columns for 2 media-center columns (7 by default). */
function batchChannels(registry: Registry, count: number, accepts: (c: Channel) => boolean): Channel[] {
  const all = listChannels(registry);
  const item = registry.catalogue.find((i) => i.requiresInterpretation)!;
  const preferredPortal = [item.portalColumnId, 'zwgk-zcwj-zcjd-wz', 'zwgk-zcwj-qzfwj', 'xwdt-blyw', 'xwdt-tzgg'];
  const preferredMedia = ['news_site:zcjd', 'media_app:zcjd', 'news_site:blxw', 'media_app:blxw', 'news_site:yshj', 'media_app:zwgk'];
  const portal = [
    ...preferredPortal.map((id) => all.find((c) => c.id === `portal:${id}`)).filter((c): c is Channel => !!c),
    ...all.filter((c) => c.platform === 'portal'),
  ].filter((c, i, list) => list.indexOf(c) === i && accepts(c));
  const media = [
    ...preferredMedia.map((id) => all.find((c) => c.id === id)).filter((c): c is Channel => !!c),
    ...all.filter((c) => c.kind === 'media_center_column'),
  ].filter((c, i, list) => list.indexOf(c) === i && accepts(c));
  const mediaCount = Math.min(media.length, Math.round((count * 2) / 7));
  return [...portal.slice(0, count - mediaCount), ...media.slice(0, mediaCount)];
}

async function batch(b: Bench, stages: string[]): Promise<{ deliveries: number; perSec: number } | null> {
  const candidates = listChannels(b.registry);
  const probe = richPolicyPackage(
    b.world,
    candidates.map((c) => c.id),
  );
  const { accepted } = await screenChannels(b, candidates, probe);
  const acceptedIds = new Set(accepted.map((c) => c.id));
  const channels = batchChannels(b.registry, CHANNELS, (c) => acceptedIds.has(c.id));
  const targets = channels.map((c) => c.id);
  const expected = PACKAGES * targets.length;
  console.log(`[batch] ${PACKAGES} packages × ${targets.length} channels = ${expected} deliveries; channels: ${targets.join(', ')}`);

  const tPrep = Date.now();
  let prepared = 0;
  const ids = await pool(
    Array.from({ length: PACKAGES }, (_, i) => i),
    APPROVERS,
    async (i) => {
      const id = await createAndPrepare(b, { ...richPolicyPackage(b.world, targets, `关于进一步优化营商环境的若干措施（第${i + 1}批）`) }, stages);
      if (++prepared % 50 === 0) log(`batch: ${prepared}/${PACKAGES} packages created and approved up to the last stage`);
      return id;
    },
  );
  console.log(
    `[batch] setup (outside the window): created, submitted and approved up to ${stages.at(-2)} ${PACKAGES} packages in ${sec(Date.now() - tPrep)} s (${APPROVERS} at a time)`,
  );

  const before = cpuSnapshot();
  const gen0 = portalGeneration(b.world);
  const t0 = Date.now();
  const approvedAt = new Map<string, number>();
  await pool(ids, APPROVERS, async (id) => {
    approvedAt.set(id, Date.now());
    await finalApproval(b, id, stages);
  });
  const approvalsDone = Date.now() - t0;
  const { rows, complete } = await waitSettled(b, ids, expected, BATCH_TIMEOUT_MS, 'batch');
  const after = cpuSnapshot();
  if (!complete) {
    reportStuck('batch', rows, expected);
    return null;
  }
  const last = Math.max(...rows.map(settledAt));
  const windowMs = last - t0;
  const perSec = expected / (windowMs / 1000);
  const lastByPackage = new Map<string, number>();
  for (const r of rows) lastByPackage.set(r.package_id, Math.max(lastByPackage.get(r.package_id) ?? 0, settledAt(r)));
  const latencies = ids.map((id) => lastByPackage.get(id)! - approvedAt.get(id)!).sort((x, y) => x - y);
  const byPlatform = new Map<string, number>();
  for (const r of rows) byPlatform.set(r.platform ?? '?', Math.max(byPlatform.get(r.platform ?? '?') ?? 0, settledAt(r) - t0));
  console.log(
    `[batch] ${expected} deliveries settled (${fmtCounts(countBy(rows, (r) => r.state))}) in ${sec(windowMs)} s from the first final approval to the last live delivery`,
  );
  console.log(
    `[batch] govpub: ${perSec.toFixed(1)} deliveries/s  (${(PACKAGES / (windowMs / 1000)).toFixed(2)} packages/s; the ${PACKAGES} 终审 decisions took ${sec(approvalsDone)} s of that window)`,
  );
  console.log(
    `[batch] per package, its final approval → all its channels live: median ${sec(quantile(latencies, 0.5))} s, p95 ${sec(quantile(latencies, 0.95))} s, max ${sec(latencies.at(-1)!)} s; last live per platform: ${[...byPlatform.entries()].map(([p, ms]) => `${p} ${sec(ms)} s`).join(', ')}`,
  );
  const commits = portalGeneration(b.world) - gen0;
  const portalRows = rows.filter((r) => r.platform === 'portal').length;
  if (portalRows)
    console.log(
      `[batch] portal: ${portalRows} column deliveries landed in ${commits} site generations (${(portalRows / Math.max(1, commits)).toFixed(1)} per commit)`,
    );
  const waits = await countAuditActions(b.db, ids, ['delivery_rate_limited', 'delivery_retryable', 'delivery_unconfirmed', 'delivery_retry_scheduled']);
  const mediaKinds = [...new Set(rows.filter((r) => r.platform && r.platform !== 'portal').map((r) => r.platform!))];
  console.log(
    `[batch] platform requests in the window: ${platformRequests(b.world, t0, mediaKinds)}; delivery waits recorded: ${waits.map((w) => `${w.action} ${w.n}`).join(', ') || 'none'}`,
  );
  console.log(cpuLine('batch', before, after));
  return { deliveries: expected, perSec };
}

let interrupted = false;

// ── Main ─────────────────────────────────────────────────────────────────────────────────────

async function main(): Promise<void> {
  const cleanups: { what: string; run: () => Promise<unknown> }[] = [];
  const cleanUp = async () => {
    while (cleanups.length > 0) {
      const step = cleanups.pop()!;
      try {
        await step.run();
      } catch (error) {
        console.error(`cleanup (${step.what}) failed: ${(error as Error).message}`);
      }
    }
  };
  process.once('SIGINT', () => {
    interrupted = true;
    console.error('\ninterrupted: cleaning up…');
    void cleanUp().finally(() => process.exit(130));
  });

  const started = Date.now();
  // Only the SDK's errors (not its per-queue "no workflows registered" warnings); before the first connection.
  process.env.GOVPUB_LOG_LEVEL ??= 'error';
  installWorkerRuntime();
  try {
    const settings = loadSettings();
    const binary = await resolveTemporalCli({ cacheDir: settings.cacheDir });
    console.log(
      `govpub delivery bench: ${os.cpus()[0]?.model?.trim() ?? 'cpu'}, nproc ${os.availableParallelism()}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, node ${process.version}; --packages ${PACKAGES} --channels ${CHANNELS} --approvers ${APPROVERS}`,
    );
    log(`starting the Temporal dev server (${binary.path})`);
    const env = await TestWorkflowEnvironment.createLocal({
      server: { executable: { type: 'existing-path', path: binary.path }, ip: '127.0.0.1', log: { format: 'pretty', level: 'error' } },
    });
    cleanups.push({ what: 'Temporal dev server', run: () => env.teardown() });

    const adminUrl = process.env.GOVPUB_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
    const dbName = `govpub_bench_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    cleanups.push({ what: 'admin connection', run: () => admin.end() });
    await admin.query(`create database "${dbName}"`);
    cleanups.push({ what: `drop database ${dbName}`, run: () => admin.query(`drop database if exists "${dbName}" with (force)`) });
    const db = connectPostgres(withDatabase(adminUrl, dbName), 10);
    cleanups.push({ what: 'database pool', run: () => db.destroy() });
    await migrateToLatest(db);
    log(`database ${dbName} migrated; starting the simulators and making the media`);

    const world = await startReleaseWorld({ faults: false });
    cleanups.push({ what: 'simulators and temp dir', run: () => world.close() });
    const registry = world.registry;
    await syncChannels(db, registry, 'bench');
    const taskQueue = `govpub-bench-${randomBytes(4).toString('hex')}`;
    // As a worker process wires itself (runtime/processes.ts), with the adapters set up as in the
    // fan-out proof, and platforms.yaml's own timing (confirm timeouts, retries, caps) — not the
    // proof's shortened test timing — pointed at the simulators.
    const platforms = loadPlatformConfigs(path.join(ROOT_DIR, 'config'), { env: {}, simulatorUrls: world.simulators.urls });
    const adapterFor = createChannelAdapters({
      portal: { webRoot: world.webRoot, publicBaseUrl: world.portalUrl, columnName: (id) => portalColumn(registry, id)?.path.join(' > ') },
      mediaCenterColumns: registry.mediaCenter.columns,
      handoffDir: (key) => path.join(world.dir, 'handoff', key.replace(/[^A-Za-z0-9._-]+/g, '_')),
    });
    const deps = buildDeliveryDeps({
      db,
      registry,
      platforms,
      secrets: { env: {}, secretsFile: world.secretsFile },
      mediaStore: world.mediaStore,
      portalUrl: world.portalUrl,
      taskQueue,
      adapterFor,
    });
    const group: WorkerGroup = await createWorker({ connection: env.nativeConnection, namespace: 'default', taskQueue, deps, platforms });
    const running = group.run();
    let workerStopped = false;
    const stopGovpubWorker = async () => {
      if (workerStopped) return;
      workerStopped = true;
      group.shutdown();
      await running;
    };
    cleanups.push({ what: 'govpub worker', run: stopGovpubWorker });

    const item = registry.catalogue.find((i) => i.requiresInterpretation)!;
    const stages = stagesFor(registry, item.contentClass).map((s) => s.id);
    const editor = toActor((await addUser(db, registry, { name: 'bench-editor', role: 'editor' })).user);
    await world.registerMedia(db, editor.id);
    const reviewers = new Map<string, Actor>();
    for (const stage of stages)
      reviewers.set(stage, toActor((await addUser(db, registry, { name: `bench-reviewer-${stage}`, role: 'reviewer', stages: [stage] })).user));
    const b: Bench = {
      world,
      registry,
      db,
      packages: new PackageService({ db, registry, temporal: env.client, taskQueue }),
      deps,
      platforms,
      editor,
      reviewers,
    };
    console.log(
      `[setup] worker queues: ${group.workers.length} (main, ${Object.keys(platforms).length} platforms, media); platforms.yaml caps: ${Object.entries(
        platforms,
      )
        .map(([p, c]) => `${p} ${c.concurrency}${c.ratePerSecond ? `@${c.ratePerSecond}/s` : ''}`)
        .join(', ')}; review stages ${stages.join(' → ')}`,
    );

    if (!flag('no-fanout')) {
      log('phase 1: one package to every channel');
      const a = cpuSnapshot();
      await fanOut(b, stages);
      console.log(cpuLine('fanout', a, cpuSnapshot()));
    }
    if (interrupted) return;
    log(`phase 2: ${PACKAGES} packages × ${CHANNELS} channels`);
    const result = await batch(b, stages);
    if (interrupted) return;
    await stopGovpubWorker();
    if (!flag('no-baseline')) {
      log('phase 3: bare Temporal baseline');
      await baseline(env, { packages: PACKAGES, perPackage: result ? result.deliveries / PACKAGES : CHANNELS, approvers: APPROVERS }, result);
    }

    const self = procStatus('self', 'VmHWM');
    const kids = childPids().map((p) => `${p.comm} (pid ${p.pid}) ${procStatus(p.pid, 'VmHWM')?.toFixed(0) ?? '?'} MiB`);
    console.log(
      `[machine] nproc ${os.availableParallelism()}; peak RSS (VmHWM) of this node process ${self?.toFixed(0) ?? '?'} MiB; child processes: ${kids.join(', ') || 'none'}`,
    );
    console.log(`[machine] total run ${sec(Date.now() - started)} s`);
  } finally {
    if (!interrupted) await cleanUp();
  }
}

main().catch((err: unknown) => {
  if (interrupted) return; // the pool was closed under a running query
  console.error(err);
  process.exitCode = 1;
});
