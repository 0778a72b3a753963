// The base every platform's HTTP client stands on: one request with the shared transport rules, credential scrubbing, and the platform's error-code table.
/*
 * Each platform keeps what is its own (how it authenticates, which answers are errors, the words
 * of its messages); what was copied from client to client lives here: the request options (no
 * size caps, the attempt's abort signal, a timeout), transport errors classified with a cause
 * that carries no request data (URLs and headers hold tokens), platform messages with every
 * configured credential blanked, and the table that names what each error code means.
 */
import axios, { type AxiosRequestConfig, type AxiosResponse } from 'axios';
import { DeliveryError, classifyTransportError } from './errors.js';
import type { TransmitContext } from './types.js';

/** What a platform client needs of a transmit context. */
export type PlatformContext = Pick<TransmitContext<object>, 'baseUrl' | 'channel' | 'account' | 'credentials' | 'tokens' | 'signal'>;

/**
 * What one error code means: `en`, the reason the client's English sentence embeds; `zh`, a whole
 * Simplified-Chinese sentence for the console (what happened and what to do), shown with the
 * delivery (services/deliveries.ts) whether the row was written before or after it existed.
 */
export interface ErrorCodeReason {
  en: string;
  zh: string;
}

/**
 * A platform's error codes by what they mean, each with the reason people read: `reconnect`, the
 * credentials were refused (needs_reconnect); `content`, the post was refused (rejected);
 * `request`, the request was malformed (rejected: govpub's problem, not the content's);
 * `worded`, codes the client words itself (busy, rate limits, special cases): only their Chinese
 * sentence lives here; `named`, the codes that are words rather than numbers. The tables are pure data (adapters/<platform>/error-codes.ts), indexed
 * for the services in adapters/error-codes.ts.
 */
export interface ErrorCodeTable {
  reconnect: Readonly<Record<number, ErrorCodeReason>>;
  content: Readonly<Record<number, ErrorCodeReason>>;
  request?: Readonly<Record<number, ErrorCodeReason>>;
  worded?: Readonly<Record<number, string>>;
  /** Codes that are words (the media center's `invalid_request`), as the client records them. */
  named?: Readonly<Record<string, NamedCodeZh>>;
}

/**
 * What a code that is a word means, for people: `meaning`, a Chinese phrase the failure's sentence
 * quotes next to the code; `zh`, a whole sentence (what happened, what to do) for a code whose
 * remedy is not the one its error class says.
 */
export interface NamedCodeZh {
  meaning: string;
  zh?: string;
}

/** A transport error, classified, with a cause that carries no request data (tokens, secrets). */
export function transportError(error: unknown, what: string, sideEffect: boolean): DeliveryError {
  const d = classifyTransportError(error, what, { sideEffect });
  if (d === error) return d;
  const cause = axios.isAxiosError(error)
    ? Object.assign(new Error(`${error.code ?? 'HTTP'}${error.response ? ` ${error.response.status}` : ''}: ${error.message}`), { code: error.code })
    : error;
  return new DeliveryError(d.errorClass, d.message, { retryAfterMs: d.retryAfterMs, platformCode: d.platformCode, problems: d.problems, cause });
}

/** Replaces every configured credential value in a text (platform messages are echoed to people). */
export function scrubCredentials(text: string, credentials: Record<string, string>): string {
  let out = text;
  for (const value of Object.values(credentials)) if (value && value.length >= 4) out = out.split(value).join('***');
  return out;
}

/**
 * The largest answer read from a platform. Every platform API answers a few kilobytes of JSON (govpub
 * downloads nothing from them); a base URL pointing at a file server must not fill the worker's memory.
 */
export const PLATFORM_ANSWER_LIMIT = 16 * 1024 * 1024;

export interface PlatformTarget {
  baseUrl: string;
  signal?: AbortSignal;
  timeoutMs: number;
}

/**
 * The options every platform request shares: no cap on what is sent (videos), a cap on the answer
 * (PLATFORM_ANSWER_LIMIT), the attempt's abort signal, a timeout.
 */
export function requestOptions(target: PlatformTarget): AxiosRequestConfig {
  return {
    baseURL: target.baseUrl.replace(/\/+$/, ''),
    timeout: target.timeoutMs,
    maxBodyLength: Infinity,
    maxContentLength: PLATFORM_ANSWER_LIMIT,
    signal: target.signal,
  };
}

/** One HTTP request to a platform with the shared options; a transport failure throws it classified. */
export async function sendToPlatform(target: PlatformTarget, config: AxiosRequestConfig, what: string, sideEffect: boolean): Promise<AxiosResponse> {
  try {
    return await axios.request({ ...requestOptions(target), ...config });
  } catch (error) {
    throw transportError(error, what, sideEffect);
  }
}

/** The base of a platform's client: its context, its timeout and its error-code table. */
export abstract class PlatformClient {
  constructor(
    protected readonly ctx: PlatformContext,
    protected readonly timeoutMs: number,
    protected readonly codes: ErrorCodeTable,
  ) {}

  /** One request to the platform (see `sendToPlatform`). */
  protected send(config: AxiosRequestConfig, what: string, sideEffect: boolean): Promise<AxiosResponse> {
    return sendToPlatform({ baseUrl: this.ctx.baseUrl, signal: this.ctx.signal, timeoutMs: this.timeoutMs }, config, what, sideEffect);
  }

  /** The platform's message with the account's credentials blanked. */
  protected scrub(text: string): string {
    return scrubCredentials(text, this.ctx.credentials);
  }

  /** Why the platform refused the credentials, if `code` says it did. */
  reconnectReason(code: number): string | undefined {
    return this.codes.reconnect[code]?.en;
  }

  /** Why the platform refused the content, if `code` says it did. */
  protected contentReason(code: number): string | undefined {
    return this.codes.content[code]?.en;
  }

  /** Why the platform found the request malformed, if `code` says it did. */
  protected requestReason(code: number): string | undefined {
    return this.codes.request?.[code]?.en;
  }
}
