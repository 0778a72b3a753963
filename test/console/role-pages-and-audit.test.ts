/**
 * What an outside check of the console found (2026-12-06), each fixed, in the real system as
 * `govpub start` runs it and Debian's Chromium:
 * - a page the person's role may not open (an editor following a colleague's link to the board, a
 *   reviewer's bookmark of 新建发布包) jumped to their home page without a word; now a sentence
 *   names the page, who may open it and the person's role, with the way on;
 * - the package form with unsaved changes let the tab be reloaded or closed without asking (only
 *   moves inside the console asked), and the changes were gone;
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchChromium, skipBrowser } from '../support/browser.js';
import { freshDatabase } from '../support/services.js';
import { expectAccessible } from './axe.js';
import { inputOf, signedInPage, startConsoleSystem, type ConsoleSystem, type ConsoleUser } from './harness.js';

describe.skipIf(skipBrowser)('role pages and the audit trail, as an outside check met them', () => {
  let system: ConsoleSystem;
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  let browser: Browser;
  const users: Record<string, ConsoleUser> = {};

  beforeAll(async () => {
    database = await freshDatabase();
    system = await startConsoleSystem({ databaseUrl: database.url, temporalAddress: inject('temporalAddress') });
    browser = await launchChromium();
    [users.editor, users.first] = await Promise.all([
      system.addUser('check-editor', 'editor'),
      system.addUser('check-first', 'reviewer', { stages: ['初审'] }),
    ]);
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await system?.stop();
    await database?.close();
  });

  const pageOf = (user: ConsoleUser) => signedInPage(browser, system, user, { width: 1280, height: 900 });

  it('a page the role may not open says so in a sentence, with the way on', async () => {
    const editor = await pageOf(users.editor!);
    try {
      await editor.page.goto(`${system.consoleUrl}board`);
      const reason = editor.page.getByTestId('forbidden-reason');
      await expect
        .poll(() => reason.innerText(), { timeout: 20_000 })
        .toBe('「发布看板」只对运维、管理员开放，您的角色（编辑）不能打开此页面。如需使用，请联系管理员调整您的角色。');
      expect(await editor.page.locator('h1').innerText()).toBe('无权访问');
      await expectAccessible(editor.page, 'forbidden page (editor on the board)');
      // A review page's package is still readable on its detail page.
      await editor.page.goto(`${system.consoleUrl}reviews/pkg-20261206-00000000`);
      await expect.poll(() => reason.innerText(), { timeout: 20_000 }).toContain('「审核发布包」只对审核人、管理员开放');
      expect(await editor.page.getByTestId('forbidden-package').getAttribute('href')).toBe('/console/packages/pkg-20261206-00000000');
      await editor.page.getByTestId('forbidden-home').click();
      await editor.page.waitForURL('**/console/packages', { timeout: 20_000 });
    } finally {
      await editor.close();
    }
    const reviewer = await pageOf(users.first!);
    try {
      await reviewer.page.goto(`${system.consoleUrl}packages/new`);
      await expect
        .poll(() => reviewer.page.getByTestId('forbidden-reason').innerText(), { timeout: 20_000 })
        .toContain('「新建发布包」只对编辑、管理员开放，您的角色（审核人）不能打开此页面');
    } finally {
      await reviewer.close();
    }
  });

  it('the package form asks before a tab with unsaved changes is closed, and not before one without', async () => {
    const { page, close } = await pageOf(users.editor!);
    try {
      await page.goto(`${system.consoleUrl}packages/new`);
      const asked: string[] = [];
      page.on('dialog', (dialog) => {
        asked.push(dialog.type());
        void dialog.dismiss();
      });
      // Opened and left alone: nothing to lose, nothing asked.
      await inputOf(page, 'package-title').click();
      await page.close({ runBeforeUnload: true });
      await expect.poll(() => page.isClosed(), { timeout: 10_000 }).toBe(true);
      expect(asked).toEqual([]);
    } finally {
      await close();
    }
    const typed = await pageOf(users.editor!);
    try {
      await typed.page.goto(`${system.consoleUrl}packages/new`);
      const asked: string[] = [];
      typed.page.on('dialog', (dialog) => {
        asked.push(dialog.type());
        // Stay: the changes are still on the page.
        void dialog.dismiss();
      });
      await inputOf(typed.page, 'package-title').click();
      await typed.page.keyboard.type('关于做好元旦春节期间安全生产工作的通知');
      await typed.page.getByTestId('unsaved').waitFor({ timeout: 10_000 });
      await typed.page.close({ runBeforeUnload: true });
      await expect.poll(() => asked, { timeout: 10_000 }).toEqual(['beforeunload']);
      expect(typed.page.isClosed()).toBe(false);
      expect(await inputOf(typed.page, 'package-title').inputValue()).toBe('关于做好元旦春节期间安全生产工作的通知');
    } finally {
      await typed.close();
    }
  });
});
