/**
 * A database outage of a minute and more, right after the final approval, is survived without
 * anyone acting: the workers' connections go through a proxy that is taken down (every open
 * connection cut, new ones refused) and brought back. Every delivery then goes live exactly once,
 * the package is released, and no delivery was marked failed on the way.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { connectPostgres } from '../../db/connect.js';
import type { DB } from '../../db/schema.js';
import type { Kysely } from 'kysely';
import { refusal, startTestApp, type TestApp } from '../support/app.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { approveAll, publicationsByChannel, waitForDeliveries } from './helpers.js';
import { richPolicyPackage, startReleaseWorld, type ReleaseWorld } from './support.js';

/** Longer than the platform activities' own retries (about a minute), so only the workflow's waiting saves them. */
const OUTAGE_MS = 75_000;

let world: ReleaseWorld;
let app: TestApp;
let proxy: TcpProxy;
let workerDb: Kysely<DB> | undefined;

beforeAll(async () => {
  world = await startReleaseWorld({ faults: false });
  app = await startTestApp({
    deps: (base) => {
      const deps = world.deps(base);
      // The worker reaches the database through the proxy; the test's own checks go direct.
      return Object.defineProperty({ ...deps }, 'db', { get: () => workerDb ?? deps.db, enumerable: true });
    },
    platformCaps: world.platforms,
  });
  const url = new URL(app.databaseUrl);
  proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
  url.host = `127.0.0.1:${proxy.port}`;
  workerDb = connectPostgres(url.toString(), 5);
  await app.startWorker();
});

afterAll(async () => {
  proxy?.up();
  await app?.close();
  await workerDb?.destroy();
  await proxy?.close();
  await world?.close();
});

describe('database outage during a release', () => {
  test('every delivery heals by itself once the database is back', async () => {
    const targets = ['portal:zwgk-zcwj-zcjd-wz', 'weibo:blfb-wb', 'news_site:zcjd', 'news_site:zwdt', 'media_app:zcjd', 'media_app:zwgk'];
    const editor = await app.user('outage-editor', 'editor');
    await world.registerMedia(app.db, editor.actor.id);
    const pkg = await app.packages.create(editor.actor, richPolicyPackage(world, targets, '关于做好2027年元旦春节期间安全生产工作的通知'));
    // A second package, to be submitted while the database is away.
    const second = await app.packages.create(editor.actor, richPolicyPackage(world, ['portal:zwgk-zcwj-zcjd-wz'], '关于开展冬季供暖安全检查的通知'));
    await approveAll(app, pkg.id, editor.actor);
    // Down once the deliveries are planned and on their way, so their own steps meet the outage.
    await expect
      .poll(async () => (await app.db.selectFrom('deliveries').select('id').where('package_id', '=', pkg.id).execute()).length, {
        timeout: 60_000,
        interval: 50,
      })
      .toBe(targets.length);
    proxy.down();
    const during = await app.db.selectFrom('deliveries').select(['channel_id', 'state']).where('package_id', '=', pkg.id).execute();
    expect(during.filter((d) => d.state !== 'live').length).toBeGreaterThan(0);
    const outageStarted = Date.now();
    // The step waits for the database and says so; meanwhile the package refuses new requests at once.
    const submitting = app.packages.submit(editor.actor, second.id);
    await expect
      .poll(async () => (await app.packages.get(second.id)).waitingFor, { timeout: 60_000, interval: 1000 })
      .toMatchObject({ step: 'submit', lastFailure: expect.stringMatching(/database is unreachable/) });
    await new Promise((r) => setTimeout(r, 21_000));
    const busy = await refusal(app.packages.withdraw(editor.actor, second.id, ''));
    expect(busy.code).toBe('package_busy');
    expect(busy.message).toMatch(/still recording "submit"/);
    await new Promise((r) => setTimeout(r, Math.max(0, OUTAGE_MS - (Date.now() - outageStarted))));
    // Down for the whole while: nothing was recorded through the proxy.
    proxy.up();
    expect(await submitting).toMatchObject({ status: 'in_review', currentStage: 'first' });
    expect((await app.packages.get(second.id)).waitingFor).toBeNull();

    const rows = await waitForDeliveries(app, pkg.id, targets.length, (r) => r.state === 'live', 240_000);
    expect(rows.map((r) => r.channel_id).sort()).toEqual([...targets].sort());
    await expect.poll(async () => (await app.packages.get(pkg.id)).status, { timeout: 60_000, interval: 500 }).toBe('released');
    const audit = await app.db.selectFrom('audit_log').select(['action', 'channel_id']).where('package_id', '=', pkg.id).execute();
    expect(audit.filter((a) => a.action === 'delivery_failed')).toEqual([]);
    expect(
      audit
        .filter((a) => a.action === 'delivery_live')
        .map((a) => a.channel_id)
        .sort(),
    ).toEqual([...targets].sort());
    // Exactly once at each platform.
    const published = await publicationsByChannel(world, app.registry);
    for (const channel of targets.filter((t) => !t.startsWith('portal:'))) {
      const posts = (published.get(channel) ?? []).filter((p) => JSON.stringify(p).includes('元旦春节'));
      expect(posts, channel).toHaveLength(channel.startsWith('weibo') ? 1 : 3);
    }
  }, 480_000);
});
