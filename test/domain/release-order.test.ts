import { describe, expect, it } from 'vitest';
import { earliestStarts, releaseStartOrder } from '../../domain/release-order.js';

const ch = (id: string, platform: string, ratePerSecond?: number) => ({ id, platform, ...(ratePerSecond !== undefined ? { ratePerSecond } : {}) });

describe('the order a release starts its deliveries', () => {
  it('gives each channel the moment its platform cap lets it start: k / ratePerSecond, 0 without a cap', () => {
    expect(earliestStarts([ch('w1', 'wechat_oa', 10), ch('w2', 'wechat_oa', 10), ch('p1', 'portal'), ch('w3', 'wechat_oa', 10), ch('p2', 'portal')])).toEqual([
      0, 0.1, 0, 0.2, 0,
    ]);
    expect(earliestStarts([ch('n1', 'news_site', 1.5), ch('n2', 'news_site', 1.5)])[1]).toBeCloseTo(0.667, 3);
  });

  it("starts every platform's first channel before any channel that would wait for its quota, ties in the editor's order", () => {
    const channels = [
      ch('portal-a', 'portal'),
      ...['w1', 'w2', 'w3', 'w4'].map((id) => ch(id, 'wechat_oa', 10)),
      ch('weibo-1', 'weibo', 2),
      ch('weibo-2', 'weibo', 2),
      ch('news-1', 'news_site', 1.5),
      ch('news-2', 'news_site', 1.5),
      ch('portal-b', 'portal'),
      ch('toutiao', 'toutiao'),
    ];
    expect(releaseStartOrder(channels).map((c) => c.id)).toEqual([
      'portal-a',
      'w1',
      'weibo-1',
      'news-1',
      'portal-b',
      'toutiao',
      'w2', // 0.1 s
      'w3', // 0.2 s
      'w4', // 0.3 s
      'weibo-2', // 0.5 s
      'news-2', // 0.67 s
    ]);
  });

  it("keeps the editor's order when no cap binds, and leaves its input untouched", () => {
    const channels = [ch('b', 'portal'), ch('a', 'weibo', 2), ch('c', 'douyin')];
    const copy = structuredClone(channels);
    expect(releaseStartOrder(channels).map((c) => c.id)).toEqual(['b', 'a', 'c']);
    expect(channels).toEqual(copy);
    expect(releaseStartOrder([])).toEqual([]);
  });
});
