/**
 * An editor's working day in the package form, in the real system as `govpub start` runs it and
 * Debian's Chromium, where it went wrong before (the audit of 2026-12-05):
 * - a text pasted from Word or WPS (mso classes, inline styles, <o:p>, a table, pictures as file://
 *   and data: addresses, a vertical tab, non-breaking and zero-width spaces) is stored as the editor
 *   shows it: before, the save was refused for a control character nobody could see (at a
 *   "position" in the HTML), and the pictures, shown in the editor, were stored as empty <img />;
 * - a refused interpretation field (its title, its H5 link) says so beside the field, as the form's
 *   message promises (before: only in the list under the form);
 * - a session that ends while the form has unsaved changes keeps them: after signing in again the
 *   person is back on the form with what they typed (before: gone);
 * - a submit whose answer was lost (govpub took it) is found in review, not reported as a network
 *   error, after which 提交审核 again was refused with 「只有草稿才能提交审核」;
 * - a reviewer's decision whose answer was lost is shown as taken (before: 「无法连接服务器」 beside a
 *   page that already showed it decided);
 * - a reviewer's comment typed when the session ends is back after signing in again, with the
 *   decision still to confirm (before: gone, as the package form's changes once were);
 * - a release time picked on a computer not set to Beijing time is Beijing time, as every time the
 *   console shows is (before: the computer's own, 8 hours off on a UTC clock); the form shows the
 *   package's release time when it is opened again (before: empty once the time was set by a save
 *   of the same content or by 定时发布), and a time cleared in the form is cleared (before: kept).
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchChromium, skipBrowser } from '../support/browser.js';
import { freshDatabase } from '../support/services.js';
import { inputOf, screenshot, signIn, startConsoleSystem, watchPage, type ConsoleSystem, type ConsoleUser } from './harness.js';
import { policyBody } from './journey-support.js';

interface PackageView {
  status: string;
  revision: number;
  releaseAt: string | null;
  content: { title: string; releaseAt?: string | null; document: { body: string }; interpretations: { title: string; body: string }[] };
}

describe.skipIf(skipBrowser)("an editor's (and a reviewer's) day", () => {
  let system: ConsoleSystem;
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  let browser: Browser;
  let editor: ConsoleUser;
  let reviewer: ConsoleUser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    database = await freshDatabase();
    system = await startConsoleSystem({ databaseUrl: database.url, temporalAddress: inject('temporalAddress') });
    browser = await launchChromium();
    [editor, reviewer] = await Promise.all([
      system.addUser('day-editor', 'editor', { displayName: '周编辑' }),
      system.addUser('day-first', 'reviewer', { stages: ['初审'], displayName: '吴审核' }),
    ]);
  }, 240_000);

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => {});
    await browser?.close();
    await system?.stop();
    await database?.close();
  });

  /** A package as a script makes it, and the editor signed in on its form. */
  async function formOf(
    title: string,
    timezoneId = 'Asia/Shanghai',
    moreTargets: string[] = [],
    fields: Record<string, unknown> = {},
  ): Promise<{ page: Page; id: string; errors: string[] }> {
    const body = await policyBody(system, editor, title);
    const created = await system.api<{ id: string }>(editor, 'POST', '/api/packages', {
      ...body,
      ...fields,
      targets: [...(body.targets as string[]), ...moreTargets],
    });
    const context = await browser.newContext({ locale: 'zh-CN', timezoneId, reducedMotion: 'reduce', viewport: { width: 1440, height: 900 } });
    contexts.push(context);
    const page = await context.newPage();
    const { errors } = watchPage(page);
    await signIn(page, system, editor);
    await page.goto(`${system.consoleUrl}packages/${created.id}/edit`);
    await inputOf(page, 'package-title').waitFor();
    await expect.poll(() => inputOf(page, 'package-title').inputValue(), { timeout: 20_000 }).toBe(title);
    return { page, id: created.id, errors };
  }
  const packageOf = (id: string) => system.api<PackageView>(editor, 'GET', `/api/packages/${id}`);

  it('a title pasted from a web page leaves out the zero-width space and the tab the API would refuse, and saves', async () => {
    const { page, id } = await formOf('关于做好2027年冬季供暖工作的通知');
    const title = page.locator('#field-title');
    await title.fill('');
    await title.focus();
    // What a copy from a web page or a chat can carry: a zero-width space, a soft hyphen, a tab.
    await title.evaluate((element) => {
      const w = globalThis as unknown as {
        DataTransfer: new () => { setData(type: string, value: string): void };
        ClipboardEvent: new (type: string, init: Record<string, unknown>) => unknown;
      };
      const data = new w.DataTransfer();
      data.setData('text/plain', '关于\u200b优化营商\u00ad环境的\t若干措施');
      (element as unknown as { dispatchEvent(event: unknown): boolean }).dispatchEvent(
        new w.ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }),
      );
    });
    await expect.poll(() => title.inputValue()).toBe('关于优化营商环境的 若干措施');
    await page.getByTestId('save').click();
    await expect.poll(async () => (await packageOf(id)).content.title, { timeout: 30_000 }).toBe('关于优化营商环境的 若干措施');
    expect(await page.getByTestId('save-issues').count()).toBe(0);
  });

  it('a text pasted from Word or WPS is stored as the editor shows it, and the pictures it cannot keep are named', async () => {
    const { page, id } = await formOf('关于做好2027年元旦春节期间安全生产工作的通知');
    // What Word puts on the clipboard (trimmed): its classes and styles, <o:p>, a table, a picture
    // on the computer (file://) and one inline (data:), a manual line break as a vertical tab,
    // non-breaking and zero-width spaces.
    const wordHtml = [
      '<html xmlns:o="urn:schemas-microsoft-com:office:office"><head><style>p.MsoNormal{mso-style-parent:"";}</style></head><body lang=ZH-CN>',
      '<!--StartFragment-->',
      '<p class=MsoNormal style="text-indent:32.0pt;mso-char-indent-count:2.0"><span style="font-family:仿宋_GB2312;mso-bidi-font-family:宋体">',
      '各街道办事处\u000b区政府各工作部门：<o:p></o:p></span></p>',
      '<p class=MsoNormal><span lang=EN-US style="mso-spacerun:yes">\u00a0\u00a0</span>现将有关\u200b事项通知如下。<o:p></o:p></p>',
      '<table class=MsoTableGrid border=1 style="border-collapse:collapse;mso-yfti-tbllook:1184"><tr style="mso-yfti-irow:0">',
      '<td width=100 style="width:75pt"><p class=MsoNormal>时间<o:p></o:p></p></td><td><p class=MsoNormal>事项<o:p></o:p></p></td></tr></table>',
      '<p class=MsoNormal><img width=200 height=100 src="file:///C:/Users/zhou/AppData/Local/Temp/msohtmlclip1/01/clip_image001.png" alt="示意图"></p>',
      '<p class=MsoNormal><img src="data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="></p>',
      '<!--EndFragment--></body></html>',
    ].join('');
    const body = page.getByTestId('document-body');
    await body.click();
    await page.keyboard.press('Control+End');
    await body.evaluate((element, html) => {
      // The test project compiles without the DOM library: the browser's classes, reached through globalThis.
      const w = globalThis as unknown as {
        DataTransfer: new () => { setData(type: string, value: string): void };
        ClipboardEvent: new (type: string, init: Record<string, unknown>) => unknown;
      };
      const data = new w.DataTransfer();
      data.setData('text/html', html);
      data.setData('text/plain', '各街道办事处\u000b区政府各工作部门：');
      (element as unknown as { dispatchEvent(event: unknown): boolean }).dispatchEvent(
        new w.ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }),
      );
    }, wordHtml);

    // The two pictures are not taken in, and the field says so (in Chinese) instead of showing them.
    await expect.poll(() => page.getByTestId('document-body-paste-note').innerText(), { timeout: 10_000 }).toContain('2 张图片');
    expect(await body.locator('img').count()).toBe(0);
    expect(await body.innerText()).toContain('现将有关事项通知如下');

    await page.getByTestId('save').click();
    await expect.poll(async () => (await packageOf(id)).revision, { timeout: 30_000 }).toBe(2);
    expect(await page.getByTestId('save-issues').count()).toBe(0);
    const stored = (await packageOf(id)).content.document.body;
    // What the editor showed is what was stored: the text and the table, no empty picture, nothing invisible.
    expect(stored).toContain('各街道办事处 区政府各工作部门：');
    expect(stored).toContain('现将有关事项通知如下。');
    expect(stored).toMatch(/<table><tbody><tr><td>(<p>)?时间/);
    expect(stored).not.toMatch(/<img|class=|style=|o:p|mso-|\u000b|\u200b/);
    // And the form, read again from what was stored, has nothing left to save.
    await page.reload();
    await expect.poll(() => inputOf(page, 'package-title').inputValue(), { timeout: 20_000 }).toBe('关于做好2027年元旦春节期间安全生产工作的通知');
    await page.getByTestId('document-body').click();
    await page.waitForTimeout(1000);
    expect(await page.getByTestId('unsaved').count()).toBe(0);
    await screenshot(page, 'editor-package-form-pasted-from-word');
  });

  it("an interpretation's refused title and link are said beside those fields, not only in the list under the form", async () => {
    // An H5 interpretation: its link is its page (a text interpretation has no link field).
    const h5 = { form: 'h5', title: 'H5：燃气安全一图读懂', body: '<p>扫码查看。</p>', url: 'https://www.beilin.gov.cn/h5/rq.html' };
    const { page, id } = await formOf('关于开展2027年度城镇燃气安全专项检查的通知', undefined, [], { interpretations: [h5] });
    await inputOf(page, 'interpretation-title-0').fill('');
    await inputOf(page, 'interpretation-url-0').fill('www.beilin.gov.cn/zcjd');
    await page.getByTestId('save').click();
    await page.getByTestId('save-issues').waitFor({ timeout: 20_000 });

    const besideField = (selector: string) => page.locator('.el-form-item', { has: page.locator(selector) }).locator('.el-form-item__error');
    await expect.poll(() => besideField('#field-interpretations-0-title').innerText(), { timeout: 10_000 }).toMatch(/必填|不能为空/);
    await expect.poll(() => besideField('#field-interpretations-0-url').innerText(), { timeout: 10_000 }).toMatch(/网址|链接|http/);
    expect(await besideField('#field-interpretations-0-url').innerText()).not.toMatch(/[A-Za-z]{4,} [a-z]{3,}/);
    expect((await packageOf(id)).revision).toBe(1);
  });

  it('a field left invalid does not hide the channels: 发文单位 cleared, the panel still says Douyin needs a video and WeChat a cover', async () => {
    const douyin = 'douyin:blwhly-dy';
    const wechat = 'wechat_oa:blwhly';
    const { page, errors } = await formOf('关于印发碑林区2027年老旧小区改造计划的通知', 'Asia/Shanghai', [douyin, wechat]);
    const panel = page.getByTestId('preflight-panel');
    // Saved and valid: the channels' problems are there.
    await panel.getByTestId('problem-video_required').waitFor({ timeout: 20_000 });
    await inputOf(page, 'document-issuing-unit').fill('');
    await page.getByTestId('unsaved').waitFor();

    // The unsaved body fails validation: its field issue and the channels' problems, in one list (before: the field issue alone).
    await panel.getByTestId('problem-invalid_field').waitFor({ timeout: 20_000 });
    await expect.poll(() => panel.getByTestId('problem-invalid_field').innerText(), { timeout: 10_000 }).toContain('发文单位');
    expect(await panel.getByTestId('problem-video_required').getAttribute('data-channel')).toBe(douyin);
    expect(await panel.getByTestId('problem-cover_required').getAttribute('data-channel')).toBe(wechat);
    for (const code of ['invalid_field', 'video_required', 'cover_required'])
      expect(await panel.getByTestId(`problem-${code}`).getAttribute('data-severity')).toBe('blocking');
    await expect.poll(() => panel.getByTestId('preflight-blocked').innerText()).toContain('有 3 个问题');
    await screenshot(page, 'editor-preflight-field-and-channel-problems');
    expect(errors).toEqual([]);
  });

  it('a session that ends with unsaved changes keeps them: signed in again, the person is back on the form with what they typed', async () => {
    const { page, id } = await formOf('关于印发碑林区2027年民生实事项目的通知');
    const typed = '关于印发碑林区2027年民生实事项目（第二批）的通知';
    await inputOf(page, 'package-title').fill(typed);
    await page.getByTestId('document-body').click();
    await page.keyboard.press('Control+End');
    await page.keyboard.type('补充：各单位于12月31日前报送。');
    await page.getByTestId('unsaved').waitFor();

    // The session ends meanwhile (idle too long, or ended by an administrator): the next request is answered 401.
    const client = new pg.Client({ connectionString: system.databaseUrl });
    await client.connect();
    try {
      await client.query('delete from sessions');
    } finally {
      await client.end();
    }
    // 保存 is answered 401 (or a request the page makes meanwhile is): the person is sent to sign in.
    await page
      .getByTestId('save')
      .click({ timeout: 5_000 })
      .catch(() => {});
    await page.waitForURL('**/console/signin**', { timeout: 30_000 });

    await inputOf(page, 'signin-name').fill(editor.name);
    await inputOf(page, 'signin-password').fill(editor.password);
    await page.getByTestId('signin-submit').click();
    await page.waitForURL(`**/console/packages/${id}/edit`, { timeout: 20_000 });
    await page.getByTestId('draft-restored').waitFor({ timeout: 20_000 });
    await expect.poll(() => inputOf(page, 'package-title').inputValue(), { timeout: 20_000 }).toBe(typed);
    expect(await page.getByTestId('document-body').innerText()).toContain('补充：各单位于12月31日前报送。');
    expect(await page.getByTestId('unsaved').count()).toBe(1);

    // Still unsaved until saved, and then saved as typed, on the revision it was made on.
    expect((await packageOf(id)).content.title).not.toBe(typed);
    await page.getByTestId('save').click();
    await expect.poll(async () => (await packageOf(id)).content.title, { timeout: 30_000 }).toBe(typed);
    expect((await packageOf(id)).revision).toBe(2);
    expect((await packageOf(id)).content.document.body).toContain('补充：各单位于12月31日前报送。');
  });

  it('a submit whose answer is lost on the way back is found in review: 已提交审核, not a network error and then 「只有草稿才能提交审核」', async () => {
    const { page, id } = await formOf('关于公布碑林区2027年第一批政务服务事项清单的通知');
    // govpub receives the submit and acts on it; the answer never reaches the browser.
    await page.route('**/api/packages/*/submit**', async (route) => {
      await route.fetch();
      await route.abort('connectionreset');
    });
    await page.getByTestId('submit').click();
    await page.waitForURL(`**/console/packages/${id}`, { timeout: 30_000 });
    await expect.poll(() => page.locator('.el-message--success').first().innerText(), { timeout: 10_000 }).toContain('已提交审核');
    expect(await page.locator('.el-message--error').count()).toBe(0);
    expect((await packageOf(id)).status).toBe('in_review');
  });

  it("a reviewer's approval whose answer is lost on the way back is shown as taken, not as a network error", async () => {
    const created = await system.api<{ id: string }>(editor, 'POST', '/api/packages', await policyBody(system, editor, '关于调整碑林区部分公交线路的通告'));
    await system.api(editor, 'POST', `/api/packages/${created.id}/submit`, {});
    const context = await browser.newContext({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai', reducedMotion: 'reduce', viewport: { width: 1440, height: 900 } });
    contexts.push(context);
    const page = await context.newPage();
    await signIn(page, system, reviewer);
    await page.goto(`${system.consoleUrl}reviews/${created.id}`);
    await inputOf(page, 'decision-comment').fill('内容准确，同意。');
    await page.route('**/api/packages/*/decisions', async (route) => {
      await route.fetch();
      await route.abort('connectionreset');
    });
    await page.getByTestId('decision-approve').click();
    await page.getByTestId('decision-confirm').click();
    await page.getByTestId('decision-done').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('decision-done').innerText()).toContain('初审');
    expect(await page.getByTestId('decision-error').count()).toBe(0);
    expect((await system.api<{ currentStage: string }>(editor, 'GET', `/api/packages/${created.id}`)).currentStage).toBe('second');
  });

  it("a reviewer's comment typed when the session ends is kept: signed in again, it is back in the box and the 退回 still to confirm, not yet sent", async () => {
    const created = await system.api<{ id: string }>(
      editor,
      'POST',
      '/api/packages',
      await policyBody(system, editor, '关于碑林区2027年老旧小区改造计划的公示'),
    );
    await system.api(editor, 'POST', `/api/packages/${created.id}/submit`, {});
    const context = await browser.newContext({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai', reducedMotion: 'reduce', viewport: { width: 1440, height: 900 } });
    contexts.push(context);
    const page = await context.newPage();
    await signIn(page, system, reviewer);
    await page.goto(`${system.consoleUrl}reviews/${created.id}`);
    const typed = '第三段的改造范围与附件表格不一致，请核对后修改；公示期应为7个工作日。';
    await inputOf(page, 'decision-comment').fill(typed);
    await page.getByTestId('decision-reject').click();
    await page.getByTestId('decision-confirm').waitFor();

    // The session ends meanwhile (idle too long, or ended by an administrator): the decision is answered 401.
    const client = new pg.Client({ connectionString: system.databaseUrl });
    await client.connect();
    try {
      await client.query('delete from sessions');
    } finally {
      await client.end();
    }
    await page.getByTestId('decision-confirm').click();
    await page.waitForURL('**/console/signin**', { timeout: 30_000 });

    await inputOf(page, 'signin-name').fill(reviewer.name);
    await inputOf(page, 'signin-password').fill(reviewer.password);
    await page.getByTestId('signin-submit').click();
    await page.waitForURL(`**/console/reviews/${created.id}`, { timeout: 20_000 });
    await page.getByTestId('decision-restored').waitFor({ timeout: 20_000 });
    await expect.poll(() => inputOf(page, 'decision-comment').inputValue(), { timeout: 20_000 }).toBe(typed);
    // The 退回 being confirmed is asked again, nothing was sent.
    await page.getByTestId('decision-confirm').waitFor({ timeout: 20_000 });
    expect(await page.getByTestId('decision-dialog').innerText()).toContain('确认退回');
    const before = await system.api<{ status: string; decisions: unknown[] }>(editor, 'GET', `/api/packages/${created.id}`);
    expect(before.status).toBe('in_review');
    expect(before.decisions).toHaveLength(0);

    await page.getByTestId('decision-confirm').click();
    await page.getByTestId('decision-done').waitFor({ timeout: 30_000 });
    const after = await system.api<{ status: string; decisions: { decision: string; comment: string | null }[] }>(editor, 'GET', `/api/packages/${created.id}`);
    expect(after.status).toBe('draft');
    expect(after.decisions.map((d) => [d.decision, d.comment])).toEqual([['reject', typed]]);
  });

  it('a release time picked on a computer set to UTC is Beijing time, as the console shows every time', async () => {
    const { page, id } = await formOf('关于2027年春节假期政务服务大厅开放安排的通知', 'UTC');
    const picker = page.locator('#field-releaseAt');
    await picker.fill('2027-02-09 09:00:00');
    await picker.press('Enter');
    await page.getByTestId('save').click();
    // 09:00 in Beijing is 01:00 UTC (before: 09:00 UTC, 17:00 in Beijing).
    await expect.poll(async () => (await packageOf(id)).releaseAt, { timeout: 30_000 }).toBe('2027-02-09T01:00:00.000Z');
    // Read back into the form, the picker shows the time as it was picked.
    await page.reload();
    await expect.poll(() => page.locator('#field-releaseAt').inputValue(), { timeout: 20_000 }).toBe('2027-02-09 09:00:00');
    // Set on the package's page instead (定时发布: no new revision), the form shows that time too.
    await system.api(editor, 'PUT', `/api/packages/${id}/schedule`, { releaseAt: '2027-02-10T10:30:00+08:00' });
    await page.reload();
    await expect.poll(() => page.locator('#field-releaseAt').inputValue(), { timeout: 20_000 }).toBe('2027-02-10 10:30:00');
    // Cleared in the form and saved, it is gone (before: the form sent no time, which the API took for no change, and kept it).
    await page.locator('#field-releaseAt').fill('');
    await page.locator('#field-releaseAt').press('Enter');
    await page.getByTestId('save').click();
    await expect.poll(async () => (await packageOf(id)).releaseAt, { timeout: 30_000 }).toBeNull();
    // The time alone changed: said so (before: 「内容没有变化」, as if the save had done nothing).
    await expect.poll(() => page.locator('.el-message').last().innerText(), { timeout: 10_000 }).toContain('发布时间已更新');
    await page.reload();
    await expect.poll(() => inputOf(page, 'package-title').inputValue(), { timeout: 20_000 }).toBe('关于2027年春节假期政务服务大厅开放安排的通知');
    expect(await page.locator('#field-releaseAt').inputValue()).toBe('');
    await system.api(editor, 'PUT', `/api/packages/${id}/schedule`, { releaseAt: '2027-02-09T09:00:00+08:00' });
    // And the package's page says the same time.
    await page.goto(`${system.consoleUrl}packages/${id}`);
    await expect.poll(() => page.locator('main').innerText(), { timeout: 20_000 }).toContain('2027-02-09 09:00');
  });
});
