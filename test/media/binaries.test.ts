import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GovpubError } from '../../domain/errors.js';
import { resolveFfmpeg, resolveFfprobe, resolveMediaBinaries } from '../../media/binaries.js';
import { makeTempDir, mediaToolsForTests } from './fixtures.js';

let dir: string;
let cleanup: () => Promise<void>;

async function fakeExe(file: string): Promise<string> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, '#!/bin/sh\nexit 0\n');
  await chmod(file, 0o755);
  return file;
}

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir('govpub-bin-'));
});
afterAll(() => cleanup());

const noStatic = async () => null;

describe('ffmpeg resolution: FFMPEG_PATH → ffmpeg-static → PATH', () => {
  it('uses FFMPEG_PATH first', async () => {
    const exe = await fakeExe(path.join(dir, 'env', 'my-ffmpeg'));
    const staticExe = await fakeExe(path.join(dir, 'static', 'ffmpeg'));
    const r = await resolveFfmpeg({ env: { FFMPEG_PATH: exe, PATH: '' }, loadFfmpegStatic: async () => staticExe });
    expect(r).toEqual({ path: exe, source: 'env' });
  });

  it('refuses an FFMPEG_PATH that points at nothing instead of silently falling back', async () => {
    const err = await resolveFfmpeg({ env: { FFMPEG_PATH: path.join(dir, 'nope'), PATH: '/usr/bin' }, loadFfmpegStatic: noStatic }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GovpubError);
    expect((err as GovpubError).code).toBe('ffmpeg_not_found');
    expect((err as GovpubError).message).toMatch(/FFMPEG_PATH is set to ".*nope"/);
  });

  it('uses ffmpeg-static when FFMPEG_PATH is unset', async () => {
    const staticExe = await fakeExe(path.join(dir, 'static2', 'ffmpeg'));
    const r = await resolveFfmpeg({ env: { PATH: '' }, loadFfmpegStatic: async () => staticExe });
    expect(r).toEqual({ path: staticExe, source: 'ffmpeg-static' });
  });

  it('falls back to PATH when ffmpeg-static is missing or its binary was never downloaded', async () => {
    const onPath = await fakeExe(path.join(dir, 'bin1', 'ffmpeg'));
    const r = await resolveFfmpeg({ env: { PATH: path.join(dir, 'bin1') }, loadFfmpegStatic: async () => path.join(dir, 'static-missing', 'ffmpeg') });
    expect(r).toEqual({ path: onPath, source: 'PATH' });
  });

  it('the real optional ffmpeg-static import fails softly when the package is absent', async () => {
    const r = await resolveFfmpeg({ env: { PATH: path.join(dir, 'bin1') } });
    expect(['ffmpeg-static', 'PATH']).toContain(r.source);
  });

  it('one clear error listing every option when nothing is found', async () => {
    const err = (await resolveFfmpeg({ env: { PATH: path.join(dir, 'empty') }, loadFfmpegStatic: noStatic }).catch((e: unknown) => e)) as GovpubError;
    expect(err.code).toBe('ffmpeg_not_found');
    expect(err.message).toContain('FFMPEG_PATH');
    expect(err.message).toContain('ffmpeg-static');
    expect(err.message).toContain('PATH');
    expect(err.message).toMatch(/apt-get install ffmpeg/);
  });
});

describe('ffprobe resolution: FFPROBE_PATH → beside ffmpeg → PATH', () => {
  it('uses FFPROBE_PATH first', async () => {
    const exe = await fakeExe(path.join(dir, 'probe-env', 'ffprobe-x'));
    const r = await resolveFfprobe({ path: '/x/ffmpeg', source: 'env' }, { env: { FFPROBE_PATH: exe, PATH: '' } });
    expect(r).toEqual({ path: exe, source: 'env' });
  });

  it('finds ffprobe next to the resolved ffmpeg before PATH', async () => {
    const ff = await fakeExe(path.join(dir, 'pair', 'ffmpeg'));
    const probe = await fakeExe(path.join(dir, 'pair', 'ffprobe'));
    await fakeExe(path.join(dir, 'bin2', 'ffprobe'));
    const r = await resolveFfprobe({ path: ff, source: 'env' }, { env: { PATH: path.join(dir, 'bin2') } });
    expect(r).toEqual({ path: probe, source: 'beside-ffmpeg' });
  });

  it('falls back to PATH, and otherwise lists the options', async () => {
    const onPath = path.join(dir, 'bin2', 'ffprobe');
    const r = await resolveFfprobe({ path: path.join(dir, 'lonely', 'ffmpeg'), source: 'ffmpeg-static' }, { env: { PATH: path.join(dir, 'bin2') } });
    expect(r).toEqual({ path: onPath, source: 'PATH' });
    const err = (await resolveFfprobe(null, { env: { PATH: '' } }).catch((e: unknown) => e)) as GovpubError;
    expect(err.code).toBe('ffprobe_not_found');
    expect(err.message).toContain('FFPROBE_PATH');
    expect(err.message).toContain('same directory as ffmpeg');
  });

  it('resolves both on this machine (required under CI=true)', async (ctx) => {
    const tools = await mediaToolsForTests();
    if (!tools.enabled) ctx.skip();
    const both = await resolveMediaBinaries();
    expect(both.ffmpeg.path).toBeTruthy();
    expect(both.ffprobe.path).toBeTruthy();
  });
});
