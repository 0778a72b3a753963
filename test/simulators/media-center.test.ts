import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startMediaCenterSimulator } from '../../simulators/media-center/index.js';
import type { SimulatorHandle } from '../../simulators/common.js';
import { advance, client, publications } from './helpers.js';

let site: SimulatorHandle;
let app: SimulatorHandle;
let http: ReturnType<typeof client>;

beforeAll(async () => {
  site = await startMediaCenterSimulator('news_site', { credentials: { govpub: 'site-secret' }, publishDelayMs: 30_000, rateLimitPerMinute: 1000 });
  app = await startMediaCenterSimulator('media_app', { publishDelayMs: 30_000, rateLimitPerMinute: 4 });
  http = client(site.url);
});
afterAll(async () => {
  await site.close();
  await app.close();
});
beforeEach(() => {
  site.state.reset();
  app.state.reset();
});

async function auth(c = http, clientId = 'govpub', clientSecret = 'site-secret') {
  const r = await c.post('/api/v1/auth/token', { clientId, clientSecret });
  expect(r.status).toBe(200);
  expect(r.data).toMatchObject({ tokenType: 'Bearer', expiresIn: 3600 });
  return { authorization: `Bearer ${r.data.accessToken}` };
}

const doc = {
  columnId: 'bl-zcjd',
  kind: 'graphic',
  title: '《碑林区优化营商环境若干措施》政策解读',
  summary: '一图读懂',
  bodyHtml: '<p>解读正文</p>',
  author: '碑林区发改委',
  externalRef: 'pkg-7.rev-2',
  relatedLinks: [{ title: '碑林区优化营商环境若干措施', url: 'https://www.beilin.gov.cn/zcwj/7.html', relation: 'policy' }],
};

describe('media center: auth and columns', () => {
  it('issues bearer tokens, rejects wrong secrets, missing and expired tokens', async () => {
    expect((await http.post('/api/v1/auth/token', { clientId: 'govpub', clientSecret: 'wrong' })).data.error.code).toBe('invalid_client');
    expect((await http.post('/api/v1/auth/token', { clientId: 'govpub' })).status).toBe(400);
    const none = await http.get('/api/v1/columns');
    expect(none.status).toBe(401);
    expect(none.data.error.code).toBe('unauthorized');
    expect(none.headers['www-authenticate']).toContain('Bearer');
    const h = await auth();
    const cols = (await http.get('/api/v1/columns', { headers: h })).data.items;
    expect(cols).toHaveLength(16);
    const appCols = (await client(app.url).get('/api/v1/columns', { headers: await auth(client(app.url), 'govpub', 'any') })).data.items;
    expect(appCols).toHaveLength(11);
    await advance(site.url, 3601);
    const expired = await http.get('/api/v1/columns', { headers: h });
    expect(expired.status).toBe(401);
    expect(expired.data.error.code).toBe('token_expired');
  });
});

describe('media center: articles', () => {
  it('creates exactly once per Idempotency-Key, reviews asynchronously, publishes a URL, deletes', async () => {
    const h = { ...(await auth()), 'idempotency-key': 'pkg-7.rev-2.news_site.interp' };
    const created = await http.post('/api/v1/articles', doc, { headers: h });
    expect(created.status).toBe(201);
    expect(created.headers.location).toBe(`/api/v1/articles/${created.data.id}`);
    expect(created.data).toMatchObject({ status: 'pending', url: null, columnName: '政策解读', idempotencyKey: 'pkg-7.rev-2.news_site.interp' });

    const replay = await http.post('/api/v1/articles', { ...doc }, { headers: h });
    expect(replay.status).toBe(200);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.data.id).toBe(created.data.id);
    const conflict = await http.post('/api/v1/articles', { ...doc, title: '另一篇' }, { headers: h });
    expect(conflict.status).toBe(409);
    expect(conflict.data.error).toMatchObject({ code: 'idempotency_key_reused', details: { articleId: created.data.id } });

    const byKey = (await http.get('/api/v1/articles', { headers: h, params: { idempotencyKey: 'pkg-7.rev-2.news_site.interp' } })).data;
    expect(byKey.items.map((a: { id: string }) => a.id)).toEqual([created.data.id]);
    expect((await http.get('/api/v1/articles', { headers: h, params: { idempotencyKey: 'never-used' } })).data.items).toEqual([]);
    expect((await http.get('/api/v1/articles', { headers: h, params: { externalRef: 'pkg-7.rev-2' } })).data.items).toHaveLength(1);

    await advance(site.url, 31);
    const got = (await http.get(`/api/v1/articles/${created.data.id}`, { headers: h })).data;
    expect(got).toMatchObject({ status: 'published' });
    expect(got.url).toBe(`${site.url}/a/${created.data.id}`);
    const page = await http.get(`/a/${created.data.id}`);
    expect(page.status).toBe(200);
    expect(page.data).toContain('https://www.beilin.gov.cn/zcwj/7.html');

    const pubs = await publications(site.url);
    expect(pubs).toHaveLength(1);
    expect(pubs[0]).toMatchObject({
      platform: 'news_site',
      id: created.data.id,
      state: 'published',
      platformStatus: 'published',
      idempotencyKey: 'pkg-7.rev-2.news_site.interp',
    });
    expect(pubs[0]!.links).toContain('https://www.beilin.gov.cn/zcwj/7.html');

    const del = await http.delete(`/api/v1/articles/${created.data.id}`, { headers: h });
    expect(del.data).toMatchObject({ status: 'deleted' });
    expect((await http.delete(`/api/v1/articles/${created.data.id}`, { headers: h })).status).toBe(200);
    expect((await http.get(`/a/${created.data.id}`)).status).toBe(410);
    // The key stays bound to the deleted article: a late retry never re-creates it.
    const late = await http.post('/api/v1/articles', doc, { headers: h });
    expect(late.status).toBe(200);
    expect(late.data).toMatchObject({ id: created.data.id, status: 'deleted' });
    expect((await publications(site.url))[0]).toMatchObject({ state: 'deleted', deleted: true });
    expect((await http.get('/api/v1/articles/ns-0-none', { headers: h })).status).toBe(404);
    expect((await http.delete('/api/v1/articles/ns-0-none', { headers: h })).data.error.code).toBe('not_found');
  });

  it('validates columns, fields, keys, content type and size', async () => {
    const a = await auth();
    const post = (body: unknown, key = `k-${Math.random().toString(36).slice(2)}`, headers: Record<string, string> = {}) =>
      http.post('/api/v1/articles', body, { headers: { ...a, 'idempotency-key': key, ...headers } });
    expect((await http.post('/api/v1/articles', doc, { headers: a })).data.error.code).toBe('idempotency_key_required');
    expect((await post(doc, 'has spaces')).data.error.code).toBe('invalid_idempotency_key');
    const col = await post({ ...doc, columnId: 'app-home' });
    expect(col.status).toBe(400);
    expect(col.data.error.code).toBe('unknown_column');
    expect(col.data.error.details.allowed).toHaveLength(16);
    const v = await post({ ...doc, title: '题'.repeat(101), kind: 'video', bodyHtml: '<script>x</script>' });
    expect(v.status).toBe(400);
    expect(v.data.error.code).toBe('validation_failed');
    expect(v.data.error.details.problems.map((p: { field: string }) => p.field)).toEqual(['title', 'videoUrl', 'bodyHtml']);
    expect((await post({ ...doc, bodyHtml: undefined })).data.error.details.problems[0].field).toBe('bodyHtml');
    expect((await post({ ...doc, relatedLinks: [{ title: 'x', url: 'ftp://x' }] })).status).toBe(400);
    expect((await post({ ...doc, kind: 'short_video', videoUrl: 'https://cdn.example/v.mp4', bodyHtml: undefined })).status).toBe(201);
    expect((await post('not json', undefined, { 'content-type': 'text/plain' })).status).toBe(415);
    expect((await post('{"broken', undefined, { 'content-type': 'application/json' })).data.error.code).toBe('invalid_json');
    const big = await post({ ...doc, bodyHtml: `<p>${'x'.repeat(2 * 1024 * 1024)}</p>` });
    expect(big.status).toBe(413);
    expect(big.data.error.code).toBe('payload_too_large');
  });

  it('rate limits per client with 429 and Retry-After; never_confirm keeps an article pending', async () => {
    const c = client(app.url);
    const h = await auth(c, 'govpub', 'x'); // token issuance is not rate limited
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await c.get('/api/v1/columns', { headers: h })).status);
    expect(statuses).toEqual([200, 200, 200, 200, 429]);
    const limited = await c.get('/api/v1/columns', { headers: h });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(limited.data.error.code).toBe('rate_limited');
    await advance(app.url, 61);
    await c.post('/__sim/faults', { match: '/api/v1/articles', method: 'POST', kind: 'never_confirm', count: 1 });
    const r = await c.post('/api/v1/articles', { columnId: 'app-news', title: '新闻', bodyHtml: '<p>x</p>' }, { headers: { ...h, 'idempotency-key': 'nc-1' } });
    expect(r.status).toBe(201);
    await advance(app.url, 3000);
    const h2 = await auth(c, 'govpub', 'x');
    expect((await c.get(`/api/v1/articles/${r.data.id}`, { headers: h2 })).data.status).toBe('pending');
    expect((await publications(app.url))[0]).toMatchObject({ state: 'processing', faults: ['never_confirm'] });
  });

  it('async_fail ends in rejected with a reason', async () => {
    const h = await auth();
    await http.post('/__sim/faults', { match: '/api/v1/articles', kind: 'async_fail', message: '含有未脱敏的身份证号', count: 1 });
    const r = await http.post('/api/v1/articles', doc, { headers: { ...h, 'idempotency-key': 'af-1' } });
    await advance(site.url, 31);
    expect((await http.get(`/api/v1/articles/${r.data.id}`, { headers: h })).data).toMatchObject({
      status: 'rejected',
      rejectReason: '含有未脱敏的身份证号',
      url: null,
    });
  });
});
