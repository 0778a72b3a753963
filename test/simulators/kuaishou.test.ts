import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { KUAISHOU_RESULTS, startKuaishouSimulator } from '../../simulators/kuaishou.js';
import type { SimulatorHandle } from '../../simulators/common.js';
import { advance, client, form, gif, jpeg, junk, mp4, publications } from './helpers.js';

const APP = 'ks700000000000000001';
const SECRET = 'ks-secret';
const MB = 1024 * 1024;

let sim: SimulatorHandle;
let http: ReturnType<typeof client>;

beforeAll(async () => {
  sim = await startKuaishouSimulator({ credentials: { [APP]: SECRET }, publishDelayMs: 30_000, limits: { directUploadBytes: 2 * MB, fragmentBytes: 1 * MB } });
  http = client(sim.url);
});
afterAll(() => sim.close());
beforeEach(() => sim.state.reset());

let n = 0;
async function token(code = `code-${++n}`) {
  const r = (await http.get('/oauth2/access_token', { params: { app_id: APP, app_secret: SECRET, code, grant_type: 'authorization_code' } })).data;
  expect(r.result).toBe(1);
  return r as { access_token: string; refresh_token: string; open_id: string; expires_in: number };
}

async function startUpload(at: string) {
  const r = (await http.post('/openapi/photo/start_upload', null, { params: { app_id: APP, access_token: at } })).data;
  expect(r.result).toBe(1);
  return r as { upload_token: string; endpoint: string };
}

function publish(at: string, uploadToken: string, fields: Record<string, string | { data: Buffer; filename: string }>) {
  return http.post('/openapi/photo/publish', form(fields), { params: { app_id: APP, access_token: at, upload_token: uploadToken } });
}

describe('kuaishou: tokens', () => {
  it('code exchange once, app check, refresh rotation, invalid/expired tokens', async () => {
    const t = await token('code-x');
    expect(t.expires_in).toBe(172_800);
    expect(
      (await http.get('/oauth2/access_token', { params: { app_id: APP, app_secret: SECRET, code: 'code-x', grant_type: 'authorization_code' } })).data.result,
    ).toBe(KUAISHOU_RESULTS.paramError);
    expect(
      (await http.get('/oauth2/access_token', { params: { app_id: APP, app_secret: 'bad', code: 'c', grant_type: 'authorization_code' } })).data.result,
    ).toBe(KUAISHOU_RESULTS.appAuthFailed);
    expect((await http.post('/openapi/photo/start_upload', null, { params: { app_id: APP, access_token: 'nope' } })).data.result).toBe(
      KUAISHOU_RESULTS.tokenInvalid,
    );
    expect((await http.post('/openapi/photo/start_upload', null, { params: { app_id: 'ks-other', access_token: t.access_token } })).data.result).toBe(
      KUAISHOU_RESULTS.tokenInvalid,
    );
    // Only the rotating endpoint moves lastCredentialRotationAt (the fault harness keeps its kills away from it).
    const before = sim.state.lastCredentialRotationAt();
    const asked = Date.now();
    const r = (
      await http.post('/oauth2/refresh_token', null, {
        params: { app_id: APP, app_secret: SECRET, refresh_token: t.refresh_token, grant_type: 'refresh_token' },
      })
    ).data;
    expect(r.result).toBe(1);
    const rotatedAt = sim.state.lastCredentialRotationAt();
    expect(rotatedAt).not.toBe(before);
    expect(rotatedAt).toBeGreaterThanOrEqual(asked);
    expect(rotatedAt).toBeLessThanOrEqual(Date.now());
    await http.post('/openapi/photo/start_upload', null, { params: { app_id: APP, access_token: r.access_token } });
    expect(sim.state.lastCredentialRotationAt()).toBe(rotatedAt);
    expect(
      (
        await http.post('/oauth2/refresh_token', null, {
          params: { app_id: APP, app_secret: SECRET, refresh_token: t.refresh_token, grant_type: 'refresh_token' },
        })
      ).data.result,
    ).toBe(KUAISHOU_RESULTS.paramError);
    await advance(sim.url, 172_801);
    const expired = (await http.post('/openapi/photo/start_upload', null, { params: { app_id: APP, access_token: r.access_token } })).data;
    expect(expired).toMatchObject({ result: KUAISHOU_RESULTS.tokenExpired });
    expect(expired.error_msg).toBeTypeOf('string');
  });
});

describe('kuaishou: start_upload → upload → publish → query → delete', () => {
  it('publishes with a direct binary upload and records it', async () => {
    const t = await token();
    const up = await startUpload(t.access_token);
    expect(up.endpoint).toBe(new URL(sim.url).host);
    const put = await http.post(`http://${up.endpoint}/api/upload`, mp4(500_000), {
      params: { upload_token: up.upload_token },
      headers: { 'content-type': 'application/octet-stream', 'x-media-duration': '42' },
    });
    expect(put.data).toEqual({ result: 1 });
    const caption = '碑林区政策解读 https://www.beilin.gov.cn/zcjd/1.html';
    const pub = (await publish(t.access_token, up.upload_token, { caption, cover: { data: jpeg(720, 1280, 20_000), filename: 'c.jpg' } })).data;
    expect(pub.result).toBe(1);
    expect(pub.video_info).toMatchObject({ caption, pending: true, like_count: 0 });
    const photoId = pub.video_info.photo_id as string;
    expect((await publish(t.access_token, up.upload_token, { caption, cover: { data: jpeg(), filename: 'c.jpg' } })).data.error_msg).toContain('已被使用');
    await advance(sim.url, 31);
    const info = (await http.get('/openapi/photo/info', { params: { app_id: APP, access_token: t.access_token, photo_id: photoId } })).data;
    expect(info.video_info.pending).toBe(false);
    expect((await http.get(new URL(info.video_info.play_url).pathname)).status).toBe(200);
    expect((await http.get(new URL(info.video_info.cover).pathname)).status).toBe(200);
    expect((await http.get('/openapi/photo/list', { params: { app_id: APP, access_token: t.access_token, count: 10 } })).data.video_list).toHaveLength(1);
    expect((await http.get('/openapi/photo/count', { params: { app_id: APP, access_token: t.access_token } })).data.all_count).toBe(1);
    const pubs = await publications(sim.url);
    expect(pubs).toHaveLength(1);
    expect(pubs[0]).toMatchObject({ platform: 'kuaishou', id: photoId, state: 'published', platformStatus: 'public', body: caption, account: t.open_id });
    expect(pubs[0]!.extra.duration).toBe(42);
    expect((await http.post('/openapi/photo/delete', null, { params: { app_id: APP, access_token: t.access_token, photo_id: photoId } })).data.result).toBe(1);
    expect((await http.get('/openapi/photo/info', { params: { app_id: APP, access_token: t.access_token, photo_id: photoId } })).data.result).toBe(
      KUAISHOU_RESULTS.notFound,
    );
    expect((await publications(sim.url))[0]).toMatchObject({ state: 'deleted' });
  });

  it('fragment upload with resume info and completion checks; multipart direct upload', async () => {
    const t = await token();
    const up = await startUpload(t.access_token);
    const frag = (id: number, data: Buffer) =>
      http.post('/api/upload/fragment', data, {
        params: { upload_token: up.upload_token, fragment_id: id },
        headers: { 'content-type': 'application/octet-stream' },
      });
    const f0 = (await frag(0, mp4(MB))).data;
    expect(f0).toMatchObject({ result: 1, size: MB });
    expect((await frag(1, Buffer.alloc(MB + 1))).data.result).toBe(KUAISHOU_RESULTS.paramError);
    await frag(2, Buffer.alloc(100));
    const resume = (await http.get('/api/upload/resume', { params: { upload_token: up.upload_token } })).data;
    expect(resume).toMatchObject({ result: 1, existed: false, fragment_index: 2 });
    expect(resume.fragment_list.map((f: { id: number }) => f.id)).toEqual([0, 2]);
    expect((await http.post('/api/upload/complete', null, { params: { upload_token: up.upload_token, fragment_count: 3 } })).data.error_msg).toContain(
      '分片 1',
    );
    await frag(1, Buffer.alloc(MB));
    expect((await http.post('/api/upload/complete', null, { params: { upload_token: up.upload_token, fragment_count: 3 } })).data.result).toBe(1);
    expect((await http.get('/api/upload/resume', { params: { upload_token: up.upload_token } })).data.existed).toBe(true);
    expect((await publish(t.access_token, up.upload_token, { caption: '分片', cover: { data: jpeg(), filename: 'c.jpg' } })).data.result).toBe(1);

    const up2 = await startUpload(t.access_token);
    expect(
      (await http.post('/api/upload/multipart', form({ file: { data: mp4(1000), filename: 'v.mp4' } }), { params: { upload_token: up2.upload_token } })).data
        .result,
    ).toBe(1);
  });

  it('rejects what the platform rejects', async () => {
    const t = await token();
    const up = await startUpload(t.access_token);
    const raw = (data: Buffer, token = up.upload_token) =>
      http.post('/api/upload', data, { params: { upload_token: token }, headers: { 'content-type': 'application/octet-stream' } });
    expect((await raw(junk())).data.error_msg).toContain('mp4');
    expect((await raw(mp4(2 * MB + 1))).data.error_msg).toContain('分片');
    expect((await raw(mp4(), 'no-such-token')).data.result).toBe(KUAISHOU_RESULTS.paramError);
    expect((await publish(t.access_token, up.upload_token, { caption: 'x', cover: { data: jpeg(), filename: 'c.jpg' } })).data.error_msg).toContain(
      '尚未上传完成',
    );
    expect((await raw(mp4())).data.result).toBe(1);
    expect(
      (await publish(t.access_token, up.upload_token, { caption: '字'.repeat(501), cover: { data: jpeg(), filename: 'c.jpg' } })).data.error_msg,
    ).toContain('500');
    expect((await publish(t.access_token, up.upload_token, { caption: 'x' })).data.error_msg).toContain('cover');
    expect((await publish(t.access_token, up.upload_token, { caption: 'x', cover: { data: gif(), filename: 'c.gif' } })).data.error_msg).toContain('jpg');
    expect((await publish(t.access_token, up.upload_token, { cover: { data: jpeg(), filename: 'c.jpg' } })).data.error_msg).toContain('caption');
    expect(await publications(sim.url)).toHaveLength(0);
  });
});
