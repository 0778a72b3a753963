/**
 * A release cancelled by a retraction while its videos are still being transcoded: the running
 * ffmpeg processes are stopped, nothing reaches the video platforms, and the deliveries that had
 * not gone out end as canceled.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { activeMediaProcesses, ingestUpload, resolveMediaBinaries } from '../../media/index.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { useFfmpeg, writePacedFfmpeg } from '../media/fixtures.js';
import { approveAll, waitForDeliveries } from './helpers.js';
import { richPolicyPackage, startReleaseWorld, type ReleaseWorld } from './support.js';

let world: ReleaseWorld;
let app: TestApp;
let unpaceFfmpeg: (() => void) | undefined;

beforeAll(async () => {
  world = await startReleaseWorld({ faults: false });
  app = await startTestApp({ deps: world.deps, platformCaps: world.platforms });
  await app.startWorker();
});

afterAll(async () => {
  unpaceFfmpeg?.();
  await app?.close();
  await world?.close();
});

it('retracting during release stops the transcodes and cancels what had not gone out', { timeout: 300_000 }, async () => {
  // A 40-second 1080p clip, transcoded at its own pace (ffmpeg -readrate 1, as a clip arriving live):
  // its vertical renditions take 40 s whatever the machine, and cost a fraction of the CPU of a
  // transcode at full speed, which the cancellation would otherwise race on two busy cores. Ten
  // frames a second: the transcode's work is per frame, and no platform asks for a minimum.
  const file = path.join(world.dir, 'long.mp4');
  const { ffmpeg } = await resolveMediaBinaries();
  execFileSync(ffmpeg.path, [
    '-v',
    'error',
    '-f',
    'lavfi',
    '-i',
    'testsrc2=size=1920x1080:rate=10:duration=40',
    '-f',
    'lavfi',
    '-i',
    'sine=frequency=330:duration=40',
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-pix_fmt',
    'yuv420p',
    '-c:a',
    'aac',
    '-shortest',
    '-y',
    file,
  ]);
  unpaceFfmpeg = useFfmpeg(await writePacedFfmpeg(world.dir, ffmpeg.path));
  const video = await ingestUpload(world.mediaStore, fs.createReadStream(file), { label: '长视频解读.mp4' });
  const input = richPolicyPackage(world, ['douyin:blfb-dy', 'kuaishou:blfb-ks', 'portal:zwgk-zcwj-zcjd-wz'], '关于城市更新行动的实施意见');
  input.interpretations = input.interpretations.map((i) => (i.form === 'video' ? { ...i, mediaId: video.sha256 } : i));
  const editor = await app.user('cancel-editor', 'editor');
  const ops = await app.user('cancel-ops', 'ops');
  await world.registerMedia(app.db, editor.actor.id, [video]);
  const pkg = await app.packages.create(editor.actor, input);
  await approveAll(app, pkg.id, editor.actor);

  // Wait until ffmpeg is transcoding for the release, then retract.
  const deadline = Date.now() + 120_000;
  while (activeMediaProcesses().length === 0) {
    if (Date.now() > deadline) throw new Error('no transcode started');
    await new Promise((r) => setTimeout(r, 100));
  }
  const transcodingSince = Date.now();
  await app.packages.retract(ops.actor, pkg.id, '发布有误，立即撤回');

  // The cancellation reaches ffmpeg in the answer to the activity's next heartbeat (every 2 s). A
  // paced transcode of the 40-second clip cannot end sooner than 40 s after it started: gone before
  // then, it was stopped, not finished (with the SDK's default pacing of heartbeats it ran ~48 s).
  await expect.poll(() => activeMediaProcesses().length, { timeout: 90_000, interval: 200 }).toBe(0);
  expect(Date.now() - transcodingSince, 'ms from the transcode seen running to every ffmpeg gone').toBeLessThan(35_000);
  const rows = await waitForDeliveries(app, pkg.id, 3, (r) => ['canceled', 'retracted'].includes(r.state), 120_000);
  for (const channel of ['douyin:blfb-dy', 'kuaishou:blfb-ks']) expect(rows.find((r) => r.channel_id === channel)!.state).toBe('canceled');
  expect(world.simulators.simulators.douyin.state.publications()).toHaveLength(0);
  expect(world.simulators.simulators.kuaishou.state.publications()).toHaveLength(0);
  await expect.poll(async () => (await app.packages.get(pkg.id)).status, { timeout: 60_000, interval: 500 }).toBe('retracted');
});
