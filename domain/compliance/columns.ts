/**
 * Portal columns, one finding per column: column_stale, column_long_stale and column_empty.
 *
 * Which columns are judged: leaf columns (the ones items are published into; a parent's page lists its
 * children's items, so judging it too would count one gap twice) whose updateClass is news_dynamic or
 * notice_policy. `other` columns (guides, static pages, link columns) have no update rule and are never
 * stale or "empty that should be updated".
 *
 * Stale: news/dynamic columns when more than `newsDynamicDays` days passed since the newest item;
 * notice/policy columns when today is past the same date `noticePolicyMonths` months later (6 months and
 * a day). Long stale (长期未更新), either class: today past the same date `longStaleMonths` months later (a
 * calendar year and a day by default: a count of 365 days would call the anniversary itself long stale
 * when a 29 February lies between). An empty column is reported as empty, not as stale.
 */
import { addMonths, chinaDate, daysBetween } from '../working-days.js';
import { SOURCE_ZH, type CheckContext } from './check-context.js';
import type { ColumnFacts } from './facts.js';
import type { FindingDraft } from './model.js';

/** The columns the update rules apply to. */
export function isJudgedColumn(column: Pick<ColumnFacts, 'leaf' | 'updateClass'>): boolean {
  return column.leaf && column.updateClass !== 'other';
}

export interface ColumnCounts {
  stale: number;
  longStale: number;
  empty: number;
  judged: number;
}

export function checkColumns(columns: readonly ColumnFacts[], ctx: CheckContext): { drafts: FindingDraft[]; counts: ColumnCounts } {
  const { newsDynamicDays, noticePolicyMonths, longStaleMonths } = ctx.thresholds.columns;
  const drafts: FindingDraft[] = [];
  const counts: ColumnCounts = { stale: 0, longStale: 0, empty: 0, judged: 0 };
  for (const column of columns) {
    if (!isJudgedColumn(column)) continue;
    counts.judged++;
    const subject = { type: 'column' as const, id: column.channelId, name: column.name };
    const classZh = column.updateClass === 'news_dynamic' ? '动态要闻类' : '通知公告/政策文件类';
    if (column.count === 0 || column.lastUpdatedAt === null) {
      counts.empty++;
      drafts.push({
        kind: 'column_empty',
        severity: 'warning',
        subject,
        ownerUnit: column.ownerUnit,
        message: `栏目「${column.name}」（${classZh}）没有任何内容（来源：${SOURCE_ZH[column.source]}），属于应更新而空白的栏目。请发布该栏目应有的信息，或在栏目配置中将其归为无更新要求的栏目（updateClass: other）。`,
        messageEn: `Column "${column.name}" (${column.updateClass}) is empty (per ${column.source}): it should be updated and has nothing. Publish what belongs there, or mark it updateClass: other in the registry if it has no update rule.`,
        facts: { count: column.count, lastUpdatedAt: null, updateClass: column.updateClass, source: column.source },
      });
      continue;
    }
    const last = chinaDate(column.lastUpdatedAt);
    const daysSinceUpdate = daysBetween(last, ctx.today);
    const stale = column.updateClass === 'news_dynamic' ? daysSinceUpdate > newsDynamicDays : ctx.today > addMonths(last, noticePolicyMonths);
    const limitZh = column.updateClass === 'news_dynamic' ? `${newsDynamicDays} 天` : `${noticePolicyMonths} 个月`;
    const limitEn = column.updateClass === 'news_dynamic' ? `${newsDynamicDays} days` : `${noticePolicyMonths} months`;
    const base = { lastUpdatedAt: column.lastUpdatedAt, count: column.count, updateClass: column.updateClass, source: column.source, daysSinceUpdate };
    if (stale) {
      counts.stale++;
      drafts.push({
        kind: 'column_stale',
        severity: 'warning',
        subject,
        ownerUnit: column.ownerUnit,
        message: `栏目「${column.name}」（${classZh}）已 ${daysSinceUpdate} 天未更新（最近更新：${last}），超过 ${limitZh} 的更新要求。请尽快发布该栏目的信息。`,
        messageEn: `Column "${column.name}" (${column.updateClass}) has not been updated for ${daysSinceUpdate} days (last ${last}), beyond its ${limitEn}. Publish to it now.`,
        facts: { ...base, limit: limitEn },
      });
    }
    if (ctx.today > addMonths(last, longStaleMonths)) {
      counts.longStale++;
      drafts.push({
        kind: 'column_long_stale',
        severity: 'warning',
        subject,
        ownerUnit: column.ownerUnit,
        message: `栏目「${column.name}」已 ${daysSinceUpdate} 天未更新（最近更新：${last}），属于长期未更新栏目（超过 ${longStaleMonths} 个月）。请发布该栏目的信息，或确认该栏目是否仍应保留。`,
        messageEn: `Column "${column.name}" has not been updated for ${daysSinceUpdate} days (last ${last}): long stale (over ${longStaleMonths} months). Publish to it, or decide whether the column should stay.`,
        facts: { ...base, limitMonths: longStaleMonths },
      });
    }
  }
  return { drafts, counts };
}
