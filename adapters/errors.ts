/**
 * How a delivery attempt failed decides what happens next, so adapters throw a DeliveryError
 * naming the class:
 *   retryable        try again after a backoff (5xx, "system busy", connection refused)
 *   rate_limited     wait as long as the platform says (retryAfterMs), then try again
 *   needs_reconnect  credentials are wrong or revoked: tell operations, hold the channel
 *   rejected         the content breaks a rule of the platform: no retry, tell the editor
 *   unconfirmed      the request may have been carried out (timeout, lost answer): reconcile
 *                    with the platform before anything is sent again
 */
import axios, { type AxiosError } from 'axios';
import { controlsWrittenOut } from '../domain/text.js';

export const DELIVERY_ERROR_CLASSES = ['retryable', 'rate_limited', 'needs_reconnect', 'rejected', 'unconfirmed'] as const;
export type DeliveryErrorClass = (typeof DELIVERY_ERROR_CLASSES)[number];

export interface ContentProblem {
  /** Where in the package: `document.title`, `interpretations[0].body`, `cover`. */
  field: string;
  /** Plain words an editor can act on, with the limit and by how much it is exceeded. */
  message: string;
  /**
   * The same in Simplified Chinese. Optional: a problem without it is shown with its field named in
   * Chinese and the English detail (adapters/error-codes.ts `localizedProblem`).
   */
  messageZh?: string;
}

export class DeliveryError extends Error {
  readonly errorClass: DeliveryErrorClass;
  readonly retryAfterMs?: number;
  /** The platform's own error code (errcode, error_code, …), for operators. */
  readonly platformCode?: string | number;
  readonly problems: ContentProblem[];

  constructor(
    errorClass: DeliveryErrorClass,
    message: string,
    options: { retryAfterMs?: number; platformCode?: string | number; problems?: ContentProblem[]; cause?: unknown } = {},
  ) {
    super(controlsWrittenOut(message), { cause: options.cause });
    this.name = 'DeliveryError';
    this.errorClass = errorClass;
    this.retryAfterMs = options.retryAfterMs;
    this.platformCode = options.platformCode;
    this.problems = problemsWrittenOut(options.problems ?? []);
  }
}

export function isDeliveryError(error: unknown): error is DeliveryError {
  return error instanceof DeliveryError;
}

/** The unit breaks the platform's rules: every problem at once, in the editor's terms. */
export function rejectedContent(platformName: string, problems: ContentProblem[]): DeliveryError {
  const list = problems.map((p) => `${p.field}: ${p.message}`).join('; ');
  return new DeliveryError('rejected', `${platformName} cannot take this package as it is: ${list}`, { problems });
}

/**
 * Problems with their words shown, never acted on (controlsWrittenOut): a platform's review reason is
 * quoted in them, and people read them on terminals too (`govpub deliveries show`).
 */
export function problemsWrittenOut(problems: ContentProblem[]): ContentProblem[] {
  return problems.map((p) => ({
    ...p,
    message: controlsWrittenOut(p.message),
    ...(p.messageZh !== undefined ? { messageZh: controlsWrittenOut(p.messageZh) } : {}),
  }));
}

/**
 * Classifies a transport failure of an HTTP call. `sideEffect` says whether the request could have
 * changed something on the platform: then a timeout or a reset connection leaves the outcome
 * unknown (unconfirmed) instead of merely failed.
 */
export function classifyTransportError(error: unknown, what: string, options: { sideEffect: boolean }): DeliveryError {
  if (isDeliveryError(error)) return error;
  if (axios.isAxiosError(error)) {
    const e = error as AxiosError;
    const status = e.response?.status;
    if (status !== undefined) {
      if (status === 429) {
        return new DeliveryError('rate_limited', `${what}: the platform answered 429 Too Many Requests.`, {
          retryAfterMs: retryAfterMs(e.response?.headers?.['retry-after']),
          platformCode: 429,
          cause: error,
        });
      }
      if (status === 401)
        return new DeliveryError('needs_reconnect', `${what}: the platform refused the credentials (HTTP 401).`, { platformCode: 401, cause: error });
      if (status >= 500) return new DeliveryError('retryable', `${what}: the platform answered HTTP ${status}.`, { platformCode: status, cause: error });
      return new DeliveryError('retryable', `${what}: unexpected HTTP ${status}.`, { platformCode: status, cause: error });
    }
    const code = e.code ?? '';
    // axios's words when an answer passes maxContentLength (adapters/platform-client.ts PLATFORM_ANSWER_LIMIT).
    if (/^maxContentLength size of \d+ exceeded$/.test(e.message)) {
      const limit = Number(/\d+/.exec(e.message)![0]);
      const said = `${what}: the answer was larger than ${limit / 1024 / 1024} MB, which no platform's API sends: check that the platform's base URL (GOVPUB_<PLATFORM>_BASE_URL or platforms.yaml baseUrl) is its API`;
      return options.sideEffect
        ? new DeliveryError('unconfirmed', `${said}; the platform may have carried the request out, so it is checked before any retry.`, { cause: error })
        : new DeliveryError('retryable', `${said}.`, { cause: error });
    }
    const refused = code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN';
    if (refused || !options.sideEffect) {
      return new DeliveryError('retryable', `${what}: ${describeNetworkCode(code)}.`, { platformCode: code || undefined, cause: error });
    }
    return new DeliveryError(
      'unconfirmed',
      `${what}: ${describeNetworkCode(code)}; the platform may have carried the request out, so it is checked before any retry.`,
      {
        platformCode: code || undefined,
        cause: error,
      },
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  return new DeliveryError(options.sideEffect ? 'unconfirmed' : 'retryable', `${what}: ${message}`, { cause: error });
}

function describeNetworkCode(code: string): string {
  switch (code) {
    case 'ECONNABORTED':
    case 'ETIMEDOUT':
      return 'no answer within the timeout';
    case 'ECONNRESET':
    case 'ERR_BAD_RESPONSE':
    case 'EPIPE':
      return 'the connection was reset before the answer arrived';
    case 'ECONNREFUSED':
      return 'connection refused (is the platform base URL right and the service up?)';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'the platform host name does not resolve';
    default:
      return code ? `network error ${code}` : 'network error';
  }
}

/** Retry-After as seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(header: unknown): number | undefined {
  if (typeof header !== 'string' && typeof header !== 'number') return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(String(header));
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}
