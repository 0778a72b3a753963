/**
 * The console on the real system (govpub start: real Temporal, a fresh PostgreSQL database, the
 * simulators of every platform, a worker), driven in Debian's Chromium the way the district's
 * people work, each in a browser context of their own (their own session cookie):
 *
 *   editor    signs in, starts a policy package, uploads a video interpretation, targets the
 *             catalogue item's portal column, a WeChat account, a Douyin account, a media-center
 *             column and Toutiao (manual hand-off); preflight says WeChat needs a cover; uploads a
 *             cover, the problem goes; submits.
 *   reviewers 初审, 复审, 终审 approve in their own sessions, each with a comment.
 *   ops       has the board open while the last approval lands and watches the package's cells
 *             appear and turn 已上线 without reloading (Douyin's account held until ops resumes
 *             it, so one cell is always seen changing); confirms the Toutiao hand-off with its URL;
 *             retracts the package with a reason.
 *
 * Each step asserts what the person sees (Chinese text, states) and cross-checks the API. Each
 * role's main page is kept as a PNG in test/.artifacts/screenshots/, and axe-core checks the pages
 * with a package in flight (the form with its previews, the review page, the board with its drawer).
 * The selectors a page helper owns are in `UI` below (web/TESTIDS.md names them).
 */
import path from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ROOT_DIR } from '../../config/settings.js';
import { launchChromium, skipBrowser } from '../support/browser.js';
import { freshDatabase } from '../support/services.js';
import { expectAccessible } from './axe.js';
import { inputOf, screenshot, SCREENSHOT_DIR, signIn, startConsoleSystem, watchPage, type ConsoleSystem, type ConsoleUser } from './harness.js';
import { policyItem, type CatalogueItem } from './journey-support.js';

const COVER = path.join(ROOT_DIR, 'examples', 'media', 'cover.jpg');
const VIDEO = path.join(ROOT_DIR, 'examples', 'media', 'interpretation.mp4');
const TITLE = '碑林区促进消费扩容提质若干措施';
const WECHAT = 'wechat_oa:blfb';
const DOUYIN = 'douyin:blfb-dy';
const MEDIA_CENTER = 'news_site:zcjd';
const TOUTIAO = 'toutiao:blfb-tt';
const TOUTIAO_POST = 'https://www.toutiao.com/article/7312345678901234567/';

/** The page helpers' hooks (web/TESTIDS.md): one place to follow a rename. */
const UI = {
  packageNew: 'new-package',
  packageRow: (id: string) => `package-row-${id}`,
  catalogueInput: 'catalogue-picker-input',
  catalogueOption: (itemId: string) => `catalogue-option-${itemId}`,
  requiresInterpretation: 'catalogue-requires-interpretation',
  title: 'package-title',
  documentTitle: 'document-title',
  documentNumber: 'document-number',
  issuingUnit: 'document-issuing-unit',
  formedAt: 'document-formed-at',
  documentBody: 'document-body',
  interpretationAddForm: 'interpretation-add-form',
  interpretationAdd: 'interpretation-add',
  interpretationTitle: (i: number) => `interpretation-title-${i}`,
  interpretationBody: (i: number) => `interpretation-body-${i}`,
  interpretationMedia: (i: number) => `interpretation-media-${i}`,
  interpretationMediaId: (i: number) => `interpretation-media-id-${i}`,
  coverUpload: 'cover-upload',
  coverAlt: 'cover-alt',
  target: (channelId: string) => `target-${channelId}`,
  problem: (code: string) => `problem-${code}`,
  preflightOk: 'preflight-ok',
  previewTab: (tab: string) => `preview-tab-${tab}`,
  preview: (tab: string) => `preview-${tab}`,
  save: 'save',
  submit: 'submit',
  status: 'package-status',
  retraction: 'retraction',
  reviewOpen: (id: string) => `review-open-${id}`,
  reviewComment: 'decision-comment',
  reviewApprove: 'decision-approve',
  reviewConfirm: 'decision-confirm',
  decisionUnavailable: 'decision-unavailable',
  boardRow: (packageId: string) => `board-row-${packageId}`,
  boardCell: (deliveryId: string) => `cell-${deliveryId}`,
  drawer: 'delivery-drawer',
  drawerState: 'drawer-state',
  confirmAction: 'action-confirm',
  confirmUrl: 'confirm-url',
  confirmSubmit: 'confirm-submit',
  confirmPostedAt: 'confirm-url-posted-at',
  retract: (packageId: string) => `retract-${packageId}`,
  retractReason: 'retract-reason',
  retractSubmit: 'retract-submit',
  rowStatus: (packageId: string) => `row-status-${packageId}`,
  chartPerDay: 'chart-per-day',
  waitTableToggle: 'table-toggle-approval-to-live',
  waitTable: 'table-approval-to-live',
};

interface PackageView {
  id: string;
  status: string;
  currentStage: string | null;
  revision: number;
  retraction: { reason: string; at: string } | null;
  deliveries: { id: string; channelId: string; state: string; task: string | null; publicUrl: string | null; liveAt: string | null }[];
}

describe.skipIf(skipBrowser)('the console journey: editor → three reviewers → operations', () => {
  let system: ConsoleSystem;
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  let browser: Browser;
  let item: CatalogueItem;
  const people: Record<'editor' | 'first' | 'second' | 'final' | 'ops', ConsoleUser> = {} as never;
  const contexts: BrowserContext[] = [];
  let packageId = '';
  let opsPage: Page;
  let opsLoads = 0;
  const timings: { step: string; seconds: number }[] = [];

  async function personal(): Promise<Page> {
    const context = await browser.newContext({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai', viewport: { width: 1440, height: 900 }, reducedMotion: 'reduce' });
    contexts.push(context);
    const page = await context.newPage();
    watchPage(page);
    return page;
  }
  const view = () => system.api<PackageView>(people.ops, 'GET', `/api/packages/${packageId}`);
  const byTestId = (page: Page, id: string): Locator => page.getByTestId(id);
  /** The first step that failed: later steps depend on it and fail at once instead of waiting out their timeouts. */
  let broken = '';
  const timed = async <T>(step: string, run: () => Promise<T>): Promise<T> => {
    if (broken) throw new Error(`not run: it needs the earlier step "${broken}", which failed`);
    const started = Date.now();
    try {
      return await run();
    } catch (error) {
      broken = step;
      // What each open page showed when the step failed, for the CI artifacts.
      for (const [n, context] of contexts.entries())
        for (const page of context.pages())
          await screenshot(
            page,
            `failed-${n}-${
              page
                .url()
                .split('/console/')[1]
                ?.replace(/[^\w-]+/g, '_') || 'page'
            }`,
          ).catch(() => {});
      // And where each delivery stood, as the API tells it (the log of a CI run shows only text).
      if (packageId) {
        const standing = await view()
          .then(async (v) =>
            Promise.all(
              Object.values(v.deliveries).map((d) =>
                system.api<Record<string, unknown>>(people.ops, 'GET', `/api/deliveries/${d.id}`).catch((e: unknown) => ({ id: d.id, unreadable: String(e) })),
              ),
            ),
          )
          .catch((e: unknown) => [`package ${packageId} unreadable: ${String(e)}`]);
        console.error(`step "${step}" failed; the deliveries then:\n${JSON.stringify(standing, null, 1)}`);
      }
      throw error;
    } finally {
      timings.push({ step, seconds: (Date.now() - started) / 1000 });
    }
  };

  beforeAll(async () => {
    // Pictures of failures are of this run only.
    if (fs.existsSync(SCREENSHOT_DIR))
      for (const old of fs.readdirSync(SCREENSHOT_DIR)) if (old.startsWith('failed-')) fs.rmSync(path.join(SCREENSHOT_DIR, old));
    database = await freshDatabase();
    system = await timed('start the system (govpub start)', () =>
      startConsoleSystem({ databaseUrl: database.url, temporalAddress: inject('temporalAddress') }),
    );
    browser = await launchChromium();
    [people.editor, people.first, people.second, people.final, people.ops] = await Promise.all([
      system.addUser('wang', 'editor', { displayName: '王编辑' }),
      system.addUser('zhao', 'reviewer', { stages: ['初审'] }),
      system.addUser('qian', 'reviewer', { stages: ['复审'] }),
      system.addUser('sun', 'reviewer', { stages: ['终审'] }),
      system.addUser('li', 'ops'),
    ]);
    item = await policyItem(system, people.editor);
  }, 240_000);

  afterAll(async () => {
    console.log(`journey timings:\n${timings.map((t) => `  ${t.step.padEnd(60)} ${t.seconds.toFixed(1).padStart(6)} s`).join('\n')}`);
    for (const context of contexts) await context.close().catch(() => {});
    await browser?.close();
    await system?.stop();
    await database?.close();
  });

  let editor: Page;

  it('the editor signs in and sees their packages, in Chinese', async () => {
    await timed('editor: sign in, package list', async () => {
      editor = await personal();
      await signIn(editor, system, people.editor);
      await editor.waitForURL('**/console/packages');
      expect(await editor.getByTestId('current-user').innerText()).toContain('王编辑');
      expect(await editor.getByTestId('current-user').innerText()).toContain('编辑');
      await expect.poll(() => editor.locator('h1').innerText()).toBe('发布包');
      await editor.waitForLoadState('networkidle');
      await screenshot(editor, 'editor-packages');
      await expectAccessible(editor, 'editor:packages (empty)');
    });
  });

  it('builds a policy package with a video interpretation; preflight says WeChat needs a cover; a cover fixes it', async () => {
    await timed('editor: package form, video upload, preflight, cover', async () => {
      await byTestId(editor, UI.packageNew).click();
      await editor.waitForURL('**/console/packages/new');

      // The catalogue item, found by typing part of its name; the form then says an interpretation is required.
      await byTestId(editor, UI.catalogueInput).click();
      await editor.keyboard.type(item.name ?? item.id);
      await byTestId(editor, UI.catalogueOption(item.id)).click();
      await expect.poll(() => byTestId(editor, UI.requiresInterpretation).innerText()).toMatch(/解读/);

      await inputOf(editor, UI.title).fill(TITLE);
      await inputOf(editor, UI.documentTitle).fill(`西安市碑林区人民政府关于印发${TITLE}的通知`);
      await inputOf(editor, UI.documentNumber).fill('碑政发〔2026〕5号');
      await inputOf(editor, UI.issuingUnit).fill('西安市碑林区人民政府');
      // The date picker keeps its testid on a wrapper; its input carries the field's id.
      const formedAt = editor.locator(`#field-document-formedAt, input[data-testid="${UI.formedAt}"], [data-testid="${UI.formedAt}"] input`).first();
      await formedAt.fill('2026-11-02');
      await formedAt.press('Enter');
      // The rich-text editor (TipTap): typed into like any editor.
      await byTestId(editor, UI.documentBody).click();
      await editor.keyboard.type('各街道办事处，区政府各工作部门：《碑林区促进消费扩容提质若干措施》已经区政府同意，现印发给你们，请认真贯彻执行。');

      // The text interpretation the form starts with (三同步): its title and body.
      await inputOf(editor, UI.interpretationTitle(0)).fill(`《${TITLE}》政策解读`);
      await byTestId(editor, UI.interpretationBody(0)).click();
      await editor.keyboard.type('一、出台背景：为贯彻落实国家和省市关于恢复和扩大消费的部署。二、主要内容：五项措施。');

      // A video interpretation: its file uploaded with a progress bar, then its renditions made.
      const index = await editor.locator('[data-testid^="interpretation-title-"]').count();
      expect(index).toBe(1);
      await byTestId(editor, UI.interpretationAddForm).click();
      await editor.getByRole('option', { name: '视频解读' }).click();
      await byTestId(editor, UI.interpretationAdd).click();
      await inputOf(editor, UI.interpretationTitle(index)).fill('三分钟读懂碑林区促进消费若干措施');
      await byTestId(editor, UI.interpretationMedia(index)).setInputFiles(VIDEO);
      await byTestId(editor, UI.interpretationMediaId(index)).waitFor({ timeout: 60_000 });
      await expect.poll(() => byTestId(editor, `${UI.interpretationMedia(index)}-progress`).innerText(), { timeout: 60_000 }).toContain('100');

      // Targets: the catalogue item's portal column is chosen already; add the others.
      await expect
        .poll(() =>
          byTestId(editor, UI.target(`portal:${item.portalColumnId}`))
            .locator('input')
            .isChecked(),
        )
        .toBe(true);
      // A column with sub-columns (新闻动态) is in the tree without a box: items go into its sub-columns.
      await expect(byTestId(editor, 'target-group-portal').getByText('新闻动态', { exact: true }).first().isVisible()).resolves.toBe(true);
      expect(await byTestId(editor, UI.target('portal:xwdt')).count()).toBe(0);
      for (const channel of [WECHAT, DOUYIN, MEDIA_CENTER, TOUTIAO]) {
        const target = byTestId(editor, UI.target(channel));
        await target.click();
        // 30 s, not the default 1 s: under the full suite (the fault suite beside it) the form's re-render after a click took over 10 s twice,
        // and once the box was still unticked after 10 s. What the page shows after 5 s is logged, to tell a lost click (the count of
        // chosen channels unchanged, something else under the pointer) from a slow or reverted render.
        const checked = () => target.locator('input').isChecked();
        await expect
          .poll(checked, { timeout: 5_000 })
          .toBe(true)
          .catch(async () => {
            const seen = await editor.evaluate(`(() => {
              const label = document.querySelector('[data-testid="${UI.target(channel)}"]');
              if (!label) return { label: 'gone' };
              const box = label.getBoundingClientRect();
              const under = document.elementFromPoint(box.x + box.width / 2, box.y + box.height / 2);
              return {
                chosen: document.querySelector('[data-testid="target-picker"] .summary')?.textContent,
                box: [box.x, box.y, box.width, box.height].map(Math.round),
                underPointer: under ? under.tagName + '.' + under.className + ' in ' + under.closest('[data-testid]')?.getAttribute('data-testid') : null,
              };
            })()`);
            console.warn(`journey: ${channel}'s box not ticked 5 s after its click:`, JSON.stringify(seen));
          });
        await expect.poll(checked, { timeout: 25_000 }).toBe(true);
      }

      // Preflight, live: WeChat refuses a package without a cover, and says so in Chinese.
      const coverProblem = byTestId(editor, UI.problem('cover_required')).first();
      await expect.poll(() => coverProblem.isVisible(), { timeout: 30_000 }).toBe(true);
      expect(await coverProblem.getAttribute('data-severity')).toBe('blocking');
      expect(await coverProblem.innerText()).toMatch(/封面/);
      await editor.waitForLoadState('networkidle');
      await screenshot(editor, 'editor-package-form-problem');

      await byTestId(editor, UI.coverUpload).setInputFiles(COVER);
      await expect.poll(() => inputOf(editor, UI.coverAlt).isEnabled(), { timeout: 60_000 }).toBe(true);
      await inputOf(editor, UI.coverAlt).fill('碑林区街景：促进消费扩容提质');
      await expect.poll(() => byTestId(editor, UI.problem('cover_required')).count(), { timeout: 60_000 }).toBe(0);
      await byTestId(editor, UI.preflightOk).waitFor({ timeout: 60_000 });
      // Previews beside the form: the WeChat article with its title, the Douyin video post.
      await byTestId(editor, UI.previewTab('wechat')).click();
      await expect.poll(() => byTestId(editor, UI.preview('wechat')).innerText(), { timeout: 30_000 }).toContain(TITLE);
      await byTestId(editor, UI.previewTab('video')).click();
      await expect.poll(() => byTestId(editor, UI.preview('video')).count()).toBeGreaterThan(0);
      await editor.waitForLoadState('networkidle');
      await screenshot(editor, 'editor-package-form');
      await expectAccessible(editor, 'editor:package form with previews');
    });
  });

  it('saves and submits; the package is in review at 初审 (API) and says 审核中 (page)', async () => {
    await timed('editor: save, submit', async () => {
      await byTestId(editor, UI.save).click();
      await editor.waitForURL(/\/console\/packages\/pkg-[^/]+\/edit$/, { timeout: 30_000 });
      packageId = /\/packages\/(pkg-[^/]+)/.exec(editor.url())![1]!;
      await byTestId(editor, UI.submit).click();
      await editor.waitForURL(`**/console/packages/${packageId}`, { timeout: 30_000 });
      await expect.poll(() => byTestId(editor, UI.status).first().innerText(), { timeout: 30_000 }).toContain('审核中');
      const submitted = await view();
      expect(submitted.status).toBe('in_review');
      expect(submitted.currentStage).toBe('first');
      await expectAccessible(editor, 'editor:package detail');
    });
  });

  it('operations opens the board; three reviewers approve, each in their own session', async () => {
    await timed('ops: open board', async () => {
      opsPage = await personal();
      opsPage.on('load', () => (opsLoads += 1));
      await signIn(opsPage, system, people.ops);
      await opsPage.waitForURL('**/console/board');
      await expect.poll(() => opsPage.locator('h1').innerText()).toBe('发布看板');
      // Douyin's account is held for a moment (an annual check), so one cell is certain to be seen
      // waiting and then turning live in place, however fast the other channels are.
      await system.api(people.ops, 'POST', `/api/channels/${encodeURIComponent(DOUYIN)}/pause`, { reason: '账号年检中' });
    });
    const stages = [
      ['first', '初审', 'second'],
      ['second', '复审', 'final'],
      ['final', '终审', null],
    ] as const;
    for (const [who, stageName, next] of stages) {
      await timed(`reviewer ${stageName}: sign in, approve`, async () => {
        const page = await personal();
        await signIn(page, system, people[who]);
        await page.waitForURL('**/console/reviews');
        await byTestId(page, UI.reviewOpen(packageId)).click();
        await page.waitForURL(`**/console/reviews/${packageId}`);
        await expect.poll(() => page.getByText(TITLE).count()).toBeGreaterThan(0);
        if (who === 'first') {
          await page.waitForLoadState('networkidle');
          await screenshot(page, 'reviewer-review-page');
          await expectAccessible(page, 'reviewer:review page');
          // The channel previews: Douyin takes only the video, and its tab says so as a warning naming the field.
          await page.getByRole('tab', { name: '渠道预览' }).click();
          await byTestId(page, UI.previewTab('douyin')).click();
          await expect
            .poll(() => page.locator('[data-testid="preflight-warning"]:visible').allInnerTexts(), { timeout: 20_000 })
            .toContainEqual(expect.stringMatching(/只发布视频[\s\S]*（解读 2）/)); // the field in words, not its JSON path
          await screenshot(page, 'reviewer-review-previews');
          await expectAccessible(page, 'reviewer:review page, channel previews');
        }
        await inputOf(page, UI.reviewComment).fill(`${stageName}通过，同意发布。`);
        await byTestId(page, UI.reviewApprove).click();
        await byTestId(page, UI.reviewConfirm).click();
        await expect.poll(async () => (await view()).currentStage, { timeout: 30_000 }).toBe(next);
        if (who === 'first') {
          // One stage per person: the same reviewer is no longer offered a decision on it.
          await page.reload();
          await byTestId(page, UI.decisionUnavailable).waitFor({ timeout: 20_000 });
          expect(await byTestId(page, UI.reviewApprove).count()).toBe(0);
        }
      });
    }
  });

  /** A delivery's cell on the board, by its channel: its accessible name says channel and state in Chinese. */
  async function cellOf(channelId: string): Promise<Locator> {
    const delivery = (await view()).deliveries.find((d) => d.channelId === channelId);
    if (!delivery) throw new Error(`no delivery to ${channelId} yet`);
    return byTestId(opsPage, UI.boardCell(delivery.id));
  }
  const cellLabel = async (channelId: string) =>
    (await cellOf(channelId).catch(() => null))?.getAttribute('aria-label', { timeout: 1000 }).catch(() => '') ?? '';

  it('operations watches every delivery go live on the board without reloading', async () => {
    await timed('ops: deliveries live on the board', async () => {
      const loadsBefore = opsLoads;
      const apiChannels = [`portal:${item.portalColumnId}`, WECHAT, DOUYIN, MEDIA_CENTER];
      // The package's row appears on the open board once the last approval released it.
      await byTestId(opsPage, UI.boardRow(packageId)).waitFor({ timeout: 60_000 });
      const seen = new Set<string>();
      // The held channel's cell shows it waiting; ops lifts the hold and watches it go live.
      await expect
        .poll(
          async () => {
            const label = await cellLabel(DOUYIN);
            if (label) seen.add(`${DOUYIN} ${label}`);
            return !!label && !label.includes('已上线');
          },
          { timeout: 60_000, interval: 250 },
        )
        .toBe(true);
      await system.api(people.ops, 'POST', `/api/channels/${encodeURIComponent(DOUYIN)}/resume`);
      for (const channel of apiChannels) {
        await expect
          .poll(
            async () => {
              const label = await cellLabel(channel);
              if (label) seen.add(`${channel} ${label}`);
              return label;
            },
            { timeout: 150_000, interval: 250 },
          )
          .toContain('已上线');
      }
      await expect.poll(() => cellLabel(TOUTIAO), { timeout: 60_000 }).toContain('待人工发布');
      // At least one cell was seen in an earlier state and then changed in place.
      expect(
        [...seen].some((s) => !s.includes('已上线')),
        `states seen: ${[...seen].join(', ')}`,
      ).toBe(true);
      expect(opsLoads, 'the board updated itself: no page load since it opened').toBe(loadsBefore);
      const live = await view();
      for (const channel of apiChannels) expect(live.deliveries.find((d) => d.channelId === channel)?.state, channel).toBe('live');
      // The legend's counts follow the board (read again at most 1.5 s after a change).
      const legendCount = async (state: string) => Number(await opsPage.getByTestId(`count-${state}`).innerText());
      await expect.poll(() => legendCount('live')).toBeGreaterThanOrEqual(apiChannels.length);
      await expect.poll(() => legendCount('awaiting_manual')).toBeGreaterThanOrEqual(1);
      await opsPage.waitForLoadState('networkidle');
      await screenshot(opsPage, 'ops-board');
    });
  });

  it('operations confirms the Toutiao hand-off with its URL; the package is released', async () => {
    await timed('ops: confirm manual hand-off', async () => {
      await (await cellOf(TOUTIAO)).click();
      const drawer = byTestId(opsPage, UI.drawer);
      await drawer.waitFor();
      await expect.poll(() => drawer.innerText()).toMatch(/今日头条/);
      await expect.poll(() => byTestId(opsPage, UI.drawerState).getAttribute('data-state')).toBe('awaiting_manual');
      await expectAccessible(opsPage, 'ops:board with the delivery drawer');
      await screenshot(opsPage, 'ops-board-drawer');
      await byTestId(opsPage, UI.confirmAction).click();
      await inputOf(opsPage, UI.confirmUrl).fill(TOUTIAO_POST);
      // Posted a moment ago, typed in Beijing time as the operator reads it off the platform (whole seconds).
      const wentUp = new Date(Math.floor(Date.now() / 1000) * 1000 - 1000);
      const beijing = new Date(wentUp.getTime() + 8 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
      const postedAt = opsPage.locator(`#${UI.confirmPostedAt}-input`);
      await postedAt.fill(beijing);
      await postedAt.press('Tab');
      await expect.poll(() => postedAt.inputValue()).toBe(beijing);
      await byTestId(opsPage, UI.confirmSubmit).click();
      await expect.poll(() => cellLabel(TOUTIAO), { timeout: 30_000 }).toContain('已上线');
      await expect.poll(async () => (await view()).status, { timeout: 60_000 }).toBe('released');
      const toutiao = (await view()).deliveries.find((d) => d.channelId === TOUTIAO);
      expect(toutiao?.publicUrl).toBe(TOUTIAO_POST);
      expect(toutiao?.liveAt).toBe(wentUp.toISOString());
      await opsPage.keyboard.press('Escape');
    });
  });

  it('operations retracts the package with a reason; the board says 已撤稿 and the API agrees', async () => {
    await timed('ops: retract', async () => {
      await expect.poll(() => byTestId(opsPage, UI.rowStatus(packageId)).innerText(), { timeout: 30_000 }).toContain('已发布');
      await byTestId(opsPage, UI.retract(packageId)).click();
      await inputOf(opsPage, UI.retractReason).fill('政策口径调整，撤回重新发布。');
      await byTestId(opsPage, UI.retractSubmit).click();
      // Toutiao has no API to take a post down: operations deletes it by hand and confirms here.
      await expect
        .poll(async () => (await view()).deliveries.find((d) => d.channelId === TOUTIAO)?.task, { timeout: 60_000, interval: 500 })
        .toBe('manual_takedown');
      await (await cellOf(TOUTIAO)).click();
      await byTestId(opsPage, UI.drawer).waitFor();
      await byTestId(opsPage, UI.confirmAction).click();
      await byTestId(opsPage, UI.confirmSubmit).click();
      await expect.poll(async () => (await view()).status, { timeout: 120_000, interval: 1000 }).toBe('retracted');
      await opsPage.keyboard.press('Escape');
      await expect.poll(() => byTestId(opsPage, UI.rowStatus(packageId)).innerText(), { timeout: 30_000 }).toContain('已撤稿');
      await expect.poll(() => cellLabel(WECHAT), { timeout: 30_000 }).toContain('已撤稿');
      const { entries } = await system.api<{ entries: { action: string; details: Record<string, unknown> }[] }>(
        people.ops,
        'GET',
        `/api/audit?package=${packageId}`,
      );
      expect(JSON.stringify(entries.filter((e) => e.action === 'retracting'))).toContain('政策口径调整');
      // The package's own page says it was retracted, when (Beijing time, to the minute, as the console shows times) and why.
      const asked = (await view()).retraction!.at;
      const beijing = new Date(Date.parse(asked) + 8 * 3_600_000).toISOString();
      await editor.goto(`${system.consoleUrl}packages/${packageId}`);
      const notice = byTestId(editor, UI.retraction);
      await expect.poll(() => notice.innerText(), { timeout: 20_000 }).toContain('已撤稿');
      expect(await notice.innerText()).toContain('原因：政策口径调整');
      expect((await notice.innerText()).replace(/\D/g, '')).toContain(`${beijing.slice(0, 10)}${beijing.slice(11, 16)}`.replace(/\D/g, ''));
    });
  });

  it("each role's main page is kept as a picture: the charts page too", async () => {
    await timed('ops: charts page', async () => {
      await opsPage.goto(`${system.consoleUrl}stats`);
      await expect.poll(() => opsPage.locator('h1').innerText()).toBe('发布统计');
      await expect.poll(() => byTestId(opsPage, UI.chartPerDay).locator('canvas, svg').count(), { timeout: 20_000 }).toBeGreaterThan(0);
      expect(await byTestId(opsPage, UI.chartPerDay).getAttribute('aria-label')).toBeTruthy();
      await opsPage.waitForLoadState('networkidle');
      await screenshot(opsPage, 'ops-stats');
      await expectAccessible(opsPage, 'ops:stats');
      // This journey's portal releases went live within seconds: said in seconds, never as 「0 分钟」.
      await byTestId(opsPage, UI.waitTableToggle).click();
      const waits = await byTestId(opsPage, UI.waitTable).locator('tbody tr').allInnerTexts();
      expect(waits.length).toBeGreaterThan(0);
      expect(waits.some((row) => /\d 秒/.test(row))).toBe(true);
      for (const row of waits) expect(row).not.toMatch(/(^|\s)0 分钟/);
      await editor.goto(`${system.consoleUrl}packages`);
      await expect.poll(() => editor.locator(`tr:has([data-testid="${UI.packageRow(packageId)}"])`).innerText(), { timeout: 20_000 }).toContain('已撤稿');
      await screenshot(editor, 'editor-packages');
    });
  });
});
