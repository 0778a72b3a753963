/**
 * What lies between the final approval and live (issue 14), on the real Temporal dev server and
 * PostgreSQL: the bookkeeping steps run inside the workflow task (local activities: no task-queue
 * round trip), renditions are prepared while the package is in review, and each delivery's first
 * attempt runs in the package's workflow, so the release goes straight from format to transmit
 * and a delivery workflow starts only for what needs more. Every change keeps the history replayable.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { temporal } from '@temporalio/proto';
import { WorkflowNotFoundError } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { deliveryWorkflowId } from '../../contracts/delivery.js';
import { packageWorkflowId } from '../../contracts/package.js';
import type { ActivityDeps } from '../../activities/index.js';
import { releaseUnitLoader } from '../../activities/release-unit.js';
import { ingestUpload } from '../../media/index.js';
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
});

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

    // Douyin's first status query after the release fails (its transmit is not touched).
    world.simulators.simulators.douyin.state.addFault({ match: '/video/data/', kind: 'http_error', status: 503, count: 1 });
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

    // The package's steps (submit, three approvals, the plan, released) and each delivery's format
    // left local-activity markers. Its activity tasks are the renditions' on the media queue and
    // each delivery's first attempt, made here (workflows/first-attempt.ts): three transmits, and
    // one status query each for the two platforms that publish in the background. The renditions
    // were cached during review, so no delivery needed a media step.
    const packageEvents = (await packageHandle.fetchHistory()).events ?? [];
    expect(scheduledActivities(packageEvents).sort()).toEqual([
      'confirmDelivery',
      'confirmDelivery',
      'prepareReviewMedia',
      'transmitDelivery',
      'transmitDelivery',
      'transmitDelivery',
    ]);
    // Release work goes first on the shared queues; renditions made during review go last.
    const scheduled = packageEvents.map((e) => e.activityTaskScheduledEventAttributes).filter((a) => a);
    for (const step of scheduled.filter((a) => a!.activityType?.name !== 'prepareReviewMedia')) expect(step!.priority?.priorityKey).toBe(1);
    expect(scheduled.find((a) => a!.activityType?.name === 'prepareReviewMedia')!.priority?.priorityKey).toBe(5);
    expect(localActivityMarkers(packageEvents)).toBeGreaterThanOrEqual(9);
    // Every step was recorded once in the database, as before.
    const audit = await app.db.selectFrom('audit_log').select(['action', 'channel_id']).where('package_id', '=', pkg.id).execute();
    for (const action of ['submit', 'approve', 'released']) expect(audit.some((a) => a.action === action)).toBe(true);
    expect(audit.filter((a) => a.action === 'approve')).toHaveLength(3);

    // A delivery the platform took at once (the portal), or that was public by the first status
    // query (WeChat), has no workflow of its own. Douyin's first status query failed (the fault
    // above): that delivery goes on in a delivery workflow that starts from the platform's answer
    // to the transmit; it asks again, and sends nothing again.
    const rows = await app.db.selectFrom('deliveries').select(['channel_id', 'business_key', 'attempts']).where('package_id', '=', pkg.id).execute();
    expect(rows).toHaveLength(3);
    const childStarts = packageEvents.map((e) => e.startChildWorkflowExecutionInitiatedEventAttributes).filter((a) => a);
    const handedOver = rows.filter((r) => r.channel_id === targets[2]);
    expect(childStarts.map((c) => c!.workflowId)).toEqual(handedOver.map((r) => deliveryWorkflowId(r.business_key)));
    for (const start of childStarts) expect(start!.priority?.priorityKey).toBe(1);
    expect(world.simulators.simulators.douyin.state.publications().filter((p) => JSON.stringify(p).includes('夜间经济'))).toHaveLength(1);
    for (const row of rows) {
      expect(row.attempts, row.channel_id).toBe(1);
      const handle = app.client.workflow.getHandle(deliveryWorkflowId(row.business_key));
      if (!handedOver.includes(row)) {
        await expect(handle.describe(), row.channel_id).rejects.toBeInstanceOf(WorkflowNotFoundError);
        continue;
      }
      const history = await handle.fetchHistory();
      const activities = scheduledActivities(history.events ?? []);
      expect(activities, row.channel_id).not.toContain('transmitDelivery');
      expect(activities, row.channel_id).not.toContain('formatDelivery');
      expect(activities, row.channel_id).toContain('confirmDelivery');
      expect(localActivityMarkers(history.events ?? []), row.channel_id).toBe(0);
      await Worker.runReplayHistory({ workflowsPath: WORKFLOWS_PATH }, history, deliveryWorkflowId(row.business_key));
      if (row.channel_id.startsWith('douyin:')) saveHistory('delivery-after-first-attempt-submitted-video', deliveryWorkflowId(row.business_key));
    }
    saveHistory('package-first-attempts-here-one-handed-over', packageWorkflowId(pkg.id));
    await Worker.runReplayHistory({ workflowsPath: WORKFLOWS_PATH }, await packageHandle.fetchHistory(), packageWorkflowId(pkg.id));
  }, 420_000);

  test("a photo's renditions missing at release are made by the transmit, without a media step; a photo that cannot be made fails its deliveries as rejected, naming the rendition", async () => {
    const wechat = app.registry.accounts.find((a) => a.platform === 'wechat_oa')!;
    const column = app.registry.catalogue.find((i) => i.requiresInterpretation)!.portalColumnId;
    const targets = [`portal:${column}`, `wechat_oa:${wechat.id}`];
    const editor = await app.user('editor-photo-at-transmit', 'editor');
    // Two photos of their own, so no earlier release has their renditions cached.
    const photos = await Promise.all(
      [120, 200].map(async (green) => {
        const file = path.join(world.dir, `photo-${green}.jpg`);
        await sharp({ create: { width: 1600, height: 1000, channels: 3, background: { r: 30, g: green, b: 90 } } })
          .jpeg()
          .toFile(file);
        return ingestUpload(world.mediaStore, fs.createReadStream(file), { label: `图解-${green}.jpg` });
      }),
    );
    await world.registerMedia(app.db, editor.actor.id, photos);
    const renditionRecords = (sha: string) => path.join(world.mediaStore.dir, 'records', 'renditions', sha);
    const reviewers = await Promise.all(['first', 'second', 'final'].map((stage) => app.user(`reviewer-${stage}-photo-at-transmit`, 'reviewer', [stage])));

    /** Submitted, its review renditions made and then lost (an evicted cache), approved at every stage. */
    async function releaseWithoutCachedRenditions(photo: string, title: string, alsoLoseOriginal: boolean) {
      const base = richPolicyPackage(world, targets, title);
      const body = { ...base, cover: { mediaId: photo, alt: `${title}图解` }, interpretations: base.interpretations.filter((i) => i.form === 'text') };
      const pkg = await app.packages.create(editor.actor, body);
      await app.packages.submit(editor.actor, pkg.id);
      const handle = app.client.workflow.getHandle(packageWorkflowId(pkg.id));
      await waitUntil(
        async () => (await handle.fetchHistory()).events ?? [],
        (events) => completedActivity(events, 'prepareReviewMedia'),
        'the renditions prepared during review',
        180_000,
      );
      expect(fs.existsSync(renditionRecords(photo))).toBe(true);
      fs.rmSync(renditionRecords(photo), { recursive: true, force: true });
      if (alsoLoseOriginal) expect(await world.mediaStore.delete(photo)).toBe(true);
      for (const reviewer of reviewers) await app.packages.decide(reviewer.actor, pkg.id, { decision: 'approve', revision: 1, comment: '同意' });
      return { pkg, handle };
    }

    // Renditions lost: the transmits make them again, and no delivery waited for the media queue.
    const made = await releaseWithoutCachedRenditions(photos[0]!.sha256, '关于支持夜市经营的通知', false);
    const released = await waitUntil(
      () => app.packages.get(made.pkg.id),
      (p) => p.status === 'released',
      'the release',
      120_000,
    );
    expect(released.deliveries.map((d) => d.state)).toEqual(['live', 'live']);
    expect(scheduledActivities((await made.handle.fetchHistory()).events ?? [])).not.toContain('prepareDeliveryMedia');
    expect(fs.readdirSync(renditionRecords(photos[0]!.sha256)).length).toBeGreaterThan(0);

    // The original gone as well: nothing can be made, nothing is sent, and each delivery says which
    // rendition of what could not be prepared (the editor replaces the photo).
    const lost = await releaseWithoutCachedRenditions(photos[1]!.sha256, '关于规范早市经营的通知', true);
    const failed = await waitUntil(
      () => app.db.selectFrom('deliveries').selectAll().where('package_id', '=', lost.pkg.id).execute(),
      (rows) => rows.length === 2 && rows.every((r) => r.state === 'failed'),
      'both deliveries failed',
      120_000,
    );
    for (const row of failed) {
      expect(row.error_class, row.channel_id).toBe('rejected');
      expect(row.error_message, row.channel_id).toMatch(/^Cannot prepare the .+ \((portal|wechat_oa)\.[\w.]+\): /);
      expect(row.attempts, row.channel_id).toBe(0);
      // The console shows problems: the refusal lists the one that stopped it, in Chinese.
      expect(row.problems, row.channel_id).toEqual([
        expect.objectContaining({
          message: row.error_message,
          messageZh: expect.stringMatching(
            /^发往该平台的媒体文件「(?!(portal|wechat_oa)\.)[^」]+」无法生成：媒体库中没有编号为 [0-9a-f]{64} 的文件。请重新上传该文件。$/,
          ),
        }),
      ]);
    }
    for (const d of (await app.packages.get(lost.pkg.id)).deliveries) {
      expect(d.errorMessageZh, d.channelId).toContain('不能按原样接收这份稿件：发往该平台的媒体文件「');
    }
    expect(world.simulators.simulators.wechat_oa.state.publications().filter((p) => JSON.stringify(p).includes('早市经营'))).toHaveLength(0);
    expect(scheduledActivities((await lost.handle.fetchHistory()).events ?? [])).not.toContain('prepareDeliveryMedia');
    const audit = await app.db.selectFrom('audit_log').select(['action', 'channel_id']).where('package_id', '=', lost.pkg.id).execute();
    expect(
      audit
        .filter((a) => a.action === 'delivery_rejected')
        .map((a) => a.channel_id)
        .sort(),
    ).toEqual([...targets].sort());
    expect((await app.packages.get(lost.pkg.id)).status).toBe('releasing');
  }, 420_000);

  test("a release's unit is read once for all its channels and frozen; another release, or a read that failed, reads again", async () => {
    const deps = world.deps({ db: app.db, taskQueue: app.taskQueue } as ActivityDeps);
    const loadUnit = releaseUnitLoader(deps);
    const released = await app.db.selectFrom('deliveries').select(['package_id', 'revision']).where('state', '=', 'live').executeTakeFirstOrThrow();
    const ref = { packageId: released.package_id, revision: released.revision, channelId: '' };
    const releasedAt = new Date().toISOString();

    const first = await loadUnit({ ...ref, channelId: 'portal:a' }, releasedAt);
    expect(await loadUnit({ ...ref, channelId: 'wechat_oa:b' }, releasedAt)).toBe(first);
    expect(first.packageId).toBe(ref.packageId);
    // A format step that wrote into the shared unit would change what the other channels publish.
    expect(Object.isFrozen(first.document)).toBe(true);
    expect(() => {
      (first.document as { title: string }).title = '改过的标题';
    }).toThrow(TypeError);

    const later = await loadUnit(ref, new Date(Date.parse(releasedAt) + 1000).toISOString());
    expect(later).not.toBe(first);
    expect(later).toEqual({ ...first, releasedAt: later.releasedAt });

    const missing = { ...ref, revision: 999 };
    await expect(loadUnit(missing, releasedAt)).rejects.toThrow(/Revision 999 of package .* is missing/);
    // Not kept: once the revision is there, the same release reads it.
    const stored = await app.db
      .selectFrom('package_revisions')
      .selectAll()
      .where('package_id', '=', ref.packageId)
      .where('revision', '=', ref.revision)
      .executeTakeFirstOrThrow();
    await app.db
      .insertInto('package_revisions')
      .values({
        package_id: ref.packageId,
        revision: 999,
        content: JSON.stringify(stored.content),
        content_hash: stored.content_hash,
        created_by: stored.created_by,
      })
      .execute();
    try {
      expect((await loadUnit(missing, releasedAt)).revision).toBe(999);
    } finally {
      await app.db.deleteFrom('package_revisions').where('package_id', '=', ref.packageId).where('revision', '=', 999).execute();
    }
  });
});
