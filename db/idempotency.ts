/** Idempotency keys in the database: claiming a key, reading its first request, storing or forgetting its answer. */
import { sql, type Kysely, type Selectable } from 'kysely';
import type { DB, IdempotencyKeysTable } from './schema.js';

export interface KeyOwner {
  userId: string;
  key: string;
}

/** Deletes keys older than `hours`. */
export async function purgeIdempotencyKeys(db: Kysely<DB>, hours: number): Promise<void> {
  await db
    .deleteFrom('idempotency_keys')
    .where('created_at', '<', sql<Date>`now() - make_interval(hours => ${hours})`)
    .execute();
}

/** Deletes the user's key when it is older than `hours`; true when it was. */
export async function forgetExpiredKey(db: Kysely<DB>, owner: KeyOwner, hours: number): Promise<boolean> {
  const deleted = await db
    .deleteFrom('idempotency_keys')
    .where('user_id', '=', owner.userId)
    .where('key', '=', owner.key)
    .where('created_at', '<', sql<Date>`now() - make_interval(hours => ${hours})`)
    .executeTakeFirst();
  return deleted.numDeletedRows > 0n;
}

/** Claims a key for a request; false when the user holds the key already. */
export async function claimIdempotencyKey(db: Kysely<DB>, owner: KeyOwner, request: { route: string; fingerprint: string }): Promise<boolean> {
  const claimed = await db
    .insertInto('idempotency_keys')
    .values({ user_id: owner.userId, key: owner.key, route: request.route, fingerprint: request.fingerprint, status_code: null, response: null })
    .onConflict((oc) => oc.columns(['user_id', 'key']).doNothing())
    .returning('created_at')
    .executeTakeFirst();
  return claimed !== undefined;
}

export async function findIdempotencyKey(db: Kysely<DB>, owner: KeyOwner): Promise<Selectable<IdempotencyKeysTable> | undefined> {
  return db.selectFrom('idempotency_keys').selectAll().where('user_id', '=', owner.userId).where('key', '=', owner.key).executeTakeFirst();
}

/** Takes over a key whose request never finished and started before `startedBefore`; false when it is still running. */
export async function takeOverAbandonedKey(db: Kysely<DB>, owner: KeyOwner, startedBefore: Date): Promise<boolean> {
  const taken = await db
    .updateTable('idempotency_keys')
    .set({ created_at: new Date() })
    .where('user_id', '=', owner.userId)
    .where('key', '=', owner.key)
    .where('status_code', 'is', null)
    .where('created_at', '<', startedBefore)
    .returning('created_at')
    .executeTakeFirst();
  return taken !== undefined;
}

/** Forgets a key whose request failed, so it can be sent again. */
export async function releaseIdempotencyKey(db: Kysely<DB>, owner: KeyOwner): Promise<void> {
  await db.deleteFrom('idempotency_keys').where('user_id', '=', owner.userId).where('key', '=', owner.key).where('status_code', 'is', null).execute();
}

/** Stores the answer a key's request gave. */
export async function completeIdempotencyKey(db: Kysely<DB>, owner: KeyOwner, outcome: { status: number; body: unknown }): Promise<void> {
  await db
    .updateTable('idempotency_keys')
    .set({ status_code: outcome.status, response: JSON.stringify(outcome.body), completed_at: new Date() })
    .where('user_id', '=', owner.userId)
    .where('key', '=', owner.key)
    .execute();
}
