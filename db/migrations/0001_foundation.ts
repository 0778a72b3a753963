/** The first schema: users, packages, revisions, review decisions, channels, deliveries, channel tokens, audit log. */
import { sql, type Kysely } from 'kysely';

// Migrations take Kysely<any>: they describe the schema as it was at that point in time.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('users')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('display_name', 'text')
    .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('editor', 'reviewer', 'ops', 'admin')`))
    .addColumn('stages', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('disabled_at', 'timestamptz')
    .execute();

  await db.schema
    .createTable('packages')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('catalogue_item_id', 'text', (c) => c.notNull())
    .addColumn('content_class', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('current_stage', 'text')
    .addColumn('current_revision', 'integer', (c) => c.notNull())
    .addColumn('approved_revision', 'integer')
    .addColumn('release_at', 'timestamptz')
    .addColumn('created_by', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('released_at', 'timestamptz')
    .addColumn('retracted_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('packages_status_idx').on('packages').columns(['status', 'current_stage']).execute();

  await db.schema
    .createTable('package_revisions')
    .addColumn('package_id', 'text', (c) => c.notNull().references('packages.id'))
    .addColumn('revision', 'integer', (c) => c.notNull())
    .addColumn('content', 'jsonb', (c) => c.notNull())
    .addColumn('content_hash', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('package_revisions_pk', ['package_id', 'revision'])
    .execute();

  await db.schema
    .createTable('review_decisions')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('package_id', 'text', (c) => c.notNull().references('packages.id'))
    .addColumn('revision', 'integer', (c) => c.notNull())
    .addColumn('stage', 'text', (c) => c.notNull())
    .addColumn('decision', 'text', (c) => c.notNull().check(sql`decision in ('approve', 'reject')`))
    .addColumn('comment', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('reviewer_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('decided_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('voided_at', 'timestamptz')
    .addColumn('voided_reason', 'text')
    .addColumn('event_key', 'text', (c) => c.notNull().unique())
    .execute();
  await db.schema.createIndex('review_decisions_package_idx').on('review_decisions').columns(['package_id', 'revision']).execute();

  await db.schema
    .createTable('channels')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('platform', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('owner_unit', 'text')
    .addColumn('publishing', 'text', (c) => c.notNull())
    .addColumn('ref', 'text', (c) => c.notNull())
    .addColumn('definition', 'jsonb', (c) => c.notNull())
    .addColumn('registry_digest', 'text', (c) => c.notNull())
    .addColumn('synced_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('paused_at', 'timestamptz')
    .addColumn('paused_reason', 'text')
    .execute();

  await db.schema
    .createTable('deliveries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('business_key', 'text', (c) => c.notNull().unique())
    .addColumn('package_id', 'text', (c) => c.notNull().references('packages.id'))
    .addColumn('revision', 'integer', (c) => c.notNull())
    .addColumn('channel_id', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('payload', 'jsonb')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'timestamptz')
    .addColumn('error_class', 'text')
    .addColumn('error_message', 'text')
    .addColumn('external_id', 'text')
    .addColumn('public_url', 'text')
    .addColumn('live_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('deliveries_package_idx').on('deliveries').columns(['package_id', 'revision']).execute();
  await db.schema.createIndex('deliveries_state_idx').on('deliveries').columns(['state', 'channel_id']).execute();

  await db.schema
    .createTable('audit_log')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('package_id', 'text')
    .addColumn('revision', 'integer')
    .addColumn('content_hash', 'text')
    .addColumn('channel_id', 'text')
    .addColumn('details', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('event_key', 'text', (c) => c.unique())
    .execute();
  await db.schema.createIndex('audit_log_package_idx').on('audit_log').columns(['package_id', 'id']).execute();

  // The audit trail is append-only in the database itself, not only in the product.
  await sql`
    create function audit_log_is_append_only() returns trigger language plpgsql as $$
    begin
      raise exception 'audit_log is append-only: % is not allowed', tg_op;
    end $$`.execute(db);
  await sql`
    create trigger audit_log_no_update_delete before update or delete on audit_log
    for each row execute function audit_log_is_append_only()`.execute(db);
  await sql`
    create trigger audit_log_no_truncate before truncate on audit_log
    for each statement execute function audit_log_is_append_only()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['audit_log', 'deliveries', 'channels', 'review_decisions', 'package_revisions', 'packages', 'users']) {
    await db.schema.dropTable(table).ifExists().execute();
  }
  await sql`drop function if exists audit_log_is_append_only()`.execute(db);
}
