/**
 * The annual figures a district reports (年度报告): items per channel, portal column, platform and
 * catalogue category, interpretations by form, retractions, approval → live time and how often each
 * new-media account updates, for one Asia/Shanghai calendar year.
 *
 * What counts as an item (条): one package released to one channel, dated by the first moment it
 * went live there. A later revision of the same package on the same channel is the same item; a
 * package on a portal column and two accounts is three items. Items of the year taken down since
 * are counted apart (`retractedItems`), never in `items`. Counted from govpub's deliveries only:
 * posts made outside govpub are not in the database.
 *
 * Who reads it: reviewers, operations and administrators, district-wide (optionally one unit);
 * an editor reads their own unit's figures only (the packages their unit wrote, the accounts it owns,
 * the portal columns it maintains).
 */
import { PLATFORM_DECLARATIONS } from '../adapters/declarations.js';
import { userById } from '../db/tokens.js';
import {
  accountActivity,
  approvalToLive,
  interpretationsByForm,
  itemsPerCatalogueItem,
  itemsPerChannel,
  itemsPerMonth,
  packageTotals,
  type YearWindow,
} from '../db/annual-stats.js';
import { GovpubError } from '../domain/errors.js';
import { INTERPRETATION_FORMS } from '../domain/package-rules.js';
import type { Actor } from '../domain/package-rules.js';
import { CHANNEL_KIND_LABELS, FORM_LABELS, monthsInPeriod, type AnnualStats, type ItemCount } from '../domain/annual-stats.js';
import { listChannels } from '../domain/registry.js';
import { channelOwnerUnit, channelUnit } from '../domain/units.js';
import type { AppContext } from './context.js';

export type { AnnualStats };

const SHANGHAI_OFFSET_MS = 8 * 3600_000; // no daylight saving in China since 1991
const DAY_MS = 86_400_000;

const PLATFORM_NAMES: Record<string, string> = Object.fromEntries(PLATFORM_DECLARATIONS.map((d) => [d.id, d.localName]));
export const platformName = (platform: string) => PLATFORM_NAMES[platform] ?? platform;

/** The Beijing-time year [start, end) and where its counted period stops (now, for the current year). */
export function yearWindow(year: number, now: Date, unit: { id: string; name: string } | null): YearWindow {
  const start = new Date(Date.UTC(year, 0, 1) - SHANGHAI_OFFSET_MS);
  const end = new Date(Date.UTC(year + 1, 0, 1) - SHANGHAI_OFFSET_MS);
  const periodEnd = new Date(Math.min(end.getTime(), Math.max(start.getTime(), now.getTime())));
  return { start, end, periodEnd, unit: unit?.id ?? null, unitName: unit?.name ?? null };
}

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;
const seconds = (value: number | null) => (value === null ? null : round(value, 1));
const byZh = (a: string, b: string) => a.localeCompare(b, 'zh-CN');

export class AnnualStatsService {
  constructor(private readonly ctx: AppContext) {}

  /**
   * Whose figures the actor may read: an editor their unit's only; everyone else the district's, or
   * one unit's when they ask.
   */
  async scopeFor(actor: Pick<Actor, 'id' | 'role'>, requestedUnit: string | undefined): Promise<string | null> {
    if (requestedUnit !== undefined && !this.ctx.registry.units.some((u) => u.id === requestedUnit)) {
      throw new GovpubError(
        'invalid_query',
        `unit: "${requestedUnit}" is not a unit of config/registry/units.yaml; GET /api/units lists them.`,
        // The issue's sentence is one the API has in Chinese (api/validation.ts), so messageZh carries no English.
        { status: 400, issues: [{ path: 'unit', message: 'not a unit id from GET /api/units' }] },
        { zh: `参数 unit：「${requestedUnit}」不是已登记的单位（单位清单见 GET /api/units）。` },
      );
    }
    if (actor.role !== 'editor') return requestedUnit ?? null;
    const own = (await userById(this.ctx.db, actor.id))?.unit ?? null;
    if (own === null) {
      throw new GovpubError(
        'forbidden',
        'Editors read the annual figures of their own unit, and your user has none. Ask an administrator to set your unit (`govpub users set-unit`), or ask operations for the district figures.',
        { status: 403 },
        { zh: '编辑只能查看本单位的年度统计，但您的账号未设置所属单位。请联系管理员设置单位，或向运维人员索取全区统计。' },
      );
    }
    if (requestedUnit !== undefined && requestedUnit !== own) {
      throw new GovpubError(
        'forbidden',
        `Editors read the annual figures of their own unit (${own}) only, not of ${requestedUnit}.`,
        { status: 403 },
        { zh: `编辑只能查看本单位（${own}）的年度统计。` },
      );
    }
    return own;
  }

  async forYear(year: number, unit: string | null, now = new Date()): Promise<AnnualStats> {
    const registry = this.ctx.registry;
    const channelList = listChannels(registry);
    const w: YearWindow = {
      ...yearWindow(year, now, unit === null ? null : { id: unit, name: registry.units.find((u) => u.id === unit)?.name ?? unit }),
      ...(unit === null ? {} : { unitChannels: channelList.filter((c) => channelUnit(registry, c)?.id === unit).map((c) => c.id) }),
    };
    // Columns are maintained by a unit the registry names (units.yaml), not the channels table: said as the compliance findings say it.
    const ownerOf = new Map(channelList.map((c) => [c.id, channelOwnerUnit(registry, c)]));
    const db = this.ctx.db;
    const [channels, months, catalogue, totals, forms, waits, accounts] = await Promise.all([
      itemsPerChannel(db, w),
      itemsPerMonth(db, w),
      itemsPerCatalogueItem(db, w),
      packageTotals(db, w),
      interpretationsByForm(db, w),
      approvalToLive(db, w),
      accountActivity(db, w),
    ]);
    const periodDays = (w.periodEnd.getTime() - w.start.getTime()) / DAY_MS;
    // Asked before 1 January (Beijing time) of the year: nothing is counted yet, not even a silence.
    const begun = w.periodEnd.getTime() > w.start.getTime();
    const periodMonths = monthsInPeriod(year, w.periodEnd);

    const sum = <T extends ItemCount>(rows: T[]): ItemCount =>
      rows.reduce((t, r) => ({ items: t.items + r.items, retractedItems: t.retractedItems + r.retractedItems }), { items: 0, retractedItems: 0 });
    const groupCounts = <T extends ItemCount>(rows: T[], keyOf: (r: T) => string) => {
      const groups = new Map<string, ItemCount>();
      for (const r of rows) {
        const g = groups.get(keyOf(r)) ?? { items: 0, retractedItems: 0 };
        groups.set(keyOf(r), { items: g.items + r.items, retractedItems: g.retractedItems + r.retractedItems });
      }
      return groups;
    };

    const byMonth = Array.from({ length: 12 }, (_, i) => {
      const rows = months.filter((m) => m.month === i + 1);
      return { month: i + 1, ...sum(rows), byKind: Object.fromEntries(rows.map((r) => [r.kind, r.items])) };
    });
    const kinds = groupCounts(channels, (c) => c.kind);
    const platforms = groupCounts(channels, (c) => c.platform);
    const categoryOf = new Map(this.ctx.registry.catalogue.map((c) => [c.id, c.category]));
    const categories = new Map<string, { packages: number } & ItemCount>();
    for (const c of catalogue) {
      const category = categoryOf.get(c.catalogueItemId) ?? `（已移出目录）${c.catalogueItemId}`;
      const g = categories.get(category) ?? { packages: 0, items: 0, retractedItems: 0 };
      categories.set(category, { packages: g.packages + c.packages, items: g.items + c.items, retractedItems: g.retractedItems + c.retractedItems });
    }
    // Every form of the package rules, in their order, zeros included; an unknown stored form after them.
    const formRows = [...INTERPRETATION_FORMS, ...forms.map((f) => f.form).filter((f) => !(INTERPRETATION_FORMS as readonly string[]).includes(f))].map(
      (form) => {
        const found = forms.find((f) => f.form === form);
        return { form, label: FORM_LABELS[form] ?? form, count: found?.count ?? 0, retracted: found?.retracted ?? 0, packages: found?.packages ?? 0 };
      },
    );
    const overall = waits.find((x) => x.platform === null);
    const channelOrder = ['portal_column', 'new_media_account', 'media_center_column', 'unregistered'];

    return {
      year,
      timeZone: 'Asia/Shanghai',
      unit,
      unitName: w.unitName,
      period: { from: w.start.toISOString(), to: w.periodEnd.toISOString(), days: round(periodDays, 2), begun },
      totals: {
        ...sum(channels),
        packages: totals.packages,
        retractions: totals.retractions,
        interpretations: formRows.reduce((n, f) => n + f.count, 0),
      },
      byMonth,
      byKind: channelOrder.filter((k) => kinds.has(k)).map((kind) => ({ kind, label: CHANNEL_KIND_LABELS[kind] ?? kind, ...kinds.get(kind)! })),
      byPlatform: PLATFORM_DECLARATIONS.map((d) => d.id as string)
        .concat([...platforms.keys()].filter((p) => !PLATFORM_NAMES[p]))
        .filter((p) => platforms.has(p))
        .map((platform) => ({ platform, platformName: platformName(platform), ...platforms.get(platform)! })),
      byChannel: channels
        .map((c) => ({ ...c, ownerUnit: ownerOf.get(c.channelId) ?? c.ownerUnit, platformName: platformName(c.platform) }))
        .sort((a, b) => channelOrder.indexOf(a.kind) - channelOrder.indexOf(b.kind) || a.channelId.localeCompare(b.channelId)),
      byCategory: [...categories.entries()]
        .map(([category, counts]) => ({ category, ...counts }))
        .sort((a, b) => b.items - a.items || byZh(a.category, b.category)),
      interpretations: formRows,
      approvalToLive: {
        items: overall?.items ?? 0,
        medianSec: seconds(overall?.p50 ?? null),
        p90Sec: seconds(overall?.p90 ?? null),
        byPlatform: waits
          .filter((x): x is typeof x & { platform: string } => x.platform !== null)
          .map((x) => ({ platform: x.platform, platformName: platformName(x.platform), items: x.items, medianSec: seconds(x.p50), p90Sec: seconds(x.p90) }))
          .sort((a, b) => byZh(a.platformName, b.platformName)),
      },
      accounts: accounts.map((a) => ({
        channelId: a.channelId,
        platform: a.platform,
        platformName: platformName(a.platform),
        name: a.name,
        ownerUnit: a.ownerUnit,
        posts: a.posts,
        // Per calendar month and week of the counted period (a part year is not divided by 12, a whole one is).
        perMonth: periodMonths > 0 ? round(a.posts / periodMonths, 2) : null,
        perWeek: periodDays > 0 ? round(a.posts / (periodDays / 7), 2) : null,
        byMonth: a.byMonth,
        longestGap: begun ? { days: a.longestGapDays, from: a.gapFrom.toISOString(), to: a.gapTo.toISOString() } : null,
      })),
      limits: { accountFailDays: this.ctx.registry.compliance.accounts.failDays },
      generatedAt: now.toISOString(),
    };
  }
}
