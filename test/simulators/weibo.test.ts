import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startWeiboSimulator, weiboTextLength } from '../../simulators/weibo.js';
import type { SimulatorHandle } from '../../simulators/common.js';
import { advance, bmp, client, form, gif, png, publications } from './helpers.js';

const APP = '2000000001';
const SECRET = 'weibo-secret';
const LINK = 'https://www.beilin.gov.cn/zcjd/2024/01.html';

let sim: SimulatorHandle;
let http: ReturnType<typeof client>;

beforeAll(async () => {
  sim = await startWeiboSimulator({ credentials: { [APP]: SECRET }, safeDomains: ['beilin.gov.cn'], postsPerHour: 5 });
  http = client(sim.url);
});
afterAll(() => sim.close());
beforeEach(() => sim.state.reset());

let codeSeq = 0;
async function token(code = `code-${++codeSeq}`): Promise<string> {
  const r = await http.post(
    '/oauth2/access_token',
    new URLSearchParams({ client_id: APP, client_secret: SECRET, grant_type: 'authorization_code', code, redirect_uri: 'https://www.beilin.gov.cn/cb' }),
  );
  expect(r.status).toBe(200);
  return r.data.access_token;
}

const share = (at: string, fields: Record<string, string | { data: Buffer; filename: string }>) =>
  http.post('/2/statuses/share.json', form({ access_token: at, ...fields }));

describe('weibo: OAuth2', () => {
  it('exchanges a code once, checks the client, reports token info; expired and invalid tokens fail', async () => {
    const at = await token('code-once');
    const reuse = await http.post(
      '/oauth2/access_token',
      new URLSearchParams({ client_id: APP, client_secret: SECRET, grant_type: 'authorization_code', code: 'code-once' }),
    );
    expect(reuse.data.error_code).toBe(21325);
    const bad = await http.post(
      '/oauth2/access_token',
      new URLSearchParams({ client_id: APP, client_secret: 'nope', grant_type: 'authorization_code', code: 'c2' }),
    );
    expect(bad.status).toBe(401);
    expect(bad.data).toMatchObject({ error_code: 21324, request: '/oauth2/access_token' });
    const info = (await http.post('/oauth2/get_token_info', new URLSearchParams({ access_token: at }))).data;
    expect(info).toMatchObject({ uid: 5000000001, appkey: APP });
    expect((await share('not-a-token', { status: `x ${LINK}` })).data.error_code).toBe(21332);
    await advance(sim.url, 7 * 86400 + 1);
    const expired = await share(at, { status: `x ${LINK}` });
    expect(expired.status).toBe(401);
    expect(expired.data.error_code).toBe(21327);
  });
});

describe('weibo: share / show / destroy', () => {
  it('shares text with a link back and a picture, shows it, lists it, deletes it', async () => {
    const at = await token();
    const text = `【政策解读】碑林区优化营商环境若干措施 ${LINK}`;
    const r = await share(at, { status: text, pic: { data: png(800, 600, 30_000), filename: 'p.png' }, rip: '211.156.0.1' });
    expect(r.status).toBe(200);
    expect(r.data).toMatchObject({ text, idstr: String(r.data.id), user: { idstr: '5000000001' } });
    expect(r.data.original_pic).toMatch(/\/large\//);
    expect((await http.get(new URL(r.data.original_pic).pathname)).status).toBe(200);
    const shown = (await http.get('/2/statuses/show.json', { params: { access_token: at, id: r.data.idstr } })).data;
    expect(shown.id).toBe(r.data.id);
    const pubs = await publications(sim.url);
    expect(pubs).toHaveLength(1);
    expect(pubs[0]).toMatchObject({ platform: 'weibo', id: r.data.idstr, state: 'published', body: text, links: [LINK] });
    expect((await http.get('/2/statuses/user_timeline.json', { params: { access_token: at } })).data.total_number).toBe(1);
    expect((await http.get(new URL(r.data.url).pathname)).status).toBe(200);
    const del = await http.post('/2/statuses/destroy.json', new URLSearchParams({ access_token: at, id: r.data.idstr }));
    expect(del.data.id).toBe(r.data.id);
    const gone = await http.get('/2/statuses/show.json', { params: { access_token: at, id: r.data.idstr } });
    expect(gone.data.error_code).toBe(20101);
    expect((await http.post('/2/statuses/destroy.json', new URLSearchParams({ access_token: at, id: r.data.idstr }))).data.error_code).toBe(20101);
    expect((await publications(sim.url))[0]).toMatchObject({ state: 'deleted', deleted: true });
    expect((await http.get(new URL(r.data.url).pathname)).status).toBe(404);
  });

  it('accepts the OAuth2 Authorization header and urlencoded bodies', async () => {
    const at = await token();
    const r = await http.post('/2/statuses/share.json', new URLSearchParams({ status: `通知 ${LINK}` }), { headers: { authorization: `OAuth2 ${at}` } });
    expect(r.status).toBe(200);
    expect(r.data.pic_urls).toEqual([]);
  });

  it('rejects what the share API rejects', async () => {
    const at = await token();
    expect(weiboTextLength(`${'中'.repeat(130)} ${LINK}`)).toBe(141);
    const tooLong = await share(at, { status: `${'中'.repeat(130)} ${LINK}` });
    expect(tooLong.status).toBe(400);
    expect(tooLong.data.error_code).toBe(20012);
    expect((await share(at, { status: `${'中'.repeat(129)} ${LINK}` })).status).toBe(200);
    expect((await share(at, { status: `${'a'.repeat(258)} ${LINK}` })).status).toBe(200); // ASCII counts half
    expect((await share(at, { status: `${'b'.repeat(260)} ${LINK}` })).data.error_code).toBe(20012);
    expect((await share(at, { status: '没有链接的文字' })).data.error_code).toBe(10017);
    expect((await share(at, { status: '外站链接 https://example.com/a' })).data.error_code).toBe(10017);
    expect((await share(at, { status: `带话题 #碑林# ${LINK}` })).data.error_code).toBe(10017);
    expect((await share(at, {})).data.error_code).toBe(10016);
    expect((await share(at, { status: `图片格式 ${LINK}`, pic: { data: bmp(), filename: 'a.bmp' } })).data.error_code).toBe(20005);
    expect((await share(at, { status: `图片太大 ${LINK}`, pic: { data: png(10, 10, 5 * 1024 * 1024 + 1), filename: 'a.png' } })).data.error_code).toBe(20006);
    expect((await share(at, { status: `动图 ${LINK}`, pic: { data: gif(), filename: 'a.gif' } })).status).toBe(200);
    expect((await http.get('/2/statuses/share.json', { params: { access_token: at } })).data.error_code).toBe(10021);
  });

  it('refuses repeated content (20019) and too many posts per hour (10024)', async () => {
    const at = await token();
    expect((await share(at, { status: `同一条 ${LINK}` })).status).toBe(200);
    const again = await share(at, { status: `同一条 ${LINK}` });
    expect(again.data.error_code).toBe(20019);
    for (let i = 0; i < 4; i++) expect((await share(at, { status: `第${i}条 ${LINK}` })).status).toBe(200);
    const limited = await share(at, { status: `第六条 ${LINK}` });
    expect(limited.status).toBe(403);
    expect(limited.data.error_code).toBe(10024);
    await advance(sim.url, 3601);
    expect((await share(at, { status: `一小时后 ${LINK}` })).status).toBe(200);
    expect(await publications(sim.url)).toHaveLength(6);
  });
});
