/**
 * The annual figures as tables a person reads: the CLI's table output and the CSV download share
 * these sections, so the two never disagree.
 *
 * CSV layout: one section per table, each a title line `[表名]`, a header line and its rows, with
 * a blank line between sections. A district office builds its 年度报告 from small tables
 * (主动公开情况, 政务新媒体, 政策解读): it selects a section in Excel and pastes it as it stands.
 * A long table with a `table` column would need a pivot first; scripts read the JSON instead.
 * UTF-8 with a byte-order mark and CRLF line ends, so Excel in China opens it as UTF-8, not GBK.
 */
import { CHANNEL_KIND_LABELS, lastDayOfPeriod, periodCutOffZh, type AnnualStats } from '../domain/annual-stats.js';

export interface ReportSection {
  id: string;
  title: string;
  titleEn: string;
  /** [zh, en] per column. */
  columns: [string, string][];
  rows: (string | number | null)[][];
}

/** The month table's columns, one per channel kind: together they make 合计. */
export const MONTH_KINDS = ['portal_column', 'new_media_account', 'media_center_column', 'unregistered'] as const;

const minutes = (sec: number | null) => (sec === null ? null : Math.round((sec / 60) * 10) / 10);
const beijingDate = (iso: string) => new Date(new Date(iso).getTime() + 8 * 3600_000).toISOString().slice(0, 10);

export function reportSections(s: AnnualStats): ReportSection[] {
  const channelsOf = (kind: string) => s.byChannel.filter((c) => c.kind === kind);
  return [
    {
      id: 'totals',
      title: '总量',
      titleEn: 'Totals',
      columns: [
        ['指标', 'figure'],
        ['数值', 'value'],
      ],
      rows: [
        ['发布条数（不含已撤稿）', s.totals.items],
        ['本年发布后已撤稿条数', s.totals.retractedItems],
        ['首次发布的稿件数', s.totals.packages],
        ['本年撤稿的稿件数', s.totals.retractions],
        ['政策解读数', s.totals.interpretations],
        ['审批通过到上线用时中位数（分钟）', minutes(s.approvalToLive.medianSec)],
      ],
    },
    {
      id: 'months',
      title: '按月发布条数',
      titleEn: 'Items per month',
      // Items on channels since removed from the registry have a column of their own, so the columns add up to 合计.
      columns: [['月份', 'month'], ...(MONTH_KINDS.map((k) => [CHANNEL_KIND_LABELS[k]!, k]) as [string, string][]), ['合计', 'items'], ['已撤稿', 'retracted']],
      rows: s.byMonth.map((m) => [`${m.month}月`, ...MONTH_KINDS.map((k) => m.byKind[k] ?? 0), m.items, m.retractedItems]),
    },
    {
      id: 'platforms',
      title: '按平台发布条数',
      titleEn: 'Items per platform',
      columns: [
        ['平台', 'platform'],
        ['发布条数', 'items'],
        ['已撤稿', 'retracted'],
      ],
      rows: s.byPlatform.map((p) => [p.platformName, p.items, p.retractedItems]),
    },
    {
      id: 'portal_columns',
      title: '门户网站栏目发布条数',
      titleEn: 'Items per portal column',
      columns: [
        ['栏目', 'column'],
        ['栏目编号', 'channel'],
        ['发布条数', 'items'],
        ['已撤稿', 'retracted'],
      ],
      rows: channelsOf('portal_column').map((c) => [c.name, c.channelId, c.items, c.retractedItems]),
    },
    {
      id: 'accounts',
      title: '政务新媒体账号更新情况',
      titleEn: 'New-media accounts',
      columns: [
        ['账号', 'account'],
        ['平台', 'platform'],
        ['主办单位', 'unit'],
        ['发布条数', 'posts'],
        ['月均', 'per month'],
        ['周均', 'per week'],
        ['最长未更新（天）', 'longest gap (days)'],
        ['起', 'from'],
        ['止', 'to'],
      ],
      rows: s.accounts.map((a) => [
        a.name,
        a.platformName,
        a.ownerUnit,
        a.posts,
        a.perMonth,
        a.perWeek,
        // A year that has not begun has no silence yet: empty cells, not 0 days ending before they start.
        ...(a.longestGap === null
          ? [null, null, null]
          : [
              a.longestGap.days,
              beijingDate(a.longestGap.from),
              // A silence running to the period's end ends on its last day (31 December), not on the next year's first.
              a.longestGap.to === s.period.to ? lastDayOfPeriod(a.longestGap.to) : beijingDate(a.longestGap.to),
            ]),
      ]),
    },
    {
      id: 'media_center',
      title: '融媒体中心栏目发布条数',
      titleEn: 'Items per media-center column',
      columns: [
        ['系统', 'system'],
        ['栏目', 'column'],
        ['发布条数', 'items'],
        ['已撤稿', 'retracted'],
      ],
      rows: channelsOf('media_center_column').map((c) => [c.platformName, c.name, c.items, c.retractedItems]),
    },
    {
      id: 'categories',
      title: '公开目录类别',
      titleEn: 'Catalogue categories',
      columns: [
        ['类别', 'category'],
        ['稿件数', 'packages'],
        ['发布条数', 'items'],
        ['已撤稿', 'retracted'],
      ],
      rows: s.byCategory.map((c) => [c.category, c.packages, c.items, c.retractedItems]),
    },
    {
      id: 'interpretations',
      title: '政策解读形式',
      titleEn: 'Interpretations by form',
      columns: [
        ['形式', 'form'],
        ['数量', 'count'],
        ['已撤稿', 'retracted'],
        ['涉及文件数', 'documents'],
      ],
      rows: s.interpretations.map((f) => [f.label, f.count, f.retracted, f.packages]),
    },
    {
      id: 'approval_to_live',
      title: '审批通过到上线用时',
      titleEn: 'Approval to live',
      columns: [
        ['平台', 'platform'],
        ['条数', 'items'],
        ['中位数（分钟）', 'median (min)'],
        ['90 分位（分钟）', 'p90 (min)'],
      ],
      rows: [
        ['全部', s.approvalToLive.items, minutes(s.approvalToLive.medianSec), minutes(s.approvalToLive.p90Sec)],
        ...s.approvalToLive.byPlatform.map((p) => [p.platformName, p.items, minutes(p.medianSec), minutes(p.p90Sec)]),
      ],
    },
  ];
}

/**
 * One CSV field: quoted when it must be, and a leading = + - @ (or tab, CR) neutralised with an
 * apostrophe, so a name from the registry never runs as a spreadsheet formula. Numbers stay numbers.
 */
export function csvField(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  // Control characters other than tab would break a line or hide text: drop them.
  let text = value.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '');
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function annualStatsCsv(s: AnnualStats): string {
  const line = (cells: (string | number | null)[]) => cells.map(csvField).join(',');
  const scope = s.unit === null ? '全区' : `单位：${s.unitName ?? s.unit}（${s.unit}）`;
  const lines = [
    line([`${s.year}年度政务发布统计`, scope, periodCutOffZh(s.year, s.period)]),
    line([
      '口径：一个稿件在一个渠道首次上线计为一条；同一渠道的后续修订不重复计数；本年发布后撤稿的单列为“已撤稿”，不计入发布条数；发往已移出目录的渠道的条数单列为“已移出目录的渠道”，计入合计。',
    ]),
  ];
  for (const section of reportSections(s)) {
    lines.push('', line([`[${section.title}]`]), line(section.columns.map(([zh]) => zh)), ...section.rows.map(line));
  }
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

export function annualStatsFileName(s: AnnualStats): string {
  return `govpub-annual-${s.year}${s.unit ? `-${s.unit}` : ''}.csv`;
}
