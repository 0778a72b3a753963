/**
 * The media-center adapter against the real media-center simulator (Media center API v1), with
 * the registry's own columns (config/registry/media-center.yaml), a real LocalMediaStore and
 * renditions made by sharp/ffmpeg.
 */
import axios from 'axios';
import sharp from 'sharp';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DeliveryError } from '../../adapters/errors.js';
import { localizedDeliveryTexts } from '../../adapters/error-codes.js';
import {
  createMediaCenterAdapter,
  mediaCenterIdempotencyKey,
  type MediaCenterCheckpoint,
  type MediaCenterPayload,
} from '../../adapters/media-center/adapter.js';
import { memoryTokenStore } from '../../adapters/tokens.js';
import type { ChannelAdapter } from '../../adapters/types.js';
import { loadRegistrySync } from '../../config/registry.js';
import type { MediaCenterColumn } from '../../domain/registry.js';
import { startSimulator, type PublicationView, type SimulatorHandle } from '../../simulators/index.js';
import { PORTAL_BASE, columnChannel, ingestClip, makeUnit } from './mc-support.js';
import { bodyImage, makeTestMedia, makeTransmitContext, type TestMedia, type TestTransmitContext } from './support.js';

const CLIENT_ID = 'govpub-beilin';
const CLIENT_SECRET = 'mc-secret-9f2k';
const MEDIA_HOST = 'https://media.beilin.gov.cn';

let columns: MediaCenterColumn[];
let sim: SimulatorHandle;
let media: TestMedia;
let plain: ChannelAdapter<MediaCenterPayload, MediaCenterCheckpoint>;
let withMedia: ChannelAdapter<MediaCenterPayload, MediaCenterCheckpoint>;

const blxw = () => columnChannel('news_site', 'blxw', '碑林新闻');
const spxw = () => columnChannel('news_site', 'spxw', '视频新闻');

function context(
  adapterChannel = blxw(),
  businessKey = `pkg-7@2→${adapterChannel.id}`,
  credentials = { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
): TestTransmitContext<MediaCenterCheckpoint> {
  return makeTransmitContext<MediaCenterCheckpoint>({
    businessKey,
    channel: adapterChannel,
    baseUrl: sim.url,
    credentials,
    tokens: memoryTokenStore(),
    renditions: media.renditions,
  });
}

function publications(): PublicationView[] {
  return sim.state.publications();
}

function tokenRequests(): number {
  return sim.state.requests().filter((r) => r.path === '/api/v1/auth/token').length;
}

async function rejection(p: Promise<unknown>): Promise<DeliveryError> {
  try {
    await p;
  } catch (error) {
    expect(error).toBeInstanceOf(DeliveryError);
    return error as DeliveryError;
  }
  throw new Error('expected a DeliveryError');
}

function rejectionOf(fn: () => unknown): DeliveryError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(DeliveryError);
    return error as DeliveryError;
  }
  throw new Error('expected a DeliveryError');
}

/** Lets the simulated editorial review finish. */
function reviewDone(): void {
  sim.state.advanceClock(31_000);
}

beforeAll(async () => {
  columns = loadRegistrySync().mediaCenter.columns;
  sim = await startSimulator('news_site', {
    columns: columns.filter((c) => c.system === 'news_site').map((c) => ({ id: c.id, name: c.name })),
    credentials: { [CLIENT_ID]: CLIENT_SECRET },
    publishDelayMs: 30_000,
  });
  media = await makeTestMedia('govpub-mc-');
  plain = createMediaCenterAdapter('news_site', { columns });
  withMedia = createMediaCenterAdapter('news_site', {
    columns,
    publicMediaUrl: (file) => `${MEDIA_HOST}/r/${file.sha256}.${file.mime === 'video/mp4' ? 'mp4' : file.mime === 'image/png' ? 'png' : 'jpg'}`,
  });
});

afterAll(async () => {
  await sim?.close();
  await media?.cleanup();
});

beforeEach(() => sim.state.reset());

// ── format ───────────────────────────────────────────────────────────────────────────────────

describe('format', () => {
  it('makes one graphic article per item, linking document and interpretations both ways through their portal pages', () => {
    const unit = makeUnit({
      interpretations: [
        { form: 'text', title: '一图读懂老旧小区改造', body: '<p>改什么、怎么改、谁来改。</p>', interpreter: '区住建局' },
        { form: 'text', title: '政策问答：老旧小区改造', body: '<p>问：哪些小区纳入改造？</p>' },
      ],
    });
    const f = plain.format(unit, blxw());
    const [doc, i1, i2] = f.payload.articles;
    expect(f.payload).toMatchObject({ system: 'news_site', columnId: 'blxw', columnName: '碑林新闻', primaryItem: 'document' });
    expect(f.payload.articles).toHaveLength(3);
    expect(doc).toMatchObject({ item: 'document', kind: 'graphic', title: unit.document.title, subtitle: '碑政发〔2025〕3号', source: '西安市碑林区人民政府' });
    expect(doc!.relatedLinks).toEqual([
      { title: '一图读懂老旧小区改造', url: `${PORTAL_BASE}/art/pkg-7/jd-1.html`, relation: 'interpretation' },
      { title: '政策问答：老旧小区改造', url: `${PORTAL_BASE}/art/pkg-7/jd-2.html`, relation: 'interpretation' },
    ]);
    expect(i1).toMatchObject({ item: 'interpretation-1', kind: 'graphic', author: '区住建局' });
    expect(i1!.relatedLinks).toEqual([
      { title: unit.document.title, url: `${PORTAL_BASE}/art/pkg-7/index.html`, relation: 'policy' },
      { title: '政策问答：老旧小区改造', url: `${PORTAL_BASE}/art/pkg-7/jd-2.html`, relation: 'related' },
    ]);
    expect(i2!.relatedLinks[0]).toMatchObject({ relation: 'policy', url: `${PORTAL_BASE}/art/pkg-7/index.html` });
    expect(doc!.summary!.length).toBeLessThanOrEqual(300);
    expect(f.renditions).toEqual([]);
    expect(f.warnings).toEqual([]);
    // Pure: the same input gives the same output.
    expect(plain.format(unit, blxw())).toEqual(f);
  });

  it('without public media links: leaves out cover and pictures, saying so; with them: asks for the renditions', async () => {
    const cover = await media.photo('cover-a', 1600, 900);
    const inline = await media.photo('inline-a', 800, 600, { hue: '#c0392b' });
    const unit = makeUnit({
      cover: { mediaId: cover.mediaId, alt: '小区改造' },
      media: { [cover.mediaId]: cover, [inline.mediaId]: inline },
      interpretations: [{ form: 'graphic', title: '图解：老旧小区改造', body: `<p>一图读懂。</p><p><img src="/api/media/${inline.mediaId}" alt="图解"></p>` }],
    });
    const f = plain.format(unit, blxw());
    expect(f.renditions).toEqual([]);
    expect(f.payload.articles[1]!.bodyHtml).not.toContain('<img');
    expect(f.payload.articles.every((a) => a.cover === null)).toBe(true);
    expect(f.warnings.join('\n')).toMatch(/1 picture left out/);
    expect(f.warnings.join('\n')).toMatch(/No cover picture in 碑林新闻/);

    const g = withMedia.format(unit, blxw());
    expect(g.warnings).toEqual([]);
    expect(g.renditions).toEqual([
      { mediaId: cover.mediaId, spec: 'news_site.cover', purpose: 'cover (document)' },
      { mediaId: inline.mediaId, spec: 'news_site.image', purpose: expect.stringContaining('in-article picture') },
    ]);
    expect(g.payload.articles[1]!.inlineImages).toEqual([inline.mediaId]);
  });

  it("links an H5 interpretation's page, but not an older revision's address a browser would repair (no host, a space)", () => {
    const h5 = (url: string) => ({ form: 'h5', title: 'H5：老旧小区改造', body: '<p>扫码看 H5。</p>', url });
    const f = plain.format(
      makeUnit({
        interpretations: [h5('https://www.beilin.gov.cn/h5/gz.html'), h5('http:///h5/index.html'), h5('https://www.beilin.gov.cn/h5 page.html')],
      }),
      blxw(),
    );
    const [, good, noHost, space] = f.payload.articles;
    expect(good!.bodyHtml).toContain('<a href="https://www.beilin.gov.cn/h5/gz.html">');
    expect(noHost!.bodyHtml).not.toContain('<a');
    expect(space!.bodyHtml).not.toContain('<a');
    expect(noHost!.bodyHtml).toContain('扫码看 H5。');
  });

  it('refuses every limit of the contract at once, in plain words', () => {
    const unit = makeUnit({
      document: { title: '关于'.repeat(60), body: `<p>${'条'.repeat(100_050)}</p>`, issuingUnit: '西安市碑林区人民政府' },
      interpretations: [{ form: 'text', title: '', body: '<p>解读</p><script>alert(1)</script>' }],
    });
    const e = rejectionOf(() => plain.format(unit, blxw()));
    expect(e.errorClass).toBe('rejected');
    expect(e.problems.map((p) => p.field)).toEqual(['document.title', 'document.body', 'interpretations[0].title', 'interpretations[0].body']);
    expect(e.problems[0]!.message).toBe('the title has 120 characters; the media center takes at most 100 (20 too many); shorten it');
    expect(e.problems[1]!.message).toMatch(/at most 100000 \(\d+ too many\)/);
    expect(e.problems[3]!.message).toMatch(/<script>/);
    expect(e.message).toMatch(/^碑林新闻 \(news_site:blxw\) cannot take this package as it is/);
  });

  it('counts each in-article picture at the length of the public address the transmit writes over it, so a body does not pass here and go over at release', async () => {
    const inline = await media.photo('inline-long', 800, 600, { hue: '#2c3e50' });
    const pictures = `<p><img src="/api/media/${inline.mediaId}" alt="图"></p>`.repeat(3);
    const bodyOf = (total: number) => `<p>${'条'.repeat(total - 7 - pictures.length)}</p>${pictures}`;
    const unitOf = (total: number) =>
      makeUnit({
        media: { [inline.mediaId]: inline },
        document: { title: '关于长篇配图稿件的说明', body: bodyOf(total), issuingUnit: '西安市碑林区人民政府' },
      });
    // 99,800 characters as stored; each picture's 75-character address becomes one of up to 256.
    const e = rejectionOf(() => withMedia.format(unitOf(99_800), blxw()));
    expect(e.problems.map((p) => p.field)).toEqual(['document.body']);
    expect(e.problems[0]!.message).toMatch(/each of its 3 picture addresses counted as 256\) has 100343 characters; the media center takes at most 100000/);
    expect(e.problems[0]!.messageZh).toContain('其中 3 张图片的地址每个约计 256 个');
    // 99,400 as stored, 99,943 as sent: taken.
    expect(withMedia.format(unitOf(99_400), blxw()).renditions.map((r) => r.spec)).toEqual(['news_site.image']);
  });

  it('shortens the optional fields it derives (source, author, subtitle) to the contract, with a warning', () => {
    const base = makeUnit();
    const unit = makeUnit({
      document: { ...base.document, issuingUnit: '单位'.repeat(60), documentNumber: '号'.repeat(101) },
      interpretations: [{ form: 'text', title: '解读', body: '<p>解读</p>', interpreter: '解读人'.repeat(20) }],
    });
    const f = plain.format(unit, blxw());
    const [doc, interp] = f.payload.articles;
    expect([...doc!.source!].length).toBe(100);
    expect([...doc!.subtitle!].length).toBe(100);
    expect([...interp!.author!].length).toBe(50);
    expect(f.warnings).toEqual([
      'document: the issuing unit (source) shortened to 100 characters for the media center (it has 120).',
      'document: the document number (subtitle) shortened to 100 characters for the media center (it has 101).',
      'interpretation 1 "解读": the interpreter (author) shortened to 50 characters for the media center (it has 60).',
    ]);
  });

  it('refuses more than 20 related links on the document', () => {
    const interpretations = Array.from({ length: 21 }, (_, i) => ({ form: 'text', title: `解读${i + 1}`, body: '<p>解读</p>' }));
    const e = rejectionOf(() => plain.format(makeUnit({ interpretations }), blxw()));
    expect(e.problems).toEqual([
      {
        field: 'interpretations',
        message: expect.stringMatching(/21 interpretations; the media center takes at most 20 related links per article \(1 too many\)/),
        messageZh: expect.stringContaining('政策文件将链接 21 篇解读，而融媒体中心每篇文章最多 20 个相关链接（多 1 个）'),
      },
    ]);
  });

  it('refuses a graphic package for a video-only column, naming columns that fit', () => {
    const e = rejectionOf(() => plain.format(makeUnit(), spxw()));
    expect(e.errorClass).toBe('rejected');
    expect(e.message).toContain('视频新闻 carries only 视频 (video), and this package has no video');
    expect(e.message).toContain('碑林新闻 (blxw)');
  });

  it('refuses a column the registry does not know', () => {
    const e = rejectionOf(() => plain.format(makeUnit(), columnChannel('news_site', 'bl-yaowen', '碑林要闻')));
    expect(e.message).toMatch(/no column "bl-yaowen" in the registry/);
  });

  it('puts a video interpretation in a video-only column as a video article (portal page link without public media)', async () => {
    const clip = await ingestClip(media, 'interview', { seconds: 1 });
    const unit = makeUnit({
      media: { [clip.mediaId]: clip },
      interpretations: [
        { form: 'text', title: '文字解读', body: '<p>文字</p>' },
        { form: 'video', title: '局长解读老旧小区改造', body: '<p>区住建局局长解读。</p>', mediaId: clip.mediaId, interpreter: '区住建局局长' },
      ],
    });
    const f = plain.format(unit, spxw());
    expect(f.payload.primaryItem).toBe('interpretation-2');
    expect(f.payload.articles).toHaveLength(1);
    expect(f.payload.articles[0]).toMatchObject({
      kind: 'video',
      video: { url: `${PORTAL_BASE}/art/pkg-7/jd-2.html` },
      relatedLinks: [expect.objectContaining({ relation: 'policy' }), expect.objectContaining({ relation: 'related' })],
    });
    expect(f.warnings.join('\n')).toMatch(/document text is not posted/);
    expect(f.warnings.join('\n')).toMatch(/interpretation 1 "文字解读" is not posted/);
    expect(f.warnings.join('\n')).toMatch(/portal page that plays the video/);

    const g = withMedia.format(unit, spxw());
    expect(g.payload.articles[0]!.video).toEqual({ mediaId: clip.mediaId, spec: 'news_site.video_720' });
    expect(g.renditions.map((r) => r.spec)).toEqual(['news_site.video_720', 'news_site.poster']);

    // A short-video-only column gets kind short_video; a graphic-only column a graphic article with a link.
    expect(plain.format(unit, columnChannel('news_site', 'dsp', '短视频')).payload.articles[0]!.kind).toBe('short_video');
    const graphicOnly = plain.format(unit, columnChannel('news_site', 'zwdt', '政务动态'));
    expect(graphicOnly.payload.articles.map((a) => a.kind)).toEqual(['graphic', 'graphic', 'graphic']);
    expect(graphicOnly.payload.articles[2]!.bodyHtml).toContain(`<a href="${PORTAL_BASE}/art/pkg-7/jd-2.html">观看视频解读</a>`);

    // Without a portal page or public media the video has no playable link: refused.
    const e = rejectionOf(() => plain.format({ ...unit, portalLinks: null }, spxw()));
    expect(e.message).toMatch(/not released to the portal/);
  });

  it('media_app columns are their own system', () => {
    const app = createMediaCenterAdapter('media_app', { columns });
    const f = app.format(makeUnit(), columnChannel('media_app', 'zcjd', '政策解读'));
    expect(f.payload).toMatchObject({ system: 'media_app', columnId: 'zcjd' });
    expect(() => app.format(makeUnit(), columnChannel('media_app', 'sp', '视频'))).toThrow(/carries only 视频/);
  });
});

// ── against the simulator ────────────────────────────────────────────────────────────────────

describe('publishing against the media-center simulator', () => {
  it('publishes document and interpretation once each, linked both ways; confirm goes pending → live', async () => {
    const cover = await media.photo('cover-b', 1920, 1080);
    const inline = await media.photo('inline-b', 1000, 700, { hue: '#2e8b57' });
    const base = makeUnit();
    const unit = makeUnit({
      cover: { mediaId: cover.mediaId, alt: '封面' },
      media: { [cover.mediaId]: cover, [inline.mediaId]: inline },
      document: { ...base.document, body: `${base.document.body}<p>${bodyImage(inline.mediaId, '改造前后')}</p>` },
    });
    const f = withMedia.format(unit, blxw());
    const ctx = context();

    const result = await withMedia.transmit(f.payload, ctx);
    const pubs = publications();
    expect(pubs).toHaveLength(2);
    const [docPub, interpPub] = [pubs.find((p) => p.title === unit.document.title)!, pubs.find((p) => p.title === unit.interpretations[0]!.title)!];
    expect(result).toEqual({ state: 'submitted', externalId: docPub.id, publicUrl: null });

    // Checkpoint: every created article by item, saved whole after each creation.
    expect(ctx.store.current()).toEqual({
      articles: {
        document: { id: docPub.id, idempotencyKey: mediaCenterIdempotencyKey(ctx.businessKey, 'document') },
        'interpretation-1': { id: interpPub.id, idempotencyKey: mediaCenterIdempotencyKey(ctx.businessKey, 'interpretation-1') },
      },
    });
    expect(ctx.store.saves).toHaveLength(2);
    expect(docPub.idempotencyKey).toMatch(/^[A-Za-z0-9._:-]{1,128}$/);
    expect(docPub.extra).toMatchObject({ columnId: 'blxw', kind: 'graphic', externalRef: ctx.businessKey });
    expect((docPub.extra as { relatedLinks: unknown }).relatedLinks).toEqual([
      { title: unit.interpretations[0]!.title, url: `${PORTAL_BASE}/art/pkg-7/jd-1.html`, relation: 'interpretation' },
    ]);
    expect((interpPub.extra as { relatedLinks: unknown }).relatedLinks).toEqual([
      { title: unit.document.title, url: `${PORTAL_BASE}/art/pkg-7/index.html`, relation: 'policy' },
    ]);

    // The cover is the 16:9 rendition, offered by its public URL.
    const coverFile = await media.renditions.get(cover.mediaId, 'news_site.cover');
    expect(docPub.media).toEqual([`${MEDIA_HOST}/r/${coverFile.sha256}.jpg`]);
    const meta = await sharp(coverFile.path).metadata();
    expect([meta.width, meta.height, meta.format]).toEqual([1280, 720, 'jpeg']);
    // The in-article picture is the site's rendition, by its public URL.
    const inlineFile = await media.renditions.get(inline.mediaId, 'news_site.image');
    expect(docPub.body).toContain(`<img src="${MEDIA_HOST}/r/${inlineFile.sha256}.${inlineFile.mime === 'image/png' ? 'png' : 'jpg'}" alt="改造前后">`);
    expect(docPub.body).not.toContain('/api/media/');

    // Still in review.
    const c1 = ctx.nextAttempt();
    expect(await withMedia.confirm!(result.externalId, c1)).toMatchObject({ state: 'pending', note: expect.stringContaining('0 of 2 articles published') });

    reviewDone();
    const live = await withMedia.confirm!(result.externalId, c1);
    expect(live).toEqual({ state: 'live', publicUrl: `${sim.url}/a/${docPub.id}`, externalId: docPub.id });
    const page = await axios.get(live.state === 'live' ? live.publicUrl! : '', { validateStatus: () => true });
    expect(page.status).toBe(200);
    expect(page.data).toContain(`${PORTAL_BASE}/art/pkg-7/jd-1.html`);

    // One token for the whole run (cached in the channel's token store).
    expect(tokenRequests()).toBe(1);
    expect(publications()).toHaveLength(2);
  });

  it('a lost answer on create: the retry carries the same key and the item still exists once', async () => {
    const f = plain.format(makeUnit(), blxw());
    sim.state.addFault({ match: '/api/v1/articles', method: 'POST', kind: 'drop_response', count: 1 });
    const ctx = context();
    const e = await rejection(plain.transmit(f.payload, ctx));
    expect(e.errorClass).toBe('unconfirmed');
    expect(publications()).toHaveLength(1); // the document was created; its answer was lost
    expect(ctx.store.current()).toEqual({});

    // Retry without asking first: the Idempotency-Key replays the same article.
    const again = ctx.nextAttempt();
    const result = await plain.transmit(f.payload, again);
    expect(publications()).toHaveLength(2);
    expect(
      publications()
        .map((p) => p.idempotencyKey)
        .sort(),
    ).toEqual([mediaCenterIdempotencyKey(ctx.businessKey, 'document'), mediaCenterIdempotencyKey(ctx.businessKey, 'interpretation-1')].sort());
    expect(result.externalId).toBe(publications().find((p) => p.title === makeUnit().document.title)!.id);
    // Dropped first answer, then the replay of the document (200), then the interpretation (201).
    const posts = sim.state.requests().filter((r) => r.path === '/api/v1/articles' && r.method === 'POST');
    expect(posts.map((r) => [r.status, r.dropped ?? false])).toEqual([
      [201, true],
      [200, false],
      [201, false],
    ]);
  });

  it('reconcile finds what an unanswered attempt created and lets transmit resume after it', async () => {
    const f = plain.format(makeUnit(), blxw());
    // Nothing created yet: nothing to find.
    expect(await plain.reconcile!(f.payload, context())).toBeNull();

    // The document's answer is lost: reconcile finds the document, not the interpretation.
    sim.state.addFault({ match: '/api/v1/articles', method: 'POST', kind: 'drop_response', count: 1 });
    const ctx = context();
    expect((await rejection(plain.transmit(f.payload, ctx))).errorClass).toBe('unconfirmed');
    const c2 = ctx.nextAttempt();
    expect(await plain.reconcile!(f.payload, c2)).toBeNull();
    const docId = publications()[0]!.id;
    expect(c2.store.current().articles).toEqual({ document: { id: docId, idempotencyKey: mediaCenterIdempotencyKey(ctx.businessKey, 'document') } });
    const c3 = c2.nextAttempt();
    expect(await plain.transmit(f.payload, c3)).toMatchObject({ state: 'submitted', externalId: docId });
    expect(publications()).toHaveLength(2);
    expect(sim.state.requests().filter((r) => r.method === 'POST' && r.path === '/api/v1/articles')).toHaveLength(2);

    // The interpretation's answer is lost: reconcile finds both, nothing is posted again.
    sim.state.reset();
    sim.state.addFault({ match: '/api/v1/articles', method: 'POST', kind: 'drop_response', skip: 1, count: 1 });
    const d = context();
    expect((await rejection(plain.transmit(f.payload, d))).errorClass).toBe('unconfirmed');
    const found = await plain.reconcile!(f.payload, d.nextAttempt());
    const doc = publications().find((p) => p.title === makeUnit().document.title)!;
    expect(found).toEqual({ state: 'submitted', externalId: doc.id, publicUrl: null });
    expect(publications()).toHaveLength(2);
  });

  it('the checkpoint write fails right after a create: the next attempt reconciles and posts nothing twice', async () => {
    const f = plain.format(makeUnit(), blxw());
    const ctx = context();
    ctx.store.failNext();
    await expect(plain.transmit(f.payload, ctx)).rejects.toThrow(/database connection lost/);
    expect(publications()).toHaveLength(1);
    const retry = ctx.nextAttempt();
    expect(await plain.reconcile!(f.payload, retry)).toBeNull(); // the document is found, the interpretation is still to do
    const result = await plain.transmit(f.payload, retry.nextAttempt());
    expect(publications()).toHaveLength(2);
    expect(result.externalId).toBe(publications().find((p) => p.title === makeUnit().document.title)!.id);
  });

  it('429: rate_limited with the Retry-After the site sent (fault and the real per-minute limit)', async () => {
    const f = plain.format(makeUnit(), blxw());
    sim.state.addFault({ match: '/api/v1/articles', method: 'POST', kind: 'rate_limit', retryAfterSeconds: 7, count: 1 });
    const ctx = context();
    const e = await rejection(plain.transmit(f.payload, ctx));
    expect(e).toMatchObject({ errorClass: 'rate_limited', retryAfterMs: 7000, platformCode: 'rate_limited' });
    await plain.transmit(f.payload, ctx.nextAttempt());
    expect(publications()).toHaveLength(2);

    const tight = await startSimulator('news_site', { columns: columns.filter((c) => c.system === 'news_site'), rateLimitPerMinute: 1 });
    try {
      const c = makeTransmitContext<MediaCenterCheckpoint>({
        businessKey: 'pkg-8@1→news_site:blxw',
        channel: blxw(),
        baseUrl: tight.url,
        credentials: { clientId: CLIENT_ID, clientSecret: 'x' },
      });
      const limited = await rejection(plain.transmit(f.payload, c));
      expect(limited.errorClass).toBe('rate_limited');
      expect(limited.retryAfterMs).toBeGreaterThan(0);
      expect(limited.retryAfterMs).toBeLessThanOrEqual(60_000);
      expect(Object.keys(c.store.current().articles ?? {})).toEqual(['document']); // progress kept for the retry
    } finally {
      await tight.close();
    }
  });

  it('token_expired: gets a new token and retries once (fault, and a token the site let expire)', async () => {
    const f = plain.format(makeUnit(), blxw());
    const ctx = context();
    const { externalId } = await plain.transmit(f.payload, ctx);
    expect(tokenRequests()).toBe(1);
    const first = (await ctx.tokens.get('access_token'))!.value;

    sim.state.addFault({ match: '/api/v1/articles/*', method: 'GET', kind: 'token_expired', count: 1 });
    expect((await plain.confirm!(externalId, ctx.nextAttempt())).state).toBe('pending');
    expect(tokenRequests()).toBe(2);
    const second = (await ctx.tokens.get('access_token'))!.value;
    expect(second).not.toBe(first);

    // The site's clock passes the token's lifetime while govpub still thinks it valid.
    sim.state.advanceClock(3_601_000);
    expect((await plain.confirm!(externalId, ctx.nextAttempt())).state).toBe('live');
    expect(tokenRequests()).toBe(3);
    expect(sim.state.requests().filter((r) => r.status === 401).length).toBe(2);
  });

  it('wrong client secret: needs_reconnect, and the secret appears nowhere', async () => {
    const f = plain.format(makeUnit(), blxw());
    const e = await rejection(plain.transmit(f.payload, context(blxw(), undefined, { clientId: CLIENT_ID, clientSecret: 'wrong-secret-123' })));
    expect(e.errorClass).toBe('needs_reconnect');
    expect(e.message).toContain('govpub-beilin');
    expect(e.message).not.toContain('wrong-secret-123');
    expect(JSON.stringify(e.cause ?? null)).not.toContain('wrong-secret-123');
    const missing = await rejection(plain.transmit(f.payload, context(blxw(), undefined, { clientId: CLIENT_ID } as never)));
    expect(missing.errorClass).toBe('needs_reconnect');
    expect(missing.message).toMatch(/no clientSecret configured/);
    expect(publications()).toHaveLength(0);
  });

  it('async_fail: the site rejects an article after review; confirm says why, in plain words', async () => {
    const f = plain.format(makeUnit(), blxw());
    sim.state.addFault({ match: '/api/v1/articles', method: 'POST', kind: 'async_fail', skip: 1, count: 1, message: '解读中的改造数量与原文不一致' });
    const ctx = context();
    const { externalId } = await plain.transmit(f.payload, ctx);
    reviewDone();
    const r = await plain.confirm!(externalId, ctx.nextAttempt());
    expect(r.state).toBe('rejected');
    expect(r.state === 'rejected' && r.message).toBe(
      `碑林新闻 (news_site:blxw): the site's editors rejected interpretation 1 "图解：碑林区老旧小区改造三年行动方案": 解读中的改造数量与原文不一致. Other articles of this package there: 1 published, 0 waiting for review (not withdrawn). A retry posts the refused item again, as a new article for the site to review; skip leaves it out.`,
    );
    // The editors' reason reaches operations in Chinese, naming the part of the package refused.
    expect(r.state === 'rejected' && r.problems).toEqual([
      {
        field: 'interpretations[0]',
        message: `the site's editors rejected interpretation 1 "图解：碑林区老旧小区改造三年行动方案": 解读中的改造数量与原文不一致`,
        messageZh: '西安网碑林频道编辑审核未通过解读 1「图解：碑林区老旧小区改造三年行动方案」：解读中的改造数量与原文不一致',
      },
    ]);
    const shown = localizedDeliveryTexts({
      platform: 'news_site',
      state: 'failed',
      error_class: 'rejected',
      error_message: r.state === 'rejected' ? r.message : null,
      platform_code: null,
      problems: r.state === 'rejected' ? r.problems : [],
      warnings: [],
    });
    expect(shown.errorMessageZh).toContain('编辑审核未通过解读 1「图解：碑林区老旧小区改造三年行动方案」：解读中的改造数量与原文不一致');
    expect(shown.problems.map((p) => p.message)).toEqual([
      '西安网碑林频道编辑审核未通过解读 1「图解：碑林区老旧小区改造三年行动方案」：解读中的改造数量与原文不一致',
    ]);
  });

  it("after the site's editors rejected an item, a retry posts that item again under a new key, and only that item", async () => {
    const unit = makeUnit();
    const f = plain.format(unit, blxw());
    sim.state.addFault({ match: '/api/v1/articles', method: 'POST', kind: 'async_fail', skip: 1, count: 1, message: '解读中的改造数量与原文不一致' });
    const ctx = context();
    const { externalId } = await plain.transmit(f.payload, ctx);
    reviewDone();
    const byTitle = (title: string) => publications().filter((p) => p.title === title);
    const refusedInterp = byTitle(unit.interpretations[0]!.title)[0]!;
    expect((await plain.confirm!(externalId, ctx.nextAttempt())).state).toBe('rejected');
    // The refusal is kept apart, and stands when the site is asked again before any retry.
    expect(ctx.store.current().refused).toEqual({
      'interpretation-1': { id: refusedInterp.id, idempotencyKey: mediaCenterIdempotencyKey(ctx.businessKey, 'interpretation-1') },
    });
    expect(Object.keys(ctx.store.current().articles!)).toEqual(['document']);
    expect((await plain.confirm!(externalId, ctx.nextAttempt())).state).toBe('rejected');

    // The operator's retry: reconcile finds nothing under the next key, so transmit posts the
    // interpretation once more; the published document is left alone.
    const retry = ctx.nextAttempt();
    expect(await plain.reconcile!(f.payload, retry)).toBeNull();
    const again = await plain.transmit(f.payload, retry);
    expect(again).toEqual({ state: 'submitted', externalId, publicUrl: null });
    expect(byTitle(unit.document.title)).toHaveLength(1);
    const interps = byTitle(unit.interpretations[0]!.title);
    expect(interps).toHaveLength(2);
    const reposted = interps.find((p) => p.id !== refusedInterp.id)!;
    expect(reposted.idempotencyKey).toBe(mediaCenterIdempotencyKey(ctx.businessKey, 'interpretation-1', 1));
    expect(reposted.idempotencyKey).toMatch(/^[A-Za-z0-9._:-]{1,128}$/);
    expect(ctx.store.current().refused).toEqual({});
    expect(ctx.store.current().articles!['interpretation-1']).toEqual({ id: reposted.id, idempotencyKey: reposted.idempotencyKey, round: 1 });
    // A second retry before the review finishes finds the new article and posts nothing.
    expect(await plain.reconcile!(f.payload, retry.nextAttempt())).toEqual({ state: 'submitted', externalId, publicUrl: null });
    expect(publications()).toHaveLength(3);

    expect((await plain.confirm!(externalId, retry.nextAttempt())).state).toBe('pending');
    reviewDone();
    expect(await plain.confirm!(externalId, retry.nextAttempt())).toEqual({ state: 'live', publicUrl: `${sim.url}/a/${externalId}`, externalId });

    // Retraction takes down every article of the delivery, the refused one included.
    await plain.takeDown!(externalId, { ...retry.nextAttempt(), reason: '撤稿' });
    expect(publications().map((p) => p.deleted)).toEqual([true, true, true]);
  });

  it("a refused document is posted again as a new article, which becomes the delivery's external id; refused again, the round goes on", async () => {
    const unit = makeUnit();
    const f = plain.format(unit, blxw());
    sim.state.addFault({ match: '/api/v1/articles', method: 'POST', kind: 'async_fail', count: 1, message: '标题有误' });
    const ctx = context();
    const first = await plain.transmit(f.payload, ctx);
    reviewDone();
    const r = await plain.confirm!(first.externalId, ctx.nextAttempt());
    expect(r.state === 'rejected' && r.message).toContain('标题有误');

    sim.state.addFault({ match: '/api/v1/articles', method: 'POST', kind: 'async_fail', count: 1, message: '标题仍有误' });
    const retry = ctx.nextAttempt();
    expect(await plain.reconcile!(f.payload, retry)).toBeNull();
    const second = await plain.transmit(f.payload, retry);
    expect(second.externalId).not.toBe(first.externalId);
    reviewDone();
    const r2 = await plain.confirm!(second.externalId, retry.nextAttempt());
    expect(r2.state === 'rejected' && r2.message).toContain('标题仍有误');
    expect(r2.state === 'rejected' && r2.message).not.toContain('标题有误;');

    const third = await plain.transmit(f.payload, retry.nextAttempt());
    const docs = publications().filter((p) => p.title === unit.document.title);
    expect(docs.map((p) => p.idempotencyKey).sort()).toEqual([0, 1, 2].map((round) => mediaCenterIdempotencyKey(ctx.businessKey, 'document', round)).sort());
    reviewDone();
    expect(await plain.confirm!(third.externalId, retry.nextAttempt())).toMatchObject({ state: 'live', externalId: third.externalId });
    // The interpretation went out once, in the first attempt.
    expect(publications().filter((p) => p.title === unit.interpretations[0]!.title)).toHaveLength(1);
  });

  it("validation_failed from the site: rejected, listing the site's problems", async () => {
    const f = plain.format(makeUnit(), blxw());
    const payload = structuredClone(f.payload);
    payload.articles[0]!.title = '长'.repeat(150);
    payload.articles[0]!.author = '作'.repeat(60);
    const e = await rejection(plain.transmit(payload, context()));
    expect(e.errorClass).toBe('rejected');
    expect(e.platformCode).toBe('validation_failed');
    expect(e.problems).toEqual([
      {
        field: expect.stringContaining('the document'),
        message: 'at most 100 characters (got 150)',
        messageZh: expect.stringContaining('at most 100 characters (got 150)'),
      },
      {
        field: expect.stringContaining(': author'),
        message: 'at most 50 characters (got 60)',
        messageZh: expect.stringContaining('融媒体中心认为字段“author”不合格'),
      },
    ]);
    expect(e.problems[0]!.field).toMatch(/: title$/);
    expect(e.message).toMatch(/^碑林新闻 \(news_site:blxw\) cannot take this package as it is: /);
  });

  it('409 idempotency_key_reused: stops (rejected, not retried) and posts nothing twice', async () => {
    const f = plain.format(makeUnit(), blxw());
    await plain.transmit(f.payload, context());
    const changed = structuredClone(f.payload);
    changed.articles[0]!.summary = '另一份摘要';
    const e = await rejection(plain.transmit(changed, context()));
    expect(e.errorClass).toBe('rejected');
    expect(e.platformCode).toBe('idempotency_key_reused');
    expect(e.message).toMatch(/govpub defect, not a problem with the package/);
    expect(publications()).toHaveLength(2);
  });

  it('5xx: retryable; the retry creates each item once', async () => {
    const f = plain.format(makeUnit(), blxw());
    sim.state.addFault({ match: '/api/v1/articles', method: 'POST', kind: 'busy', skip: 1, count: 1 });
    const ctx = context();
    const e = await rejection(plain.transmit(f.payload, ctx));
    expect(e).toMatchObject({ errorClass: 'retryable', platformCode: 'unavailable', retryAfterMs: 1000 });
    await plain.transmit(f.payload, ctx.nextAttempt());
    expect(publications()).toHaveLength(2);
  });

  it('takeDown deletes every article of the delivery; twice is fine; it finds articles the checkpoint missed', async () => {
    const f = plain.format(
      makeUnit({
        interpretations: [
          { form: 'text', title: '解读一', body: '<p>一</p>' },
          { form: 'text', title: '解读二', body: '<p>二</p>' },
        ],
      }),
      blxw(),
    );
    const ctx = context();
    const { externalId } = await plain.transmit(f.payload, ctx);
    reviewDone();
    const live = await plain.confirm!(externalId, ctx.nextAttempt());
    expect(live.state).toBe('live');

    const down = ctx.nextAttempt();
    const there = await plain.postStillThere!(externalId, down);
    expect(there).toMatchObject({ there: true });
    expect(there.there && there.what.split('; ')).toHaveLength(3); // the document and both interpretations
    await plain.takeDown!(externalId, { ...down, reason: '政策已废止' });
    expect(publications().map((p) => p.state)).toEqual(['deleted', 'deleted', 'deleted']);
    expect(await plain.postStillThere!(externalId, down.nextAttempt())).toEqual({ there: false });
    expect((await axios.get(`${sim.url}/a/${externalId}`, { validateStatus: () => true })).status).toBe(410);
    await plain.takeDown!(externalId, { ...down.nextAttempt(), reason: '政策已废止' });

    // An attempt whose checkpoint was never saved: the articles are found by externalRef.
    sim.state.reset();
    const lost = context();
    const r = await plain.transmit(f.payload, lost);
    const bare = context();
    await plain.takeDown!(r.externalId, { ...bare, reason: 'retract' });
    expect(publications().every((p) => p.state === 'deleted')).toBe(true);

    // An article the site no longer knows (404) counts as gone.
    await plain.takeDown!('ns-999999-nothere', { ...context(blxw(), 'pkg-unknown@1→news_site:blxw'), reason: 'retract' });
  });

  it('a video interpretation with public media links: the 720p rendition and its poster go by URL', async () => {
    const clip = await ingestClip(media, 'policy-video', { width: 640, height: 360, seconds: 1 });
    const unit = makeUnit({
      media: { [clip.mediaId]: clip },
      interpretations: [{ form: 'video', title: '视频解读：老旧小区改造', body: '<p>三分钟看懂。</p>', mediaId: clip.mediaId }],
    });
    const f = withMedia.format(unit, blxw());
    const ctx = context();
    const result = await withMedia.transmit(f.payload, ctx);
    const video = publications().find((p) => p.title === '视频解读：老旧小区改造')!;
    const file = await media.renditions.get(clip.mediaId, 'news_site.video_720');
    const poster = await media.renditions.get(clip.mediaId, 'news_site.poster');
    expect(video.extra).toMatchObject({ kind: 'video' });
    expect(video.media).toEqual([`${MEDIA_HOST}/r/${poster.sha256}.jpg`, `${MEDIA_HOST}/r/${file.sha256}.mp4`]);
    expect([file.width, file.height]).toEqual([1280, 720]);
    reviewDone();
    expect((await withMedia.confirm!(result.externalId, ctx.nextAttempt())).state).toBe('live');
  });
});

describe('status queries sharing one sweep (statusSweepSec)', () => {
  const SWEEP = { waitMs: 5_000, sweepEveryMs: 150 };
  let mark = 0;
  /** From here on, statusReads counts. */
  const markRequests = () => (mark = sim.state.requests().length);
  /** Status reads the site saw since markRequests: batch reads (`GET /api/v1/articles?ids=`) and single reads. */
  const statusReads = () => {
    const gets = sim.state
      .requests()
      .slice(mark)
      .filter((r) => r.method === 'GET' && r.path.startsWith('/api/v1/articles'));
    return { batch: gets.filter((r) => r.path === '/api/v1/articles').length, single: gets.filter((r) => r.path !== '/api/v1/articles').length };
  };
  /** Five policy packages (document + interpretation each) submitted to the site: ten articles in review. */
  async function submitFive(adapter = plain) {
    const sent: { externalId: string; ctx: TestTransmitContext<MediaCenterCheckpoint> }[] = [];
    for (let i = 1; i <= 5; i++) {
      const f = adapter.format(makeUnit({ packageId: `pkg-sweep-${i}` }), blxw());
      const ctx = context(blxw(), `pkg-sweep-${i}@1→news_site:blxw`);
      const { externalId } = await adapter.transmit(f.payload, ctx);
      sent.push({ externalId, ctx: ctx.nextAttempt() });
    }
    return sent;
  }
  const waiting = (ctx: TestTransmitContext<MediaCenterCheckpoint>, statusWait = SWEEP) => Object.assign(ctx, { statusWait });

  it('five deliveries waiting for review are asked about in one request per sweep, and each answers live as soon as the site publishes', async () => {
    const adapter = createMediaCenterAdapter('news_site', { columns });
    const sent = await submitFive(adapter);
    markRequests();
    // A wait no loaded machine comes near: answering before it is over is answering at the review.
    const longWait = { ...SWEEP, waitMs: 120_000 };
    const started = Date.now();
    const answers = Promise.all(sent.map((s) => adapter.confirm!(s.externalId, waiting(s.ctx, longWait))));
    // The site publishes once the sweep has asked three times (≈ 450 ms in), however long that takes.
    await expect.poll(() => statusReads().batch, { interval: 10 }).toBeGreaterThanOrEqual(3);
    const readsBeforeReview = statusReads().batch;
    reviewDone();
    const results = await answers;
    const tookMs = Date.now() - started;

    expect(results.map((r) => r.state)).toEqual(['live', 'live', 'live', 'live', 'live']);
    expect(results.map((r) => (r.state === 'live' ? r.externalId : null))).toEqual(sent.map((s) => s.externalId));
    // Long before the wait is over: the first sweep after the review finished answered all five.
    expect(tookMs).toBeLessThan(longWait.waitMs);
    const reads = statusReads();
    // Ten articles of five queries: one batch read per sweep, never one read per article or per
    // query. The sweep after the review answered all five (or the one the site was answering when
    // the review ended).
    expect(reads.single).toBe(0);
    expect(reads.batch).toBeGreaterThanOrEqual(readsBeforeReview);
    expect(reads.batch).toBeLessThanOrEqual(readsBeforeReview + 1);
  });

  it('a query that sees nothing final answers pending when its wait is over, having asked once per sweep', async () => {
    const adapter = createMediaCenterAdapter('news_site', { columns });
    const [one] = await submitFive(adapter);
    markRequests();
    const started = Date.now();
    const r = await adapter.confirm!(one!.externalId, waiting(one!.ctx, { waitMs: 2_000, sweepEveryMs: 200 }));
    const tookMs = Date.now() - started;
    expect(r).toMatchObject({ state: 'pending', note: expect.stringContaining('0 of 2 articles published') });
    expect(tookMs).toBeGreaterThanOrEqual(2_000);
    const reads = statusReads();
    expect(reads.single).toBe(0);
    // Asked again and again while it waited (sweeps late on a loaded machine are fewer: 11 at
    // 0, 200, … 2,000 ms on an idle one), and no more once the wait was over: sweeps start at
    // least 200 ms apart (a timer may fire a millisecond early), so a query that kept waiting
    // past 2 s would have made more than 12.
    expect(reads.batch).toBeGreaterThanOrEqual(4);
    expect(reads.batch).toBeLessThanOrEqual(12);
  });

  it('an article the site no longer knows is read on its own (404) and refuses the delivery; a rejected one answers at once', async () => {
    const adapter = createMediaCenterAdapter('news_site', { columns });
    const [gone, refused] = await submitFive(adapter);
    gone!.ctx.store.save({ articles: { ...gone!.ctx.store.current().articles, 'interpretation-1': { id: 'ns-999999-nothere', idempotencyKey: 'k' } } });
    sim.state.addFault({ match: '/api/v1/articles', method: 'POST', kind: 'async_fail', count: 1, message: '标题与正文不符' });
    const f = adapter.format(makeUnit({ packageId: 'pkg-sweep-refused' }), blxw());
    const rctx = context(blxw(), 'pkg-sweep-refused@1→news_site:blxw');
    const { externalId } = await adapter.transmit(f.payload, rctx);
    reviewDone();
    markRequests();
    const [a, b, c] = await Promise.all([
      adapter.confirm!(gone!.externalId, waiting(gone!.ctx.nextAttempt())),
      adapter.confirm!(externalId, waiting(rctx.nextAttempt())),
      adapter.confirm!(refused!.externalId, waiting(refused!.ctx)),
    ]);
    expect(a).toMatchObject({ state: 'rejected', message: expect.stringContaining('interpretation 1 (article ns-999999-nothere) no longer exists') });
    expect(b).toMatchObject({ state: 'rejected', message: expect.stringContaining('标题与正文不符') });
    expect(c.state).toBe('live');
    // One batch read for the five articles, one single read for the unknown id.
    expect(statusReads()).toEqual({ batch: 1, single: 1 });
  });

  it("the site's 429 fails every query waiting at that sweep with its Retry-After; the next sweep reads again", async () => {
    const adapter = createMediaCenterAdapter('news_site', { columns });
    const sent = await submitFive(adapter);
    sim.state.addFault({ match: '/api/v1/articles', method: 'GET', kind: 'rate_limit', count: 1, retryAfterSeconds: 7 });
    const failures = await Promise.all(sent.slice(0, 3).map((s) => rejection(adapter.confirm!(s.externalId, waiting(s.ctx)))));
    expect(failures.map((e) => [e.errorClass, e.retryAfterMs])).toEqual([
      ['rate_limited', 7_000],
      ['rate_limited', 7_000],
      ['rate_limited', 7_000],
    ]);
    reviewDone();
    expect((await adapter.confirm!(sent[0]!.externalId, waiting(sent[0]!.ctx))).state).toBe('live');
  });

  it('a waiting query ends as soon as its activity is cancelled (a worker stopping), and the sweep stops asking', async () => {
    const adapter = createMediaCenterAdapter('news_site', { columns });
    const [one] = await submitFive(adapter);
    const stop = new AbortController();
    const started = Date.now();
    const query = adapter.confirm!(one!.externalId, Object.assign(waiting(one!.ctx), { signal: stop.signal }));
    setTimeout(() => stop.abort(new Error('worker stopping')), 300);
    await expect(query).rejects.toThrow('worker stopping');
    // Not at the end of its wait (the articles stay in review): when it was cancelled.
    expect(Date.now() - started).toBeLessThan(SWEEP.waitMs);
    // A sweep already on the wire when the query left ends as it began (a loaded machine counted its
    // read after the mark); from then on nothing asks.
    await new Promise((r) => setTimeout(r, 1_000));
    markRequests();
    await new Promise((r) => setTimeout(r, 500));
    expect(statusReads()).toEqual({ batch: 0, single: 0 });
  });

  it('without statusWait the query reads each article on its own, as before', async () => {
    const adapter = createMediaCenterAdapter('news_site', { columns });
    const [one] = await submitFive(adapter);
    markRequests();
    expect((await adapter.confirm!(one!.externalId, one!.ctx)).state).toBe('pending');
    expect(statusReads()).toEqual({ batch: 0, single: 2 });
  });
});

describe('the simulator batch read (GET /api/v1/articles?ids=)', () => {
  it("returns the client's articles among the ids, in any state, and refuses an empty or oversized list", async () => {
    const f = plain.format(makeUnit(), blxw());
    const { externalId } = await plain.transmit(f.payload, context());
    const token = (await axios.post(`${sim.url}/api/v1/auth/token`, { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET })).data.accessToken as string;
    const get = (ids: string) =>
      axios.get(`${sim.url}/api/v1/articles`, { params: { ids, limit: 100 }, headers: { Authorization: `Bearer ${token}` }, validateStatus: () => true });
    const found = await get(`${externalId},ns-999999-nothere`);
    expect(found.status).toBe(200);
    expect(found.data.items.map((a: { id: string }) => a.id)).toEqual([externalId]);
    expect(found.data.items[0].status).toBe('pending');
    expect((await get('')).data.error.code).toBe('validation_failed');
    const tooMany = await get(Array.from({ length: 101 }, (_, i) => `ns-${i}`).join(','));
    expect([tooMany.status, tooMany.data.error.code]).toEqual([400, 'validation_failed']);
  });
});
