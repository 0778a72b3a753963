// Kuaishou's HTTP client: the OpenAPI calls (app id + access token, the refresh token rotating on every refresh), the upload server's calls, and its result codes turned into delivery errors.
import type { AxiosRequestConfig } from 'axios';
import { DeliveryError } from '../errors.js';
import type { PlatformContext } from '../platform-client.js';
import { VideoPlatformClient } from '../video-platform/client.js';
import { KUAISHOU_ERROR_CODES, R } from './error-codes.js';
import { NAME, type KuaishouOptions } from './format.js';

export { R } from './error-codes.js';

export type KuaishouBody = Record<string, unknown> & { result?: number; error_msg?: string };

export class KuaishouClient extends VideoPlatformClient {
  constructor(
    ctx: PlatformContext,
    private readonly o: KuaishouOptions,
  ) {
    super(ctx, o, KUAISHOU_ERROR_CODES, NAME, 'on the Kuaishou open platform');
  }

  /** An OpenAPI call (`?app_id=&access_token=`); an expired/invalid token is refreshed once. */
  async openapi(what: string, sideEffect: boolean, build: () => AxiosRequestConfig): Promise<KuaishouBody> {
    const appId = this.credential('appId');
    return this.withAccessToken(
      what,
      (force) => this.accessToken(force),
      async (accessToken) => {
        const config = build();
        const body = await this.sendForBody(what, sideEffect, {
          ...config,
          params: { ...(config.params as Record<string, unknown> | undefined), app_id: appId, access_token: accessToken },
        });
        return { code: Number(body.result), message: body.error_msg ?? '', value: body };
      },
      (code) => code === R.ok,
    );
  }

  /** A call to the upload server (authorized by the upload token). */
  async upload(what: string, server: string, config: AxiosRequestConfig): Promise<KuaishouBody> {
    const body = await this.sendForBody(what, false, { baseURL: server, timeout: this.o.uploadTimeoutMs, ...config });
    const result = Number(body.result);
    if (result === R.ok) return body;
    throw this.error(result, body.error_msg ?? '', what);
  }

  private async sendForBody(what: string, sideEffect: boolean, config: AxiosRequestConfig): Promise<KuaishouBody> {
    const res = await this.request(what, sideEffect, config, (errorRes) => {
      const b = errorRes.data as KuaishouBody | undefined;
      return b && typeof b === 'object' && typeof b.result === 'number' && b.result !== R.ok ? { code: b.result, message: b.error_msg ?? '' } : undefined;
    });
    const b = res.data as KuaishouBody | undefined;
    if (!b || typeof b !== 'object' || b.result === undefined) return { result: R.internal, error_msg: `unexpected answer (HTTP ${res.status})` };
    return b;
  }

  protected error(code: number, message: string, what: string): DeliveryError {
    const said = `${code}${message ? ` ${message}` : ''}`;
    switch (code) {
      case R.internal:
        return this.busy(what, 'internal error on the platform', said, code);
      case R.rateLimited:
        return this.rateLimited(what, 'too many requests', said, code, this.o.rateLimitWaitMs);
      case R.tokenInvalid:
      case R.tokenExpired:
        return this.authorizationRefused(said, code);
      case R.appAuth:
        return this.appCredentialsRefused(said, 'appId and appSecret', code);
      case R.notFound:
        return new DeliveryError('rejected', `${NAME} ${what}: not found (${said}).`, { platformCode: code });
      case R.param:
        return this.parameterRefused(what, message, 'parameter error', code, 'Kuaishou');
      default:
        return new DeliveryError('retryable', `${NAME} ${what}: unexpected result ${said}.`, { platformCode: code });
    }
  }

  /** The access token: the stored one while valid, else from the refresh token (which rotates). */
  private async accessToken(force: boolean): Promise<string> {
    const stored = force ? undefined : await this.storedAccessToken();
    if (stored) return stored;
    const appId = this.credential('appId');
    const appSecret = this.credential('appSecret');
    const tokens = this.ctx.tokens;
    return this.withRefreshTokens(async (candidate) => {
      const body = await this.sendForBody('token refresh', false, {
        method: 'POST',
        url: '/oauth2/refresh_token',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        data: new URLSearchParams({ app_id: appId, app_secret: appSecret, grant_type: 'refresh_token', refresh_token: candidate }).toString(),
      });
      const result = Number(body.result);
      if (result === R.param) return undefined; // this refresh token is spent or expired: try the next one
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
    });
  }
}

/** `http://host:port` of the upload server start_upload named. */
export function uploadServer(endpoint: string, scheme: 'http' | 'https' | undefined, baseUrl: string): string {
  if (/^https?:\/\//.test(endpoint)) return endpoint.replace(/\/+$/, '');
  const s = scheme ?? (baseUrl.startsWith('https:') ? 'https' : 'http');
  return `${s}://${endpoint.replace(/\/+$/, '')}`;
}
