/**
 * The console's package form offers the disclosure fields, in a real browser against a real
 * govpub: 主题分类 from the taxonomy, 主题词 as tags, 有效性 with its 施行日期 for a normative
 * catalogue item, and an attachment uploaded as a PDF; saved, the API has them; the package page
 * shows them with "索引号 首次发布时生成" until the first release.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchChromium, skipBrowser } from '../support/browser.js';
import { minimalPdf } from '../support/documents.js';
import { freshDatabase } from '../support/services.js';
import { expectAccessible } from './axe.js';
import { screenshot, signIn, startConsoleSystem, watchPage, type ConsoleSystem, type ConsoleUser } from './harness.js';
import { policyBody } from './journey-support.js';

describe.skipIf(skipBrowser)('the package form’s disclosure fields', () => {
  let system: ConsoleSystem;
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  let browser: Browser;
  let editor: ConsoleUser;
  let packageId: string;

  beforeAll(async () => {
    database = await freshDatabase();
    system = await startConsoleSystem({ databaseUrl: database.url, temporalAddress: inject('temporalAddress') });
    browser = await launchChromium();
    editor = await system.addUser('fields-editor', 'editor');
    const body = await policyBody(system, editor);
    const catalogue = await system.api<{ items: { id: string; normative: boolean }[] }>(editor, 'GET', '/api/catalogue');
    expect(catalogue.items.find((i) => i.id === body.catalogueItem)?.normative).toBe(true);
    packageId = (await system.api<{ id: string }>(editor, 'POST', '/api/packages', body)).id;
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await system?.stop();
    await database?.close();
  });

  it('fills 主题分类, 主题词, 有效性 and a PDF attachment; the API stores them; the package page shows them', async () => {
    const context = await browser.newContext({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai', reducedMotion: 'reduce' });
    try {
      const page = await context.newPage();
      await signIn(page, system, editor);
      // Watched from here: the sign-in page's own probe of the session answers 401 by design.
      const watched = watchPage(page);
      await page.goto(`${system.consoleUrl}packages/${packageId}/edit`);
      await page.getByTestId('document-topic').waitFor({ timeout: 30_000 });

      await page.getByTestId('document-topic').click();
      await page.getByRole('option', { name: '综合政务\\政务公开' }).click();

      // A tag input: typed, Enter makes a tag.
      await page.getByTestId('document-keywords').click();
      for (const word of ['营商环境', '规范性文件']) {
        await page.keyboard.type(word);
        await page.keyboard.press('Enter');
      }
      await page.keyboard.press('Escape');

      // Offered because the catalogue item is normative (行政规范性文件).
      await page.getByTestId('document-validity').waitFor();
      await page.getByTestId('document-validity-state').click();
      await page.getByRole('option', { name: '有效', exact: true }).click();
      const effective = page.locator('#field-document-validity-effectiveFrom').first();
      await effective.fill('2026-12-01');
      await effective.press('Enter');

      await page.getByTestId('attachment-add').click();
      await page.getByTestId('attachment-upload-0').setInputFiles({ name: '实施细则.pdf', mimeType: 'application/pdf', buffer: minimalPdf('console') });
      await page.getByTestId('attachment-file-0').waitFor({ timeout: 30_000 });

      // The new controls have names a screen reader says (axe-core: no serious or critical violation).
      await expectAccessible(page, 'package form with the disclosure fields');
      await page.getByTestId('save').click();
      await expect.poll(() => page.getByTestId('unsaved').count(), { timeout: 30_000 }).toBe(0);
      await screenshot(page, 'editor-document-fields');

      const view = await system.api<{ content: { document: Record<string, unknown> }; revision: number; indexNumber: string | null; validity: unknown }>(
        editor,
        'GET',
        `/api/packages/${packageId}`,
      );
      expect(view.revision).toBe(2);
      expect(view.content.document).toMatchObject({
        topic: '综合政务\\政务公开',
        keywords: ['营商环境', '规范性文件'],
        validity: { state: 'valid', effectiveFrom: '2026-12-01', endedAt: null },
        attachments: [{ name: '实施细则', mediaId: expect.stringMatching(/^[0-9a-f]{64}$/) }],
      });
      expect(view.indexNumber).toBeNull();
      const media = await system.api<{ kind: string; format: string }>(
        editor,
        'GET',
        `/api/media/${(view.content.document.attachments as { mediaId: string }[])[0]!.mediaId}`,
      );
      expect(media).toMatchObject({ kind: 'document', format: 'pdf' });

      await page.goto(`${system.consoleUrl}packages/${packageId}`);
      await expect.poll(() => page.getByTestId('package-index-number').innerText(), { timeout: 20_000 }).toBe('首次发布时生成');
      await expect.poll(() => page.getByTestId('package-validity-text').innerText()).toBe('有效（施行日期 2026-12-01）');
      expect(await page.getByText('营商环境、规范性文件').count()).toBe(1);
      // An editor may not change a validity (reviewers and administrators do, once it is released).
      expect(await page.getByTestId('package-validity').count()).toBe(0);
      expect(watched.errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('offers 变更有效性 to a reviewer once the document is released, not while its first release waits for a manual post (the API would refuse it)', async () => {
    const [first, second, final] = await Promise.all([
      system.addUser('fields-first', 'reviewer', { stages: ['初审'] }),
      system.addUser('fields-second', 'reviewer', { stages: ['复审'] }),
      system.addUser('fields-final', 'reviewer', { stages: ['终审'] }),
    ]);
    const body = await policyBody(system, editor, '关于印发碑林区规范性文件管理办法的通知');
    const id = (await system.api<{ id: string }>(editor, 'POST', '/api/packages', { ...body, targets: [...(body.targets as string[]), 'toutiao:blfb-tt'] })).id;
    await system.api(editor, 'POST', `/api/packages/${id}/submit`, {});
    for (const reviewer of [first, second, final])
      await system.api(reviewer, 'POST', `/api/packages/${id}/decisions`, { revision: 1, decision: 'approve', comment: '同意' });
    const deliveries = async () =>
      (await system.api<{ items: { id: string; channelId: string; state: string }[] }>(final, 'GET', `/api/deliveries?package=${id}`)).items;
    await expect.poll(async () => (await deliveries()).find((d) => d.channelId === 'toutiao:blfb-tt')?.state, { timeout: 90_000 }).toBe('awaiting_manual');
    expect((await system.api<{ status: string }>(final, 'GET', `/api/packages/${id}`)).status).toBe('releasing');

    const context = await browser.newContext({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai', reducedMotion: 'reduce' });
    try {
      const page = await context.newPage();
      await signIn(page, system, final);
      await page.goto(`${system.consoleUrl}packages/${id}`);
      await page.getByTestId('package-validity-text').waitFor({ timeout: 30_000 });
      expect(await page.getByTestId('package-validity').count()).toBe(0);

      const ops = await system.addUser('fields-ops', 'ops');
      const toutiao = (await deliveries()).find((d) => d.channelId === 'toutiao:blfb-tt')!;
      await system.api(ops, 'POST', `/api/deliveries/${toutiao.id}/confirm`, { url: 'https://www.toutiao.com/article/7400000000000000002/' });
      await expect.poll(async () => (await system.api<{ status: string }>(final, 'GET', `/api/packages/${id}`)).status, { timeout: 60_000 }).toBe('released');
      await page.reload();
      await page.getByTestId('package-validity').waitFor({ timeout: 30_000 });
    } finally {
      await context.close();
    }
  });
});
