/**
 * What an outside check of the console found (2026-12-06), each fixed, in the real system as
 * `govpub start` runs it and Debian's Chromium:
 * - a page the person's role may not open (an editor following a colleague's link to the board, a
 *   reviewer's bookmark of 新建发布包) jumped to their home page without a word; now a sentence
 *   names the page, who may open it and the person's role, with the way on;
 * - the package form with unsaved changes let the tab be reloaded or closed without asking (only
 *   moves inside the console asked), and the changes were gone;
 * - 退出登录 on a form with unsaved changes dropped them without asking, and every page signed out
 *   of was shown again outside the frame for a moment, asking the API without a session (401s);
 * - the package form of a package a reviewer sent back did not say why: the reason was only on the
 *   package's page, away from the fields it asks to change;
 * - the audit trail showed a platform's refusal in English (「说明：the news site … refused govpub's
 *   client credentials」), an automatic hold as 「原因：needs_reconnect」 with 「businessKey：…」, the
 *   format step's warnings in English and an approval's next step as 「下一步：releasing」;
 * - a dialog that asks why (撤稿, 跳过, 暂停渠道) opened with the focus on the dialog itself, so the
 *   reason typed at once went nowhere; now the cursor is in the reason.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipBrowser } from '../support/browser.js';
import { expectAccessible } from './axe.js';
import { inputOf, screenshot, signedInPage, type ConsoleSystem, type ConsoleUser } from './harness.js';
import { addSimulatorFault, openConsoleDesk, type ConsoleDesk } from './desk.js';
import { policyBody } from './journey-support.js';

/** Three English words in a row: a sentence or a code phrase left untranslated (URLs and ids have no spaces). */
const ENGLISH_WORDS = /\b[A-Za-z']{2,}(?:[\s,]+[A-Za-z']{2,}){2,}/;

interface AuditEntry {
  id: string;
  action: string;
  packageId: string | null;
  details: Record<string, unknown>;
}

describe.skipIf(skipBrowser)('role pages and the audit trail, as an outside check met them', () => {
  let desk: ConsoleDesk | undefined;
  let system: ConsoleSystem;
  let browser: Browser;
  let users: ConsoleDesk['users'];

  beforeAll(async () => {
    desk = await openConsoleDesk('check');
    ({ system, browser, users } = desk);
  }, 240_000);

  afterAll(async () => {
    await desk?.close();
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
      await screenshot(editor.page, 'editor-forbidden');
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

  it('退出登录 asks before a form with unsaved changes is dropped, and a page signed out of asks the API nothing more', async () => {
    const { page, errors, close } = await pageOf(users.editor!);
    try {
      await page.goto(`${system.consoleUrl}packages/new`);
      await inputOf(page, 'package-title').click();
      await page.keyboard.type('关于做好冬季供热保障工作的通知');
      await page.getByTestId('unsaved').waitFor({ timeout: 10_000 });
      const asked: string[] = [];
      page.once('dialog', (dialog) => {
        asked.push(dialog.message());
        void dialog.dismiss();
      });
      await page.getByTestId('sign-out').click();
      await expect.poll(() => asked, { timeout: 10_000 }).toEqual(['修改还没有保存，确定离开吗？']);
      // Stayed: still on the form with what was typed, still signed in.
      expect(new URL(page.url()).pathname).toBe('/console/packages/new');
      expect(await inputOf(page, 'package-title').inputValue()).toBe('关于做好冬季供热保障工作的通知');
      expect((await page.request.get(`${system.url}/api/session`)).status()).toBe(200);

      // From a page without changes: signed out at once, and the page is not shown again asking the API without a session.
      await page.goto(`${system.consoleUrl}audit`);
      page.once('dialog', (dialog) => void dialog.accept());
      await page.locator('[data-testid^=audit-row-]').first().waitFor({ timeout: 20_000 });
      const refused: string[] = [];
      page.on('response', (response) => {
        if (response.status() === 401) refused.push(response.url());
      });
      await page.getByTestId('sign-out').click();
      await page.waitForURL((url) => url.pathname.endsWith('/signin'), { timeout: 20_000 });
      await page.waitForTimeout(1000);
      expect(refused).toEqual([]);
      expect((await page.request.get(`${system.url}/api/session`)).status()).toBe(401);
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });

  it("an editor fixing a returned package reads the reviewer's reason on the form, not only on the package's page", async () => {
    const created = await system.api<{ id: string }>(
      users.editor!,
      'POST',
      '/api/packages',
      await policyBody(system, users.editor!, '关于加强冬季道路交通安全管理的通告'),
    );
    await system.api(users.editor!, 'POST', `/api/packages/${created.id}/submit`, {});
    await system.api(users.first!, 'POST', `/api/packages/${created.id}/decisions`, {
      revision: 1,
      decision: 'reject',
      comment: '解读第二部分请补充政策出台背景。',
    });
    const { page, close } = await pageOf(users.editor!);
    try {
      await page.goto(`${system.consoleUrl}packages/${created.id}/edit`);
      const returned = page.getByTestId('form-last-rejection');
      await expect
        .poll(() => returned.innerText(), { timeout: 20_000 })
        .toMatch(/^初审退回（\d{4}-\d\d-\d\d \d\d:\d\d）\s+退回理由：解读第二部分请补充政策出台背景。$/);
      // Still there after a save: the reason stands until the package goes back into review.
      await inputOf(page, 'package-title').fill('关于加强冬季道路交通安全管理的通告（修改稿）');
      await page.getByTestId('save').click();
      await expect.poll(() => page.getByTestId('unsaved').count(), { timeout: 20_000 }).toBe(0);
      await page.reload();
      await expect.poll(() => returned.innerText(), { timeout: 20_000 }).toContain('退回理由：解读第二部分请补充政策出台背景。');
      await expectAccessible(page, 'package form of a returned package');
      await screenshot(page, 'editor-package-form-returned');
    } finally {
      await close();
    }
  });

  it('the audit trail says a refused delivery, the hold of its channel and the format warnings in Chinese', async () => {
    // Weibo refuses the account's token: the delivery needs reconnecting and govpub holds the channel.
    await addSimulatorFault(system, 'weibo', { match: '/2/statuses/share.json', kind: 'token_expired' });
    const body = await policyBody(system, users.editor!, '关于印发碑林区促进夜间经济发展若干措施的通知');
    // A body longer than a Weibo post: the format step shortens the summary and records a warning.
    const long = '为进一步激发夜间消费活力，丰富群众夜间生活，打造具有碑林特色的夜间经济品牌，结合我区实际，制定以下措施。'.repeat(6);
    const created = await system.api<{ id: string }>(users.editor!, 'POST', '/api/packages', {
      ...body,
      document: { ...(body.document as Record<string, unknown>), body: `<p>${long}</p>` },
      targets: [...(body.targets as string[]), 'weibo:blfb-wb'],
    });
    await system.api(users.editor!, 'POST', `/api/packages/${created.id}/submit`, {});
    for (const reviewer of [users.first!, users.second!, users.final!]) {
      await system.api(reviewer, 'POST', `/api/packages/${created.id}/decisions`, { revision: 1, decision: 'approve', comment: '同意' });
    }
    const wanted = ['delivery_needs_reconnect', 'channel_paused', 'delivery_format_warnings'];
    const entries = async () => (await system.api<{ entries: AuditEntry[] }>(users.ops!, 'GET', '/api/audit?order=newest&limit=500')).entries;
    const missing = async () => {
      const now = await entries();
      return wanted.filter((action) => !now.some((e) => e.action === action));
    };
    await expect.poll(missing, { timeout: 90_000, interval: 1000 }).toEqual([]);
    const all = await entries();
    const shown = [...wanted.map((action) => all.find((e) => e.action === action)!), all.find((e) => e.action === 'approve' && e.details.stage === 'final')!];
    // What was recorded stays as it was: English beside the Chinese the API works out.
    expect(String(shown[0]!.details.message)).toMatch(ENGLISH_WORDS);

    const { page, close } = await pageOf(users.ops!);
    try {
      await page.goto(`${system.consoleUrl}audit`);
      const rowText = (entry: AuditEntry) => page.locator('tr', { has: page.getByTestId(`audit-action-${entry.id}`) }).innerText();
      await expect.poll(() => rowText(shown[0]!), { timeout: 20_000 }).toContain('说明：微博：微博访问令牌已过期（21327）');
      for (const entry of shown) {
        const text = await rowText(entry);
        expect(text, `${entry.action}: ${text}`).not.toMatch(ENGLISH_WORDS);
        expect(text, `${entry.action}: ${text}`).not.toMatch(/needs_reconnect|businessKey|releasing/);
      }
      expect(await rowText(shown[1]!)).toContain('原因：平台拒绝了账号凭据');
      expect(await rowText(shown[1]!)).toContain('说明：微博拒绝了该账号的凭据');
      expect(await rowText(shown[1]!)).toContain('投递编号：');
      expect(await rowText(shown[2]!)).toContain('提示：');
      expect(await rowText(shown[3]!)).toMatch(/下一步：(发布中|已通过)/);
      // The package's creation names its catalogue item as people call it, not by its id.
      const creation = all.find((e) => e.action === 'create' && e.packageId === created.id)!;
      const item = String(body.catalogueItem);
      const { items } = await system.api<{ items: { id: string; name: string }[] }>(users.ops!, 'GET', '/api/catalogue');
      const itemName = items.find((i) => i.id === item)!.name;
      await expect.poll(() => rowText(creation), { timeout: 20_000 }).toContain(`目录事项：${itemName}`);
      expect(await rowText(creation)).not.toContain(item);
      await screenshot(page, 'ops-audit-trail');

      // By keyboard on the board: 撤稿 opens its dialog with the cursor in the reason, Esc closes it
      // and the focus is back on 撤稿 (nothing retracted).
      await page.goto(`${system.consoleUrl}board?package=${created.id}`);
      const retract = page.getByTestId(`retract-${created.id}`);
      await retract.focus({ timeout: 20_000 });
      await page.keyboard.press('Enter');
      const reason = page.locator('#retract-reason-input');
      await expect.poll(() => reason.evaluate((el) => el === el.ownerDocument.activeElement), { timeout: 10_000 }).toBe(true);
      await page.keyboard.type('标题有误');
      expect(await reason.inputValue()).toBe('标题有误');
      await expectAccessible(page, 'retract dialog');
      await page.keyboard.press('Escape');
      await expect.poll(() => retract.evaluate((el) => el === el.ownerDocument.activeElement), { timeout: 10_000 }).toBe(true);
      expect((await system.api<{ status: string }>(users.ops!, 'GET', `/api/packages/${created.id}`)).status).not.toMatch(/retract/);
    } finally {
      await close();
    }
  }, 180_000);
});
