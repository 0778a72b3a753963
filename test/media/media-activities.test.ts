/**
 * Rendition jobs end to end: the media-renditions workflow on a real Temporal server, its render
 * activities on the media task queue with real ffmpeg/sharp, progress in PostgreSQL and the API.
 *
 * - progress heartbeats rise to 100 and show in media_jobs and GET /api/media/:id;
 * - asking again costs nothing (no ffmpeg, no ffprobe, no sharp);
 * - a rendition ffmpeg refuses fails the job with its sentence, in Chinese too;
 * - cancelling the job kills ffmpeg: no ffmpeg is left and the job is canceled;
 * - a worker process killed with SIGKILL mid-transcode: a new one finishes the job, renditions
 *   already made are not made again, and the render resumes from its heartbeat.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { defaultPayloadConverter } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ROOT_DIR } from '../../config/settings.js';
import { activeMediaProcesses, mediaCounters } from '../../media/process.js';
import type { MediaJobView } from '../../services/media.js';
import { mediaJobWorkflowId } from '../../contracts/media.js';
import { insertJob } from '../../db/media.js';
import { makeClip, mediaToolsForTests, useFfmpeg, writePacedFfmpeg } from './fixtures.js';
import { saveHistory } from '../support/histories.js';
import { ffmpegProcessesMentioning, startMediaHarness, until, uploadFile, type MediaHarness } from './media-harness.js';

const tools = await mediaToolsForTests();
let h: MediaHarness;
const children: ChildProcess[] = [];
let unpaceFfmpeg: (() => void) | undefined;

beforeAll(async () => {
  h = await startMediaHarness({ heartbeatTimeoutSec: 5 });
  // The workers here (and the worker processes, which inherit it) transcode at the clip's pace: a
  // transcode under way for as long as each test needs one, at a short clip's CPU.
  unpaceFfmpeg = useFfmpeg(await writePacedFfmpeg(h.dir, tools.binaries!.ffmpeg.path));
  await h.startWorkers();
}, 180_000);

afterAll(async () => {
  for (const c of children) await killChild(c);
  await h?.close();
  unpaceFfmpeg?.();
});

async function job(id: string): Promise<MediaJobView> {
  return h.media.getJob(id);
}

async function clip(name: string, opts: Parameters<typeof makeClip>[2]): Promise<string> {
  const file = path.join(h.dir, name);
  makeClip(tools.binaries!.ffmpeg.path, file, opts);
  const res = await uploadFile(h, file, name);
  expect(res.status).toBe(201);
  return res.body.id as string;
}

async function request(mediaId: string, body: Record<string, unknown>): Promise<MediaJobView & { existing: boolean }> {
  const res = await h.call('POST', `/api/media/${mediaId}/renditions`, h.editor.token, body);
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  return res.body;
}

function finished(jobId: string, timeoutMs = 180_000): Promise<MediaJobView> {
  return until(
    `job ${jobId} to finish`,
    async () => {
      const j = await job(jobId);
      return ['done', 'failed', 'canceled'].includes(j.state) ? j : undefined;
    },
    timeoutMs,
    200,
  );
}

/** Activity attempts per spec, from the workflow's history. */
async function renderAttempts(jobId: string): Promise<Record<string, { scheduled: number; attempts: number[] }>> {
  const history = await h.client.workflow.getHandle(mediaJobWorkflowId(jobId)).fetchHistory();
  const specOf = new Map<string, string>();
  const out: Record<string, { scheduled: number; attempts: number[] }> = {};
  for (const e of history.events ?? []) {
    const scheduled = e.activityTaskScheduledEventAttributes;
    if (scheduled && scheduled.activityType?.name === 'renderRendition') {
      const input = defaultPayloadConverter.fromPayload<{ specKey: string }>(scheduled.input!.payloads![0]!);
      specOf.set(String(e.eventId), input.specKey);
      (out[input.specKey] ??= { scheduled: 0, attempts: [] }).scheduled++;
    }
    const started = e.activityTaskStartedEventAttributes;
    if (started) {
      const spec = specOf.get(String(started.scheduledEventId));
      if (spec) out[spec]!.attempts.push(started.attempt ?? 1);
    }
  }
  return out;
}

async function killChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}

async function startWorkerProcess(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT_DIR, 'test', 'media', 'media-worker-process.ts')], {
    cwd: ROOT_DIR,
    env: {
      ...process.env,
      DATABASE_URL: h.databaseUrl,
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      GOVPUB_TASK_QUEUE: h.taskQueue,
      GOVPUB_MEDIA_DIR: h.storeDir,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  await until(
    'the media worker process to start',
    async () => {
      if (child.exitCode !== null) throw new Error(`media worker exited:\n${output}`);
      return output.includes('media worker: polling') ? true : undefined;
    },
    120_000,
    200,
  );
  return child;
}

describe('a rendition job', () => {
  let clipId: string;

  it('reports progress from ffmpeg: heartbeats, media_jobs and the API rise to 100', { timeout: 240_000 }, async () => {
    // Paced: the transcode takes the clip's 10 s, several of the heartbeats sent every 2 s.
    clipId = await clip('speech.mp4', { width: 640, height: 360, seconds: 10, fps: 25 });
    const queued = await request(clipId, { specs: ['portal.video_720', 'portal.poster'] });
    expect(queued).toMatchObject({ state: 'queued', progress: 0, specs: ['portal.video_720', 'portal.poster'], existing: false });

    const seen: number[] = [];
    const beats: { percent: number; spec: string }[] = [];
    const handle = h.client.workflow.getHandle(mediaJobWorkflowId(queued.id));
    let view: MediaJobView;
    for (;;) {
      const detail = await h.call('GET', `/api/media/${clipId}`, h.reviewer.token);
      view = (detail.body.jobs as MediaJobView[]).find((j) => j.id === queued.id)!;
      if (seen.at(-1) !== view.progress) seen.push(view.progress);
      const pending = (await handle.describe()).raw.pendingActivities ?? [];
      for (const a of pending) {
        const payload = a.heartbeatDetails?.payloads?.[0];
        if (payload) beats.push(defaultPayloadConverter.fromPayload(payload));
      }
      if (['done', 'failed', 'canceled'].includes(view.state)) break;
      await new Promise((r) => setTimeout(r, 150));
    }
    expect(view.state, view.error ?? '').toBe('done');
    expect(view.progress).toBe(100);
    expect(seen.at(-1)).toBe(100);
    // Rising in steps: several values strictly between 0 and 100, never going back.
    expect(seen.filter((p) => p > 0 && p < 100).length).toBeGreaterThanOrEqual(3);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);
    expect(beats.some((b) => b.spec === 'portal.video_720' && b.percent > 0 && b.percent < 100)).toBe(true);

    // Both renditions are in the API and served as files.
    const detail = await h.call('GET', `/api/media/${clipId}`, h.reviewer.token);
    const renditions = detail.body.renditions as {
      specKey: string;
      labelZh: string;
      mime: string;
      width: number;
      height: number;
      sizeBytes: number;
      url: string;
    }[];
    expect(renditions.map((r) => r.specKey).sort()).toEqual(['portal.poster', 'portal.video_720']);
    const video = renditions.find((r) => r.specKey === 'portal.video_720')!;
    // Named as the console names it, not only by its key.
    expect(video).toMatchObject({ mime: 'video/mp4', width: 1280, height: 720, labelZh: '区政府门户网站横屏视频（720p）' });
    expect((await fetch(`${h.base}${video.url}`)).status).toBe(401); // renditions by original id: for govpub's users
    const auth = { authorization: `Bearer ${h.reviewer.token}` };
    const file = await fetch(`${h.base}${video.url}`, { headers: auth });
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('video/mp4');
    expect(Buffer.from(await file.arrayBuffer()).length).toBe(video.sizeBytes);
    const range = await fetch(`${h.base}/api/media/${clipId}/renditions/portal.poster`, { headers: { ...auth, range: 'bytes=0-1' } });
    expect(range.status).toBe(206);
    expect([...Buffer.from(await range.arrayBuffer())]).toEqual([0xff, 0xd8]); // a JPEG
    expect(view.results['portal.video_720']).toMatchObject({ ok: true, cached: false, mime: 'video/mp4' });
    // What the render noted, in English and in the Chinese the console shows, in the job and in the rendition.
    const enlarged = {
      warnings: ['Original is 640×360; the 1280×720 rendition is enlarged 2.0× and may look soft.'],
      warningsZh: ['原视频为 640×360，1280×720 的版本要放大 2.0 倍，可能不够清晰。'],
    };
    expect(view.results['portal.video_720']).toMatchObject(enlarged);
    expect(video).toMatchObject(enlarged);
    saveHistory('media-job-video-and-poster', mediaJobWorkflowId(view.id));
  });

  it('asking again costs nothing: no ffmpeg, no ffprobe, no sharp', async () => {
    const before = { ...mediaCounters };
    const started = Date.now();
    const again = await request(clipId, { specs: ['portal.video_720', 'portal.poster'] });
    const done = await finished(again.id);
    expect(done.state).toBe('done');
    expect(done.results['portal.video_720']).toMatchObject({ ok: true, cached: true });
    expect(done.results['portal.poster']).toMatchObject({ ok: true, cached: true });
    expect(mediaCounters).toEqual(before);
    console.log(`cached job: ${Date.now() - started} ms end to end (workflow + 2 activities + bookkeeping)`);
  });

  it('a job recorded by a process that died before starting its workflow is started by the next identical request', { timeout: 120_000 }, async () => {
    // What the crash left: the job's row, and no workflow under its id.
    const jobId = `mj-orphan-${Date.now()}`;
    await insertJob(h.db, {
      id: jobId,
      media_id: clipId,
      specs: JSON.stringify(['portal.video_720', 'portal.poster']),
      channel_id: null,
      problems: '[]',
      workflow_id: mediaJobWorkflowId(jobId),
      owner: '{}',
      requested_by: h.editor.actor.id,
    });
    const again = await request(clipId, { specs: ['portal.video_720', 'portal.poster'] });
    expect(again).toMatchObject({ id: jobId, existing: true });
    const done = await finished(jobId, 60_000);
    expect(done.state).toBe('done');
    expect(done.results['portal.poster']).toMatchObject({ ok: true, cached: true });
    // Started once: one run under the job's workflow id (visibility lags a moment behind).
    const runsOfJob = async () => {
      let count = 0;
      for await (const run of h.client.workflow.list({ query: `WorkflowId = '${mediaJobWorkflowId(jobId)}'` })) if (run.status.name === 'COMPLETED') count++;
      return count;
    };
    await expect.poll(runsOfJob).toBe(1);
  });

  it('a rendition ffmpeg refuses fails the job with the sentence in Chinese too, for the console', { timeout: 120_000 }, async () => {
    const refusedClip = await clip('refused.mp4', { width: 320, height: 180, seconds: 2, fps: 10 });
    // A real ffmpeg that reads the file and refuses it, as a damaged upload makes it do.
    const refusing = path.join(h.dir, 'refusing-ffmpeg');
    await writeFile(
      refusing,
      `#!/bin/sh\ncase "$*" in *-version*) exec '${tools.binaries!.ffmpeg.path}' "$@";; esac\necho 'refused.mp4: Invalid data found when processing input' >&2\nexit 1\n`,
      { mode: 0o755 },
    );
    const restoreFfmpeg = useFfmpeg(refusing);
    try {
      const done = await finished((await request(refusedClip, { specs: ['portal.poster'] })).id);
      expect(done.state).toBe('failed');
      const failure = done.results['portal.poster'] as { ok: boolean; code: string; message: string; messageZh?: string };
      expect(failure).toMatchObject({ ok: false, code: 'media_transcode_failed' });
      expect(failure.message).toContain('Invalid data found when processing input');
      // The activity's own Chinese sentence, carried through Temporal, not the code's generic one.
      expect(failure.messageZh).toContain('无法从「refused.mp4」截取封面画面');
      const detail = await h.call('GET', `/api/media/${refusedClip}`, h.editor.token);
      const viewed = (detail.body.jobs as MediaJobView[]).find((j) => j.id === done.id)!;
      expect(viewed.results['portal.poster']).toMatchObject({ ok: false, messageZh: failure.messageZh });
    } finally {
      restoreFfmpeg();
    }
  });

  it('cancel: ffmpeg is killed, nothing is left running or half-written, the job is canceled', { timeout: 240_000 }, async () => {
    const longClip = await clip('long.mp4', { width: 640, height: 360, seconds: 40, fps: 25 });
    const started = await request(longClip, { specs: ['douyin.video_1080'] });
    // The same request while it runs finds the same job.
    const twin = await request(longClip, { specs: ['douyin.video_1080'] });
    expect(twin).toMatchObject({ id: started.id, existing: true });

    await until(
      'the transcode to be under way',
      async () => {
        const j = await job(started.id);
        return (j.specProgress['douyin.video_1080'] ?? 0) >= 3 && activeMediaProcesses().length > 0 ? j : undefined;
      },
      120_000,
    );
    expect(await ffmpegProcessesMentioning(h.storeDir)).not.toHaveLength(0);

    const res = await h.call('DELETE', `/api/media/jobs/${started.id}`, h.editor.token);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ state: 'canceled' });
    expect(res.body.error).toMatch(/Cancelled by media-editor/);
    // The workflow waited for the activity to stop: ffmpeg is gone already.
    expect(activeMediaProcesses()).toEqual([]);
    expect(await ffmpegProcessesMentioning(h.storeDir)).toEqual([]);
    const description = await h.client.workflow.getHandle(mediaJobWorkflowId(started.id)).describe();
    expect(description.status.name).toBe('CANCELLED');
    expect(await h.db.selectFrom('media_renditions').select('spec_key').where('media_id', '=', longClip).execute()).toEqual([]);
    expect((await readdir(path.join(h.storeDir, 'tmp'))).filter((f) => f.startsWith('render-'))).toEqual([]);

    const again = await h.call('DELETE', `/api/media/jobs/${started.id}`, h.editor.token);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('media_job_finished');
  });

  it('a worker killed with SIGKILL mid-transcode: a new one resumes, finished renditions are not redone', { timeout: 420_000 }, async () => {
    await h.stopWorkers();
    // While no worker runs: a job owned by a package whose release is then cancelled never transcodes.
    // (The owner must exist: a package id nobody has is refused, below.)
    const strayOwner = await h.call('POST', `/api/media/${clipId}/renditions`, h.editor.token, {
      specs: ['news_site.video_720'],
      owner: { packageId: 'pkg-20261125-media01' },
    });
    expect(strayOwner.status).toBe(400);
    expect(strayOwner.body.error.issues).toEqual([
      {
        path: 'owner.packageId',
        message: expect.stringContaining('no package has the id "pkg-20261125-media01"'),
        messageZh: expect.stringContaining('没有编号为 "pkg-20261125-media01" 的稿件'),
      },
    ]);
    await h.db
      .insertInto('packages')
      .values({
        id: 'pkg-20261125-media01',
        title: '转码归属测试',
        catalogue_item_id: 'qzf-wj',
        content_class: 'policy',
        status: 'draft',
        current_revision: 1,
        created_by: h.editor.actor.id,
      })
      .execute();
    const owned = await request(clipId, { specs: ['news_site.video_720'], owner: { packageId: 'pkg-20261125-media01' } });
    expect(await h.media.cancelForOwner({ packageId: 'pkg-20261125-media01' }, 'the release of pkg-20261125-media01 was cancelled')).toEqual([owned.id]);

    const first = await startWorkerProcess();
    const ownedDone = await finished(owned.id);
    expect(ownedDone).toMatchObject({ state: 'canceled', error: 'Cancelled: the release of pkg-20261125-media01 was cancelled', specProgress: {} });
    const crashClip = await clip('crash.mp4', { width: 640, height: 360, seconds: 12, fps: 25 });
    const started = await request(crashClip, { specs: ['news_site.poster', 'news_site.video_1080'] });

    const atKill = await until(
      'the poster made and the video transcode under way',
      async () => {
        const j = await job(started.id);
        return (j.results['news_site.poster'] as { ok?: boolean } | undefined)?.ok && (j.specProgress['news_site.video_1080'] ?? 0) >= 30 ? j : undefined;
      },
      180_000,
    );
    await killChild(first);
    // Its ffmpeg does not outlive it (the progress pipe breaks; ffmpeg stops).
    await until('the killed worker’s ffmpeg to stop', async () => ((await ffmpegProcessesMentioning(h.storeDir)).length === 0 ? true : undefined), 15_000);
    expect((await job(started.id)).state).toBe('running');

    const second = await startWorkerProcess();
    const done = await finished(started.id, 300_000);
    expect(done.state, done.error ?? '').toBe('done');
    expect(done.progress).toBe(100);

    const attempts = await renderAttempts(started.id);
    // The poster was made once, before the crash, and never scheduled again.
    expect(attempts['news_site.poster']).toEqual({ scheduled: 1, attempts: [1] });
    // The video was retried after its heartbeats stopped, on the new worker.
    expect(attempts['news_site.video_1080']!.scheduled).toBe(1);
    expect(Math.max(...attempts['news_site.video_1080']!.attempts)).toBeGreaterThanOrEqual(2);
    const video = done.results['news_site.video_1080'] as { ok: boolean; cached: boolean; resumedFrom?: number; width: number };
    expect(video).toMatchObject({ ok: true, cached: false, width: 1920 });
    // The retry knows from the last heartbeat the server received how far the lost attempt had got.
    // Heartbeats reach the server every 2 s, so on a busy machine the last one may predate any
    // progress: then there is nothing to report, never more than was done.
    if (video.resumedFrom !== undefined) {
      expect(video.resumedFrom).toBeGreaterThan(0);
      expect(video.resumedFrom).toBeLessThanOrEqual(atKill.specProgress['news_site.video_1080']! + 15);
    }
    expect(await h.db.selectFrom('media_renditions').select('spec_key').where('media_id', '=', crashClip).orderBy('spec_key').execute()).toEqual([
      { spec_key: 'news_site.poster' },
      { spec_key: 'news_site.video_1080' },
    ]);
    await killChild(second);
    console.log(
      `worker killed at ${atKill.specProgress['news_site.video_1080']}% of news_site.video_1080; retried as attempt ${Math.max(...attempts['news_site.video_1080']!.attempts)}`,
    );
  });
});
