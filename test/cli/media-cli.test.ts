/**
 * `govpub media …` as a user runs it (the real command, a child process) against this file's own
 * database, media store and task queue, with the media workers running in this process.
 */
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ROOT_DIR } from '../../config/settings.js';
import { createWatermarkLookup, DEFAULT_WATERMARKS_PATH } from '../../config/watermarks.js';
import { makeClip, makePhoto, mediaToolsForTests } from '../media/fixtures.js';
import { startMediaHarness, until, type MediaHarness } from '../media/media-harness.js';
import { runCli } from '../support/cli.js';

const tools = await mediaToolsForTests();
let h: MediaHarness;
let env: Record<string, string>;
let photo: string;
let photoId: string;

beforeAll(async () => {
  h = await startMediaHarness();
  await h.startWorkers();
  env = {
    DATABASE_URL: h.databaseUrl,
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    GOVPUB_TASK_QUEUE: h.taskQueue,
    GOVPUB_MEDIA_DIR: h.storeDir,
    GOVPUB_DATA_DIR: path.join(h.dir, 'data'),
    // The CLI acts through the API with the editor's token.
    GOVPUB_API_URL: h.base,
    GOVPUB_TOKEN: h.editor.token,
  };
  photo = path.join(h.dir, '会场.jpg');
  await makePhoto(photo, 1200, 800, { gps: true });
}, 180_000);

afterAll(async () => {
  await h?.close();
});

describe('govpub media', () => {
  it('add: streams the file in, prints id, kind and size, and the rendition job', { timeout: 180_000 }, async () => {
    const added = await runCli(['media', 'add', photo, '--renditions', 'wechat_oa', '--json'], env);
    expect(added.code, added.stderr).toBe(0);
    const body = JSON.parse(added.stdout);
    photoId = body.id;
    expect(body).toMatchObject({ kind: 'image', mime: 'image/jpeg', width: 1200, height: 800, uploadName: '会场.jpg', created: true });
    expect(body.id).toMatch(/^[0-9a-f]{64}$/);
    expect(body.job).toMatchObject({ state: 'queued', mediaId: body.id });
    expect(body.job.specs).toEqual(expect.arrayContaining(['wechat_oa.cover', 'wechat_oa.thumb', 'wechat_oa.inline']));
    expect(body.warnings.join(' ')).toMatch(/GPS location/);
    expect(await h.store.has(body.id)).toBe(true);

    const again = await runCli(['media', 'add', photo], env);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain(`already stored ${photoId}`);
    expect(again.stdout).toMatch(/image image\/jpeg 1200×800, [\d.]+ KB {2}\(会场\.jpg\)/);
  });

  it('status --watch: a progress line per change (plain lines when not a terminal), then the renditions; exit 0', { timeout: 240_000 }, async () => {
    // No media worker yet: the job waits, so the watch sees it from queued to done.
    await h.stopWorkers();
    const clip = path.join(h.dir, 'talk.mp4');
    makeClip(tools.binaries!.ffmpeg.path, clip, { width: 320, height: 180, seconds: 8, fps: 25 });
    const added = await runCli(['media', 'add', clip, '--renditions', 'portal.video_720'], env);
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toMatch(/^added [0-9a-f]{64}$/m);
    expect(added.stdout).toMatch(/video video\/mp4 320×180 8\.0 s/);
    const jobId = /job (mj-[0-9a-z-]+) queued: 1 rendition \(portal\.video_720\)/.exec(added.stdout)?.[1];
    expect(jobId, added.stdout).toBeTruthy();
    expect(added.stdout).toContain(`govpub media status ${jobId} --watch`);
    const mediaId = /^added ([0-9a-f]{64})$/m.exec(added.stdout)![1]!;

    const watch = spawn(process.execPath, [path.join(ROOT_DIR, 'bin', 'govpub.mjs'), 'media', 'status', mediaId.slice(0, 10), '--watch', '--interval', '200'], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    watch.stdout.on('data', (d) => (stdout += d));
    watch.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number>((resolve) => watch.once('exit', (code) => resolve(code ?? -1)));
    await until('the watch to show the queued job', async () => (stdout.includes('waiting for a media worker') ? true : undefined), 60_000, 100);
    await h.startWorkers();
    expect(await exited, stderr).toBe(0);

    const jobLines = stdout.split('\n').filter((l) => l.startsWith(jobId!));
    expect(jobLines[0]).toMatch(/queued {3}\[░{24}\] {3}0% {2}waiting for a media worker \(1 renditions\)/);
    expect(
      jobLines.some((l) => /running  \[█*░+\] +\d+% {2}portal\.video_720 \(1\/1\)/.test(l)),
      stdout,
    ).toBe(true);
    expect(jobLines.at(-1)).toMatch(/done {5}\[█{24}\] 100% {2}1\/1 renditions/);
    expect(stdout).toMatch(/portal\.video_720\s+the district portal video 720p\s+video\/mp4\s+1280×720/);
    expect(stdout).not.toMatch(/\x1b\[/); // no cursor movement into a pipe

    const json = await runCli(['media', 'status', mediaId, '--json'], env);
    expect(JSON.parse(json.stdout)).toMatchObject({
      id: mediaId,
      renditions: [{ specKey: 'portal.video_720' }],
      jobs: [{ id: jobId, state: 'done', progress: 100 }],
    });
  });

  it('list: newest first, as a table or JSON', async () => {
    const table = await runCli(['media', 'list'], env);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout.split('\n')[0]).toMatch(/^id\s+kind\s+type\s+size\s+duration\s+bytes\s+name\s+added/);
    expect(table.stdout).toContain(photoId.slice(0, 12));
    const json = JSON.parse((await runCli(['media', 'list', '--json', '--kind', 'image'], env)).stdout) as { id: string; kind: string }[];
    expect(json.map((m) => m.id)).toContain(photoId);
    expect(json.every((m) => m.kind === 'image')).toBe(true);
  });

  it('refusals: empty and non-media files exit 1 with the sentence', { timeout: 180_000 }, async () => {
    const empty = path.join(h.dir, 'empty.jpg');
    await writeFile(empty, '');
    const e = await runCli(['media', 'add', empty], env);
    expect(e.code).toBe(1);
    expect(e.stderr).toMatch(/govpub: empty\.jpg is empty \(0 bytes\)/);
    const notes = path.join(h.dir, 'notes.jpg');
    await writeFile(notes, '关于进一步优化营商环境的若干措施\n'.repeat(20));
    const t = await runCli(['media', 'add', notes, '--json'], env);
    expect(t.code).toBe(1);
    expect(JSON.parse(t.stdout).error).toMatchObject({ code: 'media_unsupported' });
    expect(JSON.parse(t.stdout).error.message).toMatch(/notes\.jpg is a text file/);
    const missing = await runCli(['media', 'add', path.join(h.dir, 'nope.jpg')], env);
    expect(missing.stderr).toMatch(/Cannot read .*nope\.jpg: no such file or directory \(ENOENT\)/);
  });

  it('a --renditions the API refuses after the upload says the file is stored, with its id', { timeout: 180_000 }, async () => {
    const poster = path.join(h.dir, '海报.jpg');
    await makePhoto(poster, 640, 480);
    const result = await runCli(['media', 'add', poster, '--renditions', 'doyin'], env);
    expect(result.code).toBe(1);
    const id = /海报\.jpg is stored as ([0-9a-f]{64}), but no renditions were asked for: platforms\[0\]: expected one of/.exec(result.stderr)?.[1];
    expect(id, result.stderr).toBeDefined();
    expect(result.stderr).toContain('the file is not uploaded twice');
    expect(await h.store.has(id!)).toBe(true);
  });

  it(
    'status in Chinese (GOVPUB_LANG=zh): a rendition that could not be made exactly is named in Chinese, not by its key or in English',
    { timeout: 180_000 },
    async () => {
      const smaller = path.join(h.dir, '合影.jpg');
      await makePhoto(smaller, 1200, 800);
      const added = await runCli(['media', 'add', smaller, '--renditions', 'bilibili.cover', '--json'], env);
      expect(added.code, added.stderr).toBe(0);
      const jobId = JSON.parse(added.stdout).job.id as string;
      const watched = await runCli(['media', 'status', jobId, '--watch', '--interval', '200'], { ...env, GOVPUB_LANG: 'zh' });
      expect(watched.code, watched.stderr).toBe(0);
      // Before: "  bilibili.cover: Original is 1200×800; Bilibili cover 16:10 (≥ 960×600, ≤ 5 MB) is 1200×750 …".
      expect(watched.stdout).toContain('\n  原图为 1200×800，不放大：哔哩哔哩视频封面（16:10）为 1200×750，而不是 1920×1200。\n');
      expect(watched.stdout).not.toContain('Original is');
      expect(watched.stdout).not.toContain('bilibili.cover:');
      // The API says what each rendition of the job is called, for the console's list of notes.
      const json = await runCli(['media', 'status', jobId, '--json'], env);
      expect(JSON.parse(json.stdout).specNames).toEqual({
        'bilibili.cover': { label: 'Bilibili cover 16:10 (≥ 960×600, ≤ 5 MB)', labelZh: '哔哩哔哩视频封面（16:10）' },
      });
    },
  );

  it('a job that fails: status --watch exits 1 and says why (here: no CJK font for the watermark)', { timeout: 180_000 }, async () => {
    h.workerDeps.watermarkFor = createWatermarkLookup(DEFAULT_WATERMARKS_PATH, { env: { GOVPUB_FONT_PATH: '/nowhere/NotoSansCJK-Bold.ttc' } });
    try {
      const added = await runCli(['media', 'add', photo, '--renditions', 'douyin.image', '--json'], env);
      expect(added.code, added.stderr).toBe(0);
      const jobId = JSON.parse(added.stdout).job.id as string;
      const watched = await runCli(['media', 'status', jobId, '--watch', '--interval', '200'], env);
      expect(watched.code).toBe(1);
      expect(watched.stdout).toMatch(new RegExp(`${jobId}\\s+failed`));
      expect(watched.stdout).toMatch(/douyin\.image failed: GOVPUB_FONT_PATH=\/nowhere\/NotoSansCJK-Bold\.ttc does not exist/);
      expect(watched.stderr).toMatch(
        new RegExp(`govpub: job ${jobId} failed: douyin\\.image: GOVPUB_FONT_PATH=/nowhere/NotoSansCJK-Bold\\.ttc does not exist`),
      );

      const cancel = await runCli(['media', 'cancel', jobId], env);
      expect(cancel.code).toBe(1);
      expect(cancel.stderr).toMatch(/has already finished \(failed\); there is nothing to cancel/);
    } finally {
      delete h.workerDeps.watermarkFor;
    }
  });
});
