/** Calling the API as a client does in tests (and releasing a package as people do), and waiting for what a workflow does in its own time. */

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

/** What `apiCaller` returns. */
export type ApiCall = ReturnType<typeof apiCaller>;

/** The tokens `apiReleaser` acts with: the editor's, and a reviewer's per stage (each read at each call). */
export type ReleaseTokens = Record<'editor' | '初审' | '复审' | '终审', string | undefined>;

/**
 * A `release(input)` that does through the API what people do: the editor creates the package and
 * submits it, one reviewer per stage approves revision 1; it answers the package's id. A step the
 * API refuses throws, naming the step and the answer. `tokens` is read at each call (tests fill it
 * in beforeAll).
 */
export function apiReleaser(call: ApiCall, tokens: Partial<ReleaseTokens>) {
  const step = async (what: string, answer: Promise<ApiAnswer>, status: number): Promise<ApiAnswer> => {
    const got = await answer;
    if (got.status !== status) throw new Error(`${what}: expected ${status}, got ${got.status} ${JSON.stringify(got.body)}`);
    return got;
  };
  return async (input: unknown): Promise<string> => {
    const created = await step('creating the package', call('POST', '/api/packages', tokens.editor, input), 201);
    const id = created.body.id as string;
    await step(`submitting ${id}`, call('POST', `/api/packages/${id}/submit`, tokens.editor), 200);
    for (const stage of ['初审', '复审', '终审'] as const) {
      await step(
        `approving ${id} at ${stage}`,
        call('POST', `/api/packages/${id}/decisions`, tokens[stage], { decision: 'approve', revision: 1, comment: '同意' }),
        200,
      );
    }
    return id;
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
