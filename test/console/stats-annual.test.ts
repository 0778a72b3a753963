/**
 * 年度统计 in the real system as `govpub start` runs it, on rows seeded straight into PostgreSQL:
 * operations see the district's figures for the year they pick (totals, the charts and their
 * tables, the accounts), download the same figures as CSV with the session cookie, and an editor
 * sees their own unit's. axe finds nothing serious; motion reduced as the other console tests.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { REPO_ROOT } from '../../config/registry.js';
import { connectPostgres } from '../../db/connect.js';
import { launchChromium, skipBrowser } from '../support/browser.js';
import { freshDatabase } from '../support/services.js';
import { expectAccessible } from './axe.js';
import { screenshot, signIn, startConsoleSystem, watchPage, type ConsoleSystem, type ConsoleUser } from './harness.js';
import { seedPackage } from '../stats/seed-year.js';

describe.skipIf(skipBrowser)('年度统计 in the console', () => {
  let system: ConsoleSystem;
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  let browser: Browser;
  let ops: ConsoleUser;
  let editor: ConsoleUser;
  const year = Number(new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric' }).format(new Date()));
  let account = '';
  let accountName = '';
  let unitId = '';
  let configDir = '';

  beforeAll(async () => {
    database = await freshDatabase();
    // An office that fails a silent account after three weeks, not two: the console must say the configured limit.
    configDir = fs.mkdtempSync(path.join(os.tmpdir(), 'govpub-annual-config-'));
    fs.cpSync(path.join(REPO_ROOT, 'config'), configDir, { recursive: true });
    const thresholds = path.join(configDir, 'registry', 'compliance.yaml');
    const edited = fs.readFileSync(thresholds, 'utf8').replace(/^  failDays: 14\b/m, '  failDays: 21');
    expect(edited).toMatch(/^  failDays: 21\b/m);
    fs.writeFileSync(thresholds, edited);
    system = await startConsoleSystem({ databaseUrl: database.url, temporalAddress: inject('temporalAddress'), env: { GOVPUB_CONFIG_DIR: configDir } });
    browser = await launchChromium();
    ops = await system.addUser('annual-ops', 'ops');
    const db = connectPostgres(database.url, 2);
    try {
      // `govpub start` synced the registry's channels: take a real column and account from them.
      const channels = await db.selectFrom('channels').select(['id', 'kind', 'name', 'owner_unit']).orderBy('id').execute();
      const column = channels.find((c) => c.kind === 'portal_column')!;
      const acct = channels.find((c) => c.kind === 'new_media_account' && c.owner_unit)!;
      account = acct.id;
      accountName = acct.name;
      const units = await system.api<{ units: { id: string; name: string }[] }>(ops, 'GET', '/api/units');
      unitId = units.units.find((u) => u.name === acct.owner_unit)!.id;
      editor = await system.addUser('annual-editor', 'editor', { unit: unitId });
      const author = (await db.selectFrom('users').select('id').where('name', '=', 'annual-ops').executeTakeFirstOrThrow()).id;
      const catalogue = await system.api<{ items: { id: string; requiresInterpretation: boolean }[] }>(ops, 'GET', '/api/catalogue');
      const policy = catalogue.items.find((c) => c.requiresInterpretation)!.id;
      const seed = (id: string, unit: string | null, month: string, forms: string[], channelIds: string[]) =>
        seedPackage(db, {
          id,
          catalogueItem: policy,
          unit,
          createdBy: author,
          revisions: [forms],
          approvals: [{ revision: 1, at: `${month}-02 09:00` }],
          deliveries: channelIds.map((channel) => ({ channel, revision: 1, liveAt: `${month}-02 10:00` })),
        });
      await seed('a1', unitId, `${year}-01`, ['text', 'video'], [column.id, account]);
      await seed('a2', null, `${year}-01`, ['graphic'], [column.id]);
      await seed('a3', null, `${year}-03`, [], [account]);
      await seed('a0', null, `${year - 1}-06`, ['text'], [column.id, account]);
    } finally {
      await db.destroy();
    }
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await system?.stop();
    await database?.close();
    if (configDir) fs.rmSync(configDir, { recursive: true, force: true });
  });

  async function openAs(user: ConsoleUser): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
    const context = await browser.newContext({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai', reducedMotion: 'reduce', acceptDownloads: true });
    const page = await context.newPage();
    await signIn(page, system, user);
    // Watched from here: the sign-in page's own 401 (no session yet) is not this page's error.
    const { errors } = watchPage(page);
    await page.goto(`${system.consoleUrl}annual`);
    await page.getByTestId('stats-totals').waitFor({ timeout: 30_000 });
    return { context, page, errors };
  }

  const total = (page: Page, id: string) => page.getByTestId(`stats-total-${id}`).locator('strong').innerText();

  it("shows operations the district's year: totals, charts with their tables, accounts; another year on picking it", async () => {
    const { context, page, errors } = await openAs(ops);
    try {
      expect(await page.locator('h1').innerText()).toBe('年度统计');
      expect(await page.getByTestId('stats-scope').innerText()).toContain('全区');
      expect(await total(page, 'items')).toBe('4');
      expect(await total(page, 'packages')).toBe('3');
      expect(await total(page, 'interpretations')).toBe('3');
      expect(await page.getByTestId('chart-months').getAttribute('aria-label')).toContain(`${year} 年共发布 4 条`);
      // Drawn at once (reduced motion: no growing bars), before any chart is switched to its table.
      await page.getByTestId('chart-forms').locator('canvas').waitFor();
      await screenshot(page, 'ops-annual');
      // The chart as a table: January's two portal items and one account post (none on removed channels).
      await page.getByTestId('table-toggle-months').click();
      const january = page.getByTestId('table-months').locator('tbody tr').first();
      await expect.poll(() => january.innerText()).toMatch(/^1月\s+2\s+1\s+0\s+0\s+3\s+0$/);
      await page.getByTestId('table-toggle-forms').click();
      await expect.poll(() => page.getByTestId('table-forms').innerText()).toContain('视频解读');
      // Its two posts (a1 and a3) and its name as the registry has it.
      const accountRow = page.getByTestId('stats-accounts').locator('tbody tr', { has: page.getByTestId(`stats-account-${account}`) });
      await expect.poll(() => accountRow.innerText()).toMatch(new RegExp(`^${accountName}\\s+\\S+\\s+\\S+\\s+2\\s`));
      // Its longest silence (from its March post on) is marked at the configured limit, 21 days here, as the API reports it.
      expect((await system.api<{ limits: { accountFailDays: number } }>(ops, 'GET', `/api/stats?year=${year}`)).limits).toEqual({ accountFailDays: 21 });
      const gap = page.getByTestId(`stats-gap-${account}`);
      expect(await gap.innerText()).toMatch(/^\d+（达到 21 天不合格线）$/);
      expect(Number((await gap.innerText()).match(/^\d+/)![0])).toBeGreaterThanOrEqual(21);
      expect(await page.getByTestId('stats-accounts').innerText()).not.toContain('2 周');
      await expectAccessible(page, 'annual figures (ops)');

      // Last year: the one package of June.
      await page.getByTestId('stats-year').click();
      await page.getByRole('option', { name: `${year - 1} 年` }).click();
      await expect.poll(() => total(page, 'items')).toBe('2');
      expect(await total(page, 'interpretations')).toBe('1');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('downloads the same figures as CSV with the session, UTF-8 with a byte-order mark', async () => {
    const { context, page } = await openAs(ops);
    try {
      const href = await page.getByTestId('stats-csv').getAttribute('href');
      expect(href).toBe(`/api/stats?year=${year}&format=csv`);
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('stats-csv').click()]);
      expect(download.suggestedFilename()).toBe(`govpub-annual-${year}.csv`);
      const bytes = fs.readFileSync(await download.path());
      expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      const text = bytes.toString('utf8');
      expect(text).toContain('发布条数（不含已撤稿）,4');
      expect(text).toContain(`[政务新媒体账号更新情况]`);
    } finally {
      await context.close();
    }
  });

  it("shows an editor their own unit's figures", async () => {
    const { context, page, errors } = await openAs(editor);
    try {
      expect(await page.getByTestId('stats-scope').innerText()).toContain('本单位');
      // a1 only: its portal item and its account post.
      expect(await total(page, 'items')).toBe('2');
      expect(await total(page, 'interpretations')).toBe('2');
      await expectAccessible(page, 'annual figures (editor)');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
