/** Queries of the content gate's re-scan: released packages with the revision that is public, page by page. */
import type { Kysely } from 'kysely';
import type { DB } from './schema.js';

export interface PublishedRevision {
  packageId: string;
  title: string;
  unit: string | null;
  revision: number;
  content: unknown;
}

/** Released packages after `afterId` (id order), each with its approved (public) revision's content. */
export async function publishedRevisions(db: Kysely<DB>, afterId: string | null, limit: number): Promise<PublishedRevision[]> {
  let q = db
    .selectFrom('packages')
    .innerJoin('package_revisions', (join) =>
      join
        .onRef('package_revisions.package_id', '=', 'packages.id')
        .on((eb) => eb('package_revisions.revision', '=', eb.fn.coalesce('packages.approved_revision', 'packages.current_revision'))),
    )
    .select(['packages.id', 'packages.title', 'packages.unit', 'package_revisions.revision', 'package_revisions.content'])
    .where('packages.status', '=', 'released')
    .orderBy('packages.id')
    .limit(limit);
  if (afterId) q = q.where('packages.id', '>', afterId);
  const rows = await q.execute();
  return rows.map((r) => ({ packageId: r.id, title: r.title, unit: r.unit, revision: r.revision, content: r.content }));
}

/** True when the wording list with this digest has been re-scanned against what is published. */
export async function wordingRescanned(db: Kysely<DB>, digest: string): Promise<boolean> {
  const row = await db.selectFrom('audit_log').select('id').where('event_key', '=', `wording-rescan:${digest}`).executeTakeFirst();
  return row !== undefined;
}
