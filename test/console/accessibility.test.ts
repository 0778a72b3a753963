/**
 * Every console page through axe-core (0 serious or critical violations), in the real system as
 * `govpub start` runs it, for every role: the sign-in page, each page in each role's navigation,
 * the package form, a package's detail, the review page, the board. And the main actions by
 * keyboard alone (Tab, Enter, typing): sign in, open a package, approve it with a comment.
 *
 * The journey (journey.test.ts) checks the pages that need a package in flight (the form with
 * previews, the board with its drawer open) as it passes them.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, skipBrowser } from '../support/browser.js';
import { freshDatabase } from '../support/services.js';
import { inject } from 'vitest';
import { checkedPages, expectAccessible } from './axe.js';
import { inputOf, signIn, startConsoleSystem, watchPage, type ConsoleSystem, type ConsoleUser } from './harness.js';
import { policyBody, tabUntil } from './journey-support.js';

describe.skipIf(skipBrowser)('the console is accessible', () => {
  let system: ConsoleSystem;
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  let browser: Browser;
  const users: Record<string, ConsoleUser> = {};
  let packageId: string;

  beforeAll(async () => {
    database = await freshDatabase();
    system = await startConsoleSystem({ databaseUrl: database.url, temporalAddress: inject('temporalAddress') });
    browser = await launchChromium();
  }, 240_000);

  afterAll(async () => {
    console.log(`axe: ${checkedPages.length} page(s) checked: ${checkedPages.map((p) => p.name).join(', ')}`);
    await browser?.close();
    await system?.stop();
    await database?.close();
  });

  async function rolePage(): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
    const context = await browser.newContext({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai', reducedMotion: 'reduce' });
    const page = await context.newPage();
    return { context, page, errors: watchPage(page).errors };
  }

  it('the sign-in page: served with a CSP, in Chinese, no serious violations, no error in the browser console', async () => {
    const { context, page, errors } = await rolePage();
    const sessionProbes: string[] = [];
    page.on('request', (request) => {
      if (new URL(request.url()).pathname === '/api/session') sessionProbes.push(request.method());
    });
    try {
      const response = await page.goto(system.url + '/');
      await page.waitForURL('**/console/signin**');
      expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
      await expect.poll(() => page.locator('h1').innerText()).toBe('碑林区政务发布工作台');
      expect(await page.getByTestId('signin-submit').innerText()).toContain('登录');
      expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN');
      await expectAccessible(page, 'signin');
      // An empty form says what to do, in Chinese, and is still accessible.
      await page.getByTestId('signin-submit').click();
      await expect.poll(() => page.getByTestId('signin-error').innerText()).toContain('请输入用户名和密码');
      await expectAccessible(page, 'signin (error shown)');
      // Nobody has signed in in this browser: the console does not ask who is signed in (a 401 the browser would log as an error).
      expect(sessionProbes).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('sets up the people and a package in review (CLI and API, as an administrator and a script would)', async () => {
    [users.editor, users.first, users.ops, users.admin] = await Promise.all([
      system.addUser('a11y-editor', 'editor'),
      system.addUser('a11y-first', 'reviewer', { stages: ['初审'] }),
      system.addUser('a11y-ops', 'ops'),
      system.addUser('a11y-admin', 'admin', { stages: ['初审', '复审', '终审'] }),
    ]);
    // A warning-level wording (既使 → 即使) reaches review: the review page's content-gate table is checked too.
    const body = await policyBody(system, users.editor);
    const document = {
      ...(body.document as Record<string, unknown>),
      body: '<p>为深入贯彻落实国家和省市优化营商环境决策部署，既使遇到困难，也要制定以下措施。</p>',
    };
    const created = await system.api<{ id: string }>(users.editor, 'POST', '/api/packages', { ...body, document });
    packageId = created.id;
    const submitted = await system.api<{ status: string }>(users.editor, 'POST', `/api/packages/${packageId}/submit`, {});
    expect(submitted.status).toBe('in_review');
  });

  for (const role of ['editor', 'first', 'ops', 'admin'] as const) {
    it(`every page in the ${role}'s navigation, and the pages they open, has no serious violations`, async () => {
      const { context, page, errors } = await rolePage();
      try {
        await signIn(page, system, users[role]!);
        const navLinks = await page
          .locator('[data-testid^="nav-"]')
          .evaluateAll((els) => els.map((el) => (el as unknown as { getAttribute(name: string): string | null }).getAttribute('data-testid')!));
        expect(navLinks.length).toBeGreaterThan(0);
        for (const testId of navLinks) {
          await page.getByTestId(testId).click();
          await page.waitForURL(`**/console/${testId.slice('nav-'.length)}**`);
          await expect.poll(() => page.locator('h1').count()).toBe(1);
          await page.waitForLoadState('networkidle');
          await expectAccessible(page, `${role}:${testId.slice('nav-'.length)}`);
        }
        const extra: string[] =
          role === 'editor' ? ['packages/new', `packages/${packageId}`] : role === 'first' ? [`reviews/${packageId}`, `packages/${packageId}`] : [];
        for (const route of extra) {
          await page.goto(`${system.consoleUrl}${route}`);
          await expect.poll(() => page.locator('h1').count()).toBe(1);
          if (route.startsWith('reviews/')) {
            await expect
              .poll(() => page.getByTestId('content-gate-wording_wrong').locator('td').allInnerTexts(), { timeout: 30_000 })
              .toEqual(['错别字词', '提示', '/document/body', expect.stringContaining('既使遇到困难'), expect.stringMatching(/应为“即使”/)]);
          }
          await page.waitForLoadState('networkidle');
          await expectAccessible(page, `${role}:${route.replace(packageId, ':id')}`);
        }
        expect(errors.filter((e) => e.startsWith('pageerror'))).toEqual([]);
      } finally {
        await context.close();
      }
    });
  }

  it('by keyboard alone: sign in, open the package from the queue, approve it with a comment', async () => {
    const { context, page } = await rolePage();
    try {
      await page.goto(`${system.consoleUrl}signin`);
      await tabUntil(page, inputOf(page, 'signin-name'));
      await page.keyboard.type(users.first!.name);
      await tabUntil(page, inputOf(page, 'signin-password'));
      await page.keyboard.type(users.first!.password);
      await page.keyboard.press('Enter');
      await page.getByTestId('current-user').waitFor();
      expect(page.url()).toMatch(/\/console\/reviews/);

      // The queue row's link to the package, then the review page's comment box and 通过.
      await tabUntil(page, page.getByTestId(`review-open-${packageId}`));
      await page.keyboard.press('Enter');
      await page.waitForURL(`**/console/reviews/${packageId}`);
      await tabUntil(page, inputOf(page, 'decision-comment'));
      await page.keyboard.type('格式规范，同意发布。');
      await tabUntil(page, page.getByTestId('decision-approve'));
      await page.keyboard.press('Enter');
      // The confirm dialog takes the focus; its 确认 button is reached by Tab as well.
      await page.getByTestId('decision-confirm').waitFor();
      await tabUntil(page, page.getByTestId('decision-confirm'));
      await page.keyboard.press('Enter');
      await expect
        .poll(async () => (await system.api<{ currentStage: string | null }>(users.editor!, 'GET', `/api/packages/${packageId}`)).currentStage, {
          timeout: 20_000,
        })
        .toBe('second');
    } finally {
      await context.close();
    }
  });
});
