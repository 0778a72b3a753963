/**
 * What a demanding editor, reviewer and operator hit in the console, each fixed (the audit of
 * 2026-12-03), in the real system as `govpub start` runs it and Debian's Chromium:
 * - a refused save names every field in Chinese beside it, never by its API path (document.title);
 * - at 360 px the form keeps the screen's width to type in (the navigation goes above the page);
 * - an approval voided by a withdrawal says so in Chinese on the package's page;
 * - a reviewer's open confirmation stays pinned to the stage they chose it at while another
 *   reviewer decides that stage: refused, never applied to the next stage;
 * - the board opened from a package's link (?package=) shows that package;
 * - the delivery drawer says a failure's class and an automatic pause in Chinese;
 * - a scheduled package's page changes its release time, cancels it and releases it now (before,
 *   only the API and the CLI could).
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchChromium, skipBrowser } from '../support/browser.js';
import { freshDatabase } from '../support/services.js';
import { inputOf, signedInPage, startConsoleSystem, type ConsoleSystem, type ConsoleUser } from './harness.js';
import { addSimulatorFault } from './desk.js';
import { policyBody } from './journey-support.js';
import { seriousViolations } from './axe.js';

interface PackageAnswer {
  id: string;
  status: string;
  currentStage: string | null;
  revision: number;
  decisions: { stage: string; reviewer: string; voided: boolean }[];
}

describe.skipIf(skipBrowser)('the console as a demanding user meets it', () => {
  let system: ConsoleSystem;
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  let browser: Browser;
  const users: Record<string, ConsoleUser> = {};

  beforeAll(async () => {
    database = await freshDatabase();
    system = await startConsoleSystem({ databaseUrl: database.url, temporalAddress: inject('temporalAddress') });
    browser = await launchChromium();
    [users.editor, users.first, users.second, users.admin, users.ops] = await Promise.all([
      system.addUser('audit-editor', 'editor'),
      system.addUser('audit-first', 'reviewer', { stages: ['初审'] }),
      system.addUser('audit-second', 'reviewer', { stages: ['复审'] }),
      system.addUser('audit-admin', 'admin', { stages: ['初审', '复审', '终审'] }),
      system.addUser('audit-ops', 'ops'),
    ]);
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await system?.stop();
    await database?.close();
  });

  const pageOf = (user: ConsoleUser, viewport = { width: 1366, height: 900 }) => signedInPage(browser, system, user, viewport);

  async function submittedPackage(title: string): Promise<string> {
    const created = await system.api<{ id: string }>(users.editor!, 'POST', '/api/packages', await policyBody(system, users.editor!, title));
    await system.api(users.editor!, 'POST', `/api/packages/${created.id}/submit`, {});
    return created.id;
  }

  const packageOf = (id: string) => system.api<PackageAnswer & { releaseAt: string | null }>(users.editor!, 'GET', `/api/packages/${id}`);

  it('a refused save names each field in Chinese beside it, and the notice shows no API paths', async () => {
    const { page, close } = await pageOf(users.editor!);
    try {
      await page.goto(`${system.consoleUrl}packages/new`);
      await page.getByTestId('save').click();
      const notice = page.locator('.el-message--error');
      await expect.poll(() => notice.innerText()).toContain('处内容需要修改');
      expect(await notice.innerText()).not.toMatch(/title|catalogueItem|document\.|targets/);
      // Beside the fields themselves, not only in the list under a form four screens long.
      const besideTitle = page.locator('.el-form-item', { has: page.locator('#field-title') }).locator('.el-form-item__error');
      await expect.poll(() => besideTitle.innerText()).toBe('必填');
      const besideCatalogue = page.locator('.el-form-item', { has: page.locator('#field-catalogueItem') }).locator('.el-form-item__error');
      expect(await besideCatalogue.innerText()).toBe('必填');
      expect(await page.getByTestId('targets-issue').innerText()).toContain('渠道');
      expect(await page.getByTestId('save-issues').innerText()).toContain('发布包标题：必填');
    } finally {
      await close();
    }
  });

  it('at 360 px the package form keeps the width of the screen to type in', async () => {
    const { page, close } = await pageOf(users.editor!, { width: 360, height: 740 });
    try {
      await page.goto(`${system.consoleUrl}packages/new`);
      const title = page.locator('#field-title');
      await title.waitFor();
      // Before, the 200 px navigation stayed beside the page and left the title field 80 px wide.
      expect((await title.boundingBox())!.width).toBeGreaterThan(200);
      expect((await page.locator('#field-document-issuingUnit').boundingBox())!.width).toBeGreaterThan(200);
      expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(360);
      await expect.poll(() => page.getByTestId('nav-packages').isVisible()).toBe(true);
    } finally {
      await close();
    }
  });

  it('at 360 px the review page puts the document above its interpretations and its facts one to a line', async () => {
    // A reviewer opens the package from a phone too: side by side, each column held five characters a
    // line, and the facts table three pairs wide left each label one character a line.
    const id = await submittedPackage('关于做好冬季道路除雪保障工作的通知');
    const { page, close } = await pageOf(users.first!, { width: 360, height: 740 });
    try {
      await page.goto(`${system.consoleUrl}reviews/${id}`);
      const document = page.getByTestId('review-document');
      await document.waitFor();
      const documentBox = (await document.boundingBox())!;
      const interpretationsBox = (await page.getByTestId('review-interpretations').boundingBox())!;
      expect(documentBox.width).toBeGreaterThan(280);
      expect(interpretationsBox.width).toBeGreaterThan(280);
      expect(interpretationsBox.y).toBeGreaterThan(documentBox.y + documentBox.height);
      const stageLabel = page.locator('.review-facts .el-descriptions__label', { hasText: '当前环节' });
      expect((await stageLabel.boundingBox())!.height).toBeLessThan(2 * 24);
      expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(360);
      // The same page at a desk keeps them side by side, the facts three pairs a line.
      await page.setViewportSize({ width: 1366, height: 900 });
      await expect.poll(async () => (await page.getByTestId('review-interpretations').boundingBox())!.y).toBeLessThan(documentBox.y + 50);
      const deskDocument = (await page.getByTestId('review-document').boundingBox())!;
      expect((await page.getByTestId('review-interpretations').boundingBox())!.x).toBeGreaterThan(deskDocument.x + deskDocument.width);
      expect(await page.locator('.review-facts tr').count()).toBe(2);
    } finally {
      await close();
    }
  });

  it('at 360 px the header wraps whole items (待办 on one line) and a dialog stays inside the screen', async () => {
    const { page, close } = await pageOf(users.first!, { width: 360, height: 740 });
    try {
      const notices = page.getByTestId('notices-link');
      await notices.waitFor();
      // Before, 待办 broke into 待 / 办 beside the name and the two buttons.
      expect((await notices.boundingBox())!.height).toBeLessThan(2 * 24);
      await page.getByTestId('change-password').click();
      const dialog = page.locator('.el-dialog', { has: page.getByTestId('password-current') });
      await dialog.waitFor();
      const box = (await dialog.boundingBox())!;
      expect(box.x).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width).toBeLessThanOrEqual(360);
      expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(360);
    } finally {
      await close();
    }
  });

  it('修改密码 in the header: the current password asked again, the new one checked as typed, other browsers signed out, this one kept', async () => {
    // The first password `govpub users add` printed was seen by whoever added the user: its owner makes it theirs.
    const person = await system.addUser('audit-password', 'editor');
    const elsewhere = await pageOf(person);
    const { page, close } = await pageOf(person);
    try {
      await page.getByTestId('change-password').click();
      const dialog = page.getByTestId('password-dialog');
      await inputOf(page, 'password-current').fill('not-the-password');
      await inputOf(page, 'password-new').fill('short');
      // Checked as typed, before anything is sent.
      await expect.poll(() => dialog.innerText()).toContain('至少 10 个字符（现在 5 个）');
      await inputOf(page, 'password-new').fill('Winter-snow-2026');
      await inputOf(page, 'password-again').fill('Winter-snow-2027');
      await expect.poll(() => dialog.innerText()).toContain('两次输入的新密码不一致');
      expect(await page.getByTestId('password-submit').isDisabled()).toBe(true);
      // Each field labelled, the errors readable: no serious or critical accessibility violation in the dialog.
      expect(await seriousViolations(page, ['.el-dialog'])).toEqual([]);
      await inputOf(page, 'password-again').fill('Winter-snow-2026');
      await page.getByTestId('password-submit').click();
      // A wrong current password: said beside it, nothing changed.
      await expect.poll(() => dialog.innerText()).toContain('不是您当前的密码');
      await inputOf(page, 'password-current').fill(person.password);
      await page.getByTestId('password-submit').click();
      await expect.poll(() => page.locator('.el-message--success').innerText()).toContain('密码已修改，其他 1 处登录已退出。');
      await expect.poll(() => dialog.isVisible()).toBe(false);
      // This page stays signed in; the other browser is signed out at its next request.
      await page.getByTestId('nav-media').click();
      await expect.poll(() => page.getByTestId('current-user').isVisible()).toBe(true);
      await elsewhere.page.reload();
      await elsewhere.page.waitForURL((u) => u.pathname.endsWith('/signin'), { timeout: 20_000 });
      // The old password no longer signs in; the new one does.
      const signInWith = (password: string) =>
        fetch(`${system.url}/api/session`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ name: person.name, password }),
        });
      expect((await signInWith(person.password)).status).toBe(401);
      expect((await signInWith('Winter-snow-2026')).status).toBe(200);
      // Audited, with neither password.
      const audit = await system.api<{ entries: { action: string; details: unknown }[] }>(users.admin!, 'GET', '/api/audit?action=password_changed');
      const entry = audit.entries.find((e) => JSON.stringify(e.details).includes(person.name));
      expect(entry).toBeDefined();
      expect(JSON.stringify(audit)).not.toContain('Winter-snow-2026');
      expect(JSON.stringify(audit)).not.toContain(person.password);
    } finally {
      await close();
      await elsewhere.close();
    }
  });

  it('an approval voided by a withdrawal says so in Chinese on the package page', async () => {
    const id = await submittedPackage('关于做好冬季供暖保障工作的通知');
    await system.api(users.first!, 'POST', `/api/packages/${id}/decisions`, { revision: 1, decision: 'approve', comment: '同意' });
    await system.api(users.editor!, 'POST', `/api/packages/${id}/withdraw`, {});
    const { page, close } = await pageOf(users.editor!);
    try {
      await page.goto(`${system.consoleUrl}packages/${id}`);
      await expect.poll(() => page.getByTestId('decision-voided').innerText()).toBe('（已作废：发布包被撤回审核）');
      expect(await page.locator('main').innerText()).not.toContain('withdrawn');
    } finally {
      await close();
    }
  });

  it("a reviewer's open confirmation stays at the stage it was opened at: decided meanwhile, it is refused, not applied to the next stage", async () => {
    const id = await submittedPackage('关于开展老旧小区改造意见征集的通知');
    const late = await pageOf(users.admin!);
    const early = await pageOf(users.first!);
    try {
      await late.page.goto(`${system.consoleUrl}reviews/${id}`);
      await early.page.goto(`${system.consoleUrl}reviews/${id}`);
      // The administrator (every stage) opens the confirmation at 初审 and reads it…
      await late.page.getByTestId('decision-approve').click();
      await expect.poll(() => late.page.getByTestId('decision-dialog').innerText()).toContain('确认在「初审」环节通过第 1 版');
      // …while the 初审 reviewer approves it.
      await early.page.getByTestId('decision-approve').click();
      await early.page.getByTestId('decision-confirm').click();
      await expect.poll(async () => (await packageOf(id)).currentStage, { timeout: 20_000 }).toBe('second');
      // The administrator's page hears of it (live events) while the confirmation is still open.
      await expect.poll(() => late.page.locator('.review-facts').innerText(), { timeout: 20_000 }).toContain('复审');
      expect(await late.page.getByTestId('decision-dialog').innerText()).toContain('确认在「初审」环节通过第 1 版');
      await late.page.getByTestId('decision-confirm').click();
      await expect.poll(() => late.page.getByTestId('decision-error').innerText(), { timeout: 20_000 }).toContain('其他审核人');
      const after = await packageOf(id);
      expect(after.currentStage).toBe('second');
      expect(after.decisions.filter((d) => !d.voided).map((d) => `${d.stage}:${d.reviewer}`)).toEqual(['first:audit-first']);
    } finally {
      await late.close();
      await early.close();
    }
  });

  it('the delivery drawer says the failure class and an automatic pause of the channel in Chinese', async () => {
    // Weibo refuses the account's token: the delivery needs reconnecting and govpub pauses the channel.
    await addSimulatorFault(system, 'weibo', { match: '/2/statuses/share.json', kind: 'token_expired' });
    const body = await policyBody(system, users.editor!, '关于公布碑林区第一批老字号名录的通知');
    const created = await system.api<{ id: string }>(users.editor!, 'POST', '/api/packages', {
      ...body,
      targets: [...(body.targets as string[]), 'weibo:blfb-wb'],
    });
    await system.api(users.editor!, 'POST', `/api/packages/${created.id}/submit`, {});
    for (const reviewer of [users.first!, users.second!]) {
      await system.api(reviewer, 'POST', `/api/packages/${created.id}/decisions`, { revision: 1, decision: 'approve', comment: '同意' });
    }
    const sun = await system.addUser('audit-final', 'reviewer', { stages: ['终审'] });
    await system.api(sun, 'POST', `/api/packages/${created.id}/decisions`, { revision: 1, decision: 'approve', comment: '同意' });
    const deliveryOf = async () =>
      (
        await system.api<{ items: { id: string; channelId: string; state: string }[] }>(
          users.ops!,
          'GET',
          `/api/deliveries?package=${created.id}&channel=weibo:blfb-wb`,
        )
      ).items[0];
    await expect.poll(async () => (await deliveryOf())?.state, { timeout: 60_000 }).toBe('needs_reconnect');
    const delivery = (await deliveryOf())!;

    const { page, close } = await pageOf(users.ops!);
    try {
      // The package page's 在发布看板中查看 links here: the board is filtered to that package.
      await page.goto(`${system.consoleUrl}board?package=${created.id}`);
      await expect.poll(() => page.getByTestId('filter-package').innerText(), { timeout: 20_000 }).toContain('关于公布碑林区第一批老字号名录的通知');
      await page.getByTestId(`cell-${delivery.id}`).click();
      const drawer = page.getByTestId('delivery-drawer');
      await expect.poll(() => page.getByTestId('drawer-failure').innerText(), { timeout: 20_000 }).toContain('错误类别：账号凭据失效（需重新授权）');
      await expect.poll(() => page.getByTestId('drawer-channel-paused').innerText()).toContain('请重新授权或更新凭据，然后点击「恢复渠道」');
      const text = await drawer.innerText();
      expect(text).not.toMatch(/needs reconnect|needs_reconnect|access token/);

      // 恢复渠道 while Weibo still refuses the token: govpub asks Weibo first, keeps the channel
      // paused and says why and what to do, in Chinese, in the drawer.
      await addSimulatorFault(system, 'weibo', { match: '/2/statuses/user_timeline.json', kind: 'token_expired' });
      await page.getByTestId('action-resume').click();
      const refused = page.getByTestId('drawer-resume-refused');
      await expect.poll(() => refused.innerText(), { timeout: 30_000 }).toContain('未恢复：平台仍拒绝该账号的凭据');
      const said = await refused.innerText();
      expect(said).toContain('渠道“碑林发布”仍保持暂停：刚刚向平台核实，平台仍拒绝该账号的凭据。');
      expect(said).toMatch(/请先更新密钥 \S*WEIBO_BLFB_WB_ACCESS_TOKEN/);
      expect(said).not.toMatch(/stays paused|needs reconnect/);
      expect(await page.getByTestId('drawer-channel-paused').isVisible()).toBe(true);
      const channels = await system.api<{ channels: { id: string; paused: boolean }[] }>(users.ops!, 'GET', '/api/channels?platform=weibo');
      expect(channels.channels.find((c) => c.id === 'weibo:blfb-wb')?.paused).toBe(true);

      // On a phone the drawer (520 px) keeps inside the screen, its labels one line each (渠 / 道 before).
      await page.setViewportSize({ width: 360, height: 740 });
      const panel = page.locator('.el-drawer', { has: page.getByTestId('drawer-state') });
      await expect.poll(async () => (await panel.boundingBox())!.width).toBeLessThanOrEqual(360);
      const label = panel.locator('.el-descriptions__label', { hasText: '渠道' }).first();
      expect((await label.boundingBox())!.height).toBeLessThan(2 * 24);
    } finally {
      await close();
    }
  });

  it("a scheduled package's page changes its release time, cancels it and releases it now, keeping the approvals", async () => {
    const inAMonth = new Date(Date.now() + 30 * 86_400_000);
    inAMonth.setUTCSeconds(0, 0);
    const body = await policyBody(system, users.editor!, '关于碑林区2027年春节期间市场保供工作的通知');
    const created = await system.api<{ id: string }>(users.editor!, 'POST', '/api/packages', { ...body, releaseAt: inAMonth.toISOString() });
    await system.api(users.editor!, 'POST', `/api/packages/${created.id}/submit`, {});
    const final = await system.addUser('audit-final-2', 'reviewer', { stages: ['终审'] });
    for (const reviewer of [users.first!, users.second!, final]) {
      await system.api(reviewer, 'POST', `/api/packages/${created.id}/decisions`, { revision: 1, decision: 'approve', comment: '同意' });
    }
    await expect.poll(async () => (await packageOf(created.id)).status, { timeout: 20_000 }).toBe('scheduled');

    const { page, errors, close } = await pageOf(users.editor!);
    errors.splice(0); // the sign-in page's own probe of the session (401 before signing in) is not this page's
    try {
      await page.goto(`${system.consoleUrl}packages/${created.id}`);
      // A new time, typed into the picker: kept, approvals and all.
      await page.getByTestId('package-schedule').click();
      const picker = page.getByTestId('schedule-dialog').locator('input');
      await picker.fill('2027-02-01 09:30:00');
      await picker.press('Enter');
      await page.getByTestId('schedule-confirm').click();
      await expect.poll(async () => (await packageOf(created.id)).releaseAt, { timeout: 20_000 }).toBe('2027-02-01T01:30:00.000Z');
      let now = await packageOf(created.id);
      expect(now.status).toBe('scheduled');
      expect(now.decisions.filter((d) => !d.voided)).toHaveLength(3);
      await expect.poll(() => page.locator('.facts').innerText()).toContain('2027-02-01 09:30');

      // Cancelled: it waits, approved, for a time or a release now.
      await page.getByTestId('package-unschedule').click();
      await page.locator('.el-message-box').getByRole('button', { name: '取消定时' }).click();
      await expect.poll(async () => (await packageOf(created.id)).status, { timeout: 20_000 }).toBe('approved');
      now = await packageOf(created.id);
      expect(now.releaseAt).toBeNull();
      await expect.poll(() => page.getByTestId('package-unschedule').count()).toBe(0);

      // Released now: every channel is sent, and the buttons for timing go away.
      await page.getByTestId('package-release-now').click();
      await page.locator('.el-message-box').getByRole('button', { name: '立即发布' }).click();
      await expect.poll(async () => (await packageOf(created.id)).status, { timeout: 60_000 }).toMatch(/^(releasing|released)$/);
      await expect.poll(() => page.getByTestId('package-release-now').count(), { timeout: 20_000 }).toBe(0);
      expect(await page.getByTestId('package-schedule').count()).toBe(0);
      expect(errors, errors.join('\n')).toEqual([]);
    } finally {
      await close();
    }
  });
});
