/**
 * Who may act, by token: users with their API token hashes (the token itself is never stored),
 * and channel tokens (platform access and refresh tokens shared by every worker).
 */
import { sql, type Insertable, type Kysely, type Updateable } from 'kysely';
import type { DB, UserRow, UsersTable } from './schema.js';

export async function insertUser(db: Kysely<DB>, values: Insertable<UsersTable>): Promise<UserRow> {
  return db.insertInto('users').values(values).returningAll().executeTakeFirstOrThrow();
}

/** The user named so; with `lock` (inside a transaction) held until it ends, so a change made from what was read is not written over another. */
export async function userByName(db: Kysely<DB>, name: string, options: { lock?: boolean } = {}): Promise<UserRow | undefined> {
  const query = db.selectFrom('users').selectAll().where('name', '=', name);
  return (options.lock ? query.forUpdate() : query).executeTakeFirst();
}

/**
 * The user whose name reads as `name` (case and full-width forms aside: Admin, ADMIN and ａｄｍｉｎ
 * are admin to a reader of the audit trail), or undefined. Inside a transaction, additions wait
 * for each other from here on, so two at once cannot both pass.
 */
export async function userNamedAlike(db: Kysely<DB>, name: string): Promise<UserRow | undefined> {
  await sql`select pg_advisory_xact_lock(hashtext('govpub.user_names'))`.execute(db);
  const folded = foldedUserName(name);
  // The table is people (hundreds at most): compared here, with the same folding as the name given.
  const rows = await db.selectFrom('users').selectAll().execute();
  return rows.find((row) => foldedUserName(row.name) === folded);
}

/** A user name as it is told apart from others: compatibility forms folded (NFKC), then case. */
export function foldedUserName(name: string): string {
  return name.normalize('NFKC').toLowerCase();
}

export async function userById(db: Kysely<DB>, id: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The enabled user whose current, unexpired token hashes to `tokenHash`. */
export async function userByTokenHash(db: Kysely<DB>, tokenHash: string, now = new Date()): Promise<UserRow | undefined> {
  return db
    .selectFrom('users')
    .selectAll()
    .where('token_hash', '=', tokenHash)
    .where('disabled_at', 'is', null)
    .where((eb) => eb.or([eb('token_expires_at', 'is', null), eb('token_expires_at', '>', now)]))
    .executeTakeFirst();
}

export async function updateUser(db: Kysely<DB>, id: string, fields: Updateable<UsersTable>): Promise<UserRow> {
  return db.updateTable('users').set(fields).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

export async function allUsers(db: Kysely<DB>): Promise<UserRow[]> {
  return db.selectFrom('users').selectAll().orderBy('created_at').execute();
}

/** A platform token saved for a channel (e.g. WeChat's access token), or null. */
export async function channelToken(db: Kysely<DB>, channelId: string, name: string): Promise<{ value: string; expiresAt: Date | null } | null> {
  const row = await db
    .selectFrom('channel_tokens')
    .select(['value', 'expires_at'])
    .where('channel_id', '=', channelId)
    .where('name', '=', name)
    .executeTakeFirst();
  return row ? { value: row.value, expiresAt: row.expires_at } : null;
}

export async function saveChannelToken(db: Kysely<DB>, channelId: string, name: string, value: string, expiresAt: Date | null): Promise<void> {
  await db
    .insertInto('channel_tokens')
    .values({ channel_id: channelId, name, value, expires_at: expiresAt, updated_at: new Date() })
    .onConflict((oc) => oc.columns(['channel_id', 'name']).doUpdateSet({ value, expires_at: expiresAt, updated_at: new Date() }))
    .execute();
}

export async function deleteChannelToken(db: Kysely<DB>, channelId: string, name: string): Promise<void> {
  await db.deleteFrom('channel_tokens').where('channel_id', '=', channelId).where('name', '=', name).execute();
}
