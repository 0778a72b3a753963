// What a 哔哩哔哩 video's address looks like: www.bilibili.com/video/BV…(or av…), or a share link b23.tv/<code>.
import { ACCOUNT_PAGE, consolePage, HOME_PAGE, notAPost, notAPostAddress, SEARCH_PAGE } from '../post-link-refusals.js';
import type { PostLinks } from '../platform-declaration.js';

const NAME = '哔哩哔哩';
const EXAMPLE = 'https://www.bilibili.com/video/BV1xx411c7mD';

export const bilibiliPostLinks: PostLinks = {
  hosts: ['bilibili.com', 'b23.tv'],
  example: EXAMPLE,
  checkPath(host, path) {
    if (host === 'member.bilibili.com') return notAPost(NAME, consolePage('哔哩哔哩创作中心', host), EXAMPLE);
    if (host === 'space.bilibili.com') return notAPost(NAME, ACCOUNT_PAGE, EXAMPLE);
    if (host === 'search.bilibili.com') return notAPost(NAME, SEARCH_PAGE, EXAMPLE);
    if (path === '') return notAPost(NAME, HOME_PAGE, EXAMPLE);
    if (host === 'b23.tv' || host.endsWith('.b23.tv')) return /^\/[A-Za-z0-9_-]{4,}$/.test(path) ? null : notAPostAddress(NAME, host, path, EXAMPLE);
    if (/^\/video\/(BV[0-9A-Za-z]{10}|av\d+)$/i.test(path)) return null;
    return notAPostAddress(NAME, host, path, EXAMPLE);
  },
};
