/**
 * govpub's worker-side metrics (docs/metrics.md). They are recorded through the Temporal runtime's
 * metric meter, so a worker process's one Prometheus endpoint (GOVPUB_WORKER_METRICS_ADDRESS)
 * carries them beside the SDK's own `temporal_` metrics. Until `enableWorkerMetrics` runs (the
 * variable is unset, or code runs outside a worker, as in unit tests) every recorder is a no-op.
 *
 * Labels never carry ids, titles or URLs: platform, outcome, activity type and queue kind only.
 */
import type { MetricHistogram, MetricMeter } from '@temporalio/common';

/** Which of a process's workers ran an activity: the main queue, a platform's, or the media queue. */
export type TaskQueueKind = 'main' | 'platform' | 'status' | 'media';
/** The same, with `local` for a local activity (run inside a workflow task, no queue of its own). */
export type ActivityKind = TaskQueueKind | 'local';

const SECONDS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];
const DB_SECONDS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10];
/** Plan → live spans release batches, platform review and rate-limit waits: minutes to an hour. */
const LONG_SECONDS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600];
const DELIVERY_COUNTS = [1, 2, 4, 8, 16, 32, 64];

/** Every govpub worker histogram: its name (the contract's; do not rename), help and buckets. */
export const WORKER_HISTOGRAMS = {
  activityDuration: {
    name: 'govpub_activity_duration_seconds',
    help: 'One activity execution on this worker, by activity type and task queue kind (main, platform, media).',
    buckets: SECONDS,
  },
  scheduleToStart: {
    name: 'govpub_activity_schedule_to_start_seconds',
    help: 'How long an activity task waited in its task queue before this worker started it.',
    buckets: SECONDS,
  },
  transmit: {
    name: 'govpub_transmit_duration_seconds',
    help: 'The transmit step of a delivery (reconcile or adapter call, and recording the outcome), by platform and outcome.',
    buckets: SECONDS,
  },
  planToLive: {
    name: 'govpub_delivery_plan_to_live_seconds',
    help: 'From the delivery row being planned to the platform taking it live, by platform (API channels; manual hand-offs excluded).',
    buckets: LONG_SECONDS,
  },
  portalCommit: {
    name: 'govpub_portal_commit_duration_seconds',
    help: 'One portal generation commit carrying deliveries, from taking the lock to the new generation being current.',
    buckets: SECONDS,
  },
  portalCommitPhase: {
    name: 'govpub_portal_commit_phase_seconds',
    help: 'One phase of a portal commit carrying deliveries: companions (waiting for the other columns of its packages before it starts), lock (waiting for the web root), load (state), root, render and write (building the next generation), swap, cleanup (after the swap; the next commit waits for it).',
    buckets: SECONDS,
  },
  portalCommitDeliveries: {
    name: 'govpub_portal_commit_deliveries',
    help: 'Portal publishes and take-downs carried by one generation commit.',
    buckets: DELIVERY_COUNTS,
  },
  dbQuery: {
    name: 'govpub_db_query_duration_seconds',
    help: 'Every database query of this process (kysely), by process kind.',
    buckets: DB_SECONDS,
  },
} as const;

/**
 * The SDK's own latencies, with finer buckets below 100 ms than its defaults: a workflow task
 * waits a few ms on an idle worker, and Core's first schedule-to-start bound is 100 ms (so nearly
 * every wait fell in one bucket), its task-execution bounds 1–1000 ms. The SDK's upper bounds are
 * kept, so an alert written against them still finds them. Names without the `temporal_` prefix
 * (the runtime matches them either way).
 */
export const SDK_HISTOGRAM_BUCKETS: Record<string, readonly number[]> = {
  workflow_task_schedule_to_start_latency: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 100, 1000],
  activity_schedule_to_start_latency: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 100, 1000],
  workflow_task_execution_latency: [0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2.5, 5, 10],
};

/** The bucket boundaries of govpub's histograms and of the SDK's latencies, for the runtime's Prometheus exporter. */
export function workerHistogramBuckets(): Record<string, number[]> {
  return {
    ...Object.fromEntries(Object.entries(SDK_HISTOGRAM_BUCKETS).map(([name, buckets]) => [name, [...buckets]])),
    ...Object.fromEntries(Object.values(WORKER_HISTOGRAMS).map((h) => [h.name, [...h.buckets]])),
  };
}

type Histograms = { [K in keyof typeof WORKER_HISTOGRAMS]: MetricHistogram };
let histograms: Histograms | null = null;

/** Creates the histograms on the runtime's meter; from then on the recorders below record. */
export function enableWorkerMetrics(meter: MetricMeter): void {
  histograms = Object.fromEntries(
    Object.entries(WORKER_HISTOGRAMS).map(([key, h]) => [key, meter.createHistogram(h.name, key === 'portalCommitDeliveries' ? 'int' : 'float', '', h.help)]),
  ) as unknown as Histograms;
}

export function workerMetricsEnabled(): boolean {
  return histograms !== null;
}

const secondsSince = (startMs: number) => Math.max(0, performance.now() - startMs) / 1000;

/** A measurement never fails the work it measures (e.g. a runtime already shut down at process exit). */
function record(histogram: keyof Histograms, value: number, tags?: Record<string, string>): void {
  if (!histograms) return;
  try {
    histograms[histogram].record(Math.max(0, value), tags);
  } catch {
    // dropped: the metric is lost, the activity is not
  }
}

/** Typed recorders; each is one cheap call, or nothing when metrics are off. */
export const workerMetrics = {
  activity(activity: string, kind: ActivityKind, seconds: number): void {
    record('activityDuration', seconds, { activity, task_queue_kind: kind });
  },
  scheduleToStart(activity: string, kind: ActivityKind, seconds: number): void {
    record('scheduleToStart', seconds, { activity, task_queue_kind: kind });
  },
  planToLive(platform: string, plannedAt: Date): void {
    record('planToLive', (Date.now() - plannedAt.getTime()) / 1000, { platform });
  },
  /** A commit carrying no delivery (the site brought up to date at start, a validity change) is not counted. */
  portalCommit(seconds: number, deliveries: number, phasesMs: Record<string, number>): void {
    if (deliveries === 0) return;
    record('portalCommit', seconds);
    record('portalCommitDeliveries', deliveries);
    for (const [phase, ms] of Object.entries(phasesMs)) record('portalCommitPhase', ms / 1000, { phase });
  },
  /** The cleanup after a commit's swap (old generations, store versions, the spare root, the sweep), and each step: the next commit waits for it. */
  portalCommitCleanup(ms: number, deliveries: number, stepsMs: Record<string, number>): void {
    if (deliveries === 0) return;
    record('portalCommitPhase', ms / 1000, { phase: 'cleanup' });
    for (const [step, stepMs] of Object.entries(stepsMs)) record('portalCommitPhase', stepMs / 1000, { phase: `cleanup_${step}` });
  },
  /** Kysely's `log` hook of the worker's database (db/connect.ts). */
  dbQuery(seconds: number): void {
    record('dbQuery', seconds, { process: 'worker' });
  },
};

/**
 * Times a delivery's transmit step: `step.then(timer.settled, timer.threw)`. The outcome label is
 * the attempt's kind (live, submitted, retryable, rate_limited, …) or `error` when it threw; a step
 * that took the delivery live also records plan → live from the row's creation.
 */
export function transmitTimer(platform: string, plannedAt: Date) {
  const started = performance.now();
  return {
    settled<T extends { kind: string }>(result: T): T {
      record('transmit', secondsSince(started), { platform, outcome: result.kind });
      if (result.kind === 'live') workerMetrics.planToLive(platform, plannedAt);
      return result;
    },
    threw(error: unknown): never {
      record('transmit', secondsSince(started), { platform, outcome: 'error' });
      throw error;
    },
  };
}
