// Bilibili (哔哩哔哩) as a platform: a landscape video with a 16:10 cover, its limits and its renditions.
import { API_VIDEO_ACCOUNT, type PlatformDeclaration } from '../platform-declaration.js';
import { bilibiliPostLinks } from './post-links.js';

export const bilibiliDeclaration = {
  id: 'bilibili',
  name: 'Bilibili',
  localName: '哔哩哔哩',
  ...API_VIDEO_ACCOUNT,
  limits: {
    titleChars: 80,
    descChars: 250,
    tagCount: 10,
    tagChars: 20,
    sourceChars: 200,
    coverBytes: 5_000_000,
    coverMinWidth: 960,
    coverMinHeight: 600,
  },
  // BRIEF §7: video ≤ 4 GB, < 5 h, mp4; cover jpeg/png ≤ 5 MB, at least 960×600 (16:10).
  renditions: (s) => {
    const cover = {
      purpose: 'cover' as const,
      fit: 'cover' as const,
      width: 1920,
      height: 1200,
      format: 'jpeg' as const,
      maxBytes: 5 * s.units.MB,
      minWidth: 960,
      minHeight: 600,
      upscale: 'refuse' as const,
      limitName: 'Bilibili covers',
    };
    return [
      s.image('cover', 'Bilibili cover 16:10 (≥ 960×600, ≤ 5 MB)', '哔哩哔哩视频封面（16:10）', cover),
      s.landscape(1080, { maxBytes: 4_000 * s.units.MB, maxDurationSec: 5 * 3600 - 1, limitSource: 'documented', minKbps: 1500 }),
      s.poster('video_cover', 'Bilibili cover 16:10 from the video', '哔哩哔哩视频封面（16:10，取自视频画面）', 1920, 1200, {
        ...cover,
        purpose: 'poster',
        sourceKind: 'video',
      }),
    ];
  },
  credentials: { id: 'clientId', secret: 'clientSecret', token: 'refreshToken' },
  simulator: { portOffset: 3 },
  posts: bilibiliPostLinks,
} as const satisfies PlatformDeclaration;
