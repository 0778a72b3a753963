/**
 * The long-running processes: the all-in-one start for a laptop, and the separate API and
 * worker processes production runs (several workers, one Temporal cluster, PostgreSQL).
 */
import { GovpubError } from '../domain/errors.js';
import { checkSecretsFile, secretsFileExposure } from '../config/secrets.js';
import { makeDataDir } from '../config/data-dir.js';
import fs from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { buildApi } from '../api/server.js';
import { ApiMetrics } from '../api/metrics.js';
import { startContentGate } from '../services/content-gate/index.js';
import { localApiUrl, type Settings } from '../config/settings.js';
import type { Registry } from '../domain/registry.js';
import type { ActivityDeps } from '../activities/index.js';
import path from 'node:path';
import { createChannelAdapters } from '../adapters/index.js';
import { postLinkProblem } from '../adapters/post-links.js';
import { createPortalAdapter, registerPortalRoutes, type PortalAdapterOptions } from '../adapters/portal/index.js';
import { siteStructureFromRegistry } from '../adapters/portal/pages/structure.js';
import { loadSiteIdentitySync, SITE_IDENTITY_FILE } from '../config/site-identity.js';
import { registerConsoleRoutes } from '../api/console-static.js';
import { CONSOLE_DIST, ensureConsoleBuilt } from '../web/build-console.js';
import { createMediaActivities, createMediaJobActivities } from '../activities/media-activities.js';
import { registerMediaRoutes, registerPublicRenditions } from '../api/media-routes.js';
import { loadPlatformConfigs, type PlatformConfigs } from '../config/platforms.js';
import { createWatermarkLookup, watermarksPath } from '../config/watermarks.js';
import { portalColumn } from '../domain/registry.js';
import { mediaBinariesLine, mediaBinariesReport, publishRendition, type LocalMediaStore } from '../media/index.js';
import { MediaService, openMediaStore } from '../services/media.js';
import { buildDeliveryDeps } from './channel-access.js';
import { channelHealth, postLinkOptionsFor } from './channel-health.js';
import { devSecretsFile, ensureDevSecrets, readSimulatorUrls, startLocalSimulators } from './local-platforms.js';
import { connectClient, connectWorker } from '../worker/temporal-connection.js';
import { Client } from '@temporalio/client';
import { complianceActivityDeps, ensureComplianceSchedules } from './compliance.js';
import { createWorker, installWorkerRuntime, stopWorker, type DrainLimit, type WorkerGroup } from '../worker/worker.js';
import { workerMetrics } from '../worker/metrics.js';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { assertSecretsPresent, openAppContext, openRegistryAndDatabase, temporalRuntimeFile, writeRuntimeRecord } from './app.js';
import { alreadyRunningError, apiRuntimeFile, claimDataDir, dataDirHolder } from './runtime-files.js';
import { loadRegistry } from '../config/registry.js';
import { resolveTemporalCli } from './temporal-cli.js';
import { assertPortFree, startTemporalDevServer, stopLeftoverDevServers, type DevServer } from './temporal-dev-server.js';
import { portInUseError, portTaken } from './ports.js';
import { SIMULATOR_KINDS } from '../simulators/common/units.js';
import { simulatorPortInUse } from '../simulators/port-in-use.js';
import { controlsWrittenOut, terminalWidth } from '../domain/text.js';

type Log = (line: string) => void;

/** Everything a worker process needs to reach the channels, from settings and configuration. */
export function workerDeps(
  db: Kysely<DB>,
  registry: Registry,
  settings: Settings,
): { deps: ActivityDeps; platforms: PlatformConfigs; mediaStore: LocalMediaStore } {
  const platforms = loadPlatformConfigs(settings.configDir, { simulatorUrls: settings.simulators ? readSimulatorUrls(settings.dataDir) : undefined });
  const mediaStore = openMediaStore(settings);
  const adapterFor = createChannelAdapters({
    portal: portalAdapterOptions(settings, registry),
    mediaCenterColumns: registry.mediaCenter.columns,
    // Named by the rendition's own hash: the original's never leaves govpub (media/published.ts).
    publicMediaUrl: async (file) => `${settings.publicBaseUrl}${await publishRendition(mediaStore, file)}`,
    handoffDir: (businessKey) => path.join(settings.dataDir, 'handoff', businessKey.replace(/[^A-Za-z0-9._-]+/g, '_')),
  });
  const deps = buildDeliveryDeps({
    db,
    registry,
    platforms,
    secrets: { env: process.env, secretsFile: process.env.GOVPUB_SECRETS_FILE || undefined },
    mediaStore,
    portalUrl: settings.portalUrl,
    taskQueue: settings.temporal.taskQueue,
    adapterFor,
    watermarkFor: createWatermarkLookup(watermarksPath(settings.configDir)),
  });
  return { deps, platforms, mediaStore };
}

/** The portal as the registry describes it: every column and catalogue item has a page. */
export function portalAdapterOptions(settings: Settings, registry: Registry): PortalAdapterOptions {
  return {
    webRoot: settings.portalRoot,
    publicBaseUrl: settings.portalUrl,
    columnName: (id) => portalColumn(registry, id)?.path.join(' > '),
    structure: siteStructureFromRegistry(registry),
    // 网站标识码, ICP and 公安 filing numbers, 主办单位…: checked at load (file:line and field on a mistake).
    identity: loadSiteIdentitySync(path.join(settings.configDir, 'registry', SITE_IDENTITY_FILE)),
    // 站内搜索: the index follows publishing within a minute, built in the background.
    search: {},
  };
}

/**
 * Brings the portal up to the registry and templates at start (a first generation with every
 * column's page, or a re-render after a column was added or renamed). In the background: the
 * worker polls meanwhile, and a delivery arriving now joins the same commit.
 */
function ensurePortalSite(settings: Settings, registry: Registry, log: Log): void {
  const startedAt = Date.now();
  createPortalAdapter(portalAdapterOptions(settings, registry))
    .ensureSite()
    .then(
      (outcome) =>
        log(
          `portal: ${outcome.changed ? `generation ${outcome.generation} rendered for the registry (${Date.now() - startedAt} ms)` : `up to date (generation ${outcome.generation})`}`,
        ),
      (error: unknown) => log(`portal: could not bring the site up to date at start: ${(error as Error).message}`),
    );
}

export interface Running {
  stop(): Promise<void>;
  /** What a stop under way waits for now, in a few words (said when it is slow or cut short). */
  waitingFor?(): Promise<string | null>;
  /** Stopping at once (a second signal): signal the child processes, which would outlive this one. */
  abandon?(): void;
}

export async function runWorkerProcess(
  settings: Settings,
  log: Log,
  address?: string,
  options: { requireSecrets: boolean; drainLimit?: DrainLimit } = { requireSecrets: false },
): Promise<Running & { worker: WorkerGroup; done: Promise<void> }> {
  const opened = await openRegistryAndDatabase(settings, { migrate: false, onQuery: workerMetrics.dbQuery });
  try {
    if (options.requireSecrets) assertSecretsPresent(opened.registry, loadPlatformConfigs(settings.configDir));
    const exposure = process.env.GOVPUB_SECRETS_FILE ? secretsFileExposure(process.env.GOVPUB_SECRETS_FILE) : null;
    if (exposure) log(`worker: ${exposure}`);
    installWorkerRuntime({ metricsAddress: settings.workerMetricsAddress });
    if (settings.workerMetricsAddress) log(`worker: metrics at http://${settings.workerMetricsAddress}/metrics`);
    const connection = await connectWorker(settings.temporal, address ?? settings.temporal.address);
    const { deps: deliveryDeps, platforms, mediaStore } = workerDeps(opened.database.db, opened.registry, settings);
    // The compliance monitor: its activities, and its schedules brought up to the settings.
    const clientConnection = await connectClient(settings.temporal, address ?? settings.temporal.address);
    const temporal = new Client({ connection: clientConnection, namespace: settings.temporal.namespace });
    const appCtx = { db: opened.database.db, registry: opened.registry, temporal, taskQueue: settings.temporal.taskQueue };
    const secrets = { env: process.env, secretsFile: process.env.GOVPUB_SECRETS_FILE || undefined };
    const deps = { ...deliveryDeps, compliance: complianceActivityDeps(appCtx, deliveryDeps, settings, secrets, log) };
    if (settings.compliance.schedules) await ensureComplianceSchedules(temporal, settings, settings.temporal.taskQueue, log);
    ensurePortalSite(settings, opened.registry, log);
    const worker = await createWorker({
      connection,
      namespace: settings.temporal.namespace,
      taskQueue: settings.temporal.taskQueue,
      deps,
      workflowBundlePath: settings.temporal.workflowBundlePath,
      platforms,
      mediaActivities: createMediaActivities({
        db: opened.database.db,
        store: mediaStore,
        watermarkFor: createWatermarkLookup(watermarksPath(settings.configDir)),
      }),
      extraActivities: createMediaJobActivities({ db: opened.database.db }),
      mediaConcurrency: settings.mediaConcurrency,
      drainLimit: options.drainLimit,
    });
    const done = worker.run().finally(async () => {
      await clientConnection.close();
      await connection.close();
      await opened.close();
    });
    log(
      `worker: polling task queue "${settings.temporal.taskQueue}" and its ${worker.workers.length - 1} platform/media queues in namespace "${settings.temporal.namespace}"`,
    );
    return {
      worker,
      done,
      stop: () => stopWorker(worker, done),
      waitingFor: async () => {
        const running = worker.activitiesRunning();
        return running > 0
          ? `${running} running ${running === 1 ? 'activity' : 'activities'}, cancelled; abandoned to Temporal after ${worker.drainLimit}`
          : 'its pollers to end';
      },
    };
  } catch (error) {
    await opened.close();
    throw error;
  }
}

export async function runApiProcess(settings: Settings, log: Log, address?: string): Promise<Running & { app: FastifyInstance; url: string }> {
  const metrics = new ApiMetrics({ processMetrics: true });
  const { ctx, close } = await openAppContext(settings, { migrate: false, address, metrics });
  const { platforms, mediaStore } = workerDeps(ctx.db, ctx.registry, settings);
  const postLinksFor = postLinkOptionsFor(settings, platforms);
  const media = new MediaService(ctx, {
    store: mediaStore,
    limits: settings.mediaUploadLimits,
    watermarkFor: createWatermarkLookup(watermarksPath(settings.configDir)),
  });
  // The content gate: wording list reloaded on change, and a new list re-scans what is published.
  const contentGate = startContentGate(ctx.db, { store: mediaStore, log });
  // A start that fails from here lets the start-up re-scan finish before it closes the database
  // under it (which printed "driver has already been destroyed" above the real error).
  const abandon = async () => {
    await contentGate.stop(API_DRAIN_MS);
    await close();
  };
  let app: FastifyInstance;
  try {
    app = await buildApi(ctx, {
      metrics: { registry: metrics, token: settings.metricsToken },
      admission: { atOnce: settings.apiCommandsAtOnce, maxWaitMs: settings.apiCommandWaitSec * 1000 },
      channelInfo: channelHealth(platforms, settings, ctx.registry),
      console: {
        platforms,
        secrets: { env: process.env, secretsFile: process.env.GOVPUB_SECRETS_FILE || undefined },
        portalUrl: settings.portalUrl,
        media: { db: ctx.db, store: mediaStore, registry: ctx.registry, watermarkFor: createWatermarkLookup(watermarksPath(settings.configDir)) },
      },
      mediaProgress: (ids) => media.progressFor(ids),
      validatePostUrl: (platform, url) => postLinkProblem(platform, url, postLinksFor(platform)),
      register: async (api, helpers) => {
        registerMediaRoutes(api, { ...ctx, media }, helpers.requireActor);
        registerPortalRoutes(api, { webRoot: settings.portalRoot, prefix: '/portal' });
        registerPublicRenditions(api, mediaStore);
        await registerConsoleRoutes(api, { distDir: CONSOLE_DIST });
      },
    });
  } catch (error) {
    await abandon();
    throw error;
  }
  try {
    await app.listen({ port: settings.apiPort, host: settings.apiHost });
  } catch (error) {
    await abandon();
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new GovpubError('port_in_use', `Port ${settings.apiPort} for the API is already in use. Stop whatever uses it or set PORT to another port.`);
    }
    throw error;
  }
  const url = `http://${settings.apiHost}:${settings.apiPort}`;
  log(`api: listening on ${url}`);
  log(`api: metrics at ${url}/metrics${settings.metricsToken ? ' (bearer token GOVPUB_METRICS_TOKEN)' : ''}`);
  return {
    app,
    url,
    stop: async () => {
      // A wording-list re-scan running in the background gets the same few seconds as the requests.
      const rescans = contentGate.stop(API_DRAIN_MS);
      // No new connections; open event streams end (api/console-routes.ts preClose); idle
      // keep-alive connections close. Requests still running get API_DRAIN_MS to finish.
      const closing = app.close();
      const drained = await Promise.race([closing.then(() => true), delay(API_DRAIN_MS).then(() => false)]);
      if (!drained) {
        const busy = await openConnections(app);
        log(
          `api: ${busy} connection${busy === 1 ? '' : 's'} still busy ${API_DRAIN_MS / 1000} s after the stop (an upload, a command waiting for its turn): closed`,
        );
        app.server.closeAllConnections();
        await closing;
      }
      // An upload cut off by the stop leaves no partial file behind (its request never finishes).
      await mediaStore.discardPending?.();
      await rescans;
      await close();
    },
    waitingFor: async () => {
      const busy = await openConnections(app);
      return busy > 0 ? `${busy} open connection${busy === 1 ? '' : 's'}; requests still running get ${API_DRAIN_MS / 1000} s` : null;
    },
  };
}

/** How long a stopping API lets the requests it is running finish before it closes their connections. */
const API_DRAIN_MS = 5_000;

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

function openConnections(app: FastifyInstance): Promise<number> {
  return new Promise((resolve) => app.server.getConnections((error, count) => resolve(error ? 0 : count)));
}

/** How long a part may take to stop before `govpub start` says which one it is waiting for, and what it waits for there. */
const SLOW_STOP_MS = 2_000;

/**
 * `govpub start` stops in order, each part within a bound, so the whole stop is bounded (about
 * 30 s at worst, a few seconds usually): the API (5 s for running requests), the worker (its
 * cancelled activities get WORKER_DRAIN_LIMIT_ALL_IN_ONE; nothing is lost by abandoning one:
 * Temporal retries it when govpub runs again, a transmit reconciled with the platform first), the
 * simulators, the Temporal dev server (SIGKILL after 10 s) and the database.
 */
const WORKER_DRAIN_LIMIT_ALL_IN_ONE = '10 seconds';
const PART_STOP_LIMIT_MS: Record<string, number> = { API: 8_000, worker: 13_000, 'Temporal dev server': 12_000 };
const DEFAULT_PART_STOP_LIMIT_MS = 5_000;

interface Part {
  name: string;
  stop: () => Promise<void>;
  waitingFor?: () => Promise<string | null>;
}

/**
 * Every port `govpub start` will listen on, checked before it migrates or starts anything: the API
 * (which serves the portal too), the Temporal dev server and its UI, the simulators, the embedded
 * database and the worker's metrics, where they are this start's to open (0 = any free port).
 */
async function assertStartPortsFree(settings: Settings): Promise<void> {
  if (settings.apiPort !== 0 && (await portTaken(settings.apiPort, settings.apiHost))) throw portInUseError(settings.apiPort, 'the API', 'API ', 'PORT');
  if (!settings.temporal.address) {
    await assertPortFree(settings.temporal.devServerPort, 'the Temporal dev server', 'GOVPUB_TEMPORAL_PORT', 'Temporal 开发服务器');
    await assertPortFree(settings.temporal.devUiPort, "Temporal's web UI", 'GOVPUB_TEMPORAL_UI_PORT', 'Temporal 网页界面');
  }
  if (settings.simulators && settings.simulatorBasePort !== 0) {
    for (const [index, kind] of SIMULATOR_KINDS.entries()) {
      const port = settings.simulatorBasePort + index;
      if (await portTaken(port)) throw simulatorPortInUse(kind, port, settings.simulatorBasePort, 'GOVPUB_SIMULATOR_PORT');
    }
  }
  if (!settings.databaseUrl) await assertPortFree(settings.pglitePort, 'the embedded database', 'GOVPUB_PGLITE_PORT', '内置数据库');
  if (settings.workerMetricsAddress) {
    const { hostname, port } = new URL(`http://${settings.workerMetricsAddress}`);
    if (await portTaken(Number(port), hostname.replace(/^\[|\]$/g, ''))) {
      throw new GovpubError(
        'port_in_use',
        `${settings.workerMetricsAddress} for the worker's metrics is already in use. Stop whatever uses it or set GOVPUB_WORKER_METRICS_ADDRESS to another address.`,
        { address: settings.workerMetricsAddress, setting: 'GOVPUB_WORKER_METRICS_ADDRESS' },
        { zh: `worker 指标所需的地址 ${settings.workerMetricsAddress} 已被占用。请停止占用它的程序，或将 GOVPUB_WORKER_METRICS_ADDRESS 改为另一个地址。` },
      );
    }
  }
}

/**
 * What a command typed in another terminal must set to act on this govpub, as the banner's commands
 * write it: GOVPUB_DATA_DIR when set here (without it a command there opens ./.govpub, makes a new
 * database and acts on that), DATABASE_URL when set (not its value: it may hold a password).
 */
export function otherTerminalEnvironment(settings: Pick<Settings, 'dataDir' | 'databaseUrl'>, env: NodeJS.ProcessEnv = process.env): string {
  const words: string[] = [];
  if (env.GOVPUB_DATA_DIR?.trim()) {
    const dir = /^[\p{L}\p{N}_\-.,:=/@%+]+$/u.test(settings.dataDir) ? settings.dataDir : `'${settings.dataDir.replace(/'/g, `'\\''`)}'`;
    words.push(`GOVPUB_DATA_DIR=${controlsWrittenOut(dir)}`);
  }
  if (settings.databaseUrl) words.push('DATABASE_URL=<as set here>');
  return words.map((word) => `${word} `).join('');
}

/** Everything on one machine: Temporal dev server, embedded PGlite, worker and API. With `zh`, the closing banner (where each piece is) in Chinese. */
export async function runAllInOne(settings: Settings, log: Log, options: { zh?: boolean } = {}): Promise<Running> {
  const stops: Part[] = [];
  let stopping: Part | null = null;
  const describe = async (part: Part) => {
    const detail = await part.waitingFor?.().catch(() => null);
    return `the ${part.name}${detail ? ` (${detail})` : ''}`;
  };
  const stopAll = async () => {
    for (const part of stops.reverse()) {
      stopping = part;
      // A part that takes long to stop says what it waits for; one over its bound is left behind.
      const slow = setTimeout(
        () => void describe(part).then((what) => log(`stopping: still waiting for ${what} after ${SLOW_STOP_MS / 1000} s`)),
        SLOW_STOP_MS,
      );
      const limitMs = PART_STOP_LIMIT_MS[part.name] ?? DEFAULT_PART_STOP_LIMIT_MS;
      const stopped = await Promise.race([
        part
          .stop()
          .catch((e: Error) => log(`while stopping the ${part.name}: ${e.message}`))
          .then(() => true),
        delay(limitMs).then(() => false),
      ]);
      clearTimeout(slow);
      if (!stopped) log(`stopping: gave up waiting for ${await describe(part)} after ${limitMs / 1000} s; going on`);
    }
    stopping = null;
  };
  // Refusals that change nothing come first: a running start on this data directory, the files
  // every part reads (a malformed secrets file or platforms.yaml was refused only once the database
  // and the Temporal dev server were up), then the ports (a port in use was found only when the API
  // started, after the embedded database had been migrated and Temporal and the simulators started).
  const holder = dataDirHolder(settings.dataDir);
  if (holder) throw alreadyRunningError(settings.dataDir, holder);
  loadPlatformConfigs(settings.configDir);
  if (process.env.GOVPUB_SECRETS_FILE?.trim()) checkSecretsFile(process.env.GOVPUB_SECRETS_FILE.trim());
  await loadRegistry(path.join(settings.configDir, 'registry'));
  // No govpub holds the data directory, so a dev server on its history was left by one killed outright.
  if (!settings.temporal.address) await stopLeftoverDevServers(settings.dataDir, log);
  await assertStartPortsFree(settings);
  const claim = claimDataDir(settings.dataDir);
  if ('heldBy' in claim) throw alreadyRunningError(settings.dataDir, claim.heldBy);
  stops.push({ name: 'data directory claim', stop: async () => claim.release() });
  try {
    makeDataDir(settings.dataDir);
    // Migrations first, with the database this process keeps open (it serves PGlite to the others).
    const opened = await openRegistryAndDatabase(settings, { migrate: true });
    stops.push({ name: 'database', stop: () => opened.close() });
    log(`database: ${opened.database.description}`);
    log(mediaBinariesLine(await mediaBinariesReport()));
    log(
      `registry: ${opened.registry.portal.columns.length} portal columns, ${opened.registry.accounts.length} new-media accounts, ${opened.registry.mediaCenter.columns.length} media-center columns, ${opened.registry.catalogue.length} catalogue items`,
    );

    let address = settings.temporal.address;
    let devServer: DevServer | undefined;
    if (!address) {
      const binary = await resolveTemporalCli({ cacheDir: settings.cacheDir, log });
      devServer = await startTemporalDevServer({
        binary: binary.path,
        dataDir: settings.dataDir,
        port: settings.temporal.devServerPort,
        uiPort: settings.temporal.devUiPort,
        namespace: settings.temporal.namespace,
        log,
        // Its own process group: a terminal's Ctrl+C reaches only govpub, which stops it last, after
        // the worker (stopped with it, the worker's shutdown calls failed with warnings). It still ends
        // with govpub however govpub ends (temporal-dev-server.ts).
        detached: true,
      });
      stops.push({ name: 'Temporal dev server', stop: () => devServer!.stop() });
      address = devServer.address;
      writeRuntimeRecord(temporalRuntimeFile(settings.dataDir), { pid: process.pid, address });
      stops.push({ name: 'Temporal address record', stop: async () => fs.rmSync(temporalRuntimeFile(settings.dataDir), { force: true }) });
      log(`temporal: dev server at ${address} (history in ${settings.dataDir}/temporal.sqlite), web UI ${devServer.uiUrl}`);
    } else {
      log(`temporal: ${address}, namespace ${settings.temporal.namespace}`);
    }

    if (settings.simulators) {
      // Local simulators stand in for every platform, with development secrets they accept.
      const platforms = loadPlatformConfigs(settings.configDir);
      if (!process.env.GOVPUB_SECRETS_FILE) process.env.GOVPUB_SECRETS_FILE = ensureDevSecrets(settings.dataDir, opened.registry, platforms);
      const simulators = await startLocalSimulators({
        dataDir: settings.dataDir,
        basePort: settings.simulatorBasePort,
        basePortSetting: 'GOVPUB_SIMULATOR_PORT',
        registry: opened.registry,
        platforms,
        secrets: { env: process.env, secretsFile: process.env.GOVPUB_SECRETS_FILE },
        eventsBaseUrl: localApiUrl(settings),
      });
      stops.push({ name: 'simulators', stop: () => simulators.close() });
      log(
        `simulators: ${Object.entries(simulators.urls)
          .map(([kind, url]) => `${kind} ${url}`)
          .join(
            ', ',
          )} (secrets: ${process.env.GOVPUB_SECRETS_FILE === devSecretsFile(settings.dataDir) ? 'development, ' + devSecretsFile(settings.dataDir) : process.env.GOVPUB_SECRETS_FILE}; GOVPUB_SIMULATORS=off for real platforms)`,
      );
    }

    const worker = await runWorkerProcess(settings, log, address, { requireSecrets: false, drainLimit: WORKER_DRAIN_LIMIT_ALL_IN_ONE });
    stops.push({ name: 'worker', stop: worker.stop, waitingFor: worker.waitingFor });
    // The console is built from its sources on a fresh clone (npm install does it too) and rebuilt when they change.
    await ensureConsoleBuilt({ log });
    const api = await runApiProcess(settings, log, address);
    stops.push({ name: 'API', stop: api.stop, waitingFor: api.waitingFor });
    // Acting commands in another terminal find the API here when PORT is not set there too.
    writeRuntimeRecord(apiRuntimeFile(settings.dataDir), { pid: process.pid, url: api.url });
    stops.push({ name: 'API address record', stop: async () => fs.rmSync(apiRuntimeFile(settings.dataDir), { force: true }) });

    log('');
    const sameEnv = otherTerminalEnvironment(settings);
    const metricsWorker = settings.workerMetricsAddress ? `http://${settings.workerMetricsAddress}/metrics` : null;
    if (options.zh) {
      // The same places in Chinese (GOVPUB_LANG=zh), labels padded to the English ones' column (a Chinese character takes two).
      const row = (label: string, text: string) => log(`  ${label}${' '.repeat(Math.max(1, 15 - terminalWidth(label)))}${text}`);
      log('govpub 已启动，正在运行。');
      row('控制台', `${api.url}/console/  （用 \`govpub users add\` 打印的密码登录）`);
      row('API', `${api.url}  （OpenAPI：${api.url}/api/openapi.json，健康检查：${api.url}/healthz）`);
      if (devServer) row('Temporal 界面', devServer.uiUrl);
      row(
        '监控指标',
        `${api.url}/metrics${metricsWorker ? `，worker ${metricsWorker}` : '（worker：请设置 GOVPUB_WORKER_METRICS_ADDRESS）'}  （docs/metrics.md）`,
      );
      row('门户网站', `${settings.portalUrl}/  （网站根目录 ${settings.portalRoot}）`);
      row('数据目录', settings.dataDir);
      row('第一个用户', `${sameEnv}npx govpub users add admin --role admin --stages 初审,复审,终审`);
      row('示例稿件', `${sameEnv}GOVPUB_TOKEN=<该用户的令牌> npx govpub examples load --submit   （examples/README.md）`);
      log('按 Ctrl+C 停止。');
    } else {
      log(`govpub is running.`);
      log(`  console        ${api.url}/console/  (sign in with the password \`govpub users add\` prints)`);
      log(`  API            ${api.url}  (OpenAPI: ${api.url}/api/openapi.json, health: ${api.url}/healthz)`);
      if (devServer) log(`  Temporal UI    ${devServer.uiUrl}`);
      log(
        `  metrics        ${api.url}/metrics${metricsWorker ? `, worker ${metricsWorker}` : ' (worker: set GOVPUB_WORKER_METRICS_ADDRESS)'}  (docs/metrics.md)`,
      );
      log(`  portal         ${settings.portalUrl}/  (web root ${settings.portalRoot})`);
      log(`  data           ${settings.dataDir}`);
      log(`  first user     ${sameEnv}npx govpub users add admin --role admin --stages 初审,复审,终审`);
      log(`  examples       ${sameEnv}GOVPUB_TOKEN=<its token> npx govpub examples load --submit   (examples/README.md)`);
      log('Press Ctrl+C to stop.');
    }
    return {
      stop: stopAll,
      waitingFor: async () => (stopping ? describe(stopping) : null),
      // The dev server runs in a process group of its own (a terminal's Ctrl+C reaches only govpub).
      abandon: () => void devServer?.process.kill('SIGTERM'),
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
