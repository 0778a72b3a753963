/**
 * Media operations shared by the API and the CLI: upload (media-upload.ts), renditions requested
 * as Temporal jobs, their progress, and reading originals and renditions back (media-files.ts).
 * Views of the rows are in media-views.ts.
 */
import { decodeCursor, encodeCursor } from './list-cursor.js';
import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import type { Settings } from '../config/settings.js';
import {
  failJob,
  findJob,
  insertJob,
  jobsOf,
  mediaIdsStartingWith,
  mediaKinds,
  renditionsOf,
  selectMedia,
  unfinishedJobLike,
  unfinishedJobsOwnedBy,
  updateUnfinishedJob,
} from '../db/media.js';
import { chinaTimeToSecond } from '../domain/beijing-time.js';
import { GovpubError } from '../domain/errors.js';
import type { Actor } from '../domain/package-rules.js';
import { requireAllowed } from '../domain/commands.js';
import type { WatermarkOptions } from '../media/image.js';
import { DEFAULT_UPLOAD_LIMITS, type MediaKind, type ProbeResult } from '../media/probe.js';
import type { RenditionFile } from '../media/published.js';
import { preflight } from '../media/renditions.js';
import { assertSha256, LocalMediaStore, type MediaStore } from '../media/store.js';
import { mediaRenditionsWorkflow } from '../workflows/media-renditions.js';
import { mediaJobWorkflowId, mediaTaskQueue, type MediaRenditionsInput } from '../contracts/media.js';
import type { AppContext } from './context.js';
import { describeOriginal, describeRendition, mediaOr404, renditionsPreparedByDeliveries, type MediaFileSources } from './media-files.js';
import { renditionSpecsFor } from './media-requests.js';
import { ingestMedia, type UploadInput } from './media-upload.js';
import {
  TERMINAL,
  toJobView,
  toMediaView,
  toRenditionView,
  type BlobInfo,
  type MediaDetail,
  type MediaJobView,
  type MediaProgress,
  type MediaView,
  type OpenedMedia,
  type RenditionRequest,
} from './media-views.js';

export type { BlobInfo, MediaDetail, MediaJobView, MediaProgress, MediaView, OpenedMedia, RenditionRequest, RenditionView } from './media-views.js';
export { toJobView } from './media-views.js';

export interface MediaServiceOptions {
  store: MediaStore;
  /** Upload limits per kind (bytes); the rest keep media/probe.ts DEFAULT_UPLOAD_LIMITS. */
  limits?: Partial<Record<MediaKind, number>>;
  /** Passed to the workflow: seconds without a heartbeat before a render is retried elsewhere. */
  heartbeatTimeoutSec?: number;
  /** Renditions of one job made at once. */
  concurrency?: number;
  /**
   * A channel's watermark (config/registry/watermarks.yaml): finds the renditions a delivery made
   * for that channel (they are cached under their watermark) when no rendition job recorded them.
   */
  watermarkFor?: (target: { platform: string; channelId: string }) => Promise<WatermarkOptions | undefined>;
}

/** The store named by the settings (GOVPUB_MEDIA_DIR, default <data dir>/media). */
export function openMediaStore(settings: Pick<Settings, 'mediaDir'>): LocalMediaStore {
  return new LocalMediaStore(settings.mediaDir);
}

export class MediaService {
  readonly store: MediaStore;
  private readonly limits: Record<MediaKind, number>;

  constructor(
    private readonly ctx: AppContext,
    private readonly options: MediaServiceOptions,
  ) {
    this.store = options.store;
    this.limits = { ...DEFAULT_UPLOAD_LIMITS, ...options.limits };
  }

  private get files(): MediaFileSources {
    return { db: this.ctx.db, store: this.store, registry: this.ctx.registry, watermarkFor: this.options.watermarkFor };
  }

  /** The largest upload any kind may be (for the HTTP layer's own ceiling). */
  get maxUploadBytes(): number {
    return Math.max(...Object.values(this.limits));
  }

  /**
   * Stores and probes an upload. The same bytes uploaded again find the same record
   * (`created: false`). Refusals are GovpubErrors saying which limit and by how much.
   */
  async ingest(
    source: NodeJS.ReadableStream | AsyncIterable<Uint8Array>,
    input: UploadInput,
  ): Promise<{ media: MediaView; created: boolean; warnings: string[]; warningsZh: string[] }> {
    requireAllowed(input.createdBy, 'uploadMedia');
    return ingestMedia(this.ctx.db, this.store, this.limits, source, input);
  }

  /** A full id from an id or a unique prefix of at least 6 hex digits (for the CLI). */
  async resolveId(idOrPrefix: string): Promise<string> {
    const p = idOrPrefix.trim().toLowerCase();
    if (/^[0-9a-f]{64}$/.test(p)) return p;
    if (!/^[0-9a-f]{6,63}$/.test(p))
      throw new GovpubError(
        'not_found',
        `"${idOrPrefix}" is not a media id (64 hex digits, or a unique prefix of at least 6).`,
        { status: 404 },
        { zh: `"${idOrPrefix}" 不是媒体文件编号（应为 64 位十六进制，或至少 6 位且唯一的前缀）。` },
      );
    const ids = await mediaIdsStartingWith(this.ctx.db, p, 3);
    if (ids.length === 0) throw new GovpubError('not_found', `No media id starts with ${p}.`, { status: 404 }, { zh: `没有以 ${p} 开头的媒体文件编号。` });
    if (ids.length > 1) throw new GovpubError('ambiguous_id', `More than one media id starts with ${p}; give more digits.`, { status: 409 });
    return ids[0]!;
  }

  async get(id: string): Promise<MediaDetail> {
    const row = await mediaOr404(this.ctx.db, id);
    const [rows, jobs, prepared] = await Promise.all([
      renditionsOf(this.ctx.db, id),
      jobsOf(this.ctx.db, [id], 20),
      renditionsPreparedByDeliveries(this.files, id),
    ]);
    // Jobs' renditions, then the files deliveries made that no job did (a photo's, made by its transmit).
    const renditions = rows.map(toRenditionView);
    const listed = new Set(renditions.map((r) => `${r.specKey} ${r.sha256}`));
    renditions.push(...prepared.filter((r) => !listed.has(`${r.specKey} ${r.sha256}`)));
    renditions.sort((a, b) => a.specKey.localeCompare(b.specKey));
    return { ...toMediaView(row), renditions, jobs: jobs.map(toJobView) };
  }

  /** One page of the library, newest first; `nextCursor` continues after it (null at the end). */
  async list(options: { limit?: number; kind?: string; cursor?: string } = {}): Promise<{ media: MediaView[]; nextCursor: string | null }> {
    const limit = Math.min(Math.max(options.limit ?? 100, 1), 1000);
    const rows = await selectMedia(this.ctx.db, {
      kind: options.kind as MediaKind | undefined,
      limit: limit + 1,
      after: options.cursor === undefined ? undefined : decodeCursor(options.cursor),
    });
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      media: page.map((row) => ({ ...toMediaView(row), createdByName: row.created_by_name })),
      nextCursor: rows.length > limit && last ? encodeCursor({ at: last.page_key, id: last.id }) : null,
    };
  }

  async getJob(jobId: string): Promise<MediaJobView> {
    const row = await findJob(this.ctx.db, jobId);
    if (!row) throw new GovpubError('not_found', `No media job with id ${jobId}.`, { status: 404 }, { zh: `找不到编号为 ${jobId} 的转码任务。` });
    return toJobView(row);
  }

  /**
   * Starts a rendition job (the media-renditions workflow). Specs the original cannot serve are
   * refused before any work, all at once, with the reason for each; an identical job still
   * running is returned instead of starting a second one.
   */
  async requestRenditions(id: string, request: RenditionRequest, by: Actor): Promise<{ job: MediaJobView; existing: boolean }> {
    requireAllowed(by, 'requestRenditions');
    const row = await mediaOr404(this.ctx.db, id);
    const { specs, channelId } = renditionSpecsFor(this.ctx.registry, row, request ?? {});
    const probe = row.probe as unknown as ProbeResult;
    const label = row.upload_name ?? `upload ${id.slice(0, 12)}`;
    const problems = preflight(probe, specs, label).map((p) => ({
      spec: p.specKey,
      code: p.error.code,
      message: p.error.message,
      messageZh: p.error.messageZh,
    }));
    const todo = specs.filter((s) => !problems.some((p) => p.spec === s.key)).map((s) => s.key);
    if (todo.length === 0) {
      throw new GovpubError(
        'media_renditions_impossible',
        `None of the requested renditions can be made from ${label}:\n${problems.map((p) => `  - ${p.spec}: ${p.message}`).join('\n')}`,
        { status: 422, problems },
      );
    }

    await this.#checkOwner(request.owner);
    const specsJson = JSON.stringify(todo);
    const running = await unfinishedJobLike(this.ctx.db, id, specsJson, channelId);
    if (running) {
      // A process that died between recording the job and starting its workflow left a job no
      // workflow runs: this request starts it (under the job's own workflow id, so only once).
      const workflowId = running.workflow_id ?? mediaJobWorkflowId(running.id);
      if (!(await this.#workflowRunning(workflowId))) await this.#startJobWorkflow(workflowId, this.#jobInput(running.id, id, todo, channelId, request));
      return { job: await this.getJob(running.id), existing: true };
    }

    const jobId = `mj-${new Date().toISOString().slice(0, 10).replaceAll('-', '')}-${randomBytes(5).toString('hex')}`;
    const workflowId = mediaJobWorkflowId(jobId);
    await insertJob(this.ctx.db, {
      id: jobId,
      media_id: id,
      specs: specsJson,
      channel_id: channelId ?? null,
      problems: JSON.stringify(problems),
      workflow_id: workflowId,
      owner: JSON.stringify(request.owner ?? {}),
      requested_by: by.id,
    });
    await this.#startJobWorkflow(workflowId, this.#jobInput(jobId, id, todo, channelId, request));
    return { job: await this.getJob(jobId), existing: false };
  }

  #jobInput(jobId: string, mediaId: string, specs: string[], channelId: string | undefined, request: RenditionRequest): MediaRenditionsInput {
    return {
      jobId,
      mediaId,
      specs,
      ...(channelId ? { channelId } : {}),
      watermark: request.watermark !== false,
      activityTaskQueue: mediaTaskQueue(this.ctx.taskQueue),
      ...(this.options.heartbeatTimeoutSec ? { heartbeatTimeoutSec: this.options.heartbeatTimeoutSec } : {}),
      ...(this.options.concurrency ? { concurrency: this.options.concurrency } : {}),
    };
  }

  /** Starts a job's workflow; one already started under that id is the job's (a second request raced this one). */
  async #startJobWorkflow(workflowId: string, input: MediaRenditionsInput): Promise<void> {
    try {
      await this.ctx.temporal.workflow.start(mediaRenditionsWorkflow, { workflowId, taskQueue: this.ctx.taskQueue, args: [input] });
    } catch (error) {
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) {
        await failJob(this.ctx.db, input.jobId, `Could not start the rendition job: ${(error as Error).message}`);
        throw error;
      }
    }
  }

  /** Whether a job's workflow is running (not: never started, or closed while its record says otherwise). */
  async #workflowRunning(workflowId: string): Promise<boolean> {
    try {
      return (await this.ctx.temporal.workflow.getHandle(workflowId).describe()).status.name === 'RUNNING';
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return false;
      throw error;
    }
  }

  /** Cancels a job: its running transcode is stopped (ffmpeg killed). Waits briefly for that. */
  async cancelJob(jobId: string, by: Actor, waitMs = 10_000): Promise<MediaJobView> {
    requireAllowed(by, 'cancelRenditionJob');
    const job = await this.getJob(jobId);
    if (TERMINAL.has(job.state)) {
      throw new GovpubError('media_job_finished', `Job ${jobId} has already finished (${job.state}); there is nothing to cancel.`, { status: 409 });
    }
    await updateUnfinishedJob(this.ctx.db, jobId, { error: `Cancelled by ${by.name} at ${chinaTimeToSecond(new Date().toISOString())} (Beijing time).` });
    const handle = this.ctx.temporal.workflow.getHandle(job.workflowId ?? mediaJobWorkflowId(jobId));
    let workflowClosed = false;
    try {
      await handle.cancel();
    } catch (error) {
      if (!(error instanceof WorkflowNotFoundError)) throw error;
      // No workflow (it never started or is long gone): the record is all there is.
      await updateUnfinishedJob(this.ctx.db, jobId, { state: 'canceled', current_spec: null, finished: true });
      workflowClosed = true;
    }
    // The job records "canceled" a moment before its workflow closes: "canceled" in the answer
    // means both, so a caller that looks at the workflow next finds it closed too.
    const deadline = Date.now() + waitMs;
    let view = await this.getJob(jobId);
    for (;;) {
      if (TERMINAL.has(view.state) && !workflowClosed) {
        workflowClosed = await handle.describe().then(
          (d) => d.status.name !== 'RUNNING',
          (error: unknown) => error instanceof WorkflowNotFoundError,
        );
      }
      if ((TERMINAL.has(view.state) && workflowClosed) || Date.now() >= deadline) return view;
      await new Promise((r) => setTimeout(r, 100));
      view = await this.getJob(jobId);
    }
  }

  /**
   * The owner a job is requested for names a package and one of its deliveries that exist: a typo
   * stored there tied the job to nothing, and another package's id tied it to that package.
   */
  async #checkOwner(owner: RenditionRequest['owner']): Promise<void> {
    const refuse = (path: string, message: string, messageZh: string) =>
      new GovpubError('invalid_body', `${path}: ${message}`, { status: 400, issues: [{ path, message, messageZh }] }, { zh: `${path}：${messageZh}` });
    const packageId = owner?.packageId;
    if (packageId !== undefined) {
      const found = await this.ctx.db.selectFrom('packages').select('id').where('id', '=', packageId).executeTakeFirst();
      if (!found)
        throw refuse(
          'owner.packageId',
          `no package has the id ${JSON.stringify(packageId)}; give the id of the package the renditions are for, or leave owner out`,
          `没有编号为 ${JSON.stringify(packageId)} 的稿件；请填写转码所属稿件的编号，或不填 owner`,
        );
    }
    const key = owner?.deliveryKey;
    if (key !== undefined) {
      const delivery = await this.ctx.db.selectFrom('deliveries').select('package_id').where('business_key', '=', key).executeTakeFirst();
      if (!delivery)
        throw refuse(
          'owner.deliveryKey',
          `no delivery has the key ${JSON.stringify(key)}; give a delivery's businessKey (GET /api/deliveries), or leave it out`,
          `没有业务键为 ${JSON.stringify(key)} 的投递；请填写投递的 businessKey（GET /api/deliveries），或不填`,
        );
      if (packageId !== undefined && delivery.package_id !== packageId)
        throw refuse(
          'owner.deliveryKey',
          `the delivery ${JSON.stringify(key)} belongs to package ${delivery.package_id}, not to ${packageId}`,
          `投递 ${JSON.stringify(key)} 属于稿件 ${delivery.package_id}，不属于 ${packageId}`,
        );
    }
  }

  /**
   * Cancels every unfinished job requested for an owner (e.g. a package whose release was
   * cancelled): their transcodes stop. Returns the jobs asked to stop.
   */
  async cancelForOwner(owner: { packageId?: string; deliveryKey?: string }, reason: string): Promise<string[]> {
    if (!owner.packageId && !owner.deliveryKey) return [];
    const jobs = await unfinishedJobsOwnedBy(this.ctx.db, owner);
    for (const job of jobs) {
      await updateUnfinishedJob(this.ctx.db, job.id, { error: `Cancelled: ${reason}` });
      await this.ctx.temporal.workflow
        .getHandle(job.workflow_id ?? mediaJobWorkflowId(job.id))
        .cancel()
        .catch((error: unknown) => {
          if (!(error instanceof WorkflowNotFoundError)) throw error;
        });
    }
    return jobs.map((j) => j.id);
  }

  /** Progress of the given media items' jobs (for package views): one entry per id that exists. */
  async progressFor(mediaIds: string[]): Promise<Record<string, MediaProgress>> {
    const ids = [...new Set(mediaIds.filter((id) => /^[0-9a-f]{64}$/.test(id)))];
    const out: Record<string, MediaProgress> = {};
    if (ids.length === 0) return out;
    const rows = await jobsOf(this.ctx.db, ids);
    for (const id of (await mediaKinds(this.ctx.db, ids)).keys()) out[id] = { mediaId: id, state: null, progress: 0, jobs: [] };
    for (const row of rows) {
      const entry = out[row.media_id];
      if (!entry) continue;
      const job = toJobView(row);
      if (entry.jobs.length === 0) {
        entry.state = job.state;
        entry.progress = job.progress;
      }
      entry.jobs.push({
        id: job.id,
        state: job.state,
        progress: job.progress,
        currentSpec: job.currentSpec,
        specs: job.specs,
        error: job.error,
        updatedAt: job.updatedAt,
      });
    }
    return out;
  }

  /** Opens a stored blob, whole or a byte range (`end` inclusive, already checked against `info.size`). */
  async openBlob(info: BlobInfo, range?: { start: number; end: number }): Promise<Readable> {
    assertSha256(info.sha256);
    return this.store.createReadStream(info.sha256, range ? { start: range.start, end: range.end } : {});
  }

  /** What GET /api/media/:id/content serves: the original's hash, size, type and file name. */
  async describeOriginal(id: string): Promise<BlobInfo> {
    return describeOriginal(this.files, id);
  }

  /**
   * The rendition file GET /api/media/:id/renditions/:spec serves (see media-files.ts for which
   * one), with the file name it is served under.
   */
  async describeRendition(id: string, specKey: string, options: { channel?: string } = {}): Promise<{ file: RenditionFile; fileName: string }> {
    return describeRendition(this.files, id, specKey, options);
  }

  /** The original as a stream (for callers that do not serve ranges). */
  async openOriginal(id: string): Promise<OpenedMedia> {
    const info = await this.describeOriginal(id);
    return { ...info, stream: await this.openBlob(info) };
  }

  async openRendition(id: string, specKey: string, options: { channel?: string } = {}): Promise<OpenedMedia> {
    const { file, fileName } = await this.describeRendition(id, specKey, options);
    const info = { sha256: file.sha256, size: (await this.store.stat(file.sha256))?.size ?? file.sizeBytes, mime: file.mime, fileName };
    return { ...info, stream: await this.openBlob(info) };
  }
}
