/**
 * 合规监测 and the editors' reminders in the real console, served by the real system as `govpub
 * start` runs it, against its own compliance API and database: nothing stands in front of it.
 *
 * The state the page shows is made the way the daily schedule makes it: a month of publishing is
 * seeded straight into PostgreSQL (test/support/compliance-year.ts), with planted gaps, and the
 * monitor itself runs twice over those facts (four days ago and now, reading govpub's deliveries),
 * so the findings, their change events and the last finished run are the monitor's own rows. Then
 * an account posts again, and operations press 立即检查: the real workflow runs on the system's
 * worker, which reads the portal's own web root (empty here: nothing was published through the
 * portal), so that run closes the account's veto, closes the stale columns and finds every judged
 * column empty instead.
 *
 * Proves: the veto thresholds at a glance with words, not colour alone; the summary, counts by
 * severity, the notCovered note and the last run; the findings and their filters (each a request
 * of its own, watched); an editor's reminders of their unit; 立即检查 for operations only (202 with
 * the CSRF header, followed until done, then reloaded with what the real run found); the history
 * paged by its cursor; axe finds nothing serious; motion reduced. The tests run in order: the
 * last two see the state after the real run.
 */
import type { Client } from '@temporalio/client';
import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadRegistry } from '../../config/registry.js';
import { isJudgedColumn } from '../../domain/compliance/columns.js';
import { chinaDate, daysBetween } from '../../domain/working-days.js';
import type { ComplianceRunSummary } from '../../domain/compliance/model.js';
import type { Registry } from '../../domain/registry.js';
import { upsertFindings } from '../../db/compliance.js';
import { ComplianceMonitor } from '../../services/compliance/monitor.js';
import type { AppContext } from '../../services/context.js';
import { launchChromium, skipBrowser } from '../support/browser.js';
import { seedComplianceYear, type YearCadence } from '../support/compliance-year.js';
import { freshDatabase } from '../support/services.js';
import { seedPackage } from '../stats/seed-year.js';
import { expectAccessible } from './axe.js';
import { screenshot, signIn, startConsoleSystem, watchPage, type ConsoleSystem, type ConsoleUser } from './harness.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;
/** A month is enough: every account and judged column has an item within its limit unless planted otherwise. */
const MONTH: YearCadence = { newsDays: 10, noticeDays: 90, accountDays: 7, policyPackages: 0, days: 30 };

/** 区文化和旅游体育局's accounts: one silent 15 days at the second run (a veto), one 11 days (a reminder). */
const VETO_ACCOUNT = 'wechat_oa:blwhly';
const REMINDER_ACCOUNT = 'douyin:blwhly-dy';
/** News columns of other units, 20 days without an item: six stale columns, one over the veto line of five. */
const STALE_COLUMNS = ['xwdt-blyw', 'xwdt-bmdt', 'xwdt-jddt', 'xwdt-tpxw', 'xwdt-spxw', 'xwdt-mtkbl'];
/** Stale at the first run too, updated before the second: a closed finding. */
const UPDATED_COLUMN = 'xwdt-sjyw-gwy';

/** As the console prints an instant: China wall time to the minute. */
function chinaMinute(at: Date | string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', {
      timeZone: 'Asia/Shanghai',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(new Date(at))
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
}

describe.skipIf(skipBrowser)('合规监测 in the console', () => {
  let system: ConsoleSystem;
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  let browser: Browser;
  let registry: Registry;
  const users: Record<string, ConsoleUser> = {};
  let unitA = '';
  let unitAName = '';
  let firstRun: ComplianceRunSummary;
  let seededRun: ComplianceRunSummary;
  /** Days (China dates) from the home page's newest item to the seeded run: 0, or 1 when that item, two hours old, fell before midnight in Beijing. */
  let homeDays = 0;

  beforeAll(async () => {
    database = await freshDatabase();
    system = await startConsoleSystem({
      databaseUrl: database.url,
      temporalAddress: inject('temporalAddress'),
      // The system's own probes of its portal (empty here) would move the failure share asserted below;
      // once a day keeps them out of a two-minute test (the seeded week of probes is what is judged).
      env: { GOVPUB_PROBE_EVERY_MINUTES: '1440' },
    });
    browser = await launchChromium();
    registry = await loadRegistry();
    users.ops = await system.addUser('monitor-ops', 'ops');
    const { units } = await system.api<{ units: { id: string; name: string }[] }>(users.ops, 'GET', '/api/units');
    unitAName = '区文化和旅游体育局';
    unitA = units.find((u) => u.name === unitAName)!.id;
    users.reviewer = await system.addUser('monitor-reviewer', 'reviewer', { stages: ['初审'] });
    users.editor = await system.addUser('monitor-editor', 'editor', { unit: unitA });

    const now = new Date();
    // seedComplianceYear's newest item on every channel not stopped is two hours before now.
    homeDays = daysBetween(chinaDate(new Date(now.getTime() - 2 * HOUR)), chinaDate(now));
    const db = database.db;
    const seeded = await seedComplianceYear(db, registry, {
      now,
      cadence: MONTH,
      stopped: [
        { channelId: VETO_ACCOUNT, lastAt: new Date(now.getTime() - 15 * DAY) },
        { channelId: REMINDER_ACCOUNT, lastAt: new Date(now.getTime() - 11 * DAY) },
        ...[...STALE_COLUMNS, UPDATED_COLUMN].map((c) => ({ channelId: `portal:${c}`, lastAt: new Date(now.getTime() - 20 * DAY) })),
      ],
    });
    const ctx: AppContext = { db, registry, temporal: undefined as unknown as Client, taskQueue: 'unused: runs in this process' };
    // The daily run of four days ago: the account 11 days silent (a reminder), seven stale columns.
    firstRun = await new ComplianceMonitor(ctx, { now: () => new Date(now.getTime() - 4 * DAY) }).run('schedule', 'schedule');
    expect(firstRun.open).toEqual({ reminder: 1, warning: 7, veto: 1 });
    // The column is updated; today's run: the account escalates to a veto, the other one reaches its
    // reminder day, the column's finding closes, six stale columns remain.
    await seedPackage(db, {
      id: 'cm-column-update',
      catalogueItem: 'qzfb-wj',
      unit: null,
      createdBy: seeded.userId,
      revisions: [[]],
      deliveries: [{ channel: `portal:${UPDATED_COLUMN}`, revision: 1, liveAt: chinaMinute(new Date(now.getTime() - DAY)) }],
    });
    seededRun = await new ComplianceMonitor(ctx, { now: () => now }).run('schedule', 'schedule');
    expect(seededRun.open).toEqual({ reminder: 1, warning: 6, veto: 2 });
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await system?.stop();
    await database?.close();
  });

  async function open(user: ConsoleUser, path: string): Promise<{ context: BrowserContext; page: Page; errors: string[]; requests: Request[] }> {
    const context = await browser.newContext({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai', reducedMotion: 'reduce' });
    const page = await context.newPage();
    await signIn(page, system, user);
    // Watched from here: the sign-in page's own 401 (no session yet) is not this page's error.
    const { errors } = watchPage(page);
    const requests: Request[] = [];
    page.on('request', (r) => {
      if (new URL(r.url()).pathname.startsWith('/api/compliance')) requests.push(r);
    });
    await page.goto(`${system.consoleUrl}${path}`);
    return { context, page, errors, requests };
  }
  const rows = (page: Page) => page.getByTestId('compliance-findings').locator('tbody tr');
  /** The query strings of the findings requests the page made, in order. */
  const findingQueries = (requests: Request[]) =>
    requests.filter((r) => r.method() === 'GET' && new URL(r.url()).pathname === '/api/compliance').map((r) => new URL(r.url()).searchParams);
  async function pick(page: Page, testId: string, option: string): Promise<void> {
    await page.getByTestId(testId).click();
    await page.getByRole('option', { name: option, exact: true }).click();
  }
  async function clear(page: Page, testId: string): Promise<void> {
    await page.getByTestId(testId).hover();
    await page.getByTestId(testId).locator('.el-select__clear').click();
  }

  it('shows operations the thresholds at a glance, with words as well as colour, and the open findings', async () => {
    const { context, page, errors } = await open(users.ops!, 'compliance');
    try {
      await page.getByTestId('compliance-thresholds').waitFor({ timeout: 30_000 });
      expect(await page.locator('h1').innerText()).toBe('合规监测');
      const stale = page.getByTestId('threshold-stale_columns');
      expect(await stale.getAttribute('data-failed')).toBe('true');
      expect(await stale.innerText()).toMatch(/未按时更新栏目数\s+6 \/ 5\s+✕ 不合格（已达否决线）/);
      const silent = page.getByTestId('threshold-silent_accounts');
      expect(await silent.getAttribute('data-failed')).toBe('true');
      expect(await silent.innerText()).toMatch(/两周未更新的政务新媒体账号数\s+1 \/ 1\s+✕ 不合格/);
      for (const id of ['long_stale_columns', 'empty_columns', 'home_stale_days', 'unreachable_share']) {
        expect(await page.getByTestId(`threshold-${id}`).getAttribute('data-failed')).toBe('false');
        expect(await page.getByTestId(`threshold-${id}`).innerText()).toContain('✓ 合格');
      }
      expect(await page.getByTestId('threshold-empty_columns').innerText()).toContain('0 / 5');
      expect(await page.getByTestId('threshold-home_stale_days').innerText()).toContain(`${homeDays} 天 / 14 天`);
      expect(await page.getByTestId('threshold-unreachable_share').innerText()).toMatch(/\b0% \/ 5%/);
      expect(await page.getByTestId('compliance-threshold-summary').innerText()).toBe('2 项单项否决指标已触及，需立即整改。');
      expect(await page.getByTestId('compliance-counts').innerText()).toMatch(/提醒\s*1 项\s*警告\s*6 项\s*单项否决\s*2 项/);
      // What govpub cannot see is said so: replies to public messages (no message system here).
      expect(await page.getByTestId('compliance-not-covered').innerText()).toContain('超过 3 个月未回复有效留言');
      expect(await page.getByTestId('compliance-last-run').innerText()).toBe(
        `最近一次检查：${chinaMinute(seededRun.finishedAt)}（定时检查，用时 ${(seededRun.durationMs / 1000).toFixed(1)} 秒）`,
      );
      await expect.poll(() => rows(page).count()).toBe(9);
      const reminder = rows(page).filter({ has: page.getByTestId(`finding-account_silent:${REMINDER_ACCOUNT}`) });
      expect(await reminder.innerText()).toMatch(
        /^提醒\s+碑林文化旅游\s+政务新媒体账号 · 账号未按时更新\s+区文化和旅游体育局\s+「碑林文化旅游」已 11 天未更新/,
      );
      expect(await reminder.innerText()).toContain(chinaMinute(seededRun.startedAt));
      const veto = rows(page).filter({ has: page.getByTestId(`finding-account_silent:${VETO_ACCOUNT}`) });
      expect(await veto.innerText()).toMatch(/^单项否决\s+碑林文化旅游[\s\S]+「碑林文化旅游」已连续 15 天未更新/);
      const site = rows(page).filter({ has: page.getByTestId('finding-site_stale_columns:portal') });
      expect(await site.innerText()).toContain('共 6 个，达到单项否决线（5 个）');
      await screenshot(page, 'ops-compliance');
      // Motion reduced as asked: the console's transitions end at once (Element Plus's button fades in 0.1 s otherwise).
      const fade = (await page.evaluate(`parseFloat(getComputedStyle(document.querySelector('[data-testid="compliance-run"]')).transitionDuration)`)) as number;
      expect(fade).toBeLessThan(0.001);
      await expectAccessible(page, 'compliance (ops)');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('filters by severity, kind, unit and status, each a request of its own', async () => {
    const { context, page, requests } = await open(users.ops!, 'compliance');
    try {
      await expect.poll(() => rows(page).count(), { timeout: 30_000 }).toBe(9);
      await pick(page, 'filter-severity', '单项否决');
      await expect.poll(() => rows(page).count()).toBe(2);
      expect(findingQueries(requests).at(-1)?.get('severity')).toBe('veto');
      await pick(page, 'filter-kind', '账号未按时更新');
      await expect.poll(() => rows(page).count()).toBe(1);
      expect(Object.fromEntries(findingQueries(requests).at(-1)!)).toMatchObject({ severity: 'veto', kind: 'account_silent', status: 'open' });
      expect(await page.getByTestId(`finding-account_silent:${VETO_ACCOUNT}`).count()).toBe(1);
      // Clear both, then one unit's.
      await clear(page, 'filter-severity');
      await clear(page, 'filter-kind');
      await expect.poll(() => rows(page).count()).toBe(9);
      expect(await page.getByTestId('compliance-counts').innerText()).toMatch(/^未解决问题（全区）：\s*提醒\s*1 项\s*警告\s*6 项\s*单项否决\s*2 项/);
      await pick(page, 'filter-unit', unitAName);
      await expect.poll(() => rows(page).count()).toBe(2);
      expect(findingQueries(requests).at(-1)?.get('unit')).toBe(unitA);
      // The counts beside the list are the unit's (a reminder and a veto, as listed), and say so.
      await expect
        .poll(() => page.getByTestId('compliance-counts').innerText())
        .toMatch(/^未解决问题（区文化和旅游体育局）：\s*提醒\s*1 项\s*警告\s*0 项\s*单项否决\s*1 项/);
      await pick(page, 'filter-status', '全部');
      await clear(page, 'filter-unit');
      await expect.poll(() => rows(page).count()).toBe(10);
      expect(findingQueries(requests).at(-1)?.get('status')).toBe('all');
      const updated = rows(page).filter({ has: page.getByTestId(`finding-column_stale:portal:${UPDATED_COLUMN}`) });
      expect(await updated.innerText()).toContain('已解决');
      // Every change of a filter asked the API again: the first load and seven changes (two clears fire one each).
      expect(findingQueries(requests).length).toBe(8);
      await expectAccessible(page, 'compliance (filtered)');
    } finally {
      await context.close();
    }
  });

  it('shows the answer of the filter chosen last, even when the one chosen before answers after it', async () => {
    const { context, page, requests } = await open(users.ops!, 'compliance');
    try {
      await expect.poll(() => rows(page).count(), { timeout: 30_000 }).toBe(9);
      // The unit's answer is held back until the district's, asked after it, has been shown.
      let releaseUnit!: () => void;
      const unitHeld = new Promise<void>((resolve) => (releaseUnit = resolve));
      await page.route(
        (url) => url.pathname === '/api/compliance' && url.searchParams.get('unit') === unitA,
        async (route) => {
          await unitHeld;
          await route.continue();
        },
      );
      await pick(page, 'filter-unit', unitAName);
      await expect.poll(() => findingQueries(requests).at(-1)?.get('unit')).toBe(unitA);
      await clear(page, 'filter-unit');
      await expect.poll(() => findingQueries(requests).length).toBe(3);
      expect(findingQueries(requests).at(-1)?.get('unit')).toBeNull();
      await expect.poll(() => page.getByTestId('compliance-counts-scope').innerText()).toBe('未解决问题（全区）：');
      const unitAnswered = page.waitForEvent('requestfinished', (r) => new URL(r.url()).searchParams.get('unit') === unitA);
      releaseUnit();
      await unitAnswered;
      // The late answer's body is in the page; two frames later it has been handled (dropped), and the district's stays.
      await page.evaluate('new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)))');
      expect(await page.getByTestId('compliance-counts').innerText()).toMatch(/^未解决问题（全区）：\s*提醒\s*1 项\s*警告\s*6 项\s*单项否决\s*2 项/);
      expect(await rows(page).count()).toBe(9);
    } finally {
      await context.close();
    }
  });

  it("reminds an editor of their unit's open findings on 待办通知, the veto first", async () => {
    const { context, page, errors, requests } = await open(users.editor!, 'notices');
    try {
      const reminders = page.getByTestId('compliance-reminders');
      await reminders.waitFor({ timeout: 30_000 });
      const items = reminders.locator('li');
      await expect.poll(() => items.count()).toBe(2);
      expect(await items.nth(0).getAttribute('data-testid')).toBe(`reminder-account_silent:${VETO_ACCOUNT}`);
      expect(await items.nth(0).innerText()).toMatch(/^单项否决\s+「碑林文化旅游」已连续 15 天未更新/);
      expect(await items.nth(1).innerText()).toMatch(/^提醒\s+「碑林文化旅游」已 11 天未更新.*请在 3 天内发布内容。/);
      expect(findingQueries(requests).map((q) => q.toString())).toEqual(['scope=mine&status=open']);
      await expectAccessible(page, 'notices with compliance reminders (editor)');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('gives reviewers the page without 立即检查', async () => {
    const { context, page, errors } = await open(users.reviewer!, 'compliance');
    try {
      await page.getByTestId('compliance-thresholds').waitFor({ timeout: 30_000 });
      await expect.poll(() => rows(page).count()).toBe(9);
      expect(await page.getByTestId('compliance-run').count()).toBe(0);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('lets operations check now: the real run on the worker (202, followed until done), then what it found', async () => {
    // The account posted again a moment ago.
    await seedPackage(database.db, {
      id: 'cm-account-post',
      catalogueItem: 'qzfb-wj',
      unit: null,
      createdBy: 'compliance-year-editor',
      revisions: [[]],
      deliveries: [{ channel: VETO_ACCOUNT, revision: 1, liveAt: chinaMinute(new Date()) }],
    });
    const { context, page, errors, requests } = await open(users.ops!, 'compliance');
    try {
      await expect.poll(() => rows(page).count(), { timeout: 30_000 }).toBe(9);
      const [started] = await Promise.all([
        page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/api/compliance/runs'),
        page.getByTestId('compliance-run').click(),
      ]);
      expect(started.status()).toBe(202);
      expect(started.request().headers()['x-csrf-token']).toBeTruthy();
      const location = ((await started.json()) as { location: string }).location;
      await expect.poll(() => page.getByTestId('compliance-run-message').innerText(), { timeout: 150_000, interval: 1000 }).toBe('检查已完成，结果已更新。');
      // Followed at its location until done, then the findings asked for again.
      const polls = requests.filter((r) => new URL(r.url()).pathname === location);
      expect(polls.length).toBeGreaterThanOrEqual(1);
      const reloads = requests.slice(requests.indexOf(polls.at(-1)!) + 1);
      expect(reloads.some((r) => new URL(r.url()).pathname === '/api/compliance')).toBe(true);

      await expect.poll(() => page.getByTestId('compliance-last-run').innerText()).toContain('手动检查');
      // The account's veto closed; the portal's web root shows no column, so the stale columns are now
      // empty ones: every judged column, over the veto line; the home page shows nothing either.
      const judged = registry.portal.columns.filter((c) =>
        isJudgedColumn({ leaf: !registry.portal.columns.some((p) => p.parentId === c.id), updateClass: c.updateClass }),
      );
      expect(judged.length).toBeGreaterThan(5);
      expect(await page.getByTestId('threshold-stale_columns').getAttribute('data-failed')).toBe('false');
      expect(await page.getByTestId('threshold-stale_columns').innerText()).toMatch(/0 \/ 5\s+✓ 合格/);
      expect(await page.getByTestId('threshold-silent_accounts').innerText()).toMatch(/0 \/ 1\s+✓ 合格/);
      expect(await page.getByTestId('threshold-empty_columns').getAttribute('data-failed')).toBe('true');
      expect(await page.getByTestId('threshold-empty_columns').innerText()).toContain(`${judged.length} / 5`);
      expect(await page.getByTestId('threshold-home_stale_days').getAttribute('data-failed')).toBe('true');
      expect(await page.getByTestId('threshold-home_stale_days').innerText()).toMatch(/首页未更新天数\s+首页无内容\s+✕ 不合格/);
      expect(await page.getByTestId('compliance-threshold-summary').innerText()).toBe('2 项单项否决指标已触及，需立即整改。');
      expect(await page.getByTestId('compliance-counts').innerText()).toMatch(new RegExp(`提醒\\s*1 项\\s*警告\\s*${judged.length} 项\\s*单项否决\\s*2 项`));
      expect(await page.getByTestId(`finding-account_silent:${VETO_ACCOUNT}`).count()).toBe(0);
      // A page of the newest 100, and more on request.
      await expect.poll(() => rows(page).count()).toBe(100);
      expect(await page.getByTestId('compliance-more').count()).toBe(1);
      await pick(page, 'filter-kind', '账号未按时更新');
      await pick(page, 'filter-status', '全部');
      await expect.poll(() => rows(page).count()).toBe(2);
      expect(
        await rows(page)
          .filter({ has: page.getByTestId(`finding-account_silent:${VETO_ACCOUNT}`) })
          .innerText(),
      ).toContain('已解决');
      expect(
        await rows(page)
          .filter({ has: page.getByTestId(`finding-account_silent:${REMINDER_ACCOUNT}`) })
          .innerText(),
      ).toContain('未解决');
      await screenshot(page, 'ops-compliance-after-run');
      await expectAccessible(page, 'compliance (ops, after a real run)');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('shows the history a page at a time, by its cursor', async () => {
    const stored = Number(
      (
        await database.db
          .selectFrom('compliance_finding_events')
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
    // The seeded runs' changes and the real run's (one per judged column at least): three pages.
    expect(stored).toBeGreaterThan(200);
    const { context, page, requests } = await open(users.ops!, 'compliance');
    try {
      await page.getByRole('tab', { name: '变更记录' }).click();
      const history = page.getByTestId('compliance-history').locator('tbody tr');
      await expect.poll(() => history.count(), { timeout: 30_000 }).toBe(100);
      // Newest first: the real run's changes.
      const realRun = await database.db.selectFrom('compliance_runs').select('started_at').orderBy('seq', 'desc').limit(1).executeTakeFirstOrThrow();
      expect(await history.first().innerText()).toMatch(new RegExp(`^${chinaMinute(realRun.started_at)}\\s`));
      await page.getByTestId('history-more').click();
      await expect.poll(() => history.count()).toBe(200);
      await page.getByTestId('history-more').click();
      await expect.poll(() => history.count()).toBe(stored);
      expect(await page.getByTestId('history-more').count()).toBe(0);
      const cursors = requests.filter((r) => new URL(r.url()).pathname === '/api/compliance/history').map((r) => new URL(r.url()).searchParams.get('cursor'));
      expect(cursors).toHaveLength(3);
      expect(cursors[0]).toBeNull();
      // Each next page starts after the last row shown: its event id is the cursor.
      expect(await history.nth(99).getByTestId(`history-${cursors[1]}`).count()).toBe(1);
      expect(await history.nth(199).getByTestId(`history-${cursors[2]}`).count()).toBe(1);
      // The oldest: a finding of the first run, four days ago.
      const oldest = await database.db.selectFrom('compliance_finding_events').select('id').orderBy('id').limit(1).executeTakeFirstOrThrow();
      expect(await history.last().getByTestId(`history-${oldest.id}`).count()).toBe(1);
      expect(await history.last().innerText()).toMatch(new RegExp(`^${chinaMinute(firstRun.startedAt)}\\s+发现`));
      const escalated = history.filter({ hasText: '升级' });
      expect(await escalated.count()).toBe(1);
      expect(await escalated.innerText()).toMatch(/升级\s+提醒 →\s*单项否决\s+碑林文化旅游/);
      await expectAccessible(page, 'compliance history');
    } finally {
      await context.close();
    }
  });

  it('reminds an editor of every open finding of a unit with more than a page of them, the veto unchanged for days first', async () => {
    // 区政府办公室 maintains 70-odd judged columns: a quiet quarter leaves them stale and long stale, more
    // open findings than the API's page of 100. Its account's veto, unchanged for three days, sorts after them all.
    const zfb = registry.units.find((u) => u.name === '区政府办公室')!.id;
    const now = new Date();
    const finding = (key: string, severity: 'veto' | 'warning', updatedAt: Date) => ({
      key,
      kind: key.split(':')[0]!,
      severity,
      subject_type: key.startsWith('account') ? 'account' : 'column',
      subject_id: key.split(':').slice(1).join(':'),
      subject_name: key,
      owner_unit: zfb,
      message: severity === 'veto' ? '「碑林政务」已连续 17 天未更新（测试）' : `栏目 ${key} 已 200 天未更新（测试）`,
      message_en: key,
      facts: {},
      status: 'open' as const,
      opened_at: updatedAt,
      updated_at: updatedAt,
      closed_at: null,
      last_run_id: 'reminders-page-test',
    });
    await upsertFindings(database.db, [
      ...Array.from({ length: 130 }, (_, i) => finding(`column_long_stale:portal:reminders-test-${String(i).padStart(3, '0')}`, 'warning', now)),
      finding('account_silent:wechat_oa:reminders-test', 'veto', new Date(now.getTime() - 3 * DAY)),
    ]);
    const openCount = Number(
      (
        await database.db
          .selectFrom('compliance_findings')
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .where('owner_unit', '=', zfb)
          .where('status', '=', 'open')
          .executeTakeFirstOrThrow()
      ).n,
    );
    expect(openCount).toBeGreaterThan(130);
    const editor = await system.addUser('monitor-zfb-editor', 'editor', { unit: zfb });
    const { context, page, errors } = await open(editor, 'notices');
    try {
      const items = page.getByTestId('compliance-reminders').locator('li');
      await expect.poll(() => items.count(), { timeout: 30_000 }).toBe(openCount);
      expect(await page.getByTestId('reminder-account_silent:wechat_oa:reminders-test').count()).toBe(1);
      expect(await items.nth(0).innerText()).toMatch(/^单项否决/);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
