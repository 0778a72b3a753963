/** How the console words an approval → live wait (domain/annual-stats.ts durationZh), at the minute and hour edges. */
import { describe, expect, it } from 'vitest';
import { durationZh } from '../../domain/annual-stats.js';

describe('durationZh', () => {
  it('says minutes under an hour, hours and minutes from an hour, rounded to the minute first', () => {
    expect(durationZh(0)).toBe('0 分钟');
    expect(durationZh(1740)).toBe('29 分钟');
    expect(durationZh(3569)).toBe('59 分钟');
    // 59.5 minutes round to an hour: said as one, not as 60 分钟.
    expect(durationZh(3570)).toBe('1 小时 0 分钟');
    expect(durationZh(3600)).toBe('1 小时 0 分钟');
    expect(durationZh(5400)).toBe('1 小时 30 分钟');
    // 1 h 59 min 50 s: 2 小时 0 分钟, never 1 小时 60 分钟.
    expect(durationZh(7190)).toBe('2 小时 0 分钟');
    expect(durationZh(43_200)).toBe('12 小时 0 分钟');
    expect(durationZh(90_061)).toBe('25 小时 1 分钟');
  });
});
