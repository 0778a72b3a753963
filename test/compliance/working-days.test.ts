/** The working-day calendar: 2026's Spring Festival and National Day with their make-up days, counting rules, overrides, out of range. */
import { describe, expect, it } from 'vitest';
import { officialCalendar, workingDayCalendar } from '../../config/working-calendar.js';
import { CalendarOutOfRange, addMonths, calendarCoverageWarning, chinaDate, WorkingDayCalendar } from '../../domain/working-days.js';

const cal = workingDayCalendar();

describe('the official 2026 calendar (chinese-days)', () => {
  it('covers the years its data holds, 2026 included, and says where it comes from', () => {
    const { years, source } = officialCalendar();
    expect(years).toContain(2026);
    expect(years).toContain(2025);
    expect(years).not.toContain(2031);
    expect(source).toMatch(/^chinese-days \d+\.\d+\.\d+$/);
  });

  it('Spring Festival: 15–23 February off, Saturdays 14 and 28 February worked', () => {
    expect(cal.isWorkingDay('2026-02-13')).toBe(true);
    expect(cal.isWorkingDay('2026-02-14')).toBe(true);
    for (let d = 15; d <= 23; d++) expect(cal.isWorkingDay(`2026-02-${d}`)).toBe(false);
    expect(cal.isWorkingDay('2026-02-24')).toBe(true);
    expect(cal.isWorkingDay('2026-02-28')).toBe(true);
    expect(cal.isWorkingDay('2026-03-01')).toBe(false);
    expect(cal.workingDaysBetween('2026-02-13', '2026-02-24')).toBe(2);
    expect(cal.addWorkingDays('2026-02-13', 3)).toBe('2026-02-25');
  });

  it('National Day: 1–7 October off, Sunday 20 September and Saturday 10 October worked; Mid-Autumn Friday 25 September off', () => {
    expect(cal.isWorkingDay('2026-09-20')).toBe(true);
    expect(cal.isWorkingDay('2026-09-25')).toBe(false);
    for (let d = 1; d <= 7; d++) expect(cal.isWorkingDay(`2026-10-0${d}`)).toBe(false);
    expect(cal.isWorkingDay('2026-10-08')).toBe(true);
    expect(cal.isWorkingDay('2026-10-10')).toBe(true);
    expect(cal.isWorkingDay('2026-10-11')).toBe(false);
    expect(cal.addWorkingDays('2026-09-30', 1)).toBe('2026-10-08');
  });
});

describe('counting', () => {
  it('does not count the start day; the end day counts', () => {
    expect(cal.workingDaysBetween('2026-09-18', '2026-09-18')).toBe(0);
    expect(cal.workingDaysBetween('2026-09-18', '2026-09-23')).toBe(4);
    expect(cal.workingDaysBetween('2026-09-23', '2026-09-18')).toBe(0);
    expect(cal.addWorkingDays('2026-09-01', 20)).toBe('2026-09-29');
    expect(cal.workingDaysBetween('2026-09-01', '2026-09-29')).toBe(20);
    expect(cal.addWorkingDays('2026-09-18', 0)).toBe('2026-09-18');
    expect(() => cal.addWorkingDays('2026-09-18', -1)).toThrow(RangeError);
  });

  it('takes instants as their China calendar date', () => {
    expect(chinaDate('2026-09-30T16:30:00Z')).toBe('2026-10-01');
    expect(chinaDate(new Date('2026-09-30T15:59:59Z'))).toBe('2026-09-30');
    expect(cal.isWorkingDay(new Date('2026-09-30T16:30:00Z'))).toBe(false);
    expect(() => chinaDate('2026-02-30')).toThrow(RangeError);
    expect(addMonths('2026-08-31', 6)).toBe('2027-02-28');
    expect(addMonths('2026-04-11', 6)).toBe('2026-10-11');
  });

  it('reports a date outside the covered years instead of guessing', () => {
    expect(() => cal.isWorkingDay('2031-03-03')).toThrow(CalendarOutOfRange);
    try {
      cal.workingDaysBetween('2026-12-20', '2031-01-10');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(CalendarOutOfRange);
      expect((error as CalendarOutOfRange).year).toBe(2031);
      expect((error as CalendarOutOfRange).message).toContain('extraYears');
    }
    // Counting forward runs out of the covered years too.
    expect(() => cal.addWorkingDays('2026-12-20', 20)).toThrow(CalendarOutOfRange);
    expect(cal.covers('2026-12-31')).toBe(true);
    expect(cal.covers('2027-01-01')).toBe(false);
  });
});

describe('district overrides (workdays.yaml)', () => {
  it('adds days off and working days, and extra years entered in full', () => {
    const district = new WorkingDayCalendar(officialCalendar(), {
      daysOff: [{ date: '2026-07-01', reason: '区级防汛停工' }],
      workingDays: [{ date: '2026-10-07', reason: '区级值守' }],
      extraYears: [2027],
    });
    expect(cal.isWorkingDay('2026-07-01')).toBe(true);
    expect(district.isWorkingDay('2026-07-01')).toBe(false);
    expect(district.isWorkingDay('2026-10-07')).toBe(true);
    expect(district.isWorkingDay('2027-01-04')).toBe(true);
    expect(() => district.isWorkingDay('2028-01-04')).toThrow(CalendarOutOfRange);
    expect(district.source).toContain('workdays.yaml');
  });
});

describe('the calendar years an administrator must enter (govpub config check)', () => {
  const only2026 = new WorkingDayCalendar({ holidays: [], workdays: [], years: [2026], source: 'chinese-days 9.9.9' });
  it('next year missing is said from 1 November, China time, naming the notice and where it goes', () => {
    expect(calendarCoverageWarning(only2026, new Date('2026-10-31T15:59:00Z'))).toBeNull();
    const warning = calendarCoverageWarning(only2026, new Date('2026-10-31T16:00:00Z'));
    expect(warning).toMatch(
      /^The working-day calendar \(chinese-days 9\.9\.9\) covers 2026, not 2027: a limit that runs into 2027 is reported as calendar_out_of_range/,
    );
    expect(warning).toContain('国务院办公厅关于2027年部分节假日安排的通知');
    expect(warning).toContain('config/registry/workdays.yaml (extraYears');
  });
  it('this year missing is said at once; nothing is said once the years are entered', () => {
    expect(calendarCoverageWarning(only2026, new Date('2027-01-01T00:00:00+08:00'))).toMatch(/covers 2026, not 2027, this year: every working-day limit/);
    const entered = new WorkingDayCalendar(
      { holidays: [], workdays: [], years: [2026], source: 'chinese-days 9.9.9' },
      { daysOff: [], workingDays: [], extraYears: [2027] },
    );
    expect(calendarCoverageWarning(entered, new Date('2026-12-05T00:00:00Z'))).toBeNull();
    expect(calendarCoverageWarning(entered, new Date('2027-11-05T00:00:00Z'))).toMatch(/not 2028/);
  });
});
