/** bench:year's latency net of the platforms' own processing: what each simulator took is found by the id the delivery recorded, and taken out. */
import { describe, expect, it } from 'vitest';
import {
  duplicatePosts,
  netOfPlatformProcessing,
  platformProcessingMs,
  type PackageRun,
  type ReleaseFacts,
  type SimPublication,
} from '../../bench/year/drive.js';

const at = (ms: number) => new Date(Date.UTC(2026, 11, 3, 8, 0, 0) + ms).toISOString();
const t0 = Date.parse(at(0));

function run(id: string, approvalSentAt: number): PackageRun {
  return { id, approvalSentAt, startedAt: approvalSentAt - 5000, plan: {} as PackageRun['plan'] };
}

describe('latency net of the platforms own processing', () => {
  const publications: { kind: string; publications: SimPublication[] }[] = [
    {
      kind: 'wechat_oa',
      // Published 1.5 s after WeChat accepted it; the delivery recorded the article id, the publish id is another of its ids.
      publications: [{ id: 'art-1', ids: { publish_id: 'pub-1' }, createdAt: at(400), publishedAt: at(1900) }],
    },
    {
      kind: 'news_site',
      publications: [
        { id: 'ms-7', createdAt: at(500), publishedAt: at(2500) },
        // Still in review: no publishedAt, nothing to take out.
        { id: 'ms-8', createdAt: at(500) },
      ],
    },
    // Weibo posts as it accepts: 0 ms.
    { kind: 'weibo', publications: [{ id: 'wb-1', createdAt: at(300), publishedAt: at(300) }] },
  ];

  it('indexes each publication by every id its platform handed out, per platform', () => {
    const ms = platformProcessingMs(publications);
    expect(ms.get('wechat_oa|art-1')).toBe(1500);
    expect(ms.get('wechat_oa|pub-1')).toBe(1500);
    expect(ms.get('news_site|ms-7')).toBe(2000);
    expect(ms.has('news_site|ms-8')).toBe(false);
    expect(ms.get('weibo|wb-1')).toBe(0);
    // The same id at another platform is another publication.
    expect(ms.has('news_site|art-1')).toBe(false);
  });

  it("counts each package's slowest delivery after its platform's own time, then its release record, and only released packages", () => {
    const facts: ReleaseFacts = {
      releasedAt: new Map([
        // Recorded released 0.2 s after its last delivery went live: that is govpub's too.
        ['p1', t0 + 3200],
        ['p2', t0 + 3500],
      ]),
      deliveries: [
        // p1: portal live at 0.8 s, WeChat live at 3.0 s of which 1.5 s was WeChat's: 1.5 s, and 0.2 s to the record.
        { packageId: 'p1', channelId: 'portal:a', platform: 'portal', state: 'live', liveAt: t0 + 800, submittedAt: t0 + 700, externalId: 'x' },
        { packageId: 'p1', channelId: 'wechat_oa:b', platform: 'wechat_oa', state: 'live', liveAt: t0 + 3000, submittedAt: t0 + 400, externalId: 'art-1' },
        // p2: the media center's 2 s review out of 3.5 s leaves 1.5 s; its portal delivery took 1.6 s, the slowest.
        { packageId: 'p2', channelId: 'news_site:z', platform: 'news_site', state: 'live', liveAt: t0 + 3500, submittedAt: t0 + 500, externalId: 'ms-7' },
        { packageId: 'p2', channelId: 'portal:c', platform: 'portal', state: 'live', liveAt: t0 + 1600, submittedAt: t0 + 1500, externalId: 'y' },
        // p3 is not released: left out.
        { packageId: 'p3', channelId: 'portal:d', platform: 'portal', state: 'live', liveAt: t0 + 900, submittedAt: t0 + 800, externalId: 'z' },
      ],
    };
    const net = netOfPlatformProcessing([run('p1', t0), run('p2', t0), run('p3', t0)], facts, platformProcessingMs(publications));
    expect(net.byPackage).toEqual(
      new Map([
        ['p1', 1700],
        ['p2', 1600],
      ]),
    );
    expect(net.values.sort((a, b) => a - b)).toEqual([1600, 1700]);
    expect(net.processed).toBe(2);
    expect(net.meanProcessingMs).toBe(1750);
  });

  it('takes nothing out where the platform does not know the id the delivery recorded', () => {
    const facts: ReleaseFacts = {
      releasedAt: new Map([['p1', t0 + 3000]]),
      deliveries: [
        { packageId: 'p1', channelId: 'wechat_oa:b', platform: 'wechat_oa', state: 'live', liveAt: t0 + 3000, submittedAt: t0 + 400, externalId: 'unknown' },
      ],
    };
    const net = netOfPlatformProcessing([run('p1', t0)], facts, platformProcessingMs(publications));
    expect(net.values).toEqual([3000]);
    expect(net.processed).toBe(0);
  });
});

describe('duplicate posts', () => {
  // A running topology (--topology FILE) keeps an earlier run's posts, with the same titles for the same seed.
  const earlier = { id: 'a-1', account: 'blfb', title: '碑林区志愿服务进社区（3052）', createdAt: at(-60_000) };
  const now = { id: 'a-2', account: 'blfb', title: '碑林区志愿服务进社区（3052）', createdAt: at(2000) };

  it("counts only the run's posts, so an earlier run's post of the same title is no duplicate", () => {
    expect(duplicatePosts([{ kind: 'wechat_oa', publications: [earlier, now] }], t0)).toEqual([{ kind: 'wechat_oa', publications: 1, duplicates: [] }]);
  });

  it('still finds a post made twice in the run', () => {
    const again = { ...now, id: 'a-3', createdAt: at(4000) };
    expect(duplicatePosts([{ kind: 'wechat_oa', publications: [earlier, now, again] }], t0)).toEqual([
      { kind: 'wechat_oa', publications: 2, duplicates: ['blfb|碑林区志愿服务进社区（3052） ×2'] },
    ]);
  });
});
