/**
 * The rendered pages in Chromium (Debian's, through playwright-core), served with a strict CSP
 * (script-src 'self'; style-src 'self'): axe-core finds no violation of the WCAG 2 A/AA rules or
 * best practices, whatever its impact, on the home page, a parent, a leaf, an empty and an
 * interpretation column, the catalogue index, a category and an item, a policy page, a text and a
 * video interpretation, the site map and the 404 page, in the normal and the elder-friendly mode
 * (the search page: portal-search.test.ts); at 360 px no page scrolls sideways, even when a title, an interpretation
 * or a name has nothing to break at; the 适老化 toggle enlarges the type and is remembered across pages
 * and visits; without JavaScript the toggle stays hidden and the page reads the same.
 *
 * Without Chromium the file is skipped locally; with CI=true it fails instead.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRegistrySync } from '../../config/registry.js';
import { loadSiteIdentitySync } from '../../config/site-identity.js';
import { renderArticle, type ArticleInput } from '../../adapters/portal/pages/article.js';
import { FAVICON_PATH, SITE_JS, SITE_JS_PATH, faviconIco } from '../../adapters/portal/pages/assets.js';
import { renderCatalogueCategoryPages, renderCatalogueIndex, renderCatalogueItemPages } from '../../adapters/portal/pages/catalogue.js';
import { renderColumnPages } from '../../adapters/portal/pages/column.js';
import { renderHomePage } from '../../adapters/portal/pages/home.js';
import type { ListEntry } from '../../adapters/portal/pages/model.js';
import type { SiteSettings } from '../../adapters/portal/pages/settings.js';
import { renderSiteMapPage } from '../../adapters/portal/pages/site-map.js';
import { renderNotFoundPage } from '../../adapters/portal/pages/standalone.js';
import { catalogueItemView, columnNode, siteStructureFromRegistry } from '../../adapters/portal/pages/structure.js';
import { SITE_CSS, SITE_CSS_PATH } from '../../adapters/portal/pages/style.js';
import { SITE_PATHS, catalogueCategoryPath, catalogueItemPaths, portalColumnPaths, portalPagePaths } from '../../adapters/portal/urls.js';
import { axeViolations, describeViolations } from '../console/axe.js';
import { launchChromium, skipBrowser } from '../support/browser.js';
import { fixtureSettings } from './portal-site-fixtures.js';

const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; media-src 'self'; frame-ancestors 'none'";

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.ico': 'image/x-icon',
  '.xml': 'application/rss+xml; charset=utf-8',
  '.vtt': 'text/vtt; charset=utf-8',
};

describe.skipIf(skipBrowser)('the rendered pages in a browser', () => {
  let dir: string;
  let server: Server;
  let base: string;
  let browser: Browser;
  const policyId = 'pkg-20250601-policy01';
  const policyPaths = portalPagePaths(policyId, 2);
  // A package whose title, interpretation, interpreter and issuing unit have nothing to break at.
  const unbrokenId = 'pkg-20250602-unbroken';
  const unbrokenPaths = portalPagePaths(unbrokenId, 1);

  beforeAll(async () => {
    const identity = loadSiteIdentitySync();
    const structure = siteStructureFromRegistry(loadRegistrySync());
    const site: SiteSettings = fixtureSettings(structure, 'https://www.beilin.gov.cn', identity);
    const input: ArticleInput = {
      packageId: policyId,
      columns: [columnNode(structure, 'zwgk-zcwj-gfxwj')!],
      media: {
        'vid portal.video_720': { file: 'media/ff/video.mp4', mime: 'video/mp4', bytes: 1000, width: 1280, height: 720 },
        'vid portal.captions': { file: 'media/ca/captions.vtt', mime: 'text/vtt', bytes: 50 },
      },
      payload: {
        version: 1,
        column: { id: 'zwgk-zcwj-gfxwj', path: [] },
        packageId: policyId,
        revision: 1,
        contentHash: 'h',
        releasedAt: '2025-06-01T02:00:00.000Z',
        summary: '为加快推进老旧小区改造，制定本办法。',
        catalogueName: '区政府行政规范性文件',
        catalogueId: 'qzf-gfxwj',
        document: {
          title: '碑林区老旧小区改造实施办法',
          // A long address with nothing to break at (phones at 360 px must not scroll sideways).
          bodyHtml: `<p>各街道办事处，区政府各工作部门：</p><p>现将办法印发给你们，请认真贯彻执行。</p><p>详见https://www.beilin.gov.cn/${'zwgk'.repeat(30)}/index.html</p><p style="text-align:right">西安市碑林区人民政府</p>`,
          documentNumber: '碑政发〔2025〕12号',
          issuingUnit: '西安市碑林区人民政府',
          formedAt: '2025-05-28',
          indexNumber: '11610103MB2950046X/2025-00012',
          topic: '城乡建设、环境保护\\城市规划',
          keywords: ['城乡建设', '老旧小区'],
          validity: { state: 'expired', effectiveFrom: '2020-01-01', endedAt: '2024-12-31' },
          attachments: [{ name: '改造项目清单', href: 'https://www.beilin.gov.cn/files/list.pdf', media: null }],
        },
        interpretations: [
          {
            form: 'text',
            formLabel: '文字解读',
            title: '一图读懂',
            interpreter: null,
            bodyHtml: '<p>要点。</p>',
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
            transcriptHtml: '<p>主持人：请您介绍一下改造的范围。</p>',
          },
        ],
        figures: [],
        cover: null,
      },
    };
    const entry: ListEntry = {
      packageId: policyId,
      title: input.payload.document.title,
      summary: input.payload.summary,
      releasedAt: input.payload.releasedAt,
      path: policyPaths.document,
      cover: null,
      indexNumber: input.payload.document.indexNumber,
      documentNumber: input.payload.document.documentNumber,
      validity: input.payload.document.validity,
      interpretations: input.payload.interpretations.map((i) => ({ title: i.title, formLabel: i.formLabel })),
      homeColumnId: 'zwgk-zcwj-gfxwj',
    };
    const unbroken = (prefix: string) => `${prefix}BeilinDistrictPeoplesGovernment${'A'.repeat(90)}`;
    const unbrokenInput: ArticleInput = {
      packageId: unbrokenId,
      columns: [columnNode(structure, 'zwgk-zcwj-gfxwj')!, columnNode(structure, 'zwgk-zcwj-zcjd-wz')!],
      media: {},
      payload: {
        ...input.payload,
        packageId: unbrokenId,
        document: {
          ...input.payload.document,
          title: unbroken('关于'),
          issuingUnit: unbroken('U'),
          validity: null,
          // Preformatted lines keep their spaces and do not wrap by themselves: a pasted table, a command, an address.
          bodyHtml: `<p>附表：</p><pre>序号  项目名称${'  老旧小区改造配套基础设施提升工程（含雨污分流）'.repeat(4)}\n1     ${'x'.repeat(200)}</pre><pre><code>curl https://www.beilin.gov.cn/${'zwgk/'.repeat(40)}list.json</code></pre>`,
        },
        interpretations: [{ ...input.payload.interpretations[0]!, title: unbroken('解读'), interpreter: unbroken('I') }],
      },
    };
    const unbrokenEntry: ListEntry = {
      ...entry,
      packageId: unbrokenId,
      title: unbrokenInput.payload.document.title,
      path: unbrokenPaths.document,
      validity: null,
      interpretations: unbrokenInput.payload.interpretations.map((i) => ({ title: i.title, formLabel: i.formLabel })),
    };
    const files = new Map<string, string | Uint8Array>();
    for (const [p, html] of renderArticle(input, site)) files.set(p, html);
    for (const [p, html] of renderArticle(unbrokenInput, site)) files.set(p, html);
    const listed: Record<string, ListEntry[]> = { 'zwgk-zcwj-gfxwj': [unbrokenEntry, entry], 'zwgk-zcwj-zcjd-wz': [unbrokenEntry] };
    for (const id of ['zwgk-zcwj-gfxwj', 'zwgk-zcwj-zcjd-wz', 'xwdt', 'zdly-zdxm', 'zwgk-zcwj-gfxwjql'])
      for (const [p, html] of renderColumnPages(columnNode(structure, id)!, listed[id] ?? [], site)) files.set(p, html);
    files.set(SITE_PATHS.home, renderHomePage({ latest: [entry], columnLatest: {} }, site));
    files.set(SITE_PATHS.siteMap, renderSiteMapPage(site));
    files.set(SITE_PATHS.catalogue, renderCatalogueIndex({ 'qzf-gfxwj': 2 }, site));
    for (const [p, html] of renderCatalogueCategoryPages({ 'qzf-gfxwj': 2 }, site)) files.set(p, html);
    files.set(SITE_PATHS.notFound, renderNotFoundPage(site, '/'));
    for (const [p, html] of renderCatalogueItemPages(catalogueItemView(structure, 'qzf-gfxwj')!, [unbrokenEntry, entry], site)) files.set(p, html);
    files.set(SITE_CSS_PATH, SITE_CSS);
    files.set(SITE_JS_PATH, SITE_JS);
    files.set(FAVICON_PATH, faviconIco());
    files.set('media/ca/captions.vtt', 'WEBVTT\n\n00:00.000 --> 00:02.000\n主持人：请您介绍一下改造的范围。\n');

    dir = await mkdtemp(path.join(os.tmpdir(), 'portal-pages-browser-'));
    for (const [p, content] of files) {
      await mkdir(path.dirname(path.join(dir, p)), { recursive: true });
      await writeFile(path.join(dir, p), content);
    }
    server = createServer((req, res) => {
      const rel = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname).replace(/^\/+/, '') || 'index.html';
      const file = path.join(dir, rel);
      if (!file.startsWith(dir + path.sep)) return void res.writeHead(400).end();
      readFile(file).then(
        (body) => res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'content-security-policy': CSP }).end(body),
        () => res.writeHead(404, { 'content-type': 'text/plain' }).end('not found'),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const pages = () => [
    ['home', SITE_PATHS.home],
    ['column', portalColumnPaths('xwdt').index],
    ['empty column', portalColumnPaths('zwgk-zcwj-gfxwjql').index],
    ['catalogue index', SITE_PATHS.catalogue],
    ['catalogue category', catalogueCategoryPath(catalogueItemView(siteStructureFromRegistry(loadRegistrySync()), 'qzf-gfxwj')!.category)],
    ['catalogue item', catalogueItemPaths('qzf-gfxwj').index],
    ['policy', policyPaths.document],
    ['text interpretation', policyPaths.interpretations[0]!],
    ['video interpretation', policyPaths.interpretations[1]!],
    ['site map', SITE_PATHS.siteMap],
    ['404', SITE_PATHS.notFound],
    ['unbroken titles: document', unbrokenPaths.document],
    ['unbroken titles: interpretation', unbrokenPaths.interpretations[0]!],
    ['unbroken titles: policy column', portalColumnPaths('zwgk-zcwj-gfxwj').index],
    ['unbroken titles: interpretation column', portalColumnPaths('zwgk-zcwj-zcjd-wz').index],
  ];

  /** CSP reports and script errors on a page, collected while it is used. */
  function watchErrors(page: Page): string[] {
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    return errors;
  }

  it('axe-core finds no violation of the WCAG 2 A/AA rules or best practices, whatever its impact, on every kind of page, in normal and in elder mode, and the CSP blocks nothing', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors = watchErrors(page);
    const report: string[] = [];
    for (const elder of [false, true]) {
      for (const [name, p] of pages()) {
        await page.goto(`${base}/${p}`);
        if (elder !== (await page.evaluate('document.documentElement.classList.contains("elder")'))) await page.click('#elder-toggle');
        const violations = await axeViolations(page);
        if (violations.length > 0) report.push(describeViolations(`${name}${elder ? ' (elder mode)' : ''}`, violations));
      }
    }
    await context.close();
    expect(report.join('\n')).toBe('');
    expect(errors).toEqual([]);
  });

  it('the elder-friendly toggle enlarges the type, is remembered across pages and visits, and switches off again', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${base}/${SITE_PATHS.home}`);
    const toggle = page.locator('#elder-toggle');
    await expect(toggle.isVisible()).resolves.toBe(true);
    expect(await toggle.getAttribute('aria-pressed')).toBe('false');
    const fontSize = () => page.evaluate('parseFloat(getComputedStyle(document.documentElement).fontSize)') as Promise<number>;
    const normal = await fontSize();
    await toggle.click();
    expect(await toggle.getAttribute('aria-pressed')).toBe('true');
    expect(await fontSize()).toBeCloseTo(normal * 1.25, 1);
    // Another page, then a new visit in the same browser profile.
    await page.goto(`${base}/${policyPaths.document}`);
    expect(await page.evaluate('document.documentElement.classList.contains("elder")')).toBe(true);
    expect(await page.locator('#elder-toggle').getAttribute('aria-pressed')).toBe('true');
    const again = await context.newPage();
    await again.goto(`${base}/${portalColumnPaths('xwdt').index}`);
    expect(await again.evaluate('document.documentElement.classList.contains("elder")')).toBe(true);
    await again.click('#elder-toggle');
    await again.reload();
    expect(await again.evaluate('document.documentElement.classList.contains("elder")')).toBe(false);
    await context.close();
  });

  it("at 360 px no page is wider than the screen, in normal and in elder mode (key-area grid, long words, titles and names with nothing to break at, long <pre> lines), and the header's 搜索 button stays on one line", async () => {
    const context = await browser.newContext({ viewport: { width: 360, height: 640 } });
    const page = await context.newPage();
    const tooWide: string[] = [];
    for (const elder of [false, true]) {
      for (const [name, p] of pages()) {
        await page.goto(`${base}/${p}`);
        if (elder !== (await page.evaluate('document.documentElement.classList.contains("elder")'))) await page.click('#elder-toggle');
        const width = (await page.evaluate('document.documentElement.scrollWidth')) as number;
        if (width > 360) tooWide.push(`${name}${elder ? ' (elder mode)' : ''}: ${width} px`);
        // The header's 搜索 button keeps its word on one line (squeezed by the field, elder mode's type broke it in two).
        const buttonLines = (await page.evaluate(
          '(() => { const r = document.createRange(); r.selectNodeContents(document.querySelector(".search button")); return new Set([...r.getClientRects()].map((b) => Math.round(b.top))).size; })()',
        )) as number;
        if (buttonLines !== 1) tooWide.push(`${name}${elder ? ' (elder mode)' : ''}: the 搜索 button's text on ${buttonLines} lines`);
      }
    }
    await context.close();
    expect(tooWide).toEqual([]);
  });

  it('without JavaScript the toggle stays hidden and the content reads the same', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${base}/${policyPaths.document}`);
    expect(await page.locator('#elder-toggle').isVisible()).toBe(false);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('碑林区老旧小区改造实施办法');
    expect(await page.locator('table.doc-meta').innerText()).toContain('失效（施行日期：2020年01月01日，失效日期：2024年12月31日）');
    // The 落款 the editor right-aligned stays right-aligned under style-src 'self'.
    expect(await page.evaluate('getComputedStyle(document.querySelector(".doc-body p:last-child")).textAlign')).toBe('right');
    // The transcript opens without script (<details>).
    await page.goto(`${base}/${policyPaths.interpretations[1]}`);
    await page.getByText('视频文字实录').click();
    expect(await page.getByText('主持人：请您介绍一下改造的范围。').isVisible()).toBe(true);
    await context.close();
  });
});
