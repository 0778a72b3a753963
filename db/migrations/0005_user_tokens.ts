/**
 * Tokens that end (issue 9, identity): a token may carry an expiry, and records when it was issued
 * (rotation makes a new one; the old hash is gone, so the old token stops working at once).
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('users').addColumn('token_expires_at', 'timestamptz').execute();
  await db.schema.alterTable('users').addColumn('token_issued_at', 'timestamptz').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('users').dropColumn('token_issued_at').execute();
  await db.schema.alterTable('users').dropColumn('token_expires_at').execute();
}
