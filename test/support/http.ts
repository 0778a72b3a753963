/** Calling the API as a client does in tests, and waiting for what a workflow does in its own time. */

/** The API's answer: its status, headers and JSON body (null when empty). */
export interface ApiAnswer {
  status: number;
  headers: Headers;
  /** Any: each test reads the fields it asserts. */
  body: any;
}

/**
 * A `call(method, path, token?, body?, headers?)` against the API at `base()` (read at each call:
 * tests learn the port in beforeAll). A string body is sent as it is (malformed JSON on purpose),
 * anything else as JSON; without a token there is no Authorization header.
 */
export function apiCaller(base: () => string) {
  return async (method: string, path: string, token?: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiAnswer> => {
    const response = await fetch(`${base()}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : null };
  };
}

/** Polls `probe` until it returns a value (not undefined); throws naming `what` after `timeoutMs`. */
export async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 60_000, everyMs = 150): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
