/**
 * A govpub worker: runs the workflows and activities of the `govpub` task queue. Run several for
 * throughput and failover; they share nothing but Temporal and the database.
 */
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../config/repo-paths.js';
import { IllegalStateError } from '@temporalio/common';
import {
  bundleWorkflowCode,
  DefaultLogger,
  GracefulShutdownPeriodExpiredError,
  Runtime,
  Worker,
  type NativeConnection,
  type WorkflowBundleOption,
} from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities/index.js';
import { defaultMediaJobSlots } from '../config/settings.js';
import { GovpubError } from '../domain/errors.js';
import { deliveryMediaQueue, platformStatusQueue, platformTaskQueue } from '../contracts/delivery.js';
import { MEDIA_HEARTBEAT_THROTTLE } from '../contracts/media.js';
import { STATUS_SWEEP_PLATFORMS } from '../adapters/declarations.js';
import { enableWorkerMetrics, workerHistogramBuckets, type TaskQueueKind } from './metrics.js';
import { activityMetricsInterceptor } from './metrics-interceptor.js';

// The TypeScript source, which the SDK's bundler compiles, also when this module runs from a copy or dist/.
export const WORKFLOWS_PATH = path.join(REPO_ROOT, 'workflows', 'index.ts');

let cachedBundle: Promise<WorkflowBundleOption> | undefined;

/**
 * Bundle the workflow code once per process, or load the prebuilt bundle production ships
 * (`namedBy` says where its path came from, for the refusal when it is not there).
 */
export function workflowBundle(prebuiltPath?: string, namedBy: 'setting' | 'option' = 'setting'): Promise<WorkflowBundleOption> {
  if (prebuiltPath) {
    if (!fs.existsSync(prebuiltPath)) {
      throw new GovpubError(
        'setting_invalid',
        namedBy === 'setting'
          ? `GOVPUB_WORKFLOW_BUNDLE=${prebuiltPath} does not exist. Build it with \`govpub bundle --out ${prebuiltPath}\` or unset the variable.`
          : `--bundle ${prebuiltPath} does not exist. Build it with \`govpub bundle --out ${prebuiltPath}\`, or leave --bundle out to replay against the sources.`,
      );
    }
    return Promise.resolve({ codePath: prebuiltPath });
  }
  cachedBundle ??= bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietBundlerLogger }).then((b) => ({ code: b.code }));
  return cachedBundle;
}

export async function writeWorkflowBundle(outFile: string): Promise<number> {
  const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietBundlerLogger });
  fs.mkdirSync(path.dirname(path.resolve(outFile)), { recursive: true });
  fs.writeFileSync(outFile, code);
  return code.length;
}

const noop = () => {};
const quietBundlerLogger = {
  trace: noop,
  debug: noop,
  info: noop,
  log: noop,
  warn: (message: string) => console.warn(`[bundler] ${message}`),
  error: (message: string) => console.error(`[bundler] ${message}`),
};

export interface WorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps;
  workflowBundlePath?: string;
  maxConcurrentActivityTaskExecutions?: number;
  /**
   * Per-platform caps: each platform's transmits run on their own task queue
   * (`<taskQueue>-<platform>`), at most `concurrency` at once in this process and at most
   * `ratePerSecond` started per second across every worker (enforced by Temporal).
   */
  platforms?: Record<string, { concurrency: number; ratePerSecond?: number }>;
  /** Concurrent rendition jobs (sharp/ffmpeg) in this process, on `<taskQueue>-media` (default: config/settings.ts defaultMediaJobSlots). */
  mediaConcurrency?: number;
  /** Extra activities for the media queue (upload rendition jobs). */
  mediaActivities?: Record<string, (...args: any[]) => Promise<unknown>>;
  /** Extra activities for the main queue (bookkeeping of media jobs). */
  extraActivities?: Record<string, (...args: any[]) => Promise<unknown>>;
  /** How long a stop waits for cancelled activities before abandoning them (default WORKER_DRAIN_LIMIT). */
  drainLimit?: DrainLimit;
}

/** The workers of one process: workflows + bookkeeping, one per platform queue, one for media. */
export interface WorkerGroup {
  workers: Worker[];
  run(): Promise<void>;
  shutdown(): void;
  getState(): string;
  /** Activities running now in this process (what a stop waits for). */
  activitiesRunning(): number;
  /** How long a stop waits for them. */
  drainLimit: DrainLimit;
}

/** What this process installed (undefined before): the metrics address it serves, if any. */
let installed: { metricsAddress: string | undefined } | undefined;

/**
 * Quiet the SDK's per-state INFO lines, and leave signal handling to govpub's own shutdown
 * (which stops the API and the worker in order). With a metrics address (GOVPUB_WORKER_METRICS_ADDRESS)
 * the SDK's Prometheus exporter serves its `temporal_` metrics and govpub's worker metrics
 * (worker/metrics.ts) at http://<address>/metrics. Must run before the first connection.
 */
export function installWorkerRuntime(options: { metricsAddress?: string } = {}): void {
  const { metricsAddress } = options;
  if (installed) {
    if (metricsAddress && installed.metricsAddress !== metricsAddress)
      throw metricsAddressRefused(metricsAddress, 'this process already runs Temporal workers without it');
    return;
  }
  try {
    const level = (process.env.GOVPUB_LOG_LEVEL?.toUpperCase() as 'WARN') ?? 'WARN';
    Runtime.install({
      logger: new DefaultLogger(level, (entry) => {
        // Platform and media queues run activities only, by design: not worth a warning each.
        if (entry.message.startsWith('No workflows registered')) return;
        console.error(
          `${new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString()} [${entry.level}] ${entry.message}${entry.meta && Object.keys(entry.meta).length ? ` ${JSON.stringify(entry.meta)}` : ''}`,
        );
      }),
      shutdownSignals: [],
      ...(metricsAddress
        ? {
            telemetryOptions: {
              metrics: {
                // govpub's histograms share the endpoint: no SDK service label on them.
                attachServiceName: false,
                prometheus: { bindAddress: metricsAddress, useSecondsForDurations: true, histogramBucketOverrides: workerHistogramBuckets() },
              },
            },
          }
        : {}),
    });
  } catch (error) {
    if (metricsAddress) {
      const why = error instanceof IllegalStateError ? 'the Temporal runtime of this process was installed before, without it' : (error as Error).message;
      throw metricsAddressRefused(metricsAddress, why);
    }
    // Already installed by the embedding process (e.g. a test harness): keep its settings.
    installed = { metricsAddress: undefined };
    return;
  }
  installed = { metricsAddress };
  if (metricsAddress) enableWorkerMetrics(Runtime.instance().metricMeter);
}

function metricsAddressRefused(address: string, why: string): GovpubError {
  return new GovpubError(
    'setting_invalid',
    `GOVPUB_WORKER_METRICS_ADDRESS=${address}: cannot serve worker metrics there (${why}). Choose a free host:port or unset GOVPUB_WORKER_METRICS_ADDRESS.`,
  );
}

/** Stop polling and wait for running tasks; safe to call twice. */
export async function stopWorker(worker: { getState(): string; shutdown(): void; drainLimit?: DrainLimit }, running: Promise<void>): Promise<void> {
  if (worker.getState() === 'RUNNING') worker.shutdown();
  try {
    await running;
  } catch (error) {
    if (!abandonedAtStop(error)) throw error;
    console.error(
      `worker: activities still running ${worker.drainLimit ?? WORKER_DRAIN_LIMIT} after the stop were abandoned; Temporal gives them to another worker`,
    );
  }
}

function abandonedAtStop(error: unknown): boolean {
  for (let e = error; e instanceof Error; e = (e as Error & { cause?: unknown }).cause) if (e instanceof GracefulShutdownPeriodExpiredError) return true;
  return false;
}

/**
 * A stopping worker cancels its running activities at once and waits this long for them to end;
 * one that ignores cancellation is then abandoned, so a stop never hangs. Nothing is lost by it:
 * Temporal gives the abandoned attempt to another worker after its heartbeat or start-to-close
 * timeout, and a transmit that may have reached the platform is reconciled before anything is sent again.
 */
export const WORKER_DRAIN_LIMIT = '25 seconds';
export type DrainLimit = `${number} seconds`;

/** Status queries waiting at a sweep at once in one process: each is a promise and a heartbeat, not a request. */
const STATUS_QUERY_SLOTS = 200;

/** Activity timing (worker/metrics-interceptor.ts), labelled with the kind of queue the worker polls. */
const timedActivities = (kind: TaskQueueKind) => ({ activity: [activityMetricsInterceptor(kind)] });

export async function createWorker(options: WorkerOptions): Promise<WorkerGroup> {
  installWorkerRuntime();
  const drainLimit = options.drainLimit ?? WORKER_DRAIN_LIMIT;
  const activities = { ...createActivities(options.deps), ...(options.extraActivities ?? {}) };
  const workers: Worker[] = [
    await Worker.create({
      connection: options.connection,
      namespace: options.namespace,
      taskQueue: options.taskQueue,
      workflowBundle: await workflowBundle(options.workflowBundlePath),
      activities,
      maxConcurrentActivityTaskExecutions: options.maxConcurrentActivityTaskExecutions ?? 50,
      interceptors: timedActivities('main'),
      shutdownForceTime: drainLimit,
    }),
  ];
  // A sweeping platform's status queries wait at the sweep (adapters/media-center/status-sweep.ts):
  // many slots, no rate cap (the sweep bounds the requests). Polled whatever statusSweepSec says,
  // so plans made while it was on still find a worker after it is turned off.
  for (const platform of Object.keys(options.platforms ?? {}).filter((platform) => STATUS_SWEEP_PLATFORMS.includes(platform))) {
    workers.push(
      await Worker.create({
        connection: options.connection,
        namespace: options.namespace,
        taskQueue: platformStatusQueue(options.taskQueue, platform),
        activities,
        maxConcurrentActivityTaskExecutions: STATUS_QUERY_SLOTS,
        // Heartbeats reach Temporal every 2 s (not 0.8 × their timeout): an operator's action
        // cancels a waiting query within seconds (workflows/delivery-steps.ts).
        maxHeartbeatThrottleInterval: '2 seconds',
        interceptors: timedActivities('status'),
        shutdownForceTime: drainLimit,
      }),
    );
  }
  for (const [platform, cap] of Object.entries(options.platforms ?? {})) {
    workers.push(
      await Worker.create({
        connection: options.connection,
        namespace: options.namespace,
        taskQueue: platformTaskQueue(options.taskQueue, platform),
        activities,
        maxConcurrentActivityTaskExecutions: cap.concurrency,
        // A transmit's heartbeats reach Temporal every 3 s, not every 0.8 x its 15 s timeout (12 s,
        // 3 s of slack): a loaded machine delaying one by seconds does not time the transmit out.
        maxHeartbeatThrottleInterval: '3 seconds',
        interceptors: timedActivities('platform'),
        shutdownForceTime: drainLimit,
        ...(cap.ratePerSecond ? { maxTaskQueueActivitiesPerSecond: cap.ratePerSecond } : {}),
      }),
    );
  }
  workers.push(
    await Worker.create({
      connection: options.connection,
      namespace: options.namespace,
      taskQueue: deliveryMediaQueue(options.taskQueue),
      activities: { ...activities, ...(options.mediaActivities ?? {}) },
      maxConcurrentActivityTaskExecutions: options.mediaConcurrency ?? defaultMediaJobSlots(),
      // A retraction reaches a running transcode in the answer to its next heartbeat.
      maxHeartbeatThrottleInterval: MEDIA_HEARTBEAT_THROTTLE,
      interceptors: timedActivities('media'),
      shutdownForceTime: drainLimit,
    }),
  );
  return {
    workers,
    run: async () => {
      const runs = workers.map((w) => w.run());
      try {
        await Promise.all(runs);
      } catch (error) {
        // One worker failing stops the process's others too, so nothing half-runs.
        for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
        await Promise.allSettled(runs);
        throw error;
      }
    },
    shutdown: () => {
      for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
    },
    getState: () => (workers.some((w) => w.getState() === 'RUNNING') ? 'RUNNING' : workers[0]!.getState()),
    activitiesRunning: () => workers.reduce((n, w) => n + w.getStatus().numInFlightActivities, 0),
    drainLimit,
  };
}
