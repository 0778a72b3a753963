/**
 * Nothing a user sends can jam a package: text that cannot be stored is refused at the door with
 * the field's path; a step the database refuses anyway fails at once and leaves the package as it
 * was (workflow and database agree, the next request is served); an edit keeps a revision the
 * workflow took; a revision row left behind by a lost answer does not block the next edit.
 */
import { Client, WorkflowUpdateFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Actor } from '../../domain/package-rules.js';
import { decideUpdate, packageWorkflowId, stateQuery } from '../../contracts/package.js';
import { PackageService } from '../../services/packages.js';
import { policyPackage, refusal, startTestApp, type TestApp } from '../support/app.js';
import { runCli } from '../support/cli.js';

let app: TestApp;
let editor: Actor;
let first: Actor;
let second: Actor;

beforeAll(async () => {
  app = await startTestApp();
  await app.startWorker();
  editor = (await app.user('hard-editor', 'editor')).actor;
  first = (await app.user('hard-first', 'reviewer', ['初审'])).actor;
  second = (await app.user('hard-second', 'reviewer', ['复审'])).actor;
});

afterAll(async () => {
  await app?.close();
});

async function dbStatus(id: string) {
  return app.db.selectFrom('packages').select(['status', 'current_stage', 'current_revision', 'title']).where('id', '=', id).executeTakeFirstOrThrow();
}

describe('text that cannot be stored', () => {
  it('refuses a NUL in a rejection comment with 400 naming the field; the package keeps serving requests', async () => {
    const created = await app.packages.create(editor, policyPackage(app.registry));
    await app.packages.submit(editor, created.id);
    const refused = await refusal(app.packages.decide(first, created.id, { revision: 1, decision: 'reject', comment: 'bad\u0000comment' }));
    expect(refused.code).toBe('invalid_body');
    expect(refused.details).toMatchObject({ issues: [{ path: 'comment', message: expect.stringMatching(/NUL/) }] });
    expect(await dbStatus(created.id)).toMatchObject({ status: 'in_review', current_stage: 'first' });
    // The next decision is served at once: nothing holds the package.
    const approved = await app.packages.decide(first, created.id, { revision: 1, decision: 'approve', comment: '同意' });
    expect(approved).toMatchObject({ status: 'in_review', currentStage: 'second' });
    const audit = await app.db.selectFrom('audit_log').select('action').where('package_id', '=', created.id).execute();
    expect(audit.map((a) => a.action)).not.toContain('reject');
  });

  it('refuses lone surrogates and control characters in titles and bodies with the path, on create and on edit', async () => {
    const lone = await refusal(app.packages.create(editor, policyPackage(app.registry, { title: 'abc\ud800' })));
    expect(lone.code).toBe('invalid_body');
    expect(lone.details).toMatchObject({ issues: [{ path: 'title', message: expect.stringMatching(/lone surrogate/) }] });
    const body = policyPackage(app.registry) as Record<string, unknown> & { interpretations: { body: string }[] };
    body.interpretations[0]!.body = '<p>解读\u0007正文</p>';
    const control = await refusal(app.packages.create(editor, body));
    expect(control.details).toMatchObject({ issues: [{ path: 'interpretations[0].body', message: expect.stringMatching(/control character \\u0007/) }] });
    const before = await app.db
      .selectFrom('packages')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();

    const created = await app.packages.create(editor, policyPackage(app.registry));
    const edit = await refusal(app.packages.edit(editor, created.id, policyPackage(app.registry, { title: '\udc00标题' })));
    expect(edit.code).toBe('invalid_body'); // not a false "concurrent_edit"
    const revisions = await app.db.selectFrom('package_revisions').select('revision').where('package_id', '=', created.id).execute();
    expect(revisions.map((r) => r.revision)).toEqual([1]);
    const after = await app.db
      .selectFrom('packages')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n) + 1);
  });

  it('refuses character references that stand for such characters (&#7; &#x202e;) in bodies, pictures’ alt text and transcripts, naming the reference', async () => {
    const withBody = (documentBody: string, interpretation: Record<string, unknown> = { form: 'text', title: '解读', body: '<p>一、出台背景</p>' }) => {
      const body = policyPackage(app.registry) as Record<string, unknown> & { document: { body: string } };
      body.document.body = documentBody;
      body.interpretations = [interpretation];
      return body;
    };
    const before = await app.db
      .selectFrom('packages')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    const bell = await refusal(app.packages.create(editor, withBody('<p>正文&#7;内容</p>')));
    expect(bell.details).toMatchObject({
      issues: [
        {
          path: 'document.body',
          message: 'has the character reference &#7;, which stands for what text may not hold (contains the control character \\u0007); remove it',
        },
      ],
    });
    const reversed = await refusal(app.packages.create(editor, withBody('<p>测试&#x202E;标题反转ABC</p>')));
    expect(reversed.details).toMatchObject({ issues: [{ path: 'document.body', message: expect.stringMatching(/&#x202E;.*direction override \\u202e/) }] });
    const alt = await refusal(app.packages.create(editor, withBody('<p>图</p><p><img src="https://www.beilin.gov.cn/a.jpg" alt="x&#x1b;y"></p>')));
    expect(alt.details).toMatchObject({ issues: [{ path: 'document.body', message: expect.stringMatching(/&#x1b;.*\\u001b/) }] });
    const nonCharacter = await refusal(app.packages.create(editor, withBody('<p>正文</p>', { form: 'text', title: '解读', body: '<p>&#xFFFF;</p>' })));
    expect(nonCharacter.details).toMatchObject({ issues: [{ path: 'interpretations[0].body', message: expect.stringMatching(/&#xFFFF;.*non-character/) }] });
    const transcript = await refusal(
      app.packages.create(
        editor,
        withBody('<p>正文</p>', { form: 'video', title: '视频解读', url: 'https://www.beilin.gov.cn/v/1.mp4', transcript: '<p>主持人&#8;：</p>' }),
      ),
    );
    expect(transcript.details).toMatchObject({ issues: [{ path: 'interpretations[0].transcript', message: expect.stringMatching(/&#8;.*\\u0008/) }] });
    const after = await app.db
      .selectFrom('packages')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    expect(after.n).toEqual(before.n);
    // The references a body does need are kept: a non-breaking space, an ampersand, a less-than sign, a Chinese character.
    const fine = await app.packages.create(editor, withBody('<p>甲&nbsp;乙 &amp; 丙 &lt; 丁 &#30865;林</p>'));
    expect((await app.packages.get(fine.id)).content.document?.body).toBe('<p>甲\u00a0乙 &amp; 丙 &lt; 丁 碑林</p>');
  });

  it('refuses a line break in a title or a name, and keeps the lines of a body', async () => {
    const split = await refusal(app.packages.create(editor, policyPackage(app.registry, { title: '第一行\n第二行' })));
    expect(split.details).toMatchObject({ issues: [{ path: 'title', message: expect.stringMatching(/^is one line/) }] });
    const body = policyPackage(app.registry) as Record<string, unknown> & { interpretations: { title: string; body: string }[] };
    body.interpretations[0]!.title = '解读\u2028标题';
    body.interpretations[0]!.body = '<p>第一段</p>\n<p>第二段</p>';
    const interpretation = await refusal(app.packages.create(editor, body));
    expect(interpretation.details).toMatchObject({ issues: [{ path: 'interpretations[0].title' }] });
    body.interpretations[0]!.title = '解读标题\n';
    const created = await app.packages.create(editor, body);
    const stored = (await app.packages.get(created.id)).content;
    expect(stored.interpretations[0]).toMatchObject({ title: '解读标题', body: '<p>第一段</p>\n<p>第二段</p>' });
  });

  it('keeps emoji, right-to-left text and SQL-looking titles exactly as sent', async () => {
    const title = "关于 😀 עברית '; drop table packages; -- 的通知";
    const created = await app.packages.create(editor, policyPackage(app.registry, { title }));
    expect((await dbStatus(created.id)).title).toBe(title);
    expect((await app.packages.get(created.id)).content.title).toBe(title);
  });

  it('caps comments and reasons that go into workflow history', async () => {
    const created = await app.packages.create(editor, policyPackage(app.registry));
    await app.packages.submit(editor, created.id);
    const long = await refusal(app.packages.decide(first, created.id, { revision: 1, decision: 'reject', comment: '改'.repeat(2001) }));
    expect(long.details).toMatchObject({ issues: [{ path: 'comment', message: expect.stringMatching(/2001 characters; at most 2000/) }] });
  });
});

describe('a step the database refuses', () => {
  it('fails that request at once with the reason, leaves workflow and database as they were, and serves the next one', async () => {
    const created = await app.packages.create(editor, policyPackage(app.registry));
    await app.packages.submit(editor, created.id);
    // Past the door (as an older client or another tool could): the database refuses the NUL.
    const handle = app.ctx.temporal.workflow.getHandle(packageWorkflowId(created.id));
    const started = Date.now();
    const error = await handle.executeUpdate(decideUpdate, { args: [{ revision: 1, decision: 'reject', comment: 'bad\u0000comment', reviewer: first }] }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
    expect(((error as WorkflowUpdateFailedError).cause as { type?: string }).type).toBe('not_recorded');
    expect(((error as WorkflowUpdateFailedError).cause as Error).message).toMatch(/refused .*data/);
    expect(Date.now() - started).toBeLessThan(20_000);
    const state = await handle.query(stateQuery);
    expect(state).toMatchObject({ status: 'in_review', stageIndex: 0, pendingStep: null, lastRejection: null });
    expect(await dbStatus(created.id)).toMatchObject({ status: 'in_review', current_stage: 'first' });
    // Not jammed: the next decision and an edit-after-withdraw go through.
    expect(await app.packages.decide(first, created.id, { revision: 1, decision: 'approve', comment: '' })).toMatchObject({ currentStage: 'second' });
    expect(await app.packages.decide(second, created.id, { revision: 1, decision: 'reject', comment: '请补充' })).toMatchObject({ status: 'draft' });
    expect(await app.packages.edit(editor, created.id, policyPackage(app.registry, { title: '修改后的标题' }))).toMatchObject({ revision: 2 });
  });
});

describe('edits', () => {
  it('changes content and release time in one step; the revision the workflow took is kept and shown', async () => {
    const created = await app.packages.create(editor, policyPackage(app.registry));
    const releaseAt = new Date(Date.now() + 86_400_000).toISOString();
    const edited = await app.packages.edit(editor, created.id, policyPackage(app.registry, { title: '第二版', releaseAt }));
    expect(edited).toMatchObject({ revision: 2 });
    const view = await app.packages.get(created.id);
    expect(view).toMatchObject({ revision: 2, title: '第二版', releaseAt });
    const state = await app.packages.state(created.id);
    expect(state).toMatchObject({ revision: 2, releaseAt });
  });

  it('replaces a revision row that a lost answer left behind, instead of refusing every later edit', async () => {
    const created = await app.packages.create(editor, policyPackage(app.registry));
    // What an edit whose answer was lost before the workflow took it leaves: a row at revision 2, minutes old.
    await app.db
      .insertInto('package_revisions')
      .values({
        package_id: created.id,
        revision: 2,
        content: JSON.stringify({ title: 'orphan' }),
        content_hash: 'x'.repeat(64),
        created_by: editor.id,
        created_at: new Date(Date.now() - 10 * 60_000),
      })
      .execute();
    const edited = await app.packages.edit(editor, created.id, policyPackage(app.registry, { title: '第二版' }));
    expect(edited).toMatchObject({ revision: 2 });
    expect((await app.packages.get(created.id)).content.title).toBe('第二版');
  });

  it('keeps the revision an edit sent when the edit fails for no refusal: the Update may still land after the failure', async () => {
    const created = await app.packages.create(editor, policyPackage(app.registry));
    // The network as it fails between the API and Temporal: the edit's call fails at once, and
    // its Update reaches the workflow a moment later (a request held up, then delivered).
    const delayed: Promise<unknown>[] = [];
    const flaky = new Client({
      connection: app.client.connection,
      interceptors: {
        workflow: [
          {
            startUpdate(input, next) {
              delayed.push(new Promise((resolve) => setTimeout(resolve, 500)).then(() => next(input)));
              return Promise.reject(new Error('14 UNAVAILABLE: connection reset by peer'));
            },
          },
        ],
      },
    });
    const overFlakyNetwork = new PackageService({ ...app.ctx, temporal: flaky });
    await expect(overFlakyNetwork.edit(editor, created.id, policyPackage(app.registry, { title: '网络中断时的修改' }))).rejects.toThrow(/UNAVAILABLE/);
    await Promise.all(delayed);
    // The workflow took revision 2, and its content is there to show and to release.
    expect(await app.packages.state(created.id)).toMatchObject({ revision: 2 });
    expect(await app.packages.get(created.id)).toMatchObject({ revision: 2, title: '网络中断时的修改' });
    // The workflow's refusal still removes the row the edit wrote: the next edit is revision 3.
    await app.packages.submit(editor, created.id);
    expect((await refusal(app.packages.edit(editor, created.id, policyPackage(app.registry, { title: '审核中的修改' })))).code).toBe('content_locked');
    expect(await app.db.selectFrom('package_revisions').select('revision').where('package_id', '=', created.id).execute()).toEqual([
      { revision: 1 },
      { revision: 2 },
    ]);
    await app.packages.withdraw(editor, created.id);
    expect(await app.packages.edit(editor, created.id, policyPackage(app.registry, { title: '第三版' }))).toMatchObject({ revision: 3 });
  });
});

describe('packages repair', () => {
  it('brings a row that disagrees with its workflow back, says what changed, and audits it with the OS account', async () => {
    const created = await app.packages.create(editor, policyPackage(app.registry));
    await app.packages.submit(editor, created.id);
    // What a lost write leaves: the workflow is in review, the row still says draft.
    await app.db.updateTable('packages').set({ status: 'draft', current_stage: null }).where('id', '=', created.id).execute();
    const env = { DATABASE_URL: app.databaseUrl, TEMPORAL_ADDRESS: inject('temporalAddress'), GOVPUB_TASK_QUEUE: app.taskQueue };
    const dry = await runCli(['packages', 'repair', created.id, '--dry-run', '--json'], env);
    expect(dry.code, dry.stderr).toBe(0);
    expect(JSON.parse(dry.stdout)).toEqual([
      expect.objectContaining({
        outcome: 'would_repair',
        differences: expect.arrayContaining([
          { field: 'status', database: 'draft', workflow: 'in_review' },
          { field: 'current_stage', database: null, workflow: 'first' },
        ]),
      }),
    ]);
    expect((await dbStatus(created.id)).status).toBe('draft');
    const repaired = await runCli(['packages', 'repair', created.id], env);
    expect(repaired.code, repaired.stderr).toBe(0);
    expect(repaired.stdout).toContain(`${created.id}: repaired`);
    expect(repaired.stdout).toMatch(/status: database "draft" → workflow "in_review"/);
    expect(await dbStatus(created.id)).toMatchObject({ status: 'in_review', current_stage: 'first' });
    const audit = await app.db
      .selectFrom('audit_log')
      .select(['actor', 'action'])
      .where('package_id', '=', created.id)
      .where('action', '=', 'package_repaired')
      .execute();
    expect(audit).toEqual([{ actor: expect.stringMatching(/^os:/), action: 'package_repaired' }]);
    const again = await runCli(['packages', 'repair', created.id], env);
    expect(again.stdout).toContain(`${created.id}: ok`);
    const unknown = await runCli(['packages', 'repair', 'pkg-nope'], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stdout).toMatch(/pkg-nope: missing/);
    // An id typed with a terminal escape is printed as text, not acted on.
    const escaped = await runCli(['packages', 'repair', '\u001b[31mX'], env);
    expect(escaped.stdout).toContain('\\u001b[31mX: missing');
    expect(escaped.stdout).not.toContain('\u001b');
    const both = await runCli(['packages', 'repair', created.id, '--all'], env);
    expect(both.code).toBe(1);
    expect(both.stderr).toMatch(/not both/);
  });

  it('--all finds package workflows with no row: ends an untouched draft a killed create left, reports one that moved on', async () => {
    // What a create killed between starting the workflow and storing the rows leaves: a draft
    // workflow and no row. And what a database restored from before a package leaves: a workflow
    // in review with no row.
    const abandoned = await app.packages.create(editor, policyPackage(app.registry, { title: '无记录的草稿' }));
    const movedOn = await app.packages.create(editor, policyPackage(app.registry, { title: '无记录的送审稿件' }));
    await app.packages.submit(editor, movedOn.id);
    const kept = await app.packages.create(editor, policyPackage(app.registry, { title: '完整的稿件' }));
    const ids = [abandoned.id, movedOn.id];
    await app.db.deleteFrom('package_revisions').where('package_id', 'in', ids).execute();
    await app.db.deleteFrom('packages').where('id', 'in', ids).execute();
    // Visibility (the list --all reads) trails a start by a moment.
    const listed = async () => {
      const found: string[] = [];
      for await (const w of app.client.workflow.list({ query: `TaskQueue = '${app.taskQueue}' AND ExecutionStatus = 'Running'` })) found.push(w.workflowId);
      return found;
    };
    await expect.poll(listed, { timeout: 20_000 }).toEqual(expect.arrayContaining(ids.map(packageWorkflowId)));

    const env = { DATABASE_URL: app.databaseUrl, TEMPORAL_ADDRESS: inject('temporalAddress'), GOVPUB_TASK_QUEUE: app.taskQueue };
    type Report = { packageId: string; outcome: string; advice?: string };
    const reportsOf = (stdout: string) => new Map((JSON.parse(stdout) as Report[]).map((r) => [r.packageId, r]));
    const status = async (id: string) => (await app.client.workflow.getHandle(packageWorkflowId(id)).describe()).status.name;

    // Both started a moment ago: a create may still be storing them, so --all leaves them out and
    // naming one says so; nothing is ended.
    const young = await runCli(['packages', 'repair', '--all', '--json'], env);
    expect(young.stderr).toBe('');
    expect(reportsOf(young.stdout).get(kept.id)).toMatchObject({ outcome: 'ok' });
    expect(reportsOf(young.stdout).has(abandoned.id)).toBe(false);
    expect(reportsOf(young.stdout).has(movedOn.id)).toBe(false);
    const named = await runCli(['packages', 'repair', abandoned.id], env);
    expect(named.code).toBe(1);
    expect(named.stdout).toMatch(new RegExp(`${abandoned.id}: missing\\n  The workflow started \\d+ s ago .*a create may still be storing it`));
    expect(await status(abandoned.id)).toBe('RUNNING');

    const dry = await runCli(['packages', 'repair', '--all', '--orphan-age', '0', '--dry-run', '--json'], env);
    expect(reportsOf(dry.stdout).get(abandoned.id)).toMatchObject({ outcome: 'would_end', advice: expect.stringMatching(/never stored/) });
    expect(await status(abandoned.id)).toBe('RUNNING');

    const ended = await runCli(['packages', 'repair', '--all', '--orphan-age', '0'], env);
    expect(ended.stdout).toContain(`${abandoned.id}: ended`);
    expect(ended.stdout).toMatch(new RegExp(`${movedOn.id}: missing\\n  The workflow is in_review at revision 1, but the database has no row`));
    // Reported, not ended: its history is all that is left of it.
    expect(ended.code).toBe(1);
    expect(await status(abandoned.id)).toBe('TERMINATED');
    expect(await status(movedOn.id)).toBe('RUNNING');
    expect(await status(kept.id)).toBe('RUNNING');
    const terminated = await app.client.workflow.getHandle(packageWorkflowId(abandoned.id)).fetchHistory();
    const reason = terminated.events?.find((e) => e.workflowExecutionTerminatedEventAttributes)?.workflowExecutionTerminatedEventAttributes?.reason;
    expect(reason).toMatch(/^packages repair by os:\S+: package pkg-\S+ has no rows/);

    const refused = await runCli(['packages', 'repair', '--all', '--orphan-age', 'soon'], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/--orphan-age "soon" is not a number of minutes/);
  });
});
