/**
 * The package list with 10,000 packages in the database (seeded straight into PostgreSQL by
 * cloning one real package): the console shows the first 50 and 加载更多 brings the next 50 in
 * order, with none twice; the API walks all 10,001 with its cursor (no cap at 1,000).
 * Not timed here: bench/console-budget.ts measures the time to an interactive list.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchChromium, skipBrowser } from '../support/browser.js';
import { freshDatabase } from '../support/services.js';
import { seedPackages, signIn, startConsoleSystem, type ConsoleSystem, type ConsoleUser } from './harness.js';
import { policyBody } from './journey-support.js';

const SEEDED = 10_000;

describe.skipIf(skipBrowser)('the package list with 10,000 packages', () => {
  let system: ConsoleSystem;
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  let browser: Browser;
  let editor: ConsoleUser;

  beforeAll(async () => {
    database = await freshDatabase();
    system = await startConsoleSystem({ databaseUrl: database.url, temporalAddress: inject('temporalAddress') });
    browser = await launchChromium();
    editor = await system.addUser('paging-editor', 'editor');
    const template = await system.api<{ id: string }>(editor, 'POST', '/api/packages', await policyBody(system, editor, '批量测试发布包'));
    await seedPackages(database.url, template.id, SEEDED);
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await system?.stop();
    await database?.close();
  });

  it('the API pages through all of them with its cursor, newest first, none twice', async () => {
    const ordered: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: { packages: { id: string }[]; nextCursor: string | null } = await system.api(
        editor,
        'GET',
        `/api/packages?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      ordered.push(...page.packages.map((p) => p.id));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor && pages < 100);
    expect(pages).toBe(Math.ceil((SEEDED + 1) / 200));
    expect(new Set(ordered).size).toBe(SEEDED + 1);
    // The real package is the newest; the seeded ones go back a minute each: pkg-seed-00001, 00002, …
    expect(ordered[0]).toMatch(/^pkg-\d{8}-/);
    const outOfOrder = ordered.slice(1).findIndex((id, i) => id !== `pkg-seed-${String(i + 1).padStart(5, '0')}`);
    expect(outOfOrder).toBe(-1);
  });

  it('the console shows 50 rows, then 100 after 加载更多, in order', async () => {
    const context = await browser.newContext({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai', reducedMotion: 'reduce' });
    try {
      const page = await context.newPage();
      await signIn(page, system, editor);
      await page.waitForURL('**/console/packages');
      const rows = page.locator('[data-testid^="package-row-"]');
      await expect.poll(() => rows.count(), { timeout: 30_000 }).toBe(50);
      const more = page.getByRole('button', { name: '加载更多' });
      await expect.poll(() => more.isEnabled()).toBe(true);
      const firstIds = await rows.evaluateAll((els) =>
        els.map((el) => (el as unknown as { getAttribute(n: string): string | null }).getAttribute('data-testid')),
      );
      expect(firstIds[1]).toBe('package-row-pkg-seed-00001');
      expect(firstIds[49]).toBe('package-row-pkg-seed-00049');
      await more.click();
      await expect.poll(() => rows.count(), { timeout: 30_000 }).toBe(100);
      const ids = await rows.evaluateAll((els) => els.map((el) => (el as unknown as { getAttribute(n: string): string | null }).getAttribute('data-testid')));
      expect(ids.slice(0, 50)).toEqual(firstIds);
      expect(ids[50]).toBe('package-row-pkg-seed-00050');
      expect(new Set(ids).size).toBe(100);
      expect(await page.getByText('批量测试发布包（批量第50号）').count()).toBe(1);
    } finally {
      await context.close();
    }
  });
});
