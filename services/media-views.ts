/** What the media routes and the CLI show: originals, renditions, jobs and their progress, from their rows. */
import type { Readable } from 'node:stream';
import type { MediaJobRow, MediaRenditionRow, MediaRow } from '../db/schema.js';
import type { MediaKind, ProbeResult } from '../media/probe.js';
import { zhMessageFor } from '../domain/messages-zh.js';
import { specNames } from '../media/specs.js';

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
  /** The uploader's display name (lists only). */
  createdByName?: string | null;
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
  /** What the spec is called (e.g. 微信公众号缩略图素材（…）); absent for a spec no longer declared. */
  label?: string;
  labelZh?: string;
  sha256: string;
  mime: string;
  sizeBytes: number;
  width: number | null;
  height: number | null;
  durationSec: number | null;
  watermarked: boolean;
  channelId: string | null;
  warnings: string[];
  /** The same notes in Chinese, in the same order (empty for renditions made before they were written). */
  warningsZh: string[];
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
  /** Per spec key: what editors call it (labelZh) and its English name; specs no longer declared are left out. */
  specNames: Record<string, { label: string; labelZh: string }>;
  specProgress: Record<string, number>;
  channelId: string | null;
  /** Per spec: the rendition made ({ok: true, sha256, …}) or why not ({ok: false, code, message, messageZh}). */
  results: Record<string, unknown>;
  /** Specs refused before any work, with the reason. */
  /** `messageZh`: the sentence in Chinese (jobs recorded before it have none). */
  problems: { spec: string; code: string; message: string; messageZh?: string }[];
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

export const TERMINAL = new Set(['done', 'failed', 'canceled']);
const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

export function toMediaView(row: MediaRow): MediaView {
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

export function toRenditionView(row: MediaRenditionRow): RenditionView {
  return {
    specKey: row.spec_key,
    ...specNames(row.spec_key),
    sha256: row.sha256,
    mime: row.mime,
    sizeBytes: Number(row.size_bytes),
    width: row.width,
    height: row.height,
    durationSec: row.duration_sec,
    watermarked: row.watermarked,
    channelId: row.channel_id,
    warnings: row.warnings,
    warningsZh: row.warnings_zh ?? [],
    url: `/api/media/${row.media_id}/renditions/${row.spec_key}${row.channel_id ? `?channel=${encodeURIComponent(row.channel_id)}` : ''}`,
    createdAt: iso(row.created_at)!,
  };
}

/**
 * A failed spec's Chinese sentence: its own since it travels with the failure, else (jobs recorded
 * before) the one its code has, so the console never shows an editor the English.
 */
function withChineseFailures(results: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(results).map(([spec, result]) => {
      const r = result as { ok?: unknown; code?: unknown; messageZh?: unknown } | null;
      if (r?.ok !== false || typeof r.messageZh === 'string') return [spec, result];
      return [spec, { ...r, messageZh: zhMessageFor(typeof r.code === 'string' ? r.code : 'media_failed') }];
    }),
  );
}

/** The names of the specs a job mentions, for the notes and problems shown beside them. */
function specNamesOf(keys: string[]): Record<string, { label: string; labelZh: string }> {
  const names: Record<string, { label: string; labelZh: string }> = {};
  for (const key of keys) {
    const named = specNames(key);
    // A spec no longer declared: its key is all there is.
    if (named) names[key] = named;
  }
  return names;
}

export function toJobView(row: MediaJobRow): MediaJobView {
  return {
    id: row.id,
    mediaId: row.media_id,
    state: row.state,
    progress: row.progress,
    currentSpec: row.current_spec,
    specs: row.specs,
    specNames: specNamesOf([...row.specs, ...row.problems.map((p) => p.spec), ...Object.keys(row.results)]),
    specProgress: row.spec_progress,
    channelId: row.channel_id,
    results: withChineseFailures(row.results),
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
