/** The audit trail: append-only entries (idempotent by business key) and reading them back. */
import type { Kysely } from 'kysely';
import type { DB } from './schema.js';

export interface AuditEntry {
  actor: string;
  action: string;
  packageId?: string | null;
  revision?: number | null;
  contentHash?: string | null;
  channelId?: string | null;
  details?: Record<string, unknown>;
  /** Business key: an activity retried after a crash appends its entry once. */
  eventKey?: string | null;
}

/** The audit_log row of an entry. */
export function auditRow(entry: AuditEntry) {
  return {
    actor: entry.actor,
    action: entry.action,
    package_id: entry.packageId ?? null,
    revision: entry.revision ?? null,
    content_hash: entry.contentHash ?? null,
    channel_id: entry.channelId ?? null,
    details: JSON.stringify(entry.details ?? {}),
    event_key: entry.eventKey ?? null,
  };
}

/** Appends an audit entry unless one with the same business key exists. */
export async function appendAudit(db: Kysely<DB>, entry: AuditEntry): Promise<void> {
  await db
    .insertInto('audit_log')
    .values(auditRow(entry))
    .onConflict((oc) => oc.column('event_key').doNothing())
    .execute();
}

/** The id of the newest entry about one channel of a package (null: none yet): a mark to look for what is appended after it. */
export async function latestAuditIdFor(db: Kysely<DB>, packageId: string, channelId: string): Promise<string | null> {
  const row = await db
    .selectFrom('audit_log')
    .select('id')
    .where('package_id', '=', packageId)
    .where('channel_id', '=', channelId)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.id ?? null;
}

/** Whether `actor`'s entry of `action` about one channel of a package was appended after the entry `afterId` (null: ever). */
export async function auditedAfter(
  db: Kysely<DB>,
  entry: { packageId: string; channelId: string; action: string; actor: string; afterId: string | null },
): Promise<boolean> {
  let q = db
    .selectFrom('audit_log')
    .select('id')
    .where('package_id', '=', entry.packageId)
    .where('channel_id', '=', entry.channelId)
    .where('action', '=', entry.action)
    .where('actor', '=', entry.actor);
  if (entry.afterId !== null) q = q.where('id', '>', entry.afterId);
  return (await q.limit(1).executeTakeFirst()) !== undefined;
}

export interface AuditQuery {
  packageId?: string;
  action?: string;
  limit?: number;
  afterId?: string;
  beforeId?: string;
  /** Newest first (the console's whole trail: today's entries on the first page, whatever the volume). */
  newestFirst?: boolean;
}

/** Entries oldest first (or newest first), each with its actor's user name when the actor is a user. There is deliberately no way to change or delete entries. */
export async function selectAudit(db: Kysely<DB>, query: AuditQuery) {
  let q = db
    .selectFrom('audit_log')
    .leftJoin('users', 'users.id', 'audit_log.actor')
    .selectAll('audit_log')
    .select('users.name as actor_name')
    .orderBy('audit_log.id', query.newestFirst ? 'desc' : 'asc');
  if (query.packageId) q = q.where('audit_log.package_id', '=', query.packageId);
  if (query.action) q = q.where('audit_log.action', '=', query.action);
  if (query.afterId) q = q.where('audit_log.id', '>', query.afterId);
  if (query.beforeId) q = q.where('audit_log.id', '<', query.beforeId);
  return q.limit(Math.min(query.limit ?? 500, 5000)).execute();
}

/** How many entries of each of these actions the packages have (actions without any are left out). */
export async function countAuditActions(db: Kysely<DB>, packageIds: readonly string[], actions: readonly string[]): Promise<{ action: string; n: number }[]> {
  if (packageIds.length === 0 || actions.length === 0) return [];
  const rows = await db
    .selectFrom('audit_log')
    .select(['action', (eb) => eb.fn.countAll<string>().as('n')])
    .where('package_id', 'in', packageIds)
    .where('action', 'in', actions)
    .groupBy('action')
    .execute();
  return rows.map((r) => ({ action: r.action, n: Number(r.n) }));
}
