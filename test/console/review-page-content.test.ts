/**
 * The review page shows what will be released, in a real browser against a real govpub: besides
 * the document and each interpretation's body, a video interpretation's transcript (文字实录) and
 * captions, and the document's 主题分类 and 主题词 — all of which the portal publishes; and who
 * decided, by the name people know them by.
 */
import { openAsBlob } from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ROOT_DIR } from '../../config/settings.js';
import { launchChromium, skipBrowser } from '../support/browser.js';
import { freshDatabase } from '../support/services.js';
import { signedInPage, startConsoleSystem, type ConsoleSystem, type ConsoleUser } from './harness.js';
import { policyBody } from './journey-support.js';

const VIDEO = path.join(ROOT_DIR, 'examples', 'media', 'interpretation.mp4');
const CAPTIONS = 'WEBVTT\n\n00:00:00.000 --> 00:00:02.000\n三分钟读懂促进消费若干措施\n';
const TRANSCRIPT = '<p>解说：碑林区出台五项措施促进消费扩容提质，发放消费券、培育夜间经济。</p>';

describe.skipIf(skipBrowser)('what the review page shows of a package', () => {
  let system: ConsoleSystem;
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  let browser: Browser;
  let editor: ConsoleUser;
  let reviewer: ConsoleUser;
  let packageId: string;

  async function upload(file: Blob, name: string): Promise<string> {
    const form = new FormData();
    form.append('file', file, name);
    const answer = await fetch(`${system.url}/api/media`, { method: 'POST', headers: { authorization: `Bearer ${editor.token}` }, body: form });
    const text = await answer.text();
    expect(answer.status, text).toBe(201);
    return (JSON.parse(text) as { id: string }).id;
  }

  beforeAll(async () => {
    database = await freshDatabase();
    system = await startConsoleSystem({ databaseUrl: database.url, temporalAddress: inject('temporalAddress') });
    browser = await launchChromium();
    editor = await system.addUser('content-editor', 'editor');
    reviewer = await system.addUser('content-first', 'reviewer', { stages: ['初审'], displayName: '赵审核' });
    const video = await upload(await openAsBlob(VIDEO), '政策解读.mp4');
    const captions = await upload(new Blob([CAPTIONS], { type: 'text/vtt' }), '政策解读.vtt');
    const body = await policyBody(system, editor);
    const document = { ...(body.document as Record<string, unknown>), topic: '综合政务\\政务公开', keywords: ['营商环境', '惠企政策'] };
    const interpretations = [
      ...(body.interpretations as unknown[]),
      { form: 'video', title: '三分钟读懂营商环境措施', body: '', mediaId: video, captionsMediaId: captions, transcript: TRANSCRIPT },
    ];
    packageId = (await system.api<{ id: string }>(editor, 'POST', '/api/packages', { ...body, document, interpretations })).id;
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await system?.stop();
    await database?.close();
  });

  it('the transcript and captions of a video interpretation, and the document’s 主题分类 and 主题词', async () => {
    const { page, errors, close } = await signedInPage(browser, system, reviewer, { width: 1440, height: 1000 });
    try {
      await page.goto(`${system.consoleUrl}reviews/${packageId}`);
      const interpretations = page.getByTestId('review-interpretations');
      await interpretations.waitFor({ timeout: 30_000 });
      await expect.poll(() => page.getByTestId('review-transcript-1').textContent()).toContain('碑林区出台五项措施促进消费扩容提质');
      expect(await interpretations.getByRole('heading', { name: '文字实录' }).count()).toBe(1);
      const captionsLink = page.getByTestId('review-captions-1').getByRole('link');
      expect(await captionsLink.getAttribute('href')).toMatch(/^\/api\/media\/[0-9a-f]{64}\/content$/);
      expect(await page.locator('video track[kind="captions"]').getAttribute('src')).toBe(await captionsLink.getAttribute('href'));
      expect(await page.getByTestId('review-document-topic').textContent()).toContain('综合政务\\政务公开');
      expect(await page.getByTestId('review-document-keywords').textContent()).toContain('营商环境、惠企政策');
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });

  it('who decided: the reviewer’s display name in the stages and the history, on the review page and the package page', async () => {
    const id = (await system.api<{ id: string }>(editor, 'POST', '/api/packages', await policyBody(system, editor, '关于做好冬季供暖保障工作的通知'))).id;
    await system.api(editor, 'POST', `/api/packages/${id}/submit`);
    await system.api(reviewer, 'POST', `/api/packages/${id}/decisions`, { revision: 1, stage: 'first', decision: 'approve', comment: '同意' });
    const { page, errors, close } = await signedInPage(browser, system, reviewer, { width: 1440, height: 1000 });
    try {
      await page.goto(`${system.consoleUrl}reviews/${id}`);
      await expect.poll(() => page.getByTestId('review-decision-0').textContent()).toContain('赵审核 · 第 1 版');
      expect(await page.getByTestId('review-stages').textContent()).toContain('赵审核 通过');
      await page.goto(`${system.consoleUrl}packages/${id}`);
      await expect.poll(() => page.getByRole('table').filter({ hasText: '同意' }).textContent()).toContain('赵审核');
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });
});
