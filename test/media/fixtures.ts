/**
 * Test fixtures for the media module, generated on the fly (sharp for images, ffmpeg's lavfi
 * sources for audio/video). Nothing binary is checked in.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { resetMediaBinaries, resolveMediaBinaries, type MediaBinaries } from '../../media/binaries.js';
import type { ProbeResult } from '../../media/probe.js';

export async function makeTempDir(prefix = 'govpub-media-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * ffmpeg/ffprobe for tests. Without them video tests are skipped locally, but under CI=true a
 * missing ffmpeg must fail the run: `videoTestsEnabled` is then true and the tests fail on the
 * resolver's error.
 */
export async function mediaToolsForTests(): Promise<{ binaries: MediaBinaries | null; enabled: boolean; error?: Error }> {
  try {
    return { binaries: await resolveMediaBinaries(), enabled: true };
  } catch (err) {
    return { binaries: null, enabled: process.env.CI === 'true', error: err as Error };
  }
}

/** Runs ffmpeg synchronously for fixture generation (short clips only). */
export function ffmpegSync(ffmpeg: string, args: string[]): void {
  const r = spawnSync(ffmpeg, ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ffmpeg fixture failed: ${r.stderr}`);
}

/**
 * An ffmpeg that reads its input no faster than it plays (`-readrate 1`, for commands with an
 * input): a transcode then takes as long as its clip on any machine, at the CPU a clip that short
 * costs. For tests that need one under way for a while (progress, cancel, a worker killed
 * mid-transcode), where a long clip spent its CPU on frames nobody looks at and still finished
 * sooner on a fast idle machine. A shell script in `dir` to name with FFMPEG_PATH; every other
 * command (-version, -encoders) passes through.
 */
export async function writePacedFfmpeg(dir: string, ffmpeg: string): Promise<string> {
  const file = path.join(dir, 'paced-ffmpeg');
  const quoted = `'${ffmpeg.replaceAll("'", "'\\''")}'`;
  await writeFile(file, `#!/bin/sh\ncase " $* " in\n  *" -i "*) exec ${quoted} -readrate 1 "$@" ;;\nesac\nexec ${quoted} "$@"\n`, { mode: 0o755 });
  return file;
}

/**
 * Makes this process (and the worker processes it starts, which inherit the variable) use the
 * ffmpeg at `file` from now on; the returned function puts back the one before.
 */
export function useFfmpeg(file: string): () => void {
  const before = process.env.FFMPEG_PATH;
  process.env.FFMPEG_PATH = file;
  resetMediaBinaries();
  return () => {
    if (before === undefined) delete process.env.FFMPEG_PATH;
    else process.env.FFMPEG_PATH = before;
    resetMediaBinaries();
  };
}

/** A photo-like picture: gradients, a skin-toned "face", text, and some grain. */
export async function makePhoto(file: string, width: number, height: number, opts: { gps?: boolean; quality?: number; grain?: number } = {}): Promise<void> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 600 400">
    <defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="#3b6fc4"/><stop offset="1" stop-color="#e9c9a0"/></linearGradient></defs>
    <rect width="600" height="400" fill="url(#g)"/>
    <rect x="0" y="300" width="600" height="100" fill="#4d6b3a"/>
    <ellipse cx="420" cy="180" rx="50" ry="65" fill="#e0ac8a"/>
    <circle cx="405" cy="165" r="6" fill="#222"/><circle cx="435" cy="165" r="6" fill="#222"/>
    <text x="30" y="360" font-size="36" font-family="DejaVu Sans" fill="#fff">Beilin District 2025</text>
  </svg>`;
  // Grain at a lower resolution, scaled up: cheap to make, still costs bytes like a real photo.
  const gw = Math.max(16, Math.round(width / 4));
  const gh = Math.max(16, Math.round(height / 4));
  const grain = await sharp({
    create: { width: gw, height: gh, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: opts.grain ?? 24 } },
  })
    .resize(width, height)
    .png({ compressionLevel: 1 })
    .toBuffer();
  let img = sharp(Buffer.from(svg))
    .composite([{ input: grain, blend: 'overlay' }])
    .jpeg({ quality: opts.quality ?? 90 });
  if (opts.gps) {
    img = img.withExif({
      IFD0: { Make: 'GovpubTestCam', Model: 'T-1', Software: 'fixtures' },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '34/1 15/1 30/1', GPSLongitudeRef: 'E', GPSLongitude: '108/1 56/1 10/1' },
    });
  }
  await img.toFile(file);
}

/** Pure noise: the hardest picture to compress (for byte-cap failure tests). */
export async function makeNoise(file: string, width: number, height: number, format: 'jpeg' | 'png' = 'jpeg', alpha = false): Promise<void> {
  const img = sharp({ create: { width, height, channels: alpha ? 4 : 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 60 } } });
  await (format === 'png' ? img.png() : img.jpeg({ quality: 95 })).toFile(file);
}

/** A wide, plain picture with dark text far to the right: a centre crop would lose the text. */
export async function makeTextBanner(file: string): Promise<void> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="2400" height="800">
    <rect width="2400" height="800" fill="#d8d8d8"/>
    <text x="1880" y="330" font-size="90" font-family="DejaVu Sans" font-weight="bold" fill="#101010">通知</text>
    <text x="1880" y="450" font-size="90" font-family="DejaVu Sans" font-weight="bold" fill="#101010">NOTICE</text>
    <text x="1880" y="560" font-size="60" font-family="DejaVu Sans" fill="#101010">2025-06-01</text>
  </svg>`;
  await sharp(Buffer.from(svg)).png().toFile(file);
}

/** A PNG graphic with transparency and text (e.g. an infographic element). */
export async function makeTransparentPng(file: string, width: number, height: number): Promise<void> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
    <rect x="20" y="20" width="${width - 40}" height="${height - 40}" rx="30" fill="#c0392b" fill-opacity="0.85"/>
    <text x="60" y="${height / 2}" font-size="${Math.round(height / 8)}" font-family="DejaVu Sans" fill="#fff">政策图解 Policy explained</text>
  </svg>`;
  await sharp(Buffer.from(svg)).png().toFile(file);
}

export async function writeText(file: string, text: string): Promise<void> {
  await writeFile(file, text);
}

/** testsrc2 + sine, H.264/AAC MP4. `faststart` puts the index first. */
export function makeClip(
  ffmpeg: string,
  file: string,
  opts: { width?: number; height?: number; seconds?: number; fps?: number; faststart?: boolean; audio?: boolean; noise?: boolean } = {},
): void {
  const w = opts.width ?? 1920;
  const h = opts.height ?? 1080;
  const video = opts.noise ? `testsrc2=size=${w}x${h}:rate=${opts.fps ?? 25},noise=alls=80:allf=t+u` : `testsrc2=size=${w}x${h}:rate=${opts.fps ?? 25}`;
  const args = ['-f', 'lavfi', '-i', video];
  if (opts.audio !== false) args.push('-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000');
  args.push('-t', String(opts.seconds ?? 3), '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p');
  if (opts.audio !== false) args.push('-c:a', 'aac', '-shortest');
  if (opts.faststart) args.push('-movflags', '+faststart');
  args.push(file);
  ffmpegSync(ffmpeg, args);
}

export function makeTone(ffmpeg: string, file: string, seconds: number): void {
  ffmpegSync(ffmpeg, ['-f', 'lavfi', '-i', `sine=frequency=660:sample_rate=44100`, '-t', String(seconds), '-c:a', 'libmp3lame', '-b:a', '128k', file]);
}

/** A real 1600×1000 HEVC-coded HEIC (made with libheif + x265), as an iPhone takes them by default. */
export const HEIC_PHOTO = Buffer.from(
  [
    'AAAAHGZ0eXBoZWljAAAAAG1pZjFoZWljbWlhZgAAAUNtZXRhAAAAAAAAACFoZGxyAAAAAAAAAABwaWN0AAAAAAAAAAAAAAAAAAAAAA5waXRtAAAAAAABAAAAImlsb2MAAAAAREAAAQAB',
    'AAAAAAFnAAEAAAAAAAAEoQAAACNpaW5mAAAAAAABAAAAFWluZmUCAAAAAAEAAGh2YzEAAAAAw2lwcnAAAAClaXBjbwAAAHlodmNDAQNwAAAAAAAAAAAAePAA/P34+AAADwMgAAEAGEAB',
    'DAH//wNwAAADAJAAAAMAAAMAeLoCQCEAAQAsQgEBA3AAAAMAkAAAAwAAAwB4oAMggD6WW6kkprm4EBAwIAAAAwAgAAADACEiAAEAB0QBwXKwYkAAAAAUaXNwZQAAAAAAAAZAAAAD6AAA',
    'ABBwaXhpAAAAAAMICAgAAAAWaXBtYQAAAAAAAAABAAEDgQKDAAAEqW1kYXQAAASdKAGvCcIHrxIVWFAfvnz589evXsAhOXVf//n7///Kcch+jQcdBzDy7jTWeH69zMXdAAAWQAApQAGY',
    'AAADAAADAAADAAADAAADAAADAAADAAADAAADAAADAAADAAADAAADAAADAAADAAADAGnAovczF3QAAGQAAOcAC8AAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMA',
    'AAMAAAMAAAMAAAMAAOGAkwAA/wAMIAAAAwAAAwAAAwAAAwAAAwAAAwAAAwAAAwAAAwAAAwAAAwAAAwAAAwAAAwAAAwAAAwAAAwAAAwAAAwAooIcrAmLxb3V0Yt//td84DPmkTkfBMx0l',
    'RExvJJs4y/7o7kcD8n5VxlZCl4BrPAk+AkQBhEHwg/AJwh1AgcIlCiw8AbQNGEhhaQmMNuE+iQw1IS2IGEOUVgAAAwAAAwAAAwAAAwAAAwAAAwAAAwAAAwAAAwAAAwAAAwAAAwAAAwAA',
    'AwAAAwAAAwAAAwAAAwAAAwAAAwAAAwAS0AAAAwAAAwAAAwAAAwAAAwAAAwAAAwAAAwAAAwAAAwAAAwAAAwAAAwAAAwAAAwAAAwAAAwAAAwAAAwAAAwAAAwFnAAADAAADAAADAAADAAAD',
    'AAADAAADAAADAAADAAADAAADAAADAAADAAADAAADAAADAAADAAADAAADAAADAAB+QAAAAwAAAwAAAwAAAwAAAwAAAwAAAwAAAwAAAwAAAwAAAwAAAwAAAwAAAwAAAwAAAwAAAwAAAwAA',
    'AwAAAwAGvAAAAwAAAwAAAwAAAwAAAwAAAwAAAwAAAwAAAwAAAwAAAwAAAwAAAwAAAwAAAwAAAwAAAwAAAwAAAwAAAwAlYAAAAwAAAwAAAwAAAwAAAwAAAwAAAwAAAwAAAwAAAwAAAwAA',
    'AwAAAwAAAwAAAwAAAwAAAwAAAwAAAwAAAwBVwAAAAwAAAwAAAwAAAwAAAwAAAwAAAwAAAwAAAwAAAwAAAwAAAwAAAwAAAwAAAwAAAwAAAwAAAwAAAwAAAwC5gAAAAwAAAwAAAwAAAwAA',
    'AwAAAwAAAwAAAwAAAwAAAwAAAwAAAwAAAwAAAwAAAwAAAwAAAwAAAwAAAwAAAwFfAAADAAADAAADAAADAAADAAADAAADAAADAAADAAADAAADAAADAAADAAADAAADAAADAAADAAADAAAD',
    'AAADAc8AAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMDGgAAAwAAAwAAAwAAAwAAAwAAAwAAAwAAAwAAAwAAAwAAAwAAAwAA',
    'AwAAAwAAAwAAAwAAAwAAAwAAAwAAAwP2AToAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMA',
    'AAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAAAMAHxA=',
  ].join(''),
  'base64',
);

/** A probe answer for a 1920×1080 MP4 of `durationSec` (planning without a real file). */
export function fakeVideoProbe(durationSec: number): ProbeResult {
  return {
    kind: 'video',
    mime: 'video/mp4',
    format: 'mp4',
    extension: 'mp4',
    sizeBytes: 1,
    width: 1920,
    height: 1080,
    durationSec,
    hasAudio: true,
    hasVideo: true,
    fps: 25,
  };
}
