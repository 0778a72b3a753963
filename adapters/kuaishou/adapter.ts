/**
 * Kuaishou (快手) channel adapter. Kuaishou takes video only: the release unit's video
 * interpretation becomes a Kuaishou work (作品) whose caption is the title, a short summary and a
 * mention of the portal page (captions show no clickable links), with a 9:16 cover taken from the
 * video. Format: ./format.ts; HTTP: ./client.ts.
 *
 * transmit: user access token (the refresh token rotates on every refresh: the new one is stored
 * at once) → `photo/start_upload` (an upload token and the upload server) → the file in one
 * request, or above a threshold in fragments (resumable: the upload server lists what it holds)
 * → `upload/complete` → `photo/publish` (caption + cover). Upload token, fragments, and the work's
 * id are checkpointed. A work may go through review (`pending`): transmit then answers
 * `submitted` and `confirm` polls `photo/info`. A lost publish answer is reconciled through
 * `photo/list` (the work with exactly this caption created after the request). A work review
 * refused (or deleted) is not shown: `confirm` forgets it with its spent upload token
 * (video-platform/refusal.ts), so an operator's retry uploads and publishes anew.
 *
 * Kuaishou documents no upload, duration or caption limits; the defaults below are the
 * simulator's assumptions (simulators/README.md) and can be set per deployment.
 */
import { createReadStream } from 'node:fs';
import { DeliveryError, isDeliveryError } from '../errors.js';
import type { ChannelAdapter, ConfirmResult, RenditionFile, TransmitContext, TransmitResult } from '../types.js';
import { accountLabel, stringOrNull, toMs } from '../video-platform/client.js';
import {
  coverFileName,
  declaredDuration,
  dropUploadOfOtherFile,
  multipartFile,
  progress,
  uploadMissingParts,
  videoToUpload,
  type Progress,
} from '../video-platform/upload.js';
import { KuaishouClient, R, uploadServer, type KuaishouBody } from './client.js';
import { formatKuaishou, kuaishouOptions, NAME, tooLongForKuaishou, type KuaishouAdapterOptions, type KuaishouPayload } from './format.js';
import { latestKuaishouPosts } from './posts.js';

import {
  confirmPost,
  postStillThere,
  reconcileCheckpointedPost,
  wasRefused,
  type CheckpointedPost,
  type PostStanding,
  type RefusedPosts,
} from '../video-platform/refusal.js';

export type { KuaishouAdapterOptions, KuaishouPayload } from './format.js';

/** Progress saved between attempts. `null` clears a field (checkpoints are merged). */
export interface KuaishouCheckpoint extends RefusedPosts {
  /** SHA-256 of the rendition the upload progress belongs to. */
  videoSha256: string | null;
  uploadToken: string | null;
  /** Upload server (host:port) named by start_upload. */
  endpoint: string | null;
  fragmentBytes: number | null;
  /** Fragment ids (from 0) the upload server acknowledged. */
  fragmentsDone: number[];
  uploadCompleted: boolean;
  /** Set just before photo/publish is sent (ISO time). */
  publishRequestedAt: string | null;
  photoId: string | null;
}

type Ctx = TransmitContext<KuaishouCheckpoint>;

export function createKuaishouAdapter(options: KuaishouAdapterOptions = {}): ChannelAdapter<KuaishouPayload, KuaishouCheckpoint> {
  const o = kuaishouOptions(options);

  // ── transmit ─────────────────────────────────────────────────────────────────────────────
  async function transmit(payload: KuaishouPayload, ctx: Ctx): Promise<TransmitResult> {
    const api = new KuaishouClient(ctx, o);
    const cp = progress(ctx);
    if (cp.state.photoId) return { state: 'submitted', externalId: cp.state.photoId };

    const video = await videoToUpload(ctx, payload.video, NAME, (d) => tooLongForKuaishou(d, o.maxDurationSec), {
      en: 'over 4 GB',
      zh: '超过快手 4 GB 的上限',
    });
    const cover = await ctx.renditions.get(payload.cover.mediaId, payload.cover.spec);
    await dropUploadOfOtherFile(cp, video, {
      videoSha256: null,
      uploadToken: null,
      endpoint: null,
      fragmentBytes: null,
      fragmentsDone: [],
      uploadCompleted: false,
    });
    if (!cp.state.uploadCompleted) await upload(api, video, cp, ctx);

    const uploadToken = cp.state.uploadToken!;
    // The first request time is kept: reconcile looks for works published since then.
    if (!cp.state.publishRequestedAt) await cp.save({ publishRequestedAt: new Date().toISOString() });
    let body: KuaishouBody;
    try {
      body = await api.openapi('photo/publish', true, () => {
        const form = multipartFile(
          { field: 'cover', filename: coverFileName(cover.mime), contentType: cover.mime, path: cover.path, start: 0, end: cover.sizeBytes - 1 },
          { caption: payload.caption },
        );
        return { method: 'POST', url: '/openapi/photo/publish', params: { upload_token: uploadToken }, headers: form.headers, data: form.data };
      });
    } catch (err) {
      if (isDeliveryError(err) && err.platformCode === R.param && /upload_token 已被使用/.test(err.message)) {
        throw new DeliveryError(
          'rejected',
          `${NAME} says this upload was already published, yet the account ${accountLabel(ctx)} shows no work made from it: review may have hidden it, or it was deleted. Check the account in Kuaishou; resend the delivery to publish it again.`,
          { platformCode: R.param },
        );
      }
      throw err;
    }
    const info = (body.video_info ?? {}) as { photo_id?: unknown; pending?: unknown; play_url?: unknown };
    const photoId = info.photo_id === undefined ? '' : String(info.photo_id);
    if (!photoId)
      throw new DeliveryError('unconfirmed', `${NAME} photo/publish answered without a photo_id; the work is looked up before anything is sent again.`);
    await cp.save({ photoId });
    return info.pending === false
      ? { state: 'live', externalId: photoId, publicUrl: stringOrNull(info.play_url) }
      : { state: 'submitted', externalId: photoId };
  }

  async function upload(api: KuaishouClient, file: RenditionFile, cp: Progress<KuaishouCheckpoint>, ctx: Ctx): Promise<void> {
    const duration = declaredDuration(file);
    for (let round = 0; ; round++) {
      const resumed = Boolean(cp.state.uploadToken && cp.state.endpoint);
      if (!resumed) {
        const body = await api.openapi('photo/start_upload', false, () => ({ method: 'POST', url: '/openapi/photo/start_upload' }));
        const token = typeof body.upload_token === 'string' ? body.upload_token : '';
        const endpoint = typeof body.endpoint === 'string' ? body.endpoint : '';
        if (!token || !endpoint) throw new DeliveryError('retryable', `${NAME} photo/start_upload answered without an upload token or endpoint.`);
        await cp.save({ videoSha256: file.sha256, uploadToken: token, endpoint, fragmentBytes: o.fragmentBytes, fragmentsDone: [], uploadCompleted: false });
      }
      const token = cp.state.uploadToken!;
      const server = uploadServer(cp.state.endpoint!, o.uploadScheme, ctx.baseUrl);
      try {
        // On a retry the upload server knows best what arrived (also just before a crash).
        const held = resumed
          ? await api.upload('upload resume', server, { method: 'GET', url: '/api/upload/resume', params: { upload_token: token } })
          : undefined;
        if (held?.existed === true) {
          await cp.save({ uploadCompleted: true });
          return;
        }
        if (file.sizeBytes <= o.fragmentAboveBytes) {
          ctx.heartbeat();
          await api.upload('video upload', server, {
            method: 'POST',
            url: '/api/upload',
            params: { upload_token: token },
            headers: { 'content-type': 'application/octet-stream', 'content-length': String(file.sizeBytes), ...duration },
            data: createReadStream(file.path),
          });
        } else {
          const size = cp.state.fragmentBytes ?? o.fragmentBytes;
          const expected = (i: number) => Math.min(file.sizeBytes, (i + 1) * size) - i * size;
          const done = new Set(cp.state.fragmentsDone ?? []);
          if (held) {
            const list = Array.isArray(held.fragment_list) ? (held.fragment_list as { id?: unknown; size?: unknown }[]) : [];
            done.clear();
            for (const f of list) if (Number(f.size) === expected(Number(f.id))) done.add(Number(f.id));
          }
          const count = await uploadMissingParts(
            file,
            size,
            0,
            done,
            ctx,
            async ({ n, count, start, end }) => {
              await api.upload(`video fragment ${n + 1}/${count}`, server, {
                method: 'POST',
                url: '/api/upload/fragment',
                params: { upload_token: token, fragment_id: n },
                headers: { 'content-type': 'application/octet-stream', 'content-length': String(end - start + 1) },
                data: createReadStream(file.path, { start, end }),
              });
            },
            (fragmentsDone) => cp.save({ fragmentsDone }),
          );
          ctx.heartbeat();
          await api.upload('upload complete', server, {
            method: 'POST',
            url: '/api/upload/complete',
            params: { upload_token: token, fragment_count: count },
            headers: duration,
          });
        }
        await cp.save({ uploadCompleted: true });
        return;
      } catch (err) {
        // An upload token from an earlier attempt may no longer be valid: start over once.
        if (resumed && round === 0 && isDeliveryError(err) && err.platformCode === R.param && /upload_token/.test(err.message)) {
          await cp.save({ uploadToken: null, endpoint: null, fragmentBytes: null, fragmentsDone: [], uploadCompleted: false });
          continue;
        }
        throw err;
      }
    }
  }

  // ── reconcile / confirm / takeDown ───────────────────────────────────────────────────────
  async function reconcile(payload: KuaishouPayload, ctx: Ctx): Promise<TransmitResult | null> {
    const cp = ctx.checkpointed;
    if (cp.photoId) return reconcileCheckpointedPost(post, cp.photoId, ctx);
    if (!cp.publishRequestedAt) return null; // photo/publish was never sent
    const api = new KuaishouClient(ctx, o);
    const since = Date.parse(cp.publishRequestedAt) - o.reconcileSkewMs;
    let found: Record<string, unknown> | undefined;
    let cursor: string | undefined;
    for (let page = 0; page < 50; page++) {
      const body = await api.openapi('photo/list', false, () => ({
        method: 'GET',
        url: '/openapi/photo/list',
        params: { count: 50, ...(cursor ? { cursor } : {}) },
      }));
      const list = Array.isArray(body.video_list) ? (body.video_list as Record<string, unknown>[]) : [];
      let older = false;
      for (const p of list) {
        const created = toMs(p.create_time);
        if (created !== undefined && created < since) {
          older = true;
          continue;
        }
        // Newest first: the oldest match wins; a refused work is not this attempt's.
        if (String(p.caption ?? '').trim() === payload.caption.trim() && !wasRefused(cp, p.photo_id)) found = p;
      }
      cursor = typeof body.cursor === 'string' && body.cursor ? body.cursor : undefined;
      if (older || !cursor || list.length === 0) break;
    }
    if (!found) return null;
    const photoId = String(found.photo_id);
    await ctx.checkpoint({ photoId });
    return found.pending === false
      ? { state: 'live', externalId: photoId, publicUrl: stringOrNull(found.play_url) }
      : { state: 'submitted', externalId: photoId };
  }

  /**
   * Where photo/info says the work stands. Kuaishou hides a work review refused as it hides a
   * deleted one (not found): either way nothing of it is public, and a retry publishes anew
   * (video-platform/refusal.ts).
   */
  async function standing(photoId: string, ctx: Ctx): Promise<PostStanding> {
    const api = new KuaishouClient(ctx, o);
    let body: KuaishouBody;
    try {
      body = await api.openapi('photo/info', false, () => ({ method: 'GET', url: '/openapi/photo/info', params: { photo_id: photoId } }));
    } catch (err) {
      if (isDeliveryError(err) && err.platformCode === R.notFound)
        // Kuaishou hides a refused work and a deleted one alike: ambiguous, so `gone` (reconcile does not post anew on it).
        return {
          kind: 'gone',
          platformCode: 'photo_not_shown',
          message: `${NAME} does not show the work ${photoId} on the account ${accountLabel(ctx)}: review refused it, or it was deleted. A retry uploads the video again and publishes it anew.`,
        };
      throw err;
    }
    const info = (body.video_info ?? {}) as { pending?: unknown; play_url?: unknown };
    if (info.pending === true) return { kind: 'pending', note: 'in review' };
    return { kind: 'live', publicUrl: stringOrNull(info.play_url) };
  }

  // A work not shown spent its upload token (one work per upload) and its photo/publish.
  const post: CheckpointedPost<KuaishouCheckpoint> = {
    standing,
    postOf: (cp) => cp.photoId,
    spent: { photoId: null, publishRequestedAt: null, uploadToken: null, endpoint: null, fragmentBytes: null, fragmentsDone: [], uploadCompleted: false },
  };

  function confirm(externalId: string, ctx: Ctx): Promise<ConfirmResult> {
    return confirmPost(post, externalId, ctx);
  }

  async function takeDown(externalId: string, ctx: Ctx & { reason: string }): Promise<void> {
    const api = new KuaishouClient(ctx, o);
    try {
      await api.openapi('photo/delete', true, () => ({ method: 'POST', url: '/openapi/photo/delete', params: { photo_id: externalId } }));
    } catch (err) {
      if (isDeliveryError(err) && err.platformCode === R.notFound) return; // already gone
      throw err;
    }
  }

  return {
    platform: 'kuaishou',
    // Compliance: the account's latest posts, whoever made them (posts.ts).
    latestPosts: latestKuaishouPosts,
    capabilities: {
      publishing: 'api',
      canDelete: true,
      limits: {
        captionChars: o.captionChars,
        maxDurationSec: o.maxDurationSec,
        fragmentAboveBytes: o.fragmentAboveBytes,
        fragmentBytes: o.fragmentBytes,
        formats: 'mp4',
        source: 'assumed (Kuaishou documents no limits)',
      },
    },
    format: (unit) => formatKuaishou(unit, o),
    transmit,
    confirm,
    reconcile,
    takeDown,
    postStillThere: (externalId: string, ctx: Ctx) => postStillThere(post, externalId, ctx),
  };
}
