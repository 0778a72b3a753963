// Does the URL an operator gives for a manual post look like a post on that platform? The shared checks, then the platform kit's own.
import { declarationOf, PLATFORM_DECLARATIONS } from '../declarations.js';
import { charCount, truncateChars } from '../text.js';
import { handoffKit } from './kits.js';
import type { ManualPlatform, PostUrlRefusal } from './payload.js';

/** True for a platform an operator posts on by hand (declared `publishing: 'manual'`): it has a hand-off bundle and post URLs to check. */
export function isManualPlatform(platform: string): platform is ManualPlatform {
  return PLATFORM_DECLARATIONS.some((d) => d.id === platform && d.publishing === 'manual');
}

/** Hosts (and their subdomains) a post URL may be on, by default: the declarations' `postHosts`. */
export function defaultPostHosts(platform: ManualPlatform): readonly string[] {
  return declarationOf(platform).postHosts ?? [];
}

/**
 * Does `url` look like a post on `platform`? Null when it does; otherwise what is wrong, for the
 * operator in English and Chinese. Tolerant (any post path on the platform's hosts), but refuses
 * what is clearly wrong: not a link, not http(s), another site, the platform's home or console
 * pages. `acceptedHosts` replaces the default hosts (a host also admits its subdomains); `['*']`
 * accepts any host.
 */
export function manualPostUrlProblem(platform: ManualPlatform, url: string, options: { acceptedHosts?: readonly string[] } = {}): PostUrlRefusal | null {
  const name = declarationOf(platform).localName;
  const raw = url.trim();
  const refused = (message: string, messageZh: string): PostUrlRefusal => ({ message, messageZh });
  if (raw === '') return refused(`Give the link of the post you published on ${name}.`, `请填写您在${name}上发布的帖子的链接。`);
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
  const hosts = options.acceptedHosts ?? defaultPostHosts(platform);
  if (hosts.includes('*')) return null;
  const onHost = (h: string) => host === h.toLowerCase() || host.endsWith(`.${h.toLowerCase()}`);
  const matched = hosts.find(onHost);
  if (!matched) {
    return refused(
      `The link points to ${host}, not to ${name} (${hosts.join(', ')}): give the link of the post you published on ${name}.`,
      `这个链接指向 ${host}，不是${name}（${hosts.join('、')}）：请填写您在${name}上发布的帖子的链接。`,
    );
  }
  if (options.acceptedHosts) return null; // configured hosts: any path on them
  return handoffKit(platform).checkPostPath(host, u.pathname.replace(/\/+$/, ''));
}

/** manualPostUrlProblem's English sentence alone (null when the URL is a post). */
export function validateManualPostUrl(platform: ManualPlatform, url: string, options: { acceptedHosts?: readonly string[] } = {}): string | null {
  return manualPostUrlProblem(platform, url, options)?.message ?? null;
}
