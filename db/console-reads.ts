/**
 * The console's reads: revisions with their authors, what waits for a person (inbox), delivery
 * figures per day (stats), each channel's last success and failure, and the rows changed since a
 * moment (the events stream). Every query of the console's read APIs lives here.
 */
import { sql, type Kysely } from 'kysely';
import { ACTION_URGENCY_RANKS, NEEDS_ACTION_STATES } from '../domain/delivery-state.js';
import { standsReturned } from './packages.js';
import type { DB } from './schema.js';

// ---- Revisions --------------------------------------------------------------------------------

export async function revisionsOf(db: Kysely<DB>, packageId: string) {
  return db
    .selectFrom('package_revisions')
    .leftJoin('users', 'users.id', 'package_revisions.created_by')
    .select([
      'package_revisions.revision',
      'package_revisions.content_hash',
      'package_revisions.created_by',
      'package_revisions.created_at',
      'users.name as created_by_name',
      'users.display_name as created_by_display_name',
    ])
    .where('package_revisions.package_id', '=', packageId)
    .orderBy('package_revisions.revision')
    .execute();
}

/** The revision of the latest decision on a package, by `reviewerId` when given, else by anyone. */
export async function lastDecidedRevision(db: Kysely<DB>, packageId: string, reviewerId?: string): Promise<number | null> {
  let q = db.selectFrom('review_decisions').select('revision').where('package_id', '=', packageId);
  if (reviewerId) q = q.where('reviewer_id', '=', reviewerId);
  const row = await q.orderBy('id', 'desc').limit(1).executeTakeFirst();
  return row?.revision ?? null;
}

// ---- Inbox ------------------------------------------------------------------------------------

/**
 * Packages in review at one of `stages` that `userId` neither wrote (any revision) nor already
 * approved in this review round (one stage per person), oldest waiting first.
 */
export async function reviewWaiting(db: Kysely<DB>, userId: string, stages: readonly string[], limit: number) {
  if (stages.length === 0) return [];
  return db
    .selectFrom('packages')
    .select(['id', 'title', 'current_stage', 'current_revision', 'updated_at'])
    .where('status', '=', 'in_review')
    .where('current_stage', 'in', [...stages])
    .where('created_by', '!=', userId)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('package_revisions')
            .select(sql`1`.as('one'))
            .whereRef('package_revisions.package_id', '=', 'packages.id')
            .where('package_revisions.created_by', '=', userId),
        ),
      ),
    )
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('review_decisions')
            .select(sql`1`.as('one'))
            .whereRef('review_decisions.package_id', '=', 'packages.id')
            .where('review_decisions.reviewer_id', '=', userId)
            .where('review_decisions.decision', '=', 'approve')
            .where('review_decisions.voided_at', 'is', null),
        ),
      ),
    )
    .orderBy('updated_at')
    .limit(limit)
    .execute();
}

/**
 * Drafts by `userId` a reviewer sent back (db/packages.ts standsReturned: their last review step
 * was a rejection, not submitted again since), with the rejection's stage, comment and time.
 */
export async function rejectedDrafts(db: Kysely<DB>, userId: string, limit: number) {
  return db
    .selectFrom('packages')
    .innerJoin('review_decisions as rejection', (join) => join.onRef('rejection.package_id', '=', 'packages.id').on(standsReturned('rejection')))
    .select([
      'packages.id',
      'packages.title',
      'rejection.stage',
      'rejection.comment',
      'rejection.decided_at',
      'rejection.revision',
      'rejection.id as decision_id',
    ])
    .where('packages.created_by', '=', userId)
    .orderBy('rejection.decided_at', 'desc')
    .limit(limit)
    .execute();
}

/** Deliveries waiting for operations (a NEEDS_ACTION state or an open task), with their package's title. */
/** domain/delivery-state.ts actionUrgency as SQL: the rank a delivery row matches first, the count of ranks if none. */
const urgencyRank = sql<number>`case ${sql.join(
  ACTION_URGENCY_RANKS.map((r, i) => {
    const matches = [
      ...(r.tasks.length > 0 ? [sql`deliveries.task in (${sql.join([...r.tasks])})`] : []),
      ...(r.states.length > 0 ? [sql`deliveries.state in (${sql.join([...r.states])})`] : []),
    ];
    return sql`when ${sql.join(matches, sql` or `)} then ${sql.lit(i)}`;
  }),
  sql` `,
)} else ${sql.lit(ACTION_URGENCY_RANKS.length)} end`;

export async function deliveriesNeedingAction(db: Kysely<DB>, limit: number) {
  return (
    db
      .selectFrom('deliveries')
      .innerJoin('packages', 'packages.id', 'deliveries.package_id')
      .select([
        'deliveries.id',
        'deliveries.package_id',
        'deliveries.channel_id',
        'deliveries.platform',
        'deliveries.state',
        'deliveries.task',
        'deliveries.error_message',
        'deliveries.updated_at',
        'packages.title',
      ])
      .where((eb) => eb.or([eb('deliveries.state', 'in', [...NEEDS_ACTION_STATES]), eb('deliveries.task', 'is not', null)]))
      // Most urgent first (domain/delivery-state.ts byActionUrgency), so the limit never cuts a
      // manual take-down for the sake of a hand-off; then the one waiting longest.
      .orderBy(urgencyRank)
      .orderBy('deliveries.created_at')
      .orderBy('deliveries.id')
      .limit(limit)
      .execute()
  );
}

// ---- Stats ------------------------------------------------------------------------------------

/**
 * Asia/Shanghai has been UTC+8 all year since 1991: a fixed offset gives the same calendar day on
 * PostgreSQL and on the embedded PGlite (whose time-zone data may be absent).
 */
const shanghaiDay = (column: 'live_at' | 'updated_at') =>
  sql<string>`to_char((${sql.ref(`deliveries.${column}`)} at time zone 'UTC') + interval '8 hours', 'YYYY-MM-DD')`;

export interface StatsFilter {
  since: Date;
  platform?: string;
}

/** Per Shanghai day and platform: deliveries that went live, that are failed now, that were skipped. */
export async function deliveryDayCounts(db: Kysely<DB>, filter: StatsFilter) {
  const onPlatform = filter.platform ? sql`and deliveries.platform = ${filter.platform}` : sql``;
  const { rows } = await sql<{ day: string; platform: string; outcome: 'live' | 'failed' | 'skipped'; n: number }>`
    select day, platform, outcome, count(*)::int as n from (
      select ${shanghaiDay('live_at')} as day, coalesce(deliveries.platform, split_part(deliveries.channel_id, ':', 1)) as platform, 'live' as outcome
        from deliveries where deliveries.live_at >= ${filter.since} ${onPlatform}
      union all
      select ${shanghaiDay('updated_at')}, coalesce(deliveries.platform, split_part(deliveries.channel_id, ':', 1)), 'failed'
        from deliveries where deliveries.state = 'failed' and deliveries.updated_at >= ${filter.since} ${onPlatform}
      union all
      select ${shanghaiDay('updated_at')}, coalesce(deliveries.platform, split_part(deliveries.channel_id, ':', 1)), 'skipped'
        from deliveries where deliveries.state = 'canceled' and deliveries.skipped_reason is not null and deliveries.updated_at >= ${filter.since} ${onPlatform}
    ) as outcomes
    group by day, platform, outcome
    order by day, platform`.execute(db);
  return rows.map((r) => ({ ...r, n: Number(r.n) }));
}

/**
 * Seconds from the moment a delivery's revision could go out (its last approval, or the release
 * time when that came later) to the delivery going live, for deliveries live since `since`:
 * p50 and p90 per platform, and over all platforms (platform null).
 */
export async function approvalToLivePercentiles(db: Kysely<DB>, filter: StatsFilter) {
  const onPlatform = filter.platform ? sql`and d.platform = ${filter.platform}` : sql``;
  const { rows } = await sql<{ platform: string | null; p50: number | null; p90: number | null; n: number }>`
    with waits as (
      select coalesce(d.platform, split_part(d.channel_id, ':', 1)) as platform,
             extract(epoch from d.live_at - greatest(a.approved_at, coalesce(p.release_at, a.approved_at)))::float8 as seconds
        from deliveries d
        join packages p on p.id = d.package_id
        join (select package_id, revision, max(decided_at) as approved_at from review_decisions
               where decision = 'approve' group by package_id, revision) a
          on a.package_id = d.package_id and a.revision = d.revision
       where d.live_at >= ${filter.since} ${onPlatform}
    )
    select platform, percentile_cont(0.5) within group (order by seconds) as p50,
           percentile_cont(0.9) within group (order by seconds) as p90, count(*)::int as n
      from waits group by grouping sets ((platform), ())`.execute(db);
  return rows.map((r) => ({ platform: r.platform, p50: r.p50 === null ? null : Number(r.p50), p90: r.p90 === null ? null : Number(r.p90), n: Number(r.n) }));
}

// ---- Channel health ---------------------------------------------------------------------------

/** Per channel: the last delivery that went live, and the last attempt that left an error on its delivery. */
export async function channelDeliveryTimes(db: Kysely<DB>) {
  const rows = await db
    .selectFrom('deliveries')
    .select([
      'channel_id',
      sql<Date | null>`max(live_at)`.as('last_success_at'),
      sql<Date | null>`max(case when error_class is not null or state in ('failed', 'needs_reconnect') then coalesce(last_attempt_at, updated_at) end)`.as(
        'last_failure_at',
      ),
    ])
    .groupBy('channel_id')
    .execute();
  return new Map(rows.map((r) => [r.channel_id, { lastSuccessAt: toDate(r.last_success_at), lastFailureAt: toDate(r.last_failure_at) }]));
}

/** Stored tokens that have expired (e.g. a refresh token: the account must be authorized again), by channel. */
export async function expiredChannelTokens(db: Kysely<DB>, now: Date, names: readonly string[]): Promise<Set<string>> {
  if (names.length === 0) return new Set();
  const rows = await db
    .selectFrom('channel_tokens')
    .select('channel_id')
    .where('name', 'in', [...names])
    .where('expires_at', '<', now)
    .execute();
  return new Set(rows.map((r) => r.channel_id));
}

function toDate(value: Date | string | null): Date | null {
  if (value === null) return null;
  return value instanceof Date ? value : new Date(value);
}

// ---- Changes (the events stream) ------------------------------------------------------------

/**
 * A position in the stream of changes: a row's updated_at in microseconds since the epoch (as
 * text: bigint), and its id, so rows changed in the same microsecond are not skipped.
 */
export interface ChangeCursor {
  micros: string;
  id: string;
}

const micros = (table: 'deliveries' | 'packages') => sql<string>`(floor(extract(epoch from ${sql.ref(`${table}.updated_at`)}) * 1000000))::bigint::text`;
const atMicros = (value: string) => sql`(timestamptz 'epoch' + ${value}::bigint * interval '1 microsecond')`;

/** The newest change now (its cursor), to start a stream from. */
export async function latestChange(db: Kysely<DB>): Promise<ChangeCursor> {
  const { rows } = await sql<{ micros: string | null }>`
    select (floor(extract(epoch from greatest(
      (select max(updated_at) from deliveries), (select max(updated_at) from packages), now() - interval '1 second'
    )) * 1000000))::bigint::text as micros`.execute(db);
  return { micros: rows[0]?.micros ?? '0', id: '' };
}

export interface ChangedDelivery {
  id: string;
  package_id: string;
  channel_id: string;
  platform: string | null;
  state: string;
  task: string | null;
  error_class: string | null;
  error_message: string | null;
  /** With the problems, what the error's Chinese sentence is made from (adapters/error-codes.ts). */
  platform_code: string | null;
  problems: unknown;
  public_url: string | null;
  updated_at: Date;
  micros: string;
}

export interface ChangedPackage {
  id: string;
  status: string;
  current_stage: string | null;
  current_revision: number;
  /** The stage and time of the rejection a returned draft stands by (null: not returned). */
  returned_stage: string | null;
  returned_at: Date | null;
  updated_at: Date;
  micros: string;
}

/** Rows changed after `after` (by updated_at, then id) and, when given, up to `upTo` included. */
function changedWindow(table: 'deliveries' | 'packages', after: ChangeCursor, upTo?: ChangeCursor) {
  const key = sql`(${sql.ref(`${table}.updated_at`)}, ${sql.ref(`${table}.id`)})`;
  const lower = sql`${key} > (${atMicros(after.micros)}, ${after.id})`;
  return upTo ? sql<boolean>`(${lower} and ${key} <= (${atMicros(upTo.micros)}, ${upTo.id}))` : sql<boolean>`${lower}`;
}

export async function deliveriesChanged(db: Kysely<DB>, after: ChangeCursor, limit: number, upTo?: ChangeCursor): Promise<ChangedDelivery[]> {
  return db
    .selectFrom('deliveries')
    .select([
      'id',
      'package_id',
      'channel_id',
      'platform',
      'state',
      'task',
      'error_class',
      'error_message',
      'platform_code',
      'problems',
      'public_url',
      'updated_at',
      micros('deliveries').as('micros'),
    ])
    .where(changedWindow('deliveries', after, upTo))
    .orderBy('updated_at')
    .orderBy('id')
    .limit(limit)
    .execute();
}

export async function packagesChanged(db: Kysely<DB>, after: ChangeCursor, limit: number, upTo?: ChangeCursor): Promise<ChangedPackage[]> {
  return db
    .selectFrom('packages')
    .leftJoin('review_decisions as rejection', (join) => join.onRef('rejection.package_id', '=', 'packages.id').on(standsReturned('rejection')))
    .select([
      'packages.id',
      'packages.status',
      'packages.current_stage',
      'packages.current_revision',
      'rejection.stage as returned_stage',
      'rejection.decided_at as returned_at',
      'packages.updated_at',
      micros('packages').as('micros'),
    ])
    .where(changedWindow('packages', after, upTo))
    .orderBy('packages.updated_at')
    .orderBy('packages.id')
    .limit(limit)
    .execute();
}
