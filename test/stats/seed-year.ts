/**
 * Rows for the annual figures, written directly (not through a year of workflows): packages with
 * their revisions, approvals and deliveries at chosen instants, and a bulk year of a whole
 * district generated inside PostgreSQL for the timing line.
 */
import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import type { DeliveryState } from '../../domain/delivery-state.js';

/** `2026-01-01 00:30` in Beijing time as an instant. */
export const beijing = (local: string) => new Date(`${local.replace(' ', 'T')}:00+08:00`);

export interface SeedPackage {
  id: string;
  catalogueItem: string;
  unit: string | null;
  createdBy: string;
  /** Interpretation forms per revision (revision 1 first). */
  revisions: string[][];
  approvals?: { revision: number; at: string; voided?: boolean }[];
  releaseAt?: string;
  retractedAt?: string;
  deliveries: { channel: string; revision: number; liveAt: string | null; state?: DeliveryState; takenDown?: string }[];
}

export async function seedPackage(db: Kysely<DB>, p: SeedPackage): Promise<void> {
  const at = (local: string | undefined | null) => (local ? beijing(local) : null);
  const firstLive =
    p.deliveries
      .map((d) => at(d.liveAt))
      .filter((d): d is Date => d !== null)
      .sort((a, b) => a.getTime() - b.getTime())[0] ?? null;
  await db
    .insertInto('packages')
    .values({
      id: p.id,
      title: `稿件 ${p.id}`,
      catalogue_item_id: p.catalogueItem,
      content_class: 'policy',
      status: p.retractedAt ? 'retracted' : firstLive ? 'released' : 'approved',
      current_revision: p.revisions.length,
      approved_revision: p.revisions.length,
      release_at: at(p.releaseAt),
      created_by: p.createdBy,
      released_at: firstLive,
      retracted_at: at(p.retractedAt),
      unit: p.unit,
    })
    .execute();
  await db
    .insertInto('package_revisions')
    .values(
      p.revisions.map((forms, i) => ({
        package_id: p.id,
        revision: i + 1,
        content: JSON.stringify({
          title: `稿件 ${p.id}`,
          catalogueItem: p.catalogueItem,
          document: { title: `文件 ${p.id}`, body: '<p>正文</p>', attachments: [] },
          interpretations: forms.map((form, j) => ({ form, title: `解读 ${j + 1}`, body: '<p>解读</p>' })),
          targets: [...new Set(p.deliveries.map((d) => d.channel))],
          releaseAt: null,
        }),
        content_hash: `${p.id}-${i + 1}`,
        created_by: p.createdBy,
      })),
    )
    .execute();
  for (const [i, a] of (p.approvals ?? []).entries()) {
    await db
      .insertInto('review_decisions')
      .values({
        package_id: p.id,
        revision: a.revision,
        stage: '终审',
        decision: 'approve',
        reviewer_id: p.createdBy,
        comment: '',
        decided_at: beijing(a.at),
        voided_at: a.voided ? beijing(a.at) : null,
        event_key: `${p.id}-approval-${i}`,
      })
      .execute();
  }
  for (const d of p.deliveries) {
    await db
      .insertInto('deliveries')
      .values({
        id: `${p.id}-${d.revision}-${d.channel}`,
        business_key: `${p.id}@${d.revision}→${d.channel}`,
        package_id: p.id,
        revision: d.revision,
        channel_id: d.channel,
        platform: d.channel.split(':')[0]!,
        state: d.state ?? (d.liveAt ? 'live' : 'failed'),
        live_at: at(d.liveAt),
        taken_down_at: at(d.takenDown),
      })
      .execute();
  }
}

/**
 * A whole district's year inside PostgreSQL: `packages` packages spread evenly over the year, each
 * live on a portal column, an account and a media-center column (three items), every tenth with a
 * text interpretation, every one approved an hour before it went live.
 */
export async function seedBulkYear(
  db: Kysely<DB>,
  options: { year: number; packages: number; createdBy: string; catalogueItem: string; portal: string[]; accounts: string[]; media: string[] },
): Promise<void> {
  const { year, packages: n, createdBy, catalogueItem } = options;
  const start = beijing(`${year}-01-01 00:00`);
  const span = `${365 * 86400} seconds`;
  await sql`
    insert into packages (id, title, catalogue_item_id, content_class, status, current_revision, approved_revision, created_by, released_at, unit)
    select 'bulk-' || g, '稿件 ' || g, ${catalogueItem}, 'news', 'released', 1, 1, ${createdBy},
           ${start}::timestamptz + (g::float8 / ${n}) * ${span}::interval + interval '1 minute', null
      from generate_series(0, ${n - 1}) g`.execute(db);
  await sql`
    insert into package_revisions (package_id, revision, content, content_hash, created_by)
    select 'bulk-' || g, 1,
           jsonb_build_object('title', '稿件 ' || g, 'interpretations',
             case when g % 10 = 0 then jsonb_build_array(jsonb_build_object('form', 'text', 'title', '解读', 'body', '<p>解读</p>')) else '[]'::jsonb end),
           'bulk-' || g, ${createdBy}
      from generate_series(0, ${n - 1}) g`.execute(db);
  await sql`
    insert into review_decisions (package_id, revision, stage, decision, reviewer_id, decided_at, event_key)
    select 'bulk-' || g, 1, '终审', 'approve', ${createdBy}, ${start}::timestamptz + (g::float8 / ${n}) * ${span}::interval, 'bulk-approve-' || g
      from generate_series(0, ${n - 1}) g`.execute(db);
  await sql`
    insert into deliveries (id, business_key, package_id, revision, channel_id, platform, state, live_at)
    select 'bulk-' || g || '-' || k, 'bulk-' || g || '@1→' || ch, 'bulk-' || g, 1, ch, split_part(ch, ':', 1), 'live',
           ${start}::timestamptz + (g::float8 / ${n}) * ${span}::interval + interval '1 hour'
      from generate_series(0, ${n - 1}) g
     cross join lateral (values
        (1, (${options.portal}::text[])[1 + g % ${options.portal.length}]),
        (2, (${options.accounts}::text[])[1 + g % ${options.accounts.length}]),
        (3, (${options.media}::text[])[1 + g % ${options.media.length}])) as c(k, ch)`.execute(db);
  await sql`analyze`.execute(db);
}
