/**
 * The document's disclosure fields end to end, over a real socket, with the real workflow, worker
 * and database: 主题分类 / 主题词 / 有效性 stored with the package, the 索引号 drawn at the first
 * release (organ of the author's unit, serial per organ), and the validity command — reviewers
 * and administrators only, audited with who, from, to and why, no new revision, the portal's
 * `updateDocumentValidity` called through Temporal on the portal queue, refusals with their codes.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApi } from '../../api/server.js';
import { createRecordingAdapter } from '../../adapters/recording.js';
import type { DocumentValidity } from '../../adapters/portal/pages/model.js';
import { addUser } from '../../services/users.js';
import { runCli } from '../support/cli.js';
import { policyPackage, startTestApp, type TestApp } from '../support/app.js';
import { apiCaller, until } from '../support/http.js';

let app: TestApp;
let api: FastifyInstance;
let base: string;
const tokens: Record<string, string> = {};
/** What the portal adapter was asked to do, in order. */
const validityCalls: { packageId: string; validity: DocumentValidity }[] = [];

beforeAll(async () => {
  const recording = createRecordingAdapter('recording');
  // Every channel records; the portal's one also takes validity changes, as PortalAdapter does.
  const portalLike = {
    ...recording,
    async updateDocumentValidity(packageId: string, validity: DocumentValidity) {
      validityCalls.push({ packageId, validity });
    },
  };
  app = await startTestApp({ deps: (deps) => ({ ...deps, adapterFor: () => portalLike }) });
  await app.startWorker();
  api = await buildApi(app.ctx, { logger: false });
  await api.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(api.server.address() as { port: number }).port}`;
  tokens.editor = (await addUser(app.db, app.registry, { name: 'f-editor-jyj', role: 'editor', unit: 'jyj', by: 'test' })).token;
  tokens.editorNoUnit = (await app.user('f-editor', 'editor')).token;
  tokens.first = (await app.user('f-first', 'reviewer', ['初审'])).token;
  tokens.second = (await app.user('f-second', 'reviewer', ['复审'])).token;
  tokens.final = (await app.user('f-final', 'reviewer', ['终审'])).token;
  tokens.ops = (await app.user('f-ops', 'ops')).token;
  tokens.admin = (await app.user('f-admin', 'admin')).token;
});

afterAll(async () => {
  await api?.close();
  await app?.close();
});

const call = apiCaller(() => base);

const normative = () => app.registry.catalogue.find((i) => i.normative)!;
const plainPolicy = () => app.registry.catalogue.find((i) => i.contentClass === 'policy' && !i.normative && !i.requiresInterpretation)!;

function normativeBody(overrides: Record<string, unknown> = {}) {
  const body = policyPackage(app.registry, { catalogueItem: normative().id });
  return {
    ...body,
    document: {
      ...body.document,
      topic: '综合政务\\政务公开',
      keywords: ['营商环境', '规范性文件'],
      validity: { state: 'valid', effectiveFrom: '2026-12-01', endedAt: null },
      ...overrides,
    },
  };
}

async function release(body: unknown, editor = tokens.editor!): Promise<string> {
  const created = await call('POST', '/api/packages', editor, body);
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const id = created.body.id as string;
  expect((await call('POST', `/api/packages/${id}/submit`, editor)).status).toBe(200);
  for (const who of ['first', 'second', 'final']) {
    const decided = await call('POST', `/api/packages/${id}/decisions`, tokens[who], { revision: 1, decision: 'approve', comment: '同意' });
    expect(decided.status, JSON.stringify(decided.body)).toBe(200);
  }
  await until('the release', async () => ((await call('GET', `/api/packages/${id}`, editor)).body.status === 'released' ? true : undefined));
  return id;
}

const chinaYear = () => new Date(Date.now() + 8 * 3600_000).getUTCFullYear();

describe('the registry routes the form needs', () => {
  it('GET /api/topics lists the taxonomy; GET /api/catalogue says which items are normative; OpenAPI documents the new fields and route', async () => {
    const topics = await call('GET', '/api/topics', tokens.editor);
    expect(topics.status).toBe(200);
    expect(topics.body.categories[0]).toEqual({ name: '综合政务', children: expect.arrayContaining(['政务公开']) });
    expect(topics.body.paths).toContain('综合政务\\政务公开');
    const catalogue = await call('GET', '/api/catalogue', tokens.editor);
    expect(catalogue.body.items.filter((i: { normative: boolean }) => i.normative).map((i: { id: string }) => i.id)).toEqual(['qzf-gfxwj', 'bm-gfxwj']);
    const openapi = (await call('GET', '/api/openapi.json')).body;
    expect(openapi.paths['/api/packages/{id}/validity'].post.requestBody.content['application/json'].schema.required).toEqual(['state', 'reason']);
    expect(JSON.stringify(openapi)).toContain('主题分类');
  });
});

describe('索引号, 主题分类, 主题词 and 有效性 on a package', () => {
  let id: string;
  let indexNumber: string;

  beforeAll(async () => {
    // An editor of 区教育局 publishes to the columns that unit maintains.
    id = await release({ ...normativeBody(), targets: ['portal:bm-jyj-zcwj'] });
  });

  it('stores the fields and draws the index number of the author’s unit at the first release', async () => {
    const view = await call('GET', `/api/packages/${id}`, tokens.editor);
    expect(view.body.content.document).toMatchObject({ topic: '综合政务\\政务公开', keywords: ['营商环境', '规范性文件'] });
    expect(view.body.validity).toEqual({ state: 'valid', effectiveFrom: '2026-12-01', endedAt: null });
    indexNumber = view.body.indexNumber;
    expect(indexNumber).toBe(`${app.registry.indexNumbers.unitOrganCodes.jyj}/${chinaYear()}-00001`);
    const audit = await call('GET', `/api/audit?package=${id}`, tokens.ops);
    expect(audit.body.entries.map((e: { action: string }) => e.action)).toContain('released');
  });

  it('numbers an editor without a unit under the default organ code, its own serial', async () => {
    const other = await release(normativeBody(), tokens.editorNoUnit);
    expect((await call('GET', `/api/packages/${other}`, tokens.editor)).body.indexNumber).toBe(
      `${app.registry.indexNumbers.defaultOrganCode}/${chinaYear()}-00001`,
    );
  });

  it('refuses the validity command to editors and operations (403), and without a reason (400)', async () => {
    for (const who of ['editor', 'ops']) {
      const refused = await call('POST', `/api/packages/${id}/validity`, tokens[who], { state: 'expired', endedAt: '2027-01-01', reason: '到期' });
      expect(refused.status).toBe(403);
      expect(refused.body.error.code).toBe('forbidden');
      expect(refused.body.error.messageZh).toMatch(/变更规范性文件的有效性/);
    }
    const noReason = await call('POST', `/api/packages/${id}/validity`, tokens.final, { state: 'expired', endedAt: '2027-01-01' });
    expect(noReason.status).toBe(400);
    const expiredWithoutDate = await call('POST', `/api/packages/${id}/validity`, tokens.final, { state: 'expired', reason: '到期' });
    expect(expiredWithoutDate.status).toBe(400);
    // The rule's own Chinese sentence, not "不符合要求：an expired document needs…".
    expect(expiredWithoutDate.body.error.issues).toEqual([expect.objectContaining({ path: 'endedAt', messageZh: '失效的文件须填写失效日期（YYYY-MM-DD）。' })]);
    const farFuture = await call('POST', `/api/packages/${id}/validity`, tokens.final, { state: 'expired', endedAt: '9999-12-31', reason: '到期' });
    expect(farFuture.status).toBe(400);
    expect(farFuture.body.error.issues).toEqual([expect.objectContaining({ path: 'endedAt', message: expect.stringMatching(/not a plausible date/) })]);
    expect((await call('GET', `/api/packages/${id}`, tokens.editor)).body.validity.state).toBe('valid');
  });

  it('lets a reviewer declare it expired: audited, no revision, content untouched, the portal pages follow through Temporal', async () => {
    const before = (await call('GET', `/api/packages/${id}`, tokens.editor)).body;
    const revisionsBefore = await app.db.selectFrom('package_revisions').select('revision').where('package_id', '=', id).execute();
    const changed = await call('POST', `/api/packages/${id}/validity`, tokens.final, { state: 'expired', endedAt: '2027-06-30', reason: '有效期届满' });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    const to = { state: 'expired', effectiveFrom: '2026-12-01', endedAt: '2027-06-30' };
    expect(changed.body).toMatchObject({ id, indexNumber, from: { state: 'valid', effectiveFrom: '2026-12-01', endedAt: null }, validity: to });
    expect(changed.body.portal.columns).toEqual(['portal:bm-jyj-zcwj']);
    expect(changed.body.portal.workflowId).toMatch(new RegExp(`^validity:${id}:`));

    const after = (await call('GET', `/api/packages/${id}`, tokens.editor)).body;
    expect(after.validity).toEqual(to);
    expect({ revision: after.revision, contentHash: after.contentHash, content: after.content, status: after.status, indexNumber: after.indexNumber }).toEqual({
      revision: before.revision,
      contentHash: before.contentHash,
      content: before.content,
      status: 'released',
      indexNumber,
    });
    expect(await app.db.selectFrom('package_revisions').select('revision').where('package_id', '=', id).execute()).toEqual(revisionsBefore);

    const entry = (await call('GET', `/api/audit?package=${id}&action=validity_changed`, tokens.ops)).body.entries[0];
    const reviewer = await app.db.selectFrom('users').select('id').where('name', '=', 'f-final').executeTakeFirstOrThrow();
    expect(entry).toMatchObject({
      actor: 'f-final',
      actorId: reviewer.id,
      action: 'validity_changed',
      revision: 1,
      details: { from: { state: 'valid' }, to, fromZh: '有效', toZh: '失效', reason: '有效期届满', indexNumber },
    });

    const call1 = await until('the portal update', async () => validityCalls.find((c) => c.packageId === id && c.validity.state === 'expired'));
    expect(call1.validity).toEqual(to);
    const handle = app.client.workflow.getHandle(changed.body.portal.workflowId);
    expect(await handle.result()).toEqual({ packageId: id, validity: to });
    // The activity ran on the portal's own task queue, beside its deliveries.
    const scheduled = (await handle.fetchHistory()).events?.find((e) => e.activityTaskScheduledEventAttributes)?.activityTaskScheduledEventAttributes;
    expect(scheduled?.activityType?.name).toBe('updatePortalValidity');
    expect(scheduled?.taskQueue?.name).toBe(`${app.taskQueue}-portal`);
  });

  it('lets an administrator set it back to 有效 (the end date dropped), and answers a repeat as unchanged without another entry', async () => {
    const back = await call('POST', `/api/packages/${id}/validity`, tokens.admin, { state: 'valid', reason: '经清理继续有效' });
    expect(back.status).toBe(200);
    expect(back.body.validity).toEqual({ state: 'valid', effectiveFrom: '2026-12-01', endedAt: null });
    await until('the portal update back to valid', async () =>
      validityCalls.at(-1)?.packageId === id && validityCalls.at(-1)?.validity.state === 'valid' ? true : undefined,
    );
    const again = await call('POST', `/api/packages/${id}/validity`, tokens.admin, { state: 'valid', reason: '再次确认' });
    expect(again.status).toBe(200);
    // Nothing recorded; the pages are brought in line again (a repeat repairs an update that could not start).
    expect(again.body).toMatchObject({ unchanged: true, portal: { workflowId: expect.stringMatching(new RegExp(`^validity:${id}:`)) } });
    const entries = (await call('GET', `/api/audit?package=${id}&action=validity_changed`, tokens.ops)).body.entries;
    expect(entries).toHaveLength(2);
  });

  it('works from the CLI: govpub packages validity ID --state repealed --ended-at … --reason …', async () => {
    const env = { GOVPUB_API_URL: base, GOVPUB_TOKEN: tokens.final };
    const result = await runCli(['packages', 'validity', id, '--state', 'repealed', '--ended-at', '2027-03-01', '--reason', '已被新文件废止'], env);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(
      new RegExp(`^${id}: 有效性 有效 \\(valid\\).* → 废止 \\(repealed\\), 施行 2026-12-01, 废止 2027-03-01; the portal pages follow\n$`),
    );
    const json = await runCli(['packages', 'validity', id, '--state', 'repealed', '--ended-at', '2027-03-01', '--reason', '再次确认', '--json'], env);
    expect(JSON.parse(json.stdout)).toMatchObject({ unchanged: true, validity: { state: 'repealed', endedAt: '2027-03-01' } });
    const shown = await runCli(['packages', 'show', id], env);
    expect(shown.stdout).toContain(`索引号 ${indexNumber}`);
    expect(shown.stdout).toContain('有效性 废止 (repealed), 施行 2026-12-01, 废止 2027-03-01');
    const editor = await runCli(['packages', 'validity', id, '--state', 'valid', '--reason', '试试'], { GOVPUB_API_URL: base, GOVPUB_TOKEN: tokens.editor });
    expect(editor.code).not.toBe(0);
    expect(editor.stderr).toMatch(/forbidden|may not change a normative document's validity/);
  });
});

describe('validity command refusals', () => {
  it('409 validity_not_published for a draft, 422 not_normative for a released document that is not normative, 404 for no package', async () => {
    const draft = await call('POST', '/api/packages', tokens.editorNoUnit, normativeBody());
    const notPublished = await call('POST', `/api/packages/${draft.body.id}/validity`, tokens.final, {
      state: 'expired',
      endedAt: '2027-01-01',
      reason: '到期',
    });
    expect(notPublished.status).toBe(409);
    expect(notPublished.body.error).toMatchObject({
      code: 'validity_not_published',
      messageZh: expect.stringMatching(/只有已发布（且未撤回）的规范性文件才能变更有效性/),
    });

    const plain = await release({ ...policyPackage(app.registry, { catalogueItem: plainPolicy().id, interpretations: [] }) }, tokens.editorNoUnit);
    const notNormative = await call('POST', `/api/packages/${plain}/validity`, tokens.final, { state: 'expired', endedAt: '2027-01-01', reason: '到期' });
    expect(notNormative.status).toBe(422);
    expect(notNormative.body.error).toMatchObject({ code: 'not_normative', messageZh: expect.stringMatching(/不是行政规范性文件/) });
    expect((await call('GET', `/api/packages/${plain}`, tokens.editor)).body).toMatchObject({ validity: null, indexNumber: expect.stringMatching(/-\d{5}$/) });

    expect((await call('POST', '/api/packages/pkg-20260101-deadbeef/validity', tokens.final, { state: 'valid', reason: 'x' })).status).toBe(404);
  });

  it('refuses a validity in the body of a document that is not normative, naming the field', async () => {
    const refused = await call('POST', '/api/packages', tokens.editor, {
      ...policyPackage(app.registry, { catalogueItem: plainPolicy().id, interpretations: [] }),
      document: { ...policyPackage(app.registry).document, validity: { state: 'valid' } },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error.issues).toEqual([expect.objectContaining({ path: 'document.validity' })]);
  });
});
