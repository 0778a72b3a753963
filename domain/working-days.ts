/**
 * Working days (工作日) in the Asia/Shanghai calendar: Monday to Friday, less the official public
 * holidays, plus the make-up workdays (调休) on weekends, as the State Council's yearly notice sets them,
 * then the district's own extra days off or working days (config/registry/workdays.yaml). The official
 * days come from the kept `chinese-days` package (config/working-calendar.ts loads it); this module is
 * pure and takes them as data.
 *
 * A date in a year the calendar does not cover throws `CalendarOutOfRange`: a working-day count is
 * never guessed from weekdays alone. The checks turn it into a `calendar_out_of_range` finding.
 *
 * Counting periods (《政府信息公开条例》Art. 26 「自该政府信息形成或者变更之日起20个工作日内」; the
 * 三同步 「最迟不超过3个工作日」): as the Civil Code counts periods in days (民法典 Art. 201), the day
 * the period starts from is not counted. `workingDaysBetween(from, to)` counts the working days d with
 * from < d ≤ to, so a document formed on a Monday and released on the Tuesday took 1 working day, and
 * the 20-working-day deadline is `addWorkingDays(formedAt, 20)`: released on that day is in time, the
 * next working day (working day 21) is late. Times are taken as their China calendar date (UTC+8; China
 * has no daylight saving time), so a release at 23:30 China time counts on that day.
 */

/** A China calendar date, `YYYY-MM-DD`. */
export type CalendarDate = string;

/** The official arrangement: holidays (days off, weekends within them included or not) and make-up workdays. */
export interface OfficialCalendar {
  holidays: readonly CalendarDate[];
  workdays: readonly CalendarDate[];
  /** The years the data covers; nothing outside them is answered. */
  years: readonly number[];
  /** Where the data came from, for messages: `chinese-days 1.5.7`. */
  source: string;
}

/** District-specific days (config/registry/workdays.yaml). */
export interface WorkdayOverrides {
  /** Extra days off (a weekday that is not worked in the district). */
  daysOff: readonly { date: CalendarDate; reason: string }[];
  /** Extra working days (a day the district works although the official calendar rests). */
  workingDays: readonly { date: CalendarDate; reason: string }[];
  /**
   * Years the package does not cover yet, whose official arrangement the file enters in full (e.g. the
   * State Council's notice for next year is out before the package's next release).
   */
  extraYears: readonly number[];
}

export const NO_OVERRIDES: WorkdayOverrides = { daysOff: [], workingDays: [], extraYears: [] };

/** A date outside the years the calendar covers. */
export class CalendarOutOfRange extends Error {
  readonly code = 'calendar_out_of_range';
  constructor(
    readonly date: CalendarDate,
    readonly covered: readonly number[],
    readonly source: string,
  ) {
    super(
      `The working-day calendar (${source}) covers ${describeYears(covered)}, not ${date}: update the chinese-days package, or enter that year's official arrangement in config/registry/workdays.yaml (extraYears).`,
    );
    this.name = 'CalendarOutOfRange';
  }

  get year(): number {
    return Number(this.date.slice(0, 4));
  }
}

export function describeYears(years: readonly number[]): string {
  if (years.length === 0) return 'no year';
  const sorted = [...years].sort((a, b) => a - b);
  const runs: string[] = [];
  let start = sorted[0]!;
  let prev = start;
  for (const y of [...sorted.slice(1), Number.NaN]) {
    if (y === prev + 1) {
      prev = y;
      continue;
    }
    runs.push(start === prev ? String(start) : `${start}–${prev}`);
    start = prev = y;
  }
  return runs.join(', ');
}

const DAY_MS = 86_400_000;
const CHINA_OFFSET_MS = 8 * 3_600_000;
const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The China calendar date of an instant (or of a `YYYY-MM-DD` date, unchanged). */
export function chinaDate(value: Date | string): CalendarDate {
  if (typeof value === 'string') {
    if (DATE_ONLY.test(value)) {
      if (!isValidDate(value)) throw new RangeError(`"${value}" is not a calendar date`);
      return value;
    }
    value = new Date(value);
  }
  const ms = value.getTime();
  if (Number.isNaN(ms)) throw new RangeError('not a valid date or time');
  return new Date(ms + CHINA_OFFSET_MS).toISOString().slice(0, 10);
}

export function isValidDate(value: string): boolean {
  const m = DATE_ONLY.exec(value);
  if (!m) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

/** The date `days` calendar days after `date` (negative: before). */
export function addDays(date: CalendarDate, days: number): CalendarDate {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** Calendar days from `from` to `to` (to − from). */
export function daysBetween(from: CalendarDate, to: CalendarDate): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

/** The same day `months` months later, clamped to the month's end (2026-08-31 + 6 months = 2027-02-28). */
export function addMonths(date: CalendarDate, months: number): CalendarDate {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const total = y * 12 + (m - 1) + months;
  const year = Math.floor(total / 12);
  const month = (total % 12) + 1;
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(Math.min(d, last)).padStart(2, '0')}`;
}

export class WorkingDayCalendar {
  private readonly restDays: Set<CalendarDate>;
  private readonly extraWorkdays: Set<CalendarDate>;
  readonly years: readonly number[];
  private readonly yearSet: Set<number>;
  readonly source: string;

  constructor(official: OfficialCalendar, overrides: WorkdayOverrides = NO_OVERRIDES) {
    this.restDays = new Set(official.holidays);
    this.extraWorkdays = new Set(official.workdays);
    for (const { date } of overrides.workingDays) {
      this.restDays.delete(date);
      this.extraWorkdays.add(date);
    }
    for (const { date } of overrides.daysOff) {
      this.extraWorkdays.delete(date);
      this.restDays.add(date);
    }
    this.yearSet = new Set([...official.years, ...overrides.extraYears]);
    this.years = [...this.yearSet].sort((a, b) => a - b);
    this.source =
      overrides.daysOff.length || overrides.workingDays.length || overrides.extraYears.length ? `${official.source} + workdays.yaml` : official.source;
  }

  covers(date: Date | string): boolean {
    return this.yearSet.has(Number(chinaDate(date).slice(0, 4)));
  }

  private checked(date: Date | string): CalendarDate {
    const day = chinaDate(date);
    if (!this.yearSet.has(Number(day.slice(0, 4)))) throw new CalendarOutOfRange(day, this.years, this.source);
    return day;
  }

  /** Throws CalendarOutOfRange outside the covered years. */
  isWorkingDay(date: Date | string): boolean {
    const day = this.checked(date);
    if (this.extraWorkdays.has(day)) return true;
    if (this.restDays.has(day)) return false;
    const weekday = new Date(`${day}T00:00:00Z`).getUTCDay();
    return weekday !== 0 && weekday !== 6;
  }

  /**
   * The `n`th working day after `date` (the start day is not counted; n ≥ 0). `addWorkingDays(d, 0)` is
   * `d` itself. Throws CalendarOutOfRange when the count runs out of the covered years.
   */
  addWorkingDays(date: Date | string, n: number): CalendarDate {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`addWorkingDays counts forward a whole number of days, got ${n}`);
    let day = this.checked(date);
    for (let left = n; left > 0;) {
      day = addDays(day, 1);
      if (this.isWorkingDay(day)) left--;
    }
    return day;
  }

  /**
   * Working days d with from < d ≤ to (the start day is not counted; see the module comment). 0 when
   * `to` is on or before `from`'s date. Throws CalendarOutOfRange when a day between is not covered.
   */
  workingDaysBetween(from: Date | string, to: Date | string): number {
    const start = this.checked(from);
    const end = this.checked(to);
    let count = 0;
    for (let day = addDays(start, 1); day <= end; day = addDays(day, 1)) if (this.isWorkingDay(day)) count++;
    return count;
  }

  /**
   * The working days d with from < d ≤ to as far as the calendar can tell, never throwing: a day of a year
   * it does not cover counts 0 toward `min` and 1 toward `max` (any day may turn out a working day, a
   * weekend too by 调休). `min === max` and `uncovered` null when the calendar holds every day between.
   * A limit is decided without guessing when `max` is within it (in time whatever the missing year holds)
   * or `min` beyond it (late whatever it holds); only a count between is calendar_out_of_range. The
   * start day must be covered, as in `workingDaysBetween` (throws CalendarOutOfRange): it is where the
   * count begins, and a limit begun in a year the calendar does not hold is not judged at all.
   */
  workingDaysRange(from: Date | string, to: Date | string): { min: number; max: number; uncovered: CalendarDate | null } {
    const start = this.checked(from);
    const end = chinaDate(to);
    let min = 0;
    let max = 0;
    let uncovered: CalendarDate | null = null;
    for (let day = addDays(start, 1); day <= end; day = addDays(day, 1)) {
      if (!this.yearSet.has(Number(day.slice(0, 4)))) {
        max++;
        uncovered ??= day;
      } else if (this.isWorkingDay(day)) {
        min++;
        max++;
      }
    }
    return { min, max, uncovered };
  }

  /** The CalendarOutOfRange for a day `workingDaysRange` found uncovered, to throw when its range leaves a limit undecided. */
  outOfRange(date: CalendarDate): CalendarOutOfRange {
    return new CalendarOutOfRange(date, this.years, this.source);
  }
}

/**
 * What an administrator must do about the calendar's years, said before the checks meet the gap
 * (null when nothing). This year not covered: every working-day limit is reported, not checked.
 * Next year not covered from 1 November (the State Council's notice for the next year usually comes
 * out in October or November, and a 20-working-day limit begun in late November ends in January).
 */
export function calendarCoverageWarning(calendar: WorkingDayCalendar, today: Date, zh = false): string | null {
  const year = Number(chinaDate(today).slice(0, 4));
  const where = 'config/registry/workdays.yaml (extraYears, with its holidays under daysOff and its make-up workdays under workingDays)';
  const whereZh = 'config/registry/workdays.yaml（extraYears，节假日写在 daysOff，调休上班日写在 workingDays）';
  const yearsZh = calendar.years.length ? describeYears(calendar.years) : '（无年份）';
  if (!calendar.covers(`${year}-06-30`)) {
    if (zh)
      return `工作日日历（${calendar.source}）覆盖 ${yearsZh}，不含今年（${year} 年）：延伸到 ${year} 年的工作日时限（三同步 3 个工作日、第二十六条 20 个工作日）除日历已有日期足以判定的以外，均报告为 calendar_out_of_range，不作检查。请把国务院 ${year} 年节假日安排录入 ${whereZh}，或更新 chinese-days 软件包。`;
    return `The working-day calendar (${calendar.source}) covers ${describeYears(calendar.years)}, not ${year}, this year: every working-day limit (三同步 3 working days, Art. 26 20 working days) that runs into ${year} is reported as calendar_out_of_range instead of checked, unless the days the calendar holds decide it already. Enter the State Council's ${year} holiday arrangement in ${where}, or update the chinese-days package.`;
  }
  const month = Number(chinaDate(today).slice(5, 7));
  if (month >= 11 && !calendar.covers(`${year + 1}-06-30`)) {
    if (zh)
      return `工作日日历（${calendar.source}）覆盖 ${yearsZh}，不含 ${year + 1} 年：延伸到 ${year + 1} 年的时限将报告为 calendar_out_of_range，不作检查；1 月 1 日起所有时限都会如此。国务院办公厅关于${year + 1}年部分节假日安排的通知发布后，请录入 ${whereZh}，或更新 chinese-days 软件包。`;
    return `The working-day calendar (${calendar.source}) covers ${describeYears(calendar.years)}, not ${year + 1}: a limit that runs into ${year + 1} is reported as calendar_out_of_range instead of checked, and from 1 January every one is. When the State Council's notice on the ${year + 1} holidays (国务院办公厅关于${year + 1}年部分节假日安排的通知) is out, enter it in ${where}, or update the chinese-days package.`;
  }
  return null;
}
