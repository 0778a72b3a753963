// What a 快手 post's address looks like: www.kuaishou.com/short-video/<id>, a share page …chenzhongtech.com/fw/photo/<id>, or a share link v.kuaishou.com/<code>.
import { ACCOUNT_PAGE, consolePage, HOME_PAGE, notAPost, notAPostAddress, SEARCH_PAGE } from '../post-link-refusals.js';
import type { PostLinks } from '../platform-declaration.js';

const NAME = '快手';
const EXAMPLE = 'https://www.kuaishou.com/short-video/3xabcdefghijklm';

export const kuaishouPostLinks: PostLinks = {
  hosts: ['kuaishou.com', 'chenzhongtech.com'],
  example: EXAMPLE,
  checkPath(host, path) {
    if (host.startsWith('cp.')) return notAPost(NAME, consolePage('快手创作者服务平台', host), EXAMPLE);
    if (path === '') return notAPost(NAME, HOME_PAGE, EXAMPLE);
    if (host === 'v.kuaishou.com') return /^\/[A-Za-z0-9_-]{4,}$/.test(path) ? null : notAPostAddress(NAME, host, path, EXAMPLE);
    if (/^\/(short-video|photo|fw\/photo)\/[A-Za-z0-9_-]{6,}$/.test(path)) return null;
    if (/^\/(profile|fw\/user)\//.test(path)) return notAPost(NAME, ACCOUNT_PAGE, EXAMPLE);
    if (/^\/search(\/|$)/.test(path)) return notAPost(NAME, SEARCH_PAGE, EXAMPLE);
    return notAPostAddress(NAME, host, path, EXAMPLE);
  },
};
