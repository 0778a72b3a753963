// Douyin (抖音) as a platform: a vertical video post, its limits and its renditions.
import { API_VIDEO_ACCOUNT, type PlatformDeclaration } from '../platform-declaration.js';
import { douyinPostLinks } from './post-links.js';

export const douyinDeclaration = {
  id: 'douyin',
  name: 'Douyin',
  localName: '抖音',
  ...API_VIDEO_ACCOUNT,
  limits: {
    textChars: 1000,
    maxDurationSec: 15 * 60,
    totalBytes: '4 GB',
    formats: 'mp4, webm',
  },
  // BRIEF §7: ≤ 128 MB per request, ≤ 15 min, mp4, 720p or better. Vertical feed. 128 MB bounds one
  // upload request, not the video: the adapter uploads larger files in parts, up to 4 GB in all.
  // (Capping the rendition at 128 MB refused 1080p for anything over 10 minutes, "shorten it".)
  renditions: (s) => {
    const limits = { maxBytes: 4_000 * s.units.MB, maxDurationSec: 15 * s.units.MIN, limitSource: 'documented' as const };
    return [
      s.vertical(1080, { ...limits, minKbps: 1500 }),
      s.vertical(720, { ...limits, minKbps: 700 }),
      s.poster('cover', 'Douyin cover 9:16', '抖音视频封面（9:16）', 1080, 1920, { limitSource: 'assumed' }),
      s.image('image', 'Douyin picture post 9:16', '抖音图文作品配图（9:16）', {
        purpose: 'post',
        fit: 'blur-fill',
        width: 1080,
        height: 1920,
        format: 'jpeg',
        watermark: true,
        limitSource: 'assumed',
      }),
    ];
  },
  credentials: { id: 'clientKey', secret: 'clientSecret', token: 'refreshToken' },
  simulator: { portOffset: 2 },
  posts: douyinPostLinks,
} as const satisfies PlatformDeclaration;
