/**
 * The portal's pages as an inspector and a citizen see them, rendered straight from the pure
 * renderers (adapters/portal/pages/) over the sample registry (326 columns, 17 key areas, the
 * disclosure catalogue) and the sample site.yaml: the 发展指引 meta tags and footer, the main
 * navigation and breadcrumbs that link every level, the disclosure metadata block, 政策解读 /
 * 政策原文, attachments, captions and transcript, the empty-column sentence, the catalogue pages,
 * the site map, feeds, escaping of hostile text, the palette's contrast, and an HTML validator
 * and a link check over a whole rendered site.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { HtmlValidate } from 'html-validate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, loadRegistrySync } from '../../config/registry.js';
import { loadSiteIdentity, parseSiteIdentity } from '../../config/site-identity.js';
import { ConfigError } from '../../domain/errors.js';
import { runCli } from '../support/cli.js';
import type { PortalPayload } from '../../adapters/portal/payload.js';
import { interpretationSummary, renderArticle, type ArticleInput } from '../../adapters/portal/pages/article.js';
import { ELDER_MODE_KEY, FAVICON_PATH, SITE_JS, SITE_JS_PATH, faviconIco } from '../../adapters/portal/pages/assets.js';
import { renderCatalogueCategoryPages, renderCatalogueIndex, renderCatalogueItemPages } from '../../adapters/portal/pages/catalogue.js';
import { renderColumnPages } from '../../adapters/portal/pages/column.js';
import { archivedPageCount, stablePaging, type PageReuse } from '../../adapters/portal/pages/entry-list.js';
import { renderColumnFeed, renderSiteFeed } from '../../adapters/portal/pages/feed.js';
import { renderHomePage } from '../../adapters/portal/pages/home.js';
import { pageShell } from '../../adapters/portal/pages/layout.js';
import type { ColumnNode, ListEntry, SiteIdentity } from '../../adapters/portal/pages/model.js';
import { unconfiguredIdentity, type SiteSettings } from '../../adapters/portal/pages/settings.js';
import { renderSiteMapPage } from '../../adapters/portal/pages/site-map.js';
import { renderNotFoundPage, renderNothingPublishedPage } from '../../adapters/portal/pages/standalone.js';
import {
  COLUMN_TYPES,
  catalogueItemView,
  columnNode,
  columnOrOrphan,
  columnsHomeFirst,
  columnTypeOf,
  interpretationColumnIndex,
  siteStructureFromRegistry,
} from '../../adapters/portal/pages/structure.js';
import { PALETTE, SITE_CSS, SITE_CSS_PATH, TEXT_PAIRS } from '../../adapters/portal/pages/style.js';
import { renderSitePart } from '../../adapters/portal/pages/sitemap.js';
import { emptyRootState } from '../../adapters/portal/state.js';
import { SITE_PATHS, catalogueCategoryPath, catalogueItemPaths, portalColumnPaths, portalMediaPath, portalPagePaths } from '../../adapters/portal/urls.js';

// ─── fixtures ────────────────────────────────────────────────────────────────────────────────

const BASE = 'https://www.beilin.gov.cn';
const registry = loadRegistrySync();
const structure = siteStructureFromRegistry(registry);
let identity: SiteIdentity;
let site: SiteSettings;

const sha = (c: string) => c.repeat(64);
const media = (c: string, ext: string) => portalMediaPath(sha(c), ext);

/** A policy document (行政规范性文件) with every metadata field, two attachments and a video interpretation. */
function policyPayload(overrides: Partial<PortalPayload['document']> = {}): PortalPayload {
  return {
    version: 1,
    column: { id: 'zwgk-zcwj-gfxwj', path: [] },
    packageId: 'pkg-20250601-policy01',
    revision: 1,
    contentHash: 'hash-1',
    releasedAt: '2025-06-01T02:00:00.000Z',
    summary: '为加快推进老旧小区改造，制定本办法。',
    catalogueName: '区政府行政规范性文件',
    catalogueId: 'qzf-gfxwj',
    document: {
      title: '碑林区老旧小区改造实施办法',
      bodyHtml: '<p>各街道办事处，区政府各工作部门：</p><!--portal-figure:0--><p>现将办法印发给你们。</p>',
      documentNumber: '碑政发〔2025〕12号',
      issuingUnit: '西安市碑林区人民政府',
      formedAt: '2025-05-28',
      indexNumber: '11610103MB2950046X/2025-00012',
      topic: '城乡建设、环境保护\\城市规划',
      keywords: ['城乡建设', '老旧小区', '办法'],
      validity: { state: 'valid', effectiveFrom: '2025-07-01', endedAt: null },
      attachments: [
        { name: '改造项目清单', href: null, media: { mediaId: 'att-pdf', spec: 'original', kind: 'document' } },
        { name: '资金测算表', href: null, media: { mediaId: 'att-xlsx', spec: 'original', kind: 'document' } },
        { name: '省级政策', href: 'https://www.shaanxi.gov.cn/zcwj/1.html', media: null },
        { name: '电子公文.ofd', href: null, media: { mediaId: 'att-ofd', spec: 'portal.attachment', kind: 'document' } },
      ],
      ...overrides,
    },
    interpretations: [
      {
        form: 'text',
        formLabel: '文字解读',
        title: '《碑林区老旧小区改造实施办法》解读',
        interpreter: '区住房和城乡建设局',
        bodyHtml: '<p>一、制定背景</p>',
        lead: null,
        link: null,
        captions: null,
        transcriptHtml: null,
      },
      {
        form: 'video',
        formLabel: '视频解读',
        title: '局长谈老旧小区改造',
        interpreter: '区住房和城乡建设局局长',
        bodyHtml: '<p>视频解读要点。</p>',
        lead: { kind: 'video', mediaId: 'vid' },
        link: null,
        captions: { mediaId: 'vid', spec: 'portal.captions' },
        transcriptHtml: '<p>主持人：请您介绍一下改造的范围。</p><!--portal-figure:0--><p>局长：今年改造小区42个。</p>',
      },
    ],
    figures: [{ mediaId: 'img', alt: '改造后的小区全景' }],
    cover: { mediaId: 'img', alt: '改造后的小区全景' },
  };
}

function policyInput(payload = policyPayload()): ArticleInput {
  return {
    packageId: payload.packageId,
    payload,
    columns: [column('zwgk-zcwj-gfxwj'), column('zdly-zdxm')],
    media: {
      'img portal.cover': { file: media('a', 'jpg'), mime: 'image/jpeg', bytes: 20_000, width: 640, height: 360 },
      'img portal.w960.jpg': { file: media('b', 'jpg'), mime: 'image/jpeg', bytes: 90_000, width: 960, height: 540 },
      'img portal.w960.webp': { file: media('c', 'webp'), mime: 'image/webp', bytes: 60_000, width: 960, height: 540 },
      'att-pdf original': { file: media('d', 'pdf'), mime: 'application/pdf', bytes: 1_234_567 },
      // Stored without a known extension: the MIME type names it.
      'att-ofd portal.attachment': { file: media('9', 'bin'), mime: 'application/ofd', bytes: 300_000 },
      'att-xlsx original': { file: media('e', 'xlsx'), mime: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', bytes: 45_000 },
      'vid portal.video_720': { file: media('f', 'mp4'), mime: 'video/mp4', bytes: 9_000_000, width: 1280, height: 720 },
      'vid portal.poster': { file: media('1', 'jpg'), mime: 'image/jpeg', bytes: 30_000, width: 1280, height: 720 },
      'vid portal.captions': { file: media('2', 'vtt'), mime: 'text/vtt', bytes: 2_000 },
    },
  };
}

function listEntry(n: number, overrides: Partial<ListEntry> = {}): ListEntry {
  const packageId = `pkg-2025-${String(n).padStart(4, '0')}`;
  return {
    packageId,
    title: `第${n}号通知`,
    summary: `通知摘要${n}`,
    releasedAt: new Date(Date.UTC(2025, 5, 1) - n * 3600_000).toISOString(),
    path: portalPagePaths(packageId, 0).document,
    cover: null,
    indexNumber: `11610103MB2950046X/2025-${String(n).padStart(5, '0')}`,
    documentNumber: `碑政办发〔2025〕${n}号`,
    validity: null,
    homeColumnId: 'xwdt-tzgg',
    ...overrides,
  };
}

/** The titles a list page shows, in order. */
const entryTitles = (html: string): string[] => [...html.matchAll(/class="entry-title"[^>]*>([^<]*)</g)].map((m) => m[1] ?? '');

const column = (id: string): ColumnNode => {
  const node = columnNode(structure, id);
  if (!node) throw new Error(`no column ${id} in the sample registry`);
  return node;
};

// ─── helpers ─────────────────────────────────────────────────────────────────────────────────

/** The content of a meta tag, unescaped. */
function metaContent(html: string, name: string): string | undefined {
  const m = new RegExp(`<meta name="${name}" content="([^"]*)">`).exec(html);
  return m?.[1]
    ?.replace(/&gt;/g, '>')
    .replace(/&lt;/g, '<')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

function breadcrumbLinks(html: string): { href: string; label: string }[] {
  const nav = /<nav class="breadcrumb"[^>]*>([\s\S]*?)<\/nav>/.exec(html)?.[1] ?? '';
  return [...nav.matchAll(/<a href="([^"]*)"[^>]*>([^<]*)<\/a>/g)].map((m) => ({ href: m[1]!, label: m[2]! }));
}

function resolve(pagePath: string, href: string): string {
  return path.posix.normalize(path.posix.join(path.posix.dirname(pagePath), href.split('#')[0]!.split('?')[0]!));
}

function localLinks(html: string): string[] {
  const out: string[] = [];
  for (const m of html.matchAll(/\b(?:href|src|poster|action)="([^"]*)"/g)) {
    const url = m[1]!.replace(/&amp;/g, '&');
    if (/^[a-z]+:/i.test(url) || url.startsWith('#') || url.startsWith('//')) continue;
    out.push(url);
  }
  for (const m of html.matchAll(/\bsrcset="([^"]*)"/g)) for (const c of m[1]!.split(',')) out.push(c.trim().split(/\s+/)[0]!);
  return out;
}

/** WCAG 2 contrast ratio, computed here independently of the code under test. */
function contrast(a: string, b: string): number {
  const luminance = (hex: string) => {
    const n = parseInt(hex.slice(1), 16);
    const [r, g, bl] = [n >> 16, (n >> 8) & 255, n & 255].map((v) => {
      const c = v / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r! + 0.7152 * g! + 0.0722 * bl!;
  };
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}

beforeAll(async () => {
  identity = await loadSiteIdentity();
  site = { siteName: identity.siteName, identity, structure, publicBaseUrl: BASE, pageSize: 3, feedSize: 50, homeSize: 20 };
});

// ─── structure ───────────────────────────────────────────────────────────────────────────────

describe('site structure from the registry', () => {
  it('holds every registry column once, depth first, with name and id paths, children and the 17 key areas', () => {
    expect(structure.columns).toHaveLength(registry.portal.columns.length);
    expect(structure.columns.length).toBe(326);
    expect(new Set(structure.columns.map((c) => c.id)).size).toBe(326);
    expect(structure.keyAreas).toHaveLength(17);
    expect(structure.roots).toEqual(registry.portal.columns.filter((c) => c.parentId === null).map((c) => c.id));
    for (const node of structure.columns) {
      const source = registry.portal.columns.find((c) => c.id === node.id)!;
      expect(node.path).toEqual(source.path);
      expect(node.idPath).toHaveLength(node.path.length);
      expect(node.idPath.at(-1)).toBe(node.id);
      if (node.parentId) expect(column(node.parentId).children).toContain(node.id);
    }
    // A parent comes before its children (depth first).
    const order = new Map(structure.columns.map((c, i) => [c.id, i]));
    for (const node of structure.columns) if (node.parentId) expect(order.get(node.parentId)!).toBeLessThan(order.get(node.id)!);
    // The key areas hang under 法定主动公开内容 (attached with parentId in the file).
    expect(column('zdly-zdxm').path.slice(0, 3)).toEqual(['政府信息公开', '法定主动公开内容', '重点领域信息公开']);
    expect(structure.catalogue).toHaveLength(registry.catalogue.length);
  });

  it('derives ColumnType by the documented rule', () => {
    expect(columnTypeOf(['政务服务', '个人办事'])).toBe(COLUMN_TYPES.service);
    expect(columnTypeOf(['互动交流', '区长信箱'])).toBe(COLUMN_TYPES.interaction);
    expect(columnTypeOf(['互动交流', '回应关切'])).toBe(COLUMN_TYPES.interpretation);
    expect(columnTypeOf(['专题专栏', '老旧小区改造'])).toBe(COLUMN_TYPES.special);
    expect(columnTypeOf(['政府信息公开', '街道信息公开', '南院门街道办事处', '社区服务'])).toBe(COLUMN_TYPES.publishing);
    expect(columnTypeOf(['政府信息公开', '政策解读'])).toBe(COLUMN_TYPES.interpretation);
    expect(new Set(structure.columns.map((c) => c.columnType))).toEqual(new Set(Object.values(COLUMN_TYPES)));
  });

  it('follows a renamed or added column (the navigation comes from the registry)', () => {
    const renamed = siteStructureFromRegistry({
      ...registry,
      portal: {
        columns: [
          ...registry.portal.columns.map((c) => (c.id === 'xwdt' ? { ...c, name: '新闻中心', path: ['新闻中心'] } : c)),
          { id: 'xwdt-new', name: '新增栏目', parentId: 'xwdt', updateClass: 'news_dynamic', keyArea: false, path: ['新闻中心', '新增栏目'] },
        ],
      },
    });
    const home = renderHomePage({ latest: [], columnLatest: {} }, { ...site, structure: renamed });
    expect(home).toContain('>新闻中心</a>');
    expect(home).not.toContain('>新闻动态</a>');
    expect(home).toContain('href="col/xwdt-new/index.html"');
    // Paths come from the tree, so a child's breadcrumb follows its parent's new name.
    expect(renamed.columns.find((c) => c.id === 'xwdt-blyw')!.path).toEqual(['新闻中心', '碑林要闻']);
    expect(structure.columns.find((c) => c.id === 'xwdt-blyw')!.path).toEqual(['新闻动态', '碑林要闻']);
  });
});

// ─── site identity (config/registry/site.yaml) ─────────────────────────────────────────────────

describe('site identity', () => {
  it('loads the sample file', () => {
    expect(identity).toMatchObject({
      siteName: '西安市碑林区人民政府',
      siteDomain: 'www.beilin.gov.cn',
      siteIdCode: '6101030001',
      icpNumber: '陕ICP备05001234号',
      publicSecurityNumber: '陕公网安备 61010302000123号',
    });
    expect(identity.partyGovernmentBadgeUrl).toMatch(/^https:\/\//);
    expect(identity.contact.postcode).toBe('710001');
    expect(Object.isFrozen(identity)).toBe(true);
  });

  const valid = `siteName: 西安市碑林区人民政府
siteDomain: www.beilin.gov.cn
siteIdCode: "6101030001"
hostUnit: 区政府办公室
icpNumber: 陕ICP备05001234号
publicSecurityNumber: 陕公网安备 61010302000123号
`;

  it('accepts a minimal file and reads an unquoted code as written', () => {
    const parsed = parseSiteIdentity(valid.replace('"6101030001"', '6101030001'), '/tmp/site.yaml');
    expect(parsed.siteIdCode).toBe('6101030001');
    expect(parsed.operatorUnit).toBeNull();
    expect(parsed.partyGovernmentBadgeUrl).toBeNull();
    expect(parsed.contact).toEqual({ address: null, postcode: null, phone: null, email: null });
  });

  it('reports every problem with file:line and field', () => {
    const bad = `siteName: "碑林\\u0007区"
siteDomain: https://www.beilin.gov.cn/
siteIdCode: "61010300"
hostUnit: 区政府办公室
icpNumber: ICP 05001234
publicSecurityNumber: 陕公网安备 6101号
partyGovernmentBadgeUrl: http://bszs.conac.cn/x
errorReportUrl: javascript:alert(1)
contact:
  postcode: "7100"
  email: not-an-address
colour: red
`;
    let error: unknown;
    try {
      parseSiteIdentity(bad, path.join(os.tmpdir(), 'site.yaml'));
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const lines = (error as ConfigError).message
      .split('\n')
      .slice(1)
      .map((l) => l.trim());
    const expectIssue = (line: number, field: string, words: RegExp) =>
      expect(
        lines.some((l) => new RegExp(`site\\.yaml:${line}: ${field.replace('.', '\\.')}: `).test(l) && words.test(l)),
        `${line} ${field}\n${lines.join('\n')}`,
      ).toBe(true);
    expectIssue(1, 'siteName', /control characters.*U\+0007/);
    expectIssue(2, 'siteDomain', /host name without http/);
    expectIssue(3, 'siteIdCode', /10-character 网站标识码/);
    expectIssue(5, 'icpNumber', /ICP filing number/);
    expectIssue(6, 'publicSecurityNumber', /14 digits/);
    expectIssue(7, 'partyGovernmentBadgeUrl', /https:\/\//);
    expectIssue(8, 'errorReportUrl', /https:\/\//);
    expectIssue(10, 'contact.postcode', /6-digit/);
    expectIssue(11, 'contact.email', /e-mail/);
    expectIssue(12, 'colour', /unknown key/);
    expect(lines).toHaveLength(10);
  });

  it('`govpub config check` checks site.yaml with the registry: the problem with file:line, a failing exit', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'govpub-site-config-'));
    try {
      await cp(path.join(REPO_ROOT, 'config'), dir, { recursive: true });
      const file = path.join(dir, 'registry', 'site.yaml');
      const text = await readFile(file, 'utf8');
      const line = text.split('\n').findIndex((l) => l.startsWith('icpNumber:')) + 1;
      await writeFile(file, text.replace(/^icpNumber:.*$/m, 'icpNumber: ICP05001234'));
      const result = await runCli(['config', 'check'], { GOVPUB_CONFIG_DIR: dir }, undefined, { timeoutMs: 60_000 });
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain(`site.yaml:${line}: icpNumber: must be an ICP filing number such as 陕ICP备05001234号`);
      await writeFile(file, text);
      const ok = await runCli(['config', 'check'], { GOVPUB_CONFIG_DIR: dir }, undefined, { timeoutMs: 60_000 });
      expect(ok.stdout).toContain('portal site 西安市碑林区人民政府 (www.beilin.gov.cn, 网站标识码 6101030001)');
      expect(ok.code).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('names a missing required field and a missing file', async () => {
    expect(() => parseSiteIdentity(valid.replace(/^icpNumber:.*\n/m, ''), '/tmp/site.yaml')).toThrow(/icpNumber: required field is missing/);
    await expect(loadSiteIdentity('/nonexistent/site.yaml')).rejects.toThrow(/site\.yaml: file not found/);
  });
});

// ─── every page: meta tags, chrome, footer ──────────────────────────────────────────────────────

describe('the chrome every page shares', () => {
  it('home: site meta tags, no column or article tags, navigation of the top-level columns, the search form, the elder toggle', () => {
    const html = renderHomePage({ latest: [], columnLatest: {} }, site);
    expect(metaContent(html, 'SiteName')).toBe('西安市碑林区人民政府');
    expect(metaContent(html, 'SiteDomain')).toBe('www.beilin.gov.cn');
    expect(metaContent(html, 'SiteIDCode')).toBe('6101030001');
    expect(metaContent(html, 'ColumnName')).toBeUndefined();
    expect(metaContent(html, 'ArticleTitle')).toBeUndefined();
    const nav = /<nav class="main-nav"[^>]*>([\s\S]*?)<\/nav>/.exec(html)![1]!;
    const navLabels = [...nav.matchAll(/<a [^>]*>([^<]*)<\/a>/g)].map((m) => m[1]);
    expect(navLabels).toEqual(['首页', ...structure.roots.map((id) => column(id).name), '政府信息公开目录']);
    expect(nav).toContain('href="index.html" aria-current="page"');
    expect(html).toMatch(/<form class="search" role="search" action="search\/index\.html" method="get">.*<input id="site-search-q" name="q"/);
    // The toggle is hidden until the script shows it: without JavaScript nothing pretends to work.
    expect(html).toContain('<button type="button" class="elder-toggle" id="elder-toggle" aria-pressed="false" hidden>适老化模式</button>');
    expect(html).toContain(`<script src="${SITE_JS_PATH}"></script>`);
    expect(html).not.toMatch(/<script>|<style>|\son[a-z]+="/); // CSP: script-src 'self', no inline code
    expect(html).toContain(`<link rel="icon" href="${FAVICON_PATH}"`);
    expect(html).toContain(`<link rel="stylesheet" href="${SITE_CSS_PATH}">`);
  });

  it('footer: 主办单位, 承办单位, 联系我们, 网站标识码, ICP and 公安备案 linked, the 党政机关 badge, 网站地图, 站内搜索, RSS', () => {
    const html = renderSiteMapPage(site);
    const footer = /<footer class="site-footer">([\s\S]*?)<\/footer>/.exec(html)![1]!;
    expect(footer).toContain('主办单位：西安市碑林区人民政府办公室');
    expect(footer).toContain('承办单位：西安市碑林区融媒体中心');
    expect(footer).toMatch(/联系我们：地址：西安市碑林区示例路1号　邮编：710001　电话：029-80000000　电子邮箱：<a href="mailto:webmaster@example.gov.cn">/);
    expect(footer).toContain('网站标识码：6101030001');
    expect(footer).toContain('<a href="https://beian.miit.gov.cn/" rel="noopener">陕ICP备05001234号</a>');
    expect(footer).toContain('<a href="https://beian.mps.gov.cn/#/query/webSearch?code=61010302000123" rel="noopener">陕公网安备 61010302000123号</a>');
    expect(footer).toMatch(
      /<a class="dzjg" href="https:\/\/bszs\.conac\.cn\/sitename\?method=show&amp;id=0+" rel="noopener"><svg [^>]*role="img" aria-label="党政机关网站标识/,
    );
    expect(footer).toContain('<a href="../map/index.html">网站地图</a>');
    expect(footer).toContain('<a href="../search/index.html">站内搜索</a>');
    expect(footer).toContain('<a href="../rss.xml">RSS 订阅</a>');
  });

  it('footer: 我为政府网站找错 (the 发展指引 asks every footer for it), the 找错 platform page of this 网站标识码 unless site.yaml names one', () => {
    const footer = (html: string) => /<footer class="site-footer">([\s\S]*?)<\/footer>/.exec(html)![1]!;
    expect(footer(renderSiteMapPage(site))).toContain(
      '<a href="https://zfwzzc.www.gov.cn/check_web/errorInfo/jcInfoNew?siteCode=6101030001&amp;url=https%3A%2F%2Fwww.beilin.gov.cn%2F" rel="noopener">我为政府网站找错</a>',
    );
    const named = parseSiteIdentity(
      `siteName: 西安市碑林区人民政府
siteDomain: www.beilin.gov.cn
siteIdCode: "6101030001"
hostUnit: 区政府办公室
icpNumber: 陕ICP备05001234号
publicSecurityNumber: 陕公网安备 61010302000123号
errorReportUrl: https://jiucuo.example.gov.cn/?site=6101030001&from=footer
`,
      '/tmp/site.yaml',
    );
    expect(footer(renderSiteMapPage({ ...site, identity: named }))).toContain(
      '<a href="https://jiucuo.example.gov.cn/?site=6101030001&amp;from=footer" rel="noopener">我为政府网站找错</a>',
    );
    // A site without its identity (tests, tools) has no code to report errors under: no invented link.
    expect(renderSiteMapPage({ ...site, identity: unconfiguredIdentity('某站', 'www.example.gov.cn') })).not.toContain('我为政府网站找错');
  });

  it('a column-like page named through meta (the search page) gets the full column tags, once each', () => {
    const html = pageShell({
      site,
      root: '../',
      title: '站内搜索',
      path: SITE_PATHS.search,
      breadcrumb: [{ label: '站内搜索' }],
      meta: { ColumnName: '站内搜索', Robots: 'x' },
      main: '<h1>站内搜索</h1>',
    });
    expect(metaContent(html, 'ColumnName')).toBe('站内搜索');
    expect(metaContent(html, 'ColumnType')).toBe('信息发布类');
    expect(metaContent(html, 'Robots')).toBe('x');
    expect(html.match(/name="ColumnName"/g)).toHaveLength(1);
  });

  it('hides the badge when none is configured and does not invent filing links', () => {
    const html = renderSiteMapPage({ ...site, identity: { ...identity, partyGovernmentBadgeUrl: null, publicSecurityNumber: '公安备案号未配置' } });
    expect(html).not.toContain('class="dzjg"');
    expect(html).not.toContain('beian.mps.gov.cn');
    expect(html).toContain('公安备案号未配置');
  });
});

// ─── column pages ─────────────────────────────────────────────────────────────────────────────

describe('column pages', () => {
  it('an empty leaf column says 本栏目暂无信息, carries the column meta tags and links every breadcrumb level', () => {
    const node = column('zdly-zdxm-xmpz');
    const files = renderColumnPages(node, [], site);
    expect([...files.keys()]).toEqual(['col/zdly-zdxm-xmpz/index.html', 'col/zdly-zdxm-xmpz/rss.xml']);
    const html = files.get('col/zdly-zdxm-xmpz/index.html')!;
    expect(html).toContain('<p class="empty">本栏目暂无信息。</p>');
    expect(metaContent(html, 'ColumnName')).toBe('项目批准');
    expect(metaContent(html, 'ColumnType')).toBe('信息发布类');
    expect(metaContent(html, 'ColumnKeywords')).toBe(node.path.join(','));
    expect(metaContent(html, 'ColumnDescription')).toBe(`西安市碑林区人民政府「${node.path.join(' > ')}」栏目`);
    const crumbs = breadcrumbLinks(html);
    expect(crumbs.map((c) => c.label)).toEqual(['首页', ...node.path]);
    expect(crumbs.map((c) => resolve('col/zdly-zdxm-xmpz/index.html', c.href))).toEqual([
      'index.html',
      ...node.idPath.map((id) => portalColumnPaths(id).index),
    ]);
    // The main navigation marks the column's top-level ancestor.
    expect(html).toContain('<li><a href="../../col/zwgk/index.html" aria-current="page">政府信息公开</a></li>');
    expect(html).toContain('<a href="rss.xml">RSS 订阅本栏目</a>');
  });

  it('a parent column links its children; entries are paged from the oldest, the index page shows the newest; the feed holds them', () => {
    const node = column('xwdt');
    // 7 entries, 3 a page: page_1 holds the oldest 3 (5, 6, 7), the index page the newest 4.
    const entries = [1, 2, 3, 4, 5, 6, 7].map((n) => listEntry(n));
    const files = renderColumnPages(node, entries, site);
    expect([...files.keys()].sort()).toEqual(['col/xwdt/index.html', 'col/xwdt/page_1.html', 'col/xwdt/rss.xml']);
    const first = files.get('col/xwdt/index.html')!;
    const children = /<nav class="child-columns"[\s\S]*?<\/nav>/.exec(first)![0];
    expect([...children.matchAll(/href="..\/..\/col\/([^/]+)\/index.html"/g)].map((m) => m[1])).toEqual(node.children);
    expect(entryTitles(first)).toEqual(['第1号通知', '第2号通知', '第3号通知', '第4号通知']);
    expect(first).toContain('<span aria-current="page">最新</span>');
    expect(first).toContain('共 7 条');
    expect(first).toContain('<span class="note">最近更新：2025-06-01</span>'); // 2025-05-31T23:00Z is 1 June in China
    expect(first).toContain('<a href="page_1.html" rel="next">下一页</a>');
    const repealed = renderColumnPages(node, [listEntry(1, { validity: { state: 'repealed', effectiveFrom: null, endedAt: '2025-01-01' } })], site).get(
      'col/xwdt/index.html',
    )!;
    expect(repealed).toContain('<span class="validity-repealed">已废止</span>');
    const oldest = files.get('col/xwdt/page_1.html')!;
    expect(entryTitles(oldest)).toEqual(['第5号通知', '第6号通知', '第7号通知']);
    expect(oldest).toContain('<a href="index.html" rel="prev">上一页</a>');
    expect(oldest).toContain('<span aria-current="page">第 1 页</span>');
    expect(oldest).not.toContain('rel="next"');
    expect(oldest).toContain('<title>新闻动态（第1页）');
    expect(metaContent(oldest, 'ColumnName')).toBe('新闻动态');
    const feed = files.get('col/xwdt/rss.xml')!;
    expect(feed.match(/<item>/g)).toHaveLength(7);
    expect(feed).toContain(`<link>${BASE}/${entries[0]!.path}</link>`);
    expect(feed).toContain(`<atom:link href="${BASE}/col/xwdt/rss.xml" rel="self"`);
  });

  it('an interpretation column lists the interpretations of its form, each leading to its page with its document as 政策原文; its feed too', () => {
    const interpretations = [
      { title: '一图读懂养老服务补贴', formLabel: '图表解读' },
      { title: '养老服务补贴办法视频解读', formLabel: '视频解读' },
    ];
    const policy = listEntry(1, { title: '关于印发养老服务补贴办法的通知', interpretations });
    const pages = portalPagePaths(policy.packageId, 2).interpretations;
    const files = renderColumnPages(column('zwgk-zcwj-zcjd-sp'), [policy, listEntry(2)], site);
    const html = files.get('col/zwgk-zcwj-zcjd-sp/index.html')!;
    // 视频解读 shows the video interpretation, not the document and not the graphic one; a package without interpretations keeps its usual entry.
    expect(entryTitles(html)).toEqual(['养老服务补贴办法视频解读', '第2号通知']);
    expect(html).toContain(`href="../../${pages[1]}">养老服务补贴办法视频解读</a>`);
    expect(html).toMatch(/政策原文：<a href="[^"]*">关于印发养老服务补贴办法的通知<\/a>/);
    const feed = files.get('col/zwgk-zcwj-zcjd-sp/rss.xml')!;
    expect(feed).toContain('<title>养老服务补贴办法视频解读</title>');
    expect(feed).toContain(`<link>${BASE}/${pages[1]}</link>`);
    // A column whose name is no form (政策解读) shows every interpretation; a document column shows the document.
    const parent = renderColumnPages(column('zwgk-zcwj-zcjd'), [policy], site).get('col/zwgk-zcwj-zcjd/index.html')!;
    expect(entryTitles(parent)).toEqual(['一图读懂养老服务补贴', '养老服务补贴办法视频解读']);
    const documents = renderColumnPages(column('zwgk-zcwj-gfxwj'), [policy], site).get('col/zwgk-zcwj-gfxwj/index.html')!;
    expect(entryTitles(documents)).toEqual(['关于印发养老服务补贴办法的通知']);
  });

  it('archived pages keep their number, entries and bytes as newer entries arrive; prev/next chain every page once', () => {
    const node = column('xwdt-tzgg');
    // Entry n is older the larger n is; `newest(k)`: the list after k publications, newest first.
    const newest = (k: number) => Array.from({ length: k }, (_, i) => listEntry(100 - k + 1 + i));
    const ten = renderColumnPages(node, newest(10), site);
    const eleven = renderColumnPages(node, newest(11), site);
    const twelve = renderColumnPages(node, newest(12), site);
    const pagesOf = (files: Map<string, string>) => [...files.keys()].filter((f) => f.includes('/page_')).sort();
    // 10 entries: pages 1, 2 (3 each, the oldest first), index 4; 11: index 5; 12: a third page, index 3.
    expect(pagesOf(ten)).toEqual(['col/xwdt-tzgg/page_1.html', 'col/xwdt-tzgg/page_2.html']);
    expect(pagesOf(eleven)).toEqual(pagesOf(ten));
    for (const file of pagesOf(ten)) expect(eleven.get(file), file).toBe(ten.get(file));
    expect(pagesOf(twelve)).toEqual([...pagesOf(ten), 'col/xwdt-tzgg/page_3.html']);
    expect(twelve.get('col/xwdt-tzgg/page_1.html')).toBe(ten.get('col/xwdt-tzgg/page_1.html'));
    // Page 2's 上一页 led to the index page; now page 3 sits between them.
    expect(ten.get('col/xwdt-tzgg/page_2.html')).toContain('<a href="index.html" rel="prev">上一页</a>');
    expect(twelve.get('col/xwdt-tzgg/page_2.html')).toContain('<a href="page_3.html" rel="prev">上一页</a>');
    expect(entryTitles(twelve.get('col/xwdt-tzgg/index.html')!)).toHaveLength(3);

    // Walking 下一页 from the index page, then 上一页 back, visits every entry once, newest first, and every page.
    const dir = 'col/xwdt-tzgg/';
    const relLink = (html: string, rel: string): string | undefined => [...html.matchAll(/<a href="([^"]+)" rel="([a-z]+)">/g)].find((m) => m[2] === rel)?.[1];
    const seen: string[] = [];
    const visited: string[] = [];
    for (let file: string | undefined = 'index.html'; file; file = relLink(twelve.get(dir + file)!, 'next')) {
      visited.push(file);
      seen.push(...entryTitles(twelve.get(dir + file)!));
    }
    expect(visited).toEqual(['index.html', 'page_3.html', 'page_2.html', 'page_1.html']);
    expect(seen).toEqual(newest(12).map((e) => e.title));
    const back: string[] = [];
    for (let file: string | undefined = 'page_1.html'; file; file = relLink(twelve.get(dir + file)!, 'prev')) back.push(file);
    expect(back).toEqual([...visited].reverse());

    // With the previous keys, unchanged archived pages are neither rendered nor written again.
    const reuse: PageReuse = { previous: {}, keys: {} };
    renderColumnPages(node, newest(10), site, reuse);
    const next: PageReuse = { previous: reuse.keys, keys: {} };
    expect([...renderColumnPages(node, newest(11), site, next).keys()].sort()).toEqual(['col/xwdt-tzgg/index.html', 'col/xwdt-tzgg/rss.xml']);
    expect(next.keys).toEqual(reuse.keys);
    const grown: PageReuse = { previous: next.keys, keys: {} };
    expect([...renderColumnPages(node, newest(12), site, grown).keys()].sort()).toEqual([
      'col/xwdt-tzgg/index.html',
      'col/xwdt-tzgg/page_2.html',
      'col/xwdt-tzgg/page_3.html',
      'col/xwdt-tzgg/rss.xml',
    ]);
    // A backdated entry (older than page 2's newest) shifts pages 1 and 2: both are written again.
    const backdated = [...newest(11), listEntry(1000, { releasedAt: '2020-01-01T00:00:00.000Z' })];
    const shifted: PageReuse = { previous: next.keys, keys: {} };
    expect(pagesOf(renderColumnPages(node, backdated, site, shifted))).toEqual([
      'col/xwdt-tzgg/page_1.html',
      'col/xwdt-tzgg/page_2.html',
      'col/xwdt-tzgg/page_3.html',
    ]);
  });

  it('stablePaging: page k holds the k-th size entries from the oldest; the index page the rest (up to 2·size − 1)', () => {
    const list = (n: number) => Array.from({ length: n }, (_, i) => n - i); // newest first: n … 1 (1 is the oldest)
    expect(stablePaging(list(0), 20)).toEqual({ latest: [], archived: [] });
    expect(stablePaging(list(39), 20)).toEqual({ latest: list(39), archived: [] });
    const p = stablePaging(list(45), 20);
    expect(p.archived.map((a) => [a.number, a.entries[0], a.entries.at(-1)])).toEqual([[1, 20, 1]]);
    expect(p.latest).toEqual(list(45).slice(0, 25));
    const big = stablePaging(list(580), 20);
    expect(big.archived).toHaveLength(28);
    expect(big.archived[27]!.entries).toEqual([560, 559, 558, 557, 556, 555, 554, 553, 552, 551, 550, 549, 548, 547, 546, 545, 544, 543, 542, 541]);
    expect(big.latest).toHaveLength(20);
    for (let n = 0; n < 100; n++) {
      const q = stablePaging(list(n), 7);
      expect([...q.latest, ...[...q.archived].reverse().flatMap((a) => a.entries)]).toEqual(list(n));
      expect(q.archived.length).toBe(archivedPageCount(n, 7));
      expect(q.latest.length).toBeLessThanOrEqual(13);
      if (n >= 7) expect(q.latest.length).toBeGreaterThanOrEqual(7);
    }
  });

  it('a list links each entry and its interpretations (解读：文字解读 视频解读)', () => {
    const entry = listEntry(1, {
      interpretations: [
        { title: '解读一', formLabel: '文字解读' },
        { title: '解读二', formLabel: '视频解读' },
      ],
    });
    const html = renderColumnPages(column('xwdt-tzgg'), [entry], site).get('col/xwdt-tzgg/index.html')!;
    const jd = portalPagePaths(entry.packageId, 2).interpretations;
    expect(html).toContain(`<a class="entry-title" href="../../${entry.path}">第1号通知</a>`);
    expect(html).toContain(`<span class="entry-jd">解读：<a href="../../${jd[0]}">文字解读</a> <a href="../../${jd[1]}">视频解读</a></span>`);
  });

  it('a parent column without entries of its own still says so and points to its children', () => {
    const html = renderColumnPages(column('zwgk'), [], site).get('col/zwgk/index.html')!;
    expect(html).toContain('本栏目暂无信息，请浏览下级栏目。');
  });
});

// ─── the home page ────────────────────────────────────────────────────────────────────────────

describe('home page', () => {
  it('shows the latest items, the 17 key areas with their latest items (or 本栏目暂无信息), and the column directory', () => {
    const latest = [1, 2, 3].map((n) => listEntry(n));
    const html = renderHomePage({ latest, columnLatest: { 'zdly-zdxm': [listEntry(9, { title: '重大项目批复公告', homeColumnId: 'zdly-zdxm' })] } }, site);
    const latestSection = /<section class="latest"[\s\S]*?<\/section>/.exec(html)![0];
    expect([...latestSection.matchAll(/class="entry-title"[^>]*>([^<]*)</g)].map((m) => m[1])).toEqual(['第1号通知', '第2号通知', '第3号通知']);
    expect(latestSection).toContain('<span class="entry-column">通知公告</span>');
    const boxes = [...html.matchAll(/<section class="key-area"[\s\S]*?<\/section>/g)].map((m) => m[0]);
    expect(boxes).toHaveLength(17);
    expect(boxes.map((b) => /<h3[^>]*><a [^>]*>([^<]*)</.exec(b)![1])).toEqual(structure.keyAreas.map((id) => column(id).name));
    expect(boxes[0]).toContain('重大项目批复公告');
    expect(boxes.slice(1).every((b) => b.includes('本栏目暂无信息'))).toBe(true);
    for (const id of structure.roots) expect(html).toContain(`href="col/${id}/index.html"`);
  });
});

// ─── article pages ────────────────────────────────────────────────────────────────────────────

describe('article pages', () => {
  const input = policyInput();
  const paths = portalPagePaths(input.packageId, 2);
  let files: Map<string, string>;
  beforeAll(() => {
    files = renderArticle(input, site);
  });

  it('writes the document page and one page per interpretation, three levels down', () => {
    expect([...files.keys()]).toEqual([paths.document, ...paths.interpretations]);
    expect(paths.document.split('/')).toHaveLength(4);
  });

  it('carries the disclosure metadata block with every field, 有效性 with its date', () => {
    const html = files.get(paths.document)!;
    const block = /<table class="doc-meta">[\s\S]*?<\/table>/.exec(html)![0];
    const cells = Object.fromEntries([...block.matchAll(/<th scope="row">([^<]+)<\/th><td[^>]*>([\s\S]*?)<\/td>/g)].map((m) => [m[1], m[2]]));
    expect(cells).toEqual({
      索引号: '11610103MB2950046X/2025-00012',
      主题分类: '城乡建设、环境保护\\城市规划',
      发文机关: '西安市碑林区人民政府',
      成文日期: '2025年05月28日',
      标题: '碑林区老旧小区改造实施办法',
      发文字号: '碑政发〔2025〕12号',
      发布日期: '2025年06月01日',
      主题词: '城乡建设 老旧小区 办法',
      有效性: '<span class="validity-valid">有效（施行日期：2025年07月01日）</span>',
    });
  });

  it('shows 失效 and 废止 with their dates, and no 有效性 row for other documents', () => {
    const expired = renderArticle(policyInput(policyPayload({ validity: { state: 'expired', effectiveFrom: '2020-01-01', endedAt: '2024-12-31' } })), site).get(
      paths.document,
    )!;
    expect(expired).toContain('<span class="validity-expired">失效（施行日期：2020年01月01日，失效日期：2024年12月31日）</span>');
    const repealed = renderArticle(policyInput(policyPayload({ validity: { state: 'repealed', effectiveFrom: null, endedAt: '2025-03-01' } })), site).get(
      paths.document,
    )!;
    expect(repealed).toContain('废止（废止日期：2025年03月01日）');
    const plain = renderArticle(policyInput(policyPayload({ validity: null, indexNumber: null, topic: null, keywords: [] })), site).get(paths.document)!;
    expect(plain).not.toContain('有效性');
    expect(metaContent(plain, 'Keywords')).toBe(column('zwgk-zcwj-gfxwj').name); // never empty
    expect(plain).toContain('<th scope="row">索引号</th><td>无</td>');
  });

  it('an interpretation of a 失效 or 废止 document says so beside its 政策原文, on its page and in the lists of interpretations', () => {
    const repealed = { state: 'repealed' as const, effectiveFrom: '2020-01-01', endedAt: '2025-03-01' };
    const pages = renderArticle(policyInput(policyPayload({ validity: repealed })), site);
    const origin = (html: string) => /<section class="policy-origin"[\s\S]*?<\/section>/.exec(html)![0];
    for (const page of paths.interpretations) {
      expect(origin(pages.get(page)!), page).toContain('<span class="validity-repealed">废止（施行日期：2020年01月01日，废止日期：2025年03月01日）</span>');
    }
    const valid = renderArticle(policyInput(), site);
    for (const page of paths.interpretations) expect(origin(valid.get(page)!), page).not.toContain('validity-');

    const interpretations = [{ title: '一图读懂养老服务补贴', formLabel: '图表解读' }];
    const expired = listEntry(1, {
      title: '关于印发养老服务补贴办法的通知',
      interpretations,
      validity: { state: 'expired', effectiveFrom: null, endedAt: '2025-01-01' },
    });
    const list = renderColumnPages(column('zwgk-zcwj-zcjd'), [expired], site).get('col/zwgk-zcwj-zcjd/index.html')!;
    expect(list).toMatch(/政策原文：<a href="[^"]*">关于印发养老服务补贴办法的通知<\/a> <span class="validity-expired">已失效<\/span>/);
  });

  it('carries every article meta tag, with the column tags of its home column', () => {
    const html = files.get(paths.document)!;
    expect(metaContent(html, 'SiteIDCode')).toBe('6101030001');
    expect(metaContent(html, 'ColumnName')).toBe(column('zwgk-zcwj-gfxwj').name);
    expect(metaContent(html, 'ColumnType')).toBe(column('zwgk-zcwj-gfxwj').columnType);
    expect(metaContent(html, 'ArticleTitle')).toBe('碑林区老旧小区改造实施办法');
    expect(metaContent(html, 'PubDate')).toBe('2025-06-01 10:00');
    expect(metaContent(html, 'ContentSource')).toBe('西安市碑林区人民政府');
    expect(metaContent(html, 'Keywords')).toBe('城乡建设,老旧小区,办法');
    expect(metaContent(html, 'Author')).toBe('西安市碑林区人民政府');
    expect(metaContent(html, 'Description')).toBe('为加快推进老旧小区改造，制定本办法。');
    expect(metaContent(html, 'Image')).toBe(`${BASE}/${media('a', 'jpg')}`);
    expect(metaContent(html, 'Url')).toBe(`${BASE}/${paths.document}`);
    const jd = files.get(paths.interpretations[1]!)!;
    expect(metaContent(jd, 'ArticleTitle')).toBe('局长谈老旧小区改造');
    expect(metaContent(jd, 'Author')).toBe('区住房和城乡建设局局长');
    expect(metaContent(jd, 'Url')).toBe(`${BASE}/${paths.interpretations[1]}`);
    // An interpretation describes itself, not the document it interprets.
    expect(metaContent(jd, 'Description')).toBe('视频解读要点。');
    expect(jd).toContain('<meta name="description" content="视频解读要点。">');
    expect(metaContent(files.get(paths.interpretations[0]!)!, 'Description')).toBe('一、制定背景');
    const noBody = { title: '局长谈老旧小区改造', bodyHtml: '', transcriptHtml: '<p>主持人：请您介绍一下改造的范围。</p><!--portal-figure:0-->' };
    expect(interpretationSummary(noBody)).toBe('主持人：请您介绍一下改造的范围。');
    expect(interpretationSummary({ ...noBody, transcriptHtml: null })).toBe('局长谈老旧小区改造');
  });

  it('links every breadcrumb level of its home column and lists every column it is in (所属栏目)', () => {
    const html = files.get(paths.document)!;
    const home = column('zwgk-zcwj-gfxwj');
    const crumbs = breadcrumbLinks(html);
    expect(crumbs.map((c) => c.label)).toEqual(['首页', ...home.path]);
    expect(crumbs.map((c) => resolve(paths.document, c.href))).toEqual(['index.html', ...home.idPath.map((id) => portalColumnPaths(id).index)]);
    expect(html).toContain('<span aria-current="page">正文</span>');
    const columns = /<p class="columns">所属栏目：([\s\S]*?)<\/p>/.exec(html)![1]!;
    expect([...columns.matchAll(/href="([^"]+)"/g)].map((m) => resolve(paths.document, m[1]!))).toEqual([
      portalColumnPaths('zwgk-zcwj-gfxwj').index,
      portalColumnPaths('zdly-zdxm').index,
    ]);
  });

  it('an interpretation’s page names the 解读回应类 column whose list leads to it, and keeps the home column when none does', () => {
    // Listed in 视频解读 too: its list shows the video interpretation (the package has one), not the text one.
    const listed = renderArticle({ ...input, columns: [...input.columns, column('zwgk-zcwj-zcjd-sp')] }, site);
    const [textPage, videoPage] = paths.interpretations.map((p) => listed.get(p)!);
    const video = column('zwgk-zcwj-zcjd-sp');
    expect(breadcrumbLinks(videoPage!).map((c) => c.label)).toEqual(['首页', ...video.path]);
    expect(metaContent(videoPage!, 'ColumnName')).toBe('视频解读');
    expect(breadcrumbLinks(textPage!).map((c) => c.label)).toEqual(['首页', ...column('zwgk-zcwj-gfxwj').path]);
    expect(metaContent(textPage!, 'ColumnName')).toBe(metaContent(files.get(paths.document)!, 'ColumnName'));
  });

  it('interpretationColumnIndex: the column named after the form first, then a column that shows every interpretation; -1 for none', () => {
    const paths = (...ids: string[]) => ids.map((id) => column(id).path);
    // 文字解读 and 视频解读 show only their forms when the package has that form; 政策解读 shows all.
    expect(interpretationColumnIndex(paths('zwgk-zcwj-gfxwj', 'zwgk-zcwj-zcjd-sp', 'zwgk-zcwj-zcjd-wz'), '文字解读', ['文字解读', '视频解读'])).toBe(2);
    expect(interpretationColumnIndex(paths('zwgk-zcwj-gfxwj', 'zwgk-zcwj-zcjd-sp'), '文字解读', ['文字解读', '视频解读'])).toBe(-1);
    expect(interpretationColumnIndex(paths('zwgk-zcwj-gfxwj', 'zwgk-zcwj-zcjd-sp'), '文字解读', ['文字解读'])).toBe(1);
    expect(interpretationColumnIndex(paths('zwgk-zcwj-gfxwj', 'zwgk-zcwj-zcjd'), '视频解读', ['文字解读', '视频解读'])).toBe(1);
    expect(interpretationColumnIndex(paths('zwgk-zcwj-gfxwj'), '文字解读', ['文字解读'])).toBe(-1);
  });

  it('offers the attachments for download with their type and size', () => {
    const html = files.get(paths.document)!;
    const section = /<section class="attachments"[\s\S]*?<\/section>/.exec(html)![0];
    expect(section).toContain(
      `<a href="../../../${media('d', 'pdf')}" download="改造项目清单.pdf">改造项目清单</a> <span class="file-meta">（PDF，1.2 MB）</span>`,
    );
    expect(section).toContain(`download="资金测算表.xlsx">资金测算表</a> <span class="file-meta">（Excel，45 KB）</span>`);
    expect(section).toContain('<a href="https://www.shaanxi.gov.cn/zcwj/1.html" rel="noopener">省级政策</a> <span class="file-meta">（外部链接）</span>');
    expect(section).toContain(`download="电子公文.ofd">电子公文.ofd</a> <span class="file-meta">（OFD，300 KB）</span>`);
  });

  it("keeps a body's centred heading and right-aligned 落款 as classes the stylesheet aligns (the CSP ignores style attributes)", () => {
    const body =
      '<p style="text-align:center"><strong>碑林区老旧小区改造实施办法</strong></p><p>第一条 为加快改造，制定本办法。</p>' +
      '<p style="text-align:right">西安市碑林区人民政府<br />2025年5月28日</p><p style="text-align: justify;">两端对齐</p><p style="color:red">不是对齐</p>';
    const input = policyInput(policyPayload({ bodyHtml: body }));
    const pages = renderArticle(
      {
        ...input,
        payload: { ...input.payload, interpretations: [{ ...input.payload.interpretations[0]!, bodyHtml: '<p style="text-align:right">区住建局</p>' }] },
      },
      site,
    );
    const html = pages.get(paths.document)!;
    const docBody = /<div class="doc-body">([\s\S]*?)<\/div>/.exec(html)![1]!;
    expect(docBody).toContain('<p class="align-center"><strong>碑林区老旧小区改造实施办法</strong></p>');
    expect(docBody).toContain('<p class="align-right">西安市碑林区人民政府<br>2025年5月28日</p>');
    expect(docBody).toContain('<p class="align-justify">两端对齐</p>');
    expect(docBody).toContain('<p>不是对齐</p>');
    expect(pages.get(portalPagePaths(input.packageId, 1).interpretations[0]!)).toContain('<p class="align-right">区住建局</p>');
    for (const page of pages.values()) expect(page).not.toMatch(/\sstyle=/);
    for (const align of ['left', 'center', 'right', 'justify']) expect(SITE_CSS).toContain(`.align-${align}{text-align:${align}}`);
  });

  it('writes the void tags the sanitizer closes XHTML-style (<br />, <hr />) as HTML does, so a 落款 with a line break validates', async () => {
    // As services/package-input.ts's sanitizer stores a body: sanitize-html writes `<br />` and `<hr />`.
    const input = policyInput(policyPayload({ bodyHtml: '<p>第一条 为加快改造，制定本办法。</p><hr /><p>西安市碑林区人民政府<br />2025年5月28日</p>' }));
    const interpretation = { ...input.payload.interpretations[0]!, bodyHtml: '<p>一、制定背景<br />二、主要内容</p>' };
    const pages = renderArticle({ ...input, payload: { ...input.payload, interpretations: [interpretation] } }, site);
    const validator = new HtmlValidate({ extends: ['html-validate:recommended'] });
    for (const [p, html] of pages) {
      expect(html, p).not.toMatch(/<(br|hr)\b[^>]*\/>/);
      const report = await validator.validateString(html, p);
      expect(report.results.flatMap((r) => r.messages.map((m) => `${p}:${m.line} ${m.ruleId} ${m.message}`))).toEqual([]);
    }
    expect(pages.get(paths.document)).toContain('西安市碑林区人民政府<br>2025年5月28日');
    expect(pages.get(portalPagePaths(input.packageId, 1).interpretations[0]!)).toContain('一、制定背景<br>二、主要内容');
  });

  it('the policy page links its interpretations under 政策解读; each interpretation links back under 政策原文', () => {
    const html = files.get(paths.document)!;
    const related = /<section class="related" aria-labelledby="related-heading"><h2 id="related-heading">政策解读<\/h2>([\s\S]*?)<\/section>/.exec(html)![1]!;
    expect([...related.matchAll(/href="([^"]+)"/g)].map((m) => m[1])).toEqual(['jd-1.html', 'jd-2.html']);
    expect(html).not.toContain('关联解读');
    for (const jdPath of paths.interpretations) {
      const jd = files.get(jdPath)!;
      expect(jd).toMatch(/<h2 id="origin-heading">政策原文<\/h2><p><a href="index.html">碑林区老旧小区改造实施办法<\/a><\/p>/);
      expect(breadcrumbLinks(jd)).toHaveLength(column('zwgk-zcwj-gfxwj').path.length + 1);
    }
  });

  it('the home column is not an interpretation column, then in registry order; columns the registry lacks are typed by their delivered name', () => {
    expect(columnsHomeFirst(structure, ['zwgk-zcwj-zcjd-wz', 'zdly-zdxm', 'zwgk-zcwj-gfxwj'])).toEqual(['zwgk-zcwj-gfxwj', 'zdly-zdxm', 'zwgk-zcwj-zcjd-wz']);
    const paths: Record<string, string[]> = { 'a-jd': ['政务公开', '政策解读'], 'b-wj': ['政务公开', '政策文件'] };
    expect(columnsHomeFirst(structure, ['a-jd', 'b-wj'], (id) => paths[id])).toEqual(['b-wj', 'a-jd']);
    expect(columnsHomeFirst(structure, ['old-column', 'xwdt'])).toEqual(['xwdt', 'old-column']);
  });

  it('a column the registry does not hold still gives a breadcrumb and 所属栏目 (its own name, linked)', () => {
    const orphan = columnOrOrphan(structure, 'old-column', ['旧栏目', '已撤销栏目']);
    expect(orphan).toMatchObject({ id: 'old-column', name: '已撤销栏目', path: ['已撤销栏目'], idPath: ['old-column'], parentId: null });
    expect(columnOrOrphan(structure, 'xwdt', ['whatever'])).toBe(column('xwdt'));
    const html = renderArticle({ ...policyInput(), columns: [orphan] }, site).get(paths.document)!;
    expect(breadcrumbLinks(html).map((c) => c.label)).toEqual(['首页', '已撤销栏目']);
    expect(html).toContain('所属栏目：<a href="../../../col/old-column/index.html">已撤销栏目</a>');
    expect(metaContent(html, 'ColumnName')).toBe('已撤销栏目');
  });

  it('a video interpretation shows captions as a track and the transcript under the player', () => {
    const jd = files.get(paths.interpretations[1]!)!;
    expect(jd).toContain(`<track kind="captions" src="../../../${media('2', 'vtt')}" srclang="zh-CN" label="中文字幕" default>`);
    expect(jd).toMatch(
      /<\/video><\/figure>\n<details class="transcript"><summary>视频文字实录<\/summary>\n<div class="transcript-body">\n<p>主持人：请您介绍一下改造的范围。<\/p>/,
    );
    // A picture in the transcript becomes a <picture> like in a body.
    expect(/<details class="transcript">[\s\S]*?<\/details>/.exec(jd)![0]).toContain(`<img src="../../../${media('b', 'jpg')}"`);
    const withoutCaptions = policyPayload();
    withoutCaptions.interpretations[1] = { ...withoutCaptions.interpretations[1]!, captions: null, transcriptHtml: null };
    const bare = renderArticle(policyInput(withoutCaptions), site).get(paths.interpretations[1]!)!;
    expect(bare).toContain('<video');
    expect(bare).not.toContain('<track');
    expect(bare).not.toContain('文字实录');
  });
});

// ─── catalogue, site map, feeds, 404 ───────────────────────────────────────────────────────────

describe('政府信息公开目录 pages', () => {
  it('the index lists every category and item with counts', () => {
    const html = renderCatalogueIndex({ 'qzf-gfxwj': 2, 'qzf-wj': 5 }, site);
    const categories = [...new Set(structure.catalogue.map((i) => i.category))];
    expect([...html.matchAll(/<h2 id="category-\d+"><a href="([^"]+)">([^<]+)<\/a> <span/g)].map((m) => [m[1], m[2]])).toEqual(
      categories.map((c) => [`../${catalogueCategoryPath(c)}`, c]),
    );
    for (const item of structure.catalogue) expect(html).toContain(`href="../${catalogueItemPaths(item.id).index}"`);
    expect(html).toContain('区政府行政规范性文件</a> <span class="count">（2）</span>');
    expect(html).toMatch(/政策文件<\/a> <span class="count">（7）<\/span>/);
    expect(metaContent(html, 'ColumnName')).toBe('政府信息公开目录');
    // Named once: not 「政府信息公开目录：政府信息公开目录」 nor the keyword twice.
    expect(metaContent(html, 'ColumnDescription')).toBe(`${identity.siteName}政府信息公开目录`);
    expect(metaContent(html, 'ColumnKeywords')).toBe('政府信息公开目录');
  });

  it('a category page lists its items with their main elements and counts; only the categories asked for are written', () => {
    const all = renderCatalogueCategoryPages({ 'qzf-gfxwj': 2, 'qzf-wj': 5 }, site);
    const categories = [...new Set(structure.catalogue.map((i) => i.category))];
    expect([...all.keys()].sort()).toEqual(categories.map(catalogueCategoryPath).sort());
    expect(new Set(categories.map(catalogueCategoryPath)).size).toBe(categories.length);
    const policy = structure.catalogue.find((i) => i.id === 'qzf-gfxwj')!;
    const html = all.get(catalogueCategoryPath(policy.category))!;
    const items = structure.catalogue.filter((i) => i.category === policy.category);
    expect([...html.matchAll(/<th scope="row"><a href="([^"]+)">([^<]+)<\/a><\/th>/g)].map((m) => m[2])).toEqual(items.map((i) => i.name));
    expect(html).toContain(`href="../${catalogueItemPaths('qzf-gfxwj').index}"`);
    expect(html).toContain('已公开信息 7 条');
    expect(html).toContain(`<td>${policy.timeLimit}</td>`);
    expect(breadcrumbLinks(html).map((c) => c.label)).toEqual(['首页', '政府信息公开目录', policy.category]);
    expect(breadcrumbLinks(html).every((c) => c.href)).toBe(true);
    expect([...renderCatalogueCategoryPages({}, site, new Set([policy.category])).keys()]).toEqual([catalogueCategoryPath(policy.category)]);
  });

  it("a column's <title> names its ancestors when another column has its name; the h1 stays its name", () => {
    const notices = structure.columns.filter((c) => c.name === '通知公告');
    expect(notices.length).toBeGreaterThan(1);
    const titles = notices.map((c) => /<title>([^<]+)<\/title>/.exec(renderColumnPages(c, [], site).get(portalColumnPaths(c.id).index)!)![1]!);
    expect(new Set(titles).size).toBe(notices.length);
    expect(titles[notices.findIndex((c) => c.id === 'bm-jyj-tzgg')]).toBe(`通知公告 - 区教育局 - ${identity.siteName}`);
    expect(titles[notices.findIndex((c) => c.id === 'xwdt-tzgg')]).toBe(`通知公告 - 新闻动态 - ${identity.siteName}`);
    expect(renderColumnPages(notices[0]!, [], site).get(portalColumnPaths(notices[0]!.id).index)).toContain('<h1>通知公告</h1>');
    // A name no other column has stays alone.
    const unique = structure.columns.find((c) => structure.columns.filter((o) => o.name === c.name).length === 1)!;
    expect(renderColumnPages(unique, [], site).get(portalColumnPaths(unique.id).index)).toContain(`<title>${unique.name} - ${identity.siteName}</title>`);
  });

  it('the sitemap lists every category page the catalogue index links', () => {
    const categories = [...new Set(structure.catalogue.map((i) => i.category))];
    expect(categories).toHaveLength(30);
    const part = renderSitePart(emptyRootState(), site, []);
    const locs = [...part.matchAll(/<loc>([^<]+)<\/loc>/g)].map((m) => m[1]!);
    for (const category of categories) expect(locs, category).toContain(`${site.publicBaseUrl}/${catalogueCategoryPath(category)}`);
  });

  it('an item page shows its 13 elements and its documents (索引号, 发文字号, 有效性), paged', () => {
    const item = catalogueItemView(structure, 'qzf-gfxwj')!;
    const entries = [1, 2, 3, 4, 5, 6, 7].map((n) =>
      listEntry(n, { validity: n === 2 ? { state: 'repealed', effectiveFrom: null, endedAt: '2025-01-01' } : null }),
    );
    const files = renderCatalogueItemPages(item, entries, site);
    expect([...files.keys()]).toEqual(['xxgk/qzf-gfxwj/index.html', 'xxgk/qzf-gfxwj/page_1.html']);
    const html = files.get('xxgk/qzf-gfxwj/index.html')!;
    // The archived page (the oldest 3) does not show the total, which changes with every document.
    const archived = files.get('xxgk/qzf-gfxwj/page_1.html')!;
    expect(archived).toContain('<h2 id="documents-heading">已公开信息</h2>');
    expect(archived).toContain('<span aria-current="page">第 1 页</span>');
    expect(archived).toContain('<a href="index.html" rel="prev">上一页</a>');
    expect((archived.match(/<td data-label="索引号">/g) ?? []).length).toBe(3);
    const elements = /<table class="catalogue-elements">[\s\S]*?<\/table>/.exec(html)![0];
    const labels = [...elements.matchAll(/<th scope="row">([^<]+)<\/th>/g)].map((m) => m[1]);
    expect(labels).toEqual([
      '公开事项类别',
      '公开事项名称',
      '公开内容',
      '公开依据',
      '公开主体',
      '责任部门',
      '责任科室',
      '公开时限',
      '公开对象',
      '公开渠道',
      '公开方式',
      '公开属性',
      '网站对应栏目',
    ]);
    expect(elements).toContain('<td>主动公开</td>');
    expect(elements).toContain(`href="../../${portalColumnPaths(item.portalColumnId).index}"`);
    expect(html).toContain('<td data-label="索引号">11610103MB2950046X/2025-00001</td>');
    expect(html).toContain('<span class="validity-repealed">废止</span>');
    expect(html).toContain('已公开信息 <span class="count">（7）</span>');
    const crumbs = breadcrumbLinks(html);
    expect(crumbs.map((c) => c.label)).toEqual(['首页', '政府信息公开目录', item.category, item.name]);
    expect(crumbs[2]!.href).toBe(`../../${catalogueCategoryPath(item.category)}`);
    expect(crumbs.every((c) => c.href)).toBe(true);
    const empty = renderCatalogueItemPages(catalogueItemView(structure, 'qzf-wj')!, [], site).get('xxgk/qzf-wj/index.html')!;
    expect(empty).toContain('本栏目暂无信息');
  });
});

describe('site map, feeds, 404', () => {
  it('the site map links every column of the tree', () => {
    const html = renderSiteMapPage(site);
    const links = new Set([...html.matchAll(/href="\.\.\/col\/([^/]+)\/index\.html"/g)].map((m) => m[1]));
    expect(links.size).toBe(326);
    expect(html).toContain('本站共 326 个栏目');
  });

  it('the site feed names each entry its column, with absolute links', () => {
    const feed = renderSiteFeed([listEntry(1), listEntry(2, { homeColumnId: 'zdly-zdxm' })], site);
    expect(feed).toContain(`<atom:link href="${BASE}/rss.xml" rel="self"`);
    expect(feed).toContain(`<category>${column('zdly-zdxm').path.join(' &gt; ')}</category>`);
    expect(feed).toContain(`<link>${BASE}/${listEntry(1).path}</link>`);
  });

  it('the 404 page wears the chrome with links from the site path; the plain one without settings still works', () => {
    const html = renderNotFoundPage(site, '/portal/');
    expect(html).toContain('<a class="site-name" href="/portal/index.html">');
    expect(html).toContain('<a href="/portal/map/index.html">网站地图</a>');
    expect(html).toContain('网站标识码：6101030001');
    expect(html).not.toContain('rel="canonical"');
    const plain = renderNothingPublishedPage('西安市碑林区人民政府', '/portal/');
    expect(plain).toContain('本站尚未发布任何信息');
    expect(plain).not.toMatch(/<style|<script|\sstyle="/); // CSP: style-src 'self', script-src 'self'
    expect(plain).toContain('<link rel="stylesheet" href="/portal/assets/site.css">');
  });
});

// ─── hostile text ─────────────────────────────────────────────────────────────────────────────

describe('escaping', () => {
  it('escapes markup and drops control characters in every text a page or feed shows (the pages still validate)', async () => {
    const hostile = '<script>alert(1)</script>"\'&\u0000\u0007\u001b\u007f\u0085\ufffe';
    const payload = policyPayload({ title: hostile, documentNumber: hostile, issuingUnit: hostile, topic: hostile, keywords: [hostile], indexNumber: hostile });
    payload.interpretations[0] = { ...payload.interpretations[0]!, title: hostile, interpreter: hostile, formLabel: hostile };
    payload.document.attachments[0] = { ...payload.document.attachments[0]!, name: hostile };
    payload.summary = hostile;
    const hostileIdentity: SiteIdentity = { ...identity, siteName: hostile, hostUnit: hostile, contact: { ...identity.contact, address: hostile } };
    const hostileSite = { ...site, identity: hostileIdentity };
    const pages = [
      ...renderArticle(policyInput(payload), hostileSite).values(),
      renderHomePage({ latest: [listEntry(1, { title: hostile, summary: hostile })], columnLatest: {} }, hostileSite),
      renderSiteFeed([listEntry(1, { title: hostile, summary: hostile })], hostileSite),
      renderColumnFeed(column('xwdt'), [listEntry(1, { title: hostile })], hostileSite),
      renderNotFoundPage(hostileSite, '/'),
    ];
    const validator = new HtmlValidate({ extends: ['html-validate:recommended'] });
    for (const page of pages) {
      if (page.startsWith('<!DOCTYPE html>')) {
        const report = await validator.validateString(page);
        expect(report.results.flatMap((r) => r.messages.map((m) => `${m.ruleId} ${m.message}`))).toEqual([]);
      }
      expect(page).not.toContain('<script>alert');
      expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;');
      expect(page).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\ufffe\uffff]/);
    }
  });
});

describe('feeds', () => {
  /** What an XML parser gives for a text node: XML's predefined entities decoded, once. */
  const xmlText = (raw: string) =>
    raw.replace(/&(lt|gt|quot|apos|#39|amp);/g, (_, name: string) => ({ lt: '<', gt: '>', quot: '"', apos: "'", '#39': "'", amp: '&' })[name]!);
  const itemField = (feed: string, field: string) => xmlText(new RegExp(`<item>[\\s\\S]*?<${field}>([\\s\\S]*?)</${field}>`).exec(feed)![1]!);

  it('an item description is entity-encoded HTML (escaped for HTML, then for XML), its title plain text escaped once', () => {
    const text = '<script>alert(1)</script> & <b>';
    const entry = listEntry(1, { title: text, summary: text });
    for (const feed of [renderSiteFeed([entry], site), renderColumnFeed(column('xwdt'), [entry], site)]) {
      expect(feed).toContain('<description>&amp;lt;script&amp;gt;alert(1)&amp;lt;/script&amp;gt; &amp;amp; &amp;lt;b&amp;gt;</description>');
      // The parsed description is HTML whose text is the summary: no element comes out of it.
      expect(itemField(feed, 'description')).toBe('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;');
      expect(itemField(feed, 'title')).toBe(text);
    }
  });
});

// ─── accessibility: palette, elder mode, script ─────────────────────────────────────────────────

describe('accessibility', () => {
  it('the contrast formula gives the known figures (white on black 21, the old footer 4.14)', () => {
    expect(contrast('#ffffff', '#000000')).toBeCloseTo(21, 5);
    expect(contrast('#777777', '#f6f6f6')).toBeCloseTo(4.14, 2);
  });

  it('every text colour on every background it is drawn on reaches 4.5:1', () => {
    const failing = TEXT_PAIRS.map((p) => ({ ...p, ratio: contrast(p.text, p.background) })).filter((p) => p.ratio < 4.5);
    expect(failing).toEqual([]);
    // Each listed pair is really used by the stylesheet, and the old failing footer colour is gone.
    for (const p of TEXT_PAIRS) {
      expect(SITE_CSS).toContain(p.text);
      expect(SITE_CSS).toContain(p.background);
    }
    expect(SITE_CSS).not.toContain('#777');
    expect(SITE_CSS).toContain(`.site-footer{background:${PALETTE.footerBackground};color:${PALETTE.footerText}`);
  });

  it('the stylesheet has focus outlines, elder-mode rules and a narrow-screen layout', () => {
    expect(SITE_CSS).toMatch(/:focus-visible\{outline:3px solid/);
    expect(SITE_CSS).toMatch(/html\.elder\{font-size:125%\}/);
    expect(SITE_CSS).toMatch(/html\.elder body\{color:#000000;background:#ffffff/);
    expect(SITE_CSS).toMatch(/@media \(max-width:40rem\)/);
  });

  it('site.js remembers the elder mode in localStorage and shows the toggle', () => {
    expect(SITE_JS).toContain(`var KEY = '${ELDER_MODE_KEY}'`);
    expect(SITE_JS).toContain('localStorage.setItem(KEY');
    expect(SITE_JS).toContain('button.hidden = false');
    expect(SITE_JS).toContain("setAttribute('aria-pressed'");
    expect(() => new Function(SITE_JS)).not.toThrow();
  });

  it('favicon.ico is a 32×32 icon: red field, white star', () => {
    const ico = faviconIco();
    const view = new DataView(ico.buffer, ico.byteOffset, ico.byteLength);
    expect([view.getUint16(0, true), view.getUint16(2, true), view.getUint16(4, true)]).toEqual([0, 1, 1]);
    expect([ico[6], ico[7], view.getUint16(12, true)]).toEqual([32, 32, 32]);
    expect(view.getUint32(14, true) + 22).toBe(ico.length);
    const pixel = (x: number, yFromTop: number) => {
      const at = 22 + 40 + ((31 - yFromTop) * 32 + x) * 4;
      return [ico[at + 2], ico[at + 1], ico[at]]; // RGB
    };
    expect(pixel(0, 0)).toEqual([0xa8, 0x17, 0x1b]);
    expect(pixel(16, 16)).toEqual([0xff, 0xff, 0xff]);
    expect(pixel(16, 5)).toEqual([0xff, 0xff, 0xff]); // the upper point
    expect(pixel(16, 30)).toEqual([0xa8, 0x17, 0x1b]); // below the star
  });
});

// ─── a whole site: HTML validator and link check ─────────────────────────────────────────────────

describe('a whole rendered site', () => {
  const pages = new Map<string, string>();
  let dir: string;

  beforeAll(async () => {
    const policy = policyInput();
    const policyEntry: ListEntry = {
      ...listEntry(0),
      packageId: policy.packageId,
      title: policy.payload.document.title,
      path: portalPagePaths(policy.packageId, 2).document,
      interpretations: policy.payload.interpretations.map((i) => ({ title: i.title, formLabel: i.formLabel })),
      cover: { file: media('a', 'jpg'), width: 640, height: 360, alt: '改造后的小区全景' },
      homeColumnId: 'zwgk-zcwj-gfxwj',
      validity: { state: 'valid', effectiveFrom: '2025-07-01', endedAt: null },
    };
    for (const [p, html] of renderArticle(policy, site)) pages.set(p, html);
    const entries = [policyEntry];
    const byColumn = new Map<string, ListEntry[]>([
      ['zwgk-zcwj-gfxwj', entries],
      ['zdly-zdxm', entries],
    ]);
    for (const node of structure.columns) for (const [p, html] of renderColumnPages(node, byColumn.get(node.id) ?? [], site)) pages.set(p, html);
    pages.set(SITE_PATHS.home, renderHomePage({ latest: entries, columnLatest: Object.fromEntries(byColumn) }, site));
    pages.set(SITE_PATHS.siteMap, renderSiteMapPage(site));
    pages.set(SITE_PATHS.catalogue, renderCatalogueIndex({ 'qzf-gfxwj': 1 }, site));
    for (const [p, html] of renderCatalogueCategoryPages({ 'qzf-gfxwj': 1 }, site)) pages.set(p, html);
    for (const item of structure.catalogue)
      for (const [p, html] of renderCatalogueItemPages(item, item.id === 'qzf-gfxwj' ? entries : [], site)) pages.set(p, html);
    pages.set(SITE_PATHS.feed, renderSiteFeed(entries, site));
    pages.set(SITE_PATHS.notFound, renderNotFoundPage(site, '/'));
    dir = await mkdtemp(path.join(os.tmpdir(), 'portal-pages-'));
  });

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('has a page for every column, every catalogue item and each site-wide page', () => {
    for (const node of structure.columns) expect(pages.has(portalColumnPaths(node.id).index), node.id).toBe(true);
    for (const item of structure.catalogue) expect(pages.has(catalogueItemPaths(item.id).index), item.id).toBe(true);
    expect(pages.size).toBeGreaterThan(326 * 2 + structure.catalogue.length);
  });

  it('passes html-validate (recommended rules) on one page of each kind', async () => {
    const validator = new HtmlValidate({ extends: ['html-validate:recommended'] });
    const samples = [
      SITE_PATHS.home,
      SITE_PATHS.siteMap,
      SITE_PATHS.catalogue,
      SITE_PATHS.notFound,
      catalogueItemPaths('qzf-gfxwj').index,
      catalogueItemPaths('qzf-wj').index,
      portalColumnPaths('xwdt').index,
      portalColumnPaths('zwgk-zcwj-gfxwj').index,
      portalColumnPaths('zdly-zdxm-xmpz').index,
      ...renderArticle(policyInput(), site).keys(),
    ];
    const problems: string[] = [];
    for (const p of samples) {
      const report = await validator.validateString(pages.get(p)!, p);
      for (const result of report.results) for (const m of result.messages) problems.push(`${p}:${m.line}:${m.column} ${m.ruleId} ${m.message}`);
    }
    expect(problems).toEqual([]);
    // The plain page (no generation yet) too.
    const plain = await validator.validateString(renderNothingPublishedPage('西安市碑林区人民政府', '/portal/'));
    expect(plain.results.flatMap((r) => r.messages.map((m) => `${m.ruleId} ${m.message}`))).toEqual([]);
  });

  it('column pages across the tree validate (every top-level column, every key area, every 8th column)', async () => {
    const validator = new HtmlValidate({ extends: ['html-validate:recommended'] });
    const invalid: string[] = [];
    const sample = structure.columns.filter((c, i) => c.parentId === null || c.keyArea || i % 8 === 0);
    for (const node of sample) {
      const report = await validator.validateString(pages.get(portalColumnPaths(node.id).index)!);
      if (!report.valid) invalid.push(`${node.id}: ${report.results[0]!.messages[0]!.message}`);
    }
    expect(invalid).toEqual([]);
  });

  it('every local link of every page resolves within the site (given the static files and the search page)', async () => {
    const statics = new Set([SITE_CSS_PATH, SITE_JS_PATH, FAVICON_PATH, SITE_PATHS.search, ...Object.values(policyInput().media).map((m) => m.file)]);
    const broken: string[] = [];
    for (const [p, html] of pages) {
      if (!p.endsWith('.html')) continue;
      for (const href of localLinks(html)) {
        const target = href.startsWith('/') ? href.slice(1) : resolve(p, href);
        if (!pages.has(target) && !statics.has(target)) broken.push(`${p} → ${href}`);
      }
    }
    expect(broken.slice(0, 20)).toEqual([]);
    // The feed is XML with absolute links into the site.
    await writeFile(path.join(dir, 'rss.xml'), pages.get(SITE_PATHS.feed)!);
    expect(pages.get(SITE_PATHS.feed)).toContain(`${BASE}/${portalPagePaths(policyInput().packageId, 0).document}`);
  });
});
