/**
 * Compliance notices (issue 13): a user's e-mail address (reminders reach the owner unit's editors)
 * and the register of notices sent, one row per (run, unit, transport), so a retried notice activity
 * never sends the same notice twice through a transport that already took it.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('users').addColumn('email', 'text').execute();

  await db.schema
    .createTable('compliance_notices')
    .addColumn('run_id', 'text', (c) => c.notNull())
    .addColumn('unit_id', 'text', (c) => c.notNull())
    .addColumn('transport', 'text', (c) => c.notNull().check(sql`transport in ('email', 'webhook')`))
    .addColumn('recipients', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('finding_keys', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('sent_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('compliance_notices_pkey', ['run_id', 'unit_id', 'transport'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('compliance_notices').execute();
  await db.schema.alterTable('users').dropColumn('email').execute();
}
