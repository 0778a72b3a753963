/**
 * A registered external release may carry its 发文字号, the strongest identity of a government
 * document: the duplicate check finds the same number however far apart the days were typed.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('external_releases').addColumn('document_number', 'text').execute();
  await db.schema.createIndex('external_releases_document_number_idx').on('external_releases').column('document_number').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('external_releases_document_number_idx').execute();
  await db.schema.alterTable('external_releases').dropColumn('document_number').execute();
}
