// What a 小红书 note's address looks like: www.xiaohongshu.com/explore/<id> (or /discovery/item/<id>), or a share link xhslink.com/<code>.
import type { PostLinks } from '../platform-declaration.js';
import { onDomain } from '../post-link-refusals.js';

export const xiaohongshuPostLinks: PostLinks = {
  hosts: ['xiaohongshu.com', 'xhslink.com'],
  // The app's share text writes its short links with http://.
  httpHosts: ['xhslink.com'],
  example: 'https://www.xiaohongshu.com/explore/6xxxxxxxxxxxxxxxxxxxxxxx',
  checkPath(host, path) {
    if (onDomain(host, 'xhslink.com'))
      return path === ''
        ? {
            message: 'That is not a Xiaohongshu share link: a shared note looks like http://xhslink.com/AbCdEf.',
            messageZh: '这不是小红书的分享链接：分享的笔记链接形如 http://xhslink.com/AbCdEf。',
          }
        : null;
    if (host.startsWith('creator.'))
      return {
        message: 'That is the 创作服务平台 console, not the note: open the published note, tap "分享" → "复制链接" and give that link.',
        messageZh: '这是小红书创作服务平台后台，不是笔记：请打开已发布的笔记，点“分享”→“复制链接”，填写复制的链接。',
      };
    if (/^\/(explore|discovery\/item)\/[0-9a-zA-Z]+/.test(path)) return null;
    return {
      message: 'That is not a Xiaohongshu note: a note looks like https://www.xiaohongshu.com/explore/6xxxxxxxxxxxxxxxxxxxxxxx.',
      messageZh: '这不是小红书笔记：笔记链接形如 https://www.xiaohongshu.com/explore/6xxxxxxxxxxxxxxxxxxxxxxx。',
    };
  },
};
