/**
 * An operator edits config/registry (an account closed, a column dropped) while deliveries to that
 * channel exist, and restarts the worker: the worker's registry no longer has the channel. Before,
 * planning a retraction or a release that named it failed the package's whole workflow
 * (channel_unknown), so nothing was taken down or released anywhere and the package stayed
 * "retracting" or "releasing" for ever. Now only that channel's delivery says what to do.
 * Real Temporal dev server and PostgreSQL; the worker's registry is the edited one.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { DeliveryRow } from '../../db/schema.js';
import { DeliveryService } from '../../services/deliveries.js';
import { approveAll } from '../delivery/helpers.js';
import { policyPackage, startTestApp, type TestApp } from '../support/app.js';

let app: TestApp;
let deliveries: DeliveryService;
/** Channels the restarted worker's registry no longer has. */
const removed = new Set<string>();

beforeAll(async () => {
  app = await startTestApp({ deps: (base) => ({ ...base, channel: (id) => (removed.has(id) ? undefined : base.channel(id)) }) });
  await app.startWorker();
  deliveries = new DeliveryService(app.ctx);
});

afterAll(async () => {
  await app?.close();
});

async function statusOf(packageId: string, want: string): Promise<void> {
  await expect.poll(async () => (await app.packages.get(packageId)).status, { timeout: 90_000, interval: 300 }).toBe(want);
}

async function rowOf(packageId: string, channelId: string, until: (row: DeliveryRow) => boolean): Promise<DeliveryRow> {
  let row: DeliveryRow | undefined;
  await expect
    .poll(
      async () => {
        row = await app.db.selectFrom('deliveries').selectAll().where('package_id', '=', packageId).where('channel_id', '=', channelId).executeTakeFirst();
        return row !== undefined && until(row);
      },
      { timeout: 90_000, interval: 300 },
    )
    .toBe(true);
  return row!;
}

async function restartWorkerWithout(channelId: string): Promise<void> {
  await app.stopWorker();
  removed.add(channelId);
  await app.startWorker();
}

describe('a channel removed from the registry while deliveries to it exist', () => {
  test('retracting a package released to it: the other channels are taken down, it becomes a manual take-down', async () => {
    const editor = await app.user('editor-removed-retract', 'editor');
    const ops = await app.user('ops-removed-retract', 'ops');
    const input = policyPackage(app.registry);
    const [portal, weibo] = input.targets as [string, string];
    const pkg = await app.packages.create(editor.actor, input);
    await approveAll(app, pkg.id, editor.actor);
    await statusOf(pkg.id, 'released');

    await restartWorkerWithout(weibo);
    try {
      await app.packages.retract(ops.actor, pkg.id, '账号已注销，内容需撤回');
      await rowOf(pkg.id, portal, (r) => r.state === 'retracted');
      const manual = await rowOf(pkg.id, weibo, (r) => r.task === 'manual_takedown');
      expect(manual.state).toBe('retracting');
      const task = await app.db
        .selectFrom('audit_log')
        .select('details')
        .where('package_id', '=', pkg.id)
        .where('action', '=', 'delivery_manual_takedown_task')
        .executeTakeFirstOrThrow();
      expect(JSON.stringify(task.details)).toContain(`channel ${weibo} is not in the registry any more`);
      // The package's workflow is alive and finishes once the person confirms the post is gone.
      expect((await app.client.workflow.getHandle(`package-${pkg.id}`).describe()).status.name).toBe('RUNNING');
      await deliveries.confirm(ops.actor, manual.id, { note: '已在微博后台删除' });
      await statusOf(pkg.id, 'retracted');
    } finally {
      removed.clear();
    }
  }, 240_000);

  test('releasing a package that targets it: the other channels go live, its delivery fails naming the registry, a skip releases', async () => {
    const editor = await app.user('editor-removed-release', 'editor');
    const ops = await app.user('ops-removed-release', 'ops');
    const input = policyPackage(app.registry, { title: '关于注册表变更后发布的测试通知' });
    const [portal, weibo] = input.targets as [string, string];
    const pkg = await app.packages.create(editor.actor, input);
    await restartWorkerWithout(weibo);
    try {
      await approveAll(app, pkg.id, editor.actor);
      await rowOf(pkg.id, portal, (r) => r.state === 'live');
      const failed = await rowOf(pkg.id, weibo, (r) => r.state === 'failed');
      expect(failed.error_message).toContain(`Channel ${weibo} is not in the registry any more`);
      expect((await app.client.workflow.getHandle(`package-${pkg.id}`).describe()).status.name).toBe('RUNNING');
      await deliveries.skip(ops.actor, failed.id, '账号已注销');
      await statusOf(pkg.id, 'released');
    } finally {
      removed.clear();
    }
  }, 240_000);
});
