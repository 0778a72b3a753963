/**
 * The site as a whole: the column counts against the veto thresholds (BRIEF section 4), home page
 * freshness and reachability. Each threshold also comes back as a ThresholdStatus for the console.
 */
import { chinaDate, daysBetween } from '../working-days.js';
import { SOURCE_ZH, type CheckContext } from './check-context.js';
import type { ColumnCounts } from './columns.js';
import type { SiteFacts } from './facts.js';
import type { FindingDraft, ThresholdStatus } from './model.js';

const SITE = { type: 'site' as const, id: 'portal', name: '区政府门户网站' };

export function checkSite(counts: ColumnCounts, site: SiteFacts, ctx: CheckContext): { drafts: FindingDraft[]; thresholds: ThresholdStatus[] } {
  const t = ctx.thresholds.site;
  const drafts: FindingDraft[] = [];
  const owner = ctx.siteOwnerUnit;

  const countRule = (
    kind: 'site_stale_columns' | 'site_long_stale_columns' | 'site_empty_columns',
    id: string,
    label: string,
    value: number,
    limit: number,
    what: { zh: string; en: string; todo: string; todoEn: string },
  ): ThresholdStatus => {
    const failed = value >= limit;
    if (failed)
      drafts.push({
        kind,
        severity: 'veto',
        subject: SITE,
        ownerUnit: owner,
        message: `${what.zh}共 ${value} 个，达到单项否决线（${limit} 个）。${what.todo}`,
        messageEn: `${value} ${what.en} reach the veto threshold of ${limit}. ${what.todoEn}`,
        facts: { value, limit },
      });
    return { id, label, value, limit, failed };
  };

  const thresholds: ThresholdStatus[] = [
    countRule('site_stale_columns', 'stale_columns', '未按时更新栏目数', counts.stale, t.staleColumns, {
      zh: '未按时更新的栏目（动态要闻类超过两周、通知公告/政策文件类超过六个月）',
      en: 'columns not updated in time (news/dynamic over 2 weeks, notice/policy over 6 months)',
      todo: '请各栏目维护单位按各栏目的提醒尽快更新。',
      todoEn: "Have each column's unit update it (see the column findings).",
    }),
    countRule('site_long_stale_columns', 'long_stale_columns', '长期未更新栏目数', counts.longStale, t.longStaleColumns, {
      zh: '长期未更新的栏目',
      en: 'long-stale columns',
      todo: '请更新这些栏目，或清理不再需要的栏目。',
      todoEn: 'Update them, or remove the columns no longer needed.',
    }),
    countRule('site_empty_columns', 'empty_columns', '空白栏目数', counts.empty, t.emptyColumns, {
      zh: '应更新而空白的栏目',
      en: 'empty columns that should be updated',
      todo: '请为这些栏目发布内容，或调整栏目设置。',
      todoEn: 'Publish to them, or change the column structure.',
    }),
  ];

  // Home page freshness.
  const daysSinceHomeUpdate = site.homeLastUpdatedAt === null ? null : daysBetween(chinaDate(site.homeLastUpdatedAt), ctx.today);
  const homeFailed = daysSinceHomeUpdate === null || daysSinceHomeUpdate > t.homeStaleDays;
  if (homeFailed)
    drafts.push({
      kind: 'home_stale',
      severity: 'veto',
      subject: SITE,
      ownerUnit: owner,
      message:
        daysSinceHomeUpdate === null
          ? `门户网站首页没有任何内容（来源：${SOURCE_ZH[site.homeSource]}），首页超过 ${t.homeStaleDays} 天未更新即单项否决。请尽快发布内容。`
          : `门户网站首页已 ${daysSinceHomeUpdate} 天未更新（最近更新：${chinaDate(site.homeLastUpdatedAt!)}，来源：${SOURCE_ZH[site.homeSource]}），超过 ${t.homeStaleDays} 天即单项否决。请尽快发布内容。`,
      messageEn:
        daysSinceHomeUpdate === null
          ? `The portal home page shows nothing (per ${site.homeSource}); a home page not updated for over ${t.homeStaleDays} days is a veto. Publish now.`
          : `The portal home page has not changed for ${daysSinceHomeUpdate} days (last ${chinaDate(site.homeLastUpdatedAt!)}, per ${site.homeSource}); over ${t.homeStaleDays} days is a veto. Publish now.`,
      facts: { lastUpdatedAt: site.homeLastUpdatedAt, daysSinceHomeUpdate, limitDays: t.homeStaleDays, source: site.homeSource },
    });
  thresholds.push({ id: 'home_stale_days', label: '首页未更新天数', value: daysSinceHomeUpdate ?? 0, limit: t.homeStaleDays, failed: homeFailed });

  // Reachability, as 国办秘函〔2019〕19号 words it: 「超过（含）15秒网站仍打不开的次数累计占比超过（含）5%」.
  // Both limits include their figure: a probe of exactly 15 s has failed, and exactly 5 % failed is a veto.
  const total = site.probes.length;
  const failedProbes = site.probes.filter((p) => !p.ok || p.durationMs >= t.probeTimeoutMs).length;
  const slow = site.probes.filter((p) => p.ok && p.durationMs >= t.probeTimeoutMs).length;
  const share = total === 0 ? 0 : Math.round((failedProbes / total) * 10_000) / 100;
  const judged = total >= t.minProbes;
  // Judged on the exact share, not the rounded one shown: 999 failures in 20,001 probes show 4.99 %, 1,000 in 20,001 show 5 % and pass.
  const unreachable = judged && failedProbes * 100 >= t.unreachablePercent * total;
  if (unreachable)
    drafts.push({
      kind: 'site_unreachable',
      severity: 'veto',
      subject: SITE,
      ownerUnit: owner,
      message: `近 ${t.probeWindowDays} 天 ${total} 次访问探测中有 ${failedProbes} 次失败（其中 ${slow} 次达到或超过 ${t.probeTimeoutMs / 1000} 秒），失败率 ${share}%，达到或超过 ${t.unreachablePercent}% 即单项否决。请检查网站服务器、网络和域名解析。`,
      messageEn: `${failedProbes} of ${total} probes in the last ${t.probeWindowDays} days failed (${slow} of them took ${t.probeTimeoutMs / 1000} s or longer): ${share} %, at or over the ${t.unreachablePercent} % veto limit. Check the web server, the network and DNS.`,
      facts: { probes: total, failed: failedProbes, slow, share, limitPercent: t.unreachablePercent, window: site.probeWindow },
    });
  thresholds.push({
    id: 'unreachable_share',
    label: judged ? '网站访问失败率（%）' : '网站访问失败率（%）：探测次数不足，未判定',
    value: share,
    limit: t.unreachablePercent,
    failed: unreachable,
  });
  return { drafts, thresholds };
}
