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
  let q = db
    .selectFrom('audit_log')
    .leftJoin('users', 'users.id', 'audit_log.actor')
    .selectAll('audit_log')
    .select('users.name as actor_name')
    .orderBy('audit_log.id');
  if (query.packageId) q = q.where('audit_log.package_id', '=', query.packageId);
  if (query.action) q = q.where('audit_log.action', '=', query.action);
  if (query.afterId) q = q.where('audit_log.id', '>', query.afterId);
  const rows = await q.limit(Math.min(query.limit ?? 500, 5000)).execute();
  return rows.map((r) => ({
    id: r.id,
    at: r.at.toISOString(),
    /** The user's name; `system` for steps the workflow takes itself. */
    actor: r.actor_name ?? r.actor,
    actorId: r.actor,
    action: r.action,
    packageId: r.package_id,
    revision: r.revision,
    contentHash: r.content_hash,
    channelId: r.channel_id,
    details: r.details,
  }));
}
