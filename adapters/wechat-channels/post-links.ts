// What a 微信视频号 post's address looks like: a share link weixin.qq.com/sph/…, or a page on channels.weixin.qq.com.
import type { PostLinks } from '../platform-declaration.js';
import { onDomain } from '../post-link-refusals.js';

export const wechatChannelsPostLinks: PostLinks = {
  hosts: ['channels.weixin.qq.com', 'weixin.qq.com'],
  example: 'https://weixin.qq.com/sph/AbCdEf',
  checkPath(host, path) {
    if (host === 'mp.weixin.qq.com') {
      return {
        message:
          'That is a WeChat official account article (mp.weixin.qq.com), not a WeChat Channels post: open the video in WeChat, tap "…" → "复制链接" and give that link.',
        messageZh: '这是微信公众号文章（mp.weixin.qq.com），不是视频号作品：请在微信中打开该视频，点“…”→“复制链接”，填写复制的链接。',
      };
    }
    if (host === 'weixin.qq.com' || host === 'www.weixin.qq.com') {
      return /^\/sph\/[A-Za-z0-9_-]+/.test(path)
        ? null
        : {
            message: 'That is not a WeChat Channels post link: a shared post looks like https://weixin.qq.com/sph/AbCdEf.',
            messageZh: '这不是视频号作品的链接：分享的作品链接形如 https://weixin.qq.com/sph/AbCdEf。',
          };
    }
    if (!onDomain(host, 'channels.weixin.qq.com'))
      return {
        message: `That link (${host}) is not a WeChat Channels post: a shared post looks like https://weixin.qq.com/sph/AbCdEf.`,
        messageZh: `这个链接（${host}）不是视频号作品：分享的作品链接形如 https://weixin.qq.com/sph/AbCdEf。`,
      };
    if (path === '' || /^\/(platform|login)(\/|$)/.test(path)) {
      return {
        message: 'That is the 视频号助手 console, not the post: in WeChat open the video, tap "…" → "复制链接" and give that link.',
        messageZh: '这是视频号助手后台，不是作品：请在微信中打开该视频，点“…”→“复制链接”，填写复制的链接。',
      };
    }
    return null;
  },
};
