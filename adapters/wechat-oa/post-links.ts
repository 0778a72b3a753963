// What a 微信公众号 article's address looks like: mp.weixin.qq.com/s/<key>, or the long form /s?__biz=…&mid=…; nothing else on weixin.qq.com.
import { consolePage, HOME_PAGE, notAPost, notAPostAddress } from '../post-link-refusals.js';
import type { PostLinks } from '../platform-declaration.js';

const NAME = '微信公众号';
const EXAMPLE = 'https://mp.weixin.qq.com/s/AbCdEfGhIjKlMnOpQrStUv';

export const wechatOaPostLinks: PostLinks = {
  // weixin.qq.com as a whole, so that its other hosts (the API's api.weixin.qq.com) are judged, and refused, here.
  hosts: ['weixin.qq.com'],
  example: EXAMPLE,
  checkPath(host, path, query) {
    if (host !== 'mp.weixin.qq.com') return notAPostAddress(NAME, host, path, EXAMPLE);
    if (/^\/s\/[A-Za-z0-9_-]{6,}$/.test(path)) return null;
    if ((path === '/s' || path === '/mp/appmsg/show') && query.has('__biz') && query.has('mid')) return null;
    if (path === '') return notAPost(NAME, HOME_PAGE, EXAMPLE);
    if (/^\/(cgi-bin|advanced|merchant)(\/|$)/.test(path)) return notAPost(NAME, consolePage('公众号', host), EXAMPLE);
    return notAPostAddress(NAME, host, path, EXAMPLE);
  },
};
