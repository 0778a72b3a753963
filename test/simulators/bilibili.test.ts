import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bilibiliSignHeaders, startBilibiliSimulator } from '../../simulators/bilibili/index.js';
import type { SimulatorHandle } from '../../simulators/common.js';
import { advance, client, flv, form, gif, jpeg, mp4, png, publications } from './helpers.js';

const CLIENT = 'bili-client-01';
const SECRET = 'bili-secret';
const MB = 1024 * 1024;

let sim: SimulatorHandle;
let http: ReturnType<typeof client>;

beforeAll(async () => {
  // Review takes 800 ms of simulated time; tests move the clock on, so a busy machine cannot finish it early.
  sim = await startBilibiliSimulator({ credentials: { [CLIENT]: SECRET }, publishDelayMs: 30_000, limits: { singleUploadBytes: 1 * MB }, memberOpenIds: [] });
  http = client(sim.url);
});
afterAll(() => sim.close());
beforeEach(() => sim.state.reset());

let n = 0;
async function token(code = `code-${++n}`): Promise<{ access: string; refresh: string }> {
  const r = (
    await http.post('/x/account-oauth2/v1/token', null, { params: { client_id: CLIENT, client_secret: SECRET, grant_type: 'authorization_code', code } })
  ).data;
  expect(r.code).toBe(0);
  expect(r.data.expires_in).toBeGreaterThan(Date.now() / 1000); // an absolute Unix time, as documented
  return { access: r.data.access_token, refresh: r.data.refresh_token };
}

/** A signed JSON POST / GET / multipart POST to member.bilibili.com-style endpoints. */
const signed = {
  post: (path: string, at: string, body: unknown = {}, params: Record<string, string> = {}) => {
    const text = JSON.stringify(body);
    return http.post(path, text, {
      params,
      headers: { ...bilibiliSignHeaders({ clientId: CLIENT, secret: SECRET, body: text, accessToken: at }), 'content-type': 'application/json' },
    });
  },
  get: (path: string, at: string, params: Record<string, string> = {}) =>
    http.get(path, { params, headers: bilibiliSignHeaders({ clientId: CLIENT, secret: SECRET, accessToken: at }) }),
  file: (path: string, at: string, data: Buffer, filename: string) =>
    http.post(path, form({ file: { data, filename } }), { headers: bilibiliSignHeaders({ clientId: CLIENT, secret: SECRET, accessToken: at }) }),
};

/** Uploads a video in parts and returns a completed upload_token. */
async function uploadVideo(at: string, parts: Buffer[] = [mp4(3 * MB), Buffer.alloc(1000)], name = 'v.mp4', duration?: number): Promise<string> {
  const init = (await signed.post('/arcopen/fn/archive/video/init', at, { name, utype: 0 })).data;
  expect(init.code).toBe(0);
  const token = init.data.upload_token as string;
  for (let i = 0; i < parts.length; i++) {
    const r = await http.post('/video/v2/part/upload', parts[i], {
      params: { upload_token: token, part_number: i + 1 },
      headers: { 'content-type': 'application/octet-stream' },
    });
    expect(r.data.code).toBe(0);
  }
  const done = await http.post('/arcopen/fn/archive/video/complete', '', {
    params: { upload_token: token },
    headers: {
      ...bilibiliSignHeaders({ clientId: CLIENT, secret: SECRET, body: '', accessToken: at }),
      ...(duration ? { 'x-media-duration': String(duration) } : {}),
    },
  });
  expect(done.data.code, JSON.stringify(done.data)).toBe(0);
  return token;
}

async function cover(at: string): Promise<string> {
  const r = (await signed.file('/arcopen/fn/archive/cover/upload', at, jpeg(1146, 717, 50_000), 'c.jpg')).data;
  expect(r.code).toBe(0);
  return r.data.url;
}

const archive = (coverUrl: string, over: Record<string, unknown> = {}) => ({
  title: '碑林区政策解读',
  cover: coverUrl,
  tid: 203,
  no_reprint: 1,
  desc: '解读 https://www.beilin.gov.cn/zcjd/1.html',
  tag: '政务,碑林',
  copyright: 1,
  ...over,
});

describe('bilibili: signatures and tokens', () => {
  it('requires a valid x-bili-* signature, a fresh timestamp and an unused nonce', async () => {
    const { access } = await token();
    expect((await http.get('/arcopen/fn/archive/type/list', { headers: { 'access-token': access } })).data.code).toBe(-3);
    const wrong = bilibiliSignHeaders({ clientId: CLIENT, secret: 'not-the-secret', accessToken: access });
    expect((await http.get('/arcopen/fn/archive/type/list', { headers: wrong })).data).toMatchObject({ code: -3, message: '签名错误' });
    const stale = bilibiliSignHeaders({ clientId: CLIENT, secret: SECRET, accessToken: access, timestamp: Math.floor(Date.now() / 1000) - 700 });
    expect((await http.get('/arcopen/fn/archive/type/list', { headers: stale })).data.code).toBe(-3);
    const good = bilibiliSignHeaders({ clientId: CLIENT, secret: SECRET, accessToken: access, nonce: 'fixed-nonce' });
    const list = (await http.get('/arcopen/fn/archive/type/list', { headers: good })).data;
    expect(list.code).toBe(0);
    expect(list.data.map((p: { id: number }) => p.id)).toContain(202);
    expect((await http.get('/arcopen/fn/archive/type/list', { headers: good })).data.message).toContain('nonce');
    const body = JSON.stringify({ name: 'a.mp4' });
    const tampered = await http.post('/arcopen/fn/archive/video/init', JSON.stringify({ name: 'b.mp4' }), {
      headers: { ...bilibiliSignHeaders({ clientId: CLIENT, secret: SECRET, body, accessToken: access }), 'content-type': 'application/json' },
    });
    expect(tampered.data.message).toContain('content-md5');
  });

  it('token errors: missing (-101), invalid (-2), expired (-658); refresh rotates the refresh token', async () => {
    const t = await token();
    expect((await signed.get('/arcopen/fn/archive/viewlist', '')).data.code).toBe(-101);
    expect((await signed.get('/arcopen/fn/archive/viewlist', 'bogus')).data.code).toBe(-2);
    const refreshed = (
      await http.post('/x/account-oauth2/v1/refresh_token', null, {
        params: { client_id: CLIENT, client_secret: SECRET, grant_type: 'refresh_token', refresh_token: t.refresh },
      })
    ).data;
    expect(refreshed.code).toBe(0);
    expect(
      (
        await http.post('/x/account-oauth2/v1/refresh_token', null, {
          params: { client_id: CLIENT, client_secret: SECRET, grant_type: 'refresh_token', refresh_token: t.refresh },
        })
      ).data.code,
    ).toBe(-400);
    await advance(sim.url, 30 * 86400 + 1);
    expect((await signed.get('/arcopen/fn/archive/viewlist', refreshed.data.access_token)).data.code).toBe(-658);
  });
});

describe('bilibili: upload → cover → submit → review → delete', () => {
  it('publishes an archive and records it', async () => {
    const { access } = await token();
    const utoken = await uploadVideo(access, [mp4(3 * MB), Buffer.alloc(4000)], 'v.mp4', 125);
    const c = await cover(access);
    expect((await http.get(new URL(c).pathname)).status).toBe(200);
    const sub = (await signed.post('/arcopen/fn/archive/add-by-utoken', access, archive(c), { upload_token: utoken })).data;
    expect(sub.code).toBe(0);
    const bvid = sub.data.resource_id as string;
    expect(bvid).toMatch(/^BV1/);
    expect((await signed.post('/arcopen/fn/archive/add-by-utoken', access, archive(c), { upload_token: utoken })).data.message).toContain('已被使用');
    const view = (await signed.get('/arcopen/fn/archive/view', access, { resource_id: bvid })).data.data;
    expect(view.addit_info.state).toBe(-1);
    expect(view.video_info.duration).toBe(125);
    await advance(sim.url, 31);
    const open = (await signed.get('/arcopen/fn/archive/view', access, { resource_id: bvid })).data.data;
    expect(open.addit_info).toMatchObject({ state: 0, state_desc: '开放浏览' });
    expect((await http.get(new URL(open.share_url).pathname)).status).toBe(200);
    const list = (await signed.get('/arcopen/fn/archive/viewlist', access, { pn: '1', ps: '10', status: 'pubed' })).data.data;
    expect(list.page.total).toBe(1);
    const pubs = await publications(sim.url);
    expect(pubs).toHaveLength(1);
    expect(pubs[0]).toMatchObject({ platform: 'bilibili', id: bvid, state: 'published', platformStatus: 0, title: '碑林区政策解读' });
    expect((await signed.post('/arcopen/fn/archive/delete', access, {}, { resource_id: bvid })).data.code).toBe(0);
    expect((await signed.post('/arcopen/fn/archive/delete', access, {}, { resource_id: bvid })).data.code).toBe(-404);
    expect((await publications(sim.url))[0]).toMatchObject({ state: 'deleted', platformStatus: -100 });
    expect((await http.get(new URL(open.share_url).pathname)).status).toBe(404);
  });

  it('single small-file upload (utype=1) refuses files over the part-upload threshold', async () => {
    const { access } = await token();
    const init = (await signed.post('/arcopen/fn/archive/video/init', access, { name: 'small.flv', utype: 1 })).data.data;
    const big = await http.post('/video/v2/upload', form({ file: { data: flv(MB + 1), filename: 'small.flv' } }), {
      params: { upload_token: init.upload_token },
    });
    expect(big.data.message).toContain('分片');
    const ok = await http.post('/video/v2/upload', form({ file: { data: flv(MB), filename: 'small.flv' } }), { params: { upload_token: init.upload_token } });
    expect(ok.data.code).toBe(0);
    expect(
      (
        await http.post('/video/v2/part/upload', Buffer.alloc(10), {
          params: { upload_token: init.upload_token, part_number: 1 },
          headers: { 'content-type': 'application/octet-stream' },
        })
      ).data.code,
    ).toBe(-400);
  });

  it('rejects covers, metadata and videos the platform rejects', async () => {
    const { access } = await token();
    const coverErr = async (data: Buffer, name: string) => (await signed.file('/arcopen/fn/archive/cover/upload', access, data, name)).data;
    expect((await coverErr(jpeg(959, 600), 'a.jpg')).message).toContain('959x600');
    expect((await coverErr(png(960, 599), 'a.png')).message).toContain('960x599');
    expect((await coverErr(png(960, 600), 'a.png')).code).toBe(0);
    expect((await coverErr(gif(), 'a.gif')).message).toContain('jpeg');
    expect((await coverErr(jpeg(1146, 717, 5 * MB + 1), 'a.jpg')).message).toContain('5MB');
    expect((await signed.post('/arcopen/fn/archive/video/init', access, { name: 'a.avi' })).data.code).toBe(-400);
    // FLV bytes under an .mp4 name, and a declared 5-hour video, are refused at completion.
    const init = (await signed.post('/arcopen/fn/archive/video/init', access, { name: 'v.mp4' })).data.data;
    await http.post('/video/v2/part/upload', flv(2000), {
      params: { upload_token: init.upload_token, part_number: 1 },
      headers: { 'content-type': 'application/octet-stream' },
    });
    const mismatch = (
      await http.post('/arcopen/fn/archive/video/complete', '', {
        params: { upload_token: init.upload_token },
        headers: bilibiliSignHeaders({ clientId: CLIENT, secret: SECRET, accessToken: access }),
      })
    ).data;
    expect(mismatch.code).toBe(-400);
    const init2 = (await signed.post('/arcopen/fn/archive/video/init', access, { name: 'v.mp4' })).data.data;
    await http.post('/video/v2/part/upload', mp4(2000), {
      params: { upload_token: init2.upload_token, part_number: 1 },
      headers: { 'content-type': 'application/octet-stream' },
    });
    const long = (
      await http.post('/arcopen/fn/archive/video/complete', '', {
        params: { upload_token: init2.upload_token },
        headers: { ...bilibiliSignHeaders({ clientId: CLIENT, secret: SECRET, accessToken: access }), 'x-media-duration': String(5 * 3600) },
      })
    ).data;
    expect(long.message).toContain('5小时');

    const c = await cover(access);
    const submit = async (over: Record<string, unknown>) =>
      (await signed.post('/arcopen/fn/archive/add-by-utoken', access, archive(c, over), { upload_token: await uploadVideo(access, [mp4(1000)]) })).data;
    expect((await submit({ title: '标'.repeat(81) })).message).toContain('80');
    expect((await submit({ tid: 202 })).message).toContain('tid');
    expect((await submit({ tag: Array.from({ length: 11 }, (_, i) => `t${i}`).join(',') })).message).toContain('10');
    expect((await submit({ tag: '' })).message).toContain('标签');
    expect((await submit({ copyright: 2 })).message).toContain('source');
    expect((await submit({ desc: '述'.repeat(251) })).message).toContain('250');
    expect((await submit({ cover: 'https://example.com/c.jpg' })).message).toContain('cover');
    const notDone = (await signed.post('/arcopen/fn/archive/video/init', access, { name: 'x.mp4' })).data.data.upload_token;
    expect((await signed.post('/arcopen/fn/archive/add-by-utoken', access, archive(c), { upload_token: notDone })).data.message).toContain('合片');
  });

  it('a non-member account may submit at most 5 archives a day (21070)', async () => {
    const { access } = await token();
    const c = await cover(access);
    for (let i = 0; i < 5; i++) {
      expect(
        (
          await signed.post('/arcopen/fn/archive/add-by-utoken', access, archive(c, { title: `第${i}条` }), {
            upload_token: await uploadVideo(access, [mp4(1000)]),
          })
        ).data.code,
      ).toBe(0);
    }
    const sixth = (
      await signed.post('/arcopen/fn/archive/add-by-utoken', access, archive(c, { title: '第6条' }), { upload_token: await uploadVideo(access, [mp4(1000)]) })
    ).data;
    expect(sixth.code).toBe(21070);
    expect(await publications(sim.url)).toHaveLength(5);
    await advance(sim.url, 86_400);
    const { access: next } = await token();
    const c2 = await cover(next);
    expect(
      (await signed.post('/arcopen/fn/archive/add-by-utoken', next, archive(c2, { title: '次日' }), { upload_token: await uploadVideo(next, [mp4(1000)]) }))
        .data.code,
    ).toBe(0);
  });
});
