// Does the URL an operator gives for a manual post look like a post on that platform? The shared checks, then the platform kit's own.
import { declarationOf, PLATFORM_DECLARATIONS } from '../declarations.js';
import { charCount, truncateChars } from '../text.js';
import { handoffKit } from './kits.js';
import type { ManualPlatform } from './payload.js';

/** True for a platform an operator posts on by hand (declared `publishing: 'manual'`): it has a hand-off bundle and post URLs to check. */
export function isManualPlatform(platform: string): platform is ManualPlatform {
  return PLATFORM_DECLARATIONS.some((d) => d.id === platform && d.publishing === 'manual');
}

/** Hosts (and their subdomains) a post URL may be on, by default: the declarations' `postHosts`. */
export function defaultPostHosts(platform: ManualPlatform): readonly string[] {
  return declarationOf(platform).postHosts ?? [];
}

/**
 * Does `url` look like a post on `platform`? Null when it does; otherwise a plain message for the
 * operator. Tolerant (any post path on the platform's hosts), but refuses what is clearly wrong:
 * not a link, not http(s), another site, the platform's home or console pages. `acceptedHosts`
 * replaces the default hosts (a host also admits its subdomains); `['*']` accepts any host.
 */
export function validateManualPostUrl(platform: ManualPlatform, url: string, options: { acceptedHosts?: readonly string[] } = {}): string | null {
  const name = declarationOf(platform).localName;
  const raw = url.trim();
  if (raw === '') return `Give the link of the post you published on ${name}.`;
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return `"${truncateChars(raw, 60)}" is not a link: copy the post's full address (it starts with https://).`;
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return `The link must start with https:// (this one starts with "${u.protocol}").`;
  if (charCount(raw) > 2000) return "The link is longer than 2000 characters; copy the post's address again.";
  const host = u.hostname.toLowerCase().replace(/\.$/, '');
  const hosts = options.acceptedHosts ?? defaultPostHosts(platform);
  if (hosts.includes('*')) return null;
  const onHost = (h: string) => host === h.toLowerCase() || host.endsWith(`.${h.toLowerCase()}`);
  const matched = hosts.find(onHost);
  if (!matched) {
    return `The link points to ${host}, not to ${name} (${hosts.join(', ')}): give the link of the post you published on ${name}.`;
  }
  if (options.acceptedHosts) return null; // configured hosts: any path on them
  return handoffKit(platform).checkPostPath(host, u.pathname.replace(/\/+$/, ''));
}
