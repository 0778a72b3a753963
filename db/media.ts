/**
 * Media in the database: uploaded originals, the renditions rendition jobs made, and the jobs
 * with their progress (written by the render activities, read by the API and the CLI).
 */
import { sql, type Insertable, type Kysely } from 'kysely';
import { afterKey, pageKeyAt, type PageKey } from './paging.js';
import type { DB, MediaJobRow, MediaJobState, MediaJobsTable, MediaRenditionRow, MediaRenditionsTable, MediaRow, MediaTable } from './schema.js';

const UNFINISHED: MediaJobState[] = ['queued', 'running'];

/** The dimension columns of a media or rendition row, from a probe or a rendition (absent: null). */
export function dimensionColumns(of: { width?: number; height?: number; durationSec?: number }) {
  return { width: of.width ?? null, height: of.height ?? null, duration_sec: of.durationSec ?? null };
}

/** Records an original unless its hash is known; true when this call inserted it. */
export async function insertMediaIfNew(db: Kysely<DB>, values: Insertable<MediaTable>): Promise<boolean> {
  const inserted = await db
    .insertInto('media')
    .values(values)
    .onConflict((oc) => oc.column('id').doNothing())
    .returning('id')
    .executeTakeFirst();
  return inserted !== undefined;
}

export async function findMedia(db: Kysely<DB>, id: string): Promise<MediaRow | undefined> {
  return db.selectFrom('media').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Up to `limit` media ids starting with `prefix`. */
export async function mediaIdsStartingWith(db: Kysely<DB>, prefix: string, limit: number): Promise<string[]> {
  const rows = await db.selectFrom('media').select('id').where('id', 'like', `${prefix}%`).limit(limit).execute();
  return rows.map((r) => r.id);
}

/** Kinds of the given media ids that exist. */
export async function mediaKinds(db: Kysely<DB>, ids: string[]): Promise<Map<string, MediaRow['kind']>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('media').select(['id', 'kind']).where('id', 'in', ids).execute();
  return new Map(rows.map((r) => [r.id, r.kind]));
}

/** Originals, newest first. */
/** One page of originals, newest first, with the uploader's name and each row's page key. */
export async function selectMedia(
  db: Kysely<DB>,
  filter: { kind?: MediaRow['kind']; limit: number; after?: PageKey },
): Promise<(MediaRow & { created_by_name: string | null; page_key: string })[]> {
  let q = db
    .selectFrom('media')
    .leftJoin('users', 'users.id', 'media.created_by')
    .selectAll('media')
    .select([sql<string | null>`coalesce(users.display_name, users.name)`.as('created_by_name'), pageKeyAt('media').as('page_key')])
    .orderBy('media.created_at', 'desc')
    .orderBy('media.id', 'desc')
    .limit(filter.limit);
  if (filter.kind) q = q.where('media.kind', '=', filter.kind);
  if (filter.after) q = q.where(afterKey('media', filter.after));
  return q.execute();
}

/** Renditions jobs made of an original, by spec, newest first within a spec. */
export async function renditionsOf(db: Kysely<DB>, mediaId: string): Promise<MediaRenditionRow[]> {
  return db.selectFrom('media_renditions').selectAll().where('media_id', '=', mediaId).orderBy('spec_key').orderBy('updated_at', 'desc').execute();
}

/** The rendition a job made of one spec: the one made for `channelId` when there is one, else the latest. */
export async function latestRendition(db: Kysely<DB>, mediaId: string, specKey: string, channelId?: string): Promise<MediaRenditionRow | undefined> {
  let q = db.selectFrom('media_renditions').selectAll().where('media_id', '=', mediaId).where('spec_key', '=', specKey);
  if (channelId) q = q.orderBy(sql`(channel_id = ${channelId}) desc nulls last`);
  return q.orderBy('updated_at', 'desc').executeTakeFirst();
}

/** Records (or refreshes) the rendition of one (original × spec × watermark). */
export async function upsertRendition(db: Kysely<DB>, values: Insertable<MediaRenditionsTable>): Promise<void> {
  const { media_id: _m, spec_key: _s, cache_key: _c, channel_id: _ch, watermarked: _w, created_at: _at, ...file } = values;
  await db
    .insertInto('media_renditions')
    .values(values)
    .onConflict((oc) => oc.columns(['media_id', 'spec_key', 'cache_key']).doUpdateSet({ ...file, updated_at: new Date() }))
    .execute();
}

export async function insertJob(db: Kysely<DB>, values: Insertable<MediaJobsTable>): Promise<void> {
  await db.insertInto('media_jobs').values(values).execute();
}

export async function findJob(db: Kysely<DB>, jobId: string): Promise<MediaJobRow | undefined> {
  return db.selectFrom('media_jobs').selectAll().where('id', '=', jobId).executeTakeFirst();
}

/** Jobs for the given originals (or at most `limit` of them), newest first. */
export async function jobsOf(db: Kysely<DB>, mediaIds: string[], limit?: number): Promise<MediaJobRow[]> {
  if (mediaIds.length === 0) return [];
  let q = db.selectFrom('media_jobs').selectAll().where('media_id', 'in', mediaIds).orderBy('created_at', 'desc');
  if (limit !== undefined) q = q.limit(limit);
  return q.execute();
}

/** The newest unfinished job for exactly these specs and channel, if any (so an identical request is not started twice). */
export async function unfinishedJobLike(db: Kysely<DB>, mediaId: string, specsJson: string, channelId: string | undefined): Promise<MediaJobRow | undefined> {
  return db
    .selectFrom('media_jobs')
    .selectAll()
    .where('media_id', '=', mediaId)
    .where('state', 'in', UNFINISHED)
    .where(sql<boolean>`specs = ${specsJson}::jsonb`)
    .where(channelId ? sql<boolean>`channel_id = ${channelId}` : sql<boolean>`channel_id is null`)
    .orderBy('created_at', 'desc')
    .executeTakeFirst();
}

/** Unfinished jobs requested for an owner (a package or a delivery). */
export async function unfinishedJobsOwnedBy(db: Kysely<DB>, owner: { packageId?: string; deliveryKey?: string }) {
  let q = db.selectFrom('media_jobs').select(['id', 'workflow_id']).where('state', 'in', UNFINISHED);
  if (owner.packageId) q = q.where(sql<boolean>`owner->>'packageId' = ${owner.packageId}`);
  if (owner.deliveryKey) q = q.where(sql<boolean>`owner->>'deliveryKey' = ${owner.deliveryKey}`);
  return q.execute();
}

/** Changes a job that has not finished yet (a finished one is left as it ended). */
export async function updateUnfinishedJob(
  db: Kysely<DB>,
  jobId: string,
  fields: { state?: MediaJobState; error?: string; current_spec?: null; finished?: boolean },
): Promise<void> {
  const { finished, ...rest } = fields;
  await db
    .updateTable('media_jobs')
    .set({ ...rest, ...(finished ? { finished_at: new Date() } : {}), updated_at: new Date() })
    .where('id', '=', jobId)
    .where('state', 'in', UNFINISHED)
    .execute();
}

/** Marks a job failed whatever its state (it could not even start). */
export async function failJob(db: Kysely<DB>, jobId: string, error: string): Promise<void> {
  await db.updateTable('media_jobs').set({ state: 'failed', error, finished_at: new Date(), updated_at: new Date() }).where('id', '=', jobId).execute();
}

/** Sets one spec's percent; the job's progress is the mean over its specs. A finished job is left alone. */
export async function writeSpecProgress(db: Kysely<DB>, jobId: string, specKey: string, percent: number): Promise<void> {
  const patch = JSON.stringify({ [specKey]: Math.max(0, Math.min(100, Math.floor(percent))) });
  await db
    .updateTable('media_jobs')
    .set({
      spec_progress: sql`spec_progress || ${patch}::jsonb`,
      progress: sql`least(100, floor(
        (select coalesce(sum(value::numeric), 0) from jsonb_each_text(spec_progress || ${patch}::jsonb))
        / greatest(jsonb_array_length(specs), 1)))::int`,
      current_spec: specKey,
      state: sql`case when state = 'queued' then 'running' else state end`,
      updated_at: new Date(),
    })
    .where('id', '=', jobId)
    .where('state', 'in', UNFINISHED)
    .execute();
}

/** Adds per-spec results to a job. */
export async function mergeJobResults(db: Kysely<DB>, jobId: string, results: Record<string, unknown>): Promise<void> {
  await db
    .updateTable('media_jobs')
    .set({ results: sql`results || ${JSON.stringify(results)}::jsonb`, updated_at: new Date() })
    .where('id', '=', jobId)
    .execute();
}

/** A job's end: its state, the failures' results and message; a cancel request's own sentence is kept. */
export async function finishJob(
  db: Kysely<DB>,
  jobId: string,
  end: { state: MediaJobState; failed: Record<string, unknown>; error: string | null },
): Promise<void> {
  await db
    .updateTable('media_jobs')
    .set({
      state: end.state,
      results: sql`results || ${JSON.stringify(end.failed)}::jsonb`,
      progress: end.state === 'done' ? 100 : sql<number>`progress`,
      current_spec: null,
      error: end.state === 'canceled' ? sql<string>`coalesce(error, ${end.error})` : end.error,
      finished_at: new Date(),
      updated_at: new Date(),
    })
    .where('id', '=', jobId)
    .where('state', 'in', UNFINISHED)
    .execute();
}
