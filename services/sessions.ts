/**
 * Browser sessions (issue 11): sign-in with name and password, the session cookie, CSRF checks and
 * sign-out. Bearer tokens stay for scripts (services/users.ts). The session id is 32 random bytes
 * that only the cookie holds; the database keeps its SHA-256. Nothing here logs or audits a secret.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import { appendAudit } from '../db/audit.js';
import type { DB, UserRow } from '../db/schema.js';
import {
  clearSignInFailures,
  countSignInFailure,
  deleteClosedFailureWindows,
  deleteExpiredSessions,
  deleteOtherSessionsOf,
  deleteSession,
  insertSession,
  liveSession,
  signInFailures,
  touchSession,
} from '../db/sessions.js';
import { updateUser, userById, userByName } from '../db/tokens.js';
import { inTransaction } from '../db/transaction.js';
import { GovpubError } from '../domain/errors.js';
import type { Registry } from '../domain/registry.js';
import { permissionsOf, unitById, type Permissions } from '../domain/units.js';
import { passwordProblem } from '../domain/password-rule.js';
import { hashPassword, verifyPassword } from './users.js';

export const SESSION_COOKIE = 'govpub_session';
/**
 * A cookie the console's script can read, holding no secret: "a session cookie was given here".
 * The console asks GET /api/session only when it is present, so a visitor who has not signed in
 * is not answered 401, which the browser logs as an error on the sign-in page.
 */
export const SIGNED_IN_MARKER_COOKIE = 'govpub_signed_in';
/** A session ends after this long without a request… */
export const SESSION_IDLE_MS = 8 * 3600_000;
/** …and this long after sign-in whatever happens. */
export const SESSION_ABSOLUTE_MS = 7 * 24 * 3600_000;
/** Failed sign-ins for one name within the window before sign-in for that name is refused. */
export const MAX_FAILURES = 10;
export const FAILURE_WINDOW_MS = 15 * 60_000;
/** last_seen_at is written at most this often (a request per second need not be a write per second). */
const TOUCH_EVERY_MS = 60_000;

export function hashSessionId(sessionId: string): string {
  return createHash('sha256').update(sessionId).digest('hex');
}

/** The user as the console shows it. */
export function userView(registry: Registry, user: UserRow) {
  const unit = user.unit ? unitById(registry, user.unit) : undefined;
  return {
    id: user.id,
    name: user.name,
    displayName: user.display_name,
    role: user.role,
    stages: user.stages.map((id) => ({ id, name: registry.review.stages.find((s) => s.id === id)?.name ?? id })),
    unit: unit ? { id: unit.id, name: unit.name } : user.unit ? { id: user.unit, name: user.unit } : null,
  };
}

export function permissionsOfUser(user: UserRow): Permissions {
  return permissionsOf({ role: user.role, stages: user.stages, unit: user.unit });
}

/**
 * The failure counter's key for a typed name: its SHA-256, not the name, because what people type
 * into the name field is sometimes their password.
 */
function failureKey(name: string): string {
  return `sha256:${createHash('sha256').update(name).digest('hex')}`;
}

function badCredentials(): GovpubError {
  return new GovpubError('bad_credentials', 'The user name or password is wrong (or the user is disabled). Check both and try again.', { status: 401 });
}

export interface SignedIn {
  user: UserRow;
  sessionId: string;
  csrfToken: string;
}

/**
 * Checks name and password and opens a session. An unknown name, a wrong password and a disabled
 * user get the same answer after the same work (one scrypt run). Ten failures for one name within
 * 15 minutes refuse that name with 429 until the window closes; a success clears the count.
 */
export async function signIn(db: Kysely<DB>, name: string, password: string, now = new Date()): Promise<SignedIn> {
  const failures = await signInFailures(db, failureKey(name), now, FAILURE_WINDOW_MS);
  if (failures && failures.failures >= MAX_FAILURES) {
    const retryAfterSec = Math.max(1, Math.ceil((failures.since.getTime() + FAILURE_WINDOW_MS - now.getTime()) / 1000));
    throw new GovpubError(
      'too_many_attempts',
      `Too many failed sign-ins for this name; try again in ${Math.ceil(retryAfterSec / 60)} minutes (or ask an administrator to set a new password).`,
      { status: 429, retryAfterSec },
    );
  }
  const user = await userByName(db, name);
  const matches = await verifyPassword(password, user?.password_hash);
  if (!user || !matches || user.disabled_at) {
    await countSignInFailure(db, failureKey(name), now, FAILURE_WINDOW_MS);
    throw badCredentials();
  }
  const sessionId = randomBytes(32).toString('base64url');
  const csrfToken = randomBytes(32).toString('base64url');
  await inTransaction(db, async (trx) => {
    await insertSession(trx, {
      id_hash: hashSessionId(sessionId),
      user_id: user.id,
      csrf_token: csrfToken,
      created_at: now,
      last_seen_at: now,
      expires_at: new Date(now.getTime() + SESSION_ABSOLUTE_MS),
    });
    await clearSignInFailures(trx, failureKey(name));
    await appendAudit(trx, { actor: user.id, action: 'signed_in', details: { user: user.name } });
  });
  // Old sessions and closed failure windows go when someone signs in: the tables hold live rows only.
  await deleteExpiredSessions(db, now, SESSION_IDLE_MS).catch(() => {});
  await deleteClosedFailureWindows(db, now, FAILURE_WINDOW_MS).catch(() => {});
  return { user, sessionId, csrfToken };
}

/**
 * A signed-in user changes their own password: the current one is asked again (a browser left
 * open is not enough), and a wrong one counts toward the sign-in limit for the name, so guessing
 * it here is no easier than at the sign-in page. The new one follows the password rule, differs
 * from the current one and from the user name. Every other session of the user ends (a browser
 * elsewhere that knew the old password is signed out); the one that asked stays. Audited without
 * either password.
 */
export async function changeOwnPassword(
  db: Kysely<DB>,
  userId: string,
  input: { currentPassword: string; newPassword: string },
  keepSessionIdHash: string | undefined,
  now = new Date(),
): Promise<{ sessionsEnded: number }> {
  const user = await userById(db, userId);
  if (!user || user.disabled_at) throw new GovpubError('unauthorized', 'Sign in first (POST /api/session).', { status: 401 });
  const key = failureKey(user.name);
  const failures = await signInFailures(db, key, now, FAILURE_WINDOW_MS);
  if (failures && failures.failures >= MAX_FAILURES) {
    const retryAfterSec = Math.max(1, Math.ceil((failures.since.getTime() + FAILURE_WINDOW_MS - now.getTime()) / 1000));
    throw new GovpubError(
      'too_many_attempts',
      `Too many wrong passwords for this user; try again in ${Math.ceil(retryAfterSec / 60)} minutes (or ask an administrator to set a new password). Nothing was changed.`,
      { status: 429, retryAfterSec },
      { zh: `该用户的密码输错次数过多，请 ${Math.ceil(retryAfterSec / 60)} 分钟后再试（或请管理员重设密码）。密码未修改。` },
    );
  }
  if (!(await verifyPassword(input.currentPassword, user.password_hash))) {
    await countSignInFailure(db, key, now, FAILURE_WINDOW_MS);
    throw new GovpubError(
      'wrong_password',
      'The current password is wrong; nothing was changed. Type the password you sign in with now.',
      { issues: [{ path: 'currentPassword', message: 'is not your current password', messageZh: '不是您当前的密码' }] },
      { zh: '当前密码不正确，密码未修改。请输入您现在登录用的密码。' },
    );
  }
  const refuse = (message: string, messageZh: string): never => {
    throw new GovpubError(
      'invalid_password',
      `The new password ${message}; nothing was changed.`,
      { issues: [{ path: 'newPassword', message, messageZh }] },
      { zh: `新密码${messageZh}，密码未修改。` },
    );
  };
  const problem = passwordProblem(input.newPassword);
  if (problem) refuse(problem.message, problem.messageZh);
  if (input.newPassword === input.currentPassword) refuse('is the password you have: choose another', '与当前密码相同：请换一个');
  if (input.newPassword.trim().toLowerCase() === user.name.toLowerCase())
    refuse('is your user name: choose one others cannot guess', '与用户名相同：请换一个别人猜不到的密码');
  const passwordHash = await hashPassword(input.newPassword);
  return inTransaction(db, async (trx) => {
    await updateUser(trx, user.id, { password_hash: passwordHash });
    const sessionsEnded = await deleteOtherSessionsOf(trx, user.id, keepSessionIdHash);
    await clearSignInFailures(trx, key);
    await appendAudit(trx, { actor: user.id, action: 'password_changed', details: { user: user.name, sessionsEnded } });
    return { sessionsEnded };
  });
}

export interface CookieSession {
  user: UserRow;
  idHash: string;
  csrfToken: string;
  /** True when this request renewed the idle time (the cookie's Max-Age is renewed with it). */
  renewed: boolean;
}

/** The live session a cookie value names, or undefined (unknown, expired, idle too long, user disabled). */
export async function sessionFromCookie(db: Kysely<DB>, sessionId: string, now = new Date()): Promise<CookieSession | undefined> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(sessionId)) return undefined;
  const idHash = hashSessionId(sessionId);
  const found = await liveSession(db, idHash, now, SESSION_IDLE_MS);
  if (!found) return undefined;
  const renewed = now.getTime() - found.lastSeenAt.getTime() > TOUCH_EVERY_MS;
  if (renewed) await touchSession(db, idHash, now);
  return { user: found.user, idHash, csrfToken: found.csrfToken, renewed };
}

/** The user of a session that is still live now, without renewing its idle time (an open event stream checks with it). */
export async function sessionStillLive(db: Kysely<DB>, idHash: string, now = new Date()): Promise<UserRow | undefined> {
  return (await liveSession(db, idHash, now, SESSION_IDLE_MS))?.user;
}

export async function signOut(db: Kysely<DB>, idHash: string): Promise<void> {
  await deleteSession(db, idHash);
}

/** Constant-time comparison of a CSRF token with the session's. */
export function csrfMatches(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The value of one cookie in a Cookie header (the first, if repeated), or undefined. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const at = part.indexOf('=');
    if (at < 0) continue;
    if (part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
}

/** The Set-Cookie values that open (or, with a null id, clear) the session cookie and its marker. */
export function sessionCookies(sessionId: string | null, secure: boolean): string[] {
  const common = ['SameSite=Strict', 'Path=/', `Max-Age=${sessionId ? SESSION_IDLE_MS / 1000 : 0}`, ...(secure ? ['Secure'] : [])];
  return [
    [`${SESSION_COOKIE}=${sessionId ?? ''}`, 'HttpOnly', ...common].join('; '),
    [`${SIGNED_IN_MARKER_COOKIE}=${sessionId ? '1' : ''}`, ...common].join('; '),
  ];
}
