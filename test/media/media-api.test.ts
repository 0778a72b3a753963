/**
 * POST /api/media and the media records over real HTTP: multipart uploads streamed into the
 * content-addressed store, probed by content; refusals that say what is wrong and by how much;
 * the same bytes twice find one record; the original served with Range.
 */
import { createHash } from 'node:crypto';
import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GovpubError } from '../../domain/errors.js';
import { resetMediaBinaries } from '../../media/binaries.js';
import { prepareRendition } from '../../media/renditions.js';
import { HEIC_PHOTO, makeClip, makeNoise, makePhoto, mediaToolsForTests } from './fixtures.js';
import { startMediaHarness, uploadFile, type MediaHarness } from './media-harness.js';

const tools = await mediaToolsForTests();
let h: MediaHarness;
let photo: string;
let photoSha: string;

beforeAll(async () => {
  // A small image limit so "too large" needs no large file; a 10 MB one proves the API's 8 MB JSON body limit does not apply.
  h = await startMediaHarness({ limits: { image: 12_000_000 } });
  photo = path.join(h.dir, 'photo.jpg');
  await makePhoto(photo, 1600, 1000, { gps: true });
  photoSha = createHash('sha256')
    .update(await readFile(photo))
    .digest('hex');
});
afterAll(async () => {
  await h?.close();
});

describe('POST /api/media', () => {
  it('stores an image by its SHA-256, probed: 201 with kind, type, size, and a note about the GPS it carries', async () => {
    const res = await uploadFile(h, photo, '活动照片.jpg');
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      id: photoSha,
      kind: 'image',
      mime: 'image/jpeg',
      format: 'jpeg',
      width: 1600,
      height: 1000,
      uploadName: '活动照片.jpg',
      created: true,
      contentUrl: `/api/media/${photoSha}/content`,
      probe: { hasGps: true, hasExif: true },
    });
    expect(res.body.sizeBytes).toBe((await stat(photo)).size);
    expect(res.body.warnings.join(' ')).toMatch(/GPS location .* published renditions never do/);
    expect(res.body.warningsZh.join(' ')).toMatch(/活动照片\.jpg」的 EXIF 信息中带有 GPS 位置/);
    expect(await h.store.has(photoSha)).toBe(true);
    const row = await h.db.selectFrom('media').selectAll().where('id', '=', photoSha).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ kind: 'image', width: 1600, height: 1000, created_by: h.editor.actor.id });
  });

  it('the same bytes again: 200 with the same record, nothing stored twice', async () => {
    const copy = path.join(h.dir, 'copy-of-photo.jpg');
    await writeFile(copy, await readFile(photo));
    const res = await uploadFile(h, copy, 'copy-of-photo.jpg');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: photoSha, created: false, uploadName: '活动照片.jpg' });
    expect(res.body.warnings.join(' ')).toMatch(/uploaded before as 活动照片\.jpg/);
    expect(res.body.warningsZh.join(' ')).toMatch(/之前已上传过（文件名「活动照片\.jpg」）/);
    const rows = await h.db.selectFrom('media').select('id').execute();
    expect(rows.filter((r) => r.id === photoSha)).toHaveLength(1);
  });

  it('judges by content, not name: a PNG named .mp4 is a PNG, and the note says so', async () => {
    const png = path.join(h.dir, 'chart.png');
    await sharp({ create: { width: 640, height: 360, channels: 3, background: '#2266aa' } })
      .png()
      .toFile(png);
    const res = await uploadFile(h, png, 'speech.mp4');
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ kind: 'image', mime: 'image/png', width: 640, height: 360 });
    expect(res.body.warnings.join(' ')).toMatch(/speech\.mp4 is really PNG/);
    expect(res.body.warningsZh).toHaveLength(res.body.warnings.length);
    expect(res.body.warningsZh.join(' ')).toMatch(/「speech\.mp4」实际是 PNG 文件/);
  });

  it('refuses an empty file: 400 media_empty', async () => {
    const empty = path.join(h.dir, 'empty.jpg');
    await writeFile(empty, '');
    const res = await uploadFile(h, empty, 'empty.jpg');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('media_empty');
    expect(res.body.error.message).toMatch(/empty\.jpg is empty \(0 bytes\)/);
  });

  it('refuses a corrupt (truncated) JPEG: 400 media_corrupt, and keeps nothing', async () => {
    const cut = path.join(h.dir, 'cut.jpg');
    const bytes = await readFile(photo);
    await writeFile(cut, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const res = await uploadFile(h, cut, 'cut.jpg');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('media_corrupt');
    expect(res.body.error.message).toMatch(/cut\.jpg looks like a JPEG image but cannot be decoded/);
    const sha = createHash('sha256')
      .update(bytes.subarray(0, Math.floor(bytes.length / 2)))
      .digest('hex');
    expect(await h.store.has(sha)).toBe(false);
    expect(await h.db.selectFrom('media').select('id').where('id', '=', sha).executeTakeFirst()).toBeUndefined();
  });

  it('refuses two file parts in one upload: 400 too_many_files, and keeps neither (the second was dropped silently before)', async () => {
    const first = path.join(h.dir, 'first.png');
    const second = path.join(h.dir, 'second.png');
    await makePhoto(first, 64, 48);
    await makePhoto(second, 48, 64);
    const shaOf = async (file: string) =>
      createHash('sha256')
        .update(await readFile(file))
        .digest('hex');
    const { openAsBlob } = await import('node:fs');
    const form = new FormData();
    form.append('file', await openAsBlob(first), 'first.png');
    form.append('file', await openAsBlob(second), 'second.png');
    const response = await fetch(`${h.base}/api/media`, { method: 'POST', headers: { authorization: `Bearer ${h.editor.token}` }, body: form });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { code: string; issues: { path: string }[] } };
    expect(body.error.code).toBe('too_many_files');
    expect(body.error.issues[0]!.path).toBe('file');
    for (const file of [first, second]) {
      const sha = await shaOf(file);
      expect(await h.store.has(sha), file).toBe(false);
      expect(await h.db.selectFrom('media').select('id').where('id', '=', sha).executeTakeFirst(), file).toBeUndefined();
    }
    // One file still uploads as before.
    expect((await uploadFile(h, first, 'first.png')).status).toBe(201);
  });

  it('a file name with a raw line break (LF or CR) is refused naming the part and the line break, not as "no file part"', async () => {
    const png = path.join(h.dir, 'line-break.png');
    await makePhoto(png, 40, 30);
    const bytes = await readFile(png);
    for (const [name, shown] of [
      ['会议\n纪要.png', '会议⏎纪要.png'],
      ['会议\r纪要.png', '会议⏎纪要.png'],
    ] as const) {
      // Built by hand: FormData (like browsers) escapes line breaks in file names; other clients send them raw.
      const boundary = 'govpub-line-break-test';
      const body = Buffer.concat([
        Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: image/png\r\n\r\n`),
        bytes,
        Buffer.from(`\r\n--${boundary}--\r\n`),
      ]);
      const response = await fetch(`${h.base}/api/media`, {
        method: 'POST',
        headers: { authorization: `Bearer ${h.editor.token}`, 'content-type': `multipart/form-data; boundary=${boundary}` },
        body,
      });
      const res = (await response.json()) as { error: { code: string; message: string; messageZh: string; issues: { path: string }[] } };
      expect(response.status, JSON.stringify(name)).toBe(400);
      expect(res.error.code).toBe('invalid_file_name');
      expect(res.error.message).toBe(
        `The file name "${shown}" of part "file" contains a line break (⏎ marks where), so the file could not be received and nothing was stored. Rename the file without the line break and upload it again.`,
      );
      expect(res.error.messageZh).toBe(
        `文件字段「file」的文件名「${shown}」中含有换行符（⏎ 处），文件未能接收，未保存任何内容。请把文件重命名为不含换行的名称后重新上传。`,
      );
      expect(res.error.issues[0]!.path).toBe('file');
    }
    const sha = createHash('sha256').update(bytes).digest('hex');
    expect(await h.store.has(sha)).toBe(false);
  });

  it('refuses what is not media, named like media, from its first bytes: 415 media_unsupported', async () => {
    const exe = path.join(h.dir, 'scan.jpg');
    await writeFile(exe, Buffer.concat([Buffer.from('MZ'), Buffer.alloc(200_000, 0x90)]));
    const res = await uploadFile(h, exe, 'scan.jpg');
    expect(res.status).toBe(415);
    expect(res.body.error).toMatchObject({ code: 'media_unsupported' });
    expect(res.body.error.message).toMatch(/scan\.jpg is a program file, not a supported image, audio, video, document or captions file/);
    // The console shows the Chinese sentence: it names the file and what it really is, not only 不支持该文件类型.
    expect(res.body.error.messageZh).toMatch(/^「scan\.jpg」是程序文件，不是支持的图片、音频、视频、附件或字幕文件。/);
    const notice = path.join(h.dir, '通知.jpg');
    await writeFile(notice, '关于做好冬季供暖保障工作的通知\n各街道办事处：……\n');
    const text = await uploadFile(h, notice, '通知.jpg');
    expect(text.status).toBe(415);
    expect(text.body.error.messageZh).toBe(
      '「通知.jpg」是文本文件，不是支持的图片、音频、视频、附件或字幕文件。请上传图片、音频或视频文件；文字请写在稿件正文中（字幕须为以 WEBVTT 开头的 WebVTT 文件）。',
    );
  });

  it('refuses bytes of no known format once, saying so; named like a video, it says the copy is probably damaged', async () => {
    // Bytes no sniffer knows (no magic number, not text): a copy cut short or scrambled.
    let seed = 7;
    const bytes = Buffer.from(Array.from({ length: 3000 }, () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) >> 23));
    const clip = path.join(h.dir, 'clip.mp4');
    await writeFile(clip, bytes);
    const named = await uploadFile(h, clip, 'clip.mp4');
    expect(named.status).toBe(415);
    expect(named.body.error.message).toMatch(
      /^clip\.mp4 is in no format govpub recognises: its name ends in \.mp4, but its content is not that format \(the file may be damaged or only partly copied: export or copy it again\)\. Supported: JPEG/,
    );
    expect(named.body.error.messageZh).toMatch(
      /^「clip\.mp4」不是可识别的图片、音频、视频、附件或字幕格式：文件名以 \.mp4 结尾，但内容并非该格式（文件可能已损坏或未完整复制，请重新导出或复制）。支持：/,
    );
    const blob = path.join(h.dir, 'data.bin');
    await writeFile(blob, bytes);
    const unnamed = await uploadFile(h, blob, 'data.bin');
    expect(unnamed.status).toBe(415);
    expect(unnamed.body.error.message).toMatch(/^data\.bin is in no format govpub recognises\. Supported: JPEG/);
    // Said once: not "not a recognised … format, not a supported … file".
    expect(unnamed.body.error.message.match(/recognis|supported image/g)).toHaveLength(1);
    expect(unnamed.body.error.messageZh).toMatch(/^「data\.bin」不是可识别的图片、音频、视频、附件或字幕格式。支持：/);
  });

  it('refuses an iPhone HEIC photo: 415, and the Chinese sentence the console shows says it is an HEIC photo and how to export JPEG', async () => {
    const file = path.join(h.dir, 'IMG_0002.HEIC');
    await writeFile(file, HEIC_PHOTO);
    const res = await uploadFile(h, file, 'IMG_0002.HEIC');
    expect(res.status).toBe(415);
    expect(res.body.error.code).toBe('media_unsupported');
    // The service's refusal, as the API's error handler words it for the console (api/errors.ts).
    const refusal = await h.media.ingest(Readable.from([HEIC_PHOTO]), { uploadName: 'IMG_0002.HEIC', createdBy: h.editor.actor }).then(
      () => null,
      (error: unknown) => error as GovpubError,
    );
    expect(refusal?.details.status).toBe(415);
    expect(refusal?.messageZh).toContain('「IMG_0002.HEIC」是 HEIC/HEIF 格式的照片');
    expect(refusal?.messageZh).toContain('iPhone：设置 → 相机 → 格式 → 兼容性最佳');
  });

  it('refuses an image over the image limit: 413 saying by how much (and a 10 MB image under it streams fine)', async () => {
    const big = path.join(h.dir, 'noise.png');
    await makeNoise(big, 1900, 1900, 'png'); // ~10.8 MB: over the API's 8 MB JSON body limit, under 12 MB
    const size = (await stat(big)).size;
    expect(size).toBeGreaterThan(8 * 1024 * 1024);
    const ok = await uploadFile(h, big, 'noise.png');
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
    expect(ok.body.sizeBytes).toBe(size);

    const small = await startMediaHarness({ limits: { image: 1_000_000 } });
    try {
      const res = await uploadFile(small, big, 'noise.png');
      expect(res.status).toBe(413);
      expect(res.body.error.code).toBe('media_too_large');
      // Over 2× the limit: counted up to there, then refused ("more than").
      expect(res.body.error.message).toMatch(/noise\.png is more than 2 MB, over 1 MB beyond the 1 MB limit of govpub's image uploads/);
      const photoRes = await uploadFile(small, photo, 'photo.jpg');
      expect(photoRes.status).toBe(201);
      const medium = path.join(h.dir, 'medium.png');
      await makeNoise(medium, 700, 700, 'png'); // ~1.47 MB: exact size in the message
      const mediumSize = (await stat(medium)).size;
      const exact = await uploadFile(small, medium, 'medium.png');
      expect(exact.status).toBe(413);
      const mb = (n: number) => `${Math.floor(n / 1e5) / 10} MB`.replace('.0 MB', ' MB');
      expect(exact.body.error.message).toContain(`medium.png is ${mb(mediumSize)}, `);
      expect(exact.body.error.message).toMatch(/KB over the 1 MB limit of govpub's image uploads/);
      expect(await small.db.selectFrom('media').select('id').execute()).toHaveLength(1);
    } finally {
      await small.close();
    }
  });

  it('probes video: duration, dimensions and codecs', async () => {
    const clip = path.join(h.dir, 'clip.mov');
    makeClip(tools.binaries!.ffmpeg.path, clip, { width: 320, height: 180, seconds: 2, fps: 10 });
    const res = await uploadFile(h, clip, 'clip.mov');
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      kind: 'video',
      mime: 'video/quicktime',
      format: 'mov',
      width: 320,
      height: 180,
      probe: { videoCodec: 'h264', audioCodec: 'aac', hasAudio: true },
    });
    expect(res.body.durationSec).toBeCloseTo(2, 0);
  });

  it('an ffprobe that crashes (killed by SIGSEGV) is reported as a broken tool for operations, not as a damaged upload', async () => {
    const clip = path.join(h.dir, 'crash-clip.mp4');
    makeClip(tools.binaries!.ffmpeg.path, clip, { width: 160, height: 90, seconds: 1, fps: 5 });
    // A real process that dies of a signal, as a broken ffprobe build does.
    const crashing = path.join(h.dir, 'crashing-ffprobe');
    await writeFile(crashing, '#!/bin/sh\nkill -SEGV $$\n', { mode: 0o755 });
    const before = process.env.FFPROBE_PATH;
    process.env.FFPROBE_PATH = crashing;
    resetMediaBinaries();
    try {
      const res = await uploadFile(h, clip, '区政府会议.mp4');
      // A fault of the server, not a conflict: a 5xx that still carries its sentence, not "internal error".
      expect(res.status, JSON.stringify(res.body)).toBe(503);
      expect(res.body.error.code).toBe('media_tool_failed');
      expect(res.body.error.message).toContain(`ffprobe (${crashing}) crashed (killed by signal SIGSEGV) while reading 区政府会议.mp4`);
      expect(res.body.error.message).toMatch(/not of the file\. Operations: run `govpub config check`.*FFPROBE_PATH/);
      expect(res.body.error.message).not.toMatch(/damaged|exit code null/);
      expect(res.body.error.messageZh).toContain('在读取「区政府会议.mp4」时崩溃（被信号 SIGSEGV 终止）');
      expect(res.body.error.messageZh).toContain('不是文件的问题');
      expect(res.body.error.messageZh).toContain('govpub config check');
      expect(res.body.error.messageZh).not.toMatch(/损坏/);
    } finally {
      if (before === undefined) delete process.env.FFPROBE_PATH;
      else process.env.FFPROBE_PATH = before;
      resetMediaBinaries();
    }
  });

  it('a server without ffprobe refuses a video as its own fault, naming the upload and what operations install, in both languages; nothing is kept', async () => {
    const clip = path.join(h.dir, 'no-probe-clip.mp4');
    makeClip(tools.binaries!.ffmpeg.path, clip, { width: 160, height: 90, seconds: 1, fps: 5 });
    const before = process.env.FFPROBE_PATH;
    process.env.FFPROBE_PATH = path.join(h.dir, 'no-ffprobe-here');
    resetMediaBinaries();
    try {
      const res = await uploadFile(h, clip, '政策解读视频.mp4');
      // Not a conflict with anything the editor did (409): the server lacks a tool, as when one crashes.
      expect(res.status, JSON.stringify(res.body)).toBe(503);
      expect(res.body.error.code).toBe('ffprobe_not_found');
      expect(res.body.error.message).toMatch(/^政策解读视频\.mp4 cannot be read: this server has no usable ffprobe/);
      expect(res.body.error.message).toContain('not of the file');
      expect(res.body.error.message).toContain('FFPROBE_PATH is set to'); // why, from the resolution
      expect(res.body.error.message).toContain('govpub config check');
      expect(res.body.error.messageZh).toMatch(/^服务器上没有可用的 ffprobe，无法读取「政策解读视频\.mp4」/);
      expect(res.body.error.messageZh).toContain('不是文件的问题');
      expect(res.body.error.messageZh).toContain('govpub config check');
      const rows = await h.db.selectFrom('media').select('upload_name').where('upload_name', '=', '政策解读视频.mp4').execute();
      expect(rows).toEqual([]);
    } finally {
      if (before === undefined) delete process.env.FFPROBE_PATH;
      else process.env.FFPROBE_PATH = before;
      resetMediaBinaries();
    }
  });

  it('needs a token and an uploading role; a JSON body is not an upload', async () => {
    expect((await fetch(`${h.base}/api/media`, { method: 'POST', body: new FormData() })).status).toBe(401);
    const asReviewer = await uploadFile(h, photo, 'photo.jpg', h.reviewer.token);
    expect(asReviewer.status).toBe(403);
    const json = await h.call('POST', '/api/media', h.editor.token, { file: 'x' });
    expect(json.status).toBe(415);
    expect(json.body.error.message).toMatch(/multipart\/form-data/);
  });
});

describe('GET /api/media…', () => {
  it('lists media and shows one with its (empty) renditions and jobs', async () => {
    const list = await h.call('GET', '/api/media', h.reviewer.token);
    expect(list.status).toBe(200);
    expect(list.body.media.map((m: { id: string }) => m.id)).toContain(photoSha);
    const one = await h.call('GET', `/api/media/${photoSha}`, h.reviewer.token);
    expect(one.body).toMatchObject({ id: photoSha, renditions: [], jobs: [] });
    expect((await h.call('GET', `/api/media/${'0'.repeat(64)}`, h.reviewer.token)).status).toBe(404);
    expect((await h.call('GET', `/api/media/${photoSha}`)).status).toBe(401);
  });

  it('pages the library newest first with a cursor, naming who uploaded each original', async () => {
    for (const n of [1, 2, 3]) {
      const file = path.join(h.dir, `paged-${n}.jpg`);
      await makePhoto(file, 300 + n, 200);
      expect((await uploadFile(h, file, `paged-${n}.jpg`)).status).toBe(201);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: { status: number; body: any } = await h.call('GET', `/api/media?kind=image&limit=2${cursor ? `&cursor=${cursor}` : ''}`, h.reviewer.token);
      expect(page.status).toBe(200);
      expect(page.body.media.length).toBeLessThanOrEqual(2);
      for (const m of page.body.media) expect(m.createdByName, m.id).toBeTruthy();
      seen.push(...page.body.media.map((m: { id: string }) => m.id));
      cursor = page.body.nextCursor;
      pages += 1;
    } while (cursor && pages < 50);
    const all = (await h.call('GET', '/api/media?kind=image&limit=1000', h.reviewer.token)).body;
    expect(all.nextCursor).toBeNull();
    expect(seen).toEqual(all.media.map((m: { id: string }) => m.id));
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBeGreaterThanOrEqual(4);
    const bad = await h.call('GET', '/api/media?cursor=not-a-cursor', h.reviewer.token);
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('bad_cursor');
  });

  it('serves the original only with a token (it keeps its GPS), with ETag, Range and 304, kept out of shared caches', async () => {
    const auth = { authorization: `Bearer ${h.reviewer.token}` };
    const anonymous = await fetch(`${h.base}/api/media/${photoSha}/content`);
    expect(anonymous.status).toBe(401);
    expect(((await anonymous.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
    expect((await fetch(`${h.base}/api/media/${photoSha}/content`, { headers: { authorization: 'Bearer not-a-token' } })).status).toBe(401);

    const whole = await fetch(`${h.base}/api/media/${photoSha}/content`, { headers: auth });
    expect(whole.status).toBe(200);
    expect(whole.headers.get('content-type')).toBe('image/jpeg');
    expect(whole.headers.get('accept-ranges')).toBe('bytes');
    expect(whole.headers.get('etag')).toBe(`"${photoSha}"`);
    expect(whole.headers.get('cache-control')).toBe('private, max-age=31536000, immutable');
    expect(whole.headers.get('content-disposition')).toContain(`filename*=UTF-8''${encodeURIComponent('活动照片.jpg')}`);
    const body = Buffer.from(await whole.arrayBuffer());
    expect(createHash('sha256').update(body).digest('hex')).toBe(photoSha);

    const part = await fetch(`${h.base}/api/media/${photoSha}/content`, { headers: { ...auth, range: 'bytes=100-199' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 100-199/${body.length}`);
    expect(Buffer.from(await part.arrayBuffer()).equals(body.subarray(100, 200))).toBe(true);

    const tail = await fetch(`${h.base}/api/media/${photoSha}/content`, { headers: { ...auth, range: 'bytes=-10' } });
    expect(tail.status).toBe(206);
    expect(Buffer.from(await tail.arrayBuffer()).equals(body.subarray(body.length - 10))).toBe(true);

    const open = await fetch(`${h.base}/api/media/${photoSha}/content`, { headers: { ...auth, range: `bytes=${body.length - 5}-` } });
    expect(Buffer.from(await open.arrayBuffer()).equals(body.subarray(body.length - 5))).toBe(true);

    const outside = await fetch(`${h.base}/api/media/${photoSha}/content`, { headers: { ...auth, range: `bytes=${body.length}-` } });
    expect(outside.status).toBe(416);
    expect(outside.headers.get('content-range')).toBe(`bytes */${body.length}`);
    await outside.arrayBuffer();

    const cached = await fetch(`${h.base}/api/media/${photoSha}/content`, { headers: { ...auth, 'if-none-match': `"${photoSha}"` } });
    expect(cached.status).toBe(304);
    expect((await fetch(`${h.base}/api/media/${'a'.repeat(64)}/content`, { headers: auth })).status).toBe(404);
  });

  it('refuses rendition requests that cannot work, before any work: 400 unknown, 422 impossible', async () => {
    const unknown = await h.call('POST', `/api/media/${photoSha}/renditions`, h.editor.token, { platforms: ['myspace'], specs: ['wechat_oa.nope'] });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.issues.map((i: { path: string }) => i.path)).toEqual(['platforms[0]', 'specs[0]']);
    // A key typed wrong names the nearest one, in Chinese too; a key near none says what keys look like.
    const typo = await h.call('POST', `/api/media/${photoSha}/renditions`, h.editor.token, { specs: ['wechat_oa.thumbb', 'zzz'] });
    expect(typo.status).toBe(400);
    expect(typo.body.error.issues).toMatchObject([
      {
        path: 'specs[0]',
        message: 'unknown rendition "wechat_oa.thumbb" (did you mean wechat_oa.thumb?)',
        messageZh: '转码规格 "wechat_oa.thumbb" 不存在（是否要用 wechat_oa.thumb？）',
      },
      { path: 'specs[1]', message: 'unknown rendition "zzz" (keys look like wechat_oa.thumb, douyin.video_720)' },
    ]);
    const wrongChannel = await h.call('POST', `/api/media/${photoSha}/renditions`, h.editor.token, { channel: 'wechat_oa:blfbb' });
    expect(wrongChannel.status).toBe(400);
    expect(wrongChannel.body.error.message).toBe('channel: no channel "wechat_oa:blfbb" (did you mean "wechat_oa:blfb"?) (see GET /api/channels).');
    const impossible = await h.call('POST', `/api/media/${photoSha}/renditions`, h.editor.token, { specs: ['douyin.video_720', 'wechat_oa.voice'] });
    expect(impossible.status).toBe(422);
    expect(impossible.body.error.code).toBe('media_renditions_impossible');
    expect(impossible.body.error.message).toMatch(/douyin\.video_720: .*needs a video original/);
    expect(impossible.body.error.problems).toHaveLength(2);
    const nothing = await h.call('POST', `/api/media/${photoSha}/renditions`, h.editor.token, {});
    expect(nothing.status).toBe(400);
    expect((await h.call('POST', `/api/media/${photoSha}/renditions`, h.reviewer.token, { platforms: ['weibo'] })).status).toBe(403);
    expect((await fetch(`${h.base}/api/media/${photoSha}/renditions/wechat_oa.thumb`)).status).toBe(401);
    const noRendition = await fetch(`${h.base}/api/media/${photoSha}/renditions/wechat_oa.thumb`, { headers: { authorization: `Bearer ${h.reviewer.token}` } });
    expect(noRendition.status).toBe(404);
    expect(((await noRendition.json()) as { error: { message: string } }).error.message).toMatch(/No wechat_oa\.thumb rendition .* has been made yet/);
  });

  it('the Chinese sentences of a rendition request for the wrong kind of file name the platform and the rendition as editors know them', async () => {
    const picture = path.join(h.dir, '宣传图.jpg');
    await makePhoto(picture, 800, 600);
    const id = (await uploadFile(h, picture, '宣传图.jpg')).body.id as string;
    const platformRefused = await h.call('POST', `/api/media/${id}/renditions`, h.editor.token, { platforms: ['kuaishou'] });
    expect(platformRefused.status).toBe(400);
    expect(platformRefused.body.error.issues[0].messageZh).toBe('快手不接受图片原始文件的转码');
    const specRefused = await h.call('POST', `/api/media/${id}/renditions`, h.editor.token, { specs: ['douyin.video_720', 'portal.w480.jpg'] });
    expect(specRefused.status).toBe(202);
    expect(specRefused.body.problems).toEqual([
      expect.objectContaining({
        spec: 'douyin.video_720',
        code: 'media_wrong_kind',
        messageZh: expect.stringContaining('而「抖音竖屏视频（720×1280）」需要视频原件'),
      }),
    ]);
  });

  it('a rendition the original is too small for is listed before any work, with a Chinese sentence the console shows', async () => {
    const small = path.join(h.dir, '会场小图.jpg');
    await makePhoto(small, 400, 300);
    const uploaded = await uploadFile(h, small, '会场小图.jpg');
    expect(uploaded.status).toBe(201);
    const asked = await h.call('POST', `/api/media/${uploaded.body.id}/renditions`, h.editor.token, { specs: ['wechat_oa.thumb', 'portal.w480.jpg'] });
    expect(asked.status).toBe(202);
    expect(asked.body.specs).toEqual(['portal.w480.jpg']);
    expect(asked.body.problems).toEqual([
      {
        spec: 'wechat_oa.thumb',
        code: 'media_too_small',
        message: expect.stringContaining('会场小图.jpg is 400×300 pixels'),
        messageZh:
          '「会场小图.jpg」为 400×300 像素，微信公众号缩略图素材（2.35:1，不超过 64 KB）至少需要 450×192 像素的图片（按 2.35:1 裁切后宽至少 450 像素，这张图裁切后只有 400×170）。放大只会使图片模糊，请换用更大的原图。',
      },
    ]);
  });

  it("serves a rendition a delivery prepared (no job recorded it) to govpub's users, for hand-off bundles", async () => {
    // A delivery prepares renditions straight through the media store (adapters/renditions.ts).
    const made = await prepareRendition(h.store, photoSha, 'news_site.cover');
    const auth = { authorization: `Bearer ${h.reviewer.token}` };
    const res = await fetch(`${h.base}/api/media/${photoSha}/renditions/news_site.cover?channel=news_site:zcjd`, { headers: auth });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/jpeg');
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(made.sha256);
    expect((await sharp(bytes).metadata()).exif).toBeUndefined();
    expect((await fetch(`${h.base}/api/media/${photoSha}/renditions/news_site.cover`)).status).toBe(401);
  });
});
