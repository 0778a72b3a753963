/** Messages of the media-renditions workflow: shared by the workflow, its activities, the service and the CLI. */

/** The task queue of the rendition activities: CPU-heavy work on workers sized for it. */
export function mediaTaskQueue(baseTaskQueue: string): string {
  return `${baseTaskQueue}-media`;
}

/**
 * A render heartbeats every second; 10 s without one means its worker is gone. Renders never block
 * the event loop (ffmpeg is a child process, sharp runs on libuv's pool), so a live worker never
 * misses 10 s.
 */
export const DEFAULT_HEARTBEAT_TIMEOUT_SEC = 10;

/**
 * How often a media worker passes its renders' heartbeats on to Temporal, and so hears of a
 * cancellation (a retraction, a job cancelled): the SDK's default is 0.8 × the heartbeat timeout,
 * 48 s of ffmpeg for a delivery's 1-minute timeout after the release was withdrawn.
 */
export const MEDIA_HEARTBEAT_THROTTLE = '2 seconds';

export function mediaJobWorkflowId(jobId: string): string {
  return `media-${jobId}`;
}

export interface MediaRenditionsInput {
  jobId: string;
  /** SHA-256 of the original. */
  mediaId: string;
  /** Spec keys from media/specs.ts, in the order they are made. */
  specs: string[];
  /** The channel the renditions are for: its watermark (config/registry/watermarks.yaml) applies. */
  channelId?: string;
  /** Apply the channel's (or platform's) watermark where a spec allows one. Default true. */
  watermark?: boolean;
  /** Where the rendition activities run: mediaTaskQueue(<the workflow's task queue>). */
  activityTaskQueue: string;
  /** Seconds without a heartbeat before a render counts as lost (worker crash) and is retried. Default 10. */
  heartbeatTimeoutSec?: number;
  /** Renditions made at once (each ffmpeg already uses several cores). Default 1. */
  concurrency?: number;
}

export interface RenderRenditionInput {
  jobId: string;
  mediaId: string;
  specKey: string;
  channelId?: string;
  watermark: boolean;
}

/** What a render activity reports in its heartbeats (and what a retry after a crash finds). */
export interface MediaRenditionHeartbeat {
  percent: number;
  spec: string;
  /** The rendition is in the store (a retry then takes it from the cache). */
  finished: boolean;
}

/** What one rendition file is: the spec it was made for, its hash, type and size, and what the render warned of. */
export interface RenditionFile {
  specKey: string;
  /** SHA-256 of the rendition file. */
  sha256: string;
  mime: string;
  sizeBytes: number;
  width?: number;
  height?: number;
  durationSec?: number;
  warnings: string[];
  /** The same notes in Chinese, in the same order; absent in renditions recorded before they were written. */
  warningsZh?: string[];
}

export interface RenditionSummary extends RenditionFile {
  /** Served from the cache: nothing was rendered. */
  cached: boolean;
  watermarked: boolean;
  /** Percent the previous attempt had reached when its worker was lost (resumed job). */
  resumedFrom?: number;
}

export interface MediaJobFailure {
  spec: string;
  code: string;
  message: string;
  /** The same sentence for the console's users (zh-CN); absent in jobs recorded before it travelled. */
  messageZh?: string;
}

export interface FinishMediaJobInput {
  jobId: string;
  state: 'done' | 'failed' | 'canceled';
  failures: MediaJobFailure[];
}

export interface MediaRenditionsResult {
  jobId: string;
  state: 'done' | 'failed';
  renditions: RenditionSummary[];
  failures: MediaJobFailure[];
}
