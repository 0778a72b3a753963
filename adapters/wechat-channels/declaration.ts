// WeChat Channels (微信视频号) as a platform: a manual hand-off vertical video, its limits and its renditions.
import { MANUAL_HANDOFF_ACCOUNT, type PlatformDeclaration } from '../platform-declaration.js';
import { wechatChannelsPostLinks } from './post-links.js';

export const wechatChannelsDeclaration = {
  id: 'wechat_channels',
  name: 'WeChat Channels',
  localName: '微信视频号',
  // No public publishing API: an operator posts the prepared bundle and confirms its URL.
  ...MANUAL_HANDOFF_ACCOUNT,
  accepts: ['video'],
  coverRequired: false,
  video: 'required',
  // 视频号助手 (secondary: the console's own counters).
  limits: { descriptionChars: 1000, shortTitleMinChars: 6, shortTitleMaxChars: 16 },
  links: 'plain_text',
  // Vertical feed.
  renditions: (s) => [s.vertical(1080), s.poster('cover', 'WeChat Channels cover 9:16', '微信视频号封面（9:16）', 1080, 1920, { limitSource: 'assumed' })],
  posts: wechatChannelsPostLinks,
} as const satisfies PlatformDeclaration;
