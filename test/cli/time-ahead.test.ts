// The CLI's times to come (a delivery's next attempt): Beijing time to the second, and how far off, in English and Chinese.
import { afterEach, describe, expect, it } from 'vitest';
import { timeAhead } from '../../cli/output.js';

const now = Date.parse('2026-12-06T09:40:00Z');
const lang = process.env.GOVPUB_LANG;
afterEach(() => {
  if (lang === undefined) delete process.env.GOVPUB_LANG;
  else process.env.GOVPUB_LANG = lang;
});

describe('timeAhead', () => {
  it('shows Beijing time (UTC+8) to the second, with seconds, minutes or hours to go', () => {
    delete process.env.GOVPUB_LANG;
    expect(timeAhead('2026-12-06T09:40:12.400Z', now)).toBe('2026-12-06 17:40:12 (Beijing time, in 12 s)');
    expect(timeAhead('2026-12-06T09:50:00Z', now)).toBe('2026-12-06 17:50:00 (Beijing time, in 10 min)');
    expect(timeAhead('2026-12-06T17:00:00Z', now)).toBe('2026-12-07 01:00:00 (Beijing time, in 7 h)');
    expect(timeAhead('2026-12-06T09:39:00Z', now)).toBe('2026-12-06 17:39:00 (Beijing time, due now)');
    expect(timeAhead('soon', now)).toBe('soon');
  });

  it('in Chinese with GOVPUB_LANG=zh', () => {
    process.env.GOVPUB_LANG = 'zh';
    expect(timeAhead('2026-12-06T09:40:12Z', now)).toBe('2026-12-06 17:40:12（北京时间，约 12 秒后）');
    expect(timeAhead('2026-12-06T09:50:00Z', now)).toBe('2026-12-06 17:50:00（北京时间，约 10 分钟后）');
    expect(timeAhead('2026-12-06T09:39:00Z', now)).toBe('2026-12-06 17:39:00（北京时间，即将进行）');
  });
});
