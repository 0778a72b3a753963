/**
 * Bilibili (哔哩哔哩) channel adapter. Bilibili takes video only: the release unit's video
 * interpretation becomes an archive (稿件) with a title (1–80 characters), a description
 * (≤ 250, ending with the link to the policy document on the portal), tags (1–10, each ≤ 20), a
 * child partition (tid), a copyright declaration and a cover of at least 960×600 (the package
 * cover when it is large enough, else a frame of the video). Format: ./format.ts; HTTP: ./client.ts.
 *
 * transmit: user access token (the refresh token rotates on every refresh: the new one is stored
 * at once) → `archive/video/init` → parts of 8 MB to the upload host → `archive/video/complete`
 * → `archive/cover/upload` → `archive/add-by-utoken`. Every open-platform call is signed
 * (x-bili-* headers, HMAC-SHA256 with the app secret). Upload token, finished parts, cover URL
 * and the archive's id are checkpointed, so a retry resumes and never submits twice. Review is
 * asynchronous: transmit answers `submitted`, `confirm` polls `archive/view` (state -1 待审 → 0
 * 开放浏览; -2 被打回 / -4 锁定 refused). A lost submission answer is reconciled through
 * `archive/viewlist` (the archive made from this upload token). An archive review sent back or
 * locked, or one deleted or unknown before it was open, is not public: `confirm` forgets it with
 * its spent upload token (and reconcile forgets one review sent back or locked that its checkpoint
 * still names; video-platform/refusal.ts), so an operator's retry uploads and submits anew.
 */
import { readFile } from 'node:fs/promises';
import { formatBytes } from '../../media/units.js';
import { DeliveryError, isDeliveryError, rejectedContent } from '../errors.js';
import type { ChannelAdapter, ConfirmResult, PostListContext, RenditionFile, TransmitContext, TransmitResult } from '../types.js';
import { accountLabel, stringOrNull } from '../video-platform/client.js';
import {
  coverFileName,
  declaredDuration,
  dropUploadOfOtherFile,
  multipartBuffer,
  progress,
  uploadMissingParts,
  videoToUpload,
  type Progress,
} from '../video-platform/upload.js';
import { BilibiliClient } from './client.js';
import { latestBilibiliPosts } from './posts.js';
import {
  BILIBILI_ADAPTER_LIMITS as L,
  bilibiliOptions,
  formatBilibili,
  NAME,
  tooLongForBilibili,
  type BilibiliAdapterOptions,
  type BilibiliPayload,
} from './format.js';

import {
  confirmPost,
  postStillThere,
  reconcileCheckpointedPost,
  wasRefused,
  type CheckpointedPost,
  type PostStanding,
  type RefusedPosts,
} from '../video-platform/refusal.js';

export { BILIBILI_ADAPTER_LIMITS, type BilibiliAdapterOptions, type BilibiliPayload } from './format.js';

/** Progress saved between attempts. `null` clears a field (checkpoints are merged). */
export interface BilibiliCheckpoint extends RefusedPosts {
  /** SHA-256 of the rendition the upload progress belongs to. */
  videoSha256: string | null;
  uploadToken: string | null;
  partBytes: number | null;
  partsDone: number[];
  /** The parts were merged (`archive/video/complete`). */
  uploadCompleted: boolean;
  /** Cover URL from `archive/cover/upload`. */
  coverUrl: string | null;
  /** Set just before add-by-utoken is sent (ISO time). */
  submitRequestedAt: string | null;
  /** The archive (BV id). */
  resourceId: string | null;
}

type Ctx = TransmitContext<BilibiliCheckpoint>;

export function createBilibiliAdapter(options: BilibiliAdapterOptions = {}): ChannelAdapter<BilibiliPayload, BilibiliCheckpoint> {
  const o = bilibiliOptions(options);

  // ── transmit ─────────────────────────────────────────────────────────────────────────────
  async function transmit(payload: BilibiliPayload, ctx: Ctx): Promise<TransmitResult> {
    const api = new BilibiliClient(ctx, o);
    const cp = progress(ctx);
    if (cp.state.resourceId) return { state: 'submitted', externalId: cp.state.resourceId };

    const video = await videoToUpload(ctx, payload.video, NAME, (d) => tooLongForBilibili(d, o.maxDurationSec), {
      en: "over Bilibili's 4 GB limit",
      zh: '超过哔哩哔哩 4 GB 的上限',
    });
    await dropUploadOfOtherFile(cp, video, { videoSha256: null, uploadToken: null, partBytes: null, partsDone: [], uploadCompleted: false });
    if (!cp.state.uploadCompleted) await upload(api, video, cp, ctx);

    if (!cp.state.coverUrl) {
      const cover = await ctx.renditions.get(payload.cover.mediaId, payload.cover.spec);
      if (cover.sizeBytes > L.coverBytes)
        throw rejectedContent(NAME, [
          {
            field: 'cover',
            message: `the cover is ${formatBytes(cover.sizeBytes)}, over Bilibili's 5 MB limit`,
            messageZh: `封面有 ${formatBytes(cover.sizeBytes)}，超过哔哩哔哩 5 MB 的上限。请换一张较小的封面图片。`,
          },
        ]);
      // Small (≤ 5 MB): read whole, so the body's MD5 can be signed.
      const form = multipartBuffer('file', coverFileName(cover.mime), cover.mime, await readFile(cover.path));
      const data = await api.call('cover upload', false, () => ({
        method: 'POST',
        url: '/arcopen/fn/archive/cover/upload',
        body: form.body,
        contentType: form.contentType,
      }));
      const url = typeof data.url === 'string' ? data.url : '';
      if (!url) throw new DeliveryError('retryable', `${NAME} cover upload answered without a URL.`);
      await cp.save({ coverUrl: url });
    }

    const uploadToken = cp.state.uploadToken!;
    // The first request time is kept: reconcile looks for archives submitted since then.
    if (!cp.state.submitRequestedAt) await cp.save({ submitRequestedAt: new Date().toISOString() });
    const body = JSON.stringify({
      title: payload.title,
      cover: cp.state.coverUrl,
      tid: payload.tid,
      no_reprint: payload.noReprint,
      desc: payload.desc,
      tag: payload.tags.join(','),
      copyright: payload.copyright,
      ...(payload.source ? { source: payload.source } : {}),
    });
    let data: Record<string, unknown>;
    try {
      data = await api.call('submission (add-by-utoken)', true, () => ({
        method: 'POST',
        url: '/arcopen/fn/archive/add-by-utoken',
        params: { upload_token: uploadToken },
        body,
        contentType: 'application/json',
      }));
    } catch (err) {
      if (isDeliveryError(err) && err.errorClass === 'rejected' && /upload_token 已被使用/.test(err.message)) {
        throw new DeliveryError(
          'rejected',
          `${NAME} says this upload was already submitted, yet the account ${accountLabel(ctx)} lists no archive made from it: it may have been submitted and deleted since. Check the account; resend the delivery to submit it again.`,
          { platformCode: err.platformCode },
        );
      }
      throw err;
    }
    const resourceId = typeof data.resource_id === 'string' ? data.resource_id : '';
    if (!resourceId)
      throw new DeliveryError('unconfirmed', `${NAME} add-by-utoken answered without a resource_id; the archive is looked up before anything is sent again.`);
    await cp.save({ resourceId });
    return { state: 'submitted', externalId: resourceId };
  }

  async function upload(api: BilibiliClient, file: RenditionFile, cp: Progress<BilibiliCheckpoint>, ctx: Ctx): Promise<void> {
    for (let round = 0; ; round++) {
      let resumed = Boolean(cp.state.uploadToken);
      if (!cp.state.uploadToken) {
        const data = await api.call('upload init', false, () => ({
          method: 'POST',
          url: '/arcopen/fn/archive/video/init',
          body: JSON.stringify({ name: 'video.mp4', utype: 0 }),
          contentType: 'application/json',
        }));
        const token = typeof data.upload_token === 'string' ? data.upload_token : '';
        if (!token) throw new DeliveryError('retryable', `${NAME} upload init answered without an upload_token.`);
        await cp.save({ videoSha256: file.sha256, uploadToken: token, partBytes: o.partBytes, partsDone: [], uploadCompleted: false });
        resumed = false;
      }
      const token = cp.state.uploadToken!;
      try {
        await uploadMissingParts(
          file,
          cp.state.partBytes ?? o.partBytes,
          1,
          new Set(cp.state.partsDone ?? []),
          ctx,
          (part) => api.uploadPart(token, file.path, part),
          (partsDone) => cp.save({ partsDone }),
        );
        ctx.heartbeat();
        await api.call('upload complete', false, () => ({
          method: 'POST',
          url: '/arcopen/fn/archive/video/complete',
          params: { upload_token: token },
          body: '',
          headers: declaredDuration(file),
        }));
        await cp.save({ uploadCompleted: true });
        return;
      } catch (err) {
        // An upload token from an earlier attempt may no longer be valid: start over once.
        if (resumed && round === 0 && isDeliveryError(err) && err.platformCode === -400 && /upload_token/.test(err.message)) {
          await cp.save({ uploadToken: null, partBytes: null, partsDone: [], uploadCompleted: false });
          continue;
        }
        throw err;
      }
    }
  }

  // ── reconcile / confirm / takeDown ───────────────────────────────────────────────────────
  async function reconcile(payload: BilibiliPayload, ctx: Ctx): Promise<TransmitResult | null> {
    const cp = ctx.checkpointed;
    if (cp.resourceId) return reconcileCheckpointedPost(post, cp.resourceId, ctx);
    if (!cp.submitRequestedAt) return null; // add-by-utoken was never sent
    const api = new BilibiliClient(ctx, o);
    const since = Date.parse(cp.submitRequestedAt) - o.reconcileSkewMs;
    // The archive made from this upload token; failing that (a platform that names files
    // differently), the oldest archive with this title submitted after the request.
    let byToken: Record<string, unknown> | undefined;
    let byTitle: Record<string, unknown> | undefined;
    for (let pn = 1; pn <= 50 && !byToken; pn++) {
      const data = await api.call('archive/viewlist', false, () => ({
        method: 'GET',
        url: '/arcopen/fn/archive/viewlist',
        params: { pn, ps: 50, status: 'all' },
        body: '',
      }));
      const list = Array.isArray(data.list) ? (data.list as Record<string, unknown>[]) : [];
      let older = false;
      for (const a of list) {
        if (wasRefused(cp, a.resource_id)) continue; // review refused it: not this attempt's
        if (Number(a.ctime) * 1000 < since) {
          older = true;
          continue;
        }
        if (cp.uploadToken && (a.video_info as { filename?: unknown } | undefined)?.filename === cp.uploadToken) byToken = a;
        if (a.title === payload.title) byTitle = a;
      }
      const total = Number((data.page as { total?: unknown } | undefined)?.total ?? 0);
      if (older || list.length === 0 || pn * 50 >= total) break;
    }
    const found = byToken ?? byTitle;
    if (!found) return null;
    const resourceId = String(found.resource_id);
    await ctx.checkpoint({ resourceId });
    const state = Number((found.addit_info as { state?: unknown } | undefined)?.state);
    return state === 0 ? { state: 'live', externalId: resourceId, publicUrl: stringOrNull(found.share_url) } : { state: 'submitted', externalId: resourceId };
  }

  /** Where archive/view says the archive stands; sent back, locked, deleted or unknown, a retry submits anew (video-platform/refusal.ts). */
  async function standing(resourceId: string, ctx: Ctx): Promise<PostStanding> {
    const api = new BilibiliClient(ctx, o);
    const again = 'A retry uploads the video again and submits it anew.';
    let data: Record<string, unknown>;
    try {
      data = await api.call('archive/view', false, () => ({ method: 'GET', url: '/arcopen/fn/archive/view', params: { resource_id: resourceId }, body: '' }));
    } catch (err) {
      if (isDeliveryError(err) && err.platformCode === -404)
        return {
          kind: 'gone',
          platformCode: 'archive_not_found',
          message: `${NAME} does not know the archive ${resourceId} (any more) for the account ${accountLabel(ctx)} (-404): it was deleted, and nothing of it is public. ${again}`,
        };
      throw err;
    }
    const info = (data.addit_info ?? {}) as { state?: unknown; state_desc?: unknown; reject_reason?: unknown };
    const state = Number(info.state);
    if (state === 0) return { kind: 'live', publicUrl: stringOrNull(data.share_url) };
    if (state === -2 || state === -4) {
      const reason = typeof info.reject_reason === 'string' && info.reject_reason ? `: ${info.reject_reason}` : '';
      return {
        kind: 'refused',
        platformCode: `archive_state_${state}`,
        message: `${NAME} review ${state === -2 ? 'sent the archive back (被打回)' : 'locked the archive (锁定)'}${reason}. ${again}`,
      };
    }
    if (state === -100)
      return {
        kind: 'gone',
        platformCode: 'archive_state_-100',
        message: `${NAME}: the archive ${resourceId} was deleted (state -100), and nothing of it is public. ${again}`,
      };
    return { kind: 'pending', note: typeof info.state_desc === 'string' && info.state_desc ? info.state_desc : `state ${state}` };
  }

  // A refused or deleted archive spent its upload token; the cover URL stays usable.
  const post: CheckpointedPost<BilibiliCheckpoint> = {
    standing,
    postOf: (cp) => cp.resourceId,
    spent: { resourceId: null, submitRequestedAt: null, uploadToken: null, partBytes: null, partsDone: [], uploadCompleted: false },
  };

  function confirm(externalId: string, ctx: Ctx): Promise<ConfirmResult> {
    return confirmPost(post, externalId, ctx);
  }

  async function takeDown(externalId: string, ctx: Ctx & { reason: string }): Promise<void> {
    const api = new BilibiliClient(ctx, o);
    try {
      await api.call('archive/delete', true, () => ({ method: 'POST', url: '/arcopen/fn/archive/delete', params: { resource_id: externalId }, body: '' }));
    } catch (err) {
      if (isDeliveryError(err) && err.platformCode === -404) return; // already gone
      throw err;
    }
  }

  return {
    platform: 'bilibili',
    capabilities: {
      publishing: 'api',
      canDelete: true,
      limits: {
        titleChars: L.titleChars,
        descChars: L.descChars,
        tagCount: L.tagCount,
        tagChars: L.tagChars,
        maxDurationSec: o.maxDurationSec,
        totalBytes: '4 GB',
        coverMinSize: `${L.coverMinWidth}×${L.coverMinHeight}`,
        coverBytes: L.coverBytes,
        partBytes: o.partBytes,
        formats: 'mp4, flv',
        dailySubmissions: '5 (non-member accounts)',
      },
    },
    format: (unit) => formatBilibili(unit, o),
    transmit,
    confirm,
    reconcile,
    takeDown,
    postStillThere: (externalId: string, ctx: Ctx) => postStillThere(post, externalId, ctx),
    // Also the credentials check after a hold (activities/delivery-activities.ts): one post, a read.
    latestPosts: (ctx: PostListContext, limit: number) => latestBilibiliPosts(ctx, o, limit),
  };
}
