import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startWechatOaSimulator } from '../../simulators/wechat-oa/index.js';
import { startMediaCenterSimulator } from '../../simulators/media-center/index.js';
import { FaultEngine, type SimulatorHandle } from '../../simulators/common.js';
import { advance, client, form, jpeg, networkError, publications } from './helpers.js';

let wx: SimulatorHandle;
let http: ReturnType<typeof client>;

beforeAll(async () => {
  wx = await startWechatOaSimulator({ publishDelayMs: 100 });
  http = client(wx.url);
});
afterAll(() => wx.close());
beforeEach(() => wx.state.reset());

async function token(): Promise<string> {
  return (await http.get('/cgi-bin/token', { params: { grant_type: 'client_credential', appid: 'wxfaults', secret: 's3cret' } })).data.access_token;
}

/** Creates a draft ready to be submitted; returns [token, draft media_id]. */
async function draft(at?: string): Promise<[string, string]> {
  const t = at ?? (await token());
  const thumb = (
    await http.post('/cgi-bin/material/add_material', form({ media: { data: jpeg(100, 100, 3000), filename: 'c.jpg' } }), {
      params: { access_token: t, type: 'thumb' },
    })
  ).data.media_id;
  const d = (
    await http.post('/cgi-bin/draft/add', { articles: [{ title: '通知', content: '<p>内容</p>', thumb_media_id: thumb }] }, { params: { access_token: t } })
  ).data;
  return [t, d.media_id];
}

async function addFault(rule: unknown) {
  const r = await http.post('/__sim/faults', rule);
  expect(r.status).toBe(200);
  return r.data;
}

describe('fault control API', () => {
  it('adds, lists and clears rules; rejects invalid ones with a reason', async () => {
    const bad = await http.post('/__sim/faults', { match: '/x', kind: 'explode' });
    expect(bad.status).toBe(400);
    expect(bad.data.error).toContain('kind');
    expect((await http.post('/__sim/faults', { match: 're:(', kind: 'busy' })).status).toBe(400);
    expect((await http.post('/__sim/faults', { match: '/x', kind: 'busy', probability: 2 })).status).toBe(400);
    const added = await addFault({ seed: 7, rules: [{ match: '/cgi-bin/*', kind: 'busy', count: 2, note: 'two busy answers' }] });
    expect(added.seed).toBe(7);
    const listed = (await http.get('/__sim/faults')).data;
    expect(listed.rules).toHaveLength(1);
    expect(listed.rules[0]).toMatchObject({ match: '/cgi-bin/*', kind: 'busy', remaining: 2, note: 'two busy answers' });
    expect((await http.delete('/__sim/faults')).data.rules).toEqual([]);
  });

  it('count and skip: the next N matching requests, after letting K through', async () => {
    const at = await token();
    await addFault({ match: '/cgi-bin/draft/count', kind: 'http_error', status: 502, count: 2, skip: 1 });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await http.post('/cgi-bin/draft/count', {}, { params: { access_token: at } })).status);
    expect(statuses).toEqual([200, 502, 502, 200]);
    expect((await http.get('/__sim/faults')).data.rules).toEqual([]);
    const log = (await http.get('/__sim/requests')).data.requests as { path: string; fault?: string; status?: number }[];
    expect(log.filter((r) => r.path === '/cgi-bin/draft/count').map((r) => r.fault ?? null)).toEqual([null, 'http_error', 'http_error', null]);
    expect(JSON.stringify(log)).not.toContain(at); // tokens never reach the request log
  });

  it('probabilistic rules are reproducible for a given seed', () => {
    const pattern = (seed: number) => {
      const f = new FaultEngine(seed);
      f.add({ match: '*', kind: 'busy', probability: 0.5 });
      return Array.from({ length: 40 }, () => (f.select('GET', '/a') ? 1 : 0)).join('');
    };
    expect(pattern(42)).toBe(pattern(42));
    expect(pattern(42)).not.toBe(pattern(43));
    const hits = [...pattern(42)].filter((c) => c === '1').length;
    expect(hits).toBeGreaterThan(8);
    expect(hits).toBeLessThan(32);
  });

  it('faults given at start apply from the first request; the control API is never faulted', async () => {
    const s = await startWechatOaSimulator({ faults: [{ match: '*', kind: 'http_error', status: 500 }] });
    try {
      const c = client(s.url);
      expect((await c.get('/cgi-bin/token', { params: { grant_type: 'client_credential', appid: 'a', secret: 'b' } })).status).toBe(500);
      expect((await c.get('/__sim/health')).status).toBe(200);
    } finally {
      await s.close();
    }
  });
});

describe('fault kinds', () => {
  it('rate_limit answers with the platform code (45009), busy with -1, http_error with a 5xx', async () => {
    const at = await token();
    await addFault({
      rules: [
        { match: '/cgi-bin/draft/count', kind: 'rate_limit', count: 1 },
        { match: '/cgi-bin/draft/count', kind: 'busy', count: 1 },
      ],
    });
    expect((await http.post('/cgi-bin/draft/count', {}, { params: { access_token: at } })).data.errcode).toBe(45009);
    expect((await http.post('/cgi-bin/draft/count', {}, { params: { access_token: at } })).data.errcode).toBe(-1);
    expect((await http.post('/cgi-bin/draft/count', {}, { params: { access_token: at } })).data.total_count).toBe(0);
  });

  it('token_expired forces 42001 and the token stays expired until a new one is fetched', async () => {
    const at = await token();
    await addFault({ match: '/cgi-bin/draft/count', kind: 'token_expired', count: 1 });
    expect((await http.post('/cgi-bin/draft/count', {}, { params: { access_token: at } })).data.errcode).toBe(42001);
    expect((await http.post('/cgi-bin/draft/count', {}, { params: { access_token: at } })).data.errcode).toBe(42001);
    const fresh = await token();
    expect((await http.post('/cgi-bin/draft/count', {}, { params: { access_token: fresh } })).data.total_count).toBe(0);
  });

  it('slow delays the response but answers normally', async () => {
    const at = await token();
    await addFault({ match: '/cgi-bin/draft/count', kind: 'slow', delayMs: 300, count: 1 });
    const t0 = Date.now();
    const r = await http.post('/cgi-bin/draft/count', {}, { params: { access_token: at } });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
    expect(r.data.total_count).toBe(0);
  });

  it('slow with processing: the work is done at once and the answer comes late', async () => {
    const [at, mediaId] = await draft();
    await addFault({ match: '/cgi-bin/freepublish/submit', kind: 'slow', delayMs: 1000, process: true, count: 1 });
    const t0 = Date.now();
    let answered = false;
    const answer = http.post('/cgi-bin/freepublish/submit', { media_id: mediaId }, { params: { access_token: at } }).finally(() => (answered = true));
    // Published while the answer is still on its way.
    await expect.poll(async () => (await publications(wx.url)).length, { interval: 20 }).toBe(1);
    expect(answered).toBe(false);
    expect((await answer).data.errcode).toBe(0);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(990);
  });

  it('timeout without processing: the client times out and nothing was published', async () => {
    const [at, mediaId] = await draft();
    await addFault({ match: '/cgi-bin/freepublish/submit', kind: 'timeout', delayMs: 600, count: 1 });
    const code = await networkError(client(wx.url, 200).post('/cgi-bin/freepublish/submit', { media_id: mediaId }, { params: { access_token: at } }));
    expect(code).toBe('ECONNABORTED');
    await new Promise((r) => setTimeout(r, 700));
    expect(await publications(wx.url)).toHaveLength(0);
    // The draft is still there: a retry publishes it once.
    const retry = (await http.post('/cgi-bin/freepublish/submit', { media_id: mediaId }, { params: { access_token: at } })).data;
    expect(retry.errcode).toBe(0);
    expect(await publications(wx.url)).toHaveLength(1);
  });

  it('timeout with processing: the client times out but the publication exists', async () => {
    const [at, mediaId] = await draft();
    await addFault({ match: '/cgi-bin/freepublish/submit', kind: 'timeout', delayMs: 600, process: true, count: 1 });
    const code = await networkError(client(wx.url, 200).post('/cgi-bin/freepublish/submit', { media_id: mediaId }, { params: { access_token: at } }));
    expect(code).toBe('ECONNABORTED');
    // The client gave up after 200 ms; on a loaded machine the simulator may do the work later.
    await expect.poll(async () => (await publications(wx.url)).length).toBe(1);
    expect((await publications(wx.url))[0]!.faults).toEqual(['timeout']);
  });

  it('drop_response: the side effect happens, the client sees a reset; reconciling finds it, blind re-posting duplicates it', async () => {
    const [at, mediaId] = await draft();
    await addFault({ match: '/cgi-bin/freepublish/submit', kind: 'drop_response', count: 1 });
    expect(await networkError(http.post('/cgi-bin/freepublish/submit', { media_id: mediaId }, { params: { access_token: at } }))).toBe('ECONNRESET');
    expect(await publications(wx.url)).toHaveLength(1);
    // Retrying the same submit is refused: the draft left the draft box when it was accepted.
    expect((await http.post('/cgi-bin/freepublish/submit', { media_id: mediaId }, { params: { access_token: at } })).data.errcode).toBe(40007);
    // Reconcile: the published list shows the article the client never heard about.
    await advance(wx.url, 1);
    const list = (await http.post('/cgi-bin/freepublish/batchget', { offset: 0, count: 20, no_content: 1 }, { params: { access_token: at } })).data;
    expect(list.total_count).toBe(1);
    expect(list.item[0].content.news_item[0].title).toBe('通知');
    // A client that blindly redoes the whole chain creates a duplicate, which tests can detect.
    const [, again] = await draft(at);
    await http.post('/cgi-bin/freepublish/submit', { media_id: again }, { params: { access_token: at } });
    const pubs = await publications(wx.url);
    expect(pubs.filter((p) => p.title === '通知')).toHaveLength(2);
    expect(pubs.map((p) => p.faults)).toEqual([['drop_response'], []]);
  });

  it('never_confirm: accepted, but the asynchronous status never reaches success', async () => {
    const [at, mediaId] = await draft();
    await addFault({ match: '/cgi-bin/freepublish/submit', kind: 'never_confirm', count: 1 });
    const submit = (await http.post('/cgi-bin/freepublish/submit', { media_id: mediaId }, { params: { access_token: at } })).data;
    expect(submit.errcode).toBe(0);
    await advance(wx.url, 86_400);
    const fresh = await token(); // a day later the old token has expired too
    expect((await http.post('/cgi-bin/freepublish/get', { publish_id: submit.publish_id }, { params: { access_token: at } })).data.errcode).toBe(42001);
    expect((await http.post('/cgi-bin/freepublish/get', { publish_id: submit.publish_id }, { params: { access_token: fresh } })).data.publish_status).toBe(1);
    expect((await publications(wx.url))[0]).toMatchObject({ state: 'processing', faults: ['never_confirm'] });
    expect((await http.post('/cgi-bin/freepublish/batchget', { offset: 0, count: 20 }, { params: { access_token: fresh } })).data.total_count).toBe(0);
  });

  it('async_fail: publishing ends with the given publish_status and the draft returns to the draft box', async () => {
    const [at, mediaId] = await draft();
    await addFault({ match: '/cgi-bin/freepublish/submit', kind: 'async_fail', code: 4, count: 1 });
    const submit = (await http.post('/cgi-bin/freepublish/submit', { media_id: mediaId }, { params: { access_token: at } })).data;
    await advance(wx.url, 1);
    const status = (await http.post('/cgi-bin/freepublish/get', { publish_id: submit.publish_id }, { params: { access_token: at } })).data;
    expect(status).toMatchObject({ publish_status: 4, fail_idx: [1] });
    expect((await publications(wx.url))[0]).toMatchObject({ state: 'failed', platformStatus: 4 });
    expect((await http.post('/cgi-bin/draft/get', { media_id: mediaId }, { params: { access_token: at } })).data.news_item).toHaveLength(1);
  });

  it('reset clears publications, tokens and faults (faults kept on request)', async () => {
    const [at, mediaId] = await draft();
    await http.post('/cgi-bin/freepublish/submit', { media_id: mediaId }, { params: { access_token: at } });
    await addFault({ match: '/nothing', kind: 'busy' });
    expect((await http.post('/__sim/reset', { keepFaults: true })).data.ok).toBe(true);
    expect(await publications(wx.url)).toHaveLength(0);
    expect((await http.get('/__sim/faults')).data.rules).toHaveLength(1);
    expect((await http.post('/cgi-bin/draft/count', {}, { params: { access_token: at } })).data.errcode).toBe(40001);
    await http.post('/__sim/reset');
    expect((await http.get('/__sim/faults')).data.rules).toHaveLength(0);
  });
});

describe('faults on the media center (rate limit with Retry-After, dropped responses and idempotency)', () => {
  let mc: SimulatorHandle;
  let c: ReturnType<typeof client>;
  beforeAll(async () => {
    mc = await startMediaCenterSimulator('news_site', { publishDelayMs: 50 });
    c = client(mc.url);
  });
  afterAll(() => mc.close());

  it('a dropped response retried with the same Idempotency-Key yields the same single article', async () => {
    const tok = (await c.post('/api/v1/auth/token', { clientId: 'govpub', clientSecret: 'x' })).data.accessToken;
    const headers = { authorization: `Bearer ${tok}`, 'idempotency-key': 'pkg-42.rev-3.news_site' };
    const body = { columnId: 'bl-zcjd', title: '政策解读', bodyHtml: '<p>解读</p>' };
    await c.post('/__sim/faults', { match: '/api/v1/articles', method: 'POST', kind: 'drop_response', count: 1 });
    expect(await networkError(c.post('/api/v1/articles', body, { headers }))).toBe('ECONNRESET');
    const found = (await c.get('/api/v1/articles', { headers, params: { idempotencyKey: 'pkg-42.rev-3.news_site' } })).data.items;
    expect(found).toHaveLength(1);
    const retry = await c.post('/api/v1/articles', body, { headers });
    expect(retry.status).toBe(200);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.data.id).toBe(found[0].id);
    expect(await publications(mc.url)).toHaveLength(1);
  });

  it('rate_limit answers 429 with Retry-After', async () => {
    await c.post('/__sim/faults', { match: '/api/v1/columns', kind: 'rate_limit', retryAfterSeconds: 7, count: 1 });
    const r = await c.get('/api/v1/columns');
    expect(r.status).toBe(429);
    expect(r.headers['retry-after']).toBe('7');
    expect(r.data.error.code).toBe('rate_limited');
  });
});
