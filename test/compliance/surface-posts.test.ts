/**
 * The platforms' own post lists through the real adapters and simulators: a post made outside
 * govpub (seeded in the simulator, as if made in the platform's app) is the account's newest post,
 * found with the account's configured credentials as a delivery finds them; an account whose
 * credentials the platform refuses is reported "list unavailable", and the others still answer.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import axios from 'axios';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChannelAdapters } from '../../adapters/index.js';
import { loadPlatformConfigs } from '../../config/platforms.js';
import { loadRegistry } from '../../config/registry.js';
import { ROOT_DIR } from '../../config/settings.js';
import type { DB } from '../../db/schema.js';
import { listChannels, type Channel, type Registry } from '../../domain/registry.js';
import { LocalMediaStore } from '../../media/index.js';
import { buildDeliveryDeps } from '../../runtime/channel-access.js';
import { PlatformPostLists } from '../../services/compliance/platform-posts.js';
import { startSimulator, type SimulatorHandle } from '../../simulators/index.js';
import { freshDatabase, temporalClient } from '../support/services.js';
import { ComplianceMonitor } from '../../services/compliance/monitor.js';
import { syncChannels } from '../../services/channels.js';
import type { Kysely } from 'kysely';

const WB_TOKEN = '2.00BlfbWbPreIssuedToken000000001';
const WB_UID = '5000000101';
const DY_REFRESH = 'rft.blfb-dy-preissued-000000000001';
const DY_OPEN_ID = 'ou-blfb-dy-0001';
const WX_APPID = 'wx00000000000b1f05';
const KS_REFRESH = 'ks-refresh-blfb-preissued-0001';
const KS_OPEN_ID = 'ks-open-blfb-0001';
const BZ_CLIENT_ID = 'bl00000000b1f001';
const BZ_REFRESH = 'bz-refresh-blwhly-preissued-0001';
const BZ_OPEN_ID = 'bz-open-blwhly-0001';

let registry: Registry;
let database: Awaited<ReturnType<typeof freshDatabase>>;
let db: Kysely<DB>;
let weibo: SimulatorHandle;
let douyin: SimulatorHandle;
let wechat: SimulatorHandle;
let kuaishou: SimulatorHandle;
let bilibili: SimulatorHandle;
let mediaDir: string;

beforeAll(async () => {
  registry = await loadRegistry();
  database = await freshDatabase();
  db = database.db;
  mediaDir = fs.mkdtempSync(path.join(os.tmpdir(), 'govpub-posts-'));
  weibo = await startSimulator('weibo', {
    credentials: { '2000000101': 'wb-secret', '2000000102': 'wb-secret-2' },
    accessTokens: { [WB_TOKEN]: { appKey: '2000000101', uid: WB_UID } },
  });
  douyin = await startSimulator('douyin', {
    credentials: { aw00000000b1f001: 'dy-secret', aw00000000b1f002: 'dy-secret-2' },
    refreshTokens: { [DY_REFRESH]: { clientKey: 'aw00000000b1f001', openId: DY_OPEN_ID } },
  });
  wechat = await startSimulator('wechat_oa', { credentials: { [WX_APPID]: 'wx-secret' } });
  kuaishou = await startSimulator('kuaishou', {
    credentials: { ks00000000b1f001: 'ks-secret' },
    refreshTokens: { [KS_REFRESH]: { appId: 'ks00000000b1f001', openId: KS_OPEN_ID } },
  });
  bilibili = await startSimulator('bilibili', {
    credentials: { [BZ_CLIENT_ID]: 'bz-secret' },
    refreshTokens: { [BZ_REFRESH]: { clientId: BZ_CLIENT_ID, openId: BZ_OPEN_ID } },
  });
});

afterAll(async () => {
  await weibo?.close();
  await douyin?.close();
  await wechat?.close();
  await kuaishou?.close();
  await bilibili?.close();
  await database?.close();
  fs.rmSync(mediaDir, { recursive: true, force: true });
});

function source(env: Record<string, string>): PlatformPostLists {
  const platforms = loadPlatformConfigs(path.join(ROOT_DIR, 'config'), {
    env: {},
    simulatorUrls: { weibo: weibo.url, douyin: douyin.url, wechat_oa: wechat.url, kuaishou: kuaishou.url, bilibili: bilibili.url },
  });
  const deps = buildDeliveryDeps({
    db,
    registry,
    platforms,
    secrets: { env },
    mediaStore: new LocalMediaStore(mediaDir),
    portalUrl: 'http://portal.test/portal',
    taskQueue: 'unused',
    adapterFor: createChannelAdapters({
      portal: { webRoot: mediaDir, publicBaseUrl: 'http://portal.test/portal' } as never,
      mediaCenterColumns: registry.mediaCenter.columns,
    }),
  });
  return new PlatformPostLists(deps, { concurrency: 2 });
}

const channel = (id: string): Channel => listChannels(registry).find((c) => c.id === id)!;

describe('platform post lists', () => {
  it('find the newest post of each account, whoever made it, with the account’s own credentials', async () => {
    // Whole seconds: both platforms give post times to the second.
    const outside = new Date(Math.floor(Date.now() / 1000) * 1000 - 2 * 86_400_000).toISOString();
    const older = new Date(Date.now() - 20 * 86_400_000).toISOString();
    await axios.post(`${weibo.url}/__sim/posts`, { account: WB_UID, text: '碑林区秋季消防安全提示（在微博客户端发布）', at: older });
    await axios.post(`${weibo.url}/__sim/posts`, { account: WB_UID, text: '碑林区文化惠民活动预告（在微博客户端发布）', at: outside });
    const seededDy = (await axios.post(`${douyin.url}/__sim/posts`, { account: DY_OPEN_ID, text: '碑林区非遗展演（抖音 App 发布）', at: outside })).data as {
      id: string;
    };
    const seededWx = (await axios.post(`${wechat.url}/__sim/posts`, { account: WX_APPID, text: '碑林区教育局：秋季学期家长会通知', at: outside })).data as {
      id: string;
    };
    await axios.post(`${kuaishou.url}/__sim/posts`, { account: KS_OPEN_ID, text: '碑林非遗手艺人（快手 App 发布）', at: older });
    await axios.post(`${bilibili.url}/__sim/posts`, { account: BZ_OPEN_ID, text: '碑林博物馆讲解（B站投稿）', at: older });
    const seededBz = (await axios.post(`${bilibili.url}/__sim/posts`, { account: BZ_OPEN_ID, text: '碑林文旅：书院门的一天（B站投稿）', at: outside }))
      .data as {
      id: string;
    };
    expect((await axios.post(`${weibo.url}/__sim/posts`, { account: WB_UID }, { validateStatus: () => true })).status).toBe(400);

    const lists = source({
      WEIBO_BLFB_WB_APP_SECRET: 'wb-secret',
      WEIBO_BLFB_WB_ACCESS_TOKEN: WB_TOKEN,
      DOUYIN_BLFB_DY_CLIENT_SECRET: 'dy-secret',
      DOUYIN_BLFB_DY_REFRESH_TOKEN: DY_REFRESH,
      // jkbl-wb: a token Weibo never issued.
      WEIBO_JKBL_WB_APP_SECRET: 'wb-secret-2',
      WEIBO_JKBL_WB_ACCESS_TOKEN: '2.00NotIssuedByWeibo0000000000000',
      // blwhly-dy: no refresh token configured at all.
      DOUYIN_BLWHLY_DY_CLIENT_SECRET: 'dy-secret-2',
      WECHAT_OA_BLJY_APP_SECRET: 'wx-secret',
      KUAISHOU_BLFB_KS_APP_SECRET: 'ks-secret',
      KUAISHOU_BLFB_KS_REFRESH_TOKEN: KS_REFRESH,
      BILIBILI_BLWHLY_BZ_CLIENT_SECRET: 'bz-secret',
      BILIBILI_BLWHLY_BZ_REFRESH_TOKEN: BZ_REFRESH,
    });
    const channels = [
      'weibo:blfb-wb',
      'douyin:blfb-dy',
      'weibo:jkbl-wb',
      'douyin:blwhly-dy',
      'wechat_oa:bljy',
      'kuaishou:blfb-ks',
      'toutiao:' + registry.accounts.find((a) => a.platform === 'toutiao')!.id,
      'bilibili:blwhly-bz',
    ].map(channel);
    expect(channels.every(Boolean)).toBe(true);
    // A manual platform has no list API: it is not asked.
    expect(lists.canList(channels[6]!)).toBe(false);

    const result = await lists.latestPosts(channels);
    expect(result.get('weibo:blfb-wb')).toMatchObject({ at: outside, source: 'platform' });
    expect(result.get('douyin:blfb-dy')).toEqual({ at: outside, source: 'platform', postId: seededDy.id });
    expect(result.get('wechat_oa:bljy')).toEqual({ at: outside, source: 'platform', postId: seededWx.id });
    expect(result.get('kuaishou:blfb-ks')).toMatchObject({ at: older, source: 'platform' });
    // Bilibili lists published archives (archive/viewlist, status pubed): the newer of the two, by when it went public.
    expect(result.get('bilibili:blwhly-bz')).toEqual({ at: outside, source: 'platform', postId: seededBz.id });
    expect([...result.keys()].sort()).toEqual(['bilibili:blwhly-bz', 'douyin:blfb-dy', 'kuaishou:blfb-ks', 'wechat_oa:bljy', 'weibo:blfb-wb']);
    expect(result.unavailable.get('weibo:jkbl-wb')).toMatch(/^list unavailable: .*Weibo/);
    expect(result.unavailable.get('douyin:blwhly-dy')).toMatch(/^list unavailable: .*refresh/i);
    expect([...result.unavailable.values()].join()).not.toContain('2.00NotIssuedByWeibo');

    // The monitor with these lists: accounts kept alive by posts made outside govpub are not silent.
    const { client, connection } = await temporalClient();
    try {
      await syncChannels(db, registry, 'test');
      const monitor = new ComplianceMonitor({ db, registry, temporal: client, taskQueue: 'unused' }, { platformPosts: lists });
      await monitor.run('manual', 'test');
      const view = await monitor.view({ kind: 'account_silent', limit: 500 }, { role: 'admin', unit: null });
      const silent = new Map(view.findings.map((f) => [f.subject.id, f]));
      for (const alive of ['weibo:blfb-wb', 'douyin:blfb-dy', 'wechat_oa:bljy', 'bilibili:blwhly-bz']) expect(silent.has(alive), alive).toBe(false);
      // Twenty days since its last post, as Kuaishou lists it: failed, and the finding says where the date came from.
      expect(silent.get('kuaishou:blfb-ks')).toMatchObject({ severity: 'veto', facts: { lastPostAt: older, source: 'platform', daysSilent: 20 } });
      // Not listable (refused token): judged on govpub's own deliveries, of which there are none.
      expect(silent.get('weibo:jkbl-wb')).toMatchObject({ severity: 'veto', facts: { lastPostAt: null } });
    } finally {
      await connection.close();
    }

    // Listing is a read: nothing was published on either platform by govpub.
    expect(weibo.state.publications().every((p) => (p.extra as { seeded?: boolean }).seeded)).toBe(true);
  });
});
