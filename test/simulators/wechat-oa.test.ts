import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startWechatOaSimulator } from '../../simulators/wechat-oa/index.js';
import type { SimulatorHandle } from '../../simulators/common.js';
import { advance, bmp, client, form, gif, jpeg, mp3, mp4, png, publications } from './helpers.js';

const APPID = 'wx0000beilin0001';
const SECRET = 'test-secret-not-real';

let sim: SimulatorHandle;
let http: ReturnType<typeof client>;

beforeAll(async () => {
  sim = await startWechatOaSimulator({ credentials: { [APPID]: SECRET }, publishDelayMs: 30_000 });
  http = client(sim.url);
});
afterAll(() => sim.close());
beforeEach(() => sim.state.reset());

async function token(): Promise<string> {
  const r = await http.get('/cgi-bin/token', { params: { grant_type: 'client_credential', appid: APPID, secret: SECRET } });
  expect(r.data.expires_in).toBe(7200);
  return r.data.access_token as string;
}

async function upload(path: string, at: string, data: Buffer, filename: string, extra: Record<string, string> = {}, headers: Record<string, string> = {}) {
  return (
    await http.post(path, form({ media: { data, filename }, ...extra }), {
      params: { access_token: at, ...(path.includes('add_material') ? {} : {}) },
      headers,
    })
  ).data;
}

async function thumb(at: string): Promise<string> {
  const r = await http.post('/cgi-bin/material/add_material', form({ media: { data: jpeg(200, 200, 4000), filename: 'c.jpg' } }), {
    params: { access_token: at, type: 'thumb' },
  });
  expect(r.data.media_id).toBeTypeOf('string');
  return r.data.media_id;
}

function article(thumbId: string, over: Record<string, unknown> = {}) {
  return {
    title: '碑林区关于优化营商环境的若干措施',
    author: '碑林区政府办',
    digest: '',
    content: '<p>为进一步优化营商环境,制定本措施。</p>',
    content_source_url: 'https://www.beilin.gov.cn/zcwj/1.html',
    thumb_media_id: thumbId,
    need_open_comment: 0,
    only_fans_can_comment: 0,
    ...over,
  };
}

describe('wechat_oa: access tokens', () => {
  it('rejects bad grant types, unknown app ids and wrong secrets with the documented codes', async () => {
    expect((await http.get('/cgi-bin/token', { params: { grant_type: 'x', appid: APPID, secret: SECRET } })).data.errcode).toBe(40002);
    expect((await http.get('/cgi-bin/token', { params: { grant_type: 'client_credential', appid: 'wxunknown', secret: SECRET } })).data.errcode).toBe(40013);
    expect((await http.get('/cgi-bin/token', { params: { grant_type: 'client_credential', appid: APPID, secret: 'wrong' } })).data.errcode).toBe(40125);
    expect((await http.get('/cgi-bin/token', { params: { grant_type: 'client_credential', secret: SECRET } })).data.errcode).toBe(41002);
    expect((await http.post('/cgi-bin/draft/count', {})).data.errcode).toBe(41001);
    expect((await http.post('/cgi-bin/draft/count', {}, { params: { access_token: 'bogus' } })).data.errcode).toBe(40001);
  });

  it('a new /cgi-bin/token supersedes the old one after a 5-minute grace; tokens expire after 7200 s', async () => {
    const first = await token();
    const second = await token();
    expect(second).not.toBe(first);
    expect((await http.post('/cgi-bin/draft/count', {}, { params: { access_token: first } })).data.total_count).toBe(0);
    await advance(sim.url, 301);
    expect((await http.post('/cgi-bin/draft/count', {}, { params: { access_token: first } })).data.errcode).toBe(40001);
    expect((await http.post('/cgi-bin/draft/count', {}, { params: { access_token: second } })).data.total_count).toBe(0);
    await advance(sim.url, 7200);
    expect((await http.post('/cgi-bin/draft/count', {}, { params: { access_token: second } })).data.errcode).toBe(42001);
  });

  it('stable_token: normal mode returns the same token, force_refresh replaces it (not again within 30 s), isolated from /cgi-bin/token', async () => {
    const body = { grant_type: 'client_credential', appid: APPID, secret: SECRET };
    expect((await http.get('/cgi-bin/stable_token')).data.errcode).toBe(43002);
    const a = (await http.post('/cgi-bin/stable_token', body)).data;
    const b = (await http.post('/cgi-bin/stable_token', body)).data;
    expect(b.access_token).toBe(a.access_token);
    expect(b.expires_in).toBeLessThanOrEqual(7200);
    await token(); // getAccessToken does not touch stable tokens
    expect((await http.post('/cgi-bin/draft/count', {}, { params: { access_token: a.access_token } })).data.total_count).toBe(0);
    const forced = (await http.post('/cgi-bin/stable_token', { ...body, force_refresh: true })).data;
    expect(forced.access_token).not.toBe(a.access_token);
    expect((await http.post('/cgi-bin/draft/count', {}, { params: { access_token: a.access_token } })).data.errcode).toBe(40001);
    const again = (await http.post('/cgi-bin/stable_token', { ...body, force_refresh: true })).data;
    expect(again.access_token).toBe(forced.access_token);
    // In the last 5 minutes the normal mode hands out a new token while the old one still works.
    await advance(sim.url, 7200 - 200);
    const renewed = (await http.post('/cgi-bin/stable_token', body)).data;
    expect(renewed.access_token).not.toBe(forced.access_token);
    expect((await http.post('/cgi-bin/draft/count', {}, { params: { access_token: forced.access_token } })).data.total_count).toBe(0);
  });
});

describe('wechat_oa: images and material', () => {
  it('uploadimg takes jpg/png under 1 MB and returns a URL on the platform image host', async () => {
    const at = await token();
    const ok = await upload('/cgi-bin/media/uploadimg', at, png(300, 200, 5000), 'a.png');
    expect(ok.url).toMatch(new RegExp(`^${sim.url}/mmbiz/`));
    const img = await http.get(ok.url.slice(sim.url.length), { responseType: 'arraybuffer' });
    expect(img.status).toBe(200);
    expect(img.headers['content-type']).toBe('image/png');
    expect((await upload('/cgi-bin/media/uploadimg', at, gif(), 'a.gif')).errcode).toBe(40005);
    expect((await upload('/cgi-bin/media/uploadimg', at, jpeg(10, 10, 1024 * 1024), 'big.jpg')).errcode).toBe(40009);
    expect((await upload('/cgi-bin/media/uploadimg', at, jpeg(10, 10, 1024 * 1024 - 1), 'ok.jpg')).url).toBeTypeOf('string');
    expect((await http.post('/cgi-bin/media/uploadimg', form({ other: 'x' }), { params: { access_token: at } })).data.errcode).toBe(41005);
  });

  it('add_material enforces type and size limits per material type', async () => {
    const at = await token();
    const add = async (type: string, data: Buffer, filename: string, extra: Record<string, string> = {}, headers: Record<string, string> = {}) =>
      (await http.post('/cgi-bin/material/add_material', form({ media: { data, filename }, ...extra }), { params: { access_token: at, type }, headers })).data;
    expect((await add('news', jpeg(), 'a.jpg')).errcode).toBe(40004);
    const img = await add('image', png(), 'a.png');
    expect(img.media_id).toBeTypeOf('string');
    expect(img.url).toMatch(/\/mmbiz\//);
    expect((await add('image', bmp(), 'a.bmp')).media_id).toBeTypeOf('string');
    expect((await add('image', mp4(), 'a.mp4')).errcode).toBe(40005);
    expect((await add('image', jpeg(10, 10, 10 * 1024 * 1024 + 1), 'big.jpg')).errcode).toBe(40009);
    expect((await add('thumb', jpeg(10, 10, 64 * 1024), 't.jpg')).media_id).toBeTypeOf('string');
    expect((await add('thumb', jpeg(10, 10, 64 * 1024 + 1), 't.jpg')).errcode).toBe(40012);
    expect((await add('thumb', png(), 't.png')).errcode).toBe(40005);
    expect((await add('voice', mp3(), 'v.mp3')).media_id).toBeTypeOf('string');
    expect((await add('voice', mp3(2 * 1024 * 1024 + 1), 'v.mp3')).errcode).toBe(40010);
    expect((await add('voice', mp3(), 'v.mp3', {}, { 'x-media-duration': '61' })).errcode).toBe(40010);
    expect((await add('video', mp4(), 'v.mp4')).errcode).toBe(40097);
    expect((await add('video', mp4(), 'v.mp4', { description: JSON.stringify({ title: '宣传片', introduction: '碑林' }) })).media_id).toBeTypeOf('string');
    expect((await add('video', mp4(10 * 1024 * 1024 + 1), 'v.mp4', { description: JSON.stringify({ title: 't' }) })).errcode).toBe(40011);
    expect((await add('video', webmLike(), 'v.webm', { description: JSON.stringify({ title: 't' }) })).errcode).toBe(40005);
    const counts = (await http.get('/cgi-bin/material/get_materialcount', { params: { access_token: at } })).data;
    expect(counts).toMatchObject({ image_count: 3, voice_count: 1, video_count: 1 });
  });
});

function webmLike(): Buffer {
  return Buffer.concat([Buffer.from([0x1a, 0x45, 0xdf, 0xa3]), Buffer.alloc(100)]);
}

describe('wechat_oa: draft/add limits', () => {
  it('rejects each documented limit with its error code', async () => {
    const at = await token();
    const t = await thumb(at);
    const add = async (articles: unknown) => (await http.post('/cgi-bin/draft/add', { articles }, { params: { access_token: at } })).data;
    expect((await add([])).errcode).toBe(44003);
    expect((await add(Array.from({ length: 9 }, () => article(t)))).errcode).toBe(45008);
    expect((await add([article(t, { title: '题'.repeat(33) })])).errcode).toBe(45003);
    expect((await add([article(t, { title: '题'.repeat(32) })])).media_id).toBeTypeOf('string');
    expect((await add([article(t, { author: '作'.repeat(17) })])).errcode).toBe(45110);
    expect((await add([article(t, { digest: '摘'.repeat(129) })])).errcode).toBe(45004);
    expect((await add([article(t, { content: '字'.repeat(20_000) })])).errcode).toBe(45002);
    expect((await add([article(t, { content: '字'.repeat(19_999) })])).media_id).toBeTypeOf('string');
    expect((await add([article(t, { content: '' })])).errcode).toBe(44004);
    expect((await add([article('no-such-material')])).errcode).toBe(40007);
    const temp = await upload('/cgi-bin/media/uploadimg', at, png(), 'x.png');
    expect((await add([article(temp.url)])).errcode).toBe(40007);
    expect((await add([article(t, { need_open_comment: 2 })])).errcode).toBe(40097);
    const bad = await http.post('/cgi-bin/draft/add', '{"articles": [', { params: { access_token: at }, headers: { 'content-type': 'application/json' } });
    expect(bad.data.errcode).toBe(47001);
  });

  it('filters external images, keeps platform-hosted ones, strips scripts, fills the digest', async () => {
    const at = await token();
    const t = await thumb(at);
    const hosted = (await upload('/cgi-bin/media/uploadimg', at, png(), 'x.png')).url;
    const content = `<p>正文第一段,介绍政策背景与主要内容,共计超过五十四个字符以便检验摘要截取是否正确进行的处理逻辑,并补充更多的文字内容以确保足够长。</p><img src="https://example.com/a.png"><img src="${hosted}"><script>alert(1)</script>`;
    const draft = (await http.post('/cgi-bin/draft/add', { articles: [article(t, { content })] }, { params: { access_token: at } })).data;
    const got = (await http.post('/cgi-bin/draft/get', { media_id: draft.media_id }, { params: { access_token: at } })).data;
    const item = got.news_item[0];
    expect(item.content).not.toContain('example.com');
    expect(item.content).toContain(hosted);
    expect(item.content).not.toContain('<script');
    expect([...item.digest].length).toBe(54);
    expect(item.thumb_url).toMatch(/\/mmbiz\//);
    expect((await http.post('/cgi-bin/draft/delete', { media_id: draft.media_id }, { params: { access_token: at } })).data.errcode).toBe(0);
    expect((await http.post('/cgi-bin/draft/get', { media_id: draft.media_id }, { params: { access_token: at } })).data.errcode).toBe(40007);
  });

  it('keeps links to WeChat articles and removes any other link, its text left without the address (an account without WeChat Pay)', async () => {
    const at = await token();
    const t = await thumb(at);
    const content =
      '<p>依据<a href="https://www.gov.cn/zhengce/2025/content_9.htm">国务院有关文件</a>，往期见<a href="https://mp.weixin.qq.com/s/AbC-123_x">碑林发布</a>，' +
      '<a href="javascript:alert(1)">点此</a>、<a href="/zcwj/2.html">相关文件</a>。</p>';
    const draft = (await http.post('/cgi-bin/draft/add', { articles: [article(t, { content })] }, { params: { access_token: at } })).data;
    const item = (await http.post('/cgi-bin/draft/get', { media_id: draft.media_id }, { params: { access_token: at } })).data.news_item[0];
    expect(item.content).toBe('<p>依据国务院有关文件，往期见<a href="https://mp.weixin.qq.com/s/AbC-123_x">碑林发布</a>，点此、相关文件。</p>');

    expect((await http.post('/cgi-bin/freepublish/submit', { media_id: draft.media_id }, { params: { access_token: at } })).data.errcode).toBe(0);
    const published = (await publications(sim.url))[0]!.items[0]!;
    expect(published.extra?.strippedLinks).toEqual(['https://www.gov.cn/zhengce/2025/content_9.htm', 'javascript:alert(1)', '/zcwj/2.html']);
    // What a reader can open: 阅读原文 and the WeChat article; the address of the other site is gone.
    expect(published.links).toEqual(['https://www.beilin.gov.cn/zcwj/1.html', 'https://mp.weixin.qq.com/s/AbC-123_x']);
    expect(published.body).not.toContain('gov.cn/zhengce');
  });
});

describe('wechat_oa: publishing', () => {
  it('publishes a document and its interpretation in one push, asynchronously, and records it', async () => {
    const at = await token();
    const t = await thumb(at);
    const draft = (
      await http.post(
        '/cgi-bin/draft/add',
        { articles: [article(t), article(t, { title: '图解:碑林区优化营商环境若干措施', content: '<p>一图读懂</p>' })] },
        { params: { access_token: at } },
      )
    ).data;
    const submit = (await http.post('/cgi-bin/freepublish/submit', { media_id: draft.media_id }, { params: { access_token: at } })).data;
    expect(submit).toMatchObject({ errcode: 0, errmsg: 'ok' });
    expect(submit.publish_id).toBeTypeOf('number');
    // The submitted draft left the draft box: a blind resubmission is refused.
    expect((await http.post('/cgi-bin/freepublish/submit', { media_id: draft.media_id }, { params: { access_token: at } })).data.errcode).toBe(40007);

    const status1 = (await http.post('/cgi-bin/freepublish/get', { publish_id: submit.publish_id }, { params: { access_token: at } })).data;
    expect(status1).toMatchObject({ publish_status: 1, fail_idx: [] });
    expect((await publications(sim.url))[0]).toMatchObject({ state: 'processing', platformStatus: 1 });
    await advance(sim.url, 31);
    const status0 = (await http.post('/cgi-bin/freepublish/get', { publish_id: String(submit.publish_id) }, { params: { access_token: at } })).data;
    expect(status0.publish_status).toBe(0);
    expect(status0.article_detail.count).toBe(2);
    const articleId = status0.article_id as string;

    const pubs = await publications(sim.url);
    expect(pubs).toHaveLength(1);
    expect(pubs[0]).toMatchObject({ platform: 'wechat_oa', id: articleId, state: 'published', account: APPID, title: article(t).title });
    expect(pubs[0]!.items.map((i) => i.title)).toEqual([article(t).title, '图解:碑林区优化营商环境若干措施']);
    expect(pubs[0]!.links).toContain('https://www.beilin.gov.cn/zcwj/1.html');
    expect(pubs[0]!.ids.publish_id).toBe(String(submit.publish_id));

    const page = await http.get(new URL(status0.article_detail.item[0].article_url).pathname);
    expect(page.status).toBe(200);
    expect(page.data).toContain('优化营商环境');

    const list = (await http.post('/cgi-bin/freepublish/batchget', { offset: 0, count: 20, no_content: 1 }, { params: { access_token: at } })).data;
    expect(list).toMatchObject({ total_count: 1, item_count: 1 });
    expect(list.item[0].article_id).toBe(articleId);
    expect(list.item[0].content.news_item[0].content).toBe('');
    expect((await http.post('/cgi-bin/freepublish/batchget', { offset: 0, count: 21 }, { params: { access_token: at } })).data.errcode).toBe(40097);

    // Take down the interpretation only, then everything.
    expect((await http.post('/cgi-bin/freepublish/delete', { article_id: articleId, index: 2 }, { params: { access_token: at } })).data.errcode).toBe(0);
    const got = (await http.post('/cgi-bin/freepublish/getarticle', { article_id: articleId }, { params: { access_token: at } })).data;
    expect(got.news_item.map((n: { is_deleted: boolean }) => n.is_deleted)).toEqual([false, true]);
    expect((await http.get(new URL(status0.article_detail.item[1].article_url).pathname)).status).toBe(404);
    expect((await http.post('/cgi-bin/freepublish/delete', { article_id: articleId, index: 3 }, { params: { access_token: at } })).data.errcode).toBe(40097);
    expect((await http.post('/cgi-bin/freepublish/delete', { article_id: articleId }, { params: { access_token: at } })).data.errcode).toBe(0);
    expect((await http.post('/cgi-bin/freepublish/get', { publish_id: submit.publish_id }, { params: { access_token: at } })).data.publish_status).toBe(5);
    expect((await publications(sim.url))[0]).toMatchObject({ state: 'deleted', deleted: true });
    expect((await http.post('/cgi-bin/freepublish/batchget', { offset: 0, count: 20 }, { params: { access_token: at } })).data.total_count).toBe(0);
    expect((await http.post('/cgi-bin/freepublish/getarticle', { article_id: 'nope' }, { params: { access_token: at } })).data.errcode).toBe(53600);
    expect((await http.post('/cgi-bin/freepublish/delete', { article_id: 'nope' }, { params: { access_token: at } })).data.errcode).toBe(53600);
  });

  it('enforces the daily quota of /cgi-bin/token with 45009', async () => {
    const s = await startWechatOaSimulator({ dailyQuota: { '/cgi-bin/token': 2 } });
    try {
      const c = client(s.url);
      const get = () => c.get('/cgi-bin/token', { params: { grant_type: 'client_credential', appid: 'wxq', secret: 's' } });
      expect((await get()).data.access_token).toBeTypeOf('string');
      expect((await get()).data.access_token).toBeTypeOf('string');
      expect((await get()).data.errcode).toBe(45009);
      await c.post('/__sim/clock', { advanceSeconds: 86_400 });
      expect((await get()).data.access_token).toBeTypeOf('string');
    } finally {
      await s.close();
    }
  });
});
