/**
 * The batches a release starts its children in (workflows/release-fanout.ts): the channels that can
 * go out at once first, the quota-bound ones after them have started (issue 14's 40-channel
 * release), never more than 50 at a time, and plans from before `quotaBound` existed as they ran.
 */
import { describe, expect, it } from 'vitest';
import type { DeliveryPlan } from '../../contracts/delivery.js';
import { startBatches } from '../../workflows/release-fanout.js';

const plan = (channelId: string, quotaBound?: boolean) => ({ channelId, ...(quotaBound === undefined ? {} : { quotaBound }) }) as DeliveryPlan;
const ids = (batches: DeliveryPlan[][]) => batches.map((b) => b.map((p) => p.channelId));

describe('the batches a release starts its children in', () => {
  it('starts the quota-free channels in a batch of their own, before the quota-bound ones', () => {
    const plans = [plan('portal:a', false), plan('weibo:1', false), plan('wechat_oa:1', true), plan('news_site:1', true)];
    expect(ids(startBatches(plans))).toEqual([
      ['portal:a', 'weibo:1'],
      ['wechat_oa:1', 'news_site:1'],
    ]);
  });

  it('keeps 50 to a batch on either side of the boundary', () => {
    const plans = [...Array.from({ length: 52 }, (_, i) => plan(`portal:${i}`, false)), ...Array.from({ length: 101 }, (_, i) => plan(`wechat_oa:${i}`, true))];
    expect(startBatches(plans).map((b) => b.length)).toEqual([50, 2, 50, 50, 1]);
    expect(startBatches(plans).flat()).toEqual(plans);
  });

  it('starts plans made before quotaBound existed, and releases with no quota-bound channel, in batches of 50 alone', () => {
    const old = Array.from({ length: 60 }, (_, i) => plan(`c${i}`));
    expect(startBatches(old).map((b) => b.length)).toEqual([50, 10]);
    expect(ids(startBatches([plan('a', false), plan('b', false)]))).toEqual([['a', 'b']]);
    expect(ids(startBatches([plan('a', true), plan('b', true)]))).toEqual([['a', 'b']]);
    expect(startBatches([])).toEqual([]);
  });
});
