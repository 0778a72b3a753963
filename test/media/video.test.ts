import { spawnSync } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { open, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GovpubError } from '../../domain/errors.js';
import { activeMediaProcesses, mediaCounters } from '../../media/process.js';
import { findCachedRendition, ingestUpload, prepareRendition, prepareRenditions, preflight, renditionCacheKey } from '../../media/renditions.js';
import { getSpec, PLATFORM_IDS, renditionsFor, type VideoSpec } from '../../media/specs.js';
import { LocalMediaStore } from '../../media/store.js';
import { parseProgressLine } from '../../media/ffmpeg.js';
import { planVideo } from '../../media/video-plan.js';
import { probeMedia } from '../../media/probe.js';
import { renderVideoRendition } from '../../media/video.js';
import { fakeVideoProbe, ffmpegSync, makeClip, makeTempDir, makeTone, mediaToolsForTests } from './fixtures.js';

const tools = await mediaToolsForTests();

interface Ffprobe {
  streams: { codec_type: string; codec_name: string; profile?: string; pix_fmt?: string; width?: number; height?: number }[];
  format: { duration: string; tags?: Record<string, string> };
}
function ffprobe(file: string): Ffprobe {
  const r = spawnSync(tools.binaries!.ffprobe.path, ['-v', 'error', '-print_format', 'json', '-show_streams', '-show_format', file], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as Ffprobe;
}

/** Top-level MP4 box types in file order. */
async function topLevelBoxes(file: string): Promise<string[]> {
  const fh = await open(file, 'r');
  try {
    const size = (await fh.stat()).size;
    const out: string[] = [];
    const h = Buffer.alloc(16);
    for (let off = 0; off < size;) {
      await fh.read(h, 0, 16, off);
      let len = h.readUInt32BE(0);
      if (len === 1) len = Number(h.readBigUInt64BE(8));
      out.push(h.subarray(4, 8).toString('latin1'));
      if (len < 8) break;
      off += len;
    }
    return out;
  } finally {
    await fh.close();
  }
}

describe('video planning (no ffmpeg needed)', () => {
  it('parses ffmpeg -progress lines', () => {
    expect(parseProgressLine('out_time_us=1500000')).toBe(1.5);
    expect(parseProgressLine('out_time_ms=2000000')).toBe(2);
    expect(parseProgressLine('out_time_us=N/A')).toBeNull();
    expect(parseProgressLine('progress=continue')).toBeNull();
  });

  it('refuses a video over Douyin’s 15 minutes, saying by how much', () => {
    const err = (() => {
      try {
        planVideo(fakeVideoProbe(16 * 60 + 20), getSpec('douyin.video_1080') as VideoSpec, 'speech.mp4');
      } catch (e) {
        return e as GovpubError;
      }
      return null;
    })();
    expect(err?.code).toBe('media_too_long');
    expect(err?.message).toBe('speech.mp4 is 16 min 20 s long, 1 min 20 s over the 15 min limit of Douyin. Trim it (or split it into parts) and upload again.');
  });

  it('a 14-minute video (under Douyin’s 15) gets its full 1080p bitrate: 128 MB bounds one upload request, not the video', () => {
    // Capped at 128 MB, 1080p was refused past about 10 minutes ("shorten it") and 720p starved to 953 kbps.
    for (const key of ['douyin.video_1080', 'douyin.video_720']) {
      const spec = getSpec(key) as VideoSpec;
      expect(planVideo(fakeVideoProbe(14 * 60 + 59), spec, 'speech.mp4')).toMatchObject({
        width: spec.width,
        height: spec.height,
        maxrateKbps: spec.maxrateKbps,
      });
    }
  });

  it('computes the WeChat bitrate from the duration, steps down the ladder, and refuses what cannot fit 10 MB', () => {
    const spec = getSpec('wechat_oa.video') as VideoSpec;
    const short = planVideo(fakeVideoProbe(30), spec);
    expect([short.width, short.height]).toEqual([1280, 720]);
    expect(short.maxrateKbps).toBeLessThanOrEqual(spec.maxrateKbps);
    // bits(video) + bits(audio) + VBV buffer stay under the cap by construction.
    const bytes = ((short.maxrateKbps * (30 + 1) + short.audioKbps * 30) * 1000) / 8;
    expect(bytes).toBeLessThan(10_000_000);

    const longer = planVideo(fakeVideoProbe(120), spec);
    expect(longer.width).toBeLessThan(1280);
    expect(longer.warnings[0]).toMatch(/instead of 1280×720/);
    expect(longer.warningsZh[0]).toMatch(/^为使时长 2 分钟的视频不超过 10 MB，微信公众号视频素材（MP4，不超过 10 MB）为 \d+×\d+，而不是 1280×720。$/);

    const problems = preflight(fakeVideoProbe(3600), ['wechat_oa.video', 'bilibili.video_1080', 'douyin.video_720'], 'meeting.mp4');
    expect(problems.map((p) => p.specKey)).toEqual(['wechat_oa.video', 'douyin.video_720']);
    expect(problems[0]!.error.code).toBe('media_cap_unreachable');
    expect(problems[0]!.error.message).toMatch(
      /meeting\.mp4 is 1 h long: under the 10 MB limit of WeChat video material .* Videos up to about \d+ min( \d+ s)? fit/,
    );
    expect(problems[1]!.error.code).toBe('media_too_long');
  });
});

describe.skipIf(!tools.enabled)('video renditions with ffmpeg', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let store: LocalMediaStore;
  let clipSha: string;

  beforeAll(async () => {
    // Under CI=true a missing ffmpeg fails here instead of skipping.
    if (!tools.binaries) throw tools.error ?? new Error('ffmpeg not found');
    ({ dir, cleanup } = await makeTempDir('govpub-video-'));
    store = new LocalMediaStore(path.join(dir, 'store'));
    const clip = path.join(dir, 'clip.mp4');
    ffmpegSync(tools.binaries.ffmpeg.path, [
      '-f',
      'lavfi',
      '-i',
      'testsrc2=size=1920x1080:rate=25',
      '-f',
      'lavfi',
      '-i',
      'sine=frequency=440:sample_rate=48000',
      '-t',
      '3',
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-pix_fmt',
      'yuv420p',
      '-c:a',
      'aac',
      '-shortest',
      '-metadata',
      'location=+34.2500+108.9400/',
      '-metadata',
      'title=internal draft',
      clip,
    ]);
    clipSha = (await ingestUpload(store, createReadStream(clip), { label: 'clip.mp4' })).sha256;
  });
  afterAll(() => cleanup?.());

  const cases: [string, number, number][] = [
    ['portal.video_720', 1280, 720],
    ['bilibili.video_1080', 1920, 1080],
    ['douyin.video_1080', 1080, 1920],
    ['kuaishou.video_720', 720, 1280],
    ['wechat_oa.video', 1280, 720],
  ];

  it.each(cases)('%s: H.264/AAC MP4 %ix%i, faststart, no metadata, within limits, progress to 100', async (key, w, h) => {
    const spec = getSpec(key) as VideoSpec;
    const progress: number[] = [];
    const spawnsBefore = mediaCounters.ffmpegSpawns;
    const r = await prepareRendition(store, clipSha, key, { onProgress: (p) => progress.push(p), label: 'clip.mp4' });
    expect(mediaCounters.ffmpegSpawns).toBeGreaterThan(spawnsBefore);
    expect(r).toMatchObject({ mime: 'video/mp4', width: w, height: h, cached: false });

    const info = ffprobe(r.path);
    const v = info.streams.find((s) => s.codec_type === 'video')!;
    const a = info.streams.find((s) => s.codec_type === 'audio')!;
    expect(v).toMatchObject({ codec_name: 'h264', profile: 'High', pix_fmt: 'yuv420p', width: w, height: h });
    expect(a.codec_name).toBe('aac');
    expect(Number(info.format.duration)).toBeCloseTo(3, 0);
    expect(info.format.tags?.location).toBeUndefined();
    expect(info.format.tags?.title).toBeUndefined();
    const boxes = await topLevelBoxes(r.path);
    expect(boxes.indexOf('moov')).toBeLessThan(boxes.indexOf('mdat'));
    if (spec.maxBytes) expect(r.sizeBytes).toBeLessThanOrEqual(spec.maxBytes);

    // Progress: integers, strictly increasing, ending at exactly 100.
    expect(progress.length).toBeGreaterThan(2);
    expect(progress.at(-1)).toBe(100);
    for (let i = 1; i < progress.length; i++) expect(progress[i]!).toBeGreaterThan(progress[i - 1]!);
  });

  it('a video exactly at a platform’s length limit comes out no longer (re-encoded AAC would run 16 ms over, and the release refuse what preflight passed)', async () => {
    const original = await store.getPath(clipSha);
    const probe = await probeMedia(original);
    // Douyin's spec with its limit at the original's own length (15 min in the declaration: the same edge, without encoding 15 minutes).
    const atLimit: VideoSpec = { ...(getSpec('douyin.video_720') as VideoSpec), maxDurationSec: probe.durationSec! };
    const r = await renderVideoRendition(original, probe, atLimit, path.join(dir, 'at-limit.mp4'), { threads: 1 });
    expect(r.durationSec).toBeLessThanOrEqual(probe.durationSec!);
    expect(Number(ffprobe(r.path).format.duration)).toBeLessThanOrEqual(probe.durationSec!);
  });

  it('asking twice costs nothing: no ffmpeg, no ffprobe, no sharp', async () => {
    const first = await prepareRendition(store, clipSha, 'portal.video_720');
    const counters = { ...mediaCounters };
    const progress: number[] = [];
    const again = await prepareRendition(store, clipSha, 'portal.video_720', { onProgress: (p) => progress.push(p) });
    const shared = await prepareRendition(store, clipSha, 'news_site.video_720'); // identical spec elsewhere
    expect(mediaCounters).toEqual(counters);
    expect(again).toMatchObject({ cached: true, sha256: first.sha256, path: first.path });
    expect(shared).toMatchObject({ cached: true, sha256: first.sha256, specKey: 'news_site.video_720' });
    expect(progress).toEqual([100]);
  });

  it('poster frame: a JPEG at the target size, taken from inside the video', async () => {
    const r = await prepareRendition(store, clipSha, 'douyin.cover');
    const meta = await sharp(r.path).metadata();
    expect(meta).toMatchObject({ format: 'jpeg', width: 1080, height: 1920 });
    expect(meta.exif).toBeUndefined();
    const p2 = await prepareRendition(store, clipSha, 'portal.poster');
    expect([p2.width, p2.height]).toEqual([1280, 720]);
  });

  it('a poster of a small video is the frame at its own size: Bilibili’s cover (never enlarged) is refused before any work, other posters say they were enlarged', async () => {
    const small = path.join(dir, 'small.mp4');
    makeClip(tools.binaries!.ffmpeg.path, small, { width: 640, height: 360, seconds: 1 });
    const sha = (await ingestUpload(store, createReadStream(small), { label: 'small.mp4' })).sha256;
    const probe = await probeMedia(await store.getPath(sha));

    // Bilibili refuses covers under 960×600 and govpub never enlarges them: a 640×360 frame is too small.
    const problems = preflight(probe, ['bilibili.video_cover', 'portal.poster'], 'small.mp4');
    expect(problems.map((p) => [p.specKey, p.error.code])).toEqual([['bilibili.video_cover', 'media_too_small']]);
    expect(problems[0]!.error.message).toMatch(/^small\.mp4 is 640×360 pixels; Bilibili cover 16:10 from the video needs a picture of at least 960×600/);
    await expect(prepareRendition(store, sha, 'bilibili.video_cover', { label: 'small.mp4' })).rejects.toMatchObject({ code: 'media_too_small' });

    // Other posters are enlarged by the image pipeline, which says so and names the video's own size.
    const poster = await prepareRendition(store, sha, 'portal.poster', { label: 'small.mp4' });
    expect([poster.width, poster.height]).toEqual([1280, 720]);
    expect(poster.warnings).toEqual([expect.stringMatching(/^Original is 640×360; Portal video poster 16:9 \(1280×720\) is enlarged 2\.0×/)]);
    expect(poster.warningsZh).toEqual([expect.stringMatching(/^原图为 640×360，/)]);
  });

  it('an HDR (HLG) phone video becomes SDR BT.709: labelled so, with colours and a poster that are not washed out', async () => {
    // HLG-labelled 10-bit H.264: what a phone records by default, tiny and quick to make.
    const hlg = path.join(dir, 'hlg.mp4');
    ffmpegSync(tools.binaries!.ffmpeg.path, [
      ...['-f', 'lavfi', '-i', 'color=c=0xC03020:size=320x180:rate=25', '-t', '1'],
      ...['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p10le'],
      ...['-color_primaries', 'bt2020', '-color_trc', 'arib-std-b67', '-colorspace', 'bt2020nc', hlg],
    ]);
    const sha = (await ingestUpload(store, createReadStream(hlg), { label: 'hlg.mp4' })).sha256;
    const r = await prepareRendition(store, sha, 'portal.video_720', { label: 'hlg.mp4' });
    const colour = spawnSync(
      tools.binaries!.ffprobe.path,
      ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=color_transfer,color_primaries,color_space', '-of', 'json', r.path],
      { encoding: 'utf8' },
    );
    // Before: 8-bit H.264 still labelled BT.2020/HLG (arib-std-b67), which players misrender.
    expect((JSON.parse(colour.stdout) as { streams: unknown[] }).streams[0]).toEqual({
      color_space: 'bt709',
      color_transfer: 'bt709',
      color_primaries: 'bt709',
    });
    expect(r.warnings).toEqual(['Original is 320×180; the 1280×720 rendition is enlarged 4.0× and may look soft.']);
    expect(r.warningsZh).toEqual(['原视频为 320×180，1280×720 的版本要放大 4.0 倍，可能不够清晰。']);
    // The red, read as BT.2020/HLG and tone-mapped, stays red: read as if it were BT.709 it had a
    // green of about 53 (a dull, greyish red).
    const frame = path.join(dir, 'hlg-frame.png');
    ffmpegSync(tools.binaries!.ffmpeg.path, ['-i', r.path, '-frames:v', '1', frame]);
    const [red, green] = (await sharp(frame).stats()).channels.map((c) => c.mean);
    expect(red).toBeGreaterThan(180);
    expect(green).toBeLessThan(25);
    const poster = await prepareRendition(store, sha, 'portal.poster', { label: 'hlg.mp4' });
    const [pRed, pGreen] = (await sharp(poster.path).stats()).channels.map((c) => c.mean);
    expect(pRed).toBeGreaterThan(180);
    expect(pGreen).toBeLessThan(25);
  });

  it('anamorphic video (non-square pixels, as broadcast HDV 1440×1080 is) keeps its 16:9 shape instead of being squeezed to 4:3', async () => {
    // 360×270 stored, pixels 4:3 wide: shown at 480×270 (16:9). White, so the bars are easy to find.
    const hdv = path.join(dir, 'anamorphic.mp4');
    ffmpegSync(tools.binaries!.ffmpeg.path, [
      ...['-f', 'lavfi', '-i', 'color=c=white:size=360x270:rate=25', '-t', '1', '-vf', 'setsar=4/3'],
      ...['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', hdv],
    ]);
    const ingested = await ingestUpload(store, createReadStream(hdv), { label: 'anamorphic.mp4' });
    expect(ingested.probe).toMatchObject({ width: 480, height: 270, sampleAspectRatio: '4:3' });
    const r = await prepareRendition(store, ingested.sha256, 'portal.video_720', { label: 'anamorphic.mp4' });
    const frame = path.join(dir, 'anamorphic-frame.png');
    ffmpegSync(tools.binaries!.ffmpeg.path, ['-i', r.path, '-frames:v', '1', frame]);
    // Before: fitted by its stored 4:3 shape, 960×720 between black bars 160 px wide.
    const left = await sharp(await sharp(frame).extract({ left: 0, top: 0, width: 100, height: 720 }).png().toBuffer()).stats();
    expect(left.channels[0]!.mean).toBeGreaterThan(200);
    expect(ffprobe(r.path).streams.find((st) => st.codec_type === 'video')).toMatchObject({ width: 1280, height: 720 });
  });

  it('a Matroska/WebM video cut off during upload is refused at upload when its Segment declares its size', async () => {
    const whole = path.join(dir, 'sized.mkv');
    const mp4 = path.join(dir, 'for-sized-mkv.mp4');
    makeClip(tools.binaries!.ffmpeg.path, mp4, { width: 320, height: 180, seconds: 4, noise: true });
    ffmpegSync(tools.binaries!.ffmpeg.path, ['-i', mp4, '-c', 'copy', '-f', 'matroska', whole]);
    const bytes = await readFile(whole);
    const cut = path.join(dir, 'cut-sized.mkv');
    await writeFile(cut, bytes.subarray(0, Math.floor(bytes.length / 2)));
    // Before: ffprobe read 4 s from the header and the upload passed; it failed at release, after review.
    const err = (await ingestUpload(store, createReadStream(cut), { label: 'cut-sized.mkv' }).catch((e: unknown) => e)) as GovpubError;
    expect(err).toBeInstanceOf(GovpubError);
    expect(err.code).toBe('media_corrupt');
    expect(err.message).toMatch(
      /^cut-sized\.mkv is cut off: its 'Segment' section needs [\d.]+ [KM]B but the file has only [\d.]+ [KM]B \([\d.]+ [KM]B missing\)\. The upload or export did not finish; upload the complete file again\.$/,
    );
    expect(err.messageZh).toMatch(/^「cut-sized\.mkv」不完整：其中的「Segment」部分需要 /);
    // The whole file passes the same check.
    const { probe } = await ingestUpload(store, createReadStream(whole), { label: 'sized.mkv' });
    expect(probe.durationSec).toBeCloseTo(4, 0);
  });

  it('a Matroska/WebM video whose Segment size is unknown, cut off during upload, is refused at its render, not published half as long', async () => {
    const whole = path.join(dir, 'whole.mkv');
    const mp4 = path.join(dir, 'for-mkv.mp4');
    makeClip(tools.binaries!.ffmpeg.path, mp4, { width: 320, height: 180, seconds: 4, noise: true });
    ffmpegSync(tools.binaries!.ffmpeg.path, ['-i', mp4, '-c', 'copy', '-f', 'matroska', whole]);
    const bytes = await readFile(whole);
    // The Segment's 8-byte size made "unknown" (every value bit set), as live recorders write it.
    const segmentSize = bytes.indexOf(Buffer.from([0x18, 0x53, 0x80, 0x67])) + 4;
    expect(bytes[segmentSize]).toBe(0x01);
    bytes.fill(0xff, segmentSize + 1, segmentSize + 8);
    // Half the file: the header still says 4 s and no size says more is missing, so the upload's probe passes.
    const cut = path.join(dir, 'cut.mkv');
    await writeFile(cut, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const { sha256, probe } = await ingestUpload(store, createReadStream(cut), { label: 'cut.mkv' });
    expect(probe.durationSec).toBeCloseTo(4, 0);
    const err = (await prepareRendition(store, sha256, 'portal.video_720', { label: 'cut.mkv' }).catch((e: unknown) => e)) as GovpubError;
    // Before: a rendition of about 2 s, published as the whole video.
    expect(err).toBeInstanceOf(GovpubError);
    expect(err.code).toBe('media_corrupt');
    expect(err.message).toMatch(/^cut\.mkv is cut off: its header says 4 s, but only [\d.]+ s of it can be decoded\./);
    expect(err.messageZh).toMatch(/^「cut\.mkv」不完整：文件头写明时长 4 秒，但只能解码出 [\d.]+ 秒。上传或导出没有完成，请重新导出后上传完整的文件。$/);
    expect(await findCachedRendition(store, sha256, 'portal.video_720')).toBeNull();
  });

  it('abort kills ffmpeg, removes partial output and caches nothing', async () => {
    const spec: VideoSpec = { ...(getSpec('kuaishou.video_1080') as VideoSpec), key: 'test.abort', crf: 18, preset: 'medium' };
    const controller = new AbortController();
    let pids: number[] = [];
    const job = prepareRendition(store, clipSha, spec, {
      signal: controller.signal,
      onProgress: (p) => {
        if (p > 0 && !controller.signal.aborted) {
          pids = activeMediaProcesses();
          controller.abort();
        }
      },
    });
    await expect(job).rejects.toMatchObject({ name: 'AbortError' });
    expect(pids.length).toBe(1);
    expect(() => process.kill(pids[0]!, 0)).toThrow(); // ESRCH: the process is gone
    expect(activeMediaProcesses()).toEqual([]);
    expect((await readdir(path.join(dir, 'store', 'tmp'))).filter((f) => f.startsWith('render-'))).toEqual([]);
    expect(await store.readRecord(await renditionCacheKey(clipSha, spec))).toBeNull();
  });

  it('pre-checks limits before starting ffmpeg', async () => {
    const spec: VideoSpec = { ...(getSpec('douyin.video_720') as VideoSpec), key: 'test.max2s', maxDurationSec: 2 };
    const spawns = mediaCounters.ffmpegSpawns;
    const err = (await prepareRendition(store, clipSha, spec, { label: 'clip.mp4' }).catch((e: unknown) => e)) as GovpubError;
    expect(err).toBeInstanceOf(GovpubError);
    expect(err.code).toBe('media_too_long');
    expect(err.message).toMatch(/^clip\.mp4 is 3 s long, 1 s over the 2 s limit of Douyin/);
    expect(mediaCounters.ffmpegSpawns).toBe(spawns);
  });

  it('meets a tight byte cap on hard-to-compress video (bitrate from duration, verified)', async () => {
    const noisy = path.join(dir, 'noise.mp4');
    makeClip(tools.binaries!.ffmpeg.path, noisy, { width: 640, height: 360, seconds: 2, noise: true });
    const sha = (await ingestUpload(store, createReadStream(noisy))).sha256;
    const spec: VideoSpec = { ...(getSpec('wechat_oa.video') as VideoSpec), key: 'test.cap300k', maxBytes: 300_000 };
    const r = await prepareRendition(store, sha, spec);
    expect(r.sizeBytes).toBeLessThanOrEqual(300_000);
    expect(r.width).toBeLessThan(1280); // stepped down the ladder for the low bitrate
    expect(r.warnings.join(' ')).toMatch(/instead of 1280×720/);
  });

  it('audio: WeChat voice MP3 ≤ 2 MB and portal AAC', async () => {
    const tone = path.join(dir, 'tone.mp3');
    makeTone(tools.binaries!.ffmpeg.path, tone, 4);
    const sha = (await ingestUpload(store, createReadStream(tone))).sha256;
    const voice = await prepareRendition(store, sha, 'wechat_oa.voice');
    expect(voice.mime).toBe('audio/mpeg');
    expect(voice.sizeBytes).toBeLessThanOrEqual(2_000_000);
    expect(ffprobe(voice.path).streams[0]).toMatchObject({ codec_name: 'mp3' });
    const aac = await prepareRendition(store, sha, 'portal.audio');
    expect(ffprobe(aac.path).streams[0]).toMatchObject({ codec_name: 'aac' });
  });

  it('every platform’s video renditions have the right frame size (small, short source)', { timeout: 240_000 }, async () => {
    const small = path.join(dir, 'small.mp4');
    makeClip(tools.binaries!.ffmpeg.path, small, { width: 640, height: 360, seconds: 1, fps: 10 });
    const sha = (await ingestUpload(store, createReadStream(small))).sha256;
    for (const platform of PLATFORM_IDS) {
      const { renditions, problems } = await prepareRenditions(store, sha, platform);
      // Bilibili's cover is never enlarged: a 640×360 frame cannot give its 960×600 (the poster test above).
      const refused = platform === 'bilibili' ? ['bilibili.video_cover'] : [];
      expect(problems.map((p) => [p.specKey, p.error.code])).toEqual(refused.map((key) => [key, 'media_too_small']));
      expect(renditions.length).toBe(renditionsFor(platform, 'video').length - refused.length);
      for (const r of renditions) {
        const spec = getSpec(r.specKey);
        if (spec.kind === 'video' && !spec.capLadder) expect([r.width, r.height]).toEqual([spec.width, spec.height]);
        if (spec.kind === 'video' && spec.width < spec.height) expect(spec.width / spec.height).toBeCloseTo(9 / 16, 3);
        if (spec.maxBytes) expect(r.sizeBytes).toBeLessThanOrEqual(spec.maxBytes);
      }
    }
  });
});
