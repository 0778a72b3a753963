/**
 * Browser sessions and the failed sign-in counter. A session row is keyed by the SHA-256 of the
 * session id (the id itself lives only in the user's cookie); the counter keeps, per user name,
 * how many sign-ins failed in the current window and nothing else.
 */
import { sql, type Insertable, type Kysely } from 'kysely';
import type { DB, SessionsTable, UserRow } from './schema.js';

export async function insertSession(db: Kysely<DB>, values: Insertable<SessionsTable>): Promise<void> {
  await db.insertInto('sessions').values(values).execute();
}

/**
 * The live session with this id hash and its enabled user: not past its absolute expiry and
 * seen within `idleMs`. Expired rows are left to `deleteExpiredSessions`.
 */
export async function liveSession(
  db: Kysely<DB>,
  idHash: string,
  now: Date,
  idleMs: number,
): Promise<{ user: UserRow; csrfToken: string; lastSeenAt: Date } | undefined> {
  const row = await db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .selectAll('users')
    .select(['sessions.csrf_token as session_csrf_token', 'sessions.last_seen_at as session_last_seen_at'])
    .where('sessions.id_hash', '=', idHash)
    .where('sessions.expires_at', '>', now)
    .where('sessions.last_seen_at', '>', new Date(now.getTime() - idleMs))
    .where('users.disabled_at', 'is', null)
    .executeTakeFirst();
  if (!row) return undefined;
  const { session_csrf_token: csrfToken, session_last_seen_at: lastSeenAt, ...user } = row;
  return { user, csrfToken, lastSeenAt };
}

export async function touchSession(db: Kysely<DB>, idHash: string, now: Date): Promise<void> {
  await db.updateTable('sessions').set({ last_seen_at: now }).where('id_hash', '=', idHash).execute();
}

export async function deleteSession(db: Kysely<DB>, idHash: string): Promise<void> {
  await db.deleteFrom('sessions').where('id_hash', '=', idHash).execute();
}

/** Ends every session of a user (disabled, or a new password); returns how many there were. */
export async function deleteSessionsOf(db: Kysely<DB>, userId: string): Promise<number> {
  const result = await db.deleteFrom('sessions').where('user_id', '=', userId).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Ends every session of a user but one (the one that changed the password stays signed in). */
export async function deleteOtherSessionsOf(db: Kysely<DB>, userId: string, keepIdHash: string | undefined): Promise<number> {
  let query = db.deleteFrom('sessions').where('user_id', '=', userId);
  if (keepIdHash) query = query.where('id_hash', '<>', keepIdHash);
  const result = await query.executeTakeFirst();
  return Number(result.numDeletedRows);
}

export async function deleteExpiredSessions(db: Kysely<DB>, now: Date, idleMs: number): Promise<void> {
  await db
    .deleteFrom('sessions')
    .where((eb) => eb.or([eb('expires_at', '<=', now), eb('last_seen_at', '<=', new Date(now.getTime() - idleMs))]))
    .execute();
}

/** Failures for a name in the window that is still open at `now`, with when that window started. */
export async function signInFailures(db: Kysely<DB>, name: string, now: Date, windowMs: number): Promise<{ failures: number; since: Date } | undefined> {
  const row = await db
    .selectFrom('sign_in_failures')
    .select(['failures', 'window_started_at'])
    .where('name', '=', name)
    .where('window_started_at', '>', new Date(now.getTime() - windowMs))
    .executeTakeFirst();
  return row ? { failures: row.failures, since: row.window_started_at } : undefined;
}

/** Counts one failure: in the open window, or starting a new one when the last has closed. */
export async function countSignInFailure(db: Kysely<DB>, name: string, now: Date, windowMs: number): Promise<void> {
  const windowStart = new Date(now.getTime() - windowMs);
  await db
    .insertInto('sign_in_failures')
    .values({ name, failures: 1, window_started_at: now })
    .onConflict((oc) =>
      oc.column('name').doUpdateSet({
        failures: sql<number>`case when sign_in_failures.window_started_at > ${windowStart} then sign_in_failures.failures + 1 else 1 end`,
        window_started_at: sql<Date>`case when sign_in_failures.window_started_at > ${windowStart} then sign_in_failures.window_started_at else ${now} end`,
      }),
    )
    .execute();
}

export async function clearSignInFailures(db: Kysely<DB>, name: string): Promise<void> {
  await db.deleteFrom('sign_in_failures').where('name', '=', name).execute();
}

export async function deleteClosedFailureWindows(db: Kysely<DB>, now: Date, windowMs: number): Promise<void> {
  await db
    .deleteFrom('sign_in_failures')
    .where('window_started_at', '<=', new Date(now.getTime() - windowMs))
    .execute();
}
