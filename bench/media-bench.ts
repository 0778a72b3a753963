/**
 * Media benchmark. Run: `npx tsx bench/media-bench.ts [--quick] [--big-mb=N] [--clip-sec=N] [--keep]`
 *
 * Prints, in one run:
 *  1. image renditions per second for every platform's image specs from one 24 MP photo, next to
 *     sharp's bare resize throughput on the same photo (and the ratio);
 *  2. video transcode speed (multiple of real time) for a generated 1080p clip;
 *  3. peak RSS of a node worker process (a child, so earlier phases do not count) while it stores,
 *     hashes, probes and transcodes a ~1 GB video. Target: under 300 MB.
 * Everything is generated in a temp directory and removed afterwards (unless --keep).
 */
import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { resolveMediaBinaries } from '../media/binaries.js';
import { renderImageRendition } from '../media/image.js';
import { probeMedia } from '../media/probe.js';
import { ingestUpload, prepareRendition } from '../media/renditions.js';
import { PLATFORM_IDS, renditionsFor, getSpec, type ImageSpec, type VideoSpec } from '../media/specs.js';
import { LocalMediaStore } from '../media/store.js';
import { renderVideoRendition } from '../media/video.js';
import { ffmpegSync, makeClip, makePhoto } from '../test/media/fixtures.js';

const args = process.argv.slice(2);
const flag = (name: string) => args.includes(`--${name}`);
const num = (name: string, dflt: number) => {
  const a = args.find((x) => x.startsWith(`--${name}=`));
  return a ? Number(a.split('=')[1]) : dflt;
};
const quick = flag('quick');

async function peakRssMb(): Promise<number> {
  // VmHWM: the high-water mark of this process's resident set (Linux).
  try {
    const status = await readFile('/proc/self/status', 'utf8');
    const m = /VmHWM:\s+(\d+) kB/.exec(status);
    if (m) return Number(m[1]) / 1024;
  } catch {
    /* not Linux */
  }
  return process.memoryUsage().rss / 1048576;
}

const mb = (bytes: number) => (bytes / 1_000_000).toFixed(0);
const mib = (bytes: number) => (bytes / 1048576).toFixed(0);

// ---------------------------------------------------------------------------------------------
// Child mode: the worker whose RSS we measure.

async function rssChild(bigFile: string, workDir: string): Promise<void> {
  let peakSample = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peakSample = Math.max(peakSample, process.memoryUsage().rss);
  }, 50);
  const baseline = process.memoryUsage().rss;
  const store = new LocalMediaStore(path.join(workDir, 'rss-store'));
  const t0 = Date.now();
  const up = await ingestUpload(store, createReadStream(bigFile, { highWaterMark: 1 << 20 }), { label: 'big.mov' });
  const tIngest = Date.now() - t0;
  const t1 = Date.now();
  const r = await prepareRendition(store, up.sha256, 'portal.video_720', { label: 'big.mov' });
  const tTranscode = Date.now() - t1;
  const poster = await prepareRendition(store, up.sha256, 'portal.poster', { label: 'big.mov' });
  clearInterval(sampler);
  peakSample = Math.max(peakSample, process.memoryUsage().rss);
  process.stdout.write(
    JSON.stringify({
      sizeBytes: up.size,
      durationSec: up.probe.durationSec,
      baselineRss: baseline,
      peakSampleRss: peakSample,
      vmHwmMb: await peakRssMb(),
      ingestMs: tIngest,
      transcodeMs: tTranscode,
      renditionBytes: r.sizeBytes,
      posterBytes: poster.sizeBytes,
    }) + '\n',
  );
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  if (args[0] === '--rss-child') {
    await rssChild(args[1]!, args[2]!);
    return;
  }
  const bins = await resolveMediaBinaries();
  const ffmpeg = bins.ffmpeg.path;
  const work = await mkdtemp(path.join(tmpdir(), 'govpub-media-bench-'));
  console.log(
    `govpub media bench${quick ? ' (--quick)' : ''}: ${cpus().length} cores, node ${process.version}, sharp ${sharp.versions.sharp} (libvips ${sharp.versions.vips}), ffmpeg ${bins.ffmpeg.path} (${bins.ffmpeg.source})`,
  );
  console.log(`work dir ${work}\n`);
  try {
    // 1. Images ---------------------------------------------------------------------------
    const photo = path.join(work, 'photo24.jpg');
    await makePhoto(photo, 6000, 4000, { gps: true });
    const p = await probeMedia(photo);
    console.log(`[images] original: ${p.width}×${p.height} JPEG, ${mb(p.sizeBytes)} MB, EXIF GPS: ${p.hasGps}`);
    const specs = PLATFORM_IDS.flatMap((pl) => renditionsFor(pl, 'image')) as ImageSpec[];
    const rounds = quick ? 1 : 3;
    // Warm-up (library load, first-use costs).
    await renderImageRendition(photo, specs[0]!, path.join(work, 'warm.img'));
    const perSpec = new Map<string, number>();
    const tImg = performance.now();
    for (let r = 0; r < rounds; r++) {
      for (const spec of specs) {
        const t = performance.now();
        await renderImageRendition(photo, spec, path.join(work, `r.${spec.key}`));
        perSpec.set(spec.key, (perSpec.get(spec.key) ?? 0) + (performance.now() - t));
      }
    }
    const imgSec = (performance.now() - tImg) / 1000;
    const ours = (rounds * specs.length) / imgSec;

    const bareN = quick ? 5 : 15;
    await sharp(photo).resize(1280, 720).jpeg().toBuffer();
    const tBare = performance.now();
    for (let i = 0; i < bareN; i++) await sharp(photo).resize(1280, 720).jpeg({ quality: 85 }).toBuffer();
    const bare = bareN / ((performance.now() - tBare) / 1000);
    const slowest = [...perSpec.entries()].sort((a, b) => b[1] - a[1]).slice(0, 4);
    console.log(
      `[images] ${specs.length} image renditions across ${new Set(specs.map((s) => s.platform)).size} platforms × ${rounds} round(s): ${ours.toFixed(1)} renditions/s (${((imgSec * 1000) / (rounds * specs.length)).toFixed(0)} ms each)`,
    );
    console.log(`[images] bare sharp resize 6000×4000 → 1280×720 JPEG: ${bare.toFixed(1)} /s  →  ratio govpub/bare = ${(ours / bare).toFixed(2)}`);
    console.log(`[images] slowest: ${slowest.map(([k, ms]) => `${k} ${(ms / rounds).toFixed(0)} ms`).join(', ')}\n`);

    // 2. Video speed -----------------------------------------------------------------------
    const clipSec = num('clip-sec', quick ? 6 : 20);
    const clip = path.join(work, 'clip1080.mp4');
    makeClip(ffmpeg, clip, { width: 1920, height: 1080, seconds: clipSec, fps: 25 });
    const clipProbe = await probeMedia(clip);
    console.log(`[video] source: ${clipProbe.width}×${clipProbe.height} ${clipProbe.fps} fps H.264, ${clipProbe.durationSec?.toFixed(1)} s (testsrc2 + sine)`);
    for (const key of ['portal.video_720', 'portal.video_1080', 'douyin.video_1080', 'wechat_oa.video']) {
      const spec = getSpec(key) as VideoSpec;
      const out = path.join(work, `${key}.mp4`);
      const t = performance.now();
      const r = await renderVideoRendition(clip, clipProbe, spec, out);
      const sec = (performance.now() - t) / 1000;
      console.log(
        `[video] ${key.padEnd(18)} ${r.width}×${r.height} ${spec.layout.padEnd(9)} ${mb(r.sizeBytes).padStart(4)} MB  ${sec.toFixed(1)} s  = ${(clipSec / sec).toFixed(2)}× real time`,
      );
      await rm(out, { force: true });
    }
    console.log('');

    // 3. Peak RSS on a ~1 GB video -----------------------------------------------------------
    const bigMb = num('big-mb', quick ? 200 : 1000); // decimal MB
    const chunk = path.join(work, 'chunk.mov');
    const t0 = performance.now();
    // A 5 s high-bitrate chunk (noisy 1080p MJPEG, ~40 MB/s), then looped by stream copy.
    ffmpegSync(ffmpeg, [
      '-f',
      'lavfi',
      '-i',
      'testsrc2=size=1920x1080:rate=25,noise=alls=40:allf=t',
      '-f',
      'lavfi',
      '-i',
      'sine=sample_rate=48000',
      '-t',
      '5',
      '-c:v',
      'mjpeg',
      '-q:v',
      '2',
      '-pix_fmt',
      'yuvj420p',
      '-c:a',
      'aac',
      '-shortest',
      chunk,
    ]);
    const chunkSize = (await stat(chunk)).size;
    const loops = Math.max(1, Math.ceil((bigMb * 1_000_000) / chunkSize));
    const big = path.join(work, 'big.mov');
    ffmpegSync(ffmpeg, ['-stream_loop', String(loops - 1), '-i', chunk, '-c', 'copy', big]);
    await rm(chunk, { force: true });
    const bigSize = (await stat(big)).size;
    console.log(
      `[rss] generated ${mb(bigSize)} MB video (${loops * 5} s of 1080p MJPEG) in ${((performance.now() - t0) / 1000).toFixed(0)} s; measuring a fresh worker process…`,
    );

    const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--rss-child', big, work], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    if (code !== 0) throw new Error(`rss child exited with ${code}`);
    const res = JSON.parse(out.trim().split('\n').pop()!) as {
      sizeBytes: number;
      durationSec: number;
      baselineRss: number;
      peakSampleRss: number;
      vmHwmMb: number;
      ingestMs: number;
      transcodeMs: number;
      renditionBytes: number;
    };
    console.log(
      `[rss] ingest (stream + SHA-256 + probe) of ${mb(res.sizeBytes)} MB: ${(res.ingestMs / 1000).toFixed(1)} s (${(res.sizeBytes / 1_000_000 / (res.ingestMs / 1000)).toFixed(0)} MB/s)`,
    );
    console.log(
      `[rss] transcode to portal.video_720: ${(res.transcodeMs / 1000).toFixed(1)} s for ${res.durationSec.toFixed(0)} s = ${(res.durationSec / (res.transcodeMs / 1000)).toFixed(2)}× real time → ${mb(res.renditionBytes)} MB`,
    );
    const verdict = res.vmHwmMb < 286 ? 'OK (< 300 MB)' : 'OVER the 300 MB target';
    console.log(
      `[rss] node worker RSS: baseline ${mib(res.baselineRss)} MiB, peak sampled ${mib(res.peakSampleRss)} MiB, peak (VmHWM) ${res.vmHwmMb.toFixed(0)} MiB — ${verdict}`,
    );
  } finally {
    if (flag('keep')) console.log(`\nkept ${work}`);
    else await rm(work, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
