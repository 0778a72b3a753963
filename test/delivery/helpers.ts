import { expect } from 'vitest';
import { DeliveryService } from '../../services/deliveries.js';
import type { DeliveryRow } from '../../db/schema.js';
import type { Actor } from '../../domain/package-rules.js';
import type { TestApp } from '../support/app.js';
import { confirmWaiting, publicationsByChannel, settledForNow, type ReleaseWorld } from './support.js';

export { publicationsByChannel };

/** Submits the package and approves it at 初审, 复审 and 终审 with three reviewers. */
export async function approveAll(app: TestApp, packageId: string, editor: Actor): Promise<void> {
  await app.packages.submit(editor, packageId);
  const stages = ['first', 'second', 'final'];
  for (const stage of stages) {
    const reviewer = await app.user(`reviewer-${stage}-${packageId.slice(-4)}`, 'reviewer', [stage]);
    const current = await app.packages.get(packageId);
    await app.packages.decide(reviewer.actor, packageId, { decision: 'approve', revision: current.revision, comment: '同意' });
  }
}

/** Polls the package's delivery rows until `count` exist and all satisfy `done`. */
export async function waitForDeliveries(
  app: TestApp,
  packageId: string,
  count: number,
  done: (row: DeliveryRow) => boolean,
  timeoutMs: number,
): Promise<DeliveryRow[]> {
  const deadline = Date.now() + timeoutMs;
  let rows: DeliveryRow[] = [];
  for (;;) {
    rows = await app.db.selectFrom('deliveries').selectAll().where('package_id', '=', packageId).execute();
    if (rows.length === count && rows.every(done)) return rows;
    if (Date.now() > deadline) {
      const pending = rows
        .filter((r) => !done(r))
        .map((r) => `${r.channel_id}=${r.state}${r.error_message ? ` (${r.error_class}: ${r.error_message.slice(0, 160)})` : ''}`);
      expect.fail(`deliveries did not settle in ${timeoutMs} ms (${rows.length}/${count} rows): ${pending.join('; ')}`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

/**
 * The proof's ending: every delivery settles (live, waiting for a manual post, or accepted but
 * never confirmed); each platform holds the package exactly once; operations confirm the rest;
 * the package is released and the audit trail has exactly one "live" per channel.
 */
export async function settleAndVerifyExactlyOnce(
  app: TestApp,
  world: ReleaseWorld,
  packageId: string,
  targets: string[],
  ops: Actor,
  options: { expectFaults: boolean },
): Promise<void> {
  // Every delivery settles: live, waiting for a manual post, or accepted but unconfirmed.
  const rows = await waitForDeliveries(app, packageId, targets.length, settledForNow, 420_000);
  const failed = rows.filter((r) => r.state === 'failed');
  expect(failed.map((r) => `${r.channel_id}: ${r.error_message}`)).toEqual([]);
  const manual = rows
    .filter((r) => r.state === 'awaiting_manual')
    .map((r) => r.channel_id)
    .sort();
  expect(manual).toEqual(['toutiao:blfb-tt', 'wechat_channels:blfb-sph'].sort());

  // At the platforms: each account and column holds this package exactly once.
  const published = await publicationsByChannel(world, app.registry);
  for (const target of targets.filter((t) => !t.startsWith('portal:') && !manual.includes(t))) {
    expect({ target, count: published.get(target)?.length ?? 0 }).toEqual({
      target,
      count: target.startsWith('news_site:') || target.startsWith('media_app:') ? 3 : 1,
    });
  }

  // The faults really happened: about 30% of all platform requests, and at least one push never confirmed.
  const requests = Object.values(world.simulators.simulators)
    .flatMap((sim) => sim.state.requests())
    .filter((r) => !r.path.startsWith('/__sim'));
  const faulted = requests.filter((r) => r.fault);
  const unconfirmed = rows.filter((r) => r.state === 'unconfirmed');
  console.log(
    `fan-out: ${targets.length} channels, ${requests.length} platform requests, ${faulted.length} faulted (${Math.round((faulted.length / requests.length) * 100)}%), ${unconfirmed.length} never confirmed, ${manual.length} manual`,
  );
  if (options.expectFaults) {
    expect(faulted.length / requests.length).toBeGreaterThan(0.2);
    expect(unconfirmed.length).toBeGreaterThanOrEqual(1);
  }

  // Operations finish the rest: post the hand-off bundles, confirm what the platforms never confirmed.
  expect((await confirmWaiting(new DeliveryService(app.ctx), app.db, ops, rows, world.platforms)).problems).toEqual([]);
  const final = await waitForDeliveries(app, packageId, targets.length, (r) => r.state === 'live', 60_000);
  expect(final.every((r) => r.state === 'live')).toBe(true);
  // A loop, not expect.poll: the fan-out proof runs its backends as concurrent tests, where
  // expect.poll cannot tell which test it belongs to.
  const releasedBy = Date.now() + 30_000;
  let status = (await app.packages.get(packageId)).status;
  while (status !== 'released' && Date.now() < releasedBy) {
    await new Promise((r) => setTimeout(r, 500));
    status = (await app.packages.get(packageId)).status;
  }
  expect(status, `package ${packageId} after operations confirmed every delivery`).toBe('released');

  // The audit trail has exactly one "live" per channel.
  const live = await app.db
    .selectFrom('audit_log')
    .select(['channel_id'])
    .where('package_id', '=', packageId)
    .where('action', 'in', ['delivery_live', 'delivery_confirmed_manually'])
    .execute();
  expect(live.map((l) => l.channel_id).sort()).toEqual([...targets].sort());
}
