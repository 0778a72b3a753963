/**
 * A media detail (`govpub media status`, GET /api/media/:id) lists the renditions deliveries made
 * of the original, found in the delivery rows' `renditions` lists (db/deliveries.ts
 * renditionUsesOf, by containment: `renditions @> [{mediaId}]`). Without an index that read scans
 * every delivery, a year of them about 30,000; GIN with jsonb_path_ops answers containment and is
 * the smaller of the two GIN kinds. Plain CREATE INDEX (not CONCURRENTLY: the migrations run in one
 * transaction, on PostgreSQL and PGlite alike): building it over a year of rows takes well under a
 * second, during which deliveries wait to be written.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createIndex('deliveries_renditions_idx')
    .on('deliveries')
    .using('gin')
    .expression(sql`renditions jsonb_path_ops`)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('deliveries_renditions_idx').ifExists().execute();
}
