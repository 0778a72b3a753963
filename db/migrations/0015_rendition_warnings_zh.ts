/**
 * A rendition's notes (enlarged, reduced to fit, no watermark…) in Chinese beside the English ones,
 * in the same order: GET /api/media/:id and the console show them to editors in Chinese. Rows
 * made before keep an empty list (their English notes still stand).
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('media_renditions')
    .addColumn('warnings_zh', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('media_renditions').dropColumn('warnings_zh').execute();
}
