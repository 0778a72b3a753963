/**
 * The CLI's way to act: every command that acts as a person (packages, decisions, deliveries,
 * channels, media, the audit trail) goes through the HTTP API with that person's token, so the
 * API's authentication, roles and validation are the only ones there are. A command never opens
 * the database or Temporal to act for someone.
 *
 *   --token T or GOVPUB_TOKEN        the bearer token (`govpub users add` / `users rotate-token` print it)
 *   --api URL or GOVPUB_API_URL      where the API is (default: http://127.0.0.1:$PORT, PORT 8080; without PORT,
 *                                    the address a running `govpub start` recorded in <data dir>/run/api.json,
 *                                    or a running `govpub topology` in <data dir>/run/topology.json)
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { loadSettings } from '../config/settings.js';
import { httpUrlProblem, type HttpUrlProblem } from '../config/http-url.js';
import { GovpubError } from '../domain/errors.js';
import { recordedApiUrl } from '../runtime/runtime-files.js';
import { printJson, say } from './output.js';

export interface ApiOptions {
  token?: string;
  api?: string;
}

/** Adds --token and --api to an acting command. */
export function withApiOptions(command: Command): Command {
  return command
    .option('--token <token>', 'your API token (or GOVPUB_TOKEN)')
    .option(
      '--api <url>',
      'the govpub API (or GOVPUB_API_URL; default: with PORT or HOST set, http://HOST:PORT; else the API a running `govpub start` or `govpub topology` recorded in the data directory; else http://127.0.0.1:8080)',
    );
}

/** The options of an acting command that can also print JSON. */
export type ActingOptions = ApiOptions & { json?: boolean };

/** Adds --token, --api and --json to an acting command. */
export function withActingOptions(command: Command): Command {
  return withApiOptions(command).option('--json', 'print machine-readable JSON');
}

/** An action on one id (a package, a delivery) as the token's user; prints the result for a person (`describe`) or as JSON. */
export function actOnId<R, O extends ActingOptions>(describe: (result: R) => string, call: (api: ApiClient, id: string, options: O) => Promise<R>) {
  return async (id: string, options: O): Promise<void> => {
    const result = await call(ApiClient.from(options), id, options);
    if (options.json) printJson(result);
    else console.log(describe(result));
  };
}

const API_URL_PROBLEMS: Record<HttpUrlProblem, string> = {
  control_character: 'holds a control character',
  not_a_url: 'is not a URL',
  not_http: 'is not an http(s) address',
  carries_credentials: 'carries a user name or password (the API takes your token, --token or GOVPUB_TOKEN, instead)',
};
const API_URL_PROBLEMS_ZH: Record<HttpUrlProblem, string> = {
  control_character: '含有控制字符',
  not_a_url: '不是网址',
  not_http: '不是 http(s) 地址',
  carries_credentials: '带有用户名或密码（API 只认您的令牌：--token 或 GOVPUB_TOKEN）',
};

/**
 * Where `govpub start` / `govpub api` listen on this machine: HOST and PORT when set here, else the
 * address a running `govpub start` or `govpub topology` recorded in the data directory (started with
 * another PORT in another terminal), else the default.
 */
function defaultApiUrl(): string {
  const settings = loadSettings();
  if (!process.env.PORT?.trim() && !process.env.HOST?.trim()) {
    const recorded = recordedApiUrl(settings.dataDir);
    if (recorded) return recorded;
  }
  const host = ['0.0.0.0', '::', ''].includes(settings.apiHost) ? '127.0.0.1' : settings.apiHost;
  return `http://${host.includes(':') ? `[${host}]` : host}:${settings.apiPort}`;
}

/** How long a request (not an upload) waits for the API's answer: its 60 s deadline, a turn, and a margin. */
const REQUEST_TIMEOUT_MS = 150_000;

/** Times a CLI command is sent when the API answers it as busy (it never ran, so sending it again is safe). */
export const BUSY_ATTEMPTS = 3;

export class ApiClient {
  constructor(
    readonly baseUrl: string,
    readonly token: string,
  ) {}

  static from(options: ApiOptions): ApiClient {
    const token = options.token ?? process.env.GOVPUB_TOKEN;
    if (!token) {
      throw new GovpubError(
        'token_required',
        'This command acts as you through the API: give your token with --token or GOVPUB_TOKEN. An administrator creates it with `govpub users add NAME --role …` or issues a new one with `govpub users rotate-token NAME`.',
        {},
        {
          zh: '此命令以您的身份调用 API：请用 --token 或 GOVPUB_TOKEN 提供您的 API 令牌。令牌由管理员用 `govpub users add 用户名 --role …` 创建，或用 `govpub users rotate-token 用户名` 重新签发。',
        },
      );
    }
    const base = options.api ?? (process.env.GOVPUB_API_URL?.trim() || defaultApiUrl());
    // The value is not repeated: what lands in --api by mistake is sometimes a token or carries a password.
    const problem = httpUrlProblem(base);
    if (problem)
      throw new GovpubError(
        'invalid_api_url',
        `The API address (--api or GOVPUB_API_URL) ${API_URL_PROBLEMS[problem]}; give it as http://host:port.`,
        {},
        { zh: `API 地址（--api 或 GOVPUB_API_URL）${API_URL_PROBLEMS_ZH[problem]}；请写作 http://主机:端口。` },
      );
    // A header carries only visible ASCII: anything else failed inside fetch and was reported as
    // "Cannot reach the govpub API" while the API was up. The value is not repeated (it is a credential).
    if (!/^[\x20-\x7e]+$/.test(token.trim()))
      throw new GovpubError(
        'invalid_token',
        'The token (--token or GOVPUB_TOKEN) holds a character no token has (a control character or a non-ASCII character); it is not repeated here. A govpub token is gp_ followed by 32 letters, digits, - and _: copy it again.',
      );
    return new ApiClient(new URL(base).toString().replace(/\/$/, ''), token.trim());
  }

  /**
   * One JSON request; an error answer becomes the API's own code and sentence. A command the API
   * refused as busy (`503 api_busy`: it never ran, api/admission.ts) is sent again after the pause
   * the API asks for, up to BUSY_ATTEMPTS times in all.
   */
  async request<T>(method: string, route: string, body?: unknown, init: { headers?: Record<string, string>; rawBody?: FormData } = {}): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.requestOnce<T>(method, route, body, init);
      } catch (error) {
        const busy = error instanceof GovpubError && error.code === 'api_busy' && !init.rawBody;
        if (!busy || attempt >= BUSY_ATTEMPTS) throw error;
        const pauseSec = Math.min(30, Math.max(1, Number((error.details as { retryAfterSec?: number }).retryAfterSec) || 5));
        process.stderr.write(
          say(
            `govpub is busy finishing releases; sending ${method} ${route} again in ${pauseSec} s (attempt ${attempt + 1} of ${BUSY_ATTEMPTS}).\n`,
            `govpub 正在优先完成发布，${pauseSec} 秒后重新发送 ${method} ${route}（第 ${attempt + 1} 次，共 ${BUSY_ATTEMPTS} 次）。\n`,
          ),
        );
        await new Promise((resolve) => setTimeout(resolve, pauseSec * 1000));
      }
    }
  }

  private async requestOnce<T>(method: string, route: string, body: unknown, init: { headers?: Record<string, string>; rawBody?: FormData }): Promise<T> {
    for (const [name, value] of Object.entries(init.headers ?? {})) {
      if (!/^[\x20-\x7e]*$/.test(value))
        throw new GovpubError(
          'invalid_arguments',
          `--${name} holds a character a request header cannot carry (a control character or a non-ASCII character); use letters, digits and punctuation, e.g. a UUID.`,
        );
    }
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${route}`, {
        method,
        headers: {
          authorization: `Bearer ${this.token}`,
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...init.headers,
        },
        body: init.rawBody ?? (body !== undefined ? JSON.stringify(body) : undefined),
        // An upload takes as long as its bytes; any other request is answered within the API's own
        // deadline (60 s) plus its turn: past that, the API is not answering.
        ...(init.rawBody ? { duplex: 'half' } : { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) }),
      } as RequestInit);
    } catch (error) {
      if ((error as Error).name === 'TimeoutError')
        throw new GovpubError(
          'api_timeout',
          `The govpub API at ${this.baseUrl} did not answer ${method} ${route} within ${REQUEST_TIMEOUT_MS / 1000} s. It may still complete it: check the state (e.g. govpub packages show ID) before sending it again.`,
        );
      const cause = ((error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message) || 'no answer';
      throw new GovpubError(
        'api_unreachable',
        `Cannot reach the govpub API at ${this.baseUrl} (${cause}). Is \`govpub start\` (or \`govpub api\`) running? Point to it with --api or GOVPUB_API_URL.`,
      );
    }
    const text = await response.text();
    let parsed: unknown = null;
    if (text) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = { error: { code: 'bad_answer', message: text.slice(0, 300) } };
      }
    }
    if (!response.ok) {
      const error = (parsed as { error?: { code?: string; message?: string; messageZh?: string; issues?: unknown; problems?: unknown } } | null)?.error;
      throw new GovpubError(
        error?.code ?? `http_${response.status}`,
        error?.message ?? `The API answered ${response.status}.`,
        {
          status: response.status,
          ...(response.status === 503 && response.headers.get('retry-after') ? { retryAfterSec: Number(response.headers.get('retry-after')) } : {}),
          ...(error?.issues ? { issues: error.issues } : {}),
          ...(error?.problems ? { problems: error.problems } : {}),
        },
        { zh: error?.messageZh },
      );
    }
    return parsed as T;
  }

  /**
   * GETs a file the API serves (a rendition, a bundle) with the token, as bytes. An error answer
   * becomes the API's own code and sentence, as in `request`.
   */
  async download(route: string): Promise<{ bytes: Buffer; mime: string }> {
    const url = new URL(route, `${this.baseUrl}/`);
    // The token goes only to the API it belongs to, whatever address an answer names.
    if (url.origin !== new URL(`${this.baseUrl}/`).origin)
      throw new GovpubError(
        'api_unexpected',
        `The API named a file at ${url.origin}, not at itself (${this.baseUrl}): nothing was downloaded and the token was not sent there.`,
        { url: url.origin },
        { zh: `API 给出的文件地址在 ${url.origin}，不在 API 本身（${this.baseUrl}）：未下载任何内容，也未把令牌发往该地址。` },
      );
    let response: Response;
    try {
      response = await fetch(url, { headers: { authorization: `Bearer ${this.token}` } });
    } catch (error) {
      const cause = ((error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message) || 'no answer';
      throw new GovpubError('api_unreachable', `Cannot reach the govpub API at ${this.baseUrl} (${cause}).`);
    }
    if (!response.ok) {
      const error = ((await response.json().catch(() => null)) as { error?: { code?: string; message?: string; messageZh?: string } } | null)?.error;
      throw new GovpubError(
        error?.code ?? `http_${response.status}`,
        error?.message ?? `The API answered ${response.status}.`,
        { status: response.status },
        { zh: error?.messageZh },
      );
    }
    return { bytes: Buffer.from(await response.arrayBuffer()), mime: response.headers.get('content-type')?.split(';')[0] ?? 'application/octet-stream' };
  }

  /** Streams one file as a multipart upload (never read whole into memory). */
  async upload<T>(route: string, file: string): Promise<T> {
    const blob = await fs.openAsBlob(file);
    const form = new FormData();
    form.append('file', blob, path.basename(file));
    return this.request<T>('POST', route, undefined, { rawBody: form });
  }
}
