/**
 * The console's live board polls for rows changed since a moment (updated_at, then id), every
 * second: without these indexes that is a scan of every delivery and package each time.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('deliveries_updated_idx').on('deliveries').columns(['updated_at', 'id']).execute();
  await db.schema.createIndex('packages_updated_idx').on('packages').columns(['updated_at', 'id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('packages_updated_idx').ifExists().execute();
  await db.schema.dropIndex('deliveries_updated_idx').ifExists().execute();
}
