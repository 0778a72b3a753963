/**
 * One workflow per rendition job (id `media-<jobId>`): make each requested rendition of one
 * original, one activity per rendition, on the media task queue.
 *
 * - Progress: each render activity heartbeats ffmpeg's percent and writes it (throttled) to
 *   media_jobs; the API and `govpub media status --watch` read it there.
 * - Cancellation: cancelling this workflow cancels the running activity (delivered with its next
 *   heartbeat), whose AbortSignal kills ffmpeg; the workflow waits until it has stopped, then
 *   marks the job canceled.
 * - Worker crash: the lost render misses its heartbeats and is retried on another (or the
 *   restarted) worker. Renditions already made are completed activities in this history and are
 *   never scheduled again; a render that finished just before the crash is a cache hit.
 * - A rendition that cannot be made (clear error from the media module) does not stop the others;
 *   the job ends `failed` listing every such spec with its message.
 */
import {
  ActivityCancellationType,
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  isCancellation,
  proxyActivities,
  TimeoutFailure,
} from '@temporalio/workflow';
import type { MediaActivities, MediaJobActivities } from '../activities/media-activities.js';
import {
  DEFAULT_HEARTBEAT_TIMEOUT_SEC,
  type MediaJobFailure,
  type MediaRenditionsInput,
  type MediaRenditionsResult,
  type RenditionSummary,
} from '../contracts/media.js';

/** Bookkeeping runs on the workflow's own task queue, never queued behind long transcodes. */
const { finishMediaJob } = proxyActivities<MediaJobActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

function failureOf(specKey: string, error: unknown): MediaJobFailure {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  if (cause instanceof ApplicationFailure) {
    const messageZh = (cause.details?.[0] as { messageZh?: unknown } | undefined)?.messageZh;
    return { spec: specKey, code: cause.type ?? 'media_failed', message: cause.message, ...(typeof messageZh === 'string' ? { messageZh } : {}) };
  }
  if (cause instanceof TimeoutFailure) {
    return {
      spec: specKey,
      code: 'media_worker_lost',
      message: `Making ${specKey} was lost on every attempt (${cause.message}): the media worker stopped sending heartbeats or ran out of time. Check that media workers are running and have enough memory, then request the rendition again.`,
      messageZh: `生成 ${specKey} 时，每次尝试都与媒体处理进程失去联系（停止心跳或超时）。请运维人员确认媒体处理进程在运行且内存充足，然后重新生成。`,
    };
  }
  return {
    spec: specKey,
    code: 'media_failed',
    message: `Making ${specKey} failed: ${(cause as Error)?.message ?? String(cause)}`,
    messageZh: `生成 ${specKey} 失败。请重新生成；再次失败请将此任务编号告知运维人员。`,
  };
}

export async function mediaRenditionsWorkflow(input: MediaRenditionsInput): Promise<MediaRenditionsResult> {
  const { renderRendition } = proxyActivities<MediaActivities>({
    taskQueue: input.activityTaskQueue,
    // Long videos take long; the heartbeat timeout is what notices a lost worker. A cancel arrives
    // in the answer to a heartbeat, which the media worker sends every 2 s (worker/worker.ts).
    startToCloseTimeout: '12 hours',
    heartbeatTimeout: `${input.heartbeatTimeoutSec ?? DEFAULT_HEARTBEAT_TIMEOUT_SEC} seconds`,
    // The job is "canceled" only once ffmpeg has really stopped.
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 5 },
  });

  const renditions: { index: number; summary: RenditionSummary }[] = [];
  const failures: MediaJobFailure[] = [];
  const queue = input.specs.map((specKey, index) => ({ specKey, index }));
  const lanes = Math.max(1, Math.min(input.concurrency ?? 1, queue.length));

  const lane = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      try {
        const summary = await renderRendition({
          jobId: input.jobId,
          mediaId: input.mediaId,
          specKey: next.specKey,
          channelId: input.channelId,
          watermark: input.watermark !== false,
        });
        renditions.push({ index: next.index, summary });
      } catch (error) {
        if (isCancellation(error)) throw error;
        failures.push(failureOf(next.specKey, error));
      }
    }
  };
  // allSettled: on cancellation every lane's activity has stopped before the job is marked.
  const settled = await Promise.allSettled(Array.from({ length: lanes }, lane));
  const rejected = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (rejected) {
    if (isCancellation(rejected.reason)) {
      await CancellationScope.nonCancellable(() => finishMediaJob({ jobId: input.jobId, state: 'canceled', failures }));
    }
    throw rejected.reason;
  }

  const state = failures.length > 0 ? 'failed' : 'done';
  await finishMediaJob({ jobId: input.jobId, state, failures });
  return {
    jobId: input.jobId,
    state,
    renditions: renditions.sort((a, b) => a.index - b.index).map((r) => r.summary),
    failures,
  };
}
