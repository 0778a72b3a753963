// Douyin's HTTP client: the user access token (refresh, rotation, renewal), the `{data, extra}` envelope, and its error codes turned into delivery errors.
import type { AxiosRequestConfig, AxiosResponse } from 'axios';
import { DeliveryError } from '../errors.js';
import type { PlatformContext } from '../platform-client.js';
import { DOUYIN_ERROR_CODES } from './error-codes.js';
import { accountLabel, VideoPlatformClient } from '../video-platform/client.js';
import { NAME, type DouyinOptions } from './format.js';

/** The `data` object of Douyin's `{data: {..., error_code, description}, extra}` envelope. */
export type DouyinData = Record<string, unknown> & { error_code?: number; description?: string };

export interface DouyinAuth {
  accessToken: string;
  openId: string;
}

export class DouyinClient extends VideoPlatformClient {
  constructor(
    ctx: PlatformContext,
    private readonly o: DouyinOptions,
  ) {
    super(ctx, o, DOUYIN_ERROR_CODES, NAME, 'in the Douyin open platform');
  }

  /** One API call with the user token; an expired/invalid token is refreshed once and the call repeated. */
  call(what: string, sideEffect: boolean, build: (auth: DouyinAuth) => AxiosRequestConfig): Promise<DouyinData> {
    return this.withAccessToken(
      what,
      (force) => this.auth(force),
      async (auth) => {
        const config = build(auth);
        const data = envelopeData(
          await this.sendToDouyin(what, sideEffect, {
            ...config,
            headers: { ...(config.headers as Record<string, string> | undefined), 'access-token': auth.accessToken },
          }),
        );
        return { code: data.error_code ?? 0, message: data.description ?? '', value: data };
      },
      (code) => code === 0,
    );
  }

  /** A JSON POST with the account's open_id (video/create, video/data, video/delete). */
  postJson(what: string, sideEffect: boolean, url: string, body: unknown): Promise<DouyinData> {
    return this.call(what, sideEffect, (auth) => ({
      method: 'POST',
      url,
      params: { open_id: auth.openId },
      headers: { 'content-type': 'application/json' },
      data: JSON.stringify(body),
    }));
  }

  /** The listed items of video/data for these ids. */
  async videoData(itemIds: string[]): Promise<Record<string, unknown>[]> {
    const data = await this.postJson('video/data', false, '/video/data/', { item_ids: itemIds });
    return Array.isArray(data.list) ? (data.list as Record<string, unknown>[]) : [];
  }

  private sendToDouyin(what: string, sideEffect: boolean, config: AxiosRequestConfig): Promise<AxiosResponse> {
    return this.request(what, sideEffect, config, (res) => {
      const data = envelopeData(res);
      return data.error_code ? { code: data.error_code, message: data.description ?? '' } : undefined;
    });
  }

  protected error(code: number, description: string, what: string): DeliveryError {
    const said = `${code}${description ? ` ${description}` : ''}`;
    const opts = { platformCode: code };
    switch (code) {
      case 2100004:
        return this.busy(what, 'the platform is busy', said, code);
      case 2190001:
        return this.rateLimited(what, "the app's call quota is used up", said, code, this.o.rateLimitWaitMs);
      case 2190002:
      case 2190008:
      case 2190015:
        return this.authorizationRefused(said, code);
      case 10013:
        return this.appCredentialsRefused(said, 'clientKey and clientSecret', code);
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
          problems: [
            { field: 'video', message: `Douyin refused the file as too large (${said})`, messageZh: `抖音认为视频文件过大（${code}），请压缩视频后重新发布` },
          ],
        });
      case 2190006:
        return new DeliveryError('rejected', `${NAME} refused the video as longer than 15 minutes (${said}).`, {
          ...opts,
          problems: [
            { field: 'video', message: 'Douyin takes videos of at most 15 minutes', messageZh: '抖音只接受不超过 15 分钟的视频，请剪短视频后重新发布' },
          ],
        });
      case 2190007:
        return new DeliveryError('rejected', `${NAME} ${what}: the uploaded video id is not usable (${said}).`, opts);
      case 2100005:
      case 10002:
      case 10005:
        return new DeliveryError('rejected', `${NAME} refused ${what} as invalid (${said}).`, {
          ...opts,
          problems: [
            {
              field: what,
              message: `Douyin refused it: ${description || 'invalid parameter'} (${code})`,
              messageZh: `抖音认为提交的参数无效（${code}${description ? `：${description}` : ''}）。请按平台说明修改稿件后重新发布，或跳过该渠道。`,
            },
          ],
        });
      default:
        return new DeliveryError('retryable', `${NAME} ${what}: unexpected error ${said}.`, opts);
    }
  }

  /** The user access token and open_id: stored ones while valid, else from the refresh token. */
  async auth(force: boolean): Promise<DouyinAuth> {
    const tokens = this.ctx.tokens;
    if (!force) {
      const [accessToken, oid] = await Promise.all([this.storedAccessToken(), tokens.get('open_id')]);
      if (accessToken && oid) return { accessToken, openId: oid.value };
    }
    const clientKey = this.credential('clientKey');
    let lastCode: number | undefined;
    return this.withRefreshTokens(
      async (candidate) => {
        const res = await this.sendToDouyin('token refresh', false, {
          method: 'POST',
          url: '/oauth/refresh_token/',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          data: new URLSearchParams({ client_key: clientKey, grant_type: 'refresh_token', refresh_token: candidate }).toString(),
        });
        const data = envelopeData(res);
        const code = data.error_code ?? 0;
        if (code === 10010 || code === 10003 || code === 10002) {
          lastCode = code;
          return undefined;
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
      },
      () => ({ said: String(lastCode ?? 'refused'), platformCode: lastCode }),
    );
  }

  /** A new refresh token before the current one runs out; on failure the current one is kept. */
  private async renew(clientKey: string, refresh: string): Promise<void> {
    try {
      const res = await this.sendToDouyin('refresh token renewal', true, {
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

/** The video_id an upload answered with. */
export function videoIdOf(data: DouyinData): string {
  const video = data.video as { video_id?: unknown } | undefined;
  const id = typeof video?.video_id === 'string' ? video.video_id : '';
  if (!id) throw new DeliveryError('retryable', `${NAME} upload answered without a video_id.`);
  return id;
}
