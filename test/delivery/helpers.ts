import { expect } from 'vitest';
import type { DeliveryRow } from '../../db/schema.js';
import type { Actor } from '../../domain/package-rules.js';
import type { Registry } from '../../domain/registry.js';
import type { PublicationView, SimulatorKind } from '../../simulators/index.js';
import type { TestApp } from '../support/app.js';
import { simulatedOpenId } from '../../runtime/local-platforms.js';
import type { ReleaseWorld } from './support.js';

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
export async function waitForDeliveries(app: TestApp, packageId: string, count: number, done: (row: DeliveryRow) => boolean, timeoutMs: number): Promise<DeliveryRow[]> {
  const deadline = Date.now() + timeoutMs;
  let rows: DeliveryRow[] = [];
  for (;;) {
    rows = await app.db.selectFrom('deliveries').selectAll().where('package_id', '=', packageId).execute();
    if (rows.length === count && rows.every(done)) return rows;
    if (Date.now() > deadline) {
      const pending = rows.filter((r) => !done(r)).map((r) => `${r.channel_id}=${r.state}${r.error_message ? ` (${r.error_class}: ${r.error_message.slice(0, 160)})` : ''}`);
      expect.fail(`deliveries did not settle in ${timeoutMs} ms (${rows.length}/${count} rows): ${pending.join('; ')}`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** What each simulator accepted, by govpub channel id (deleted posts excluded). */
export async function publicationsByChannel(world: ReleaseWorld, registry: Registry): Promise<Map<string, PublicationView[]>> {
  const byChannel = new Map<string, PublicationView[]>();
  const accountChannel = new Map<string, string>();
  for (const a of registry.accounts) {
    for (const key of ['appId', 'appKey', 'clientKey', 'clientId'] as const) {
      const v = a.credentials[key];
      if (typeof v === 'string') accountChannel.set(`${a.platform}|${v}`, `${a.platform}:${a.id}`);
    }
    accountChannel.set(`${a.platform}|${simulatedOpenId(a.platform, a.id)}`, `${a.platform}:${a.id}`);
  }
  for (const [kind, sim] of Object.entries(world.simulators.simulators) as [SimulatorKind, { state: { publications(): PublicationView[] } }][]) {
    for (const p of sim.state.publications()) {
      if (p.state === 'deleted') continue;
      const channel =
        kind === 'news_site' || kind === 'media_app'
          ? `${kind}:${(p.extra as { columnId?: string }).columnId}`
          : accountChannel.get(`${kind}|${p.account}`) ?? accountChannel.get(`${kind}|${(p.extra as { appId?: string })?.appId}`) ?? `${kind}:?${p.account}`;
      byChannel.set(channel, [...(byChannel.get(channel) ?? []), p]);
    }
  }
  return byChannel;
}
