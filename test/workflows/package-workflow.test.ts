/**
 * The three synchronizations against the real Temporal dev server and PostgreSQL: every rule of
 * organize, review, release timing and retraction, plus a worker restart and history replay.
 */
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../domain/package-rules.js';
import { WORKFLOWS_PATH } from '../../worker/worker.js';
import { packageWorkflowId } from '../../contracts/package.js';
import { policyPackage, refusal, startTestApp, type TestApp } from '../support/app.js';
import { saveHistory } from '../support/histories.js';
import { issueMessageZh } from '../../api/validation.js';
import { PackageService } from '../../services/packages.js';

let app: TestApp;
let editor: Actor;
let editor2: Actor;
let first: Actor;
let second: Actor;
let final: Actor;
let allStages: Actor;
let ops: Actor;

beforeAll(async () => {
  app = await startTestApp();
  await app.startWorker();
  editor = (await app.user('editor-wang', 'editor')).actor;
  editor2 = (await app.user('editor-li', 'editor')).actor;
  first = (await app.user('reviewer-zhao', 'reviewer', ['初审'])).actor;
  second = (await app.user('reviewer-qian', 'reviewer', ['复审'])).actor;
  final = (await app.user('reviewer-sun', 'reviewer', ['终审'])).actor;
  allStages = (await app.user('reviewer-zhou', 'reviewer', ['初审', '复审', '终审'])).actor;
  ops = (await app.user('ops-wu', 'ops')).actor;
});

afterAll(async () => {
  await app?.close();
});

async function approveAll(id: string, revision: number) {
  await app.packages.decide(first, id, { revision, decision: 'approve', comment: '初审通过' });
  await app.packages.decide(second, id, { revision, decision: 'approve', comment: '复审通过' });
  return app.packages.decide(final, id, { revision, decision: 'approve', comment: '终审通过' });
}

/** The example policy package, created, submitted, approved at every stage and released. */
async function releasedPackage() {
  const created = await app.packages.create(editor, policyPackage(app.registry));
  await app.packages.submit(editor, created.id);
  await approveAll(created.id, 1);
  await waitFor(
    () => app.packages.get(created.id),
    (p) => p.status === 'released',
  );
  return created;
}

/** Until `done` holds for what `read` answers; a release or retraction takes seconds, on a loaded machine tens of them. */
async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not met in ${timeoutMs} ms; last value: ${JSON.stringify(value).slice(0, 500)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('package ids', () => {
  it('carry the Beijing calendar date, as every page shows dates, not the UTC one (07:30 on 3 Dec Beijing is 23:30 on 2 Dec UTC)', async () => {
    const createdAt = async (instant: string) => new PackageService(app.ctx, { now: () => new Date(instant) }).create(editor, policyPackage(app.registry));
    expect((await createdAt('2026-12-02T23:30:00.000Z')).id).toMatch(/^pkg-20261203-[0-9a-f]{8}$/);
    // The day turns at Beijing midnight, 16:00 UTC.
    expect((await createdAt('2026-12-02T15:59:59.999Z')).id).toMatch(/^pkg-20261202-[0-9a-f]{8}$/);
    expect((await createdAt('2026-12-02T16:00:00.000Z')).id).toMatch(/^pkg-20261203-[0-9a-f]{8}$/);
  });
});

describe('organize: document and interpretation enter review together', () => {
  it('refuses to submit a policy document that needs interpretation and has none, with the reason', async () => {
    const created = await app.packages.create(editor, policyPackage(app.registry, { interpretations: [] }));
    expect(created.status).toBe('draft');
    const error = await refusal(app.packages.submit(editor, created.id));
    expect(error.code).toBe('interpretation_required');
    expect(error.message).toMatch(/interpretation/);
    expect((await app.packages.get(created.id)).status).toBe('draft');
  });

  it('refuses an interpretation without its document, naming the field, and stores nothing', async () => {
    const before = await app.db
      .selectFrom('packages')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    const error = await refusal(app.packages.create(editor, policyPackage(app.registry, { document: null })));
    expect(error.code).toBe('invalid_body');
    expect(JSON.stringify(error.details)).toContain('"path":"document"');
    const after = await app.db
      .selectFrom('packages')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    expect(after.n).toEqual(before.n);
  });

  it('sanitizes the body HTML', async () => {
    const created = await app.packages.create(editor, policyPackage(app.registry));
    const view = await app.packages.get(created.id);
    expect(view.content.document!.body).not.toContain('<script>');
    expect(view.content.document!.body).toContain('为深入贯彻落实');
  });
});

describe('review: one decision covers the whole package, stage by stage', () => {
  it('approves through 初审 → 复审 → 终审, releases every target together and records each channel', async () => {
    const input = policyPackage(app.registry);
    const created = await app.packages.create(editor, input);
    const submitted = await app.packages.submit(editor, created.id);
    expect(submitted).toMatchObject({ status: 'in_review', currentStage: 'first' });
    expect((await app.packages.list({ status: 'in_review', stage: '初审' })).map((p) => p.id)).toContain(created.id);
    await app.packages.decide(first, created.id, { revision: 1, decision: 'approve', comment: 'ok' });
    expect((await app.packages.get(created.id)).currentStage).toBe('second');
    await app.packages.decide(second, created.id, { revision: 1, decision: 'approve', comment: 'ok' });
    await app.packages.decide(final, created.id, { revision: 1, decision: 'approve', comment: 'ok' });
    const released = await waitFor(
      () => app.packages.get(created.id),
      (p) => p.status === 'released',
    );
    expect(released.approvals.map((a) => a.stage)).toEqual(['first', 'second', 'final']);
    expect(released.deliveries.map((d) => d.channelId).sort()).toEqual([...input.targets].sort());
    for (const delivery of released.deliveries) {
      expect(delivery.state).toBe('live');
      expect(delivery.liveAt).not.toBeNull();
      expect(delivery.revision).toBe(1);
    }
    const payloads = await app.db.selectFrom('deliveries').select('payload').where('package_id', '=', created.id).execute();
    for (const { payload } of payloads) {
      // Document and interpretation travel as one unit.
      expect((payload as { interpretations: unknown[] }).interpretations).toHaveLength(1);
    }
    const actions = (await app.db.selectFrom('audit_log').select('action').where('package_id', '=', created.id).orderBy('id').execute()).map((r) => r.action);
    expect(actions).toEqual(['create', 'submit', 'approve', 'approve', 'approve', 'delivery_live', 'delivery_live', 'released']);
  });

  it('refuses a decision on a stale revision, self-approval, a wrong stage and one person at two stages', async () => {
    const created = await app.packages.create(editor, policyPackage(app.registry));
    await app.packages.submit(editor, created.id);
    expect((await refusal(app.packages.decide(first, created.id, { revision: 2, decision: 'approve', comment: '' }))).code).toBe('stale_revision');
    expect((await refusal(app.packages.decide(second, created.id, { revision: 1, decision: 'approve', comment: '' }))).code).toBe('wrong_stage');
    expect((await refusal(app.packages.decide(editor, created.id, { revision: 1, decision: 'approve', comment: '' }))).code).toBe('role_not_allowed');
    await app.packages.decide(allStages, created.id, { revision: 1, decision: 'approve', comment: '' });
    expect((await refusal(app.packages.decide(allStages, created.id, { revision: 1, decision: 'approve', comment: '' }))).code).toBe(
      'same_reviewer_two_stages',
    );

    // A reviewer who wrote the package may not approve it.
    const admin = (await app.user('admin-he', 'admin', ['初审', '复审', '终审'])).actor;
    const own = await app.packages.create(admin, policyPackage(app.registry));
    await app.packages.submit(admin, own.id);
    expect((await refusal(app.packages.decide(admin, own.id, { revision: 1, decision: 'approve', comment: '' }))).code).toBe('self_approval');

    // Refused decisions never entered history: only the submit and one approval were accepted.
    const history = await app.client.workflow.getHandle(packageWorkflowId(created.id)).fetchHistory();
    const accepted = history.events!.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes);
    expect(accepted).toHaveLength(2);
    const decisions = await app.db.selectFrom('review_decisions').selectAll().where('package_id', '=', created.id).execute();
    expect(decisions).toHaveLength(1);
  });

  it('locks content under review; reject sends it back with the comment; resubmission restarts at 初审', async () => {
    const created = await app.packages.create(editor, policyPackage(app.registry));
    await app.packages.submit(editor, created.id);
    expect((await refusal(app.packages.edit(editor, created.id, policyPackage(app.registry, { title: '改' })))).code).toBe('content_locked');
    expect((await refusal(app.packages.decide(first, created.id, { revision: 1, decision: 'reject', comment: '' }))).code).toBe('comment_required');
    await app.packages.decide(first, created.id, { revision: 1, decision: 'reject', comment: '第三条表述不准确，请修改' });
    const rejected = await app.packages.get(created.id);
    expect(rejected.status).toBe('draft');
    expect(rejected.lastRejection).toMatchObject({ stage: 'first', comment: '第三条表述不准确，请修改' });
    const edited = await app.packages.edit(editor2, created.id, policyPackage(app.registry, { title: '关于进一步优化营商环境的若干措施（修改稿）' }));
    expect(edited.revision).toBe(2);
    saveHistory('rejected-edited-resubmitted', packageWorkflowId(created.id));
    const resubmitted = await app.packages.submit(editor, created.id);
    expect(resubmitted).toMatchObject({ status: 'in_review', currentStage: 'first', revision: 2 });
    // The second editor is an author now too.
    const editorAsAdmin = await refusal(app.packages.decide(editor2, created.id, { revision: 2, decision: 'approve', comment: '' }));
    expect(editorAsAdmin.code).toBe('role_not_allowed');
  });

  it('voids every approval when an approved package is edited, and review restarts at the first stage', async () => {
    const releaseAt = new Date(Date.now() + 3_600_000).toISOString();
    const created = await app.packages.create(editor, policyPackage(app.registry, { releaseAt }));
    await app.packages.submit(editor, created.id);
    const approved = await approveAll(created.id, 1);
    expect(approved.status).toBe('scheduled');
    const edited = await app.packages.edit(editor, created.id, policyPackage(app.registry, { releaseAt, title: '关于进一步优化营商环境的若干措施（第二版）' }));
    expect(edited).toMatchObject({ revision: 2, status: 'in_review' });
    const view = await app.packages.get(created.id);
    expect(view.currentStage).toBe('first');
    expect(view.approvals).toEqual([]);
    expect(view.decisions.filter((d) => d.voided)).toHaveLength(3);
    const audit = await app.db.selectFrom('audit_log').selectAll().where('package_id', '=', created.id).where('action', '=', 'edit').executeTakeFirstOrThrow();
    expect(audit.revision).toBe(2);
    expect(audit.content_hash).toBe(edited.contentHash);
  });

  it('refuses an edit that would put an approved package back into review without its required interpretation (三同步); it stays approved, nothing stored', async () => {
    const releaseAt = new Date(Date.now() + 3_600_000).toISOString();
    const created = await app.packages.create(editor, policyPackage(app.registry, { releaseAt }));
    await app.packages.submit(editor, created.id);
    expect((await approveAll(created.id, 1)).status).toBe('scheduled');
    const error = await refusal(app.packages.edit(editor, created.id, policyPackage(app.registry, { releaseAt, interpretations: [] })));
    expect(error.code).toBe('interpretation_required');
    expect(error.messageZh).toMatch(/三同步/);
    const view = await app.packages.get(created.id);
    expect([view.status, view.revision, view.approvals.length]).toEqual(['scheduled', 1, 3]);
    const revisions = await app.db.selectFrom('package_revisions').select('revision').where('package_id', '=', created.id).execute();
    expect(revisions).toEqual([{ revision: 1 }]);
    const edits = await app.db.selectFrom('audit_log').select('action').where('package_id', '=', created.id).where('action', '=', 'edit').execute();
    expect(edits).toEqual([]);
  });

  it('withdrawal voids approvals and returns the package to draft', async () => {
    const created = await app.packages.create(editor, policyPackage(app.registry));
    await app.packages.submit(editor, created.id);
    await app.packages.decide(first, created.id, { revision: 1, decision: 'approve', comment: '' });
    const withdrawn = await app.packages.withdraw(editor, created.id, '补充材料');
    expect(withdrawn).toMatchObject({ status: 'draft', approvals: [] });
  });
});

describe('release timing: a durable timer that can be changed or cancelled', () => {
  it('keeps approvals when the release time changes, and releases at the new time', async () => {
    const created = await app.packages.create(editor, policyPackage(app.registry, { releaseAt: new Date(Date.now() + 3_600_000).toISOString() }));
    await app.packages.submit(editor, created.id);
    expect((await approveAll(created.id, 1)).status).toBe('scheduled');
    // Soon, but not before the change is applied: a time 1.5 s away could pass while the request
    // went through a loaded machine's workflow, and the package was released at once instead.
    const moved = await app.packages.schedule(editor, created.id, new Date(Date.now() + 10_000).toISOString(), false);
    expect(moved.status).toBe('scheduled');
    expect(moved.approvals).toHaveLength(3);
    const released = await waitFor(
      () => app.packages.get(created.id),
      (p) => p.status === 'released',
    );
    expect(released.deliveries.every((d) => d.state === 'live')).toBe(true);
    const actions = (await app.db.selectFrom('audit_log').select('action').where('package_id', '=', created.id).execute()).map((r) => r.action);
    expect(actions).toContain('release_time_changed');
    expect(actions).toContain('release_time_reached');
    saveHistory('release-time-changed', packageWorkflowId(created.id));
  });

  it('refuses a release time already past (a mistyped year would publish at once), naming it in Beijing time; the schedule stays', async () => {
    const releaseAt = new Date(Date.now() + 3_600_000).toISOString();
    const created = await app.packages.create(editor, policyPackage(app.registry, { releaseAt }));
    await app.packages.submit(editor, created.id);
    expect((await approveAll(created.id, 1)).status).toBe('scheduled');
    const lastYear = new Date(Date.now() - 365 * 86_400_000);
    const error = await refusal(app.packages.schedule(editor, created.id, lastYear.toISOString(), false));
    expect(error.code).toBe('invalid_body');
    const beijing = new Date(lastYear.getTime() + 8 * 3_600_000).toISOString();
    expect(error.message).toBe(
      `releaseAt: ${beijing.slice(0, 10)} ${beijing.slice(11, 16)} (Beijing time) is in the past; give a time to come, or release now (POST /api/packages/${created.id}/release, govpub packages release)`,
    );
    expect(issueMessageZh(error.message.slice('releaseAt: '.length))).toMatch(/（北京时间）已经过去：请填写将来的时间，或立即发布/);
    const after = await app.packages.get(created.id);
    expect(after).toMatchObject({ status: 'scheduled', releaseAt });
    expect(after.approvals).toHaveLength(3);
    // A moment ago is "now" (a clock a little behind): released at once, as null would.
    const now = await app.packages.schedule(editor, created.id, new Date(Date.now() - 5_000).toISOString(), false);
    expect(now.status).toBe('releasing');
  });

  it('a package body sets no release time already past, nor one over five years ahead (a mistyped year); an edit keeping a time that has passed meanwhile is taken', async () => {
    const lastYear = new Date(Date.now() - 365 * 86_400_000).toISOString();
    const past = await refusal(app.packages.create(editor, policyPackage(app.registry, { title: '发布时间已过', releaseAt: lastYear })));
    expect(past.code).toBe('invalid_body');
    expect(past.message).toMatch(/^releaseAt: .* \(Beijing time\) is in the past; give a time to come, or leave releaseAt out to release as soon as approved$/);
    expect(issueMessageZh(past.message.slice('releaseAt: '.length))).toMatch(/（北京时间）已经过去：请填写将来的时间，或不填发布时间/);
    const typo = new Date(Date.now() + 180 * 365 * 86_400_000).toISOString();
    const far = await refusal(app.packages.create(editor, policyPackage(app.registry, { title: '发布时间太远', releaseAt: typo })));
    expect(far.message).toMatch(/^releaseAt: .* \(Beijing time\) is more than 5 years ahead \(a mistyped year\?\); give a time within 5 years$/);
    expect(issueMessageZh(far.message.slice('releaseAt: '.length))).toMatch(/距今超过 5 年（年份是否输错？）/);
    // Nothing was stored for either.
    expect(await app.db.selectFrom('packages').select('id').where('title', 'in', ['发布时间已过', '发布时间太远']).execute()).toEqual([]);

    // An edit may not set a past time either, nor does the same save run through schedule without the check.
    const inAnHour = new Date(Date.now() + 3_600_000).toISOString();
    const created = await app.packages.create(editor, policyPackage(app.registry, { releaseAt: inAnHour }));
    const edited = await refusal(app.packages.edit(editor, created.id, policyPackage(app.registry, { title: '改了标题', releaseAt: lastYear })));
    expect(edited.message).toMatch(/is in the past/);
    expect(await refusal(app.packages.schedule(editor, created.id, typo, false))).toMatchObject({ message: expect.stringMatching(/more than 5 years ahead/) });
    expect(await app.packages.get(created.id)).toMatchObject({ revision: 1, releaseAt: inAnHour });
    // A draft whose time passed while it waited keeps it through an edit of its content.
    const passed = new Date(Date.now() - 86_400_000).toISOString();
    await app.db
      .updateTable('packages')
      .set({ release_at: new Date(passed) })
      .where('id', '=', created.id)
      .execute();
    const kept = await app.packages.edit(editor, created.id, policyPackage(app.registry, { title: '时间已过仍可修改', releaseAt: passed }));
    expect(kept.revision).toBe(2);
  });

  it('holds an approved package when its release time is cancelled, until released by hand', async () => {
    const created = await app.packages.create(editor, policyPackage(app.registry, { releaseAt: new Date(Date.now() + 3_600_000).toISOString() }));
    await app.packages.submit(editor, created.id);
    await approveAll(created.id, 1);
    // The release time comes soon, and is cancelled at once: 10 s is far more than one request takes
    // on a loaded machine (a time 2 s after creation had once passed before the three approvals).
    const releaseAt = Date.now() + 10_000;
    expect(await app.packages.schedule(editor, created.id, new Date(releaseAt).toISOString(), false)).toMatchObject({ status: 'scheduled' });
    const held = await app.packages.schedule(editor, created.id, null, true);
    expect(held).toMatchObject({ status: 'approved', onHold: true });
    // Past the time it had: still held.
    await new Promise((r) => setTimeout(r, releaseAt + 1_000 - Date.now()));
    expect((await app.packages.get(created.id)).status).toBe('approved');
    expect((await refusal(app.packages.releaseNow(editor, 'pkg-missing'))).code).toBe('not_found');
    await app.packages.releaseNow(ops, created.id);
    // A second 立即发布 (another tab, a retry after a lost answer) is told the package is going out already.
    const twice = await refusal(app.packages.releaseNow(ops, created.id));
    expect(twice.code).toBe('already_released');
    expect(twice.messageZh).toMatch(/^稿件已(在发布中|发布)，无需再次发布。/);
    await waitFor(
      () => app.packages.get(created.id),
      (p) => p.status === 'released',
    );
  });
});

describe('retraction', () => {
  it('takes the package down from every channel that received it', async () => {
    const created = await releasedPackage();
    expect((await refusal(app.packages.retract(editor, created.id, '数据有误'))).code).toBe('role_not_allowed');
    await app.packages.retract(ops, created.id, '数据有误，撤稿');
    const retracted = await waitFor(
      () => app.packages.get(created.id),
      (p) => p.status === 'retracted',
    );
    expect(retracted.deliveries.every((d) => d.state === 'retracted')).toBe(true);
    expect(retracted.retraction).toMatchObject({ reason: '数据有误，撤稿', by: ops.id });
    expect(retracted.retractedAt).not.toBeNull();
    saveHistory('released-then-retracted', packageWorkflowId(created.id));
  });

  it('accepts one of two retractions that reach the workflow together (both pass their validators): the other is refused under the lock, one audit entry', async () => {
    const created = await releasedPackage();
    // With the worker away, both Updates wait and are then delivered in one workflow task.
    await app.stopWorker();
    const both = Promise.allSettled([app.packages.retract(ops, created.id, '第一次撤稿'), app.packages.retract(ops, created.id, '第二次撤稿')]);
    await new Promise((r) => setTimeout(r, 1500));
    await app.startWorker();
    const [a, b] = await both;
    const outcomes = [a, b].map((o) => (o.status === 'fulfilled' ? 'accepted' : (o.reason as { code: string }).code)).sort();
    expect(outcomes).toEqual(['accepted', 'already_retracting']);
    await waitFor(
      () => app.packages.get(created.id),
      (p) => p.status === 'retracted',
    );
    const requested = await app.db
      .selectFrom('audit_log')
      .select('action')
      .where('package_id', '=', created.id)
      .where('action', '=', 'retract_requested')
      .execute();
    expect(requested).toHaveLength(1);
  });

  it('refuses to retract what is not public yet, saying what keeps it from going out instead', async () => {
    const releaseAt = new Date(Date.now() + 3_600_000).toISOString();
    const created = await app.packages.create(editor, policyPackage(app.registry, { releaseAt }));
    await app.packages.submit(editor, created.id);
    const inReview = await refusal(app.packages.retract(ops, created.id, '暂不发布'));
    expect(inReview.code).toBe('not_released');
    expect(inReview.messageZh).toBe('稿件正在审核中，尚未发布，无需撤稿。如不应发布，请由审核人退回，或由编辑撤回稿件。');
    await approveAll(created.id, 1);
    const scheduled = await refusal(app.packages.retract(ops, created.id, '暂不发布'));
    expect(scheduled.code).toBe('not_released');
    expect(scheduled.message).toMatch(/nothing of it is public yet.*cancel its release \(DELETE \/api\/packages\/:id\/schedule/);
    expect(scheduled.messageZh).toMatch(/^稿件状态为「定时发布」，尚未发布，无需撤稿。如需暂不发布，请取消其发布时间/);
    // What it says works for the one who asked: operations cancel the release, the approvals stay.
    const held = await app.packages.schedule(ops, created.id, null, true);
    expect([held.status, held.approvals.length]).toEqual(['approved', 3]);
  });

  it('answers every command on a retracted package by its rule (why, what to do), never "no package with that id"', async () => {
    const created = await releasedPackage();
    await app.packages.retract(ops, created.id, '政策废止，撤稿');
    await waitFor(
      () => app.packages.get(created.id),
      (p) => p.status === 'retracted',
    );
    const again = await refusal(app.packages.retract(ops, created.id, '再撤一次'));
    expect([again.code, again.details.status]).toEqual(['already_retracted', 409]);
    expect(again.message).toContain('政策废止，撤稿');
    const edit = await refusal(app.packages.edit(editor, created.id, policyPackage(app.registry, { title: '关于进一步优化营商环境的若干措施（更正）' })));
    expect([edit.code, edit.details.status]).toEqual(['already_released', 409]);
    expect(edit.message).toMatch(/Create a new package/);
    expect(edit.messageZh).toMatch(/^稿件状态为「已撤稿」.*请新建一份稿件/);
    const revisions = await app.db.selectFrom('package_revisions').select('revision').where('package_id', '=', created.id).execute();
    expect(revisions).toEqual([{ revision: 1 }]);
    expect((await refusal(app.packages.submit(editor, created.id))).code).toBe('not_a_draft');
    expect((await refusal(app.packages.withdraw(editor, created.id))).code).toBe('cannot_withdraw');
    const releaseAgain = await refusal(app.packages.releaseNow(editor, created.id));
    expect([releaseAgain.code, releaseAgain.messageZh]).toEqual([
      'already_released',
      '稿件状态为「已撤稿」，已撤稿的稿件不能重新发布。如需发布更正后的内容，请新建一份稿件。',
    ]);
    expect((await refusal(app.packages.schedule(editor, created.id, '2030-01-01T09:00:00+08:00', false))).code).toBe('release_time_fixed');
    expect((await refusal(app.packages.decide(first, created.id, { revision: 1, decision: 'approve', comment: '同意' }))).code).toBe('not_in_review');
    // Roles are still said first.
    expect((await refusal(app.packages.retract(editor, created.id, '撤'))).details.status).toBe(403);
  });
});

describe('durability', () => {
  it('survives a worker restart in the middle of review, records nothing twice, and its history replays', async () => {
    const created = await app.packages.create(editor, policyPackage(app.registry));
    await app.packages.submit(editor, created.id);
    await app.packages.decide(first, created.id, { revision: 1, decision: 'approve', comment: '' });
    await app.stopWorker();
    // While no worker runs, the package waits in review; a new worker picks it up.
    await app.startWorker();
    await app.packages.decide(second, created.id, { revision: 1, decision: 'approve', comment: '' });
    await app.packages.decide(final, created.id, { revision: 1, decision: 'approve', comment: '' });
    await waitFor(
      () => app.packages.get(created.id),
      (p) => p.status === 'released',
    );
    const deliveries = await app.db.selectFrom('deliveries').selectAll().where('package_id', '=', created.id).execute();
    expect(deliveries).toHaveLength(2);
    const decisions = await app.db.selectFrom('review_decisions').selectAll().where('package_id', '=', created.id).execute();
    expect(decisions).toHaveLength(3);

    const history = await app.client.workflow.getHandle(packageWorkflowId(created.id)).fetchHistory();
    await Worker.runReplayHistory({ workflowsPath: WORKFLOWS_PATH }, history, packageWorkflowId(created.id));
  });
});
