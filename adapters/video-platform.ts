/**
 * Helpers shared by the video-platform adapters (Douyin, Bilibili, Kuaishou): checkpointed
 * progress, picking the video interpretation, streamed multipart bodies, the refresh-token
 * rotation order, the HTTP request with the platform-error-on-4xx rule, error sanitizing and the
 * account-facing error messages. Where a message names the platform it takes the adapter's name
 * (`NAME`) and, where it says where to re-authorize, that phrase.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import axios, { type AxiosRequestConfig, type AxiosResponse } from 'axios';
import { isSecretRef } from '../domain/registry.js';
import { formatDuration } from '../media/units.js';
import { DeliveryError, classifyTransportError, rejectedContent, type ContentProblem } from './errors.js';
import { requestOptions } from './platform-client.js';
import type { ReleaseUnit, RenditionFile, TransmitContext } from './types.js';

// ── checkpointed progress ───────────────────────────────────────────────────────────────────

export interface Progress<C> {
  state: Partial<C>;
  save(p: Partial<C>): Promise<void>;
}

/** The checkpoint as this attempt sees it: `save` merges into it and checkpoints the change. */
export function progress<C extends object>(ctx: TransmitContext<C>): Progress<C> {
  const state: Partial<C> = { ...ctx.checkpointed };
  return {
    state,
    async save(p) {
      Object.assign(state, p);
      await ctx.checkpoint(p);
    },
  };
}

// ── options ─────────────────────────────────────────────────────────────────────────────────

/** The timing options every video adapter takes. */
export interface VideoTimingOptions {
  /** Timeout of API calls (default 30 s) and of upload requests (default 10 min). */
  timeoutMs?: number;
  uploadTimeoutMs?: number;
  /** Wait after the platform's rate-limit answer that names no time (default 60 s). */
  rateLimitWaitMs?: number;
  /** Clock difference tolerated when reconciling by creation time (default 10 min). */
  reconcileSkewMs?: number;
}

/** The timing options with their defaults. */
export function videoTiming(options: VideoTimingOptions): Required<VideoTimingOptions> {
  return {
    timeoutMs: options.timeoutMs ?? 30_000,
    uploadTimeoutMs: options.uploadTimeoutMs ?? 600_000,
    rateLimitWaitMs: options.rateLimitWaitMs ?? 60_000,
    reconcileSkewMs: options.reconcileSkewMs ?? 600_000,
  };
}

// ── format ──────────────────────────────────────────────────────────────────────────────────

/**
 * The opening every video format step shares: the video interpretation (or the rejection saying
 * why there is none), its length against the platform's limit (`tooLong` words the problem, or
 * says the length is fine), and the post's title (the interpretation's, else the document's).
 */
export function videoToPost(unit: ReleaseUnit, platformName: string, maxDurationSec: number, tooLong: (durationSec: number) => string | undefined) {
  const problems: ContentProblem[] = [];
  const warnings: string[] = [];
  const picked = pickVideo(unit, platformName, problems);
  if (!picked) throw rejectedContent(platformName, problems);
  const field = `interpretations[${picked.index}]`;
  const over = picked.media.durationSec === undefined ? undefined : tooLong(picked.media.durationSec);
  if (over) problems.push({ field, message: over });
  if (picked.media.durationSec === undefined)
    warnings.push(`${platformName}: the video's length is unknown, so the ${formatDuration(maxDurationSec)} limit could not be checked before upload.`);
  const title = (picked.interp.title.trim() || unit.document.title.trim()).replace(/\s+/g, ' ');
  return { ...picked, field, title, problems, warnings };
}

/** The first video interpretation with an uploaded video file; problems say why there is none. */
export function pickVideo(unit: ReleaseUnit, platformName: string, problems: ContentProblem[]) {
  const videos = unit.interpretations.map((interp, index) => ({ interp, index })).filter((x) => x.interp.form === 'video');
  for (const { interp, index } of videos) {
    const media = interp.mediaId ? unit.media[interp.mediaId] : undefined;
    if (media && media.kind === 'video') return { index, interp, media };
  }
  if (videos.length === 0) {
    problems.push({
      field: 'interpretations',
      message: `${platformName} only takes video, and this package has no video interpretation; add one, or leave this channel out of the release`,
    });
  } else {
    const { interp, index } = videos[0]!;
    problems.push({
      field: `interpretations[${index}]`,
      message: interp.mediaId
        ? `the video interpretation's file is not a probed video upload; upload the video file again`
        : `the video interpretation has no uploaded video file${interp.url ? ' (only a link)' : ''}; ${platformName} needs the file itself`,
    });
  }
  return undefined;
}

// ── upload bodies ───────────────────────────────────────────────────────────────────────────

/** A multipart/form-data body with one file range, streamed from disk, with its exact length. */
export function multipartFile(
  f: { field: string; filename: string; contentType: string; path: string; start: number; end: number },
  fields: Record<string, string> = {},
) {
  const boundary = `----govpub${randomBytes(12).toString('hex')}`;
  const head = Buffer.from(
    Object.entries(fields)
      .map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`)
      .join('') + `--${boundary}\r\nContent-Disposition: form-data; name="${f.field}"; filename="${f.filename}"\r\nContent-Type: ${f.contentType}\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const length = head.length + (f.end - f.start + 1) + tail.length;
  async function* parts() {
    yield head;
    for await (const chunk of createReadStream(f.path, { start: f.start, end: f.end })) yield chunk as Buffer;
    yield tail;
  }
  return {
    data: Readable.from(parts(), { objectMode: false }),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': String(length) },
  };
}

/** The duration a file declares to the upload (`X-Media-Duration`; the simulators check limits against it). */
export function declaredDuration(file: RenditionFile): Record<string, string> {
  return file.durationSec !== undefined ? { 'x-media-duration': String(file.durationSec) } : {};
}

// ── requests and tokens ─────────────────────────────────────────────────────────────────────

/**
 * One HTTP request to the platform. A platform error carried with a 4xx status is still the
 * platform's error code (but 401, 404 and 429 are not): `platformError` turns such an answer into
 * the adapter's error, or returns undefined to let the transport error stand. Transport errors
 * are classified and scrubbed.
 */
export async function platformRequest(
  platformName: string,
  ctx: Pick<TransmitContext, 'baseUrl' | 'signal'>,
  timeoutMs: number,
  what: string,
  sideEffect: boolean,
  config: AxiosRequestConfig,
  platformError: (res: AxiosResponse) => DeliveryError | undefined,
): Promise<AxiosResponse> {
  try {
    return await axios.request({ ...requestOptions({ baseUrl: ctx.baseUrl, signal: ctx.signal, timeoutMs }), ...config });
  } catch (err) {
    if (axios.isAxiosError(err) && err.response && err.response.status < 500 && ![401, 404, 429].includes(err.response.status)) {
      const error = platformError(err.response);
      if (error) throw error;
    }
    throw scrub(classifyTransportError(err, `${platformName} ${what}`, { sideEffect }));
  }
}

/** Stored (rotated) refresh token first (a newer one stored meanwhile by another worker), then the configured one (e.g. after re-authorization). */
export async function nextRefreshToken(ctx: Pick<TransmitContext, 'tokens' | 'credentials'>, tried: Set<string>): Promise<string | undefined> {
  const stored = (await ctx.tokens.get('refresh_token'))?.value;
  if (stored && !tried.has(stored)) return stored;
  const configured = ctx.credentials.refreshToken;
  if (configured && !tried.has(configured)) return configured;
  return undefined;
}

// ── errors and messages ─────────────────────────────────────────────────────────────────────

type AccountCtx = Pick<TransmitContext, 'account' | 'channel'>;

export function accountLabel(ctx: AccountCtx): string {
  const a = ctx.account;
  return a ? `"${a.name}" (${a.id})` : `"${ctx.channel.name}" (${ctx.channel.ref})`;
}

export function secretHint(ctx: Pick<TransmitContext, 'account'>): string {
  const ref = ctx.account?.credentials.refreshToken;
  return isSecretRef(ref) ? ` (secret ${ref.secret})` : '';
}

/** A DeliveryError without its cause: transport errors carry request headers and URLs (tokens). */
export function scrub(err: DeliveryError): DeliveryError {
  return new DeliveryError(err.errorClass, err.message, { retryAfterMs: err.retryAfterMs, platformCode: err.platformCode, problems: err.problems });
}

/** The account's credentials lack `field` (clientKey, appId, …). */
export function missingCredential(platformName: string, ctx: AccountCtx, field: string): DeliveryError {
  return new DeliveryError(
    'needs_reconnect',
    `${platformName} account ${accountLabel(ctx)} has no ${field} in its credentials; add it to the account registry.`,
  );
}

/**
 * No refresh token left to try: none was configured (`triedCount` 0), or the platform refused
 * each one. `reauthorizeWhere` says where to re-authorize (`on the Bilibili open platform`);
 * `refused` adds what the platform said and its code.
 */
export function refreshTokenExhausted(
  platformName: string,
  ctx: AccountCtx,
  triedCount: number,
  reauthorizeWhere: string,
  refused?: { said: string; platformCode?: number },
): DeliveryError {
  return new DeliveryError(
    'needs_reconnect',
    triedCount === 0
      ? `${platformName} account ${accountLabel(ctx)} has no refresh token. Authorize the account once (OAuth) and put its refresh token into the account's credentials${secretHint(ctx)}.`
      : `${platformName} refused the refresh token of the account ${accountLabel(ctx)}${refused ? ` (${refused.said})` : ''}: the authorization has expired or was revoked. Re-authorize the account ${reauthorizeWhere} and put the new refresh token into its credentials${secretHint(ctx)}.`,
    refused ? { platformCode: refused.platformCode } : {},
  );
}

/** The platform refused the user authorization even with a fresh access token. */
export function authorizationRefused(platformName: string, ctx: AccountCtx, reauthorizeWhere: string, said: string, code: number): DeliveryError {
  return new DeliveryError(
    'needs_reconnect',
    `${platformName} refused the account ${accountLabel(ctx)}'s authorization even after a token refresh (${said}). Re-authorize the account ${reauthorizeWhere} and update its refresh token${secretHint(ctx)}.`,
    { platformCode: code },
  );
}

/** The platform refused the app credentials (`fields`: what to check, e.g. `clientKey and clientSecret`). */
export function appCredentialsRefused(platformName: string, ctx: AccountCtx, said: string, fields: string, code: number): DeliveryError {
  return new DeliveryError(
    'needs_reconnect',
    `${platformName} refused the app credentials of the account ${accountLabel(ctx)} (${said}); check its ${fields}.`,
    { platformCode: code },
  );
}

// ── values ──────────────────────────────────────────────────────────────────────────────────

/** A platform time (seconds or milliseconds since the epoch) in milliseconds. */
export function toMs(value: unknown): number | undefined {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) return undefined;
  return n < 1e12 ? n * 1000 : n;
}

export function stringOrNull(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}
