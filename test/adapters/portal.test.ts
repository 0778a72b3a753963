/**
 * The portal static publisher: the pure format step (every limit and warning), transmit/takeDown
 * on a real temporary web root with real renditions (sharp pictures in a real media store),
 * atomic generations under concurrency (in-process and across processes), the lock, cleanup, and
 * the read-only routes of serve.ts.
 */
import { execFile, spawn } from 'node:child_process';
import { lstat, mkdir, readdir, readFile, realpath, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeliveryError, isDeliveryError } from '../../adapters/errors.js';
import { createPortalAdapter, PORTAL_LIMITS, portalColumnUrls, portalPageUrls, type PortalAdapter } from '../../adapters/portal/index.js';
import { figureMarker, parsePortalExternalId, type PortalPayload } from '../../adapters/portal/payload.js';
import { registerPortalRoutes } from '../../adapters/portal/serve.js';
import type { ListState, PackageRecord, RootState } from '../../adapters/portal/state.js';
import { catalogueCategoryPath, portalColumnPaths, portalPagePaths } from '../../adapters/portal/urls.js';
import type { MediaInfo, ReleaseUnit, RenditionSource } from '../../adapters/types.js';
import type { Channel } from '../../domain/registry.js';
import { GovpubError } from '../../domain/errors.js';
import { resolveMediaBinaries } from '../../media/binaries.js';
import { ingestUpload } from '../../media/index.js';
import { ffmpegSync } from '../media/fixtures.js';
import { makeTestMedia, makeTransmitContext, type TestMedia } from './support.js';

/** A Chinese sentence: every refusal carries one written where it arose. */
const ZH = expect.stringMatching(/[\u4e00-\u9fff]/);

const BASE_URL = 'http://127.0.0.1:8080/portal';
const REPO_ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');

// ── Fixtures ─────────────────────────────────────────────────────────────────────────────────

function portalChannel(ref: string, name = `政务公开 > 政策文件 > 栏目${ref}`): Channel {
  return { id: `portal:${ref}`, platform: 'portal', kind: 'portal_column', name, publishing: 'api', ref } as Channel;
}

const FAKE = { image: 'a'.repeat(64), cover: 'b'.repeat(64), graphic: 'e'.repeat(64), video: 'c'.repeat(64), audio: 'd'.repeat(64) };

function imageInfo(mediaId: string, width = 2400, height = 1600): MediaInfo {
  return { mediaId, kind: 'image', mime: 'image/jpeg', sizeBytes: 100_000, width, height, name: `${mediaId.slice(0, 6)}.jpg` };
}

/** A policy document with a text and a graphic interpretation, a body picture, a cover and an attachment link. */
function makeUnit(overrides: Partial<ReleaseUnit> = {}, ids: { image: string; cover: string; graphic: string } = FAKE): ReleaseUnit {
  return {
    packageId: 'pkg-20250601-0a1b2c3d',
    revision: 1,
    contentHash: 'hash-r1',
    title: '关于印发《碑林区老旧小区改造实施办法》的通知',
    catalogue: { id: 'zcwj', name: '区政府文件', contentClass: 'policy' },
    document: {
      title: '关于印发《碑林区老旧小区改造实施办法》的通知',
      body:
        '<p>各街道办事处，区政府各工作部门：</p><p>现将《碑林区老旧小区改造实施办法》印发给你们，请认真贯彻执行。</p>' +
        `<figure><img src="/api/media/${ids.image}/content" alt="改造后的小区全景"><figcaption>改造后的小区</figcaption></figure>`,
      documentNumber: '碑政发〔2025〕12号',
      issuingUnit: '西安市碑林区人民政府',
      formedAt: '2025-05-28',
      attachments: [{ name: '改造项目清单', url: 'https://www.beilin.gov.cn/files/list.pdf' }],
    },
    interpretations: [
      { form: 'text', title: '老旧小区改造实施办法政策解读', body: '<p>办法明确了改造范围、资金来源和居民参与方式。</p>', interpreter: '区住建局局长 张某' },
      { form: 'graphic', title: '图解：老旧小区改造实施办法', body: '<p>图解说明：改造分三步走。</p>', mediaId: ids.graphic },
    ],
    cover: { mediaId: ids.cover, alt: '老旧小区改造现场' },
    media: { [ids.image]: imageInfo(ids.image), [ids.cover]: imageInfo(ids.cover, 1600, 1000), [ids.graphic]: imageInfo(ids.graphic, 800, 1600) },
    portalLinks: null,
    releasedAt: '2025-06-01T02:00:00.000Z',
    ...overrides,
  };
}

function withDocument(patch: Partial<ReleaseUnit['document']>, rest: Partial<ReleaseUnit> = {}): ReleaseUnit {
  const unit = makeUnit(rest);
  return { ...unit, document: { ...unit.document, ...patch } };
}

function rejectionOf(fn: () => unknown): DeliveryError {
  try {
    fn();
  } catch (error) {
    if (isDeliveryError(error)) return error;
    throw error;
  }
  throw new Error('expected format to reject the unit');
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

// ── Reading a web root ───────────────────────────────────────────────────────────────────────

async function currentDir(webRoot: string): Promise<string> {
  return realpath(path.join(webRoot, 'current'));
}

async function readCurrent(webRoot: string, relative: string): Promise<string> {
  return readFile(path.join(await currentDir(webRoot), relative), 'utf8');
}

async function isFileIn(dir: string, relative: string): Promise<boolean> {
  try {
    return (await stat(path.join(dir, relative))).isFile();
  } catch {
    return false;
  }
}

/** The article directory of a package: art/<bucket>/<id>. */
function artDir(packageId: string): string {
  return portalPagePaths(packageId, 0).directory;
}

interface SiteView {
  generation: number;
  packages: Record<string, { revision: number; columns: string[]; media: string[]; cover: { file: string } | null }>;
  columns: Record<string, { path: string[]; packages: string[] }>;
}

/** The sharded site state of a generation gathered into one view (tests only: a commit never reads it all). */
async function siteStateOf(gen: string): Promise<SiteView> {
  const root = JSON.parse(await readFile(path.join(gen, '.govpub/site.json'), 'utf8')) as RootState;
  const view: SiteView = { generation: root.generation, packages: {}, columns: {} };
  for (const unit of Object.keys(root.units)) {
    if (unit.startsWith('art/')) {
      for (const name of await readdir(path.join(gen, unit))) {
        const record = JSON.parse(await readFile(path.join(gen, unit, name, '.package.json'), 'utf8')) as PackageRecord;
        view.packages[record.entry.item.packageId] = {
          revision: record.entry.revision,
          columns: record.entry.columns,
          media: record.entry.media,
          cover: record.entry.item.cover,
        };
      }
    } else if (unit.startsWith('col/')) {
      const list = JSON.parse(await readFile(path.join(gen, unit, '.state.json'), 'utf8')) as ListState;
      const id = decodeURIComponent(unit.slice(4));
      view.columns[id] = { path: root.columns[id]!.path, packages: Object.keys(list.entries) };
    }
  }
  return view;
}

async function manifestOf(webRoot: string): Promise<SiteView> {
  return siteStateOf(await currentDir(webRoot));
}

/** Every URL of the sitemap: the index's parts, read from the generation. */
async function sitemapUrls(gen: string): Promise<string[]> {
  const index = await readFile(path.join(gen, 'sitemap.xml'), 'utf8');
  expect(index).toContain('<sitemapindex');
  const urls: string[] = [];
  for (const m of index.matchAll(/<loc>([^<]+)<\/loc>/g)) {
    const part = await readFile(path.join(gen, m[1]!.slice(BASE_URL.length + 1)), 'utf8');
    for (const u of part.matchAll(/<loc>([^<]+)<\/loc>/g)) urls.push(u[1]!);
  }
  return urls;
}

/** Every local href/src/poster/srcset target of a page (absolute URLs and fragments left out). */
function localLinks(html: string): string[] {
  const out: string[] = [];
  for (const m of html.matchAll(/\b(?:href|src|poster)="([^"]*)"/g)) {
    const url = m[1]!.replace(/&amp;/g, '&');
    if (/^[a-z]+:/i.test(url) || url.startsWith('#') || url.startsWith('//')) continue;
    out.push(url);
  }
  for (const m of html.matchAll(/\bsrcset="([^"]*)"/g)) {
    for (const candidate of m[1]!.split(',')) out.push(candidate.trim().split(/\s+/)[0]!);
  }
  return out;
}

function resolveLink(pagePath: string, href: string): string {
  return path.posix.normalize(path.posix.join(path.posix.dirname(pagePath), href.split('#')[0]!));
}

/** Links of a page that do not resolve to a file of the same generation. */
async function brokenLinks(genDir: string, pagePath: string): Promise<string[]> {
  const html = await readFile(path.join(genDir, pagePath), 'utf8');
  const broken: string[] = [];
  for (const href of localLinks(html)) {
    const target = resolveLink(pagePath, href);
    if (target.startsWith('..') || !(await isFileIn(genDir, target))) broken.push(`${pagePath} → ${href}`);
  }
  return broken;
}

const VOID_ELEMENTS = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr']);

/** What a validator or an inspector flags: doctype, language, charset, viewport, title, alt, unique ids, nesting. */
function htmlProblems(html: string): string[] {
  const problems: string[] = [];
  if (!html.startsWith('<!DOCTYPE html>')) problems.push('no HTML5 doctype');
  if (!/<html lang="zh-CN">/.test(html)) problems.push('html lang is not zh-CN');
  const head = /<head>([\s\S]*?)<\/head>/.exec(html)?.[1] ?? '';
  if (!/^\s*<meta charset="utf-8">/.test(head)) problems.push('meta charset utf-8 is not first in head');
  if (!head.includes('<meta name="viewport" content="width=device-width, initial-scale=1">')) problems.push('no viewport');
  if (!/<title>[^<]+<\/title>/.test(head)) problems.push('no title');
  for (const img of html.matchAll(/<img\b[^>]*>/g)) if (!/\balt="[^"]+"/.test(img[0])) problems.push(`image without alt: ${img[0].slice(0, 80)}`);
  const ids = [...html.matchAll(/\bid="([^"]+)"/g)].map((m) => m[1]!);
  for (const id of new Set(ids)) if (ids.filter((x) => x === id).length > 1) problems.push(`duplicate id ${id}`);
  const stack: string[] = [];
  for (const m of html.replace(/<!--[\s\S]*?-->/g, '').matchAll(/<(\/?)([a-zA-Z][a-zA-Z0-9-]*)\b[^>]*>/g)) {
    const name = m[2]!.toLowerCase();
    if (VOID_ELEMENTS.has(name)) continue;
    if (!m[1]) stack.push(name);
    else if (stack.pop() !== name) {
      problems.push(`</${name}> closes the wrong element`);
      break;
    }
  }
  if (stack.length > 0) problems.push(`unclosed: ${stack.join(', ')}`);
  if (/<p>\s*<(figure|div|section|table|ul)\b/.test(html)) problems.push('block element inside <p>');
  return problems;
}

function entryCount(html: string): number {
  return (html.match(/<li class="entry">/g) ?? []).length;
}

// ═════════════════════════════════════════════════════════════════════════════════════════════
// format
// ═════════════════════════════════════════════════════════════════════════════════════════════

describe('format (pure)', () => {
  const adapter = createPortalAdapter({ webRoot: '/nonexistent/portal-format-only', publicBaseUrl: BASE_URL });
  const channel = portalChannel('zwgk-zcwj', '政务公开 > 政策文件');

  it('turns a unit into a payload: column path, figures as markers, metadata, forms, every rendition once, no warnings', () => {
    const unit = makeUnit();
    const { payload, renditions, warnings } = adapter.format(unit, channel);
    expect(warnings).toEqual([]);
    expect(payload.column).toEqual({ id: 'zwgk-zcwj', path: ['政务公开', '政策文件'] });
    expect(payload).toMatchObject({
      version: 1,
      packageId: unit.packageId,
      revision: 1,
      contentHash: 'hash-r1',
      releasedAt: '2025-06-01T02:00:00.000Z',
      catalogueName: '区政府文件',
    });
    expect(payload.document).toMatchObject({ documentNumber: '碑政发〔2025〕12号', issuingUnit: '西安市碑林区人民政府', formedAt: '2025-05-28' });
    expect(payload.document.bodyHtml).toContain(figureMarker(0));
    expect(payload.document.bodyHtml).not.toContain('<img');
    expect(payload.figures[0]).toEqual({ mediaId: FAKE.image, alt: '改造后的小区全景' });
    expect(payload.interpretations.map((i) => i.formLabel)).toEqual(['文字解读', '图表解读']);
    expect(payload.interpretations[1]!.lead).toEqual({ kind: 'figure', figure: 1 });
    expect(payload.figures[1]).toEqual({ mediaId: FAKE.graphic, alt: '图解：老旧小区改造实施办法' });
    expect(payload.summary).toMatch(/^各街道办事处/);
    expect(payload.document.attachments).toEqual([{ name: '改造项目清单', href: 'https://www.beilin.gov.cn/files/list.pdf', media: null }]);
    const specs = renditions.map((r) => `${r.mediaId.slice(0, 1)} ${r.spec}`).sort();
    expect(specs).toEqual(
      [
        'b portal.cover',
        ...['a', 'e'].flatMap((m) => ['w480.webp', 'w480.jpg', 'w960.webp', 'w960.jpg', 'w1600.webp', 'w1600.jpg'].map((s) => `${m} portal.${s}`)),
      ].sort(),
    );
    expect(new Set(renditions.map((r) => `${r.mediaId} ${r.spec}`)).size).toBe(renditions.length);
  });

  it('is pure: the same unit gives the same payload, the unit is not touched, dates come from the unit', () => {
    const unit = deepFreeze(makeUnit());
    const first = adapter.format(unit, channel);
    const second = adapter.format(unit, channel);
    expect(second).toEqual(first);
    expect(JSON.parse(JSON.stringify(first.payload))).toEqual(first.payload); // plain JSON
    const later = adapter.format({ ...makeUnit(), releasedAt: '2026-01-02T03:04:05+08:00' }, channel);
    expect(later.payload.releasedAt).toBe('2026-01-01T19:04:05.000Z');
  });

  it('takes the column path from the columnName option (the registry) over channel.name', () => {
    const named = createPortalAdapter({
      webRoot: '/nonexistent/x',
      publicBaseUrl: BASE_URL,
      columnName: (id) => (id === 'zwgk-zcwj' ? '政府信息公开 > 法定主动公开内容 > 政策文件' : undefined),
    });
    expect(named.format(makeUnit(), channel).payload.column.path).toEqual(['政府信息公开', '法定主动公开内容', '政策文件']);
    expect(named.format(makeUnit(), portalChannel('other', 'A > B')).payload.column.path).toEqual(['A', 'B']);
  });

  it('declares its capabilities and limits', () => {
    expect(adapter.platform).toBe('portal');
    expect(adapter.capabilities).toMatchObject({
      publishing: 'api',
      canDelete: true,
    });
    expect(adapter.capabilities.limits).toEqual({ ...PORTAL_LIMITS });
  });

  it('normalizes 成文日期 written as 2025年6月1日 or as an ISO time (China date)', () => {
    expect(adapter.format(withDocument({ formedAt: '2025年6月1日' }), channel).payload.document.formedAt).toBe('2025-06-01');
    expect(adapter.format(withDocument({ formedAt: '2025-05-31T20:00:00Z' }), channel).payload.document.formedAt).toBe('2025-06-01');
  });

  it('drops HTML comments from bodies so an editor cannot forge figure markers', () => {
    const unit = withDocument({ body: `<p>正文<!--portal-figure:0--></p>` });
    const { payload } = adapter.format({ ...unit, interpretations: [] }, channel);
    expect(payload.document.bodyHtml).toBe('<p>正文</p>');
    expect(payload.figures).toEqual([]);
  });

  it('keeps the links a reader of the portal can follow: http(s), mailto: and places on the page', () => {
    const body =
      '<p><a href="https://www.shaanxi.gov.cn/zcwj/1.html?a=1&amp;b=2">省级政策</a> <a href="HTTP://www.beilin.gov.cn/">碑林</a> ' +
      '<a href="mailto:zwgk@beilin.gov.cn">来信</a> <a href="#part2">第二部分</a> <a>无地址</a></p>';
    const { payload, warnings } = adapter.format({ ...withDocument({ body }), interpretations: [] }, channel);
    expect(payload.document.bodyHtml).toBe(body);
    expect(warnings).toEqual([]);
  });

  describe('warnings (the delivery goes on)', () => {
    it('an image without alt text gets its caption, outside a figure the page title', () => {
      const body =
        `<figure><img src="/api/media/${FAKE.image}/content"><figcaption>老城墙 <b>南门</b></figcaption></figure>` +
        `<p><img src="/api/media/${FAKE.image}/content" alt=""></p>`;
      const { payload, warnings } = adapter.format(withDocument({ body }), channel);
      expect(payload.figures.slice(0, 2).map((f) => f.alt)).toEqual(['老城墙 南门', makeUnit().document.title]);
      expect(warnings).toEqual([
        expect.stringMatching(/^document\.body: image 1 has no alt text; the portal uses its caption 「老城墙 南门」 instead/),
        expect.stringMatching(/^document\.body: image 2 has no alt text; the portal uses its page title/),
      ]);
    });

    it('alt text with entities is decoded once (escaped again when rendered)', () => {
      const body = `<p><img src="/api/media/${FAKE.image}/content" alt="A &amp; B &lt;图&gt;"></p>`;
      expect(adapter.format(withDocument({ body }), channel).payload.figures[0]!.alt).toBe('A & B <图>');
    });

    it('a cover without alt text gets the title', () => {
      const { payload, warnings } = adapter.format(makeUnit({ cover: { mediaId: FAKE.cover, alt: ' ' } }), channel);
      expect(payload.cover).toEqual({ mediaId: FAKE.cover, alt: makeUnit().document.title });
      expect(warnings).toEqual([expect.stringMatching(/^The cover has no alt text/)]);
    });

    it('a policy document without 发文字号, 发布机构 or 成文日期 is flagged (inspectors check them)', () => {
      const { payload, warnings } = adapter.format(withDocument({ documentNumber: '', issuingUnit: undefined, formedAt: undefined }), channel);
      expect(payload.document).toMatchObject({ documentNumber: null, issuingUnit: null, formedAt: null });
      expect(warnings).toEqual([expect.stringMatching(/发文字号 \(document number\), 发布机构 \(issuing unit\), 成文日期/)]);
      // Other content classes need not have them.
      const news = makeUnit({ catalogue: { id: 'n', name: '碑林要闻', contentClass: 'news' } });
      expect(adapter.format({ ...news, document: { ...news.document, documentNumber: undefined } }, channel).warnings).toEqual([]);
    });

    it('a 成文日期 after the release date is flagged', () => {
      expect(adapter.format(withDocument({ formedAt: '2025-06-05' }), channel).warnings).toEqual([
        expect.stringMatching(/成文日期 2025-06-05 is after the release date 2025-06-01/),
      ]);
    });
  });

  describe("rejections (every limit, in the editor's terms)", () => {
    const long = (n: number) => '字'.repeat(n);
    const manyImages = (n: number) => Array.from({ length: n }, () => `<img src="/api/media/${FAKE.image}/content" alt="图">`).join('');
    const base = makeUnit();
    const cases: [string, ReleaseUnit, string, RegExp][] = [
      ['empty title', withDocument({ title: '' }, { title: '' }), 'document.title', /title is empty/],
      ['title too long', withDocument({ title: long(201) }), 'document.title', /201 characters, 1 over the portal's 200/],
      ['empty document', withDocument({ body: '<p> </p>' }), 'document.body', /no text and no image/],
      ['body too long', withDocument({ body: `<p>${long(PORTAL_LIMITS.bodyMaxChars)}</p>` }), 'document.body', /over the portal's 300000 per page/],
      ['too many images', withDocument({ body: manyImages(101) }), 'document.body', /101 images on one page, 1 over the portal's 100/],
      [
        'image from elsewhere',
        withDocument({ body: '<p>x<img src="https://example.com/a.jpg" alt="a"></p>' }),
        'document.body',
        /image 1 \(https:\/\/example\.com\/a\.jpg\) is not an uploaded picture/,
      ],
      [
        'a video as body image',
        {
          ...withDocument({ body: `<p>x<img src="/api/media/${FAKE.video}/content" alt="v"></p>` }),
          media: { ...base.media, [FAKE.video]: { ...imageInfo(FAKE.video), kind: 'video', mime: 'video/mp4' } },
        },
        'document.body',
        /image 1 is a video .* not a picture/,
      ],
      [
        'a link to an upload (only govpub users can open it)',
        withDocument({ body: `<p>见<a href="https://www.beilin.gov.cn/a">通知</a>和<a href="/api/media/${FAKE.image}/content">附件</a></p>` }),
        'document.body',
        /link 2 \(\/api\/media\/a{20}.*\) leads to an uploaded file, which only govpub's users can open: add the file to the document as an attachment/,
      ],
      [
        'a relative link (pasted from another site)',
        withDocument({ body: '<p><a href="#part2">第二部分</a><a href="mailto:zwgk@beilin.gov.cn">来信</a><a href="../zwgk/1.html">原文</a></p>' }),
        'document.body',
        /link 3 \(\.\.\/zwgk\/1\.html\) is not a full http\(s\) address: on the portal page it would lead nowhere/,
      ],
      [
        'a site path in an interpretation',
        makeUnit({ interpretations: [{ form: 'text', title: 't', body: '<p><a href="/portal/index.html">首页</a></p>' }] }),
        'interpretations[0].body',
        /link 1 \(\/portal\/index\.html\) is not a full http\(s\) address/,
      ],
      ['发文字号 too long', withDocument({ documentNumber: long(101) }), 'document.documentNumber', /发文字号 has 101 characters, 1 over the portal's 100/],
      ['发布机构 too long', withDocument({ issuingUnit: long(101) }), 'document.issuingUnit', /发布机构 has 101 characters/],
      ['成文日期 not a date', withDocument({ formedAt: '2025-02-30' }), 'document.formedAt', /not a date: write it as 2025-06-01/],
      ['release time not a time', makeUnit({ releasedAt: 'tomorrow' }), 'releasedAt', /not an ISO 8601 date/],
      ['package id unusable in a path', makeUnit({ packageId: '../etc' }), 'packageId', /cannot become a page address/],
      [
        'too many interpretations',
        makeUnit({ interpretations: Array.from({ length: 21 }, (_, i) => ({ form: 'text', title: `解读${i}`, body: '<p>x</p>' })) }),
        'interpretations',
        /21 interpretations, 1 more than the portal's 20/,
      ],
      [
        'interpretation without title',
        makeUnit({ interpretations: [{ form: 'text', title: ' ', body: '<p>x</p>' }] }),
        'interpretations[0].title',
        /title is empty/,
      ],
      [
        'interpreter too long',
        makeUnit({ interpretations: [{ form: 'text', title: 't', body: '<p>x</p>', interpreter: long(101) }] }),
        'interpretations[0].interpreter',
        /解读人 has 101/,
      ],
      [
        'video interpretation without video',
        makeUnit({ interpretations: [{ form: 'video', title: 't', body: '' }] }),
        'interpretations[0].mediaId',
        /needs its video file/,
      ],
      [
        'audio interpretation with a picture',
        makeUnit({ interpretations: [{ form: 'audio', title: 't', body: '', mediaId: FAKE.image }] }),
        'interpretations[0].mediaId',
        /needs an audio file, but its file is an image/,
      ],
      [
        'interpretation file not uploaded',
        makeUnit({ interpretations: [{ form: 'video', title: 't', body: '', mediaId: 'f'.repeat(64) }] }),
        'interpretations[0].mediaId',
        /not among the package's uploads/,
      ],
      [
        'H5 without its address',
        makeUnit({ interpretations: [{ form: 'h5', title: 't', body: '<p>x</p>' }] }),
        'interpretations[0].url',
        /H5 interpretation needs the address/,
      ],
      [
        'link that is not http(s)',
        makeUnit({ interpretations: [{ form: 'h5', title: 't', body: '', url: 'javascript:alert(1)' }] }),
        'interpretations[0].url',
        /not an http\(s\) address/,
      ],
      // An older revision, saved before such addresses were refused: the page gets no link a browser would repair.
      [
        'H5 link of just http:// (an older revision)',
        makeUnit({ interpretations: [{ form: 'h5', title: 't', body: '<p>x</p>', url: 'http://' }] }),
        'interpretations[0].url',
        /"http:\/\/" is not an http\(s\) address a page may link to: it has no host/,
      ],
      [
        'H5 link without a host (an older revision)',
        makeUnit({ interpretations: [{ form: 'h5', title: 't', body: '<p>x</p>', url: 'http:///h5/index.html' }] }),
        'interpretations[0].url',
        /has no host/,
      ],
      [
        'H5 link with a space (an older revision)',
        makeUnit({ interpretations: [{ form: 'h5', title: 't', body: '<p>x</p>', url: 'https://www.beilin.gov.cn/h5 page.html' }] }),
        'interpretations[0].url',
        /contains spaces or control characters/,
      ],
      [
        'attachment link without a host (an older revision)',
        withDocument({ attachments: [{ name: 'a', url: 'https://' }] }),
        'document.attachments[0]',
        /not an http\(s\) address/,
      ],
      [
        'empty interpretation',
        makeUnit({ interpretations: [{ form: 'text', title: 't', body: '<p></p>' }] }),
        'interpretations[0].body',
        /no text, no file and no link/,
      ],
      [
        'a video as cover',
        { ...makeUnit(), media: { ...base.media, [FAKE.cover]: { ...imageInfo(FAKE.cover), kind: 'video', mime: 'video/mp4' } } },
        'cover',
        /the cover is a video/,
      ],
      [
        'too many attachments',
        withDocument({ attachments: Array.from({ length: 51 }, (_, i) => ({ name: `附件${i}`, url: 'https://x.cn/a' })) }),
        'document.attachments',
        /51 attachments, 1 over/,
      ],
      ['attachment without name', withDocument({ attachments: [{ name: '', url: 'https://x.cn/a' }] }), 'document.attachments[0]', /has no name/],
      ['attachment without file or link', withDocument({ attachments: [{ name: 'a' }] }), 'document.attachments[0]', /neither a file nor a link/],
      [
        'attachment link not http(s)',
        withDocument({ attachments: [{ name: 'a', url: 'file:///etc/passwd' }] }),
        'document.attachments[0]',
        /not an http\(s\) address/,
      ],
      [
        'attachment file not uploaded',
        withDocument({ attachments: [{ name: 'a', mediaId: 'f'.repeat(64) }] }),
        'document.attachments[0]',
        /not among the package's uploads/,
      ],
    ];
    it.each(cases)('%s', (_name, unit, field, message) => {
      const error = rejectionOf(() => adapter.format(unit, channel));
      expect(error.errorClass).toBe('rejected');
      expect(error.problems).toContainEqual({ field, message: expect.stringMatching(message), messageZh: ZH });
      expect(error.message).toMatch(/^The district portal cannot take this package as it is: /);
    });

    it('a channel that is not a portal column is refused', () => {
      const error = rejectionOf(() => adapter.format(makeUnit(), { ...channel, platform: 'weibo', id: 'weibo:x' }));
      expect(error.problems).toContainEqual({
        field: 'channel',
        message: expect.stringMatching(/not a portal column channel/),
        messageZh: expect.stringContaining('不是门户网站栏目渠道'),
      });
    });

    it('lists every problem at once', () => {
      const unit = makeUnit({ title: '', releasedAt: 'x', interpretations: [{ form: 'h5', title: '', body: '' }] });
      const error = rejectionOf(() => adapter.format({ ...unit, document: { ...unit.document, title: '', body: '' } }, channel));
      expect(error.problems.map((p) => p.field).sort()).toEqual([
        'document.body',
        'document.title',
        'interpretations[0].body',
        'interpretations[0].title',
        'interpretations[0].url',
        'releasedAt',
      ]);
    });
  });
});

describe('external ids', () => {
  it('are <columnId>/<packageId> and refuse anything else', () => {
    expect(parsePortalExternalId('zwgk-zcwj/pkg-1')).toEqual({ columnId: 'zwgk-zcwj', packageId: 'pkg-1' });
    for (const bad of ['', 'x', '/pkg', 'col/', 'col/../x', 'col/a/b']) expect(parsePortalExternalId(bad)).toBeNull();
  });

  it('page paths and public URLs agree', () => {
    const paths = portalPagePaths('pkg-1', 2);
    expect(portalPageUrls(`${BASE_URL}/`, 'pkg-1', 2)).toEqual({
      document: `${BASE_URL}/${paths.document}`,
      interpretations: paths.interpretations.map((p) => `${BASE_URL}/${p}`),
    });
    expect(portalColumnUrls(BASE_URL, 'c1')).toEqual({ index: `${BASE_URL}/col/c1/index.html`, rss: `${BASE_URL}/col/c1/rss.xml` });
    expect(portalColumnPaths('c1').page(3)).toBe('col/c1/page_3.html');
  });
});

// ═════════════════════════════════════════════════════════════════════════════════════════════
// transmit / takeDown on a real web root
// ═════════════════════════════════════════════════════════════════════════════════════════════

describe('publishing to a web root', () => {
  let media: TestMedia;
  let ids: { image: string; cover: string; graphic: string };
  let root = 0;
  const roots: string[] = [];

  beforeAll(async () => {
    media = await makeTestMedia('govpub-portal-');
    const [image, cover, graphic] = await Promise.all([
      media.photo('photo', 2000, 1333),
      media.photo('cover', 1600, 1000, { hue: '#b52f3c' }),
      media.photo('graphic', 800, 1600, { hue: '#2fb56d', format: 'png' }),
    ]);
    ids = { image: image!.mediaId, cover: cover!.mediaId, graphic: graphic!.mediaId };
  });
  afterAll(async () => {
    await media?.cleanup();
  });

  /** A fresh web root and an adapter writing it. */
  function newSite(options: Partial<Parameters<typeof createPortalAdapter>[0]> = {}): { webRoot: string; adapter: PortalAdapter } {
    root += 1;
    const webRoot = path.join(media.dir, `www-${root}`);
    roots.push(webRoot);
    return { webRoot, adapter: createPortalAdapter({ webRoot, publicBaseUrl: BASE_URL, ...options }) };
  }

  function unitFor(overrides: Partial<ReleaseUnit> = {}): ReleaseUnit {
    const unit = makeUnit(overrides, ids);
    unit.media = {
      [ids.image]: imageInfo(ids.image, 2000, 1333),
      [ids.cover]: imageInfo(ids.cover, 1600, 1000),
      [ids.graphic]: { ...imageInfo(ids.graphic, 800, 1600), mime: 'image/png' },
    };
    return unit;
  }

  async function publish(adapter: PortalAdapter, unit: ReleaseUnit, channel: Channel, renditions: RenditionSource = media.renditions) {
    const { payload } = adapter.format(unit, channel);
    return adapter.transmit(payload, makeTransmitContext({ channel, baseUrl: '', renditions }));
  }

  async function takeDown(adapter: PortalAdapter, externalId: string, channel: Channel) {
    await adapter.takeDown!(externalId, { ...makeTransmitContext({ channel, baseUrl: '' }), reason: 'test retraction' });
  }

  it('a delivery to an interpretation column leads to the interpretation that column lists first, not to the policy', async () => {
    const { adapter } = newSite();
    const unit = unitFor(); // 文字解读, then 图表解读
    const pages = portalPagePaths(unit.packageId, 2);
    const url = (page: string) => `${BASE_URL}/${page}`;
    const addressFrom = async (id: string, names: string) => (await publish(adapter, unit, portalChannel(id, names))).publicUrl;
    expect(await addressFrom('zcjd-tbjd', '政务公开 > 政策文件 > 政策解读 > 图表解读')).toBe(url(pages.interpretations[1]!));
    expect(await addressFrom('zcjd-wzjd', '政务公开 > 政策文件 > 政策解读 > 文字解读')).toBe(url(pages.interpretations[0]!));
    // 政策解读 lists them all, and so does a column of a form the package has none of: the first.
    expect(await addressFrom('zcjd', '政务公开 > 政策文件 > 政策解读')).toBe(url(pages.interpretations[0]!));
    expect(await addressFrom('zcjd-spjd', '政务公开 > 政策文件 > 政策解读 > 视频解读')).toBe(url(pages.interpretations[0]!));
    expect(await addressFrom('zwgk-zcwj', '政务公开 > 政策文件')).toBe(url(pages.document));
    // A package without interpretations in such a column is listed by its document.
    const alone = unitFor({ packageId: 'pkg-20250601-0e0e0e0e', interpretations: [] });
    const { payload } = adapter.format(alone, portalChannel('zcjd-wzjd', '政务公开 > 政策文件 > 政策解读 > 文字解读'));
    expect(
      (await adapter.transmit(payload, makeTransmitContext({ channel: portalChannel('zcjd-wzjd'), baseUrl: '', renditions: media.renditions }))).publicUrl,
    ).toBe(url(portalPagePaths(alone.packageId, 0).document));
  });

  it('publishes a package to two columns: linked pages, pictures, both indexes, home, RSS, sitemap', async () => {
    const { webRoot, adapter } = newSite();
    const unit = unitFor();
    const a = portalChannel('zwgk-zcwj', '政务公开 > 政策文件');
    const b = portalChannel('xwdt-tzgg', '新闻动态 > 通知公告');

    const resultA = await publish(adapter, unit, a);
    expect(resultA).toEqual({ state: 'live', externalId: `zwgk-zcwj/${unit.packageId}`, publicUrl: `${BASE_URL}/${artDir(unit.packageId)}/index.html` });
    const resultB = await publish(adapter, unit, b);
    expect(resultB).toMatchObject({ state: 'live', externalId: `xwdt-tzgg/${unit.packageId}`, publicUrl: resultA.publicUrl });

    const gen = await currentDir(webRoot);
    const pages = portalPagePaths(unit.packageId, 2);
    const documentPage = await readFile(path.join(gen, pages.document), 'utf8');
    const jd1 = await readFile(path.join(gen, pages.interpretations[0]!), 'utf8');
    const jd2 = await readFile(path.join(gen, pages.interpretations[1]!), 'utf8');

    // Valid HTML5 with what inspectors look at.
    for (const page of [pages.document, ...pages.interpretations, 'index.html', 'col/zwgk-zcwj/index.html', 'col/xwdt-tzgg/index.html', '404.html']) {
      expect(htmlProblems(await readFile(path.join(gen, page), 'utf8')), page).toEqual([]);
    }
    expect(documentPage).toContain('<title>关于印发《碑林区老旧小区改造实施办法》的通知 - 西安市碑林区人民政府</title>');
    expect(documentPage).toMatch(
      // A column the site runs without a registry for is a top-level orphan named by its delivered path's last part;
      // without a registry the home column is the first by id, whichever delivery came first.
      /当前位置：<a href="..\/..\/..\/index.html">首页<\/a>.*<a href="..\/..\/..\/col\/xwdt-tzgg\/index.html">通知公告<\/a>.*正文/,
    );
    expect(documentPage).toContain('<th scope="row">发文机关</th><td>西安市碑林区人民政府</td><th scope="row">成文日期</th><td>2025年05月28日</td>');
    expect(documentPage).toContain('<th scope="row">发文字号</th><td>碑政发〔2025〕12号</td><th scope="row">发布日期</th><td>2025年06月01日</td>');
    expect(documentPage).toContain('<meta name="PubDate" content="2025-06-01 10:00">');
    expect(documentPage).toContain(`<link rel="canonical" href="${BASE_URL}/${pages.document}">`);

    // Two-way links (三同步): 政策解读 → each interpretation, 政策原文 → the document.
    const related = /<h2 id="related-heading">政策解读<\/h2>([\s\S]*?)<\/section>/.exec(documentPage)?.[1] ?? '';
    expect([...related.matchAll(/href="([^"]+)"/g)].map((m) => m[1])).toEqual(['jd-1.html', 'jd-2.html']);
    for (const jd of [jd1, jd2]) {
      const origin = /<h2 id="origin-heading">政策原文<\/h2>([\s\S]*?)<\/section>/.exec(jd)?.[1] ?? '';
      expect(origin).toContain(`<a href="index.html">${unit.document.title}</a>`);
    }
    expect(jd1).toContain('解读人：区住建局局长 张某');
    expect(documentPage).toContain(
      '所属栏目：<a href="../../../col/xwdt-tzgg/index.html">通知公告</a>、<a href="../../../col/zwgk-zcwj/index.html">政策文件</a>',
    );

    // Pictures: WebP sources and a JPEG fallback over the widths the renditions really have
    // (a 2000×1333 original gives 480, 960 and 1599 px: the 1600 box keeps the aspect ratio).
    const picture = /<picture>[\s\S]*?<\/picture>/.exec(documentPage)?.[0] ?? '';
    expect(picture).toMatch(
      /<source type="image\/webp" srcset="..\/..\/..\/media\/[0-9a-f]{2}\/[0-9a-f]{64}\.webp 480w, ..\/..\/..\/media\/[0-9a-f]{2}\/[0-9a-f]{64}\.webp 960w, ..\/..\/..\/media\/[0-9a-f]{2}\/[0-9a-f]{64}\.webp 1[56]\d\dw"/,
    );
    expect(picture).toMatch(
      /<img src="..\/..\/..\/media\/[0-9a-f]{2}\/[0-9a-f]{64}\.jpg" srcset="[^"]+ 480w, [^"]+ 960w, [^"]+ 1[56]\d\dw"[^>]* width="960" height="640" alt="改造后的小区全景"/,
    );
    const graphicPicture = /<figure class="lead"><picture>[\s\S]*?<\/picture><\/figure>/.exec(jd2)?.[0] ?? '';
    expect(graphicPicture).toContain('alt="图解：老旧小区改造实施办法"');
    expect(graphicPicture).toMatch(/ 800w"/); // the original is 800 px wide: never enlarged, widths deduplicated
    expect(graphicPicture).not.toMatch(/ 960w| 1600w/);
    for (const page of [pages.document, ...pages.interpretations, 'index.html', 'col/zwgk-zcwj/index.html']) expect(await brokenLinks(gen, page)).toEqual([]);
    const webp = (await manifestOf(webRoot)).packages[unit.packageId]!.media.find((f) => f.endsWith('.webp'))!;
    const head = await readFile(path.join(gen, webp));
    expect(head.subarray(0, 4).toString('latin1') + head.subarray(8, 12).toString('latin1')).toBe('RIFFWEBP');

    // Both indexes list it once; home lists it once with its cover.
    for (const column of ['zwgk-zcwj', 'xwdt-tzgg']) {
      const index = await readFile(path.join(gen, portalColumnPaths(column).index), 'utf8');
      expect(entryCount(index)).toBe(1);
      expect(index).toContain(`<a class="entry-title" href="../../${pages.document}">${unit.document.title}</a>`);
      expect(index).toContain(`<a href="../../${pages.interpretations[1]}">图表解读</a>`);
    }
    const home = await readFile(path.join(gen, 'index.html'), 'utf8');
    expect(entryCount(home)).toBe(1);
    expect(home).toMatch(/<img class="thumb" src="media\/[0-9a-f]{2}\/[0-9a-f]{64}\.jpg" alt="老旧小区改造现场"/);

    // RSS 2.0 with absolute links and RFC 822 dates.
    const rss = await readFile(path.join(gen, 'col/zwgk-zcwj/rss.xml'), 'utf8');
    expect(rss).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<rss version="2.0"/);
    expect(rss).toContain(`<link>${BASE_URL}/col/zwgk-zcwj/index.html</link>`);
    expect(rss).toContain(`<atom:link href="${BASE_URL}/col/zwgk-zcwj/rss.xml" rel="self" type="application/rss+xml"/>`);
    expect(rss).toContain(
      `<item>\n<title>${unit.document.title}</title>\n<link>${resultA.publicUrl}</link>\n<guid isPermaLink="true">${resultA.publicUrl}</guid>\n<pubDate>Sun, 01 Jun 2025 02:00:00 GMT</pubDate>`,
    );

    // Sitemap: home, both columns, document and interpretation pages.
    const locs = (await sitemapUrls(gen)).sort();
    expect(locs).toEqual(
      [
        `${BASE_URL}/index.html`,
        `${BASE_URL}/map/index.html`,
        `${BASE_URL}/xxgk/index.html`,
        `${BASE_URL}/xxgk/zcwj/index.html`, // the document's catalogue item
        `${BASE_URL}/${catalogueCategoryPath('其他')}`, // its category (not in a registry: 其他), linked from the catalogue index
        `${BASE_URL}/col/xwdt-tzgg/index.html`,
        `${BASE_URL}/col/zwgk-zcwj/index.html`,
        ...[pages.document, ...pages.interpretations].map((p) => `${BASE_URL}/${p}`),
      ].sort(),
    );
    expect(await readFile(path.join(gen, 'sitemaps/2025-06.xml'), 'utf8')).toContain('<lastmod>2025-06-01T02:00:00.000Z</lastmod>');
    expect(await readFile(path.join(gen, 'robots.txt'), 'utf8')).toContain(`Sitemap: ${BASE_URL}/sitemap.xml`);

    // The site state travels inside the generation.
    const manifest = await manifestOf(webRoot);
    expect(manifest.packages[unit.packageId]).toMatchObject({ revision: 1, columns: ['xwdt-tzgg', 'zwgk-zcwj'] });
    expect(manifest.columns['xwdt-tzgg']).toEqual({ path: ['新闻动态', '通知公告'], packages: [unit.packageId] });
  });

  it('republishing the same unit is idempotent: no new generation, one entry per index; reconcile finds it', async () => {
    const { webRoot, adapter } = newSite();
    const unit = unitFor();
    const channel = portalChannel('zwgk-zcwj', '政务公开 > 政策文件');
    const { payload } = adapter.format(unit, channel);
    const ctx = makeTransmitContext({ channel, baseUrl: '', renditions: media.renditions });
    expect(await adapter.reconcile!(payload, ctx)).toBeNull();
    const first = await adapter.transmit(payload, ctx);
    const generation = (await manifestOf(webRoot)).generation;
    const again = await adapter.transmit(payload, ctx.nextAttempt());
    expect(again).toEqual(first);
    expect((await manifestOf(webRoot)).generation).toBe(generation);
    expect(entryCount(await readCurrent(webRoot, 'col/zwgk-zcwj/index.html'))).toBe(1);
    expect(await adapter.reconcile!(payload, ctx)).toEqual(first);
    expect(ctx.heartbeats).toBeGreaterThan(0);
  });

  it('a new revision replaces the pages everywhere; a late retry of the old one does not roll it back; old generations are never written in place', async () => {
    const { webRoot, adapter } = newSite();
    const a = portalChannel('c-a');
    const b = portalChannel('c-b');
    const r1 = unitFor();
    await publish(adapter, r1, a);
    await publish(adapter, r1, b);
    const oldGen = await currentDir(webRoot);
    const oldDocument = await readFile(path.join(oldGen, artDir(r1.packageId), 'index.html'), 'utf8');

    const r2 = unitFor({ revision: 2, contentHash: 'hash-r2', interpretations: [r1.interpretations[0]!] });
    r2.document = { ...r2.document, title: '关于印发《碑林区老旧小区改造实施办法（修订）》的通知' };
    await publish(adapter, r2, a);
    const gen = await currentDir(webRoot);
    for (const column of ['c-a', 'c-b']) expect(await readFile(path.join(gen, portalColumnPaths(column).index), 'utf8')).toContain('实施办法（修订）');
    expect(await isFileIn(gen, `${artDir(r1.packageId)}/jd-2.html`)).toBe(false); // the revision has one interpretation
    // The replaced generation still holds exactly what it held (hard links were replaced, not written through).
    expect(await readFile(path.join(oldGen, artDir(r1.packageId), 'index.html'), 'utf8')).toBe(oldDocument);

    await publish(adapter, r1, portalChannel('c-c')); // a late retry of revision 1 to a third column
    const manifest = await manifestOf(webRoot);
    expect(manifest.packages[r1.packageId]).toMatchObject({ revision: 2, columns: ['c-a', 'c-b', 'c-c'] });
    expect(await readCurrent(webRoot, `${artDir(r1.packageId)}/index.html`)).toContain('实施办法（修订）');
  });

  it('retraction from one column keeps the pages; from the last removes pages and media; taking down again succeeds', async () => {
    const { webRoot, adapter } = newSite();
    const unit = unitFor();
    const other = unitFor({ packageId: 'pkg-other', releasedAt: '2025-05-01T00:00:00Z', cover: undefined });
    const a = portalChannel('c-a');
    const b = portalChannel('c-b');
    const ra = await publish(adapter, unit, a);
    const rb = await publish(adapter, unit, b);
    await publish(adapter, other, a);
    const { payload } = adapter.format(unit, a);

    await takeDown(adapter, ra.externalId, a);
    let gen = await currentDir(webRoot);
    expect(await readFile(path.join(gen, 'col/c-a/index.html'), 'utf8')).not.toContain(unit.packageId);
    expect(await readFile(path.join(gen, 'col/c-a/rss.xml'), 'utf8')).not.toContain(unit.packageId);
    expect(await readFile(path.join(gen, 'col/c-b/index.html'), 'utf8')).toContain(unit.packageId);
    expect(await isFileIn(gen, `${artDir(unit.packageId)}/index.html`)).toBe(true);
    const columnsLine = /<p class="columns">.*?<\/p>/.exec(await readFile(path.join(gen, `${artDir(unit.packageId)}/index.html`), 'utf8'))?.[0] ?? '';
    expect(columnsLine).toContain('col/c-b/'); // 所属栏目 (the navigation still links every column)
    expect(columnsLine).not.toContain('col/c-a/');
    expect(await adapter.reconcile!(payload, makeTransmitContext({ channel: a, baseUrl: '' }))).toBeNull();

    const coverFile = (await manifestOf(webRoot)).packages[unit.packageId]!.cover!.file;
    await takeDown(adapter, rb.externalId, b);
    gen = await currentDir(webRoot);
    expect(await isFileIn(gen, `${artDir(unit.packageId)}/index.html`)).toBe(false);
    expect(await isFileIn(gen, `${artDir(unit.packageId)}/jd-1.html`)).toBe(false);
    expect(await isFileIn(gen, coverFile)).toBe(false);
    expect(await readFile(path.join(gen, 'col/c-b/index.html'), 'utf8')).toContain('本栏目暂无信息。');
    expect(await readFile(path.join(gen, 'col/c-b/rss.xml'), 'utf8')).not.toContain('<item>');
    const home = await readFile(path.join(gen, 'index.html'), 'utf8');
    expect(home).not.toContain(unit.packageId);
    expect(home).toContain('pkg-other');
    expect((await sitemapUrls(gen)).join('\n')).not.toContain(unit.packageId);
    expect(await readFile(path.join(gen, 'rss.xml'), 'utf8')).not.toContain(unit.packageId);
    for (const page of ['index.html', 'col/c-a/index.html', 'col/c-b/index.html', `${artDir('pkg-other')}/index.html`])
      expect(await brokenLinks(gen, page)).toEqual([]);

    const generation = (await manifestOf(webRoot)).generation;
    await takeDown(adapter, rb.externalId, b); // already gone
    await takeDown(adapter, 'never-was/pkg-x', b);
    expect((await manifestOf(webRoot)).generation).toBe(generation);
    await expect(takeDown(adapter, 'not an id', b)).rejects.toMatchObject({ errorClass: 'rejected' });

    await takeDown(adapter, `c-a/pkg-other`, a);
    expect(await readCurrent(webRoot, 'index.html')).toContain('本站尚未发布信息。');
  });

  it('pages a column from the oldest: a new entry rewrites the index page only, archived pages keep their file', async () => {
    const { webRoot, adapter } = newSite({ pageSize: 2 });
    const channel = portalChannel('c-paged');
    const publishNth = (i: number) => publish(adapter, unitFor({ packageId: `pkg-p${i}`, releasedAt: `2025-06-0${i}T00:00:00Z`, cover: undefined }), channel);
    const listed = (html: string) => [...html.matchAll(/art\/[0-9a-f]{2}\/(pkg-p\d)\/index.html/g)].map((m) => m[1]);
    const inode = async (file: string) => (await stat(path.join(await currentDir(webRoot), file))).ino;
    for (let i = 1; i <= 4; i++) await publishNth(i);
    const before = await inode('col/c-paged/page_1.html');
    await publishNth(5);
    // 5 entries, 2 a page: page_1 holds the oldest two and stays the same file; the index page the newest three.
    expect(await inode('col/c-paged/page_1.html')).toBe(before);
    // Kept, not written: the column's page 1 and its catalogue item's (the item lists the same documents).
    expect(adapter.site.lastCommit?.pagesKept).toBe(2);
    let gen = await currentDir(webRoot);
    const index = await readFile(path.join(gen, 'col/c-paged/index.html'), 'utf8');
    expect(listed(index)).toEqual(['pkg-p5', 'pkg-p4', 'pkg-p3']);
    expect(index).toContain('<a href="page_1.html" rel="next">下一页</a>');
    expect(listed(await readFile(path.join(gen, 'col/c-paged/page_1.html'), 'utf8'))).toEqual(['pkg-p2', 'pkg-p1']);

    // The sixth archives p3 and p4 as page 2; page 1's 上一页 now leads there.
    await publishNth(6);
    gen = await currentDir(webRoot);
    const page1 = await readFile(path.join(gen, 'col/c-paged/page_1.html'), 'utf8');
    const page2 = await readFile(path.join(gen, 'col/c-paged/page_2.html'), 'utf8');
    expect(listed(page2)).toEqual(['pkg-p4', 'pkg-p3']);
    expect(page1).toContain('<a href="page_2.html" rel="prev">上一页</a>');
    expect(page2).toContain('<a href="index.html" rel="prev">上一页</a>');
    expect(page2).toContain('<a href="page_1.html" rel="next">下一页</a>');
    for (const page of ['col/c-paged/index.html', 'col/c-paged/page_1.html', 'col/c-paged/page_2.html']) expect(await brokenLinks(gen, page), page).toEqual([]);
    expect(await sitemapUrls(gen)).toEqual(expect.arrayContaining([`${BASE_URL}/col/c-paged/page_1.html`, `${BASE_URL}/col/c-paged/page_2.html`]));

    // Retractions shrink the list: archived pages that no longer exist are gone from the unit and the sitemap.
    for (const id of ['pkg-p6', 'pkg-p5', 'pkg-p4']) await takeDown(adapter, `c-paged/${id}`, channel);
    gen = await currentDir(webRoot);
    expect(await isFileIn(gen, 'col/c-paged/page_2.html')).toBe(false);
    expect(await isFileIn(gen, 'col/c-paged/page_1.html')).toBe(false);
    expect(listed(await readFile(path.join(gen, 'col/c-paged/index.html'), 'utf8'))).toEqual(['pkg-p3', 'pkg-p2', 'pkg-p1']);
    expect((await sitemapUrls(gen)).filter((u) => u.includes('c-paged/page_'))).toEqual([]);
  });

  it('30 concurrent deliveries of one package (and another package alongside) land in few generations with consistent indexes; a reader never sees a broken link', async () => {
    const { webRoot, adapter } = newSite();
    const unit = unitFor();
    const second = unitFor({ packageId: 'pkg-second', releasedAt: '2025-06-02T00:00:00Z' });
    await publish(adapter, unitFor({ packageId: 'pkg-first', cover: undefined }), portalChannel('c-00')); // something to read from the start
    const startGeneration = (await manifestOf(webRoot)).generation;
    const columns = Array.from({ length: 30 }, (_, i) => `c-${String(i + 1).padStart(2, '0')}`);

    let readerRunning = true;
    let snapshots = 0;
    const seenGenerations = new Set<string>();
    const broken: string[] = [];
    const reader = (async () => {
      while (readerRunning) {
        const gen = await currentDir(webRoot);
        seenGenerations.add(path.basename(gen));
        const root = JSON.parse(await readFile(path.join(gen, '.govpub/site.json'), 'utf8')) as RootState;
        const pages = ['index.html', ...Object.keys(root.columns).map((c) => portalColumnPaths(c).index)];
        for (const page of pages) broken.push(...(await brokenLinks(gen, page)));
        snapshots += 1;
      }
    })();

    const t0 = Date.now();
    const results = await Promise.all([
      ...columns.map((c) => publish(adapter, unit, portalChannel(c))),
      ...columns.slice(0, 10).map((c) => publish(adapter, second, portalChannel(c))),
    ]);
    const elapsed = Date.now() - t0;
    const burstGenerations = (await manifestOf(webRoot)).generation - startGeneration;
    // Then swaps one after another, with removals, while the reader goes on.
    for (let wave = 1; wave <= 6; wave++) {
      const waveChannels = ['w-1', 'w-2'].map((c) => portalChannel(c));
      await Promise.all(
        waveChannels.map((c) => publish(adapter, unitFor({ packageId: `pkg-wave-${wave}`, releasedAt: `2025-05-0${wave}T00:00:00Z`, cover: undefined }), c)),
      );
      if (wave > 1) await Promise.all(waveChannels.map((c) => takeDown(adapter, `${c.ref}/pkg-wave-${wave - 1}`, c)));
      // The reader reads this wave's generation before the next wave swaps it (on a busy machine it could skip it).
      const current = path.basename(await currentDir(webRoot));
      for (const until = Date.now() + 60_000; !seenGenerations.has(current) && Date.now() < until;) await new Promise((r) => setTimeout(r, 20));
    }
    readerRunning = false;
    await reader;

    expect(broken).toEqual([]);
    expect(seenGenerations.size).toBeGreaterThanOrEqual(5);
    expect(new Set(results.map((r) => r.externalId)).size).toBe(40);
    const manifest = await manifestOf(webRoot);
    expect(manifest.packages[unit.packageId]!.columns.sort()).toEqual(columns);
    expect(manifest.packages['pkg-second']!.columns.sort()).toEqual(columns.slice(0, 10));
    expect(burstGenerations).toBeLessThanOrEqual(10); // group commit: 40 deliveries, a handful of generations
    expect(manifest.packages['pkg-wave-5']).toBeUndefined();
    expect(manifest.columns['w-1']!.packages).toEqual(['pkg-wave-6']);
    const gen = await currentDir(webRoot);
    for (const [i, column] of columns.entries()) {
      const index = await readFile(path.join(gen, portalColumnPaths(column).index), 'utf8');
      expect(entryCount(index), column).toBe(i < 10 ? 2 : 1);
      if (i < 10) expect(index.indexOf('pkg-second')).toBeLessThan(index.indexOf(unit.packageId)); // newest first
    }
    expect(entryCount(await readCurrent(webRoot, 'index.html'))).toBe(4);
    console.info(
      `[portal] 40 concurrent deliveries: ${elapsed} ms, ${burstGenerations} generations; the reader checked ${snapshots} snapshots of ${seenGenerations.size} generations`,
    );
  });

  it('writers in other processes share the web root through the lock: every delivery lands', async () => {
    const { webRoot, adapter } = newSite();
    const unit = unitFor();
    const columns = Array.from({ length: 24 }, (_, i) => `x-${i + 1}`);
    const payloads = columns.map((c) => adapter.format(unit, portalChannel(c)).payload);
    await publish(adapter, unit, portalChannel('x-0')); // renditions are cached in the store from here on
    const jobFile = path.join(media.dir, `job-${root}.json`);
    const script = `
      import { readFile } from 'node:fs/promises';
      const { createPortalAdapter } = await import(${JSON.stringify(path.join(REPO_ROOT, 'adapters/portal/index.ts'))});
      const { LocalMediaStore } = await import(${JSON.stringify(path.join(REPO_ROOT, 'media/index.ts'))});
      const { storeRenditionSource } = await import(${JSON.stringify(path.join(REPO_ROOT, 'adapters/renditions.ts'))});
      const job = JSON.parse(await readFile(process.argv[1], 'utf8'));
      const adapter = createPortalAdapter({ webRoot: job.webRoot, publicBaseUrl: job.baseUrl });
      const renditions = storeRenditionSource(new LocalMediaStore(job.storeDir));
      const ctx = { businessKey: 'child', channel: null, credentials: {}, baseUrl: '', tokens: null, renditions, checkpointed: {}, checkpoint: async () => {}, heartbeat() {} };
      const results = await Promise.all(job.payloads.map((p) => adapter.transmit(p, ctx)));
      console.log(JSON.stringify(results.map((r) => r.externalId)));
    `;
    const runChild = async (slice: PortalPayload[], n: number) => {
      const file = `${jobFile}.${n}`;
      await writeFile(file, JSON.stringify({ webRoot, baseUrl: BASE_URL, storeDir: path.join(media.dir, 'store'), payloads: slice }));
      const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, file], {
        cwd: REPO_ROOT,
        timeout: 60_000,
      });
      return JSON.parse(stdout.trim().split('\n').pop()!) as string[];
    };
    const ctxFor = (c: string) => makeTransmitContext({ channel: portalChannel(c), baseUrl: '', renditions: media.renditions });
    const [childA, childB, here] = await Promise.all([
      runChild(payloads.slice(0, 8), 1),
      runChild(payloads.slice(8, 16), 2),
      Promise.all(payloads.slice(16).map((p) => adapter.transmit(p, ctxFor(p.column.id)))),
    ]);
    expect(childA).toHaveLength(8);
    expect(childB).toHaveLength(8);
    expect(here).toHaveLength(8);
    const manifest = await manifestOf(webRoot);
    expect(manifest.packages[unit.packageId]!.columns.sort()).toEqual(['x-0', ...columns].sort());
    const gen = await currentDir(webRoot);
    for (const c of columns) expect(entryCount(await readFile(path.join(gen, portalColumnPaths(c).index), 'utf8')), c).toBe(1);
    await adapter.site.idle(); // the last commit's cleanup holds the lock a little longer
    expect(await stat(path.join(webRoot, '.lock')).catch(() => null)).toBeNull();
  });

  it('a lock left by a dead process is taken over; a live holder makes writers wait, then give up with a retryable error that says who holds it', async () => {
    const { webRoot, adapter } = newSite({ tuning: { lockTimeoutMs: 400 } });
    const unit = unitFor({ cover: undefined });
    await mkdir(webRoot, { recursive: true });
    const dead = spawn(process.execPath, ['-e', '']);
    const deadPid = await new Promise<number>((resolve) => dead.on('exit', () => resolve(dead.pid!)));
    const hostname = (await import('node:os')).hostname();
    await writeFile(
      path.join(webRoot, '.lock'),
      JSON.stringify({ pid: deadPid, host: hostname, token: 't', acquiredAt: new Date().toISOString(), purpose: 'crashed' }),
    );
    await expect(publish(adapter, unit, portalChannel('c-a'))).resolves.toMatchObject({ state: 'live' });

    await writeFile(
      path.join(webRoot, '.lock'),
      JSON.stringify({ pid: process.pid, host: hostname, token: 'someone', acquiredAt: '2025-06-01T00:00:00Z', purpose: 'another commit' }),
    );
    const error = await publish(adapter, unit, portalChannel('c-b')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error).toMatchObject({
      errorClass: 'retryable',
      message: expect.stringMatching(new RegExp(`locked by process ${process.pid} on .*another commit.*taken over automatically`)),
    });
    expect((await manifestOf(webRoot)).packages[unit.packageId]!.columns).toEqual(['c-a']);

    // A holder that stopped refreshing the lock is presumed dead.
    const old = new Date(Date.now() - 60_000);
    await (await import('node:fs/promises')).utimes(path.join(webRoot, '.lock'), old, old);
    await expect(publish(adapter, unit, portalChannel('c-b'))).resolves.toMatchObject({ state: 'live' });
  });

  it('keeps the current generation and its predecessor, removes older ones and abandoned builds', async () => {
    const { webRoot, adapter } = newSite({ tuning: { keepGenerations: 2, generationGraceMs: 0 } });
    const unit = unitFor({ cover: undefined });
    await publish(adapter, unit, portalChannel('c-1'));
    await mkdir(path.join(webRoot, 'build-deadbeef'), { recursive: true }); // a writer died while building
    for (let i = 2; i <= 5; i++) await publish(adapter, unit, portalChannel(`c-${i}`));
    await adapter.site.idle(); // cleanup runs after the callers learn their outcome
    const names = (await readdir(webRoot)).sort();
    expect(names.filter((n) => n.startsWith('gen-') || n.startsWith('build-'))).toEqual(['gen-4', 'gen-5']);
    expect(await lstat(path.join(webRoot, 'current')).then((s) => s.isSymbolicLink())).toBe(true);
    expect(path.basename(await currentDir(webRoot))).toBe('gen-5');

    // With a grace period, a generation replaced a moment ago stays (a reader may be in it).
    const graceful = createPortalAdapter({ webRoot, publicBaseUrl: BASE_URL, tuning: { keepGenerations: 1, generationGraceMs: 60_000 } });
    await publish(graceful, unit, portalChannel('c-6'));
    await graceful.site.idle();
    expect((await readdir(webRoot)).filter((n) => n.startsWith('gen-')).sort()).toEqual(['gen-4', 'gen-5', 'gen-6']);
  });

  it('rendition failures: a content problem is rejected, anything else retryable; the live site is unchanged', async () => {
    const { webRoot, adapter } = newSite();
    const unit = unitFor();
    await publish(adapter, unit, portalChannel('c-a'));
    const before = await manifestOf(webRoot);
    const wrongKind: RenditionSource = {
      get: async () => {
        throw new GovpubError(
          'media_wrong_kind',
          'photo.jpg is a video file; portal.w480.webp needs an image original.',
          {},
          { zh: '「photo.jpg」是视频文件，门户网站的图片需要图片原件。' },
        );
      },
    };
    await expect(publish(adapter, unitFor({ revision: 2, contentHash: 'r2' }), portalChannel('c-a'), wrongKind)).rejects.toMatchObject({
      errorClass: 'rejected',
      message: expect.stringMatching(/cannot use the cover \(portal\.cover\): photo\.jpg is a video file/),
      // The media error's own Chinese reaches operations with the problem.
      problems: [expect.objectContaining({ field: 'cover', messageZh: '「photo.jpg」是视频文件，门户网站的图片需要图片原件。' })],
    });
    const flaky: RenditionSource = {
      get: async () => {
        throw new Error('ffmpeg was killed');
      },
    };
    await expect(publish(adapter, unitFor({ revision: 2, contentHash: 'r2' }), portalChannel('c-a'), flaky)).rejects.toMatchObject({ errorClass: 'retryable' });
    expect(await manifestOf(webRoot)).toEqual(before);
  });

  it('a video interpretation plays from a 720p MP4 with a poster; an audio one from AAC', async (ctx) => {
    let binaries;
    try {
      binaries = await resolveMediaBinaries();
    } catch (error) {
      if (process.env.CI === 'true') throw error;
      ctx.skip();
      return;
    }
    const clip = path.join(media.dir, 'clip.mp4');
    const sound = path.join(media.dir, 'sound.m4a');
    ffmpegSync(binaries.ffmpeg.path, [
      '-f',
      'lavfi',
      '-i',
      'testsrc=size=320x180:rate=15:duration=1',
      '-f',
      'lavfi',
      '-i',
      'sine=frequency=440:duration=1',
      '-shortest',
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-pix_fmt',
      'yuv420p',
      '-c:a',
      'aac',
      clip,
    ]);
    ffmpegSync(binaries.ffmpeg.path, ['-f', 'lavfi', '-i', 'sine=frequency=330:duration=1', '-c:a', 'aac', sound]);
    const { createReadStream } = await import('node:fs');
    const video = await ingestUpload(media.store, createReadStream(clip), { label: 'clip.mp4' });
    const audio = await ingestUpload(media.store, createReadStream(sound), { label: 'sound.m4a' });
    const unit = unitFor({
      packageId: 'pkg-av',
      cover: undefined,
      interpretations: [
        { form: 'video', title: '视频解读：老旧小区改造', body: '<p>局长谈改造。</p>', mediaId: video.sha256 },
        { form: 'audio', title: '音频解读：老旧小区改造', body: '', mediaId: audio.sha256 },
      ],
    });
    unit.media[video.sha256] = { mediaId: video.sha256, kind: 'video', mime: 'video/mp4', sizeBytes: video.size, width: 320, height: 180, durationSec: 1 };
    unit.media[audio.sha256] = { mediaId: audio.sha256, kind: 'audio', mime: 'audio/mp4', sizeBytes: audio.size, durationSec: 1 };
    const { webRoot, adapter } = newSite();
    const { renditions } = adapter.format(unit, portalChannel('c-av'));
    expect(renditions.filter((r) => r.mediaId !== ids.image).map((r) => r.spec)).toEqual(['portal.video_720', 'portal.poster', 'portal.audio']);
    await publish(adapter, unit, portalChannel('c-av'));
    const gen = await currentDir(webRoot);
    const jd1 = await readFile(path.join(gen, `${artDir('pkg-av')}/jd-1.html`), 'utf8');
    expect(jd1).toMatch(
      /<video controls preload="metadata" width="1280" height="720" poster="..\/..\/..\/media\/[0-9a-f]{2}\/[0-9a-f]{64}\.jpg" aria-label="视频解读：老旧小区改造"><source src="..\/..\/..\/media\/[0-9a-f]{2}\/[0-9a-f]{64}\.mp4" type="video\/mp4">/,
    );
    const jd2 = await readFile(path.join(gen, `${artDir('pkg-av')}/jd-2.html`), 'utf8');
    expect(jd2).toMatch(
      /<audio controls preload="none" aria-label="音频解读：老旧小区改造"><source src="..\/..\/..\/media\/[0-9a-f]{2}\/[0-9a-f]{64}\.m4a" type="audio\/mp4">/,
    );
    for (const page of [`${artDir('pkg-av')}/jd-1.html`, `${artDir('pkg-av')}/jd-2.html`]) {
      expect(await brokenLinks(gen, page)).toEqual([]);
      expect(htmlProblems(await readFile(path.join(gen, page), 'utf8'))).toEqual([]);
    }
  });

  // ── serve.ts ───────────────────────────────────────────────────────────────────────────────

  describe('serving the web root', () => {
    it('an empty web root serves a home page saying nothing is published yet, and 404 elsewhere', async () => {
      const app = Fastify();
      registerPortalRoutes(app, { webRoot: path.join(media.dir, 'never-written') });
      const home = await app.inject('/portal/');
      expect(home.statusCode).toBe(200);
      expect(home.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(home.body).toContain('本站尚未发布任何信息');
      expect(htmlProblems(home.body)).toEqual([]);
      expect((await app.inject('/portal')).headers.location).toBe('/portal/');
      const missing = await app.inject('/portal/art/x/index.html');
      expect(missing.statusCode).toBe(404);
      expect(missing.body).toContain('您访问的页面不存在');
      await app.close();
    });

    it('serves the current generation with the right types and caching, index.html for directories, no traversal, ranges and revalidation', async () => {
      const { webRoot, adapter } = newSite();
      const unit = unitFor();
      await publish(adapter, unit, portalChannel('zwgk-zcwj', '政务公开 > 政策文件'));
      await writeFile(path.join(media.dir, 'secret.txt'), 'TOP-SECRET-CONTENT');
      const app = Fastify();
      registerPortalRoutes(app, { webRoot, prefix: '/portal/' });

      const get = (url: string, headers: Record<string, string> = {}) => app.inject({ method: 'GET', url, headers });
      const home = await get('/portal/');
      expect(home.statusCode).toBe(200);
      expect(home.headers).toMatchObject({ 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' });
      expect(home.body).toContain(unit.document.title);
      expect((await get('/portal/index.html')).body).toBe(home.body);
      expect((await get(`/portal/${artDir(unit.packageId)}/`)).body).toContain('<h1>关于印发');
      expect((await get(`/portal/${artDir(unit.packageId)}?x=1`)).headers.location).toBe(`/portal/${artDir(unit.packageId)}/?x=1`);
      expect((await get('/portal/col/zwgk-zcwj/rss.xml')).headers['content-type']).toBe('application/rss+xml; charset=utf-8');
      expect((await get('/portal/sitemap.xml')).headers['content-type']).toBe('application/xml; charset=utf-8');
      expect((await get('/portal/assets/site.css')).headers['content-type']).toBe('text/css; charset=utf-8');

      const manifest = await manifestOf(webRoot);
      const files = manifest.packages[unit.packageId]!.media;
      const webp = files.find((f) => f.endsWith('.webp'))!;
      const jpg = files.find((f) => f.endsWith('.jpg'))!;
      const png = files.find((f) => f.endsWith('.png'));
      const image = await get(`/portal/${webp}`);
      expect(image.headers).toMatchObject({ 'content-type': 'image/webp', 'cache-control': 'public, max-age=31536000, immutable' });
      expect(image.rawPayload.subarray(8, 12).toString('latin1')).toBe('WEBP');
      expect((await get(`/portal/${jpg}`)).headers['content-type']).toBe('image/jpeg');
      if (png) expect((await get(`/portal/${png}`)).headers['content-type']).toBe('image/png');

      const ranged = await get(`/portal/${jpg}`, { range: 'bytes=0-9' });
      expect(ranged.statusCode).toBe(206);
      expect(ranged.rawPayload.length).toBe(10);
      expect(ranged.headers['content-range']).toMatch(/^bytes 0-9\/\d+$/);
      expect((await get(`/portal/${jpg}`, { range: 'bytes=99999999-' })).statusCode).toBe(416);
      const revalidated = await get('/portal/index.html', { 'if-none-match': String(home.headers.etag) });
      expect(revalidated.statusCode).toBe(304);
      const head = await app.inject({ method: 'HEAD', url: '/portal/index.html' });
      expect(head.statusCode).toBe(200);
      expect(head.body).toBe('');

      // Dot segments (also %2e%2e) are resolved by the URL parser before routing: they leave the prefix and miss every route.
      for (const url of ['/portal/../secret.txt', '/portal/%2e%2e/%2e%2e/secret.txt']) {
        const response = await get(url);
        expect(response.statusCode, url).toBe(404);
        expect(response.body, url).not.toContain('TOP-SECRET');
      }
      for (const url of [
        '/portal/..%2f..%2fsecret.txt',
        '/portal/.govpub/manifest.json',
        '/portal/%2egovpub/manifest.json',
        '/portal/art/%00',
        '/portal/nope.html',
      ]) {
        const response = await get(url);
        expect(response.statusCode, url).toBe(404);
        expect(response.body, url).toContain('页面不存在');
        expect(response.body, url).not.toContain('TOP-SECRET');
      }

      expect([400, 404]).toContain((await get('/portal/media/%E0%A4%A')).statusCode); // malformed escape: Fastify answers 400 itself

      // A swap is seen by the next request.
      await publish(adapter, unitFor({ packageId: 'pkg-later', releasedAt: '2025-06-09T00:00:00Z', cover: undefined }), portalChannel('zwgk-zcwj'));
      expect((await get('/portal/')).body).toContain('pkg-later');
      await app.close();
    });

    it('mounts at the root when asked', async () => {
      const { webRoot, adapter } = newSite();
      await publish(adapter, unitFor({ cover: undefined }), portalChannel('c-a'));
      const app = Fastify();
      registerPortalRoutes(app, { webRoot, prefix: '' });
      expect((await app.inject('/')).statusCode).toBe(200);
      expect((await app.inject('/col/c-a/')).body).toContain('<h1>栏目c-a</h1>');
      expect((await app.inject('/../x')).statusCode).toBe(404);
      await app.close();
    });
  });

  afterAll(async () => {
    for (const r of roots) await rm(r, { recursive: true, force: true });
  });
});
