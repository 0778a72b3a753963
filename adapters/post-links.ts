/**
 * Does the URL an operator gives for a post look like a post on that platform? Asked when a post is
 * confirmed by hand: a manual hand-off, or a post an API platform never confirmed. The shared checks
 * (a link, http(s), not too long, on the platform's hosts), then the platform's own rule for the path
 * (its declaration's `posts`). Pure.
 */
import { PLATFORM_DECLARATIONS } from './declarations.js';
import type { PlatformDeclaration, PostUrlRefusal } from './platform-declaration.js';
import { onDomain } from './post-link-refusals.js';
import { charCount, truncateChars } from './text.js';

export interface PostLinkOptions {
  /**
   * Hosts the platform's posts are on instead of the declared ones (platforms.yaml `postHosts`; a
   * host admits its subdomains), with any path, over http or https. `['*']`: any other host too
   * (the local simulators of `govpub start`, where nothing is really posted), while a link on the
   * platform's declared hosts is still held to its rule.
   */
  hosts?: readonly string[];
  /**
   * Hosts accepted as well, exactly, unless on the declared hosts (whose rule judges them): the
   * system govpub itself talks to for the platform (its base URL's host: a simulator, a private
   * deployment, which serve their posts there).
   */
  alsoHosts?: readonly string[];
}

/** The platform's declaration, or undefined for a name that is none. */
function declared(platform: string): PlatformDeclaration | undefined {
  return PLATFORM_DECLARATIONS.find((d) => d.id === platform);
}

/** Null when `url` can be the address of a post on `platform`; otherwise what is wrong, for the operator in English and Chinese. */
export function postLinkProblem(platform: string, url: string, options: PostLinkOptions = {}): PostUrlRefusal | null {
  const declaration = declared(platform);
  if (!declaration) return null; // no platform to hold it against (the delivery's row names none)
  const name = declaration.localName;
  const raw = url.trim();
  const refused = (message: string, messageZh: string): PostUrlRefusal => ({ message, messageZh });
  if (raw === '') return refused(`Give the link of the post on ${name}.`, `请填写该帖子在${name}上的链接。`);
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    const shown = truncateChars(raw, 60);
    return refused(
      `"${shown}" is not a link: copy the post's full address (it starts with https://).`,
      `“${shown}”不是链接：请复制帖子的完整地址（以 https:// 开头）。`,
    );
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:')
    return refused(`The link must start with https:// (this one starts with "${u.protocol}").`, `链接须以 https:// 开头（此链接以“${u.protocol}”开头）。`);
  if (charCount(raw) > 2000)
    return refused("The link is longer than 2000 characters; copy the post's address again.", '链接超过 2000 个字符，请重新复制帖子的地址。');
  const host = u.hostname.toLowerCase().replace(/\.$/, '');
  // Anywhere (a local setup): other sites are taken, but a link on the platform's own site must still be a post.
  const anywhere = options.hosts?.includes('*') === true;
  const configured = anywhere ? undefined : options.hosts?.map((h) => h.toLowerCase());
  const rule = configured ? undefined : declaration.posts;
  const hosts = configured ?? rule?.hosts ?? [];
  const onHosts = hosts.some((h) => onDomain(host, h));
  if (anywhere && !onHosts) return null;
  // The platform's own system, unless it is on the hosts whose pages the rule knows (api.weibo.com is no post).
  if (!onHosts && options.alsoHosts?.some((h) => h.toLowerCase() === host)) return null;
  if (hosts.length === 0)
    return refused(
      `govpub does not know where ${name}'s posts are published, so it cannot check this link: set postHosts for ${platform} in config/registry/platforms.yaml (the hosts its posts are on).`,
      `govpub 不知道${name}的帖子发布在哪个网站，无法核对此链接：请在 config/registry/platforms.yaml 中为 ${platform} 设置 postHosts（帖子所在的网站域名）。`,
    );
  if (!onHosts) {
    const example = rule ? ` (it looks like ${rule.example})` : '';
    const exampleZh = rule ? `（形如 ${rule.example}）` : '';
    return refused(
      `The link points to ${host}, not to ${name} (${hosts.join(', ')}): give the link of the post on ${name}${example}.`,
      `这个链接指向 ${host}，不是${name}（${hosts.join('、')}）：请填写该帖子在${name}上的链接${exampleZh}。`,
    );
  }
  if (!rule) return null; // configured hosts: any path on them
  if (u.protocol === 'http:' && !rule.httpHosts?.some((h) => onDomain(host, h))) {
    const secure = u.href.replace(/^http:/, 'https:');
    return refused(
      `The link must start with https:// (${name} serves its posts over https): give ${truncateChars(secure, 120)}.`,
      `链接须以 https:// 开头（${name}的帖子地址均为 https）：请填写 ${truncateChars(secure, 120)}。`,
    );
  }
  return rule.checkPath(host, u.pathname.replace(/\/+$/, ''), u.searchParams);
}

/** postLinkProblem's English sentence alone (null when the URL is a post). */
export function postLinkMessage(platform: string, url: string, options: PostLinkOptions = {}): string | null {
  return postLinkProblem(platform, url, options)?.message ?? null;
}
