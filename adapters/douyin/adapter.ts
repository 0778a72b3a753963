/**
 * Douyin (抖音) channel adapter. Douyin takes video only: the release unit's video interpretation
 * becomes a Douyin video whose text is the title, a short summary and a mention of the portal page
 * (Douyin shows no clickable links in video text, and outbound links count against a video in
 * review, so the page is named rather than linked).
 *
 * transmit: user access token (refresh token → access token, renewed before the refresh token
 * runs out) → upload (one request up to 50 MB; above that, and always above 128 MB, part upload
 * init → parts ≥ 5 MB except the last → complete) → `video/create`. Every step's id is
 * checkpointed, so a retry resumes the upload where it stopped and never uploads a finished
 * video again. Publishing goes through review: transmit answers `submitted`, `confirm` polls
 * `video/data` (video_status 4 in review → 1 published; 2 refused). A lost `video/create` answer is
 * reconciled through `video/list` (the item with exactly this text created after the request).
 */
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
  multipartFile,
  nextRefreshToken,
  videoTiming,
  videoToPost,
  type VideoTimingOptions,
  platformRequest,
  progress,
  refreshTokenExhausted,
  stringOrNull,
  toMs,
  type Progress,
} from '../video-platform.js';
import { douyinDeclaration } from './declaration.js';

const NAME = 'Douyin (抖音)';
const MiB = 1024 * 1024;

export interface DouyinAdapterOptions extends VideoTimingOptions {
  /** The rendition uploaded (default `douyin.video_1080`; `douyin.video_720` also meets Douyin's 720p minimum). */
  videoSpec?: 'douyin.video_1080' | 'douyin.video_720';
  /** Longest `text` of video/create (default 1000 characters: an assumption, see simulators/README.md). */
  textChars?: number;
  /** Most characters of the interpretation text carried in the video text (default 300). */
  summaryChars?: number;
  /** Longest video (default 15 minutes, documented). */
  maxDurationSec?: number;
  /** Files above this go through part upload (default 50 MB, as the documentation recommends). */
  partUploadAboveBytes?: number;
  /** Largest file one upload request may carry (default 128 MB, documented): part upload is mandatory above. */
  singleUploadMaxBytes?: number;
  /** Size of each part but the last (default 10 MiB; the documentation recommends 20 MB and requires at least 5 MB). */
  partBytes?: number;
  /** Renew the refresh token (`/oauth/renew_refresh_token/`) when it has less than this left (default 5 days). */
  renewRefreshBeforeSeconds?: number;
  /** How the portal page is named in the text (default 碑林区人民政府网站). */
  portalName?: string;
}

export interface DouyinPayload {
  platform: 'douyin';
  /** Index of the interpretation the video comes from. */
  interpretation: number;
  video: { mediaId: string; spec: string; name?: string; durationSec?: number };
  /** `text` of video/create: title, summary, mention of the portal page. */
  text: string;
}

/** Progress saved between attempts. `null` clears a field (checkpoints are merged). */
export interface DouyinCheckpoint {
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

/** The `data` object of Douyin's `{data: {..., error_code, description}, extra}` envelope. */
type DouyinData = Record<string, unknown> & { error_code?: number; description?: string };

const TOKEN_CODES = new Set([2190002, 2190008]);

export function createDouyinAdapter(options: DouyinAdapterOptions = {}): ChannelAdapter<DouyinPayload, DouyinCheckpoint> {
  const o = {
    videoSpec: options.videoSpec ?? 'douyin.video_1080',
    textChars: options.textChars ?? douyinDeclaration.limits.textChars,
    summaryChars: options.summaryChars ?? 300,
    maxDurationSec: options.maxDurationSec ?? douyinDeclaration.limits.maxDurationSec,
    partUploadAboveBytes: options.partUploadAboveBytes ?? 50 * 1_000_000,
    singleUploadMaxBytes: options.singleUploadMaxBytes ?? 128 * 1_000_000,
    partBytes: options.partBytes ?? 10 * MiB,
    renewRefreshBeforeSeconds: options.renewRefreshBeforeSeconds ?? 5 * 86400,
    portalName: options.portalName ?? '碑林区人民政府网站',
    ...videoTiming(options),
  };

  // ── format (pure) ────────────────────────────────────────────────────────────────────────
  function format(unit: ReleaseUnit): Formatted<DouyinPayload> {
    const { index, interp, media, field, title, problems, warnings } = videoToPost(unit, NAME, o.maxDurationSec, (d) =>
      d > o.maxDurationSec
        ? `the video is ${formatDuration(d)} long, ${formatDuration(d - o.maxDurationSec)} over Douyin's ${formatDuration(o.maxDurationSec)} limit; trim it or split it into parts`
        : undefined,
    );
    const mention = unit.portalLinks ? `全文见${o.portalName}` : '';
    if (title === '') problems.push({ field: `${field}.title`, message: 'the video needs a title' });
    const fixed = charCount(title) + (mention ? charCount(mention) + 1 : 0);
    if (fixed > o.textChars) {
      problems.push({
        field: `${field}.title`,
        message: `Douyin's video text holds at most ${o.textChars} characters; the title alone has ${charCount(title)}`,
      });
    }
    if (problems.length) throw rejectedContent(NAME, problems);

    const plain = htmlToPlainText(interp.body)
      .replace(/\s*\n\s*/g, ' ')
      .trim();
    const budget = Math.min(o.summaryChars, o.textChars - fixed - 1);
    let summary = '';
    if (plain && budget >= 10) {
      summary = truncateChars(plain, budget);
      if (summary !== plain) warnings.push(`${NAME}: the video text carries the first ${charCount(summary) - 1} characters of the interpretation text.`);
    } else if (plain) warnings.push(`${NAME}: the title leaves no room for the interpretation text in the video text.`);
    const text = [title, summary, mention].filter((s) => s !== '').join('\n');

    return {
      payload: {
        platform: 'douyin',
        interpretation: index,
        video: {
          mediaId: media.mediaId,
          spec: o.videoSpec,
          ...(media.name ? { name: media.name } : {}),
          ...(media.durationSec !== undefined ? { durationSec: media.durationSec } : {}),
        },
        text,
      },
      renditions: [{ mediaId: media.mediaId, spec: o.videoSpec, purpose: 'interpretation video' }],
      warnings,
    };
  }

  // ── transmit ─────────────────────────────────────────────────────────────────────────────
  async function transmit(payload: DouyinPayload, ctx: Ctx): Promise<TransmitResult> {
    const api = new DouyinApi(ctx, o);
    const cp = progress(ctx);
    if (cp.state.itemId) return { state: 'submitted', externalId: cp.state.itemId };

    const file = await ctx.renditions.get(payload.video.mediaId, payload.video.spec);
    checkFile(file, o.maxDurationSec);
    if (cp.state.videoSha256 && cp.state.videoSha256 !== file.sha256) {
      // The rendition changed since the last attempt: its upload progress is useless.
      await cp.save({ videoSha256: null, uploadId: null, partBytes: null, partsDone: [], videoId: null });
    }

    let data: DouyinData | undefined;
    for (let round = 0; !data; round++) {
      const videoId = cp.state.videoId ?? (await upload(api, file, cp, ctx));
      // The first request time is kept: reconcile looks for posts made since then.
      const sentBefore = Boolean(cp.state.createRequestedAt);
      if (!sentBefore) await cp.save({ createRequestedAt: new Date().toISOString() });
      try {
        data = await api.call('video/create', true, (auth) => ({
          method: 'POST',
          url: '/video/create/',
          params: { open_id: auth.openId },
          headers: { 'content-type': 'application/json' },
          data: JSON.stringify({ video_id: videoId, text: payload.text }),
        }));
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

  async function upload(api: DouyinApi, file: RenditionFile, cp: Progress<DouyinCheckpoint>, ctx: Ctx): Promise<string> {
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
      const partBytes = cp.state.partBytes ?? o.partBytes;
      const count = Math.ceil(file.sizeBytes / partBytes);
      const done = new Set(cp.state.partsDone ?? []);
      try {
        for (let n = 1; n <= count; n++) {
          if (done.has(n)) continue;
          ctx.heartbeat();
          const start = (n - 1) * partBytes;
          const end = Math.min(file.sizeBytes, start + partBytes) - 1;
          await api.call(`video part ${n}/${count}`, false, (auth) => {
            const body = multipartFile({ field: 'video', filename: 'video.mp4', contentType: file.mime, path: file.path, start, end });
            return {
              method: 'POST',
              url: '/video/part/upload/',
              params: { upload_id: uploadId, part_number: n, open_id: auth.openId },
              headers: body.headers,
              data: body.data,
              timeout: o.uploadTimeoutMs,
            };
          });
          done.add(n);
          await cp.save({ partsDone: [...done].sort((a, b) => a - b) });
        }
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
    if (cp.itemId) return { state: 'submitted', externalId: cp.itemId };
    if (!cp.createRequestedAt) return null; // video/create was never sent
    const api = new DouyinApi(ctx, o);
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
        // Oldest match after the request wins (the list is newest first).
        if (String(item.title ?? '').trim() === text) found = item;
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

  async function confirm(externalId: string, ctx: Ctx): Promise<ConfirmResult> {
    const api = new DouyinApi(ctx, o);
    const data = await api.call('video/data', false, (auth) => ({
      method: 'POST',
      url: '/video/data/',
      params: { open_id: auth.openId },
      headers: { 'content-type': 'application/json' },
      data: JSON.stringify({ item_ids: [externalId] }),
    }));
    const item = (Array.isArray(data.list) ? (data.list as Record<string, unknown>[]) : []).find((i) => i.item_id === externalId);
    if (!item)
      return { state: 'rejected', message: `${NAME} no longer lists the video ${externalId} for the account ${accountLabel(ctx)}: it was removed or deleted.` };
    const status = Number(item.video_status);
    if (status === 1 || status === 5) return { state: 'live', publicUrl: stringOrNull(item.share_url), externalId };
    if (status === 2) return { state: 'rejected', message: `${NAME} review found the video not suitable for the public (video_status 2); it is not shown.` };
    if (status === 4) return { state: 'pending', note: 'in review' };
    return { state: 'pending', note: `video_status ${status}` };
  }

  async function takeDown(externalId: string, ctx: Ctx & { reason: string }): Promise<void> {
    const api = new DouyinApi(ctx, o);
    try {
      await api.call('video/delete', true, (auth) => ({
        method: 'POST',
        url: '/video/delete/',
        params: { open_id: auth.openId },
        headers: { 'content-type': 'application/json' },
        data: JSON.stringify({ item_id: externalId }),
      }));
    } catch (err) {
      // 2100005 is also "unknown or already deleted": gone is what we want, if the list agrees.
      if (isDeliveryError(err) && err.platformCode === 2100005) {
        const data = await api.call('video/data', false, (auth) => ({
          method: 'POST',
          url: '/video/data/',
          params: { open_id: auth.openId },
          headers: { 'content-type': 'application/json' },
          data: JSON.stringify({ item_ids: [externalId] }),
        }));
        if (!Array.isArray(data.list) || !(data.list as Record<string, unknown>[]).some((i) => i.item_id === externalId)) return;
      }
      throw err;
    }
  }

  return {
    platform: 'douyin',
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
    format,
    transmit,
    confirm,
    reconcile,
    takeDown,
  };
}

// ── Douyin API client: tokens, envelope, error classes ─────────────────────────────────────

interface Auth {
  accessToken: string;
  openId: string;
}

class DouyinApi {
  constructor(
    private readonly ctx: Ctx,
    private readonly o: { timeoutMs: number; rateLimitWaitMs: number; renewRefreshBeforeSeconds: number },
  ) {}

  /** One API call with the user token; an expired/invalid token is refreshed once and the call repeated. */
  async call(what: string, sideEffect: boolean, build: (auth: Auth) => AxiosRequestConfig): Promise<DouyinData> {
    for (let attempt = 0; ; attempt++) {
      const auth = await this.auth(attempt > 0);
      const config = build(auth);
      const res = await this.send(what, sideEffect, {
        ...config,
        headers: { ...(config.headers as Record<string, string> | undefined), 'access-token': auth.accessToken },
      });
      const data = envelopeData(res);
      const code = data.error_code ?? 0;
      if (code === 0) return data;
      if (TOKEN_CODES.has(code) && attempt === 0) {
        await this.ctx.tokens.delete('access_token');
        continue;
      }
      throw this.error(code, data.description ?? '', what);
    }
  }

  private send(what: string, sideEffect: boolean, config: AxiosRequestConfig): Promise<AxiosResponse> {
    return platformRequest(NAME, this.ctx, this.o.timeoutMs, what, sideEffect, config, (res) => {
      const data = envelopeData(res);
      return data.error_code ? this.error(data.error_code, data.description ?? '', what) : undefined;
    });
  }

  private error(code: number, description: string, what: string): DeliveryError {
    const said = `${code}${description ? ` ${description}` : ''}`;
    const opts = { platformCode: code };
    switch (code) {
      case 2100004:
        return new DeliveryError('retryable', `${NAME} ${what}: the platform is busy (${said}); trying again later.`, opts);
      case 2190001:
        return new DeliveryError('rate_limited', `${NAME} ${what}: the app's call quota is used up (${said}).`, {
          ...opts,
          retryAfterMs: this.o.rateLimitWaitMs,
        });
      case 2190002:
      case 2190008:
      case 2190015:
        return authorizationRefused(NAME, this.ctx, 'in the Douyin open platform', said, code);
      case 10013:
        return appCredentialsRefused(NAME, this.ctx, said, 'clientKey and clientSecret', code);
      case 2190004:
      case 2100007:
        return new DeliveryError(
          'needs_reconnect',
          `${NAME} ${what}: the app or the account ${accountLabel(this.ctx)} lacks the permission (${said}). Check the app's abilities and the account's authorization scopes (video.create, video.data, video.delete, video.list).`,
          opts,
        );
      case 2190005:
        return new DeliveryError('rejected', `${NAME} refused the video as too large (${said}).`, {
          ...opts,
          problems: [{ field: 'video', message: `Douyin refused the file as too large (${said})` }],
        });
      case 2190006:
        return new DeliveryError('rejected', `${NAME} refused the video as longer than 15 minutes (${said}).`, {
          ...opts,
          problems: [{ field: 'video', message: 'Douyin takes videos of at most 15 minutes' }],
        });
      case 2190007:
        return new DeliveryError('rejected', `${NAME} ${what}: the uploaded video id is not usable (${said}).`, opts);
      case 2100005:
      case 10002:
      case 10005:
        return new DeliveryError('rejected', `${NAME} refused ${what} as invalid (${said}).`, {
          ...opts,
          problems: [{ field: what, message: `Douyin refused it: ${description || 'invalid parameter'} (${code})` }],
        });
      default:
        return new DeliveryError('retryable', `${NAME} ${what}: unexpected error ${said}.`, opts);
    }
  }

  /** The user access token and open_id: stored ones while valid, else from the refresh token. */
  async auth(force: boolean): Promise<Auth> {
    const tokens = this.ctx.tokens;
    if (!force) {
      const [at, oid] = await Promise.all([tokens.get('access_token'), tokens.get('open_id')]);
      if (at && oid && stillValid(at, Date.now())) return { accessToken: at.value, openId: oid.value };
    }
    const clientKey = this.ctx.credentials.clientKey;
    if (!clientKey) throw missingCredential(NAME, this.ctx, 'clientKey');

    const tried = new Set<string>();
    let lastCode: number | undefined;
    for (;;) {
      const candidate = await nextRefreshToken(this.ctx, tried);
      if (!candidate)
        throw refreshTokenExhausted(NAME, this.ctx, tried.size, 'in the Douyin open platform', { said: String(lastCode ?? 'refused'), platformCode: lastCode });
      tried.add(candidate);
      const res = await this.send('token refresh', false, {
        method: 'POST',
        url: '/oauth/refresh_token/',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        data: new URLSearchParams({ client_key: clientKey, grant_type: 'refresh_token', refresh_token: candidate }).toString(),
      });
      const data = envelopeData(res);
      const code = data.error_code ?? 0;
      if (code === 10010 || code === 10003 || code === 10002) {
        lastCode = code;
        continue;
      }
      if (code !== 0) throw this.error(code, data.description ?? '', 'token refresh');
      const accessToken = String(data.access_token ?? '');
      const openId = String(data.open_id ?? '');
      if (!accessToken || !openId) throw new DeliveryError('retryable', `${NAME} token refresh answered without an access token or open_id.`);
      const now = Date.now();
      await tokens.put('access_token', accessToken, new Date(now + Number(data.expires_in ?? 0) * 1000));
      await tokens.put('open_id', openId, null);
      const refresh = String(data.refresh_token ?? '') || candidate;
      const refreshLeft = Number(data.refresh_expires_in);
      if (refresh !== candidate) await tokens.put('refresh_token', refresh, Number.isFinite(refreshLeft) ? new Date(now + refreshLeft * 1000) : null);
      if (Number.isFinite(refreshLeft) && refreshLeft < this.o.renewRefreshBeforeSeconds) await this.renew(clientKey, refresh);
      return { accessToken, openId };
    }
  }

  /** A new refresh token before the current one runs out; on failure the current one is kept. */
  private async renew(clientKey: string, refresh: string): Promise<void> {
    try {
      const res = await this.send('refresh token renewal', true, {
        method: 'POST',
        url: '/oauth/renew_refresh_token/',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        data: new URLSearchParams({ client_key: clientKey, refresh_token: refresh }).toString(),
      });
      const data = envelopeData(res);
      const next = String(data.refresh_token ?? '');
      // 10004 (no renewal permission) or 10020 (renewed too often): re-authorization will be due.
      if ((data.error_code ?? 0) !== 0 || !next) return;
      await this.ctx.tokens.put('refresh_token', next, new Date(Date.now() + Number(data.expires_in ?? 0) * 1000));
    } catch {
      // The access token is valid; renewal is tried again on the next refresh.
    }
  }
}

function envelopeData(res: AxiosResponse): DouyinData {
  const body = res.data as { data?: DouyinData; extra?: { error_code?: number; description?: string } } | undefined;
  const data = body && typeof body === 'object' && body.data && typeof body.data === 'object' ? body.data : {};
  const code = typeof data.error_code === 'number' ? data.error_code : typeof body?.extra?.error_code === 'number' ? body.extra.error_code : 0;
  return { ...data, error_code: code, description: data.description ?? body?.extra?.description ?? '' };
}

function videoIdOf(data: DouyinData): string {
  const video = data.video as { video_id?: unknown } | undefined;
  const id = typeof video?.video_id === 'string' ? video.video_id : '';
  if (!id) throw new DeliveryError('retryable', `${NAME} upload answered without a video_id.`);
  return id;
}

// ── helpers (pure or file-level) ──────────────────────────────────────────────────────────

function checkFile(file: RenditionFile, maxDurationSec: number): void {
  if (file.durationSec !== undefined && file.durationSec > maxDurationSec) {
    throw rejectedContent(NAME, [
      { field: 'video', message: `the video is ${formatDuration(file.durationSec)} long, over Douyin's ${formatDuration(maxDurationSec)} limit` },
    ]);
  }
  if (file.sizeBytes > 4 * 1024 * MiB) {
    throw rejectedContent(NAME, [{ field: 'video', message: `the video file is ${formatBytes(file.sizeBytes)}, over Douyin's 4 GB limit` }]);
  }
}
