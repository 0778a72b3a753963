/**
 * The portal as a reader sees it: headless Chromium (Debian's, through playwright-core) against
 * registerPortalRoutes on an ephemeral port. A package with a document and two interpretations
 * goes to two columns; the reader goes column index → document → 「政策解读」 → interpretation →
 * 「政策原文」 → document, every picture has alt text and loads; after the take-down the pages
 * answer 404 and no index lists the package any more.
 *
 * Without Chromium the file is skipped locally; with CI=true it fails instead.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPortalAdapter, type PortalAdapter } from '../../adapters/portal/index.js';
import { registerPortalRoutes } from '../../adapters/portal/serve.js';
import { portalPagePaths } from '../../adapters/portal/urls.js';
import type { ReleaseUnit, TransmitResult } from '../../adapters/types.js';
import type { Channel } from '../../domain/registry.js';
import { launchChromium, skipBrowser } from '../support/browser.js';
import { bodyImage, makeTestMedia, makeTransmitContext, policyUnit, type TestMedia } from './support.js';

function column(ref: string, name: string): Channel {
  return { id: `portal:${ref}`, platform: 'portal', kind: 'portal_column', name, publishing: 'api', ref } as Channel;
}

/** The parts of an <img> read in the page (the project compiles without the DOM library). */
interface ImageState {
  complete: boolean;
  alt: string;
  naturalWidth: number;
  currentSrc: string;
}

const POLICY_COLUMN = column('zwgk-zcwj', '政务公开 > 政策文件');
const INTERPRETATION_COLUMN = column('zwgk-zcjd', '政务公开 > 政策解读');

describe.skipIf(skipBrowser)('the portal in a browser', () => {
  let media: TestMedia;
  let app: FastifyInstance;
  let browser: Browser;
  let adapter: PortalAdapter;
  let base: string;
  let unit: ReleaseUnit;
  let published: TransmitResult[];

  beforeAll(async () => {
    media = await makeTestMedia('govpub-portal-browser-');
    const [inline, cover] = await Promise.all([media.photo('hall', 1800, 1200), media.photo('cover', 1600, 900, { hue: '#b52f3c' })]);
    unit = policyUnit({ inline, cover, packageId: 'pkg-20250701-b10c4e55' });
    // The second interpretation carries a picture the editor gave no alt text: the title stands in.
    unit.interpretations[1] = { ...unit.interpretations[1]!, body: `${unit.interpretations[1]!.body}<p>${bodyImage(inline!.mediaId)}</p>` };

    const webRoot = path.join(media.dir, 'www');
    app = Fastify();
    registerPortalRoutes(app, { webRoot });
    const address = await app.listen({ host: '127.0.0.1', port: 0 });
    base = `${address}/portal`;
    adapter = createPortalAdapter({ webRoot, publicBaseUrl: base });

    published = [];
    for (const channel of [POLICY_COLUMN, INTERPRETATION_COLUMN]) {
      const { payload, warnings } = adapter.format(unit, channel);
      expect(warnings).toEqual([expect.stringMatching(/interpretations\[1\]\.body: image 1 has no alt text/)]);
      published.push(await adapter.transmit(payload, makeTransmitContext({ channel, baseUrl: '', renditions: media.renditions })));
    }
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    if (media) await rm(media.dir, { recursive: true, force: true });
  });

  /** Every picture on the page has alt text and really loaded (scrolled into view: they are lazy). */
  async function expectPicturesLoaded(page: Page): Promise<number> {
    const images = page.locator('main img');
    const count = await images.count();
    for (let i = 0; i < count; i++) {
      const image = images.nth(i);
      await image.scrollIntoViewIfNeeded();
      await page.waitForFunction((el) => (el as unknown as ImageState).complete, await image.elementHandle(), { timeout: 10_000 });
      const state = await image.evaluate((el) => {
        const img = el as unknown as ImageState;
        return { alt: img.alt, naturalWidth: img.naturalWidth, currentSrc: img.currentSrc };
      });
      expect(state.alt.trim(), `image ${i + 1} alt`).not.toBe('');
      expect(state.naturalWidth, `image ${i + 1} (${state.currentSrc}) loaded`).toBeGreaterThan(0);
    }
    return count;
  }

  it('column index → document → 政策解读 → interpretation → 政策原文 → document; pictures have alt and load', async () => {
    const page = await browser.newPage();
    const failed: string[] = [];
    page.on('response', (response) => {
      if (response.status() >= 400) failed.push(`${response.status()} ${response.url()}`);
    });
    try {
      const index = await page.goto(`${base}/col/zwgk-zcwj/index.html`);
      expect(index?.status()).toBe(200);
      expect(await page.title()).toBe('政策文件 - 西安市碑林区人民政府');
      // Published without a registry, the column is a top-level one named by its path's last part.
      await expect.poll(() => page.locator('nav.breadcrumb').innerText()).toContain('首页 > 政策文件');
      await expectPicturesLoaded(page); // the cover thumbnail

      await page.getByRole('link', { name: unit.document.title }).click();
      await page.waitForURL(`${base}/${portalPagePaths(unit.packageId, 0).directory}/index.html`);
      expect(published[0]!.publicUrl).toBe(page.url());
      await expect.poll(() => page.locator('h1').innerText()).toBe(unit.document.title);
      const meta = await page.locator('table.doc-meta').innerText();
      for (const text of ['发文字号', '碑政发〔2025〕7号', '发文机关', '西安市碑林区人民政府', '成文日期', '2025年06月20日', '发布日期', '2025年07月01日'])
        expect(meta).toContain(text);
      expect(await page.locator('nav.breadcrumb').innerText()).toMatch(/首页\s*>\s*政策文件\s*>\s*正文/);
      expect(await expectPicturesLoaded(page)).toBe(1);
      // Chromium takes the WebP source of the <picture>.
      expect(await page.locator('main picture img').evaluate((el) => (el as unknown as ImageState).currentSrc)).toMatch(/\.webp$/);

      const related = page.locator('section.related', { has: page.getByRole('heading', { name: '政策解读' }) });
      expect(await related.getByRole('link').count()).toBe(2);
      await related.getByRole('link', { name: unit.interpretations[1]!.title }).click();
      await page.waitForURL(`${base}/${portalPagePaths(unit.packageId, 0).directory}/jd-2.html`);
      await expect.poll(() => page.locator('h1').innerText()).toBe(unit.interpretations[1]!.title);
      expect(await expectPicturesLoaded(page)).toBe(1);
      expect(await page.locator('main img').getAttribute('alt')).toBe(unit.interpretations[1]!.title);

      const origin = page.locator('section.policy-origin', { has: page.getByRole('heading', { name: '政策原文' }) });
      await origin.getByRole('link', { name: unit.document.title }).click();
      await page.waitForURL(`${base}/${portalPagePaths(unit.packageId, 0).directory}/index.html`);

      // And the first interpretation, reached the same way.
      await related.getByRole('link', { name: unit.interpretations[0]!.title }).click();
      await page.waitForURL(`${base}/${portalPagePaths(unit.packageId, 0).directory}/jd-1.html`);
      expect(await page.locator('.jd-meta').innerText()).toContain('解读人：区发展和改革委员会');

      // Home page and the second column list it too.
      await page.goto(`${base}/`);
      expect(await page.getByRole('link', { name: unit.document.title }).count()).toBe(1);
      // The interpretation column lists the interpretations themselves, each naming its document as 政策原文.
      await page.goto(`${base}/col/zwgk-zcjd/index.html`);
      for (const interpretation of unit.interpretations) expect(await page.getByRole('link', { name: interpretation.title }).count()).toBe(1);
      // That column's delivery leads where its list's first item does: the first interpretation, not the policy.
      const firstListed = await page
        .locator('li.entry-interpretation a.entry-title')
        .first()
        .evaluate((a) => (a as unknown as { href: string }).href);
      expect(published[1]!.publicUrl).toBe(firstListed);
      expect(await page.getByRole('link', { name: unit.document.title }).count()).toBe(unit.interpretations.length);
      await page.getByRole('link', { name: unit.interpretations[1]!.title }).click();
      await page.waitForURL(`${base}/${portalPagePaths(unit.packageId, 0).directory}/jd-2.html`);
      expect(failed).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('after the take-down the pages answer 404 and no index lists the package', async () => {
    for (const [i, channel] of [POLICY_COLUMN, INTERPRETATION_COLUMN].entries()) {
      await adapter.takeDown!(published[i]!.externalId, { ...makeTransmitContext({ channel, baseUrl: '' }), reason: 'retracted in the browser test' });
    }
    const page = await browser.newPage();
    try {
      for (const pagePath of ['index.html', 'jd-1.html', 'jd-2.html']) {
        const response = await page.goto(`${base}/${portalPagePaths(unit.packageId, 0).directory}/${pagePath}`);
        expect(response?.status(), pagePath).toBe(404);
        expect(await page.locator('h1').innerText()).toBe('您访问的页面不存在');
        expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN');
      }
      for (const index of ['col/zwgk-zcwj/index.html', 'col/zwgk-zcjd/index.html']) {
        expect((await page.goto(`${base}/${index}`))?.status()).toBe(200);
        expect(await page.getByRole('link', { name: unit.document.title }).count(), index).toBe(0);
        expect(await page.locator('main').innerText()).toContain('本栏目暂无信息。');
      }
      await page.goto(`${base}/`);
      expect(await page.getByRole('link', { name: unit.document.title }).count()).toBe(0);
      const feed = await page.request.get(`${base}/col/zwgk-zcwj/rss.xml`);
      expect(await feed.text()).not.toContain(unit.packageId);
    } finally {
      await page.close();
    }
  });
});
