// WeChat's HTTP client: the stable access token, one API call with ?access_token= (refreshed once when refused), and its answers turned into delivery errors by its error-code table.
import { createHash } from 'node:crypto';
import { DeliveryError } from '../errors.js';
import { PlatformClient, type PlatformContext } from '../platform-client.js';
import { stillValid } from '../tokens.js';
import { WECHAT_ERROR_CODES } from './error-codes.js';
import type { WechatOaAdapterOptions } from './payload.js';

const TOKEN_NAME = 'wechat_oa.stable_access_token';

export interface WechatAnswer {
  errcode?: number;
  errmsg?: string;
  [key: string]: unknown;
}

/** This delivery's marker (see the header comment). */
export function wechatMarker(businessKey: string): string {
  return `gp-${createHash('sha256').update(businessKey).digest('hex').slice(0, 16)}`;
}

export function withMarker(url: string, marker: string): string {
  if (url === '') return '';
  return `${url.split('#')[0]}#${marker}`;
}

function accountLabel(ctx: PlatformContext): string {
  const name = ctx.account?.name ?? ctx.channel.name;
  const appId = ctx.credentials.appId;
  return `"${name}" (${ctx.channel.id}${appId ? `, appId ${appId}` : ''})`;
}

/** Milliseconds until the next midnight in Beijing (UTC+8), when WeChat's daily quotas reset. */
function untilBeijingMidnight(nowMs: number): number {
  const day = 86_400_000;
  const beijing = nowMs + 8 * 3_600_000;
  return day - (beijing % day) + 1000;
}

interface CallOptions {
  what: string;
  sideEffect: boolean;
  query?: Record<string, string>;
  /** Error codes the caller handles itself (returned instead of thrown). */
  accept?: number[];
}

export class WechatClient extends PlatformClient {
  private token: string | null = null;
  constructor(
    ctx: PlatformContext,
    private readonly opts: Required<WechatOaAdapterOptions>,
  ) {
    super(ctx, opts.timeoutMs, WECHAT_ERROR_CODES);
  }

  private async post(path: string, body: unknown | (() => FormData), params: Record<string, string>, what: string, sideEffect: boolean): Promise<WechatAnswer> {
    const res = await this.send({ method: 'POST', url: path, data: typeof body === 'function' ? (body as () => FormData)() : body, params }, what, sideEffect);
    const data = res.data as unknown;
    if (typeof data !== 'object' || data === null || Array.isArray(data)) {
      throw new DeliveryError(sideEffect ? 'unconfirmed' : 'retryable', `${what}: WeChat answered something that is not a JSON object.`);
    }
    return data as WechatAnswer;
  }

  /** The stable access token: from the token store while valid, else from stable_token. */
  async accessToken(force = false): Promise<string> {
    const failed = this.token;
    const now = this.opts.now();
    const stored = await this.ctx.tokens.get(TOKEN_NAME);
    if (stored && stillValid(stored, now) && (!force || stored.value !== failed)) {
      this.token = stored.value;
      return stored.value;
    }
    const appId = this.ctx.credentials.appId;
    const secret = this.ctx.credentials.appSecret;
    if (!appId || !secret) {
      throw new DeliveryError(
        'needs_reconnect',
        `WeChat account ${accountLabel(this.ctx)} has no ${!appId ? 'appId' : 'appSecret'} configured; operations must add it before anything can be published.`,
      );
    }
    const what = `Getting an access token for WeChat account ${accountLabel(this.ctx)}`;
    const data = await this.post('/cgi-bin/stable_token', { grant_type: 'client_credential', appid: appId, secret, force_refresh: force }, {}, what, false);
    if (data.errcode) throw this.error(data, what, '/cgi-bin/stable_token');
    const token = typeof data.access_token === 'string' ? data.access_token : '';
    const expiresIn = typeof data.expires_in === 'number' ? data.expires_in : 7200;
    if (!token) throw new DeliveryError('retryable', `${what}: WeChat answered without an access_token.`);
    await this.ctx.tokens.put(TOKEN_NAME, token, new Date(this.opts.now() + expiresIn * 1000));
    this.token = token;
    return token;
  }

  /** One API call with ?access_token=; an invalid or expired token is refreshed once. */
  async call(path: string, body: unknown | (() => FormData), options: CallOptions): Promise<WechatAnswer> {
    let token = this.token ?? (await this.accessToken());
    for (let attempt = 0; ; attempt++) {
      const data = await this.post(path, body, { ...(options.query ?? {}), access_token: token }, options.what, options.sideEffect);
      const code = data.errcode ?? 0;
      if ((code === 40001 || code === 42001) && attempt === 0) {
        // The platform refused the token before doing anything: safe to repeat the call.
        token = await this.accessToken(true);
        continue;
      }
      if (code === 0 || options.accept?.includes(code)) return data;
      throw this.error(data, options.what, path);
    }
  }

  error(data: WechatAnswer, what: string, path: string): DeliveryError {
    const code = data.errcode ?? -1;
    const platformMsg = this.scrub(String(data.errmsg ?? '').replace(/\s*rid:.*$/, ''));
    const said = `errcode ${code}${platformMsg ? ` "${platformMsg}"` : ''}`;
    const reconnect = this.reconnectReason(code);
    if (reconnect) {
      return new DeliveryError(
        'needs_reconnect',
        `WeChat refused the credentials of account ${accountLabel(this.ctx)}: ${reconnect}. Nothing is published on this account until operations fix it.`,
        {
          platformCode: code,
        },
      );
    }
    if (code === 40001 || code === 42001) {
      return new DeliveryError(
        'retryable',
        `${what}: WeChat still refused a freshly issued access token (${said}); another system may be refreshing this account's token. Trying again later.`,
        {
          platformCode: code,
          retryAfterMs: 30_000,
        },
      );
    }
    if (code === -1)
      return new DeliveryError('retryable', `${what}: WeChat is busy (${said}); trying again shortly.`, { platformCode: code, retryAfterMs: 10_000 });
    if (code === 45009) {
      const wait = untilBeijingMidnight(this.opts.now());
      const quota = path === '/cgi-bin/stable_token' ? 'the daily limit of forced token refreshes (20 a day)' : `the daily call quota of ${path}`;
      return new DeliveryError(
        'rate_limited',
        `${what}: account ${accountLabel(this.ctx)} reached ${quota} (${said}). It resets at midnight Beijing time; operations can reset it earlier in the WeChat console (clear_quota).`,
        {
          platformCode: code,
          retryAfterMs: wait,
        },
      );
    }
    if (code === 45011)
      return new DeliveryError('rate_limited', `${what}: too many calls this minute (${said}).`, { platformCode: code, retryAfterMs: 60_000 });
    const content = this.contentReason(code);
    if (content) return new DeliveryError('rejected', `${what}: WeChat refused it — ${content} (${said}).`, { platformCode: code });
    const malformed = this.requestReason(code);
    if (malformed || code === 40007 || code === 53600) {
      return new DeliveryError(
        'rejected',
        `${what}: WeChat refused the request as malformed (${malformed ?? 'unknown id'}; ${said}). This is a govpub problem, not the content's: tell operations.`,
        {
          platformCode: code,
        },
      );
    }
    return new DeliveryError('retryable', `${what}: WeChat answered ${said}.`, { platformCode: code });
  }
}
