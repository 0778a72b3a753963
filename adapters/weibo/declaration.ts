// Weibo (微博) as a platform: a short post with one picture, its limits and its renditions.
import type { PlatformDeclaration } from '../platform-declaration.js';
import { weiboPostLinks } from './post-links.js';

export const weiboDeclaration = {
  id: 'weibo',
  name: 'Weibo',
  localName: '微博',
  channelKind: 'new_media_account',
  publishing: 'api',
  canDelete: true,
  // One post: a summary, one picture and the portal link; every form is summarised and linked.
  accepts: ['text', 'graphic', 'cartoon', 'h5', 'leader_interview'],
  coverRequired: false,
  video: 'none',
  limits: {
    /** The share API's limit, in Weibo characters (see weiboLength). */
    textChars: 140,
    /** Every link counts as this many characters, whatever its length. */
    linkChars: 10,
    pictureBytes: 5_000_000,
    pictures: 1,
  },
  links: 'clickable',
  // Images ≤ 5 MB JPEG/GIF/PNG (secondary). Video limits not documented.
  renditions: (s) => [
    s.image('image', 'Weibo image (≤ 5 MB)', '微博配图（不超过 5 MB）', {
      purpose: 'post',
      fit: 'inside',
      width: 2048,
      height: s.units.TALL,
      format: 'jpeg-or-png',
      maxBytes: 5 * s.units.MB,
      watermark: true,
      limitSource: 'secondary',
    }),
    s.landscape(720),
    s.poster('poster', 'Weibo video cover 16:9', '微博视频封面（16:9）', 1280, 720, { limitSource: 'assumed' }),
  ],
  credentials: { id: 'appKey', secret: 'appSecret', token: 'accessToken' },
  simulator: { portOffset: 1 },
  posts: weiboPostLinks,
} as const satisfies PlatformDeclaration;
