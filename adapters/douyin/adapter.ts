/**
 * Douyin (抖音) channel adapter. Douyin takes video only: the release unit's video interpretation
 * becomes a Douyin video whose text is the title, a short summary and a mention of the portal page
 * (Douyin shows no clickable links in video text, and outbound links count against a video in
 * review, so the page is named rather than linked). Format: ./format.ts; HTTP: ./client.ts.
 *
 * transmit: user access token (refresh token → access token, renewed before the refresh token
 * runs out) → upload (one request up to 50 MB; above that, and always above 128 MB, part upload
 * init → parts ≥ 5 MB except the last → complete) → `video/create`. Every step's id is
 * checkpointed, so a retry resumes the upload where it stopped and never uploads a finished
 * video again. Publishing goes through review: transmit answers `submitted`, `confirm` polls
 * `video/data` (video_status 4 in review → 1 published; 2 refused). A lost `video/create` answer is
 * reconciled through `video/list` (the item with exactly this text created after the request).
 * A video review refused, or one Douyin no longer lists, is not public: `confirm` forgets it with
 * its spent video id (and reconcile forgets a refused one its checkpoint still names;
 * video-platform/refusal.ts), so an operator's retry uploads and posts anew.
 */
import { DeliveryError, isDeliveryError } from '../errors.js';
import type { ChannelAdapter, ConfirmResult, RenditionFile, TransmitContext, TransmitResult } from '../types.js';
import { accountLabel, stringOrNull, toMs } from '../video-platform/client.js';
import {
  declaredDuration,
  dropUploadOfOtherFile,
  MiB,
  multipartFile,
  progress,
  uploadMissingParts,
  videoToUpload,
  type Progress,
} from '../video-platform/upload.js';
import { DouyinClient, videoIdOf, type DouyinData } from './client.js';
import { douyinOptions, formatDouyin, NAME, tooLongForDouyin, type DouyinAdapterOptions, type DouyinPayload } from './format.js';
import { latestDouyinPosts } from './posts.js';
import {
  confirmPost,
  postStillThere,
  reconcileCheckpointedPost,
  wasRefused,
  type CheckpointedPost,
  type PostStanding,
  type RefusedPosts,
} from '../video-platform/refusal.js';

export type { DouyinAdapterOptions, DouyinPayload } from './format.js';

/** Progress saved between attempts. `null` clears a field (checkpoints are merged). */
export interface DouyinCheckpoint extends RefusedPosts {
  /** SHA-256 of the rendition the upload progress belongs to. */
  videoSha256: string | null;
  /** Part upload in progress. */
  uploadId: string | null;
  partBytes: number | null;
  partsDone: number[];
  /** The uploaded video (single use: one video/create). */
  videoId: string | null;
  /** Set just before video/create is sent (ISO time): from then on a retry reconciles first. */
  createRequestedAt: string | null;
  /** The created video (item_id). */
  itemId: string | null;
}

type Ctx = TransmitContext<DouyinCheckpoint>;

export function createDouyinAdapter(options: DouyinAdapterOptions = {}): ChannelAdapter<DouyinPayload, DouyinCheckpoint> {
  const o = douyinOptions(options);

  // ── transmit ─────────────────────────────────────────────────────────────────────────────
  async function transmit(payload: DouyinPayload, ctx: Ctx): Promise<TransmitResult> {
    const api = new DouyinClient(ctx, o);
    const cp = progress(ctx);
    if (cp.state.itemId) return { state: 'submitted', externalId: cp.state.itemId };

    const file = await videoToUpload(ctx, payload.video, NAME, (d) => tooLongForDouyin(d, o.maxDurationSec), {
      en: "over Douyin's 4 GB limit",
      zh: '超过抖音 4 GB 的上限',
    });
    await dropUploadOfOtherFile(cp, file, { videoSha256: null, uploadId: null, partBytes: null, partsDone: [], videoId: null });

    let data: DouyinData | undefined;
    for (let round = 0; !data; round++) {
      const videoId = cp.state.videoId ?? (await upload(api, file, cp, ctx));
      // The first request time is kept: reconcile looks for posts made since then.
      const sentBefore = Boolean(cp.state.createRequestedAt);
      if (!sentBefore) await cp.save({ createRequestedAt: new Date().toISOString() });
      try {
        data = await api.postJson('video/create', true, '/video/create/', { video_id: videoId, text: payload.text });
      } catch (err) {
        if (!isDeliveryError(err) || err.platformCode !== 2190007) throw err;
        // The video id is not usable. Never used for a create before: it expired, upload again.
        if (!sentBefore && round === 0) {
          await cp.save({ videoId: null, createRequestedAt: null });
          continue;
        }
        // An earlier attempt's create spent it, yet reconcile found no post of it in the list.
        throw new DeliveryError(
          'rejected',
          `${NAME} says the uploaded video was already used (2190007), and the account ${accountLabel(ctx)} shows no post of this release: it may have been posted and deleted since. Check the account; resend the delivery to post it again.`,
          { platformCode: 2190007 },
        );
      }
    }
    const itemId = String(data.item_id ?? '');
    if (!itemId)
      throw new DeliveryError('unconfirmed', `${NAME} video/create answered without an item_id; the video is looked up before anything is sent again.`);
    await cp.save({ itemId });
    return { state: 'submitted', externalId: itemId };
  }

  async function upload(api: DouyinClient, file: RenditionFile, cp: Progress<DouyinCheckpoint>, ctx: Ctx): Promise<string> {
    const duration = declaredDuration(file);
    if (file.sizeBytes <= o.partUploadAboveBytes && file.sizeBytes <= o.singleUploadMaxBytes) {
      ctx.heartbeat();
      const data = await api.call('video upload', false, (auth) => {
        const body = multipartFile({ field: 'video', filename: 'video.mp4', contentType: file.mime, path: file.path, start: 0, end: file.sizeBytes - 1 });
        return {
          method: 'POST',
          url: '/video/upload/',
          params: { open_id: auth.openId },
          headers: { ...body.headers, ...duration },
          data: body.data,
          timeout: o.uploadTimeoutMs,
        };
      });
      const videoId = videoIdOf(data);
      await cp.save({ videoSha256: file.sha256, videoId, uploadId: null, partsDone: [] });
      ctx.heartbeat();
      return videoId;
    }

    for (let round = 0; ; round++) {
      let resumed = Boolean(cp.state.uploadId);
      if (!cp.state.uploadId) {
        const init = await api.call('video part upload init', false, (auth) => ({
          method: 'POST',
          url: '/video/part/init/',
          params: { open_id: auth.openId },
        }));
        const uploadId = String(init.upload_id ?? '');
        if (!uploadId) throw new DeliveryError('retryable', `${NAME} video/part/init answered without an upload_id.`);
        await cp.save({ videoSha256: file.sha256, uploadId, partBytes: o.partBytes, partsDone: [] });
        resumed = false;
      }
      const uploadId = cp.state.uploadId!;
      try {
        await uploadMissingParts(
          file,
          cp.state.partBytes ?? o.partBytes,
          1,
          new Set(cp.state.partsDone ?? []),
          ctx,
          ({ n, count, start, end }) =>
            api
              .call(`video part ${n}/${count}`, false, (auth) => {
                const body = multipartFile({ field: 'video', filename: 'video.mp4', contentType: file.mime, path: file.path, start, end });
                return {
                  method: 'POST',
                  url: '/video/part/upload/',
                  params: { upload_id: uploadId, part_number: n, open_id: auth.openId },
                  headers: body.headers,
                  data: body.data,
                  timeout: o.uploadTimeoutMs,
                };
              })
              .then(() => undefined),
          (partsDone) => cp.save({ partsDone }),
        );
        ctx.heartbeat();
        const data = await api.call('video part upload complete', false, (auth) => ({
          method: 'POST',
          url: '/video/part/complete/',
          params: { upload_id: uploadId, open_id: auth.openId },
          headers: duration,
        }));
        const videoId = videoIdOf(data);
        await cp.save({ videoId, uploadId: null, partBytes: null, partsDone: [] });
        return videoId;
      } catch (err) {
        // An upload_id from an earlier attempt may have expired (valid 2 hours): start over once.
        if (resumed && round === 0 && isDeliveryError(err) && err.platformCode === 2100005) {
          await cp.save({ uploadId: null, partBytes: null, partsDone: [] });
          continue;
        }
        throw err;
      }
    }
  }

  // ── reconcile / confirm / takeDown ───────────────────────────────────────────────────────
  async function reconcile(payload: DouyinPayload, ctx: Ctx): Promise<TransmitResult | null> {
    const cp = ctx.checkpointed;
    if (cp.itemId) return reconcileCheckpointedPost(post, cp.itemId, ctx);
    if (!cp.createRequestedAt) return null; // video/create was never sent
    const api = new DouyinClient(ctx, o);
    const since = Date.parse(cp.createRequestedAt) - o.reconcileSkewMs;
    const text = payload.text.trim();
    let found: Record<string, unknown> | undefined;
    for (let cursor = 0, page = 0; page < 50; page++) {
      const data = await api.call('video/list', false, (auth) => ({ method: 'GET', url: '/video/list/', params: { open_id: auth.openId, cursor, count: 20 } }));
      const list = Array.isArray(data.list) ? (data.list as Record<string, unknown>[]) : [];
      let older = false;
      for (const item of list) {
        const created = toMs(item.create_time);
        if (created !== undefined && created < since) {
          older = true;
          continue;
        }
        // Oldest match after the request wins (the list is newest first); a refused video is not this attempt's.
        if (String(item.title ?? '').trim() === text && !wasRefused(cp, item.item_id)) found = item;
      }
      if (older || !data.has_more || list.length === 0) break;
      cursor = Number(data.cursor ?? cursor + list.length);
    }
    if (!found) return null;
    const itemId = String(found.item_id);
    await ctx.checkpoint({ itemId });
    return Number(found.video_status) === 1
      ? { state: 'live', externalId: itemId, publicUrl: stringOrNull(found.share_url) }
      : { state: 'submitted', externalId: itemId };
  }

  /** Where video/data says the video stands; refused (2) or no longer listed, a retry posts anew (video-platform/refusal.ts). */
  async function standing(itemId: string, ctx: Ctx): Promise<PostStanding> {
    const api = new DouyinClient(ctx, o);
    const item = (await api.videoData([itemId])).find((i) => i.item_id === itemId);
    if (!item)
      return {
        kind: 'gone',
        platformCode: 'video_not_listed',
        message: `${NAME} no longer lists the video ${itemId} for the account ${accountLabel(ctx)}: it was removed or deleted, and nothing of it is public. A retry uploads the video again and posts it anew for review.`,
      };
    const status = Number(item.video_status);
    if (status === 1 || status === 5) return { kind: 'live', publicUrl: stringOrNull(item.share_url) };
    if (status === 2)
      return {
        kind: 'refused',
        platformCode: 'video_status_2',
        message: `${NAME} review found the video not suitable for the public (video_status 2); it is not shown. A retry uploads the video again and posts it anew for review.`,
      };
    return { kind: 'pending', note: status === 4 ? 'in review' : `video_status ${status}` };
  }

  // A refused or vanished video spent its video id (single use) and its video/create.
  const post: CheckpointedPost<DouyinCheckpoint> = {
    standing,
    postOf: (cp) => cp.itemId,
    spent: { itemId: null, videoId: null, createRequestedAt: null },
  };

  function confirm(externalId: string, ctx: Ctx): Promise<ConfirmResult> {
    return confirmPost(post, externalId, ctx);
  }

  async function takeDown(externalId: string, ctx: Ctx & { reason: string }): Promise<void> {
    const api = new DouyinClient(ctx, o);
    try {
      await api.postJson('video/delete', true, '/video/delete/', { item_id: externalId });
    } catch (err) {
      // 2100005 is also "unknown or already deleted": gone is what we want, if the list agrees.
      if (isDeliveryError(err) && err.platformCode === 2100005) {
        if (!(await api.videoData([externalId])).some((i) => i.item_id === externalId)) return;
      }
      throw err;
    }
  }

  return {
    platform: 'douyin',
    // Compliance: the account's latest posts, whoever made them (posts.ts).
    latestPosts: latestDouyinPosts,
    capabilities: {
      publishing: 'api',
      canDelete: true,
      limits: {
        textChars: o.textChars,
        maxDurationSec: o.maxDurationSec,
        singleUploadMaxBytes: o.singleUploadMaxBytes,
        partUploadAboveBytes: o.partUploadAboveBytes,
        minPartBytes: 5 * MiB,
        totalBytes: '4 GB',
        formats: 'mp4, webm',
      },
    },
    format: (unit) => formatDouyin(unit, o),
    transmit,
    confirm,
    reconcile,
    takeDown,
    postStillThere: (externalId: string, ctx: Ctx) => postStillThere(post, externalId, ctx),
  };
}
