// Xiaohongshu as a manual hand-off channel: a note of pictures or one video, its bundle, its post URLs — declared in one folder.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChannelAdapters } from '../../adapters/index.js';
import { DeliveryError } from '../../adapters/errors.js';
import { createManualHandoffAdapter, isManualPlatform, writeHandoffBundle } from '../../adapters/manual-handoff.js';
import { postLinkMessage } from '../../adapters/post-links.js';
import type { MediaInfo } from '../../adapters/types.js';
import { probeMedia } from '../../media/index.js';
import { PORTAL_BASE, ingestClip, makeUnit } from './mc-support.js';
import { makeTestMedia, testAccount, type TestMedia } from './support.js';

let media: TestMedia;
let cover: MediaInfo;
let chart: MediaInfo;
let clip: MediaInfo;

const xhs = createManualHandoffAdapter('xiaohongshu');
const channel = () => testAccount('xiaohongshu', 'blxhs', '碑林发布', {}).channel;

beforeAll(async () => {
  media = await makeTestMedia('govpub-xhs-');
  cover = await media.photo('cover', 2400, 1600);
  chart = await media.photo('chart', 1200, 3000, { hue: '#c0392b' });
  clip = await ingestClip(media, 'interview', { width: 640, height: 360, seconds: 1 });
});

afterAll(async () => {
  await media?.cleanup();
});

describe('Xiaohongshu: a manual hand-off channel', () => {
  it('is a manual adapter the index gives every Xiaohongshu channel', () => {
    const adapterFor = createChannelAdapters({ portal: { webRoot: '/nonexistent', publicBaseUrl: PORTAL_BASE }, mediaCenterColumns: [] });
    const adapter = adapterFor(channel());
    expect(adapter.platform).toBe('xiaohongshu');
    expect(adapter.capabilities).toMatchObject({ publishing: 'manual', canDelete: false, limits: { titleChars: 20, bodyChars: 1000, pictures: 18 } });
    expect(adapter.takeDown).toBeUndefined();
  });

  it('a picture note: the cover first, then the pictures in reading order; title, text with the portal link', () => {
    const unit = makeUnit({
      title: '老旧小区改造三年行动',
      cover: { mediaId: cover.mediaId, alt: '老旧小区' },
      media: { [cover.mediaId]: cover, [chart.mediaId]: chart },
      interpretations: [{ form: 'graphic', title: '一图读懂', body: `<p>改什么、怎么改。</p><p><img src="/api/media/${chart.mediaId}" alt="图解"></p>` }],
    });
    const f = xhs.format(unit, channel());
    expect(f.payload).toMatchObject({ platform: 'xiaohongshu', platformName: '小红书', postKind: 'note', title: '老旧小区改造三年行动' });
    expect(f.payload.files.map((x) => [x.name, x.mediaId, x.spec])).toEqual([
      ['图片01', cover.mediaId, 'xiaohongshu.image'],
      ['图片02', chart.mediaId, 'xiaohongshu.image'],
    ]);
    expect(f.payload.description).toContain(`政策原文：${unit.portalLinks!.document}`);
    expect([...f.payload.description!].length).toBeLessThanOrEqual(1000);
    expect(f.renditions.map((r) => r.spec)).toEqual(['xiaohongshu.image', 'xiaohongshu.image']);
  });

  it('a video note when the package has a video; refuses a package with neither pictures nor video', () => {
    const unit = makeUnit({
      media: { [clip.mediaId]: clip },
      interpretations: [{ form: 'video', title: '局长解读', body: '<p>解读改造方案。</p>', mediaId: clip.mediaId }],
    });
    expect(xhs.format(unit, channel()).payload.files.map((x) => x.spec)).toEqual(['xiaohongshu.video_1080', 'xiaohongshu.cover']);
    try {
      xhs.format(makeUnit(), channel());
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(DeliveryError);
      expect((e as DeliveryError).message).toMatch(/needs at least one picture or a video/);
    }
  });

  it('writes a bundle with instructions, texts and 3:4 pictures', async () => {
    const unit = makeUnit({ title: '老旧小区改造三年行动', cover: { mediaId: cover.mediaId, alt: '老旧小区' }, media: { [cover.mediaId]: cover } });
    const f = xhs.format(unit, channel());
    const dir = path.join(media.dir, 'xhs');
    const { files } = await writeHandoffBundle(f.payload, media.renditions, dir);
    expect(files.map((p) => path.basename(p))).toEqual(['说明.txt', '标题.txt', '正文.txt', '图片01.jpg']);
    const guide = (await readFile(path.join(dir, '说明.txt'), 'utf8')).replace(/\r\n/g, '\n');
    expect(guide).toContain('小红书发布说明（人工发布）');
    expect(guide).toContain('https://creator.xiaohongshu.com');
    expect(guide).toContain('govpub deliveries confirm <投递编号> --url <帖子链接>');
    const picture = await sharp(path.join(dir, '图片01.jpg')).metadata();
    expect([picture.width, picture.height]).toEqual([1080, 1440]);
  });

  it('video bundle is vertical 1080×1920', async () => {
    const unit = makeUnit({ media: { [clip.mediaId]: clip }, interpretations: [{ form: 'video', title: '局长解读', body: '', mediaId: clip.mediaId }] });
    const dir = path.join(media.dir, 'xhs-video');
    await writeHandoffBundle(xhs.format(unit, channel()).payload, media.renditions, dir);
    expect(await probeMedia(path.join(dir, '视频.mp4'))).toMatchObject({ kind: 'video', width: 1080, height: 1920 });
  });

  it.each([
    ['https://www.xiaohongshu.com/explore/650a1b2c000000001f00abcd', null],
    ['http://xhslink.com/AbCdEf', null],
    ['https://www.xiaohongshu.com/discovery/item/650a1b2c000000001f00abcd', null],
    ['https://creator.xiaohongshu.com/publish/publish', /创作服务平台 console/],
    ['https://www.xiaohongshu.com/', /not a Xiaohongshu note/],
    ['https://www.douyin.com/video/1', /not to 小红书/],
    // Only its share links are written with http://.
    ['http://www.xiaohongshu.com/explore/650a1b2c000000001f00abcd', /must start with https:\/\//],
  ] as const)('post URL %s', (url, expected) => {
    const answer = postLinkMessage('xiaohongshu', url);
    if (expected === null) expect(answer).toBeNull();
    else expect(answer).toMatch(expected);
  });

  // `govpub deliveries bundle` named Toutiao and Channels only: a Xiaohongshu bundle was refused.
  it('is a manual platform to the CLI bundle, as its declaration says', () => {
    expect(isManualPlatform('xiaohongshu')).toBe(true);
    expect(['toutiao', 'wechat_channels', 'wechat_oa', 'portal', 'weibo'].map(isManualPlatform)).toEqual([true, true, false, false, false]);
    expect(isManualPlatform('nosuch')).toBe(false);
  });
});
