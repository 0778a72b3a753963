import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';

export interface AuditQuery {
  packageId?: string;
  action?: string;
  limit?: number;
  afterId?: string;
}

/** The audit trail, oldest first. There is deliberately no way to change or delete entries. */
export async function listAudit(db: Kysely<DB>, query: AuditQuery = {}) {
  let q = db.selectFrom('audit_log').selectAll().orderBy('id');
  if (query.packageId) q = q.where('package_id', '=', query.packageId);
  if (query.action) q = q.where('action', '=', query.action);
  if (query.afterId) q = q.where('id', '>', query.afterId);
  const rows = await q.limit(Math.min(query.limit ?? 500, 5000)).execute();
  return rows.map((r) => ({
    id: r.id,
    at: r.at.toISOString(),
    actor: r.actor,
    action: r.action,
    packageId: r.package_id,
    revision: r.revision,
    contentHash: r.content_hash,
    channelId: r.channel_id,
    details: r.details,
  }));
}
