import { createReadStream } from 'node:fs';
import path from 'node:path';
import { inspect } from 'node:util';
import axios from 'axios';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DeliveryError, isDeliveryError } from '../../adapters/errors.js';
import { deliveryErrorZh } from '../../adapters/error-codes.js';
import { memoryTokenStore } from '../../adapters/tokens.js';
import type { ChannelAdapter, MediaInfo, ReleaseUnit } from '../../adapters/types.js';
import {
  createWechatOaAdapter,
  formatWechat,
  wechatMarker,
  WECHAT_OA_LIMITS,
  type WechatCheckpoint,
  type WechatPayload,
} from '../../adapters/wechat-oa/adapter.js';
import { wechatBodyLinks } from '../../adapters/wechat-oa/links.js';
import { startSimulator, type FaultRuleInput, type PublicationView, type SimulatorHandle } from '../../simulators/index.js';
import { ingestUpload } from '../../media/index.js';
import { makeClip } from '../media/fixtures.js';
import { mediaTools } from './video-support.js';
import { bodyImage, makeTestMedia, makeTransmitContext, policyUnit, testAccount, type TestMedia, type TestTransmitContext } from './support.js';

const APPID = 'wx00000000000b1f01';
const SECRET = 'wx-secret-7f3a9c41d2';
const { account, channel } = testAccount('wechat_oa', 'blfb', '碑林发布', { appId: APPID, appSecret: { secret: 'WECHAT_OA_BLFB_APP_SECRET' } }, '区融媒体中心');

let media: TestMedia;
let cover: MediaInfo;
let inline: MediaInfo;
let sim: SimulatorHandle;
const adapter = createWechatOaAdapter({ timeoutMs: 5000 });

beforeAll(async () => {
  media = await makeTestMedia('govpub-wechat-');
  cover = await media.photo('cover', 1600, 1000);
  inline = await media.photo('inline', 1200, 800, { hue: '#3a8a4f', format: 'png' });
  sim = await startSimulator('wechat_oa', { credentials: { [APPID]: SECRET }, publishDelayMs: 500 });
});
afterAll(async () => {
  await sim?.close();
  await media?.cleanup();
});
beforeEach(() => sim.state.reset());

const unit = (overrides: Partial<ReleaseUnit> = {}) => policyUnit({ cover, inline }, overrides);
const BUSINESS_KEY = 'pkg-yshj-2025-07@2→wechat_oa:blfb';

function ctxFor(opts: { secret?: string; appId?: string; businessKey?: string } = {}): TestTransmitContext<WechatCheckpoint> {
  return makeTransmitContext<WechatCheckpoint>({
    channel,
    account,
    baseUrl: sim.url,
    businessKey: opts.businessKey ?? BUSINESS_KEY,
    credentials: { appId: opts.appId ?? APPID, appSecret: opts.secret ?? SECRET },
    tokens: memoryTokenStore(),
    renditions: media.renditions,
  });
}

const fault = (rule: FaultRuleInput) => sim.state.addFault(rule);
const requests = (path: string) => sim.state.requests().filter((r) => r.path === path);
const publications = async (): Promise<PublicationView[]> => (await axios.get(`${sim.url}/__sim/publications`)).data.publications;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function caught(p: Promise<unknown>): Promise<DeliveryError> {
  try {
    await p;
  } catch (error) {
    if (isDeliveryError(error)) return error;
    throw error;
  }
  throw new Error('expected a DeliveryError');
}

/** Polls confirm until it is no longer pending. */
async function confirmUntilSettled(
  a: ChannelAdapter<WechatPayload, WechatCheckpoint>,
  externalId: string,
  ctx: TestTransmitContext<WechatCheckpoint>,
  ms = 5000,
) {
  const until = Date.now() + ms;
  for (;;) {
    const r = await a.confirm!(externalId, ctx);
    if (r.state !== 'pending' || Date.now() > until) return r;
    await sleep(100);
  }
}

// ── format: pure ─────────────────────────────────────────────────────────────────────────────

describe('wechat_oa format', () => {
  const fakeImage = (id: string, kind: MediaInfo['kind'] = 'image'): MediaInfo => ({
    mediaId: id.repeat(64).slice(0, 64),
    kind,
    mime: kind === 'image' ? 'image/jpeg' : 'video/mp4',
    sizeBytes: 1000,
  });
  const C = fakeImage('c');
  const I = fakeImage('a');
  const base = (overrides: Partial<ReleaseUnit> = {}) => policyUnit({ cover: C, inline: I }, overrides);

  it('makes one push: the document first, then each interpretation, cross-referenced, with 阅读原文 links', () => {
    const u = base();
    const { payload, renditions, warnings } = formatWechat(u, channel);
    expect(payload.articles.map((a) => [a.role, a.field, a.title])).toEqual([
      ['document', 'document', u.document.title],
      ['interpretation', 'interpretations[0]', u.interpretations[0]!.title],
      ['interpretation', 'interpretations[1]', u.interpretations[1]!.title],
    ]);
    const [doc, i1, i2] = payload.articles;
    expect(doc!.content).toContain('「关联解读」');
    expect(doc!.content).toContain(`第2篇《${u.interpretations[0]!.title}》`);
    expect(doc!.content).toContain(`第3篇《${u.interpretations[1]!.title}》`);
    expect(doc!.content).toContain('碑政发〔2025〕7号');
    for (const a of [i1!, i2!]) expect(a.content).toContain(`「政策原文」《${u.document.title}》`);
    expect(payload.articles.map((a) => a.sourceUrl)).toEqual([u.portalLinks!.document, ...u.portalLinks!.interpretations]);
    expect(payload.articles.map((a) => a.author)).toEqual(['西安市碑林区人民政府', '区发展和改革委员会', '区行政审批服务局']);
    // Multi-article pushes have no digest (the platform empties it).
    expect(payload.articles.every((a) => a.digest === '')).toBe(true);
    expect(payload.cover).toEqual({ mediaId: C.mediaId, spec: 'wechat_oa.thumb', materialType: 'thumb' });
    expect(payload.images).toEqual([I.mediaId]);
    expect(renditions).toEqual([
      { mediaId: C.mediaId, spec: 'wechat_oa.thumb', purpose: 'cover' },
      { mediaId: I.mediaId, spec: 'wechat_oa.inline', purpose: 'in-article picture' },
    ]);
    expect(warnings).toEqual([]);
    // Plain JSON: survives a round trip unchanged.
    expect(JSON.parse(JSON.stringify(payload))).toEqual(payload);
  });

  it('shortens titles over 32 characters to 32 (ellipsis included), saying so per field; 32 exactly is kept', () => {
    const long = '碑林区关于进一步深化“放管服”改革优化营商环境持续激发市场主体活力的若干措施（试行）';
    const u = base({ document: { ...base().document, title: long } });
    u.interpretations[1] = { ...u.interpretations[1]!, title: '问'.repeat(33) };
    const { payload, warnings } = formatWechat(u, channel);
    expect([...payload.articles[0]!.title]).toHaveLength(32);
    expect(payload.articles[0]!.title).toBe([...long].slice(0, 31).join('') + '…');
    expect(payload.articles[2]!.title).toBe('问'.repeat(31) + '…');
    expect(warnings).toEqual([
      expect.stringMatching(new RegExp(`^document\\.title: .*at most 32 characters.*has ${[...long].length} \\(${[...long].length - 32} too many\\)`)),
      expect.stringMatching(/^interpretations\[1\]\.title: .*has 33 \(1 too many\)/),
    ]);
    // 32 exactly is fine and kept whole.
    const ok = base({ document: { ...base().document, title: '碑'.repeat(32) } });
    const kept = formatWechat(ok, channel);
    expect(kept.payload.articles[0]!.title).toBe('碑'.repeat(32));
    expect(kept.warnings).toEqual([]);
  });

  it('sends a video interpretation without text as its poster, a short description and the 阅读原文 link', () => {
    const V: MediaInfo = { mediaId: 'f'.repeat(64), kind: 'video', mime: 'video/mp4', sizeBytes: 5_000_000, durationSec: 185 };
    const u = base();
    u.interpretations[1] = { form: 'video', title: '三分钟看懂营商环境新政', body: '', mediaId: V.mediaId };
    u.media[V.mediaId] = V;
    const { payload, renditions, warnings } = formatWechat(u, channel);
    const article = payload.articles[2]!;
    expect(article.content).toContain(`<img src="/api/media/${V.mediaId}/renditions/wechat_oa.video_cover"`);
    expect(article.content).toContain('本篇为视频解读《三分钟看懂营商环境新政》（约3分钟），请点击文末「阅读原文」在政府网站观看。');
    expect(article.sourceUrl).toBe(u.portalLinks!.interpretations[1]);
    expect(payload.posters).toEqual([V.mediaId]);
    expect(payload.images).not.toContain(V.mediaId);
    expect(renditions).toContainEqual({ mediaId: V.mediaId, spec: 'wechat_oa.video_cover', purpose: 'video poster in the article' });
    expect(warnings).toEqual([
      expect.stringMatching(/^interpretations\[1\]: the video interpretation has no text, so its WeChat article is the video's poster/),
    ]);
    // An empty text interpretation is still refused: there is nothing to stand in for it.
    u.interpretations[0] = { ...u.interpretations[0]!, body: '<p> </p>' };
    expect(() => formatWechat(u, channel)).toThrow(/interpretations\[0\]\.body: WeChat does not take an article without content/);
  });

  it('keeps authors within 16 characters: a longer one is left out with a warning', () => {
    const u = base();
    u.interpretations[0] = { ...u.interpretations[0]!, interpreter: '西安市碑林区发展和改革委员会政策法规科室' };
    const { payload, warnings } = formatWechat(u, channel);
    expect(payload.articles[1]!.author).toBe('西安市碑林区人民政府');
    expect(warnings.some((w) => w.includes('interpretations[0]') && w.includes('at most 16 characters') && w.includes('20 (4 too many)'))).toBe(true);
    for (const a of payload.articles) expect([...a.author].length).toBeLessThanOrEqual(WECHAT_OA_LIMITS.authorChars);
  });

  it('gives a single-article push a digest within 128 characters', () => {
    const u = base({ interpretations: [], document: { ...base().document, body: `<p>${'优化营商环境'.repeat(60)}</p>` } });
    const { payload } = formatWechat(u, channel);
    expect(payload.articles).toHaveLength(1);
    expect(payload.articles[0]!.digest.length).toBeGreaterThan(50);
    expect([...payload.articles[0]!.digest].length).toBeLessThanOrEqual(WECHAT_OA_LIMITS.digestChars);
    expect(payload.articles[0]!.content).not.toContain('关联解读');
  });

  it('refuses content of 20,000 characters or more, saying by how much (pictures counted)', () => {
    const body = `<p>${'字'.repeat(20_500)}</p>`;
    const u = base({ document: { ...base().document, body } });
    const e = (() => {
      try {
        formatWechat(u, channel);
      } catch (error) {
        return error as DeliveryError;
      }
      throw new Error('expected a refusal');
    })();
    expect(e.problems).toHaveLength(1);
    expect(e.problems[0]!.field).toBe('document.body');
    const m = /comes to ([\d,]+), ([\d,]+) too many/.exec(e.problems[0]!.message)!;
    const total = Number(m[1]!.replace(/,/g, ''));
    expect(total).toBeGreaterThan(20_500);
    expect(Number(m[2]!.replace(/,/g, ''))).toBe(total - 19_999);
    expect(e.problems[0]!.message).toContain('fewer than 20,000 characters');
    // Just under the limit passes (the cross-reference paragraph and document number count too).
    const room = 19_999 - (total - 20_500) - 1;
    expect(formatWechat(base({ document: { ...base().document, body: `<p>${'字'.repeat(room)}</p>` } }), channel).payload.articles).toHaveLength(3);
  });

  it('refuses more than 8 articles in one push', () => {
    const many = Array.from({ length: 8 }, (_, i) => ({ form: 'text', title: `解读${i + 1}`, body: '<p>解读内容</p>' }));
    const e = (() => {
      try {
        formatWechat(base({ interpretations: many, portalLinks: null }), channel);
      } catch (error) {
        return error as DeliveryError;
      }
      throw new Error('expected a refusal');
    })();
    expect(e.problems).toEqual([
      {
        field: 'interpretations',
        message: expect.stringContaining('at most 8 articles in one push; this package makes 9 (the document and 8 interpretations), 1 too many'),
        messageZh: expect.stringContaining('微信一次推送最多 8 篇文章，本稿件有 9 篇（政策文件加 8 篇解读），多出 1 篇'),
      },
    ]);
    expect(formatWechat(base({ interpretations: many.slice(0, 7), portalLinks: null }), channel).payload.articles).toHaveLength(8);
  });

  it('needs a cover: the package cover, else the first picture, else a video frame — else a plain refusal', () => {
    const noCover = base({ cover: undefined });
    const first = formatWechat(noCover, channel);
    expect(first.payload.cover).toEqual({ mediaId: I.mediaId, spec: 'wechat_oa.thumb', materialType: 'thumb' });
    expect(first.warnings.join(' ')).toContain('first picture');

    const V = fakeImage('e', 'video');
    const withVideo = policyUnit({});
    withVideo.interpretations[0] = { ...withVideo.interpretations[0]!, form: 'video', mediaId: V.mediaId };
    withVideo.media[V.mediaId] = V;
    const poster = formatWechat(withVideo, channel);
    expect(poster.payload.cover).toEqual({ mediaId: V.mediaId, spec: 'wechat_oa.video_cover', materialType: 'image' });
    expect(poster.payload.articles[1]!.content).toContain('视频解读');

    const nothing = policyUnit({});
    const e = (() => {
      try {
        formatWechat(nothing, channel);
      } catch (error) {
        return error as DeliveryError;
      }
      throw new Error('expected a refusal');
    })();
    expect(e.problems).toEqual([
      {
        field: 'cover',
        message: expect.stringMatching(/WeChat needs a cover picture .* Choose a cover for the package/),
        messageZh: expect.stringContaining('请为稿件选择封面'),
      },
    ]);
  });

  it('a cover too small for WeChat (under 450×192: its 2.35:1 crop must be 450 wide) is refused at format, in Chinese; without a chosen cover the first picture large enough is used', async () => {
    const small = await media.photo('small-cover', 400, 300);
    // The renderer cannot make WeChat's thumb from it: formatting must not promise a cover it cannot send.
    await expect(media.renditions.get(small.mediaId, 'wechat_oa.thumb')).rejects.toMatchObject({ code: 'media_too_small' });

    const chosen = policyUnit({ cover: small, inline });
    const refused = (() => {
      try {
        formatWechat(chosen, channel);
      } catch (error) {
        return error as DeliveryError;
      }
      throw new Error('expected a refusal');
    })();
    expect(refused.errorClass).toBe('rejected');
    expect(refused.problems).toEqual([
      {
        field: 'cover',
        message: expect.stringContaining(
          "WeChat's cover needs a picture of at least 450×192 pixels (cropped to 2.35:1, at least 450 wide); small-cover.jpg is 400×300 (400×170 after the crop)",
        ),
        messageZh: expect.stringContaining(
          '微信封面按 2.35:1 裁切，图片至少需要 450×192 像素（裁切后宽至少 450 像素），图片“small-cover.jpg”为 400×300（裁切后只有 400×170）',
        ),
      },
    ]);

    // No cover chosen, a small picture first in the body: the first one large enough is the cover, and it renders.
    const auto = policyUnit({ inline }, { cover: undefined });
    auto.document = { ...auto.document, body: `<p>${bodyImage(small.mediaId, '小图')}</p>${auto.document.body}` };
    auto.media[small.mediaId] = small;
    const formatted = formatWechat(auto, channel);
    expect(formatted.payload.cover).toEqual({ mediaId: inline.mediaId, spec: 'wechat_oa.thumb', materialType: 'thumb' });
    expect(formatted.warningsZh?.join(' ')).toContain('第一张够大的图片');
    await expect(media.renditions.get(inline.mediaId, 'wechat_oa.thumb')).resolves.toMatchObject({ width: 900, height: 383 });

    // Only small pictures and no video: refused with the same sentence rather than failing at release.
    const onlySmall = policyUnit({}, { cover: undefined });
    onlySmall.document = { ...onlySmall.document, body: `<p>${bodyImage(small.mediaId, '小图')}</p>${onlySmall.document.body}` };
    onlySmall.media[small.mediaId] = small;
    expect(() => formatWechat(onlySmall, channel)).toThrow(/WeChat's cover needs a picture of at least 450×192 pixels/);
  });

  it('lists every problem at once, empty articles included', () => {
    const u = policyUnit({}, { document: { ...policyUnit({}).document, title: '', body: '<p> </p>' } });
    u.interpretations[0] = { ...u.interpretations[0]!, body: '' };
    try {
      formatWechat(u, channel);
      throw new Error('expected a refusal');
    } catch (error) {
      expect((error as DeliveryError).problems.map((p) => p.field)).toEqual(['document.title', 'document.body', 'interpretations[0].body', 'cover']);
      expect((error as DeliveryError).message).toMatch(/^WeChat Official Account cannot take this package as it is: document.title: /);
    }
  });

  it('drops pictures WeChat would drop (not uploaded to govpub) and says so', () => {
    const u = base();
    u.interpretations[0] = { ...u.interpretations[0]!, body: `<p>见下图</p><p><img src="https://example.com/chart.png" alt="图"></p>${bodyImage(I.mediaId)}` };
    const { payload, warnings } = formatWechat(u, channel);
    expect(payload.articles[1]!.content).not.toContain('example.com');
    expect(payload.articles[1]!.content).toContain(`/api/media/${I.mediaId}/content`);
    expect(payload.images).toEqual([I.mediaId]);
    expect(warnings).toEqual([
      expect.stringMatching(/^interpretations\[0\]\.body: WeChat shows only pictures uploaded to it, so 1 picture .*https:\/\/example\.com\/chart\.png/),
    ]);
  });

  it('writes out the address of a link to another site, keeps links to WeChat articles, points the portal page at 阅读原文', () => {
    const u = base();
    const body =
      '<p>依据<a href="https://www.gov.cn/zhengce/content/2025-01/content_1.htm?a=1&amp;b=2" title="国务院">国务院有关文件</a>制定。</p>' +
      '<p>往期：<a href="https://mp.weixin.qq.com/s/AbC-123_x">碑林发布往期解读</a></p>' +
      `<p>全文见<a href="${u.portalLinks!.document}">区政府网站</a>。</p>` +
      '<p>门户：<a href="https://www.beilin.gov.cn/">https://www.beilin.gov.cn/</a></p>' +
      '<p>来信：<a href="mailto:zwgk@beilin.gov.cn">政务公开办</a></p>' +
      '<p><a href="#top">回到顶部</a></p>';
    const { payload, warnings, warningsZh } = formatWechat({ ...u, document: { ...u.document, body } }, channel);
    const content = payload.articles[0]!.content;
    expect(content).toContain('国务院有关文件（网址：https://www.gov.cn/zhengce/content/2025-01/content_1.htm?a=1&amp;b=2）制定');
    expect(content).toContain('<a href="https://mp.weixin.qq.com/s/AbC-123_x">碑林发布往期解读</a>');
    expect(content).toContain('全文见区政府网站（见文末“阅读原文”）。');
    expect(content).toContain('门户：https://www.beilin.gov.cn/</p>'); // the text already is the address: not twice
    expect(content).toContain('来信：政务公开办（邮箱：zwgk@beilin.gov.cn）');
    expect(content).toContain('<p>回到顶部</p>');
    // The only link left is the WeChat article's; the portal page is still the 阅读原文.
    expect([...content.matchAll(/<a\b[^>]*>/g)].map((m) => m[0])).toEqual(['<a href="https://mp.weixin.qq.com/s/AbC-123_x">']);
    expect(payload.articles[0]!.sourceUrl).toBe(u.portalLinks!.document);
    expect(warnings).toEqual([
      'document.body: WeChat articles open no links but to WeChat articles, so 3 links are written out as their text followed by the address (https://www.gov.cn/zhengce/content/2025-01/content_1.htm?a=1&b=2, https://www.beilin.gov.cn/, zwgk@beilin.gov.cn); readers copy the address to open it.',
    ]);
    expect(warningsZh).toEqual([
      '文件正文中有 3 个链接指向微信文章以外的地址，在微信公众号文章中不能点击，发布时在链接文字后写明网址（或邮箱），读者可复制打开（https://www.gov.cn/zhengce/content/2025-01/content_1.htm?a=1&b=2、https://www.beilin.gov.cn/、zwgk@beilin.gov.cn）。如需读者直接点开，请把内容放在门户网站页面，通过“阅读原文”打开。',
    ]);
    // Formatting its own output changes nothing (transmit applies the same step to older snapshots).
    expect(wechatBodyLinks(content, payload.articles[0]!.sourceUrl)).toEqual({ html: content, writtenOut: [], textOnly: [] });
  });

  it('keeps only the text of links that are no full address (javascript:, data:, relative, controls) and never writes them out', () => {
    const u = base();
    const body =
      '<p><a href="jav&#x09;ascript:alert(1)">点此办理</a>、<a href=" JAVASCRIPT:alert(2)">再点</a>、' +
      '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">附表</a>、<a href="/zcwj/2.html">相关文件</a>、' +
      '<a href="https://exa mple.com/">坏地址</a>、<a>无地址</a></p>' +
      // Controls and a right-to-left override inside a real address are percent-encoded when it is written out.
      '<p><a href="https://www.xa.gov.cn/a\u0001b\u202ec">西安市政府</a>；多余</a>结束</p><p>未闭合<a href="https://www.sxgov.cn/">省政府</p>';
    const { payload, warnings, warningsZh } = formatWechat({ ...u, document: { ...u.document, body } }, channel);
    const content = payload.articles[0]!.content;
    expect(content).toContain('<p>点此办理、再点、附表、相关文件、坏地址、无地址</p>');
    expect(content).not.toMatch(/<a\b|<\/a>|javascript|data:|base64|\/zcwj\/2/i);
    expect(content).not.toMatch(/[\u0000-\u001f\u202e]/);
    expect(content).toContain('西安市政府（网址：https://www.xa.gov.cn/a%01b%E2%80%AEc）');
    // An unclosed link ends with the text; a stray end tag is dropped.
    expect(content).toContain('；多余结束</p><p>未闭合省政府</p>（网址：https://www.sxgov.cn/）');
    expect(warnings[1]).toBe(
      'document.body: 5 links are not a full http(s) address (javascript:alert(1), JAVASCRIPT:alert(2), data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==, …), so WeChat readers could not open them; only the link text is kept. Write the whole address (https://…) to give readers somewhere to go.',
    );
    expect(warningsZh![1]).toMatch(/^文件正文中有 5 个链接不是完整的 http\(s\) 网址（javascript:alert\(1\)、JAVASCRIPT:alert\(2\)、data:text/);
    expect(warningsZh!.join('')).not.toMatch(/[\u0000-\u001f\u202e]/);
  });

  it('without a portal page: no 阅读原文 link, a warning; a bad portal link is a configuration problem', () => {
    const r = formatWechat(base({ portalLinks: null }), channel);
    expect(r.payload.articles.every((a) => a.sourceUrl === '')).toBe(true);
    expect(r.warnings.join(' ')).toContain('阅读原文');
    try {
      formatWechat(
        base({ portalLinks: { document: 'ftp://portal/x', interpretations: ['https://www.beilin.gov.cn/a', 'https://www.beilin.gov.cn/b'] } }),
        channel,
      );
      throw new Error('expected a refusal');
    } catch (error) {
      expect((error as DeliveryError).problems[0]).toMatchObject({ field: 'portalLinks.document' });
    }
  });
});

// ── transmit / confirm / reconcile / takeDown against the simulator ──────────────────────────

describe('wechat_oa against the simulator', () => {
  it('publishes document and interpretations as one push, confirms it live, exactly once', async () => {
    const u = unit();
    const { payload, renditions } = formatWechat(u, channel);
    const ctx = ctxFor();
    const sent = await adapter.transmit(payload, ctx);
    expect(sent).toMatchObject({ state: 'submitted', externalId: expect.stringMatching(/^\d+$/) });
    expect(ctx.store.current()).toMatchObject({
      publishId: sent.externalId,
      draftMediaId: expect.any(String),
      coverMaterialId: expect.any(String),
      imageUrls: { [inline.mediaId]: expect.stringContaining('/mmbiz/') },
    });
    expect(media.renditions.asked).toEqual(expect.arrayContaining(renditions.map(({ mediaId, spec }) => ({ mediaId, spec }))));
    expect(ctx.heartbeats).toBeGreaterThanOrEqual(2);

    const pending = await adapter.confirm!(sent.externalId, ctx);
    expect(pending.state).toBe('pending');
    const live = await confirmUntilSettled(adapter, sent.externalId, ctx);
    expect(live).toMatchObject({ state: 'live', externalId: expect.any(String), publicUrl: expect.stringContaining('/s/') });
    if (live.state !== 'live') throw new Error('not live');
    expect((await axios.get(live.publicUrl!)).status).toBe(200);

    const pubs = await publications();
    expect(pubs).toHaveLength(1);
    const pub = pubs[0]!;
    expect(pub).toMatchObject({ id: live.externalId, state: 'published', platformStatus: 0, url: live.publicUrl, account: APPID });
    expect(pub.items.map((i) => i.title)).toEqual([u.document.title, u.interpretations[0]!.title, u.interpretations[1]!.title]);
    const marker = wechatMarker(BUSINESS_KEY);
    expect(pub.items.map((i) => i.extra?.content_source_url)).toEqual(
      [u.portalLinks!.document, ...u.portalLinks!.interpretations].map((l) => `${l}#${marker}`),
    );
    const [doc, i1, i2] = pub.items;
    expect(doc!.body).toContain('「关联解读」');
    expect(doc!.body).toContain(`《${u.interpretations[0]!.title}》`);
    expect(i1!.body).toContain(`「政策原文」《${u.document.title}》`);
    expect(i2!.body).toContain('「政策原文」');
    // The in-article picture went through uploadimg; nothing was filtered out.
    expect(doc!.body).toMatch(/<img src="http:\/\/127\.0\.0\.1:\d+\/mmbiz\/[^"]+"/);
    expect(doc!.body).not.toContain('/api/media/');
    expect(pub.items.every((i) => (i.extra?.strippedImages as string[]).length === 0)).toBe(true);
    expect(doc!.links).toContain(`${u.portalLinks!.document}#${marker}`);
    expect(new Set(pub.items.map((i) => i.media[0])).size).toBe(1); // one cover material for all
    expect(requests('/cgi-bin/material/add_material')).toHaveLength(1);
    expect(requests('/cgi-bin/media/uploadimg')).toHaveLength(1);
    // The cover material is named after the rendition sent, nothing derived from the original's hash.
    const materials = [...(sim.state.platform() as { materials: Map<string, { filename: string }> }).materials.values()];
    expect(materials).toHaveLength(1);
    expect(materials[0]!.filename).toMatch(/^[0-9a-f]{16}\.(jpg|png)$/);
    expect(materials[0]!.filename).not.toContain(cover.mediaId.slice(0, 8));

    // The access token is kept with its expiry and reused.
    const stored = await ctx.tokens.get('wechat_oa.stable_access_token');
    expect(stored!.expiresAt!.getTime()).toBeGreaterThan(Date.now() + 7000_000);
    expect(requests('/cgi-bin/stable_token')).toHaveLength(1);

    // Asked again (say, after a crash), transmit hands back what it did instead of posting again.
    expect(await adapter.transmit(payload, ctx.nextAttempt())).toEqual(sent);
    expect(await adapter.reconcile!(payload, ctx.nextAttempt())).toEqual(sent);
    expect(requests('/cgi-bin/freepublish/submit')).toHaveLength(1);
    expect(await publications()).toHaveLength(1);
  });

  it('a link to another site reaches WeChat readers as its written-out address, also from a snapshot made before links were rewritten', async () => {
    const u = unit();
    const links =
      '<p>依据<a href="https://www.gov.cn/zhengce/2025/content_9.htm">国务院有关文件</a>制定；往期解读见<a href="https://mp.weixin.qq.com/s/AbC-123_x">碑林发布</a>。</p>';
    const { payload, warningsZh } = formatWechat({ ...u, document: { ...u.document, body: u.document.body + links } }, channel);
    expect(warningsZh!.join('')).toContain('文件正文中有 1 个链接指向微信文章以外的地址');
    // A snapshot formatted before the rewrite carried the link as it was written.
    const older: WechatPayload = {
      ...payload,
      articles: payload.articles.map((a, i) =>
        i === 0
          ? { ...a, content: a.content.replace(/国务院有关文件（网址：[^）]*）/, '<a href="https://www.gov.cn/zhengce/2025/content_9.htm">国务院有关文件</a>') }
          : a,
      ),
    };
    expect(older.articles[0]!.content).toContain('<a href="https://www.gov.cn/');

    for (const [businessKey, sent] of [
      ['pkg-links@1→wechat_oa:blfb', payload],
      ['pkg-links-older@1→wechat_oa:blfb', older],
    ] as const) {
      const ctx = ctxFor({ businessKey });
      const { externalId } = await adapter.transmit(sent, ctx);
      expect(await confirmUntilSettled(adapter, externalId, ctx)).toMatchObject({ state: 'live' });
    }
    const pubs = await publications();
    expect(pubs).toHaveLength(2);
    for (const pub of pubs) {
      const doc = pub.items[0]!;
      // WeChat had nothing to strip: the reader sees the text and the address; the WeChat article stays a link.
      expect(doc.extra?.strippedLinks).toEqual([]);
      expect(doc.body).toContain('依据国务院有关文件（网址：https://www.gov.cn/zhengce/2025/content_9.htm）制定');
      expect(doc.body).toContain('<a href="https://mp.weixin.qq.com/s/AbC-123_x">碑林发布</a>');
      expect(doc.links).toEqual([expect.stringMatching(new RegExp(`^${u.portalLinks!.document}#gp-`)), 'https://mp.weixin.qq.com/s/AbC-123_x']);
    }
  });

  it('a video interpretation without text: its poster is uploaded like a picture and stands in the article', async () => {
    if (!mediaTools.binaries) throw mediaTools.error ?? new Error('ffmpeg is needed for this test');
    const clip = path.join(media.dir, 'jiedu.mp4');
    makeClip(mediaTools.binaries.ffmpeg.path, clip, { width: 1280, height: 720, seconds: 2 });
    const put = await ingestUpload(media.store, createReadStream(clip), { label: '视频解读.mp4' });
    const V: MediaInfo = { mediaId: put.sha256, kind: 'video', mime: put.probe.mime, sizeBytes: put.probe.sizeBytes, durationSec: put.probe.durationSec };
    const u = unit();
    u.interpretations[1] = { form: 'video', title: '三分钟看懂营商环境新政', body: '', mediaId: V.mediaId };
    u.media[V.mediaId] = V;
    const { payload } = formatWechat(u, channel);
    const ctx = ctxFor();
    const sent = await adapter.transmit(payload, ctx);
    expect(ctx.store.current().imageUrls).toMatchObject({ [V.mediaId]: expect.stringContaining('/mmbiz/') });
    expect(media.renditions.asked).toContainEqual({ mediaId: V.mediaId, spec: 'wechat_oa.video_cover' });
    const live = await confirmUntilSettled(adapter, sent.externalId, ctx);
    expect(live.state).toBe('live');
    const item = (await publications())[0]!.items[2]!;
    expect(item.body).toMatch(/<img src="http:\/\/127\.0\.0\.1:\d+\/mmbiz\/[^"]+"/);
    expect(item.body).toContain('本篇为视频解读《三分钟看懂营商环境新政》');
    expect(item.body).not.toContain('/api/media/');
  });

  it('recovers from an access token that expires mid-way: forced refresh once, the call repeated', async () => {
    const { payload } = formatWechat(unit(), channel);
    const ctx = ctxFor();
    fault({ match: '/cgi-bin/draft/add', kind: 'token_expired', count: 1 });
    const sent = await adapter.transmit(payload, ctx);
    expect(sent.state).toBe('submitted');
    const draftAdds = requests('/cgi-bin/draft/add');
    expect(draftAdds.map((r) => r.fault ?? 'ok')).toEqual(['token_expired', 'ok']);
    expect(requests('/cgi-bin/stable_token')).toHaveLength(2);
    expect(await confirmUntilSettled(adapter, sent.externalId, ctx)).toMatchObject({ state: 'live' });
    // A token the platform dropped between attempts (e.g. another system forced a refresh) too.
    const other = ctxFor({ businessKey: 'pkg-other@1→wechat_oa:blfb' });
    await other.tokens.put('wechat_oa.stable_access_token', 'stale-token-from-yesterday', new Date(Date.now() + 3600_000));
    const again = await adapter.transmit(payload, other);
    expect(again.state).toBe('submitted');
    expect(await other.tokens.get('wechat_oa.stable_access_token')).not.toMatchObject({ value: 'stale-token-from-yesterday' });
    expect((await publications()).length).toBe(2);
  });

  it('a lost draft/add answer: unconfirmed, reconcile finds the draft, the retry submits it — one push', async () => {
    const { payload } = formatWechat(unit(), channel);
    const ctx = ctxFor();
    fault({ match: '/cgi-bin/draft/add', kind: 'drop_response', count: 1 });
    const e = await caught(adapter.transmit(payload, ctx));
    expect(e.errorClass).toBe('unconfirmed');
    expect(ctx.store.current().draftMediaId).toBeUndefined();

    // The delivery activity: reconcile, then (nothing published) transmit, with one context.
    const retry = ctx.nextAttempt();
    expect(await adapter.reconcile!(payload, retry)).toBeNull();
    expect(retry.store.current().draftMediaId).toEqual(expect.any(String));
    const sent = await adapter.transmit(payload, retry);
    expect(sent.state).toBe('submitted');
    expect(requests('/cgi-bin/draft/add')).toHaveLength(1);
    expect(requests('/cgi-bin/material/add_material')).toHaveLength(1); // the cover was checkpointed
    expect(await confirmUntilSettled(adapter, sent.externalId, retry)).toMatchObject({ state: 'live' });
    const pubs = await publications();
    expect(pubs).toHaveLength(1);
    expect(pubs[0]!.items).toHaveLength(3);
  });

  it('a lost freepublish/submit answer: unconfirmed, reconcile finds the push (publishing or published) — one push', async () => {
    const { payload } = formatWechat(unit(), channel);
    const ctx = ctxFor();
    fault({ match: '/cgi-bin/freepublish/submit', kind: 'drop_response', count: 1 });
    const e = await caught(adapter.transmit(payload, ctx));
    expect(e.errorClass).toBe('unconfirmed');
    const draftMediaId = ctx.store.current().draftMediaId!;
    expect(draftMediaId).toEqual(expect.any(String));

    // Still publishing: submitted under a provisional id; confirm follows it to the article.
    const found = await adapter.reconcile!(payload, ctx.nextAttempt());
    expect(found).toEqual({ state: 'submitted', externalId: `draft:${draftMediaId}` });
    const live = await confirmUntilSettled(adapter, found!.externalId, ctx.nextAttempt());
    const pubs = await publications();
    expect(pubs).toHaveLength(1);
    expect(live).toEqual({ state: 'live', externalId: pubs[0]!.id, publicUrl: pubs[0]!.url });
    // Once published, reconcile answers live directly.
    expect(await adapter.reconcile!(payload, ctx.nextAttempt())).toEqual({ state: 'live', externalId: pubs[0]!.id, publicUrl: pubs[0]!.url });

    // A blind retry (no reconcile) cannot publish twice either: the draft already left the box.
    const blind = await caught(adapter.transmit(payload, ctx.nextAttempt()));
    expect(blind.errorClass).toBe('unconfirmed');
    expect(requests('/cgi-bin/freepublish/submit')).toHaveLength(2);
    expect(await publications()).toHaveLength(1);
  });

  it('when the checkpoint cannot be saved after the draft is made, the outcome is unconfirmed and reconcile recovers', async () => {
    const { payload } = formatWechat(unit(), channel);
    const ctx = ctxFor();
    // Saves: cover, picture, then the draft — the third fails.
    let saves = 0;
    const original = ctx.checkpoint.bind(ctx);
    ctx.checkpoint = async (p) => {
      saves += 1;
      if (saves === 3) throw new Error('database connection lost (test)');
      return original(p);
    };
    const e = await caught(adapter.transmit(payload, ctx));
    expect(e.errorClass).toBe('unconfirmed');
    const retry = ctx.nextAttempt();
    expect(await adapter.reconcile!(payload, retry)).toBeNull();
    const sent = await adapter.transmit(payload, retry);
    expect(sent.state).toBe('submitted');
    expect(requests('/cgi-bin/draft/add')).toHaveLength(1);
    expect(await confirmUntilSettled(adapter, sent.externalId, retry)).toMatchObject({ state: 'live' });
    expect(await publications()).toHaveLength(1);
  });

  it('a lost upload answer is simply retryable (nothing visible can be duplicated)', async () => {
    const { payload } = formatWechat(unit(), channel);
    const ctx = ctxFor();
    fault({ match: '/cgi-bin/media/uploadimg', kind: 'drop_response', count: 1 });
    const e = await caught(adapter.transmit(payload, ctx));
    expect(e.errorClass).toBe('retryable');
    const retry = ctx.nextAttempt();
    expect(await adapter.reconcile!(payload, retry)).toBeNull();
    expect((await adapter.transmit(payload, retry)).state).toBe('submitted');
    expect(await publications()).toHaveLength(1);
  });

  it("async_fail: confirm reports the platform's reason in plain words", async () => {
    const { payload } = formatWechat(unit(), channel);
    fault({ match: '/cgi-bin/freepublish/submit', kind: 'async_fail', count: 1 });
    const ctx = ctxFor();
    const sent = await adapter.transmit(payload, ctx);
    const r = await confirmUntilSettled(adapter, sent.externalId, ctx);
    expect(r).toEqual({ state: 'rejected', message: expect.stringContaining('常规失败'), platformCode: 'publish_status_3' });
    // Operations read what happened and what a retry does, not "change the content" for a failure with no reason.
    expect(failureZh(r)).toBe(
      '微信公众号：微信发布这次推送失败（常规失败），没有说明原因（平台代码：publish_status_3）。文章没有发布，已回到草稿箱。请重试，会再次提交发布；如多次失败，请在公众号后台检查账号状态，或跳过该渠道。',
    );
    // Nothing was published, so reconcile finds nothing, and a retry (an operator's resend)
    // submits the draft again — it returned to the draft box.
    const retry = ctx.nextAttempt();
    expect(await adapter.reconcile!(payload, retry)).toBeNull();
    const again = await adapter.transmit(payload, retry);
    expect(again.externalId).not.toBe(sent.externalId);
    expect(await confirmUntilSettled(adapter, again.externalId, retry)).toMatchObject({ state: 'live' });
    expect((await publications()).map((p) => p.state)).toEqual(['failed', 'published']);
    expect(requests('/cgi-bin/draft/add')).toHaveLength(1);
    sim.state.reset({ keepFaults: true });

    fault({ match: '/cgi-bin/freepublish/submit', kind: 'async_fail', code: 4, count: 1 });
    const ctx4 = ctxFor({ businessKey: 'pkg-x@1→wechat_oa:blfb' });
    const sent4 = await adapter.transmit(payload, ctx4);
    const refused = await confirmUntilSettled(adapter, sent4.externalId, ctx4);
    expect(refused).toEqual({ state: 'rejected', message: expect.stringContaining('平台审核不通过'), platformCode: 'publish_status_4' });
    expect(failureZh(refused)).toContain('微信的平台审核没有通过这次推送（平台代码：publish_status_4）。文章没有发布。');
    expect((await publications()).map((p) => p.state)).toEqual(['failed']);
  });

  it('never_confirm: stays pending', async () => {
    const { payload } = formatWechat(unit(), channel);
    fault({ match: '/cgi-bin/freepublish/submit', kind: 'never_confirm', count: 1 });
    const ctx = ctxFor();
    const sent = await adapter.transmit(payload, ctx);
    await sleep(700); // past the publish delay
    for (let i = 0; i < 3; i++) expect(await adapter.confirm!(sent.externalId, ctx)).toMatchObject({ state: 'pending' });
  });

  it('rate limits and busy answers carry a wait', async () => {
    const { payload } = formatWechat(unit(), channel);
    fault({ match: '/cgi-bin/draft/add', kind: 'rate_limit', count: 1 });
    const e = await caught(adapter.transmit(payload, ctxFor()));
    expect(e).toMatchObject({ errorClass: 'rate_limited', platformCode: 45009 });
    expect(e.retryAfterMs).toBeGreaterThan(0);
    expect(e.retryAfterMs).toBeLessThanOrEqual(86_401_000);

    fault({ match: '/cgi-bin/draft/add', kind: 'rate_limit', code: 45011, count: 1 });
    expect(await caught(adapter.transmit(payload, ctxFor()))).toMatchObject({ errorClass: 'rate_limited', retryAfterMs: 60_000 });

    fault({ match: '/cgi-bin/freepublish/submit', kind: 'busy', count: 1 });
    const busy = await caught(adapter.transmit(payload, ctxFor()));
    expect(busy).toMatchObject({ errorClass: 'retryable', platformCode: -1 });
    expect(busy.retryAfterMs).toBeGreaterThan(0);

    fault({ match: '/cgi-bin/draft/add', kind: 'http_error', status: 503, count: 1 });
    expect(await caught(adapter.transmit(payload, ctxFor({ businessKey: 'pkg-503@1→wechat_oa:blfb' })))).toMatchObject({
      errorClass: 'retryable',
      platformCode: 503,
    });
  });

  it('classifies every error code the platform documents', async () => {
    const { payload } = formatWechat(unit(), channel);
    const table: [number, string][] = [
      [-1, 'retryable'],
      [40002, 'rejected'],
      [40004, 'rejected'],
      [40005, 'rejected'],
      [40009, 'rejected'],
      [40010, 'rejected'],
      [40011, 'rejected'],
      [40012, 'rejected'],
      [40013, 'needs_reconnect'],
      [40066, 'rejected'],
      [40097, 'rejected'],
      [40125, 'needs_reconnect'],
      [40164, 'needs_reconnect'],
      [41001, 'rejected'],
      [41002, 'needs_reconnect'],
      [41004, 'needs_reconnect'],
      [41005, 'rejected'],
      [43002, 'rejected'],
      [44002, 'rejected'],
      [44003, 'rejected'],
      [44004, 'rejected'],
      [45001, 'rejected'],
      [45002, 'rejected'],
      [45003, 'rejected'],
      [45004, 'rejected'],
      [45008, 'rejected'],
      [45009, 'rate_limited'],
      [45011, 'rate_limited'],
      [45110, 'rejected'],
      [47001, 'rejected'],
      [48001, 'needs_reconnect'],
      [53600, 'rejected'],
    ];
    const ctx = ctxFor();
    const seen: [number, string][] = [];
    for (const [code] of table) {
      fault({ match: '/cgi-bin/draft/add', kind: 'busy', code, count: 1 });
      const e = await caught(adapter.transmit(payload, ctx.nextAttempt()));
      expect(e.platformCode).toBe(code);
      expect(e.message).not.toContain(SECRET);
      seen.push([code, e.errorClass]);
    }
    expect(seen).toEqual(table);
    // Token refusals are repaired (refresh, repeat the call); a vanished cover material is uploaded again.
    for (const code of [40001, 42001, 40007]) {
      fault({ match: '/cgi-bin/draft/add', kind: 'busy', code, count: 1 });
      const before = requests('/cgi-bin/material/add_material').length;
      const next = ctx.nextAttempt();
      expect((await adapter.transmit(payload, next)).state).toBe('submitted');
      expect(
        requests('/cgi-bin/draft/add')
          .slice(-2)
          .map((r) => r.fault ?? 'ok'),
      ).toEqual(['busy', 'ok']);
      expect(requests('/cgi-bin/material/add_material').length - before).toBe(code === 40007 ? 1 : 0);
      await next.checkpoint({ draftMediaId: '', publishId: '' }); // the next round starts over
    }
  });

  it('a wrong secret or app id needs reconnecting, names the account and never shows the secret', async () => {
    const { payload } = formatWechat(unit(), channel);
    const wrong = 'not-the-secret-91c2e7';
    const e = await caught(adapter.transmit(payload, ctxFor({ secret: wrong })));
    expect(e).toMatchObject({ errorClass: 'needs_reconnect', platformCode: 40125 });
    expect(e.message).toContain('碑林发布');
    expect(e.message).toContain('wechat_oa:blfb');
    expect(e.message).toContain('AppSecret');
    for (const text of [e.message, inspect(e, { depth: 8 }), JSON.stringify(e)]) {
      expect(text).not.toContain(wrong);
      expect(text).not.toContain(SECRET);
    }

    const unknown = await caught(adapter.transmit(payload, ctxFor({ appId: 'wx0000000000000bad' })));
    expect(unknown).toMatchObject({ errorClass: 'needs_reconnect', platformCode: 40013 });
    expect(inspect(unknown, { depth: 8 })).not.toContain(SECRET);

    const none = await caught(adapter.transmit(payload, ctxFor({ secret: '' })));
    expect(none.errorClass).toBe('needs_reconnect');
    expect(await publications()).toHaveLength(0);
  });

  it('takes the push down, and taking it down again succeeds', async () => {
    const { payload } = formatWechat(unit(), channel);
    const ctx = ctxFor();
    const sent = await adapter.transmit(payload, ctx);
    const live = await confirmUntilSettled(adapter, sent.externalId, ctx);
    if (live.state !== 'live') throw new Error('not live');
    // By article id and by publish id: there while published, not once deleted.
    expect(await adapter.postStillThere!(live.externalId!, ctx)).toMatchObject({ there: true, what: expect.stringContaining('is published') });
    expect(await adapter.postStillThere!(sent.externalId, ctx)).toMatchObject({ there: true });
    await adapter.takeDown!(live.externalId!, { ...ctx, reason: 'retracted by the editor' });
    expect(await adapter.postStillThere!(live.externalId!, ctx)).toEqual({ there: false });
    expect(await adapter.postStillThere!(sent.externalId, ctx)).toEqual({ there: false });
    const [pub] = await publications();
    expect(pub).toMatchObject({ state: 'deleted', deleted: true, platformStatus: 5 });
    expect((await axios.get(live.publicUrl!, { validateStatus: () => true })).status).toBe(404);
    await adapter.takeDown!(live.externalId!, { ...ctx, reason: 'retracted by the editor' });
    // By publish id too (a delivery that never saw the article id), already gone or not.
    await adapter.takeDown!(sent.externalId, { ...ctx, reason: 'again' });
    expect(await adapter.confirm!(sent.externalId, ctx)).toEqual({
      state: 'rejected',
      message: expect.stringContaining('成功后用户删除所有文章'),
      platformCode: 'publish_status_5',
    });
  });

  it('a push deleted in the WeChat console after it went live: confirm says so in Chinese with what to do, and a retry posts nothing', async () => {
    const { payload } = formatWechat(unit(), channel);
    const ctx = ctxFor();
    const sent = await adapter.transmit(payload, ctx);
    const live = await confirmUntilSettled(adapter, sent.externalId, ctx);
    if (live.state !== 'live') throw new Error('not live');
    // Someone deletes every article in the console (the same call a take-down makes).
    await adapter.takeDown!(live.externalId!, { ...ctx, reason: 'deleted in the WeChat console' });
    const deleted = await adapter.confirm!(sent.externalId, ctx);
    expect(deleted).toMatchObject({ state: 'rejected', platformCode: 'publish_status_5' });
    expect(failureZh(deleted)).toBe(
      '微信公众号：这次推送曾发布成功，但随后在公众号后台被删除了全部文章，目前没有公开（平台代码：publish_status_5）。重试不会重新发布（微信对这次推送的答复不会再变）：请跳过该渠道并写明原因；仍需发布的，请以新的发布包重新发布。',
    );
    // An operator's retry: the earlier submission is its answer, and nothing new reaches WeChat.
    const retry = ctx.nextAttempt();
    const again = await adapter.transmit(payload, retry);
    expect(again).toMatchObject({ state: 'submitted', externalId: sent.externalId });
    expect(await adapter.confirm!(again.externalId, retry)).toMatchObject({ state: 'rejected', platformCode: 'publish_status_5' });
    expect(requests('/cgi-bin/freepublish/submit')).toHaveLength(1);
    expect((await publications()).map((p) => p.state)).toEqual(['deleted']);
  });
});

/** A confirm's refusal as operations read it (services/deliveries.ts shows the same). */
function failureZh(result: unknown): string | null {
  const r = result as { message: string; platformCode?: string };
  return deliveryErrorZh({ platform: 'wechat_oa', errorClass: 'rejected', errorMessage: r.message, platformCode: r.platformCode ?? null });
}
