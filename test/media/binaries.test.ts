import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GovpubError } from '../../domain/errors.js';
import {
  compareVersions,
  describeBinaryStatus,
  mediaBinariesLine,
  missingEncoders,
  parseVersionOutput,
  resetMediaBinaries,
  resolveFfmpeg,
  resolveFfprobe,
  resolveMediaBinaries,
  type PackageLoader,
  type PackageSource,
} from '../../media/binaries.js';
import { makeTempDir, mediaToolsForTests } from './fixtures.js';

let dir: string;
let cleanup: () => Promise<void>;

/** What `-version` prints for a build with this version, copyright year and libavcodec version. */
function versionText(tool: 'ffmpeg' | 'ffprobe', version: string, year: number, codec: string): string {
  return `${tool} version ${version} Copyright (c) 2000-${year} the FFmpeg developers\nbuilt with gcc 12\nlibavutil      57. 28.100 / 57. 28.100\nlibavcodec     ${codec} / ${codec}\n`;
}

interface FakeTool {
  version: string;
  year: number;
  codec: string;
  /** ffmpeg: the encoders `-encoders` lists (default libx264 and aac). */
  encoders?: string[];
  /** ffprobe: whether `-print_format json` works (default yes). */
  json?: boolean;
}

/**
 * A shell script standing in for ffmpeg/ffprobe: answers `-version`, `-encoders` and ffprobe's
 * JSON check like the real ones, and appends a line to `<file>.runs` each time it runs.
 */
async function fakeTool(file: string, tool: 'ffmpeg' | 'ffprobe', spec: FakeTool): Promise<string> {
  await mkdir(path.dirname(file), { recursive: true });
  const encoders = (spec.encoders ?? ['libx264', 'aac']).map((e) => ` V....D ${e.padEnd(20)} ${e} encoder`).join('\n');
  const json = spec.json === false ? 'echo "Unknown output format" >&2; exit 1' : `echo '{"program_version":{"version":"${spec.version}"}}'`;
  await writeFile(
    file,
    [
      '#!/bin/sh',
      `echo "$*" >> '${file}.runs'`,
      'case "$*" in',
      `  -version) cat <<'EOF'\n${versionText(tool, spec.version, spec.year, spec.codec)}EOF\n  ;;`,
      `  *-encoders*) printf 'Encoders:\\n V..... = Video\\n ------\\n%s\\n' '${encoders}' ;;`,
      `  *json*) ${json} ;;`,
      'esac',
      '',
    ].join('\n'),
  );
  await chmod(file, 0o755);
  return file;
}

const DEBIAN_51 = { version: '5.1.9-0+deb12u1', year: 2026, codec: '59. 37.100' };
const SNAPSHOT_2018 = { version: 'N-47683-g0e8eb07980-static', year: 2018, codec: '58. 42.100' };
const SNAPSHOT_2023 = { version: 'N-66595-gc2b38619c0-static', year: 2023, codec: '60. 22.100' };
const RELEASE_60 = { version: 'b6.0', year: 2023, codec: '60.  3.100' };

const none: PackageLoader = async () => null;
const packages = (p: Partial<Record<PackageSource, string | null>>): Record<PackageSource, PackageLoader> => ({
  'ffmpeg-static': async () => p['ffmpeg-static'] ?? null,
  '@ffmpeg-installer/ffmpeg': async () => p['@ffmpeg-installer/ffmpeg'] ?? null,
  '@ffprobe-installer/ffprobe': async () => p['@ffprobe-installer/ffprobe'] ?? null,
});
const noPackages = { 'ffmpeg-static': none, '@ffmpeg-installer/ffmpeg': none, '@ffprobe-installer/ffprobe': none };

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir('govpub-bin-'));
});
afterAll(() => cleanup());

describe('reading -version and -encoders', () => {
  it('parses release, Debian and git-snapshot builds', () => {
    expect(parseVersionOutput(versionText('ffmpeg', DEBIAN_51.version, 2026, DEBIAN_51.codec))).toEqual({
      version: '5.1.9-0+deb12u1',
      year: 2026,
      libavcodec: [59, 37, 100],
    });
    expect(
      parseVersionOutput(
        'ffprobe version N-66595-gc2b38619c0-static https://johnvansickle.com/ffmpeg/  Copyright (c) 2007-2023 the FFmpeg developers\nlibavcodec     60. 22.100 / 60. 22.100',
      ),
    ).toEqual({ version: 'N-66595-gc2b38619c0-static', year: 2023, libavcodec: [60, 22, 100] });
    expect(parseVersionOutput('ffmpeg version n7.1 Copyright (c) 2000-2024 the FFmpeg developers')).toEqual({
      version: 'n7.1',
      year: 2024,
      libavcodec: undefined,
    });
    expect(parseVersionOutput('usage: something else')).toBeNull();
  });

  it('ranks by libavcodec, so a 2018 snapshot < Debian 5.1 < FFmpeg 6.0 < a 2023 snapshot', () => {
    const v = (t: { version: string; year: number; codec: string }) => parseVersionOutput(versionText('ffmpeg', t.version, t.year, t.codec))!;
    const sorted = [SNAPSHOT_2023, DEBIAN_51, RELEASE_60, SNAPSHOT_2018].map(v).sort(compareVersions);
    expect(sorted.map((x) => x.version)).toEqual([SNAPSHOT_2018.version, DEBIAN_51.version, RELEASE_60.version, SNAPSHOT_2023.version]);
    expect(compareVersions(v(DEBIAN_51), v(DEBIAN_51))).toBe(0);
  });

  it('finds libx264 and aac in an encoder list, and says which is missing', () => {
    const list =
      'Encoders:\n V..... = Video\n A..... = Audio\n ------\n V....D libx264              libx264 H.264\n A....D aac                  AAC (Advanced Audio Coding)\n';
    expect(missingEncoders(list)).toEqual([]);
    expect(missingEncoders(list.replace('libx264 ', 'libopenh264 '))).toEqual(['libx264 encoder']);
    expect(missingEncoders('')).toEqual(['libx264 encoder', 'aac encoder']);
  });
});

describe('ffmpeg resolution: FFMPEG_PATH wins; otherwise the newest capable of ffmpeg-static, @ffmpeg-installer, PATH', () => {
  it('uses FFMPEG_PATH first, even when a newer ffmpeg is available, and reports its version', async () => {
    const exe = await fakeTool(path.join(dir, 'env', 'my-ffmpeg'), 'ffmpeg', SNAPSHOT_2018);
    const staticExe = await fakeTool(path.join(dir, 'static', 'ffmpeg'), 'ffmpeg', RELEASE_60);
    const r = await resolveFfmpeg({ env: { FFMPEG_PATH: exe, PATH: '' }, packages: packages({ 'ffmpeg-static': staticExe }) });
    expect(r).toMatchObject({ path: exe, source: 'env', version: { version: SNAPSHOT_2018.version, year: 2018 }, missing: [] });
  });

  it('refuses an FFMPEG_PATH that points at nothing instead of silently falling back', async () => {
    const err = await resolveFfmpeg({ env: { FFMPEG_PATH: path.join(dir, 'nope'), PATH: '/usr/bin' }, packages: noPackages }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GovpubError);
    expect((err as GovpubError).code).toBe('ffmpeg_not_found');
    expect((err as GovpubError).message).toMatch(/FFMPEG_PATH is set to ".*nope"/);
  });

  it('an FFMPEG_PATH without libx264 is still used (the operator chose it), marked as lacking it', async () => {
    const exe = await fakeTool(path.join(dir, 'env-noh264', 'ffmpeg'), 'ffmpeg', { ...DEBIAN_51, encoders: ['aac'] });
    const r = await resolveFfmpeg({ env: { FFMPEG_PATH: exe, PATH: '' }, packages: noPackages });
    expect(r).toMatchObject({ path: exe, source: 'env', missing: ['libx264 encoder'] });
    expect(describeBinaryStatus('ffmpeg', { ok: true, binary: r })).toMatch(/from FFMPEG_PATH .* WARNING: lacks libx264 encoder/);
  });

  it('uses the newest: Debian 5.1 on PATH beats the 2018 @ffmpeg-installer build; ffmpeg-static 6.0 beats both', async () => {
    const installer = await fakeTool(path.join(dir, 'installer', 'ffmpeg'), 'ffmpeg', SNAPSHOT_2018);
    const onPath = await fakeTool(path.join(dir, 'sys', 'ffmpeg'), 'ffmpeg', DEBIAN_51);
    const staticExe = await fakeTool(path.join(dir, 'static6', 'ffmpeg'), 'ffmpeg', RELEASE_60);
    const env = { PATH: path.join(dir, 'sys') };
    expect(await resolveFfmpeg({ env, packages: packages({ '@ffmpeg-installer/ffmpeg': installer }) })).toMatchObject({ path: onPath, source: 'PATH' });
    expect(await resolveFfmpeg({ env: { PATH: '' }, packages: packages({ '@ffmpeg-installer/ffmpeg': installer }) })).toMatchObject({
      path: installer,
      source: '@ffmpeg-installer/ffmpeg',
      version: { year: 2018 },
    });
    expect(await resolveFfmpeg({ env, packages: packages({ 'ffmpeg-static': staticExe, '@ffmpeg-installer/ffmpeg': installer }) })).toMatchObject({
      path: staticExe,
      source: 'ffmpeg-static',
    });
  });

  it('on equal versions ffmpeg-static comes first', async () => {
    const staticExe = await fakeTool(path.join(dir, 'static-tie', 'ffmpeg'), 'ffmpeg', DEBIAN_51);
    await fakeTool(path.join(dir, 'sys-tie', 'ffmpeg'), 'ffmpeg', DEBIAN_51);
    const r = await resolveFfmpeg({ env: { PATH: path.join(dir, 'sys-tie') }, packages: packages({ 'ffmpeg-static': staticExe }) });
    expect(r).toMatchObject({ path: staticExe, source: 'ffmpeg-static' });
  });

  it('skips a newer ffmpeg that lacks libx264 or aac for an older capable one', async () => {
    const installer = await fakeTool(path.join(dir, 'installer2', 'ffmpeg'), 'ffmpeg', SNAPSHOT_2018);
    await fakeTool(path.join(dir, 'sys-free', 'ffmpeg'), 'ffmpeg', { ...SNAPSHOT_2023, encoders: ['libopenh264', 'aac'] });
    const r = await resolveFfmpeg({ env: { PATH: path.join(dir, 'sys-free') }, packages: packages({ '@ffmpeg-installer/ffmpeg': installer }) });
    expect(r).toMatchObject({ path: installer, source: '@ffmpeg-installer/ffmpeg' });
  });

  it('falls back when ffmpeg-static is installed but its binary was never downloaded', async () => {
    const onPath = await fakeTool(path.join(dir, 'bin1', 'ffmpeg'), 'ffmpeg', DEBIAN_51);
    const r = await resolveFfmpeg({
      env: { PATH: path.join(dir, 'bin1') },
      packages: packages({ 'ffmpeg-static': path.join(dir, 'static-missing', 'ffmpeg') }),
    });
    expect(r).toMatchObject({ path: onPath, source: 'PATH' });
  });

  it('one clear error listing every option, and what each candidate lacks, when nothing is usable', async () => {
    const weak = await fakeTool(path.join(dir, 'weak', 'ffmpeg'), 'ffmpeg', { ...DEBIAN_51, encoders: ['aac'] });
    const err = (await resolveFfmpeg({
      env: { PATH: path.join(dir, 'empty') },
      packages: packages({ 'ffmpeg-static': path.join(dir, 'static-missing', 'ffmpeg'), '@ffmpeg-installer/ffmpeg': weak }),
    }).catch((e: unknown) => e)) as GovpubError;
    expect(err.code).toBe('ffmpeg_not_found');
    expect(err.message).toContain('FFMPEG_PATH');
    expect(err.message).toMatch(/ffmpeg-static \(package found, but its binary .*static-missing\/ffmpeg is missing\)/);
    expect(err.message).toContain(`@ffmpeg-installer/ffmpeg ${weak} (5.1.9-0+deb12u1 (2026) lacks libx264 encoder)`);
    expect(err.message).toContain('ffmpeg on PATH (none)');
    expect(err.message).toMatch(/npm install/);
    expect(err.message).toMatch(/apt-get install ffmpeg/);
  });

  it('runs each binary once per process, however often it is resolved', async () => {
    const exe = await fakeTool(path.join(dir, 'counted', 'ffmpeg'), 'ffmpeg', DEBIAN_51);
    const opts = { env: { PATH: path.join(dir, 'counted') }, packages: noPackages };
    resetMediaBinaries();
    await resolveFfmpeg(opts);
    await resolveFfmpeg(opts);
    await resolveMediaBinaries(opts).catch(() => undefined);
    const runs = (await readFile(`${exe}.runs`, 'utf8')).trim().split('\n');
    expect(runs).toEqual(['-version', '-hide_banner -encoders']);
  });
});

describe('ffprobe resolution: FFPROBE_PATH wins; otherwise the newest of beside ffmpeg, @ffprobe-installer, PATH', () => {
  it('uses FFPROBE_PATH first', async () => {
    const exe = await fakeTool(path.join(dir, 'probe-env', 'ffprobe-x'), 'ffprobe', SNAPSHOT_2018);
    const installer = await fakeTool(path.join(dir, 'probe-installer', 'ffprobe'), 'ffprobe', SNAPSHOT_2023);
    const r = await resolveFfprobe(
      { path: '/x/ffmpeg', source: 'env' },
      { env: { FFPROBE_PATH: exe, PATH: '' }, packages: packages({ '@ffprobe-installer/ffprobe': installer }) },
    );
    expect(r).toMatchObject({ path: exe, source: 'env' });
  });

  it('the 2023 @ffprobe-installer build beats Debian 5.1 beside ffmpeg and on PATH', async () => {
    const ff = await fakeTool(path.join(dir, 'pair', 'ffmpeg'), 'ffmpeg', DEBIAN_51);
    const beside = await fakeTool(path.join(dir, 'pair', 'ffprobe'), 'ffprobe', DEBIAN_51);
    await fakeTool(path.join(dir, 'bin2', 'ffprobe'), 'ffprobe', DEBIAN_51);
    const installer = await fakeTool(path.join(dir, 'probe-installer2', 'ffprobe'), 'ffprobe', SNAPSHOT_2023);
    const ffmpeg = { path: ff, source: 'PATH' as const };
    const env = { PATH: path.join(dir, 'bin2') };
    expect(await resolveFfprobe(ffmpeg, { env, packages: packages({ '@ffprobe-installer/ffprobe': installer }) })).toMatchObject({
      path: installer,
      source: '@ffprobe-installer/ffprobe',
      version: { year: 2023 },
    });
    // Without the package: the one beside ffmpeg (same version as PATH's, and listed first).
    expect(await resolveFfprobe(ffmpeg, { env, packages: noPackages })).toMatchObject({ path: beside, source: 'beside-ffmpeg' });
  });

  it('skips an ffprobe that cannot print JSON', async () => {
    const installer = await fakeTool(path.join(dir, 'probe-nojson', 'ffprobe'), 'ffprobe', { ...SNAPSHOT_2023, json: false });
    const onPath = path.join(dir, 'bin2', 'ffprobe');
    const r = await resolveFfprobe(null, { env: { PATH: path.join(dir, 'bin2') }, packages: packages({ '@ffprobe-installer/ffprobe': installer }) });
    expect(r).toMatchObject({ path: onPath, source: 'PATH' });
  });

  it('falls back to PATH, and otherwise lists the options', async () => {
    const onPath = path.join(dir, 'bin2', 'ffprobe');
    const r = await resolveFfprobe(
      { path: path.join(dir, 'lonely', 'ffmpeg'), source: 'ffmpeg-static' },
      { env: { PATH: path.join(dir, 'bin2') }, packages: noPackages },
    );
    expect(r).toMatchObject({ path: onPath, source: 'PATH' });
    const err = (await resolveFfprobe(null, { env: { PATH: '' }, packages: noPackages }).catch((e: unknown) => e)) as GovpubError;
    expect(err.code).toBe('ffprobe_not_found');
    expect(err.message).toContain('FFPROBE_PATH');
    expect(err.message).toContain('same directory as ffmpeg');
    expect(err.message).toContain('@ffprobe-installer/ffprobe (optional package not installed');
  });
});

describe('what is printed', () => {
  it('one start line naming both tools, where they come from and their versions', () => {
    const line = mediaBinariesLine({
      ffmpeg: {
        ok: true,
        binary: {
          path: '/app/node_modules/@ffmpeg-installer/linux-x64/ffmpeg',
          source: '@ffmpeg-installer/ffmpeg',
          version: parseVersionOutput(versionText('ffmpeg', SNAPSHOT_2018.version, 2018, SNAPSHOT_2018.codec))!,
        },
      },
      ffprobe: { ok: false, code: 'ffprobe_not_found', message: 'No usable ffprobe was found; …' },
    });
    expect(line).toBe(
      'media: ffmpeg N-47683-g0e8eb07980-static (2018) from @ffmpeg-installer/ffmpeg /app/node_modules/@ffmpeg-installer/linux-x64/ffmpeg; ' +
        'ffprobe NOT FOUND (ffprobe_not_found; `govpub config check` says why)',
    );
    expect(line).not.toContain('\n');
  });
});

describe('on this machine', () => {
  it('npm install brought @ffmpeg-installer and @ffprobe-installer binaries that are capable (required under CI=true on linux-x64)', async (ctx) => {
    if (`${process.platform}-${process.arch}` !== 'linux-x64' && process.env.CI !== 'true') ctx.skip();
    const onlyPackages = { env: { PATH: '' } };
    const ffmpeg = await resolveFfmpeg(onlyPackages);
    expect(['ffmpeg-static', '@ffmpeg-installer/ffmpeg']).toContain(ffmpeg.source);
    expect(ffmpeg.missing).toEqual([]);
    const ffprobe = await resolveFfprobe(ffmpeg, onlyPackages);
    expect(['beside-ffmpeg', '@ffprobe-installer/ffprobe']).toContain(ffprobe.source);
    expect(ffprobe.path).toContain(`${path.sep}node_modules${path.sep}`);
  });

  it('resolves both on this machine (required under CI=true)', async (ctx) => {
    const tools = await mediaToolsForTests();
    if (!tools.enabled) ctx.skip();
    const both = await resolveMediaBinaries();
    expect(both.ffmpeg.path).toBeTruthy();
    expect(both.ffprobe.path).toBeTruthy();
    expect(both.ffmpeg.version?.libavcodec?.[0]).toBeGreaterThanOrEqual(58);
  });
});
