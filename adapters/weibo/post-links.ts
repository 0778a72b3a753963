// What a 微博 post's address looks like: weibo.com/<account>/<id>, or m.weibo.cn/status/<id> (/detail/<id>).
import { ACCOUNT_PAGE, HOME_PAGE, notAPost, notAPostAddress, SEARCH_PAGE } from '../post-link-refusals.js';
import type { PostLinks } from '../platform-declaration.js';

const NAME = '微博';
const EXAMPLE = 'https://weibo.com/1234567890/NaBcDeFgH';
// A post's id: 9 base-62 characters (NaBcDeFgH) or its 16-digit number.
const ID = '(?:[A-Za-z0-9]{9}|\\d{15,17})';

export const weiboPostLinks: PostLinks = {
  hosts: ['weibo.com', 'weibo.cn'],
  example: EXAMPLE,
  checkPath(host, path) {
    if (path === '') return notAPost(NAME, HOME_PAGE, EXAMPLE);
    if (new RegExp(`^/(status|detail)/${ID}$`).test(path)) return null;
    if (/^\/(u\/)?\d+$/.test(path) || /^\/(u|p|n)\/[^/]+$/.test(path)) return notAPost(NAME, ACCOUNT_PAGE, EXAMPLE);
    if (host.startsWith('s.') || /^\/search(\/|$)/.test(path)) return notAPost(NAME, SEARCH_PAGE, EXAMPLE);
    // weibo.com/<uid or personal domain>/<id>
    if (new RegExp(`^/[A-Za-z0-9_.-]+/${ID}$`).test(path)) return null;
    return notAPostAddress(NAME, host, path, EXAMPLE);
  },
};
