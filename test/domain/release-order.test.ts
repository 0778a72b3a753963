import { describe, expect, it } from 'vitest';
import { earliestStarts, quotaBound, releaseStartOrder } from '../../domain/release-order.js';

const ch = (id: string, platform: string, ratePerSecond?: number) => ({ id, platform, ...(ratePerSecond !== undefined ? { ratePerSecond } : {}) });

describe('the order a release starts its deliveries', () => {
  it('gives each channel the moment its platform cap lets it start: k / ratePerSecond, 0 without a cap', () => {
    expect(earliestStarts([ch('w1', 'wechat_oa', 10), ch('w2', 'wechat_oa', 10), ch('p1', 'portal'), ch('w3', 'wechat_oa', 10), ch('p2', 'portal')])).toEqual([
      0, 0.1, 0, 0.2, 0,
    ]);
    expect(earliestStarts([ch('n1', 'news_site', 1.5), ch('n2', 'news_site', 1.5)])[1]).toBeCloseTo(0.667, 3);
  });

  it('starts the platforms that can take the whole release at once first, then those that queue for their quota, each by earliest start', () => {
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
    expect(quotaBound(channels)).toEqual([false, false, false, false, false, false, false, true, true, false, false]);
    expect(releaseStartOrder(channels).map((c) => c.id)).toEqual([
      'portal-a',
      'w1',
      'weibo-1',
      'portal-b',
      'toutiao',
      'w2', // 0.1 s
      'w3', // 0.2 s
      'w4', // 0.3 s
      'weibo-2', // 0.5 s
      'news-1', // news_site queues for its quota (2 channels at 1.5 a second)
      'news-2', // 0.67 s
    ]);
  });

  it("starts a quota-free platform's channels ahead of the queue of one whose quota binds (issue 14's 40 channels)", () => {
    const channels = [
      ...Array.from({ length: 15 }, (_, i) => ch(`wechat-${i}`, 'wechat_oa', 10)),
      ch('weibo-1', 'weibo', 2),
      ch('weibo-2', 'weibo', 2),
      ...Array.from({ length: 13 }, (_, i) => ch(`news-${i}`, 'news_site', 1)),
      ch('portal-a', 'portal'),
    ];
    const order = releaseStartOrder(channels).map((c) => c.id);
    expect(order.slice(0, 3)).toEqual(['weibo-1', 'portal-a', 'weibo-2']);
    expect(order.slice(3, 5)).toEqual(['wechat-0', 'news-0']);
    expect(order).toHaveLength(channels.length);
  });

  it('counts a cap of zero or none as no cap', () => {
    expect(quotaBound([ch('a', 'portal'), ch('b', 'portal'), ch('c', 'x', 0), ch('d', 'x', 0)])).toEqual([false, false, false, false]);
  });

  it("keeps the editor's order when no cap binds, and leaves its input untouched", () => {
    const channels = [ch('b', 'portal'), ch('a', 'weibo', 2), ch('c', 'douyin')];
    const copy = structuredClone(channels);
    expect(releaseStartOrder(channels).map((c) => c.id)).toEqual(['b', 'a', 'c']);
    expect(channels).toEqual(copy);
    expect(releaseStartOrder([])).toEqual([]);
  });
});
