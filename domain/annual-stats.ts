/**
 * The annual figures as the API answers them (GET /api/stats, `govpub stats --format json`): the
 * shape the service builds, the route serializes and the console reads. Pure types.
 *
 * An item (条) is one package released to one channel, dated by the first moment it went live
 * there (Asia/Shanghai); a later revision on the same channel is the same item; items of the year
 * taken down since are counted in `retractedItems`, never in `items`.
 *
 * Also the pure pieces the CLI shares with the service (labels, the year check), so the CLI loads
 * no database code for them.
 */
import { GovpubError } from './errors.js';

export const FIRST_YEAR = 2000;
export const LAST_YEAR = 2100;

export const CHANNEL_KIND_LABELS: Record<string, string> = {
  portal_column: '门户网站',
  new_media_account: '政务新媒体',
  media_center_column: '融媒体中心',
  unregistered: '已移出目录的渠道',
};

export const FORM_LABELS: Record<string, string> = {
  text: '文字解读',
  graphic: '图表图解',
  cartoon: '漫画解读',
  video: '视频解读',
  audio: '音频解读',
  h5: 'H5 解读',
  leader_interview: '主要负责人解读',
};

/**
 * The year as a number, or a 400 that names the parameter. Only four digits as written (2026): not
 * " 2026", "02026", "+2026" or "2026.0", which the API refuses too (api/validation.ts).
 */
export function parseYear(value: unknown, parameter = 'year'): number {
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value : '';
  const year = /^[1-9]\d{3}$/.test(text) ? Number(text) : NaN;
  if (!Number.isInteger(year) || year < FIRST_YEAR || year > LAST_YEAR) {
    throw new GovpubError(
      'invalid_query',
      `${parameter}: expected a calendar year from ${FIRST_YEAR} to ${LAST_YEAR} (e.g. 2026), got ${JSON.stringify(value ?? null)}.`,
      { status: 400, issues: [{ path: parameter, message: `expected a year from ${FIRST_YEAR} to ${LAST_YEAR}` }] },
      { zh: `参数 ${parameter} 应为 ${FIRST_YEAR} 至 ${LAST_YEAR} 之间的年份，写作四位数字（例如 2026），实际为 ${JSON.stringify(value ?? null)}。` },
    );
  }
  return year;
}

const BEIJING_OFFSET_MS = 8 * 3600_000; // no daylight saving in China since 1991

/**
 * Calendar months in the counted period, which starts on 1 January (Beijing time) and ends at
 * `periodEnd`: 12 for a whole year (a leap year too), else the whole months before `periodEnd` and the
 * share of its own month that has passed. "Per month" divides by this, so a year of 120 posts is 10 a
 * month, as an inspector divides, not 120 ÷ (366 ÷ 30.44).
 */
export function monthsInPeriod(year: number, periodEnd: Date): number {
  const local = new Date(periodEnd.getTime() + BEIJING_OFFSET_MS); // Beijing wall time in the UTC fields
  if (local.getUTCFullYear() > year) return 12;
  if (local.getUTCFullYear() < year) return 0;
  const month = local.getUTCMonth();
  const monthStart = Date.UTC(year, month, 1);
  return month + (local.getTime() - monthStart) / (Date.UTC(year, month + 1, 1) - monthStart);
}

/**
 * The last Beijing-time day a period ending at `endIso` includes: a whole year ends at 00:00 on the
 * next 1 January, which is not in it (2026's figures run to 2026-12-31); the current year, to today.
 */
export function lastDayOfPeriod(endIso: string): string {
  return new Date(Date.parse(endIso) - 1 + BEIJING_OFFSET_MS).toISOString().slice(0, 10);
}

/**
 * The last day counted, as the CSV, the CLI and the console say it (统计截至 2026-12-31), or null for a
 * year that has not begun: its period is empty, and a cut-off before its first day would be untrue.
 */
export function periodCutOff(period: AnnualStats['period']): string | null {
  return period.begun ? lastDayOfPeriod(period.to) : null;
}

/** The cut-off in a sentence: 「统计截至 2026-12-31（北京时间）」, or that the year has not begun. */
export function periodCutOffZh(year: number, period: AnnualStats['period']): string {
  const day = periodCutOff(period);
  return day === null ? `${year}年尚未开始（北京时间），没有可统计的数据` : `统计截至 ${day}（北京时间）`;
}

/**
 * A wait as the console words it. Under a minute in seconds (「1.4 秒」 under ten, 「14 秒」 above: a
 * release goes live in seconds, and 「0 分钟」 would say nothing), then whole minutes 「45 分钟」 and
 * hours 「2 小时 5 分钟」. Rounded before it is split, so 59.6 s reads 1 分钟 and 1 h 59 min 50 s reads
 * 2 小时 0 分钟, never 60 秒 or 1 小时 60 分钟.
 */
export function durationZh(seconds: number): string {
  if (Math.round(seconds * 10) < 100) return `${(Math.round(seconds * 10) / 10).toFixed(1)} 秒`;
  if (Math.round(seconds) < 60) return `${Math.round(seconds)} 秒`;
  const minutes = Math.round(seconds / 60);
  return minutes < 60 ? `${minutes} 分钟` : `${Math.floor(minutes / 60)} 小时 ${minutes % 60} 分钟`;
}

/**
 * The unit a chart of waits is drawn in, chosen from its longest wait so the bars show: seconds up to
 * two minutes, minutes up to two hours, hours beyond. On a minutes axis a portal that goes live in
 * 0.8 s would be a bar of 0.0. `value` converts seconds to the unit, to a tenth.
 */
export function waitScale(longestSeconds: number): { unit: '秒' | '分钟' | '小时'; value: (seconds: number) => number } {
  const [unit, perUnit] = longestSeconds < 120 ? (['秒', 1] as const) : longestSeconds < 7200 ? (['分钟', 60] as const) : (['小时', 3600] as const);
  return { unit, value: (seconds) => Math.round((seconds / perUnit) * 10) / 10 };
}

export interface ItemCount {
  items: number;
  retractedItems: number;
}

export interface AnnualStats {
  year: number;
  timeZone: 'Asia/Shanghai';
  /** null: the whole district; else the unit whose packages (and accounts) are counted. */
  unit: string | null;
  /** The unit's name as units.yaml writes it (区教育局), for headings an inspector reads; null for the whole district. */
  unitName: string | null;
  /**
   * The counted period: the year, or up to now for the current year (rates and gaps use it). `begun`
   * false: the year has not begun in Beijing time; `to` is then `from`, no day is counted and the
   * figures are zeros.
   */
  period: { from: string; to: string; days: number; begun: boolean };
  totals: {
    items: number;
    retractedItems: number;
    /** Packages first released in the year. */
    packages: number;
    /** Packages retracted in the year (whenever they were released). */
    retractions: number;
    interpretations: number;
  };
  byMonth: ({ month: number } & ItemCount & { byKind: Record<string, number> })[];
  byKind: ({ kind: string; label: string } & ItemCount)[];
  byPlatform: ({ platform: string; platformName: string } & ItemCount)[];
  /** Every channel: portal columns, accounts, media-center columns (kind says which). */
  byChannel: ({ channelId: string; platform: string; platformName: string; kind: string; name: string; ownerUnit: string | null } & ItemCount)[];
  byCategory: ({ category: string; packages: number } & ItemCount)[];
  /** count and packages (涉及文件数) count the packages still released; retracted counts the interpretations of retracted ones. */
  interpretations: { form: string; label: string; count: number; retracted: number; packages: number }[];
  approvalToLive: {
    items: number;
    medianSec: number | null;
    p90Sec: number | null;
    byPlatform: { platform: string; platformName: string; items: number; medianSec: number | null; p90Sec: number | null }[];
  };
  accounts: {
    channelId: string;
    platform: string;
    platformName: string;
    name: string;
    ownerUnit: string | null;
    posts: number;
    perMonth: number | null;
    perWeek: number | null;
    byMonth: number[];
    /** Null for a year that has not begun: no day counted, so no silence either (not a gap ending before it starts). */
    longestGap: { days: number; from: string; to: string } | null;
  }[];
  /** The configured limits the figures are read against (config/registry/compliance.yaml), so no reader hard-codes them. */
  limits: {
    /** An account this many days without a post fails the inspectors' 「两周内无更新」 (accounts.failDays). */
    accountFailDays: number;
  };
  generatedAt: string;
}
