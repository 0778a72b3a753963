/** The release time and a manual post's time: an offset no time zone uses is a slip of the keyboard, refused by name. */
import { describe, expect, it } from 'vitest';
import { isInstantWithOffset, postedAtProblem, releaseTimeProblem } from '../../domain/commands.js';
import { chinaTime, chinaTimeToSecond } from '../../domain/beijing-time.js';

describe('instants with an offset', () => {
  it('takes Z and every offset in use, from -12:00 to +14:00 (Nepal +05:45 too)', () => {
    for (const value of [
      '2027-01-01T09:00:00Z',
      '2027-01-01T09:00:00+08:00',
      '2027-01-01T09:00:00+14:00',
      '2027-01-01T09:00:00-12:00',
      '2027-01-01T09:00:00+05:45',
    ]) {
      expect(isInstantWithOffset(value), value).toBe(true);
      expect(releaseTimeProblem(value), value).toBeNull();
      expect(postedAtProblem(value), value).toBeNull();
    }
  });

  it('refuses an offset no time zone uses, naming it and Beijing time (before: -23:59 moved the release by almost a day)', () => {
    for (const [value, offset] of [
      ['2027-01-01T09:00:00-23:59', '-23:59'],
      ['2027-01-01T09:00:00+15:00', '+15:00'],
      ['2027-01-01T09:00:00-12:30', '-12:30'],
      ['2027-01-01T09:00:00+08:60', '+08:60'],
    ] as const) {
      expect(isInstantWithOffset(value), value).toBe(false);
      const problem = releaseTimeProblem(value)!;
      expect(problem.code).toBe('invalid_release_time');
      expect(problem.message).toBe(
        `${value}: the offset ${offset} is no time zone's (they run from -12:00 to +14:00); Beijing time is +08:00, e.g. 2026-12-01T09:00:00+08:00`,
      );
      expect(problem.messageZh).toBe(`${value}：时区偏移 ${offset} 不存在（时区在 -12:00 到 +14:00 之间）；北京时间为 +08:00，例如 2026-12-01T09:00:00+08:00`);
      expect(postedAtProblem(value)).toMatchObject({ code: 'invalid_posted_at', message: expect.stringContaining(`the offset ${offset} is no time zone's`) });
    }
  });

  it('still says what an instant looks like for what is none', () => {
    expect(releaseTimeProblem('2027-01-01 09:00')!.message).toMatch(/^expected an ISO 8601 date-time such as 2026-12-01T09:00:00\+08:00/);
  });
});

describe('a mistyped year, shown back in Beijing time', () => {
  it('names the whole time past year 9999 (it read "+010000-01-01 07": the six-digit year cut the minutes off)', () => {
    expect(chinaTimeToSecond('9999-12-31T23:59:59Z')).toBe('10000-01-01 07:59:59');
    expect(chinaTime('9999-12-31T23:59:59Z')).toBe('10000-01-01 07:59');
    expect(chinaTime('2026-03-01T02:00:00Z')).toBe('2026-03-01 10:00');
    expect(chinaTimeToSecond('+020000-01-01T00:00:00Z')).toBe('20000-01-01 08:00:00');
  });
});
