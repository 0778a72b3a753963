import { copyFile, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GovpubError } from '../../domain/errors.js';
import { probeMedia, sniff } from '../../media/probe.js';
import { ffmpegSync, HEIC_PHOTO, makeClip, makePhoto, makeTempDir, makeTone, makeTransparentPng, mediaToolsForTests } from './fixtures.js';

let dir: string;
let cleanup: () => Promise<void>;
const tools = await mediaToolsForTests();

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir('govpub-probe-'));
  await makePhoto(path.join(dir, 'photo.jpg'), 1200, 800, { gps: true });
});
afterAll(() => cleanup());

async function probeError(file: string, opts: Parameters<typeof probeMedia>[1] = {}): Promise<GovpubError> {
  const err = await probeMedia(file, opts).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(GovpubError);
  return err as GovpubError;
}

describe('probeMedia: images', () => {
  it('reads type, size and EXIF/GPS presence from content, not the file name', async () => {
    const renamed = path.join(dir, 'photo.png'); // a JPEG with the wrong extension
    await copyFile(path.join(dir, 'photo.jpg'), renamed);
    const p = await probeMedia(renamed);
    expect(p).toMatchObject({ kind: 'image', mime: 'image/jpeg', format: 'jpeg', extension: 'jpg', width: 1200, height: 800, hasExif: true, hasGps: true });
    expect(p.sizeBytes).toBeGreaterThan(1000);
  });

  it('reports display dimensions after EXIF orientation', async () => {
    const file = path.join(dir, 'rotated.jpg');
    await sharp({ create: { width: 400, height: 200, channels: 3, background: '#888' } })
      .jpeg()
      .withMetadata({ orientation: 6 })
      .toFile(file);
    const p = await probeMedia(file);
    expect(p).toMatchObject({ width: 200, height: 400, orientation: 6 });
  });

  it('PNG with transparency, WebP', async () => {
    await makeTransparentPng(path.join(dir, 'graphic.png'), 800, 400);
    expect(await probeMedia(path.join(dir, 'graphic.png'))).toMatchObject({ kind: 'image', mime: 'image/png', hasAlpha: true, hasExif: false });
    await sharp(path.join(dir, 'photo.jpg')).webp().toFile(path.join(dir, 'photo.webp'));
    expect(await probeMedia(path.join(dir, 'photo.webp'))).toMatchObject({ mime: 'image/webp', width: 1200 });
  });

  it('refuses a 0-byte file', async () => {
    const file = path.join(dir, 'empty.jpg');
    await writeFile(file, '');
    const err = await probeError(file);
    expect(err.code).toBe('media_empty');
    expect(err.message).toMatch(/empty\.jpg is empty \(0 bytes\).*Upload the file again/);
  });

  it('refuses a truncated JPEG as corrupt', async () => {
    const full = await readFile(path.join(dir, 'photo.jpg'));
    const file = path.join(dir, 'cut.jpg');
    await writeFile(file, full.subarray(0, Math.floor(full.length * 0.6)));
    const err = await probeError(file);
    expect(err.code).toBe('media_corrupt');
    expect(err.message).toMatch(/cut\.jpg looks like a JPEG image but cannot be decoded/);
  });

  it('refuses a JPEG header followed by garbage as corrupt', async () => {
    const file = path.join(dir, 'garbage.jpg');
    await writeFile(file, Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(5000, 0x41)]));
    expect((await probeError(file)).code).toBe('media_corrupt');
  });

  it('takes a PDF renamed .jpg for the document it is; refuses a text file renamed .jpg and a broken ZIP, naming what they are', async () => {
    const pdf = path.join(dir, 'scan.jpg');
    await writeFile(pdf, '%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF\n');
    expect(await probeMedia(pdf)).toMatchObject({ kind: 'document', format: 'pdf', mime: 'application/pdf', extension: 'pdf' });

    const txt = path.join(dir, 'notes.jpg');
    await writeFile(txt, '关于开展2025年政务公开工作的通知\nThis is plain text.\n');
    const e2 = await probeError(txt);
    expect(e2.code).toBe('media_unsupported');
    expect(e2.message).toMatch(/notes\.jpg is a text file/);

    const docx = path.join(dir, 'report.png');
    await writeFile(docx, Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(100)]));
    const broken = await probeError(docx);
    expect(broken.code).toBe('media_document_invalid');
    expect(broken.message).toMatch(/report\.png looks like a ZIP container .* cannot be read/);
  });

  it('refuses a file over the limit, saying which limit and by how much', async () => {
    const err = await probeError(path.join(dir, 'photo.jpg'), { maxBytes: { image: 10_000 }, limitName: 'the image upload limit' });
    expect(err.code).toBe('media_too_large');
    expect(err.message).toMatch(/photo\.jpg is [\d.]+ KB, [\d.]+ KB over the 10 KB limit of the image upload limit/);
  });

  it('refuses images over the pixel limit', async () => {
    const err = await probeError(path.join(dir, 'photo.jpg'), { maxPixels: 500_000 });
    expect(err.code).toBe('media_too_large');
    expect(err.message).toMatch(/1200×800 pixels \(1 MP\), 0\.5 MP over the 0\.5 MP limit/);
  });

  it('an iPhone HEIC photo is refused with how to export it, in Chinese too (it is a photo, not an unknown file type)', async () => {
    const file = path.join(dir, 'stored-heic-blob');
    await writeFile(file, HEIC_PHOTO);
    const err = await probeError(file, { label: 'IMG_0002.HEIC' });
    expect(err.code).toBe('media_unsupported');
    expect(err.message).toContain('IMG_0002.HEIC is an HEIC/HEIF photo');
    expect(err.messageZh).toContain('「IMG_0002.HEIC」是 HEIC/HEIF 格式的照片');
    expect(err.messageZh).toContain('iPhone：设置 → 相机 → 格式 → 兼容性最佳');
  });

  it('a damaged picture is named by its upload name, never by the server path it is stored at', async () => {
    const file = path.join(dir, 'stored-damaged-blob');
    const heic = Buffer.from(HEIC_PHOTO);
    heic.writeUInt32BE(0x7fffffff, 0x1c); // the meta box's size: past the end of the file
    await writeFile(file, heic);
    const err = await probeError(file, { label: '会场照片.heic' });
    expect(err.code).toBe('media_corrupt');
    expect(err.message).toContain('会场照片.heic');
    expect(err.message).not.toContain(dir);
  });

  it('sniff recognises containers by magic bytes', () => {
    expect(sniff(Buffer.from('GIF89a....'))).toMatchObject({ family: 'image', format: 'gif' });
    expect(sniff(Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 0, 0, 0]))).toMatchObject({ family: 'av', format: 'matroska' });
    expect(sniff(Buffer.from('ID3\u0003\u0000'))).toMatchObject({ family: 'av', format: 'mp3' });
    expect(sniff(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"></svg>'))).toMatchObject({ family: 'unsupported' });
  });
});

describe.skipIf(!tools.enabled)('probeMedia: audio and video (ffprobe)', () => {
  let ffmpeg: string;
  beforeAll(async () => {
    if (!tools.binaries) throw tools.error ?? new Error('ffmpeg missing');
    ffmpeg = tools.binaries.ffmpeg.path;
    makeClip(ffmpeg, path.join(dir, 'clip.mp4'), { width: 640, height: 360, seconds: 2 });
    makeClip(ffmpeg, path.join(dir, 'clip-fast.mp4'), { width: 640, height: 360, seconds: 2, faststart: true });
    makeTone(ffmpeg, path.join(dir, 'tone.mp3'), 2);
  });

  it('reads duration, dimensions and codecs of a video', async () => {
    const p = await probeMedia(path.join(dir, 'clip.mp4'));
    expect(p).toMatchObject({
      kind: 'video',
      mime: 'video/mp4',
      format: 'mp4',
      width: 640,
      height: 360,
      videoCodec: 'h264',
      audioCodec: 'aac',
      fps: 25,
      hasAudio: true,
    });
    expect(p.durationSec).toBeGreaterThan(1.9);
    expect(p.durationSec).toBeLessThan(2.2);
  });

  it('reads an MP3 as audio', async () => {
    const p = await probeMedia(path.join(dir, 'tone.mp3'));
    expect(p).toMatchObject({ kind: 'audio', mime: 'audio/mpeg', audioCodec: 'mp3', hasVideo: false });
    expect(p.durationSec).toBeGreaterThan(1.9);
  });

  it('reads an MPEG-TS video (camera and broadcast exports), a Chinese service name included', async () => {
    // The bundled static ffprobe crashed (SIGSEGV) on every TS file: its static glibc loaded the
    // system's iconv modules to decode the service name. The upload was refused as "damaged".
    const file = path.join(dir, '摄像机导出.ts');
    ffmpegSync(ffmpeg, [
      ...['-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=25', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000'],
      ...['-t', '1', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest'],
      ...['-f', 'mpegts', '-metadata', 'service_name=碑林区融媒体中心', file],
    ]);
    const p = await probeMedia(file);
    expect(p).toMatchObject({ kind: 'video', width: 640, height: 360, videoCodec: 'h264', audioCodec: 'aac', hasAudio: true });
    expect(p.durationSec).toBeGreaterThan(0.9);
  });

  it('a video ffprobe cannot read is named by its upload name, never by the server path it is stored at', async () => {
    const file = path.join(dir, 'stored-garbage-blob');
    await writeFile(file, Buffer.concat([Buffer.from('000000206674797069736f6d0000020069736f6d69736f32617663316d703431', 'hex'), Buffer.alloc(50_000, 7)]));
    const err = await probeError(file, { label: '发布会.mp4' });
    expect(err.code).toBe('media_corrupt');
    expect(err.message).toMatch(/^发布会\.mp4 looks like an MP4 file but cannot be read \(ffprobe: .*发布会\.mp4/);
    expect(err.message).not.toContain(dir);
  });

  it('refuses a truncated video (index at the end: lost)', async () => {
    const full = await readFile(path.join(dir, 'clip.mp4'));
    const file = path.join(dir, 'cut.mp4');
    await writeFile(file, full.subarray(0, Math.floor(full.length / 2)));
    const err = await probeError(file);
    expect(err.code).toBe('media_corrupt');
    expect(err.message).toMatch(/cut\.mp4/);
  });

  it('refuses a truncated video even when its index comes first (ffprobe alone would accept it)', async () => {
    const full = await readFile(path.join(dir, 'clip-fast.mp4'));
    const file = path.join(dir, 'cut-fast.mp4');
    await writeFile(file, full.subarray(0, Math.floor(full.length * 0.7)));
    const err = await probeError(file);
    expect(err.code).toBe('media_corrupt');
    expect(err.message).toMatch(/cut-fast\.mp4 is cut off: its 'mdat' section needs .* but the file has only/);
  });

  it('refuses a video over the video limit', async () => {
    const err = await probeError(path.join(dir, 'clip.mp4'), { maxBytes: { video: 1000 }, limitName: 'WeChat video material' });
    expect(err.code).toBe('media_too_large');
    expect(err.message).toMatch(/over the 1 KB limit of WeChat video material/);
  });
});
