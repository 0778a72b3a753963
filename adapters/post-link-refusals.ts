// What the platforms' post-link rules (adapters/<platform>/post-links.ts) share: the sentences they refuse with, and the host test. Pure, imports types only (the declarations import the rules).
import type { PostUrlRefusal } from './platform-declaration.js';

/** `host` is `domain` or one of its subdomains (www.toutiao.com on toutiao.com; never toutiao.com.evil.example). */
export function onDomain(host: string, domain: string): boolean {
  return host === domain || host.endsWith(`.${domain}`);
}

/** What an address shows instead of a post: the platform's home page, an account's page, its management console, a search. */
export type NotAPostPage = { en: string; zh: string };

export const HOME_PAGE: NotAPostPage = { en: 'the home page', zh: '首页' };
export const ACCOUNT_PAGE: NotAPostPage = { en: 'an account page', zh: '账号主页' };
export const SEARCH_PAGE: NotAPostPage = { en: 'a search page', zh: '搜索结果页' };
export const consolePage = (name: string, host: string): NotAPostPage => ({ en: `the management console (${host})`, zh: `${name}管理后台（${host}）` });

/** "That is <page> on <platform>, not a post": open the post and copy its address, which looks like `example`. */
export function notAPost(localName: string, page: NotAPostPage, example: string): PostUrlRefusal {
  return {
    message: `That is ${page.en} on ${localName}, not a post: open the published post and copy its address (it looks like ${example}).`,
    messageZh: `这是${localName}的${page.zh}，不是帖子：请打开已发布的帖子，复制它的地址（形如 ${example}）。`,
  };
}

/** An address on the platform's site that is no post's (a path the rule does not know). */
export function notAPostAddress(localName: string, host: string, path: string, example: string): PostUrlRefusal {
  const page = shortened(`${host}${readable(path)}`, 80);
  return {
    message: `${page} is not the address of a post on ${localName}: open the published post and copy its address (it looks like ${example}).`,
    messageZh: `${page} 不是${localName}上帖子的地址：请打开已发布的帖子，复制它的地址（形如 ${example}）。`,
  };
}

/** A path as a person typed it (政策, not %E6%94%BF%E7%AD%96), unless decoding would show a control character or fails. */
function readable(path: string): string {
  try {
    const decoded = decodeURI(path);
    return /[\u0000-\u001f\u007f-\u009f]/.test(decoded) ? path : decoded;
  } catch {
    return path;
  }
}

/** At most `max` characters (code points), with … when cut: adapters/text.ts truncateChars, which this file may not import (the declarations import nothing not held to their purity rule). */
function shortened(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}
