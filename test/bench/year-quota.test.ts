/**
 * bench:year --year stops waiting when only a platform's posting limit holds what is left (a
 * year's Weibo posts in one hour meet the hourly cap), and says which: read from a real database.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Observer, QUOTA_HOLD_MINUTES } from '../../bench/year/drive.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { seedPackage } from '../stats/seed-year.js';

let app: TestApp;
let observer: Observer;
let weibo = '';
let portal = '';
const ids = ['q-live', 'q-weibo', 'q-portal'];

beforeAll(async () => {
  app = await startTestApp();
  observer = new Observer(app.databaseUrl);
  const channels = await app.db.selectFrom('channels').select(['id', 'platform']).orderBy('id').execute();
  weibo = channels.find((c) => c.platform === 'weibo')!.id;
  portal = channels.find((c) => c.platform === 'portal')!.id;
  const { actor } = await app.user('quota-editor', 'editor');
  const item = app.registry.catalogue.find((c) => c.contentClass === 'news')!.id;
  const base = { catalogueItem: item, unit: null, createdBy: actor.id, revisions: [[]] };
  await seedPackage(app.db, { ...base, id: 'q-live', deliveries: [{ channel: portal, revision: 1, liveAt: '2026-12-01 10:00' }] });
  await seedPackage(app.db, { ...base, id: 'q-weibo', deliveries: [{ channel: weibo, revision: 1, liveAt: null, state: 'rate_limited' }] });
  await seedPackage(app.db, { ...base, id: 'q-portal', deliveries: [{ channel: portal, revision: 1, liveAt: null, state: 'pending' }] });
  await app.db
    .updateTable('deliveries')
    .set({
      next_attempt_at: new Date(Date.now() + 40 * 60_000),
      error_message: 'Weibo: User requests out of rate limit! (10024); waiting for the hour to turn',
    })
    .where('package_id', '=', 'q-weibo')
    .execute();
});

afterAll(async () => {
  await observer?.close();
  await app?.close();
});

describe('bench:year quota holds', () => {
  it('is not a quota hold while anything else is still to go', async () => {
    expect(await observer.quotaHeld(ids)).toBeNull();
  });

  it('reports the platform, its deliveries and packages, until when and its words once only the quota holds', async () => {
    await app.db.updateTable('deliveries').set({ state: 'live', live_at: new Date() }).where('package_id', '=', 'q-portal').execute();
    await app.db.updateTable('packages').set({ released_at: new Date(), status: 'released' }).where('id', '=', 'q-portal').execute();
    const held = await observer.quotaHeld(ids);
    expect(held).toHaveLength(1);
    expect(held![0]).toMatchObject({ platform: 'weibo', deliveries: 1, message: expect.stringContaining('10024') });
    expect([...held![0]!.packages]).toEqual(['q-weibo']);
    expect(held![0]!.until).toBeGreaterThan(Date.now() + 39 * 60_000);
    const waited = await observer.waitReleased(ids, Date.now() + 60_000, () => {}, true);
    expect(waited.complete).toBe(false);
    expect(waited.quotaHeld.map((q) => q.platform)).toEqual(['weibo']);
  });

  it(`a short back-off (next attempt under ${QUOTA_HOLD_MINUTES} min away) is waited for, not reported`, async () => {
    await app.db
      .updateTable('deliveries')
      .set({ next_attempt_at: new Date(Date.now() + 30_000) })
      .where('package_id', '=', 'q-weibo')
      .execute();
    expect(await observer.quotaHeld(ids)).toBeNull();
  });
});
