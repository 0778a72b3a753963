/**
 * Channel watermarks: the YAML file (validated with file, line and key path), the CJK font
 * resolution (GOVPUB_FONT_PATH → fc-match → fonts-noto-cjk path, or a clear error), and the
 * watermark itself on pictures and videos (text with the Simplified Chinese face, or a logo),
 * part of the cache key.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRegistry } from '../../config/registry.js';
import { createWatermarkLookup, DEFAULT_WATERMARKS_PATH, loadWatermarks, watermarkEntryFor, watermarkOptionsFor } from '../../config/watermarks.js';
import { ConfigError, GovpubError } from '../../domain/errors.js';
import { listChannels } from '../../domain/registry.js';
import { resolveWatermarkFont, type ResolvedFont } from '../../media/fonts.js';
import { writeWatermarkPng, type WatermarkOptions } from '../../media/image.js';
import { mediaCounters } from '../../media/process.js';
import { ingestUpload, prepareRendition, renditionCacheKey } from '../../media/renditions.js';
import { getSpec } from '../../media/specs.js';
import { LocalMediaStore } from '../../media/store.js';
import { makeClip, makePhoto, makeTempDir, mediaToolsForTests } from './fixtures.js';

const tools = await mediaToolsForTests();
let dir: string;
let cleanup: () => Promise<void>;
let store: LocalMediaStore;
let font: ResolvedFont;

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir('govpub-watermark-'));
  store = new LocalMediaStore(path.join(dir, 'store'));
  font = await resolveWatermarkFont({ env: {} });
});
afterAll(() => cleanup());

/** Mean absolute difference of two pictures' pixels in a region (0–255). */
async function regionDiff(a: string, b: string, region: { left: number; top: number; width: number; height: number }): Promise<number> {
  const read = (f: string) => sharp(f).extract(region).removeAlpha().raw().toBuffer();
  const [x, y] = await Promise.all([read(a), read(b)]);
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += Math.abs(x[i]! - y[i]!);
  return sum / x.length;
}

/** One decoded frame of a video, as PNG. */
function frameAt(video: string, seconds: number, out: string): string {
  execFileSync(tools.binaries!.ffmpeg.path, ['-hide_banner', '-loglevel', 'error', '-y', '-ss', String(seconds), '-i', video, '-frames:v', '1', out]);
  return out;
}

describe('watermarks.yaml', () => {
  it('the sample file loads against the registry; a channel wins over its platform; defaults merge in', async () => {
    const registry = await loadRegistry();
    const config = await loadWatermarks(DEFAULT_WATERMARKS_PATH, { channelIds: listChannels(registry).map((c) => c.id) });
    expect(watermarkEntryFor(config, { platform: 'douyin', channelId: 'douyin:blfb-dy' })).toEqual({
      text: '碑林发布',
      position: 'southeast',
      opacity: 0.6,
      scale: 0.2,
    });
    expect(watermarkEntryFor(config, { platform: 'douyin', channelId: 'douyin:blwhly-dy' })).toMatchObject({ text: '碑林文化旅游' });
    expect(watermarkEntryFor(config, { platform: 'bilibili' })).toMatchObject({ text: '碑林发布', position: 'northeast', scale: 0.15 });
    expect(watermarkEntryFor(config, { platform: 'portal' })).toBeUndefined();
    const options = await watermarkOptionsFor(config, { platform: 'kuaishou', channelId: 'kuaishou:blfb-ks' });
    expect(options).toMatchObject({ text: '碑林发布', font: 'Noto Sans CJK SC Bold', position: 'southeast' });
    expect(options!.fontFile).toMatch(/\.(ttc|otf|ttf)$/);
  });

  it('reports every problem with file, line and key path', async () => {
    const file = path.join(dir, 'bad', 'watermarks.yaml');
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(
      file,
      [
        'defaults:',
        '  position: middle', // 2
        'platforms:',
        '  myspace: { text: x }', // 4
        '  douyin: { text: 碑林发布, opacity: 2 }', // 5
        '  weibo: { image: missing-logo.png }', // 6
        'channels:',
        '  "douyin:nope": { text: y }', // 8
        '  kuaishou-blfb: { text: z }', // 9
        '  "kuaishou:blfb-ks": { text: z, font: Heiti }', // 10
        'extras: {}', // 11
      ].join('\n'),
    );
    const error = (await loadWatermarks(file, { channelIds: ['kuaishou:blfb-ks', 'douyin:blfb-dy'] }).catch((e: unknown) => e)) as ConfigError;
    expect(error).toBeInstanceOf(ConfigError);
    const lines = error.message.split('\n').map((l) => l.trim());
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/watermarks\.yaml:2: defaults\.position: expected one of northwest, .*southeast, got "middle"/),
        expect.stringMatching(/watermarks\.yaml:4: platforms\.myspace: unknown platform; expected one of portal, wechat_oa/),
        expect.stringMatching(/watermarks\.yaml:5: platforms\.douyin\.opacity: expected a number above 0 and at most 1, got 2/),
        expect.stringMatching(/watermarks\.yaml:8: channels\.douyin:nope: no such channel in the registry/),
        expect.stringMatching(/watermarks\.yaml:9: channels\.kuaishou-blfb: expected a channel id "<platform>:<ref>"/),
        expect.stringMatching(/watermarks\.yaml:10: channels\.kuaishou:blfb-ks\.font: unknown key; expected one of text, image/),
        expect.stringMatching(/watermarks\.yaml:11: extras: unknown section/),
        expect.stringMatching(/watermark image .*missing-logo\.png does not exist/),
      ]),
    );
  });

  it('a missing file means no watermarks; `none: true` switches one channel off', async () => {
    expect(await loadWatermarks(path.join(dir, 'nowhere.yaml'))).toEqual({ defaults: {}, platforms: {}, channels: {} });
    const file = path.join(dir, 'none.yaml');
    await writeFile(file, 'platforms:\n  douyin: { text: 碑林发布 }\nchannels:\n  "douyin:blwhly-dy": { none: true }\n');
    const config = await loadWatermarks(file);
    expect(watermarkEntryFor(config, { platform: 'douyin', channelId: 'douyin:blwhly-dy' })).toBeUndefined();
    expect(watermarkEntryFor(config, { platform: 'douyin', channelId: 'douyin:blfb-dy' })).toEqual({ text: '碑林发布' });
  });
});

describe('the watermark font', () => {
  it('by default: fc-match finds the Simplified Chinese face of Noto Sans CJK', async () => {
    expect(font).toMatchObject({ family: 'Noto Sans CJK SC', description: 'Noto Sans CJK SC Bold', source: 'fc-match' });
  });

  it('GOVPUB_FONT_PATH wins; its SC face is picked; a missing, non-font or Latin-only file is a clear error', async () => {
    const chosen = await resolveWatermarkFont({ env: { GOVPUB_FONT_PATH: font.path } });
    expect(chosen).toMatchObject({ path: font.path, family: 'Noto Sans CJK SC', source: 'GOVPUB_FONT_PATH' });

    const missing = (await resolveWatermarkFont({ env: { GOVPUB_FONT_PATH: '/nowhere/font.ttc' } }).catch((e: unknown) => e)) as GovpubError;
    expect(missing).toBeInstanceOf(GovpubError);
    expect(missing.code).toBe('watermark_font_missing');
    expect(missing.message).toMatch(/GOVPUB_FONT_PATH=\/nowhere\/font\.ttc does not exist/);

    // A file that is no font at all (fc-query says nothing about it): named as such, not taken.
    const notes = path.join(dir, 'fonts.txt');
    await writeFile(notes, 'Noto Sans CJK SC Bold\n');
    for (const [notFont, why] of [
      [notes, /GOVPUB_FONT_PATH=.*fonts\.txt is not a font file \(\.ttf, \.otf, \.ttc, \.woff or \.woff2\)/],
      [dir, /is a folder, not a font file/],
    ] as const) {
      const refused = (await resolveWatermarkFont({ env: { GOVPUB_FONT_PATH: notFont } }).catch((e: unknown) => e)) as GovpubError;
      expect(refused).toBeInstanceOf(GovpubError);
      expect(refused.message).toMatch(why);
    }

    const latin = execFileSync('fc-list', ['-f', '%{file}\t%{lang}\n'], { encoding: 'utf8' })
      .split('\n')
      .map((l) => l.split('\t'))
      .find(([file, langs]) => file && /\.(ttf|otf)$/.test(file) && langs && !langs.split('|').includes('zh-cn'))?.[0];
    expect(latin, 'a font without Chinese glyphs on this machine').toBeTruthy();
    const boxes = (await resolveWatermarkFont({ env: { GOVPUB_FONT_PATH: latin! } }).catch((e: unknown) => e)) as GovpubError;
    expect(boxes.message).toMatch(/has no Chinese characters; watermark text would print as empty boxes/);
  });

  it('without fc-match it takes the fonts-noto-cjk path; without any it says how to install one', async () => {
    const fallback = await resolveWatermarkFont({ env: {}, fcMatch: '/nowhere/fc-match', defaultPaths: ['/nowhere/a.ttc', font.path] });
    expect(fallback).toMatchObject({ path: font.path, source: 'default path', family: 'Noto Sans CJK SC' });

    // fc-match that knows no fonts at all (an empty font directory): its answer is not accepted.
    const conf = path.join(dir, 'fonts.conf');
    await mkdir(path.join(dir, 'no-fonts'), { recursive: true });
    await writeFile(
      conf,
      `<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig><dir>${path.join(dir, 'no-fonts')}</dir><cachedir>${path.join(dir, 'fc-cache')}</cachedir></fontconfig>`,
    );
    const none = (await resolveWatermarkFont({ env: { FONTCONFIG_FILE: conf }, defaultPaths: ['/nowhere/NotoSansCJK-Bold.ttc'] }).catch(
      (e: unknown) => e,
    )) as GovpubError;
    expect(none).toBeInstanceOf(GovpubError);
    expect(none.code).toBe('watermark_font_missing');
    expect(none.message).toMatch(
      /GOVPUB_FONT_PATH is unset; fc-match "Noto Sans CJK SC:style=Bold:lang=zh-cn" found only .*\(no Chinese glyphs\).*\/nowhere\/NotoSansCJK-Bold\.ttc does not exist/,
    );
    expect(none.message).toMatch(/apt-get install fonts-noto-cjk/);
  });

  it('draws real Chinese glyphs (not the same empty box for every character)', async () => {
    const wm: WatermarkOptions = { text: '碑林', font: font.description, fontFile: font.path, opacity: 1 };
    const a = await writeWatermarkPng(wm, 1280, 720, path.join(dir, 'mark-a.png'));
    const b = await writeWatermarkPng({ ...wm, text: '碑碑' }, 1280, 720, path.join(dir, 'mark-b.png'));
    expect(a && b).toBeTruthy();
    // Same box for both (pango trims to the ink), then compare coverage pixel by pixel.
    const norm = (f: string) => sharp(f).resize(200, 100, { fit: 'fill' }).ensureAlpha().extractChannel(3).raw().toBuffer();
    const [pa, pb] = await Promise.all([norm(a!.path), norm(b!.path)]);
    let differing = 0;
    for (let i = 0; i < pa.length; i++) if (Math.abs(pa[i]! - pb[i]!) > 64) differing++;
    expect(differing).toBeGreaterThan(500); // 林 and 碑 differ in a large share of the 20,000 pixels
  });

  it("draws a text mark once per size and keeps each output's opacity its own (the drawn pixels are reused, never changed)", async () => {
    const wm: WatermarkOptions = { text: '碑林发布', font: font.description, fontFile: font.path, opacity: 1 };
    const alpha = async (f: string) => sharp(f).ensureAlpha().extractChannel(3).raw().toBuffer();
    const full = await writeWatermarkPng(wm, 1280, 720, path.join(dir, 'mark-full.png'));
    const faint = await writeWatermarkPng({ ...wm, opacity: 0.25 }, 1280, 720, path.join(dir, 'mark-faint.png'));
    const again = await writeWatermarkPng(wm, 1280, 720, path.join(dir, 'mark-again.png'));
    const [a, f, g] = await Promise.all([alpha(full!.path), alpha(faint!.path), alpha(again!.path)]);
    expect(Math.max(...f)).toBeLessThanOrEqual(Math.ceil(255 * 0.25));
    expect(Math.max(...a)).toBeGreaterThan(200);
    expect(g.equals(a)).toBe(true); // the faint one in between left the drawn mark as it was
  });
});

describe('watermarks on renditions', () => {
  it('pictures: the configured CJK text lands where configured; thumbs take none; part of the cache key', async () => {
    const photo = path.join(dir, 'photo.jpg');
    await makePhoto(photo, 1600, 1000);
    const { sha256 } = await ingestUpload(store, createReadStream(photo), { label: 'photo.jpg' });
    const lookup = createWatermarkLookup(DEFAULT_WATERMARKS_PATH);
    const wm = await lookup({ platform: 'weibo' });
    expect(wm).toMatchObject({ text: '碑林发布', position: 'southeast' });

    const plain = await prepareRendition(store, sha256, 'weibo.image');
    const marked = await prepareRendition(store, sha256, 'weibo.image', { watermark: wm });
    expect(marked.sha256).not.toBe(plain.sha256);
    expect(await renditionCacheKey(sha256, getSpec('weibo.image'), wm)).not.toBe(await renditionCacheKey(sha256, getSpec('weibo.image')));
    const place = (await writeWatermarkPng(wm!, marked.width!, marked.height!, path.join(dir, 'probe-mark.png')))!;
    expect(await regionDiff(plain.path, marked.path, { left: place.left, top: place.top, width: place.width, height: place.height })).toBeGreaterThan(8);
    expect(await regionDiff(plain.path, marked.path, { left: 0, top: 0, width: place.width, height: place.height })).toBeLessThan(2);
    // The cover spec takes no watermark: same cache entry with or without one.
    expect(await renditionCacheKey(sha256, getSpec('weibo.poster'), wm)).toBe(await renditionCacheKey(sha256, getSpec('weibo.poster')));
  });

  it('videos: text (CJK font) or a logo over every frame, cached per watermark, asking twice costs nothing', { timeout: 180_000 }, async () => {
    const clip = path.join(dir, 'clip.mp4');
    makeClip(tools.binaries!.ffmpeg.path, clip, { width: 320, height: 180, seconds: 2, fps: 10 });
    const { sha256 } = await ingestUpload(store, createReadStream(clip), { label: 'clip.mp4' });
    const text: WatermarkOptions = { text: '碑林发布', font: font.description, fontFile: font.path, position: 'southeast', opacity: 0.9 };
    const logoFile = path.join(dir, 'logo.png');
    await sharp({ create: { width: 200, height: 100, channels: 4, background: { r: 230, g: 20, b: 20, alpha: 1 } } })
      .png()
      .toFile(logoFile);
    const logo: WatermarkOptions = { imagePath: logoFile, position: 'northwest', opacity: 1, scale: 0.25 };

    const plain = await prepareRendition(store, sha256, 'weibo.video_720');
    const withText = await prepareRendition(store, sha256, 'weibo.video_720', { watermark: text });
    const withLogo = await prepareRendition(store, sha256, 'weibo.video_720', { watermark: logo });
    expect(new Set([plain.sha256, withText.sha256, withLogo.sha256]).size).toBe(3);
    for (const r of [plain, withText, withLogo]) expect(r).toMatchObject({ mime: 'video/mp4', width: 1280, height: 720 });

    const frames = {
      plain: frameAt(plain.path, 1, path.join(dir, 'f-plain.png')),
      text: frameAt(withText.path, 1, path.join(dir, 'f-text.png')),
      logo: frameAt(withLogo.path, 1, path.join(dir, 'f-logo.png')),
    };
    const t = (await writeWatermarkPng(text, 1280, 720, path.join(dir, 'probe-text.png')))!;
    const l = (await writeWatermarkPng(logo, 1280, 720, path.join(dir, 'probe-logo.png')))!;
    const textBox = { left: t.left, top: t.top, width: t.width, height: t.height };
    const logoBox = { left: l.left, top: l.top, width: l.width, height: l.height };
    expect(await regionDiff(frames.plain, frames.text, textBox)).toBeGreaterThan(8);
    expect(await regionDiff(frames.plain, frames.text, logoBox)).toBeLessThan(4);
    expect(await regionDiff(frames.plain, frames.logo, logoBox)).toBeGreaterThan(30);
    expect(await regionDiff(frames.plain, frames.logo, textBox)).toBeLessThan(4);
    // The logo is red where it lies.
    const { channels } = await sharp(
      await sharp(frames.logo)
        .extract({ ...logoBox, width: Math.floor(logoBox.width / 2), height: Math.floor(logoBox.height / 2), left: logoBox.left + 10, top: logoBox.top + 10 })
        .png()
        .toBuffer(),
    ).stats();
    expect(channels[0]!.mean).toBeGreaterThan(180);
    expect(channels[1]!.mean).toBeLessThan(80);
    // The last frame carries it too.
    const last = frameAt(withText.path, 1.85, path.join(dir, 'f-last.png'));
    const lastPlain = frameAt(plain.path, 1.85, path.join(dir, 'f-last-plain.png'));
    expect(await regionDiff(lastPlain, last, textBox)).toBeGreaterThan(8);

    const before = { ...mediaCounters };
    const again = await prepareRendition(store, sha256, 'weibo.video_720', { watermark: text });
    expect(again).toMatchObject({ cached: true, sha256: withText.sha256 });
    expect(mediaCounters).toEqual(before);
    // Metadata stays stripped with the overlay input added.
    const probe = spawnSync(tools.binaries!.ffprobe.path, ['-v', 'error', '-show_entries', 'format_tags', '-of', 'json', withLogo.path], { encoding: 'utf8' });
    expect(JSON.parse(probe.stdout).format?.tags ?? {}).not.toHaveProperty('location');
  });
});
