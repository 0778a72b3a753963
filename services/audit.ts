/** The audit trail as people read it (oldest first, or newest first); entries are written through db/audit.ts only. */
import type { Kysely } from 'kysely';
import { selectAudit, type AuditQuery } from '../db/audit.js';
import type { DB } from '../db/schema.js';

export type { AuditQuery } from '../db/audit.js';

export async function listAudit(db: Kysely<DB>, query: AuditQuery = {}) {
  const rows = await selectAudit(db, query);
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
