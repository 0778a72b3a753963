// The media center's HTTP client, on the platform client base: its client-credentials token, one authorized call (a refused token is renewed once), and its answers turned into delivery errors by its status table.
/*
 * The media center's API is ours ("Media center API v1" in simulators/README.md): every error is
 * `{ error: { code, message, details } }` and its HTTP status gives the class. So its table
 * (adapters/platform-client.ts) is keyed by status; `error.code` refines a status where the
 * contract gives it two meanings (400 `validation_failed` is the content's, 400 `unknown_column`
 * the configuration's; 409 `idempotency_key_reused` is govpub's own defect).
 */
import type { AxiosResponse } from 'axios';
import type { MediaCenterSystem } from '../../domain/registry.js';
import { DeliveryError, rejectedContent, retryAfterMs, type ContentProblem } from '../errors.js';
import { PlatformClient, type PlatformContext } from '../platform-client.js';
import { MEDIA_CENTER_STATUSES } from './error-codes.js';
import { stillValid } from '../tokens.js';
import { SYSTEM_NAMES, TOKEN_NAME, type ApiArticle } from './contract.js';

/**
 * The statuses that name a refusal. Any other 4xx (400 `invalid_json`, `idempotency_key_required`,
 * `invalid_idempotency_key`, `invalid_request`; 415 `unsupported_media_type`) is a malformed
 * request: govpub's defect, which repeating cannot help. 429 and 5xx are waits, not refusals.
 */

type Method = 'GET' | 'POST' | 'DELETE';

interface CallInit {
  data?: unknown;
  headers?: Record<string, string>;
  params?: Record<string, string | number>;
}

/** The error body of an answer, with stand-ins when it has none (a proxy, an outage page). */
function errorOf(res: AxiosResponse): { code: string; message: string; details: Record<string, unknown> } {
  const e = (res.data as { error?: { code?: unknown; message?: unknown; details?: unknown } } | undefined)?.error;
  return {
    code: typeof e?.code === 'string' ? e.code : `http_${res.status}`,
    message: typeof e?.message === 'string' ? e.message : `HTTP ${res.status}`,
    details: e?.details && typeof e.details === 'object' ? (e.details as Record<string, unknown>) : {},
  };
}

export class MediaCenterClient extends PlatformClient {
  constructor(
    ctx: PlatformContext,
    private readonly system: MediaCenterSystem,
    timeoutMs: number,
  ) {
    super(ctx, timeoutMs, MEDIA_CENTER_STATUSES);
  }

  /** `Channel name (channel id)`: how messages name the site. */
  get siteName(): string {
    return `${this.ctx.channel.name} (${this.ctx.channel.id})`;
  }

  /** One request; every answer comes back (its status is read by the caller), no redirect is followed. */
  private request(method: Method, path: string, what: string, sideEffect: boolean, init: CallInit & { token?: string } = {}): Promise<AxiosResponse> {
    return this.send(
      {
        method,
        url: path,
        data: init.data,
        params: init.params,
        headers: {
          Accept: 'application/json',
          ...(init.data !== undefined ? { 'Content-Type': 'application/json' } : {}),
          ...(init.token ? { Authorization: `Bearer ${init.token}` } : {}),
          ...init.headers,
        },
        validateStatus: () => true,
        maxRedirects: 0,
      },
      what,
      sideEffect,
    );
  }

  private async fetchToken(): Promise<string> {
    const name = SYSTEM_NAMES[this.system];
    const clientId = this.ctx.credentials.clientId;
    const clientSecret = this.ctx.credentials.clientSecret;
    if (!clientId || !clientSecret) {
      throw new DeliveryError(
        'needs_reconnect',
        `${name}: the channel ${this.ctx.channel.id} has no ${!clientId ? 'clientId' : 'clientSecret'} configured; add the media center's client credentials for ${this.system}.`,
      );
    }
    const res = await this.request('POST', '/api/v1/auth/token', `${name}: getting an access token`, false, { data: { clientId, clientSecret } });
    if (res.status === 200) {
      const body = res.data as { accessToken?: unknown; expiresIn?: unknown };
      if (typeof body.accessToken !== 'string' || body.accessToken === '') {
        throw new DeliveryError('retryable', `${name}: the token answer had no accessToken.`);
      }
      const expiresIn = typeof body.expiresIn === 'number' && body.expiresIn > 0 ? body.expiresIn : null;
      await this.ctx.tokens.put(TOKEN_NAME, body.accessToken, expiresIn === null ? null : new Date(Date.now() + expiresIn * 1000));
      return body.accessToken;
    }
    const err = errorOf(res);
    // At the token endpoint a validation_failed also means the client credentials are unusable.
    if (this.reconnectReason(res.status) || err.code === 'invalid_client' || err.code === 'validation_failed') {
      throw new DeliveryError(
        'needs_reconnect',
        `${name} refused govpub's client credentials (client id "${clientId}", ${err.code}): check the client id and secret configured for ${this.system}.`,
        { platformCode: err.code },
      );
    }
    throw this.failure(res, `${name}: getting an access token`);
  }

  private async token(fresh: boolean): Promise<string> {
    if (!fresh) {
      const stored = await this.ctx.tokens.get(TOKEN_NAME);
      if (stored && stillValid(stored, Date.now())) return stored.value;
    }
    return this.fetchToken();
  }

  /** An authorized call: a token_expired / unauthorized answer gets a new token and one retry. */
  async call(method: Method, path: string, what: string, sideEffect: boolean, init: CallInit = {}): Promise<AxiosResponse> {
    let res = await this.request(method, path, what, sideEffect, { ...init, token: await this.token(false) });
    if (res.status === 401) {
      await this.ctx.tokens.delete(TOKEN_NAME);
      res = await this.request(method, path, what, sideEffect, { ...init, token: await this.token(true) });
      if (res.status === 401) {
        const err = errorOf(res);
        throw new DeliveryError(
          'needs_reconnect',
          `${what}: ${SYSTEM_NAMES[this.system]} refused a freshly issued access token (${err.code}); check the client registered for ${this.system}.`,
          {
            platformCode: err.code,
          },
        );
      }
    }
    return res;
  }

  /** The article created earlier under an Idempotency-Key, if there is one. */
  async findByKey(key: string): Promise<ApiArticle | null> {
    const what = `${this.siteName}: looking up an earlier attempt`;
    const res = await this.call('GET', '/api/v1/articles', what, false, { params: { idempotencyKey: key, limit: 1 } });
    if (res.status !== 200) throw this.failure(res, what);
    const items = (res.data as { items?: ApiArticle[] }).items ?? [];
    return items[0] ?? null;
  }

  /** One article; null when the site does not know it (404). */
  async article(id: string): Promise<ApiArticle | null> {
    const what = `${this.siteName}: checking article ${id}`;
    const res = await this.call('GET', `/api/v1/articles/${encodeURIComponent(id)}`, what, false);
    if (res.status === 404) return null;
    if (res.status !== 200) throw this.failure(res, what);
    return res.data as ApiArticle;
  }

  /** The client's articles among `ids` (at most a page), in one batch read. */
  async listByIds(ids: string[]): Promise<ApiArticle[]> {
    const what = `${this.siteName}: checking ${ids.length} article${ids.length === 1 ? '' : 's'} waiting for review`;
    const res = await this.call('GET', '/api/v1/articles', what, false, { params: { ids: ids.join(','), limit: ids.length } });
    if (res.status !== 200) throw this.failure(res, what);
    const items = (res.data as { items?: unknown }).items;
    return Array.isArray(items) ? (items as ApiArticle[]).filter((a) => typeof a?.id === 'string') : [];
  }

  /** The DeliveryError for an answer that is not a success (`label`, `site`: how a refused article is named). */
  failure(res: AxiosResponse, what: string, label?: string, site?: string): DeliveryError {
    const err = errorOf(res);
    const status = res.status;
    const opts = { platformCode: err.code };
    if (status === 429) {
      return new DeliveryError('rate_limited', `${what}: the media center is rate limiting govpub (429); waiting as long as it asks.`, {
        ...opts,
        retryAfterMs: retryAfterMs(res.headers['retry-after']) ?? 60_000,
      });
    }
    if (status >= 500) {
      return new DeliveryError(
        'retryable',
        `${what}: the media center answered HTTP ${status} (${err.code}); trying again later with the same Idempotency-Key.`,
        {
          ...opts,
          retryAfterMs: retryAfterMs(res.headers['retry-after']),
        },
      );
    }
    if (status === 400 && err.code === 'validation_failed') {
      const raw = Array.isArray(err.details.problems) ? (err.details.problems as { field?: unknown; problem?: unknown }[]) : [];
      const problems: ContentProblem[] = raw.length
        ? raw.map((p) => ({
            field: `${label ?? 'article'}: ${String(p.field ?? '?')}`,
            message: String(p.problem ?? 'refused'),
            messageZh: `融媒体中心认为字段“${String(p.field ?? '?')}”不合格：${String(p.problem ?? '未说明原因')}。请修改稿件后重新发布，或跳过该渠道。`,
          }))
        : [{ field: label ?? 'article', message: err.message, messageZh: `融媒体中心拒绝了这篇文章：${err.message}。请修改稿件后重新发布，或跳过该渠道。` }];
      const e = rejectedContent(site ?? SYSTEM_NAMES[this.system], problems);
      return new DeliveryError('rejected', e.message, { ...opts, problems });
    }
    if (status === 400 && err.code === 'unknown_column') {
      const allowed = Array.isArray(err.details.allowed) ? (err.details.allowed as unknown[]).map(String) : [];
      return new DeliveryError(
        'needs_reconnect',
        `${what}: the media center has no such column (${err.message})${allowed.length ? ` Its columns: ${allowed.slice(0, 30).join(', ')}.` : ''} Fix the column id in config/registry/media-center.yaml.`,
        opts,
      );
    }
    if (status === 409 && err.code === 'idempotency_key_reused') {
      // Retrying can never succeed (same key, same refusal); a new key would post the item twice;
      // adopting the existing article would publish content other than the approved snapshot. So
      // stop and tell a person: this is a govpub defect (the request for one item changed).
      const existing = typeof err.details.articleId === 'string' ? ` (article ${err.details.articleId})` : '';
      return new DeliveryError(
        'rejected',
        `${what}: the media center already holds a different article for this item${existing}: govpub sent changed content under the same Idempotency-Key. Nothing was posted twice. This is a govpub defect, not a problem with the package: report it; to publish the current content, take the delivery down and send the package again as a new revision.`,
        opts,
      );
    }
    if (this.contentReason(status)) {
      return new DeliveryError('rejected', `${what}: the article is larger than the media center's 2 MB request limit; shorten the text.`, opts);
    }
    if (this.reconnectReason(status)) {
      return new DeliveryError('needs_reconnect', `${what}: the media center refused govpub's access (${err.code}).`, opts);
    }
    // idempotency_key_required, invalid_idempotency_key, invalid_json, unsupported_media_type…:
    // the request is malformed, so repeating it cannot help.
    return new DeliveryError(
      'rejected',
      `${what}: the media center refused govpub's request (HTTP ${status} ${err.code}: ${err.message}). This is a govpub defect, not a problem with the package.`,
      opts,
    );
  }
}
