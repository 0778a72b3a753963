// What a 今日头条 post's address looks like: articles, 微头条 and videos on toutiao.com, videos on ixigua.com, share links m.toutiao.com/is/….
import { ACCOUNT_PAGE, consolePage, HOME_PAGE, notAPost, notAPostAddress, onDomain, SEARCH_PAGE } from '../post-link-refusals.js';
import type { PostLinks } from '../platform-declaration.js';

const NAME = '今日头条';
const EXAMPLE = 'https://www.toutiao.com/article/7300000000000000000/';

// Item ids are long decimal numbers (19 digits today): /article/ or /search is no post.
const TOUTIAO_POST = [
  /^\/(article|group|video|item|w)\/a?\d{6,}$/, // /article/7…, /group/7…, /video/7…, /w/17… (微头条)
  /^\/[ai]\d{6,}$/, // the older /a7… and /i7…
  /^\/is\/[A-Za-z0-9_-]{4,}$/, // a share link, m.toutiao.com/is/iRkLxYz/
];
const IXIGUA_POST = [/^\/i?\d{6,}$/, /^\/video\/\d{6,}$/];

export const toutiaoPostLinks: PostLinks = {
  hosts: ['toutiao.com', 'ixigua.com'],
  example: EXAMPLE,
  checkPath(host, path) {
    if (onDomain(host, 'mp.toutiao.com')) return notAPost(NAME, consolePage('头条号', 'mp.toutiao.com'), EXAMPLE);
    if (path === '') return notAPost(NAME, HOME_PAGE, EXAMPLE);
    if (/^\/c\/user\//.test(path)) return notAPost(NAME, ACCOUNT_PAGE, EXAMPLE);
    if (/^\/search(\/|$)/.test(path)) return notAPost(NAME, SEARCH_PAGE, EXAMPLE);
    const posts = onDomain(host, 'ixigua.com') ? IXIGUA_POST : TOUTIAO_POST;
    return posts.some((p) => p.test(path)) ? null : notAPostAddress(NAME, host, path, EXAMPLE);
  },
};
