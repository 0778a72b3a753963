/**
 * 合规监测 and the editors' reminders in the real console, served by the real system as `govpub
 * start` runs it. The monitor's routes come from another branch: until they are merged here the
 * page reads them from a small real HTTP server in front of govpub (compliance-front.ts) that
 * answers with the contract's shapes (domain/compliance/model.ts) and passes everything else to
 * govpub. Proves: the veto thresholds at a glance with words, not colour alone; the findings and
 * their filters (each a new request with that filter); the history with its cursor; 立即检查 for
 * operations only (202, followed until done, then reloaded); the notCovered note; an editor's
 * reminders of their unit; axe finds nothing serious; motion reduced.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Finding, FindingEvent, ThresholdStatus } from '../../domain/compliance/model.js';
import { launchChromium, skipBrowser } from '../support/browser.js';
import { freshDatabase } from '../support/services.js';
import { expectAccessible } from './axe.js';
import { startComplianceFront, type ComplianceFixture, type ComplianceFront } from './compliance-front.js';
import { signIn, startConsoleSystem, watchPage, type ConsoleSystem, type ConsoleUser } from './harness.js';

const at = (day: string) => `${day}T02:00:00.000Z`;

function finding(key: string, severity: Finding['severity'], ownerUnit: string, name: string, message: string, extra: Partial<Finding> = {}): Finding {
  const [kind, ...rest] = key.split(':');
  const type = kind === 'account_silent' ? 'account' : kind!.startsWith('site') ? 'site' : kind!.startsWith('column') ? 'column' : 'package';
  return {
    key,
    kind: kind as Finding['kind'],
    severity,
    subject: { type, id: rest.join(':'), name },
    ownerUnit,
    message,
    messageEn: message,
    facts: {},
    status: 'open',
    openedAt: at('2026-11-20'),
    updatedAt: at('2026-11-29'),
    closedAt: null,
    ...extra,
  };
}

describe.skipIf(skipBrowser)('合规监测 in the console', () => {
  let system: ConsoleSystem;
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  let browser: Browser;
  let front: ComplianceFront;
  let fixture: ComplianceFixture;
  const users: Record<string, ConsoleUser> = {};
  let unitA = '';
  let unitAName = '';
  let unitB = '';

  beforeAll(async () => {
    database = await freshDatabase();
    system = await startConsoleSystem({ databaseUrl: database.url, temporalAddress: inject('temporalAddress') });
    browser = await launchChromium();
    users.ops = await system.addUser('monitor-ops', 'ops');
    const { units } = await system.api<{ units: { id: string; name: string }[] }>(users.ops, 'GET', '/api/units');
    unitA = units.find((u) => u.name === '区文化和旅游体育局')?.id ?? units[0]!.id;
    unitAName = units.find((u) => u.id === unitA)!.name;
    unitB = units.find((u) => u.id !== unitA)!.id;
    users.reviewer = await system.addUser('monitor-reviewer', 'reviewer', { stages: ['初审'] });
    users.editor = await system.addUser('monitor-editor', 'editor', { unit: unitA });

    const thresholds: ThresholdStatus[] = [
      { id: 'stale_columns', label: '未按时更新栏目数', value: 6, limit: 5, failed: true },
      { id: 'long_stale_columns', label: '长期未更新栏目数', value: 3, limit: 10, failed: false },
      { id: 'empty_columns', label: '空白栏目数', value: 0, limit: 5, failed: false },
      { id: 'home_stale_days', label: '首页未更新天数', value: 2, limit: 14, failed: false },
      { id: 'unreachable_share', label: '网站访问失败比例', value: 0.01, limit: 0.05, failed: false },
      { id: 'silent_accounts', label: '超过两周未更新账号数', value: 1, limit: 1, failed: true },
    ];
    const findings = [
      finding('account_silent:wechat_oa:blwhly', 'reminder', unitA, '碑林文化旅游', '碑林文化旅游 已 11 天未更新（第 14 天将判定为不合格）'),
      finding('account_silent:weibo:blwhly', 'veto', unitA, '碑林文化旅游（微博）', '碑林文化旅游（微博） 已 15 天未更新，已判定为不合格：请立即发布'),
      finding('column_stale:portal:xwdt-blyw', 'warning', unitB, '新闻动态 > 碑林要闻', '栏目「碑林要闻」已 16 天未更新（新闻动态类栏目 2 周内须更新）'),
      finding('site_stale_columns:portal', 'veto', unitB, '区政府门户网站', '未按时更新栏目 6 个，达到单项否决线（5 个）'),
      finding('interpretation_late:pkg-20261101-0001', 'warning', unitB, '关于印发某办法的通知', '政策解读晚于文件 4 个工作日发布', {
        status: 'closed',
        closedAt: at('2026-11-25'),
      }),
    ];
    const event = (id: string, f: Finding, change: FindingEvent['change'], previous: FindingEvent['severity'] | null, day: string): FindingEvent => ({
      id,
      key: f.key,
      kind: f.kind,
      change,
      severity: f.severity,
      previousSeverity: previous,
      subject: f.subject,
      ownerUnit: f.ownerUnit,
      message: f.message,
      runId: `run-${day}`,
      at: at(day),
    });
    fixture = {
      findings,
      thresholds,
      lastRun: {
        runId: 'run-2026-11-30',
        trigger: 'schedule',
        startedAt: at('2026-11-30'),
        finishedAt: '2026-11-30T02:00:03.200Z',
        checks: ['accounts', 'columns', 'site', 'timing'],
        opened: 1,
        closed: 1,
        changed: 1,
        open: { reminder: 1, warning: 1, veto: 2 },
        thresholds,
        durationMs: 3200,
      },
      events: [
        event('e5', findings[1]!, 'escalated', 'warning', '2026-11-29'),
        event('e4', findings[4]!, 'closed', null, '2026-11-25'),
        event('e3', findings[3]!, 'opened', null, '2026-11-24'),
        event('e2', findings[2]!, 'opened', null, '2026-11-22'),
        event('e1', findings[0]!, 'opened', null, '2026-11-20'),
      ],
      notCovered: [
        {
          item: 'public_messages',
          message: '政务公开留言办理情况（3 个月未回复）不在本系统监测范围：本系统没有留言功能，请在留言系统中核查。',
          messageEn: 'Replies to public messages are outside govpub.',
        },
      ],
      // The check finds the Weibo account updated: its veto closes.
      onRunFinished: (f) => {
        f.findings = f.findings.map((x) => (x.key === 'account_silent:weibo:blwhly' ? { ...x, status: 'closed', closedAt: at('2026-11-30') } : x));
      },
    };
    front = await startComplianceFront(system.url, fixture);
  }, 240_000);

  afterAll(async () => {
    await front?.close();
    await browser?.close();
    await system?.stop();
    await database?.close();
  });

  async function open(user: ConsoleUser, path: string): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
    const context = await browser.newContext({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai', reducedMotion: 'reduce' });
    const page = await context.newPage();
    // Signed in through the front server: one origin for the console, govpub's API and the compliance routes.
    await signIn(page, { ...system, url: front.url, consoleUrl: `${front.url}/console/` }, user);
    // Watched from here: the sign-in page's own 401 (no session yet) is not this page's error.
    const { errors } = watchPage(page);
    await page.goto(`${front.url}/console/${path}`);
    return { context, page, errors };
  }
  const rows = (page: Page) => page.getByTestId('compliance-findings').locator('tbody tr');
  async function pick(page: Page, testId: string, option: string): Promise<void> {
    await page.getByTestId(testId).click();
    await page.getByRole('option', { name: option, exact: true }).click();
  }

  it('shows operations the thresholds at a glance, with words as well as colour, and the open findings', async () => {
    const { context, page, errors } = await open(users.ops!, 'compliance');
    try {
      await page.getByTestId('compliance-thresholds').waitFor({ timeout: 30_000 });
      expect(await page.locator('h1').innerText()).toBe('合规监测');
      const stale = page.getByTestId('threshold-stale_columns');
      expect(await stale.getAttribute('data-failed')).toBe('true');
      expect(await stale.innerText()).toMatch(/未按时更新栏目数\s+6 \/ 5\s+✕ 不合格（已达否决线）/);
      expect(await page.getByTestId('threshold-long_stale_columns').innerText()).toContain('✓ 合格');
      expect(await page.getByTestId('threshold-unreachable_share').innerText()).toContain('1% / 5%');
      expect(await page.getByTestId('threshold-home_stale_days').innerText()).toContain('2 天 / 14 天');
      expect(await page.getByTestId('compliance-threshold-summary').innerText()).toBe('2 项单项否决指标已触及，需立即整改。');
      expect(await page.getByTestId('compliance-counts').innerText()).toMatch(/提醒\s*1 项\s*警告\s*1 项\s*单项否决\s*2 项/);
      expect(await page.getByTestId('compliance-not-covered').innerText()).toContain('3 个月未回复');
      expect(await page.getByTestId('compliance-last-run').innerText()).toContain('2026-11-30 10:00（定时检查，用时 3.2 秒）');
      await expect.poll(() => rows(page).count()).toBe(4);
      const reminder = rows(page).filter({ has: page.getByTestId('finding-account_silent:wechat_oa:blwhly') });
      expect(await reminder.innerText()).toMatch(/提醒\s+碑林文化旅游\s+政务新媒体账号 · 账号未按时更新\s+区文化和旅游体育局|提醒\s+碑林文化旅游/);
      expect(await reminder.innerText()).toContain('碑林文化旅游 已 11 天未更新（第 14 天将判定为不合格）');
      expect(await reminder.innerText()).toContain('2026-11-20 10:00');
      expect(await reminder.innerText()).toContain(unitAName);
      await expectAccessible(page, 'compliance (ops)');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('filters by severity, kind, unit and status, each a request of its own', async () => {
    const { context, page } = await open(users.ops!, 'compliance');
    try {
      await expect.poll(() => rows(page).count(), { timeout: 30_000 }).toBe(4);
      await pick(page, 'filter-severity', '单项否决');
      await expect.poll(() => rows(page).count()).toBe(2);
      expect(front.requests.some((r) => r.url.includes('severity=veto') && r.role === 'ops')).toBe(true);
      await pick(page, 'filter-kind', '账号未按时更新');
      await expect.poll(() => rows(page).count()).toBe(1);
      expect(await rows(page).innerText()).toContain('碑林文化旅游（微博）');
      // Clear both, then one unit's.
      await page.getByTestId('filter-severity').hover();
      await page.getByTestId('filter-severity').locator('.el-select__clear').click();
      await page.getByTestId('filter-kind').hover();
      await page.getByTestId('filter-kind').locator('.el-select__clear').click();
      await expect.poll(() => rows(page).count()).toBe(4);
      await pick(page, 'filter-unit', unitAName);
      await expect.poll(() => rows(page).count()).toBe(2);
      expect(front.requests.some((r) => r.url.includes(`unit=${unitA}`))).toBe(true);
      await pick(page, 'filter-status', '全部');
      await page.getByTestId('filter-unit').hover();
      await page.getByTestId('filter-unit').locator('.el-select__clear').click();
      await expect.poll(() => rows(page).count()).toBe(5);
      expect(await rows(page).filter({ hasText: '关于印发某办法的通知' }).innerText()).toContain('已解决');
      await expectAccessible(page, 'compliance (filtered)');
    } finally {
      await context.close();
    }
  });

  it('shows the history a page at a time', async () => {
    const { context, page } = await open(users.ops!, 'compliance');
    try {
      await page.getByRole('tab', { name: '变更记录' }).click();
      const history = page.getByTestId('compliance-history').locator('tbody tr');
      await expect.poll(() => history.count(), { timeout: 30_000 }).toBe(3);
      expect(await history.first().innerText()).toMatch(/2026-11-29 10:00\s+升级\s+警告 →\s*单项否决\s+碑林文化旅游（微博）/);
      await page.getByTestId('history-more').click();
      await expect.poll(() => history.count()).toBe(5);
      expect(await page.getByTestId('history-more').count()).toBe(0);
      expect(await history.last().innerText()).toContain('发现');
      await expectAccessible(page, 'compliance history');
    } finally {
      await context.close();
    }
  });

  it('lets operations check now (202, followed until done) and shows the result; reviewers have no such button', async () => {
    const { context, page } = await open(users.ops!, 'compliance');
    try {
      await expect.poll(() => rows(page).count(), { timeout: 30_000 }).toBe(4);
      await page.getByTestId('compliance-run').click();
      await expect.poll(() => page.getByTestId('compliance-run-message').innerText(), { timeout: 20_000 }).toBe('检查已完成，结果已更新。');
      const post = front.requests.find((r) => r.method === 'POST');
      expect(post).toMatchObject({ url: '/api/compliance/runs', role: 'ops', csrf: true });
      // The Weibo account's veto closed in that run: three open findings now.
      await expect.poll(() => rows(page).count()).toBe(3);
    } finally {
      await context.close();
    }
    const reviewer = await open(users.reviewer!, 'compliance');
    try {
      await reviewer.page.getByTestId('compliance-thresholds').waitFor({ timeout: 30_000 });
      expect(await reviewer.page.getByTestId('compliance-run').count()).toBe(0);
    } finally {
      await reviewer.context.close();
    }
  });

  it("reminds an editor of their unit's open findings on 待办通知", async () => {
    const { context, page, errors } = await open(users.editor!, 'notices');
    try {
      const reminders = page.getByTestId('compliance-reminders');
      await reminders.waitFor({ timeout: 30_000 });
      const items = reminders.locator('li');
      await expect.poll(() => items.count()).toBe(1);
      expect(await items.first().innerText()).toMatch(/提醒\s+碑林文化旅游 已 11 天未更新（第 14 天将判定为不合格）/);
      expect(front.requests.some((r) => r.role === 'editor' && r.url === '/api/compliance?scope=mine&status=open')).toBe(true);
      await expectAccessible(page, 'notices with compliance reminders (editor)');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
