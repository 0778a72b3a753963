// Kuaishou (快手) as a platform: a vertical video post, its assumed limits and its renditions.
import { API_VIDEO_ACCOUNT, type PlatformDeclaration } from '../platform-declaration.js';
import { kuaishouPostLinks } from './post-links.js';

export const kuaishouDeclaration = {
  id: 'kuaishou',
  name: 'Kuaishou',
  localName: '快手',
  ...API_VIDEO_ACCOUNT,
  limits: {
    captionChars: 500,
    maxDurationSec: 15 * 60,
    formats: 'mp4',
    source: 'assumed (Kuaishou documents no limits)',
  },
  // Limits not found (BRIEF §7); vertical feed.
  renditions: (s) => [
    s.vertical(1080),
    s.vertical(720),
    s.poster('cover', 'Kuaishou cover 9:16', '快手视频封面（9:16）', 1080, 1920, { limitSource: 'assumed' }),
  ],
  credentials: { id: 'appId', secret: 'appSecret', token: 'refreshToken' },
  simulator: { portOffset: 4 },
  posts: kuaishouPostLinks,
} as const satisfies PlatformDeclaration;
