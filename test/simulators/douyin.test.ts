import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startDouyinSimulator } from '../../simulators/douyin/index.js';
import type { SimulatorHandle } from '../../simulators/common.js';
import { advance, client, form, junk, mp4, publications, webm } from './helpers.js';

const KEY = 'awbeilin0001';
const SECRET = 'douyin-secret';
const MB = 1024 * 1024;

let sim: SimulatorHandle;
let http: ReturnType<typeof client>;

beforeAll(async () => {
  sim = await startDouyinSimulator({ credentials: { [KEY]: SECRET }, publishDelayMs: 30_000, limits: { singleUploadBytes: 2 * MB } });
  http = client(sim.url);
});
afterAll(() => sim.close());
beforeEach(() => sim.state.reset());

let n = 0;
async function user(code = `code-${++n}`) {
  const r = (await http.post('/oauth/access_token/', { client_key: KEY, client_secret: SECRET, code, grant_type: 'authorization_code' })).data;
  expect(r.message).toBe('success');
  return { token: r.data.access_token as string, openId: r.data.open_id as string, refresh: r.data.refresh_token as string };
}

function api(u: { token: string; openId: string }) {
  return { headers: { 'access-token': u.token }, params: { open_id: u.openId } };
}

async function uploadSingle(u: { token: string; openId: string }, data: Buffer, fields: Record<string, string> = {}, headers: Record<string, string> = {}) {
  const a = api(u);
  return (await http.post('/video/upload/', form({ video: { data, filename: 'v.mp4' }, ...fields }), { ...a, headers: { ...a.headers, ...headers } })).data;
}

describe('douyin: tokens', () => {
  it('client_token, code exchange (once), refresh; invalid, mismatched and expired tokens fail', async () => {
    const ct = (await http.post('/oauth/client_token/', { client_key: KEY, client_secret: SECRET, grant_type: 'client_credential' })).data;
    expect(ct.data.access_token).toMatch(/^clt\./);
    expect((await http.post('/oauth/client_token/', { client_key: KEY, client_secret: 'x', grant_type: 'client_credential' })).data.data.error_code).toBe(
      10013,
    );
    const u = await user('code-a');
    expect(
      (await http.post('/oauth/access_token/', { client_key: KEY, client_secret: SECRET, code: 'code-a', grant_type: 'authorization_code' })).data.data
        .error_code,
    ).toBe(10007);
    expect(u.token).toMatch(/^act\./);
    const other = await user('user:someone-else:code');
    expect(other.openId).not.toBe(u.openId);
    expect((await http.post('/video/part/init/', null, { headers: { 'access-token': u.token }, params: { open_id: other.openId } })).data.data.error_code).toBe(
      2190015,
    );
    expect((await http.post('/video/part/init/', null, { headers: { 'access-token': 'act.bogus' }, params: { open_id: u.openId } })).data.data.error_code).toBe(
      2190002,
    );
    const refreshed = (await http.post('/oauth/refresh_token/', { client_key: KEY, grant_type: 'refresh_token', refresh_token: u.refresh })).data.data;
    expect(refreshed.access_token).not.toBe(u.token);
    await advance(sim.url, 15 * 86400 + 1);
    const expired = (await http.post('/video/part/init/', null, api(u))).data;
    expect(expired.data.error_code).toBe(2190008);
    expect(expired.extra.error_code).toBe(2190008);
    const again = (await http.post('/oauth/refresh_token/', { client_key: KEY, grant_type: 'refresh_token', refresh_token: u.refresh })).data.data;
    expect((await http.post('/video/part/init/', null, api({ token: again.access_token, openId: u.openId }))).data.data.error_code).toBe(0);
  });
});

describe('douyin: upload → create → review → query → delete', () => {
  it('publishes a short video and records it', async () => {
    const u = await user();
    const up = await uploadSingle(u, mp4(300_000), { width: '1080', height: '1920' }, { 'x-media-duration': '58' });
    expect(up.data.error_code).toBe(0);
    expect(up.data.video).toMatchObject({ width: 1080, height: 1920 });
    const videoId = up.data.video.video_id;
    const text = '碑林区政策解读 #政务公开 https://www.beilin.gov.cn/zcjd/1.html';
    const created = (await http.post('/video/create/', { video_id: videoId, text, cover_tsp: 2.5 }, api(u))).data;
    expect(created.data.error_code).toBe(0);
    const itemId = created.data.item_id as string;
    expect(itemId.startsWith('@')).toBe(true);
    // video_id is single-use
    expect((await http.post('/video/create/', { video_id: videoId, text }, api(u))).data.data.error_code).toBe(2190007);

    const first = (await http.post('/video/data/', { item_ids: [itemId] }, api(u))).data.data.list[0];
    expect(first).toMatchObject({ item_id: itemId, video_status: 4, is_reviewed: false, title: text });
    await advance(sim.url, 31);
    const second = (await http.post('/video/data/', { item_ids: [itemId] }, api(u))).data.data.list[0];
    expect(second).toMatchObject({ video_status: 1, is_reviewed: true });
    expect((await http.get(new URL(second.share_url).pathname)).status).toBe(200);
    const list = (await http.get('/video/list/', { ...api(u), params: { ...api(u).params, cursor: 0, count: 10 } })).data.data;
    expect(list.list).toHaveLength(1);
    expect(list.has_more).toBe(false);

    const pubs = await publications(sim.url);
    expect(pubs).toHaveLength(1);
    expect(pubs[0]).toMatchObject({ platform: 'douyin', id: itemId, state: 'published', platformStatus: 1, title: text, account: u.openId });
    expect(pubs[0]!.links).toEqual(['https://www.beilin.gov.cn/zcjd/1.html']);

    expect((await http.post('/video/delete/', { item_id: itemId }, api(u))).data.data.error_code).toBe(0);
    expect((await http.post('/video/data/', { item_ids: [itemId] }, api(u))).data.data.list).toEqual([]);
    expect((await http.post('/video/delete/', { item_id: itemId }, api(u))).data.data.error_code).toBe(2100005);
    expect((await publications(sim.url))[0]).toMatchObject({ state: 'deleted' });
  });

  it('chunked upload: parts of at least 5 MB except the last, contiguous, then complete', async () => {
    const u = await user();
    const init = (await http.post('/video/part/init/', null, api(u))).data.data;
    const part = (uploadId: string, num: number, data: Buffer) =>
      http.post('/video/part/upload/', form({ video: { data, filename: 'v.mp4' } }), {
        headers: { 'access-token': u.token },
        params: { open_id: u.openId, upload_id: uploadId, part_number: num },
      });
    expect((await part(init.upload_id, 1, mp4(5 * MB))).data.data.error_code).toBe(0);
    expect((await part(init.upload_id, 3, Buffer.alloc(1000))).data.data.error_code).toBe(0);
    const gap = (await http.post('/video/part/complete/', null, { ...api(u), params: { ...api(u).params, upload_id: init.upload_id } })).data.data;
    expect(gap.error_code).toBe(2100005);
    expect(gap.description).toContain('不连续');
    expect((await part(init.upload_id, 2, Buffer.alloc(5 * MB))).data.data.error_code).toBe(0);
    const done = (await http.post('/video/part/complete/', null, { ...api(u), params: { ...api(u).params, upload_id: init.upload_id } })).data.data;
    expect(done.error_code).toBe(0);
    expect(done.video.video_id).toBeTypeOf('string');

    // A non-last part under 5 MB is refused at completion.
    const init2 = (await http.post('/video/part/init/', null, api(u))).data.data;
    await part(init2.upload_id, 1, mp4(4 * MB));
    await part(init2.upload_id, 2, Buffer.alloc(10));
    const small = (await http.post('/video/part/complete/', null, { ...api(u), params: { ...api(u).params, upload_id: init2.upload_id } })).data.data;
    expect(small.error_code).toBe(2100005);
    expect(small.description).toContain('5MB');
    // upload_id is valid for 2 hours
    const init3 = (await http.post('/video/part/init/', null, api(u))).data.data;
    await advance(sim.url, 7201);
    expect((await part(init3.upload_id, 1, mp4(1000))).data.data.error_code).toBe(2100005);
  });

  it('rejects what the platform rejects', async () => {
    const u = await user();
    expect((await uploadSingle(u, webm(5000))).data.error_code).toBe(0);
    expect((await uploadSingle(u, junk(5000))).data.error_code).toBe(2100005);
    expect((await uploadSingle(u, mp4(5000), {}, { 'x-media-duration': '901' })).data.error_code).toBe(2190006);
    expect((await uploadSingle(u, mp4(5000), { duration: '900' })).data.error_code).toBe(0);
    expect((await uploadSingle(u, mp4(2 * MB + 1))).data.error_code).toBe(2190005);
    expect((await http.post('/video/create/', { video_id: 'v0nope', text: 'x' }, api(u))).data.data.error_code).toBe(2190007);
    const ok = await uploadSingle(u, mp4(5000));
    expect(ok.data.error_code).toBe(0);
    expect((await http.post('/video/create/', { video_id: ok.data.video.video_id, text: '长'.repeat(1001) }, api(u))).data.data.error_code).toBe(2100005);
    expect((await http.post('/video/data/', { item_ids: [] }, api(u))).data.data.error_code).toBe(2100005);
    expect(
      (await http.post('/video/upload/', form({ video: { data: mp4(), filename: 'v.mp4' } }), { headers: { 'access-token': u.token } })).data.data.error_code,
    ).toBe(2100005);
  });
});
