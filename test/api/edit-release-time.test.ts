/**
 * An approved package waiting for its release time, edited with new content: the edit puts it back
 * into review, and its release time must survive. A body without the time (a file made from a
 * revision, which never holds a time set by 定时发布) cleared it, and the corrected package, once
 * approved again, was released at once instead of at the agreed time.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApi } from '../../api/server.js';
import { policyPackage, startTestApp, type TestApp } from '../support/app.js';
import { apiCaller, type ReleaseTokens } from '../support/http.js';

let app: TestApp;
let api: FastifyInstance;
let base: string;
const tokens: Partial<ReleaseTokens> = {};
const call = apiCaller(() => base);

beforeAll(async () => {
  app = await startTestApp();
  await app.startWorker();
  api = await buildApi(app.ctx, { logger: false });
  await api.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(api.server.address() as { port: number }).port}`;
  tokens.editor = (await app.user('ert-editor', 'editor')).token;
  tokens['初审'] = (await app.user('ert-first', 'reviewer', ['初审'])).token;
  tokens['复审'] = (await app.user('ert-second', 'reviewer', ['复审'])).token;
  tokens['终审'] = (await app.user('ert-final', 'reviewer', ['终审'])).token;
});

afterAll(async () => {
  await api?.close();
  await app?.close();
});

describe('editing an approved package that waits for its release time', () => {
  it('a body without the time is refused (409 release_time_cleared at releaseAt), nothing saved; with it, review restarts and the time stays', async () => {
    const input = policyPackage(app.registry, { title: '关于做好元旦期间安全生产工作的通知' });
    const id = (await call('POST', '/api/packages', tokens.editor, input)).body.id as string;
    expect((await call('POST', `/api/packages/${id}/submit`, tokens.editor)).status).toBe(200);
    // The time set by 定时发布 while the package is reviewed: the revision's content has none.
    const releaseAt = new Date(Date.now() + 3 * 86_400_000).toISOString();
    expect((await call('PUT', `/api/packages/${id}/schedule`, tokens.editor, { releaseAt })).status).toBe(200);
    for (const stage of ['初审', '复审', '终审'] as const) {
      expect((await call('POST', `/api/packages/${id}/decisions`, tokens[stage], { revision: 1, decision: 'approve', comment: '同意' })).status).toBe(200);
    }
    expect((await call('GET', `/api/packages/${id}`, tokens.editor)).body.status).toBe('scheduled');
    const revision = (await call('GET', `/api/packages/${id}/revisions/1`, tokens.editor)).body.content;
    expect(revision.releaseAt).toBeNull();

    const corrected = { ...revision, document: { ...revision.document, title: `${revision.document.title}（更正）` } };
    const refused = await call('PUT', `/api/packages/${id}?baseRevision=1`, tokens.editor, corrected, { 'accept-language': 'zh-CN' });
    expect(refused.status, JSON.stringify(refused.body)).toBe(409);
    expect(refused.body.error.code).toBe('release_time_cleared');
    expect(refused.body.error.issues.map((i: { path: string }) => i.path)).toEqual(['releaseAt']);
    expect(refused.body.error.messageEn).toContain(releaseAt);
    const after = (await call('GET', `/api/packages/${id}`, tokens.editor)).body;
    expect([after.status, after.revision, after.releaseAt, after.approvals.length]).toEqual(['scheduled', 1, releaseAt, 3]);

    // With its time, the correction goes back to 初审 and keeps the time the package was approved for.
    const saved = await call('PUT', `/api/packages/${id}?baseRevision=1`, tokens.editor, { ...corrected, releaseAt });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    const reviewed = (await call('GET', `/api/packages/${id}`, tokens.editor)).body;
    expect([reviewed.status, reviewed.currentStage, reviewed.revision, reviewed.releaseAt, reviewed.approvals.length]).toEqual([
      'in_review',
      'first',
      2,
      releaseAt,
      0,
    ]);
  });
});
