// Xiaohongshu (小红书) as a platform: a manual hand-off note (pictures or one vertical video), its limits and its renditions.
import { MANUAL_HANDOFF_ACCOUNT, type PlatformDeclaration } from '../platform-declaration.js';
import { xiaohongshuPostLinks } from './post-links.js';

export const xiaohongshuDeclaration = {
  id: 'xiaohongshu',
  name: 'Xiaohongshu',
  localName: '小红书',
  // No public publishing API was found for government accounts: an operator posts the prepared
  // bundle in the creator console (创作服务平台) and confirms its URL.
  ...MANUAL_HANDOFF_ACCOUNT,
  // A note is pictures with a text, or one video with a text; audio cannot be carried.
  accepts: ['text', 'graphic', 'cartoon', 'video', 'h5', 'leader_interview'],
  coverRequired: false,
  video: 'optional',
  // The creator console's own counters (secondary).
  limits: { titleChars: 20, bodyChars: 1000, pictures: 18 },
  // Links in a note's text are not clickable: the portal address is written out.
  links: 'plain_text',
  // 3:4 picture notes, vertical video.
  renditions: (s) => [
    s.image('image', 'Xiaohongshu picture 3:4', '小红书笔记配图（3:4）', {
      purpose: 'post',
      fit: 'cover',
      width: 1080,
      height: 1440,
      format: 'jpeg',
      watermark: true,
      limitSource: 'assumed',
    }),
    s.vertical(1080),
    s.poster('cover', 'Xiaohongshu video cover 3:4', '小红书视频封面（3:4）', 1080, 1440, { fit: 'blur-fill', limitSource: 'assumed' }),
  ],
  posts: xiaohongshuPostLinks,
} as const satisfies PlatformDeclaration;
