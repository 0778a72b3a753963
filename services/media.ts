/**
 * Media operations shared by the API and the CLI: upload (streamed into the content-addressed
 * store, probed, recorded), renditions requested as Temporal jobs, their progress, and reading
 * originals and renditions back.
 *
 * Uploads never sit whole in memory: bytes flow from the request (or file) through a hashing meter
 * into the store. The first bytes decide the limit (an image is refused past the image limit, not
 * the 4 GB video one) and refuse what is not media at all before the rest is read.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import { sql } from 'kysely';
import type { Settings } from '../config/settings.js';
import type { MediaJobRow, MediaRenditionRow, MediaRow } from '../db/schema.js';
import { GovpubError } from '../domain/errors.js';
import { unsafeTextProblem } from '../domain/text.js';
import type { Actor } from '../domain/package-rules.js';
import { requireAllowed } from '../domain/commands.js';
import { findChannel, PLATFORMS, type Platform } from '../domain/registry.js';
import { DEFAULT_UPLOAD_LIMITS, sniff, type MediaKind, type ProbeResult } from '../media/probe.js';
import type { WatermarkOptions } from '../media/image.js';
import { findCachedRendition, ingestUpload, preflight, type Rendition } from '../media/renditions.js';
import { getSpec, renditionsFor, type RenditionSpec } from '../media/specs.js';
import { assertSha256, LocalMediaStore, type MediaStore } from '../media/store.js';
import { formatBytes } from '../media/units.js';
import { mediaRenditionsWorkflow } from '../workflows/media-renditions.js';
import { mediaJobWorkflowId, mediaTaskQueue, type MediaRenditionsInput } from '../contracts/media.js';
import type { AppContext } from './context.js';

/** HTTP status for the media module's refusals (everything else keeps the API's default). */
const STATUS_BY_MEDIA_CODE: Record<string, number> = {
  media_empty: 400,
  media_corrupt: 400,
  media_bad_hash: 400,
  media_unknown_spec: 400,
  media_unknown_platform: 400,
  media_too_large: 413,
  media_unsupported: 415,
  media_not_found: 404,
  media_upload_failed: 400,
};

function withStatus(error: unknown): unknown {
  if (error instanceof GovpubError && STATUS_BY_MEDIA_CODE[error.code] && (error.details as { status?: number }).status === undefined) {
    return new GovpubError(error.code, error.message, { ...error.details, status: STATUS_BY_MEDIA_CODE[error.code] });
  }
  return error;
}

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

export interface MediaView {
  id: string;
  kind: MediaKind;
  mime: string;
  format: string;
  sizeBytes: number;
  width: number | null;
  height: number | null;
  durationSec: number | null;
  uploadName: string | null;
  createdBy: string;
  createdAt: string;
  /** Where the original is served (HTML refers to images by this path). */
  contentUrl: string;
  probe: {
    videoCodec?: string;
    audioCodec?: string;
    fps?: number;
    hasAudio?: boolean;
    hasAlpha?: boolean;
    animated?: boolean;
    hasExif?: boolean;
    hasGps?: boolean;
  };
}

export interface RenditionView {
  specKey: string;
  sha256: string;
  mime: string;
  sizeBytes: number;
  width: number | null;
  height: number | null;
  durationSec: number | null;
  watermarked: boolean;
  channelId: string | null;
  warnings: string[];
  url: string;
  createdAt: string;
}

export interface MediaJobView {
  id: string;
  mediaId: string;
  state: MediaJobRow['state'];
  progress: number;
  currentSpec: string | null;
  specs: string[];
  specProgress: Record<string, number>;
  channelId: string | null;
  /** Per spec: the rendition made ({ok: true, sha256, …}) or why not ({ok: false, code, message}). */
  results: Record<string, unknown>;
  /** Specs refused before any work, with the reason. */
  problems: { spec: string; code: string; message: string }[];
  error: string | null;
  workflowId: string | null;
  owner: { packageId?: string; deliveryKey?: string };
  requestedBy: string;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
}

export interface MediaDetail extends MediaView {
  renditions: RenditionView[];
  jobs: MediaJobView[];
}

/** Progress of a media item's jobs, for package views. */
export interface MediaProgress {
  mediaId: string;
  /** The most recent job's state, or null when none was requested. */
  state: MediaJobRow['state'] | null;
  progress: number;
  jobs: Pick<MediaJobView, 'id' | 'state' | 'progress' | 'currentSpec' | 'specs' | 'error' | 'updatedAt'>[];
}

export interface RenditionRequest {
  platforms?: string[];
  specs?: string[];
  /** A channel id: its platform's renditions (when no platforms/specs) and its watermark. */
  channel?: string;
  /** false: no watermark even where the channel has one. */
  watermark?: boolean;
  owner?: { packageId?: string; deliveryKey?: string };
}

export interface BlobInfo {
  sha256: string;
  size: number;
  mime: string;
  /** File name for Content-Disposition (the editor's upload name). */
  fileName: string;
}

export interface OpenedMedia extends BlobInfo {
  stream: Readable;
}

const TERMINAL = new Set(['done', 'failed', 'canceled']);
const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

function toMediaView(row: MediaRow): MediaView {
  const p = row.probe as Partial<ProbeResult>;
  const pick = <K extends keyof ProbeResult>(...keys: K[]) => Object.fromEntries(keys.filter((k) => p[k] !== undefined).map((k) => [k, p[k]]));
  return {
    id: row.id,
    kind: row.kind,
    mime: row.mime,
    format: row.format,
    sizeBytes: Number(row.size_bytes),
    width: row.width,
    height: row.height,
    durationSec: row.duration_sec,
    uploadName: row.upload_name,
    createdBy: row.created_by,
    createdAt: iso(row.created_at)!,
    contentUrl: `/api/media/${row.id}/content`,
    probe: pick('videoCodec', 'audioCodec', 'fps', 'hasAudio', 'hasAlpha', 'animated', 'hasExif', 'hasGps'),
  };
}

function toRenditionView(row: MediaRenditionRow): RenditionView {
  return {
    specKey: row.spec_key,
    sha256: row.sha256,
    mime: row.mime,
    sizeBytes: Number(row.size_bytes),
    width: row.width,
    height: row.height,
    durationSec: row.duration_sec,
    watermarked: row.watermarked,
    channelId: row.channel_id,
    warnings: row.warnings,
    url: `/api/media/${row.media_id}/renditions/${row.spec_key}${row.channel_id ? `?channel=${encodeURIComponent(row.channel_id)}` : ''}`,
    createdAt: iso(row.created_at)!,
  };
}

export function toJobView(row: MediaJobRow): MediaJobView {
  return {
    id: row.id,
    mediaId: row.media_id,
    state: row.state,
    progress: row.progress,
    currentSpec: row.current_spec,
    specs: row.specs,
    specProgress: row.spec_progress,
    channelId: row.channel_id,
    results: row.results,
    problems: row.problems,
    error: row.error,
    workflowId: row.workflow_id,
    owner: row.owner,
    requestedBy: row.requested_by,
    createdAt: iso(row.created_at)!,
    updatedAt: iso(row.updated_at)!,
    finishedAt: iso(row.finished_at),
  };
}

/** Extensions that name the same format. */
const SAME_EXT: Record<string, string> = { jpeg: 'jpg', jpe: 'jpg', tiff: 'tif', qt: 'mov', m4v: 'mp4', heif: 'heic' };
const normExt = (e: string) => SAME_EXT[e] ?? e;

/** Reads the first `n` bytes of a stream (or all of it if shorter) without losing the rest. */
async function splitHead(
  source: NodeJS.ReadableStream | AsyncIterable<Uint8Array>,
  n: number,
): Promise<{ head: Buffer; rest: AsyncIterable<Uint8Array>; iterator: AsyncIterator<Uint8Array> }> {
  const iterator = (source as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
  const chunks: Buffer[] = [];
  let size = 0;
  let done = false;
  while (size < n) {
    const next = await iterator.next();
    if (next.done) {
      done = true;
      break;
    }
    const chunk = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value);
    chunks.push(chunk);
    size += chunk.length;
  }
  const head = Buffer.concat(chunks);
  async function* rest(): AsyncIterable<Uint8Array> {
    try {
      if (head.length) yield head;
      if (done) return;
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
    } finally {
      // Stopped early (over the limit, aborted): release the source too.
      if (!done) await iterator.return?.();
    }
  }
  return { head, rest: rest(), iterator };
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
    input: { uploadName?: string; createdBy: Actor; limits?: Partial<Record<MediaKind, number>>; signal?: AbortSignal },
  ): Promise<{ media: MediaView; created: boolean; warnings: string[] }> {
    requireAllowed(input.createdBy, 'uploadMedia');
    // The name is stored and sent back in headers: refused before a byte is stored, like any text field.
    const nameProblem = input.uploadName === undefined ? null : unsafeTextProblem(input.uploadName);
    if (nameProblem) {
      throw new GovpubError('invalid_file_name', `The file name ${nameProblem}. Rename the file and upload it again.`, {
        status: 400,
        issues: [{ path: 'file', message: `the file name ${nameProblem}` }],
      });
    }
    const uploadName = input.uploadName?.trim() ? path.basename(input.uploadName.trim()) : undefined;
    const label = uploadName ?? 'The upload';
    const limits = { ...this.limits, ...input.limits };
    try {
      // The first bytes say what the file is: refuse non-media now, and pick the kind's limit.
      const { head, rest, iterator } = await splitHead(source, 4096);
      const sniffed = sniff(head);
      if (head.length > 0 && sniffed.family === 'unsupported') {
        await iterator.return?.();
        if (typeof (source as Readable).destroy === 'function') (source as Readable).destroy();
        throw new GovpubError('media_unsupported', `${label} is ${sniffed.what}, not a supported image, audio or video file. ${sniffed.hint}`, {
          label,
          detected: sniffed.what,
        });
      }
      const family = sniffed.family === 'image' ? 'image' : 'av';
      const maxBytes = family === 'image' ? limits.image : Math.max(limits.audio, limits.video);
      const limitName = family === 'image' ? "govpub's image uploads" : `govpub's ${limits.video >= limits.audio ? 'video' : 'audio'} uploads`;
      const result = await ingestUpload(this.store, rest, {
        label,
        maxBytes,
        limitName,
        signal: input.signal,
        probe: { maxBytes: limits },
      });
      const probe = result.probe;
      const inserted = await this.ctx.db
        .insertInto('media')
        .values({
          id: result.sha256,
          kind: probe.kind,
          mime: probe.mime,
          format: probe.format,
          size_bytes: result.size,
          width: probe.width ?? null,
          height: probe.height ?? null,
          duration_sec: probe.durationSec ?? null,
          upload_name: uploadName ?? null,
          probe: JSON.stringify(probe),
          created_by: input.createdBy.id,
        })
        .onConflict((oc) => oc.column('id').doNothing())
        .returning('id')
        .executeTakeFirst();
      const row = await this.ctx.db.selectFrom('media').selectAll().where('id', '=', result.sha256).executeTakeFirstOrThrow();

      const warnings: string[] = [];
      const ext = uploadName && uploadName.includes('.') ? uploadName.split('.').pop()!.toLowerCase() : undefined;
      if (ext && normExt(ext) !== normExt(probe.extension)) {
        warnings.push(
          `${uploadName} is really ${probe.format.toUpperCase()} (${probe.mime}), whatever its name says; it is stored and used as ${probe.format.toUpperCase()}.`,
        );
      }
      if (probe.hasGps) warnings.push(`${label} carries a GPS location in its EXIF data; published renditions never do (metadata is stripped).`);
      if (!inserted)
        warnings.push(
          `The same file was uploaded before${row.upload_name && row.upload_name !== uploadName ? ` as ${row.upload_name}` : ''}; nothing new was stored.`,
        );
      return { media: toMediaView(row), created: !!inserted, warnings };
    } catch (error) {
      throw withStatus(error);
    }
  }

  private async row(id: string): Promise<MediaRow> {
    const row = /^[0-9a-f]{64}$/.test(id) ? await this.ctx.db.selectFrom('media').selectAll().where('id', '=', id).executeTakeFirst() : undefined;
    if (!row) throw new GovpubError('not_found', `No media with id ${id}. Upload it with POST /api/media or \`govpub media add FILE\`.`, { status: 404 });
    return row;
  }

  /** A full id from an id or a unique prefix of at least 6 hex digits (for the CLI). */
  async resolveId(idOrPrefix: string): Promise<string> {
    const p = idOrPrefix.trim().toLowerCase();
    if (/^[0-9a-f]{64}$/.test(p)) return p;
    if (!/^[0-9a-f]{6,63}$/.test(p))
      throw new GovpubError('not_found', `"${idOrPrefix}" is not a media id (64 hex digits, or a unique prefix of at least 6).`, { status: 404 });
    const rows = await this.ctx.db.selectFrom('media').select('id').where('id', 'like', `${p}%`).limit(3).execute();
    if (rows.length === 0) throw new GovpubError('not_found', `No media id starts with ${p}.`, { status: 404 });
    if (rows.length > 1) throw new GovpubError('ambiguous_id', `More than one media id starts with ${p}; give more digits.`, { status: 409 });
    return rows[0]!.id;
  }

  async get(id: string): Promise<MediaDetail> {
    const row = await this.row(id);
    const [renditions, jobs] = await Promise.all([
      this.ctx.db.selectFrom('media_renditions').selectAll().where('media_id', '=', id).orderBy('spec_key').orderBy('updated_at', 'desc').execute(),
      this.ctx.db.selectFrom('media_jobs').selectAll().where('media_id', '=', id).orderBy('created_at', 'desc').limit(20).execute(),
    ]);
    return { ...toMediaView(row), renditions: renditions.map(toRenditionView), jobs: jobs.map(toJobView) };
  }

  async list(options: { limit?: number; kind?: string } = {}): Promise<MediaView[]> {
    let q = this.ctx.db
      .selectFrom('media')
      .selectAll()
      .orderBy('created_at', 'desc')
      .limit(Math.min(Math.max(options.limit ?? 100, 1), 1000));
    if (options.kind) q = q.where('kind', '=', options.kind as MediaKind);
    return (await q.execute()).map(toMediaView);
  }

  async getJob(jobId: string): Promise<MediaJobView> {
    const row = await this.ctx.db.selectFrom('media_jobs').selectAll().where('id', '=', jobId).executeTakeFirst();
    if (!row) throw new GovpubError('not_found', `No media job with id ${jobId}.`, { status: 404 });
    return toJobView(row);
  }

  /** Which specs a request means, for this original. */
  private specsFor(row: MediaRow, request: RenditionRequest): { specs: RenditionSpec[]; channelId?: string } {
    let channelId: string | undefined;
    let channelPlatform: Platform | undefined;
    if (request.channel !== undefined) {
      const channel = typeof request.channel === 'string' ? findChannel(this.ctx.registry, request.channel) : undefined;
      if (!channel) {
        throw new GovpubError('invalid_body', `channel: no channel "${String(request.channel)}" (see GET /api/channels).`, {
          status: 400,
          issues: [{ path: 'channel', message: 'unknown channel' }],
        });
      }
      channelId = channel.id;
      channelPlatform = channel.platform;
    }
    const specs: RenditionSpec[] = [];
    const issues: { path: string; message: string }[] = [];
    if (request.platforms !== undefined && !Array.isArray(request.platforms))
      issues.push({ path: 'platforms', message: 'expected an array of platform names' });
    if (request.specs !== undefined && !Array.isArray(request.specs)) issues.push({ path: 'specs', message: 'expected an array of rendition keys' });
    for (const [i, p] of (Array.isArray(request.platforms) ? request.platforms : []).entries()) {
      if (typeof p !== 'string' || !(PLATFORMS as readonly string[]).includes(p)) {
        issues.push({ path: `platforms[${i}]`, message: `expected one of ${PLATFORMS.join(', ')}` });
        continue;
      }
      const forKind = renditionsFor(p as Platform, row.kind);
      if (forKind.length === 0) issues.push({ path: `platforms[${i}]`, message: `${p} takes no renditions of ${row.kind} originals` });
      specs.push(...forKind);
    }
    for (const [i, key] of (Array.isArray(request.specs) ? request.specs : []).entries()) {
      try {
        specs.push(getSpec(String(key)));
      } catch {
        issues.push({ path: `specs[${i}]`, message: `unknown rendition "${String(key)}" (keys look like wechat_oa.thumb, douyin.video_720)` });
      }
    }
    if (issues.length) {
      throw new GovpubError('invalid_body', issues.map((i) => `${i.path}: ${i.message}`).join('; '), { status: 400, issues });
    }
    if (specs.length === 0 && channelPlatform) specs.push(...renditionsFor(channelPlatform, row.kind));
    if (specs.length === 0) {
      throw new GovpubError(
        'invalid_body',
        'Say which renditions to make: platforms (e.g. ["wechat_oa", "douyin"]), specs (e.g. ["douyin.video_720"]) or a channel.',
        {
          status: 400,
          issues: [{ path: 'platforms', message: 'required unless specs or channel is given' }],
        },
      );
    }
    const unique = [...new Map(specs.map((s) => [s.key, s])).values()];
    return { specs: unique, ...(channelId ? { channelId } : {}) };
  }

  /**
   * Starts a rendition job (the media-renditions workflow). Specs the original cannot serve are
   * refused before any work, all at once, with the reason for each; an identical job still
   * running is returned instead of starting a second one.
   */
  async requestRenditions(id: string, request: RenditionRequest, by: Actor): Promise<{ job: MediaJobView; existing: boolean }> {
    requireAllowed(by, 'requestRenditions');
    const row = await this.row(id);
    const { specs, channelId } = this.specsFor(row, request ?? {});
    const probe = row.probe as unknown as ProbeResult;
    const label = row.upload_name ?? `upload ${id.slice(0, 12)}`;
    const problems = preflight(probe, specs, label).map((p) => ({ spec: p.specKey, code: p.error.code, message: p.error.message }));
    const todo = specs.filter((s) => !problems.some((p) => p.spec === s.key)).map((s) => s.key);
    if (todo.length === 0) {
      throw new GovpubError(
        'media_renditions_impossible',
        `None of the requested renditions can be made from ${label}:\n${problems.map((p) => `  - ${p.spec}: ${p.message}`).join('\n')}`,
        { status: 422, problems },
      );
    }

    const specsJson = JSON.stringify(todo);
    const running = await this.ctx.db
      .selectFrom('media_jobs')
      .selectAll()
      .where('media_id', '=', id)
      .where('state', 'in', ['queued', 'running'])
      .where(sql<boolean>`specs = ${specsJson}::jsonb`)
      .where(channelId ? sql<boolean>`channel_id = ${channelId}` : sql<boolean>`channel_id is null`)
      .orderBy('created_at', 'desc')
      .executeTakeFirst();
    if (running) return { job: toJobView(running), existing: true };

    const jobId = `mj-${new Date().toISOString().slice(0, 10).replaceAll('-', '')}-${randomBytes(5).toString('hex')}`;
    const workflowId = mediaJobWorkflowId(jobId);
    await this.ctx.db
      .insertInto('media_jobs')
      .values({
        id: jobId,
        media_id: id,
        specs: specsJson,
        channel_id: channelId ?? null,
        problems: JSON.stringify(problems),
        workflow_id: workflowId,
        owner: JSON.stringify(request.owner ?? {}),
        requested_by: by.id,
      })
      .execute();
    const input: MediaRenditionsInput = {
      jobId,
      mediaId: id,
      specs: todo,
      ...(channelId ? { channelId } : {}),
      watermark: request.watermark !== false,
      activityTaskQueue: mediaTaskQueue(this.ctx.taskQueue),
      ...(this.options.heartbeatTimeoutSec ? { heartbeatTimeoutSec: this.options.heartbeatTimeoutSec } : {}),
      ...(this.options.concurrency ? { concurrency: this.options.concurrency } : {}),
    };
    try {
      await this.ctx.temporal.workflow.start(mediaRenditionsWorkflow, { workflowId, taskQueue: this.ctx.taskQueue, args: [input] });
    } catch (error) {
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) {
        await this.ctx.db
          .updateTable('media_jobs')
          .set({ state: 'failed', error: `Could not start the rendition job: ${(error as Error).message}`, finished_at: new Date(), updated_at: new Date() })
          .where('id', '=', jobId)
          .execute();
        throw error;
      }
    }
    return { job: await this.getJob(jobId), existing: false };
  }

  /** Cancels a job: its running transcode is stopped (ffmpeg killed). Waits briefly for that. */
  async cancelJob(jobId: string, by: Actor, waitMs = 10_000): Promise<MediaJobView> {
    requireAllowed(by, 'cancelRenditionJob');
    const job = await this.getJob(jobId);
    if (TERMINAL.has(job.state)) {
      throw new GovpubError('media_job_finished', `Job ${jobId} has already finished (${job.state}); there is nothing to cancel.`, { status: 409 });
    }
    await this.ctx.db
      .updateTable('media_jobs')
      .set({ error: `Cancelled by ${by.name} at ${new Date().toISOString()}.`, updated_at: new Date() })
      .where('id', '=', jobId)
      .where('state', 'in', ['queued', 'running'])
      .execute();
    try {
      await this.ctx.temporal.workflow.getHandle(job.workflowId ?? mediaJobWorkflowId(jobId)).cancel();
    } catch (error) {
      if (!(error instanceof WorkflowNotFoundError)) throw error;
      // No workflow (it never started or is long gone): the record is all there is.
      await this.ctx.db
        .updateTable('media_jobs')
        .set({ state: 'canceled', current_spec: null, finished_at: new Date(), updated_at: new Date() })
        .where('id', '=', jobId)
        .where('state', 'in', ['queued', 'running'])
        .execute();
    }
    const deadline = Date.now() + waitMs;
    let view = await this.getJob(jobId);
    while (!TERMINAL.has(view.state) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      view = await this.getJob(jobId);
    }
    return view;
  }

  /**
   * Cancels every unfinished job requested for an owner (e.g. a package whose release was
   * cancelled): their transcodes stop. Returns the jobs asked to stop.
   */
  async cancelForOwner(owner: { packageId?: string; deliveryKey?: string }, reason: string): Promise<string[]> {
    let q = this.ctx.db.selectFrom('media_jobs').select(['id', 'workflow_id']).where('state', 'in', ['queued', 'running']);
    if (owner.packageId) q = q.where(sql<boolean>`owner->>'packageId' = ${owner.packageId}`);
    if (owner.deliveryKey) q = q.where(sql<boolean>`owner->>'deliveryKey' = ${owner.deliveryKey}`);
    if (!owner.packageId && !owner.deliveryKey) return [];
    const jobs = await q.execute();
    for (const job of jobs) {
      await this.ctx.db
        .updateTable('media_jobs')
        .set({ error: `Cancelled: ${reason}`, updated_at: new Date() })
        .where('id', '=', job.id)
        .where('state', 'in', ['queued', 'running'])
        .execute();
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
    const rows = await this.ctx.db.selectFrom('media_jobs').selectAll().where('media_id', 'in', ids).orderBy('created_at', 'desc').execute();
    const known = await this.ctx.db.selectFrom('media').select('id').where('id', 'in', ids).execute();
    for (const { id } of known) out[id] = { mediaId: id, state: null, progress: 0, jobs: [] };
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
    const row = await this.row(id);
    const stat = await this.store.stat(id);
    if (!stat) {
      throw new GovpubError(
        'media_not_found',
        `The original of media ${id} is missing from the media store (${formatBytes(Number(row.size_bytes))} expected); upload the file again.`,
        { status: 404 },
      );
    }
    const fileName = row.upload_name ?? `${id.slice(0, 12)}.${(row.probe as unknown as ProbeResult).extension ?? 'bin'}`;
    return { sha256: id, size: stat.size, mime: row.mime, fileName };
  }

  /**
   * A rendition's file: the one a job made for `channel` when there is one, else the latest; else
   * the one a delivery to `channel` prepared (with the channel's watermark), else an unmarked one.
   */
  async describeRendition(id: string, specKey: string, options: { channel?: string } = {}): Promise<BlobInfo & { rendition: RenditionView }> {
    const media = await this.row(id);
    getSpecOr404(specKey);
    let q = this.ctx.db.selectFrom('media_renditions').selectAll().where('media_id', '=', id).where('spec_key', '=', specKey);
    if (options.channel) q = q.orderBy(sql`(channel_id = ${options.channel}) desc nulls last`);
    const row = (await q.orderBy('updated_at', 'desc').executeTakeFirst()) ?? (await this.deliveryRendition(media, specKey, options.channel));
    if (!row) {
      throw new GovpubError(
        'not_found',
        `No ${specKey} rendition of media ${id} has been made yet. Request it with POST /api/media/${id}/renditions {"specs": ["${specKey}"]}.`,
        { status: 404 },
      );
    }
    const stat = await this.store.stat(row.sha256);
    if (!stat)
      throw new GovpubError('media_not_found', `The ${specKey} rendition of media ${id} is missing from the media store; request it again.`, { status: 404 });
    const ext = row.mime === 'audio/mp4' ? 'm4a' : row.mime === 'audio/mpeg' ? 'mp3' : row.mime === 'image/jpeg' ? 'jpg' : (row.mime.split('/')[1] ?? 'bin');
    const base = media.upload_name?.replace(/\.[^.]*$/, '') || id.slice(0, 12);
    return { sha256: row.sha256, size: stat.size, mime: row.mime, fileName: `${base}.${specKey}.${ext}`, rendition: toRenditionView(row) };
  }

  /** A rendition a delivery prepared (media store cache, not recorded in media_renditions), as a row. */
  private async deliveryRendition(media: MediaRow, specKey: string, channelId: string | undefined): Promise<MediaRenditionRow | undefined> {
    const channel = channelId ? findChannel(this.ctx.registry, channelId) : undefined;
    const watermark = channel && this.options.watermarkFor ? await this.options.watermarkFor({ platform: channel.platform, channelId: channel.id }) : undefined;
    const marked = watermark ? await findCachedRendition(this.store, media.id, specKey, watermark).catch(() => null) : null;
    const found: Rendition | null = marked ?? (await findCachedRendition(this.store, media.id, specKey).catch(() => null));
    if (!found) return undefined;
    const spec = getSpec(specKey);
    const watermarked = marked !== null && 'watermark' in spec && spec.watermark === true;
    return {
      media_id: media.id,
      spec_key: specKey,
      cache_key: '',
      sha256: found.sha256,
      mime: found.mime,
      size_bytes: found.sizeBytes,
      width: found.width ?? null,
      height: found.height ?? null,
      duration_sec: found.durationSec ?? null,
      watermarked,
      channel_id: channel?.id ?? null,
      warnings: found.warnings,
      created_at: new Date(found.createdAt),
      updated_at: new Date(found.createdAt),
    } as unknown as MediaRenditionRow;
  }

  /** The original as a stream (for callers that do not serve ranges). */
  async openOriginal(id: string): Promise<OpenedMedia> {
    const info = await this.describeOriginal(id);
    return { ...info, stream: await this.openBlob(info) };
  }

  async openRendition(id: string, specKey: string, options: { channel?: string } = {}): Promise<OpenedMedia> {
    const info = await this.describeRendition(id, specKey, options);
    return { sha256: info.sha256, size: info.size, mime: info.mime, fileName: info.fileName, stream: await this.openBlob(info) };
  }
}

function getSpecOr404(specKey: string): RenditionSpec {
  try {
    return getSpec(specKey);
  } catch (error) {
    throw new GovpubError('not_found', (error as Error).message, { status: 404 });
  }
}
