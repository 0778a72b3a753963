/**
 * The delivery state machine's bookkeeping: multi-step progress (checkpoint) so a retry resumes,
 * the timing of asynchronous confirmation and manual tasks, and tokens adapters obtain at run
 * time (a rotated refresh token must survive restarts and be shared by every worker).
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('deliveries')
    .addColumn('platform', 'text')
    .addColumn('checkpoint', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('renditions', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('warnings', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('problems', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('platform_code', 'text')
    .addColumn('submitted_at', 'timestamptz')
    .addColumn('last_attempt_at', 'timestamptz')
    /** An operator's task on this delivery: manual_post, manual_takedown, or null. */
    .addColumn('task', 'text')
    .addColumn('reminded_at', 'timestamptz')
    .addColumn('skipped_reason', 'text')
    .addColumn('taken_down_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('deliveries_channel_idx').on('deliveries').columns(['channel_id', 'state']).execute();

  await db.schema
    .createTable('channel_tokens')
    .addColumn('channel_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('channel_tokens_pk', ['channel_id', 'name'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('channel_tokens').ifExists().execute();
  await db.schema.dropIndex('deliveries_channel_idx').ifExists().execute();
  for (const column of [
    'platform',
    'checkpoint',
    'renditions',
    'warnings',
    'problems',
    'platform_code',
    'submitted_at',
    'last_attempt_at',
    'task',
    'reminded_at',
    'skipped_reason',
    'taken_down_at',
  ]) {
    await db.schema.alterTable('deliveries').dropColumn(column).execute();
  }
}
