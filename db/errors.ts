/**
 * Which database failures are worth retrying. A write refused because of its data (an invalid
 * character, a broken constraint) fails the same way every time: retrying it would hold a
 * workflow step, and the package's lock, forever. A write that failed because the database was
 * away succeeds once it is back: retrying is exactly right.
 */

/** SQLSTATE classes that depend on the data or the statement, never on the moment. */
const DATA_CLASSES = new Set(['22', '23', '42', '44', '54']);
/** Connection exceptions, operator intervention (shutdown, restart), insufficient resources. */
const TRANSIENT_CLASSES = new Set(['08', '57', '53', '58', '40']);
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/** True when the database refused the statement because of what it holds: do not retry. */
export function isDataError(error: unknown): boolean {
  const state = sqlState(error);
  return state !== undefined && DATA_CLASSES.has(state.slice(0, 2));
}

/** True when the database could not be reached or went away mid-statement: retry later. */
export function isDatabaseUnavailable(error: unknown): boolean {
  const state = sqlState(error);
  if (state) return TRANSIENT_CLASSES.has(state.slice(0, 2));
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
  const message = error instanceof Error ? error.message : String(error);
  return /Connection terminated|timeout exceeded when trying to connect|connect ECONNREFUSED|Client has encountered a connection error|the database system is (starting up|shutting down)/i.test(
    message,
  );
}
