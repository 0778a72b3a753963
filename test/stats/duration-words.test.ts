/** How the console words an approval → live wait (domain/annual-stats.ts durationZh, waitScale), at the second, minute and hour edges. */
import { describe, expect, it } from 'vitest';
import { durationZh, waitScale } from '../../domain/annual-stats.js';

describe('durationZh', () => {
  it('says seconds under a minute: a tenth under ten seconds, whole seconds above', () => {
    expect(durationZh(0)).toBe('0.0 秒');
    expect(durationZh(0.84)).toBe('0.8 秒');
    expect(durationZh(1.38)).toBe('1.4 秒');
    // 9.96 s rounds to ten: said as whole seconds, not as 10.0 秒.
    expect(durationZh(9.94)).toBe('9.9 秒');
    expect(durationZh(9.96)).toBe('10 秒');
    expect(durationZh(42.4)).toBe('42 秒');
    expect(durationZh(59.4)).toBe('59 秒');
    // 59.6 s rounds to a minute: said as one, never as 60 秒.
    expect(durationZh(59.6)).toBe('1 分钟');
  });

  it('says minutes under an hour, hours and minutes from an hour, rounded to the minute first', () => {
    expect(durationZh(60)).toBe('1 分钟');
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

describe('waitScale', () => {
  it('draws waits of seconds in seconds, so a sub-second portal still has a bar', () => {
    const scale = waitScale(3.6);
    expect(scale.unit).toBe('秒');
    expect(scale.value(0.84)).toBe(0.8);
    expect(scale.value(3.64)).toBe(3.6);
    expect(waitScale(119).unit).toBe('秒');
  });

  it('switches to minutes from two minutes and to hours from two hours', () => {
    const minutes = waitScale(120);
    expect(minutes.unit).toBe('分钟');
    expect(minutes.value(90)).toBe(1.5);
    expect(waitScale(7199).unit).toBe('分钟');
    const hours = waitScale(7200);
    expect(hours.unit).toBe('小时');
    expect(hours.value(43_200)).toBe(12);
    expect(hours.value(5400)).toBe(1.5);
  });

  it('draws an empty chart (no waits) in seconds', () => {
    expect(waitScale(0).unit).toBe('秒');
  });
});
