// The HTTP client base the video platforms (Douyin, Bilibili, Kuaishou) share, on the platform client base: the 4xx-carries-a-platform-error rule, one token refresh on a refused access token, the refresh-token rotation order, and the account-facing messages.
/*
 * Each platform's error-code table (adapters/platform-client.ts) names under `reconnect` the codes
 * that refuse the access token: a call that meets one deletes the stored token and is repeated
 * once with a fresh one. Everything a platform words its own way stays in its client.
 */
import axios, { type AxiosRequestConfig, type AxiosResponse } from 'axios';
import { isSecretRef } from '../../domain/registry.js';
import { DeliveryError, classifyTransportError } from '../errors.js';
import { PlatformClient, requestOptions, type ErrorCodeTable, type PlatformContext } from '../platform-client.js';
import { stillValid } from '../tokens.js';
import type { TransmitContext } from '../types.js';

/** The video platforms' names in Chinese, by the short name their messages use. */
const SHORT_NAME_ZH: Record<string, string> = { Bilibili: '哔哩哔哩', Kuaishou: '快手', Douyin: '抖音' };

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

/** A platform's answer reduced to its result code and message, with what the caller reads of it. */
export interface CodedAnswer<R> {
  code: number;
  message: string;
  value: R;
}

export abstract class VideoPlatformClient extends PlatformClient {
  constructor(
    ctx: PlatformContext,
    timing: Required<VideoTimingOptions>,
    codes: ErrorCodeTable,
    /** The platform's name in messages (`Douyin (抖音)`). */
    protected readonly platformName: string,
    /** Where an account re-authorizes (`on the Bilibili open platform`). */
    protected readonly reauthorizeWhere: string,
  ) {
    super(ctx, timing.timeoutMs, codes);
  }

  /** The platform's error for a code and message (its own table of what each code means). */
  protected abstract error(code: number, message: string, what: string): DeliveryError;

  /**
   * One HTTP request to the platform. A platform error carried with a 4xx status is still the
   * platform's error code (but 401, 404 and 429 are not): `codeOf` reads it from such an answer,
   * or says there is none (undefined: the transport error stands). Transport errors are
   * classified and scrubbed.
   */
  protected async request(
    what: string,
    sideEffect: boolean,
    config: AxiosRequestConfig,
    codeOf: (res: AxiosResponse) => { code: number; message: string } | undefined,
  ): Promise<AxiosResponse> {
    try {
      return await axios.request({ ...requestOptions({ baseUrl: this.ctx.baseUrl, signal: this.ctx.signal, timeoutMs: this.timeoutMs }), ...config });
    } catch (err) {
      if (axios.isAxiosError(err) && err.response && err.response.status < 500 && ![401, 404, 429].includes(err.response.status)) {
        const answer = codeOf(err.response);
        if (answer) throw this.error(answer.code, answer.message, what);
      }
      throw scrub(classifyTransportError(err, `${this.platformName} ${what}`, { sideEffect }));
    }
  }

  /**
   * A call with the account's access token (`auth(force)`): `ok` says which result codes are
   * success. A code the table calls a refused token deletes the stored token and repeats the call
   * once with a fresh one; any other failure is the platform's error.
   */
  protected async withAccessToken<A, R>(
    what: string,
    auth: (force: boolean) => Promise<A>,
    call: (auth: A) => Promise<CodedAnswer<R>>,
    ok: (code: number) => boolean,
  ): Promise<R> {
    for (let attempt = 0; ; attempt++) {
      const answer = await call(await auth(attempt > 0));
      if (ok(answer.code)) return answer.value;
      if (this.reconnectReason(answer.code) && attempt === 0) {
        await this.ctx.tokens.delete('access_token');
        continue;
      }
      throw this.error(answer.code, answer.message, what);
    }
  }

  /** The stored access token while it is valid. */
  protected async storedAccessToken(): Promise<string | undefined> {
    const at = await this.ctx.tokens.get('access_token');
    return at && stillValid(at, Date.now()) ? at.value : undefined;
  }

  /**
   * Tries the refresh tokens in turn (see `nextRefreshToken`): `exchange` answers what the
   * refresh gave, or undefined when the platform refused this refresh token. When none is left
   * the account must re-authorize; `refusal` adds what the platform last said.
   */
  protected async withRefreshTokens<R>(
    exchange: (refreshToken: string) => Promise<R | undefined>,
    refusal?: () => { said: string; platformCode?: number },
  ): Promise<R> {
    const tried = new Set<string>();
    for (;;) {
      const candidate = await nextRefreshToken(this.ctx, tried);
      if (!candidate) throw refreshTokenExhausted(this.platformName, this.ctx, tried.size, this.reauthorizeWhere, refusal?.());
      tried.add(candidate);
      const result = await exchange(candidate);
      if (result !== undefined) return result;
    }
  }

  /** The account's credential `field`, or the error saying it is missing. */
  protected credential(field: string): string {
    const value = this.ctx.credentials[field];
    if (!value) throw missingCredential(this.platformName, this.ctx, field);
    return value;
  }

  /** The platform refused the user authorization even with a fresh access token. */
  protected authorizationRefused(said: string, code: number): DeliveryError {
    return new DeliveryError(
      'needs_reconnect',
      `${this.platformName} refused the account ${accountLabel(this.ctx)}'s authorization even after a token refresh (${said}). Re-authorize the account ${this.reauthorizeWhere} and update its refresh token${secretHint(this.ctx)}.`,
      { platformCode: code },
    );
  }

  /** The platform refused the app credentials (`fields`: what to check, e.g. `clientKey and clientSecret`). */
  protected appCredentialsRefused(said: string, fields: string, code: number): DeliveryError {
    return new DeliveryError(
      'needs_reconnect',
      `${this.platformName} refused the app credentials of the account ${accountLabel(this.ctx)} (${said}); check its ${fields}.`,
      { platformCode: code },
    );
  }

  /** The platform is busy or failed inside (`why`): try again later. */
  protected busy(what: string, why: string, said: string, code: number): DeliveryError {
    return new DeliveryError('retryable', `${this.platformName} ${what}: ${why} (${said}); trying again later.`, { platformCode: code });
  }

  /** Too many requests (`why` words it): wait the configured time. */
  protected rateLimited(what: string, why: string, said: string, code: number, waitMs: number): DeliveryError {
    return new DeliveryError('rate_limited', `${this.platformName} ${what}: ${why} (${said}).`, { platformCode: code, retryAfterMs: waitMs });
  }

  /** The platform refused the request's parameters: `shortName` starts the problem's message (`Bilibili`). */
  protected parameterRefused(what: string, message: string, fallback: string, code: number, shortName: string): DeliveryError {
    return new DeliveryError('rejected', `${this.platformName} refused ${what}: ${message || fallback} (${code}).`, {
      platformCode: code,
      problems: [
        {
          field: what,
          message: `${shortName} refused it: ${message || fallback}`,
          messageZh: `${SHORT_NAME_ZH[shortName] ?? shortName}拒绝了这次提交（${code}${message ? `：${message}` : ''}）。请按平台说明修改稿件后重新发布，或跳过该渠道。`,
        },
      ],
    });
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

// ── messages ────────────────────────────────────────────────────────────────────────────────

type AccountCtx = Pick<TransmitContext, 'account' | 'channel'>;

export function accountLabel(ctx: AccountCtx): string {
  const a = ctx.account;
  return a ? `"${a.name}" (${a.id})` : `"${ctx.channel.name}" (${ctx.channel.ref})`;
}

function secretHint(ctx: Pick<TransmitContext, 'account'>): string {
  const ref = ctx.account?.credentials.refreshToken;
  return isSecretRef(ref) ? ` (secret ${ref.secret})` : '';
}

/** A DeliveryError without its cause: transport errors carry request headers and URLs (tokens). */
function scrub(err: DeliveryError): DeliveryError {
  return new DeliveryError(err.errorClass, err.message, { retryAfterMs: err.retryAfterMs, platformCode: err.platformCode, problems: err.problems });
}

/** The account's credentials lack `field` (clientKey, appId, …). */
function missingCredential(platformName: string, ctx: AccountCtx, field: string): DeliveryError {
  return new DeliveryError(
    'needs_reconnect',
    `${platformName} account ${accountLabel(ctx)} has no ${field} in its credentials; add it to the account registry.`,
  );
}

/**
 * No refresh token left to try: none was configured (`triedCount` 0), or the platform refused
 * each one. `refused` adds what the platform said and its code.
 */
function refreshTokenExhausted(
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
