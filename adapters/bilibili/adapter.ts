/**
 * Bilibili (哔哩哔哩) channel adapter. Bilibili takes video only: the release unit's video
 * interpretation becomes an archive (稿件) with a title (1–80 characters), a description
 * (≤ 250, ending with the link to the policy document on the portal), tags (1–10, each ≤ 20), a
 * child partition (tid), a copyright declaration and a cover of at least 960×600 (the package
 * cover when it is large enough, else a frame of the video).
 *
 * transmit: user access token (the refresh token rotates on every refresh: the new one is stored
 * at once) → `archive/video/init` → parts of 8 MB to the upload host → `archive/video/complete`
 * → `archive/cover/upload` → `archive/add-by-utoken`. Every open-platform call is signed
 * (x-bili-* headers, HMAC-SHA256 with the app secret). Upload token, finished parts, cover URL
 * and the archive's id are checkpointed, so a retry resumes and never submits twice. Review is
 * asynchronous: transmit answers `submitted`, `confirm` polls `archive/view` (state -1 待审 → 0
 * 开放浏览; -2 被打回 / -4 锁定 refused). A lost submission answer is reconciled through
 * `archive/viewlist` (the archive made from this upload token).
 */
import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { AxiosRequestConfig, AxiosResponse } from 'axios';
import { formatBytes, formatDuration } from '../../media/units.js';
import { DeliveryError, isDeliveryError, rejectedContent } from '../errors.js';
import { charCount, htmlToPlainText, truncateChars } from '../text.js';
import { stillValid } from '../tokens.js';
import type { ChannelAdapter, ConfirmResult, Formatted, ReleaseUnit, RenditionFile, TransmitContext, TransmitResult } from '../types.js';
import {
  accountLabel,
  appCredentialsRefused,
  authorizationRefused,
  declaredDuration,
  missingCredential,
  nextRefreshToken,
  videoTiming,
  videoToPost,
  type VideoTimingOptions,
  platformRequest,
  progress,
  refreshTokenExhausted,
  stringOrNull,
  type Progress,
} from '../video-platform.js';
import { bilibiliDeclaration } from './declaration.js';

const NAME = 'Bilibili (哔哩哔哩)';
const MiB = 1024 * 1024;

export interface BilibiliAdapterOptions extends VideoTimingOptions {
  /** Child partition (子分区) submissions go to (default 206 资讯 › 综合). */
  tid?: number;
  /** Tags every submission carries (default 碑林区, 政务公开); the package's catalogue name is added. */
  tags?: string[];
  /** 1 自制 (own production, default) or 2 转载 (reprint, needs `source`). */
  copyright?: 1 | 2;
  source?: string;
  /** 1 forbids reprinting (default 0). */
  noReprint?: 0 | 1;
  /** Size of each uploaded part (default 8 MiB, as recommended). */
  partBytes?: number;
  /** Longest video: under 5 hours (default 18000 s, exclusive). */
  maxDurationSec?: number;
  /** Where parts go (default: the API base URL; production: the upload host). */
  uploadBaseUrl?: string;
  /** Text before the portal link in the description (default 政策原文：). */
  portalLabel?: string;
}

/** Bilibili's documented limits (its declaration). */
export const BILIBILI_ADAPTER_LIMITS = bilibiliDeclaration.limits;

export interface BilibiliPayload {
  platform: 'bilibili';
  interpretation: number;
  video: { mediaId: string; spec: string; name?: string; durationSec?: number };
  cover: { mediaId: string; spec: string };
  title: string;
  desc: string;
  tags: string[];
  tid: number;
  copyright: 1 | 2;
  source?: string;
  noReprint: 0 | 1;
}

/** Progress saved between attempts. `null` clears a field (checkpoints are merged). */
export interface BilibiliCheckpoint {
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
type Reply = { code: number; message: string; data: Record<string, unknown> };

const TOKEN_CODES = new Set([-101, -2, -658]);

export function createBilibiliAdapter(options: BilibiliAdapterOptions = {}): ChannelAdapter<BilibiliPayload, BilibiliCheckpoint> {
  const L = BILIBILI_ADAPTER_LIMITS;
  const o = {
    tid: options.tid ?? 206,
    tags: options.tags ?? ['碑林区', '政务公开'],
    copyright: options.copyright ?? 1,
    source: options.source,
    noReprint: options.noReprint ?? 0,
    partBytes: options.partBytes ?? 8 * MiB,
    maxDurationSec: options.maxDurationSec ?? 5 * 3600,
    uploadBaseUrl: options.uploadBaseUrl,
    portalLabel: options.portalLabel ?? '政策原文：',
    ...videoTiming(options),
  };

  // ── format (pure) ────────────────────────────────────────────────────────────────────────
  function format(unit: ReleaseUnit): Formatted<BilibiliPayload> {
    const { index, interp, media, field, title, problems, warnings } = videoToPost(unit, NAME, o.maxDurationSec, (d) =>
      d >= o.maxDurationSec ? `the video is ${formatDuration(d)} long; Bilibili takes videos under ${formatDuration(o.maxDurationSec)}` : undefined,
    );
    if (title === '') problems.push({ field: `${field}.title`, message: 'Bilibili needs a title' });
    else if (charCount(title) > L.titleChars)
      problems.push({
        field: `${field}.title`,
        message: `Bilibili titles have at most ${L.titleChars} characters; this one has ${charCount(title)} (${charCount(title) - L.titleChars} too many)`,
      });

    // Cover: the package's cover when it meets 960×600, else a frame of the video.
    const coverMedia = unit.cover ? unit.media[unit.cover.mediaId] : undefined;
    const bigEnough = (m: { width?: number; height?: number }) =>
      m.width === undefined || m.height === undefined || (m.width >= L.coverMinWidth && m.height >= L.coverMinHeight);
    let cover: BilibiliPayload['cover'] | undefined;
    if (coverMedia && coverMedia.kind === 'image' && bigEnough(coverMedia)) cover = { mediaId: coverMedia.mediaId, spec: 'bilibili.cover' };
    else if (bigEnough(media)) {
      cover = { mediaId: media.mediaId, spec: 'bilibili.video_cover' };
      if (coverMedia)
        warnings.push(
          `${NAME}: the package cover is ${coverMedia.width}×${coverMedia.height}, under Bilibili's ${L.coverMinWidth}×${L.coverMinHeight} minimum; a frame of the video is the cover instead.`,
        );
    } else {
      problems.push({
        field: 'cover',
        message: `Bilibili needs a cover of at least ${L.coverMinWidth}×${L.coverMinHeight}: ${coverMedia ? `the package cover is ${coverMedia.width}×${coverMedia.height} and ` : 'the package has no cover and '}the video is ${media.width}×${media.height}; choose a larger cover picture`,
      });
    }

    const tags: string[] = [];
    for (const raw of [...o.tags, unit.catalogue.name]) {
      const tag = raw.replace(/[,，]/g, ' ').replace(/\s+/g, ' ').trim();
      if (tag === '' || tags.includes(tag)) continue;
      if (charCount(tag) > L.tagChars) {
        warnings.push(`${NAME}: the tag "${tag}" is longer than ${L.tagChars} characters and is left out.`);
        continue;
      }
      if (tags.length === L.tagCount) {
        warnings.push(`${NAME}: at most ${L.tagCount} tags; "${tag}" is left out.`);
        continue;
      }
      tags.push(tag);
    }
    if (tags.length === 0) problems.push({ field: 'tags', message: 'Bilibili needs at least one tag (configure the channel’s tags)' });
    if (o.copyright === 2 && !o.source?.trim()) problems.push({ field: 'source', message: 'a reprint (copyright 2) must name its source' });
    if (o.source && charCount(o.source) > L.sourceChars) problems.push({ field: 'source', message: `the source has at most ${L.sourceChars} characters` });
    if (problems.length) throw rejectedContent(NAME, problems);

    // Description: summary, then the link to the document page (kept whole).
    const link = unit.portalLinks ? `${o.portalLabel}${unit.portalLinks.document}` : '';
    let linkLine = link;
    if (charCount(link) > L.descChars) {
      warnings.push(`${NAME}: the portal link does not fit the ${L.descChars}-character description and is left out.`);
      linkLine = '';
    }
    const plain = htmlToPlainText(interp.body)
      .replace(/\s*\n\s*/g, ' ')
      .trim();
    const budget = L.descChars - (linkLine ? charCount(linkLine) + 1 : 0);
    let summary = '';
    if (plain && budget >= 10) {
      summary = truncateChars(plain, budget);
      if (summary !== plain) warnings.push(`${NAME}: the description carries the first ${charCount(summary) - 1} characters of the interpretation text.`);
    }
    const desc = [summary, linkLine].filter((s) => s !== '').join('\n');

    const payload: BilibiliPayload = {
      platform: 'bilibili',
      interpretation: index,
      video: {
        mediaId: media.mediaId,
        spec: 'bilibili.video_1080',
        ...(media.name ? { name: media.name } : {}),
        ...(media.durationSec !== undefined ? { durationSec: media.durationSec } : {}),
      },
      cover: cover!,
      title,
      desc,
      tags,
      tid: o.tid,
      copyright: o.copyright,
      ...(o.copyright === 2 && o.source ? { source: o.source } : {}),
      noReprint: o.noReprint,
    };
    return {
      payload,
      renditions: [
        { mediaId: media.mediaId, spec: 'bilibili.video_1080', purpose: 'interpretation video' },
        { mediaId: cover!.mediaId, spec: cover!.spec, purpose: cover!.spec === 'bilibili.cover' ? 'cover' : 'cover (frame of the video)' },
      ],
      warnings,
    };
  }

  // ── transmit ─────────────────────────────────────────────────────────────────────────────
  async function transmit(payload: BilibiliPayload, ctx: Ctx): Promise<TransmitResult> {
    const api = new BilibiliApi(ctx, o);
    const cp = progress(ctx);
    if (cp.state.resourceId) return { state: 'submitted', externalId: cp.state.resourceId };

    const video = await ctx.renditions.get(payload.video.mediaId, payload.video.spec);
    if (video.durationSec !== undefined && video.durationSec >= o.maxDurationSec) {
      throw rejectedContent(NAME, [
        { field: 'video', message: `the video is ${formatDuration(video.durationSec)} long; Bilibili takes videos under ${formatDuration(o.maxDurationSec)}` },
      ]);
    }
    if (video.sizeBytes > 4 * 1024 * MiB)
      throw rejectedContent(NAME, [{ field: 'video', message: `the video file is ${formatBytes(video.sizeBytes)}, over Bilibili's 4 GB limit` }]);
    if (cp.state.videoSha256 && cp.state.videoSha256 !== video.sha256) {
      await cp.save({ videoSha256: null, uploadToken: null, partBytes: null, partsDone: [], uploadCompleted: false });
    }
    if (!cp.state.uploadCompleted) await upload(api, video, cp, ctx);

    if (!cp.state.coverUrl) {
      const cover = await ctx.renditions.get(payload.cover.mediaId, payload.cover.spec);
      if (cover.sizeBytes > L.coverBytes)
        throw rejectedContent(NAME, [{ field: 'cover', message: `the cover is ${formatBytes(cover.sizeBytes)}, over Bilibili's 5 MB limit` }]);
      // Small (≤ 5 MB): read whole, so the body's MD5 can be signed.
      const form = multipartBuffer('file', `cover.${cover.mime === 'image/png' ? 'png' : 'jpg'}`, cover.mime, await readFile(cover.path));
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

  async function upload(api: BilibiliApi, file: RenditionFile, cp: Progress<BilibiliCheckpoint>, ctx: Ctx): Promise<void> {
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
      const partBytes = cp.state.partBytes ?? o.partBytes;
      const count = Math.ceil(file.sizeBytes / partBytes);
      const done = new Set(cp.state.partsDone ?? []);
      try {
        for (let n = 1; n <= count; n++) {
          if (done.has(n)) continue;
          ctx.heartbeat();
          const start = (n - 1) * partBytes;
          const end = Math.min(file.sizeBytes, start + partBytes) - 1;
          await api.uploadPart(`video part ${n}/${count}`, token, n, file.path, start, end);
          done.add(n);
          await cp.save({ partsDone: [...done].sort((a, b) => a - b) });
        }
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
    if (cp.resourceId) return { state: 'submitted', externalId: cp.resourceId };
    if (!cp.submitRequestedAt) return null; // add-by-utoken was never sent
    const api = new BilibiliApi(ctx, o);
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

  async function confirm(externalId: string, ctx: Ctx): Promise<ConfirmResult> {
    const api = new BilibiliApi(ctx, o);
    let data: Record<string, unknown>;
    try {
      data = await api.call('archive/view', false, () => ({ method: 'GET', url: '/arcopen/fn/archive/view', params: { resource_id: externalId }, body: '' }));
    } catch (err) {
      if (isDeliveryError(err) && err.platformCode === -404)
        return { state: 'rejected', message: `${NAME} does not know the archive ${externalId} (any more) for the account ${accountLabel(ctx)}.` };
      throw err;
    }
    const info = (data.addit_info ?? {}) as { state?: unknown; state_desc?: unknown; reject_reason?: unknown };
    const state = Number(info.state);
    if (state === 0) return { state: 'live', publicUrl: stringOrNull(data.share_url), externalId };
    if (state === -2 || state === -4) {
      const reason = typeof info.reject_reason === 'string' && info.reject_reason ? `: ${info.reject_reason}` : '';
      return { state: 'rejected', message: `${NAME} review ${state === -2 ? 'sent the archive back (被打回)' : 'locked the archive (锁定)'}${reason}.` };
    }
    if (state === -100) return { state: 'rejected', message: `${NAME}: the archive ${externalId} was deleted.` };
    return { state: 'pending', note: typeof info.state_desc === 'string' && info.state_desc ? info.state_desc : `state ${state}` };
  }

  async function takeDown(externalId: string, ctx: Ctx & { reason: string }): Promise<void> {
    const api = new BilibiliApi(ctx, o);
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
    format,
    transmit,
    confirm,
    reconcile,
    takeDown,
  };
}

// ── Bilibili API client: signing, tokens, error classes ────────────────────────────────────

interface SignedRequest {
  method: 'GET' | 'POST';
  url: string;
  params?: Record<string, string | number>;
  body: string | Buffer;
  contentType?: string;
  headers?: Record<string, string>;
}

class BilibiliApi {
  constructor(
    private readonly ctx: Ctx,
    private readonly o: { timeoutMs: number; uploadTimeoutMs: number; rateLimitWaitMs: number; uploadBaseUrl?: string },
  ) {}

  /** A signed open-platform call with the user token; an expired/invalid token is refreshed once. */
  async call(what: string, sideEffect: boolean, build: () => SignedRequest): Promise<Record<string, unknown>> {
    const { clientId, clientSecret } = this.appCredentials();
    for (let attempt = 0; ; attempt++) {
      const accessToken = await this.accessToken(attempt > 0);
      const r = build();
      const headers = {
        ...signHeaders(clientId, clientSecret, r.body),
        'access-token': accessToken,
        accept: 'application/json',
        ...(r.contentType ? { 'content-type': r.contentType } : {}),
        ...(r.headers ?? {}),
      };
      const reply = await this.send(what, sideEffect, {
        method: r.method,
        url: r.url,
        params: r.params,
        headers,
        data: r.method === 'GET' ? undefined : r.body,
      });
      if (reply.code === 0) return reply.data ?? {};
      if (TOKEN_CODES.has(reply.code) && attempt === 0) {
        await this.ctx.tokens.delete('access_token');
        continue;
      }
      throw this.error(reply.code, reply.message, what);
    }
  }

  /** A part to the upload host: raw body streamed from disk, authorized by the upload token. */
  async uploadPart(what: string, uploadToken: string, partNumber: number, path: string, start: number, end: number): Promise<void> {
    const reply = await this.send(what, false, {
      baseURL: this.o.uploadBaseUrl ?? this.ctx.baseUrl,
      method: 'POST',
      url: '/video/v2/part/upload',
      params: { upload_token: uploadToken, part_number: partNumber },
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(end - start + 1) },
      data: createReadStream(path, { start, end }),
      timeout: this.o.uploadTimeoutMs,
    });
    if (reply.code !== 0) throw this.error(reply.code, reply.message, what);
  }

  private async send(what: string, sideEffect: boolean, config: AxiosRequestConfig): Promise<Reply> {
    const res = await platformRequest(NAME, this.ctx, this.o.timeoutMs, what, sideEffect, config, (errorRes) => {
      const r = replyOf(errorRes);
      return r.code !== 0 ? this.error(r.code, r.message, what) : undefined;
    });
    return replyOf(res);
  }

  private appCredentials(): { clientId: string; clientSecret: string } {
    const { clientId, clientSecret } = this.ctx.credentials;
    if (!clientId || !clientSecret) {
      throw missingCredential(NAME, this.ctx, !clientId ? 'clientId' : 'clientSecret');
    }
    return { clientId, clientSecret };
  }

  private error(code: number, message: string, what: string): DeliveryError {
    const said = `${code}${message ? ` ${message}` : ''}`;
    const opts = { platformCode: code };
    switch (code) {
      case -101:
      case -2:
      case -658:
        return authorizationRefused(NAME, this.ctx, 'on the Bilibili open platform', said, code);
      case -3:
        return new DeliveryError(
          'needs_reconnect',
          `${NAME} refused the request signature (${said}): check the account ${accountLabel(this.ctx)}'s clientSecret and this server's clock.`,
          opts,
        );
      case -509:
        return new DeliveryError('rate_limited', `${NAME} ${what}: too many requests (${said}).`, { ...opts, retryAfterMs: this.o.rateLimitWaitMs });
      case 21070:
        return new DeliveryError(
          'rate_limited',
          `${NAME}: the account ${accountLabel(this.ctx)} has reached its daily number of submissions (${said}); the submission waits for the next day (Beijing time).`,
          { ...opts, retryAfterMs: untilBeijingMidnightMs(Date.now()) },
        );
      case -503:
      case -500:
        return new DeliveryError('retryable', `${NAME} ${what}: the platform is busy (${said}); trying again later.`, opts);
      case -404:
        return new DeliveryError('rejected', `${NAME} ${what}: not found (${said}).`, opts);
      case -400:
        return new DeliveryError('rejected', `${NAME} refused ${what}: ${message || 'bad request'} (-400).`, {
          ...opts,
          problems: [{ field: what, message: `Bilibili refused it: ${message || 'bad request'}` }],
        });
      default:
        return new DeliveryError('retryable', `${NAME} ${what}: unexpected error ${said}.`, opts);
    }
  }

  /** The access token: the stored one while valid, else from the refresh token (which rotates). */
  private async accessToken(force: boolean): Promise<string> {
    const tokens = this.ctx.tokens;
    if (!force) {
      const at = await tokens.get('access_token');
      if (at && stillValid(at, Date.now())) return at.value;
    }
    const { clientId, clientSecret } = this.appCredentials();
    const tried = new Set<string>();
    for (;;) {
      const candidate = await nextRefreshToken(this.ctx, tried);
      if (!candidate) throw refreshTokenExhausted(NAME, this.ctx, tried.size, 'on the Bilibili open platform');
      tried.add(candidate);
      const reply = await this.send('token refresh', false, {
        method: 'POST',
        url: '/x/account-oauth2/v1/refresh_token',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        data: new URLSearchParams({ client_id: clientId, client_secret: clientSecret, grant_type: 'refresh_token', refresh_token: candidate }).toString(),
      });
      if (reply.code === -400) continue; // this refresh token is spent or expired: try the next one
      if (reply.code === -3) throw appCredentialsRefused(NAME, this.ctx, `${reply.code} ${reply.message}`, 'clientId and clientSecret', reply.code);
      if (reply.code !== 0) throw this.error(reply.code, reply.message, 'token refresh');
      const d = reply.data ?? {};
      const accessToken = String(d.access_token ?? '');
      const refresh = String(d.refresh_token ?? '');
      if (!accessToken) throw new DeliveryError('retryable', `${NAME} token refresh answered without an access token.`);
      // The old refresh token stopped working: keep the new one before anything else can fail.
      if (refresh && refresh !== candidate) await tokens.put('refresh_token', refresh, null);
      await tokens.put('access_token', accessToken, expiryOf(d.expires_in));
      return accessToken;
    }
  }
}

/** Bilibili's `expires_in` is an absolute Unix time (seconds); a small value is read as a lifetime. */
function expiryOf(value: unknown): Date | null {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) return null;
  return new Date(n > 1e9 ? n * 1000 : Date.now() + n * 1000);
}

/** Time until the next day begins in Beijing (UTC+8), plus a minute. */
function untilBeijingMidnightMs(nowMs: number): number {
  const day = 86_400_000;
  const beijing = nowMs + 8 * 3_600_000;
  return (Math.floor(beijing / day) + 1) * day - beijing + 60_000;
}

function replyOf(res: AxiosResponse): Reply {
  const b = res.data as Partial<Reply> | undefined;
  if (!b || typeof b !== 'object' || typeof b.code !== 'number') return { code: -500, message: `unexpected answer (HTTP ${res.status})`, data: {} };
  return { code: b.code, message: typeof b.message === 'string' ? b.message : '', data: b.data && typeof b.data === 'object' ? b.data : {} };
}

/** The x-bili-* signature headers: HMAC-SHA256 with the app secret over the sorted headers. */
function signHeaders(clientId: string, secret: string, body: string | Buffer): Record<string, string> {
  const h: Record<string, string> = {
    'x-bili-accesskeyid': clientId,
    'x-bili-content-md5': createHash('md5').update(body).digest('hex'),
    'x-bili-signature-method': 'HMAC-SHA256',
    'x-bili-signature-nonce': randomUUID(),
    'x-bili-signature-version': '2.0',
    'x-bili-timestamp': String(Math.floor(Date.now() / 1000)),
  };
  const canonical = Object.keys(h)
    .sort()
    .map((k) => `${k}:${h[k]}`)
    .join('\n');
  h.authorization = createHmac('sha256', secret).update(canonical).digest('hex');
  return h;
}

// ── helpers ─────────────────────────────────────────────────────────────────────────────────

/** A small multipart/form-data body in memory (covers), so its MD5 can be signed. */
function multipartBuffer(field: string, filename: string, contentType: string, data: Buffer): { body: Buffer; contentType: string } {
  const boundary = `----govpub${randomBytes(12).toString('hex')}`;
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${filename}"\r\nContent-Type: ${contentType}\r\n\r\n`);
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return { body: Buffer.concat([head, data, tail]), contentType: `multipart/form-data; boundary=${boundary}` };
}
