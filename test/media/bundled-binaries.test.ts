/**
 * The route a fresh machine takes after `npm install && npm start` with no system ffmpeg: the
 * operating system's ffmpeg and ffprobe are hidden from a child process (PATH holds only a link
 * to node; FFMPEG_PATH / FFPROBE_PATH unset), which must then upload, probe and transcode a video
 * with the binaries npm installed, and `govpub config check` must say so. CI has Debian's ffmpeg
 * installed too; this test keeps the npm route working regardless.
 */
import { execFile } from 'node:child_process';
import { mkdir, symlink } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT_DIR } from '../../config/settings.js';
import type { ResolvedBinary } from '../../media/binaries.js';
import type { ProbeResult } from '../../media/probe.js';
import { makeTempDir } from './fixtures.js';

const run = promisify(execFile);
const NODE_MODULES = path.join(ROOT_DIR, 'node_modules') + path.sep;
const PACKAGE_SOURCES = ['ffmpeg-static', '@ffmpeg-installer/ffmpeg', '@ffprobe-installer/ffprobe', 'beside-ffmpeg'];

let dir: string;
let cleanup: () => Promise<void>;
let hiddenEnv: NodeJS.ProcessEnv;

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir('govpub-npm-ffmpeg-'));
  // A PATH with node and nothing else: no /usr/bin, so no system ffmpeg or ffprobe.
  const bin = path.join(dir, 'bin');
  await mkdir(bin);
  await symlink(process.execPath, path.join(bin, 'node'));
  hiddenEnv = { ...process.env, PATH: bin };
  delete hiddenEnv.FFMPEG_PATH;
  delete hiddenEnv.FFPROBE_PATH;
});
afterAll(() => cleanup?.());

interface ChildReport {
  visibleOnPath: string[];
  ffmpeg: ResolvedBinary;
  ffprobe: ResolvedBinary;
  probe: ProbeResult;
  rendition: { width: number; height: number; mime: string; sizeBytes: number };
  renditionStreams: { type: string; codec: string; width?: number; height?: number }[];
  counters: { ffmpegSpawns: number; ffprobeSpawns: number };
}

describe('video with the ffmpeg and ffprobe npm installed, the system ones hidden', () => {
  it('uploads, probes and transcodes a video', async () => {
    const workDir = path.join(dir, 'work');
    await mkdir(workDir);
    const { stdout } = await run(process.execPath, ['--import', 'tsx', path.join(ROOT_DIR, 'test', 'media', 'bundled-binaries-child.ts'), workDir], {
      cwd: ROOT_DIR,
      env: hiddenEnv,
      timeout: 80_000,
      maxBuffer: 4 * 1024 * 1024,
    });
    const report = JSON.parse(stdout.trim().split('\n').at(-1)!) as ChildReport;

    expect(report.visibleOnPath).toEqual([]);
    // Both binaries come from packages under this checkout's node_modules.
    for (const tool of [report.ffmpeg, report.ffprobe]) {
      expect(PACKAGE_SOURCES).toContain(tool.source);
      expect(tool.path.startsWith(NODE_MODULES)).toBe(true);
      expect(tool.missing).toEqual([]);
      expect(tool.version?.libavcodec?.[0]).toBeGreaterThanOrEqual(58);
    }

    expect(report.probe).toMatchObject({ kind: 'video', mime: 'video/mp4', width: 640, height: 360, videoCodec: 'h264', audioCodec: 'aac', hasAudio: true });
    expect(report.probe.durationSec).toBeCloseTo(2, 0);

    expect(report.rendition).toMatchObject({ mime: 'video/mp4', width: 1280, height: 720 });
    expect(report.renditionStreams).toEqual(
      expect.arrayContaining([{ type: 'video', codec: 'h264', width: 1280, height: 720 }, expect.objectContaining({ type: 'audio', codec: 'aac' })]),
    );
    expect(report.counters.ffprobeSpawns).toBeGreaterThanOrEqual(1);
    expect(report.counters.ffmpegSpawns).toBeGreaterThanOrEqual(1);
  });

  it('`govpub config check` names the npm binaries, where they are and their versions', async () => {
    const { stdout } = await run(process.execPath, [path.join(ROOT_DIR, 'bin', 'govpub.mjs'), 'config', 'check'], {
      cwd: ROOT_DIR,
      env: hiddenEnv,
      timeout: 50_000,
    });
    const lines = stdout.trim().split('\n');
    const ffmpegLine = lines.find((l) => l.startsWith('ffmpeg '));
    const ffprobeLine = lines.find((l) => l.startsWith('ffprobe '));
    expect(ffmpegLine).toMatch(/^ffmpeg \S+ \(\d{4}\) from (ffmpeg-static|@ffmpeg-installer\/ffmpeg) \/\S+\/node_modules\/\S+ffmpeg$/);
    expect(ffprobeLine).toMatch(/^ffprobe \S+ \(\d{4}\) from (beside-ffmpeg|@ffprobe-installer\/ffprobe) \/\S+\/node_modules\/\S+ffprobe$/);

    const { stdout: json } = await run(process.execPath, [path.join(ROOT_DIR, 'bin', 'govpub.mjs'), 'config', 'check', '--json'], {
      cwd: ROOT_DIR,
      env: hiddenEnv,
      timeout: 50_000,
    });
    const media = (JSON.parse(json) as { media: { ffmpeg: { ok: boolean; binary: ResolvedBinary } } }).media;
    expect(media.ffmpeg).toMatchObject({ ok: true, binary: { path: expect.stringContaining(NODE_MODULES) as unknown, missing: [] } });
  });
});
