/**
 * The operations pages on a bad day, in the real system as `govpub start` runs it and Debian's
 * Chromium: a channel whose credentials the platform refuses, two operators acting on the same
 * channel or delivery at once, an event stream that does not get through. Each answer of the API is
 * shown as the Chinese sentence it gives, and the page then shows what is true now:
 * - 重试 on a held channel is accepted and waits: the drawer says so, never 已重新发送;
 * - 恢复渠道 of a channel another operator resumed (409 channel_not_paused) names who, and the
 *   drawer and the channel page show it running, not a 恢复 that is refused again;
 * - 暂停 of a channel another operator paused meanwhile (409 channel_already_paused) closes the
 *   dialog and shows that pause;
 * - 跳过 of a delivery another operator skipped meanwhile (409) reads the delivery again;
 * - 撤稿 of a package another operator retracted meanwhile (409) shows the package 撤稿中;
 * - 人工发布任务: a posted time still to come is refused beside its field; a hand-off a colleague
 *   confirmed first (409) is said and leaves the list, and in the drawer shows 已上线;
 * - a paused channel with many waiting deliveries: 渠道状态's 查看投递 opens the board filtered to
 *   that channel (the address keeps it), its packages paged, no other channel's cells among them;
 * - a delivery a colleague's pause holds: the board marks it 渠道已暂停, the drawer and 渠道状态 say
 *   who paused the channel and when (Beijing time), and while 重试 runs the drawer's other actions
 *   wait for its answer.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chinaTime } from '../../domain/compliance/check-context.js';
import { skipBrowser } from '../support/browser.js';
import { expectAccessible } from './axe.js';
import { inputOf, signedInPage, type ConsoleSystem, type ConsoleUser } from './harness.js';
import { openConsoleDesk, type ConsoleDesk } from './desk.js';
import { policyBody } from './journey-support.js';

const WEIBO = 'weibo:blfb-wb';
const TOUTIAO = 'toutiao:blfb-tt';
const OTHER_WEIBO = 'weibo:jkbl-wb';

interface DeliveryRow {
  id: string;
  channelId: string;
  state: string;
}

describe.skipIf(skipBrowser)('the operations pages when things go wrong and two operators act at once', () => {
  let desk: ConsoleDesk | undefined;
  let system: ConsoleSystem;
  let browser: Browser;
  let users: ConsoleDesk['users'];

  beforeAll(async () => {
    desk = await openConsoleDesk('bad-day', { colleague: 'ops' });
    ({ system, browser, users } = desk);
  }, 240_000);

  afterAll(async () => {
    await desk?.close();
  });

  const pageOf = (user: ConsoleUser) => signedInPage(browser, system, user, { width: 1366, height: 900 });

  /** A policy package to the portal and `extra`, approved at every stage: released at once. */
  async function releasedPackage(title: string, extra: string): Promise<string> {
    const body = await policyBody(system, users.editor!, title);
    const created = await system.api<{ id: string }>(users.editor!, 'POST', '/api/packages', { ...body, targets: [...(body.targets as string[]), extra] });
    await system.api(users.editor!, 'POST', `/api/packages/${created.id}/submit`, {});
    for (const reviewer of [users.first!, users.second!, users.final!]) {
      await system.api(reviewer, 'POST', `/api/packages/${created.id}/decisions`, { revision: 1, decision: 'approve', comment: '同意' });
    }
    return created.id;
  }

  const deliveryOf = async (packageId: string, channelId: string) =>
    (await system.api<{ items: DeliveryRow[] }>(users.ops!, 'GET', `/api/deliveries?package=${packageId}&channel=${encodeURIComponent(channelId)}`)).items[0];

  const message = (page: Page, type: 'success' | 'warning' | 'error') => page.locator(`.el-message--${type}`).last();

  async function openDrawer(page: Page, packageId: string, deliveryId: string): Promise<void> {
    await page.goto(`${system.consoleUrl}board?package=${packageId}`);
    await page.getByTestId(`cell-${deliveryId}`).click({ timeout: 30_000 });
    await page.getByTestId(`drawer-delivery-${deliveryId}`).waitFor({ timeout: 20_000 });
  }

  async function setWeiboFault(rule: Record<string, unknown> | null): Promise<void> {
    const weibo = system.govpub.simulatorUrls().weibo!;
    const answer = rule
      ? await fetch(`${weibo}/__sim/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(rule) })
      : await fetch(`${weibo}/__sim/faults`, { method: 'DELETE' });
    expect(answer.status).toBe(200);
  }

  it('重试 on a held channel says the delivery waits for the channel; 恢复渠道 of a channel a colleague resumed names them and shows it running', async () => {
    // The token is refused, not spent for good (invalidate: false): once the fault goes, it works again.
    await setWeiboFault({ match: '/2/statuses/share.json', kind: 'token_expired', invalidate: false });
    const packageId = await releasedPackage('关于碑林区冬季供暖保障工作的通知', WEIBO);
    await expect.poll(async () => (await deliveryOf(packageId, WEIBO))?.state, { timeout: 90_000 }).toBe('needs_reconnect');
    const delivery = (await deliveryOf(packageId, WEIBO))!;

    const { page, close } = await pageOf(users.ops!);
    try {
      // The live feed lost (a proxy in between drops it): the colleague's resume below does not reach this drawer.
      await page.route('**/api/events', (route) => route.abort());
      await openDrawer(page, packageId, delivery.id);
      await expect.poll(() => page.getByTestId('drawer-channel-paused').isVisible(), { timeout: 20_000 }).toBe(true);

      // The retry is accepted, and the delivery waits for the channel: nothing is sent yet. A double
      // click is one request (the button is disabled while its request runs).
      const retries: string[] = [];
      page.on('request', (r) => {
        if (r.method() === 'POST' && r.url().endsWith('/retry')) retries.push(r.url());
      });
      await page.getByTestId('action-retry').dblclick();
      await expect.poll(() => message(page, 'warning').innerText(), { timeout: 30_000 }).toContain('已受理重试，但尚未发出');
      expect(await message(page, 'warning').innerText()).toContain('本条投递将等待该渠道恢复');
      expect(await page.locator('.el-message--success').count()).toBe(0);
      expect(retries).toHaveLength(1);

      // A colleague fixes the token and resumes the channel; this drawer still shows it paused.
      await setWeiboFault(null);
      await system.api(users.colleague!, 'POST', `/api/channels/${encodeURIComponent(WEIBO)}/resume`, {});
      expect(await page.getByTestId('drawer-channel-paused').isVisible()).toBe(true);
      await page.getByTestId('action-resume').click();
      await expect.poll(() => message(page, 'error').innerText(), { timeout: 20_000 }).toContain('没有暂停，无需恢复');
      expect(await message(page, 'error').innerText()).toContain('bad-day-colleague');
      // The drawer shows the channel as it is now: running, with 暂停渠道 to offer.
      await expect.poll(() => page.getByTestId('drawer-channel-paused').count(), { timeout: 20_000 }).toBe(0);
      expect(await page.getByTestId('action-pause').isVisible()).toBe(true);
      expect(await page.getByTestId('action-resume').count()).toBe(0);
    } finally {
      await close();
    }
  });

  it('the channel page: a pause a colleague made first, and a resume a colleague made first, each named and shown as it is now', async () => {
    const { page, close } = await pageOf(users.ops!);
    try {
      await page.goto(`${system.consoleUrl}channels`);
      await inputOf(page, 'channel-search').fill(OTHER_WEIBO);
      const row = page.getByTestId(`channel-pause-${OTHER_WEIBO}`);
      await row.waitFor({ timeout: 20_000 });
      await expectAccessible(page, 'ops:channels');

      // Both decide to pause it; the colleague is quicker.
      await page.getByRole('button', { name: `暂停渠道 ${(await page.getByTestId(`channel-row-${OTHER_WEIBO}`).innerText()).trim()}` }).click();
      await inputOf(page, 'pause-reason').fill('账号异常，暂停核查。');
      await system.api(users.colleague!, 'POST', `/api/channels/${encodeURIComponent(OTHER_WEIBO)}/pause`, { reason: '平台接口维护' });
      expect(await page.getByTestId('pause-dialog').isVisible()).toBe(true);
      await page.getByTestId('pause-submit').click();
      await expect.poll(() => message(page, 'error').innerText(), { timeout: 20_000 }).toContain('本次未做任何更改');
      expect(await message(page, 'error').innerText()).toContain('bad-day-colleague');
      await expect.poll(() => page.getByTestId('pause-dialog').isVisible(), { timeout: 10_000 }).toBe(false);
      await expect.poll(() => page.getByTestId(`channel-paused-${OTHER_WEIBO}`).innerText(), { timeout: 20_000 }).toContain('平台接口维护');

      // Both decide to resume it; the colleague is quicker again.
      await system.api(users.colleague!, 'POST', `/api/channels/${encodeURIComponent(OTHER_WEIBO)}/resume`, {});
      await page.getByTestId(`channel-resume-${OTHER_WEIBO}`).click();
      await expect.poll(() => message(page, 'error').innerText(), { timeout: 20_000 }).toContain('没有暂停，无需恢复');
      expect(await message(page, 'error').innerText()).toContain('bad-day-colleague');
      await expect.poll(() => page.getByTestId(`channel-paused-${OTHER_WEIBO}`).count(), { timeout: 20_000 }).toBe(0);
      expect(await page.getByTestId(`channel-pause-${OTHER_WEIBO}`).isVisible()).toBe(true);
      const channels = await system.api<{ channels: { id: string; paused: boolean }[] }>(users.ops!, 'GET', '/api/channels?platform=weibo');
      expect(channels.channels.find((c) => c.id === OTHER_WEIBO)?.paused).toBe(false);
    } finally {
      await close();
    }
  });

  it('跳过 and 撤稿 a colleague did first, with no live events getting through: each refusal is said and the page reads what changed', async () => {
    const packageId = await releasedPackage('关于碑林区2027年元旦期间安全生产工作的通知', TOUTIAO);
    await expect.poll(async () => (await deliveryOf(packageId, TOUTIAO))?.state, { timeout: 90_000 }).toBe('awaiting_manual');
    const delivery = (await deliveryOf(packageId, TOUTIAO))!;

    const { page, close } = await pageOf(users.ops!);
    try {
      // A proxy that drops the event stream: the page only learns what it reads itself.
      await page.route('**/api/events', (route) => route.abort());

      await openDrawer(page, packageId, delivery.id);
      expect(await page.getByTestId('drawer-state').getAttribute('data-state')).toBe('awaiting_manual');

      await page.getByTestId('action-skip').click();
      await inputOf(page, 'skip-reason').fill('该账号本周停更。');
      await system.api(users.colleague!, 'POST', `/api/deliveries/${delivery.id}/skip`, { reason: '头条号已停用' });
      expect(await page.getByTestId('skip-dialog').isVisible()).toBe(true);
      await page.getByTestId('skip-submit').click();
      await expect.poll(() => message(page, 'error').innerText(), { timeout: 30_000 }).toContain('该发布任务现为「已取消」');
      await expect.poll(() => page.getByTestId('skip-dialog').isVisible(), { timeout: 10_000 }).toBe(false);
      await expect.poll(() => page.getByTestId('drawer-state').getAttribute('data-state'), { timeout: 20_000 }).toBe('canceled');
      expect(await page.getByTestId(`cell-${delivery.id}`).getAttribute('data-state')).toBe('canceled');
      await page.keyboard.press('Escape');

      await expect
        .poll(async () => (await system.api<{ status: string }>(users.ops!, 'GET', `/api/packages/${packageId}`)).status, { timeout: 60_000 })
        .toBe('released');
      await page.getByTestId('board-refresh').click();
      const title = '关于碑林区2027年元旦期间安全生产工作的通知';
      await page.getByRole('button', { name: `撤稿 ${title}` }).click({ timeout: 20_000 });
      await inputOf(page, 'retract-reason').fill('标题有误，撤回。');
      await system.api(users.colleague!, 'POST', `/api/packages/${packageId}/retract`, { reason: '内容需修改' });
      expect(await page.getByTestId('retract-dialog').isVisible()).toBe(true);
      await page.getByTestId('retract-submit').click();
      await expect.poll(() => message(page, 'error').innerText(), { timeout: 30_000 }).toMatch(/已(在撤稿中|撤稿).*内容需修改/);
      await expect.poll(() => page.getByTestId('retract-dialog').isVisible(), { timeout: 10_000 }).toBe(false);
      await expect.poll(() => page.getByTestId(`row-status-${packageId}`).innerText(), { timeout: 20_000 }).toMatch(/撤稿中|已撤稿/);
    } finally {
      await close();
    }
  });

  it("a paused channel with many deliveries waiting: 查看投递 on the channel page shows that channel's deliveries on the board, paged", async () => {
    await system.api(users.colleague!, 'POST', `/api/channels/${encodeURIComponent(OTHER_WEIBO)}/pause`, { reason: '账号年审，暂停发布' });
    const titles = Array.from({ length: 12 }, (_, i) => `关于碑林区第${i + 1}批便民服务事项调整的通知`);
    for (let i = 0; i < titles.length; i += 4) await Promise.all(titles.slice(i, i + 4).map((title) => releasedPackage(title, OTHER_WEIBO)));
    const waiting = async () =>
      (await system.api<{ items: DeliveryRow[] }>(users.ops!, 'GET', `/api/deliveries?channel=${encodeURIComponent(OTHER_WEIBO)}&limit=200`)).items;
    await expect.poll(async () => (await waiting()).length, { timeout: 120_000 }).toBe(12);
    const ids = new Set((await waiting()).map((d) => d.id));

    const { page, close } = await pageOf(users.ops!);
    try {
      await page.goto(`${system.consoleUrl}channels`);
      await inputOf(page, 'channel-search').fill(OTHER_WEIBO);
      await page.getByTestId(`channel-paused-${OTHER_WEIBO}`).waitFor({ timeout: 20_000 });
      const link = page.getByTestId(`channel-deliveries-${OTHER_WEIBO}`);
      expect(await link.getAttribute('aria-label')).toMatch(/^查看投递：/);
      await link.click();
      await page.waitForURL((u) => u.pathname.endsWith('/board') && u.searchParams.get('channel') === OTHER_WEIBO, { timeout: 20_000 });

      const rows = page.locator('[data-testid^="board-row-"]');
      const cells = page.locator('[data-testid^="cell-"]');
      await expect.poll(() => page.getByTestId('board-pagination').innerText(), { timeout: 30_000 }).toContain('共 12 条');
      await expect.poll(() => cells.count(), { timeout: 30_000 }).toBe(10);
      expect(await rows.count()).toBe(10);
      const shownIds = async () => (await cells.evaluateAll((els) => els.map((el) => el.getAttribute('data-testid')))).map((t) => t!.slice('cell-'.length));
      const firstPage = await shownIds();
      // Only the channel's own deliveries, not the portal's of the same packages.
      expect(
        firstPage.every((id) => ids.has(id)),
        firstPage.join(','),
      ).toBe(true);

      await page.getByTestId('board-pagination').locator('.btn-next').click();
      await expect.poll(() => cells.count(), { timeout: 30_000 }).toBe(2);
      const secondPage = await shownIds();
      expect(new Set([...firstPage, ...secondPage])).toEqual(ids);
      expect(await page.getByTestId('filter-channel').innerText()).toContain('（微博）');

      // The address keeps the filter: a refresh shows the same deliveries, reading the packages' summaries a few at a
      // time (a channel with hundreds of packages must not send hundreds of requests at once).
      let inFlight = 0;
      let mostAtOnce = 0;
      let summaries = 0;
      const packageSummary = (url: URL) => /\/api\/packages\/[^/]+$/.test(url.pathname);
      await page.route(packageSummary, async (route) => {
        summaries += 1;
        mostAtOnce = Math.max(mostAtOnce, ++inFlight);
        await new Promise((resolve) => setTimeout(resolve, 300));
        try {
          await route.fulfill({ response: await route.fetch() });
        } finally {
          inFlight -= 1;
        }
      });
      await page.reload();
      await expect.poll(() => page.getByTestId('board-pagination').innerText(), { timeout: 30_000 }).toContain('共 12 条');
      expect(summaries).toBeGreaterThanOrEqual(12);
      expect(mostAtOnce).toBeLessThanOrEqual(6);
      await page.unroute(packageSummary);
      await expectAccessible(page, 'ops:board filtered to one channel');
    } finally {
      await close();
    }
  });

  it("a delivery a colleague's pause holds: marked on the board, who paused it and when in the drawer and on 渠道状态; while 重试 runs the other actions wait", async () => {
    // (the first test left this channel running, its fault cleared)
    const pause = await system.api<{ pausedAt: string }>(users.colleague!, 'POST', `/api/channels/${encodeURIComponent(WEIBO)}/pause`, {
      reason: '微博账号迁移，暂停发布',
    });
    const packageId = await releasedPackage('关于碑林区2027年度城乡居民医疗保险参保缴费的通知', WEIBO);
    await expect.poll(async () => (await deliveryOf(packageId, WEIBO))?.state, { timeout: 90_000 }).toBe('pending');
    const held = (await deliveryOf(packageId, WEIBO))!;
    // Its first attempt found the pause: it waits for the channel.
    await expect
      .poll(async () => (await system.api<{ waitingFor?: string }>(users.ops!, 'GET', `/api/deliveries/${held.id}`)).waitingFor, { timeout: 60_000 })
      .toBe('channel');
    const portal = (await system.api<{ items: DeliveryRow[] }>(users.ops!, 'GET', `/api/deliveries?package=${packageId}`)).items.find(
      (d) => d.channelId !== WEIBO,
    )!;
    // Beijing time, as the console shows every time (2026-12-04 09:30).
    const origin = `由 bad-day-colleague 于 ${chinaTime(pause.pausedAt)} 暂停`;

    const { page, close } = await pageOf(users.ops!);
    try {
      await openDrawer(page, packageId, held.id);
      // The board marks the held cell (not the portal's) and says so on the package's row.
      const heldCell = page.getByTestId(`cell-${held.id}`);
      expect(await heldCell.getAttribute('data-held')).toBe('true');
      expect(await heldCell.getAttribute('aria-label')).toContain('渠道已暂停，等待恢复');
      expect(await page.getByTestId(`cell-${portal.id}`).getAttribute('data-held')).toBeNull();
      expect(await page.getByTestId(`row-held-${packageId}`).innerText()).toContain('渠道已暂停：1 项等待恢复');
      // The drawer names the reason, who paused the channel and when.
      await expect.poll(() => page.getByTestId('drawer-channel-paused').innerText(), { timeout: 20_000 }).toContain('微博账号迁移，暂停发布');
      expect(await page.getByTestId('drawer-channel-paused-by').innerText()).toContain(origin);

      // 重试 is on its way (its answer held back here): 跳过 and 恢复渠道 wait for it.
      let answer!: () => void;
      const answerHeld = new Promise<void>((resolve) => (answer = resolve));
      await page.route('**/api/deliveries/*/retry', async (route) => {
        await answerHeld;
        await route.continue();
      });
      const enabled = async () =>
        Object.fromEntries(
          await Promise.all(['action-retry', 'action-skip', 'action-resume'].map(async (id) => [id, await page.getByTestId(id).isEnabled()] as const)),
        );
      expect(await enabled()).toEqual({ 'action-retry': true, 'action-skip': true, 'action-resume': true });
      await page.getByTestId('action-retry').click();
      await expect.poll(enabled, { timeout: 10_000 }).toEqual({ 'action-retry': false, 'action-skip': false, 'action-resume': false });
      answer();
      await expect.poll(() => message(page, 'warning').innerText(), { timeout: 30_000 }).toContain('已受理重试，但尚未发出');
      expect(await message(page, 'warning').innerText()).toContain('点击「恢复渠道」');
      // Once the answer is in (and the attempt it started found the channel still paused) they are offered again.
      await expect.poll(enabled, { timeout: 20_000 }).toEqual({ 'action-retry': true, 'action-skip': true, 'action-resume': true });
      await page.unroute('**/api/deliveries/*/retry');
      await page.keyboard.press('Escape');
      await expectAccessible(page, 'ops:board with a held delivery');

      // 渠道状态 says the same: who paused it and when.
      await page.goto(`${system.consoleUrl}channels`);
      await inputOf(page, 'channel-search').fill(WEIBO);
      await expect.poll(() => page.getByTestId(`channel-paused-by-${WEIBO}`).innerText(), { timeout: 20_000 }).toBe(origin);
      expect(await page.getByTestId(`channel-paused-${WEIBO}`).innerText()).toContain('微博账号迁移，暂停发布');
    } finally {
      await close();
      await system.api(users.colleague!, 'POST', `/api/channels/${encodeURIComponent(WEIBO)}/resume`, {});
    }
  });

  it('人工发布任务: a time still to come is refused beside its field, and a task a colleague confirmed first leaves the list with the reason', async () => {
    const packageId = await releasedPackage('关于碑林区2027年春季开学安全工作的通知', TOUTIAO);
    await expect.poll(async () => (await deliveryOf(packageId, TOUTIAO))?.state, { timeout: 90_000 }).toBe('awaiting_manual');
    const delivery = (await deliveryOf(packageId, TOUTIAO))!;
    const post = 'https://www.toutiao.com/article/7312345678901234999/';

    const { page, close } = await pageOf(users.ops!);
    try {
      await page.route('**/api/events', (route) => route.abort());
      await page.goto(`${system.consoleUrl}handoffs`);
      await page.getByTestId(`handoff-open-${delivery.id}`).click({ timeout: 30_000 });
      await inputOf(page, `handoff-url-${delivery.id}`).fill(post);
      // Tomorrow, in Beijing time as the operator types it: refused beside the field, nothing confirmed.
      const tomorrow = new Date(Date.now() + 86_400_000 + 8 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
      const postedAt = page.locator(`#handoff-url-${delivery.id}-posted-at-input`);
      await postedAt.fill(tomorrow);
      await postedAt.press('Tab');
      await page.getByTestId(`handoff-confirm-${delivery.id}`).click();
      const besidePostedAt = page.locator('.el-form-item', { has: postedAt }).locator('.el-form-item__error');
      await expect.poll(() => besidePostedAt.innerText(), { timeout: 20_000 }).toContain('晚于当前时间');
      expect(await page.locator('.el-message--success').count()).toBe(0);
      expect((await deliveryOf(packageId, TOUTIAO))?.state).toBe('awaiting_manual');

      // A colleague confirms it first; this page hears nothing of it (no events) until it asks.
      await system.api(users.colleague!, 'POST', `/api/deliveries/${delivery.id}/confirm`, { url: post });
      await postedAt.fill('');
      await page.getByTestId(`handoff-confirm-${delivery.id}`).click();
      await expect.poll(() => message(page, 'error').innerText(), { timeout: 30_000 }).toContain('该发布任务现为「已上线」');
      await expect.poll(() => page.getByTestId(`handoff-row-${delivery.id}`).count(), { timeout: 20_000 }).toBe(0);
    } finally {
      await close();
    }
  });

  it('the drawer: a hand-off a colleague confirmed first is said, and the drawer shows it live instead of the form', async () => {
    const packageId = await releasedPackage('关于碑林区2027年春节期间烟花爆竹燃放管理的通告', TOUTIAO);
    await expect.poll(async () => (await deliveryOf(packageId, TOUTIAO))?.state, { timeout: 90_000 }).toBe('awaiting_manual');
    const delivery = (await deliveryOf(packageId, TOUTIAO))!;
    const post = 'https://www.toutiao.com/article/7312345678901235888/';

    const { page, close } = await pageOf(users.ops!);
    try {
      await page.route('**/api/events', (route) => route.abort());
      await openDrawer(page, packageId, delivery.id);
      await page.getByTestId('action-confirm').click();
      await inputOf(page, 'confirm-url').fill(post);
      await system.api(users.colleague!, 'POST', `/api/deliveries/${delivery.id}/confirm`, { url: post });
      await page.getByTestId('confirm-submit').click();
      await expect.poll(() => message(page, 'error').innerText(), { timeout: 30_000 }).toContain('该发布任务现为「已上线」');
      await expect.poll(() => page.getByTestId('drawer-state').getAttribute('data-state'), { timeout: 20_000 }).toBe('live');
      expect(await page.getByTestId('confirm-submit').count()).toBe(0);
      expect(await page.getByTestId(`cell-${delivery.id}`).getAttribute('data-state')).toBe('live');
    } finally {
      await close();
    }
  });

  it('a pause and a resume a colleague makes elsewhere reach the open board and its drawer without 刷新', async () => {
    // (the held-delivery test left this channel running)
    const packageId = await releasedPackage('关于碑林区冬季消防安全检查工作的通知', WEIBO);
    await expect.poll(async () => (await deliveryOf(packageId, WEIBO))?.state, { timeout: 90_000 }).toBe('live');
    const delivery = (await deliveryOf(packageId, WEIBO))!;
    const { page, close } = await pageOf(users.ops!);
    try {
      await openDrawer(page, packageId, delivery.id);
      await page.getByTestId('action-pause').waitFor({ timeout: 20_000 });
      expect(await page.getByTestId('drawer-channel-paused').count()).toBe(0);
      // Marks this page load: a reload (or navigation) would drop it.
      await page.evaluate('window.sameBoardLoad = true');

      const pause = await system.api<{ pausedAt: string }>(users.colleague!, 'POST', `/api/channels/${encodeURIComponent(WEIBO)}/pause`, {
        reason: '微博账号年审，暂停发布',
      });
      await expect.poll(() => page.getByTestId('drawer-channel-paused').count(), { timeout: 15_000 }).toBe(1);
      expect(await page.getByTestId('drawer-channel-paused').innerText()).toContain('微博账号年审，暂停发布');
      await expect
        .poll(() => page.getByTestId('drawer-channel-paused-by').innerText(), { timeout: 10_000 })
        .toContain(`由 bad-day-colleague 于 ${chinaTime(pause.pausedAt)} 暂停`);
      expect(await page.getByTestId('action-resume').isVisible()).toBe(true);
      expect(await page.getByTestId('action-pause').count()).toBe(0);

      await system.api(users.colleague!, 'POST', `/api/channels/${encodeURIComponent(WEIBO)}/resume`, {});
      await expect.poll(() => page.getByTestId('drawer-channel-paused').count(), { timeout: 15_000 }).toBe(0);
      expect(await page.getByTestId('action-pause').isVisible()).toBe(true);
      expect(await page.evaluate('window.sameBoardLoad === true')).toBe(true);
    } finally {
      await close();
      const channels = await system.api<{ channels: { id: string; paused: boolean }[] }>(users.ops!, 'GET', '/api/channels?platform=weibo');
      if (channels.channels.find((c) => c.id === WEIBO)?.paused)
        await system.api(users.colleague!, 'POST', `/api/channels/${encodeURIComponent(WEIBO)}/resume`, {});
    }
  });

  it('渠道状态 shows a pause and a resume a colleague makes elsewhere without 刷新, who paused it and when', async () => {
    // A channel no other test pauses; its deliveries play no part here.
    const channel = 'wechat_oa:blmz';
    const { page, close } = await pageOf(users.ops!);
    try {
      await page.goto(`${system.consoleUrl}channels`);
      await inputOf(page, 'channel-search').fill(channel);
      await page.getByTestId(`channel-pause-${channel}`).waitFor({ timeout: 20_000 });
      const summary = await page.getByTestId('channel-summary').innerText();
      // Marks this page load: a reload (or navigation) would drop it.
      await page.evaluate('window.sameChannelsLoad = true');

      const pause = await system.api<{ pausedAt: string }>(users.colleague!, 'POST', `/api/channels/${encodeURIComponent(channel)}/pause`, {
        reason: '民政公众号更换管理员，暂停发布',
      });
      await expect.poll(() => page.getByTestId(`channel-paused-${channel}`).count(), { timeout: 15_000 }).toBe(1);
      expect(await page.getByTestId(`channel-paused-${channel}`).innerText()).toContain('民政公众号更换管理员，暂停发布');
      expect(await page.getByTestId(`channel-paused-by-${channel}`).innerText()).toBe(`由 bad-day-colleague 于 ${chinaTime(pause.pausedAt)} 暂停`);
      // 恢复渠道 is offered now, not a 暂停渠道 that could only be refused; the summary counts it.
      expect(await page.getByTestId(`channel-resume-${channel}`).isVisible()).toBe(true);
      expect(await page.getByTestId(`channel-pause-${channel}`).count()).toBe(0);
      expect(await page.getByTestId('channel-summary').innerText()).not.toBe(summary);

      await system.api(users.colleague!, 'POST', `/api/channels/${encodeURIComponent(channel)}/resume`, {});
      await expect.poll(() => page.getByTestId(`channel-paused-${channel}`).count(), { timeout: 15_000 }).toBe(0);
      expect(await page.getByTestId(`channel-pause-${channel}`).isVisible()).toBe(true);
      expect(await page.getByTestId('channel-summary').innerText()).toBe(summary);
      expect(await page.evaluate('window.sameChannelsLoad === true')).toBe(true);
    } finally {
      await close();
      const channels = await system.api<{ channels: { id: string; paused: boolean }[] }>(users.ops!, 'GET', '/api/channels?platform=wechat_oa');
      if (channels.channels.find((c) => c.id === channel)?.paused)
        await system.api(users.colleague!, 'POST', `/api/channels/${encodeURIComponent(channel)}/resume`, {});
    }
  });
});
