/**
 * Reviewers on a busy day, through the API: a decision sent twice (a double click, a retry after
 * a lost answer) and an approval over what the content gate blocks since the package was submitted.
 */
import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApi } from '../../api/server.js';
import { ROOT_DIR } from '../../config/settings.js';
import { policyPackage, startTestApp, type TestApp } from '../support/app.js';
import { apiCaller } from '../support/http.js';

// The wording list this file's API reads (read when its content gate starts): a copy that a test extends.
const wordingDir = mkdtempSync(path.join(tmpdir(), 'govpub-review-wording-'));
const wordingFile = path.join(wordingDir, 'wording.yaml');
writeFileSync(wordingFile, readFileSync(path.join(ROOT_DIR, 'config/registry/wording.yaml'), 'utf8'));
process.env.GOVPUB_WORDING_FILE = wordingFile;

let app: TestApp;
let api: FastifyInstance;
let base: string;
const tokens: Record<string, string> = {};
/** Updates the API has sent to package workflows. */
const updatesSent: string[] = [];
const call = apiCaller(() => base);

beforeAll(async () => {
  app = await startTestApp();
  await app.startWorker();
  const temporal = new Client({
    connection: app.client.connection,
    namespace: app.client.options.namespace,
    interceptors: {
      workflow: [
        {
          startUpdate: (input, next) => {
            updatesSent.push(input.updateName);
            return next(input);
          },
        },
      ],
    },
  });
  api = await buildApi({ ...app.ctx, temporal });
  await api.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(api.server.address() as { port: number }).port}`;
  tokens.editor = (await app.user('rd-editor', 'editor')).token;
  tokens.first = (await app.user('rd-first', 'reviewer', ['初审'])).token;
  tokens.second = (await app.user('rd-second', 'reviewer', ['复审'])).token;
});

afterAll(async () => {
  await api?.close();
  await app?.close();
  rmSync(wordingDir, { recursive: true, force: true });
});

async function inReview(overrides: Record<string, unknown> = {}): Promise<string> {
  const created = await call('POST', '/api/packages', tokens.editor, policyPackage(app.registry, overrides));
  expect(created.status).toBe(201);
  const submitted = await call('POST', `/api/packages/${created.body.id}/submit`, tokens.editor);
  expect(submitted.status).toBe(200);
  return created.body.id as string;
}

const decide = (id: string, token: string, body: Record<string, unknown>) => call('POST', `/api/packages/${id}/decisions`, token, { revision: 1, ...body });

async function auditActions(id: string): Promise<string[]> {
  const rows = await app.db.selectFrom('audit_log').select('action').where('package_id', '=', id).orderBy('id').execute();
  return rows.map((r) => r.action);
}

describe('a decision sent again by its reviewer', () => {
  it('is answered as taken, not as "another reviewer decided meanwhile", and is recorded once (approval and rejection)', async () => {
    const id = await inReview();
    const approval = { stage: 'first', decision: 'approve', comment: '同意' };
    expect((await decide(id, tokens.first!, approval)).status).toBe(200);
    // The answer was lost; the console (or a script) sends the same decision again.
    const again = await decide(id, tokens.first!, approval);
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    expect(again.body).toMatchObject({ status: 'in_review', currentStage: 'second' });

    const rejection = { stage: '复审', decision: 'reject', comment: '第二条表述不准确，请核实后修改。' };
    expect((await decide(id, tokens.second!, rejection)).status).toBe(200);
    const rejectedAgain = await decide(id, tokens.second!, rejection);
    expect(rejectedAgain.status, JSON.stringify(rejectedAgain.body)).toBe(200);
    expect(rejectedAgain.body).toMatchObject({ status: 'draft', currentStage: null });

    const view = await call('GET', `/api/packages/${id}`, tokens.editor);
    expect(view.body.decisions.map((d: { stage: string; decision: string }) => `${d.stage} ${d.decision}`)).toEqual(['first approve', 'second reject']);
    expect(view.body.lastRejection).toMatchObject({ stage: 'second', comment: rejection.comment });
    expect((await auditActions(id)).filter((a) => a === 'approve' || a === 'reject')).toEqual(['approve', 'reject']);

    // Not the same decision: still refused, with what happened.
    const otherComment = await decide(id, tokens.second!, { ...rejection, comment: '另一条意见' });
    expect(otherComment.status).toBe(409);
    expect(otherComment.body.error.code).toBe('stage_already_decided');
    const otherReviewer = await decide(id, tokens.second!, { stage: 'first', decision: 'approve', comment: '同意' });
    expect(otherReviewer.status).toBe(409);

    // Resubmitted, the package starts again at 初审 (docs/domain.md), and the old approval is no answer.
    expect((await call('POST', `/api/packages/${id}/submit`, tokens.editor)).status).toBe(200);
    const resubmitted = await call('GET', `/api/packages/${id}`, tokens.editor);
    expect(resubmitted.body).toMatchObject({ status: 'in_review', currentStage: 'first', approvals: [] });
  });

  it('sent without its stage (the CLI, a script), again after a lost answer: answered as taken too, never "not your stage"', async () => {
    const id = await inReview();
    const approval = { decision: 'approve', comment: '同意' };
    expect((await decide(id, tokens.first!, approval)).status).toBe(200);
    const again = await decide(id, tokens.first!, approval);
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    expect(again.body).toMatchObject({ status: 'in_review', currentStage: 'second' });
    const rejection = { decision: 'reject', comment: '请补充政策依据。' };
    expect((await decide(id, tokens.second!, rejection)).status).toBe(200);
    const rejectedAgain = await decide(id, tokens.second!, rejection);
    expect(rejectedAgain.status, JSON.stringify(rejectedAgain.body)).toBe(200);
    expect(rejectedAgain.body).toMatchObject({ status: 'draft' });
    const view = await call('GET', `/api/packages/${id}`, tokens.editor);
    expect(view.body.decisions.map((d: { stage: string; decision: string }) => `${d.stage} ${d.decision}`)).toEqual(['first approve', 'second reject']);
    // Someone who never decided here still hears why not.
    const stranger = await decide(id, tokens.first!, { decision: 'reject', comment: '请补充政策依据。' });
    expect(stranger.body.error.code).toBe('not_in_review');
  });

  it('a double click: two identical decisions arriving together are both answered as taken, and the stage is decided once', async () => {
    const id = await inReview();
    await app.stopWorker();
    const sentBefore = updatesSent.length;
    const body = { stage: 'first', decision: 'approve', comment: '同意' };
    const both = Promise.all([decide(id, tokens.first!, body), decide(id, tokens.first!, body)]);
    // Both have read the package's stage and wait on their Update before any worker applies one.
    await expect.poll(() => updatesSent.length - sentBefore, { timeout: 120_000 }).toBe(2);
    await app.startWorker();
    const answers = await both;
    expect(
      answers.map((a) => a.status),
      JSON.stringify(answers.map((a) => a.body)),
    ).toEqual([200, 200]);
    const view = await call('GET', `/api/packages/${id}`, tokens.editor);
    expect(view.body.currentStage).toBe('second');
    expect(view.body.decisions).toHaveLength(1);
    expect((await auditActions(id)).filter((a) => a === 'approve')).toEqual(['approve']);
  });
});

describe('the content gate at a decision', () => {
  it('refuses an approval over what the wording list blocks since the package was submitted, naming the problem; a rejection still goes through', async () => {
    const id = await inReview();
    // The list gains a blocking term the package's interpretation uses, while it waits at 初审.
    writeFileSync(wordingFile, `${readFileSync(wordingFile, 'utf8')}  - kind: blocked\n    wrong: 出台背景\n    level: blocking\n`);
    const later = new Date(Date.now() + 5_000);
    utimesSync(wordingFile, later, later);

    const approval = await call(
      'POST',
      `/api/packages/${id}/decisions`,
      tokens.first,
      { revision: 1, decision: 'approve', comment: '同意' },
      {
        'accept-language': 'zh-CN',
      },
    );
    expect(approval.status, JSON.stringify(approval.body)).toBe(409);
    expect(approval.body.error.code).toBe('preflight_blocked');
    expect(approval.body.error.message).toContain('不能审核通过');
    expect(approval.body.error.message).toContain('出台背景');
    expect(approval.body.error.problems).toEqual([expect.objectContaining({ code: 'wording_blocked', field: '/interpretations/0/body' })]);
    const view = await call('GET', `/api/packages/${id}`, tokens.editor);
    expect(view.body).toMatchObject({ status: 'in_review', currentStage: 'first', decisions: [] });

    // A reviewer of another stage keeps the refusal of their own (the stage), not the gate's.
    const wrongStage = await decide(id, tokens.second!, { decision: 'approve', comment: '同意' });
    expect(wrongStage.body.error.code).toBe('wrong_stage');

    const rejected = await decide(id, tokens.first!, { decision: 'reject', comment: '“出台背景”已列为禁用表述，请修改。' });
    expect(rejected.status).toBe(200);
    expect(rejected.body.status).toBe('draft');
  });
});

describe('what a reviewer writes', () => {
  it('a rejection whose comment shows nothing (zero-width spaces) is refused as one without a reason; control characters and 10,000 characters are refused by field', async () => {
    tokens.ops ??= (await app.user('rd-ops', 'ops')).token;
    // (Without the term the wording list blocks since the test above.)
    const id = await inReview({ interpretations: [{ form: 'text', title: '政策解读', body: '<p>一、主要内容……</p>' }] });
    const invisible = await decide(id, tokens.first!, { decision: 'reject', comment: '\u200b\u200b \u2060' });
    expect(invisible.status, JSON.stringify(invisible.body)).toBe(409);
    expect(invisible.body.error.code).toBe('comment_required');
    expect(invisible.body.error.messageZh).toContain('「初审」');

    const control = await decide(id, tokens.first!, { decision: 'reject', comment: '请修改\u0007第二条' });
    expect(control.status).toBe(400);
    expect(control.body.error.issues).toEqual([expect.objectContaining({ path: 'comment' })]);
    const long = await decide(id, tokens.first!, { decision: 'reject', comment: '改'.repeat(10_000) });
    expect(long.status).toBe(400);
    expect(JSON.stringify(long.body.error.issues)).toMatch(/10000 characters; at most 2000/);

    const view = await call('GET', `/api/packages/${id}`, tokens.editor);
    expect(view.body).toMatchObject({ status: 'in_review', currentStage: 'first', decisions: [] });

    // The same for a required reason elsewhere: pausing a channel.
    const pause = await call('POST', `/api/channels/${encodeURIComponent(policyPackage(app.registry).targets[1]!)}/pause`, tokens.ops, { reason: '\u200b' });
    expect(pause.status, JSON.stringify(pause.body)).toBe(400);
    expect(pause.body.error.code).toBe('reason_required');
    // Named by its field, as a blank of spaces is (the zero-width one came without a path).
    expect(pause.body.error.issues).toEqual([expect.objectContaining({ path: 'reason', messageZh: expect.stringMatching(/[\u4e00-\u9fff]/) })]);
  });
});
