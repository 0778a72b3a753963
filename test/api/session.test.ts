/**
 * Sign-in over a real socket with the real database: the session cookie and its flags, the same
 * answer for an unknown name and a wrong password, the lockout after ten failures, CSRF and
 * Origin checks on state changes (nothing changes when refused), bearer tokens untouched, sessions
 * ended by disabling a user or setting a password, and no secret in the log or the audit trail.
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENT_STREAMS_PER_USER } from '../../api/console-routes.js';
import { buildApi } from '../../api/server.js';
import { addUser, disableUser, rotateToken, setPassword } from '../../services/users.js';
import type { GovpubError } from '../../domain/errors.js';
import { hashSessionId } from '../../services/sessions.js';
import { policyPackage, startTestApp, type TestApp } from '../support/app.js';

let app: TestApp;
let api: FastifyInstance;
let base: string;
const logLines: string[] = [];
/** Every secret the tests handle: none may appear in the log or the audit trail. */
const secrets: string[] = [];
let editorToken = '';
const tokensByName = new Map<string, string>();

const PASSWORD = 'correct horse battery 9';

beforeAll(async () => {
  app = await startTestApp();
  api = await buildApi(app.ctx, {
    logger: { level: 'trace', stream: { write: (line: string) => void logLines.push(line) } },
    // The change stream checks an open stream's credential again every 300 ms here (5 s by default).
    console: { events: { intervalMs: 200, pingMs: 1000, recheckMs: 300 } },
    register: async (instance, helpers) => {
      // A failing route that runs with the session: its 500 is logged with the request.
      instance.post('/api/test-explode', { preHandler: helpers.auth.preHandler }, async () => {
        throw new Error('exploded on purpose');
      });
    },
  });
  await api.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(api.server.address() as { port: number }).port}`;
  for (const name of [
    's-editor',
    's-locked',
    's-leaver',
    's-changer',
    's-timing',
    's-streamer',
    's-watcher',
    's-quitter',
    's-own-changer',
    's-own-guesser',
    's-own-scripted',
    's-tabs',
    's-tabs-neighbour',
  ]) {
    const { token } = await addUser(app.db, app.registry, { name, role: 'editor', password: PASSWORD, by: 'test' });
    if (name === 's-editor') editorToken = token;
    tokensByName.set(name, token);
    secrets.push(token);
  }
  secrets.push(PASSWORD);
});

afterAll(async () => {
  await api?.close();
  await app?.close();
});

interface Answer {
  status: number;
  body: any;
  headers: Headers;
  ms: number;
}

async function call(
  method: string,
  path: string,
  options: { cookie?: string; csrf?: string; token?: string; origin?: string; body?: unknown } = {},
): Promise<Answer> {
  const started = performance.now();
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(options.cookie ? { cookie: options.cookie } : {}),
      ...(options.csrf ? { 'x-csrf-token': options.csrf } : {}),
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...(options.origin ? { origin: options.origin } : {}),
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null, headers: response.headers, ms: performance.now() - started };
}

async function signIn(name: string, password = PASSWORD): Promise<{ answer: Answer; cookie: string; csrf: string; sessionId: string }> {
  const answer = await call('POST', '/api/session', { body: { name, password } });
  const setCookie = answer.headers.get('set-cookie') ?? '';
  const sessionId = /govpub_session=([^;]*)/.exec(setCookie)?.[1] ?? '';
  if (sessionId) secrets.push(sessionId, answer.body.csrfToken);
  return { answer, cookie: `govpub_session=${sessionId}`, csrf: answer.body?.csrfToken ?? '', sessionId };
}

async function packageCount(): Promise<number> {
  const row = await app.db
    .selectFrom('packages')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** How the sign-in failure counter names a typed name (services/sessions.ts). */
function failureKey(name: string): string {
  return `sha256:${createHash('sha256').update(name).digest('hex')}`;
}

describe('signing in and out', () => {
  it('signs in with name and password: an httpOnly SameSite=Strict cookie, the user, a CSRF token and the role permissions', async () => {
    const { answer, cookie, csrf, sessionId } = await signIn('s-editor');
    expect(answer.status).toBe(200);
    const setCookie = answer.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/^govpub_session=[A-Za-z0-9_-]{43};/);
    for (const flag of ['HttpOnly', 'SameSite=Strict', 'Path=/', 'Max-Age=28800']) expect(setCookie).toContain(flag);
    expect(setCookie).not.toContain('Secure');
    // Beside it a marker the console's script may read, holding no secret: it asks GET /api/session only when the marker is there.
    const marker = answer.headers.getSetCookie().find((c) => c.startsWith('govpub_signed_in='));
    expect(marker).toBe('govpub_signed_in=1; SameSite=Strict; Path=/; Max-Age=28800');
    expect(answer.body.user).toMatchObject({ name: 's-editor', role: 'editor', stages: [], unit: null });
    expect(answer.body.permissions).toEqual({ commands: expect.arrayContaining(['create', 'edit', 'submit', 'withdraw']), stages: [], scope: 'all' });
    expect(answer.body.permissions.commands).not.toContain('decide');
    expect(csrf).toMatch(/^[A-Za-z0-9_-]{43}$/);

    // Only the SHA-256 of the session id is stored.
    const rows = await app.db.selectFrom('sessions').selectAll().execute();
    expect(rows.map((r) => r.id_hash)).toContain(hashSessionId(sessionId));
    expect(JSON.stringify(rows)).not.toContain(sessionId);

    const again = await call('GET', '/api/session', { cookie });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ user: { name: 's-editor' }, csrfToken: csrf });
    expect((await call('GET', '/api/packages', { cookie })).status).toBe(200);

    const signIns = await app.db.selectFrom('audit_log').selectAll().where('action', '=', 'signed_in').execute();
    expect(signIns.map((r) => r.details)).toContainEqual({ user: 's-editor' });
  });

  it('signs out: 204, the cookie cleared, the session row gone, the cookie no longer works', async () => {
    const { cookie, csrf, sessionId } = await signIn('s-editor');
    const out = await call('DELETE', '/api/session', { cookie, csrf });
    expect(out.status).toBe(204);
    expect(out.headers.getSetCookie()).toEqual([
      expect.stringMatching(/^govpub_session=;.*Max-Age=0/),
      expect.stringMatching(/^govpub_signed_in=;.*Max-Age=0/),
    ]);
    expect(await app.db.selectFrom('sessions').selectAll().where('id_hash', '=', hashSessionId(sessionId)).executeTakeFirst()).toBeUndefined();
    const after = await call('GET', '/api/session', { cookie });
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe('unauthorized');
    // An ended session's cookies are cleared on the refusal, so the browser stops sending them (and the console stops asking).
    expect(after.headers.getSetCookie()).toEqual([
      expect.stringMatching(/^govpub_session=;.*Max-Age=0/),
      expect.stringMatching(/^govpub_signed_in=;.*Max-Age=0/),
    ]);
  });

  it('answers 401 bad_credentials alike for an unknown name and a wrong password, after the same work', async () => {
    const wrong = await call('POST', '/api/session', { body: { name: 's-timing', password: 'not the password' } });
    const unknown = await call('POST', '/api/session', { body: { name: 'nobody-at-all', password: 'not the password' } });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    const strip = (a: Answer) => ({ ...a.body.error, requestId: undefined });
    expect(strip(unknown)).toEqual(strip(wrong));
    expect(wrong.body.error.code).toBe('bad_credentials');
    expect(wrong.headers.get('set-cookie')).toBeNull();
    // Both run one scrypt (~tens of ms): an unknown name is not answered at once. Seven of each, taken
    // in turns, so that a pause of a loaded machine in two of three samples cannot move a median.
    const times = { wrong: [] as number[], unknown: [] as number[] };
    for (let i = 0; i < 7; i++) {
      times.wrong.push((await call('POST', '/api/session', { body: { name: 's-timing', password: `nope-${i}-xxxxxx` } })).ms);
      times.unknown.push((await call('POST', '/api/session', { body: { name: `ghost-${i}`, password: `nope-${i}-xxxxxx` } })).ms);
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[3]!;
    expect(median(times.unknown)).toBeGreaterThan(median(times.wrong) * 0.4);
    expect(median(times.unknown)).toBeGreaterThan(15);
  });

  it('refuses a body with an unknown field or a name with a control character (400, no session)', async () => {
    const extra = await call('POST', '/api/session', { body: { name: 's-editor', password: PASSWORD, remember: true } });
    expect(extra.status).toBe(400);
    const control = await call('POST', '/api/session', { body: { name: 's-editor\u0000', password: PASSWORD } });
    expect(control.status).toBe(400);
    expect(control.body.error.issues[0].path).toMatch(/name/);
  });

  it('locks a name out after 10 failures within 15 minutes: 429 too_many_attempts with Retry-After, even with the right password', async () => {
    for (let i = 0; i < 10; i++) expect((await call('POST', '/api/session', { body: { name: 's-locked', password: `wrong-${i}-password` } })).status).toBe(401);
    const locked = await call('POST', '/api/session', { body: { name: 's-locked', password: PASSWORD } });
    expect(locked.status).toBe(429);
    expect(locked.body.error.code).toBe('too_many_attempts');
    const retryAfter = Number(locked.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(15 * 60);
    // Only the counter is kept about the failures, under the name's hash: what is typed there is sometimes a password.
    const counter = await app.db.selectFrom('sign_in_failures').selectAll().where('name', '=', failureKey('s-locked')).executeTakeFirstOrThrow();
    expect(counter.failures).toBe(10);
    expect(await app.db.selectFrom('sign_in_failures').selectAll().where('name', '=', 's-locked').execute()).toEqual([]);
    // Another name is not affected.
    expect((await signIn('s-editor')).answer.status).toBe(200);
  });
});

describe('CSRF and Origin on state changes made with the cookie', () => {
  it('refuses a change without X-CSRF-Token, with a wrong one, or from another Origin (403 csrf_failed), and stores nothing', async () => {
    const { cookie, csrf } = await signIn('s-editor');
    const body = policyPackage(app.registry, { title: 'CSRF 检查' });
    const before = await packageCount();
    const missing = await call('POST', '/api/packages', { cookie, body });
    expect(missing.status).toBe(403);
    expect(missing.body.error.code).toBe('csrf_failed');
    const wrong = await call('POST', '/api/packages', { cookie, csrf: `${csrf.slice(0, -2)}xx`, body });
    expect(wrong.status).toBe(403);
    expect(wrong.body.error.code).toBe('csrf_failed');
    const elsewhere = await call('POST', '/api/packages', { cookie, csrf, origin: 'https://evil.example', body });
    expect(elsewhere.status).toBe(403);
    expect(elsewhere.body.error.code).toBe('csrf_failed');
    const signOutElsewhere = await call('DELETE', '/api/session', { cookie, origin: 'https://evil.example' });
    expect(signOutElsewhere.status).toBe(403);
    expect(await packageCount()).toBe(before);
    expect((await call('GET', '/api/session', { cookie })).status).toBe(200);

    const created = await call('POST', '/api/packages', { cookie, csrf, origin: base, body });
    expect(created.status).toBe(201);
    expect(await packageCount()).toBe(before + 1);
  });

  it('a sign-in posted from another Origin is refused too', async () => {
    const answer = await call('POST', '/api/session', { origin: 'https://evil.example', body: { name: 's-editor', password: PASSWORD } });
    expect(answer.status).toBe(403);
    expect(answer.body.error.code).toBe('csrf_failed');
    expect(answer.headers.get('set-cookie')).toBeNull();
  });

  it('keeps bearer tokens working exactly as before: no CSRF token needed, the cookie ignored', async () => {
    const created = await call('POST', '/api/packages', { token: editorToken, body: policyPackage(app.registry, { title: '脚本创建' }) });
    expect(created.status).toBe(201);
    const withStaleCookie = await call('GET', '/api/packages?limit=1', { token: editorToken, cookie: 'govpub_session=stale-value' });
    expect(withStaleCookie.status).toBe(200);
    const badBearer = await call('GET', '/api/packages', { token: 'gp_wrong' });
    expect(badBearer.status).toBe(401);
    const session = await call('GET', '/api/session', { token: editorToken });
    expect(session.status).toBe(200);
    expect(session.body).toMatchObject({ user: { name: 's-editor' }, csrfToken: null });
  });
});

describe('sessions that end', () => {
  it("ends a disabled user's sessions at once", async () => {
    const { cookie } = await signIn('s-leaver');
    expect((await call('GET', '/api/session', { cookie })).status).toBe(200);
    await disableUser(app.db, 's-leaver', '调离');
    expect((await call('GET', '/api/session', { cookie })).status).toBe(401);
    // A second disable says since when, in Beijing time and in Chinese too.
    const twice = (await disableUser(app.db, 's-leaver', '调离').catch((error: unknown) => error)) as GovpubError;
    expect(twice.code).toBe('user_disabled');
    expect(twice.message).toMatch(/^s-leaver has been disabled since \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \(Beijing time\)\.$/);
    expect(twice.messageZh).toMatch(/^s-leaver 已于 \d{4}-\d\d-\d\d \d\d:\d\d:\d\d（北京时间）停用。$/);
    expect(
      await app.db.selectFrom('sessions').innerJoin('users', 'users.id', 'sessions.user_id').where('users.name', '=', 's-leaver').selectAll().execute(),
    ).toEqual([]);
    const again = await call('POST', '/api/session', { body: { name: 's-leaver', password: PASSWORD } });
    expect(again.status).toBe(401);
    expect(again.body.error.code).toBe('bad_credentials');
  });

  it('a new password ends the sessions; the old password stops working and the new one signs in', async () => {
    const { cookie } = await signIn('s-changer');
    const { generatedPassword, sessionsEnded } = await setPassword(app.db, 's-changer');
    secrets.push(generatedPassword!);
    expect(sessionsEnded).toBe(1);
    expect(generatedPassword).toMatch(/^[A-Za-z0-9]{16}$/);
    expect((await call('GET', '/api/session', { cookie })).status).toBe(401);
    expect((await call('POST', '/api/session', { body: { name: 's-changer', password: PASSWORD } })).status).toBe(401);
    expect((await signIn('s-changer', generatedPassword)).answer.status).toBe(200);
  });

  it('refuses passwords that are too short, too long or hold control characters', async () => {
    await expect(setPassword(app.db, 's-changer', 'short')).rejects.toMatchObject({ code: 'invalid_password' });
    await expect(setPassword(app.db, 's-changer', 'x'.repeat(201))).rejects.toMatchObject({ code: 'invalid_password' });
    await expect(setPassword(app.db, 's-changer', 'tab\there-long-enough')).rejects.toMatchObject({ code: 'invalid_password' });
  });

  it('stores passwords as scrypt with their parameters, never in clear', async () => {
    const row = await app.db.selectFrom('users').select('password_hash').where('name', '=', 's-editor').executeTakeFirstOrThrow();
    expect(row.password_hash).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}$/);
  });
});

describe('changing one’s own password (PUT /api/session/password)', () => {
  const NEW_PASSWORD = 'winter snow falls 2026';

  it('asks the current password again, checks the new one, keeps this session and ends the others; audited without either', async () => {
    secrets.push(NEW_PASSWORD);
    const here = await signIn('s-own-changer');
    const there = await signIn('s-own-changer');
    const change = (body: unknown, csrf = here.csrf) => call('PUT', '/api/session/password', { cookie: here.cookie, csrf, body });
    // A cookie needs its CSRF token, as every change does.
    expect((await change({ currentPassword: PASSWORD, newPassword: NEW_PASSWORD }, '')).status).toBe(403);
    const wrong = await change({ currentPassword: 'not the password at all', newPassword: NEW_PASSWORD });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error).toMatchObject({ code: 'wrong_password', issues: [{ path: 'currentPassword', messageZh: '不是您当前的密码' }] });
    for (const [newPassword, said] of [
      ['short', /^The new password is 5 characters long; use at least 10/],
      [PASSWORD, /^The new password is the password you have/],
      ['S-OWN-CHANGER', /^The new password is your user name/],
    ] as const) {
      const refused = await change({ currentPassword: PASSWORD, newPassword });
      expect(refused.status, newPassword).toBe(400);
      expect(refused.body.error.code).toBe('invalid_password');
      expect(refused.body.error.message).toMatch(said);
      expect(refused.body.error.issues[0].path).toBe('newPassword');
    }
    // Nothing was changed by any of those.
    expect((await signIn('s-own-changer')).answer.status).toBe(200);

    const changed = await change({ currentPassword: PASSWORD, newPassword: NEW_PASSWORD });
    expect(changed.status).toBe(200);
    expect(changed.body).toEqual({ changed: true, sessionsEnded: 2 });
    expect((await call('GET', '/api/session', { cookie: here.cookie })).status).toBe(200);
    expect((await call('GET', '/api/session', { cookie: there.cookie })).status).toBe(401);
    // Its API token is another credential: it keeps working.
    expect((await call('GET', '/api/session', { token: tokensByName.get('s-own-changer') })).status).toBe(200);
    expect((await call('POST', '/api/session', { body: { name: 's-own-changer', password: PASSWORD } })).status).toBe(401);
    expect((await signIn('s-own-changer', NEW_PASSWORD)).answer.status).toBe(200);
    const entries = await app.db.selectFrom('audit_log').selectAll().where('action', '=', 'password_changed').execute();
    expect(entries.map((e) => e.details)).toEqual([{ user: 's-own-changer', sessionsEnded: 2 }]);
    expect(JSON.stringify(entries)).not.toContain(NEW_PASSWORD);
    expect(JSON.stringify(entries)).not.toContain(PASSWORD);
  });

  it('counts a wrong current password toward the name’s sign-in limit: ten, and both are refused with 429', async () => {
    const { cookie, csrf } = await signIn('s-own-guesser');
    for (let i = 0; i < 10; i++) {
      const guess = await call('PUT', '/api/session/password', { cookie, csrf, body: { currentPassword: `guess-${i}-password`, newPassword: NEW_PASSWORD } });
      expect(guess.status).toBe(400);
    }
    const locked = await call('PUT', '/api/session/password', { cookie, csrf, body: { currentPassword: PASSWORD, newPassword: NEW_PASSWORD } });
    expect(locked.status).toBe(429);
    expect(locked.body.error.code).toBe('too_many_attempts');
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await call('POST', '/api/session', { body: { name: 's-own-guesser', password: PASSWORD } })).status).toBe(429);
  });

  it('takes a bearer token too (a script), ending every console session of the user', async () => {
    await signIn('s-own-scripted');
    const changed = await call('PUT', '/api/session/password', {
      token: tokensByName.get('s-own-scripted'),
      body: { currentPassword: PASSWORD, newPassword: NEW_PASSWORD },
    });
    expect(changed.status).toBe(200);
    expect(changed.body.sessionsEnded).toBe(1);
  });
});

/** GET /api/events read to its end: every event's name, and whether the server ended the stream. */
function openEventStream(headers: Record<string, string>) {
  const controller = new AbortController();
  const events: string[] = [];
  let ended = false;
  const ready = fetch(`${base}/api/events`, { headers, signal: controller.signal }).then((response) => {
    void (async () => {
      const decoder = new TextDecoder();
      try {
        for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
          for (const line of decoder.decode(chunk, { stream: true }).split('\n')) if (line.startsWith('event: ')) events.push(line.slice(7));
        }
        ended = true;
      } catch {
        // aborted by the test
      }
    })();
    return response;
  });
  return { ready, events, ended: () => ended, close: () => controller.abort() };
}

describe('event streams a user may hold', () => {
  it(`opens ${EVENT_STREAMS_PER_USER} for one user, refuses the next with 429 in both languages, and opens one again when one closes`, async () => {
    const { token } = await rotateToken(app.db, 's-tabs');
    secrets.push(token);
    const headers = { authorization: `Bearer ${token}` };
    const open = Array.from({ length: EVENT_STREAMS_PER_USER }, () => openEventStream(headers));
    try {
      expect((await Promise.all(open.map((s) => s.ready))).map((r) => r.status)).toEqual(open.map(() => 200));
      const refused = await fetch(`${base}/api/events`, { headers });
      expect(refused.status).toBe(429);
      const body = (await refused.json()) as { error: { code: string; message: string; messageZh: string } };
      expect(body.error).toMatchObject({
        code: 'too_many_streams',
        message: expect.stringMatching(/^You have 50 live event streams open already .*close some console tabs/),
        messageZh: expect.stringMatching(/^你已打开 50 个实时事件连接/),
      });
      // Another user is not held back by this one's tabs.
      const neighbour = (await rotateToken(app.db, 's-tabs-neighbour')).token;
      secrets.push(neighbour);
      const other = openEventStream({ authorization: `Bearer ${neighbour}` });
      expect((await other.ready).status).toBe(200);
      other.close();
      open.pop()!.close();
      await expect
        .poll(
          async () => {
            const again = openEventStream(headers);
            const status = (await again.ready).status;
            if (status === 200) open.push(again);
            else again.close();
            return status;
          },
          { timeout: 5_000 },
        )
        .toBe(200);
    } finally {
      for (const stream of open) stream.close();
    }
  });
});

describe('open event streams of a credential that stops working', () => {
  it('ends the stream of a rotated token at once, saying so; the old token is refused on reconnect', async () => {
    const { token } = await rotateToken(app.db, 's-streamer');
    secrets.push(token);
    const stream = openEventStream({ authorization: `Bearer ${token}` });
    expect((await stream.ready).status).toBe(200);
    const { token: newToken } = await rotateToken(app.db, 's-streamer');
    secrets.push(newToken);
    try {
      await expect.poll(() => stream.ended(), { timeout: 5_000 }).toBe(true);
      expect(stream.events).toContain('signed-out');
    } finally {
      stream.close();
    }
    expect((await fetch(`${base}/api/events`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
    const fresh = openEventStream({ authorization: `Bearer ${newToken}` });
    expect((await fresh.ready).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1000));
    expect(fresh.ended()).toBe(false);
    fresh.close();
  });

  it("ends a console session's stream when its user is disabled or signs out elsewhere", async () => {
    const watcher = await signIn('s-watcher');
    const stream = openEventStream({ cookie: watcher.cookie });
    expect((await stream.ready).status).toBe(200);
    await disableUser(app.db, 's-watcher', '调离');
    try {
      await expect.poll(() => stream.ended(), { timeout: 5_000 }).toBe(true);
      expect(stream.events).toContain('signed-out');
    } finally {
      stream.close();
    }

    const quitter = await signIn('s-quitter');
    const other = openEventStream({ cookie: quitter.cookie });
    expect((await other.ready).status).toBe(200);
    expect((await call('DELETE', '/api/session', { cookie: quitter.cookie, csrf: quitter.csrf })).status).toBe(204);
    try {
      await expect.poll(() => other.ended(), { timeout: 5_000 }).toBe(true);
    } finally {
      other.close();
    }
  });
});

describe('session lifetime', () => {
  it('renews an active session (and its cookie) and ends one idle for 8 hours or older than 7 days', async () => {
    const { cookie, sessionId } = await signIn('s-editor');
    const idHash = hashSessionId(sessionId);
    const fresh = await call('GET', '/api/session', { cookie });
    expect(fresh.headers.get('set-cookie')).toBeNull(); // seen a moment ago: nothing to renew
    await app.db
      .updateTable('sessions')
      .set({ last_seen_at: new Date(Date.now() - 2 * 3600_000) })
      .where('id_hash', '=', idHash)
      .execute();
    const renewed = await call('GET', '/api/session', { cookie });
    expect(renewed.status).toBe(200);
    expect(renewed.headers.get('set-cookie')).toMatch(/^govpub_session=[A-Za-z0-9_-]{43};.*Max-Age=28800/);
    const row = await app.db.selectFrom('sessions').select('last_seen_at').where('id_hash', '=', idHash).executeTakeFirstOrThrow();
    expect(Date.now() - row.last_seen_at.getTime()).toBeLessThan(60_000);

    await app.db
      .updateTable('sessions')
      .set({ last_seen_at: new Date(Date.now() - 8 * 3600_000 - 1000) })
      .where('id_hash', '=', idHash)
      .execute();
    expect((await call('GET', '/api/session', { cookie })).status).toBe(401);

    const second = await signIn('s-editor');
    await app.db
      .updateTable('sessions')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('id_hash', '=', hashSessionId(second.sessionId))
      .execute();
    expect((await call('GET', '/api/session', { cookie: second.cookie })).status).toBe(401);
  });
});

describe('secrets', () => {
  it('never writes a password, session id, CSRF token or API token to the log or the audit trail', async () => {
    const { cookie, csrf } = await signIn('s-editor');
    const exploded = await call('POST', '/api/test-explode', { cookie, csrf, body: {} });
    expect(exploded.status).toBe(500);
    const requestId = exploded.body.error.requestId as string;
    const logged = logLines.join('\n');
    // The failure was logged (the check below would be empty otherwise)…
    expect(logged).toContain(requestId);
    expect(logged).toContain('exploded on purpose');
    // …and none of the secrets were.
    expect(secrets.length).toBeGreaterThan(8);
    for (const secret of secrets) expect(logged).not.toContain(secret);
    expect(logged.toLowerCase()).not.toContain('govpub_session=');
    const audit = JSON.stringify(await app.db.selectFrom('audit_log').selectAll().execute());
    expect(audit).toContain('signed_in');
    for (const secret of secrets) expect(audit).not.toContain(secret);
  });
});

describe('on the embedded PGlite (as `govpub start` runs it)', () => {
  let lite: TestApp;
  let liteApi: FastifyInstance;
  let liteBase: string;

  beforeAll(async () => {
    lite = await startTestApp({ backend: 'pglite' });
    liteApi = await buildApi(lite.ctx, { logger: false });
    await liteApi.listen({ port: 0, host: '127.0.0.1' });
    liteBase = `http://127.0.0.1:${(liteApi.server.address() as { port: number }).port}`;
    await addUser(lite.db, lite.registry, { name: 'lite-editor', role: 'editor', password: PASSWORD, by: 'test' });
  });

  afterAll(async () => {
    await liteApi?.close();
    await lite?.close();
  });

  it('counts failures, signs in, checks CSRF and signs out', async () => {
    const post = (body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${liteBase}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    for (let i = 0; i < 2; i++) expect((await post({ name: 'lite-editor', password: `wrong-${i}-password` })).status).toBe(401);
    const counter = await lite.db.selectFrom('sign_in_failures').selectAll().where('name', '=', failureKey('lite-editor')).executeTakeFirstOrThrow();
    expect(counter.failures).toBe(2);
    const signedIn = await post({ name: 'lite-editor', password: PASSWORD });
    expect(signedIn.status).toBe(200);
    const { csrfToken } = (await signedIn.json()) as { csrfToken: string };
    const cookie = /govpub_session=[^;]*/.exec(signedIn.headers.get('set-cookie')!)![0];
    expect(await lite.db.selectFrom('sign_in_failures').selectAll().execute()).toEqual([]);
    expect((await fetch(`${liteBase}/api/session`, { headers: { cookie } })).status).toBe(200);
    expect((await fetch(`${liteBase}/api/session`, { method: 'DELETE', headers: { cookie } })).status).toBe(403);
    expect((await fetch(`${liteBase}/api/session`, { method: 'DELETE', headers: { cookie, 'x-csrf-token': csrfToken } })).status).toBe(204);
    expect((await fetch(`${liteBase}/api/session`, { headers: { cookie } })).status).toBe(401);
  });
});
