/**
 * A delivery's first attempt runs in its package's workflow (workflows/first-attempt.ts, issue 14),
 * on the real Temporal dev server, PostgreSQL and the platform simulators: operators asking while
 * it sends are told to wait, as a delivery workflow tells them, and a retraction while it sends
 * takes down what went out, exactly once; a held delivery whose channel was resumed before its
 * delivery workflow existed goes on at once.
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { channelResumedSignal, deliveryStatusQuery, deliveryWorkflowId, type DeliveryPlan, type DeliveryResume } from '../../contracts/delivery.js';
import { unpauseChannel } from '../../db/channels.js';
import type { DeliveryRow } from '../../db/schema.js';
import { GovpubError } from '../../domain/errors.js';
import { DeliveryService } from '../../services/deliveries.js';
import { deliveryWorkflow } from '../../workflows/delivery.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { saveHistory } from '../support/histories.js';
import { approveAll } from '../delivery/helpers.js';
import { richPolicyPackage, startReleaseWorld, type ReleaseWorld } from '../delivery/support.js';

let world: ReleaseWorld;
let app: TestApp;
let deliveries: DeliveryService;

beforeAll(async () => {
  world = await startReleaseWorld({ faults: false });
  app = await startTestApp({ backend: 'postgres', deps: world.deps, platformCaps: world.platforms });
  await app.startWorker();
  deliveries = new DeliveryService(app.ctx);
});

afterAll(async () => {
  await app?.close();
  await world?.close();
});

const WEIBO = 'weibo:blfb-wb';
const PORTAL = 'portal:zwgk-zcwj-zcjd-wz';

async function rowOf(packageId: string, channelId: string, until: (row: DeliveryRow) => boolean, what: string): Promise<DeliveryRow> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const row = await app.db.selectFrom('deliveries').selectAll().where('package_id', '=', packageId).where('channel_id', '=', channelId).executeTakeFirst();
    if (row && until(row)) return row;
    if (Date.now() > deadline) throw new Error(`${what}: the ${channelId} delivery is ${row?.state ?? 'not planned'} after 60 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function statusOf(packageId: string, want: string, timeoutMs = 90_000): Promise<void> {
  await expect.poll(async () => (await app.packages.get(packageId)).status, { timeout: timeoutMs, interval: 300 }).toBe(want);
}

/** A package to Weibo and a portal column, approved; Weibo answers its post after 4 s. */
async function releaseWithSlowWeibo(title: string, who: string) {
  world.simulators.simulators.weibo.state.addFault({ match: '/2/statuses/share.json', method: 'POST', kind: 'slow', delayMs: 4000, count: 1 });
  const editor = await app.user(`editor-${who}`, 'editor');
  const ops = await app.user(`ops-${who}`, 'ops');
  await world.registerMedia(app.db, editor.actor.id);
  const pkg = await app.packages.create(editor.actor, richPolicyPackage(world, [WEIBO, PORTAL], title));
  await approveAll(app, pkg.id, editor.actor);
  return { pkg, ops };
}

const postsAbout = (title: string) => world.simulators.simulators.weibo.state.publications().filter((p) => JSON.stringify(p).includes(title.slice(0, 8)));

describe("a delivery's first attempt in its package's workflow", () => {
  test('operators asking while it sends are told to wait; it goes live once, with no delivery workflow of its own', async () => {
    // Weibo answers this post after 4 s: long enough to ask while the first attempt sends.
    const title = '关于开展冬季清洁取暖专项检查的通知';
    const { pkg, ops } = await releaseWithSlowWeibo(title, 'first-attempt');

    const sending = await rowOf(pkg.id, WEIBO, (r) => r.state === 'transmitting', 'the first attempt sending');
    const refusal = await deliveries.skip(ops.actor, sending.id, '暂不发布').catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(GovpubError);
    expect((refusal as GovpubError).code).toBe('delivery_busy');
    expect((refusal as GovpubError).message).toMatch(/being sent right now/);
    expect((await deliveries.get(sending.id)).waitingFor).toBe('platform');

    await statusOf(pkg.id, 'released');
    const live = await rowOf(pkg.id, WEIBO, (r) => r.state === 'live', 'live');
    expect(live.attempts).toBe(1);
    expect(postsAbout(title)).toHaveLength(1);
    // Settled by the first attempt: no delivery workflow was started for it.
    await expect(app.client.workflow.getHandle(deliveryWorkflowId(live.business_key)).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
    // Once live, a skip is refused for what it is: nothing is running for that delivery.
    const late = await deliveries.skip(ops.actor, live.id, '暂不发布').catch((error: unknown) => error);
    expect((late as GovpubError).code).toBe('delivery_not_running');
  }, 240_000);

  test('a retraction while the first attempt sends: the post is recorded, then taken down, once', async () => {
    const title = '关于调整城市道路临时停车收费标准的通知';
    const { pkg, ops } = await releaseWithSlowWeibo(title, 'first-attempt-retract');

    await rowOf(pkg.id, WEIBO, (r) => r.state === 'transmitting', 'the first attempt sending');
    await app.packages.retract(ops.actor, pkg.id, '内容需更正');
    await statusOf(pkg.id, 'retracted');
    const weibo = await rowOf(pkg.id, WEIBO, () => true, 'retracted');
    expect(weibo.state).toBe('retracted');
    expect(postsAbout(title).map((p) => p.state)).toEqual(['deleted']);
    const audit = await app.db.selectFrom('audit_log').select('action').where('package_id', '=', pkg.id).where('channel_id', '=', WEIBO).execute();
    const actions = audit.map((a) => a.action);
    expect(actions.filter((a) => a === 'delivery_live')).toHaveLength(1);
    expect(actions).toContain('delivery_retracted');
    expect(actions).not.toContain('delivery_canceled');
  }, 240_000);

  test('held, and the channel resumed before the delivery workflow existed: it goes on at once, not after the 5-minute recheck', async () => {
    // The race: the first attempt finds the channel held; "resume channel" lifts the hold and
    // signals every waiting delivery workflow before this one has started, so none hears it. A
    // delivery workflow started with that answer, the hold already lifted, must not wait for a
    // signal that came first.
    const title = '关于做好冬季校园安全工作的通知';
    const editor = await app.user('editor-held', 'editor');
    const ops = await app.user('ops-held', 'ops');
    await deliveries.pauseChannel(ops.actor, WEIBO, '账号年审');
    await world.registerMedia(app.db, editor.actor.id);
    const pkg = await app.packages.create(editor.actor, richPolicyPackage(world, [WEIBO, PORTAL], title));
    await approveAll(app, pkg.id, editor.actor);
    const planned = await rowOf(pkg.id, WEIBO, () => true, 'planned');
    // The package's own delivery workflow for Weibo waits for the resume (the hold is still on).
    const ownWorkflow = app.client.workflow.getHandle(deliveryWorkflowId(planned.business_key));
    await expect
      .poll(async () => (await ownWorkflow.query(deliveryStatusQuery).catch(() => null))?.waitingFor, { timeout: 60_000, interval: 300 })
      .toBe('channel');
    const started = (await ownWorkflow.fetchHistory()).events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0]?.data;
    const plan = JSON.parse(Buffer.from(started!).toString('utf8')) as DeliveryPlan;

    // The hold is lifted without a signal reaching anyone (the resume that came too early), and a
    // delivery workflow starts with the first attempt's answer "held".
    expect(await unpauseChannel(app.db, WEIBO)).toBe('账号年审');
    const resume: DeliveryResume = {
      phase: 'attempted',
      markedUnconfirmed: false,
      confirmStartedAt: Date.now(),
      attempt: { kind: 'transmitted', outcome: { kind: 'held', reason: '账号年审' } },
    };
    const startedAt = Date.now();
    const workflowId = `${deliveryWorkflowId(planned.business_key)}-resumed-too-early`;
    const result = await app.client.workflow.execute(deliveryWorkflow, {
      workflowId,
      taskQueue: app.ctx.taskQueue,
      args: [plan, resume],
    });
    expect(result.state).toBe('live');
    expect(Date.now() - startedAt, 'well before the 5-minute recheck').toBeLessThan(60_000);
    expect(postsAbout(title)).toHaveLength(1);
    saveHistory('delivery-held-hold-lifted-before-start', workflowId);

    // The package's own delivery workflow (the API no longer wakes it: its row is live, not
    // waiting), woken as its 5-minute look would, finds it live and sends nothing.
    await ownWorkflow.signal(channelResumedSignal);
    await statusOf(pkg.id, 'released');
    expect(postsAbout(title)).toHaveLength(1);
  }, 240_000);
});
