import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import axios from 'axios';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DeliveryError, isDeliveryError } from '../../adapters/errors.js';
import { memoryTokenStore } from '../../adapters/tokens.js';
import type { MediaInfo, ReleaseUnit } from '../../adapters/types.js';
import { createWeiboAdapter, formatWeibo, weiboLength, WEIBO_TOKEN_NAME, type WeiboCheckpoint } from '../../adapters/weibo/adapter.js';
import { startSimulator, weiboTextLength, type FaultRuleInput, type PublicationView, type SimulatorHandle } from '../../simulators/index.js';
import { bodyImage, makeTestMedia, makeTransmitContext, policyUnit, testAccount, type TestMedia, type TestTransmitContext } from './support.js';

const APP = '2000000001';
const SECRET = 'weibo-app-secret-5d81';
const TOKEN = '2.00BlfbPreIssuedToken0000000001';
const EXPIRED_TOKEN = '2.00BlfbExpiredToken00000000002';
const { account, channel } = testAccount(
  'weibo',
  'blwb',
  '碑林发布',
  { appKey: APP, appSecret: { secret: 'WEIBO_BLWB_APP_SECRET' }, accessToken: { secret: 'WEIBO_BLWB_ACCESS_TOKEN' } },
  '区融媒体中心',
);

let media: TestMedia;
let cover: MediaInfo;
let inline: MediaInfo;
let sim: SimulatorHandle;
const adapter = createWeiboAdapter({ timeoutMs: 5000 });

beforeAll(async () => {
  media = await makeTestMedia('govpub-weibo-');
  cover = await media.photo('cover', 1600, 1000);
  inline = await media.photo('inline', 800, 600, { hue: '#8a3a4f' });
  sim = await startSimulator('weibo', {
    credentials: { [APP]: SECRET },
    safeDomains: ['beilin.gov.cn'],
    accessTokens: {
      [TOKEN]: { appKey: APP, uid: '5000000001' },
      [EXPIRED_TOKEN]: { appKey: APP, expiresAt: '2020-01-01T00:00:00Z' },
    },
  });
});
afterAll(async () => {
  await sim?.close();
  await media?.cleanup();
});
beforeEach(() => sim.state.reset());

const unit = (overrides: Partial<ReleaseUnit> = {}) => policyUnit({ cover, inline }, overrides);

function ctxFor(opts: { token?: string; businessKey?: string } = {}): TestTransmitContext<WeiboCheckpoint> {
  return makeTransmitContext<WeiboCheckpoint>({
    channel,
    account,
    baseUrl: sim.url,
    businessKey: opts.businessKey ?? 'pkg-yshj-2025-07@2→weibo:blwb',
    credentials: { appKey: APP, appSecret: SECRET, accessToken: opts.token ?? TOKEN },
    tokens: memoryTokenStore(),
    renditions: media.renditions,
  });
}

const fault = (rule: FaultRuleInput) => sim.state.addFault(rule);
const requests = (path: string) => sim.state.requests().filter((r) => r.path === path);
const publications = async (): Promise<PublicationView[]> => (await axios.get(`${sim.url}/__sim/publications`)).data.publications;

async function caught(p: Promise<unknown>): Promise<DeliveryError> {
  try {
    await p;
  } catch (error) {
    if (isDeliveryError(error)) return error;
    throw error;
  }
  throw new Error('expected a DeliveryError');
}

function refusal(fn: () => unknown): DeliveryError {
  try {
    fn();
  } catch (error) {
    if (isDeliveryError(error)) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

// ── format: pure ─────────────────────────────────────────────────────────────────────────────

describe('weibo format', () => {
  const C: MediaInfo = { mediaId: 'c'.repeat(64), kind: 'image', mime: 'image/jpeg', sizeBytes: 1000 };
  const I: MediaInfo = { mediaId: 'a'.repeat(64), kind: 'image', mime: 'image/png', sizeBytes: 1000 };
  const base = (overrides: Partial<ReleaseUnit> = {}) => policyUnit({ cover: C, inline: I }, overrides);

  it('counts like Weibo: wide characters 1, ASCII ½ rounded up, any link 10', () => {
    expect(weiboLength('碑林区')).toBe(3);
    expect(weiboLength('abc')).toBe(2);
    expect(weiboLength('ab')).toBe(1);
    expect(weiboLength('https://www.beilin.gov.cn/art/a-very-long-path/with/many/segments/index.html')).toBe(10);
    expect(weiboLength('全文：https://a.cn/x 和 http://b.cn')).toBe(3 + 10 + 1 + 1 + 10);
    for (const s of ['【碑林】ab 全文：https://www.beilin.gov.cn/x.html', '2025年7月1日起施行', 'A1（附政策解读）'])
      expect(weiboLength(s)).toBe(weiboTextLength(s));
  });

  it('builds title + summary + interpretation mention + portal link within 140, shortening the summary', () => {
    const u = base();
    const { payload, renditions, warnings } = formatWeibo(u, channel);
    const link = u.portalLinks!.document;
    expect(payload.link).toBe(link);
    expect(payload.text.startsWith(`【${u.document.title}】为深入贯彻落实`)).toBe(true);
    expect(payload.text.endsWith(` 全文：${link}`)).toBe(true);
    expect(payload.text).toContain('（同步发布2篇政策解读）');
    expect(payload.text).toContain('…');
    expect(weiboLength(payload.text)).toBeLessThanOrEqual(140);
    expect(weiboLength(payload.text)).toBeGreaterThanOrEqual(138); // the summary fills the room
    expect(weiboTextLength(payload.text)).toBe(weiboLength(payload.text));
    expect(payload.text).not.toMatch(/#[^#\s]+#/);
    expect(warnings).toEqual([expect.stringMatching(/^Weibo: the summary was shortened to \d+ characters to fit the 140-character post/)]);
    expect(payload.picture).toEqual({ mediaId: C.mediaId, spec: 'weibo.image' });
    expect(renditions).toEqual([{ mediaId: C.mediaId, spec: 'weibo.image', purpose: 'Weibo picture' }]);
  });

  it('names a single interpretation; a short body is not shortened', () => {
    const u = base({ document: { ...base().document, body: '<p>自2025年7月1日起施行。</p>' } });
    u.interpretations = [u.interpretations[0]!];
    const { payload, warnings } = formatWeibo(u, channel);
    expect(payload.text).toBe(
      `【${u.document.title}】自2025年7月1日起施行。（同步发布政策解读《${u.interpretations[0]!.title}》） 全文：${u.portalLinks!.document}`,
    );
    expect(warnings).toEqual([]);
  });

  it('refuses only a title that cannot fit with the link, saying by how much', () => {
    const tooLong = '碑'.repeat(125);
    const e = refusal(() => formatWeibo(base({ document: { ...base().document, title: tooLong } }), channel));
    expect(e.errorClass).toBe('rejected');
    expect(e.problems).toEqual([
      {
        field: 'document.title',
        message: expect.stringContaining('this title counts 125 (1 too many'),
        messageZh: expect.stringContaining('本标题计 125 个（多 1 个'),
      },
    ]);
    // One character less fits: title and link only, nothing else, with warnings.
    const { payload, warnings } = formatWeibo(base({ document: { ...base().document, title: '碑'.repeat(124) } }), channel);
    expect(weiboLength(payload.text)).toBe(140);
    expect(payload.text).toBe(`【${'碑'.repeat(124)}】 全文：${base().portalLinks!.document}`);
    expect(warnings.join(' ')).toContain('no room to mention the interpretation');
    expect(warnings.join(' ')).toContain('no room for a summary');
    // Latin letters count half: 249 of them fit, 250 do not.
    expect(weiboLength(formatWeibo(base({ document: { ...base().document, title: 'A'.repeat(249) } }), channel).payload.text)).toBe(140);
    expect(refusal(() => formatWeibo(base({ document: { ...base().document, title: 'A'.repeat(250) } }), channel)).problems[0]!.message).toContain(
      'Latin letters and digits count half',
    );
  });

  it('needs a portal page to link to', () => {
    const e = refusal(() => formatWeibo(base({ portalLinks: null }), channel));
    expect(e.problems).toEqual([
      {
        field: 'portalLinks',
        message: expect.stringContaining("must link to the package's page on the district portal"),
        messageZh: expect.stringContaining('请同时选择一个门户网站栏目'),
      },
    ]);
  });

  it('writes # as ＃ (the share API refuses #topics#)', () => {
    const u = base({ document: { ...base().document, title: '#营商环境#碑林区若干措施', body: '<p>关注#优化营商环境#话题</p>' } });
    const { payload, warnings } = formatWeibo(u, channel);
    expect(payload.text).not.toContain('#');
    expect(payload.text).toContain('【＃营商环境＃碑林区若干措施】关注＃优化营商环境＃话题');
    expect(warnings.join(' ')).toContain('＃');
  });

  it('without a cover the first picture of the document is posted; without any, none', () => {
    expect(formatWeibo(base({ cover: undefined }), channel).payload.picture).toEqual({ mediaId: I.mediaId, spec: 'weibo.image' });
    const bare = policyUnit({});
    expect(formatWeibo(bare, channel).payload.picture).toBeUndefined();
    expect(formatWeibo(bare, channel).renditions).toEqual([]);
    const external = policyUnit(
      {},
      { document: { ...bare.document, body: `<p><img src="https://example.com/x.jpg"></p>${bodyImage(I.mediaId)}` }, media: { [I.mediaId]: I } },
    );
    expect(formatWeibo(external, channel).payload.picture).toEqual({ mediaId: I.mediaId, spec: 'weibo.image' });
  });
});

// ── against the simulator ─────────────────────────────────────────────────────────────────────

describe('weibo against the simulator', () => {
  it('posts the text with the cover picture and is live at once, exactly once', async () => {
    const { payload } = formatWeibo(unit(), channel);
    const ctx = ctxFor();
    const r = await adapter.transmit(payload, ctx);
    expect(r).toMatchObject({ state: 'live', externalId: expect.stringMatching(/^\d+$/), publicUrl: expect.stringContaining(`/5000000001/`) });
    if (r.state !== 'live') throw new Error('not live');
    expect(ctx.store.current()).toEqual({ statusId: r.externalId, publicUrl: r.publicUrl });
    expect((await axios.get(r.publicUrl!)).status).toBe(200);
    const pubs = await publications();
    expect(pubs).toHaveLength(1);
    expect(pubs[0]).toMatchObject({ id: r.externalId, body: payload.text, account: '5000000001', state: 'published' });
    expect(pubs[0]!.links).toEqual([payload.link]);
    expect(pubs[0]!.media).toHaveLength(1);
    const pic = await axios.get(pubs[0]!.media[0]!, { responseType: 'arraybuffer' });
    expect(pic.headers['content-type']).toMatch(/^image\/(jpeg|png)$/);
    expect(media.renditions.asked).toContainEqual({ mediaId: cover.mediaId, spec: 'weibo.image' });
    // Asked again, it answers from the checkpoint without posting.
    expect(await adapter.transmit(payload, ctx.nextAttempt())).toEqual(r);
    expect(await adapter.reconcile!(payload, ctx.nextAttempt())).toEqual(r);
    expect(requests('/2/statuses/share.json')).toHaveLength(1);
  });

  it('uses a newer token from the token store; falls back to the configured one when it is refused', async () => {
    const { payload } = formatWeibo(unit(), channel);
    const oauth = await axios.post(
      `${sim.url}/oauth2/access_token`,
      new URLSearchParams({ client_id: APP, client_secret: SECRET, grant_type: 'authorization_code', code: 'user:5000000002:reauth' }),
    );
    const ctx = ctxFor();
    await ctx.tokens.put(WEIBO_TOKEN_NAME, oauth.data.access_token, new Date(Date.now() + 86400_000));
    await adapter.transmit(payload, ctx);
    expect((await publications())[0]!.account).toBe('5000000002');

    sim.state.reset();
    const revoked = ctxFor();
    await revoked.tokens.put(WEIBO_TOKEN_NAME, '2.00RevokedOrUnknownToken', new Date(Date.now() + 86400_000));
    expect((await adapter.transmit(payload, revoked)).state).toBe('live');
    expect((await publications())[0]!.account).toBe('5000000001');
  });

  it('an expired or invalid token needs reconnecting; no token appears in the error', async () => {
    const { payload } = formatWeibo(unit(), channel);
    const expired = await caught(adapter.transmit(payload, ctxFor({ token: EXPIRED_TOKEN })));
    expect(expired).toMatchObject({ errorClass: 'needs_reconnect', platformCode: 21327 });
    expect(expired.message).toContain('碑林发布');
    expect(expired.message).toContain('OAuth');

    fault({ match: '/2/statuses/share.json', kind: 'token_expired', count: 1 });
    const mid = await caught(adapter.transmit(payload, ctxFor()));
    expect(mid).toMatchObject({ errorClass: 'needs_reconnect', platformCode: 21327 });

    const invalid = await caught(adapter.transmit(payload, ctxFor({ token: '2.00NoSuchToken' })));
    expect(invalid).toMatchObject({ errorClass: 'needs_reconnect', platformCode: 21332 });

    const none = await caught(
      adapter.transmit(payload, makeTransmitContext<WeiboCheckpoint>({ channel, account, baseUrl: sim.url, credentials: { appKey: APP, appSecret: SECRET } })),
    );
    expect(none.errorClass).toBe('needs_reconnect');

    for (const e of [expired, mid, invalid, none]) {
      const text = `${e.message} ${inspect(e, { depth: 8 })}`;
      for (const secret of [TOKEN, EXPIRED_TOKEN, '2.00NoSuchToken', SECRET]) expect(text).not.toContain(secret);
    }
    expect(await publications()).toHaveLength(0);
  });

  it('a base URL that answers megabytes (a file server, not the API) is stopped at 16 MB and named, not read into memory', async () => {
    const { payload } = formatWeibo(unit(), channel);
    const huge = http.createServer((request, response) => {
      request.resume();
      response.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(1 << 20, 0x20);
      let sent = 0;
      const more = (): void => {
        while (sent < 64 && response.write(chunk)) sent += 1;
        if (sent >= 64) response.end();
        else response.once('drain', more);
      };
      more();
    });
    await new Promise<void>((resolve) => huge.listen(0, '127.0.0.1', resolve));
    try {
      const base = `http://127.0.0.1:${(huge.address() as AddressInfo).port}`;
      const ctx = makeTransmitContext<WeiboCheckpoint>({
        channel,
        account,
        baseUrl: base,
        credentials: { appKey: APP, appSecret: SECRET, accessToken: TOKEN },
        tokens: memoryTokenStore(),
        renditions: media.renditions,
      });
      const e = await caught(adapter.transmit(payload, ctx));
      // Sent, with no answer that can be read: it may have been posted, so it is checked before any retry.
      expect(e.errorClass).toBe('unconfirmed');
      expect(e.message).toMatch(/the answer was larger than 16 MB, which no platform's API sends: check that the platform's base URL/);
      expect(e.message).not.toContain(TOKEN);
    } finally {
      huge.closeAllConnections();
      await new Promise((resolve) => huge.close(resolve));
    }
  });

  it("the platform's words are quoted with their control characters shown, not acted on by a terminal", async () => {
    const { payload } = formatWeibo(unit(), channel);
    // An answer in Weibo's error shape whose words hold a terminal's escapes and a direction override.
    const odd = http.createServer((request, response) => {
      request.resume();
      response.writeHead(400, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: 'busy\u001b[2J\u001b]0;owned\u0007 \u202eelif', error_code: 21999, request: request.url }));
    });
    await new Promise<void>((resolve) => odd.listen(0, '127.0.0.1', resolve));
    try {
      const ctx = makeTransmitContext<WeiboCheckpoint>({
        channel,
        account,
        baseUrl: `http://127.0.0.1:${(odd.address() as AddressInfo).port}`,
        credentials: { appKey: APP, appSecret: SECRET, accessToken: TOKEN },
        tokens: memoryTokenStore(),
        renditions: media.renditions,
      });
      const e = await caught(adapter.transmit(payload, ctx));
      expect(e.message).toContain('busy\\u001b[2J\\u001b]0;owned\\u0007 \\u202eelif');
      expect(e.message).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e]/);
    } finally {
      await new Promise((resolve) => odd.close(resolve));
    }
  });

  it('a lost answer: unconfirmed, reconcile finds the post on the timeline — one post', async () => {
    const { payload } = formatWeibo(unit(), channel);
    const ctx = ctxFor();
    fault({ match: '/2/statuses/share.json', kind: 'drop_response', count: 1 });
    const e = await caught(adapter.transmit(payload, ctx));
    expect(e.errorClass).toBe('unconfirmed');
    const retry = ctx.nextAttempt();
    const found = await adapter.reconcile!(payload, retry);
    const pubs = await publications();
    expect(pubs).toHaveLength(1);
    expect(found).toEqual({ state: 'live', externalId: pubs[0]!.id, publicUrl: pubs[0]!.url });
    expect(retry.store.current().statusId).toBe(pubs[0]!.id);
    // Nothing there: reconcile says so.
    expect(
      await adapter.reconcile!(
        formatWeibo(unit({ document: { ...unit().document, title: '另一份文件' } }), channel).payload,
        ctxFor({ businessKey: 'pkg-other@1→weibo:blwb' }),
      ),
    ).toBeNull();
  });

  it('a blind retry after a lost answer meets "repeat content" and finds the post instead of failing', async () => {
    const { payload } = formatWeibo(unit(), channel);
    fault({ match: '/2/statuses/share.json', kind: 'drop_response', count: 1 });
    expect((await caught(adapter.transmit(payload, ctxFor()))).errorClass).toBe('unconfirmed');
    const r = await adapter.transmit(payload, ctxFor());
    const pubs = await publications();
    expect(pubs).toHaveLength(1);
    expect(r).toEqual({ state: 'live', externalId: pubs[0]!.id, publicUrl: pubs[0]!.url });
    expect(requests('/2/statuses/share.json').map((q) => q.status ?? 'dropped')).toEqual([200, 400]);
  });

  it('rate limits carry a wait; busy is retryable', async () => {
    const { payload } = formatWeibo(unit(), channel);
    fault({ match: '/2/statuses/share.json', kind: 'rate_limit', count: 1 });
    const e = await caught(adapter.transmit(payload, ctxFor()));
    expect(e).toMatchObject({ errorClass: 'rate_limited', platformCode: 10023 });
    expect(e.retryAfterMs).toBeGreaterThan(0);
    fault({ match: '/2/statuses/share.json', kind: 'rate_limit', code: 10024, count: 1 });
    expect(await caught(adapter.transmit(payload, ctxFor()))).toMatchObject({ errorClass: 'rate_limited', platformCode: 10024, retryAfterMs: 3_600_000 });
    fault({ match: '/2/statuses/share.json', kind: 'busy', count: 1 });
    expect(await caught(adapter.transmit(payload, ctxFor()))).toMatchObject({ errorClass: 'retryable', platformCode: 10009 });
    expect(await publications()).toHaveLength(0);
  });

  it('classifies the documented error codes', async () => {
    const { payload } = formatWeibo(unit(), channel);
    const table: [number, string][] = [
      [10001, 'unconfirmed'],
      [10002, 'retryable'],
      [10006, 'needs_reconnect'],
      [10008, 'rejected'],
      [10009, 'retryable'],
      [10014, 'needs_reconnect'],
      [10016, 'rejected'],
      [10017, 'rejected'],
      [10022, 'rate_limited'],
      [10023, 'rate_limited'],
      [10024, 'rate_limited'],
      [20005, 'rejected'],
      [20006, 'rejected'],
      [20007, 'rejected'],
      [20008, 'rejected'],
      [20012, 'rejected'],
      [21301, 'needs_reconnect'],
      [21314, 'needs_reconnect'],
      [21315, 'needs_reconnect'],
      [21316, 'needs_reconnect'],
      [21317, 'needs_reconnect'],
      [21319, 'needs_reconnect'],
      [21327, 'needs_reconnect'],
      [21332, 'needs_reconnect'],
    ];
    const seen: [number, string][] = [];
    for (const [code] of table) {
      fault({ match: '/2/statuses/share.json', kind: 'busy', code, count: 1 });
      const e = await caught(adapter.transmit(payload, ctxFor()));
      expect(e.platformCode).toBe(code);
      seen.push([code, e.errorClass]);
    }
    expect(seen).toEqual(table);
    expect(await publications()).toHaveLength(0);
  });

  it("a link outside the app's safe domain is refused with words for operations", async () => {
    const { payload } = formatWeibo(
      policyUnit({ cover }, { portalLinks: { document: 'https://portal.example.org/art/x/index.html', interpretations: [] } }),
      channel,
    );
    const e = await caught(adapter.transmit(payload, ctxFor()));
    expect(e).toMatchObject({ errorClass: 'rejected', platformCode: 10017 });
    expect(e.message).toContain('安全域名');
  });

  it('takes the post down, and taking it down again succeeds', async () => {
    const { payload } = formatWeibo(unit(), channel);
    const ctx = ctxFor();
    const r = await adapter.transmit(payload, ctx);
    if (r.state !== 'live') throw new Error('not live');
    expect(await adapter.postStillThere!(r.externalId, ctx)).toEqual({
      there: true,
      what: `post ${r.externalId} is public`,
      whatZh: `微博 ${r.externalId} 仍公开可见`,
    });
    await adapter.takeDown!(r.externalId, { ...ctx, reason: 'retracted' });
    expect((await publications())[0]).toMatchObject({ deleted: true, state: 'deleted' });
    expect(await adapter.postStillThere!(r.externalId, ctx)).toEqual({ there: false });
    expect((await axios.get(r.publicUrl!, { validateStatus: () => true })).status).toBe(404);
    await adapter.takeDown!(r.externalId, { ...ctx, reason: 'retracted' });
    // Once deleted, the same text may be posted again (no "repeat content").
    expect((await adapter.transmit(payload, ctxFor({ businessKey: 'pkg-yshj-2025-07@3→weibo:blwb' }))).state).toBe('live');
  });
});

describe('weibo simulator: pre-issued access tokens', () => {
  it('accepts configured tokens like OAuth ones, again after a reset, and expires them as configured', async () => {
    const info = (token: string) =>
      axios.post(`${sim.url}/oauth2/get_token_info`, new URLSearchParams({ access_token: token }), { validateStatus: () => true });
    expect((await info(TOKEN)).data).toMatchObject({ uid: 5000000001, appkey: APP });
    expect((await info(EXPIRED_TOKEN)).data).toMatchObject({ error_code: 21327 });
    sim.state.reset();
    expect((await info(TOKEN)).status).toBe(200);
    // Default lifetime: tokenTtlSeconds (7 days) from start or reset.
    sim.state.advanceClock(7 * 86400_000 + 1000);
    expect((await info(TOKEN)).data).toMatchObject({ error_code: 21327 });
  });
});
