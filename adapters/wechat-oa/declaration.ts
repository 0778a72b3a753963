// WeChat Official Accounts (微信公众号) as a platform: what a push carries, its documented limits and its renditions.
import type { RenditionSpec, SpecBuilders } from '../../media/specs.js';
import type { PlatformDeclaration } from '../platform-declaration.js';
import { wechatOaPostLinks } from './post-links.js';

export const wechatOaDeclaration = {
  id: 'wechat_oa',
  name: 'WeChat Official Accounts',
  localName: '微信公众号',
  channelKind: 'new_media_account',
  publishing: 'api',
  canDelete: true,
  // Articles carry text and pictures; audio and video interpretations are linked to their portal page.
  accepts: ['text', 'graphic', 'cartoon', 'h5', 'leader_interview'],
  coverRequired: true,
  video: 'none',
  // BRIEF §7; developers.weixin.qq.com draft/add, material, uploadimg.
  limits: {
    titleChars: 32,
    authorChars: 16,
    digestChars: 128,
    /** content: fewer than 20,000 characters (the HTML, as the platform counts it). */
    contentCharsBelow: 20_000,
    /** content: under 1 MB (decimal, the safe reading). */
    contentBytesBelow: 1_000_000,
    articlesPerPush: 8,
    thumbBytes: 64 * 1024,
    inlineImageBytesBelow: 1024 * 1024,
  },
  links: 'clickable',
  // Typed, not inferred: the spec literals name the platform, whose type derives from this index.
  renditions: (s: SpecBuilders): RenditionSpec[] => {
    const { MB, KB } = s.units;
    // Covers 2.35:1 and 1:1; thumb material JPG ≤ 64 KB; in-article images (media/uploadimg)
    // jpg/png < 1 MB; image material 10 MB; video material MP4 10 MB; voice 2 MB / 60 s.
    return [
      s.image('cover', 'WeChat cover 2.35:1', '微信公众号封面（2.35:1）', {
        purpose: 'cover',
        fit: 'cover',
        width: 900,
        height: 383,
        format: 'jpeg',
        maxBytes: 10 * MB,
        limitName: 'WeChat image material',
      }),
      s.image('cover_square', 'WeChat cover 1:1', '微信公众号封面（1:1）', {
        purpose: 'cover',
        fit: 'cover',
        width: 600,
        height: 600,
        format: 'jpeg',
        maxBytes: 10 * MB,
        limitName: 'WeChat image material',
      }),
      s.image('thumb', 'WeChat thumb material (2.35:1 JPEG ≤ 64 KB)', '微信公众号缩略图素材（2.35:1，不超过 64 KB）', {
        purpose: 'thumb',
        fit: 'cover',
        width: 900,
        height: 383,
        format: 'jpeg',
        maxBytes: 64 * KB,
        // Half the box: a picture whose 2.35:1 crop is at least 450 wide, so at least 192 tall
        // (450 / (900 / 383) = 191.5; a 191 px picture's crop is 448.8 wide).
        minWidth: 450,
        minHeight: 192,
        quality: { max: 85, min: 30 },
        limitName: 'WeChat thumb material',
      }),
      s.image('inline', 'WeChat in-article image (jpg/png < 1 MB)', '微信公众号正文配图（小于 1 MB）', {
        purpose: 'inline',
        fit: 'inside',
        width: 1080,
        height: s.units.TALL,
        format: 'jpeg-or-png',
        maxBytes: 1 * MB,
        watermark: true,
        limitName: 'WeChat in-article images',
      }),
      {
        ...s.landscape(720),
        key: 'wechat_oa.video',
        label: 'WeChat video material (MP4 ≤ 10 MB)',
        labelZh: '微信公众号视频素材（MP4，不超过 10 MB）',
        maxBytes: 10 * MB,
        audioKbps: 96,
        limitSource: 'documented',
        limitName: 'WeChat video material',
        capLadder: [
          { width: 1280, height: 720, minKbps: 1200 },
          { width: 960, height: 540, minKbps: 650 },
          { width: 640, height: 360, minKbps: 300 },
          { width: 480, height: 270, minKbps: 180 },
        ],
      },
      s.poster('video_cover', 'WeChat cover 2.35:1 from the video', '微信公众号封面（2.35:1，取自视频画面）', 900, 383, {
        maxBytes: 10 * MB,
        limitName: 'WeChat image material',
      }),
      {
        key: 'wechat_oa.voice',
        platform: s.platform,
        label: 'WeChat voice material (MP3 ≤ 2 MB, ≤ 60 s)',
        labelZh: '微信公众号语音素材（MP3，不超过 2 MB、60 秒）',
        kind: 'audio',
        sourceKind: 'audio',
        codec: 'mp3',
        bitrateKbps: 96,
        channels: 1,
        sampleRate: 44_100,
        maxBytes: 2 * MB,
        maxDurationSec: 60,
        limitSource: 'documented',
        limitName: 'WeChat voice material',
      },
    ];
  },
  credentials: { id: 'appId', secret: 'appSecret' },
  // The server-configuration Token that signs PUBLISHJOBFINISH pushes (adapters/wechat-oa/events.ts).
  pushCredential: 'eventToken',
  simulator: { portOffset: 0 },
  posts: wechatOaPostLinks,
} as const satisfies PlatformDeclaration;
