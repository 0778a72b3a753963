/**
 * What lies between the final approval and live (issue 14), on the real Temporal dev server and
 * PostgreSQL: the bookkeeping steps run inside the workflow task (local activities: no task-queue
 * round trip), and renditions are prepared while the package is in review, so the release goes
 * straight from format to transmit. Both changes keep the history replayable.
 */
import type { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { deliveryWorkflowId } from '../../contracts/delivery.js';
import { packageWorkflowId } from '../../contracts/package.js';
import { WORKFLOWS_PATH } from '../../worker/worker.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { saveHistory } from '../support/histories.js';
import { richPolicyPackage, startReleaseWorld, type ReleaseWorld } from '../delivery/support.js';

let world: ReleaseWorld;
let app: TestApp;

beforeAll(async () => {
  world = await startReleaseWorld();
  app = await startTestApp({ backend: 'postgres', deps: world.deps, platformCaps: world.platforms });
  await app.startWorker();
}, 120_000);

afterAll(async () => {
  await app?.close();
  await world?.close();
});

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

const scheduledActivities = (events: HistoryEvent[]) =>
  events.map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name).filter((n): n is string => Boolean(n));
const completedActivity = (events: HistoryEvent[], name: string) => {
  const ids = new Set(events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === name).map((e) => String(e.eventId)));
  return events.some((e) => e.activityTaskCompletedEventAttributes && ids.has(String(e.activityTaskCompletedEventAttributes.scheduledEventId)));
};
const localActivityMarkers = (events: HistoryEvent[]) => events.filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity').length;

async function waitUntil<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('the release path', () => {
  test('renditions are made during review and bookkeeping runs in the workflow task; the release sends straight away', async () => {
    const wechat = app.registry.accounts.find((a) => a.platform === 'wechat_oa')!;
    const douyin = app.registry.accounts.find((a) => a.platform === 'douyin')!;
    const column = app.registry.catalogue.find((i) => i.requiresInterpretation)!.portalColumnId;
    const targets = [`portal:${column}`, `wechat_oa:${wechat.id}`, `douyin:${douyin.id}`];
    const editor = await app.user('editor-release-path', 'editor');
    await world.registerMedia(app.db, editor.actor.id);
    const pkg = await app.packages.create(editor.actor, richPolicyPackage(world, targets, '关于加快发展夜间经济的实施意见'));
    const packageHandle = app.client.workflow.getHandle(packageWorkflowId(pkg.id));

    // Submitted: the workflow starts the renditions on the media queue and review goes on meanwhile.
    await app.packages.submit(editor.actor, pkg.id);
    const inReview = await waitUntil(
      async () => (await packageHandle.fetchHistory()).events ?? [],
      (events) => completedActivity(events, 'prepareReviewMedia'),
      'the renditions prepared during review',
      180_000,
    );
    const prepared = inReview.find((e) => e.activityTaskCompletedEventAttributes)?.activityTaskCompletedEventAttributes;
    expect(prepared).toBeDefined();

    // Approved at every stage and released.
    const stages = ['first', 'second', 'final'];
    for (const stage of stages) {
      const reviewer = await app.user(`reviewer-${stage}-release-path`, 'reviewer', [stage]);
      await app.packages.decide(reviewer.actor, pkg.id, { decision: 'approve', revision: 1, comment: '同意' });
    }
    const released = await waitUntil(
      () => app.packages.get(pkg.id),
      (p) => p.status === 'released',
      'the release',
      120_000,
    );
    expect(released.deliveries.map((d) => d.state).sort()).toEqual(['live', 'live', 'live']);

    // The package's steps (submit, three approvals, the plan, released) left local-activity markers,
    // and the only activity task it scheduled is the renditions' on the media queue.
    const packageEvents = (await packageHandle.fetchHistory()).events ?? [];
    expect(scheduledActivities(packageEvents)).toEqual(['prepareReviewMedia']);
    // Release work goes first on the shared queues; renditions made during review go last.
    const childStarts = packageEvents.map((e) => e.startChildWorkflowExecutionInitiatedEventAttributes).filter((a) => a);
    expect(childStarts).toHaveLength(3);
    for (const start of childStarts) expect(start!.priority?.priorityKey).toBe(1);
    const reviewMedia = packageEvents.find((e) => e.activityTaskScheduledEventAttributes)!.activityTaskScheduledEventAttributes!;
    expect(reviewMedia.priority?.priorityKey).toBe(5);
    expect(localActivityMarkers(packageEvents)).toBeGreaterThanOrEqual(6);
    // Every step was recorded once in the database, as before.
    const audit = await app.db.selectFrom('audit_log').select('action').where('package_id', '=', pkg.id).execute();
    for (const action of ['submit', 'approve', 'released']) expect(audit.some((a) => a.action === action)).toBe(true);
    expect(audit.filter((a) => a.action === 'approve')).toHaveLength(3);

    // Each delivery formatted in its workflow task and found its renditions cached: no media step.
    const rows = await app.db.selectFrom('deliveries').select(['channel_id', 'business_key']).where('package_id', '=', pkg.id).execute();
    expect(rows).toHaveLength(3);
    for (const row of rows) {
      const handle = app.client.workflow.getHandle(deliveryWorkflowId(row.business_key));
      const history = await handle.fetchHistory();
      const activities = scheduledActivities(history.events ?? []);
      expect(activities, row.channel_id).not.toContain('prepareDeliveryMedia');
      expect(activities, row.channel_id).not.toContain('formatDelivery');
      expect(activities, row.channel_id).toContain('transmitDelivery');
      await Worker.runReplayHistory({ workflowsPath: WORKFLOWS_PATH }, history, deliveryWorkflowId(row.business_key));
      if (row.channel_id.startsWith('douyin:')) saveHistory('delivery-local-format-cached-video', deliveryWorkflowId(row.business_key));
    }
    saveHistory('package-review-media-local-steps-release-first', packageWorkflowId(pkg.id));
    await Worker.runReplayHistory({ workflowsPath: WORKFLOWS_PATH }, await packageHandle.fetchHistory(), packageWorkflowId(pkg.id));
  }, 420_000);
});
