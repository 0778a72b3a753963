/**
 * What an outside check of the editor's day found in the package form (2026-12-04), each fixed, in
 * the real system as `govpub start` runs it and Debian's Chromium:
 * - two tabs editing one package: the tab still showing revision 1 saved over revision 2 and so
 *   undid the other tab's change without a word; now its save is refused, says which revisions in
 *   Chinese, and offers to load the latest;
 * - 提交审核 pressed while 保存 was still on its way sent the same content a second time (its own
 *   save), which came back as a conflict or a second create; each button now waits for the other;
 * - a body with a picture or a table (written through the API, as the example policy is) lost the
 *   picture and had its table run together into one line as soon as the editor typed in the body
 *   and saved: the rich-text editor had no node for either.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchChromium, skipBrowser } from '../support/browser.js';
import { freshDatabase } from '../support/services.js';
import { inputOf, signedInPage, startConsoleSystem, watchPage, signIn, type ConsoleSystem, type ConsoleUser } from './harness.js';
import { policyBody } from './journey-support.js';

interface PackageView {
  title: string;
  revision: number;
}

describe.skipIf(skipBrowser)('the package form under an editor’s hands', () => {
  let system: ConsoleSystem;
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  let browser: Browser;
  let editor: ConsoleUser;

  beforeAll(async () => {
    database = await freshDatabase();
    system = await startConsoleSystem({ databaseUrl: database.url, temporalAddress: inject('temporalAddress') });
    browser = await launchChromium();
    editor = await system.addUser('audit-editor', 'editor');
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await system?.stop();
    await database?.close();
  });

  const view = (id: string) => system.api<PackageView>(editor, 'GET', `/api/packages/${id}`);

  it('two tabs on one package: the stale tab’s save is refused and says so, the other tab’s revision stays', async () => {
    const created = await system.api<{ id: string }>(editor, 'POST', '/api/packages', await policyBody(system, editor, '关于加强老旧小区加装电梯工作的通知'));
    const context = await browser.newContext({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai', reducedMotion: 'reduce', viewport: { width: 1280, height: 900 } });
    try {
      const tabA = await context.newPage();
      const { errors } = watchPage(tabA);
      await signIn(tabA, system, editor);
      const tabB = await context.newPage();
      for (const tab of [tabA, tabB]) {
        await tab.goto(`${system.consoleUrl}packages/${created.id}/edit`);
        await expect.poll(() => inputOf(tab, 'package-title').inputValue(), { timeout: 20_000 }).toBe('关于加强老旧小区加装电梯工作的通知');
      }
      await inputOf(tabB, 'package-title').fill('关于加强老旧小区加装电梯工作的通知（乙）');
      await tabB.getByTestId('save').click();
      await expect.poll(async () => (await view(created.id)).revision, { timeout: 20_000 }).toBe(2);

      await inputOf(tabA, 'package-title').fill('关于加强老旧小区加装电梯工作的通知（甲）');
      await tabA.getByTestId('save').click();
      const conflict = tabA.getByTestId('edit-conflict');
      await conflict.waitFor({ timeout: 20_000 });
      expect(await conflict.innerText()).toMatch(/您修改的是第 1 版.*已保存为第 2 版/s);
      expect(await view(created.id)).toMatchObject({ revision: 2, title: '关于加强老旧小区加装电梯工作的通知（乙）' });

      // Loading the latest shows tab B's revision, and a save from there goes through.
      await tabA.getByTestId('load-latest').click();
      await expect.poll(() => inputOf(tabA, 'package-title').inputValue(), { timeout: 20_000 }).toBe('关于加强老旧小区加装电梯工作的通知（乙）');
      expect(await conflict.count()).toBe(0);
      await inputOf(tabA, 'package-title').fill('关于加强老旧小区加装电梯工作的通知（甲）');
      await tabA.getByTestId('save').click();
      await expect.poll(async () => (await view(created.id)).revision, { timeout: 20_000 }).toBe(3);
      expect((await view(created.id)).title).toBe('关于加强老旧小区加装电梯工作的通知（甲）');
      expect(errors.filter((e) => !e.includes('409'))).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('a tab that is not dirty but shows revision 1: 提交审核 is refused when another tab saved revision 2, nothing goes into review', async () => {
    const created = await system.api<{ id: string }>(editor, 'POST', '/api/packages', await policyBody(system, editor, '关于规范农贸市场经营秩序的通知'));
    const context = await browser.newContext({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai', reducedMotion: 'reduce', viewport: { width: 1280, height: 900 } });
    try {
      const tabA = await context.newPage();
      await signIn(tabA, system, editor);
      await tabA.goto(`${system.consoleUrl}packages/${created.id}/edit`);
      await expect.poll(() => inputOf(tabA, 'package-title').inputValue(), { timeout: 20_000 }).toBe('关于规范农贸市场经营秩序的通知');
      // Another tab (here: the same person through the API) saves revision 2.
      const body = await system.api<{ content: Record<string, unknown> }>(editor, 'GET', `/api/packages/${created.id}`);
      await system.api(editor, 'PUT', `/api/packages/${created.id}?baseRevision=1`, { ...body.content, title: '关于规范农贸市场经营秩序的通知（乙）' });

      await tabA.getByTestId('submit').click();
      const conflict = tabA.getByTestId('edit-conflict');
      await conflict.waitFor({ timeout: 20_000 });
      expect(await conflict.innerText()).toMatch(/未提交.*您看到的是第 1 版.*已保存为第 2 版/s);
      expect(await tabA.getByTestId('load-latest').innerText()).toBe('载入最新版本');
      expect(await system.api<{ status: string }>(editor, 'GET', `/api/packages/${created.id}`)).toMatchObject({ status: 'draft', revision: 2 });

      // Loaded, revision 2 is what it submits.
      await tabA.getByTestId('load-latest').click();
      await expect.poll(() => inputOf(tabA, 'package-title').inputValue(), { timeout: 20_000 }).toBe('关于规范农贸市场经营秩序的通知（乙）');
      await tabA.getByTestId('submit').click();
      await expect
        .poll(async () => (await system.api<{ status: string }>(editor, 'GET', `/api/packages/${created.id}`)).status, { timeout: 20_000 })
        .toBe('in_review');
    } finally {
      await context.close();
    }
  });

  it('a save stored but whose answer was lost, then edited and saved again, is not refused as a conflict with itself; 提交审核 then submits the latest', async () => {
    const created = await system.api<{ id: string }>(editor, 'POST', '/api/packages', await policyBody(system, editor, '关于做好冬季燃气安全工作的通知'));
    const { page, close } = await signedInPage(browser, system, editor, { width: 1280, height: 900 });
    try {
      await page.goto(`${system.consoleUrl}packages/${created.id}/edit`);
      await expect.poll(() => inputOf(page, 'package-title').inputValue(), { timeout: 20_000 }).toBe('关于做好冬季燃气安全工作的通知');
      // The first save reaches the server and is stored; its answer is lost on the way back.
      let lost = 0;
      await page.route(
        (url) => url.pathname === `/api/packages/${created.id}`,
        async (route) => {
          if (route.request().method() !== 'PUT' || lost > 0) return route.continue();
          lost += 1;
          await route.fetch();
          await route.abort('connectionreset');
        },
      );
      await inputOf(page, 'package-title').fill('关于做好冬季燃气安全工作的通知（一改）');
      await page.getByTestId('save').click();
      await expect.poll(() => page.locator('.el-message--error').last().innerText(), { timeout: 20_000 }).toContain('无法连接服务器');
      expect(await view(created.id)).toMatchObject({ revision: 2, title: '关于做好冬季燃气安全工作的通知（一改）' });
      expect(await page.getByTestId('unsaved').count()).toBe(1);

      // The editor goes on and saves again: the form first learns its lost save is revision 2.
      await inputOf(page, 'package-title').fill('关于做好冬季燃气安全工作的通知（二改）');
      await page.getByTestId('save').click();
      await expect.poll(async () => (await view(created.id)).revision, { timeout: 20_000 }).toBe(3);
      expect((await view(created.id)).title).toBe('关于做好冬季燃气安全工作的通知（二改）');
      await expect.poll(() => page.locator('.el-message--success').last().innerText(), { timeout: 10_000 }).toContain('已保存为第 3 版');
      expect(await page.getByTestId('edit-conflict').count()).toBe(0);
      expect(lost).toBe(1);

      // 提交审核 names revision 3, the one the form shows, and goes through.
      await page.getByTestId('submit').click();
      await expect
        .poll(async () => (await system.api<{ status: string; revision: number }>(editor, 'GET', `/api/packages/${created.id}`)).status, { timeout: 20_000 })
        .toBe('in_review');
      expect((await view(created.id)).revision).toBe(3);
    } finally {
      await close();
    }
  });

  it("a reviewer sees an older revision's H5 address that a browser would repair as text with a warning, not as a link", async () => {
    const reviewer = await system.addUser('audit-first', 'reviewer', { stages: ['初审'] });
    const body = await policyBody(system, editor, '关于开展冬季校园安全检查的通知');
    const h5 = { form: 'h5', title: 'H5：校园安全一图读懂', body: '<p>扫码查看。</p>', url: 'https://www.beilin.gov.cn/h5/xy.html' };
    const created = await system.api<{ id: string }>(editor, 'POST', '/api/packages', {
      ...body,
      interpretations: [...((body.interpretations as unknown[] | undefined) ?? []), h5],
    });
    await system.api(editor, 'POST', `/api/packages/${created.id}/submit`, {});
    // As a revision stored before such addresses were refused holds it.
    const stored = await database.db
      .selectFrom('package_revisions')
      .select('content')
      .where('package_id', '=', created.id)
      .where('revision', '=', 1)
      .executeTakeFirstOrThrow();
    const content = (typeof stored.content === 'string' ? JSON.parse(stored.content) : stored.content) as { interpretations: { url?: string }[] };
    content.interpretations.at(-1)!.url = 'http:///h5/xy.html';
    await database.db
      .updateTable('package_revisions')
      .set({ content: JSON.stringify(content) })
      .where('package_id', '=', created.id)
      .where('revision', '=', 1)
      .execute();

    const { page, close } = await signedInPage(browser, system, reviewer, { width: 1280, height: 900 });
    try {
      await page.goto(`${system.consoleUrl}reviews/${created.id}`);
      const bad = page.getByTestId('interp-bad-link');
      await bad.waitFor({ timeout: 20_000 });
      expect(await bad.innerText()).toContain('http:///h5/xy.html');
      expect(await bad.innerText()).toContain('不是有效的网址');
      expect(await page.locator('a[href="http:///h5/xy.html"]').count()).toBe(0);
    } finally {
      await close();
    }
  });

  it('a picture and a table in a body written through the API stay when the editor types in that body and saves', async () => {
    const body = await policyBody(system, editor, '关于公布夜间经济特色街区名单的通知');
    const picture = 'https://www.beilin.gov.cn/images/jieqbu.png';
    const stored =
      `<p>各街道办事处：</p><p><img src="${picture}" alt="街区分布图" /></p>` +
      '<table><tbody><tr><th>街区</th><th>数量</th></tr><tr><td>书院门</td><td colspan="2">3</td></tr></tbody></table><p>特此通知。</p>';
    const created = await system.api<{ id: string }>(editor, 'POST', '/api/packages', { ...body, document: { ...(body.document as object), body: stored } });
    const { page, errors, close } = await signedInPage(browser, system, editor, { width: 1280, height: 900 });
    try {
      await page.goto(`${system.consoleUrl}packages/${created.id}/edit`);
      const area = page.getByTestId('document-body');
      await expect.poll(() => area.innerText(), { timeout: 20_000 }).toContain('特此通知。');
      // What the editor sees holds the picture and the table.
      expect(await area.locator(`img[src="${picture}"]`).getAttribute('alt')).toBe('街区分布图');
      expect(await area.locator('td').allInnerTexts()).toEqual(['书院门', '3']);
      await area.getByText('特此通知。').click();
      await page.keyboard.press('End');
      await page.keyboard.type('自公布之日起施行。');
      await page.getByTestId('save').click();
      await expect.poll(async () => (await view(created.id)).revision, { timeout: 20_000 }).toBe(2);
      const saved = await system.api<{ content: { document: { body: string } } }>(editor, 'GET', `/api/packages/${created.id}`);
      expect(saved.content.document.body).toBe(stored.replace('特此通知。', '特此通知。自公布之日起施行。'));
      // The console's CSP shows only its own pictures (img-src 'self'): this outside one is kept, not shown.
      expect(errors.filter((e) => !e.includes('Content Security Policy'))).toEqual([]);
    } finally {
      await close();
    }
  });

  it('提交审核 while 保存 is on its way waits for it: one save, no second request with the same content', async () => {
    const created = await system.api<{ id: string }>(editor, 'POST', '/api/packages', await policyBody(system, editor, '关于做好冬季供暖保障工作的通知'));
    const { page, errors, close } = await signedInPage(browser, system, editor, { width: 1280, height: 900 });
    try {
      await page.goto(`${system.consoleUrl}packages/${created.id}/edit`);
      await expect.poll(() => inputOf(page, 'package-title').inputValue(), { timeout: 20_000 }).toBe('关于做好冬季供暖保障工作的通知');
      const saves: string[] = [];
      // A slow network: the save's answer takes three seconds.
      await page.route(
        (url) => url.pathname === `/api/packages/${created.id}`,
        async (route) => {
          if (route.request().method() !== 'PUT') return route.fallback();
          saves.push(route.request().url());
          await new Promise((resolve) => setTimeout(resolve, 3000));
          await route.fallback();
        },
      );
      await inputOf(page, 'package-title').fill('关于做好冬季供暖保障工作的通知（修订）');
      await page.getByTestId('save').click();
      await expect.poll(() => saves.length, { timeout: 10_000 }).toBe(1);
      expect(await page.getByTestId('submit').isDisabled()).toBe(true);
      await page
        .getByTestId('submit')
        .click({ force: true, timeout: 5000 })
        .catch(() => {});
      await expect.poll(async () => (await view(created.id)).revision, { timeout: 20_000 }).toBe(2);
      await page.waitForTimeout(4000);
      expect(saves).toHaveLength(1);
      expect(await page.getByTestId('submit').isDisabled()).toBe(false);
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });
});
