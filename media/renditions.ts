/**
 * The entry points the API and Temporal activities call:
 *
 *   ingestUpload(store, stream, opts)          store (streamed, hashed) + probe; refuses bad files
 *   probeStored(store, sha)                     probe result, cached per original
 *   preflight(probe, specs)                     every limit problem, before any work is done
 *   prepareRendition(store, sha, specKey, o)    one rendition, cached by (original × specHash)
 *   prepareRenditions(store, sha, platform, o)  all renditions a platform needs
 *
 * Cache: a small JSON record per (original hash × spec hash × watermark) in the store's records
 * (`renditions/<original sha>/<key>`), pointing at the rendition blob. Asking again reads that
 * record and checks the blob exists: no probe, no sharp, no ffmpeg. Identical specs on different
 * platforms (same specHash) share one rendition, and so do "fit inside" specs whose box holds the
 * whole original: each leaves it at its own size, so their bytes are the same (renditionCacheKey).
 */
import { createHash } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import type { RenditionFile } from '../contracts/media.js';
import { GovpubError } from '../domain/errors.js';
import { renderImageRendition, planSize, type WatermarkOptions } from './image.js';
import { abortError } from './process.js';
import { RENDITION_EXTENSIONS } from './published.js';
import { probeMedia, type MediaKind, type ProbeOptions, type ProbeResult } from './probe.js';
import { getSpec, platformNameZh, renditionsFor, specHash, stableHash, type ImageSpec, type PlatformId, type RenditionSpec } from './specs.js';
import type { MediaStore, PutOptions } from './store.js';
import { formatBytes, formatDuration, formatDurationZh } from './units.js';
import { ProgressReporter } from './ffmpeg.js';
import { extractPosterFrame, renderAudioRendition, renderVideoRendition } from './video.js';
import { transcodeGate, waitFor } from './transcode-slots.js';
import { checkSpec } from './video-plan.js';

/** What a rendition is: the facts its record (a JSON file beside it in the store) keeps. */
interface RenditionFacts extends RenditionFile {
  specHash: string;
  originalSha256: string;
  createdAt: string;
}

export interface Rendition extends RenditionFacts {
  /** Local path of the rendition file (from the store). */
  path: string;
  /** True when served from the cache without rendering. */
  cached: boolean;
}

export interface PrepareOptions {
  /** Percent 0–100, integer, increasing; 100 exactly once at the end (also on a cache hit). */
  onProgress?: (percent: number) => void;
  signal?: AbortSignal;
  /** The channel's watermark (from config); applied to specs that allow one. Part of the cache key. */
  watermark?: WatermarkOptions;
  /** Names the original in messages (the editor's file name). */
  label?: string;
  /** ffmpeg threads. */
  threads?: number;
  /** Called about every 10 s while a transcode waits for its turn (transcode-slots.ts), e.g. to heartbeat. */
  onWaiting?: () => void;
}

interface RenditionRecord extends RenditionFacts {
  version: 1;
}

// ---------------------------------------------------------------------------------------------
// Upload and probe

export interface IngestOptions extends PutOptions {
  /** Byte limits per kind for the probe (default: probe's DEFAULT_UPLOAD_LIMITS). */
  probe?: Omit<ProbeOptions, 'label' | 'signal'>;
}

export interface IngestResult {
  sha256: string;
  size: number;
  existed: boolean;
  probe: ProbeResult;
}

/**
 * Streams an upload into the store and probes it. A file that fails the probe (empty, corrupt,
 * unsupported, over a limit) is removed again and the GovpubError explains why.
 */
export async function ingestUpload(
  store: MediaStore,
  source: NodeJS.ReadableStream | AsyncIterable<Uint8Array>,
  opts: IngestOptions = {},
): Promise<IngestResult> {
  const put = await store.putStream(source, opts);
  try {
    // Always a fresh probe here: this upload's limits may be stricter than an earlier one's.
    const probe = await probeMedia(await store.getPath(put.sha256), {
      ...opts.probe,
      label: opts.label ?? `upload ${put.sha256.slice(0, 12)}`,
      signal: opts.signal,
    });
    const previous = put.existed ? await store.readRecord<ProbeResult>(`probes/${put.sha256}`) : null;
    const uploadName = previous?.uploadName ?? opts.label;
    const record: ProbeResult = uploadName ? { ...probe, uploadName } : probe;
    await store.writeRecord(`probes/${put.sha256}`, record);
    return { ...put, probe: record };
  } catch (err) {
    if (!put.existed) await store.delete(put.sha256);
    throw err;
  }
}

/** Probes a stored original once; the result is kept as a record next to it. */
export async function probeStored(store: MediaStore, sha256: string, opts: ProbeOptions = {}): Promise<ProbeResult> {
  const name = `probes/${sha256}`;
  const cached = await store.readRecord<ProbeResult>(name);
  if (cached) return cached;
  const probe = await probeMedia(await store.getPath(sha256), { ...opts, label: opts.label ?? `upload ${sha256.slice(0, 12)}` });
  await store.writeRecord(name, probe);
  return probe;
}

// ---------------------------------------------------------------------------------------------
// Pre-checks

export interface PreflightProblem {
  specKey: string;
  error: GovpubError;
}

/** Every problem an original has with the given specs (empty: all can be made). */
export function preflight(probe: ProbeResult, specs: (string | RenditionSpec)[], label = 'The original'): PreflightProblem[] {
  const problems: PreflightProblem[] = [];
  for (const s of specs) {
    const spec = typeof s === 'string' ? getSpec(s) : s;
    try {
      checkSpec(probe, spec, label);
    } catch (err) {
      if (err instanceof GovpubError) problems.push({ specKey: spec.key, error: err });
      else throw err;
    }
  }
  return problems;
}

/**
 * Re-checks a finished rendition against its spec's limits (for adapters, right before sending).
 */
export function assertRenditionFits(r: Pick<Rendition, 'specKey' | 'sizeBytes' | 'width' | 'height' | 'durationSec'>): void {
  const spec = getSpec(r.specKey);
  if (spec.maxBytes !== undefined && r.sizeBytes > spec.maxBytes) {
    throw new GovpubError(
      'media_too_large',
      `The ${spec.key} rendition is ${formatBytes(r.sizeBytes)}, ${formatBytes(r.sizeBytes - spec.maxBytes)} over the ${formatBytes(spec.maxBytes)} limit of ${spec.limitName}; prepare it again.`,
      { spec: spec.key, sizeBytes: r.sizeBytes, limitBytes: spec.maxBytes },
      {
        zh: `转码文件「${spec.labelZh}」为 ${formatBytes(r.sizeBytes)}，超过${platformNameZh(spec.platform)}的大小上限 ${formatBytes(spec.maxBytes)}（超出 ${formatBytes(r.sizeBytes - spec.maxBytes)}），不能发送。请重新生成该转码文件。`,
      },
    );
  }
  if (spec.kind !== 'image' && spec.maxDurationSec !== undefined && (r.durationSec ?? 0) > spec.maxDurationSec) {
    throw new GovpubError(
      'media_too_long',
      `The ${spec.key} rendition is ${formatDuration(r.durationSec ?? 0)}, over the ${formatDuration(spec.maxDurationSec)} limit of ${spec.limitName}.`,
      { spec: spec.key },
      {
        zh: `转码文件「${spec.labelZh}」时长 ${formatDurationZh(r.durationSec ?? 0)}，超过${platformNameZh(spec.platform)}的时长上限 ${formatDurationZh(spec.maxDurationSec)}，不能发送。请剪短原视频后重新上传并生成。`,
      },
    );
  }
  if (spec.kind === 'image' && ((spec.minWidth && (r.width ?? 0) < spec.minWidth) || (spec.minHeight && (r.height ?? 0) < spec.minHeight))) {
    throw new GovpubError(
      'media_too_small',
      `The ${spec.key} rendition is ${r.width}×${r.height}, below the ${spec.minWidth}×${spec.minHeight} minimum of ${spec.limitName}.`,
      { spec: spec.key },
      {
        zh: `转码文件「${spec.labelZh}」为 ${r.width}×${r.height}，小于${platformNameZh(spec.platform)}要求的最小尺寸 ${spec.minWidth}×${spec.minHeight}，不能发送。请换用更大的原图后重新生成。`,
      },
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Renditions

/** Renditions being made in this process, by record name, with the signal of the caller making each. */
const inFlight = new Map<string, { job: Promise<Rendition>; signal: AbortSignal | undefined }>();

async function watermarkKey(spec: RenditionSpec, wm: WatermarkOptions | undefined): Promise<string | null> {
  if (spec.kind === 'audio' || !spec.watermark || !wm || (!wm.text && !wm.imagePath)) return null;
  const { imagePath, ...rest } = wm;
  const imageHash = imagePath
    ? createHash('sha256')
        .update(await readFile(imagePath))
        .digest('hex')
    : undefined;
  return stableHash({ ...rest, imageHash });
}

/** Display width and height of an original, from its probe. */
export interface OriginalSize {
  width: number;
  height: number;
}

/**
 * The record name caching (original × spec × watermark). With the original's size: a "fit inside"
 * image spec whose box holds the whole original renders it at its own size, whatever the box, so
 * such specs are keyed by that size and share one rendition. A 960 px photo then makes one
 * rendition for the portal's 960 and 1600 px widths instead of two identical ones (issue 14: that
 * was a sixth of the portal's image work). Keys of specs that do resize are as before.
 */
export async function renditionCacheKey(originalSha256: string, spec: RenditionSpec, wm?: WatermarkOptions, original?: OriginalSize | null): Promise<string> {
  const kept = spec.kind === 'image' ? keptAtOriginalSize(spec, original) : null;
  const specPart = kept ? specHash({ ...(spec as ImageSpec), ...kept }) : specHash(spec);
  return `renditions/${originalSha256}/${stableHash({ spec: specPart, wm: await watermarkKey(spec, wm) })}`;
}

/** The original's size when the renderer's planSize leaves it as it is for `spec`, else null. */
function keptAtOriginalSize(spec: ImageSpec, original: OriginalSize | null | undefined): OriginalSize | null {
  if (!original || spec.sourceKind !== 'image' || spec.fit !== 'inside') return null;
  let planned: { width: number; height: number };
  try {
    planned = planSize(spec, original.width, original.height);
  } catch {
    return null; // too small for the spec: the render says so, under the spec's own key
  }
  return planned.width === original.width && planned.height === original.height ? { width: original.width, height: original.height } : null;
}

/** What this process remembers per store, oldest dropped first past REMEMBERED_MAX entries. */
const REMEMBERED_MAX = 5_000;

function rememberIn<V>(memo: WeakMap<MediaStore, Map<string, V>>, store: MediaStore, key: string, value: V): void {
  let entries = memo.get(store);
  if (!entries) memo.set(store, (entries = new Map()));
  if (entries.size >= REMEMBERED_MAX) entries.delete(entries.keys().next().value!);
  entries.set(key, value);
}

/**
 * Sizes of originals already looked up, per store: an original's bytes never change under its
 * hash, so neither does its size. Unknown (not probed yet) is not remembered.
 */
const rememberedSizes = new WeakMap<MediaStore, Map<string, OriginalSize>>();

/** The original's display size from its probe record, or null when it has none (not an image or video, or not probed). */
export async function originalSize(store: MediaStore, originalSha256: string): Promise<OriginalSize | null> {
  const known = rememberedSizes.get(store)?.get(originalSha256);
  if (known) return known;
  const probe = await store.readRecord<ProbeResult>(`probes/${originalSha256}`);
  if (!probe || probe.width === undefined || probe.height === undefined) return null;
  const size = { width: probe.width, height: probe.height };
  rememberIn(rememberedSizes, store, originalSha256, size);
  return size;
}

/** The record name of (original × spec × watermark) in `store`, with the original's size from its probe. */
async function recordNameIn(store: MediaStore, originalSha256: string, spec: RenditionSpec, watermark: WatermarkOptions | undefined): Promise<string> {
  return renditionCacheKey(originalSha256, spec, watermark, await originalSize(store, originalSha256));
}

/** Prepares (or fetches from the cache) one rendition of a stored original. */
export async function prepareRendition(
  store: MediaStore,
  originalSha256: string,
  specKeyOrSpec: string | RenditionSpec,
  opts: PrepareOptions = {},
): Promise<Rendition> {
  const spec = typeof specKeyOrSpec === 'string' ? getSpec(specKeyOrSpec) : specKeyOrSpec;
  if (opts.signal?.aborted) throw abortError(opts.signal);
  const recordName = await recordNameIn(store, originalSha256, spec, opts.watermark);

  const hit = await readCached(store, recordName, spec);
  if (hit) {
    opts.onProgress?.(100);
    return hit;
  }

  for (;;) {
    if (opts.signal?.aborted) throw abortError(opts.signal);
    const running = inFlight.get(recordName);
    if (!running) {
      const job = render(store, originalSha256, spec, recordName, opts).finally(() => inFlight.delete(recordName));
      inFlight.set(recordName, { job, signal: opts.signal });
      return { ...(await job), specKey: spec.key };
    }
    try {
      // A transcode can take minutes: this caller's heartbeat goes on, and its cancellation stops only its wait.
      const made = await waitFor(running.job, { signal: opts.signal, whileWaiting: opts.onWaiting });
      return { ...made, specKey: spec.key, ...notesFor(made, spec) };
    } catch (error) {
      // The caller making it was cancelled, not this one: make it here.
      if (running.signal?.aborted && !opts.signal?.aborted) continue;
      throw error;
    }
  }
}

/** The rendition if it was prepared before (with this watermark), without rendering anything. */
export async function findCachedRendition(store: MediaStore, originalSha256: string, specKey: string, watermark?: WatermarkOptions): Promise<Rendition | null> {
  const spec = getSpec(specKey);
  return readCached(store, await recordNameIn(store, originalSha256, spec, watermark), spec);
}

/**
 * Rendition records already read, per store: every delivery of a package looks its renditions up
 * at format and again at transmit, and reading the record file was most of a lookup (issue 14).
 * Only the record is remembered: the blob is checked on every lookup, and a remembered record
 * whose blob is gone is forgotten and read again from disk (a re-render may have replaced it).
 */
const rememberedRecords = new WeakMap<MediaStore, Map<string, RenditionRecord>>();

async function readCached(store: MediaStore, recordName: string, spec: RenditionSpec): Promise<Rendition | null> {
  const remembered = rememberedRecords.get(store)?.get(recordName);
  const rec = remembered ?? (await store.readRecord<RenditionRecord>(recordName));
  if (!rec || rec.version !== 1) return null;
  const blobPath = await store.getPath(rec.sha256).catch((error: unknown) => {
    if (error instanceof GovpubError && error.code === 'media_not_found') return null;
    throw error;
  });
  if (blobPath === null) {
    // Blob deleted: render again, unless the record on disk now names another one.
    if (!remembered) return null;
    rememberedRecords.get(store)?.delete(recordName);
    return readCached(store, recordName, spec);
  }
  if (!remembered) rememberIn(rememberedRecords, store, recordName, rec);
  const { version: _v, ...rest } = rec;
  return { ...rest, specKey: spec.key, ...notesFor(rec, spec), path: blobPath, cached: true };
}

/**
 * The record's notes for `spec`: a rendition shared by identical specs (the portal's and the
 * news site's 16:9 cover) was rendered under the first one asked for, and its notes name that
 * spec ("the news site channel cover … is enlarged", 「西安网碑林频道列表封面（16:9）…」), which
 * misleads someone preparing the portal. Notes recorded before the Chinese ones named a spec
 * ("该版本") have no name to replace and stand as they are.
 */
function notesFor(rec: Pick<RenditionRecord, 'specKey' | 'warnings' | 'warningsZh'>, spec: RenditionSpec): Pick<Rendition, 'warnings' | 'warningsZh'> {
  const same = { warnings: rec.warnings, ...(rec.warningsZh ? { warningsZh: rec.warningsZh } : {}) };
  if (rec.specKey === spec.key) return same;
  let madeAs: RenditionSpec;
  try {
    madeAs = getSpec(rec.specKey);
  } catch {
    return same; // a spec no longer declared: its words are all there is
  }
  const renamed = (notes: string[], from: string, to: string) => notes.map((w) => w.split(from).join(to));
  return {
    warnings: renamed(rec.warnings, madeAs.label, spec.label),
    ...(rec.warningsZh ? { warningsZh: renamed(rec.warningsZh, madeAs.labelZh, spec.labelZh) } : {}),
  };
}

async function render(store: MediaStore, originalSha256: string, spec: RenditionSpec, recordName: string, opts: PrepareOptions): Promise<Rendition> {
  const progress = new ProgressReporter(opts.onProgress);
  const probe = await probeStored(store, originalSha256, { label: opts.label });
  const label = opts.label ?? probe.uploadName ?? `upload ${originalSha256.slice(0, 12)}`;
  checkSpec(probe, spec, label); // clear errors before any work
  if (spec.kind === 'file') return recordOriginal(store, originalSha256, spec, probe, recordName, progress);
  const input = await store.getPath(originalSha256);
  const scratch = await store.makeScratchDir('render');
  const jobOpts = { signal: opts.signal, label, threads: opts.threads };
  try {
    let out: { path: string; mime: string; width?: number; height?: number; durationSec?: number; warnings: string[]; warningsZh: string[] };
    if (spec.kind === 'image') {
      let source = input;
      if (spec.sourceKind === 'video') {
        source = path.join(scratch, 'frame.png');
        await extractPosterFrame(input, probe, source, jobOpts);
        progress.report(60);
      }
      const ext = spec.format === 'webp' ? 'webp' : spec.format === 'png' ? 'png' : 'img';
      out = await renderImageRendition(source, spec, path.join(scratch, `out.${ext}`), {
        watermark: opts.watermark,
        signal: opts.signal,
        label,
      });
    } else if (spec.kind === 'video') {
      out = await transcodeGate.run(
        () =>
          renderVideoRendition(
            input,
            probe,
            spec,
            path.join(scratch, 'out.mp4'),
            { ...jobOpts, onProgress: opts.onProgress, watermark: opts.watermark },
            progress,
          ),
        { signal: opts.signal, whileWaiting: opts.onWaiting },
      );
    } else {
      out = await transcodeGate.run(
        () =>
          renderAudioRendition(
            input,
            probe,
            spec,
            path.join(scratch, `out.${spec.codec === 'mp3' ? 'mp3' : 'm4a'}`),
            { ...jobOpts, onProgress: opts.onProgress },
            progress,
          ),
        { signal: opts.signal, whileWaiting: opts.onWaiting },
      );
    }
    if (opts.signal?.aborted) throw abortError(opts.signal);
    progress.report(98);

    const put = await store.putFile(out.path, { move: true, label: `${spec.key}.${RENDITION_EXTENSIONS[out.mime] ?? 'bin'}` });
    const record: RenditionRecord = {
      version: 1,
      specKey: spec.key,
      specHash: specHash(spec),
      originalSha256,
      sha256: put.sha256,
      mime: out.mime,
      sizeBytes: put.size,
      width: out.width,
      height: out.height,
      durationSec: out.durationSec,
      warnings: out.warnings,
      warningsZh: out.warningsZh,
      createdAt: new Date().toISOString(),
    };
    await store.writeRecord(recordName, record);
    progress.report(100);
    const { version: _v, ...rest } = record;
    return { ...rest, path: await store.getPath(put.sha256), cached: false };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** A pass-through rendition: its record points at the original's own blob (nothing is copied or rendered). */
async function recordOriginal(
  store: MediaStore,
  originalSha256: string,
  spec: RenditionSpec,
  probe: ProbeResult,
  recordName: string,
  progress: ProgressReporter,
): Promise<Rendition> {
  const record: RenditionRecord = {
    version: 1,
    specKey: spec.key,
    specHash: specHash(spec),
    originalSha256,
    sha256: originalSha256,
    mime: probe.mime,
    sizeBytes: probe.sizeBytes,
    warnings: [],
    warningsZh: [],
    createdAt: new Date().toISOString(),
  };
  await store.writeRecord(recordName, record);
  progress.report(100);
  const { version: _v, ...rest } = record;
  return { ...rest, path: await store.getPath(originalSha256), cached: false };
}

export interface PlatformRenditions {
  platform: PlatformId;
  renditions: Rendition[];
  /** Specs that cannot be made from this original, with the reason (nothing was attempted). */
  problems: PreflightProblem[];
}

/**
 * Prepares every rendition `platform` needs from a stored original, one after another (each
 * already uses the machine's cores). Problems found by the pre-check are returned, not thrown, so
 * an editor sees all of them at once; errors while rendering are thrown.
 */
export async function prepareRenditions(
  store: MediaStore,
  originalSha256: string,
  platform: PlatformId,
  opts: PrepareOptions = {},
): Promise<PlatformRenditions> {
  const probe = await probeStored(store, originalSha256, { label: opts.label });
  const label = opts.label ?? probe.uploadName ?? `upload ${originalSha256.slice(0, 12)}`;
  const specs = renditionsFor(platform, probe.kind as MediaKind);
  const problems = preflight(probe, specs, label);
  const todo = specs.filter((s) => !problems.some((p) => p.specKey === s.key));
  const progress = new ProgressReporter(opts.onProgress);
  const renditions: Rendition[] = [];
  for (const [i, spec] of todo.entries()) {
    renditions.push(
      await prepareRendition(store, originalSha256, spec, {
        ...opts,
        label,
        onProgress: (p) => progress.report(((i + p / 100) / todo.length) * 100),
      }),
    );
  }
  progress.report(100);
  return { platform, renditions, problems };
}
