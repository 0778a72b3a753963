/**
 * 索引号 and 有效性 (issue 12): each package's index number, assigned once at its first release and
 * unique across the site; the serial counter per organ code and year it is drawn from; and the
 * current validity of a normative document, which the validity command changes without a revision.
 * Uploads gain two kinds: `document` (attachments: PDF, Word, Excel, OFD) and `captions` (WebVTT).
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // 0003_media's column check, named by PostgreSQL's default rule (<table>_<column>_check).
  await sql`alter table media drop constraint if exists media_kind_check`.execute(db);
  await sql`alter table media add constraint media_kind_check check (kind in ('image', 'video', 'audio', 'document', 'captions'))`.execute(db);
  await db.schema.alterTable('packages').addColumn('index_number', 'text').execute();
  await db.schema.alterTable('packages').addColumn('validity', 'jsonb').execute();
  // Unique where set: two packages never share a number, whatever the serial counter did.
  await db.schema
    .createIndex('packages_index_number_key')
    .unique()
    .on('packages')
    .column('index_number')
    .where(sql.ref('index_number'), 'is not', null)
    .execute();

  // One row per organ code and year: the UPDATE … RETURNING of the row is the lock that serializes
  // concurrent releases of one organ, so no two get the same serial.
  await db.schema
    .createTable('index_number_serials')
    .addColumn('organ_code', 'text', (c) => c.notNull())
    .addColumn('year', 'integer', (c) => c.notNull())
    .addColumn('last_serial', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('index_number_serials_pkey', ['organ_code', 'year'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`delete from media where kind in ('document', 'captions')`.execute(db);
  await sql`alter table media drop constraint if exists media_kind_check`.execute(db);
  await sql`alter table media add constraint media_kind_check check (kind in ('image', 'video', 'audio'))`.execute(db);
  await db.schema.dropTable('index_number_serials').execute();
  await db.schema.dropIndex('packages_index_number_key').execute();
  await db.schema.alterTable('packages').dropColumn('validity').execute();
  await db.schema.alterTable('packages').dropColumn('index_number').execute();
}
