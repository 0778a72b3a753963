/**
 * Proof: one package (document + text and video interpretations) to two portal columns, all 23
 * accounts and two media-center columns reaches every channel exactly once, with 30% transient
 * faults and 5% "accepted but never confirmed" injected at the platform simulators.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DeliveryService } from '../../services/deliveries.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { everyChannel, richPolicyPackage, startReleaseWorld, type ReleaseWorld } from './support.js';
import { approveAll, publicationsByChannel, waitForDeliveries } from './helpers.js';

let world: ReleaseWorld;
let app: TestApp;

beforeAll(async () => {
  world = await startReleaseWorld({ faults: process.env.GOVPUB_PROOF_FAULTS !== 'off' });
  app = await startTestApp({ deps: world.deps, platformCaps: world.platforms });
  await app.startWorker();
}, 120_000);

afterAll(async () => {
  await app?.close();
  await world?.close();
});

describe('fan-out to every channel', () => {
  test('exactly once everywhere, through 30% transient faults and 5% never-confirmed publishes', async () => {
    const portalColumns = [app.registry.catalogue.find((i) => i.requiresInterpretation)!.portalColumnId, 'zwgk-zcwj-zcjd-wz'].filter((c, i, all) => all.indexOf(c) === i);
    const targets = everyChannel(app.registry, portalColumns);
    expect(targets.length).toBe(portalColumns.length + 23 + 2);
    const editor = await app.user('editor', 'editor');
    const ops = await app.user('ops', 'ops');
    const pkg = await app.packages.create(editor.actor, richPolicyPackage(world, targets));
    await approveAll(app, pkg.id, editor.actor);

    // Every delivery settles: live, waiting for a manual post, or accepted but unconfirmed.
    const rows = await waitForDeliveries(app, pkg.id, targets.length, (r) => r.state === 'live' || r.state === 'awaiting_manual' || (r.state === 'unconfirmed' && r.error_class === 'unconfirmed'), 420_000);
    const failed = rows.filter((r) => r.state === 'failed');
    expect(failed.map((r) => `${r.channel_id}: ${r.error_message}`)).toEqual([]);
    const manual = rows.filter((r) => r.state === 'awaiting_manual').map((r) => r.channel_id).sort();
    expect(manual).toEqual(['toutiao:blfb-tt', 'wechat_channels:blfb-sph'].sort());

    // At the platforms: each account and column holds this package exactly once.
    const published = await publicationsByChannel(world, app.registry);
    for (const target of targets.filter((t) => !t.startsWith('portal:') && !manual.includes(t))) {
      expect({ target, count: published.get(target)?.length ?? 0 }).toEqual({ target, count: target.startsWith('news_site:') || target.startsWith('media_app:') ? 3 : 1 });
    }

    // The faults really happened: about 30% of all platform requests, and at least one push never confirmed.
    const requests = Object.values(world.simulators.simulators).flatMap((sim) => sim.state.requests()).filter((r) => !r.path.startsWith('/__sim'));
    const faulted = requests.filter((r) => r.fault);
    const unconfirmed = rows.filter((r) => r.state === 'unconfirmed');
    console.log(`fan-out: ${targets.length} channels, ${requests.length} platform requests, ${faulted.length} faulted (${Math.round((faulted.length / requests.length) * 100)}%), ${unconfirmed.length} never confirmed, ${manual.length} manual`);
    if (process.env.GOVPUB_PROOF_FAULTS !== 'off') {
      expect(faulted.length / requests.length).toBeGreaterThan(0.2);
      expect(unconfirmed.length).toBeGreaterThanOrEqual(1);
    }

    // Operations finish the rest: post the hand-off bundles, confirm what the platforms never confirmed.
    const deliveries = new DeliveryService(app.ctx);
    for (const row of rows.filter((r) => r.state !== 'live')) {
      await deliveries.confirm(ops.actor, row.id, { url: row.public_url ?? `https://example.org/post/${row.channel_id}`, note: 'seen live in the back office' });
    }
    const final = await waitForDeliveries(app, pkg.id, targets.length, (r) => r.state === 'live', 60_000);
    expect(final.every((r) => r.state === 'live')).toBe(true);
    await expect.poll(async () => (await app.packages.get(pkg.id)).status, { timeout: 30_000, interval: 500 }).toBe('released');

    // The audit trail has exactly one "live" per channel.
    const live = await app.db.selectFrom('audit_log').select(['channel_id']).where('package_id', '=', pkg.id).where('action', 'in', ['delivery_live', 'delivery_confirmed_manually']).execute();
    expect(live.map((l) => l.channel_id).sort()).toEqual([...targets].sort());
  }, 600_000);
});
