/**
 * Sign-in, units and paging (issue 11): a password hash and an owner unit per user, the unit a
 * package was made in, browser sessions (only the SHA-256 of the session id is kept), the failed
 * sign-in counter per name, and the (updated_at, id) indexes the list cursors walk.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('users').addColumn('password_hash', 'text').execute();
  await db.schema.alterTable('users').addColumn('unit', 'text').execute();
  await db.schema.alterTable('packages').addColumn('unit', 'text').execute();

  await db.schema
    .createTable('sessions')
    .addColumn('id_hash', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('csrf_token', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('last_seen_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sessions_user_idx').on('sessions').column('user_id').execute();

  await db.schema
    .createTable('sign_in_failures')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('failures', 'integer', (c) => c.notNull())
    .addColumn('window_started_at', 'timestamptz', (c) => c.notNull())
    .execute();

  // The console's 0006_console_indexes makes these two as well (same names, same columns): whichever runs first makes them.
  await db.schema.createIndex('packages_updated_idx').ifNotExists().on('packages').columns(['updated_at', 'id']).execute();
  await db.schema.createIndex('packages_unit_updated_idx').on('packages').columns(['unit', 'updated_at', 'id']).execute();
  await db.schema.createIndex('packages_creator_updated_idx').on('packages').columns(['created_by', 'updated_at', 'id']).execute();
  await db.schema.createIndex('deliveries_updated_idx').ifNotExists().on('deliveries').columns(['updated_at', 'id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  // packages_updated_idx and deliveries_updated_idx stay: 0006_console_indexes owns them.
  await db.schema.dropIndex('packages_creator_updated_idx').execute();
  await db.schema.dropIndex('packages_unit_updated_idx').execute();
  await db.schema.dropTable('sign_in_failures').execute();
  await db.schema.dropTable('sessions').execute();
  await db.schema.alterTable('packages').dropColumn('unit').execute();
  await db.schema.alterTable('users').dropColumn('unit').execute();
  await db.schema.alterTable('users').dropColumn('password_hash').execute();
}
