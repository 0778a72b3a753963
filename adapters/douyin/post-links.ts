// What a 抖音 post's address looks like: www.douyin.com/video/<id>, a share page iesdouyin.com/share/video/<id>, or a share link v.douyin.com/<code>.
import { ACCOUNT_PAGE, consolePage, HOME_PAGE, notAPost, notAPostAddress, SEARCH_PAGE } from '../post-link-refusals.js';
import type { PostLinks } from '../platform-declaration.js';

const NAME = '抖音';
const EXAMPLE = 'https://www.douyin.com/video/7300000000000000000';

export const douyinPostLinks: PostLinks = {
  hosts: ['douyin.com', 'iesdouyin.com'],
  example: EXAMPLE,
  checkPath(host, path) {
    if (host.startsWith('creator.')) return notAPost(NAME, consolePage('抖音创作者中心', host), EXAMPLE);
    if (path === '') return notAPost(NAME, HOME_PAGE, EXAMPLE);
    if (host === 'v.douyin.com') return /^\/[A-Za-z0-9_-]{4,}$/.test(path) ? null : notAPostAddress(NAME, host, path, EXAMPLE);
    if (/^(\/share)?\/(video|note)\/\d{6,}$/.test(path)) return null;
    if (/^(\/share)?\/user\//.test(path)) return notAPost(NAME, ACCOUNT_PAGE, EXAMPLE);
    if (/^\/(search|root\/search)(\/|$)/.test(path)) return notAPost(NAME, SEARCH_PAGE, EXAMPLE);
    return notAPostAddress(NAME, host, path, EXAMPLE);
  },
};
