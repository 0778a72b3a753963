/**
 * A year of Beilin-like publishing seeded straight into the database (not through a year of
 * workflows): packages, their revisions and live deliveries on every judged portal column and every
 * account, policy documents released with their interpretations in time, and the site probes of the
 * last week, all healthy by the default thresholds, so that a compliance run on it reports only what a
 * test plants. `cadence` sets the density (the bench seeds the whole registry at ≈ 11,000 packages).
 */
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import { isJudgedColumn } from '../../domain/compliance/columns.js';
import { listChannels, type Registry } from '../../domain/registry.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;

export interface YearCadence {
  /** Days between two items of a news/dynamic column (< 14 keeps it fresh). */
  newsDays: number;
  /** Days between two items of a notice/policy column (< 6 months). */
  noticeDays: number;
  /** Days between two posts of an account (< 10: no reminder). */
  accountDays: number;
  /** Policy documents released with their interpretations (三同步), spread over the year. */
  policyPackages: number;
  /** Days of data before `now`. */
  days: number;
}

export const TEST_CADENCE: YearCadence = { newsDays: 10, noticeDays: 90, accountDays: 7, policyPackages: 40, days: 365 };
/** ≈ 11,000 packages on the Beilin registry: the bench's year. */
export const WHOLE_REGISTRY_CADENCE: YearCadence = { newsDays: 3, noticeDays: 30, accountDays: 2, policyPackages: 600, days: 365 };

export interface PlantedPost {
  /** Channel id. */
  channelId: string;
  /** Its regular items stop here (the last one is at this time). */
  lastAt: Date;
}

export interface PlantedTiming {
  packageId: string;
  title: string;
  /** Document first live. */
  documentLiveAt: Date;
  /** Interpretation added by revision 2, live then. */
  interpretationLiveAt: Date;
}

export interface PlantedDisclosure {
  packageId: string;
  title: string;
  formedAt: string;
  liveAt: Date;
}

export interface YearPlan {
  now: Date;
  cadence?: YearCadence;
  /** Channels whose regular items stop at `lastAt` (a silent account, a stale column). */
  stopped?: PlantedPost[];
  /** Interpretations added later by a second revision. */
  lateInterpretations?: PlantedTiming[];
  /** Proactive policy documents formed and released on these dates. */
  disclosures?: PlantedDisclosure[];
  /** Probes of the last week: count and how many fail (default 2,016 all fine: one every 5 minutes). */
  probes?: { count: number; failed: number; slow: number };
}

export interface SeededYear {
  packages: number;
  deliveries: number;
  userId: string;
}

interface PackageSeed {
  id: string;
  title: string;
  catalogueItem: string;
  contentClass: string;
  document: Record<string, unknown>;
  revisions: { interpretations: number; liveAt: Date; channels: string[] }[];
}

/** A catalogue item without an interpretation requirement (ordinary items) and one with (policy documents). */
const PLAIN_ITEM = 'qzfb-wj';
const POLICY_ITEM = 'qzf-wj';

function hash(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex');
}

export async function seedComplianceYear(db: Kysely<DB>, registry: Registry, plan: YearPlan): Promise<SeededYear> {
  const cadence = plan.cadence ?? TEST_CADENCE;
  const now = plan.now.getTime();
  const start = now - cadence.days * DAY;
  const userId = 'compliance-year-editor';
  await db
    .insertInto('users')
    .values({ id: userId, name: userId, role: 'editor', stages: JSON.stringify([]), token_hash: hash(userId) })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();

  const stops = new Map((plan.stopped ?? []).map((s) => [s.channelId, s.lastAt.getTime()]));
  const seeds: PackageSeed[] = [];
  let n = 0;
  const nextId = () => `cy-${String(++n).padStart(6, '0')}`;
  const regular = (channelId: string, everyDays: number, label: string, phase: number) => {
    const stop = stops.get(channelId) ?? now - 2 * HOUR;
    // Newest first from the stop (or just before now), back to the start of the year.
    for (let at = stop, i = 0; at > start; at -= everyDays * DAY, i++) {
      // The newest item is exactly at the stop; older ones spread over the day.
      const liveAt = new Date(at - (i === 0 ? 0 : (phase % 5) * HOUR));
      seeds.push({
        id: nextId(),
        title: `${label} 第${i + 1}期`,
        catalogueItem: PLAIN_ITEM,
        contentClass: 'news',
        document: { title: `${label} 第${i + 1}期`, body: '<p>内容</p>', attachments: [] },
        revisions: [{ interpretations: 0, liveAt, channels: [channelId] }],
      });
    }
  };

  const columns = registry.portal.columns;
  const parents = new Set(columns.map((c) => c.parentId).filter(Boolean));
  columns.forEach((column, i) => {
    const leaf = !parents.has(column.id);
    if (!isJudgedColumn({ leaf, updateClass: column.updateClass })) return;
    regular(`portal:${column.id}`, column.updateClass === 'news_dynamic' ? cadence.newsDays : cadence.noticeDays, column.name, i);
  });
  const accounts = listChannels(registry).filter((c) => c.kind === 'new_media_account');
  accounts.forEach((account, i) => regular(account.id, cadence.accountDays, account.name, i));

  // Policy documents with their interpretations, released together (三同步), formed 5 days before.
  const policyColumn = registry.catalogue.find((c) => c.id === POLICY_ITEM)!.portalColumnId;
  for (let i = 0; i < cadence.policyPackages; i++) {
    const liveAt = new Date(start + ((i + 0.5) / cadence.policyPackages) * (now - start - 3 * DAY));
    seeds.push({
      id: nextId(),
      title: `碑政发文件 ${i + 1}`,
      catalogueItem: POLICY_ITEM,
      contentClass: 'policy',
      document: { title: `碑政发文件 ${i + 1}`, body: '<p>正文</p>', attachments: [], formedAt: chinaDay(liveAt.getTime() - 5 * DAY) },
      revisions: [{ interpretations: 1, liveAt, channels: [`portal:${policyColumn}`] }],
    });
  }
  for (const late of plan.lateInterpretations ?? []) {
    seeds.push({
      id: late.packageId,
      title: late.title,
      catalogueItem: PLAIN_ITEM,
      contentClass: 'policy',
      document: { title: late.title, body: '<p>正文</p>', attachments: [] },
      revisions: [
        { interpretations: 0, liveAt: late.documentLiveAt, channels: [`portal:${policyColumn}`] },
        { interpretations: 1, liveAt: late.interpretationLiveAt, channels: [`portal:${policyColumn}`] },
      ],
    });
  }
  for (const d of plan.disclosures ?? []) {
    seeds.push({
      id: d.packageId,
      title: d.title,
      catalogueItem: PLAIN_ITEM,
      contentClass: 'policy',
      document: { title: d.title, body: '<p>正文</p>', attachments: [], formedAt: d.formedAt },
      revisions: [{ interpretations: 0, liveAt: d.liveAt, channels: [`portal:${policyColumn}`] }],
    });
  }

  let deliveries = 0;
  for (let i = 0; i < seeds.length; i += 1000) {
    const chunk = seeds.slice(i, i + 1000);
    await db.transaction().execute(async (trx) => {
      await trx
        .insertInto('packages')
        .values(
          chunk.map((p) => {
            const last = p.revisions[p.revisions.length - 1]!;
            return {
              id: p.id,
              title: p.title,
              catalogue_item_id: p.catalogueItem,
              content_class: p.contentClass,
              status: 'released',
              current_revision: p.revisions.length,
              approved_revision: p.revisions.length,
              created_by: userId,
              created_at: new Date(p.revisions[0]!.liveAt.getTime() - DAY),
              updated_at: last.liveAt,
              released_at: p.revisions[0]!.liveAt,
            };
          }),
        )
        .execute();
      const revisions = chunk.flatMap((p) =>
        p.revisions.map((r, index) => {
          const content = {
            title: p.title,
            catalogueItem: p.catalogueItem,
            document: p.document,
            interpretations: Array.from({ length: r.interpretations }, (_, k) => ({ form: 'text', title: `${p.title} 解读 ${k + 1}`, body: '<p>解读</p>' })),
            targets: r.channels,
            releaseAt: null,
          };
          return {
            package_id: p.id,
            revision: index + 1,
            content: JSON.stringify(content),
            content_hash: hash(content),
            created_by: userId,
            created_at: new Date(r.liveAt.getTime() - HOUR),
          };
        }),
      );
      await trx.insertInto('package_revisions').values(revisions).execute();
      const rows = chunk.flatMap((p) =>
        p.revisions.flatMap((r, index) =>
          r.channels.map((channelId) => ({
            id: `${p.id}-${index + 1}-${channelId}`,
            business_key: `${p.id}@${index + 1}→${channelId}`,
            package_id: p.id,
            revision: index + 1,
            channel_id: channelId,
            platform: channelId.slice(0, channelId.indexOf(':')),
            state: 'live' as const,
            live_at: r.liveAt,
            created_at: r.liveAt,
            updated_at: r.liveAt,
          })),
        ),
      );
      deliveries += rows.length;
      await trx.insertInto('deliveries').values(rows).execute();
    });
  }

  const probes = plan.probes ?? { count: 2016, failed: 0, slow: 0 };
  const probeRows = Array.from({ length: probes.count }, (_, i) => ({
    at: new Date(now - (i + 1) * ((7 * DAY) / (probes.count + 1))),
    url: 'https://www.beilin.gov.cn/',
    ok: i >= probes.failed,
    duration_ms: i >= probes.failed && i < probes.failed + probes.slow ? 16_000 : 350,
    status: i >= probes.failed ? 200 : null,
    error: i >= probes.failed ? null : 'connect ETIMEDOUT',
  }));
  for (let i = 0; i < probeRows.length; i += 1000)
    await db
      .insertInto('site_probes')
      .values(probeRows.slice(i, i + 1000))
      .execute();
  return { packages: seeds.length, deliveries, userId };
}

/** A China calendar date n ms from the epoch. */
function chinaDay(ms: number): string {
  return new Date(ms + 8 * HOUR).toISOString().slice(0, 10);
}

/** An instant given as China wall time: `china('2026-09-18 10:00')`. */
export function china(wall: string): Date {
  return new Date(`${wall.replace(' ', 'T')}:00+08:00`);
}
