/**
 * Where editors, reviewers and operations find their next piece of work (the outside audit of the
 * console in daily use), each fixed, in the real system as `govpub start` runs it and Debian's Chromium:
 * - an editor finds the packages a reviewer sent back under 已退回 on the package list, counted as
 *   the header's 待办 counts them, and a package sent back while they look comes in live;
 * - the board's 只看需处理 puts the most urgent first (a retracted package still public, a held
 *   channel, a failure, an unconfirmed outcome, then hand-offs; the longest waiting first within
 *   each), not the latest change, and says so;
 * - a draft with a cover whose channel renditions are not made yet previews without asking for
 *   them: no 404 in the browser's console;
 * - a reviewer who approved 初审 reads what happened and what comes next, not a refusal, and goes
 *   on with 审核下一件 / 返回审核队列;
 * - the delivery drawer follows a retried delivery to its state now even when the retry's answer
 *   arrives after the live events (before: the late answer's 待发送 replaced the state the events
 *   had shown, and stayed).
 */
import { openAsBlob } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import type { Browser, Page, Response } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchChromium, skipBrowser } from '../support/browser.js';
import { freshDatabase } from '../support/services.js';
import { signedInPage, startConsoleSystem, type ConsoleSystem, type ConsoleUser } from './harness.js';
import { policyBody } from './journey-support.js';

const COVER = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..', 'examples', 'media', 'cover.jpg');
const NEWS_SITE = 'news_site:zcjd';

interface DeliveryItem {
  id: string;
  channelId: string;
  state: string;
}

describe.skipIf(skipBrowser)('where the console puts the next piece of work', () => {
  let system: ConsoleSystem;
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  let browser: Browser;
  const users: Record<string, ConsoleUser> = {};

  beforeAll(async () => {
    database = await freshDatabase();
    system = await startConsoleSystem({ databaseUrl: database.url, temporalAddress: inject('temporalAddress') });
    browser = await launchChromium();
    [users.editor, users.other, users.first, users.second, users.final, users.firstAndSecond, users.ops] = await Promise.all([
      system.addUser('queue-editor', 'editor'),
      system.addUser('queue-other-editor', 'editor'),
      system.addUser('queue-first', 'reviewer', { stages: ['初审'] }),
      system.addUser('queue-second', 'reviewer', { stages: ['复审'] }),
      system.addUser('queue-final', 'reviewer', { stages: ['终审'] }),
      system.addUser('queue-first-second', 'reviewer', { stages: ['初审', '复审'] }),
      system.addUser('queue-ops', 'ops'),
    ]);
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await system?.stop();
    await database?.close();
  });

  /** Signed in; the sign-in page's own probe of the session (401 before signing in) is not counted against the page. */
  async function pageOf(user: ConsoleUser, viewport = { width: 1366, height: 900 }) {
    const opened = await signedInPage(browser, system, user, viewport);
    opened.errors.splice(0);
    return opened;
  }
  const statusOf = async (id: string) => (await system.api<{ status: string }>(users.editor!, 'GET', `/api/packages/${id}`)).status;

  async function submitted(title: string, author = users.editor!, extra: Record<string, unknown> = {}): Promise<string> {
    const created = await system.api<{ id: string }>(author, 'POST', '/api/packages', { ...(await policyBody(system, author, title)), ...extra });
    await system.api(author, 'POST', `/api/packages/${created.id}/submit`, {});
    return created.id;
  }
  const decide = (reviewer: ConsoleUser, id: string, decision: 'approve' | 'reject', comment = '同意', revision = 1) =>
    system.api(reviewer, 'POST', `/api/packages/${id}/decisions`, { revision, decision, comment });

  /** Approved at every stage, released to its portal column and `extraTargets`. */
  async function released(title: string, extraTargets: string[] = []): Promise<string> {
    const body = await policyBody(system, users.editor!, title);
    const id = await submitted(title, users.editor!, { targets: [...(body.targets as string[]), ...extraTargets] });
    for (const reviewer of [users.first!, users.second!, users.final!]) await decide(reviewer, id, 'approve');
    return id;
  }

  it('an editor finds the packages sent back under 已退回, counted as the header counts them, and one sent back meanwhile comes in live', async () => {
    const atFirst = await submitted('关于碑林区老旧小区加装电梯补贴的通知');
    await decide(users.first!, atFirst, 'reject', '补贴标准请与区财政局核对。');
    const atSecond = await submitted('关于碑林区社区食堂运营补助的通知');
    await decide(users.first!, atSecond, 'approve');
    await decide(users.second!, atSecond, 'reject', '请补充政策依据');
    // Sent back, then submitted again: waits for review, not for the editor.
    const resubmitted = await submitted('关于碑林区停车位错时共享的通知');
    await decide(users.first!, resubmitted, 'reject', '请补充试点范围。');
    await system.api(users.editor!, 'POST', `/api/packages/${resubmitted}/submit`, {});
    const plainDraft = (
      await system.api<{ id: string }>(users.editor!, 'POST', '/api/packages', await policyBody(system, users.editor!, '关于碑林区夜间经济的通知'))
    ).id;
    // Another editor's package sent back: theirs to find, not this editor's.
    const othersReturned = await submitted('关于碑林区口袋公园建设的通知', users.other!);
    await decide(users.first!, othersReturned, 'reject', '请附选址图。');
    const later = await submitted('关于碑林区垃圾分类积分兑换的通知');

    const listed = await system.api<{ packages: { id: string; returned: { stage: string; stageName: string } | null }[] }>(
      users.editor!,
      'GET',
      '/api/packages?returned=true&createdBy=me',
    );
    expect(listed.packages.map((p) => p.id).sort()).toEqual([atFirst, atSecond].sort());
    expect(listed.packages.find((p) => p.id === atSecond)!.returned).toMatchObject({ stage: 'second', stageName: '复审' });

    const { page, errors, close } = await pageOf(users.editor!);
    try {
      await page.goto(`${system.consoleUrl}packages`);
      const header = page.getByTestId('notices-link').locator('sup');
      const tabCount = page.getByTestId('package-returned-count');
      await expect.poll(async () => Number(await header.innerText()), { timeout: 20_000 }).toBe(2);
      await expect.poll(() => tabCount.innerText()).toMatch(/^2/);
      // 全部 marks the ones sent back, with the stage.
      await expect.poll(() => page.getByTestId(`package-returned-${atSecond}`).innerText(), { timeout: 20_000 }).toBe('复审退回');
      expect(await page.getByTestId(`package-returned-${plainDraft}`).count()).toBe(0);

      await page.getByTestId('package-status-returned').click();
      await page.waitForURL((u) => u.searchParams.get('status') === 'returned');
      const rowIds = () =>
        page.locator('[data-testid^=package-row-]').evaluateAll((links) => links.map((l) => l.getAttribute('data-testid')!.replace('package-row-', '')));
      await expect.poll(async () => (await rowIds()).sort(), { timeout: 20_000 }).toEqual([atFirst, atSecond].sort());
      expect(await page.getByTestId(`package-returned-${atFirst}`).innerText()).toBe('初审退回');
      expect(await rowIds()).not.toContain(resubmitted);
      expect(await rowIds()).not.toContain(othersReturned);

      // A reviewer sends one back while the editor looks: the row, the tab's count and the header follow.
      await decide(users.first!, later, 'reject', '标题请写明兑换时间。');
      await expect.poll(async () => (await rowIds()).sort(), { timeout: 30_000 }).toEqual([atFirst, atSecond, later].sort());
      await expect.poll(() => tabCount.innerText(), { timeout: 30_000 }).toMatch(/^3/);
      await expect.poll(async () => Number(await header.innerText()), { timeout: 30_000 }).toBe(3);
      expect(errors, errors.join('\n')).toEqual([]);
    } finally {
      await close();
    }
  });

  it('只看需处理 puts the most urgent first, not the latest change, and says so', async () => {
    const titles = ['待人工发布的通知', '失败较晚的通知', '失败较早的通知', '需重新授权的通知', '撤稿待人工删除的通知'];
    const ids: string[] = [];
    for (const title of titles) ids.push(await released(`关于碑林区${title}`));
    for (const id of ids) await expect.poll(() => statusOf(id), { timeout: 90_000 }).toBe('released');
    const [manual, failedLate, failedEarly, reconnect, takedown] = ids as [string, string, string, string, string];
    // The states operations meet, written to the released packages' rows: the latest change (updated)
    // runs opposite to the urgency, and the two failures were released (created) in the other order
    // from their last change.
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      const set = (id: string, state: string, task: string | null, createdHoursAgo: number, updatedMinutesAgo: number) =>
        client.query(
          `update deliveries set state = $2, task = $3, created_at = now() - make_interval(hours => $4), updated_at = now() - make_interval(mins => $5)
           where package_id = $1`,
          [id, state, task, createdHoursAgo, updatedMinutesAgo],
        );
      await set(manual, 'awaiting_manual', 'manual_post', 5, 1);
      await set(failedEarly, 'failed', null, 4, 5);
      await set(failedLate, 'failed', null, 3, 10);
      await set(reconnect, 'needs_reconnect', null, 1, 30);
      await set(takedown, 'retracting', 'manual_takedown', 2, 60);
    } finally {
      await client.end();
    }

    const { page, errors, close } = await pageOf(users.ops!);
    try {
      await page.goto(`${system.consoleUrl}board`);
      await page.getByTestId('filter-needs-action').click();
      const note = page.getByTestId('board-order-note');
      await expect.poll(() => note.innerText(), { timeout: 20_000 }).toContain('按紧急程度排序');
      expect(await note.innerText()).toContain('待人工删除的撤稿 › 需重新授权 › 投递失败 › 待确认 › 待人工发布');
      const shownOrder = async () =>
        (
          await page.locator('[data-testid^=board-row-]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-testid')!.replace('board-row-', '')))
        ).filter((id) => ids.includes(id));
      await expect.poll(shownOrder, { timeout: 20_000 }).toEqual([takedown, reconnect, failedEarly, failedLate, manual]);
      expect(errors, errors.join('\n')).toEqual([]);
    } finally {
      await close();
    }
  });

  it('a draft with a cover previews each channel without asking for a rendition not made yet: no 404, no console error', async () => {
    const form = new FormData();
    form.append('file', await openAsBlob(COVER), '便民服务封面.jpg');
    const uploaded = await fetch(`${system.url}/api/media`, { method: 'POST', headers: { authorization: `Bearer ${users.editor!.token}` }, body: form });
    expect(uploaded.status).toBe(201);
    const cover = ((await uploaded.json()) as { id: string }).id;
    const body = await policyBody(system, users.editor!, '关于碑林区便民服务点延时服务的通知');
    const created = await system.api<{ id: string }>(users.editor!, 'POST', '/api/packages', {
      ...body,
      targets: [...(body.targets as string[]), 'weibo:blfb-wb'],
      cover: { mediaId: cover, alt: '便民服务点' },
    });

    const { page, errors, close } = await pageOf(users.editor!);
    const refused: string[] = [];
    const watch = (response: Response) => {
      if (response.status() >= 400) refused.push(`HTTP ${response.status()} ${response.url()}`);
    };
    page.on('response', watch);
    try {
      const preflight = page.waitForResponse((r) => r.url().includes(`/api/packages/${created.id}/preflight`) || r.url().endsWith('/api/preflight'));
      await page.goto(`${system.consoleUrl}packages/${created.id}/edit`);
      await preflight;
      await page.getByTestId('preview-tab-weibo').click();
      const picture = page.getByTestId('preview-weibo-picture');
      await expect.poll(() => picture.getAttribute('src'), { timeout: 30_000 }).toBe(`/api/media/${cover}/content`);
      await expect.poll(() => picture.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth), { timeout: 20_000 }).toBeGreaterThan(0);
      expect(refused, refused.join('\n')).toEqual([]);
      expect(errors, errors.join('\n')).toEqual([]);

      // Once the channel's rendition is made, the preview shows it.
      const job = await system.api<{ id: string }>(users.editor!, 'POST', `/api/media/${cover}/renditions`, { platforms: ['weibo'] });
      await expect
        .poll(async () => (await system.api<{ state: string }>(users.editor!, 'GET', `/api/media/jobs/${job.id}`).catch(() => ({ state: '?' }))).state, {
          timeout: 60_000,
        })
        .toBe('done');
      await page.reload();
      await page.getByTestId('preview-tab-weibo').click();
      await expect.poll(() => picture.getAttribute('src'), { timeout: 30_000 }).toMatch(new RegExp(`^/api/media/${cover}/renditions/weibo\\.`));
      expect(refused, refused.join('\n')).toEqual([]);
    } finally {
      await close();
    }
  });

  it("at 1024 px the review queue's 审核 and the package list's 查看 are in view, not behind the table's own scroll bar", async () => {
    const id = await submitted('关于碑林区冬季供暖服务窗口延时的通知');
    /** The link is inside the window and is what a click at its middle reaches (not clipped by the table). */
    const reachable = (link: ReturnType<Page['getByRole']>) =>
      link.evaluate((el) => {
        const box = el.getBoundingClientRect();
        const hit = el.ownerDocument.elementFromPoint(box.x + box.width / 2, box.y + box.height / 2);
        return box.right <= el.ownerDocument.documentElement.clientWidth && !!hit && (hit === el || el.contains(hit));
      });
    const small = { width: 1024, height: 768 };
    const reviewer = await pageOf(users.first!, small);
    try {
      await reviewer.page.goto(`${system.consoleUrl}reviews`);
      const row = reviewer.page.locator('tr', { has: reviewer.page.getByTestId(`review-row-${id}`) }).last();
      // Before: the 操作 column sat past the right edge, reached only by the table's scroll bar.
      await expect.poll(() => reachable(row.getByRole('link', { name: '审核' })), { timeout: 20_000 }).toBe(true);
    } finally {
      await reviewer.close();
    }
    const editor = await pageOf(users.editor!, small);
    try {
      await editor.page.goto(`${system.consoleUrl}packages`);
      await expect
        .poll(() => reachable(editor.page.getByRole('link', { name: '查看 关于碑林区冬季供暖服务窗口延时的通知' }).last()), { timeout: 20_000 })
        .toBe(true);
    } finally {
      await editor.close();
    }
  });

  it('a reviewer who approved 初审 reads what happened and what comes next, and goes on from there', async () => {
    const ids = [await submitted('关于碑林区冬季供暖热线的通知'), await submitted('关于碑林区冬季供暖投诉处理的通知')];
    const { page, errors, close } = await pageOf(users.firstAndSecond!);
    try {
      await page.goto(`${system.consoleUrl}reviews/${ids[0]}`);
      await page.getByTestId('decision-approve').click();
      await page.getByTestId('decision-confirm').click();
      const done = page.getByTestId('decision-done');
      await expect.poll(() => done.innerText(), { timeout: 20_000 }).toBe('您已完成初审（通过）。复审须由另一位审核人进行，已转入复审队列。');
      const panel = page.getByTestId('decision-panel');
      expect(await panel.innerText()).not.toContain('一人只能审核一个环节');
      expect(await page.getByTestId('decision-unavailable').count()).toBe(0);
      // The way on is the panel's primary action; the queue beside it.
      const next = page.getByTestId('decision-next');
      expect(await next.innerText()).toMatch(/^审核下一件：/);
      expect(await next.getAttribute('class')).toContain('el-button--primary');
      expect(await page.getByTestId('decision-back').innerText()).toBe('返回审核队列');

      // Coming back to it later reads the same way.
      await page.goto(`${system.consoleUrl}reviews/${ids[0]}`);
      await expect
        .poll(() => page.getByTestId('decision-unavailable').innerText(), { timeout: 20_000 })
        .toBe('您已完成初审（通过）。复审须由另一位审核人进行，已转入复审队列。');
      expect(errors, errors.join('\n')).toEqual([]);
    } finally {
      await close();
    }
  });

  it('the delivery drawer follows a retried delivery the news site rejected to its state now (live: the retry posts it again), even when the answer comes after the events', async () => {
    const newsSite = system.govpub.simulatorUrls().news_site!;
    const fault = await fetch(`${newsSite}/__sim/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ match: '/api/v1/articles', method: 'POST', kind: 'async_fail', message: '稿件配图缺少来源说明', count: 1 }),
    });
    expect(fault.status).toBe(200);
    const id = await released('关于碑林区社区养老服务驿站开放的通知', [NEWS_SITE]);
    const newsDelivery = async () =>
      (await system.api<{ items: (DeliveryItem & { updatedAt: string })[] }>(users.ops!, 'GET', `/api/deliveries?package=${id}&channel=${NEWS_SITE}`)).items[0];
    await expect.poll(async () => (await newsDelivery())?.state, { timeout: 90_000 }).toBe('failed');
    const delivery = (await newsDelivery())!;

    const { page, errors, close } = await pageOf(users.ops!);
    try {
      await page.goto(`${system.consoleUrl}board?package=${id}`);
      await page.getByTestId(`cell-${delivery.id}`).click();
      const state = page.getByTestId('drawer-state');
      await expect.poll(() => state.getAttribute('data-state'), { timeout: 20_000 }).toBe('failed');
      expect(await page.getByTestId('drawer-failure').innerText()).toContain('稿件配图缺少来源说明');
      // The retry's answer is the delivery as the retry was accepted (待发送). The retry posts the
      // refused article again, as a new one, and the site publishes it; the answer arrives after
      // that and after the live events said so, as on a busy day.
      await page.route('**/retry', async (route) => {
        const answer = await route.fetch();
        const answered = (await answer.json()) as { state: string; updatedAt: string };
        await expect
          .poll(
            async () => {
              const now = (await newsDelivery())!;
              return now.state === 'live' && now.updatedAt > answered.updatedAt;
            },
            { timeout: 90_000 },
          )
          .toBe(true);
        await new Promise((resolve) => setTimeout(resolve, 2000));
        await route.fulfill({ response: answer });
      });
      const answered = page.waitForResponse((r) => r.url().endsWith('/retry'), { timeout: 120_000 });
      await page.getByTestId('action-retry').click();
      expect(((await (await answered).json()) as { state: string }).state).not.toBe('live');
      // Before: the late answer's 待发送 replaced the 已发布 the events had shown, and stayed.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      await expect.poll(() => state.getAttribute('data-state'), { timeout: 20_000 }).toBe('live');
      expect(await page.getByTestId(`cell-${delivery.id}`).getAttribute('data-state')).toBe('live');
      expect(await page.getByTestId('drawer-failure').count()).toBe(0);
      expect(errors, errors.join('\n')).toEqual([]);
    } finally {
      await close();
    }
  });
});
