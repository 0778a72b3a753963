/** The HTTP API over a real socket: identity, roles, error shapes and the documented contract. */
import { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApi } from '../../api/server.js';
import { disableUser, enableUser } from '../../services/users.js';
import { policyPackage, refusal, startTestApp, type TestApp } from '../support/app.js';
import { apiCaller } from '../support/http.js';

let app: TestApp;
let api: FastifyInstance;
let base: string;
const tokens: Record<string, string> = {};
/** Updates the API has sent to package workflows (its service reads a decision's stage before it sends one). */
const updatesSent: string[] = [];

beforeAll(async () => {
  app = await startTestApp();
  await app.startWorker();
  // The API's Temporal client, counting the Updates it sends: the race below waits on it.
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
  tokens.editor = (await app.user('api-editor', 'editor')).token;
  tokens.first = (await app.user('api-first', 'reviewer', ['初审'])).token;
  tokens.second = (await app.user('api-second', 'reviewer', ['复审'])).token;
  tokens.final = (await app.user('api-final', 'reviewer', ['终审'])).token;
  tokens.ops = (await app.user('api-ops', 'ops')).token;
  tokens.zhao = (await app.user('api-zhao', 'reviewer', ['初审'])).token;
  tokens.wu = (await app.user('api-wu', 'reviewer', ['初审', '复审'])).token;
});

afterAll(async () => {
  await api?.close();
  await app?.close();
});

const call = apiCaller(() => base);

describe('identity and roles', () => {
  it('answers 401 without a token or with an unknown one, saying how to get one', async () => {
    const none = await call('GET', '/api/packages');
    expect(none.status).toBe(401);
    expect(none.body.error.code).toBe('unauthorized');
    expect(none.body.error.message).toContain('govpub users add');
    const unknown = await call('GET', '/api/packages', 'gp_wrong');
    expect(unknown.status).toBe(401);
    expect(unknown.body.error.message).toContain('govpub users rotate-token');
  });

  it('answers a value that is no govpub token at all (a user name) by saying tokens start with gp_ and where to get one, without echoing it', async () => {
    const userName = await call('GET', '/api/packages', 'wang.wei');
    expect(userName.status).toBe(401);
    expect(userName.body.error.code).toBe('unauthorized');
    expect(userName.body.error.message).toMatch(/start with gp_/);
    expect(userName.body.error.message).toContain('govpub users add');
    expect(userName.body.error.message).toContain('govpub users rotate-token');
    expect(userName.body.error.messageZh).toMatch(/gp_ 开头/);
    expect(JSON.stringify(userName.body)).not.toContain('wang.wei');
  });

  it('answers an API token sent where an id or a filter belongs with 400 token_in_url, never quoting it back', async () => {
    for (const path of [`/api/packages/${tokens.ops}`, `/api/deliveries/${tokens.ops}/retry`, `/api/deliveries?package=${tokens.ops}`]) {
      const answer = await call(path.endsWith('retry') ? 'POST' : 'GET', path, tokens.editor);
      expect(answer.status, path).toBe(400);
      expect(answer.body.error.code, path).toBe('token_in_url');
      expect(answer.body.error.message, path).toContain('Authorization header');
      expect(answer.body.error.message, path).toContain('govpub users rotate-token');
      expect(JSON.stringify(answer.body), path).not.toContain(tokens.ops);
    }
  });

  it('refuses an API token pasted into any body field (or as a field name, or an Idempotency-Key) with its path, stores nothing, and never quotes a token back', async () => {
    const leaked = tokens.ops!;
    const packagesBefore = (await call('GET', '/api/packages?limit=200', tokens.editor)).body.packages.length;
    // Content: a title, a body, a target where a channel id belongs (quoted back as "unknown channel" before).
    const cases: [string, Record<string, unknown>, string][] = [
      ['title', policyPackage(app.registry, { title: `关于 ${leaked} 的通知` }), 'title'],
      ['a target', policyPackage(app.registry, { targets: [leaked] }), 'targets[0]'],
      ['a field name', { ...policyPackage(app.registry), [leaked]: 1 }, 'gp_…'],
    ];
    for (const [what, body, path] of cases) {
      const answer = await call('POST', '/api/packages', tokens.editor, body, { 'accept-language': 'zh-CN' });
      expect(answer.status, what).toBe(400);
      expect(answer.body.error.issues, what).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            path,
            messageEn: expect.stringMatching(/^(field name )?holds what looks like an API token/),
            message: expect.stringMatching(/看似 API 令牌/),
          }),
        ]),
      );
      expect(JSON.stringify(answer.body), what).not.toContain(leaked.slice(3));
    }
    expect((await call('GET', '/api/packages?limit=200', tokens.editor)).body.packages.length).toBe(packagesBefore);
    // A reviewer's comment, a pause reason: each would be stored and shown in the audit trail.
    const created = await call('POST', '/api/packages', tokens.editor, policyPackage(app.registry));
    await call('POST', `/api/packages/${created.body.id}/submit`, tokens.editor, {});
    const comment = await call('POST', `/api/packages/${created.body.id}/decisions`, tokens.first, {
      revision: 1,
      decision: 'reject',
      comment: `见 ${leaked}`,
    });
    expect(comment.status).toBe(400);
    expect(comment.body.error.issues).toEqual([expect.objectContaining({ path: 'comment' })]);
    expect((await call('GET', `/api/packages/${created.body.id}`, tokens.editor)).body.status).toBe('in_review');
    const pause = await call('POST', `/api/channels/${encodeURIComponent(policyPackage(app.registry).targets[1]!)}/pause`, tokens.ops, { reason: leaked });
    expect(pause.status).toBe(400);
    expect(JSON.stringify(pause.body)).not.toContain(leaked.slice(3));
    // Headers: an Idempotency-Key is stored and quoted back; a request id is echoed and logged.
    const keyed = await call('POST', '/api/packages', tokens.editor, policyPackage(app.registry), { 'idempotency-key': leaked });
    expect(keyed.status).toBe(400);
    expect(keyed.body.error).toMatchObject({ code: 'token_in_field', issues: [expect.objectContaining({ path: 'Idempotency-Key' })] });
    expect(JSON.stringify(keyed.body)).not.toContain(leaked.slice(3));
    const traced = await call('GET', '/api/packages/pkg-nope', tokens.editor, undefined, { 'x-request-id': leaked });
    expect(traced.headers.get('x-request-id')).not.toContain(leaked.slice(3));
    expect(traced.body.error.requestId).not.toContain(leaked.slice(3));
    // A token the text walk leaves (glued to a word before it) is hidden where a rule quotes it.
    const stage = await call('POST', `/api/packages/${created.body.id}/decisions`, tokens.first, { revision: 1, decision: 'approve', stage: `x${leaked}` });
    expect(stage.status).toBe(400);
    expect(JSON.stringify(stage.body)).toContain('gp_…');
    expect(JSON.stringify(stage.body)).not.toContain(leaked.slice(3));
  });

  it('a user enabled again gets a token of its own lifetime: one whose old end passed meanwhile still lets them in', async () => {
    const { token } = await app.user('api-returning', 'editor');
    await disableUser(app.db, 'api-returning', '借调');
    await sql`update users set token_expires_at = now() - interval '1 day' where name = 'api-returning'`.execute(app.db);
    const enabled = await enableUser(app.db, 'api-returning');
    expect(enabled.user.token_expires_at).toBeNull();
    expect((await call('GET', '/api/packages', enabled.token)).status).toBe(200);
    expect((await call('GET', '/api/packages', token)).status).toBe(401);
    // Enabling a user who is not disabled would replace the token they work with: refused, nothing changed.
    expect((await refusal(enableUser(app.db, 'api-returning'))).code).toBe('user_not_disabled');
    expect((await call('GET', '/api/packages', enabled.token)).status).toBe(200);
  });

  it('answers 403 when the role may not act', async () => {
    const created = await call('POST', '/api/packages', tokens.ops, policyPackage(app.registry));
    expect(created.status).toBe(403);
    expect(created.body.error.message).toMatch(/editor/);
  });
});

describe('packages through the API', () => {
  it('runs the whole life of a package: create 201, submit, three decisions, release, retract, audit', async () => {
    const input = policyPackage(app.registry);
    const created = await call('POST', '/api/packages', tokens.editor, input);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ revision: 1, status: 'draft' });
    const id = created.body.id as string;
    expect((await call('POST', `/api/packages/${id}/submit`, tokens.editor)).body.status).toBe('in_review');
    const queue = await call('GET', '/api/packages?status=in_review&stage=first', tokens.first);
    expect(queue.body.packages.map((p: { id: string }) => p.id)).toContain(id);
    for (const who of ['first', 'second', 'final']) {
      const decided = await call('POST', `/api/packages/${id}/decisions`, tokens[who], { revision: 1, decision: 'approve', comment: '同意' });
      expect(decided.status).toBe(200);
    }
    let view = await call('GET', `/api/packages/${id}`, tokens.editor);
    for (let i = 0; i < 300 && view.body.status !== 'released'; i++) {
      await new Promise((r) => setTimeout(r, 200));
      view = await call('GET', `/api/packages/${id}`, tokens.editor);
    }
    expect(view.body).toMatchObject({ status: 'released', revision: 1, approvedRevision: 1 });
    expect(view.body.approvals).toHaveLength(3);
    expect(view.body.deliveries).toHaveLength(input.targets.length);
    expect(view.body.deliveries[0].publicUrl).toMatch(/^https?:\/\//);

    const retract = await call('POST', `/api/packages/${id}/retract`, tokens.ops, { reason: '信息有误' });
    expect(retract.status).toBe(200);
    // The status is still the release's until the channels are cleared; the answer says the retraction has begun.
    expect(retract.body.retraction).toEqual({ reason: '信息有误', by: expect.any(String), at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
    const audit = await call('GET', `/api/audit?package=${id}`, tokens.ops);
    const actions = audit.body.entries.map((e: { action: string }) => e.action);
    expect(actions.slice(0, 5)).toEqual(['create', 'submit', 'approve', 'approve', 'approve']);
    expect(actions).toContain('retract_requested');
    for (const entry of audit.body.entries.filter((e: { action: string }) => ['submit', 'approve'].includes(e.action))) {
      expect(entry.revision).toBe(1);
      expect(entry.contentHash).toMatch(/^[0-9a-f]{64}$/);
    }
  });

  it('answers 400 with field paths for an invalid body, and stores nothing', async () => {
    const before = await call('GET', '/api/packages', tokens.editor);
    const bad = await call('POST', '/api/packages', tokens.editor, {
      title: '',
      catalogueItem: 'no-such-item',
      document: { title: '文件', body: '<p>x</p>', documentNumber: '第3号' },
      interpretations: [{ form: 'poem', title: '解读' }],
      targets: ['portal:does-not-exist'],
      releaseAt: 'tomorrow',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_body');
    const paths = bad.body.error.issues.map((i: { path: string }) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['title', 'catalogueItem', 'document.documentNumber', 'interpretations[0].form', 'targets[0]', 'releaseAt']));
    const after = await call('GET', '/api/packages', tokens.editor);
    expect(after.body.packages).toHaveLength(before.body.packages.length);
    const malformed = await call('POST', '/api/packages', tokens.editor, '{"title": ');
    expect(malformed.status).toBe(400);
  });

  it('answers 409 with a rule code and an actionable sentence, and 404 for unknown packages', async () => {
    const created = await call('POST', '/api/packages', tokens.editor, policyPackage(app.registry, { interpretations: [] }));
    const refused = await call('POST', `/api/packages/${created.body.id}/submit`, tokens.editor);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('interpretation_required');
    expect(refused.body.error.message).toMatch(/add at least one interpretation/);
    expect((await call('GET', '/api/packages/pkg-nope', tokens.editor)).status).toBe(404);
    const wrongStage = await call('POST', `/api/packages/${created.body.id}/decisions`, tokens.first, { revision: 1, decision: 'approve' });
    expect(wrongStage.status).toBe(409);
    expect(wrongStage.body.error.code).toBe('not_in_review');
    const badDecision = await call('POST', `/api/packages/${created.body.id}/decisions`, tokens.first, { decision: 'maybe' });
    expect(badDecision.status).toBe(400);
  });

  it('two tabs editing one package: a save made on an older revision is refused with 409 concurrent_edit, and the later revision stays', async () => {
    const created = await call('POST', '/api/packages', tokens.editor, policyPackage(app.registry));
    const id = created.body.id as string;
    // Both tabs loaded revision 1; tab B saves first.
    const tabB = policyPackage(app.registry, { title: '乙窗口改的标题' });
    const savedB = await call('PUT', `/api/packages/${id}?baseRevision=1`, tokens.editor, tabB);
    expect(savedB.status).toBe(200);
    expect(savedB.body.revision).toBe(2);
    // Tab A, still on revision 1, saves a different change: it would undo B's title.
    const tabA = policyPackage(app.registry, { document: { ...policyPackage(app.registry).document, body: '<p>甲窗口改的正文</p>' } });
    const refused = await call('PUT', `/api/packages/${id}?baseRevision=1`, tokens.editor, tabA, { 'accept-language': 'zh-CN' });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('concurrent_edit');
    expect(refused.body.error.messageEn).toMatch(/made on revision 1, but the package is at revision 2/);
    expect(refused.body.error.messageZh).toMatch(/您修改的是第 1 版.*已保存为第 2 版.*本次没有保存/);
    const view = await call('GET', `/api/packages/${id}`, tokens.editor);
    expect(view.body).toMatchObject({ revision: 2, title: '乙窗口改的标题' });
    const revisions = await app.db.selectFrom('package_revisions').select('revision').where('package_id', '=', id).execute();
    expect(revisions.map((r) => r.revision).sort()).toEqual([1, 2]);
    // On the revision it shows now, tab A's save goes through; a script that names no base still edits the current one.
    expect((await call('PUT', `/api/packages/${id}?baseRevision=2`, tokens.editor, tabA)).body.revision).toBe(3);
    expect((await call('PUT', `/api/packages/${id}`, tokens.editor, tabB)).body.revision).toBe(4);
    const badBase = await call('PUT', `/api/packages/${id}?baseRevision=first`, tokens.editor, tabA);
    expect(badBase.status).toBe(400);
    expect(JSON.stringify(badBase.body.error)).toMatch(/baseRevision/);
  });

  it('a tab that shows revision 1 submits it, not revision 2 saved meanwhile in another tab: 409 concurrent_edit, nothing submitted', async () => {
    const created = await call('POST', '/api/packages', tokens.editor, policyPackage(app.registry));
    const id = created.body.id as string;
    // Tab B saves revision 2; tab A, not dirty, still shows revision 1 and submits it.
    const tabB = policyPackage(app.registry, { title: '乙窗口改的标题' });
    expect((await call('PUT', `/api/packages/${id}?baseRevision=1`, tokens.editor, tabB)).body.revision).toBe(2);
    const refused = await call('POST', `/api/packages/${id}/submit?baseRevision=1`, tokens.editor, {}, { 'accept-language': 'zh-CN' });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('concurrent_edit');
    expect(refused.body.error.messageEn).toMatch(/submitting revision 1, but the package is at revision 2.*Nothing was submitted/);
    expect(refused.body.error.messageZh).toMatch(/您看到的是第 1 版.*已保存为第 2 版.*本次没有提交.*载入第 2 版/);
    expect((await call('GET', `/api/packages/${id}`, tokens.editor)).body).toMatchObject({ status: 'draft', revision: 2 });
    // A revision the package never had is refused too, saying which one it has.
    const ahead = await call('POST', `/api/packages/${id}/submit?baseRevision=7`, tokens.editor);
    expect(ahead.status).toBe(409);
    expect(ahead.body.error.message).toMatch(/no revision 7: it is at revision 2/);
    const badBase = await call('POST', `/api/packages/${id}/submit?baseRevision=latest`, tokens.editor);
    expect(badBase.status).toBe(400);
    expect(JSON.stringify(badBase.body.error)).toMatch(/baseRevision/);
    // On the revision it shows now, the submit goes through.
    const submitted = await call('POST', `/api/packages/${id}/submit?baseRevision=2`, tokens.editor);
    expect(submitted.status).toBe(200);
    expect(submitted.body).toMatchObject({ status: 'in_review', revision: 2 });
    // A script that names no revision submits the current one, as before.
    const other = await call('POST', '/api/packages', tokens.editor, policyPackage(app.registry));
    await call('PUT', `/api/packages/${other.body.id}`, tokens.editor, tabB);
    expect((await call('POST', `/api/packages/${other.body.id}/submit`, tokens.editor)).body).toMatchObject({ status: 'in_review', revision: 2 });
  });

  it('a submit racing an edit: the workflow refuses a base revision the package has left by the time it decides', async () => {
    const created = await call('POST', '/api/packages', tokens.editor, policyPackage(app.registry));
    const id = created.body.id as string;
    const handle = app.client.workflow.getHandle(`package-${id}`);
    // The edit to revision 2 reached the workflow after the service read revision 1: the Update names 1.
    await call('PUT', `/api/packages/${id}`, tokens.editor, policyPackage(app.registry, { title: '已改为第二版' }));
    const refused = await handle.executeUpdate('submit', { args: [{ by: { id: 'api-editor', role: 'editor' }, revision: 1 }] }).then(
      () => null,
      (e: unknown) => e as { cause?: { type?: string } },
    );
    expect(refused?.cause?.type).toBe('concurrent_edit');
    expect((await call('GET', `/api/packages/${id}`, tokens.editor)).body.status).toBe('draft');
  });

  describe('two decisions sent at once', () => {
    async function inReview(): Promise<string> {
      const created = await call('POST', '/api/packages', tokens.editor, policyPackage(app.registry));
      expect((await call('POST', `/api/packages/${created.body.id}/submit`, tokens.editor)).status).toBe(200);
      return created.body.id as string;
    }

    /**
     * zhao (初审) and wu (初审 and 复审) approve revision 1 at once, as the audit found them. With
     * `bothArriveFirst` the package's worker is stopped until the API has sent both Updates (each
     * after reading the stage), so neither is applied before the other has arrived, however slow
     * the machine: without it, on a loaded CI machine one request was once answered before the
     * other arrived, and then deciding at 复审 is right.
     */
    async function race(id: string, body: Record<string, unknown>, bothArriveFirst = false) {
      if (bothArriveFirst) await app.stopWorker();
      const sentBefore = updatesSent.length;
      const sent = Promise.all(
        (['zhao', 'wu'] as const).map((who) =>
          call('POST', `/api/packages/${id}/decisions`, tokens[who], { revision: 1, decision: 'approve', comment: `${who} 同意`, ...body }),
        ),
      );
      if (bothArriveFirst) {
        // Both decisions have read the package's stage and wait on their Update, which no worker takes until this one starts.
        await expect.poll(() => updatesSent.length - sentBefore, { timeout: 120_000 }).toBe(2);
        await app.startWorker();
      }
      const [zhao, wu] = await sent;
      const answers = [
        { who: 'api-zhao', ...zhao! },
        { who: 'api-wu', ...wu! },
      ];
      expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
      const winner = answers.find((a) => a.status === 200)!;
      const loser = answers.find((a) => a.status === 409)!;
      expect(loser.body.error.code).toBe('stage_already_decided');
      expect(loser.body.error.messageZh).toContain('「初审」');
      expect(loser.body.error.messageZh).not.toContain('first');
      const view = await call('GET', `/api/packages/${id}`, tokens.editor);
      expect(view.body.currentStage).toBe('second');
      expect(view.body.approvals).toEqual([expect.objectContaining({ stage: 'first', reviewer: winner.who, comment: `${winner.who.slice(4)} 同意` })]);
      expect(view.body.decisions).toHaveLength(1);
    }

    it('pinned to the stage the package is at when they arrive: one 200, the other 409 stage_already_decided, never an approval at 复审', async () => {
      await race(await inReview(), {}, true);
    });

    it('pinned to the stage the reviewer names (id or name): the same, whichever arrives first', async () => {
      await race(await inReview(), { stage: 'first' });
      const id = await inReview();
      expect((await call('POST', `/api/packages/${id}/decisions`, tokens.zhao, { revision: 1, stage: '初审', decision: 'approve', comment: '' })).status).toBe(
        200,
      );
      // A page still showing 初审: refused, though wu may decide at 复审.
      const late = await call('POST', `/api/packages/${id}/decisions`, tokens.wu, { revision: 1, stage: 'first', decision: 'approve', comment: '' });
      expect(late.status).toBe(409);
      expect(late.body.error.code).toBe('stage_already_decided');
      expect(late.body.error.message).toContain('复审');
      const ahead = await call('POST', `/api/packages/${id}/decisions`, tokens.wu, { revision: 1, stage: 'final', decision: 'approve', comment: '' });
      expect(ahead.body.error.code).toBe('stage_not_reached');
      const unknown = await call('POST', `/api/packages/${id}/decisions`, tokens.wu, { revision: 1, stage: 'fourth', decision: 'approve', comment: '' });
      expect(unknown.status).toBe(400);
      expect(unknown.body.error.issues).toEqual([expect.objectContaining({ path: 'stage' })]);
      expect((await call('POST', `/api/packages/${id}/decisions`, tokens.wu, { revision: 1, stage: 'second', decision: 'approve', comment: '' })).status).toBe(
        200,
      );
    });

    it('a reviewer of another stage is told the stages by their names (初审), not their ids', async () => {
      const id = await inReview();
      const refused = await call('POST', `/api/packages/${id}/decisions`, tokens.final, { revision: 1, decision: 'approve', comment: '' });
      expect(refused.status).toBe(403);
      expect(refused.body.error.code).toBe('wrong_stage');
      expect(refused.body.error.messageZh).toContain('您只能审核：「终审」');
      expect(refused.body.error.messageZh).not.toMatch(/first|final/);
    });
  });

  it('serves channels (without secrets), the catalogue, health and the OpenAPI document', async () => {
    const channels = await call('GET', '/api/channels', tokens.editor);
    expect(channels.body.channels.length).toBe(326 + 23 + 27);
    expect(JSON.stringify(channels.body)).not.toMatch(/secret/i);
    const catalogue = await call('GET', '/api/catalogue', tokens.editor);
    expect(catalogue.body.items.some((i: { requiresInterpretation: boolean }) => i.requiresInterpretation)).toBe(true);
    expect((await call('GET', '/healthz')).body.status).toBe('ok');
    const openapi = await call('GET', '/api/openapi.json');
    expect(openapi.body.openapi).toBe('3.1.0');
    expect(Object.keys(openapi.body.paths)).toEqual(expect.arrayContaining(['/api/packages', '/api/packages/{id}/decisions', '/api/audit']));
  });
});
