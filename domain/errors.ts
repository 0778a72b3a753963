import { zhMessageFor } from './messages-zh.js';

/**
 * Errors a person can act on. Every error govpub shows carries a stable machine-readable `code`
 * and a message that says what is wrong, where, and what to do next, in English (`message`, what
 * scripts read) and Simplified Chinese (`messageZh`: the throw site's own sentence when it passes
 * `zh`, else the code's sentence from domain/messages-zh.ts).
 */
export class GovpubError extends Error {
  readonly #zh: string | undefined;

  constructor(
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
    options: { zh?: string } = {},
  ) {
    super(message);
    this.name = 'GovpubError';
    this.#zh = options.zh;
  }

  get messageZh(): string {
    return this.#zh ?? zhMessageFor(this.code);
  }

  /** The Chinese sentence written for this error, if it has one (not its code's general one). */
  get ownMessageZh(): string | undefined {
    return this.#zh;
  }
}

/**
 * The HTTP status of every error code that is not a conflict with the state of what it names (409,
 * the default: the package, delivery or job is not in a state that allows the request). Declared
 * once for the API's answers and for the refusals the services pass on from a workflow's
 * validators, so a new code that needs another status is added here and nowhere else.
 */
const HTTP_STATUS_BY_CODE: Readonly<Record<string, number>> = {
  // The request itself is wrong: its body, query or path, or a required reason left blank.
  invalid_body: 400,
  invalid_query: 400,
  invalid_params: 400,
  reason_required: 400,
  // Changing one's own password: the current one mistyped, or a new one the rule refuses.
  wrong_password: 400,
  invalid_password: 400,
  unauthorized: 401,
  // Who the caller is, not what state the package is in: the services' role check (forbidden),
  // the commands table's (role_not_allowed) and the review stage's (wrong_stage).
  forbidden: 403,
  role_not_allowed: 403,
  wrong_stage: 403,
  not_found: 404,
  method_not_allowed: 405,
  // The package can never take the request, whatever its state: its kind does not have the field.
  not_normative: 422,
  // The server's ffmpeg or ffprobe crashed: not the file's fault nor a conflict, so the sentence
  // (which tells operations what to repair) is answered with a 5xx the client may retry after it.
  media_tool_failed: 503,
  // No ffmpeg or ffprobe on the server at all: the same kind of fault, repaired by installing one.
  ffmpeg_not_found: 503,
  ffprobe_not_found: 503,
};

export function httpStatusOf(code: string): number {
  return HTTP_STATUS_BY_CODE[code] ?? 409;
}

/** No package has this id: said the same by every service that looks one up, in both languages. */
export function packageNotFound(packageId: string): GovpubError {
  // A delivery's id (a uuid) or business key given where a package's belongs: say which it looks like.
  if (looksLikeDeliveryId(packageId)) {
    return new GovpubError(
      'not_found',
      `No package with id ${packageId}: that looks like a delivery's id (a package's is pkg-<date>-<8 hex>); for a delivery use GET /api/deliveries/${packageId} or govpub deliveries show ${packageId}.`,
      { status: 404 },
      {
        zh: `找不到编号为 ${packageId} 的稿件：这看起来是投递编号（稿件编号形如 pkg-日期-8位十六进制）。查看投递请用 GET /api/deliveries/${packageId} 或 govpub deliveries show ${packageId}。`,
      },
    );
  }
  return new GovpubError(
    'not_found',
    `No package with id ${packageId}.`,
    { status: 404 },
    { zh: `找不到编号为 ${packageId} 的稿件，请核对编号（稿件列表见 GET /api/packages）。` },
  );
}

/** A delivery's uuid (or a prefix of one, as the CLI takes) or its business key `<package>@<revision>→<channel>`. */
function looksLikeDeliveryId(value: string): boolean {
  return /^[0-9a-f]{8}(?:-[0-9a-f]{1,4}){0,3}(?:-[0-9a-f]{1,12})?$/i.test(value) || /^pkg-\d{8}-[0-9a-f]{8}@/.test(value);
}

/** A package has no such revision (its revisions are 1 to `current`). */
export function revisionNotFound(packageId: string, revision: number, current: number): GovpubError {
  return new GovpubError(
    'not_found',
    `Package ${packageId} has no revision ${revision}; its revisions are 1 to ${current}.`,
    { status: 404 },
    { zh: `稿件 ${packageId} 没有第 ${revision} 版；它的版本为第 1 版至第 ${current} 版。` },
  );
}

/** A rule's refusal (a code and its sentences) as the error the API answers with, at its code's status. */
export function refusalError(problem: { code: string; message: string; messageZh?: string }, details: Record<string, unknown> = {}): GovpubError {
  return new GovpubError(problem.code, problem.message, { status: httpStatusOf(problem.code), ...details }, { zh: problem.messageZh });
}

/** One problem found in a configuration file, located by file, key path and (when known) line. */
export interface ConfigIssue {
  file: string;
  /** Key path inside the file, e.g. `accounts[3].appId`; empty for file-level problems. */
  path: string;
  message: string;
  line?: number;
}

export function formatConfigIssue(issue: ConfigIssue): string {
  const where = issue.line ? `${issue.file}:${issue.line}` : issue.file;
  return issue.path ? `${where}: ${issue.path}: ${issue.message}` : `${where}: ${issue.message}`;
}

/** Raised when configuration is invalid; lists every problem found, not only the first. */
export class ConfigError extends GovpubError {
  constructor(readonly issues: ConfigIssue[]) {
    super(
      'config_invalid',
      `Configuration is invalid (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n` + issues.map((i) => `  ${formatConfigIssue(i)}`).join('\n'),
      { issues },
      { zh: `配置有误（共 ${issues.length} 处）：\n` + issues.map((i) => `  ${formatConfigIssue(i)}`).join('\n') },
    );
    this.name = 'ConfigError';
  }
}
