/**
 * What the API writes about an error: its type, message, code, stack and causes, and nothing else.
 * Errors from HTTP clients carry their request (headers with tokens, bodies with secrets) as
 * properties; those are never copied. Tokens and secrets that appear inside messages (a URL with
 * `access_token=`, a `Bearer` header quoted in a message, a govpub API token) are blanked.
 */

const SECRET_PATTERNS: [RegExp, string][] = [
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi, '$1 [redacted]'],
  [/\bgp_[A-Za-z0-9_-]{8,}/g, 'gp_[redacted]'],
  [/([?&;](?:access_token|refresh_token|token|secret|client_secret|appsecret|password|api_key|apikey|key|signature|sign)=)[^&\s"'#]+/gi, '$1[redacted]'],
  [/("(?:access_?token|refresh_?token|token|secret|client_?secret|app_?secret|password|api_?key|authorization)"\s*:\s*")[^"]*"/gi, '$1[redacted]"'],
];

/** The text with tokens and secrets blanked. */
export function scrubSecrets(text: string): string {
  let out = text;
  for (const [pattern, replacement] of SECRET_PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

export interface LoggedError {
  type: string;
  message: string;
  code?: string | number;
  statusCode?: number;
  stack?: string;
  cause?: LoggedError;
}

/** pino `err` serializer: a fixed set of fields, scrubbed; causes followed three deep. */
export function errorLogSerializer(error: unknown, depth = 0): LoggedError {
  if (!(error instanceof Error)) return { type: typeof error, message: scrubSecrets(String(error)) };
  const e = error as Error & { code?: unknown; statusCode?: unknown };
  return {
    type: e.name || e.constructor?.name || 'Error',
    message: scrubSecrets(e.message),
    ...(typeof e.code === 'string' || typeof e.code === 'number' ? { code: e.code } : {}),
    ...(typeof e.statusCode === 'number' ? { statusCode: e.statusCode } : {}),
    ...(e.stack ? { stack: scrubSecrets(e.stack) } : {}),
    ...(e.cause !== undefined && depth < 3 ? { cause: errorLogSerializer(e.cause, depth + 1) } : {}),
  };
}
