/**
 * The annual figures (services/annual-stats.ts), counted in the database: one statement per table,
 * each grouping over the year's items so a year of a whole district (≈ 11,000 packages, 30,000
 * deliveries) is counted in milliseconds, never row by row in JavaScript.
 *
 * An item is one package on one channel: the first moment any revision of the package went live
 * there. A later revision on the same channel is the same item. An item whose delivery was taken
 * down since is "retracted". Months and days are Asia/Shanghai calendar terms.
 */
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { DB } from './schema.js';

export interface YearWindow {
  /** The first instant of the year in Beijing time. */
  start: Date;
  /** The first instant of the next year. */
  end: Date;
  /** Where the counted period stops: the end of the year, or now for the current year (for rates and gaps). */
  periodEnd: Date;
  /** Only packages of this unit id (an editor's scope), or every package. */
  unit: string | null;
  /** The unit's name: channels name their owner unit by it (accounts.yaml `ownerUnit`). */
  unitName: string | null;
  /**
   * The channels the unit owns or maintains as the registry says (its accounts, the portal columns it
   * maintains): listed in its figures with nothing in them too. The channels table names only accounts' owners.
   */
  unitChannels?: readonly string[];
}

const TZ = 'Asia/Shanghai';

/** The year's items: one row per (package, channel) first live within the window. */
function itemsCte(w: YearWindow): RawBuilder<unknown> {
  const ofUnit = w.unit === null ? sql`` : sql`and p.unit = ${w.unit}`;
  return sql`items as (
    select d.package_id, d.channel_id,
           min(d.live_at) as live_at,
           (array_agg(d.revision order by d.live_at))[1] as revision,
           bool_or(d.taken_down_at is not null or d.state in ('retracting', 'retracted')) as retracted
      from deliveries d
      join packages p on p.id = d.package_id
     where d.live_at is not null ${ofUnit}
     group by d.package_id, d.channel_id
    having min(d.live_at) >= ${w.start} and min(d.live_at) < ${w.end}
  )`;
}

const int = (v: unknown) => Number(v ?? 0);

export interface ChannelCount {
  channelId: string;
  platform: string;
  kind: string;
  name: string;
  ownerUnit: string | null;
  items: number;
  retractedItems: number;
}

/**
 * Items per channel, every registered channel included (a column with nothing in a year is a fact
 * the report needs). In a unit's scope: the channels its items went to, the accounts it owns and the
 * portal columns it maintains.
 */
export async function itemsPerChannel(db: Kysely<DB>, w: YearWindow): Promise<ChannelCount[]> {
  const owned = w.unitChannels?.length ? sql`c.id in (${sql.join(w.unitChannels)})` : sql`false`;
  const listed = w.unit === null ? sql`true` : sql`(c.owner_unit = ${w.unitName} or ${owned} or n.items + n.retracted > 0)`;
  const { rows } = await sql<{ id: string; platform: string; kind: string; name: string; owner_unit: string | null; items: number; retracted: number }>`
    with ${itemsCte(w)},
    per_channel as (
      select channel_id, count(*) filter (where not retracted) as items, count(*) filter (where retracted) as retracted
        from items group by channel_id
    )
    select c.id, c.platform, c.kind, c.name, c.owner_unit, coalesce(n.items, 0) as items, coalesce(n.retracted, 0) as retracted
      from channels c left join per_channel n on n.channel_id = c.id
     where ${listed}
    union all
    -- Items on a channel the registry no longer lists still count.
    select n.channel_id, split_part(n.channel_id, ':', 1), 'unregistered', n.channel_id, null, n.items, n.retracted
      from per_channel n where not exists (select 1 from channels c where c.id = n.channel_id)
  `.execute(db);
  return rows.map((r) => ({
    channelId: r.id,
    platform: r.platform,
    kind: r.kind,
    name: r.name,
    ownerUnit: r.owner_unit,
    items: int(r.items),
    retractedItems: int(r.retracted),
  }));
}

export interface MonthCount {
  month: number;
  kind: string;
  items: number;
  retractedItems: number;
}

/** Items per Beijing-time month and channel kind (portal, accounts, media center). */
export async function itemsPerMonth(db: Kysely<DB>, w: YearWindow): Promise<MonthCount[]> {
  const { rows } = await sql<{ month: number; kind: string | null; items: number; retracted: number }>`
    with ${itemsCte(w)}
    select extract(month from i.live_at at time zone ${TZ})::int as month, c.kind,
           count(*) filter (where not i.retracted) as items, count(*) filter (where i.retracted) as retracted
      from items i left join channels c on c.id = i.channel_id
     group by 1, 2
  `.execute(db);
  return rows.map((r) => ({ month: int(r.month), kind: r.kind ?? 'unregistered', items: int(r.items), retractedItems: int(r.retracted) }));
}

export interface CatalogueItemCount {
  catalogueItemId: string;
  packages: number;
  items: number;
  retractedItems: number;
}

/**
 * Per catalogue item: the packages first released in the year (a package belongs to the year of its
 * first item, as in the totals, so the categories add up to 首次发布的稿件数 and a package is never a
 * 稿件 of two years), and the year's items (a channel added this year to last year's package counts).
 * The service groups them by category.
 */
export async function itemsPerCatalogueItem(db: Kysely<DB>, w: YearWindow): Promise<CatalogueItemCount[]> {
  const { rows } = await sql<{ catalogue_item_id: string; packages: number; items: number; retracted: number }>`
    with ${itemsCte(w)},
    first_year as (
      select d.package_id from deliveries d
       where d.live_at is not null and d.package_id in (select package_id from items)
       group by d.package_id
      having min(d.live_at) >= ${w.start}
    )
    select p.catalogue_item_id, count(distinct f.package_id) as packages,
           count(*) filter (where not i.retracted) as items, count(*) filter (where i.retracted) as retracted
      from items i join packages p on p.id = i.package_id
      left join first_year f on f.package_id = i.package_id
     group by p.catalogue_item_id
  `.execute(db);
  return rows.map((r) => ({ catalogueItemId: r.catalogue_item_id, packages: int(r.packages), items: int(r.items), retractedItems: int(r.retracted) }));
}

export interface PackageTotals {
  /** Packages whose first item is in the year. */
  packages: number;
  /** Packages retracted within the year (whenever they were released). */
  retractions: number;
}

export async function packageTotals(db: Kysely<DB>, w: YearWindow): Promise<PackageTotals> {
  const ofUnit = w.unit === null ? sql`` : sql`and unit = ${w.unit}`;
  const { rows } = await sql<{ packages: number; retractions: number }>`
    select
      (select count(*) from (
         select d.package_id from deliveries d join packages p on p.id = d.package_id
          where d.live_at is not null ${w.unit === null ? sql`` : sql`and p.unit = ${w.unit}`}
          group by d.package_id having min(d.live_at) >= ${w.start} and min(d.live_at) < ${w.end}) first_live) as packages,
      (select count(*) from packages where retracted_at >= ${w.start} and retracted_at < ${w.end} ${ofUnit}) as retractions
  `.execute(db);
  return { packages: int(rows[0]?.packages), retractions: int(rows[0]?.retractions) };
}

export interface FormCount {
  form: string;
  /** Interpretations of packages still released. */
  count: number;
  /** Of packages retracted since. */
  retracted: number;
  /** Documents (packages) still released that carry at least one interpretation of this form: counted as `count` is, retracted ones left out. */
  packages: number;
}

/**
 * Interpretations by form, of the packages first released in the year: as written in the latest
 * revision that went live (a later revision may add one; it is counted once).
 */
export async function interpretationsByForm(db: Kysely<DB>, w: YearWindow): Promise<FormCount[]> {
  const ofUnit = w.unit === null ? sql`` : sql`and p.unit = ${w.unit}`;
  const { rows } = await sql<{ form: string; n: number; retracted: number; packages: number }>`
    with released as (
      select d.package_id, max(d.revision) as revision
        from deliveries d join packages p on p.id = d.package_id
       where d.live_at is not null ${ofUnit}
       group by d.package_id
      having min(d.live_at) >= ${w.start} and min(d.live_at) < ${w.end}
    )
    select i.value->>'form' as form,
           count(*) filter (where p.retracted_at is null) as n,
           count(*) filter (where p.retracted_at is not null) as retracted,
           -- 涉及文件数 counts what 数量 counts: the documents still published (a retracted one is in 已撤稿's count only).
           count(distinct r.package_id) filter (where p.retracted_at is null) as packages
      from released r
      join packages p on p.id = r.package_id
      join package_revisions pr on pr.package_id = r.package_id and pr.revision = r.revision
     cross join lateral jsonb_array_elements(case when jsonb_typeof(pr.content->'interpretations') = 'array'
                                                  then pr.content->'interpretations' else '[]'::jsonb end) as i(value)
     group by 1
  `.execute(db);
  return rows.map((r) => ({ form: r.form ?? 'unknown', count: int(r.n), retracted: int(r.retracted), packages: int(r.packages) }));
}

export interface WaitFigures {
  platform: string | null;
  items: number;
  p50: number | null;
  p90: number | null;
}

/**
 * Approval → live per item of the year: from the last approval of the revision that first went live
 * (or its release time, when it was scheduled later) to that moment. Per platform and overall (platform null).
 */
export async function approvalToLive(db: Kysely<DB>, w: YearWindow): Promise<WaitFigures[]> {
  const { rows } = await sql<{ platform: string | null; n: number; p50: number | null; p90: number | null }>`
    with ${itemsCte(w)},
    waits as (
      select split_part(i.channel_id, ':', 1) as platform,
             extract(epoch from i.live_at - greatest(a.approved_at, coalesce(p.release_at, a.approved_at)))::float8 as seconds
        from items i
        join packages p on p.id = i.package_id
        join (select package_id, revision, max(decided_at) as approved_at from review_decisions
               where decision = 'approve' and voided_at is null group by package_id, revision) a
          on a.package_id = i.package_id and a.revision = i.revision
    )
    select platform, count(*) as n,
           percentile_cont(0.5) within group (order by seconds) as p50,
           percentile_cont(0.9) within group (order by seconds) as p90
      from waits group by grouping sets ((platform), ())
  `.execute(db);
  return rows.map((r) => ({ platform: r.platform, items: int(r.n), p50: r.p50 === null ? null : Number(r.p50), p90: r.p90 === null ? null : Number(r.p90) }));
}

export interface AccountActivity {
  channelId: string;
  platform: string;
  name: string;
  ownerUnit: string | null;
  posts: number;
  /** Posts per Beijing month, January first (12 numbers). */
  byMonth: number[];
  /**
   * Longest wait between updates within the period, in elapsed Beijing calendar days from one mark to
   * the next, the period's start and end counting as marks: posts on 1 and 15 March are 14 days apart,
   * as the compliance monitor's two weeks count; a year with no post is 365 (366).
   */
  longestGapDays: number;
  gapFrom: Date;
  gapTo: Date;
}

/**
 * Every registered new-media account (in a unit's scope: the accounts the unit owns): its posts in
 * the year (items, retracted ones included: the account did update), per month, and the longest
 * gap in Beijing calendar days between the period's start, each post and the period's end.
 */
export async function accountActivity(db: Kysely<DB>, w: YearWindow): Promise<AccountActivity[]> {
  const ofUnit = w.unit === null ? sql`` : sql`and c.owner_unit = ${w.unitName}`;
  // Posts of any unit count on an account: the account updated, whoever wrote the package.
  const all: YearWindow = { ...w, unit: null, unitName: null };
  const { rows } = await sql<{
    id: string;
    platform: string;
    name: string;
    owner_unit: string | null;
    posts: number;
    by_month: number[] | null;
    gap_days: number | null;
    gap_from: Date | null;
    gap_to: Date | null;
  }>`
    with ${itemsCte(all)},
    accounts as (select c.id, c.platform, c.name, c.owner_unit from channels c where c.kind = 'new_media_account' ${ofUnit}),
    posts as (select i.channel_id, i.live_at from items i join accounts a on a.id = i.channel_id),
    marks as (
      select channel_id, live_at as at from posts
      union all select id, ${w.start}::timestamptz from accounts
      union all select id, ${w.periodEnd}::timestamptz from accounts
    ),
    gaps as (
      select channel_id, lag(at) over (partition by channel_id order by at) as gap_from, at as gap_to from marks
    ),
    longest as (
      select distinct on (channel_id) channel_id, gap_from, gap_to,
             (gap_to at time zone ${TZ})::date - (gap_from at time zone ${TZ})::date as gap_days
        from gaps where gap_from is not null
       order by channel_id, (gap_to at time zone ${TZ})::date - (gap_from at time zone ${TZ})::date desc, gap_from
    ),
    monthly as (
      select channel_id, extract(month from live_at at time zone ${TZ})::int as month, count(*)::int as n from posts group by 1, 2
    ),
    per_account as (
      select a.id,
             coalesce((select sum(m.n) from monthly m where m.channel_id = a.id), 0) as posts,
             array(select coalesce((select m.n from monthly m where m.channel_id = a.id and m.month = g.month), 0)
                     from generate_series(1, 12) as g(month) order by g.month) as by_month
        from accounts a
    )
    select a.id, a.platform, a.name, a.owner_unit, pa.posts, pa.by_month, l.gap_days, l.gap_from, l.gap_to
      from accounts a
      join per_account pa on pa.id = a.id
      left join longest l on l.channel_id = a.id
     order by a.id
  `.execute(db);
  return rows.map((r) => ({
    channelId: r.id,
    platform: r.platform,
    name: r.name,
    ownerUnit: r.owner_unit,
    posts: int(r.posts),
    byMonth: (r.by_month ?? []).map(int),
    longestGapDays: int(r.gap_days),
    gapFrom: new Date(r.gap_from ?? w.start),
    gapTo: new Date(r.gap_to ?? w.periodEnd),
  }));
}
