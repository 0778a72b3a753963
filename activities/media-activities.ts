/**
 * Activities of the media-renditions workflow.
 *
 * - `renderRendition` (media task queue, CPU-heavy): one rendition of one original through the
 *   media module's cache. It heartbeats `{percent, spec, finished}` about every second (also while
 *   sharp works without progress callbacks, so a busy render is never taken for a lost worker),
 *   writes progress to media_jobs at most once a second, passes the activity's cancellation signal
 *   to ffmpeg (cancel = ffmpeg killed), and turns the media module's GovpubErrors into
 *   non-retryable failures that carry the module's sentence.
 * - `finishMediaJob` (the workflow's own task queue, light): the job's final state.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Kysely } from 'kysely';
import { dimensionColumns, findMedia, finishJob, mergeJobResults, upsertRendition, writeSpecProgress } from '../db/media.js';
import type { DB } from '../db/schema.js';
import { GovpubError } from '../domain/errors.js';
import type { WatermarkOptions } from '../media/image.js';
import { originalSize, prepareRendition, renditionCacheKey } from '../media/renditions.js';
import { getSpec } from '../media/specs.js';
import type { MediaStore } from '../media/store.js';
import type { FinishMediaJobInput, MediaRenditionHeartbeat, RenderRenditionInput, RenditionSummary } from '../contracts/media.js';

export interface WatermarkTargetForSpec {
  platform: string;
  channelId?: string;
  specKey: string;
}

export interface MediaActivityDeps {
  db: Kysely<DB>;
  store: MediaStore;
  /** The channel's (or platform's) watermark, from config/watermarks.ts; none when absent. */
  watermarkFor?(target: WatermarkTargetForSpec): Promise<WatermarkOptions | undefined>;
  /** ffmpeg threads per render (default: media module's, min(cores, 4)). */
  threads?: number;
  /** Milliseconds between heartbeats (default 1000). */
  heartbeatIntervalMs?: number;
  /** Milliseconds between progress writes to media_jobs (default 1000). */
  progressWriteIntervalMs?: number;
}

/**
 * Media error codes that retrying cannot fix (the file, the spec or the configuration is the
 * problem): failing at once with the sentence beats five identical attempts.
 */
const RETRYABLE_CODES = new Set(['media_tool_failed', 'media_timeout', 'media_upload_failed', 'media_hash_mismatch']);

export function toActivityFailure(error: unknown, specKey: string): unknown {
  if (error instanceof GovpubError) {
    return ApplicationFailure.create({
      type: error.code,
      message: error.message,
      nonRetryable: !RETRYABLE_CODES.has(error.code),
      // The Chinese sentence travels in the details: a failure's message is English only.
      details: [{ code: error.code, spec: specKey, messageZh: error.messageZh }],
    });
  }
  return error; // cancellation and infrastructure errors keep their own meaning
}

/** Writes one spec's percent into media_jobs no more than once per interval (always the last one). */
class ProgressWriter {
  private lastWrite = 0;
  private pending: number | null = null;
  private writing: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: Kysely<DB>,
    private readonly jobId: string,
    private readonly specKey: string,
    private readonly intervalMs: number,
  ) {}

  report(percent: number): void {
    this.pending = percent;
    const wait = this.lastWrite + this.intervalMs - Date.now();
    if (wait <= 0) this.flushSoon();
    else this.timer ??= setTimeout(() => this.flushSoon(), wait);
  }

  private flushSoon(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const percent = this.pending;
    if (percent === null) return;
    this.pending = null;
    this.lastWrite = Date.now();
    this.writing = this.writing
      .then(() => writeSpecProgress(this.db, this.jobId, this.specKey, percent))
      .catch(() => {
        // Progress is advisory: a failed write must not fail the render.
      });
  }

  /** Writes what is pending now and waits for every write. */
  async close(): Promise<void> {
    if (this.pending !== null) this.flushSoon();
    if (this.timer) clearTimeout(this.timer);
    await this.writing;
  }
}

export function createMediaActivities(deps: MediaActivityDeps) {
  return {
    async renderRendition(input: RenderRenditionInput): Promise<RenditionSummary> {
      const ctx = Context.current();
      const spec = (() => {
        try {
          return getSpec(input.specKey);
        } catch (error) {
          throw toActivityFailure(error, input.specKey);
        }
      })();
      const previous = ctx.info.heartbeatDetails as MediaRenditionHeartbeat | undefined;
      const media = await findMedia(deps.db, input.mediaId);
      if (!media) {
        throw ApplicationFailure.create({
          type: 'media_not_found',
          message: `No uploaded media has id ${input.mediaId}; upload the file again.`,
          nonRetryable: true,
        });
      }

      let watermark: WatermarkOptions | undefined;
      try {
        watermark =
          input.watermark && deps.watermarkFor
            ? await deps.watermarkFor({ platform: spec.platform, channelId: input.channelId, specKey: spec.key })
            : undefined;
      } catch (error) {
        throw toActivityFailure(error, input.specKey);
      }

      const beat: MediaRenditionHeartbeat = { percent: 0, spec: spec.key, finished: false };
      const heartbeat = () => ctx.heartbeat({ ...beat });
      heartbeat();
      const ticker = setInterval(heartbeat, deps.heartbeatIntervalMs ?? 1000);
      const progress = new ProgressWriter(deps.db, input.jobId, spec.key, deps.progressWriteIntervalMs ?? 1000);
      progress.report(0);
      try {
        const r = await prepareRendition(deps.store, input.mediaId, spec, {
          signal: ctx.cancellationSignal,
          watermark,
          label: media.upload_name ?? undefined,
          threads: deps.threads,
          onProgress: (percent) => {
            beat.percent = percent;
            progress.report(percent);
          },
        });
        beat.percent = 100;
        beat.finished = true;
        heartbeat();

        const size = await originalSize(deps.store, input.mediaId);
        const cacheKey = (await renditionCacheKey(input.mediaId, spec, watermark, size)).split('/').pop()!;
        const watermarked = cacheKey !== (await renditionCacheKey(input.mediaId, spec, undefined, size)).split('/').pop();
        const summary: RenditionSummary = {
          specKey: spec.key,
          sha256: r.sha256,
          mime: r.mime,
          sizeBytes: r.sizeBytes,
          ...(r.width !== undefined ? { width: r.width } : {}),
          ...(r.height !== undefined ? { height: r.height } : {}),
          ...(r.durationSec !== undefined ? { durationSec: r.durationSec } : {}),
          cached: r.cached,
          watermarked,
          warnings: r.warnings,
          warningsZh: r.warningsZh ?? [],
          ...(previous && previous.percent > 0 ? { resumedFrom: previous.percent } : {}),
        };
        await upsertRendition(deps.db, {
          media_id: input.mediaId,
          spec_key: spec.key,
          cache_key: cacheKey,
          sha256: r.sha256,
          mime: r.mime,
          size_bytes: r.sizeBytes,
          ...dimensionColumns(r),
          watermarked,
          channel_id: input.channelId ?? null,
          warnings: JSON.stringify(r.warnings),
          warnings_zh: JSON.stringify(r.warningsZh ?? []),
        });
        progress.report(100);
        await progress.close();
        await mergeJobResults(deps.db, input.jobId, { [spec.key]: { ok: true, ...summary } });
        return summary;
      } catch (error) {
        await progress.close();
        throw toActivityFailure(error, spec.key);
      } finally {
        clearInterval(ticker);
      }
    },
  };
}

/** Light bookkeeping: register on the workflow's own (main) task queue. */
export function createMediaJobActivities(deps: { db: Kysely<DB> }) {
  return {
    async finishMediaJob(input: FinishMediaJobInput): Promise<void> {
      const failed = Object.fromEntries(
        input.failures.map((f) => [f.spec, { ok: false, code: f.code, message: f.message, ...(f.messageZh ? { messageZh: f.messageZh } : {}) }]),
      );
      const error =
        input.state === 'failed'
          ? input.failures.map((f) => `${f.spec}: ${f.message}`).join('\n')
          : input.state === 'canceled'
            ? 'Cancelled before every rendition was made.'
            : null;
      await finishJob(deps.db, input.jobId, { state: input.state, failed, error });
    },
  };
}

export type MediaActivities = ReturnType<typeof createMediaActivities>;
export type MediaJobActivities = ReturnType<typeof createMediaJobActivities>;
