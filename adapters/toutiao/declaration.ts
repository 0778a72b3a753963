// Toutiao (今日头条) as a platform: a manual hand-off article, its limits and its renditions.
import { MANUAL_HANDOFF_ACCOUNT, type PlatformDeclaration } from '../platform-declaration.js';
import { toutiaoPostLinks } from './post-links.js';

export const toutiaoDeclaration = {
  id: 'toutiao',
  name: 'Toutiao',
  localName: '今日头条',
  // No public publishing API: an operator posts the prepared bundle and confirms its URL.
  ...MANUAL_HANDOFF_ACCOUNT,
  // One article carrying the document and its interpretations; audio is linked to its portal page.
  accepts: ['text', 'graphic', 'cartoon', 'video', 'h5', 'leader_interview'],
  coverRequired: false,
  video: 'optional',
  // 头条号 article editor (secondary: the editor's own counter).
  limits: { titleMinChars: 5, titleMaxChars: 30 },
  links: 'plain_text',
  // 16:9 covers and landscape video.
  renditions: (s) => [
    s.image('cover', 'Toutiao cover 16:9', '今日头条文章封面（16:9）', {
      purpose: 'cover',
      fit: 'cover',
      width: 1280,
      height: 720,
      format: 'jpeg',
      limitSource: 'assumed',
    }),
    s.image('image', 'Toutiao in-article image', '今日头条正文配图', {
      purpose: 'inline',
      fit: 'inside',
      width: 1600,
      height: s.units.TALL,
      format: 'jpeg-or-png',
      watermark: true,
      limitSource: 'assumed',
    }),
    s.landscape(1080),
    s.poster('poster', 'Toutiao video cover 16:9', '今日头条视频封面（16:9）', 1280, 720, { limitSource: 'assumed' }),
  ],
  posts: toutiaoPostLinks,
} as const satisfies PlatformDeclaration;
