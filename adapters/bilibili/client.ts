// Bilibili's HTTP client: signed open-platform calls (x-bili-* headers, HMAC-SHA256), parts to the upload host, the access token (the refresh token rotating on every refresh), and its codes turned into delivery errors.
import { createHash, createHmac, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { AxiosRequestConfig, AxiosResponse } from 'axios';
import { DeliveryError } from '../errors.js';
import type { PlatformContext } from '../platform-client.js';
import { accountLabel, VideoPlatformClient } from '../video-platform/client.js';
import type { FilePart } from '../video-platform/upload.js';
import { BILIBILI_ERROR_CODES } from './error-codes.js';
import { NAME, type BilibiliOptions } from './format.js';

export interface SignedRequest {
  method: 'GET' | 'POST';
  url: string;
  params?: Record<string, string | number>;
  body: string | Buffer;
  contentType?: string;
  headers?: Record<string, string>;
}

type Reply = { code: number; message: string; data: Record<string, unknown> };

export class BilibiliClient extends VideoPlatformClient {
  constructor(
    ctx: PlatformContext,
    private readonly o: BilibiliOptions,
  ) {
    super(ctx, o, BILIBILI_ERROR_CODES, NAME, 'on the Bilibili open platform');
  }

  /** A signed open-platform call with the user token; an expired/invalid token is refreshed once. */
  async call(what: string, sideEffect: boolean, build: () => SignedRequest): Promise<Record<string, unknown>> {
    const { clientId, clientSecret } = this.appCredentials();
    return this.withAccessToken(
      what,
      (force) => this.accessToken(force),
      async (accessToken) => {
        const r = build();
        const headers = {
          ...signHeaders(clientId, clientSecret, r.body),
          'access-token': accessToken,
          accept: 'application/json',
          ...(r.contentType ? { 'content-type': r.contentType } : {}),
          ...(r.headers ?? {}),
        };
        const reply = await this.sendForReply(what, sideEffect, {
          method: r.method,
          url: r.url,
          params: r.params,
          headers,
          data: r.method === 'GET' ? undefined : r.body,
        });
        return { code: reply.code, message: reply.message, value: reply.data ?? {} };
      },
      (code) => code === 0,
    );
  }

  /** A part to the upload host: raw body streamed from disk, authorized by the upload token. */
  async uploadPart(uploadToken: string, path: string, { n, count, start, end }: FilePart): Promise<void> {
    const what = `video part ${n}/${count}`;
    const reply = await this.sendForReply(what, false, {
      baseURL: this.o.uploadBaseUrl ?? this.ctx.baseUrl,
      method: 'POST',
      url: '/video/v2/part/upload',
      params: { upload_token: uploadToken, part_number: n },
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(end - start + 1) },
      data: createReadStream(path, { start, end }),
      timeout: this.o.uploadTimeoutMs,
    });
    if (reply.code !== 0) throw this.error(reply.code, reply.message, what);
  }

  private async sendForReply(what: string, sideEffect: boolean, config: AxiosRequestConfig): Promise<Reply> {
    const res = await this.request(what, sideEffect, config, (errorRes) => {
      const r = replyOf(errorRes);
      return r.code !== 0 ? r : undefined;
    });
    return replyOf(res);
  }

  private appCredentials(): { clientId: string; clientSecret: string } {
    return { clientId: this.credential('clientId'), clientSecret: this.credential('clientSecret') };
  }

  protected error(code: number, message: string, what: string): DeliveryError {
    const said = `${code}${message ? ` ${message}` : ''}`;
    const opts = { platformCode: code };
    switch (code) {
      case -101:
      case -2:
      case -658:
        return this.authorizationRefused(said, code);
      case -3:
        return new DeliveryError(
          'needs_reconnect',
          `${NAME} refused the request signature (${said}): check the account ${accountLabel(this.ctx)}'s clientSecret and this server's clock.`,
          opts,
        );
      case -509:
        return this.rateLimited(what, 'too many requests', said, code, this.o.rateLimitWaitMs);
      case 21070:
        return new DeliveryError(
          'rate_limited',
          `${NAME}: the account ${accountLabel(this.ctx)} has reached its daily number of submissions (${said}); the submission waits for the next day (Beijing time).`,
          { ...opts, retryAfterMs: untilBeijingMidnightMs(Date.now()) },
        );
      case -503:
      case -500:
        return this.busy(what, 'the platform is busy', said, code);
      case -404:
        return new DeliveryError('rejected', `${NAME} ${what}: not found (${said}).`, opts);
      case -400:
        return this.parameterRefused(what, message, 'bad request', code, 'Bilibili');
      default:
        return new DeliveryError('retryable', `${NAME} ${what}: unexpected error ${said}.`, opts);
    }
  }

  /** The access token: the stored one while valid, else from the refresh token (which rotates). */
  private async accessToken(force: boolean): Promise<string> {
    const stored = force ? undefined : await this.storedAccessToken();
    if (stored) return stored;
    const { clientId, clientSecret } = this.appCredentials();
    const tokens = this.ctx.tokens;
    return this.withRefreshTokens(async (candidate) => {
      const reply = await this.sendForReply('token refresh', false, {
        method: 'POST',
        url: '/x/account-oauth2/v1/refresh_token',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        data: new URLSearchParams({ client_id: clientId, client_secret: clientSecret, grant_type: 'refresh_token', refresh_token: candidate }).toString(),
      });
      if (reply.code === -400) return undefined; // this refresh token is spent or expired: try the next one
      if (reply.code === -3) throw this.appCredentialsRefused(`${reply.code} ${reply.message}`, 'clientId and clientSecret', reply.code);
      if (reply.code !== 0) throw this.error(reply.code, reply.message, 'token refresh');
      const d = reply.data ?? {};
      const accessToken = String(d.access_token ?? '');
      const refresh = String(d.refresh_token ?? '');
      if (!accessToken) throw new DeliveryError('retryable', `${NAME} token refresh answered without an access token.`);
      // The old refresh token stopped working: keep the new one before anything else can fail.
      if (refresh && refresh !== candidate) await tokens.put('refresh_token', refresh, null);
      await tokens.put('access_token', accessToken, expiryOf(d.expires_in));
      return accessToken;
    });
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
