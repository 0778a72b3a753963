/**
 * The compliance monitor (issue 13): findings keyed by what they are about (`account_silent:wechat_oa:blfb`),
 * the runs that produced them, every change to a finding (the history the API serves; the audit trail holds
 * the same changes), the public site's reachability probes (written by the probe activity, read as a
 * window), and the register of documents published without govpub (三同步 timing of what govpub did not
 * release itself).
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('compliance_runs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('trigger', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('started_at', 'timestamptz', (c) => c.notNull())
    .addColumn('finished_at', 'timestamptz')
    .addColumn('checks', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('opened', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('closed', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('changed', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('open_counts', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('thresholds', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('duration_ms', 'integer')
    .addColumn('check_ms', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('error', 'text')
    .execute();
  await db.schema.createIndex('compliance_runs_finished_idx').on('compliance_runs').columns(['finished_at desc', 'id desc']).execute();

  await db.schema
    .createTable('compliance_findings')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull().check(sql`severity in ('reminder', 'warning', 'veto')`))
    .addColumn('subject_type', 'text', (c) => c.notNull())
    .addColumn('subject_id', 'text', (c) => c.notNull())
    .addColumn('subject_name', 'text', (c) => c.notNull())
    .addColumn('owner_unit', 'text')
    .addColumn('message', 'text', (c) => c.notNull())
    .addColumn('message_en', 'text', (c) => c.notNull())
    .addColumn('facts', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('open', 'closed')`))
    .addColumn('opened_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addColumn('closed_at', 'timestamptz')
    .addColumn('last_run_id', 'text', (c) => c.notNull())
    .execute();
  // The console's list: open first by severity; editors by their unit.
  await db.schema.createIndex('compliance_findings_status_idx').on('compliance_findings').columns(['status', 'updated_at desc', 'key']).execute();
  await db.schema.createIndex('compliance_findings_unit_idx').on('compliance_findings').columns(['owner_unit', 'status']).execute();
  await db.schema.createIndex('compliance_findings_kind_idx').on('compliance_findings').columns(['kind', 'status']).execute();

  await db.schema
    .createTable('compliance_finding_events')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    // `compliance:<runId>:<key>`: a run changes a finding once; a retried run records it once.
    .addColumn('event_key', 'text', (c) => c.notNull().unique())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('change', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('previous_severity', 'text')
    .addColumn('subject_type', 'text', (c) => c.notNull())
    .addColumn('subject_id', 'text', (c) => c.notNull())
    .addColumn('subject_name', 'text', (c) => c.notNull())
    .addColumn('owner_unit', 'text')
    .addColumn('message', 'text', (c) => c.notNull())
    .addColumn('run_id', 'text', (c) => c.notNull())
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('compliance_finding_events_key_idx').on('compliance_finding_events').columns(['key', 'id']).execute();
  await db.schema.createIndex('compliance_finding_events_at_idx').on('compliance_finding_events').columns(['at', 'id']).execute();

  await db.schema
    .createTable('site_probes')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('ok', 'boolean', (c) => c.notNull())
    .addColumn('duration_ms', 'integer', (c) => c.notNull())
    .addColumn('status', 'integer')
    .addColumn('error', 'text')
    .execute();
  await db.schema.createIndex('site_probes_at_idx').on('site_probes').column('at').execute();

  await db.schema
    .createTable('external_releases')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('owner_unit', 'text')
    .addColumn('document_live_at', 'timestamptz', (c) => c.notNull())
    .addColumn('interpretation_live_at', 'timestamptz')
    .addColumn('url', 'text')
    .addColumn('note', 'text')
    .addColumn('recorded_by', 'text', (c) => c.notNull())
    .addColumn('recorded_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['external_releases', 'site_probes', 'compliance_finding_events', 'compliance_findings', 'compliance_runs']) {
    await db.schema.dropTable(table).execute();
  }
}
