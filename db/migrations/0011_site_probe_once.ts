/**
 * One row per measurement: a probe recorded again after its first record's acknowledgement was lost
 * (the database restarting mid-write) must not count twice in the reachability window.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // Rows written twice before this index existed: keep the first of each.
  await sql`delete from site_probes a using site_probes b where a.url = b.url and a.at = b.at and a.id > b.id`.execute(db);
  await db.schema.createIndex('site_probes_url_at_key').unique().on('site_probes').columns(['url', 'at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('site_probes_url_at_key').execute();
}
