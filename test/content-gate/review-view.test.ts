/**
 * The reviewer's view shows the content gate's findings, in a real browser against a real govpub:
 * a package in review with a warning-level wording (blocking ones cannot reach review) is shown in
 * the gate's table with its level, place and excerpt; axe-core finds no serious violation.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchChromium, skipBrowser } from '../support/browser.js';
import { freshDatabase } from '../support/services.js';
import { expectAccessible } from '../console/axe.js';
import { signIn, startConsoleSystem, watchPage, type ConsoleSystem, type ConsoleUser } from '../console/harness.js';
import { policyBody } from '../console/journey-support.js';

describe.skipIf(skipBrowser)('the content gate on the review page', () => {
  let system: ConsoleSystem;
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  let browser: Browser;
  let reviewer: ConsoleUser;
  let packageId: string;

  beforeAll(async () => {
    database = await freshDatabase();
    system = await startConsoleSystem({ databaseUrl: database.url, temporalAddress: inject('temporalAddress') });
    browser = await launchChromium();
    const editor = await system.addUser('gate-view-editor', 'editor');
    reviewer = await system.addUser('gate-view-first', 'reviewer', { stages: ['初审'] });
    const body = await policyBody(system, editor);
    const document = body.document as Record<string, unknown>;
    const created = await system.api<{ id: string }>(editor, 'POST', '/api/packages', {
      ...body,
      document: { ...document, body: '<p>为深入贯彻落实国家和省市优化营商环境决策部署，既使遇到困难，也要制定以下措施。</p>' },
    });
    packageId = created.id;
    await system.api(editor, 'POST', `/api/packages/${packageId}/submit`, {});
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await system?.stop();
    await database?.close();
  });

  it('lists the wording warning with its level, place and excerpt, and stays accessible', async () => {
    const context = await browser.newContext({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai', reducedMotion: 'reduce' });
    try {
      const page = await context.newPage();
      await signIn(page, system, reviewer);
      const watched = watchPage(page);
      await page.goto(`${system.consoleUrl}reviews/${packageId}`);
      const row = page.getByTestId('content-gate-wording_wrong');
      await row.waitFor({ timeout: 30_000 });
      const cells = await row.locator('td').allInnerTexts();
      expect(cells[0]).toBe('错别字词');
      expect(cells[1]).toBe('提示');
      expect(cells[2]).toBe('/document/body');
      expect(cells[3]).toContain('既使遇到困难');
      expect(cells[4]).toMatch(/应为“即使”/);
      await expect.poll(() => page.getByTestId('content-gate').locator('caption').innerText()).toMatch(/0 项阻止提交，1 项提示/);
      await expectAccessible(page, 'review page with the content gate table');
      expect(watched.errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
