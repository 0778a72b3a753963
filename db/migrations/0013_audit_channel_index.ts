/**
 * Who paused a channel is the actor of its latest `channel_paused` audit entry (db/channels.ts
 * currentPause): read on every refused second pause (409 channel_already_paused) and on every
 * resume of a credentials hold. Without this index that read scans the whole audit trail, which
 * only grows. Package events, most of the trail, carry no channel and stay out of the index.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createIndex('audit_log_channel_idx')
    .on('audit_log')
    .columns(['channel_id', 'action', 'id'])
    .where(sql.ref('channel_id'), 'is not', null)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('audit_log_channel_idx').ifExists().execute();
}
