// Weibo's HTTP client: the access tokens to try (a newer stored one, then the configured one), one call per token, and answers turned into delivery errors by its error-code table.
import { AxiosError } from 'axios';
import { DeliveryError } from '../errors.js';
import { PlatformClient, transportError, type PlatformContext } from '../platform-client.js';
import { WEIBO_ERROR_CODES } from './error-codes.js';
import { stillValid } from '../tokens.js';
import { LINK_RE, WEIBO_TOKEN_NAME, type WeiboAdapterOptions } from './format.js';

export interface WeiboAnswer {
  error?: string;
  error_code?: number;
  [key: string]: unknown;
}

export interface WeiboStatus {
  id?: number;
  idstr?: string;
  text?: string;
  url?: string;
  user?: { idstr?: string; id?: number };
}

export function accountLabel(ctx: PlatformContext): string {
  return `"${ctx.account?.name ?? ctx.channel.name}" (${ctx.channel.id})`;
}

export class WeiboClient extends PlatformClient {
  private tokens: string[] | null = null;
  constructor(
    ctx: PlatformContext,
    private readonly opts: Required<WeiboAdapterOptions>,
  ) {
    super(ctx, opts.timeoutMs, WEIBO_ERROR_CODES);
  }

  /** Usable tokens, best first: a valid newer one from the token store, then the configured one. */
  async candidates(): Promise<string[]> {
    if (this.tokens) return this.tokens;
    const out: string[] = [];
    const stored = await this.ctx.tokens.get(WEIBO_TOKEN_NAME);
    if (stored && stillValid(stored, this.opts.now(), 0)) out.push(stored.value);
    const configured = this.ctx.credentials.accessToken;
    if (configured && !out.includes(configured)) out.push(configured);
    if (out.length === 0) {
      throw new DeliveryError(
        'needs_reconnect',
        `Weibo account ${accountLabel(this.ctx)} has no access token: operations must authorize the app once (OAuth) and configure accessToken.`,
      );
    }
    this.tokens = out;
    return out;
  }

  /** One call; an authorization refusal moves on to the next token (nothing was done). */
  async call(
    method: 'GET' | 'POST',
    path: string,
    params: Record<string, string> | (() => FormData),
    what: string,
    sideEffect: boolean,
  ): Promise<{ status: number; data: WeiboAnswer }> {
    const tokens = await this.candidates();
    for (let i = 0; ; i++) {
      const token = tokens[i]!;
      const res = await this.send(
        {
          method,
          url: path,
          headers: { Authorization: `OAuth2 ${token}` },
          ...(method === 'GET' ? { params } : { data: typeof params === 'function' ? params() : new URLSearchParams(params) }),
          validateStatus: () => true,
        },
        what,
        sideEffect,
      );
      const data = (typeof res.data === 'object' && res.data !== null ? res.data : {}) as WeiboAnswer;
      const code = typeof data.error_code === 'number' ? data.error_code : undefined;
      if (code !== undefined && this.reconnectReason(code) && i + 1 < tokens.length) {
        this.tokens = tokens.slice(i + 1);
        continue;
      }
      if (code === undefined && res.status >= 400) {
        // Not a Weibo error body (a proxy, an outage page): classify by HTTP status.
        throw transportError(new AxiosError(`HTTP ${res.status}`, undefined, undefined, undefined, res), what, sideEffect);
      }
      return { status: res.status, data };
    }
  }

  error(data: WeiboAnswer, what: string, sideEffect: boolean): DeliveryError {
    const code = data.error_code ?? 0;
    const said = `error ${code}${data.error ? ` "${this.scrub(String(data.error))}"` : ''}`;
    const reconnect = this.reconnectReason(code);
    if (reconnect) {
      return new DeliveryError(
        'needs_reconnect',
        `Weibo refused the access token of account ${accountLabel(this.ctx)}: ${reconnect}. Operations must authorize the app again (OAuth) and update the configured accessToken; nothing is posted on this account until then.`,
        {
          platformCode: code,
        },
      );
    }
    if (code === 10022 || code === 10023 || code === 10024) {
      const hourly = code === 10024;
      return new DeliveryError(
        'rate_limited',
        `${what}: Weibo's ${code === 10022 ? 'per-IP' : hourly ? 'hourly posting' : 'per-user'} rate limit was reached (${said}).`,
        {
          platformCode: code,
          retryAfterMs: hourly ? 3_600_000 : 900_000,
        },
      );
    }
    if (code === 10002 || code === 10009)
      return new DeliveryError('retryable', `${what}: Weibo is busy (${said}); trying again shortly.`, { platformCode: code, retryAfterMs: 30_000 });
    if (code === 10001) {
      return new DeliveryError(
        sideEffect ? 'unconfirmed' : 'retryable',
        `${what}: Weibo had a system error (${said})${sideEffect ? '; whether the post was made is checked before anything is sent again' : ''}.`,
        { platformCode: code },
      );
    }
    if (code === 10017 && /bind domain/i.test(String(data.error ?? ''))) {
      return new DeliveryError(
        'rejected',
        `${what}: Weibo only takes posts linking to the app's bound domain (安全域名), and the portal link is not on it (${said}). Operations must make the portal address and the Weibo app's safe domain agree.`,
        {
          platformCode: code,
        },
      );
    }
    const content = this.contentReason(code);
    if (content) return new DeliveryError('rejected', `${what}: Weibo refused the post — ${content} (${said}).`, { platformCode: code });
    return new DeliveryError('retryable', `${what}: Weibo answered ${said}.`, { platformCode: code });
  }
}

export const normalized = (text: string) => text.replace(LINK_RE, '').replace(/\s+/g, '');

export function publicUrlOf(s: WeiboStatus): string | null {
  if (typeof s.url === 'string' && s.url) return s.url;
  const uid = s.user?.idstr ?? (s.user?.id !== undefined ? String(s.user.id) : undefined);
  const id = s.idstr ?? (s.id !== undefined ? String(s.id) : undefined);
  return uid && id ? `https://weibo.com/${uid}/${id}` : null;
}
