/**
 * 合规监测 against the monitor's real routes (merged from wt-surface) in the real system as `govpub
 * start` runs it: operations press 立即检查, the real run (a workflow on the real worker, against
 * the simulators) is followed to its end, and the page then shows exactly what GET
 * /api/compliance answers (thresholds, counts, findings); an editor's reminders are the API's
 * `scope=mine` findings. compliance-monitor.test.ts covers the page's details on findings the monitor made over seeded facts.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { ComplianceView } from '../../domain/compliance/model.js';
import { launchChromium, skipBrowser } from '../support/browser.js';
import { freshDatabase } from '../support/services.js';
import { expectAccessible } from './axe.js';
import { signIn, startConsoleSystem, watchPage, type ConsoleSystem, type ConsoleUser } from './harness.js';

describe.skipIf(skipBrowser)('合规监测 on the real compliance API', () => {
  let system: ConsoleSystem;
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  let browser: Browser;
  let ops: ConsoleUser;
  let editor: ConsoleUser;

  beforeAll(async () => {
    database = await freshDatabase();
    system = await startConsoleSystem({ databaseUrl: database.url, temporalAddress: inject('temporalAddress') });
    browser = await launchChromium();
    ops = await system.addUser('live-ops', 'ops');
    const { units } = await system.api<{ units: { id: string; name: string; channelCount: number }[] }>(ops, 'GET', '/api/units');
    editor = await system.addUser('live-editor', 'editor', { unit: units.find((u) => u.channelCount > 0)!.id });
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await system?.stop();
    await database?.close();
  });

  it('runs a check from the page and shows what the API answers', async () => {
    const context = await browser.newContext({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai', reducedMotion: 'reduce' });
    try {
      const page = await context.newPage();
      await signIn(page, system, ops);
      const { errors } = watchPage(page);
      await page.goto(`${system.consoleUrl}compliance`);
      await page.getByTestId('compliance-run').click();
      await expect.poll(() => page.getByTestId('compliance-run-message').innerText(), { timeout: 150_000, interval: 1000 }).toBe('检查已完成，结果已更新。');

      const view = await system.api<ComplianceView>(ops, 'GET', '/api/compliance');
      expect(view.lastRun).not.toBeNull();
      expect(view.thresholds.length).toBeGreaterThan(0);
      await expect.poll(() => page.getByTestId('compliance-last-run').innerText()).toContain('手动检查');
      for (const t of view.thresholds) {
        const card = page.getByTestId(`threshold-${t.id}`);
        expect(await card.getAttribute('data-failed')).toBe(String(t.failed));
        expect(await card.innerText()).toContain(t.label);
        expect(await card.innerText()).toContain(t.failed ? '不合格' : '合格');
      }
      const rows = page.getByTestId('compliance-findings').locator('tbody tr');
      await expect.poll(() => rows.count()).toBe(view.findings.length);
      if (view.findings[0]) expect(await page.getByTestId(`finding-${view.findings[0].key}`).count()).toBe(1);
      expect(await page.getByTestId('compliance-counts').innerText()).toMatch(new RegExp(`单项否决\\s*${view.counts.veto} 项`));
      console.log(
        `real run: ${view.findings.length} open finding(s) shown, thresholds ${view.thresholds.map((t) => `${t.id} ${t.value}/${t.limit}`).join(', ')}`,
      );
      await expectAccessible(page, 'compliance (real API, after a run)');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it("gives an editor their unit's findings as reminders", async () => {
    const mine = await system.api<ComplianceView>(editor, 'GET', '/api/compliance?scope=mine&status=open');
    const context = await browser.newContext({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai', reducedMotion: 'reduce' });
    try {
      const page = await context.newPage();
      await signIn(page, system, editor);
      await page.goto(`${system.consoleUrl}notices`);
      const reminders = page.getByTestId('compliance-reminders');
      await reminders.waitFor({ timeout: 30_000 });
      if (mine.findings.length === 0) await page.getByTestId('compliance-reminders-empty').waitFor();
      else {
        await expect.poll(() => reminders.locator('li').count()).toBe(mine.findings.length);
        expect(await reminders.innerText()).toContain(mine.findings[0]!.message);
      }
      await expectAccessible(page, 'notices with real reminders (editor)');
    } finally {
      await context.close();
    }
  });
});
