/**
 * Kuaishou (快手) channel adapter. Kuaishou takes video only: the release unit's video
 * interpretation becomes a Kuaishou work (作品) whose caption is the title, a short summary and a
 * mention of the portal page (captions show no clickable links), with a 9:16 cover taken from the
 * video.
 *
 * transmit: user access token (the refresh token rotates on every refresh: the new one is stored
 * at once) → `photo/start_upload` (an upload token and the upload server) → the file in one
 * request, or above a threshold in fragments (resumable: the upload server lists what it holds)
 * → `upload/complete` → `photo/publish` (caption + cover). Upload token, fragments, and the work's
 * id are checkpointed. A work may go through review (`pending`): transmit then answers
 * `submitted` and `confirm` polls `photo/info`. A lost publish answer is reconciled through
 * `photo/list` (the work with exactly this caption created after the request).
 *
 * Kuaishou documents no upload, duration or caption limits; the defaults below are the
 * simulator's assumptions (simulators/README.md) and can be set per deployment.
 */
import { createReadStream } from 'node:fs';
import type { AxiosRequestConfig } from 'axios';
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
import { kuaishouDeclaration } from './declaration.js';

const NAME = 'Kuaishou (快手)';
const MiB = 1024 * 1024;

export interface KuaishouAdapterOptions extends VideoTimingOptions {
  /** The rendition uploaded (default `kuaishou.video_1080`). */
  videoSpec?: 'kuaishou.video_1080' | 'kuaishou.video_720';
  /** Longest caption (default 500 characters, assumed). */
  captionChars?: number;
  /** Most characters of the interpretation text carried in the caption (default 300). */
  summaryChars?: number;
  /** Longest video (default 15 minutes, assumed). */
  maxDurationSec?: number;
  /** Files above this are uploaded in fragments (default 20 MiB; one request takes at most 100 MB). */
  fragmentAboveBytes?: number;
  /** Size of each fragment but the last (default 8 MiB; the official SDK uses 10 MB). */
  fragmentBytes?: number;
  /** Scheme for the upload server Kuaishou names as host:port (default: the API base URL's). */
  uploadScheme?: 'http' | 'https';
  /** How the portal page is named in the caption (default 碑林区人民政府网站). */
  portalName?: string;
}

export interface KuaishouPayload {
  platform: 'kuaishou';
  interpretation: number;
  video: { mediaId: string; spec: string; name?: string; durationSec?: number };
  cover: { mediaId: string; spec: string };
  caption: string;
}

/** Progress saved between attempts. `null` clears a field (checkpoints are merged). */
export interface KuaishouCheckpoint {
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
type Body = Record<string, unknown> & { result?: number; error_msg?: string };

const R = {
  ok: 1,
  internal: 2,
  param: 100200100,
  appAuth: 100200101,
  tokenInvalid: 100200102,
  tokenExpired: 100200103,
  rateLimited: 100200105,
  notFound: 100200106,
} as const;
const TOKEN_CODES = new Set<number>([R.tokenInvalid, R.tokenExpired]);

export function createKuaishouAdapter(options: KuaishouAdapterOptions = {}): ChannelAdapter<KuaishouPayload, KuaishouCheckpoint> {
  const o = {
    videoSpec: options.videoSpec ?? 'kuaishou.video_1080',
    captionChars: options.captionChars ?? kuaishouDeclaration.limits.captionChars,
    summaryChars: options.summaryChars ?? 300,
    maxDurationSec: options.maxDurationSec ?? kuaishouDeclaration.limits.maxDurationSec,
    fragmentAboveBytes: options.fragmentAboveBytes ?? 20 * MiB,
    fragmentBytes: options.fragmentBytes ?? 8 * MiB,
    uploadScheme: options.uploadScheme,
    portalName: options.portalName ?? '碑林区人民政府网站',
    ...videoTiming(options),
  };

  // ── format (pure) ────────────────────────────────────────────────────────────────────────
  function format(unit: ReleaseUnit): Formatted<KuaishouPayload> {
    const { index, interp, media, field, title, problems, warnings } = videoToPost(unit, NAME, o.maxDurationSec, (d) =>
      d > o.maxDurationSec
        ? `the video is ${formatDuration(d)} long, ${formatDuration(d - o.maxDurationSec)} over the ${formatDuration(o.maxDurationSec)} Kuaishou takes; trim it or split it into parts`
        : undefined,
    );
    const mention = unit.portalLinks ? `全文见${o.portalName}` : '';
    if (title === '') problems.push({ field: `${field}.title`, message: 'the video needs a title' });
    const fixed = charCount(title) + (mention ? charCount(mention) + 1 : 0);
    if (fixed > o.captionChars)
      problems.push({
        field: `${field}.title`,
        message: `Kuaishou captions hold at most ${o.captionChars} characters; the title alone has ${charCount(title)}`,
      });
    if (problems.length) throw rejectedContent(NAME, problems);

    const plain = htmlToPlainText(interp.body)
      .replace(/\s*\n\s*/g, ' ')
      .trim();
    const budget = Math.min(o.summaryChars, o.captionChars - fixed - 1);
    let summary = '';
    if (plain && budget >= 10) {
      summary = truncateChars(plain, budget);
      if (summary !== plain) warnings.push(`${NAME}: the caption carries the first ${charCount(summary) - 1} characters of the interpretation text.`);
    } else if (plain) warnings.push(`${NAME}: the title leaves no room for the interpretation text in the caption.`);
    const caption = [title, summary, mention].filter((s) => s !== '').join('\n');

    return {
      payload: {
        platform: 'kuaishou',
        interpretation: index,
        video: {
          mediaId: media.mediaId,
          spec: o.videoSpec,
          ...(media.name ? { name: media.name } : {}),
          ...(media.durationSec !== undefined ? { durationSec: media.durationSec } : {}),
        },
        cover: { mediaId: media.mediaId, spec: 'kuaishou.cover' },
        caption,
      },
      renditions: [
        { mediaId: media.mediaId, spec: o.videoSpec, purpose: 'interpretation video' },
        { mediaId: media.mediaId, spec: 'kuaishou.cover', purpose: 'cover (frame of the video)' },
      ],
      warnings,
    };
  }

  // ── transmit ─────────────────────────────────────────────────────────────────────────────
  async function transmit(payload: KuaishouPayload, ctx: Ctx): Promise<TransmitResult> {
    const api = new KuaishouApi(ctx, o);
    const cp = progress(ctx);
    if (cp.state.photoId) return { state: 'submitted', externalId: cp.state.photoId };

    const video = await ctx.renditions.get(payload.video.mediaId, payload.video.spec);
    if (video.durationSec !== undefined && video.durationSec > o.maxDurationSec) {
      throw rejectedContent(NAME, [
        { field: 'video', message: `the video is ${formatDuration(video.durationSec)} long, over the ${formatDuration(o.maxDurationSec)} Kuaishou takes` },
      ]);
    }
    if (video.sizeBytes > 4 * 1024 * MiB)
      throw rejectedContent(NAME, [{ field: 'video', message: `the video file is ${formatBytes(video.sizeBytes)}, over 4 GB` }]);
    const cover = await ctx.renditions.get(payload.cover.mediaId, payload.cover.spec);
    if (cp.state.videoSha256 && cp.state.videoSha256 !== video.sha256) {
      await cp.save({ videoSha256: null, uploadToken: null, endpoint: null, fragmentBytes: null, fragmentsDone: [], uploadCompleted: false });
    }
    if (!cp.state.uploadCompleted) await upload(api, video, cp, ctx);

    const uploadToken = cp.state.uploadToken!;
    // The first request time is kept: reconcile looks for works published since then.
    if (!cp.state.publishRequestedAt) await cp.save({ publishRequestedAt: new Date().toISOString() });
    let body: Body;
    try {
      body = await api.openapi('photo/publish', true, () => {
        const form = multipartFile(
          {
            field: 'cover',
            filename: `cover.${cover.mime === 'image/png' ? 'png' : 'jpg'}`,
            contentType: cover.mime,
            path: cover.path,
            start: 0,
            end: cover.sizeBytes - 1,
          },
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

  async function upload(api: KuaishouApi, file: RenditionFile, cp: Progress<KuaishouCheckpoint>, ctx: Ctx): Promise<void> {
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
          const count = Math.ceil(file.sizeBytes / size);
          const expected = (i: number) => Math.min(file.sizeBytes, (i + 1) * size) - i * size;
          const done = new Set(cp.state.fragmentsDone ?? []);
          if (held) {
            const list = Array.isArray(held.fragment_list) ? (held.fragment_list as { id?: unknown; size?: unknown }[]) : [];
            done.clear();
            for (const f of list) if (Number(f.size) === expected(Number(f.id))) done.add(Number(f.id));
          }
          for (let i = 0; i < count; i++) {
            if (done.has(i)) continue;
            ctx.heartbeat();
            const start = i * size;
            const end = start + expected(i) - 1;
            await api.upload(`video fragment ${i + 1}/${count}`, server, {
              method: 'POST',
              url: '/api/upload/fragment',
              params: { upload_token: token, fragment_id: i },
              headers: { 'content-type': 'application/octet-stream', 'content-length': String(end - start + 1) },
              data: createReadStream(file.path, { start, end }),
            });
            done.add(i);
            await cp.save({ fragmentsDone: [...done].sort((a, b) => a - b) });
          }
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
    if (cp.photoId) return { state: 'submitted', externalId: cp.photoId };
    if (!cp.publishRequestedAt) return null; // photo/publish was never sent
    const api = new KuaishouApi(ctx, o);
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
        if (String(p.caption ?? '').trim() === payload.caption.trim()) found = p; // newest first: the oldest match wins
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

  async function confirm(externalId: string, ctx: Ctx): Promise<ConfirmResult> {
    const api = new KuaishouApi(ctx, o);
    let body: Body;
    try {
      body = await api.openapi('photo/info', false, () => ({ method: 'GET', url: '/openapi/photo/info', params: { photo_id: externalId } }));
    } catch (err) {
      if (isDeliveryError(err) && err.platformCode === R.notFound) {
        return {
          state: 'rejected',
          message: `${NAME} does not show the work ${externalId} on the account ${accountLabel(ctx)}: review refused it, or it was deleted.`,
        };
      }
      throw err;
    }
    const info = (body.video_info ?? {}) as { pending?: unknown; play_url?: unknown };
    if (info.pending === true) return { state: 'pending', note: 'in review' };
    return { state: 'live', publicUrl: stringOrNull(info.play_url), externalId };
  }

  async function takeDown(externalId: string, ctx: Ctx & { reason: string }): Promise<void> {
    const api = new KuaishouApi(ctx, o);
    try {
      await api.openapi('photo/delete', true, () => ({ method: 'POST', url: '/openapi/photo/delete', params: { photo_id: externalId } }));
    } catch (err) {
      if (isDeliveryError(err) && err.platformCode === R.notFound) return; // already gone
      throw err;
    }
  }

  return {
    platform: 'kuaishou',
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
    format,
    transmit,
    confirm,
    reconcile,
    takeDown,
  };
}

// ── Kuaishou API client: tokens, results, error classes ────────────────────────────────────

class KuaishouApi {
  constructor(
    private readonly ctx: Ctx,
    private readonly o: { timeoutMs: number; uploadTimeoutMs: number; rateLimitWaitMs: number },
  ) {}

  /** An OpenAPI call (`?app_id=&access_token=`); an expired/invalid token is refreshed once. */
  async openapi(what: string, sideEffect: boolean, build: () => AxiosRequestConfig): Promise<Body> {
    const appId = this.appId();
    for (let attempt = 0; ; attempt++) {
      const accessToken = await this.accessToken(attempt > 0);
      const config = build();
      const body = await this.send(what, sideEffect, {
        ...config,
        params: { ...(config.params as Record<string, unknown> | undefined), app_id: appId, access_token: accessToken },
      });
      const result = Number(body.result);
      if (result === R.ok) return body;
      if (TOKEN_CODES.has(result) && attempt === 0) {
        await this.ctx.tokens.delete('access_token');
        continue;
      }
      throw this.error(result, body.error_msg ?? '', what);
    }
  }

  /** A call to the upload server (authorized by the upload token). */
  async upload(what: string, server: string, config: AxiosRequestConfig): Promise<Body> {
    const body = await this.send(what, false, { baseURL: server, timeout: this.o.uploadTimeoutMs, ...config });
    const result = Number(body.result);
    if (result === R.ok) return body;
    throw this.error(result, body.error_msg ?? '', what);
  }

  private async send(what: string, sideEffect: boolean, config: AxiosRequestConfig): Promise<Body> {
    const res = await platformRequest(NAME, this.ctx, this.o.timeoutMs, what, sideEffect, config, (errorRes) => {
      const b = errorRes.data as Body | undefined;
      return b && typeof b === 'object' && typeof b.result === 'number' && b.result !== R.ok ? this.error(b.result, b.error_msg ?? '', what) : undefined;
    });
    const b = res.data as Body | undefined;
    if (!b || typeof b !== 'object' || b.result === undefined) return { result: R.internal, error_msg: `unexpected answer (HTTP ${res.status})` };
    return b;
  }

  private appId(): string {
    const appId = this.ctx.credentials.appId;
    if (!appId) throw missingCredential(NAME, this.ctx, 'appId');
    return appId;
  }

  private error(code: number, message: string, what: string): DeliveryError {
    const said = `${code}${message ? ` ${message}` : ''}`;
    const opts = { platformCode: code };
    switch (code) {
      case R.internal:
        return new DeliveryError('retryable', `${NAME} ${what}: internal error on the platform (${said}); trying again later.`, opts);
      case R.rateLimited:
        return new DeliveryError('rate_limited', `${NAME} ${what}: too many requests (${said}).`, { ...opts, retryAfterMs: this.o.rateLimitWaitMs });
      case R.tokenInvalid:
      case R.tokenExpired:
        return authorizationRefused(NAME, this.ctx, 'on the Kuaishou open platform', said, code);
      case R.appAuth:
        return appCredentialsRefused(NAME, this.ctx, said, 'appId and appSecret', code);
      case R.notFound:
        return new DeliveryError('rejected', `${NAME} ${what}: not found (${said}).`, opts);
      case R.param:
        return new DeliveryError('rejected', `${NAME} refused ${what}: ${message || 'parameter error'} (${code}).`, {
          ...opts,
          problems: [{ field: what, message: `Kuaishou refused it: ${message || 'parameter error'}` }],
        });
      default:
        return new DeliveryError('retryable', `${NAME} ${what}: unexpected result ${said}.`, opts);
    }
  }

  /** The access token: the stored one while valid, else from the refresh token (which rotates). */
  private async accessToken(force: boolean): Promise<string> {
    const tokens = this.ctx.tokens;
    if (!force) {
      const at = await tokens.get('access_token');
      if (at && stillValid(at, Date.now())) return at.value;
    }
    const appId = this.appId();
    const appSecret = this.ctx.credentials.appSecret;
    if (!appSecret) throw missingCredential(NAME, this.ctx, 'appSecret');
    const tried = new Set<string>();
    for (;;) {
      const candidate = await nextRefreshToken(this.ctx, tried);
      if (!candidate) throw refreshTokenExhausted(NAME, this.ctx, tried.size, 'on the Kuaishou open platform');
      tried.add(candidate);
      const body = await this.send('token refresh', false, {
        method: 'POST',
        url: '/oauth2/refresh_token',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        data: new URLSearchParams({ app_id: appId, app_secret: appSecret, grant_type: 'refresh_token', refresh_token: candidate }).toString(),
      });
      const result = Number(body.result);
      if (result === R.param) continue; // this refresh token is spent or expired: try the next one
      if (result !== R.ok) throw this.error(result, body.error_msg ?? '', 'token refresh');
      const accessToken = String(body.access_token ?? '');
      const refresh = String(body.refresh_token ?? '');
      if (!accessToken) throw new DeliveryError('retryable', `${NAME} token refresh answered without an access token.`);
      const now = Date.now();
      // The old refresh token stopped working: keep the new one before anything else can fail.
      if (refresh && refresh !== candidate) {
        const left = Number(body.refresh_token_expires_in);
        await tokens.put('refresh_token', refresh, Number.isFinite(left) && left > 0 ? new Date(now + left * 1000) : null);
      }
      const ttl = Number(body.expires_in);
      await tokens.put('access_token', accessToken, Number.isFinite(ttl) && ttl > 0 ? new Date(now + ttl * 1000) : null);
      return accessToken;
    }
  }
}

/** `http://host:port` of the upload server start_upload named. */
function uploadServer(endpoint: string, scheme: 'http' | 'https' | undefined, baseUrl: string): string {
  if (/^https?:\/\//.test(endpoint)) return endpoint.replace(/\/+$/, '');
  const s = scheme ?? (baseUrl.startsWith('https:') ? 'https' : 'http');
  return `${s}://${endpoint.replace(/\/+$/, '')}`;
}
