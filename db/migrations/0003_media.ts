/**
 * Media originals, renditions and rendition jobs (issue 5).
 *
 * - `media`: one row per uploaded original, keyed by its SHA-256 (the store's address), with what
 *   the probe found. Uploading the same bytes again finds the same row.
 * - `media_renditions`: renditions made so far, one per (original × spec × watermark), pointing to
 *   the rendition blob in the store. The store's own cache record is what makes a second request
 *   free; this table is what the API lists and serves.
 * - `media_jobs`: a request for renditions, run by the `media-renditions` workflow. Progress is
 *   written here (throttled) by the activities; Temporal remains the record of what ran.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('media')
    .addColumn('id', 'text', (c) => c.primaryKey().check(sql`id ~ '^[0-9a-f]{64}$'`))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('image', 'video', 'audio')`))
    .addColumn('mime', 'text', (c) => c.notNull())
    .addColumn('format', 'text', (c) => c.notNull())
    .addColumn('size_bytes', 'bigint', (c) => c.notNull())
    .addColumn('width', 'integer')
    .addColumn('height', 'integer')
    .addColumn('duration_sec', 'double precision')
    .addColumn('upload_name', 'text')
    .addColumn('probe', 'jsonb', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('media_created_idx').on('media').columns(['created_at']).execute();

  await db.schema
    .createTable('media_renditions')
    .addColumn('media_id', 'text', (c) => c.notNull().references('media.id'))
    .addColumn('spec_key', 'text', (c) => c.notNull())
    /** Last segment of the store's cache record: hash of (spec hash × watermark). */
    .addColumn('cache_key', 'text', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('mime', 'text', (c) => c.notNull())
    .addColumn('size_bytes', 'bigint', (c) => c.notNull())
    .addColumn('width', 'integer')
    .addColumn('height', 'integer')
    .addColumn('duration_sec', 'double precision')
    .addColumn('watermarked', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('channel_id', 'text')
    .addColumn('warnings', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('media_renditions_pk', ['media_id', 'spec_key', 'cache_key'])
    .execute();

  await db.schema
    .createTable('media_jobs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('media_id', 'text', (c) => c.notNull().references('media.id'))
    .addColumn('specs', 'jsonb', (c) => c.notNull())
    .addColumn('channel_id', 'text')
    .addColumn('state', 'text', (c) =>
      c
        .notNull()
        .defaultTo('queued')
        .check(sql`state in ('queued', 'running', 'done', 'failed', 'canceled')`),
    )
    .addColumn('progress', 'integer', (c) =>
      c
        .notNull()
        .defaultTo(0)
        .check(sql`progress between 0 and 100`),
    )
    .addColumn('current_spec', 'text')
    /** Percent per spec key; `progress` is their mean. */
    .addColumn('spec_progress', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    /** Per spec key: the rendition made (sha256, size, cached…) or the error. */
    .addColumn('results', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    /** Specs refused before any work (preflight), with the reason. */
    .addColumn('problems', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('error', 'text')
    .addColumn('workflow_id', 'text')
    .addColumn('owner', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('requested_by', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('finished_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('media_jobs_media_idx').on('media_jobs').columns(['media_id', 'created_at']).execute();
  await db.schema.createIndex('media_jobs_state_idx').on('media_jobs').columns(['state']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['media_jobs', 'media_renditions', 'media']) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
